"""tf.lookup against real TensorFlow (the oracle): values, dtypes, shapes, errors; eagerly, in
tf.function and in Dataset.map."""
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

real_tf = pytest.importorskip("tensorflow")
import tftape as tf  # noqa: E402


def run(fn, mod, *args):
    try:
        return ("ok", to_py(fn(mod, *args)))
    except Exception as e:  # noqa: BLE001 - the exception is what we compare
        # Table resources' shared names count the tables the process made.
        return ("err", type(e).__name__, re.sub(r'shared_name="[^"]*"', "", str(e)))


def to_py(x):
    if isinstance(x, (tuple, list)):
        return type(x)(to_py(v) for v in x)
    if hasattr(x, "indices") and hasattr(x, "dense_shape") and not hasattr(x, "numpy"):
        return ("sparse", to_py(x.indices), to_py(x.values), to_py(x.dense_shape))
    if hasattr(x, "row_splits") and hasattr(x, "to_list"):
        return ("ragged", x.dtype.name, x.to_list())
    if hasattr(x, "numpy") and hasattr(x, "dtype"):
        a = np.asarray(x.numpy())
        return ("tensor", x.dtype.name, a.shape, a.tolist())
    if hasattr(x, "as_numpy_dtype"):
        return ("dtype", x.name)
    return x


def check(fn, *args):
    assert run(fn, tf, *args) == run(fn, real_tf, *args)


def sorted_export(table):
    """TF lists a table's entries in its hash map's order: compare them sorted."""
    k, v = table.export()
    kk, vv = np.asarray(k.numpy()), np.asarray(v.numpy())
    order = sorted(range(len(kk)), key=lambda i: (kk[i].tolist(), vv[i].tolist()))
    return (k.dtype.name, v.dtype.name, kk.shape, vv.shape,
            [(kk[i].tolist(), vv[i].tolist()) for i in order])


def kv(m, keys, values, kd=None, vd=None):
    return m.lookup.KeyValueTensorInitializer(keys, values, kd, vd)


def sht(m, keys=("a", "b", "c"), values=(7, 8, 9), default=-1, kd=None, vd=None):
    return m.lookup.StaticHashTable(kv(m, list(keys), list(values), kd, vd), default)


def vocab(m, n=4, keys=("a", "b", "c")):
    return m.lookup.StaticVocabularyTable(
        kv(m, list(keys), m.constant(list(range(len(keys))), m.int64)), n)


def int_vocab(m, n=5, lookup_key_dtype=None):
    init = kv(m, m.constant([10, 20, -3], m.int64), m.constant([0, 1, 2], m.int64))
    return m.lookup.StaticVocabularyTable(init, n, lookup_key_dtype=lookup_key_dtype)


def mutable(m, kd="string", vd="int64", default=-1):
    return m.lookup.experimental.MutableHashTable(getattr(m, kd), getattr(m, vd), default)


def filled(m):
    t = mutable(m)
    t.insert(m.constant(["a", "b", "c"]), m.constant([1, 2, 3], m.int64))
    return t


def dense(m, buckets=8):
    return m.lookup.experimental.DenseHashTable(m.int64, m.float32, -1., empty_key=-1,
                                                deleted_key=-2, initial_num_buckets=buckets)


def dense_filled(m):
    t = dense(m)
    t.insert(m.constant([1, 2, 3], m.int64), m.constant([0.5, 1.5, 2.5]))
    return t


def then(*steps):
    """Runs table operations in order, returning the last one's result."""
    r = None
    for s in steps:
        r = s()
    return r


CASES = {
    # -- StaticHashTable
    "lookup": lambda m: sht(m).lookup(m.constant(["a", "x", "c"])),
    "lookup_scalar": lambda m: sht(m).lookup(m.constant("b")),
    "lookup_2d": lambda m: sht(m)[m.constant([["a", "b"], ["q", "c"]])],
    "lookup_empty": lambda m: sht(m).lookup(m.constant([], m.string)),
    "lookup_ragged": lambda m: sht(m).lookup(m.ragged.constant([["a"], [], ["b", "z"]])),
    "lookup_ragged_2": lambda m: sht(m).lookup(m.ragged.constant([[["a"], ["c", "q"]], []])),
    "lookup_sparse": lambda m: sht(m).lookup(m.sparse.from_dense(m.constant([["a", ""],
                                                                              ["", "b"]]))),
    "size": lambda m: sht(m).size(),
    "export": lambda m: sorted_export(sht(m)),
    "key_dtype": lambda m: (sht(m).key_dtype, sht(m).value_dtype),
    "default_value": lambda m: sht(m, default=5).default_value,
    "name": lambda m: sht(m).name,
    "int_keys_float_values": lambda m: sht(m, [1, 2], [0.5, 1.5], 0.).lookup(
        m.constant([1, 3, 2])),
    "int64_keys": lambda m: sht(m, [5, -2], [1, 2], 0, m.int64).lookup(
        m.constant([[-2, 5, 0]], m.int64)),
    "int64_keys_int64_values": lambda m: sht(m, [5, -2], [1, 2], 0, m.int64, m.int64).lookup(
        m.constant([-2, 7], m.int64)),
    "int64_keys_string_values": lambda m: sht(m, [5, -2], ["x", "y"], "?", m.int64).lookup(
        m.constant([-2, 7], m.int64)),
    "int32_keys_double_values": lambda m: sht(m, [1, 2], [1., 2.], 0., None, m.float64).lookup(
        m.constant([1, 7])),
    "string_values": lambda m: sht(m, values=["x", "y", "z"], default="").lookup(
        m.constant(["c", "nope"])),
    "bool_values": lambda m: sht(m, values=[True, False, True], default=False).lookup(
        m.constant(["c", "b", "q"])),
    "float64_values": lambda m: sht(m, values=[1.5, 2.5, 3.5], default=0,
                                    vd=m.float64).lookup(m.constant(["a", "z"])),
    "duplicate_same_value": lambda m: sorted_export(sht(m, ["a", "b", "a"], [1, 2, 1])),
    "keys_2d": lambda m: sht(m, [["a", "b"]], [[1, 2]]).lookup(m.constant(["b"])),
    "unicode_keys": lambda m: sht(m, ["é", "日本", ""], [1, 2, 3]).lookup(
        m.constant(["", "日本", "e"])),
    # -- StaticHashTable errors
    "wrong_key_dtype": lambda m: sht(m).lookup(m.constant([1, 2])),
    "int64_for_int32": lambda m: sht(m, [1, 2], [0.5, 1.5], 0.).lookup(
        m.constant([1], m.int64)),
    "list_keys": lambda m: sht(m).lookup(["a"]),
    "str_key": lambda m: sht(m)["a"],
    "default_wrong_type": lambda m: sht(m, default=-1.5),
    "default_string": lambda m: sht(m, default="x"),
    "default_not_scalar": lambda m: sht(m, default=[1, 2]),
    "duplicate_keys": lambda m: sht(m, ["a", "a"], [0, 1]),
    "duplicate_float": lambda m: sht(m, [1, 2, 1], [0.5, 1., 1.5], -1.),
    "duplicate_string": lambda m: sht(m, ["a", "b", "a"], ["x", "y", "z"], ""),
    "shape_mismatch": lambda m: sht(m, ["a", "b"], [0, 1, 2]),
    "shape_mismatch_2d": lambda m: sht(m, ["a", "b"], [[1, 2], [3, 4]], 0),
    "empty_table": lambda m: m.lookup.StaticHashTable(kv(m, [], [], m.string, m.int64), -1),
    "float_keys": lambda m: sht(m, [1., 2.], [0, 1]),
    "bool_keys": lambda m: sht(m, [True, False], [0, 1]),
    "int16_keys": lambda m: sht(m, [1, 2], [0, 1], 0, m.int16),
    "int32_keys_bool_values": lambda m: sht(m, [1, 2], [True, False], False),
    "int16_values": lambda m: sht(m, values=[1, 2, 3], default=0, vd=m.int16),
    "float16_values": lambda m: sht(m, values=[1, 2, 3], default=0, vd=m.float16),
    # -- StaticVocabularyTable
    "vocab": lambda m: vocab(m).lookup(m.constant(["a", "zz", "b", "hello", "x", ""])),
    "vocab_1_bucket": lambda m: vocab(m, 1).lookup(m.constant(["a", "zz", "q"])),
    "vocab_many_buckets": lambda m: vocab(m, 1000).lookup(
        m.constant([["tensorflow", "jax"], ["numpy", "c"]])),
    "vocab_size": lambda m: vocab(m, 7).size(),
    "vocab_dtypes": lambda m: (vocab(m).key_dtype, vocab(m).value_dtype, vocab(m).name),
    "vocab_ragged": lambda m: vocab(m).lookup(m.ragged.constant([["a"], ["q", "c"]])),
    "vocab_ragged_2": lambda m: vocab(m).lookup(m.ragged.constant([[["a"], ["q", "c"]], []])),
    "vocab_sparse": lambda m: vocab(m).lookup(m.sparse.from_dense(m.constant([["a", ""],
                                                                              ["", "w"]]))),
    "vocab_int64": lambda m: int_vocab(m).lookup(m.constant([10, 11, 20, -7, -3, 123456,
                                                             2**40], m.int64)),
    "vocab_int32_lookup": lambda m: int_vocab(m, 3, m.int32).lookup(
        m.constant([10, 11, 20, -7, 99])),
    "vocab_no_initializer": lambda m: m.lookup.StaticVocabularyTable(None, 4).lookup(
        m.constant(["a", "b", "tf"])),
    "vocab_no_initializer_size": lambda m: m.lookup.StaticVocabularyTable(None, 4).size(),
    "vocab_no_initializer_name": lambda m: m.lookup.StaticVocabularyTable(None, 4).name,
    "vocab_wrong_key_dtype": lambda m: vocab(m).lookup(m.constant([1])),
    "vocab_int32_for_int64": lambda m: int_vocab(m, 3, m.int32).lookup(
        m.constant([10], m.int64)),
    "vocab_zero_buckets": lambda m: vocab(m, 0),
    "vocab_int32_values": lambda m: m.lookup.StaticVocabularyTable(kv(m, ["a"], [0]), 2),
    "vocab_int32_keys": lambda m: m.lookup.StaticVocabularyTable(
        kv(m, [1], m.constant([0], m.int64)), 2),
    "vocab_string_lookup_int_table": lambda m: int_vocab(m, 2, m.string),
    "vocab_float_lookup": lambda m: int_vocab(m, 2, m.float32),
    # -- MutableHashTable
    "mutable_lookup": lambda m: filled(m).lookup(m.constant(["a", "q", "c"])),
    "mutable_lookup_list": lambda m: filled(m).lookup(["b", "zz"]),
    "mutable_lookup_scalar": lambda m: filled(m).lookup("b"),
    "mutable_lookup_2d": lambda m: filled(m).lookup(m.constant([["a", "x"], ["c", "b"]])),
    "mutable_size": lambda m: filled(m).size(),
    "mutable_empty_size": lambda m: mutable(m).size(),
    "mutable_export": lambda m: sorted_export(filled(m)),
    "mutable_remove": lambda m: (lambda t: then(lambda: t.remove(m.constant(["a", "zz"])),
                                                lambda: (t.size(), t.lookup(["a", "b"]),
                                                         sorted_export(t))))(filled(m)),
    "mutable_overwrite": lambda m: (lambda t: then(
        lambda: t.insert(m.constant(["a", "d"]), m.constant([10, 40], m.int64)),
        lambda: (t.size(), t.lookup(["a", "b", "d"]))))(filled(m)),
    "mutable_duplicate_insert": lambda m: (lambda t: then(
        lambda: t.insert(m.constant([1, 1], m.int64), m.constant([3, 4])),
        lambda: t.lookup(m.constant([1, 2], m.int64))))(mutable(m, "int64", "int32", 0)),
    "mutable_insert_returns": lambda m: filled(m).insert(["z"], [0]),
    "mutable_insert_2d": lambda m: (lambda t: then(
        lambda: t.insert([["x", "y"]], [[5, 6]]), lambda: t.lookup(["y", "x"])))(mutable(m)),
    "mutable_dynamic_default": lambda m: filled(m).lookup(
        m.constant(["a", "q", "r"]), dynamic_default_values=m.constant([0, 100, 200], m.int64)),
    "mutable_int32_float": lambda m: (lambda t: then(
        lambda: t.insert(m.constant([1, 2]), m.constant([0.5, 1.5])),
        lambda: t.lookup(m.constant([2, 3]))))(mutable(m, "int32", "float32", 0.)),
    "mutable_int64_string": lambda m: (lambda t: then(
        lambda: t.insert(m.constant([7], m.int64), m.constant(["seven"])),
        lambda: t.lookup(m.constant([7, 8], m.int64))))(mutable(m, "int64", "string", "?")),
    "mutable_string_bool": lambda m: (lambda t: then(
        lambda: t.insert(m.constant(["y"]), m.constant([True])),
        lambda: t.lookup(m.constant(["y", "n"]))))(mutable(m, "string", "bool", False)),
    "mutable_vector_values": lambda m: (lambda t: then(
        lambda: t.insert(m.constant([1, 2], m.int64), m.constant([[1., 2.], [3., 4.]])),
        lambda: (t.lookup(m.constant([[1, 3]], m.int64)), sorted_export(t))))(
        m.lookup.experimental.MutableHashTable(m.int64, m.float32, [0., -1.])),
    "mutable_key_dtype": lambda m: (mutable(m).key_dtype, mutable(m).value_dtype,
                                    mutable(m).name),
    # -- MutableHashTable errors
    "mutable_lookup_wrong_list": lambda m: filled(m).lookup([1]),
    "mutable_lookup_wrong_tensor": lambda m: filled(m).lookup(m.constant([1])),
    "mutable_insert_wrong_values": lambda m: filled(m).insert(["a"], [1.5]),
    "mutable_insert_short_values": lambda m: filled(m).insert(["a", "b"], [1]),
    "mutable_insert_shape": lambda m: filled(m).insert([["a", "b"]], [1, 2]),
    "mutable_vector_insert_shape": lambda m: m.lookup.experimental.MutableHashTable(
        m.int64, m.float32, [0., 0.]).insert([1], [1.]),
    "mutable_remove_list": lambda m: filled(m).remove(["a"]),
    "mutable_remove_wrong_dtype": lambda m: filled(m).remove(m.constant([1])),
    "mutable_dynamic_default_dtype": lambda m: filled(m).lookup(
        ["a"], dynamic_default_values=[7]),
    "mutable_default_wrong_type": lambda m: mutable(m, "int64", "int32", "x"),
    "mutable_int16_keys": lambda m: mutable(m, "int16", "float32", 0.),
    "mutable_int64_bool": lambda m: mutable(m, "int64", "bool", False),
    "mutable_vector_int16_keys": lambda m: m.lookup.experimental.MutableHashTable(
        m.int16, m.float32, [0.]),
    # -- DenseHashTable
    "dense_lookup": lambda m: dense_filled(m).lookup(m.constant([1, 5, 3], m.int64)),
    "dense_lookup_list": lambda m: dense_filled(m).lookup([2, 9]),
    "dense_size": lambda m: dense_filled(m).size(),
    "dense_remove": lambda m: (lambda t: then(lambda: t.remove(m.constant([1, 9], m.int64)),
                                              lambda: (t.size(), t.lookup([1, 2]))))(
        dense_filled(m)),
    "dense_export_shape": lambda m: [x.shape for x in dense_filled(m).export()],
    "dense_export_default_buckets": lambda m: [x.shape for x in dense(m, None).export()],
    "dense_grows": lambda m: (lambda t: then(
        lambda: t.insert(m.constant([1, 2, 3, 4, 5], m.int64), m.constant([1., 2, 3, 4, 5])),
        lambda: ([x.shape for x in t.export()], t.size())))(dense(m, 4)),
    "dense_string_keys": lambda m: (lambda t: then(
        lambda: t.insert(m.constant(["a", "b"]), m.constant([1, 2], m.int64)),
        lambda: t.lookup(m.constant(["b", "c"]))))(m.lookup.experimental.DenseHashTable(
            m.string, m.int64, -1, empty_key="", deleted_key="$", initial_num_buckets=16)),
    "dense_insert_empty_key": lambda m: dense(m).insert([-1], [1.]),
    "dense_insert_deleted_key": lambda m: dense(m).insert([-2], [1.]),
    "dense_lookup_empty_key": lambda m: dense(m).lookup([-1]),
    "dense_remove_empty_key": lambda m: dense(m).remove(m.constant([-1], m.int64)),
    "dense_remove_wrong_dtype": lambda m: dense(m).remove(m.constant([1])),
    "dense_equal_keys": lambda m: m.lookup.experimental.DenseHashTable(
        m.int64, m.float32, -1., empty_key=-1, deleted_key=-1),
    "dense_bad_buckets": lambda m: dense(m, 6),
    "dense_int16_keys": lambda m: m.lookup.experimental.DenseHashTable(
        m.int16, m.float32, 0., 0, 1),
    # -- TextFileIndex
    "text_file_index": lambda m: (m.lookup.TextFileIndex.WHOLE_LINE,
                                  m.lookup.TextFileIndex.LINE_NUMBER),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_case(name):
    check(CASES[name])


# -- text files: each case reads its own file, since TF shares a table per file name ----------
FILES = {
    "cols": "emerson 10\nlake 20\npalmer 30\n",
    "words": "a\nb\r\nc\n\xe9t\xe9\nlast",
    "empty_line": "abc\nd\n\nx\n",
    "floats": "a\t1.5\nb\tx\n",
    "dup": "x\t1\nx\t2\n",
    "dup_same": "x\t1\nx\t1\ny\t-3\n",
    "spaces": "a 1  2\n",
    "ints": "10\t1\n-20\t2\n",
}


def text(m, path, key_dtype, key_index, value_dtype, value_index, default, keys, kw):
    init = m.lookup.TextFileInitializer(path, key_dtype(m), key_index, value_dtype(m),
                                        value_index, **kw)
    table = m.lookup.StaticHashTable(init, default)
    return table.size(), sorted_export(table), table.lookup(m.constant(keys))


S, I64, I32, F32, F64 = (lambda m: m.string), (lambda m: m.int64), (lambda m: m.int32), \
    (lambda m: m.float32), (lambda m: m.float64)
TEXT = {
    "columns": ("cols", S, 0, I64, 1, -1, ["palmer", "lake", "tarkus"], {"delimiter": " "}),
    "whole_line": ("cols", S, -2, I64, -1, -1, ["palmer 30", "lake"], {}),
    "whole_line_crlf": ("words", S, -2, I64, -1, -1, ["b", "last", "été"], {}),
    "value_offset": ("words", S, -2, I64, -1, -1, ["a"], {"value_index_offset": 3}),
    "vocab_size": ("words", S, -2, I64, -1, -1, ["a", "c"], {"vocab_size": 2}),
    "vocab_size_too_big": ("words", S, -2, I64, -1, -1, ["a"], {"vocab_size": 9}),
    "string_values": ("cols", S, 0, S, 1, "?", ["lake", "x"], {"delimiter": " "}),
    "int_keys": ("cols", I64, 1, S, 0, "?", [[20, 5]], {"delimiter": " "}),
    "int32_keys": ("ints", I32, 0, I64, 1, -1, [10, -20, 3], {}),
    "float_values": ("floats", S, 0, F32, 1, -1., ["a"], {}),
    "double_values": ("floats", S, 0, F64, 1, -1., ["a"], {}),
    "empty_line": ("empty_line", S, -2, I64, -1, -1, ["a"], {}),
    "too_few_columns": ("cols", S, 0, I64, 3, -1, ["a"], {"delimiter": " "}),
    "not_an_int": ("cols", S, 0, I64, 0, -1, ["a"], {"delimiter": " "}),
    "duplicate": ("dup", S, 0, I64, 1, -1, ["x"], {}),
    "duplicate_same": ("dup_same", S, 0, I32, 1, -1, ["y"], {}),
    "empty_field": ("spaces", S, 0, S, 2, "?", ["a"], {"delimiter": " "}),
    "long_delimiter": ("spaces", S, 0, S, 1, "?", ["a"], {"delimiter": "  "}),
    "missing_file": (None, S, -2, I64, -1, -1, ["a"], {}),
    "vocab_size_zero": ("cols", S, -2, I64, -1, -1, ["a"], {"vocab_size": 0}),
    "bad_key_index": ("cols", S, -3, I64, -1, -1, ["a"], {}),
    "line_number_key_string": ("cols", S, -1, I64, -2, -1, ["a"], {}),
    "whole_line_float_key": ("cols", F32, -2, I64, -1, -1, ["a"], {}),
    "line_number_int32_value": ("cols", S, -2, I32, -1, -1, ["a"], {}),
    "whole_line_float_value": ("cols", S, 0, F32, -2, -1, ["a"], {}),
    "bad_value_index": ("cols", S, -2, I64, -4, -1, ["a"], {}),
    "default_wrong_type": ("cols", S, -2, I64, -1, "x", ["a"], {}),
}


@pytest.mark.parametrize("name", sorted(TEXT))
def test_text_file(name, tmp_path):
    file, kd, ki, vd, vi, default, keys, kw = TEXT[name]
    path = tmp_path / f"{name}.txt"
    if file is not None:
        path.write_bytes(FILES[file].encode("utf-8"))
    want = run(text, real_tf, str(path), kd, ki, vd, vi, default, keys, kw)
    got = run(text, tf, str(path), kd, ki, vd, vi, default, keys, kw)
    assert got == want


def test_text_file_tables_share_by_name(tmp_path):
    """TF keeps a text-file table by its file name and indices for the process's life."""
    path = tmp_path / "shared.txt"

    def f(m):
        path.write_text("a\nb\n")
        first = m.lookup.StaticHashTable(
            m.lookup.TextFileInitializer(str(path), m.string, -2, m.int64, -1), -1)
        path.write_text("c\nd\n")
        second = m.lookup.StaticHashTable(
            m.lookup.TextFileInitializer(str(path), m.string, -2, m.int64, -1), -1)
        anonymous = m.lookup.StaticHashTable(
            m.lookup.TextFileInitializer(str(path), m.string, -2, m.int64, -1), -1,
            experimental_is_anonymous=True)
        out = [first.lookup(m.constant(["a", "c"])), second.lookup(m.constant(["a", "c"])),
               anonymous.lookup(m.constant(["a", "c"]))]
        try:
            m.lookup.StaticHashTable(
                m.lookup.TextFileInitializer(str(path), m.string, -2, m.int64, -1,
                                             name="other"), -1.)
        except Exception as e:  # noqa: BLE001
            out.append((type(e).__name__, str(e)))
        return out
    assert to_py(f(tf)) == to_py(f(real_tf))


def test_text_file_filename_tensor(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("x y\nz w\n")
    check(lambda m: m.lookup.StaticHashTable(m.lookup.TextFileInitializer(
        m.constant(str(path)), m.string, 0, m.string, 1, delimiter=" "), "").lookup(
        m.constant(["z", "x", "y"])))


# -- tf.function and Dataset.map ---------------------------------------------------------------
FUNCTION_CASES = {
    "string_keys": (lambda m: sht(m), lambda m: m.constant([["a", "q"], ["c", "b"]])),
    "int_keys": (lambda m: sht(m, [3, 1], [0.5, 1.5], 0.), lambda m: m.constant([[1, 2], [3, 3]])),
    "int64_keys": (lambda m: sht(m, [5, -2], [1, 2], 0, m.int64, m.int64),
                   lambda m: m.constant([-2, 7, 5], m.int64)),
    "int_keys_string_values": (lambda m: sht(m, [5, -2], ["x", "y"], "?", m.int64),
                               lambda m: m.constant([-2, 7], m.int64)),
    "vocab": (lambda m: vocab(m), lambda m: m.constant(["a", "zz", "b"])),
    "int_vocab": (lambda m: int_vocab(m), lambda m: m.constant([10, 11, 20], m.int64)),
    "mutable": (filled, lambda m: m.constant(["a", "zz", "c"])),
    "dense": (dense_filled, lambda m: m.constant([1, 7], m.int64)),
}


@pytest.mark.parametrize("name", sorted(FUNCTION_CASES))
def test_in_function(name):
    make_table, make_keys = FUNCTION_CASES[name]

    def f(m):
        table = make_table(m)

        @m.function
        def fn(k):
            return table.lookup(k), table.size()
        keys = make_keys(m)
        return fn(keys), fn(keys)
    check(f)


@pytest.mark.parametrize("name", sorted(FUNCTION_CASES))
def test_in_dataset_map(name):
    make_table, make_keys = FUNCTION_CASES[name]

    def f(m):
        table = make_table(m)
        ds = m.data.Dataset.from_tensor_slices(make_keys(m)).map(lambda k: table.lookup(k))
        return list(ds)
    check(f)


def test_mutable_insert_in_function():
    """Each call of a function that inserts inserts again, as in TF."""
    def f(m):
        table = mutable(m, "int64", "int64", -1)

        @m.function
        def step(k):
            table.insert(k, k * 10)
            return table.size()
        return step(m.constant([1, 2], m.int64)), step(m.constant([3], m.int64)), \
            sorted_export(table)
    check(f)


def test_text_tutorial_pipeline():
    """The text tutorials' pattern: split sentences, map tokens to ids with OOV buckets."""
    def f(m):
        init = m.lookup.KeyValueTensorInitializer(
            ["the", "cat", "sat"], m.constant([0, 1, 2], m.int64))
        table = m.lookup.StaticVocabularyTable(init, num_oov_buckets=2)
        ds = m.data.Dataset.from_tensor_slices(["the cat sat", "a dog sat down"])
        ds = ds.map(lambda s: table.lookup(m.strings.split(s)))
        return list(ds)
    check(f)


# -- random vocabularies -------------------------------------------------------------------------
words = st.text(alphabet="abcé日 ", max_size=4)


@settings(max_examples=25, deadline=None)
@given(vocab=st.lists(words, max_size=8, unique=True), extra=st.lists(words, max_size=6),
       buckets=st.integers(1, 50))
def test_random_string_vocabulary(vocab, extra, buckets):
    def f(m):
        keys = m.constant(vocab + extra, m.string)
        out = []
        if vocab:
            init = kv(m, vocab, m.constant(list(range(len(vocab))), m.int64))
            out.append(m.lookup.StaticHashTable(init, -1).lookup(keys))
            out.append(m.lookup.StaticVocabularyTable(init, buckets).lookup(keys))
        out.append(m.lookup.StaticVocabularyTable(None, buckets).lookup(keys))
        return out
    check(f)


@settings(max_examples=25, deadline=None)
@given(vocab=st.lists(st.integers(-2**63, 2**63 - 1), min_size=1, max_size=8, unique=True),
       extra=st.lists(st.integers(-2**31, 2**31 - 1), max_size=6), buckets=st.integers(1, 50))
def test_random_int_vocabulary(vocab, extra, buckets):
    def f(m):
        keys = m.constant(vocab + extra, m.int64)
        init = kv(m, m.constant(vocab, m.int64), m.constant(list(range(len(vocab))), m.int64))
        table = m.lookup.StaticHashTable(init, -1)
        mut = mutable(m, "int64", "int64", -5)
        mut.insert(m.constant(vocab, m.int64), m.constant(list(range(len(vocab))), m.int64))
        mut.remove(m.constant(extra[:2], m.int64))
        return (table.lookup(keys), m.function(table.lookup)(keys),
                m.lookup.StaticVocabularyTable(init, buckets).lookup(keys), mut.lookup(keys),
                mut.size())
    check(f)

"""tf.io (files, CSV, TensorProto, TFRecord, Example parsing) against real TensorFlow.

Files written by one side are read by the other in the same process.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

real_tf = pytest.importorskip("tensorflow")

import tftape as tf  # noqa: E402
from tests._oracle import compare  # noqa: E402

SETUP = """
import os, tempfile
d = tempfile.mkdtemp()
p = os.path.join(d, "f.bin")
with open(p, "wb") as fh:
    fh.write(b"hello\\x00world")
"""

EXPRS = [
    "tf.io.read_file(p)",
    "tf.io.read_file(tf.constant(p))",
    "tf.io.read_file('/nonexistent/x.txt')",
    "tf.io.read_file(tf.constant([p, p]))",
    "tf.io.read_file(3)",
    "tf.io.write_file(os.path.join(d, 'a', 'b.txt'), 'hi'), tf.io.read_file(os.path.join(d, 'a', 'b.txt'))",
    "tf.io.write_file(os.path.join(d, 'c.txt'), ['x', 'y'])",
    "tf.io.serialize_tensor(tf.constant(1.5))",
    "tf.io.serialize_tensor(tf.constant([[1, 2], [3, 4]]))",
    "tf.io.serialize_tensor(tf.constant(['a', 'bc', '']))",
    "tf.io.serialize_tensor(tf.zeros([0, 3]))",
    "tf.io.serialize_tensor(tf.constant([True, False]))",
    "tf.io.serialize_tensor(tf.constant([1, -2], tf.int64))",
    "tf.io.serialize_tensor(tf.constant([1.5, -2], tf.float16))",
    "tf.io.serialize_tensor(tf.constant([1 + 2j], tf.complex64))",
    "tf.io.serialize_tensor(tf.constant(7, tf.uint8))",
    "tf.io.parse_tensor(tf.io.serialize_tensor(tf.constant(1.5)), tf.float32)",
    "tf.io.parse_tensor(tf.io.serialize_tensor(tf.constant(1.5)), tf.int32)",
    "tf.io.parse_tensor(tf.io.serialize_tensor(tf.constant(['a', 'b'])), tf.string)",
    "tf.io.parse_tensor(tf.io.serialize_tensor(tf.constant([[1, 2]], tf.int64)), tf.int64)",
    "tf.io.parse_tensor(tf.io.serialize_tensor(tf.zeros([2, 0, 1])), tf.float32)",
    "tf.io.parse_tensor(b'garbage\\xff', tf.int32)",
    "tf.io.parse_tensor(tf.constant(['a', 'b']), tf.int32)",
    "tf.io.decode_csv(['1,2.5,a', '3,,b'], [[0], [0.0], ['x']])",
    "tf.io.decode_csv(['1,2.5'], [[0], [0.0], ['x']])",
    "tf.io.decode_csv(['q,2.5,a'], [[0], [0.0], ['x']])",
    "tf.io.decode_csv(['1,zz,a'], [[0], [0.0], ['x']])",
    "tf.io.decode_csv([',2.5,a'], [tf.constant([], tf.int32), [0.0], ['x']])",
    "tf.io.decode_csv(['1,\"a,b\",3'], [[0], [''], [0]])",
    "tf.io.decode_csv(['1,\"a\"\"b\",3'], [[0], [''], [0]])",
    "tf.io.decode_csv(['1,\"a\"b,3'], [[0], [''], [0]])",
    "tf.io.decode_csv(['1,a\"b,3'], [[0], [''], [0]])",
    "tf.io.decode_csv(['1,\"a\"b,3'], [[0], [''], [0]], use_quote_delim=False)",
    "tf.io.decode_csv(['1;NA;3'], [[0], [7], [0]], field_delim=';', na_value='NA')",
    "tf.io.decode_csv(['1,2,3'], [[0], [0]], select_cols=[0, 2])",
    "tf.io.decode_csv(['1,2,3'], [[0], [0]], select_cols=[2, 0])",
    "tf.io.decode_csv(['1,2,3'], [[0], [0]], select_cols=[-1, 0])",
    "tf.io.decode_csv(['1,2,3'], [[0], [0]], select_cols=[0])",
    "tf.io.decode_csv(['1,2,3'], [[0], [0]], field_delim=',,')",
    "tf.io.decode_csv(['99999999999,2'], [[0], [tf.constant(0, tf.int64)]])",
    "tf.io.decode_csv(['99999999999,2'], [[tf.constant(0, tf.int64)], [0]])",
    "tf.io.decode_csv(['1, 2'], [[0], [0]])",
    "tf.io.decode_csv(['1.0,2'], [[0], [0.0]])",
    "tf.io.decode_csv(['1,2e3'], [[0.0], [tf.constant(0, tf.float64)]])",
    "tf.io.decode_csv(['1,-inf', '2,nan'], [[0.0], [0.0]])",
    "tf.io.decode_csv('1,2', [[0], [0]])",
    "tf.io.decode_csv([['1,2'], ['3,4']], [[0], [0]])",
    "tf.io.decode_csv(['1,'], [[0], [5]])",
    "tf.io.decode_csv([''], [[0]])",
    "tf.io.decode_csv(['1'], [[True]])",
    "tf.io.decode_csv(['1'], [[1, 2]])",
    "tf.io.decode_csv(['a,b'], [tf.constant(''), 'z'])",
]


@pytest.mark.parametrize("expr", EXPRS)
def test_io_ops(expr):
    compare(real_tf, tf, SETUP, expr)


# TF's message here holds a randomised protobuf debug marker: compared by exception type only.
@pytest.mark.parametrize("expr", ["tf.io.parse_tensor(b'', tf.float32)",
                                  "tf.io.parse_tensor(b'\\x08\\x63', tf.float32)"])
def test_io_errors_type_only(expr):
    compare(real_tf, tf, SETUP, expr, message=False)


def _value(dtype, shape, seed):
    rng = np.random.default_rng(seed)
    if dtype == "string":
        return np.array([bytes(rng.integers(0, 256, rng.integers(0, 5)).astype(np.uint8))
                         for _ in range(int(np.prod(shape)))], dtype=object).reshape(shape)
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype.startswith("complex"):
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    if dtype.startswith(("int", "uint")):
        return rng.integers(0, 100, shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


@settings(deadline=None, max_examples=40)
@given(dtype=st.sampled_from(["float32", "float64", "int32", "int64", "uint8", "int8", "int16",
                              "uint16", "uint32", "uint64", "bool", "float16", "complex64",
                              "complex128", "string", "bfloat16"]),
       shape=st.lists(st.integers(0, 3), max_size=3), seed=st.integers(0, 5))
def test_serialize_parse_tensor_both_ways(dtype, shape, seed):
    if dtype == "bfloat16":
        v = _value("float32", shape, seed)
        ours, theirs = tf.cast(tf.constant(v), tf.bfloat16), real_tf.cast(v, real_tf.bfloat16)
    else:
        v = _value(dtype, shape, seed)
        ours, theirs = tf.constant(v), real_tf.constant(v)
    a, b = tf.io.serialize_tensor(ours), real_tf.io.serialize_tensor(theirs)
    assert a.numpy() == b.numpy()
    back_ours = tf.io.parse_tensor(b.numpy(), ours.dtype)
    back_tf = real_tf.io.parse_tensor(a.numpy(), theirs.dtype)
    assert back_ours.shape == tuple(shape) and tuple(back_tf.shape) == tuple(shape)
    np.testing.assert_array_equal(np.asarray(back_ours.numpy()), np.asarray(back_tf.numpy()))


@pytest.mark.parametrize("value", ["[1.5, 2.5]", "3", "[[1, 2], [3, 4]]", "['ab', 'c']",
                                   "[True, False]"])
def test_parse_tensor_of_make_tensor_proto(value):
    """TF's own protos with typed value fields (not tensor_content) parse too."""
    v = eval(value)
    proto = real_tf.make_tensor_proto(v).SerializeToString()
    want = real_tf.io.parse_tensor(proto, real_tf.constant(v).dtype)
    got = tf.io.parse_tensor(proto, tf.constant(v).dtype)
    assert repr(got) == repr(want)


def test_files_both_ways(tmp_path):
    p1, p2 = str(tmp_path / "ours.bin"), str(tmp_path / "tf.bin")
    data = bytes(range(256)) * 3
    tf.io.write_file(p1, data)
    real_tf.io.write_file(p2, data)
    assert real_tf.io.read_file(p1).numpy() == data == tf.io.read_file(p2).numpy()


def test_gfile(tmp_path):
    g, rg = tf.io.gfile, real_tf.io.gfile
    base = str(tmp_path)
    g.makedirs(base + "/a/b")
    assert g.exists(base + "/a/b") and g.isdir(base + "/a") and not g.exists(base + "/zz")
    with g.GFile(base + "/a/x.txt", "w") as f:
        f.write("line1\nline2\n")
    with rg.GFile(base + "/a/x.txt") as f:
        assert f.read() == "line1\nline2\n"
    with g.GFile(base + "/a/x.txt") as f:
        assert f.readlines() == ["line1\n", "line2\n"]
    with g.GFile(base + "/a/x.txt", "rb") as f:
        assert f.read(3) == b"lin"
    assert sorted(g.listdir(base + "/a")) == sorted(rg.listdir(base + "/a"))
    assert g.glob(base + "/a/*.txt") == rg.glob(base + "/a/*.txt")
    for ours, theirs in [(lambda: g.listdir(base + "/zz"), lambda: rg.listdir(base + "/zz")),
                         (lambda: g.GFile(base + "/zz").read(),
                          lambda: rg.GFile(base + "/zz").read()),
                         (lambda: g.remove(base + "/zz"), lambda: rg.remove(base + "/zz"))]:
        with pytest.raises(Exception) as e1:
            theirs()
        with pytest.raises(Exception) as e2:
            ours()
        assert type(e2.value).__name__ == type(e1.value).__name__
    g.copy(base + "/a/x.txt", base + "/a/y.txt")
    with pytest.raises(tf.errors.AlreadyExistsError):
        g.copy(base + "/a/x.txt", base + "/a/y.txt")
    g.rename(base + "/a/y.txt", base + "/a/z.txt")
    assert g.stat(base + "/a/z.txt").length == 12
    g.remove(base + "/a/z.txt")
    g.rmtree(base + "/a")
    assert not g.exists(base + "/a")

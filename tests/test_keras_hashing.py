"""tf.keras.layers.Hashing and HashedCrossing against real tf.keras (Keras 3): values, dtypes,
shapes (dense, ragged and sparse), get_config, symbolic shapes, errors, and use in models and
in Dataset.map."""
import re

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tftape
from oracle import real_tf

L = tftape.keras.layers


# -- comparing -----------------------------------------------------------------------------------
def _run(fn):
    try:
        return fn(), None
    except Exception as e:  # noqa: BLE001 - compared below
        return None, e


def _message(e):
    """The message of ``e`` without Keras' "Exception encountered when calling" wrapper."""
    text = str(e)
    inner = re.search("\x1b\\[1m(.*)\x1b\\[0m", text, re.S)
    return inner.group(1) if inner else text


def _same_value(got, want):
    tf = real_tf()
    if isinstance(want, tf.SparseTensor):
        assert isinstance(got, tftape.SparseTensor), type(got)
        assert got.dtype.name == want.dtype.name
        assert tuple(got.shape) == tuple(want.shape)
        np.testing.assert_array_equal(got.indices.numpy(), want.indices.numpy())
        np.testing.assert_array_equal(got.values.numpy(), want.values.numpy())
        np.testing.assert_array_equal(got.dense_shape.numpy(), want.dense_shape.numpy())
    elif isinstance(want, tf.RaggedTensor):
        assert isinstance(got, tftape.RaggedTensor), type(got)
        assert got.dtype.name == want.dtype.name
        assert tuple(got.shape) == tuple(want.shape)
        assert got.to_list() == want.to_list()
    else:
        assert isinstance(got, tftape.Tensor), type(got)
        assert got.dtype.name == want.dtype.name, (got.dtype, want.dtype)
        assert tuple(got.shape) == tuple(want.shape), (got.shape, want.shape)
        np.testing.assert_array_equal(got.numpy(), want.numpy())


def _same_error(got, want):
    """Same exception type and message (Keras' wrapper around errors in `call` aside)."""
    assert got is not None, f"TF raised {type(want).__name__}: {_message(want)}"
    assert type(got).__name__ == type(want).__name__, (got, want)
    assert _message(got) == _message(want)


def _compare(fn):
    """Runs ``fn(module)`` with tftape and with real TF: same value or same error."""
    want, want_err = _run(lambda: fn(real_tf()))
    got, got_err = _run(lambda: fn(tftape))
    if want_err is not None:
        _same_error(got_err, want_err)
        return None, None
    if got_err is not None:
        raise got_err
    _same_value(got, want)
    return got, want


def _config(layer):
    cfg = dict(layer.get_config())
    cfg.pop("name")
    return cfg


# -- Hashing: values -----------------------------------------------------------------------------
INPUTS = {
    "list_col": lambda m: [["A"], ["B"], ["C"], ["D"], ["E"]],
    "scalar": lambda m: "A",
    "list_flat": lambda m: ["A", "B", "", "é"],
    "np_strings": lambda m: np.array([["a", "b", "a"], ["c", "", "a"]]),
    "bytes": lambda m: m.constant([[b"\xff", b"x"], [b"", b"abc"]]),
    "rank3_col": lambda m: m.constant([[["A"], ["B"]], [["C"], ["D"]]]),
    "rank3": lambda m: m.constant([[["A", "B"], ["B", "C"]], [["C", "C"], ["D", "A"]]]),
    "rank4": lambda m: m.constant(np.array(list("ABCDEFGHABCDEFGH")).reshape(2, 2, 2, 2)),
    "ints": lambda m: m.constant([[1, 2], [3, 4]]),
    "int64": lambda m: m.constant([[1, -2, 2**62], [0, 7, -2**62]], m.int64),
    "uint8": lambda m: m.constant([1, 2, 255], m.uint8),
    "floats": lambda m: m.constant([[1.5, 2.7], [-3.2, 4.0]]),
    "np_float64": lambda m: np.array([1e10 + 0.5, -3.7, 2.0**62]),
    "float_nan": lambda m: m.constant([np.nan, np.inf, -np.inf, 1e30]),
    "bools": lambda m: m.constant([True, False]),
    "empty": lambda m: m.constant([], m.string),
    "empty_2d": lambda m: m.zeros((0, 2), m.string),
    "ragged": lambda m: m.ragged.constant([["A", "B", "C"], ["D"], []]),
    "ragged_ints": lambda m: m.ragged.constant([[1, 2], [3]]),
    "ragged_col": lambda m: m.ragged.constant([[["a"], ["b"]], [["c"]]], ragged_rank=1),
    "ragged_inner": lambda m: m.ragged.constant([[["a", "b"], ["b", "c"]], [], [["c", "a"]]],
                                                ragged_rank=1),
    "ragged_rank2": lambda m: m.ragged.constant([[["a", "b"], ["b"]], [["c", "a", "c"]], []]),
    "ragged_empty_row": lambda m: m.ragged.constant([[["a"], ["b"]], []], ragged_rank=1,
                                                    inner_shape=(1,)),
    "ragged_rank3": lambda m: m.ragged.constant([[[["a"], ["b"]], [["b"]]], [[["c"]]], []]),
    "empty_axis1": lambda m: m.zeros((2, 0, 3), m.int64),
    "sparse_empty": lambda m: m.SparseTensor(m.zeros((0, 2), m.int64), m.zeros((0,), m.string),
                                             [0, 3]),
    "sparse": lambda m: m.SparseTensor([[0, 0], [1, 2], [1, 3]], ["A", "B", "A"], [2, 4]),
    "sparse_1d": lambda m: m.SparseTensor([[0], [2]], ["a", "b"], [4]),
    "sparse_col": lambda m: m.SparseTensor([[0, 0], [1, 0]], ["A", "B"], [2, 1]),
    "sparse_ints": lambda m: m.SparseTensor([[0], [2]], [5, 6], [4]),
    "sparse_3d": lambda m: m.SparseTensor([[0, 0, 0], [1, 1, 1]], ["a", "b"], [2, 2, 2]),
}

KWARGS = [
    {}, {"num_bins": 1}, {"num_bins": 2**40}, {"mask_value": ""}, {"mask_value": "A"},
    {"mask_value": 3}, {"mask_value": 1.0},
    {"salt": 133}, {"salt": [133, 137]}, {"salt": (7, -3)}, {"salt": [2**63 - 1, -2**63]},
    {"salt": 5, "mask_value": "B"}, {"dtype": "int32"},
    {"output_mode": "one_hot"}, {"output_mode": "multi_hot"}, {"output_mode": "count"},
    {"output_mode": "one_hot", "sparse": True}, {"output_mode": "multi_hot", "sparse": True},
    {"output_mode": "count", "sparse": True}, {"output_mode": "count", "mask_value": "B"},
    {"output_mode": "multi_hot", "dtype": "float64"}, {"output_mode": "one_hot", "dtype": "int32"},
    {"output_mode": "count", "dtype": "float16"}, {"output_mode": "one_hot", "dtype": "bool"},
    {"output_mode": "multi_hot", "dtype": "int16", "sparse": True},
    {"output_mode": "count", "dtype": "int32"}, {"output_mode": "count", "dtype": "bool"},
    {"output_mode": "multi_hot", "dtype": "uint8"},
]


def _skip(kwargs, name):
    # one-hot/multi-hot of 2**40 bins would not fit in memory (in TF either).
    return kwargs.get("num_bins", 5) > 1000 and kwargs.get("output_mode", "int") != "int"


@pytest.mark.parametrize("name", list(INPUTS))
@pytest.mark.parametrize("kwargs", KWARGS, ids=str)
def test_hashing_matches_keras(kwargs, name):
    if _skip(kwargs, name):
        pytest.skip("too many bins for a dense encoding")
    kwargs = {"num_bins": 5, **kwargs}
    _compare(lambda m: m.keras.layers.Hashing(**kwargs)(INPUTS[name](m)))


@pytest.mark.parametrize("kwargs,name", [
    ({"num_bins": 1, "mask_value": "A"}, "list_col"), ({"salt": True}, "list_col"),
    ({"output_mode": "multi_hot", "salt": 9}, "np_strings"),
    ({"output_mode": "count", "dtype": "int64"}, "rank3"), ({}, "np_ints"), ({}, "variable"),
    ({"mask_value": 2, "output_mode": "count"}, "variable"),
], ids=str)
def test_hashing_more_cases(kwargs, name):
    kwargs = {"num_bins": 5, **kwargs}
    _compare(lambda m: m.keras.layers.Hashing(**kwargs)(MORE_INPUTS[name](m)))


MORE_INPUTS = {**INPUTS, "np_ints": lambda m: np.array([1, 2, 3]),
               "variable": lambda m: m.Variable([1, 2, 3])}


def test_hashing_docstring_examples():
    """The values of Keras' own examples."""
    inp = [["A"], ["B"], ["C"], ["D"], ["E"]]
    assert L.Hashing(num_bins=3)(inp).numpy().ravel().tolist() == [1, 0, 1, 1, 2]
    assert L.Hashing(num_bins=3, mask_value="")([["A"], ["B"], [""], ["C"], ["D"]]).numpy() \
        .ravel().tolist() == [1, 1, 0, 2, 2]
    assert L.Hashing(num_bins=3, salt=[133, 137])(inp).numpy().ravel().tolist() == \
        [1, 2, 1, 0, 2]
    assert L.Hashing(num_bins=3, salt=133)(inp).numpy().ravel().tolist() == [0, 0, 2, 1, 0]


_strings = st.lists(st.text(max_size=12), min_size=1, max_size=8)


@settings(max_examples=20, deadline=None)
@given(data=_strings, num_bins=st.integers(1, 2**31), salt=st.none() | st.integers(0, 2**62),
       mask=st.booleans())
def test_hashing_random_strings(data, num_bins, salt, mask):
    kwargs = {"num_bins": num_bins, "salt": salt, "mask_value": data[0] if mask else None}
    _compare(lambda m: m.keras.layers.Hashing(**kwargs)(np.array(data, dtype=object)))


@settings(max_examples=20, deadline=None)
@given(shape=st.lists(st.integers(0, 3), min_size=1, max_size=3),
       mode=st.sampled_from(["int", "one_hot", "multi_hot", "count"]), sparse=st.booleans(),
       num_bins=st.integers(1, 9), seed=st.integers(0, 2**16))
def test_hashing_random_int_shapes(shape, mode, sparse, num_bins, seed):
    sparse = sparse and mode != "int"
    values = np.random.default_rng(seed).integers(-2**40, 2**40, size=shape)
    _compare(lambda m: m.keras.layers.Hashing(num_bins, output_mode=mode, sparse=sparse)(
        m.constant(values)))


@settings(max_examples=10, deadline=None)
@given(rows=st.lists(st.lists(st.integers(-5, 5), max_size=4), min_size=1, max_size=4),
       mode=st.sampled_from(["int", "one_hot", "multi_hot", "count"]), sparse=st.booleans())
def test_hashing_random_ragged(rows, mode, sparse):
    sparse = sparse and mode != "int"
    _compare(lambda m: m.keras.layers.Hashing(4, output_mode=mode, sparse=sparse, salt=3)(
        m.ragged.constant(rows, dtype=m.int64)))


# -- Hashing: configuration, shapes, errors ------------------------------------------------------
CONFIGS = [
    {"num_bins": 3}, {"num_bins": 3, "salt": 5, "mask_value": "x", "name": "h"},
    {"num_bins": 3, "salt": (133, 137)}, {"num_bins": 4, "output_mode": "count"},
    {"num_bins": 4, "output_mode": "one_hot", "sparse": True, "dtype": "float64"},
    {"num_bins": 2, "dtype": "int32", "mask_value": "0"}, {"num_bins": 2, "trainable": False},
]


@pytest.mark.parametrize("kwargs", CONFIGS, ids=str)
def test_hashing_config_round_trip(kwargs):
    tf = real_tf()
    ours, theirs = L.Hashing(**kwargs), tf.keras.layers.Hashing(**kwargs)
    assert _config(ours) == _config(theirs)
    assert (ours.dtype, ours.compute_dtype, ours.trainable) == \
        (theirs.dtype, theirs.compute_dtype, theirs.trainable)
    again = L.Hashing.from_config(ours.get_config())
    assert again.get_config() == ours.get_config()
    copy = L.deserialize(L.serialize(ours))
    assert type(copy) is L.Hashing and copy.get_config() == ours.get_config()
    # Keras can read our config, and we can read Keras'.
    assert _config(tf.keras.layers.Hashing.from_config(ours.get_config())) == _config(theirs)
    assert _config(L.Hashing.from_config(theirs.get_config())) == _config(ours)
    x = [["a"], ["b"], ["c"]]
    _same_value(again(x), theirs(x))


HASHING_ERRORS = [
    {"num_bins": 0}, {"num_bins": None}, {"num_bins": -1}, {"num_bins": "3"},
    {"num_bins": 3, "output_mode": "foo"}, {"num_bins": 3, "output_mode": "binary"},
    {"num_bins": 3, "output_mode": "tf_idf"}, {"num_bins": 3, "sparse": True},
    {"num_bins": 3, "dtype": "float32"}, {"num_bins": 3, "dtype": "uint8"},
    {"num_bins": 3, "output_mode": "int", "dtype": "bfloat16"},
    {"num_bins": 3, "salt": 1.5}, {"num_bins": 3, "salt": [1, 2, 3]}, {"num_bins": 3, "salt": "ab"},
    {"num_bins": 3, "salt": np.int64(4)}, {"num_bins": 3, "salt": [1]},
    {"num_bins": 3, "foo": 1}, {"num_bins": 0, "output_mode": "foo"},
    {"num_bins": 3, "name": "a/b"},
]


@pytest.mark.parametrize("kwargs", HASHING_ERRORS, ids=str)
def test_hashing_constructor_errors(kwargs):
    _compare(lambda m: m.keras.layers.Hashing(**kwargs))


@pytest.mark.parametrize("kwargs,x", [
    ({"num_bins": 3, "salt": [2**63, 1]}, [["A"]]),
    ({"num_bins": 3, "salt": ["a", 1]}, [["A"]]),
    ({"num_bins": 3, "mask_value": "a"}, [[0], [1]]),
    ({"num_bins": 3, "mask_value": 1}, [["A"]]),
    ({"num_bins": 3, "mask_value": 1.5}, [1, 2]),
    ({"num_bins": 3, "output_mode": "one_hot"}, "A"),
], ids=str)
def test_hashing_call_errors(kwargs, x):
    _compare(lambda m: m.keras.layers.Hashing(**kwargs)(x))


@pytest.mark.parametrize("mode", ["int", "one_hot", "multi_hot", "count"])
@pytest.mark.parametrize("shape", [(), (None,), (None, 1), (None, 3), (2, 3, 1)], ids=str)
def test_hashing_output_shapes(mode, shape):
    tf = real_tf()
    kw = {"num_bins": 4, "output_mode": mode}
    assert L.Hashing(**kw).compute_output_shape(shape) == \
        tf.keras.layers.Hashing(**kw).compute_output_shape(shape)
    if shape and shape[0] is None:
        got = L.Hashing(**kw)(tftape.keras.Input(shape[1:], dtype="string"))
        want = tf.keras.layers.Hashing(**kw)(tf.keras.Input(shape[1:], dtype="string"))
        assert (got.shape, got.dtype) == (want.shape, want.dtype)


# -- HashedCrossing ------------------------------------------------------------------------------
A = np.array(["A", "B", "A", "B", "A"])
B = np.array([101, 101, 101, 102, 102])
CROSS_INPUTS = {
    "tuple": lambda m: (A, B),
    "list": lambda m: [A, B],
    "columns": lambda m: (A[:, None], B[:, None]),
    "three": lambda m: (A, B, A),
    "tensors": lambda m: (m.constant(A), m.constant(B, m.int32)),
    "scalars": lambda m: (m.constant("A"), m.constant(3)),
    "python_scalars": lambda m: ("A", 3),
    "python_lists": lambda m: (["A", "B"], [1, 2]),
    "bytes": lambda m: ([b"x", b"\xff"], [b"z", b"w"]),
    "uint8": lambda m: (np.array([1, 2], np.uint8), np.array([3, 4], np.uint8)),
    "int64_extremes": lambda m: (np.array([-2**63, 2**63 - 1]), np.array([0, -1])),
    "empty": lambda m: (np.array([], np.int64), np.array([], np.int64)),
}
# Inputs Keras rejects: checked with fewer layer options.
CROSS_BAD_INPUTS = {
    "one": lambda m: (A,),
    "not_a_list": lambda m: A,
    "rank2": lambda m: (m.zeros((2, 2), m.int64), m.zeros((2, 2), m.int64)),
    "rank3": lambda m: (m.zeros((2, 1, 1), m.int64), m.zeros((2, 1, 1), m.int64)),
    "unequal": lambda m: (m.zeros((2,), m.int64), m.zeros((3,), m.int64)),
    "floats": lambda m: (m.zeros((2,), m.float32), m.zeros((2,), m.int64)),
    "bools": lambda m: (m.constant([True]), m.constant([1])),
    "ragged": lambda m: (m.ragged.constant([[1], [2]]), m.ragged.constant([[1], [2]])),
    "sparse": lambda m: (m.SparseTensor([[0, 0]], [1], [2, 1]),
                         m.SparseTensor([[0, 0]], [1], [2, 1])),
}
CROSS_KWARGS = [
    {}, {"num_bins": 1}, {"num_bins": 0}, {"num_bins": 2**40}, {"num_bins": None},
    {"output_mode": "one_hot"}, {"output_mode": "one_hot", "sparse": True}, {"sparse": True},
    {"dtype": "int32"}, {"dtype": "float32"}, {"output_mode": "one_hot", "dtype": "float64"},
    {"output_mode": "one_hot", "dtype": "int32"},
]


@pytest.mark.parametrize("name", list(CROSS_INPUTS))
@pytest.mark.parametrize("kwargs", CROSS_KWARGS, ids=str)
def test_hashed_crossing_matches_keras(kwargs, name):
    kwargs = {"num_bins": 5, **kwargs}
    if kwargs["num_bins"] == 2**40 and kwargs.get("output_mode") == "one_hot":
        pytest.skip("no dense one-hot of so many bins")
    _compare(lambda m: m.keras.layers.HashedCrossing(**kwargs)(CROSS_INPUTS[name](m)))


@pytest.mark.parametrize("name", list(CROSS_BAD_INPUTS))
@pytest.mark.parametrize("kwargs", [{}, {"output_mode": "one_hot", "sparse": True}], ids=str)
def test_hashed_crossing_input_errors(kwargs, name):
    _compare(lambda m: m.keras.layers.HashedCrossing(5, **kwargs)(CROSS_BAD_INPUTS[name](m)))


@settings(max_examples=20, deadline=None)
@given(a=st.lists(st.text(max_size=6), min_size=1, max_size=6),
       b=st.lists(st.integers(-2**63, 2**63 - 1), min_size=6, max_size=6),
       num_bins=st.integers(1, 2**62), column=st.booleans())
def test_hashed_crossing_random(a, b, num_bins, column):
    x = np.array(a, dtype=object)
    y = np.array(b[:len(a)], np.int64)
    if column:
        x, y = x[:, None], y[:, None]
    _compare(lambda m: m.keras.layers.HashedCrossing(num_bins)((x, y)))


@pytest.mark.parametrize("kwargs", [
    {"num_bins": 5}, {"num_bins": 5, "output_mode": "one_hot", "name": "x"},
    {"num_bins": 5, "dtype": "int32"}, {"num_bins": 5, "sparse": True, "output_mode": "one_hot"},
    {"num_bins": 5, "trainable": False}, {"num_bins": 5, "foo": 1},
], ids=str)
def test_hashed_crossing_config(kwargs):
    tf = real_tf()
    ours, theirs = L.HashedCrossing(**kwargs), tf.keras.layers.HashedCrossing(**kwargs)
    assert _config(ours) == _config(theirs)
    assert list(ours.get_config()) == list(theirs.get_config())
    assert ours.trainable == theirs.trainable
    again = L.HashedCrossing.from_config(ours.get_config())
    assert again.get_config() == ours.get_config()
    assert _config(tf.keras.layers.HashedCrossing.from_config(ours.get_config())) == \
        _config(theirs)
    copy = L.deserialize(L.serialize(ours))
    assert type(copy) is L.HashedCrossing and copy.get_config() == ours.get_config()


@pytest.mark.parametrize("kwargs", [{"num_bins": 5, "output_mode": "count"},
                                    {"num_bins": 5, "output_mode": None},
                                    {"num_bins": 5, "name": "a/b"}], ids=str)
def test_hashed_crossing_constructor_errors(kwargs):
    _compare(lambda m: m.keras.layers.HashedCrossing(**kwargs))


@pytest.mark.parametrize("mode", ["int", "one_hot"])
@pytest.mark.parametrize("shapes", [((None,), (None,)), ((None, 1), (None, 1)),
                                    [(None, 1), (None, 1)], ((None, 1),),
                                    ((None, 1), (None, 2)), (None, 1)], ids=str)
def test_hashed_crossing_output_shapes(mode, shapes):
    tf = real_tf()
    got, got_err = _run(lambda: L.HashedCrossing(5, output_mode=mode).compute_output_shape(
        shapes))
    want, want_err = _run(lambda: tf.keras.layers.HashedCrossing(
        5, output_mode=mode).compute_output_shape(shapes))
    if want_err is not None:
        _same_error(got_err, want_err)
    else:
        assert got == want


@pytest.mark.parametrize("mode", ["int", "one_hot"])
@pytest.mark.parametrize("shape", [(), (1,)], ids=str)
def test_hashed_crossing_symbolic(mode, shape):
    tf = real_tf()
    outs = []
    for mod in (tftape, tf):
        a = mod.keras.Input(shape, dtype="string")
        b = mod.keras.Input(shape, dtype="int64")
        out = mod.keras.layers.HashedCrossing(5, output_mode=mode)((a, b))
        outs.append((tuple(out.shape), out.dtype))
    assert outs[0] == outs[1]


# -- in models and datasets ----------------------------------------------------------------------
def test_hashing_in_sequential_and_functional_models():
    tf = real_tf()
    x = np.array([["cat"], ["dog"], ["bird"], [""], ["cat"]])
    weights = np.random.default_rng(0).normal(size=(8, 3)).astype(np.float32)
    outs = []
    for mod in (tftape, tf):
        k = mod.keras
        seq = k.Sequential([k.Input((1,), dtype="string"), k.layers.Hashing(8, mask_value=""),
                            k.layers.Embedding(8, 3)])
        seq.layers[-1].set_weights([weights])
        inp = k.Input((1,), dtype="string")
        hot = k.layers.Hashing(4, output_mode="one_hot", salt=[1, 2])(inp)
        dense = k.layers.Dense(2, kernel_initializer="ones")(hot)
        func = k.Model(inp, dense)
        xs = mod.constant(x)    # Keras' predict takes no NumPy unicode arrays
        outs.append((seq.predict(xs, verbose=0), func.predict(xs, verbose=0),
                     np.asarray(seq(x)), np.asarray(func(x))))
    for got, want in zip(*outs):
        np.testing.assert_allclose(got, want, rtol=1e-6)


def test_hashed_crossing_in_functional_model():
    tf = real_tf()
    a, b = np.array([["A"], ["B"], ["C"]]), np.array([[1], [2], [1]])
    outs = []
    for mod in (tftape, tf):
        k = mod.keras
        ia, ib = k.Input((1,), dtype="string"), k.Input((1,), dtype="int64")
        crossed = k.layers.HashedCrossing(6, output_mode="one_hot")((ia, ib))
        out = k.layers.Dense(1, kernel_initializer="ones", bias_initializer="zeros")(crossed)
        model = k.Model([ia, ib], [crossed, out])
        xs = [mod.constant(a), mod.constant(b)]
        outs.append([np.asarray(y) for y in model.predict(xs, verbose=0)] +
                    [np.asarray(y) for y in model(xs)])
    for got, want in zip(*outs):
        np.testing.assert_array_equal(got, want)


def _hash_and_cross(hashing, crossing):
    return lambda x, y: (hashing(x), crossing((x, y)))


def test_hashing_in_dataset_map():
    tf = real_tf()
    texts = np.array(["a", "b", "c", "a", "zebra", ""])
    labels = np.arange(len(texts))[:, None]
    outs = []
    for mod in (tftape, tf):
        fn = _hash_and_cross(mod.keras.layers.Hashing(7, salt=11, output_mode="multi_hot"),
                             mod.keras.layers.HashedCrossing(5))
        ds = mod.data.Dataset.from_tensor_slices((texts[:, None], labels)).batch(4)
        outs.append([(h.numpy().tolist(), c.numpy().tolist()) for h, c in ds.map(fn)])
    assert outs[0] == outs[1]


BUILD_INPUTS = [
    lambda m: [["a"]], lambda m: m.constant([["a"]]), lambda m: np.array([[1, 2]]),
    lambda m: "a", lambda m: m.ragged.constant([["a"]]),
    lambda m: m.SparseTensor([[0, 0]], ["a"], [2, 2]),
    lambda m: m.keras.Input((2,), dtype="string"),
]
CROSS_BUILD_INPUTS = [
    lambda m: (np.array([1]), np.array([2])), lambda m: (m.constant([1]), m.constant([2])),
    lambda m: ([1], [2]),
    lambda m: (m.keras.Input((1,), dtype="string"), m.keras.Input((1,), dtype="int64")),
]


@pytest.mark.parametrize("i", range(len(BUILD_INPUTS) + len(CROSS_BUILD_INPUTS)))
def test_build_config(i):
    """Keras records the first call's input shape only for tensor inputs."""
    tf = real_tf()
    configs = []
    for mod in (tftape, tf):
        if i < len(BUILD_INPUTS):
            layer, x = mod.keras.layers.Hashing(3), BUILD_INPUTS[i](mod)
        else:
            layer = mod.keras.layers.HashedCrossing(3)
            x = CROSS_BUILD_INPUTS[i - len(BUILD_INPUTS)](mod)
        before = (layer.built, layer.get_build_config())
        layer(x)
        configs.append((before, layer.built, layer.get_build_config()))
    assert configs[0] == configs[1]


def test_keras_file_with_hashing_both_ways(tmp_path):
    tf = real_tf()
    x = np.array([["cat"], ["dog"], ["eel"]])
    y = np.array([[1], [2], [1]])
    for writer in (tftape, tf):
        k = writer.keras
        model = k.Sequential([k.Input((1,), dtype="string"),
                              k.layers.Hashing(5, salt=[3, 4], output_mode="count")])
        ia, ib = k.Input((1,), dtype="string"), k.Input((1,), dtype="int64")
        crossed = k.Model([ia, ib], k.layers.HashedCrossing(7, output_mode="one_hot")((ia, ib)))
        for i, net in enumerate((model, crossed)):
            path = str(tmp_path / f"{writer.__name__}{i}.keras")
            net.save(path)
            want = np.asarray(net([writer.constant(x), writer.constant(y)] if i else
                                  writer.constant(x)))
            build_configs = []
            for reader in (tftape, tf):
                loaded = reader.keras.models.load_model(path)
                got = loaded([reader.constant(x), reader.constant(y)] if i else
                             reader.constant(x))
                np.testing.assert_array_equal(np.asarray(got), want)
                assert _config(loaded.layers[-1]) == _config(net.layers[-1])
                build_configs.append(loaded.layers[-1].get_build_config())
            assert build_configs[0] == build_configs[1]

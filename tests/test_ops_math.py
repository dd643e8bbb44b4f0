"""Oracle tests for elementwise math, comparisons and reductions against real TensorFlow."""
import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

real_tf = pytest.importorskip("tensorflow")

import tftape as tf  # noqa: E402
from tftape._core.registry import REGISTRY  # noqa: E402

DTYPES = ["float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64",
          "uint8", "uint16", "uint32", "uint64", "bool", "complex64", "complex128"]
TOL = {"float16": 2e-3, "bfloat16": 2e-2, "float32": 2e-5, "complex64": 2e-5}


# -- the oracle harness (shared shape across the op test modules) ------------------------------
def _resolve(lib, path):
    obj = lib
    for p in path.split("."):
        obj = getattr(obj, p)
    return obj


def _call(lib, path, args, kw):
    conv = [lib.constant(a) if isinstance(a, np.ndarray) else a for a in args]
    try:
        return _resolve(lib, path)(*conv, **kw), None
    except Exception as e:  # noqa: BLE001 - the exception itself is compared
        return None, e


def _values(x):
    if isinstance(x, (tuple, list)):
        return [_values(i) for i in x]
    return x


def assert_same(got, exp, rtol=None, where=""):
    """Compares a tftape result with TF's: structure, dtype, shape and values."""
    if isinstance(exp, (tuple, list)):
        assert isinstance(got, (tuple, list)), (where, type(got))
        assert len(got) == len(exp), where
        if hasattr(exp, "_fields"):
            assert tuple(got._fields) == tuple(exp._fields), where
        for g, e in zip(got, exp):
            assert_same(g, e, rtol, where)
        return
    if isinstance(exp, real_tf.DType):
        assert got.name == exp.name, where
        return
    if hasattr(exp, "as_list") and not isinstance(exp, real_tf.Tensor):  # TensorShape
        assert list(got) == list(exp), where
        return
    if not isinstance(exp, real_tf.Tensor):
        if isinstance(exp, float) and exp != exp:
            assert got != got, where
            return
        assert got == exp, where
        return
    assert isinstance(got, tf.Tensor), (where, type(got))
    assert got.dtype.name == exp.dtype.name, (where, got.dtype, exp.dtype)
    assert tuple(got.shape) == tuple(exp.shape), (where, got.shape, exp.shape)
    e = exp.numpy()
    g = got.numpy()
    if exp.dtype.name == "string":
        assert np.array_equal(np.asarray(g, object), np.asarray(e, object)), where
        return
    if exp.dtype.is_floating or exp.dtype.is_complex:
        tol = rtol if rtol is not None else TOL.get(exp.dtype.name, 1e-10)
        np.testing.assert_allclose(np.asarray(g, np.complex128 if exp.dtype.is_complex else
                                              np.float64),
                                   np.asarray(e, np.complex128 if exp.dtype.is_complex else
                                              np.float64),
                                   rtol=tol, atol=tol, equal_nan=True, err_msg=str(where))
    else:
        np.testing.assert_array_equal(g, e, err_msg=str(where))


def check(path, *args, rtol=None, message=False, **kw):
    """Runs ``path`` in both libraries; results, or exception types (and messages), agree."""
    exp, exp_err = _call(real_tf, path, args, kw)
    got, got_err = _call(tf, path, args, kw)
    where = (path, args, kw)
    if exp_err is not None:
        assert got_err is not None, (where, "TF raised", exp_err, "tftape returned", got)
        assert type(got_err).__name__ == type(exp_err).__name__, (where, got_err, exp_err)
        if message:
            assert str(got_err) == str(exp_err)
        return got_err
    assert got_err is None, (where, "tftape raised", got_err, "TF returned", exp)
    assert_same(got, exp, rtol, where)
    return got


def sample(dtype, shape, rng, lo=-3, hi=3, positive=False):
    dt = np.dtype(tf.as_dtype(dtype).as_numpy_dtype)
    if dtype == "bool":
        return rng.random(shape) > 0.5
    if dtype.startswith("uint") or positive:
        lo = max(lo, 0) + (0.5 if positive and not dtype.startswith(("int", "uint")) else 0)
        lo = 1 if positive and dtype.startswith(("int", "uint")) else lo
    if dtype.startswith(("int", "uint")):
        return rng.integers(lo, hi + 1, shape).astype(dt)
    x = rng.uniform(lo, hi, shape)
    if dtype.startswith("complex"):
        x = x + 1j * rng.uniform(lo, hi, shape)
    return x.astype(dt)


def _eval(lib, src):
    try:
        return eval(src, {"tf": lib, "np": np}), None  # noqa: S307 - test expressions
    except Exception as e:  # noqa: BLE001
        return None, e


def check_expr(src, rtol=None, message=False):
    """Evaluates ``src`` with ``tf`` bound to each library; results or exceptions agree."""
    exp, exp_err = _eval(real_tf, src)
    got, got_err = _eval(tf, src)
    if exp_err is not None:
        assert got_err is not None, (src, "TF raised", exp_err, "tftape returned", got)
        assert type(got_err).__name__ == type(exp_err).__name__, (src, got_err, exp_err)
        if message:
            assert str(got_err) == str(exp_err), src
        return
    assert got_err is None, (src, "tftape raised", got_err)
    assert_same(got, exp, rtol, src)


# -- elementwise ops over every dtype, parametrized from the registry ----------------------------
_POSITIVE = {"sqrt", "rsqrt", "log", "acosh", "lgamma", "digamma", "bessel_i0", "bessel_i1"}
_UNIT = {"asin", "acos", "atanh", "erfinv", "ndtri"}
_UNARY = sorted(n for n, o in REGISTRY.items()
                if o.elementwise and o.signature == "x:T -> y:T" and hasattr(real_tf.math, n))


# Every op runs on one dtype of each kind; hypothesis covers the full op x dtype x shape space.
CORE_DTYPES = ["float32", "int32", "bool", "complex128"]


def _unary_case(name, dtype, shape, seed):
    rng = np.random.default_rng(seed)
    x = sample(dtype, shape, rng, positive=name in _POSITIVE)
    if name in _UNIT and dtype.startswith(("float", "bfloat")):
        x = (np.abs(x.astype(np.float64)) / 4 + (0.05 if name == "ndtri" else 0)).astype(x.dtype)
    check("math." + name, x)


@pytest.mark.parametrize("name", _UNARY)
@pytest.mark.parametrize("dtype", CORE_DTYPES)
def test_unary_dtypes(name, dtype):
    _unary_case(name, dtype, (3, 4), 0)


@settings(deadline=None, max_examples=40)
@given(st.sampled_from(_UNARY), st.sampled_from(DTYPES),
       st.lists(st.integers(0, 3), max_size=3), st.integers(0, 2 ** 31))
def test_unary_all_dtypes(name, dtype, shape, seed):
    _unary_case(name, dtype, tuple(shape), seed)


_BINARY = ["add", "subtract", "multiply", "divide", "truediv", "floordiv", "floormod", "mod",
           "pow", "maximum", "minimum", "squared_difference", "divide_no_nan", "atan2", "xlogy",
           "xdivy", "xlog1py", "multiply_no_nan", "equal", "not_equal", "less", "less_equal",
           "greater", "greater_equal", "logical_and", "logical_or", "logical_xor", "zeta",
           "igamma", "igammac", "nextafter", "polygamma"]
_NONNEG = {"xlogy", "zeta", "igamma", "igammac", "polygamma", "xlog1py"}
_NONZERO_DIVISOR = {"floordiv", "floormod", "mod", "pow"}


@pytest.mark.parametrize("name", _BINARY)
@pytest.mark.parametrize("dtype", CORE_DTYPES)
def test_binary_dtypes(name, dtype):
    _binary_case(name, dtype, 0)


@settings(deadline=None, max_examples=40)
@given(st.sampled_from(_BINARY), st.sampled_from(DTYPES), st.integers(0, 2 ** 31))
def test_binary_all_dtypes(name, dtype, seed):
    _binary_case(name, dtype, seed)


def _binary_case(name, dtype, seed):
    rng = np.random.default_rng(seed)
    x = sample(dtype, (3, 4), rng)
    y = sample(dtype, (4,), rng, positive=name in _NONZERO_DIVISOR)
    if name in _NONNEG:
        x, y = np.abs(x), np.abs(y)
    if name == "pow" and dtype.startswith(("int", "uint")):
        y = (y % 3).astype(y.dtype)
    check("math." + name, x, y)


@settings(deadline=None, max_examples=25)
@given(st.sampled_from(["add", "subtract", "multiply", "maximum", "minimum", "less", "equal",
                        "squared_difference", "floordiv", "atan2"]),
       st.sampled_from(["float32", "float64", "int32", "int64"]),
       st.lists(st.integers(1, 3), min_size=0, max_size=3),
       st.lists(st.booleans(), min_size=3, max_size=3), st.integers(0, 2 ** 31))
def test_binary_broadcasting(name, dtype, shape, drop, seed):
    rng = np.random.default_rng(seed)
    other = [1 if d and i < len(shape) else s for i, (s, d) in enumerate(zip(shape, drop))]
    x = sample(dtype, tuple(shape), rng)
    y = sample(dtype, tuple(other[len(other) - len(shape):] if shape else ()), rng,
               positive=name == "floordiv")
    check("math." + name, x, y)


# -- conversion rules, messages and special cases ------------------------------------------------
MATH_CASES = """
tf.add(tf.constant([1, 2]), 2.5)
tf.add(2.5, tf.constant([1, 2]))
tf.add(tf.constant([1, 2]), tf.constant([2., 3.]))
tf.add(tf.constant([1.]), tf.constant([1.], tf.float64))
tf.math.divide(tf.constant([1, 2], tf.int16), tf.constant([1, 2], tf.int16))
tf.math.divide(tf.constant([1, 2], tf.uint64), tf.constant([1, 2], tf.uint64))
tf.math.divide(tf.constant([1, 2], tf.int64), 2.5)
tf.math.divide(2, 3)
tf.math.divide([2, 4], 3)
tf.math.divide(tf.constant([2., 4.]), tf.constant([3, 4]))
tf.math.divide(tf.constant([True]), tf.constant([True]))
tf.constant([5, 2], tf.uint8) / 2
tf.math.divide_no_nan(tf.constant([3, 4], tf.int8), 2)
tf.math.divide_no_nan(tf.constant([3., 4]), tf.constant([0., 2.]))
tf.math.divide_no_nan(tf.constant([3, 4], tf.int8), tf.constant([1., 2.]))
tf.math.floordiv(tf.constant([5, 2]), tf.constant([0, 2]))
tf.math.floordiv(tf.constant([-7, 7, -7]), tf.constant([2, -2, -2]))
tf.math.floormod(tf.constant([-7, 7, -7]), tf.constant([2, -2, -2]))
tf.math.floormod(tf.constant([-7., 7., -7.5]), tf.constant([2., -2., 2.]))
tf.math.floordiv(tf.constant([5., 2]), tf.constant([0., 2]))
tf.math.floormod(tf.constant([5, 2]), tf.constant([0, 2]))
tf.math.floordiv(tf.constant([1.5+1j]), tf.constant([1.5+1j]))
tf.truncatediv(tf.constant([-7, 7]), tf.constant([2, -2]))
tf.truncatemod(tf.constant([-7, 7]), tf.constant([2, -2]))
tf.truncatediv(tf.constant([3.5, -4]), tf.constant([2., 3]))
tf.truncatediv(tf.constant([5, -2]), tf.constant([0, 2]))
tf.math.pow(tf.constant([5, 2]), tf.constant([-1, 2]))
tf.math.pow(tf.constant([5., 2]), -1)
tf.math.pow(tf.constant([0., 2]), 0.5)
tf.math.pow(2, 10)
tf.math.squared_difference(tf.constant([1.5+1j]), tf.constant([0.5+3j]))
tf.math.logical_and(tf.constant([1]), tf.constant([2]))
tf.math.logical_and([True, False], True)
tf.math.logical_xor(tf.constant([True, False]), tf.constant([True, True]))
tf.math.logical_not(tf.constant([1]))
tf.math.equal(tf.constant([1+1j]), tf.constant([2+1j]))
tf.math.equal(tf.constant([1]), tf.constant([2.]))
tf.math.equal(tf.constant([1, 2]), tf.constant([2, 3, 4]))
tf.math.equal(tf.constant(['a', 'b']), 'a')
tf.math.less(tf.constant([1+1j]), tf.constant([2+1j]))
tf.math.add_n([tf.constant([1, 2]), tf.constant([1, 2])])
tf.math.add_n([tf.constant([1, 2]), tf.constant([1., 2])])
tf.math.add_n([])
tf.math.add_n([[1, 2], [3, 4]])
tf.math.real(tf.constant([True]))
tf.math.imag(tf.constant([1, 2]))
tf.math.real(tf.constant([1.5 + 2j]))
tf.math.conj(tf.constant([True]))
tf.math.angle(tf.constant([1., -2.]))
tf.math.angle(tf.constant([1, -2]))
tf.math.angle(tf.constant([1 + 1j], tf.complex64))
tf.complex(tf.constant([1.]), tf.constant([2.]))
tf.complex(tf.constant([1.]), tf.constant([2.], tf.float64))
tf.math.abs(tf.constant([3 + 4j]))
tf.round(tf.constant([0.5, 1.5, 2.5, -0.5]))
tf.round(tf.constant([1, 2], tf.uint8))
tf.math.round(tf.constant([1.5+2j]))
tf.math.reciprocal(tf.constant([1, -2]))
tf.math.sign(tf.constant([-2., 0., 3.]))
tf.math.sign(tf.constant([-2, 0, 3]))
tf.math.is_nan(tf.constant([1., np.nan, np.inf]))
tf.math.is_inf(tf.constant([1., np.nan, -np.inf]))
tf.math.is_finite(tf.constant([1., np.nan, -np.inf]))
tf.math.sqrt(tf.constant([1, 2]))
tf.math.log(tf.constant([0., -1.]))
tf.math.sigmoid(tf.constant([-100., 0., 100.]))
tf.math.softplus(tf.constant([-100., 0., 100.]))
tf.math.erf(tf.constant([0.5]))
tf.math.bessel_i0(tf.constant([0.5, 1.5]))
tf.math.bessel_i1e(tf.constant([0.5, 1.5], tf.float64))
tf.math.ndtri(tf.constant([0.1, 0.5]))
tf.math.erfcinv(tf.constant([0.1, 0.5]))
tf.math.betainc(tf.constant([1., 2.5]), tf.constant([1., 2.]), tf.constant([0.5, 0.2]))
tf.math.lbeta(tf.constant([[1., 2.], [3., 4.]]))
tf.math.reciprocal_no_nan(tf.constant([0., 2.]))
tf.math.reciprocal_no_nan(tf.constant([0, 2]))
tf.math.scalar_mul(2., tf.constant([1., 2.]))
tf.math.polyval([1., 2., 3.], tf.constant([1., 2.]))
tf.math.invert_permutation([2, 0, 1])
tf.math.invert_permutation([0, 0])
tf.math.invert_permutation([0, 3])
tf.math.is_non_decreasing([1, 1, 2])
tf.math.is_strictly_increasing([1, 1, 2])
tf.math.cumulative_logsumexp(tf.constant([1., 2., 3.]))
tf.math.cumulative_logsumexp(tf.constant([1., 2., 3.]), exclusive=True, reverse=True)
tf.math.bincount([1, 1, 3])
tf.math.bincount([1, 1, 3], minlength=6)
tf.math.bincount([1, 1, 3], weights=[0.5, 1., 2.])
tf.math.bincount([-1, 2])
tf.math.confusion_matrix([0, 1, 2], [0, 2, 2])
tf.math.unsorted_segment_sqrt_n(tf.constant([1., 2., 3., 4.]), [0, 0, 1, 3], 4)
tf.math.left_shift if False else tf.bitwise.left_shift(tf.constant([1, 2]), tf.constant([3, 1]))
tf.bitwise.right_shift(tf.constant([-8, 8]), tf.constant([1, 2]))
tf.bitwise.bitwise_and(tf.constant([12], tf.uint8), tf.constant([10], tf.uint8))
tf.bitwise.invert(tf.constant([0, 1], tf.int8))
tf.bitwise.bitwise_xor(tf.constant([1.]), tf.constant([1.]))
tf.cast(tf.constant([1.7, -1.7, 300.]), tf.uint8)
tf.cast(tf.constant([1.7, -1.7]), tf.int32)
tf.cast(tf.constant([1.5+2j]), tf.float32)
tf.cast(tf.constant([0, 2]), tf.bool)
tf.cast(tf.constant([True]), tf.complex64)
tf.cast(tf.constant(['a']), tf.int32)
tf.saturate_cast(tf.constant([1.5, 300.]), tf.float64)
""".strip().splitlines()

MESSAGE_CASES = """
tf.add(tf.constant([1, 2]), tf.constant([2., 3.]))
tf.add(tf.constant([1.]), tf.constant([1.], tf.float64))
tf.constant([1, 2]) + tf.constant([1, 2, 3])
tf.math.floordiv(tf.constant([5, 2]), tf.constant([0, 2]))
tf.math.pow(tf.constant([5, 2]), tf.constant([-1, 2]))
tf.math.logical_and(tf.constant([1]), tf.constant([2]))
tf.math.add_n([tf.constant([1, 2]), tf.constant([1., 2])])
tf.math.divide(tf.constant([True]), tf.constant([True]))
tf.math.divide(tf.constant([2., 4.]), tf.constant([3, 4]))
tf.cast(tf.constant(['a']), tf.int32)
tf.reduce_sum(tf.constant([[1, 2], [3, 4]]), axis=2)
tf.math.argmin([[1, 5], [3, 2]], axis=2)
tf.math.cumsum([1, 2, 3], axis=1)
tf.math.segment_sum([1, 2, 3, 4], [0, 1, 0, 1])
tf.math.unsorted_segment_sum([1, 2, 3, 4], [1, 0, 3, 0], 3)
tf.math.invert_permutation([0, 3])
""".strip().splitlines()


@pytest.mark.parametrize("src", MATH_CASES)
def test_math_cases(src):
    check_expr(src)


@pytest.mark.parametrize("src", MESSAGE_CASES)
def test_math_error_messages(src):
    check_expr(src, message=True)


# -- reductions ----------------------------------------------------------------------------------
REDUCERS = ["reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod",
            "reduce_std", "reduce_variance", "reduce_logsumexp", "reduce_euclidean_norm"]


@settings(deadline=None, max_examples=25)
@given(st.sampled_from(REDUCERS), st.sampled_from(["float32", "float64", "int32", "int64"]),
       st.lists(st.integers(0, 3), min_size=0, max_size=3), st.data(), st.booleans())
def test_reductions(name, dtype, shape, data, keepdims):
    rng = np.random.default_rng(len(shape))
    x = sample(dtype, tuple(shape), rng)
    nd = len(shape)
    axis = data.draw(st.one_of(st.none(), st.integers(-nd, nd - 1) if nd else st.none(),
                               st.lists(st.integers(0, max(nd - 1, 0)), unique=True,
                                        max_size=nd)))
    check("math." + name, x, axis=axis, keepdims=keepdims, rtol=1e-4)


REDUCTION_CASES = """
tf.reduce_sum([[1, 2], [3, 4]], axis=1, keepdims=True)
tf.reduce_sum([[1, 2], [3, 4]], axis=[0, 1])
tf.reduce_sum([[1, 2], [3, 4]], axis=-3)
tf.reduce_mean([[1, 2], [3, 4]], axis=0)
tf.reduce_mean(tf.constant([], tf.float32))
tf.reduce_max(tf.constant([], tf.float32))
tf.reduce_min(tf.constant([], tf.int32))
tf.reduce_prod([[1, 2], [3, 4]])
tf.reduce_any([True, False])
tf.reduce_all([[True, False]], axis=1)
tf.reduce_any([1, 0])
tf.reduce_all(tf.constant([1, 0]))
tf.math.reduce_std([[1., 2.], [3., 5.]], axis=1)
tf.math.reduce_variance([1, 2])
tf.math.reduce_std(tf.constant([1+1j, 2]))
tf.reduce_logsumexp(tf.constant([-np.inf, -np.inf]))
tf.reduce_logsumexp([1, 2])
tf.reduce_sum(tf.constant([True, True]))
tf.reduce_sum(tf.constant(['a']))
tf.reduce_max([1+1j])
tf.reduce_sum(tf.constant(5), axis=0)
tf.math.argmax([[1, 5], [3, 2]])
tf.math.argmax([[1, 5], [3, 2]], axis=1, output_type=tf.int32)
tf.math.argmax([1, 5, 5])
tf.math.argmin(tf.constant([2., np.nan, 1.]))
tf.math.argmax(tf.ones((0, 2)))
tf.math.argmax([True, False])
tf.math.cumsum([1, 2, 3], exclusive=True, reverse=True)
tf.math.cumprod([1, 2, 3], exclusive=True)
tf.math.cumsum([[1, 2], [3, 4]], axis=1)
tf.math.cumsum([[1, 2], [3, 4]], axis=-1, reverse=True)
tf.math.cumprod([1, 2, 3], axis=1)
tf.math.count_nonzero([[0, 1], [2, 0]], axis=0)
tf.math.count_nonzero([0., 1.])
tf.math.count_nonzero([[0, 1], [2, 0]], keepdims=True)
tf.math.count_nonzero(tf.constant(['', 'a']))
tf.math.segment_sum([1, 2, 3, 4], [0, 0, 1, 1])
tf.math.segment_mean([1., 2, 3, 4], [0, 0, 2, 2])
tf.math.segment_max([1, 2, 3, 4], [0, 0, 2, 2])
tf.math.segment_min([1., 2, 3, 4], [0, 0, 2, 2])
tf.math.segment_prod([1., 2, 3, 4], [0, 0, 1, 1])
tf.math.segment_sum([[1, 2], [3, 4], [5, 6]], [0, 0, 1])
tf.math.segment_max([1, 2, 3, 4], [0, 0, 1])
tf.math.segment_sum([1, 2, 3, 4], [-1, 0, 1, 1])
tf.math.unsorted_segment_sum([1, 2, 3, 4], [1, 0, 1, 0], 3)
tf.math.unsorted_segment_max([1., 2, 3, 4], [1, 0, 1, 0], 3)
tf.math.unsorted_segment_min([1, 2, 3, 4], [1, 0, 1, 0], 3)
tf.math.unsorted_segment_mean([1., 2, 3, 4], [1, 0, 1, 0], 3)
tf.math.unsorted_segment_prod([1., 2, 3, 4], [1, 0, 1, 0], 3)
tf.math.unsorted_segment_sum([1, 2, 3, 4], [1, 0, 1], 2)
tf.math.unsorted_segment_sum([[1, 2], [3, 4]], [[0, 1], [1, 1]], 2)
""".strip().splitlines()


@pytest.mark.parametrize("src", REDUCTION_CASES)
def test_reduction_cases(src):
    check_expr(src)


@settings(deadline=None, max_examples=20)
@given(st.lists(st.integers(0, 4), min_size=1, max_size=8), st.integers(0, 2 ** 31),
       st.sampled_from(["sum", "mean", "max", "min", "prod"]))
def test_segments_hypothesis(lengths, seed, kind):
    rng = np.random.default_rng(seed)
    ids = np.repeat(np.arange(len(lengths)), lengths).astype(np.int32)
    data = rng.uniform(-2, 2, (ids.size, 2)).astype(np.float32)
    check(f"math.segment_{kind}", data, ids, rtol=1e-5)
    perm = rng.permutation(ids.size)
    check(f"math.unsorted_segment_{kind}", data[perm], ids[perm], len(lengths) + 1, rtol=1e-5)


def test_division_by_broadcast_scalar_is_correctly_rounded():
    # XLA would multiply by the reciprocal; TF divides exactly.
    import tensorflow as real_tf
    x = np.arange(1, 2000, dtype=np.float32)
    for d in (10.0, 3.0, 7.0, 0.1):
        ours = (tf.constant(x) / d).numpy()
        np.testing.assert_array_equal(ours, (real_tf.constant(x) / d).numpy())
        np.testing.assert_array_equal(tf.math.divide_no_nan(tf.constant(x), d).numpy(), x / np.float32(d))


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int32", "int64", "uint32"])
def test_saturate_cast_matches_tf(dtype):
    import tensorflow as real_tf
    for v in ([300., -5., 1e10, -1e10, 2.5], [2 ** 31 - 1, -129, 1000]):
        ours = tf.saturate_cast(v, getattr(tf, dtype))
        theirs = real_tf.saturate_cast(v, getattr(real_tf, dtype))
        assert ours.numpy().tolist() == theirs.numpy().tolist()
        assert ours.dtype.name == theirs.dtype.name
    with pytest.raises(TypeError):
        real_tf.saturate_cast([True], getattr(real_tf, dtype))
    with pytest.raises(TypeError):
        tf.saturate_cast([True], getattr(tf, dtype))


@pytest.mark.parametrize("kw", [{}, {"axis": -1}, {"axis": -1, "minlength": 6}, {"axis": 0},
                                {"axis": -1, "binary_output": True}, {"maxlength": 2},
                                {"axis": -1, "weights": [[1., 2., 3.], [4., 5., 6.]]}])
def test_bincount_matches_tf(kw):
    import tensorflow as real_tf
    x = [[1, 2, 2], [0, 0, 3]]
    ours, theirs = tf.math.bincount(x, **kw), real_tf.math.bincount(x, **kw)
    assert ours.numpy().tolist() == theirs.numpy().tolist()
    assert ours.dtype.name == theirs.dtype.name


_CAST_EDGES = [np.inf, -np.inf, np.nan, 3e9, -3e9, 1e19, 70000.0, -5.0, -1.7, 300.0, 2.0 ** 31,
               -(2.0 ** 31), 65504.0, 0.5]


@pytest.mark.parametrize("src", ["float16", "float32", "float64"])
@pytest.mark.parametrize("dst", ["int8", "uint8", "int16", "uint16", "int32", "int64"])
def test_cast_of_non_finite_and_out_of_range_floats_matches_tf(src, dst):
    # TF wraps in-range values and sends NaN, infinities and overflow to the wide type's minimum.
    x = np.array(_CAST_EDGES, np.float64).astype(src)
    ours = tf.cast(tf.constant(x), dst)
    theirs = real_tf.cast(real_tf.constant(x), dst)
    assert ours.dtype.name == theirs.dtype.name
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    traced = tf.function(lambda t: tf.cast(t, dst))(tf.constant(x))
    np.testing.assert_array_equal(traced.numpy(), theirs.numpy())

"""Regression tests for each class of failure the public array API suite found.

The suite (data-apis/array-api-tests, run by ``scripts/array_api_suite.sh``) is not needed:
TF-facing behaviour (DType equality, TensorShape) is checked against real TensorFlow, namespace
behaviour against array-api-strict and NumPy (the standard's reference implementations).
"""
from __future__ import annotations

import inspect
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tftape as tf
from tests.oracle import real_tf

strict = pytest.importorskip("array_api_strict")
xp = tf.constant(0.0).__array_namespace__()

_ODD = [[(1, 2)], [("a", "b")], [("f0", "i4"), ("f1", "f8")], object(), "no-such-dtype", [1],
        {"a": 1}, 3.5, (), None, np.dtype([("a", "i4")]), "float32", np.float32, 1]


# -- DType equality never raises ---------------------------------------------------------------
@pytest.mark.parametrize("other", _ODD,
                         ids=lambda o: "object()" if type(o) is object else repr(o))
@pytest.mark.parametrize("name", ["float32", "int64", "bool", "complex128"])
def test_dtype_equality_with_anything(name, other):
    rtf = real_tf()
    want = (getattr(rtf, name) == other, getattr(rtf, name) != other)
    assert (getattr(tf, name) == other, getattr(tf, name) != other) == want


# -- TensorShape: a tuple that keeps TF's behaviour ------------------------------------------------
_SHAPES = [[], [3], [2, 3], [None, 3], [None], [1, None, 4], None]
_EXPRS = ["s == o", "s != o", "repr(s)", "str(s)", "bool(s)", "s.rank", "s.as_list()",
          "s.num_elements()", "s.is_fully_defined()", "s.is_compatible_with(o)", "s.concatenate(o)",
          "s.merge_with(o)", "s[0]", "s[1:]", "s[::-1]", "len(s)", "list(s)", "s + o", "s + (7,)",
          "(7,) + s", "s * 2", "hash(s) == hash(type(s)(s))", "s.most_specific_compatible_shape(o)",
          "tf.nest.flatten([s, (1, s)])", "tf.TensorShape(s) == s", "s == [2, 3]", "s == 'ab'"]


def _eval(mod, expr, a, b):
    ns = {"tf": mod, "s": mod.TensorShape(a), "o": mod.TensorShape(b)}
    try:
        return ("ok", repr(eval(expr, ns)))
    except Exception as e:  # noqa: BLE001 - the exception type is the result compared
        return ("err", type(e).__name__)


@pytest.mark.parametrize("expr", _EXPRS)
def test_tensor_shape_matches_tf(expr):
    rtf = real_tf()
    for a in _SHAPES:
        for b in ([2, 3], [None, 3], None):
            want, got = _eval(rtf, expr, a, b), _eval(tf, expr, a, b)
            if want[0] == "ok" and "Dimension" in want[1]:
                continue  # TF's ``dims`` hold Dimension objects; ours hold ints
            assert got == want, (expr, a, b)


@given(st.lists(st.one_of(st.none(), st.integers(0, 9)), max_size=5))
@settings(deadline=None, max_examples=30)
def test_tensor_shape_is_a_tuple(dims):
    s = tf.TensorShape(dims)
    assert isinstance(s, tuple) and tuple(s) == tuple(dims) and s == tuple(dims)
    assert hash(s) == hash(tuple(dims))
    assert pickle.loads(pickle.dumps(s)) == s and repr(s) == f"TensorShape({list(dims)})"
    assert type(s[1:]) is tf.TensorShape


def test_unknown_shape_refuses_len_and_iteration():
    u = tf.TensorShape(None)
    for f in (len, list, tuple):
        with pytest.raises(ValueError):
            f(u)
    assert u != tf.TensorShape([]) and tf.TensorShape([]) != u and u == tf.TensorShape(None)
    assert repr(pickle.loads(pickle.dumps(u))) == "TensorShape(None)"


def test_tensor_shape_is_what_array_consumers_need():
    t = tf.constant(np.zeros((2, 3), np.float32))
    assert type(t.shape) is tf.TensorShape and isinstance(t.shape, tuple)
    assert np.zeros(t.shape).shape == (2, 3)
    hnp = pytest.importorskip("hypothesis.extra.numpy")
    assert hnp.broadcastable_shapes(t.shape) is not None  # hypothesis checks ``tuple``


# -- operators of namespace arrays promote by the standard's table -----------------------------------
_DT = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
       "float32", "float64", "complex64", "complex128"]

def _name(d):
    t = str(d)
    return t.split("'")[-2] if "'" in t else t.split(".")[-1]


def _strict_result(a, b):
    try:
        return strict.result_type(getattr(strict, a), getattr(strict, b)).__str__()
    except TypeError:
        return None


_PROMOTABLE = [(a, b) for a in _DT for b in _DT if a != b and _strict_result(a, b)]
_OPS = ["x + y", "x - y", "x * y", "x == y", "x < y", "x & y", "x << y", "x >> y", "x // y",
        "x % y", "x ** y", "x / y", "x | y", "x ^ y", "x != y", "x >= y"]


@pytest.mark.parametrize("op", _OPS)
@pytest.mark.parametrize("a,b", [p for p in _PROMOTABLE if "complex" not in "".join(p)][::3])
def test_operators_follow_standard_promotion(a, b, op):
    if op == "x / y" and "float" not in a + b:
        pytest.skip("integer true division is implementation-defined (strict refuses it)")
    vals = np.array([1, 2, 3])
    outs = []
    for ns in (xp, strict):
        x = ns.asarray(vals.astype(a) if a != "bool" else vals > 1, dtype=getattr(ns, a))
        y = ns.asarray(vals.astype(b) if b != "bool" else vals > 2, dtype=getattr(ns, b))
        try:
            r = eval(op, {"x": x, "y": y})
            outs.append((_name(r.dtype),
                         np.asarray(r.numpy() if ns is xp else r._array)))
        except Exception as e:  # noqa: BLE001 - both namespaces must reject alike
            outs.append((type(e).__name__,))
    assert outs[0][0] == outs[1][0], (a, b, op, outs)
    if len(outs[0]) > 1:
        np.testing.assert_allclose(outs[0][1], outs[1][1], equal_nan=True)


def test_tf_tensors_keep_tf_strictness():
    rtf = real_tf()
    for mod in (tf, rtf):
        x, y = mod.constant([1, 2], mod.uint8), mod.constant([1, 2], mod.uint16)
        with pytest.raises(rtf.errors.InvalidArgumentError if mod is rtf else
                           tf.errors.InvalidArgumentError):
            x * y
        with pytest.raises(TypeError):
            x << y
    xs = xp.asarray([1, 2], dtype=xp.uint8)
    assert (xs * xp.asarray([1, 2], dtype=xp.uint16)).dtype == tf.uint16
    assert type(tf.add(xs, xs)) is type(tf.constant(1))  # tf ops return plain tensors
    assert isinstance(xs, tf.Tensor) and type(xs).__name__ == "EagerTensor"


@pytest.mark.parametrize("dtype", ["int8", "uint8", "int64", "float32", "bool"])
def test_scalars_are_weak_in_operators(dtype):
    x = xp.asarray([1, 0], dtype=getattr(xp, dtype))
    s = True if dtype == "bool" else 1
    for r in (x + s if dtype != "bool" else x & s, s * x if dtype != "bool" else s | x):
        assert r.dtype == getattr(tf, dtype)


# -- signatures the standard fixes --------------------------------------------------------------------
@pytest.mark.parametrize("name,params", [
    ("zeros", ["shape", "dtype", "device"]), ("ones", ["shape", "dtype", "device"]),
    ("empty", ["shape", "dtype", "device"]),
    ("var", ["x", "axis", "correction", "keepdims"]), ("std", ["x", "axis", "correction", "keepdims"]),
    ("expand_dims", ["x", "axis"]), ("diff", ["x", "axis", "n", "prepend", "append"]),
    ("take_along_axis", ["x", "indices", "axis"]), ("count_nonzero", ["x", "axis", "keepdims"])])
def test_signatures(name, params):
    sig = inspect.signature(getattr(xp, name))
    assert list(sig.parameters) == params
    ref = inspect.signature(getattr(strict, name))
    for p in params:
        if p in ref.parameters:
            assert sig.parameters[p].kind == ref.parameters[p].kind, p


@pytest.mark.parametrize("correction", [0, 1, 1.5])
def test_var_std_correction(correction):
    a = np.array([[1.0, 2.0, 4.0], [3.0, 5.0, 9.0]])
    for f in ("var", "std"):
        got = getattr(xp, f)(xp.asarray(a), axis=1, correction=correction)
        want = getattr(strict, f)(strict.asarray(a), axis=1, correction=correction)
        np.testing.assert_allclose(got.numpy(), np.asarray(want._array))


# -- functions of 2024.12 ---------------------------------------------------------------------------
_NEW = ["diff(x)", "diff(x, axis=0, n=2)", "diff(x, prepend=x[:, :1])", "reciprocal(x)",
        "nextafter(x, y)", "count_nonzero(x)", "count_nonzero(x, axis=1, keepdims=True)",
        "take_along_axis(x, i, axis=1)", "take_along_axis(x, i, axis=-1)"]


@pytest.mark.parametrize("expr", _NEW)
def test_2024_12_functions(expr):
    a = np.array([[0.0, 1.5, -2.0], [3.0, 0.0, 4.0], [1.0, 1.0, 0.5]])
    outs = []
    for ns in (xp, strict):
        env = {"x": ns.asarray(a), "y": ns.asarray(a[::-1].copy()),
               "i": ns.asarray(np.array([[2, 0], [1, 1], [0, 2]])), **vars(ns)}
        r = eval(expr, env)
        outs.append((_name(r.dtype),
                     np.asarray(r.numpy() if ns is xp else r._array)))
    assert outs[0][0] == outs[1][0]
    np.testing.assert_array_equal(outs[0][1], outs[1][1])


# -- indexing and __setitem__ -------------------------------------------------------------------------
_KEYS = ["x[True]", "x[False]", "x[m]", "x[z]", "x[1]", "x[-1, ::2]", "x[None, ..., 0]",
         "x[i]", "x[i, 1]", "x[:, i]"]


@pytest.mark.parametrize("expr", _KEYS)
def test_getitem(expr):
    a = np.arange(12).reshape(3, 4)
    outs = []
    for ns in (xp, np):  # NumPy's indexing is a superset of the standard's
        env = {"x": ns.asarray(a), "m": ns.asarray(a % 3 == 0), "z": ns.zeros((3, 4), dtype=bool),
               "i": ns.asarray([2, 0])}
        r = eval(expr, env)
        outs.append(np.asarray(r.numpy() if ns is xp else r))
    assert outs[0].shape == outs[1].shape
    np.testing.assert_array_equal(outs[0], outs[1])


def test_getitem_empty_mask_on_zero_sized_array():
    x = xp.zeros((2, 0))
    assert x[xp.zeros((2, 0), dtype=xp.bool)].shape == (0,)


@pytest.mark.parametrize("key,value", [("1", "7"), ("(0, slice(None))", "-1"),
                                       ("m", "0"), ("(slice(None), 2)", "v")])
def test_setitem(key, value):
    a = np.arange(12, dtype=np.int16).reshape(3, 4)
    outs = []
    for ns in (xp, np):
        x = ns.asarray(a.copy())
        env = {"m": x > 5, "v": ns.asarray(np.array([9, 8, 7], np.int16)), "slice": slice}
        x[eval(key, env)] = eval(value, env)
        outs.append((_name(x.dtype), np.asarray(x.numpy() if ns is xp else x)))
    assert outs[0][0] == outs[1][0]
    np.testing.assert_array_equal(outs[0][1], outs[1][1])


def test_array_attributes():
    x = xp.reshape(xp.arange(6), (2, 3))
    assert x.size == 6 and x.T.shape == (3, 2) and x.mT.shape == (3, 2)
    assert type(x.T).__name__ == "EagerTensor" and (x.T + 1).dtype == tf.int64


# -- complex special cases (C99 Annex G) ---------------------------------------------------------------
_Z = [complex(-np.inf, np.inf), complex(np.inf, np.nan), complex(0, np.nan), complex(np.nan, 0),
      complex(0, np.inf), complex(np.inf, np.inf), complex(-np.inf, np.nan), 1 + 2j, -0.5j]
_FUNCS = {"acos": "arccos", "acosh": "arccosh", "asinh": "arcsinh", "atanh": "arctanh",
          "cosh": "cosh", "exp": "exp", "log": "log", "log1p": "log1p", "sinh": "sinh",
          "sqrt": "sqrt", "tanh": "tanh"}


@pytest.mark.parametrize("name", sorted(_FUNCS))
def test_complex_special_cases(name):
    z = np.array(_Z, dtype=np.complex128)
    got = getattr(xp, name)(xp.asarray(z)).numpy()
    with np.errstate(all="ignore"):
        want = getattr(np, _FUNCS[name])(z)
    np.testing.assert_allclose(got, want, rtol=1e-12, equal_nan=True)


def test_complex_functions_still_differentiate():
    w = tf.Variable([1 + 1j, 2j])
    with tf.GradientTape() as g:
        y = tf.math.real(tf.reduce_sum(xp.exp(w)))
    np.testing.assert_allclose(g.gradient(y, w).numpy(), np.conj(np.exp([1 + 1j, 2j])))


# -- consumers of the standard ------------------------------------------------------------------------
def test_array_api_compat_and_extra():
    compat = pytest.importorskip("array_api_compat")
    xpx = pytest.importorskip("array_api_extra")
    t = tf.constant([[1.0, 2.0], [3.0, 5.0]], dtype=tf.float64)
    assert compat.array_namespace(t) is xp and compat.array_namespace(xp.asarray(t)) is xp
    np.testing.assert_allclose(xpx.cov(t).numpy(), np.cov(t.numpy()))
    assert xpx.atleast_nd(xp.asarray(1.0), ndim=3).shape == (1, 1, 1)
    np.testing.assert_allclose(xpx.sinc(t).numpy(), np.sinc(t.numpy()))
    x = xpx.at(xp.asarray([1.0, 2.0, 3.0]))[1].set(9.0)
    np.testing.assert_array_equal(x.numpy(), [1.0, 9.0, 3.0])


def test_scipy_accepts_tensors():
    pytest.importorskip("scipy")
    code = ("import numpy as np, tftape as tf, scipy.special as sp, scipy.cluster.vq as vq\n"
            "t = tf.constant([0.5, 1.0, 2.0], dtype=tf.float64)\n"
            "r = sp.logsumexp(t)\n"
            "assert type(r).__name__ == 'EagerTensor', type(r)\n"
            "np.testing.assert_allclose(float(r), np.log(np.exp([0.5, 1.0, 2.0]).sum()))\n"
            "w = vq.whiten(tf.constant([[1.0, 2.0], [3.0, 6.0]], dtype=tf.float64))\n"
            "assert type(w).__name__ == 'EagerTensor'\n"
            "print('ok')\n")
    env = dict(os.environ, SCIPY_ARRAY_API="1")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0 and "ok" in out.stdout, out.stderr[-2000:]


# -- IEEE special cases of floor_divide and remainder ---------------------------------------------------
_X1 = [np.inf, -np.inf, -0.0, 0.0, 1.0, -1.0, 7.5, -7.5]
_X2 = [2.0, -2.0, np.inf, -np.inf, 0.5]


@pytest.mark.parametrize("name", ["floor_divide", "remainder"])
def test_float_division_special_cases(name):
    a, b = np.meshgrid(np.array(_X1), np.array(_X2))
    got = getattr(xp, name)(xp.asarray(a), xp.asarray(b)).numpy()
    want = np.asarray(getattr(strict, name)(strict.asarray(a), strict.asarray(b))._array)
    if name == "floor_divide":  # the standard: IEEE division then floor for these inputs
        special = ~np.isfinite(a) | ~np.isfinite(b) | (a == 0)
        want = np.where(special, np.floor(a / b), want)
    else:
        want = np.where((want == 0) & (b != 0), np.copysign(0.0, b), want)
    np.testing.assert_array_equal(got, want)
    # Zero signs are specified where an operand is zero or infinite.
    special = ~np.isfinite(a) | ~np.isfinite(b) | (a == 0)
    np.testing.assert_array_equal(np.signbit(got)[special], np.signbit(want)[special])


def test_result_type_with_scalars():
    assert xp.result_type(xp.int8, 1) == tf.int8
    assert xp.result_type(xp.float32, 1.0) == tf.float32
    assert xp.result_type(xp.float32, 1j) == tf.complex64
    assert xp.result_type(xp.asarray([True]), False) == tf.bool


@pytest.mark.parametrize("dtype", ["float32", "float64", "complex64", "complex128"])
def test_sign_of_zero_is_positive_zero(dtype):
    out = xp.sign(xp.asarray([-0.0, 0.0, -2.0], dtype=getattr(xp, dtype))).numpy()
    np.testing.assert_array_equal(np.signbit(out.real), [False, False, True])
    np.testing.assert_array_equal(np.signbit(out.imag), [False, False, False])


def test_dlpack_legacy_versions():
    x = xp.asarray([1.0, 2.0])
    for v in (None, (0, 0), (0, 8), (1, 0)):
        assert type(x.__dlpack__(max_version=v)).__name__ == "PyCapsule"
    np.testing.assert_array_equal(np.from_dlpack(x), [1.0, 2.0])

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
    if not isinstance(exp, real_tf.Tensor):
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

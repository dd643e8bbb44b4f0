"""Helpers for comparing tftape with real TensorFlow (the oracle) in tests."""
from __future__ import annotations

import os

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def real_tf():
    import pytest
    return pytest.importorskip("tensorflow")


def assert_same(ours, theirs, rtol=1e-6, atol=1e-6):
    """Same dtype name, shape and values (NaNs equal) for a tftape and a TF tensor."""
    assert ours.dtype.name == theirs.dtype.name, (ours.dtype, theirs.dtype)
    assert tuple(ours.shape) == tuple(theirs.shape), (ours.shape, theirs.shape)
    a, b = np.asarray(ours.numpy()), np.asarray(theirs.numpy())
    if a.dtype.kind in "OSUbiu":
        np.testing.assert_array_equal(a, b)
    else:
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True)


def outcome(fn):
    """(value, None) or (None, exception type name) of calling ``fn``."""
    try:
        return fn(), None
    except Exception as e:  # noqa: BLE001 - the type is what we compare
        return None, type(e).__name__

"""``tnp.random``: NumPy-style random functions over tftape's random ops (TF's ``np_random``).

Values come from JAX's PRNG, so they differ from TF's for the same seed; dtypes and shapes
follow TF (float64 floats, int64 integers).
"""
from __future__ import annotations

import numpy as onp

from .._core import dtypes as _d
from .._ops import random_ops as R
from . import _config as cfg
from ._base import asarray, float_dtype

DEFAULT_RANDN_DTYPE = onp.float32


def seed(s):
    """Sets the global seed (``tf.random.set_seed``)."""
    try:
        s = int(s)
    except TypeError:
        raise ValueError(f"Argument `s` got an invalid value {s}. Only integers are "
                         "supported.") from None
    R.set_seed(s)


def _size(size):
    if size is None:
        return ()
    if isinstance(size, (int, onp.integer)):
        return (int(size),)
    return tuple(int(s) for s in size)


def standard_normal(size=None):
    """Samples of N(0, 1) (float64 by default).

    >>> import tftape.experimental.numpy as tnp
    >>> tnp.random.standard_normal(size=(2,)).dtype
    tf.float64
    """
    return R.normal(_size(size), dtype=float_dtype())


def randn(*args):
    return standard_normal(size=args)


def uniform(low=0.0, high=1.0, size=None):
    dtype = float_dtype()
    low = asarray(low, dtype=dtype)
    high = asarray(high, dtype=dtype)
    if size is None:
        size = onp.broadcast_shapes(tuple(low._v.shape), tuple(high._v.shape))
    return R.uniform(_size(size), minval=low, maxval=high, dtype=dtype)


def random(size=None):
    return uniform(0.0, 1.0, size)


def rand(*size):
    return uniform(0.0, 1.0, size)


def poisson(lam=1.0, size=None):
    return R.poisson(_size(size), lam, dtype=_d.int64)


def randint(low, high=None, size=None, dtype=onp.int64):
    """Random integers in [low, high) (int64 unless ``dtype``)."""
    low = int(low)
    if high is None:
        high, low = low, 0
    dt = cfg.to_dtype(dtype)
    if dt not in (_d.int32, _d.int64):
        raise ValueError(f"Argument `dtype` got an invalid value {dtype}. Only those "
                         f"convertible to {(onp.int32, onp.int64)} are supported.")
    return R.uniform(_size(size), minval=low, maxval=int(high), dtype=dt)

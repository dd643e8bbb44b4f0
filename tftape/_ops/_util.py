"""Helpers shared by the op families."""
from __future__ import annotations

import numpy as np

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor, to_static
from .._core.registry import STATE
from .._core.tensor import Tensor, vshape

FLOAT = _d.FLOATING
REAL = _d.REAL
NUMERIC = _d.NUMERIC
INEXACT = _d.INEXACT
INT = _d.INTEGER
SIGNED_NUMERIC = _d.FLOATING + _d.SIGNED + _d.COMPLEX
BOOL = (_d.bool,)
NUMERIC_NO_UNSIGNED = _d.FLOATING + _d.SIGNED + _d.COMPLEX


def tensor(x, dtype=None) -> Tensor:
    return convert_to_tensor(x, dtype=dtype)


def static_axis(axis, ndim: int | None = None):
    """Normalises an ``axis`` argument (int, list or tensor) to a tuple of ints, or None."""
    if axis is None:
        return None
    a = to_static(axis)
    if isinstance(a, (list, tuple)):
        return tuple(int(i) for i in a)
    return int(a)


def is_concrete(t: Tensor) -> bool:
    """Whether the tensor holds a concrete value (not a tracer inside tf.function)."""
    return not STATE.tracing or not _is_tracer(t._v)


def _is_tracer(v) -> bool:
    import jax
    return isinstance(v, jax.core.Tracer)


def host(t: Tensor) -> np.ndarray:
    return np.asarray(t._v)


def shape_tuple(t: Tensor) -> tuple:
    return tuple(vshape(t))


def fmt_shape(shape) -> str:
    return "[" + ",".join(str(d) for d in shape) + "]"

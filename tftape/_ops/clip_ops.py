"""Clipping: by value, by norm, by global norm, and ``saturate_cast``."""
from __future__ import annotations

import numpy as np
import jax.numpy as jnp

from .._core import dtypes as _d
from .._core.registry import convert_inputs, execute, op
from .._core.tensor import Tensor
from ._util import REAL, tensor
from .arithmetic_ops import maximum, minimum
from .cast_ops import cast
from .comparison_ops import where
from .creation_ops import identity, ones_like
from .reduction_ops import add_n, reduce_sum
from .unary_ops import sqrt


# -- clipping ---------------------------------------------------------------------------------
def _clip_fwd(x, lo, hi):
    return jnp.clip(x, lo, hi), (x, lo, hi)


def _clip_bwd(res, g):
    # Note: TF passes the gradient at the bounds themselves (lo <= x <= hi); JAX halves it.
    from .arithmetic_ops import _unbroadcast
    x, lo, hi = res
    inside = (x >= lo) & (x <= hi)
    gx = jnp.where(inside, g, 0)
    glo = _unbroadcast(jnp.where(x < lo, g, 0), jnp.shape(lo))
    ghi = _unbroadcast(jnp.where(x > hi, g, 0), jnp.shape(hi))
    return gx, glo, ghi


_clip = op("clip_by_value", "ClipByValue", lambda x, lo, hi: jnp.clip(x, lo, hi), dtypes=REAL,
           tf_grad=(_clip_fwd, _clip_bwd))


def clip_by_value(t, clip_value_min, clip_value_max, name=None) -> Tensor:
    """Clamps values into [min, max]."""
    x, lo, hi = convert_inputs(_clip, (t, clip_value_min, clip_value_max))
    return execute(_clip, (x, lo, hi))


def clip_by_norm(t, clip_norm, axes=None, name=None) -> Tensor:
    """Rescales ``t`` so that its L2 norm over ``axes`` is at most ``clip_norm``."""
    x = tensor(t)
    l2sum = reduce_sum(x * x, axes, keepdims=True)
    pred = l2sum > 0
    l2sum_safe = where(pred, l2sum, ones_like(l2sum))
    l2norm = where(pred, sqrt(l2sum_safe), l2sum)
    cn = tensor(clip_norm, x.dtype)
    return identity(x * cn / maximum(l2norm, cn))


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    ts = [None if t is None else tensor(t) for t in t_list]
    if use_norm is None:
        use_norm = global_norm(ts)
    use_norm = tensor(use_norm)
    cn = tensor(clip_norm, use_norm.dtype)
    scale = cn * minimum(1.0 / use_norm, tensor(1.0, use_norm.dtype) / cn)
    return [None if t is None else t * cast(scale, t.dtype) for t in ts], use_norm


def global_norm(t_list, name=None):
    ts = [tensor(t) for t in t_list if t is not None]
    return sqrt(add_n([reduce_sum(t * t) for t in ts]))


def saturate_cast(value, dtype, name=None):
    """Casts ``value`` to ``dtype``, clamping to the target's range first (no wraparound)."""
    t = value if isinstance(value, Tensor) else tensor(value)
    dt = _d.as_dtype(dtype)
    if t.dtype is _d.bool:
        t.dtype.min  # noqa: B018 - raises TF's TypeError, as TF's saturate_cast does
    if dt.is_integer and (t.dtype.is_integer or t.dtype.is_floating):
        src = t.dtype._np.type
        # The bounds as values of the source dtype that do not exceed the target's range.
        lo, hi = src(max(int(dt.min), int(t.dtype.min)) if t.dtype.is_integer else dt.min), \
            src(min(int(dt.max), int(t.dtype.max)) if t.dtype.is_integer else dt.max)
        if t.dtype.is_floating:
            if float(hi) > int(dt.max):
                hi = np.nextafter(hi, src(-np.inf))
            if float(lo) < int(dt.min):
                lo = np.nextafter(lo, src(np.inf))
        t = clip_by_value(t, tensor(np.asarray(lo, src)), tensor(np.asarray(hi, src)))
    return cast(t, dt)

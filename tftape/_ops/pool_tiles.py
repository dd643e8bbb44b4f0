"""Pooling whose windows tile the input (window == stride on every spatial axis).

That is what almost every CNN pools with (``MaxPooling2D()``: 2x2 windows, stride 2), and
``lax.reduce_window`` is a poor fit for it on XLA's CPU backend: the gradient of a
windowed max is a ``select_and_scatter``, which on a small CNN training step adds about
300 ms to the XLA compilation and 1.3 ms to every step (3.7 ms against 2.4 ms; see
docs/performance.md). When windows do not overlap, the input (padded or cropped as the
padding asks) reshapes into ``[..., windows, window elements]`` and the pooling becomes a
plain reduction over the last axis.

Max pooling's derivative follows TF's kernels on ties (common after a ReLU): 1-D and 2-D
(``MaxPoolGrad``) send the whole gradient of a window to its first maximum in row-major
window order, 3-D (``MaxPool3DGrad``) to every maximum. A ``custom_jvp`` states that rule;
being linear in the tangent, it transposes to the gradient and serves forward-mode and
higher-order derivatives too.
"""
from __future__ import annotations

import functools

import numpy as np
import jax
import jax.numpy as jnp
from jax import lax


def spatial_axes(ndim: int, channels_last: bool) -> tuple:
    return tuple(range(1, ndim - 1)) if channels_last else tuple(range(2, ndim))


def tile_pads(shape, spatial, ksize, strides, padding):
    """Per spatial axis ``(low, high)`` padding (a negative high crops) that makes the axis
    ``out * k`` long, or None when the windows overlap, leave gaps or would be empty."""
    if tuple(ksize) != tuple(strides):
        return None
    pads = []
    for ax, k in zip(spatial, ksize):
        n = shape[ax]
        if padding == "VALID":
            lo, out = 0, (n - k) // k + 1 if n >= k else 0
        elif padding == "SAME":
            out = -(-n // k)
            lo = (out * k - n) // 2
        elif isinstance(padding, (tuple, list)):
            lo, hi = padding[ax]
            if lo < 0 or hi < 0:
                return None
            out = (n + lo + hi - k) // k + 1 if n + lo + hi >= k else 0
        else:
            return None
        if out <= 0:
            return None
        pads.append((lo, out * k - n - lo))
    return tuple(pads)


def _tiles(x, spatial, ksize, pads, fill):
    """``x`` padded by ``pads`` (with ``fill``) and reshaped so that its last axis holds each
    window's elements in row-major window order."""
    cfg = [(0, 0, 0)] * x.ndim
    for ax, (lo, hi) in zip(spatial, pads):
        cfg[ax] = (lo, hi, 0)
    if any(c != (0, 0, 0) for c in cfg):
        x = lax.pad(x, jnp.asarray(fill, x.dtype), cfg)
    split, win_axes, keep = [], [], []
    for ax in range(x.ndim):
        if ax in spatial:
            k = ksize[spatial.index(ax)]
            keep.append(len(split))
            split += [x.shape[ax] // k, k]
            win_axes.append(len(split) - 1)
        else:
            keep.append(len(split))
            split.append(x.shape[ax])
    y = x.reshape(split).transpose(keep + win_axes)
    return y.reshape(y.shape[:len(keep)] + (-1,))


def _lowest(dtype):
    return -np.inf if jnp.issubdtype(dtype, jnp.floating) else jnp.iinfo(dtype).min


@functools.lru_cache(maxsize=256)
def _max_fn(spatial, ksize, pads, every_tie):
    def tiles(x):
        return _tiles(x, spatial, ksize, pads, _lowest(x.dtype))

    @jax.custom_jvp
    def pool(x):
        return tiles(x).max(-1)

    @pool.defjvp
    def _jvp(primals, tangents):
        (x,), (t,) = primals, tangents
        w = tiles(x)
        # Note: ``pool``, not ``w.max``: differentiating this rule again (second order) must
        # follow the same tie rule, not JAX's (which splits a window's gradient among ties).
        m = pool(x)
        if every_tie:
            chosen = (w == m[..., None]).astype(t.dtype)
        else:
            chosen = jax.nn.one_hot(jnp.argmax(w, -1), w.shape[-1], dtype=t.dtype)
        # Note: padded cells hold zero tangent (they pad ``t`` with 0, not the lowest value).
        tw = _tiles(t, spatial, ksize, pads, 0)
        return m, (tw * chosen).sum(-1)
    return pool


def max_pool(x, spatial, ksize, pads):
    """Max pooling over tiling windows (``pads`` from :func:`tile_pads`)."""
    if not jnp.issubdtype(x.dtype, jnp.floating):
        return _tiles(x, spatial, ksize, pads, _lowest(x.dtype)).max(-1)
    return _max_fn(tuple(spatial), tuple(ksize), pads, len(spatial) == 3)(x)


def avg_pool(x, spatial, ksize, pads):
    """Average pooling over tiling windows; padded cells are not counted (TF's rule)."""
    s = _tiles(x, spatial, ksize, pads, 0).sum(-1)
    if all(lo <= 0 and hi <= 0 for lo, hi in pads):
        return s / np.asarray(np.prod(ksize), x.dtype)
    # In-bounds cells per window: an outer product of the per-axis counts.
    count, full = np.ones(()), [1] * x.ndim
    for ax, k, (lo, hi) in zip(spatial, ksize, pads):
        n = x.shape[ax]
        starts = np.arange((n + lo + hi) // k) * k - lo
        count = np.multiply.outer(count, np.minimum(starts + k, n) - np.maximum(starts, 0))
        full[ax] = len(starts)
    return s / np.asarray(count, x.dtype).reshape(full)

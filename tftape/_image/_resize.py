"""``tf.image.resize`` and friends: TF 2.x kernels (half-pixel centres) as JAX ops.

Each method builds its per-axis sampling weights on the host from the static shapes (exactly
as TF's kernels compute them, in float32) and applies them as two matrix products, so the
result matches TF to float rounding and the gradient is the exact transpose, as TF's
``Resize*Grad`` kernels are.
"""
from __future__ import annotations

import numpy as np
import jax
import jax.numpy as jnp

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor, to_static
from .._core.errors import InvalidArgumentError, kernel_error
from .._core.registry import execute, op
from .._core.tensor import Tensor, vshape
from .._ops import array_ops as _a
from .._ops import math_ops as _m
from ._common import check_at_least_3d, check_type

_F32 = np.float32
_RESIZE_DTYPES = (_d.int8, _d.uint8, _d.int16, _d.uint16, _d.int32, _d.int64, _d.bfloat16,
                  _d.float16, _d.float32, _d.float64)


class ResizeMethod:
    """The names ``tf.image.resize`` accepts for ``method``."""
    BILINEAR = "bilinear"
    NEAREST_NEIGHBOR = "nearest"
    BICUBIC = "bicubic"
    AREA = "area"
    LANCZOS3 = "lanczos3"
    LANCZOS5 = "lanczos5"
    GAUSSIAN = "gaussian"
    MITCHELLCUBIC = "mitchellcubic"


def _bilinear_weights(n_in: int, n_out: int) -> np.ndarray:
    scale = _F32(n_in) / _F32(n_out)
    w = np.zeros((n_out, n_in), np.float32)
    for i in range(n_out):
        x = (_F32(i) + _F32(0.5)) * scale - _F32(0.5)
        lo = np.floor(x)
        lerp = _F32(x - lo)
        a, b = max(int(lo), 0), min(int(np.ceil(x)), n_in - 1)
        w[i, a] += _F32(1) - lerp
        w[i, b] += lerp
    return w


def _cubic_table(a=-0.5, size=1024) -> np.ndarray:
    t = np.zeros(((size + 1), 2), np.float32)
    for i in range(size + 1):
        x = i * 1.0 / size
        t[i, 0] = ((a + 2) * x - (a + 3)) * x * x + 1
        x += 1.0
        t[i, 1] = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return t


_TABLE = None


def _bicubic_weights(n_in: int, n_out: int) -> np.ndarray:
    # Note: TF's ResizeBicubic looks its Keys-cubic weights up in a 1024-step table and
    # zeroes (then renormalises) the taps outside the image; this reproduces both.
    global _TABLE
    if _TABLE is None:
        _TABLE = _cubic_table()
    tab = _TABLE
    scale = _F32(n_in) / _F32(n_out)
    w = np.zeros((n_out, n_in), np.float32)
    for i in range(n_out):
        x = (_F32(i) + _F32(0.5)) * scale - _F32(0.5)
        loc = int(np.floor(x))
        delta = _F32(x - np.floor(x))
        off = int(np.rint(delta * _F32(1024)))
        taps = [tab[off, 1], tab[off, 0], tab[1024 - off, 0], tab[1024 - off, 1]]
        ws = []
        for k, tw in enumerate(taps):
            j = loc - 1 + k
            ws.append((min(max(j, 0), n_in - 1), _F32(tw) if 0 <= j < n_in else _F32(0)))
        total = _F32(sum(v for _, v in ws))
        inv = _F32(1) / total if abs(total) >= 1000 * np.finfo(np.float32).tiny else _F32(1)
        for j, v in ws:
            w[i, j] += v * inv
    return w


def _area_weights(n_in: int, n_out: int) -> np.ndarray:
    scale = _F32(n_in) / _F32(n_out)
    w = np.zeros((n_out, n_in), np.float32)
    for i in range(n_out):
        lo = _F32(i) * scale
        hi = _F32(i + 1) * scale
        j = int(np.floor(lo))
        while j < hi:
            part = min(_F32(j + 1), hi) - max(_F32(j), lo)
            w[i, min(max(j, 0), n_in - 1)] += part
            j += 1
    return w / scale


def _nearest_index(n_in: int, n_out: int) -> np.ndarray:
    scale = _F32(n_in) / _F32(n_out)
    x = (np.arange(n_out, dtype=np.float32) + _F32(0.5)) * scale
    return np.minimum(np.floor(x).astype(np.int64), n_in - 1)


_WEIGHTS = {"bilinear": _bilinear_weights, "bicubic": _bicubic_weights, "area": _area_weights}
_KERNELS = {"bilinear": "linear", "bicubic": "cubic", "lanczos3": "lanczos3",
            "lanczos5": "lanczos5"}


def _resize_impl(x, method, size, antialias):
    h, w = size
    if method == "nearest":
        x = jnp.take(x, _nearest_index(x.shape[1], h), axis=1)
        return jnp.take(x, _nearest_index(x.shape[2], w), axis=2)
    x = x.astype(jnp.float32)
    if method == "area" or method in _WEIGHTS and not antialias:
        wf = _WEIGHTS[method]
        hi = jax.lax.Precision.HIGHEST
        x = jnp.einsum("hH,bHWc->bhWc", wf(x.shape[1], h), x, precision=hi)
        return jnp.einsum("wW,bhWc->bhwc", wf(x.shape[2], w), x, precision=hi)
    scale = jnp.array([h / x.shape[1], w / x.shape[2]], jnp.float32)
    return jax.image.scale_and_translate(x, (x.shape[0], h, w, x.shape[3]), (1, 2), scale,
                                         jnp.zeros(2, jnp.float32), _KERNELS[method],
                                         antialias=antialias)


_OPS = {
    "bilinear": op("resize_bilinear", "ResizeBilinear", _resize_impl, dtypes=_RESIZE_DTYPES),
    "nearest": op("resize_nearest_neighbor", "ResizeNearestNeighbor", _resize_impl,
                  dtypes=_RESIZE_DTYPES),
    "bicubic": op("resize_bicubic", "ResizeBicubic", _resize_impl, dtypes=_RESIZE_DTYPES),
    "area": op("resize_area", "ResizeArea", _resize_impl, dtypes=_RESIZE_DTYPES,
               differentiable=False),
    "scale_and_translate": op("scale_and_translate", "ScaleAndTranslate", _resize_impl,
                              dtypes=_RESIZE_DTYPES),
}


def _run_resize(images: Tensor, method: str, size, antialias: bool) -> Tensor:
    if method in ("bilinear", "bicubic") and antialias or method in ("lanczos3", "lanczos5"):
        o = _OPS["scale_and_translate"]
    else:
        o = _OPS[method]
    check_type(o.tf_name, images.dtype)
    if size[0] <= 0 or size[1] <= 0:
        raise kernel_error(o.tf_name, "output dimensions must be positive",
                           InvalidArgumentError, "")
    static = {"method": method, "size": tuple(size), "antialias": bool(antialias)}
    return execute(o, (images,), tuple(static.items()), static)


def _static_size(size):
    try:
        s = convert_to_tensor(size, dtype=_d.int32)
    except (TypeError, ValueError):
        raise ValueError("'size' must be a 1-D int32 Tensor") from None
    if tuple(vshape(s)) != (2,):
        raise ValueError("'size' must be a 1-D Tensor of 2 elements: new_height, new_width")
    # Note: tftape needs the output size on the host (XLA shapes are static); a size tensor
    # computed inside tf.function cannot be used.
    if isinstance(size, (list, tuple)) and all(isinstance(v, (int, np.integer)) for v in size):
        return [int(v) for v in size]
    return [int(v) for v in np.asarray(to_static(s))]


def resize(images, size, method=ResizeMethod.BILINEAR, preserve_aspect_ratio=False,
           antialias=False, name=None) -> Tensor:
    """Resizes ``images`` ([h, w, c] or [b, h, w, c]) to ``size`` with TF 2.x semantics.

    Every method but ``nearest`` returns float32; ``nearest`` keeps the dtype.

    >>> import tftape as tf
    >>> tf.image.resize(tf.ones([2, 2, 1]), [4, 4]).shape
    TensorShape([4, 4, 1])
    """
    images = convert_to_tensor(images)
    nd = len(vshape(images))
    if nd not in (3, 4):
        raise ValueError("'images' must have either 3 or 4 dimensions.")
    batched = nd == 4
    if not batched:
        images = _a.expand_dims(images, 0)
    _, h, w, _ = vshape(images)
    size = _static_size(size)
    if preserve_aspect_ratio:
        f = min(_F32(size[0]) / _F32(h), _F32(size[1]) / _F32(w))
        size = [int(np.round(_F32(f * _F32(h)))), int(np.round(_F32(f * _F32(w))))]
    method = str(method).lower() if isinstance(method, str) else method
    if method not in ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5"):
        if method in ("gaussian", "mitchellcubic"):
            raise NotImplementedError(f"tftape: tf.image.resize method {method!r} "
                                      "is not implemented")
        raise ValueError(f"Resize method is not implemented: {method}")
    out = _run_resize(images, method, size, antialias)
    return out if batched else _a.squeeze(out, axis=[0])


def resize_with_pad(image, target_height, target_width, method=ResizeMethod.BILINEAR,
                    antialias=False) -> Tensor:
    """Resizes keeping the aspect ratio, then pads with zeros to the target size."""
    from ._geometry import _batch, pad_to_bounding_box
    image, batched = _batch(image)
    check_at_least_3d(image)
    if not target_width > 0:
        raise ValueError("target_width must be > 0.")
    if not target_height > 0:
        raise ValueError("target_height must be > 0.")
    _, height, width, _ = vshape(image)
    fh, fw = _F32(height), _F32(width)
    fth, ftw = _F32(target_height), _F32(target_width)
    ratio = max(fw / ftw, fh / fth)
    rh, rw = fh / ratio, fw / ratio
    ph = max(0, int(np.floor((fth - rh) / _F32(2))))
    pw = max(0, int(np.floor((ftw - rw) / _F32(2))))
    resized = resize(image, [int(np.floor(rh)), int(np.floor(rw))], method, antialias=antialias)
    out = pad_to_bounding_box(resized, ph, pw, target_height, target_width)
    return out if batched else _a.squeeze(out, axis=[0])


del _m

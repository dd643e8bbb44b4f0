"""Image quality metrics: ``psnr`` and ``ssim`` (TF's formulas, Gaussian window)."""
from __future__ import annotations

import numpy as np

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._core.tensor import Tensor, vshape
from .._ops import array_ops as _a
from .._ops import math_ops as _m
from .._ops.conv_ops import depthwise_conv2d
from ._color import convert_image_dtype


def _check_pair(a, b):
    sa, sb = vshape(a), vshape(b)
    for s in (sa, sb):
        if len(s) < 3:
            raise ValueError(f"Shape must be at least rank 3 but is rank {len(s)}")
    if tuple(sa[-3:]) != tuple(sb[-3:]):
        raise ValueError(f"Shapes {_shape(sa)} and {_shape(sb)} are incompatible")


def _shape(s):
    return "(" + ", ".join(str(d) for d in s) + ("," if len(s) == 1 else "") + ")"


def _scaled(a, b, max_val):
    max_val = convert_image_dtype(_m.cast(max_val, a.dtype), _d.float32)
    return convert_image_dtype(a, _d.float32), convert_image_dtype(b, _d.float32), max_val


def psnr(a, b, max_val, name=None) -> Tensor:
    """Peak signal-to-noise ratio per image: 20 log10(max_val) - 10 log10(mse)."""
    a, b = convert_to_tensor(a), convert_to_tensor(b)
    _check_pair(a, b)
    a, b, max_val = _scaled(a, b, max_val)
    mse = _m.reduce_mean(_m.squared_difference(a, b), [-3, -2, -1])
    return _m.subtract(20 * _m.log(max_val) / _m.log(convert_to_tensor(10.0)),
                       np.float32(10 / np.log(10)) * _m.log(mse))


def _gauss(size: int, sigma: float) -> np.ndarray:
    # Computed as TF does (float32 throughout, a softmax over the squared distances).
    coords = np.arange(size, dtype=np.float32) - np.float32(size - 1) / np.float32(2.0)
    g = np.square(coords) * (np.float32(-0.5) / np.square(np.float32(sigma)))
    g = (g.reshape(1, -1) + g.reshape(-1, 1)).reshape(-1)
    g = np.exp(g - g.max())
    return (g / g.sum()).astype(np.float32).reshape(size, size, 1, 1)


def _ssim_per_channel(x, y, max_val, filter_size, filter_sigma, k1, k2):
    s = vshape(x)
    if s[-3] < filter_size or s[-2] < filter_size:
        from .._core.errors import InvalidArgumentError
        raise InvalidArgumentError(None, None, "Expected 'tf.Tensor(False, shape=(), "
                                               "dtype=bool)' to be true.")
    kernel = convert_to_tensor(np.tile(_gauss(filter_size, filter_sigma), [1, 1, s[-1], 1]))

    def reducer(t):
        flat = _a.reshape(t, [-1] + list(s[-3:]))
        out = depthwise_conv2d(flat, kernel, strides=[1, 1, 1, 1], padding="VALID")
        return _a.reshape(out, list(s[:-3]) + list(vshape(out)[1:]))

    c1 = (k1 * max_val) ** 2
    c2 = (k2 * max_val) ** 2
    mean0, mean1 = reducer(x), reducer(y)
    num0 = mean0 * mean1 * 2.0
    den0 = _m.square(mean0) + _m.square(mean1)
    luminance = (num0 + c1) / (den0 + c1)
    num1 = reducer(x * y) * 2.0
    den1 = reducer(_m.square(x) + _m.square(y))
    cs = (num1 - num0 + c2) / (den1 - den0 + c2)
    return luminance, cs


def ssim(img1, img2, max_val, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03,
         return_index_map=False) -> Tensor:
    """Structural similarity per image (mean over channels), as ``tf.image.ssim``."""
    a, b = convert_to_tensor(img1), convert_to_tensor(img2)
    _check_pair(a, b)
    a, b, max_val = _scaled(a, b, max_val)
    lum, cs = _ssim_per_channel(a, b, max_val, int(filter_size), float(filter_sigma), k1, k2)
    val = lum * cs
    if not return_index_map:
        val = _m.reduce_mean(val, [-3, -2])
    return _m.reduce_mean(val, [-1])

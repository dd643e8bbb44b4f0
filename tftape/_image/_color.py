"""Colour adjustments and conversions, ``convert_image_dtype`` and image statistics."""
from __future__ import annotations

import jax.numpy as jnp

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._core.registry import execute, op
from .._core.tensor import Tensor, vshape
from .._ops import array_ops as _a
from .._ops import math_ops as _m
from ._common import check_at_least_3d, check_type, shape_str
from .._ops._util import fmt_shape

_HSV_DTYPES = (_d.float16, _d.bfloat16, _d.float32, _d.float64)


def convert_image_dtype(image, dtype, saturate=False, name=None) -> Tensor:
    """Casts, rescaling between integer ranges and [0, 1] floats as TF does.

    >>> import tftape as tf
    >>> tf.image.convert_image_dtype(tf.constant([0, 255], tf.uint8), tf.float32).numpy()
    array([0., 1.], dtype=float32)
    """
    image = convert_to_tensor(image)
    dtype = _d.as_dtype(dtype)
    if not dtype.is_floating and not dtype.is_integer:
        raise AttributeError("dtype must be either floating point or integer")
    if not image.dtype.is_floating and not image.dtype.is_integer:
        raise AttributeError("image dtype must be either floating point or integer")
    if dtype == image.dtype:
        return _a.identity(image)
    src = image.dtype
    src_max = int(src.max) if src.is_integer else 0
    dst_max = int(dtype.max) if dtype.is_integer else 0
    if src.is_integer and dtype.is_integer:
        if src_max > dst_max:
            scaled = _m.floordiv(image, (src_max + 1) // (dst_max + 1))
            return _m.saturate_cast(scaled, dtype) if saturate else _m.cast(scaled, dtype)
        cast = _m.saturate_cast(image, dtype) if saturate else _m.cast(image, dtype)
        return _m.multiply(cast, (dst_max + 1) // (src_max + 1))
    if src.is_floating and dtype.is_floating:
        return _m.cast(image, dtype)
    if src.is_integer:
        return _m.multiply(_m.cast(image, dtype), 1.0 / src_max)
    scaled = _m.multiply(image, dst_max + 0.5)
    return _m.saturate_cast(scaled, dtype) if saturate else _m.cast(scaled, dtype)


def _to_float(image):
    image = convert_to_tensor(image)
    if image.dtype in (_d.float16, _d.float32):
        return image, image.dtype
    return convert_image_dtype(image, _d.float32), image.dtype


def adjust_brightness(image, delta) -> Tensor:
    """Adds ``delta`` (in [0, 1] float units) to every channel."""
    flt, orig = _to_float(image)
    out = _m.add(flt, _m.cast(delta, flt.dtype))
    return convert_image_dtype(out, orig, saturate=True)


def _contrast_impl(x, factor):
    mean = jnp.mean(x.astype(jnp.float32), axis=(-3, -2), keepdims=True).astype(x.dtype)
    return ((x - mean) * factor.astype(x.dtype) + mean).astype(x.dtype)


_contrast = op("adjust_contrast", "AdjustContrastv2", _contrast_impl,
               dtypes=(_d.float16, _d.float32), differentiable=False)


def _no_half_kernel(tf_name, dtype):
    # Note: TF's CPU kernels of the adjust ops are float32 only (XLA has half ones).
    if dtype == _d.float16:
        from .._core.errors import NotFoundError
        raise NotFoundError(None, None, f"Could not find device for node: {{{{node {tf_name}}}}}"
                                        f" = {tf_name}[T=DT_HALF]\nAll kernels registered for op "
                                        f"{tf_name}:\n  device='XLA_CPU_JIT'; T in [DT_FLOAT, "
                                        f"DT_HALF]\n  device='CPU'; T in [DT_FLOAT]\n "
                                        f"[Op:{tf_name}] name: ")


def _need_3d(o, image):
    if len(vshape(image)) < 3:
        from .._core.registry import raise_invalid
        raise_invalid(o, f"input must be at least 3-D, got shape{fmt_shape(vshape(image))}")


def adjust_contrast(images, contrast_factor) -> Tensor:
    """(x - mean) * contrast_factor + mean, the mean per image and channel."""
    flt, orig = _to_float(images)
    check_type("AdjustContrastv2", flt.dtype)
    _no_half_kernel("AdjustContrastv2", flt.dtype)
    _need_3d(_contrast, flt)
    f = convert_to_tensor(contrast_factor, dtype=_d.float32)
    out = execute(_contrast, (flt, f))
    return convert_image_dtype(out, orig, saturate=True)


def adjust_gamma(image, gamma=1, gain=1) -> Tensor:
    """gain * image ** gamma."""
    flt, orig = _to_float(image)
    if isinstance(gamma, (int, float)) and gamma < 0:
        raise ValueError("Gamma should be a non-negative real number.")
    out = gain * flt ** gamma
    return convert_image_dtype(out, orig, saturate=True)


# -- HSV ---------------------------------------------------------------------------------------
def _rgb_to_hsv(x):
    r, g, b = x[..., 0], x[..., 1], x[..., 2]
    v = jnp.maximum(jnp.maximum(r, g), b)
    rng = v - jnp.minimum(jnp.minimum(r, g), b)
    s = jnp.where(v > 0, rng / jnp.where(v > 0, v, 1), 0)
    norm = 1 / (6 * rng)
    h = jnp.where(r == v, norm * (g - b),
                  jnp.where(g == v, norm * (b - r) + 2.0 / 6.0, norm * (r - g) + 4.0 / 6.0))
    h = jnp.where(rng > 0, h, 0)
    h = jnp.where(h < 0, h + 1, h)
    return jnp.stack([h, s, v], axis=-1).astype(x.dtype)


def _hsv_to_rgb(x):
    h, s, v = x[..., 0], x[..., 1], x[..., 2]
    c = s * v
    m = v - c
    dh = h * 6
    cat = jnp.floor(dh)
    fmodu = jnp.mod(dh, 2)
    xx = c * (1 - jnp.abs(fmodu - 1))
    z = jnp.zeros_like(c)
    table = [(c, xx, z), (xx, c, z), (z, c, xx), (z, xx, c), (xx, z, c), (c, z, xx)]
    r, g, b = z, z, z
    for k, (rr, gg, bb) in enumerate(table):
        sel = cat == k
        r, g, b = jnp.where(sel, rr, r), jnp.where(sel, gg, g), jnp.where(sel, bb, b)
    return jnp.stack([r + m, g + m, b + m], axis=-1).astype(x.dtype)


_rgb_hsv = op("rgb_to_hsv", "RGBToHSV", _rgb_to_hsv, dtypes=_HSV_DTYPES,
              signature="images:T -> output:T")
# Note: TF registers no gradient for HSVToRGB (a tape gives None), so neither does tftape.
_hsv_rgb = op("hsv_to_rgb", "HSVToRGB", _hsv_to_rgb, dtypes=_HSV_DTYPES, differentiable=False,
              signature="images:T -> output:T")


def _last_dim_3(o, t):
    s = vshape(t)
    if len(s) < 1 or s[-1] != 3:
        from .._core.errors import FailedPreconditionError, kernel_error
        raise kernel_error(o.tf_name, "input must have 3 channels but input only has "
                                      f"{s[-1] if s else 0} channels.", FailedPreconditionError)


def rgb_to_hsv(images, name=None) -> Tensor:
    """RGB in [0, 1] to hue, saturation, value (each in [0, 1])."""
    t = convert_to_tensor(images)
    check_type("RGBToHSV", t.dtype)
    _last_dim_3(_rgb_hsv, t)
    return execute(_rgb_hsv, (t,))


def hsv_to_rgb(images, name=None) -> Tensor:
    """Hue, saturation, value to RGB."""
    t = convert_to_tensor(images)
    check_type("HSVToRGB", t.dtype)
    _last_dim_3(_hsv_rgb, t)
    return execute(_hsv_rgb, (t,))


def _saturation_impl(x, factor):
    hsv = _rgb_to_hsv(x.astype(jnp.float32))
    s = jnp.clip(hsv[..., 1] * factor, 0.0, 1.0)
    return _hsv_to_rgb(hsv.at[..., 1].set(s)).astype(x.dtype)


def _hue_impl(x, delta):
    hsv = _rgb_to_hsv(x.astype(jnp.float32))
    h = jnp.mod(hsv[..., 0] + delta, 1.0)
    return _hsv_to_rgb(hsv.at[..., 0].set(h)).astype(x.dtype)


_saturation = op("adjust_saturation", "AdjustSaturation", _saturation_impl,
                 dtypes=(_d.float16, _d.float32), differentiable=False)
_hue = op("adjust_hue", "AdjustHue", _hue_impl, dtypes=(_d.float16, _d.float32),
          differentiable=False)


def adjust_saturation(image, saturation_factor, name=None) -> Tensor:
    """Scales the HSV saturation by ``saturation_factor`` (clipped to [0, 1])."""
    flt, orig = _to_float(image)
    check_type("AdjustSaturation", flt.dtype)
    _no_half_kernel("AdjustSaturation", flt.dtype)
    _last_dim_3(_saturation, flt)
    f = convert_to_tensor(saturation_factor, dtype=_d.float32)
    return convert_image_dtype(execute(_saturation, (flt, f)), orig)


def adjust_hue(image, delta, name=None) -> Tensor:
    """Rotates the HSV hue by ``delta`` (in [-1, 1], a fraction of a full turn)."""
    if isinstance(delta, (int, float)) and not -1 <= delta <= 1:
        raise ValueError("delta must be in the interval [-1, 1]")
    flt, orig = _to_float(image)
    check_type("AdjustHue", flt.dtype)
    _no_half_kernel("AdjustHue", flt.dtype)
    _last_dim_3(_hue, flt)
    d = convert_to_tensor(delta, dtype=_d.float32)
    return convert_image_dtype(execute(_hue, (flt, d)), orig)


def rgb_to_grayscale(images, name=None) -> Tensor:
    """Luma with weights (0.2989, 0.5870, 0.1140), keeping a last axis of size 1."""
    images = convert_to_tensor(images)
    orig = images.dtype
    flt = convert_image_dtype(images, _d.float32)
    from .._ops.linalg_ops import tensordot
    gray = tensordot(flt, convert_to_tensor([0.2989, 0.5870, 0.1140]), [[-1], [-1]])
    return convert_image_dtype(_a.expand_dims(gray, -1), orig)


def grayscale_to_rgb(images, name=None) -> Tensor:
    """Repeats the single channel three times."""
    images = convert_to_tensor(images)
    s = vshape(images)
    if len(s) < 2:
        raise ValueError(f"A grayscale image (shape {shape_str(images)}) must be at least "
                         "two-dimensional.")
    if s[-1] != 1:
        raise ValueError("Last dimension of a grayscale image should be size 1.")
    return _a.tile(images, [1] * (len(s) - 1) + [3])


def per_image_standardization(image) -> Tensor:
    """(x - mean) / max(stddev, 1 / sqrt(num_pixels)) per image."""
    image = convert_to_tensor(image)
    check_at_least_3d(image)
    image = _m.cast(image, _d.float32)
    s = vshape(image)
    n = s[-1] * s[-2] * s[-3]
    mean = _m.reduce_mean(image, axis=[-1, -2, -3], keepdims=True)
    std = _m.reduce_std(image, axis=[-1, -2, -3], keepdims=True)
    min_std = _m.rsqrt(_m.cast(n, image.dtype))
    return _m.divide(image - mean, _m.maximum(std, min_std))


def image_gradients(image):
    """(dy, dx): forward differences, zero in the last row / column."""
    image = convert_to_tensor(image)
    s = vshape(image)
    if len(s) != 4:
        raise ValueError("image_gradients expects a 4D tensor [batch_size, h, w, d], not "
                         f"{shape_str(image)}.")
    b, h, w, d = s
    dy = image[:, 1:, :, :] - image[:, :-1, :, :]
    dx = image[:, :, 1:, :] - image[:, :, :-1, :]
    dy = _a.concat([dy, _a.zeros([b, 1, w, d], image.dtype)], 1)
    dx = _a.concat([dx, _a.zeros([b, h, 1, d], image.dtype)], 2)
    return dy, dx


def total_variation(images, name=None) -> Tensor:
    """Sum of absolute differences of neighbouring pixels (per image for a batch)."""
    images = convert_to_tensor(images)
    nd = len(vshape(images))
    if nd == 3:
        d1 = images[1:, :, :] - images[:-1, :, :]
        d2 = images[:, 1:, :] - images[:, :-1, :]
        axis = None
    elif nd == 4:
        d1 = images[:, 1:, :, :] - images[:, :-1, :, :]
        d2 = images[:, :, 1:, :] - images[:, :, :-1, :]
        axis = [1, 2, 3]
    else:
        raise ValueError("'images' must be either 3 or 4-dimensional.")
    # Note: tftape's abs also takes complex numbers (TF's Abs does not), so TF's message for
    # a type Abs rejects is raised here.
    check_type("Abs", images.dtype)
    return _m.reduce_sum(_m.abs(d1), axis=axis) + _m.reduce_sum(_m.abs(d2), axis=axis)


# -- random adjustments (tftape's random streams with TF's seed rules) -----------------------
def _uniform(lo, hi, seed):
    from .._ops.random_ops import uniform
    return uniform([], lo, hi, seed=seed)


def random_brightness(image, max_delta, seed=None) -> Tensor:
    """``adjust_brightness`` by a delta drawn from [-max_delta, max_delta)."""
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    return adjust_brightness(image, _uniform(-max_delta, max_delta, seed))


def _check_range(lower, upper):
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")


def random_contrast(image, lower, upper, seed=None) -> Tensor:
    """``adjust_contrast`` by a factor drawn from [lower, upper)."""
    _check_range(lower, upper)
    return adjust_contrast(image, _uniform(lower, upper, seed))


def random_saturation(image, lower, upper, seed=None) -> Tensor:
    """``adjust_saturation`` by a factor drawn from [lower, upper)."""
    _check_range(lower, upper)
    return adjust_saturation(image, _uniform(lower, upper, seed))


def random_hue(image, max_delta, seed=None) -> Tensor:
    """``adjust_hue`` by a delta drawn from [-max_delta, max_delta) (max_delta <= 0.5)."""
    if max_delta > 0.5:
        raise ValueError("max_delta must be <= 0.5.")
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    return adjust_hue(image, _uniform(-max_delta, max_delta, seed))

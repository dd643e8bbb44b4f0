"""More of ``tf.nn``: atrous and separable convolutions, depthwise backprops, morphology,
``max_pool_with_argmax``, ``space_to_batch``, approximate top-k and global batch norm."""
from __future__ import annotations

from collections import namedtuple

import numpy as np
import jax
import jax.numpy as jnp
from jax import lax

from .._core import dtypes as _d
from .._core.convert import to_static
from .._core.errors import kernel_error
from .._core.registry import check_dtype, convert_inputs, execute, op
from .._core.tensor import Tensor, vshape
from . import conv_ops as _c
from ._util import REAL, tensor


# -- atrous and separable convolutions ------------------------------------------------------------
def atrous_conv2d(value, filters, rate, padding, name=None) -> Tensor:
    """2-D convolution with holes: ``filters`` are dilated by ``rate`` (stride 1).

    >>> import tftape as tf
    >>> tf.nn.atrous_conv2d(tf.ones((1, 5, 5, 1)), tf.ones((2, 2, 1, 1)), 2, "VALID").shape
    TensorShape([1, 3, 3, 1])
    """
    r = int(to_static(rate))
    if r < 1:
        raise ValueError(f"rate {r} cannot be less than one")
    return _c.convolution(value, filters, 1, padding, "NHWC", r)


def atrous_conv2d_transpose(value, filters, output_shape, rate, padding, name=None) -> Tensor:
    """The transpose of ``atrous_conv2d``; ``filters`` is [h, w, out_channels, in_channels]."""
    r = int(to_static(rate))
    if r < 1:
        raise ValueError(f"rate {r} cannot be less than one")
    if padding not in ("SAME", "VALID"):
        raise _c._attr_error("Conv2DBackpropInput", "padding", padding,
                             '"SAME", "VALID", "EXPLICIT"', "")
    w = tensor(value)
    f = tensor(filters)
    if vshape(w)[3] != vshape(f)[3]:
        raise ValueError(f"`value` channel count must be compatible with `filters` input "
                         f"channel count. Received: value.shape={tuple(vshape(w))} with channel "
                         f"count {vshape(w)[3]} and filters.shape={tuple(vshape(f))} with input "
                         f"channel count {vshape(f)[3]}.")
    return _c.conv_transpose(value, filters, output_shape, 1, padding, "NHWC", r)


def separable_conv2d(input, depthwise_filter, pointwise_filter, strides, padding,  # noqa: A002
                     data_format=None, dilations=None, name=None) -> Tensor:
    """A depthwise convolution followed by a 1x1 (pointwise) convolution.

    >>> import tftape as tf
    >>> tf.nn.separable_conv2d(tf.ones((1, 4, 4, 2)), tf.ones((3, 3, 2, 2)),
    ...                        tf.ones((1, 1, 4, 3)), [1, 1, 1, 1], "VALID").shape
    TensorShape([1, 2, 2, 3])
    """
    dw = tensor(depthwise_filter)
    pw = tensor(pointwise_filter)
    if pw.ndim != 4 or vshape(pw)[0] != 1 or vshape(pw)[1] != 1:
        raise ValueError(f"Shapes must be equal rank, but are 2 and {pw.ndim}" if pw.ndim != 4
                         else "Dimension must be 1 but is " + str(vshape(pw)[0]))
    depth = _c.depthwise_conv2d(input, dw, strides, padding, data_format, dilations)
    return _c.convolution(depth, pw, 1, "VALID", data_format)


# -- depthwise convolution backprops --------------------------------------------------------------
def _depthwise(x, w, strides, padding, dilations, dims):
    h, wd, c, mult = w.shape
    return _c._conv_impl(x, w.reshape(h, wd, 1, c * mult), strides, padding, dilations, dims, c)


def _dw_input_impl(w, dy, in_shape, strides, padding, dilations, dims):
    _, vjp = jax.vjp(lambda x: _depthwise(x, w, strides, padding, dilations, dims),
                     jnp.zeros(in_shape, dy.dtype))
    return vjp(dy)[0]


def _dw_filter_impl(x, dy, f_shape, strides, padding, dilations, dims):
    _, vjp = jax.vjp(lambda w: _depthwise(x, w, strides, padding, dilations, dims),
                     jnp.zeros(f_shape, dy.dtype))
    return vjp(dy)[0]


_FLOATS = (_d.float16, _d.bfloat16, _d.float32, _d.float64)
depthwise_conv2d_backprop_input_op = op(
    "depthwise_conv2d_backprop_input", "DepthwiseConv2dNativeBackpropInput", _dw_input_impl,
    dtypes=_FLOATS)
depthwise_conv2d_backprop_filter_op = op(
    "depthwise_conv2d_backprop_filter", "DepthwiseConv2dNativeBackpropFilter", _dw_filter_impl,
    dtypes=_FLOATS)


def _dw_args(strides, padding, data_format, dilations, o):
    cl = data_format is None or not str(data_format).startswith("NC")
    st = _c._spatial(strides, 2, "strides", cl)
    dl = _c._spatial(dilations, 2, "dilations", cl)
    pad = _c._padding(padding, 2, cl, o.tf_name, "")
    return st, pad, dl, _c._dims(2, cl)


def depthwise_conv2d_backprop_input(input_sizes, filter, out_backprop, strides,  # noqa: A002
                                    padding, data_format="NHWC", dilations=(1, 1, 1, 1),
                                    name=None) -> Tensor:
    """The gradient of ``depthwise_conv2d`` with respect to its input (of shape
    ``input_sizes``)."""
    o = depthwise_conv2d_backprop_input_op
    w, dy = convert_inputs(o, (filter, out_backprop))
    shp = tuple(int(i) for i in np.asarray(to_static(input_sizes)).reshape(-1))
    st, pad, dl, dims = _dw_args(strides, padding, data_format, dilations, o)
    return execute(o, (w, dy), (shp, st, pad, dl, dims),
                   {"in_shape": shp, "strides": st, "padding": pad, "dilations": dl,
                    "dims": dims})


def depthwise_conv2d_backprop_filter(input, filter_sizes, out_backprop, strides,  # noqa: A002
                                     padding, data_format="NHWC", dilations=(1, 1, 1, 1),
                                     name=None) -> Tensor:
    """The gradient of ``depthwise_conv2d`` with respect to its filter (of shape
    ``filter_sizes``)."""
    o = depthwise_conv2d_backprop_filter_op
    x, dy = convert_inputs(o, (input, out_backprop))
    shp = tuple(int(i) for i in np.asarray(to_static(filter_sizes)).reshape(-1))
    st, pad, dl, dims = _dw_args(strides, padding, data_format, dilations, o)
    return execute(o, (x, dy), (shp, st, pad, dl, dims),
                   {"f_shape": shp, "strides": st, "padding": pad, "dilations": dl,
                    "dims": dims})


# -- windows: morphology and max pooling with argmax ----------------------------------------------
def _same_pads(size, k, s):
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def _windows(x, ksize, strides, rates, padding, fill):
    """Every window position's values, stacked on a new last axis (row-major over the window),
    with the flat (h, w) input position of each; padding holds ``fill`` and position -1."""
    _, h, w, _ = x.shape
    kh, kw = ksize
    eh, ew = (kh - 1) * rates[0] + 1, (kw - 1) * rates[1] + 1
    if padding == "SAME":
        (pt, pb), (pl, pr) = _same_pads(h, eh, strides[0]), _same_pads(w, ew, strides[1])
    else:
        pt = pb = pl = pr = 0
    oh = (h + pt + pb - eh) // strides[0] + 1
    ow = (w + pl + pr - ew) // strides[1] + 1
    xp = jnp.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)), constant_values=fill)
    pos = np.pad(np.arange(h * w).reshape(h, w), ((pt, pb), (pl, pr)), constant_values=-1)
    vals, idx = [], []
    for dy in range(kh):
        for dx in range(kw):
            y0, x0 = dy * rates[0], dx * rates[1]
            ys = slice(y0, y0 + (oh - 1) * strides[0] + 1, strides[0])
            xs = slice(x0, x0 + (ow - 1) * strides[1] + 1, strides[1])
            vals.append(xp[:, ys, xs, :])
            idx.append(pos[ys, xs])
    return jnp.stack(vals, -1), np.stack(idx, -1), (oh, ow)


def _lowest(dtype):
    return -np.inf if jnp.issubdtype(dtype, jnp.floating) else jnp.iinfo(dtype).min


def _dilation_impl(x, f, strides, rates, padding):
    vals, _, _ = _windows(x, f.shape[:2], strides, rates, padding, _lowest(x.dtype))
    kh, kw, c = f.shape
    vals = vals + jnp.moveaxis(f.reshape(kh * kw, c), 0, -1)
    # Note: TF sends the gradient to the first maximum of each window (jnp.max would split it
    # between ties).
    best = jnp.argmax(vals, axis=-1)
    return jnp.take_along_axis(vals, best[..., None], axis=-1)[..., 0]


_dilation2d = op("dilation2d", "Dilation2D", _dilation_impl, dtypes=REAL,
                 signature="input:T, filter:T -> output:T")


def _morph_args(x, f, strides, padding, data_format, dilations, who):
    if data_format != "NHWC":
        raise ValueError("Data formats other than NHWC are not yet supported")
    if x.ndim != 4:
        raise ValueError(f"Shape must be rank 4 but is rank {x.ndim}")
    if f.ndim != 3:
        raise ValueError(f"Shape must be rank 3 but is rank {f.ndim}")
    st = _c._spatial(strides, 2, "strides")
    rt = _c._spatial(dilations, 2, "dilations")
    if padding not in ("SAME", "VALID"):
        raise _c._attr_error("Dilation2D", "padding", padding, '"SAME", "VALID"', "")
    if vshape(x)[3] != vshape(f)[2]:
        raise kernel_error("Dilation2D", f"input and filter must have the same depth: "
                                         f"{vshape(x)[3]} vs {vshape(f)[2]}")
    return st, rt


def dilation2d(input, filters, strides, padding, data_format, dilations,  # noqa: A002
               name=None) -> Tensor:
    """Grayscale dilation: the max over each window of ``input + filters`` ([h, w, depth]).

    >>> import tftape as tf
    >>> x = tf.reshape(tf.range(9.), (1, 3, 3, 1))
    >>> tf.nn.dilation2d(x, tf.zeros((2, 2, 1)), [1, 1, 1, 1], "VALID", "NHWC",
    ...                  [1, 1, 1, 1])[0, :, :, 0].numpy().tolist()
    [[4.0, 5.0], [7.0, 8.0]]
    """
    x, f = convert_inputs(_dilation2d, (input, filters))
    st, rt = _morph_args(x, f, strides, padding, data_format, dilations, "dilation2d")
    return execute(_dilation2d, (x, f), (st, rt, padding),
                   {"strides": st, "rates": rt, "padding": padding})


def erosion2d(value, filters, strides, padding, data_format, dilations, name=None) -> Tensor:
    """Grayscale erosion: the min over each window of ``value - reversed filters``."""
    from .array_ops import reverse
    x, f = convert_inputs(_dilation2d, (value, filters))
    return -dilation2d(-x, reverse(f, [0, 1]), strides, padding, data_format, dilations)


def _argmax_pool_impl(x, ksize, strides, padding, batch_index):
    b, h, w, c = x.shape
    vals, pos, _ = _windows(x, ksize, strides, (1, 1), padding, _lowest(x.dtype))
    best = jnp.argmax(vals, axis=-1)                                   # (b, oh, ow, c)
    out = jnp.take_along_axis(vals, best[..., None], axis=-1)[..., 0]
    flat = jnp.take_along_axis(jnp.asarray(pos)[None, :, :, None, :],
                               best[..., None], axis=-1)[..., 0]       # h * W + w
    idx = flat.astype(jnp.int64) * c + jnp.arange(c, dtype=jnp.int64)
    if batch_index:
        idx = idx + (jnp.arange(b, dtype=jnp.int64) * (h * w * c))[:, None, None, None]
    return out, idx


_max_pool_argmax = op("max_pool_with_argmax", "MaxPoolWithArgmax", _argmax_pool_impl,
                      dtypes=REAL, signature="input:T -> output:T, argmax:Targmax")
MaxPoolWithArgmax = namedtuple("MaxPoolWithArgmax", ["output", "argmax"])


def max_pool_with_argmax(input, ksize, strides, padding, data_format="NHWC",  # noqa: A002
                         output_dtype=_d.int64, include_batch_in_index=False,
                         name=None):
    """2-D max pooling that also returns each maximum's flat index ``(y * W + x) * C + c``
    (plus ``b * H * W * C`` with ``include_batch_in_index``).

    >>> import tftape as tf
    >>> x = tf.reshape(tf.range(8.), (1, 2, 2, 2))
    >>> tf.nn.max_pool_with_argmax(x, 2, 2, "VALID").argmax.numpy().ravel().tolist()
    [6, 7]
    """
    if data_format != "NHWC":
        raise ValueError(f"`data_format` values other  than 'NHWC' is not supported. Received: "
                         f"data_format={data_format}")
    t = tensor(input)
    check_dtype(_max_pool_argmax, t)
    if t.ndim != 4:
        raise ValueError(f"Shape must be rank 4 but is rank {t.ndim}")
    ks = _c._spatial(ksize, 2, "ksize")
    st = _c._spatial(strides, 2, "strides")
    if padding not in ("SAME", "VALID"):
        raise _c._attr_error("MaxPoolWithArgmax", "padding", padding, '"SAME", "VALID"', "")
    odt = _d.as_dtype(output_dtype)
    out, idx = execute(_max_pool_argmax, (t,), (ks, st, padding, bool(include_batch_in_index)),
                       {"ksize": ks, "strides": st, "padding": padding,
                        "batch_index": bool(include_batch_in_index)})
    if odt is not _d.int64:
        from .math_ops import cast
        idx = cast(idx, odt)
    return MaxPoolWithArgmax(out, idx)


# -- approximate top-k ----------------------------------------------------------------------------
def _approx_impl(x, k, dim, recall, size, agg, is_max):
    # Note: TF's CPU kernel is an exact top-k (XLA's approximate one runs only on TPU), so
    # this is a stable sort: ties keep the lower index, as lax.top_k.
    order = jnp.argsort(x, axis=dim, descending=is_max, stable=True)
    idx = lax.slice_in_dim(order, 0, k, axis=dim)
    return jnp.take_along_axis(x, idx, axis=dim), idx.astype(jnp.int32)


_approx_top_k = op("approx_max_k", "ApproxTopK", _approx_impl,
                   dtypes=(_d.float16, _d.bfloat16, _d.float32),
                   signature="input:T -> values:T, indices:int32")


def _approx(operand, k, reduction_dimension, recall_target, reduction_input_size_override,
            aggregate_to_topk, is_max):
    t = tensor(operand)
    check_dtype(_approx_top_k, t)
    dim = int(reduction_dimension)
    dim = dim + t.ndim if dim < 0 else dim
    kk = int(to_static(k))
    if not 0 <= dim < t.ndim:
        raise kernel_error("ApproxTopK", f"reduction_dim should be in [0, {t.ndim}), "
                                         f"got {reduction_dimension}")
    if kk > vshape(t)[dim]:
        raise kernel_error("ApproxTopK", f"k must be smaller than the reduction dimension: "
                                         f"{kk} > {vshape(t)[dim]}")
    st = (kk, dim, float(recall_target), int(reduction_input_size_override),
          bool(aggregate_to_topk), is_max)
    return list(execute(_approx_top_k, (t,), st, dict(zip(
        ("k", "dim", "recall", "size", "agg", "is_max"), st))))


def approx_max_k(operand, k, reduction_dimension=-1, recall_target=0.95,
                 reduction_input_size_override=-1, aggregate_to_topk=True, name=None):
    """The ``k`` largest values along ``reduction_dimension`` and their int32 indices (exact
    on CPU, as TF's).

    >>> import tftape as tf
    >>> v, i = tf.nn.approx_max_k(tf.constant([1., 5., 3.]), 2)
    >>> v.numpy().tolist(), i.numpy().tolist()
    ([5.0, 3.0], [1, 2])
    """
    return _approx(operand, k, reduction_dimension, recall_target,
                   reduction_input_size_override, aggregate_to_topk, True)


def approx_min_k(operand, k, reduction_dimension=-1, recall_target=0.95,
                 reduction_input_size_override=-1, aggregate_to_topk=True, name=None):
    """The ``k`` smallest values along ``reduction_dimension`` and their int32 indices."""
    return _approx(operand, k, reduction_dimension, recall_target,
                   reduction_input_size_override, aggregate_to_topk, False)


# -- batch normalization with global statistics ---------------------------------------------------
def batch_norm_with_global_normalization(input, mean, variance, beta, gamma,  # noqa: A002
                                         variance_epsilon, scale_after_normalization,
                                         name=None) -> Tensor:
    """``(input - mean) / sqrt(variance + eps) * gamma + beta`` (``gamma`` only used with
    ``scale_after_normalization``)."""
    from .nn_ops import batch_normalization
    return batch_normalization(input, mean, variance, beta,
                               gamma if scale_after_normalization else None, variance_epsilon)

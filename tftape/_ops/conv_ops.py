"""Convolutions and pooling (``tf.nn.conv*``, ``tf.nn.*pool*``) on ``lax`` windows."""
from __future__ import annotations

import numpy as np
import jax
import jax.numpy as jnp
from jax import lax

from .._core import dtypes as _d
from .._core.convert import to_static
from .._core.errors import InvalidArgumentError
from .._core.registry import check_dtype, convert_inputs, execute, op
from .._core.tensor import Tensor, vshape
from . import pool_tiles
from ._util import fmt_shape, tensor

_CONV_TYPES = (_d.float16, _d.bfloat16, _d.float32, _d.float64, _d.int32)
_POOL_FLOAT = (_d.float16, _d.bfloat16, _d.float32, _d.float64)
_MAXPOOL_TYPES = _d.REAL


def _attr_error(o_name, attr, value, allowed, sig):
    return InvalidArgumentError(
        None, None, f"Value for attr '{attr}' of \"{value}\" is not in the list of allowed "
                    f"values: {allowed}\n\t; NodeDef: {{{{node {o_name}}}}}; Op<name={o_name}; "
                    f"signature={sig}> [Op:{o_name}] name: ")


def _spatial(value, n, name, channels_last=True):
    """TF's int-or-list argument (strides, dilations, ksize) as ``n`` spatial values."""
    v = to_static(value)
    if v is None:
        return (1,) * n
    if isinstance(v, int):
        return (v,) * n
    v = list(v)
    if len(v) == 1:
        return (int(v[0]),) * n
    if len(v) == n:
        return tuple(int(i) for i in v)
    if len(v) == n + 2:
        return tuple(int(i) for i in (v[1:-1] if channels_last else v[2:]))
    raise ValueError(f"{name} should be of length 1, {n} or {n + 2}. Received: {name}={value} of "
                     f"length {len(v)}")


def _padding(padding, n, channels_last, o_name, sig):
    if isinstance(padding, str):
        if padding not in ("SAME", "VALID"):
            raise _attr_error(o_name, "padding", padding, '"SAME", "VALID", "EXPLICIT"', sig)
        return padding
    p = [tuple(int(x) for x in row) for row in to_static(padding)]
    return tuple(p[1:-1] if channels_last else p[2:])


def _dims(n, channels_last):
    sp = "DHW"[3 - n:] if n <= 3 else None
    lhs = "N" + sp + "C" if channels_last else "NC" + sp
    return (lhs, sp + "IO", lhs)


# -- convolution ----------------------------------------------------------------------------------
def _conv_impl(x, w, strides, padding, dilations, dims, groups):
    out = lax.conv_general_dilated(x, w, strides, padding, rhs_dilation=dilations,
                                   dimension_numbers=dims, feature_group_count=groups,
                                   preferred_element_type=x.dtype)
    return out.astype(x.dtype)


_conv = op("conv", "Conv2D", _conv_impl, dtypes=_CONV_TYPES,
           signature="input:T, filter:T -> output:T")
_CONV_NAMES = {1: "Conv2D", 2: "Conv2D", 3: "Conv3D"}


def convolution(input, filters, strides=None, padding="VALID", data_format=None,  # noqa: A002
                dilations=None, name=None) -> Tensor:
    """N-D convolution (N = rank - 2) of ``input`` with ``filters`` [spatial..., in, out].

    >>> import tftape as tf
    >>> tf.nn.convolution(tf.ones((1, 4, 4, 1)), tf.ones((3, 3, 1, 1))).shape
    TensorShape([1, 2, 2, 1])
    """
    x, w = convert_inputs(_conv, (input, filters))
    n = w.ndim - 2
    tf_name = _CONV_NAMES.get(n, "Conv2D")
    sig = "input:T, filter:T -> output:T"
    if x.ndim != n + 2:
        raise _kernel(tf_name, f"convolution input must be {n + 2}-dimensional: "
                               f"{fmt_shape(vshape(x))}")
    cl = data_format is None or not str(data_format).startswith("NC")
    st = _spatial(strides, n, "strides", cl)
    dl = _spatial(dilations, n, "dilations", cl)
    pad = _padding(padding, n, cl, tf_name, sig)
    in_c = vshape(x)[-1] if cl else vshape(x)[1]
    f_c = vshape(w)[-2]
    if f_c == 0 or in_c % f_c:
        raise _kernel(tf_name, f"input depth must be evenly divisible by filter depth: {in_c} vs "
                               f"{f_c}")
    groups = in_c // f_c
    dims = _dims(n, cl)
    return execute(_conv, (x, w), (st, pad, dl, dims, groups),
                   {"strides": st, "padding": pad, "dilations": dl, "dims": dims,
                    "groups": groups})


def _kernel(name, msg):
    from .._core.errors import kernel_error
    return kernel_error(name, msg)


def conv2d(input, filters, strides, padding, data_format="NHWC", dilations=None,  # noqa: A002
           name=None) -> Tensor:
    """2-D convolution; ``filters`` is [height, width, in_channels, out_channels]."""
    x = tensor(input)
    if x.ndim != 4:
        raise _kernel("Conv2D", f"convolution input must be 4-dimensional: "
                                f"{fmt_shape(vshape(x))}")
    return convolution(x, filters, strides, padding, data_format, dilations)


def conv1d(input, filters, stride, padding, data_format="NWC", dilations=None,  # noqa: A002
           name=None) -> Tensor:
    """1-D convolution; ``filters`` is [width, in_channels, out_channels]."""
    return convolution(input, filters, stride, padding,
                       "NCW" if data_format == "NCW" else "NWC", dilations)


def conv3d(input, filters, strides, padding, data_format="NDHWC", dilations=None,  # noqa: A002
           name=None) -> Tensor:
    """3-D convolution; ``filters`` is [depth, height, width, in_channels, out_channels]."""
    return convolution(input, filters, strides, padding, data_format, dilations)


def depthwise_conv2d(input, filter, strides, padding, data_format=None,  # noqa: A002
                     dilations=None, name=None) -> Tensor:
    """Per-channel 2-D convolution; ``filter`` is [h, w, in_channels, channel_multiplier]."""
    from .array_ops import reshape
    x, w = convert_inputs(_conv, (input, filter))
    h, wd, c, mult = vshape(w)
    return convolution(x, reshape(w, (h, wd, 1, c * mult)), strides, padding, data_format,
                       dilations)


def _conv_transpose_impl(x, w, out_shape, strides, padding, dilations, dims):
    # The transpose of a convolution is its gradient with respect to the input.
    def fwd(inp):
        return _conv_impl(inp, w, strides, padding, dilations, dims, 1)
    _, vjp = jax.vjp(fwd, jnp.zeros(out_shape, x.dtype))
    return vjp(x)[0]


_conv_t = op("conv_transpose", "Conv2DBackpropInput", _conv_transpose_impl, dtypes=_CONV_TYPES)


def conv_transpose(input, filters, output_shape, strides, padding="SAME",  # noqa: A002
                   data_format=None, dilations=None, name=None) -> Tensor:
    """The transpose (gradient) of ``convolution``; ``filters`` is [spatial..., out, in]."""
    x, w = convert_inputs(_conv_t, (input, filters))
    n = w.ndim - 2
    cl = data_format is None or not str(data_format).startswith("NC")
    st = _spatial(strides, n, "strides", cl)
    dl = _spatial(dilations, n, "dilations", cl)
    pad = _padding(padding, n, cl, "Conv2DBackpropInput", "")
    shp = tuple(int(i) for i in to_static(output_shape))
    dims = _dims(n, cl)
    return execute(_conv_t, (x, w), (shp, st, pad, dl, dims),
                   {"out_shape": shp, "strides": st, "padding": pad, "dilations": dl,
                    "dims": dims})


def conv2d_transpose(input, filters, output_shape, strides, padding="SAME",  # noqa: A002
                     data_format="NHWC", dilations=None, name=None) -> Tensor:
    """The transpose of ``conv2d``."""
    return conv_transpose(input, filters, output_shape, strides, padding, data_format, dilations)


def conv1d_transpose(input, filters, output_shape, strides, padding="SAME",  # noqa: A002
                     data_format="NWC", dilations=None, name=None) -> Tensor:
    """The transpose of ``conv1d``."""
    return conv_transpose(input, filters, output_shape, strides, padding, data_format, dilations)


def conv3d_transpose(input, filters, output_shape, strides, padding="SAME",  # noqa: A002
                     data_format="NDHWC", dilations=None, name=None) -> Tensor:
    """The transpose of ``conv3d``."""
    return conv_transpose(input, filters, output_shape, strides, padding, data_format, dilations)


# -- pooling ---------------------------------------------------------------------------------
def _window(x, ksize, strides, channels_last):
    if channels_last:
        return (1,) + ksize + (1,), (1,) + strides + (1,)
    return (1, 1) + ksize, (1, 1) + strides


def _max_pool_impl(x, ksize, strides, padding, cl):
    spatial = pool_tiles.spatial_axes(x.ndim, cl)
    pads = pool_tiles.tile_pads(x.shape, spatial, ksize, strides, padding)
    if pads is not None:
        return pool_tiles.max_pool(x, spatial, ksize, pads)
    win, st = _window(x, ksize, strides, cl)
    init = -np.inf if jnp.issubdtype(x.dtype, jnp.floating) else jnp.iinfo(x.dtype).min
    # A concrete NumPy init lets JAX recognise the max monoid (and differentiate it).
    return lax.reduce_window(x, np.array(init, x.dtype), lax.max, win, st, padding)


def _avg_pool_impl(x, ksize, strides, padding, cl):
    spatial = pool_tiles.spatial_axes(x.ndim, cl)
    pads = pool_tiles.tile_pads(x.shape, spatial, ksize, strides, padding)
    if pads is not None:
        return pool_tiles.avg_pool(x, spatial, ksize, pads)
    win, st = _window(x, ksize, strides, cl)
    zero = np.array(0, x.dtype)
    s = lax.reduce_window(x, zero, lax.add, win, st, padding)
    # TF averages over the window's in-bounds elements only (padding is not counted).
    c = lax.reduce_window(np.ones(x.shape, x.dtype), zero, lax.add, win, st, padding)
    return s / c


_max_pool = op("max_pool", "MaxPool", _max_pool_impl, dtypes=_MAXPOOL_TYPES,
               signature="input:T -> output:T")
_avg_pool = op("avg_pool", "AvgPool", _avg_pool_impl, dtypes=_POOL_FLOAT,
               signature="value:T -> output:T")


def _pool(o, input, ksize, strides, padding, data_format, n=None):  # noqa: A002
    t = tensor(input)
    check_dtype(o, t)
    n = t.ndim - 2 if n is None else n
    if t.ndim != n + 2:
        raise _kernel(o.tf_name, f"tensor_in_shape must have {n} spatial dimensions. "
                                 f"{t.ndim} {0}")
    cl = data_format is None or not str(data_format).startswith("NC")
    if not cl:
        # Note: TF's CPU pooling kernels reject channels-first data (JAX would not).
        kind = "MaxPooling" if o is _max_pool else "AvgPooling"
        raise _kernel(o.tf_name, f"Default {kind}Op only supports NHWC on device type CPU")
    ks = _spatial(ksize, n, "ksize", cl)
    st = _spatial(strides, n, "strides", cl)
    pad = _padding(padding, n, cl, o.tf_name, o.signature)
    if not isinstance(pad, str):
        pad = ((0, 0),) + pad + ((0, 0),) if cl else ((0, 0), (0, 0)) + pad
    return execute(o, (t,), (ks, st, pad, cl),
                   {"ksize": ks, "strides": st, "padding": pad, "cl": cl})


def max_pool(input, ksize, strides, padding, data_format=None, name=None) -> Tensor:  # noqa: A002
    """N-D max pooling (N = rank - 2).

    >>> import tftape as tf
    >>> tf.nn.max_pool(tf.reshape(tf.range(4.), (1, 2, 2, 1)), 2, 2, "VALID")[0, 0, 0, 0]
    <tf.Tensor: shape=(), dtype=float32, numpy=3.0>
    """
    return _pool(_max_pool, input, ksize, strides, padding, data_format)


def avg_pool(input, ksize, strides, padding, data_format=None, name=None) -> Tensor:  # noqa: A002
    """N-D average pooling (padding is not counted in the average)."""
    return _pool(_avg_pool, input, ksize, strides, padding, data_format)


def max_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    return _pool(_max_pool, input, ksize, strides, padding, data_format, 1)


def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """2-D max pooling over NHWC (or NCHW) input."""
    return _pool(_max_pool, input, ksize, strides, padding, data_format, 2)


def max_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):  # noqa: A002
    return _pool(_max_pool, input, ksize, strides, padding, data_format, 3)


def avg_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    return _pool(_avg_pool, input, ksize, strides, padding, data_format, 1)


def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """2-D average pooling over NHWC (or NCHW) input."""
    return _pool(_avg_pool, input, ksize, strides, padding, data_format, 2)


def avg_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):  # noqa: A002
    return _pool(_avg_pool, input, ksize, strides, padding, data_format, 3)


def pool(input, window_shape, pooling_type, strides=None, padding="VALID",  # noqa: A002
         data_format=None, dilations=None, name=None) -> Tensor:
    """Max or average pooling with ``pooling_type`` ``"MAX"`` or ``"AVG"``."""
    if pooling_type not in ("MAX", "AVG"):
        raise ValueError(f"Invalid pooling_type: {pooling_type}")
    o = _max_pool if pooling_type == "MAX" else _avg_pool
    return _pool(o, input, window_shape, strides if strides is not None else 1, padding,
                 data_format)

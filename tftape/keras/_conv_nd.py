"""Convolutions of rank 1-3: Conv1D/3D, the transposed, depthwise and separable forms.

Each layer runs one registry op whose implementation is a ``jax.lax.conv_general_dilated``
call, so a convolution is one XLA kernel eagerly and one node on a tape.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from .._core.convert import convert_to_tensor
from .._core.registry import execute, op
from .._ops import array_ops as _a
from .._ops._util import FLOAT
from . import activations as _act, initializers as _init
from ._layer import Layer
from ._layer_utils import InputSpec, get_constraint, get_regularizer, ser_activation, \
    ser_constraint, ser_initializer, ser_regularizer, standardize_data_format, \
    standardize_padding, standardize_tuple

_SPATIAL = {1: "W", 2: "HW", 3: "DHW"}


def _dn(rank, channels_first):
    sp = _SPATIAL[rank]
    io = ("NC" + sp) if channels_first else ("N" + sp + "C")
    return io, sp + "IO", io


def _causal_pads(kernel_size, dilation):
    return [((k - 1) * d, 0) for k, d in zip(kernel_size, dilation)]


def _conv_impl(x, k, strides, padding, dilation, groups, channels_first):
    rank = len(strides)
    if padding == "CAUSAL":
        padding = _causal_pads(k.shape[:rank], dilation)
    return jax.lax.conv_general_dilated(x, k, strides, padding, rhs_dilation=dilation,
                                        dimension_numbers=_dn(rank, channels_first),
                                        feature_group_count=groups)


def _conv_t_impl(x, k, strides, pads, dilation, channels_first):
    rank = len(strides)
    # A transposed convolution is the convolution of the stride-dilated input with the
    # spatially flipped kernel whose in/out channels are swapped.
    k = jnp.swapaxes(jnp.flip(k, axis=tuple(range(rank))), -1, -2)
    return jax.lax.conv_general_dilated(x, k, (1,) * rank, pads, lhs_dilation=strides,
                                        rhs_dilation=dilation,
                                        dimension_numbers=_dn(rank, channels_first))


_conv = op("keras_conv", "Conv2D", _conv_impl, dtypes=FLOAT)
_conv_t = op("keras_conv_transpose", "Conv2DBackpropInput", _conv_t_impl, dtypes=FLOAT)


def conv_output_length(n, k, s, padding, d=1):
    if n is None:
        return None
    k = (k - 1) * d + 1
    if padding in ("same", "causal"):
        return (n + s - 1) // s
    return (n - k) // s + 1


def deconv_output_length(n, k, s, padding, output_padding=None, d=1):
    if n is None:
        return None
    k = (k - 1) * d + 1
    if output_padding is None:
        if padding == "valid":
            return n * s + max(k - s, 0)
        return n * s
    pad = k // 2 if padding == "same" else 0
    return (n - 1) * s + k - 2 * pad + output_padding


def run_conv(x, k, strides, padding, dilation, groups, channels_first):
    static = {"strides": tuple(strides), "padding": padding.upper(),
              "dilation": tuple(dilation), "groups": groups,
              "channels_first": channels_first}
    return execute(_conv, (x, k), tuple(static.items()), static)


class _BaseConv(Layer):
    """Shared constructor, weights and config of the convolution layers."""

    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=get_regularizer(activity_regularizer), **kwargs)
        r = self.rank
        self.filters = filters
        self.groups = groups
        self.kernel_size = standardize_tuple(kernel_size, r, "kernel_size")
        self.strides = standardize_tuple(strides, r, "strides")
        self.dilation_rate = standardize_tuple(dilation_rate, r, "dilation_rate")
        self.padding = standardize_padding(padding, allow_causal=r == 1)
        self.data_format = standardize_data_format(data_format)
        self.activation = _act.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = _init.get(kernel_initializer)
        self.bias_initializer = _init.get(bias_initializer)
        self.kernel_regularizer = get_regularizer(kernel_regularizer)
        self.bias_regularizer = get_regularizer(bias_regularizer)
        self.kernel_constraint = get_constraint(kernel_constraint)
        self.bias_constraint = get_constraint(bias_constraint)
        self.input_spec = InputSpec(min_ndim=r + 2)
        if filters is not None and filters <= 0:
            raise ValueError("Invalid value for argument `filters`. Expected a strictly "
                             f"positive value. Received filters={filters}.")
        if groups <= 0:
            raise ValueError("The number of groups must be a positive integer. "
                             f"Received: groups={groups}.")
        if filters is not None and filters % groups:
            raise ValueError("The number of filters must be evenly divisible by the number "
                             f"of groups. Received: groups={groups}, filters={filters}.")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError("`strides > 1` not supported in conjunction with `dilation_rate "
                             f"> 1`. Received: strides={self.strides} and "
                             f"dilation_rate={self.dilation_rate}")

    @property
    def _cf(self):
        return self.data_format == "channels_first"

    def _in_channels(self, input_shape):
        return input_shape[1] if self._cf else input_shape[-1]

    def _build_bias(self, size):
        if not self.use_bias:
            self.bias = None
            return
        self.bias = self.add_weight(name="bias", shape=(size,),
                                    initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint)

    def build(self, input_shape):
        in_ch = self._in_channels(input_shape)
        self.input_spec = InputSpec(min_ndim=self.rank + 2,
                                    axes={1 if self._cf else -1: in_ch})
        if in_ch % self.groups:
            raise ValueError("The number of input channels must be evenly divisible by the "
                             f"number of groups. Received groups={self.groups}, but the input "
                             f"has {in_ch} channels (full input shape is "
                             f"{tuple(input_shape)}).")
        self.kernel = self.add_weight(name="kernel", shape=self._kernel_shape(in_ch),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self._build_bias(self.filters)

    def _kernel_shape(self, in_ch):
        return self.kernel_size + (in_ch // self.groups, self.filters)

    def _finish(self, y):
        if self.bias is not None:
            b = self.bias.read_value()
            y = y + (_a.reshape(b, (1, -1) + (1,) * self.rank) if self._cf else b)
        if self.activation is not _act.linear:
            y = self.activation(y)
        return y

    def call(self, inputs):
        x = convert_to_tensor(inputs)
        y = run_conv(x, self.kernel.read_value(), self.strides, self.padding,
                     self.dilation_rate, self.groups, self._cf)
        return self._finish(y)

    def _spatial_out(self, spatial):
        return tuple(conv_output_length(spatial[i], self.kernel_size[i], self.strides[i],
                                        self.padding, self.dilation_rate[i])
                     for i in range(self.rank))

    def _out_channels(self, input_shape):
        return self.filters

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        spatial = input_shape[2:] if self._cf else input_shape[1:-1]
        out = self._spatial_out(spatial)
        ch = self._out_channels(input_shape)
        return (input_shape[0], ch) + out if self._cf else (input_shape[0],) + out + (ch,)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": self.kernel_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate, "groups": self.groups,
                "activation": ser_activation(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": ser_initializer(self.kernel_initializer),
                "bias_initializer": ser_initializer(self.bias_initializer),
                "kernel_regularizer": ser_regularizer(self.kernel_regularizer),
                "bias_regularizer": ser_regularizer(self.bias_regularizer),
                "activity_regularizer": ser_regularizer(self.activity_regularizer),
                "kernel_constraint": ser_constraint(self.kernel_constraint),
                "bias_constraint": ser_constraint(self.bias_constraint)}


class Conv1D(_BaseConv):
    """1D convolution over ``(batch, steps, channels)``; ``padding="causal"`` allowed."""

    rank = 1

    def __init__(self, filters, kernel_size, strides=1, padding="valid",
                 data_format="channels_last", dilation_rate=1, groups=1, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, groups=groups,
                         **kwargs)


class Conv3D(_BaseConv):
    """3D convolution over ``(batch, d, h, w, channels)``."""

    rank = 3


class _BaseConvTranspose(_BaseConv):
    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, **kwargs)
        self.output_padding = None if output_padding is None else standardize_tuple(
            output_padding, self.rank, "output_padding", allow_zero=True)
        if self.output_padding is not None:
            for i, (p, s) in enumerate(zip(self.output_padding, self.strides)):
                if p >= s:
                    raise ValueError("`output_padding` must be strictly less than `strides` "
                                     f"for all dimensions. At dimension {i}, `output_padding` "
                                     f"is {p} but `strides` is {s}. Received: "
                                     f"output_padding={self.output_padding}, "
                                     f"strides={self.strides}")

    def _kernel_shape(self, in_ch):
        return self.kernel_size + (self.filters, in_ch)

    def _spatial_out(self, spatial):
        op_ = self.output_padding or (None,) * self.rank
        return tuple(deconv_output_length(spatial[i], self.kernel_size[i], self.strides[i],
                                          self.padding, op_[i], self.dilation_rate[i])
                     for i in range(self.rank))

    def call(self, inputs):
        x = convert_to_tensor(inputs)
        spatial = tuple(x.shape[2:] if self._cf else x.shape[1:-1])
        out = self._spatial_out(spatial)
        pads = []
        for n, k, s, d, m in zip(spatial, self.kernel_size, self.strides,
                                 self.dilation_rate, out):
            ke = (k - 1) * d + 1
            # The forward convolution's padding that maps `m` back to `n` (TF's rule: the
            # smaller half before), then the transposed padding on the dilated input.
            fwd = max((n - 1) * s + ke - m, 0) if self.padding == "same" else 0
            lo = ke - 1 - fwd // 2
            hi = m + ke - 1 - ((n - 1) * s + 1) - lo
            pads.append((lo, hi))
        static = {"strides": self.strides, "pads": tuple(pads),
                  "dilation": self.dilation_rate, "channels_first": self._cf}
        y = execute(_conv_t, (x, self.kernel.read_value()), tuple(static.items()), static)
        return self._finish(y)

    def get_config(self):
        cfg = super().get_config()
        cfg.pop("groups")
        cfg["output_padding"] = self.output_padding
        return cfg


class Conv1DTranspose(_BaseConvTranspose):
    rank = 1


class Conv2DTranspose(_BaseConvTranspose):
    """Transposed 2D convolution (a "deconvolution"), kernel ``(kh, kw, filters, in)``."""

    rank = 2


class Conv3DTranspose(_BaseConvTranspose):
    rank = 3


class _BaseDepthwise(_BaseConv):
    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(None, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         kernel_initializer=depthwise_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=depthwise_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=depthwise_constraint,
                         bias_constraint=bias_constraint, **kwargs)
        self.depth_multiplier = depth_multiplier

    def build(self, input_shape):
        in_ch = self._in_channels(input_shape)
        self.input_spec = InputSpec(min_ndim=self.rank + 2,
                                    axes={1 if self._cf else -1: in_ch})
        self.kernel = self.add_weight(name="kernel",
                                      shape=self.kernel_size + (in_ch, self.depth_multiplier),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self._build_bias(in_ch * self.depth_multiplier)

    def _out_channels(self, input_shape):
        return self._in_channels(input_shape) * self.depth_multiplier

    def call(self, inputs):
        x = convert_to_tensor(inputs)
        k = self.kernel.read_value()
        in_ch = k.shape[-2]
        # A depthwise convolution is a grouped one with one group per input channel; the
        # output channel `c * multiplier + m` comes from kernel[..., c, m] as in TF.
        k = _a.reshape(k, tuple(k.shape[:-2]) + (1, in_ch * self.depth_multiplier))
        y = run_conv(x, k, self.strides, self.padding, self.dilation_rate, in_ch, self._cf)
        return self._finish(y)

    def get_config(self):
        cfg = super().get_config()
        for key in ("filters", "groups", "kernel_initializer", "kernel_regularizer",
                    "kernel_constraint"):
            cfg.pop(key)
        cfg.update(depth_multiplier=self.depth_multiplier,
                   depthwise_initializer=ser_initializer(self.kernel_initializer),
                   depthwise_regularizer=ser_regularizer(self.kernel_regularizer),
                   depthwise_constraint=ser_constraint(self.kernel_constraint))
        return cfg


class DepthwiseConv1D(_BaseDepthwise):
    rank = 1


class DepthwiseConv2D(_BaseDepthwise):
    """Convolves each input channel with its own ``depth_multiplier`` filters."""

    rank = 2


class _BaseSeparable(_BaseConv):
    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         bias_initializer=bias_initializer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         bias_constraint=bias_constraint, **kwargs)
        self.depth_multiplier = depth_multiplier
        self.depthwise_initializer = _init.get(depthwise_initializer)
        self.pointwise_initializer = _init.get(pointwise_initializer)
        self.depthwise_regularizer = get_regularizer(depthwise_regularizer)
        self.pointwise_regularizer = get_regularizer(pointwise_regularizer)
        self.depthwise_constraint = get_constraint(depthwise_constraint)
        self.pointwise_constraint = get_constraint(pointwise_constraint)

    def build(self, input_shape):
        in_ch = self._in_channels(input_shape)
        self.input_spec = InputSpec(min_ndim=self.rank + 2,
                                    axes={1 if self._cf else -1: in_ch})
        dm = self.depth_multiplier
        self.depthwise_kernel = self.add_weight(
            name="depthwise_kernel", shape=self.kernel_size + (in_ch, dm),
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint)
        self.pointwise_kernel = self.add_weight(
            name="pointwise_kernel", shape=(1,) * self.rank + (in_ch * dm, self.filters),
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint)
        self._build_bias(self.filters)

    def call(self, inputs):
        x = convert_to_tensor(inputs)
        k = self.depthwise_kernel.read_value()
        in_ch = k.shape[-2]
        k = _a.reshape(k, tuple(k.shape[:-2]) + (1, in_ch * self.depth_multiplier))
        y = run_conv(x, k, self.strides, self.padding, self.dilation_rate, in_ch, self._cf)
        y = run_conv(y, self.pointwise_kernel.read_value(), (1,) * self.rank, "valid",
                     (1,) * self.rank, 1, self._cf)
        return self._finish(y)

    def get_config(self):
        cfg = super().get_config()
        for key in ("groups", "kernel_initializer", "kernel_regularizer", "kernel_constraint"):
            cfg.pop(key)
        cfg.update(depth_multiplier=self.depth_multiplier,
                   depthwise_initializer=ser_initializer(self.depthwise_initializer),
                   pointwise_initializer=ser_initializer(self.pointwise_initializer),
                   depthwise_regularizer=ser_regularizer(self.depthwise_regularizer),
                   pointwise_regularizer=ser_regularizer(self.pointwise_regularizer),
                   depthwise_constraint=ser_constraint(self.depthwise_constraint),
                   pointwise_constraint=ser_constraint(self.pointwise_constraint))
        return cfg


class SeparableConv1D(_BaseSeparable):
    rank = 1


class SeparableConv2D(_BaseSeparable):
    """A depthwise convolution followed by a 1x1 (pointwise) one."""

    rank = 2

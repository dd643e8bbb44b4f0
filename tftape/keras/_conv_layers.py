"""Conv2D and pooling layers, on registry ops built from ``jax.lax`` convolutions."""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from .._core.convert import convert_to_tensor
from .._core.registry import execute, op
from .._ops import pool_tiles
from .._ops._util import FLOAT
from . import activations as _act, constraints as _con, initializers as _init, \
    regularizers as _reg
from ._layer import Layer
from ._layer_utils import InputSpec


def _conv_impl(x, k, strides, padding, dilation, groups, channels_first):
    dn = ("NCHW", "HWIO", "NCHW") if channels_first else ("NHWC", "HWIO", "NHWC")
    return jax.lax.conv_general_dilated(x, k, strides, padding, rhs_dilation=dilation,
                                        dimension_numbers=dn, feature_group_count=groups)


_conv2d = op("keras_conv2d", "Conv2D", _conv_impl, dtypes=FLOAT)


def _pool_impl(x, window, strides, padding, kind, channels_first):
    spatial = pool_tiles.spatial_axes(x.ndim, not channels_first)
    pads = pool_tiles.tile_pads(x.shape, spatial, window, strides, padding)
    if pads is not None:
        return (pool_tiles.max_pool if kind == "max" else pool_tiles.avg_pool)(
            x, spatial, window, pads)
    if channels_first:
        win, st = (1, 1) + window, (1, 1) + strides
    else:
        win, st = (1,) + window + (1,), (1,) + strides + (1,)
    if kind == "max":
        # A Python-scalar init lets JAX see the max monoid (and differentiate it).
        return jax.lax.reduce_window(x, -np.inf, jax.lax.max, win, st, padding)
    s = jax.lax.reduce_window(x, 0.0, jax.lax.add, win, st, padding)
    ones = jnp.ones(x.shape, x.dtype)
    # Note: TF's 'same' average pooling divides by the number of valid (unpadded) cells.
    n = jax.lax.reduce_window(ones, 0.0, jax.lax.add, win, st, padding)
    return s / n


_pool = op("keras_pool2d", "MaxPool", _pool_impl, dtypes=FLOAT)


def _pair(v, name):
    if isinstance(v, int):
        return (v, v)
    v = tuple(v)
    if len(v) != 2:
        raise ValueError(f"The `{name}` argument must be a tuple of 2 integers. Received "
                         f"{name}={v}")
    return v


def _out_len(n, k, s, padding, d=1):
    if n is None:
        return None
    k = (k - 1) * d + 1
    if padding == "same":
        return (n + s - 1) // s
    return (n - k) // s + 1


class Conv2D(Layer):
    """2D convolution (channels_last by default), kernel shape ``(kh, kw, in, filters)``."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.filters = filters
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.strides = _pair(strides, "strides")
        self.padding = padding.lower()
        if self.padding not in ("valid", "same"):
            raise ValueError(f"The `padding` argument must be one of 'valid', 'same'. "
                             f"Received: {padding}")
        from ._config import image_data_format
        self.data_format = data_format or image_data_format()
        self.dilation_rate = _pair(dilation_rate, "dilation_rate")
        self.groups = groups
        self.activation = _act.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = _init.get(kernel_initializer)
        self.bias_initializer = _init.get(bias_initializer)
        self.kernel_regularizer = _reg.get(kernel_regularizer)
        self.bias_regularizer = _reg.get(bias_regularizer)
        self.kernel_constraint = _con.get(kernel_constraint)
        self.bias_constraint = _con.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=4)

    def build(self, input_shape):
        cf = self.data_format == "channels_first"
        in_ch = input_shape[1] if cf else input_shape[-1]
        if in_ch % self.groups:
            raise ValueError(f"The number of input channels must be evenly divisible by the "
                             f"number of groups. Received groups={self.groups}, but the input "
                             f"has {in_ch} channels (full input shape is {input_shape}).")
        self.kernel = self.add_weight(name="kernel",
                                      shape=self.kernel_size + (in_ch // self.groups,
                                                                self.filters),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = self.add_weight(name="bias", shape=(self.filters,),
                                    initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None

    def call(self, inputs):
        x = convert_to_tensor(inputs)
        cf = self.data_format == "channels_first"
        static = {"strides": self.strides, "padding": self.padding.upper(),
                  "dilation": self.dilation_rate, "groups": self.groups,
                  "channels_first": cf}
        y = execute(_conv2d, (x, self.kernel.read_value()), tuple(static.items()), static)
        if self.bias is not None:
            from .._ops import array_ops as _a
            b = self.bias.read_value()
            y = y + (_a.reshape(b, (1, -1, 1, 1)) if cf else b)
        if self.activation is not _act.linear:
            y = self.activation(y)
        return y

    def compute_output_shape(self, input_shape):
        cf = self.data_format == "channels_first"
        n = input_shape[0]
        hw = input_shape[2:4] if cf else input_shape[1:3]
        out = tuple(_out_len(hw[i], self.kernel_size[i], self.strides[i], self.padding,
                             self.dilation_rate[i]) for i in range(2))
        return (n, self.filters) + out if cf else (n,) + out + (self.filters,)

    def get_config(self):
        from ._serial import serialize as ser
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": self.kernel_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate, "groups": self.groups,
                "activation": _act.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": _init.serialize(self.kernel_initializer),
                "bias_initializer": _init.serialize(self.bias_initializer),
                "kernel_regularizer": ser(self.kernel_regularizer, "keras.regularizers"),
                "bias_regularizer": ser(self.bias_regularizer, "keras.regularizers"),
                "activity_regularizer": ser(self.activity_regularizer, "keras.regularizers"),
                "kernel_constraint": ser(self.kernel_constraint, "keras.constraints"),
                "bias_constraint": ser(self.bias_constraint, "keras.constraints")}


class _Pooling2D(Layer):
    _kind = "max"

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.pool_size = _pair(pool_size, "pool_size")
        self.strides = _pair(strides, "strides") if strides is not None else self.pool_size
        self.padding = padding.lower()
        from ._config import image_data_format
        self.data_format = data_format or image_data_format()
        self.input_spec = InputSpec(ndim=4)
        self.built = True

    def call(self, inputs):
        x = convert_to_tensor(inputs)
        static = {"window": self.pool_size, "strides": self.strides,
                  "padding": self.padding.upper(), "kind": self._kind,
                  "channels_first": self.data_format == "channels_first"}
        return execute(_pool, (x,), tuple(static.items()), static)

    def compute_output_shape(self, input_shape):
        cf = self.data_format == "channels_first"
        hw = input_shape[2:4] if cf else input_shape[1:3]
        out = tuple(_out_len(hw[i], self.pool_size[i], self.strides[i], self.padding)
                    for i in range(2))
        if cf:
            return tuple(input_shape[:2]) + out
        return (input_shape[0],) + out + (input_shape[3],)

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size, "padding": self.padding,
                "strides": self.strides, "data_format": self.data_format}


class MaxPooling2D(_Pooling2D):
    """Max over ``pool_size`` windows."""


class AveragePooling2D(_Pooling2D):
    _kind = "avg"


class GlobalAveragePooling2D(Layer):
    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        from ._config import image_data_format
        self.data_format = data_format or image_data_format()
        self.keepdims = keepdims
        self.built = True

    def call(self, inputs):
        from .._ops import math_ops as _m
        axes = [2, 3] if self.data_format == "channels_first" else [1, 2]
        return _m.reduce_mean(inputs, axis=axes, keepdims=self.keepdims)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format,
                "keepdims": self.keepdims}


MaxPool2D = MaxPooling2D
AvgPool2D = AveragePooling2D
Convolution2D = Conv2D

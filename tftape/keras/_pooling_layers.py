"""Max/average pooling of rank 1-3 and the global poolings (``keepdims``, masks in 1D)."""
from __future__ import annotations

from .._core.convert import convert_to_tensor
from .._core.registry import execute
from .._ops import array_ops as _a, math_ops as _m
from ._conv_layers import _pool
from ._conv_nd import conv_output_length
from ._layer import Layer
from ._layer_utils import InputSpec, standardize_data_format, standardize_tuple


class _Pooling(Layer):
    rank = 2
    _kind = "max"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.pool_size = standardize_tuple(pool_size, self.rank, "pool_size")
        strides = pool_size if strides is None else strides
        self.strides = standardize_tuple(strides, self.rank, "strides", allow_zero=True)
        self.padding = padding
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self.built = True

    def call(self, inputs):
        x = convert_to_tensor(inputs)
        static = {"window": self.pool_size, "strides": self.strides,
                  "padding": self.padding.upper(), "kind": self._kind,
                  "channels_first": self.data_format == "channels_first"}
        return execute(_pool, (x,), tuple(static.items()), static)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        cf = self.data_format == "channels_first"
        spatial = input_shape[2:] if cf else input_shape[1:-1]
        out = tuple(conv_output_length(spatial[i], self.pool_size[i], self.strides[i],
                                       self.padding.lower()) for i in range(self.rank))
        if cf:
            return input_shape[:2] + out
        return (input_shape[0],) + out + (input_shape[-1],)

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size, "padding": self.padding,
                "strides": self.strides, "data_format": self.data_format}


class MaxPooling1D(_Pooling):
    """Max over windows of ``pool_size`` steps."""

    rank = 1


class MaxPooling3D(_Pooling):
    rank = 3


class _AveragePooling(_Pooling):
    _kind = "avg"

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name, **kwargs)


class AveragePooling1D(_AveragePooling):
    """Mean over windows of ``pool_size`` steps."""

    rank = 1


class AveragePooling3D(_AveragePooling):
    rank = 3


class _GlobalPooling(Layer):
    rank = 2

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.keepdims = keepdims
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self.built = True

    def _axes(self):
        first = 2 if self.data_format == "channels_first" else 1
        return list(range(first, first + self.rank))

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.data_format == "channels_last":
            mid = (1,) * self.rank if self.keepdims else ()
            return (input_shape[0],) + mid + (input_shape[-1],)
        return input_shape[:2] + ((1,) * self.rank if self.keepdims else ())

    def compute_mask(self, inputs, previous_mask):
        return None

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format,
                "keepdims": self.keepdims}


class _GlobalAverage(_GlobalPooling):
    def call(self, inputs, mask=None):
        x = convert_to_tensor(inputs)
        if mask is not None and self.rank == 1:
            # Masked steps do not count towards the mean (Keras' GlobalAveragePooling1D).
            m = _a.expand_dims(_m.cast(mask, "bool"),
                               2 if self.data_format == "channels_last" else 1)
            fm = _m.cast(m, x.dtype)
            x = _a.where(m, x, _a.zeros_like(x))
            return _m.reduce_sum(x, self._axes(), keepdims=self.keepdims) / _m.reduce_sum(
                fm, self._axes(), keepdims=self.keepdims)
        return _m.reduce_mean(x, self._axes(), keepdims=self.keepdims)


class _GlobalMax(_GlobalPooling):
    def call(self, inputs):
        return _m.reduce_max(convert_to_tensor(inputs), self._axes(), keepdims=self.keepdims)


class GlobalAveragePooling1D(_GlobalAverage):
    """Mean over the steps axis (skipping masked steps)."""

    rank = 1

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(data_format=data_format, keepdims=keepdims, **kwargs)
        self.supports_masking = True


class GlobalAveragePooling2D(_GlobalAverage):
    rank = 2


class GlobalAveragePooling3D(_GlobalAverage):
    rank = 3


class GlobalMaxPooling1D(_GlobalMax):
    rank = 1


class GlobalMaxPooling2D(_GlobalMax):
    rank = 2


class GlobalMaxPooling3D(_GlobalMax):
    rank = 3

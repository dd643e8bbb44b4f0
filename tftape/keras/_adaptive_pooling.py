"""AdaptiveAveragePooling1D/2D/3D and AdaptiveMaxPooling1D/2D/3D (Keras 3).

Output ``i`` of a spatial axis of length ``L`` pools the window
``[floor(i * L / out), ceil((i + 1) * L / out))``, as PyTorch's adaptive pooling and Keras'
two-pool-and-gather kernels do. Each spatial axis is pooled in turn (averages and maxima of
a box are separable).
"""
from __future__ import annotations

import math

import numpy as np

from .._core.convert import convert_to_tensor
from .._ops import array_ops as _a, linalg_ops as _la, math_ops as _m
from ._layer import Layer


def _windows(length, out):
    starts = [min(math.floor(i * length / out), length - 1) for i in range(out)]
    ends = [min(math.ceil((i + 1) * length / out), length) for i in range(out)]
    return starts, ends


def _average_axis(x, axis, out):
    length = x.shape[axis]
    starts, ends = _windows(length, out)
    w = np.zeros((length, out), x.dtype.as_numpy_dtype)
    for i, (s, e) in enumerate(zip(starts, ends)):
        w[s:e, i] = 1.0 / (e - s)
    y = _la.tensordot(x, convert_to_tensor(w), [[axis], [0]])   # the pooled axis goes last
    perm = list(range(x.ndim - 1))
    perm.insert(axis, x.ndim - 1)
    return _a.transpose(y, perm)


def _max_axis(x, axis, out):
    length = x.shape[axis]
    starts, ends = _windows(length, out)
    size = max(e - s for s, e in zip(starts, ends))
    # Short windows repeat their last index, which leaves their maximum unchanged.
    idx = np.array([[min(s + j, e - 1) for j in range(size)] for s, e in zip(starts, ends)],
                   np.int32)
    g = _a.gather(x, convert_to_tensor(idx), axis=axis)    # (..., out, size, ...)
    return _m.reduce_max(g, axis=axis + 1)


class _AdaptivePooling(Layer):
    _rank = 1
    _axis_fn = None

    def __init__(self, output_size, data_format=None, **kwargs):
        n = self._rank
        if isinstance(output_size, int):
            size = (output_size,) * n
        elif n == 1 and isinstance(output_size, (tuple, list)) and len(output_size) != 1:
            raise ValueError("For 1D input, `output_size` tuple must have length 1. "
                             f"Received: {output_size}")
        elif isinstance(output_size, (tuple, list)) and len(output_size) == n:
            size = tuple(output_size)
        else:
            what = {1: "an integer or tuple of 1 integer",
                    2: "an integer or (height, width) tuple",
                    3: "an integer or (depth, height, width) tuple"}[n]
            raise TypeError(f"`output_size` must be {what}. Received: {output_size} of type "
                            f"{type(output_size)}")
        super().__init__(**kwargs)
        self.output_size = size
        if data_format is None:
            from ._config import image_data_format
            data_format = image_data_format()
        self.data_format = data_format
        if self.data_format not in {"channels_first", "channels_last"}:
            raise ValueError(f"Invalid data_format: {self.data_format}. Expected "
                             "'channels_first' or 'channels_last'.")

    def call(self, inputs):
        x = convert_to_tensor(inputs)
        first = 2 if self.data_format == "channels_first" else 1
        for k, out in enumerate(self.output_size):
            x = type(self)._axis_fn(x, first + k, out)
        return x

    def compute_output_shape(self, input_shape):
        if self.data_format == "channels_last":
            return (input_shape[0], *self.output_size, input_shape[-1])
        return (input_shape[0], input_shape[1], *self.output_size)

    def get_config(self):
        return {**super().get_config(), "output_size": self.output_size,
                "data_format": self.data_format}


def _make(name, rank, fn, doc):
    cls = type(name, (_AdaptivePooling,), {"_rank": rank, "_axis_fn": staticmethod(fn),
                                           "__doc__": doc, "__module__": __name__})
    return cls


AdaptiveAveragePooling1D = _make("AdaptiveAveragePooling1D", 1, _average_axis, """
    Averages each of ``output_size`` adaptive windows of the steps.

    >>> import tftape as tf
    >>> layer = tf.keras.layers.AdaptiveAveragePooling1D(2)
    >>> layer(tf.reshape(tf.range(4.0), (1, 4, 1)))[0, :, 0]
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([0.5, 2.5], dtype=float32)>
    """)
AdaptiveAveragePooling2D = _make("AdaptiveAveragePooling2D", 2, _average_axis,
                                 """Averages adaptive windows to an ``output_size`` image.""")
AdaptiveAveragePooling3D = _make("AdaptiveAveragePooling3D", 3, _average_axis,
                                 """Averages adaptive windows to an ``output_size`` volume.""")
AdaptiveMaxPooling1D = _make("AdaptiveMaxPooling1D", 1, _max_axis, """
    The maximum of each of ``output_size`` adaptive windows of the steps.

    >>> import tftape as tf
    >>> layer = tf.keras.layers.AdaptiveMaxPooling1D(2)
    >>> layer(tf.reshape(tf.range(4.0), (1, 4, 1)))[0, :, 0]
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 3.], dtype=float32)>
    """)
AdaptiveMaxPooling2D = _make("AdaptiveMaxPooling2D", 2, _max_axis,
                             """Maxima of adaptive windows, to an ``output_size`` image.""")
AdaptiveMaxPooling3D = _make("AdaptiveMaxPooling3D", 3, _max_axis,
                             """Maxima of adaptive windows, to an ``output_size`` volume.""")

"""The Dot merge layer and the functional merge helpers (``keras.layers.multiply`` ...)."""
from __future__ import annotations

import jax
import jax.numpy as jnp

from .._core.convert import convert_to_tensor
from .._core.registry import execute, op
from .._ops import nn_ops as _nn
from .._ops._util import FLOAT
from ._core_layers import Average, Maximum, Minimum, Multiply, Subtract
from ._layer import Layer


def _batch_dot_impl(x, y, axes):
    a0, a1 = axes
    out = jax.vmap(lambda u, v: jnp.tensordot(u, v, axes=([a0 - 1], [a1 - 1])))(x, y)
    return out[:, None] if out.ndim == 1 else out


_batch_dot = op("keras_batch_dot", "BatchMatMulV2", _batch_dot_impl, dtypes=FLOAT)


class Dot(Layer):
    """Per-example dot products along ``axes`` (cosine similarity with ``normalize``).

    >>> import tftape as tf
    >>> tf.keras.layers.Dot(axes=1)([tf.ones((2, 3)), tf.ones((2, 3))]).numpy().ravel()
    array([3., 3.], dtype=float32)
    """

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)):
                raise TypeError("Invalid type for argument `axes`: it should be a list or an "
                                f"int. Received: axes={axes}")
            if len(axes) != 2:
                raise ValueError("Invalid format for argument `axes`: it should contain two "
                                 f"elements. Received: axes={axes}")
            if not isinstance(axes[0], int) or not isinstance(axes[1], int):
                raise ValueError("Invalid format for argument `axes`: list elements should "
                                 f"be integers. Received: axes={axes}")
        self.axes = axes
        self.normalize = normalize
        self.supports_masking = True

    def _axes(self, s1, s2):
        if isinstance(self.axes, int):
            if self.axes < 0:
                return [self.axes % len(s1), self.axes % len(s2)]
            return [self.axes] * 2
        return [a % len(s) if a < 0 else a for a, s in zip(self.axes, (s1, s2))]

    def build(self, input_shape):
        if not isinstance(input_shape[0], (tuple, list)) or len(input_shape) != 2:
            raise ValueError("A `Dot` layer should be called on a list of 2 inputs. "
                             f"Received: input_shape={input_shape}")
        s1, s2 = tuple(input_shape[0]), tuple(input_shape[1])
        a = self._axes(s1, s2)
        if s1[a[0]] != s2[a[1]]:
            raise ValueError(f"Incompatible input shapes: axis values {s1[a[0]]} (at axis "
                             f"{a[0]}) != {s2[a[1]]} (at axis {a[1]}). Full input shapes: "
                             f"{s1}, {s2}")

    def call(self, inputs):
        if len(inputs) != 2:
            raise ValueError("A `Dot` layer should be called on exactly 2 inputs. "
                             f"Received: inputs={inputs}")
        x1, x2 = convert_to_tensor(inputs[0]), convert_to_tensor(inputs[1])
        a = self._axes(x1.shape, x2.shape)
        if self.normalize:
            x1 = _nn.l2_normalize(x1, axis=a[0])
            x2 = _nn.l2_normalize(x2, axis=a[1])
        static = {"axes": tuple(a)}
        return execute(_batch_dot, (x1, x2), tuple(static.items()), static)

    def compute_output_shape(self, input_shape):
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 2:
            raise ValueError("A `Dot` layer should be called on a list of 2 inputs. "
                             f"Received: input_shape={input_shape}")
        s1, s2 = list(input_shape[0]), list(input_shape[1])
        a = self._axes(s1, s2)
        s1.pop(a[0])
        s2.pop(a[1])
        s2.pop(0)
        out = s1 + s2
        return tuple(out + [1] if len(out) == 1 else out)

    def compute_mask(self, inputs, previous_mask):
        return None

    def get_config(self):
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def dot(inputs, axes=-1, **kwargs):
    """Functional form of :class:`Dot`."""
    return Dot(axes=axes, **kwargs)(inputs)


def subtract(inputs, **kwargs):
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    return Minimum(**kwargs)(inputs)

"""Activation layers (ELU, LeakyReLU, PReLU, ThresholdedReLU), Identity and
ActivityRegularization, with Keras 3's arguments, checks and configs."""
from __future__ import annotations

import warnings

import numpy as np

from .._core.convert import convert_to_tensor
from .._ops import math_ops as _m
from . import activations as _act, initializers as _init, regularizers as _reg
from ._layer import Layer
from ._layer_utils import InputSpec, get_constraint, get_regularizer, ser_constraint, \
    ser_initializer, ser_regularizer


class _Elementwise(Layer):
    """A layer without weights that keeps its input's shape (and its mask)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.built = True

    def compute_output_shape(self, input_shape):
        return input_shape


class ELU(_Elementwise):
    """``x`` where ``x >= 0``, else ``alpha * (exp(x) - 1)``.

    >>> import tftape as tf
    >>> tf.keras.layers.ELU()(tf.constant([-1.0, 2.0])).numpy().round(4)
    array([-0.6321,  2.    ], dtype=float32)
    """

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = alpha

    def call(self, inputs):
        return _act.elu(inputs, alpha=self.alpha)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


class LeakyReLU(_Elementwise):
    """``x`` where ``x >= 0``, else ``negative_slope * x``.

    >>> import tftape as tf
    >>> tf.keras.layers.LeakyReLU(0.5)(tf.constant([-2.0, 3.0]))
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([-1.,  3.], dtype=float32)>
    """

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
            warnings.warn("Argument `alpha` is deprecated. Use `negative_slope` instead.",
                          stacklevel=2)
        super().__init__(**kwargs)
        if negative_slope is None or negative_slope < 0:
            raise ValueError("The negative_slope value of a Leaky ReLU layer cannot be None or "
                             "negative value. Expected a float. Received: "
                             f"negative_slope={negative_slope}")
        self.negative_slope = negative_slope

    def call(self, inputs):
        return _act.leaky_relu(inputs, negative_slope=self.negative_slope)

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}


class ThresholdedReLU(_Elementwise):
    """``x`` where ``x > theta``, else 0 (Keras 3 keeps it as a legacy layer)."""

    def __init__(self, theta=1.0, **kwargs):
        super().__init__(**kwargs)
        if theta is None:
            raise ValueError("Theta of a Thresholded ReLU layer cannot be None, expecting a "
                             f"float. Received: {theta}")
        if theta < 0:
            raise ValueError("The theta value of a Thresholded ReLU layer should be >=0. "
                             f"Received: {theta}")
        # Note: Keras keeps theta as a tensor of the compute dtype, so configs show its
        # rounded value (0.3 -> 0.30000001192092896).
        self.theta = float(np.asarray(theta, self.compute_dtype))

    def call(self, inputs):
        x = convert_to_tensor(inputs)
        return x * _m.cast(_m.greater(x, _m.cast(self.theta, x.dtype)), self.compute_dtype)

    def get_config(self):
        return {**super().get_config(), "theta": self.theta}


class Identity(_Elementwise):
    """Returns its input unchanged (a placeholder layer).

    >>> import tftape as tf
    >>> tf.keras.layers.Identity()(tf.constant([1.0]))
    <tf.Tensor: shape=(1,), dtype=float32, numpy=array([1.], dtype=float32)>
    """

    def call(self, inputs):
        return inputs


class ActivityRegularization(_Elementwise):
    """Returns its input and adds ``l1 * sum|x| + l2 * sum(x**2)`` (over the batch size)
    to the layer's losses."""

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        super().__init__(activity_regularizer=_reg.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1, self.l2 = l1, l2

    def call(self, inputs):
        return inputs

    def get_config(self):
        config = super().get_config()
        config.pop("activity_regularizer", None)
        return {**config, "l1": self.l1, "l2": self.l2}


class PReLU(Layer):
    """``x`` where ``x >= 0``, else ``alpha * x`` with a learned ``alpha`` per unit.

    >>> import tftape as tf
    >>> tf.keras.layers.PReLU(alpha_initializer="ones")(tf.constant([[-2.0, 3.0]]))
    <tf.Tensor: shape=(1, 2), dtype=float32, numpy=array([[-2.,  3.]], dtype=float32)>
    """

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None,
                 alpha_constraint=None, shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.alpha_initializer = _init.get(alpha_initializer)
        self.alpha_regularizer = get_regularizer(alpha_regularizer)
        self.alpha_constraint = get_constraint(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif not isinstance(shared_axes, (list, tuple)):
            self.shared_axes = [shared_axes]
        else:
            self.shared_axes = list(shared_axes)

    def build(self, input_shape):
        param_shape = list(input_shape[1:])
        if self.shared_axes is not None:
            for i in self.shared_axes:
                param_shape[i - 1] = 1
        self.alpha = self.add_weight(shape=param_shape, name="alpha",
                                     initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint)
        axes = {}
        if self.shared_axes:
            for i in range(1, len(input_shape)):
                if i not in self.shared_axes:
                    axes[i] = input_shape[i]
        self.input_spec = InputSpec(ndim=len(input_shape), axes=axes)

    def call(self, inputs):
        x = convert_to_tensor(inputs)
        return _act.relu(x) - self.alpha.read_value() * _act.relu(-x)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(),
                "alpha_initializer": ser_initializer(self.alpha_initializer),
                "alpha_regularizer": ser_regularizer(self.alpha_regularizer),
                "alpha_constraint": ser_constraint(self.alpha_constraint),
                "shared_axes": self.shared_axes}

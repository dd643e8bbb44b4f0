"""GroupNormalization and UnitNormalization (Keras 3 formulas)."""
from __future__ import annotations

from .._core.convert import convert_to_tensor
from .._ops import array_ops as _a, math_ops as _m, nn_ops as _nn
from . import initializers as _init
from ._layer import Layer
from ._layer_utils import InputSpec, get_constraint, get_regularizer, ser_constraint, \
    ser_initializer, ser_regularizer


class GroupNormalization(Layer):
    """Normalizes each example over groups of channels (``groups=-1``: instance norm).

    >>> import tftape as tf
    >>> tf.keras.layers.GroupNormalization(groups=2)(tf.ones((1, 4))).shape
    TensorShape([1, 4])
    """

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 **kwargs):
        if not isinstance(groups, int) or (groups <= 0 and groups != -1):
            raise ValueError("Received an invalid value for argument `groups`, expected a "
                             "positive integer (or `-1` for instance normalization). "
                             f"Received: groups={groups}")
        super().__init__(**kwargs)
        self.supports_masking = True
        self.groups, self.axis, self.epsilon = groups, axis, epsilon
        self.center, self.scale = center, scale
        self.beta_initializer = _init.get(beta_initializer)
        self.gamma_initializer = _init.get(gamma_initializer)
        self.beta_regularizer = get_regularizer(beta_regularizer)
        self.gamma_regularizer = get_regularizer(gamma_regularizer)
        self.beta_constraint = get_constraint(beta_constraint)
        self.gamma_constraint = get_constraint(gamma_constraint)

    def build(self, input_shape):
        dim = input_shape[self.axis]
        if dim is None:
            raise ValueError(f"Axis {self.axis} of input tensor should have a defined "
                             "dimension but the layer received an input with shape "
                             f"{input_shape}.")
        if self.groups == -1:
            self.groups = dim
        if dim < self.groups:
            raise ValueError(f"Number of groups ({self.groups}) cannot be more than the "
                             f"number of channels ({dim}).")
        if dim % self.groups:
            raise ValueError(f"Number of groups ({self.groups}) must be a multiple of the "
                             f"number of channels ({dim}).")
        self.input_spec = InputSpec(ndim=len(input_shape), axes={self.axis: dim})
        self.gamma = self.add_weight(shape=(dim,), name="gamma",
                                     initializer=self.gamma_initializer,
                                     regularizer=self.gamma_regularizer,
                                     constraint=self.gamma_constraint) if self.scale else None
        self.beta = self.add_weight(shape=(dim,), name="beta",
                                    initializer=self.beta_initializer,
                                    regularizer=self.beta_regularizer,
                                    constraint=self.beta_constraint) if self.center else None

    def call(self, inputs):
        x = convert_to_tensor(inputs)
        nd = x.ndim
        axis = self.axis % nd
        shape = list(x.shape)
        gshape = shape[:axis] + [self.groups, shape[axis] // self.groups] + shape[axis + 1:]
        g = _a.reshape(x, gshape)
        # Reduce over everything but the batch and the group axes.
        red = [i for i in range(1, nd + 1) if i != axis]
        mean, variance = _nn.moments(g, red, keepdims=True)
        inv = _m.rsqrt(variance + self.epsilon)
        bshape = [1] * (nd + 1)
        bshape[axis], bshape[axis + 1] = self.groups, shape[axis] // self.groups
        if self.gamma is not None:
            inv = inv * _a.reshape(self.gamma.read_value(), bshape)
        res = -mean * inv
        if self.beta is not None:
            res = res + _a.reshape(self.beta.read_value(), bshape)
        return _a.reshape(g * inv + res, shape)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "groups": self.groups, "axis": self.axis,
                "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
                "beta_initializer": ser_initializer(self.beta_initializer),
                "gamma_initializer": ser_initializer(self.gamma_initializer),
                "beta_regularizer": ser_regularizer(self.beta_regularizer),
                "gamma_regularizer": ser_regularizer(self.gamma_regularizer),
                "beta_constraint": ser_constraint(self.beta_constraint),
                "gamma_constraint": ser_constraint(self.gamma_constraint)}


class UnitNormalization(Layer):
    """Scales each example to unit L2 norm over ``axis``."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError("Invalid value for `axis` argument: expected an int or a list/"
                            f"tuple of ints. Received: axis={axis}")
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        x = convert_to_tensor(inputs)
        inv = _m.rsqrt(_m.reduce_sum(_m.square(x), self.axis, keepdims=True))
        return x * _m.minimum(inv, 1e12)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}

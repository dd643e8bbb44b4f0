"""BatchNormalization and LayerNormalization (Keras 3 formulas)."""
from __future__ import annotations

from .._core.convert import convert_to_tensor
from .._ops import array_ops as _a, math_ops as _m, nn_ops as _nn
from . import constraints as _con, initializers as _init, regularizers as _reg
from ._layer import Layer


def _axes(axis, ndim):
    axes = [axis] if isinstance(axis, int) else list(axis)
    return sorted(a % ndim for a in axes)


class BatchNormalization(Layer):
    """Normalizes with batch statistics while training, moving statistics otherwise."""

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, synchronized=False, **kwargs):
        for k in ("renorm", "renorm_clipping", "renorm_momentum"):    # renorm: unsupported
            kwargs.pop(k, None)
        super().__init__(**kwargs)
        self.axis = int(axis)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center, self.scale = center, scale
        self.beta_initializer = _init.get(beta_initializer)
        self.gamma_initializer = _init.get(gamma_initializer)
        self.moving_mean_initializer = _init.get(moving_mean_initializer)
        self.moving_variance_initializer = _init.get(moving_variance_initializer)
        self.beta_regularizer = _reg.get(beta_regularizer)
        self.gamma_regularizer = _reg.get(gamma_regularizer)
        self.beta_constraint = _con.get(beta_constraint)
        self.gamma_constraint = _con.get(gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        shape = (input_shape[self.axis],)
        self.gamma = self.add_weight(shape=shape, name="gamma",
                                     initializer=self.gamma_initializer,
                                     regularizer=self.gamma_regularizer,
                                     constraint=self.gamma_constraint) if self.scale else None
        self.beta = self.add_weight(shape=shape, name="beta",
                                    initializer=self.beta_initializer,
                                    regularizer=self.beta_regularizer,
                                    constraint=self.beta_constraint) if self.center else None
        self.moving_mean = self.add_weight(shape=shape, name="moving_mean",
                                           initializer=self.moving_mean_initializer,
                                           trainable=False)
        self.moving_variance = self.add_weight(shape=shape, name="moving_variance",
                                               initializer=self.moving_variance_initializer,
                                               trainable=False)

    def call(self, inputs, training=None, mask=None):
        x = convert_to_tensor(inputs)
        nd = x.ndim
        ax = self.axis % nd
        reduce = [i for i in range(nd) if i != ax]
        mm = self.moving_mean.read_value()
        mv = self.moving_variance.read_value()
        if training and self.trainable:
            mean, variance = _nn.moments(x, reduce)
            self.moving_mean.assign(mm * self.momentum + mean * (1.0 - self.momentum),
                                    read_value=False)
            self.moving_variance.assign(mv * self.momentum + variance * (1.0 - self.momentum),
                                        read_value=False)
        else:
            mean, variance = mm, mv
        gamma = self.gamma.read_value() if self.gamma is not None else None
        beta = self.beta.read_value() if self.beta is not None else None
        if ax != nd - 1:
            shape = [1] * nd
            shape[ax] = -1
            mean, variance = _a.reshape(mean, shape), _a.reshape(variance, shape)
            gamma = None if gamma is None else _a.reshape(gamma, shape)
            beta = None if beta is None else _a.reshape(beta, shape)
        return _nn.batch_normalization(x, mean, variance, beta, gamma, self.epsilon)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        from ._serial import serialize as ser
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum,
                "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
                "beta_initializer": _init.serialize(self.beta_initializer),
                "gamma_initializer": _init.serialize(self.gamma_initializer),
                "moving_mean_initializer": _init.serialize(self.moving_mean_initializer),
                "moving_variance_initializer": _init.serialize(
                    self.moving_variance_initializer),
                "beta_regularizer": ser(self.beta_regularizer, "keras.regularizers"),
                "gamma_regularizer": ser(self.gamma_regularizer, "keras.regularizers"),
                "beta_constraint": ser(self.beta_constraint, "keras.constraints"),
                "gamma_constraint": ser(self.gamma_constraint, "keras.constraints"),
                "synchronized": False, "renorm": False, "renorm_clipping": None,
                "renorm_momentum": 0.99}


class LayerNormalization(Layer):
    """Normalizes each example over ``axis`` (the last by default)."""

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, rms_scaling=False,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.epsilon = float(epsilon)
        self.center, self.scale, self.rms_scaling = center, scale, rms_scaling
        self.beta_initializer = _init.get(beta_initializer)
        self.gamma_initializer = _init.get(gamma_initializer)
        self.beta_regularizer = _reg.get(beta_regularizer)
        self.gamma_regularizer = _reg.get(gamma_regularizer)
        self.beta_constraint = _con.get(beta_constraint)
        self.gamma_constraint = _con.get(gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        axes = _axes(self.axis, len(input_shape))
        shape = tuple(input_shape[a] for a in axes)
        self.gamma = self.add_weight(name="gamma", shape=shape,
                                     initializer=self.gamma_initializer,
                                     regularizer=self.gamma_regularizer,
                                     constraint=self.gamma_constraint) if self.scale else None
        self.beta = self.add_weight(name="beta", shape=shape,
                                    initializer=self.beta_initializer,
                                    regularizer=self.beta_regularizer,
                                    constraint=self.beta_constraint) \
            if self.center and not self.rms_scaling else None

    def call(self, inputs):
        x = convert_to_tensor(inputs)
        nd = x.ndim
        axes = _axes(self.axis, nd)
        bshape = [1] * nd
        for a in axes:
            bshape[a] = x.shape[a]

        def bc(v):
            if v is None:
                return None
            t = v.read_value()
            return _a.reshape(t, bshape) if axes != [nd - 1] else t
        gamma, beta = bc(self.gamma), bc(self.beta)
        mean, variance = _nn.moments(x, axes, keepdims=True)
        if self.rms_scaling:
            out = x * _m.rsqrt(variance + self.epsilon)
            return out * gamma if gamma is not None else out
        inv = _m.rsqrt(variance + self.epsilon)
        if gamma is not None:
            inv = inv * gamma
        res = -mean * inv
        if beta is not None:
            res = res + beta
        return x * inv + res

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        from ._serial import serialize as ser
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale, "rms_scaling": self.rms_scaling,
                "beta_initializer": _init.serialize(self.beta_initializer),
                "gamma_initializer": _init.serialize(self.gamma_initializer),
                "beta_regularizer": ser(self.beta_regularizer, "keras.regularizers"),
                "gamma_regularizer": ser(self.gamma_regularizer, "keras.regularizers"),
                "beta_constraint": ser(self.beta_constraint, "keras.constraints"),
                "gamma_constraint": ser(self.gamma_constraint, "keras.constraints")}

"""Adadelta, Adamax, Nadam, Ftrl, Lion and Adafactor with Keras 3's update rules."""
from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from .. import _naming
from .._variables import KerasVariable
from ._base import Optimizer, _cast, _read, _write

_COMMON = ("weight_decay", "clipnorm", "clipvalue", "global_clipnorm", "use_ema",
           "ema_momentum", "ema_overwrite_frequency", "loss_scale_factor",
           "gradient_accumulation_steps", "name")


def _common(local):
    return {k: local[k] for k in _COMMON}


class Adadelta(Optimizer):
    """Adadelta: steps scaled by the ratio of running RMS of updates and of gradients.

    >>> import tftape as tf
    >>> v = tf.Variable([1.0, 2.0])
    >>> opt = tf.keras.optimizers.Adadelta(learning_rate=1.0)
    >>> _ = opt.apply_gradients([(tf.constant([1.0, -1.0]), v)])
    >>> [round(float(x), 4) for x in v.numpy()]
    [0.9986, 2.0014]
    """
    _slot_names = ("accumulated_grad", "accumulated_delta_var")

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, **_common(locals()), **kwargs)
        self.rho, self.epsilon = rho, epsilon

    def _update(self, v, g, slots, lr, iteration):
        rho, eps = _cast(self.rho, v), _cast(self.epsilon, v)
        acc_g = rho * slots[0] + (1 - rho) * jnp.square(g)
        delta = -jnp.sqrt(slots[1] + eps) * g / jnp.sqrt(acc_g + eps)
        acc_d = rho * slots[1] + (1 - rho) * jnp.square(delta)
        return v + lr * delta, [acc_g, acc_d]

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}


class _MomentsOptimizer(Optimizer):
    """The arguments and config shared by Adamax and Nadam (``beta_1``, ``beta_2``,
    ``epsilon``)."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, **_common(locals()), **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}


class Adamax(_MomentsOptimizer):
    """Adamax: Adam with the infinity norm of past gradients.

    >>> import tftape as tf
    >>> v = tf.Variable([1.0])
    >>> _ = tf.keras.optimizers.Adamax(0.1).apply_gradients([(tf.constant([2.0]), v)])
    >>> round(float(v.numpy()[0]), 4)
    0.9
    """
    _slot_names = ("momentum", "norm")

    def _update(self, v, g, slots, lr, iteration):
        step = (iteration + 1).astype(v.dtype)
        b1p = jnp.power(_cast(self.beta_1, v), step)
        m = slots[0] + (g - slots[0]) * _cast(1 - self.beta_1, v)
        u = jnp.maximum(_cast(self.beta_2, v) * slots[1], jnp.abs(g))
        return v - (lr * m) / ((1 - b1p) * (u + _cast(self.epsilon, v))), [m, u]


class Nadam(_MomentsOptimizer):
    """Adam with Nesterov momentum (Dozat's momentum schedule ``u_t``).

    >>> import tftape as tf
    >>> v = tf.Variable([1.0])
    >>> _ = tf.keras.optimizers.Nadam(0.1).apply_gradients([(tf.constant([2.0]), v)])
    >>> round(float(v.numpy()[0]), 4)
    0.8937
    """
    _slot_names = ("momentum", "velocity")

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        # Keras 3 keeps the product of the momentum schedule in one variable after the slots.
        dtype = var_list[0].dtype.name if var_list else "float32"
        with _naming.name_scope(self.name, caller=self):
            self._u_product = KerasVariable(np.asarray(1.0, dtype=dtype), dtype=dtype,
                                            trainable=False, name="variable")
        self._variables.append(self._u_product)

    def _step_inputs(self):
        # Updated once per step, before the variables' updates read it.
        u = _read(self._u_product)
        step = _read(self._iterations).astype(u.dtype) + 1
        new = u * self.beta_1 * (1.0 - 0.5 * jnp.power(jnp.asarray(0.96, u.dtype), step))
        _write(self._u_product, new)
        return (new,)

    def _update(self, v, g, slots, lr, iteration):
        (u_product,) = self._step_values
        u_product = u_product.astype(v.dtype)
        b1, b2 = _cast(self.beta_1, v), _cast(self.beta_2, v)
        step = (iteration + 1).astype(v.dtype)
        decay = _cast(0.96, v)
        u_t = b1 * (1 - 0.5 * jnp.power(decay, step))
        u_t1 = b1 * (1 - 0.5 * jnp.power(decay, step + 1))
        b2p = jnp.power(b2, step)
        m = slots[0] + (g - slots[0]) * (1 - b1)
        vel = slots[1] + (jnp.square(g) - slots[1]) * (1 - b2)
        m_hat = u_t1 * m / (1 - u_product * u_t1) + (1 - u_t) * g / (1 - u_product)
        v_hat = vel / (1 - b2p)
        return v - (m_hat * lr) / (jnp.sqrt(v_hat) + _cast(self.epsilon, v)), [m, vel]


class Ftrl(Optimizer):
    """Follow-the-regularized-leader with L1, L2 and L2-shrinkage regularization.

    >>> import tftape as tf
    >>> v = tf.Variable([1.0])
    >>> _ = tf.keras.optimizers.Ftrl(0.1).apply_gradients([(tf.constant([2.0]), v)])
    >>> round(float(v.numpy()[0]), 4)
    0.7451
    """
    _slot_names = ("accumulator", "linear")

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5,
                 initial_accumulator_value=0.1, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, l2_shrinkage_regularization_strength=0.0,
                 beta=0.0, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, **_common(locals()), **kwargs)
        if initial_accumulator_value < 0.0:
            raise ValueError(f"`initial_accumulator_value` needs to be positive or zero. "
                             f"Received: initial_accumulator_value={initial_accumulator_value}.")
        if learning_rate_power > 0.0:
            raise ValueError(f"`learning_rate_power` needs to be negative or zero. Received: "
                             f"learning_rate_power={learning_rate_power}.")
        for arg in ("l1_regularization_strength", "l2_regularization_strength",
                    "l2_shrinkage_regularization_strength"):
            if locals()[arg] < 0.0:
                raise ValueError(f"`{arg}` needs to be positive or zero. Received: "
                                 f"{arg}={locals()[arg]}.")
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def _slot_initializers(self):
        from .. import initializers as _init
        return {"accumulator": _init.Constant(self.initial_accumulator_value)}

    def _update(self, v, g, slots, lr, iteration):
        power = _cast(self.learning_rate_power, v)
        l1 = _cast(self.l1_regularization_strength, v)
        l2 = _cast(self.l2_regularization_strength, v) + _cast(self.beta, v) / (2.0 * lr)
        g_shrunk = g + 2.0 * _cast(self.l2_shrinkage_regularization_strength, v) * v
        acc, linear = slots
        new_acc = acc + jnp.square(g)
        linear = linear + g_shrunk - (jnp.power(new_acc, -power) - jnp.power(acc, -power)) \
            / lr * v
        quadratic = jnp.power(new_acc, -power) / lr + 2.0 * l2
        clipped = jnp.clip(linear, -l1, l1)
        return (clipped - linear) / quadratic, [new_acc, linear]

    def get_config(self):
        return {**super().get_config(), "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength":
                    self.l2_shrinkage_regularization_strength,
                "beta": self.beta}


class Lion(Optimizer):
    """Lion: signed updates of an interpolated momentum.

    >>> import tftape as tf
    >>> v = tf.Variable([1.0, 1.0])
    >>> _ = tf.keras.optimizers.Lion(0.1).apply_gradients([(tf.constant([2.0, -3.0]), v)])
    >>> [round(float(x), 4) for x in v.numpy()]
    [0.9, 1.1]
    """
    _slot_names = ("momentum",)

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, **_common(locals()), **kwargs)
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError(f"Argument `beta_1` must be in the [0, 1] range. Otherwise, the "
                             f"optimizer degenerates to SignSGD. Received: beta_1={beta_1}.")
        self.beta_1, self.beta_2 = beta_1, beta_2

    def _update(self, v, g, slots, lr, iteration):
        b1, b2 = _cast(self.beta_1, v), _cast(self.beta_2, v)
        m = slots[0]
        v = v - lr * jnp.sign(m * b1 + g * (1 - b1))
        return v, [m * b2 + g * (1 - b2)]

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}


class Adafactor(Optimizer):
    """Adafactor: second moments kept as row and column averages for matrices.

    >>> import tftape as tf
    >>> v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    >>> _ = tf.keras.optimizers.Adafactor(0.1).apply_gradients([(tf.ones((2, 2)), v)])
    >>> [round(float(x), 4) for x in v.numpy().ravel()]
    [0.7261, 1.7261, 2.7261, 3.7261]
    """
    _slot_names = ("r", "c", "velocity")

    def __init__(self, learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30,
                 epsilon_2=1e-3, clip_threshold=1.0, relative_step=True, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, **_common(locals()), **kwargs)
        self.beta_2_decay, self.epsilon_1, self.epsilon_2 = beta_2_decay, epsilon_1, epsilon_2
        self.clip_threshold, self.relative_step = clip_threshold, relative_step

    def _slot_shape(self, slot, variable):
        shape = tuple(variable.shape)
        if slot == "velocity":
            return shape
        if len(shape) < 2:
            return ()           # unused: vectors keep the full second moment
        return shape[:-1] if slot == "r" else shape[:-2] + shape[-1:]

    def _slot_name(self, slot, variable, base):
        # Note: Keras 3 names the factored moments after the variable itself.
        return base + "_velocity" if slot == "velocity" else str(variable.name)

    def _update(self, v, g, slots, lr, iteration):
        r, c, vel = slots
        step = (iteration + 1).astype(v.dtype)
        if self.relative_step:
            lr = jnp.minimum(lr, 1 / jnp.sqrt(step))
        rms = lambda x: jnp.sqrt(jnp.mean(jnp.square(x)))  # noqa: E731
        rho = jnp.minimum(lr, 1 / jnp.sqrt(step))
        alpha = jnp.maximum(_cast(self.epsilon_2, v), rms(v)) * rho
        g2 = jnp.square(g) + _cast(self.epsilon_1, v)
        beta = 1 - jnp.power(step, _cast(self.beta_2_decay, v))
        if v.ndim >= 2:
            r = beta * r + (1 - beta) * jnp.mean(g2, axis=-1)
            c = beta * c + (1 - beta) * jnp.mean(g2, axis=-2)
            vel = jnp.expand_dims(r / jnp.mean(r, axis=-1, keepdims=True), -1) * \
                jnp.expand_dims(c, -2)
        else:
            vel = beta * vel + (1 - beta) * g2
        u = g / jnp.sqrt(vel)
        u_hat = u / jnp.maximum(_cast(1.0, v), rms(u) / _cast(self.clip_threshold, v))
        return v - alpha * u_hat, [r, c, vel]

    def get_config(self):
        return {**super().get_config(), "beta_2_decay": self.beta_2_decay,
                "epsilon_1": self.epsilon_1, "epsilon_2": self.epsilon_2,
                "clip_threshold": self.clip_threshold, "relative_step": self.relative_step}

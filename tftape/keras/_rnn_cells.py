"""SimpleRNNCell, LSTMCell and GRUCell (Keras 3 formulas, weights and configs)."""
from __future__ import annotations

import jax.numpy as jnp

from .._core.convert import convert_to_tensor
from .._core.tensor import make
from .._ops.random_ops import sample, uniform_draw
from .._ops import array_ops as _a, linalg_ops as _la
from . import activations as _act, initializers as _init
from ._layer import Layer
from ._layer_utils import get_constraint, get_regularizer, ser_activation, ser_constraint, \
    ser_initializer, ser_regularizer
from ._rng import SeedGenerator


class DropoutRNNCell:
    """Dropout masks drawn once per sequence and reused at every step, as Keras does."""

    def _make_dropout_mask(self, like, rate):
        x = convert_to_tensor(like)
        key = self.seed_generator.next()
        keep = sample(uniform_draw(x.dtype._np), key, x.shape) >= rate
        return make(jnp.where(keep, jnp.asarray(1.0 / (1.0 - rate), x.dtype._np),
                              jnp.zeros((), x.dtype._np)), x.dtype)

    def get_dropout_mask(self, step_input):
        if getattr(self, "_dropout_mask", None) is None and self.dropout > 0:
            self._dropout_mask = self._make_dropout_mask(step_input, self.dropout)
        return getattr(self, "_dropout_mask", None)

    def get_recurrent_dropout_mask(self, step_input):
        if getattr(self, "_recurrent_dropout_mask", None) is None and \
                self.recurrent_dropout > 0:
            self._recurrent_dropout_mask = self._make_dropout_mask(step_input,
                                                                   self.recurrent_dropout)
        return getattr(self, "_recurrent_dropout_mask", None)

    def reset_dropout_mask(self):
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self):
        self._recurrent_dropout_mask = None


class _Cell(DropoutRNNCell, Layer):
    _gates = 1
    _UNTRACKED = Layer._UNTRACKED | {"_dropout_mask", "_recurrent_dropout_mask"}

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 **kwargs):
        if units <= 0:
            raise ValueError("Received an invalid value for argument `units`, expected a "
                             f"positive integer, got {units}.")
        kwargs.pop("implementation", None)
        super().__init__(**kwargs)
        self.units = units
        self.activation = _act.get(activation)
        self.recurrent_activation = _act.get(recurrent_activation)
        self.use_bias = use_bias
        self.kernel_initializer = _init.get(kernel_initializer)
        self.recurrent_initializer = _init.get(recurrent_initializer)
        self.bias_initializer = _init.get(bias_initializer)
        self.kernel_regularizer = get_regularizer(kernel_regularizer)
        self.recurrent_regularizer = get_regularizer(recurrent_regularizer)
        self.bias_regularizer = get_regularizer(bias_regularizer)
        self.kernel_constraint = get_constraint(kernel_constraint)
        self.recurrent_constraint = get_constraint(recurrent_constraint)
        self.bias_constraint = get_constraint(bias_constraint)
        self.dropout = min(1.0, max(0.0, dropout))
        self.recurrent_dropout = min(1.0, max(0.0, recurrent_dropout))
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)
        self._extra_variables.append(self.seed_generator.state)
        self.state_size = units
        self.output_size = units

    def _bias_shape(self):
        return (self._gates * self.units,)

    def _bias_initializer(self):
        return self.bias_initializer

    def build(self, input_shape):
        g = self._gates * self.units
        self.kernel = self.add_weight(shape=(input_shape[-1], g), name="kernel",
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(shape=(self.units, g),
                                                name="recurrent_kernel",
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        self.bias = self.add_weight(shape=self._bias_shape(), name="bias",
                                    initializer=self._bias_initializer(),
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None

    def _dropped(self, inputs, h, training):
        if training and 0.0 < self.dropout < 1.0:
            inputs = inputs * self.get_dropout_mask(inputs)
        if training and 0.0 < self.recurrent_dropout < 1.0:
            h = h * self.get_recurrent_dropout_mask(h)
        return inputs, h

    def get_initial_state(self, batch_size=None):
        return [_a.zeros((batch_size, self.state_size), dtype=self.compute_dtype)]

    def get_config(self):
        cfg = {**super().get_config(), "units": self.units,
               "activation": ser_activation(self.activation)}
        if self._gates > 1:
            cfg["recurrent_activation"] = ser_activation(self.recurrent_activation)
        cfg.update({
            "use_bias": self.use_bias,
            "kernel_initializer": ser_initializer(self.kernel_initializer),
            "recurrent_initializer": ser_initializer(self.recurrent_initializer),
            "bias_initializer": ser_initializer(self.bias_initializer),
            "kernel_regularizer": ser_regularizer(self.kernel_regularizer),
            "recurrent_regularizer": ser_regularizer(self.recurrent_regularizer),
            "bias_regularizer": ser_regularizer(self.bias_regularizer),
            "kernel_constraint": ser_constraint(self.kernel_constraint),
            "recurrent_constraint": ser_constraint(self.recurrent_constraint),
            "bias_constraint": ser_constraint(self.bias_constraint),
            "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed})
        return cfg


class SimpleRNNCell(_Cell):
    """``h = activation(x @ kernel + h_prev @ recurrent_kernel + bias)``."""

    def __init__(self, units, activation="tanh", use_bias=True, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias, **kwargs)

    def call(self, sequence, states, training=False):
        prev = states[0] if isinstance(states, (list, tuple)) else states
        x, prev_d = self._dropped(sequence, prev, training)
        h = _la.matmul(x, self.kernel.read_value())
        if self.bias is not None:
            h = h + self.bias.read_value()
        out = h + _la.matmul(prev_d, self.recurrent_kernel.read_value())
        if self.activation is not _act.linear:
            out = self.activation(out)
        return out, [out] if isinstance(states, (list, tuple)) else out


class _OnesForget:
    """LSTM's ``unit_forget_bias``: the bias initializer with the forget gate's part at 1."""

    def __init__(self, base, units):
        self.base, self.units = base, units

    def __call__(self, shape, dtype=None):
        u = self.units
        parts = [self.base((u,), dtype=dtype), _init.Ones()((u,), dtype=dtype),
                 self.base((2 * u,), dtype=dtype)]
        return _a.concat([convert_to_tensor(p) for p in parts], 0)


class LSTMCell(_Cell):
    """Long short-term memory step; states ``[h, c]``, gates ordered i, f, c, o."""

    _gates = 4

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, unit_forget_bias=True, **kwargs):
        super().__init__(units, activation=activation,
                         recurrent_activation=recurrent_activation, use_bias=use_bias,
                         **kwargs)
        self.unit_forget_bias = unit_forget_bias
        self.state_size = [units, units]

    def _bias_initializer(self):
        if self.unit_forget_bias:
            return _OnesForget(self.bias_initializer, self.units)
        return self.bias_initializer

    def call(self, inputs, states, training=False):
        h_prev, c_prev = states[0], states[1]
        x, h_d = self._dropped(inputs, h_prev, training)
        z = _la.matmul(x, self.kernel.read_value()) + _la.matmul(
            h_d, self.recurrent_kernel.read_value())
        if self.bias is not None:
            z = z + self.bias.read_value()
        zi, zf, zc, zo = _a.split(z, 4, axis=-1)
        ra = self.recurrent_activation
        i, f, o = ra(zi), ra(zf), ra(zo)
        c = f * c_prev + i * self.activation(zc)
        h = o * self.activation(c)
        return h, [h, c]

    def get_initial_state(self, batch_size=None):
        return [_a.zeros((batch_size, d), dtype=self.compute_dtype) for d in self.state_size]

    def get_config(self):
        cfg = super().get_config()
        cfg["unit_forget_bias"] = self.unit_forget_bias
        return cfg


class GRUCell(_Cell):
    """Gated recurrent unit step; ``reset_after=True`` is Keras 3's (and cuDNN's) variant."""

    _gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, reset_after=True, **kwargs):
        super().__init__(units, activation=activation,
                         recurrent_activation=recurrent_activation, use_bias=use_bias,
                         **kwargs)
        self.reset_after = reset_after

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def call(self, inputs, states, training=False):
        nested = isinstance(states, (list, tuple))
        h_prev = states[0] if nested else states
        x, h_d = self._dropped(inputs, h_prev, training)
        u = self.units
        kernel, rk = self.kernel.read_value(), self.recurrent_kernel.read_value()
        in_bias = rec_bias = None
        if self.bias is not None:
            b = self.bias.read_value()
            if self.reset_after:
                in_bias, rec_bias = b[0], b[1]
            else:
                in_bias = b
        mx = _la.matmul(x, kernel)
        if in_bias is not None:
            mx = mx + in_bias
        x_z, x_r, x_h = _a.split(mx, 3, axis=-1)
        if self.reset_after:
            inner = _la.matmul(h_d, rk)
            if rec_bias is not None:
                inner = inner + rec_bias
        else:
            inner = _la.matmul(h_d, rk[:, :2 * u])
        ra = self.recurrent_activation
        z = ra(x_z + inner[:, :u])
        r = ra(x_r + inner[:, u:2 * u])
        if self.reset_after:
            rh = r * inner[:, 2 * u:]
        else:
            rh = _la.matmul(r * h_d, rk[:, 2 * u:])
        hh = self.activation(x_h + rh)
        h = z * h_prev + (1 - z) * hh
        return h, [h] if nested else h

    def get_config(self):
        cfg = super().get_config()
        cfg["reset_after"] = self.reset_after
        return cfg

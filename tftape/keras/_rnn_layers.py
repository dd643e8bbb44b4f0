"""RNN(cell), SimpleRNN, LSTM, GRU, Bidirectional and TimeDistributed.

The time loop is one registry op whose implementation is a ``jax.lax.scan`` over the cell's
``call``: the cell runs on tracers with its weights swapped for the op's inputs, so a whole
sequence is one XLA program eagerly, one node on a tape and one ``scan`` in a compiled step.
"""
from __future__ import annotations


import jax
import jax.numpy as jnp

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._core.registry import execute, op, tracing_scope
from .._core.tensor import make
from .._ops import array_ops as _a, math_ops as _m
from ._layer import Layer
from ._layer_utils import InputSpec, ser_regularizer
from ._rnn_cells import DropoutRNNCell, GRUCell, LSTMCell, SimpleRNNCell
from ._serialization import _builtin_namespace


def serialize_layer(layer):
    """Keras' ``serialize_keras_object`` for a layer."""
    layers = _builtin_namespace("keras.layers")
    builtin = getattr(layers, type(layer).__name__, None) is type(layer)
    out = {"module": "keras.layers" if builtin else type(layer).__module__,
           "class_name": type(layer).__name__, "config": layer.get_config(),
           "registered_name": None if builtin else type(layer).__name__}
    if layer.built and layer._build_shapes is not None:
        shape = layer._build_shapes
        out["build_config"] = {"input_shape": tuple(shape) if isinstance(shape, (list, tuple))
                               and not isinstance(shape[0], (list, tuple)) else shape}
    return out


def deserialize_layer(config):
    layers = _builtin_namespace("keras.layers")
    return getattr(layers, config["class_name"]).from_config(config["config"])


class _swap_values:
    """Temporarily gives ``variables`` the raw values ``values`` (tracers inside the scan)."""

    def __init__(self, variables, values):
        self.vars, self.values = variables, values

    def __enter__(self):
        self.saved = [v._value for v in self.vars]
        for v, x in zip(self.vars, self.values):
            v._value = x

    def __exit__(self, *exc):
        for v, x in zip(self.vars, self.saved):
            v._value = x


def _tensor(v):
    return make(v, _d._BY_NP[jnp.dtype(v.dtype)])


def _rnn_impl(x, mask, *rest, layer, training, n_states, n_drop, has_mask):
    cell = layer.cell
    states0 = list(rest[:n_states])
    drops = rest[n_states:n_states + n_drop]
    params = rest[n_states + n_drop:]
    variables = cell.weights
    xs = jnp.swapaxes(x, 0, 1)
    ms = jnp.swapaxes(mask, 0, 1)
    if layer.go_backwards:
        xs, ms = xs[::-1], ms[::-1]
    out_size = getattr(cell, "output_size", None) or layer.state_size[0]
    out0 = jnp.zeros((x.shape[0], out_size), x.dtype)
    kwargs = {"training": training} if cell._call_has_training_arg else {}

    def step(carry, inp):
        states, prev_out = carry
        x_t, m_t = inp
        with tracing_scope(), _swap_values(variables, params):
            if n_drop:
                cell._dropout_mask = _tensor(drops[0]) if drops[0].ndim else None
                cell._recurrent_dropout_mask = _tensor(drops[1]) if drops[1].ndim else None
            st = [_tensor(s) for s in states]
            out, new = cell.call(_tensor(x_t), st, **kwargs)
            if n_drop:
                cell._dropout_mask = cell._recurrent_dropout_mask = None
        new = new if isinstance(new, (list, tuple)) else [new]
        out = convert_to_tensor(out)._v
        new = [convert_to_tensor(s)._v for s in new]
        if has_mask:
            # Masked steps keep the previous states; their output repeats the previous one
            # (or is zero with `zero_output_for_mask`).
            m = m_t[:, None]
            new = [jnp.where(m, n, s) for n, s in zip(new, states)]
            out = jnp.where(m, out, jnp.zeros_like(out) if layer.zero_output_for_mask
                            else prev_out)
        return (new, out), (out if layer.return_sequences else None)

    (final, last), outs = jax.lax.scan(step, (states0, out0), (xs, ms))
    output = jnp.swapaxes(outs, 0, 1) if layer.return_sequences else last
    return (output,) + tuple(final)


_rnn = op("keras_rnn", "While", _rnn_impl)


class RNN(Layer):
    """Runs a cell over the time axis of ``(batch, time, features)`` inputs.

    >>> import tftape as tf
    >>> rnn = tf.keras.layers.RNN(tf.keras.layers.SimpleRNNCell(3))
    >>> rnn(tf.ones((2, 5, 4))).shape
    TensorShape([2, 3])
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if "call" not in dir(cell):
            raise ValueError("Argument `cell` should have a `call` method. "
                             f"Received: cell={cell}")
        if "state_size" not in dir(cell):
            raise ValueError("The RNN cell should have a `state_size` attribute (single "
                             "integer or list of integers, one integer per RNN state). "
                             f"Received: cell={cell}")
        super().__init__(**kwargs)
        self.zero_output_for_mask = zero_output_for_mask
        self.cell = cell
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.supports_masking = True
        self.states = None
        state_size = cell.state_size
        self.single_state = isinstance(state_size, int)
        self.state_size = [state_size] if self.single_state else list(state_size)

    def build(self, sequences_shape, initial_state_shape=None):
        step_shape = (sequences_shape[0],) + tuple(sequences_shape[2:])
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell.build(step_shape)
            self.cell.built = True
        if self.stateful:
            if sequences_shape[0] is None:
                raise ValueError("When using `stateful=True` in a RNN, the batch size must be "
                                 "static. Found dynamic batch size: "
                                 f"sequence.shape={tuple(sequences_shape)}")
            from ._variables import KerasVariable
            with self._open_name_scope():
                self.states = [KerasVariable(s, trainable=False, name="rnn_state")
                               for s in self.get_initial_state(sequences_shape[0])]
            self._UNTRACKED = Layer._UNTRACKED | {"states"}
            self._extra_variables.extend(self.states)

    def get_initial_state(self, batch_size):
        fn = getattr(self.cell, "get_initial_state", None)
        if fn is not None:
            init = fn(batch_size=batch_size)
            return list(init) if isinstance(init, (list, tuple)) else [init]
        return [_a.zeros((batch_size, d), dtype=self.cell.compute_dtype)
                for d in self.state_size]

    def reset_state(self):
        if self.states is not None:
            for v in self.states:
                v.assign(_a.zeros_like(v.read_value()))

    reset_states = reset_state

    def _dropout_masks(self, x, states, training):
        cell = self.cell
        if not (training and isinstance(cell, DropoutRNNCell)):
            return []
        if not (0 < cell.dropout < 1 or 0 < cell.recurrent_dropout < 1):
            return []
        empty = convert_to_tensor(0.0)
        dm = cell.get_dropout_mask(x[:, 0]) if 0 < cell.dropout < 1 else None
        rm = cell.get_recurrent_dropout_mask(states[0]) if 0 < cell.recurrent_dropout < 1 \
            else None
        cell.reset_dropout_mask()
        cell.reset_recurrent_dropout_mask()
        return [empty if dm is None else dm, empty if rm is None else rm]

    def call(self, sequences, initial_state=None, mask=None, training=False):
        x = convert_to_tensor(sequences)
        if initial_state is None:
            initial_state = [v.read_value() for v in self.states] if self.stateful else \
                self.get_initial_state(x.shape[0])
        if not isinstance(initial_state, (list, tuple)):
            initial_state = [initial_state]
        states = [_m.cast(convert_to_tensor(s), self.cell.compute_dtype)
                  if convert_to_tensor(s).dtype != x.dtype else convert_to_tensor(s)
                  for s in initial_state]
        has_mask = mask is not None
        m = _m.cast(mask, "bool") if has_mask else _a.ones(tuple(x.shape[:2]), dtype="bool")
        drops = self._dropout_masks(x, states, training)
        weights = [v.read_value() for v in self.cell.weights]
        static = {"layer": self, "training": bool(training), "n_states": len(states),
                  "n_drop": len(drops), "has_mask": has_mask}
        key = (id(self), self.go_backwards, self.return_sequences, self.zero_output_for_mask,
               bool(training), len(states), len(drops), has_mask)
        outs = execute(_rnn, (x, m, *states, *drops, *weights), key, static)
        output, new_states = outs[0], list(outs[1:])
        if self.stateful:
            for v, s in zip(self.states, new_states):
                v.assign(s, read_value=False)
        if self.return_state:
            return [output] + new_states
        return output

    def compute_mask(self, inputs, mask):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out = mask if self.return_sequences else None
        if self.return_state:
            return [out] + [None] * len(self.state_size)
        return out

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch, length = sequences_shape[0], sequences_shape[1]
        out_size = getattr(self.cell, "output_size", None) or self.state_size[0]
        out = (batch, length, out_size) if self.return_sequences else (batch, out_size)
        if self.return_state:
            return [out] + [(batch, s) for s in self.state_size]
        return out

    def get_config(self):
        cfg = {**super().get_config(), "return_sequences": self.return_sequences,
               "return_state": self.return_state, "go_backwards": self.go_backwards,
               "stateful": self.stateful, "unroll": self.unroll,
               "zero_output_for_mask": self.zero_output_for_mask}
        if type(self) is RNN:
            cfg["cell"] = serialize_layer(self.cell)
        return cfg

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        cell = config.pop("cell")
        if isinstance(cell, dict):
            cell = deserialize_layer(cell)
        if isinstance(config.get("dtype"), dict):
            config["dtype"] = config["dtype"]["config"]["name"]
        return cls(cell, **config)


class StackedRNNCells(Layer):
    """Wraps a list of cells as one cell (each cell's output feeds the next)."""

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        self.cells = list(cells)

    @property
    def state_size(self):
        return [s for c in self.cells for s in (c.state_size if isinstance(
            c.state_size, (list, tuple)) else [c.state_size])]

    @property
    def output_size(self):
        last = self.cells[-1]
        return getattr(last, "output_size", None) or (
            last.state_size[0] if isinstance(last.state_size, (list, tuple))
            else last.state_size)

    def build(self, input_shape):
        shape = tuple(input_shape)
        for c in self.cells:
            if not c.built:
                c.build(shape)
            out = getattr(c, "output_size", None) or (
                c.state_size[0] if isinstance(c.state_size, (list, tuple)) else c.state_size)
            shape = shape[:-1] + (out,)

    def get_initial_state(self, batch_size=None):
        return [_a.zeros((batch_size, d), dtype=self.compute_dtype) for d in self.state_size]

    def call(self, inputs, states, training=False):
        out, new_states, i = inputs, [], 0
        for c in self.cells:
            n = len(c.state_size) if isinstance(c.state_size, (list, tuple)) else 1
            st = list(states[i:i + n])
            i += n
            kw = {"training": training} if c._call_has_training_arg else {}
            out, ns = c.call(out, st, **kw)
            new_states.extend(ns if isinstance(ns, (list, tuple)) else [ns])
        return out, new_states


_CELL_ARGS = ("units", "activation", "recurrent_activation", "use_bias", "kernel_initializer",
              "recurrent_initializer", "bias_initializer", "kernel_regularizer",
              "recurrent_regularizer", "bias_regularizer", "kernel_constraint",
              "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout", "seed")


class _CellRNN(RNN):
    """SimpleRNN/LSTM/GRU: an RNN over its own cell whose config is flattened into its own."""

    _cell_cls = SimpleRNNCell
    _cell_name = "simple_rnn_cell"
    _extra_cell_args = ()

    def _setup(self, units, cell_kwargs, rnn_kwargs):
        kwargs = rnn_kwargs.pop("kwargs")
        kwargs.pop("implementation", None)
        cell = self._cell_cls(units, dtype=kwargs.get("dtype"),
                              trainable=kwargs.get("trainable", True), name=self._cell_name,
                              **cell_kwargs)
        RNN.__init__(self, cell, **rnn_kwargs, **kwargs)
        self.input_spec = InputSpec(ndim=3)

    _config_drops = ("name", "trainable", "dtype")

    def get_config(self):
        cell_cfg = self.cell.get_config()
        for k in self._config_drops:
            cell_cfg.pop(k)
        return {**super().get_config(), **cell_cfg,
                "activity_regularizer": ser_regularizer(self.activity_regularizer)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("dtype"), dict):
            config["dtype"] = config["dtype"]["config"]["name"]
        return cls(**config)


# units, activation, dropout, ...: the cell's, as Keras' read-only properties.
for _name in _CELL_ARGS + ("unit_forget_bias", "reset_after"):
    setattr(_CellRNN, _name, property(lambda self, n=_name: getattr(self.cell, n)))


def _split_args(loc, cell_names):
    cell = {k: loc[k] for k in cell_names}
    rnn = {k: loc[k] for k in ("return_sequences", "return_state", "go_backwards", "stateful",
                               "unroll", "activity_regularizer", "kwargs")}
    return cell, rnn


class SimpleRNN(_CellRNN):
    """A fully connected RNN whose output is fed back as its state.

    >>> import tftape as tf
    >>> tf.keras.layers.SimpleRNN(4, return_sequences=True)(tf.ones((2, 3, 5))).shape
    TensorShape([2, 3, 4])
    """

    # Keras 3 leaves the cell's seed out of SimpleRNN's config (not LSTM's or GRU's).
    _config_drops = ("name", "trainable", "dtype", "seed")

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, seed=None, **kwargs):
        cell, rnn = _split_args(locals(), (
            "activation", "use_bias", "kernel_initializer", "recurrent_initializer",
            "bias_initializer", "kernel_regularizer", "recurrent_regularizer",
            "bias_regularizer", "kernel_constraint", "recurrent_constraint",
            "bias_constraint", "dropout", "recurrent_dropout", "seed"))
        self._setup(units, cell, rnn)


class LSTM(_CellRNN):
    """Long short-term memory layer (states ``[h, c]``)."""

    _cell_cls = LSTMCell
    _cell_name = "lstm_cell"

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False,
                 use_cudnn="auto", **kwargs):
        if use_cudnn not in ("auto", True, False):
            raise ValueError("Invalid valid received for argument `use_cudnn`. Expected one "
                             f"of {{'auto', True, False}}. Received: use_cudnn={use_cudnn}")
        cell, rnn = _split_args(locals(), (
            "activation", "recurrent_activation", "use_bias", "kernel_initializer",
            "recurrent_initializer", "bias_initializer", "unit_forget_bias",
            "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
            "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
            "recurrent_dropout", "seed"))
        self._setup(units, cell, rnn)
        # Note: there is no cuDNN kernel here; every LSTM runs as one XLA scan.
        self.use_cudnn = use_cudnn


class GRU(_CellRNN):
    """Gated recurrent unit layer (``reset_after=True`` by default, as Keras 3)."""

    _cell_cls = GRUCell
    _cell_name = "gru_cell"

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, reset_after=True,
                 use_cudnn="auto", **kwargs):
        if use_cudnn not in ("auto", True, False):
            raise ValueError("Invalid valid received for argument `use_cudnn`. Expected one "
                             f"of {{'auto', True, False}}. Received: use_cudnn={use_cudnn}")
        cell, rnn = _split_args(locals(), (
            "activation", "recurrent_activation", "use_bias", "kernel_initializer",
            "recurrent_initializer", "bias_initializer", "kernel_regularizer",
            "recurrent_regularizer", "bias_regularizer", "kernel_constraint",
            "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout", "seed",
            "reset_after"))
        self._setup(units, cell, rnn)
        self.use_cudnn = use_cudnn


class Wrapper(Layer):
    """A layer that wraps another layer (``keras.layers.Wrapper``)."""

    def __init__(self, layer, **kwargs):
        super().__init__(**kwargs)
        self.layer = layer

    def get_config(self):
        return {**super().get_config(), "layer": serialize_layer(self.layer)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        layer = deserialize_layer(config.pop("layer"))
        if isinstance(config.get("dtype"), dict):
            config["dtype"] = config["dtype"]["config"]["name"]
        return cls(layer, **config)


class Bidirectional(Wrapper):
    """Runs an RNN forwards and a copy backwards and merges their outputs.

    >>> import tftape as tf
    >>> tf.keras.layers.Bidirectional(tf.keras.layers.GRU(2))(tf.ones((1, 3, 4))).shape
    TensorShape([1, 4])
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None,
                 **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError("Please initialize `Bidirectional` layer with a "
                             f"`keras.layers.Layer` instance. Received: {layer}")
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError("`backward_layer` need to be a `keras.layers.Layer` instance. "
                             f"Received: {backward_layer}")
        if merge_mode not in ["sum", "mul", "ave", "concat", None]:
            raise ValueError(f"Invalid merge mode. Received: {merge_mode}. Merge mode should "
                             'be one of {"sum", "mul", "ave", "concat", None}')
        Layer.__init__(self, **kwargs)
        cfg = layer.get_config()
        cfg["name"] = "forward_" + layer.name.removeprefix("forward_")
        self.forward_layer = type(layer).from_config(cfg)
        if backward_layer is None:
            cfg = layer.get_config()
            cfg["go_backwards"] = True
            cfg["name"] = "backward_" + layer.name.removeprefix("backward_")
            self.backward_layer = type(layer).from_config(cfg)
        else:
            self.backward_layer = backward_layer
        if self.forward_layer.go_backwards == self.backward_layer.go_backwards:
            raise ValueError("Forward layer and backward layer should have different "
                             "`go_backwards` value. Received: forward_layer.go_backwards "
                             f"{self.forward_layer.go_backwards}, "
                             f"backward_layer.go_backwards={self.backward_layer.go_backwards}")
        for inner in (self.forward_layer, self.backward_layer):
            # As Keras: masked steps of returned sequences are zeros in both directions.
            if getattr(inner, "zero_output_for_mask", None) is not None:
                inner.zero_output_for_mask = inner.return_sequences
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        self.input_spec = layer.input_spec
        if weights is not None:
            self._initial_weights = weights

    @property
    def states(self):
        fwd, bwd = self.forward_layer.states, self.backward_layer.states
        return None if fwd is None else tuple(fwd) + tuple(bwd)

    def reset_state(self):
        self.forward_layer.reset_state()
        self.backward_layer.reset_state()

    reset_states = reset_state

    def build(self, sequences_shape, initial_state_shape=None):
        if not self.forward_layer.built:
            self.forward_layer.build(sequences_shape)
        if not self.backward_layer.built:
            self.backward_layer.build(sequences_shape)

    def call(self, sequences, initial_state=None, mask=None, training=None):
        kwargs = {}
        if self.forward_layer._call_has_training_arg:
            kwargs["training"] = training
        if self.forward_layer._call_has_mask_arg and mask is not None:
            kwargs["mask"] = mask
        fwd_state = bwd_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            fwd_state, bwd_state = initial_state[:half], initial_state[half:]
        y = self.forward_layer(sequences, initial_state=fwd_state, **kwargs)
        y_rev = self.backward_layer(sequences, initial_state=bwd_state, **kwargs)
        states = ()
        if self.return_state:
            states = tuple(y[1:]) + tuple(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = _a.reverse(y_rev, [1])
        if self.merge_mode == "concat":
            out = _a.concat([y, y_rev], -1)
        elif self.merge_mode == "sum":
            out = y + y_rev
        elif self.merge_mode == "ave":
            out = (y + y_rev) / 2
        elif self.merge_mode == "mul":
            out = y * y_rev
        else:
            out = [y, y_rev]
        if self.return_state:
            return (list(out) if self.merge_mode is None else [out]) + list(states)
        return out

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        shape = self.forward_layer.compute_output_shape(sequences_shape)
        states = []
        if self.return_state:
            shape, states = shape[0], list(shape[1:])
        if self.merge_mode == "concat":
            shape = tuple(shape[:-1]) + (shape[-1] * 2,)
        out = [tuple(shape), tuple(shape)] if self.merge_mode is None else [tuple(shape)]
        if self.return_state:
            return out + states * 2
        return out if self.merge_mode is None else out[0]

    def compute_mask(self, _, mask):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out = mask if self.return_sequences else None
        out = [out, out] if self.merge_mode is None else out
        if self.return_state:
            n = len(self.forward_layer.state_size) * 2
            return (out if isinstance(out, list) else [out]) + [None] * n
        return out

    def get_config(self):
        cfg = Layer.get_config(self)
        cfg.update(merge_mode=self.merge_mode, layer=serialize_layer(self.forward_layer),
                   backward_layer=serialize_layer(self.backward_layer))
        return cfg

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        layer = deserialize_layer(config.pop("layer"))
        back = config.pop("backward_layer", None)
        if back is not None:
            back = deserialize_layer(back)
        if isinstance(config.get("dtype"), dict):
            config["dtype"] = config["dtype"]["config"]["name"]
        return cls(layer, backward_layer=back, **config)


class TimeDistributed(Wrapper):
    """Applies a layer to every time step of ``(batch, time, ...)`` inputs.

    >>> import tftape as tf
    >>> tf.keras.layers.TimeDistributed(tf.keras.layers.Dense(2))(tf.ones((1, 3, 4))).shape
    TensorShape([1, 3, 2])
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError("Please initialize `TimeDistributed` layer with a "
                             f"`keras.layers.Layer` instance. Received: {layer}")
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    def _child_shape(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) < 3:
            raise ValueError("`TimeDistributed` Layer should be passed an `input_shape` with "
                             f"at least 3 dimensions, received: {input_shape}")
        return (input_shape[0], *input_shape[2:])

    def build(self, input_shape):
        child = self._child_shape(tuple(input_shape))
        if not self.layer.built:
            self.layer.build(child)
            self.layer.built = True

    def compute_output_shape(self, input_shape):
        child = self.layer.compute_output_shape(self._child_shape(tuple(input_shape)))
        return (child[0], input_shape[1], *child[1:])

    def call(self, inputs, training=None, mask=None):
        x = convert_to_tensor(inputs)
        b, t = x.shape[0], x.shape[1]
        kwargs = {}
        if self.layer._call_has_training_arg:
            kwargs["training"] = training
        if self.layer._call_has_mask_arg and mask is not None:
            kwargs["mask"] = _a.reshape(mask, (b * t,) + tuple(mask.shape[2:]))
        # Note: Keras loops over the time steps; folding time into the batch gives the same
        # values for per-example layers in one call.
        y = self.layer.call(_a.reshape(x, (b * t,) + tuple(x.shape[2:])), **kwargs)
        y = convert_to_tensor(y)
        return _a.reshape(y, (b, t) + tuple(y.shape[1:]))

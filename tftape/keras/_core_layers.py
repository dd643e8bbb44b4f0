"""Core layers: InputLayer/Input, Dense, Flatten, Dropout, Activation, ReLU, Embedding, ..."""
from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._core.tensor import make
from .._ops import array_ops as _a, linalg_ops as _la, math_ops as _m
from . import activations as _act, constraints as _con, initializers as _init, \
    regularizers as _reg
from ._layer import KerasTensor, Layer, Node
from ._rng import SeedGenerator
from ._serial import serialize as _ser


class InputLayer(Layer):
    """The entry point of a functional or Sequential model."""

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None,
                 input_tensor=None, optional=False, name=None, **kwargs):
        kwargs.pop("ragged", None)      # in Keras 3 configs; ragged inputs are not supported
        super().__init__(name=name, dtype=dtype)
        if shape is not None and batch_shape is not None:
            raise ValueError("You cannot pass both `shape` and `batch_shape` at the same time.")
        if batch_size is not None and batch_shape is not None:
            raise ValueError("You cannot pass both `batch_size` and `batch_shape` at the same "
                             "time.")
        if shape is None and batch_shape is None and input_tensor is None:
            raise ValueError("You must pass a `shape` argument.")
        if shape is not None:
            shape = (shape,) if isinstance(shape, int) else tuple(shape)
            batch_shape = (batch_size,) + shape
        self.batch_shape = tuple(batch_shape)
        self.sparse = bool(sparse)
        self.optional = optional
        self.built = True
        if input_tensor is None:
            input_tensor = KerasTensor(self.batch_shape, dtype=self._dtype_name)
        self._input_tensor = input_tensor
        Node(self, (), {}, input_tensor)

    def call(self):
        return

    @property
    def output(self):
        return self._input_tensor

    def get_config(self):
        return {"batch_shape": self.batch_shape, "dtype": self._dtype_name,
                "sparse": self.sparse, "ragged": False, "name": self.name,
                "optional": self.optional}


def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, name=None,
          tensor=None, optional=False):
    """A symbolic input tensor (``tf.keras.Input``).

    >>> import tftape as tf
    >>> tf.keras.Input(shape=(4,)).shape
    (None, 4)
    """
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse,
                       batch_shape=batch_shape, name=name, input_tensor=tensor,
                       optional=optional)
    return layer.output


class Dense(Layer):
    """``activation(inputs @ kernel + bias)``.

    >>> import tftape as tf
    >>> d = tf.keras.layers.Dense(2, kernel_initializer="ones")
    >>> d(tf.constant([[1.0, 2.0]]))
    <tf.Tensor: shape=(1, 2), dtype=float32, numpy=array([[3., 3.]], dtype=float32)>
    """

    def __init__(self, units, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, lora_rank=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if not isinstance(units, int) or units <= 0:
            raise ValueError(f"Received an invalid value for `units`, expected a positive "
                             f"integer. Received: units={units}")
        self.units = units
        self.activation = _act.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = _init.get(kernel_initializer)
        self.bias_initializer = _init.get(bias_initializer)
        self.kernel_regularizer = _reg.get(kernel_regularizer)
        self.bias_regularizer = _reg.get(bias_regularizer)
        self.kernel_constraint = _con.get(kernel_constraint)
        self.bias_constraint = _con.get(bias_constraint)

    def build(self, input_shape):
        input_dim = input_shape[-1]
        self.kernel = self.add_weight(name="kernel", shape=(input_dim, self.units),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.units,),
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        else:
            self.bias = None

    def call(self, inputs, training=None):
        x = convert_to_tensor(inputs)
        k = self.kernel.read_value()
        if x.ndim == 2:
            y = _la.matmul(x, k)
        else:
            y = _la.tensordot(x, k, [[x.ndim - 1], [0]])
        if self.bias is not None:
            y = y + self.bias.read_value()
        if self.activation is not _act.linear:
            y = self.activation(y)
        return y

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)[:-1] + (self.units,)

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": _act.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": _init.serialize(self.kernel_initializer),
                "bias_initializer": _init.serialize(self.bias_initializer),
                "kernel_regularizer": _ser(self.kernel_regularizer, "keras.regularizers"),
                "bias_regularizer": _ser(self.bias_regularizer, "keras.regularizers"),
                "kernel_constraint": _ser(self.kernel_constraint, "keras.constraints"),
                "bias_constraint": _ser(self.bias_constraint, "keras.constraints"),
                "quantization_config": None}


class Flatten(Layer):
    """Flattens all but the batch dimension."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format or "channels_last"

    def call(self, inputs):
        x = convert_to_tensor(inputs)
        if x.ndim == 1:
            return _a.expand_dims(x, 1)
        if self.data_format == "channels_first" and x.ndim > 2:
            x = _a.transpose(x, [0] + list(range(2, x.ndim)) + [1])
        return _a.reshape(x, (x.shape[0], int(math.prod(x.shape[1:]))))

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        if not rest:
            return (input_shape[0], 1)
        n = None if any(d is None for d in rest) else int(math.prod(rest))
        return (input_shape[0], n)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class Reshape(Layer):
    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)

    def call(self, inputs):
        x = convert_to_tensor(inputs)
        return _a.reshape(x, (x.shape[0],) + self.target_shape)

    def compute_output_shape(self, input_shape):
        shape = list(self.target_shape)
        if -1 in shape and all(d is not None for d in input_shape[1:]):
            known = math.prod(d for d in shape if d != -1)
            shape[shape.index(-1)] = math.prod(input_shape[1:]) // known
        return (input_shape[0],) + tuple(None if d == -1 else d for d in shape)

    def get_config(self):
        return {**super().get_config(), "target_shape": self.target_shape}


class Dropout(Layer):
    """Zeroes a fraction ``rate`` of inputs while training (scaling the rest by 1/(1-rate))."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate <= 1:
            raise ValueError(f"Invalid value received for argument `rate`. Expected a float "
                             f"value between 0 and 1. Received: rate={rate}")
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed
        if rate > 0:
            self.seed_generator = SeedGenerator(seed)
            self._extra_variables.append(self.seed_generator.state)
        self.built = True

    def call(self, inputs, training=False):
        x = convert_to_tensor(inputs)
        if not training or self.rate <= 0:
            return x
        shape = tuple(x.shape) if self.noise_shape is None else tuple(
            s if s is not None else x.shape[i] for i, s in enumerate(self.noise_shape))
        key = self.seed_generator.next()
        keep = jax.random.uniform(key, shape, x.dtype._np) >= self.rate
        # Note: the mask is a constant input to `x * mask`, so gradients flow as in TF.
        mask = make(jnp.where(keep, jnp.asarray(1.0 / (1.0 - self.rate), x.dtype._np),
                              jnp.zeros((), x.dtype._np)), x.dtype)
        return x * mask

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": self.noise_shape}


class Activation(Layer):
    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = _act.get(activation)
        self.built = True

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "activation": _act.serialize(self.activation)}


class ReLU(Layer):
    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0.0:
            raise ValueError("max_value of a ReLU layer cannot be a negative value. Received: "
                             f"max_value={max_value}")
        if negative_slope is None or negative_slope < 0.0:
            raise ValueError("negative_slope of a ReLU layer cannot be a negative value. "
                             f"Received: negative_slope={negative_slope}")
        self.max_value, self.negative_slope, self.threshold = max_value, negative_slope, \
            threshold
        self.built = True

    def call(self, inputs):
        return _act.relu(inputs, negative_slope=self.negative_slope,
                         max_value=self.max_value, threshold=self.threshold)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}


class Softmax(Layer):
    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.built = True

    def call(self, inputs, mask=None):
        return _act.softmax(inputs, axis=self.axis)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class Embedding(Layer):
    """Looks up rows of an ``(input_dim, output_dim)`` table."""

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 weights=None, lora_rank=None, **kwargs):
        input_length = kwargs.pop("input_length", None)
        super().__init__(**kwargs)
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.embeddings_initializer = _init.get(embeddings_initializer)
        self.embeddings_regularizer = _reg.get(embeddings_regularizer)
        self.embeddings_constraint = _con.get(embeddings_constraint)
        self.mask_zero = mask_zero
        self.supports_masking = mask_zero
        self.input_length = input_length
        self._initial_weights = weights
        if weights is not None:
            self.build()
            self.set_weights(weights if isinstance(weights, list) else [weights])

    def build(self, input_shape=None):
        self.embeddings = self.add_weight(shape=(self.input_dim, self.output_dim),
                                          initializer=self.embeddings_initializer,
                                          name="embeddings",
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint)

    def call(self, inputs):
        x = convert_to_tensor(inputs)
        if x.dtype not in (_d.int32, _d.int64):
            x = _m.cast(x, "int32")
        return _a.gather(self.embeddings.read_value(), x, axis=0)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return _m.not_equal(convert_to_tensor(inputs), 0)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def _out_dtype(self, x):
        return self.compute_dtype

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim,
                "output_dim": self.output_dim,
                "embeddings_initializer": _init.serialize(self.embeddings_initializer),
                "embeddings_regularizer": _ser(self.embeddings_regularizer,
                                               "keras.regularizers"),
                "activity_regularizer": _ser(self.activity_regularizer, "keras.regularizers"),
                "embeddings_constraint": _ser(self.embeddings_constraint, "keras.constraints"),
                "mask_zero": self.mask_zero, "quantization_config": None}


class Lambda(Layer):
    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        self.function = function
        self.arguments = arguments or {}
        self.built = True

    def call(self, inputs, mask=None, training=None):
        return self.function(inputs, **self.arguments)


class _Merge(Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    def call(self, inputs):
        ts = [convert_to_tensor(t) for t in inputs]
        out = ts[0]
        for t in ts[1:]:
            out = self._merge(out, t)
        return out


class Add(_Merge):
    def _merge(self, a, b):
        return a + b


class Subtract(_Merge):
    def _merge(self, a, b):
        return a - b


class Multiply(_Merge):
    def _merge(self, a, b):
        return a * b


class Maximum(_Merge):
    def _merge(self, a, b):
        return _m.maximum(a, b)


class Minimum(_Merge):
    def _merge(self, a, b):
        return _m.minimum(a, b)


class Average(_Merge):
    def call(self, inputs):
        return super().call(inputs) / float(len(inputs))

    def _merge(self, a, b):
        return a + b


class Concatenate(Layer):
    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs):
        return _a.concat([convert_to_tensor(t) for t in inputs], axis=self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


def add(inputs, **kwargs):
    return Add(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    return Concatenate(axis=axis, **kwargs)(inputs)

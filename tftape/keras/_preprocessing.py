"""Numeric preprocessing layers: ``CategoryEncoding``, ``Normalization``, ``Discretization``,
``Rescaling``."""
from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np

from .._core import dtypes as _d, errors as _errors
from .._core.convert import convert_to_tensor
from .._core.tensor import Tensor, make
from .._ops import array_ops as _a, math_ops as _m
from ._layer import KerasTensor, Layer
from ._lookup_layers import validate_string_arg


def _encode(x, mode, depth, dtype, count_weights=None):
    """Keras' ``encode_categorical_inputs`` on a JAX array of integer indices."""
    if x.ndim == 0:
        x = x[None]
    if mode == "int":
        return x.astype(dtype)
    if mode == "one_hot":
        if x.ndim > 1 and x.shape[-1] == 1:
            x = x[..., 0]
        return (x[..., None] == jnp.arange(depth, dtype=x.dtype)).astype(dtype)
    if x.ndim > 2:
        raise ValueError(
            "When output_mode is not `'int'`, maximum supported output rank is 2. Received "
            f"output_mode {mode} and input shape {tuple(x.shape)}, which would result in "
            f"output rank {x.ndim}.")
    if not isinstance(x, jax.core.Tracer) and x.size and int(jnp.min(x)) < 0:
        # Note: TF's DenseBincount rejects negative indices; JAX would drop them silently.
        raise _errors.InvalidArgumentError(
            None, None, "Input 'in' must be non-negative! Negative input value found: "
            f"{int(jnp.min(x))} [Op:DenseBincount]")
    hot = (x[..., None] == jnp.arange(depth, dtype=x.dtype))
    if mode == "multi_hot":
        return jnp.any(hot, axis=-2).astype(dtype)
    if count_weights is not None:
        return jnp.sum(hot * count_weights[..., None], axis=-2).astype(count_weights.dtype)
    return jnp.sum(hot, axis=-2).astype(dtype)


class CategoryEncoding(Layer):
    """One-hot, multi-hot or count encoding of integer features.

    >>> import tftape as tf
    >>> tf.keras.layers.CategoryEncoding(num_tokens=4)(tf.constant([[0, 1], [3, 3]])).numpy()
    array([[1., 1., 0., 0.],
           [0., 0., 0., 1.]], dtype=float32)
    """

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in ("count", "one_hot", "multi_hot"):
            raise ValueError(f"Unknown arg for output_mode: {output_mode}")
        if num_tokens is None:
            raise ValueError("num_tokens must be set to use this layer. If the number of "
                             "tokens is not known beforehand, use the IntegerLookup layer "
                             "instead.")
        if num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        if sparse:
            raise ValueError("`sparse=True` is not supported: tftape's Keras layers return "
                             "dense tensors.")
        self.num_tokens = num_tokens
        self.output_mode = output_mode
        self.sparse = sparse

    def call(self, inputs, count_weights=None):
        x = convert_to_tensor(inputs)
        if count_weights is not None:
            if self.output_mode != "count":
                raise ValueError("`count_weights` is not used when `output_mode` is not "
                                 f"`'count'`. Received `count_weights={count_weights}`.")
            count_weights = convert_to_tensor(count_weights, dtype=self.compute_dtype)._v
        dt = _d.as_dtype(self.compute_dtype)
        return make(_encode(x._v, self.output_mode, self.num_tokens, dt._np, count_weights), dt)

    def compute_output_shape(self, input_shape):
        if input_shape is not None and len(input_shape) == 0:
            return (self.num_tokens,)
        if self.output_mode == "one_hot":
            if input_shape[-1] != 1 or len(input_shape) == 1:
                return tuple(input_shape) + (self.num_tokens,)
            return tuple(input_shape[:-1]) + (self.num_tokens,)
        return tuple(input_shape[:-1]) + (self.num_tokens,)

    def compute_output_spec(self, inputs, count_weights=None):
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype=self.compute_dtype)

    def get_config(self):
        return {**super().get_config(), "num_tokens": self.num_tokens,
                "output_mode": self.output_mode}


class Normalization(Layer):
    """Shifts and scales inputs to mean 0 and variance 1 (``adapt`` learns the statistics).

    >>> import tftape as tf
    >>> import numpy as np
    >>> layer = tf.keras.layers.Normalization(axis=None)
    >>> layer.adapt(np.array([1.0, 2.0, 3.0]))
    >>> layer(np.array([1.0, 2.0, 3.0])).numpy()
    array([-1.2247448,  0.       ,  1.2247448], dtype=float32)
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int):
            axis = (axis,)
        else:
            axis = tuple(axis)
        self.axis = axis
        self.input_mean = mean
        self.input_variance = variance
        self.invert = invert
        self.supports_masking = True
        self._build_input_shape = None
        self.mean = None
        if (mean is not None) != (variance is not None):
            raise ValueError("When setting values directly, both `mean` and `variance` must "
                             f"be set. Received: mean={mean} and variance={variance}")
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError("When setting values directly, `mean` and `variance` must "
                                 f"have the same shape. Received: mean shape "
                                 f"{np.shape(mean)} and variance shape {np.shape(variance)}")
            if len(np.shape(mean)) > len(self.axis):
                raise ValueError("The rank of `mean` must be less than or equal to the number "
                                 f"of axes ({len(self.axis)}). Received: mean shape "
                                 f"{np.shape(mean)} for axis {self.axis}")

    def build(self, input_shape):
        if input_shape is None:
            return
        ndim = len(input_shape)
        self._build_input_shape = input_shape
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError("All `axis` values must be in the range [-ndim, ndim). Received "
                             f"inputs with ndim={ndim}, while axis={self.axis}")
        self._keep_axis = tuple(sorted(d if d >= 0 else d + ndim for d in self.axis))
        for d in self._keep_axis:
            if input_shape[d] is None:
                raise ValueError("All `axis` values to be kept must have a known shape. "
                                 f"Received axis={self.axis}, inputs.shape={input_shape}, "
                                 f"with unknown axis at index {d}")
        self._reduce_axis = tuple(d for d in range(ndim) if d not in self._keep_axis)
        self._broadcast_shape = [input_shape[d] if d in self._keep_axis else 1
                                 for d in range(ndim)]
        self._mean_and_var_shape = tuple(input_shape[d] for d in self._keep_axis)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(name="mean", shape=self._mean_and_var_shape,
                                              initializer="zeros", trainable=False)
            self.adapt_variance = self.add_weight(
                name="variance", shape=self._mean_and_var_shape, initializer="ones",
                trainable=False)
            self.count = self.add_weight(name="count", shape=(), dtype="int64",
                                         initializer="zeros", trainable=False)
            self.built = True
            self.finalize_state()
        else:
            mean = np.asarray(self.input_mean, np.float64)
            variance = np.asarray(self.input_variance, np.float64)
            if mean.ndim:
                expanded = [1] * ndim
                for i in range(1, mean.ndim + 1):
                    expanded[self._keep_axis[-i]] = mean.shape[-i]
                mean, variance = mean.reshape(expanded), variance.reshape(expanded)
            shape = tuple(self._broadcast_shape)
            self.mean = convert_to_tensor(np.broadcast_to(mean, shape), self.compute_dtype)
            self.variance = convert_to_tensor(np.broadcast_to(variance, shape),
                                              self.compute_dtype)

    def adapt(self, data):
        """Computes the mean and variance of ``data`` (an array, tensor, dataset or iterable
        of batches) over the axes not kept."""
        batches = None
        if isinstance(data, (np.ndarray, Tensor)):
            input_shape = tuple(data.shape)
        elif hasattr(data, "element_spec"):
            spec = data.element_spec
            spec = spec[0] if isinstance(spec, tuple) else spec
            input_shape = tuple(spec.shape)
            if len(input_shape) == 1:
                data = data.batch(128)
                spec = data.element_spec
                spec = spec[0] if isinstance(spec, tuple) else spec
                input_shape = tuple(spec.shape)
            batches = data
        elif hasattr(data, "__iter__"):
            batches = [b[0] if isinstance(b, tuple) else b for b in data]
            if not batches:
                raise ValueError("adapt() received an empty iterable (no batches). Expected at "
                                 "least one batch. Pass a non-empty iterable of arrays or "
                                 "tensors, e.g. layer.adapt([x]) or "
                                 "layer.adapt(list_of_batches).")
            input_shape = tuple(np.shape(batches[0]))
        else:
            raise TypeError(f"Unsupported data type: {type(data)}. `adapt` supports "
                            "`np.ndarray`, backend tensors, `tf.data.Dataset`, "
                            "`keras.utils.PyDataset`, and iterables of batches (e.g. list, "
                            "generator).")
        if not self.built:
            self.build(input_shape)
        else:
            for d in self._keep_axis:
                if input_shape[d] != self._build_input_shape[d]:
                    raise ValueError(f"The layer was built with input_shape="
                                     f"{self._build_input_shape}, but adapt() is being called "
                                     f"with data with an incompatible shape, "
                                     f"data.shape={input_shape}")
        if batches is None:
            x = np.asarray(convert_to_tensor(data, self.compute_dtype).numpy())
            total_mean = np.mean(x, axis=self._reduce_axis)
            total_var = np.var(x, axis=self._reduce_axis)
        else:
            total_mean = np.zeros(self._mean_and_var_shape, np.float32)
            total_var = np.zeros(self._mean_and_var_shape, np.float32)
            total_count = 0
            for batch in batches:
                if isinstance(batch, tuple):
                    batch = batch[0]
                b = np.asarray(convert_to_tensor(batch, self.compute_dtype).numpy())
                batch_mean = np.mean(b, axis=self._reduce_axis)
                batch_var = np.var(b, axis=self._reduce_axis)
                count = math.prod(b.shape[d] for d in self._reduce_axis) \
                    if self._reduce_axis else 1
                total_count += count
                w = float(count) / total_count
                new_mean = total_mean * (1.0 - w) + batch_mean * w
                total_var = (total_var + (total_mean - new_mean) ** 2) * (1.0 - w) + \
                    (batch_var + (batch_mean - new_mean) ** 2) * w
                total_mean = new_mean
        self.adapt_mean.assign(np.asarray(total_mean, np.float32))
        self.adapt_variance.assign(np.asarray(total_var, np.float32))
        self.finalize_state()

    def finalize_state(self):
        if self.input_mean is not None or not self.built:
            return
        shape = self._broadcast_shape
        self.mean = _m.cast(convert_to_tensor(
            self.adapt_mean.numpy().reshape(shape)), self.compute_dtype)
        self.variance = _m.cast(convert_to_tensor(
            self.adapt_variance.numpy().reshape(shape)), self.compute_dtype)

    def call(self, inputs):
        if self.mean is None:
            raise ValueError("You must call `.build(input_shape)` on the layer before using "
                             "it.")
        x = _m.cast(convert_to_tensor(inputs), self.compute_dtype)
        mean, variance = self.mean, self.variance
        if self.input_mean is None:
            # Read from the variables, so that loaded weights (a .keras file) take effect.
            shape = self._broadcast_shape
            mean = _m.cast(_a.reshape(self.adapt_mean.value, shape), self.compute_dtype)
            variance = _m.cast(_a.reshape(self.adapt_variance.value, shape),
                               self.compute_dtype)
        scale = _m.maximum(_m.sqrt(variance), 1e-7)
        if self.invert:
            return mean + x * scale
        return (x - mean) / scale

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "invert": self.invert,
                "mean": np.array(self.input_mean).tolist(),
                "variance": np.array(self.input_variance).tolist()}

    def save_own_variables(self, store):
        """Keras' ``Layer.save_own_variables``: the weights under "0", "1", ..."""
        for i, v in enumerate(self._trainable_variables + self._non_trainable_variables):
            store[str(i)] = v.numpy()

    def load_own_variables(self, store):
        """Assigns the weights from ``store`` (as saved), then recomputes mean and variance."""
        own = self._trainable_variables + self._non_trainable_variables
        for i, v in enumerate(own):
            v.assign(np.asarray(store[str(i)]))
        self.finalize_state()

    def get_build_config(self):
        if self._build_input_shape:
            return {"input_shape": self._build_input_shape}
        return None

    def build_from_config(self, config):
        if config:
            self.build(tuple(config["input_shape"]))

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for k in ("mean", "variance"):
            if config.get(k) is None:
                config[k] = None
        if isinstance(config.get("axis"), list):
            config["axis"] = tuple(config["axis"])
        return super().from_config(config)


# -- Discretization's quantile summaries (Keras' NumPy algorithm) -------------------------------
def _summarize(values, epsilon):
    values = np.sort(np.reshape(values, [-1]))
    step = max(np.size(values) / (1.0 / epsilon), 1)
    boundaries = values[int(step - 1)::int(step)]
    return np.stack([boundaries, np.ones_like(boundaries) * step])


def _compress(summary, epsilon):
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + np.arange(0.0, 1.0, epsilon)
    cum_weights = summary[1].cumsum()
    cum_percents = cum_weights / cum_weights[-1]
    new_bins = np.interp(percents, cum_percents, summary[0])
    cum_weights = np.interp(percents, cum_percents, cum_weights)
    new_weights = cum_weights - np.concatenate((np.array([0]), cum_weights[:-1]))
    return np.stack((new_bins, new_weights)).astype("float32")


def _merge(prev, nxt, epsilon):
    merged = np.concatenate((prev, nxt), axis=1)
    merged = np.take(merged, np.argsort(merged[0]), axis=1)
    return _compress(merged, epsilon)


class Discretization(Layer):
    """Buckets numeric features by ``bin_boundaries`` (or quantiles learned by ``adapt``).

    >>> import tftape as tf
    >>> layer = tf.keras.layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0])
    >>> layer(tf.constant([[-1.5, 1.0, 3.4, 0.5]])).numpy()
    array([[0, 2, 3, 1]], dtype=int32)
    """

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int",
                 sparse=False, dtype=None, name=None):
        super().__init__(name=name, dtype=dtype)
        if sparse and output_mode == "int":
            raise ValueError("`sparse=True` may only be used if `output_mode` is `'one_hot'`, "
                             f"`'multi_hot'`, or `'count'`. Received: sparse={sparse} and "
                             f"output_mode={output_mode}")
        if sparse:
            raise ValueError("`sparse=True` is not supported: tftape's Keras layers return "
                             "dense tensors.")
        validate_string_arg(output_mode, ("int", "one_hot", "multi_hot", "count"),
                            self.__class__.__name__, "output_mode")
        if num_bins is not None and num_bins < 0:
            raise ValueError("`num_bins` must be greater than or equal to 0. Received: "
                             f"`num_bins={num_bins}`")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError("Both `num_bins` and `bin_boundaries` should not be set. "
                             f"Received: `num_bins={num_bins}` and "
                             f"`bin_boundaries={bin_boundaries}`")
        if num_bins is None and bin_boundaries is None:
            raise ValueError("You need to set either `num_bins` or `bin_boundaries`.")
        self.bin_boundaries = bin_boundaries
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = sparse
        self.summary = None if bin_boundaries else np.array([[], []], dtype="float32")

    @property
    def input_dtype(self):
        return "float32"

    @property
    def output_dtype(self):
        return self.compute_dtype if self.output_mode != "int" else "int32"

    def adapt(self, data, steps=None):
        """Learns ``num_bins`` quantile boundaries from ``data``."""
        if self.num_bins is None:
            raise ValueError("Cannot adapt a Discretization layer that has been initialized "
                             "with `bin_boundaries`, use `num_bins` instead.")
        self.reset_state()
        if hasattr(data, "element_spec"):
            if steps is not None:
                data = data.take(steps)
            for batch in data:
                self.update_state(batch)
        elif hasattr(data, "__iter__") and not isinstance(data, (np.ndarray, Tensor)):
            for i, batch in enumerate(data):
                if steps is not None and i >= steps:
                    break
                self.update_state(batch)
        else:
            self.update_state(data)
        self.finalize_state()

    def update_state(self, data):
        if isinstance(data, Tensor):
            data = data.numpy()
        data = np.array(data).astype("float32")
        self.summary = _merge(_summarize(data, self.epsilon), self.summary, self.epsilon)

    def finalize_state(self):
        if self.num_bins is None:
            return
        self.bin_boundaries = _compress(self.summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def reset_state(self):
        if self.num_bins is None:
            return
        self.summary = np.array([[], []], dtype="float32")

    def load_own_variables(self, store):
        if len(store) == 1:
            self.summary = store["0"]

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError("You need to either pass the `bin_boundaries` argument at "
                             "construction time or call `adapt(dataset)` before you can "
                             "start using the `Discretization` layer.")
        x = convert_to_tensor(inputs)
        # Note: TF's Bucketize: a value equal to a boundary goes to the bucket above it.
        v = x._v if x.dtype.is_floating else x._v.astype(jnp.float32)
        idx = jnp.searchsorted(jnp.asarray(self.bin_boundaries, v.dtype), v,
                               side="right").astype(jnp.int32)
        dt = _d.as_dtype(self.output_dtype)
        return make(_encode(idx, self.output_mode, len(self.bin_boundaries) + 1, dt._np), dt)

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        depth = len(self.bin_boundaries) + 1 if self.bin_boundaries is not None \
            else self.num_bins
        if self.output_mode == "one_hot":
            if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
                return tuple(input_shape[:-1]) + (depth,)
            return tuple(input_shape) + (depth,)
        if input_shape and len(input_shape) >= 2:
            return (input_shape[0],) + tuple(input_shape[2:]) + (depth,)
        return (depth,)

    def compute_output_spec(self, inputs, *args, **kwargs):
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype=self.output_dtype)

    def get_config(self):
        return {"bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins,
                "epsilon": self.epsilon, "output_mode": self.output_mode,
                "sparse": self.sparse, "name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if config.get("bin_boundaries") is not None and config.get("num_bins") is not None:
            bins = config.pop("bin_boundaries")
            layer = cls(**config)
            layer.bin_boundaries = bins
            return layer
        return cls(**config)


class Rescaling(Layer):
    """Multiplies inputs by ``scale`` and adds ``offset``.

    >>> import tftape as tf
    >>> tf.keras.layers.Rescaling(1.0 / 255)(tf.constant([0.0, 255.0])).numpy()
    array([0., 1.], dtype=float32)
    """

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset
        self.supports_masking = True

    def call(self, inputs):
        dtype = self.compute_dtype
        x = _m.cast(convert_to_tensor(inputs), dtype)
        scale = _m.cast(convert_to_tensor(self.scale), dtype)
        offset = _m.cast(convert_to_tensor(self.offset), dtype)
        return x * scale + offset

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "scale": _serialize(self.scale),
                "offset": _serialize(self.offset)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for k in ("scale", "offset"):
            config[k] = _deserialize(config[k])
        return super().from_config(config)


def _serialize(value):
    """Keras' ``serialize_keras_object`` for a number or an array."""
    if isinstance(value, Tensor):
        value = value.numpy()
    if isinstance(value, np.ndarray):
        return {"class_name": "__numpy__", "config": {"value": value.tolist(),
                                                      "dtype": value.dtype.name}}
    if isinstance(value, np.generic):
        return value.item()
    return value


def _deserialize(value):
    if isinstance(value, dict) and value.get("class_name") == "__numpy__":
        return np.array(value["config"]["value"], value["config"]["dtype"])
    return value

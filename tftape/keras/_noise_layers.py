"""Masking and the noise layers: SpatialDropout1D/2D/3D, GaussianNoise, GaussianDropout,
AlphaDropout (active only with ``training=True``)."""
from __future__ import annotations

import math

import numpy as np
import jax.numpy as jnp

from .._core.convert import convert_to_tensor
from .._core.tensor import make
from .._ops.random_ops import normal_draw, sample, uniform_draw
from .._ops import array_ops as _a, math_ops as _m
from ._layer import Layer
from ._layer_utils import InputSpec, standardize_data_format
from ._rng import SeedGenerator


def _rate_check(name, value):
    if not 0 <= value <= 1:
        raise ValueError(f"Invalid value received for argument `{name}`. Expected a float "
                         f"value between 0 and 1. Received: {name}={value}")


class Masking(Layer):
    """Masks time steps whose features all equal ``mask_value`` (and zeroes them).

    >>> import tftape as tf
    >>> tf.keras.layers.Masking()(tf.constant([[[1.0], [0.0]]])).numpy().ravel()
    array([1., 0.], dtype=float32)
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True
        self.built = True

    def compute_mask(self, inputs, mask=None):
        return _m.reduce_any(_m.not_equal(convert_to_tensor(inputs), self.mask_value), -1)

    def call(self, inputs):
        x = convert_to_tensor(inputs)
        keep = _m.reduce_any(_m.not_equal(x, self.mask_value), -1, keepdims=True)
        # The mask itself is attached by Layer.__call__ through compute_mask.
        return _a.where(keep, x, _a.zeros_like(x))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}


class _Noise(Layer):
    def _seed(self, seed, active):
        self.seed = seed
        if active:
            self.seed_generator = SeedGenerator(seed)
            self._extra_variables.append(self.seed_generator.state)
        self.supports_masking = True
        self.built = True

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


class GaussianNoise(_Noise):
    """Adds zero-mean Gaussian noise of ``stddev`` while training."""

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        _rate_check("stddev", stddev)
        self.stddev = stddev
        self._seed(seed, stddev > 0)

    def call(self, inputs, training=False):
        x = convert_to_tensor(inputs)
        if training and self.stddev > 0:
            noise = sample(normal_draw(x.dtype._np), self.seed_generator.next(), x.shape,
                           np.asarray(self.stddev, x.dtype._np))
            return x + make(noise, x.dtype)
        return x

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class GaussianDropout(_Noise):
    """Multiplies by Gaussian noise of mean 1 and stddev ``sqrt(rate / (1 - rate))``."""

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        _rate_check("rate", rate)
        self.rate = rate
        self._seed(seed, rate > 0)

    def call(self, inputs, training=False):
        x = convert_to_tensor(inputs)
        if training and self.rate > 0:
            std = math.sqrt(self.rate / (1.0 - self.rate))
            noise = sample(normal_draw(x.dtype._np), self.seed_generator.next(), x.shape,
                           np.asarray(std, x.dtype._np), np.asarray(1.0, x.dtype._np))
            return x * make(noise.astype(x.dtype._np), x.dtype)
        return x

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


class AlphaDropout(_Noise):
    """Dropout that keeps SELU's self-normalizing mean and variance."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        # Note: tf.keras 2.21 exports Keras' legacy AlphaDropout: no range check on `rate`
        # and no `noise_shape` in its config.
        self.rate = rate
        self.noise_shape = noise_shape
        self._seed(seed, rate > 0)

    def call(self, inputs, training=False):
        x = convert_to_tensor(inputs)
        if not (training and self.rate > 0):
            return x
        shape = tuple(x.shape) if self.noise_shape is None else tuple(
            x.shape[i] if v is None else v for i, v in enumerate(self.noise_shape))
        kept = sample(uniform_draw(x.dtype._np), self.seed_generator.next(), shape) >= self.rate
        kept = make(kept.astype(x.dtype._np), x.dtype)
        alpha_p = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        return a * (x * kept + alpha_p * (1 - kept)) + b

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


class _SpatialDropout(_Noise):
    rank = 1

    def __init__(self, rate, seed=None, name=None, dtype=None, data_format=None):
        super().__init__(name=name, dtype=dtype)
        _rate_check("rate", rate)
        self.rate = rate
        self._seed(seed, rate > 0)
        self.supports_masking = False
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self.data_format = standardize_data_format(data_format) if self.rank > 1 \
            else "channels_last"

    def call(self, inputs, training=False):
        x = convert_to_tensor(inputs)
        if not (training and self.rate > 0):
            return x
        s = tuple(x.shape)
        if self.data_format == "channels_first":
            noise = s[:2] + (1,) * self.rank
        else:
            noise = (s[0],) + (1,) * self.rank + (s[-1],)
        keep = sample(uniform_draw(x.dtype._np), self.seed_generator.next(), noise) >= self.rate
        scale = jnp.where(keep, jnp.asarray(1.0 / (1.0 - self.rate), x.dtype._np),
                          jnp.zeros((), x.dtype._np))
        return x * make(scale, x.dtype)

    def get_config(self):
        cfg = {"rate": self.rate, "seed": self.seed, "name": self.name, "dtype": self.dtype}
        if self.rank > 1:
            cfg["data_format"] = self.data_format
        return cfg


class SpatialDropout1D(_SpatialDropout):
    """Drops whole channels of ``(batch, steps, channels)`` inputs while training."""

    rank = 1

    def __init__(self, rate, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)


class SpatialDropout2D(_SpatialDropout):
    rank = 2


class SpatialDropout3D(_SpatialDropout):
    rank = 3

"""``tf.keras.initializers``: Keras 3's weight initializers.

Random initializers draw from JAX keys: an int ``seed`` gives the same values on every call
(Keras 3's rule); without a seed one is drawn from Python's ``random`` at construction.
"""
from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from .._core import dtypes as _d
from .._core.convert import filled
from .._core.tensor import make
from .._ops.random_ops import normal_draw, sample, truncated_draw, uniform_draw
from . import _rng


def _dtype(dtype):
    from ._config import floatx
    return _d.as_dtype(dtype if dtype is not None else floatx())


def _tensor(v, dt):
    return make(v, dt)


class Initializer:
    """Base class: ``init(shape, dtype=None)`` returns a Tensor."""

    _keras_module = "keras.initializers"  # where Keras configs name the class

    def __call__(self, shape, dtype=None):
        raise NotImplementedError

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def clone(self):
        return self.__class__.from_config(self.get_config())


class Zeros(Initializer):
    """All zeros.

    >>> Zeros()((2,))
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([0., 0.], dtype=float32)>
    """

    def __call__(self, shape, dtype=None):
        dt = _dtype(dtype)
        return _tensor(filled(shape, dt._np, 0), dt)


class Ones(Initializer):
    def __call__(self, shape, dtype=None):
        dt = _dtype(dtype)
        return _tensor(filled(shape, dt._np, 1), dt)


class Constant(Initializer):
    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        dt = _dtype(dtype)
        import numpy as np
        return _tensor(filled(shape, dt._np, np.asarray(self.value)), dt)

    def get_config(self):
        return {"value": self.value}


class Identity(Initializer):
    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        dt = _dtype(dtype)
        if len(shape) != 2:
            raise ValueError("Identity matrix initializer can only be used for 2D square "
                             f"matrices. Received: shape={shape} of rank {len(shape)}.")
        return _tensor((self.gain * jnp.eye(*shape)).astype(dt._np), dt)

    def get_config(self):
        return {"gain": self.gain}


class _RandomInitializer(Initializer):
    def __init__(self, seed=None):
        if seed is not None and not isinstance(seed, int):
            raise ValueError("`seed` argument should be an instance of `keras.random."
                             f"SeedGenerator()` or an integer. Received: seed={seed}")
        self._init_seed = seed
        self.seed = seed if seed is not None else _rng.make_default_seed()

    def _key(self):
        return _rng.next_key(self.seed)

    def get_config(self):
        return {"seed": self._init_seed}


class RandomNormal(_RandomInitializer):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev = mean, stddev
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        dt = _dtype(dtype)
        v = sample(normal_draw(dt._np), self._key(), shape,
                   self.stddev, self.mean)
        return _tensor(v.astype(dt._np), dt)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


class RandomUniform(_RandomInitializer):
    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval, self.maxval = minval, maxval
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        dt = _dtype(dtype)
        v = sample(uniform_draw(dt._np, self.minval, self.maxval), self._key(), shape)
        return _tensor(v, dt)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, **super().get_config()}


class TruncatedNormal(_RandomInitializer):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev = mean, stddev
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        dt = _dtype(dtype)
        v = sample(truncated_draw(dt._np), self._key(), shape, self.stddev, self.mean)
        return _tensor(v.astype(dt._np), dt)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


def _compute_fans(shape):
    """Keras' fan-in / fan-out of a weight shape."""
    shape = tuple(shape)
    if len(shape) < 1:
        fan_in = fan_out = 1
    elif len(shape) == 1:
        fan_in = fan_out = shape[0]
    elif len(shape) == 2:
        fan_in, fan_out = shape
    else:
        rf = math.prod(shape[:-2])
        fan_in, fan_out = shape[-2] * rf, shape[-1] * rf
    return int(fan_in), int(fan_out)


class VarianceScaling(_RandomInitializer):
    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 input_axes=None, output_axes=None):
        self.input_axes, self.output_axes = input_axes, output_axes
        if scale <= 0.0:
            raise ValueError("Argument `scale` must be positive float. Received: "
                             f"scale={scale}")
        allowed_modes = {"fan_in", "fan_out", "fan_avg"}
        if mode not in allowed_modes:
            raise ValueError(f"Invalid `mode` argument: {mode}. Please use one of "
                             f"{allowed_modes}")
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        allowed = {"uniform", "truncated_normal", "untruncated_normal"}
        if distribution not in allowed:
            raise ValueError(f"Invalid `distribution` argument: {distribution}.Please use "
                             f"one of {allowed}")
        self.scale, self.mode, self.distribution = scale, mode, distribution
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        dt = _dtype(dtype)
        fan_in, fan_out = _compute_fans(shape)
        scale = self.scale
        if self.mode == "fan_in":
            scale /= max(1.0, fan_in)
        elif self.mode == "fan_out":
            scale /= max(1.0, fan_out)
        else:
            scale /= max(1.0, (fan_in + fan_out) / 2.0)
        key, shape = self._key(), tuple(shape)
        if self.distribution == "truncated_normal":
            std = math.sqrt(scale) / 0.87962566103423978
            v = sample(truncated_draw(dt._np), key, shape, std)
        elif self.distribution == "untruncated_normal":
            v = sample(normal_draw(dt._np), key, shape,
                       math.sqrt(scale))
        else:
            limit = math.sqrt(3.0 * scale)
            v = sample(uniform_draw(dt._np, -limit, limit), key, shape)
        return _tensor(v.astype(dt._np), dt)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "mode": self.mode,
                "distribution": self.distribution, "input_axes": self.input_axes,
                "output_axes": self.output_axes}


def _vs(name, scale, mode, distribution):
    class _Init(VarianceScaling):
        def __init__(self, seed=None, input_axes=None, output_axes=None):
            super().__init__(scale=scale, mode=mode, distribution=distribution, seed=seed,
                             input_axes=input_axes, output_axes=output_axes)

        def get_config(self):
            return {"seed": self._init_seed, "input_axes": self.input_axes,
                    "output_axes": self.output_axes}
    _Init.__name__ = _Init.__qualname__ = name
    return _Init


GlorotUniform = _vs("GlorotUniform", 1.0, "fan_avg", "uniform")
GlorotNormal = _vs("GlorotNormal", 1.0, "fan_avg", "truncated_normal")
HeNormal = _vs("HeNormal", 2.0, "fan_in", "truncated_normal")
HeUniform = _vs("HeUniform", 2.0, "fan_in", "uniform")
LecunNormal = _vs("LecunNormal", 1.0, "fan_in", "truncated_normal")
LecunUniform = _vs("LecunUniform", 1.0, "fan_in", "uniform")

class Orthogonal(_RandomInitializer):
    """A (semi-)orthogonal matrix from the QR decomposition of a normal draw (Keras' rule)."""

    def __init__(self, gain=1.0, seed=None):
        self.gain = gain
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        dt = _dtype(dtype)
        shape = tuple(shape)
        if len(shape) < 2:
            raise ValueError("The tensor to initialize must be at least two-dimensional. "
                             f"Received: shape={shape} of rank {len(shape)}.")
        rows = math.prod(shape[:-1])
        cols = shape[-1]
        flat = (max(rows, cols), min(rows, cols))
        a = jax.random.normal(self._key(), flat, dt._np)
        q, r = jax.numpy.linalg.qr(a)
        q = q * jax.numpy.sign(jax.numpy.diagonal(r))
        if rows < cols:
            q = q.T
        return _tensor((self.gain * q.reshape(shape)).astype(dt._np), dt)

    def get_config(self):
        return {**super().get_config(), "gain": self.gain}


OrthogonalInitializer = Orthogonal
orthogonal = Orthogonal
zeros = Zeros
ones = Ones
constant = Constant
identity = Identity
random_normal = RandomNormal
random_uniform = RandomUniform
truncated_normal = TruncatedNormal
glorot_uniform = GlorotUniform
glorot_normal = GlorotNormal
he_normal = HeNormal
he_uniform = HeUniform
lecun_normal = LecunNormal
lecun_uniform = LecunUniform
variance_scaling = VarianceScaling

_BY_NAME = {
    "zeros": Zeros, "ones": Ones, "constant": Constant, "identity": Identity,
    "random_normal": RandomNormal, "random_uniform": RandomUniform,
    "truncated_normal": TruncatedNormal, "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal, "he_normal": HeNormal, "he_uniform": HeUniform,
    "lecun_normal": LecunNormal, "lecun_uniform": LecunUniform,
    "variance_scaling": VarianceScaling, "orthogonal": Orthogonal, "uniform": RandomUniform, "normal": RandomNormal,
}


def get(identifier):
    """An initializer from a name, a config dict, an instance or a callable."""
    if identifier is None:
        return None
    if isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, str):
        key = identifier if identifier in _BY_NAME else \
            __import__("re").sub(r"(?<!^)(?=[A-Z])", "_", identifier).lower()
        cls = _BY_NAME.get(key)
        if cls is None:
            for c in _BY_NAME.values():
                if c.__name__ == identifier:
                    cls = c
        if cls is None:
            raise ValueError(f"Could not interpret initializer identifier: {identifier}")
        return cls()
    if isinstance(identifier, dict):
        from ._serialization import deserialize_keras_object
        return deserialize_keras_object(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret initializer identifier: {identifier}")


def serialize(initializer):
    return {"module": "keras.initializers", "class_name": type(initializer).__name__,
            "config": initializer.get_config(), "registered_name": None}

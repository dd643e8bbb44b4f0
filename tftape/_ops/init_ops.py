"""TF 2's own initializers (``tf.zeros_initializer`` ...), not Keras's: ``init(shape, dtype)``."""
from __future__ import annotations

import numpy as np

from .._core import dtypes as _d
from .._core.tensor import Tensor
from . import array_ops as _a, random_ops as _r
from .constant_op import constant as _constant

_PARTITION_SHAPE = "partition_shape"
_PARTITION_OFFSET = "partition_offset"


class Initializer:
    """Base of TF's initializers: ``__call__(shape, dtype=None, **kwargs)`` and a config."""

    def __call__(self, shape, dtype=None, **kwargs):
        raise NotImplementedError

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config):
        config.pop("dtype", None)
        return cls(**config)

    def _validate_kwargs(self, kwargs, support_partition=True):
        for kwarg in kwargs:
            if kwarg not in (_PARTITION_SHAPE, _PARTITION_OFFSET):
                raise TypeError("Keyword argument should be one of "
                                f"{[_PARTITION_SHAPE, _PARTITION_OFFSET]}. Received: {kwarg}")
            if not support_partition:
                raise ValueError(f"{type(self).__name__} initializer doesn't support "
                                 "partition-related arguments")


def _numeric(dtype) -> _d.DType:
    dt = _d.as_dtype(dtype)
    if dt is _d.string:
        raise ValueError(f"Argument `dtype` expected to be numeric or boolean. Received {dt}.")
    return dt


class Zeros(Initializer):
    """Fills with zeros.

    >>> import tftape as tf
    >>> tf.zeros_initializer()(shape=[2], dtype=tf.int32)
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([0, 0], dtype=int32)>
    """

    def __call__(self, shape, dtype=_d.float32, **kwargs) -> Tensor:
        self._validate_kwargs(kwargs)
        dt = _numeric(dtype)
        return _a.zeros(kwargs.get(_PARTITION_SHAPE, shape), dt)


class Ones(Initializer):
    """Fills with ones.

    >>> import tftape as tf
    >>> tf.ones_initializer()(shape=[2])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 1.], dtype=float32)>
    """

    def __call__(self, shape, dtype=_d.float32, **kwargs) -> Tensor:
        self._validate_kwargs(kwargs)
        dt = _numeric(dtype)
        return _a.ones(kwargs.get(_PARTITION_SHAPE, shape), dt)


class Constant(Initializer):
    """Fills with ``value`` (a scalar, or values filling the whole shape).

    >>> import tftape as tf
    >>> tf.constant_initializer([1, 2, 3, 4])(shape=[2, 2], dtype=tf.float32).numpy().tolist()
    [[1.0, 2.0], [3.0, 4.0]]
    """

    def __init__(self, value=0, support_partition=False):
        if not (np.isscalar(value) or isinstance(value, (list, tuple, np.ndarray))):
            raise TypeError(f"Invalid type for initial value: {type(value).__name__}. Expected "
                            "Python scalar, list or tuple of values, or numpy.ndarray.")
        self.value = value
        self.support_partition = support_partition

    def __call__(self, shape, dtype=None, **kwargs) -> Tensor:
        self._validate_kwargs(kwargs, support_partition=self.support_partition)
        return _constant(self.value, dtype=None if dtype is None else _d.as_dtype(dtype),
                         shape=shape)

    def get_config(self) -> dict:
        return {"value": self.value}


class RandomUniform(Initializer):
    """Uniform values in ``[minval, maxval)``; a seed makes them a function of the seed alone.

    >>> import tftape as tf
    >>> init = tf.random_uniform_initializer(-1., 1., seed=3)
    >>> bool(tf.reduce_all(init([4]) == init([4])))
    True
    """

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval = minval
        self.maxval = maxval
        self.seed = seed

    def __call__(self, shape, dtype=_d.float32, **kwargs) -> Tensor:
        self._validate_kwargs(kwargs)
        dt = _d.as_dtype(dtype)
        if not dt.is_floating and not dt.is_integer:
            raise ValueError("Argument `dtype` expected to be numeric or boolean. "
                             f"Received {dt}.")
        shape = kwargs.get(_PARTITION_SHAPE, shape)
        # Note: as in TF, a seeded initializer draws from the stateless op with seed
        # [seed, 0]: the same values at each call. The bit streams differ from TF's.
        if self.seed is not None:
            return _r.stateless_uniform(shape, [self.seed, 0], self.minval, self.maxval, dt)
        return _r.uniform(shape, self.minval, self.maxval, dt)

    def get_config(self) -> dict:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class RandomNormal(Initializer):
    """Normal values of ``mean`` and ``stddev``; a seed makes them a function of it alone.

    >>> import tftape as tf
    >>> tf.random_normal_initializer(stddev=2.0, seed=1)([2, 3]).shape
    TensorShape([2, 3])
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        self.seed = seed

    def __call__(self, shape, dtype=_d.float32, **kwargs) -> Tensor:
        self._validate_kwargs(kwargs)
        dt = _d.as_dtype(dtype)
        if not dt.is_floating:
            raise ValueError(f"Argument `dtype` is expected to be floating point. "
                             f"Received: {dt}.")
        shape = kwargs.get(_PARTITION_SHAPE, shape)
        if self.seed is not None:
            return _r.stateless_normal(shape, [self.seed, 0], self.mean, self.stddev, dt)
        return _r.normal(shape, self.mean, self.stddev, dt)

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}



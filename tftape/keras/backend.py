"""``tf.keras.backend``: floatx, epsilon, image data format and Keras 2 style tensor helpers."""
from __future__ import annotations

from .. import _ops
from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._ops import array_ops as _a, math_ops as _m, nn_ops as _nn
from . import _naming
from ._config import (epsilon, floatx, image_data_format, set_epsilon,  # noqa: F401
                      set_floatx, set_image_data_format)


def backend() -> str:
    return "tensorflow"


def clear_session(free_memory=True):
    """Resets auto-generated names (``dense``, ``dense_1``, ...)."""
    _naming.reset_uids()


def is_keras_tensor(x) -> bool:
    from ._layer import KerasTensor
    return isinstance(x, KerasTensor)


def standardize_dtype(dtype) -> str:
    if dtype is None:
        return floatx()
    return _d.as_dtype(dtype).name


# -- Keras 2 style helpers kept in tf.keras.backend for old scripts -------------------------
def _t(x):
    return convert_to_tensor(x)


def square(x):
    """Element-wise square.

    >>> import tftape as tf
    >>> square(tf.constant([1., 2.]))
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 4.], dtype=float32)>
    """
    return _m.square(x)


def transpose(x):
    return _a.transpose(x)


def sqrt(x):
    return _m.sqrt(x)


def exp(x):
    return _m.exp(x)


def log(x):
    return _m.log(x)


def abs(x):  # noqa: A001 - Keras' name
    return _m.abs(x)


def sum(x, axis=None, keepdims=False):  # noqa: A001
    return _m.reduce_sum(x, axis=axis, keepdims=keepdims)


def mean(x, axis=None, keepdims=False):
    return _m.reduce_mean(x, axis=axis, keepdims=keepdims)


def max(x, axis=None, keepdims=False):  # noqa: A001
    return _m.reduce_max(x, axis=axis, keepdims=keepdims)


def min(x, axis=None, keepdims=False):  # noqa: A001
    return _m.reduce_min(x, axis=axis, keepdims=keepdims)


def dot(x, y):
    return _ops.linalg_ops.matmul(x, y)


def reshape(x, shape):
    return _a.reshape(x, shape)


def concatenate(tensors, axis=-1):
    return _a.concat(tensors, axis)


def cast(x, dtype):
    return _m.cast(x, dtype)


def constant(value, dtype=None, shape=None, name=None):
    from .._ops.constant_op import constant as _c
    return _c(value, dtype=dtype or floatx(), shape=shape)


def zeros(shape, dtype=None, name=None):
    return _a.zeros(shape, dtype=dtype or floatx())


def ones(shape, dtype=None, name=None):
    return _a.ones(shape, dtype=dtype or floatx())


def shape(x):
    return _a.shape(x)


def int_shape(x):
    return tuple(_t(x).shape.as_list()) if not hasattr(x, "shape") else tuple(
        d if d is None else int(d) for d in x.shape)


def ndim(x):
    return len(x.shape)


def relu(x):
    return _nn.relu(x)


def sigmoid(x):
    return _m.sigmoid(x)


def softmax(x, axis=-1):
    return _nn.softmax(x, axis=axis)


def clip(x, min_value, max_value):
    return _a.clip_by_value(x, min_value, max_value)


def maximum(x, y):
    return _m.maximum(x, y)


def minimum(x, y):
    return _m.minimum(x, y)


def stop_gradient(x):
    return _a.stop_gradient(x)


def get_value(x):
    return x.numpy()


def set_value(x, value):
    x.assign(value)


def eval(x):  # noqa: A001
    return x.numpy()


def variable(value, dtype=None, name=None):
    from ._variables import KerasVariable
    return KerasVariable(_t(value) if dtype is None else convert_to_tensor(value, dtype=dtype),
                         name=name)

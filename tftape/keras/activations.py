"""``tf.keras.activations``: activations by name or function (Keras 3 semantics)."""
from __future__ import annotations

from .._core.convert import convert_to_tensor
from .._ops import array_ops as _a, math_ops as _m, nn_ops as _nn
from ._serialization import register_functions as _register_functions


def _t(x):
    return convert_to_tensor(x)


def linear(x):
    """Identity.

    >>> import tftape as tf
    >>> linear(tf.constant([1.0]))
    <tf.Tensor: shape=(1,), dtype=float32, numpy=array([1.], dtype=float32)>
    """
    return _t(x)


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """max(x, 0), with Keras' optional slope, ceiling and threshold."""
    x = _t(x)
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return _nn.relu(x)
    if negative_slope == 0.0 and max_value == 6 and threshold == 0.0:
        return _nn.relu6(x)
    if threshold != 0:
        pos = _a.where(x > threshold, x, _a.zeros_like(x))
    else:
        pos = _nn.relu(x)
    if max_value is not None:
        pos = _a.clip_by_value(pos, 0.0, max_value)
    if negative_slope != 0.0:
        neg = _nn.relu(-x + threshold) if threshold != 0 else _nn.relu(-x)
        pos = pos - negative_slope * neg
    return pos


def relu6(x):
    return _nn.relu6(_t(x))


def leaky_relu(x, negative_slope=0.2):
    return _nn.leaky_relu(_t(x), alpha=negative_slope)


def elu(x, alpha=1.0):
    x = _t(x)
    y = _nn.elu(x)
    return y if alpha == 1.0 else _a.where(x > 0, y, alpha * y)


def selu(x):
    return _nn.selu(_t(x))


def sigmoid(x):
    return _m.sigmoid(_t(x))


def hard_sigmoid(x):
    x = _t(x)
    return _nn.relu6(x + 3.0) / 6.0


def hard_silu(x):
    x = _t(x)
    return x * hard_sigmoid(x)


hard_swish = hard_silu


def tanh(x):
    return _m.tanh(_t(x))


def softplus(x):
    return _nn.softplus(_t(x))


def softsign(x):
    return _nn.softsign(_t(x))


def silu(x):
    return _nn.silu(_t(x))


swish = silu


def gelu(x, approximate=False):
    return _nn.gelu(_t(x), approximate=approximate)


def exponential(x):
    return _m.exp(_t(x))


def log_sigmoid(x):
    return _nn.log_sigmoid(_t(x))


def mish(x):
    x = _t(x)
    return x * _m.tanh(_nn.softplus(x))


def softmax(x, axis=-1):
    """Softmax over ``axis`` (the last by default)."""
    return _nn.softmax(_t(x), axis=axis)


def log_softmax(x, axis=-1):
    return _nn.log_softmax(_t(x), axis=axis)


_ALL = {f.__name__: f for f in (linear, relu, relu6, leaky_relu, elu, selu, sigmoid,
                                 hard_sigmoid, hard_silu, tanh, softplus, softsign, silu,
                                 gelu, exponential, log_sigmoid, mish, softmax, log_softmax)}
_ALL.update(swish=silu, hard_swish=hard_silu)
_register_functions(_ALL)


def get(identifier):
    """The activation function for a name, a function or None (linear).

    >>> get("relu").__name__
    'relu'
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        fn = _ALL.get(identifier)
        if fn is None:
            raise ValueError(f"Could not interpret activation function identifier: "
                             f"{identifier}")
        return fn
    if isinstance(identifier, dict):
        from ._serialization import deserialize_keras_object
        return get(deserialize_keras_object(identifier))
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret activation function identifier: {identifier}")


def serialize(activation):
    name = getattr(activation, "__name__", None)
    if name is not None and _ALL.get(name) is activation:
        return name
    from ._serialization import serialize_keras_object
    return serialize_keras_object(activation)


def deserialize(config, custom_objects=None):
    return get(config)

"""``tf.keras.constraints``: projections applied after each optimizer step."""
from __future__ import annotations

from .._ops import array_ops as _a, math_ops as _m


class Constraint:
    _keras_module = "keras.constraints"  # where Keras configs name the class

    def __call__(self, w):
        return w

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class NonNeg(Constraint):
    """Clips weights to be non-negative.

    >>> import tftape as tf
    >>> NonNeg()(tf.constant([-1.0, 2.0]))
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([0., 2.], dtype=float32)>
    """

    def __call__(self, w):
        return _m.maximum(w, _m.cast(0.0, w.dtype))


class MaxNorm(Constraint):
    def __init__(self, max_value=2, axis=0):
        self.max_value, self.axis = max_value, axis

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}

    def __call__(self, w):
        norms = _m.sqrt(_m.reduce_sum(_m.square(w), axis=self.axis, keepdims=True))
        desired = _a.clip_by_value(norms, 0, self.max_value)
        return w * (desired / (1e-7 + norms))


non_neg, max_norm = NonNeg, MaxNorm


def get(identifier):
    if identifier is None:
        return None
    if isinstance(identifier, str):
        return {"non_neg": NonNeg, "max_norm": MaxNorm}[identifier]()
    if isinstance(identifier, dict):
        from ._serialization import deserialize_keras_object
        return deserialize_keras_object(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret constraint identifier: {identifier}")

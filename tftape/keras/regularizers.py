"""``tf.keras.regularizers``: L1, L2, L1L2 weight penalties."""
from __future__ import annotations

from .._ops import math_ops as _m


class Regularizer:
    _keras_module = "keras.regularizers"  # where Keras configs name the class

    def __call__(self, x):
        return 0.0

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x**2)``.

    >>> import tftape as tf
    >>> L1L2(l2=0.5)(tf.constant([2.0]))
    <tf.Tensor: shape=(), dtype=float32, numpy=2.0>
    """

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = float(l1)
        self.l2 = float(l2)

    def __call__(self, x):
        out = 0.0
        if self.l1:
            out = self.l1 * _m.reduce_sum(_m.abs(x))
        if self.l2:
            out = out + self.l2 * _m.reduce_sum(_m.square(x))
        return out

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    def __init__(self, l1=0.01):
        super().__init__(l1=l1)

    def get_config(self):
        return {"l1": self.l1}


class L2(L1L2):
    def __init__(self, l2=0.01):
        super().__init__(l2=l2)

    def get_config(self):
        return {"l2": self.l2}


l1, l2, l1_l2 = L1, L2, L1L2


def get(identifier):
    if identifier is None:
        return None
    if isinstance(identifier, str):
        return {"l1": L1, "l2": L2, "l1_l2": L1L2}[identifier]()
    if isinstance(identifier, dict):
        from ._serialization import deserialize_keras_object
        return deserialize_keras_object(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret regularizer identifier: {identifier}")

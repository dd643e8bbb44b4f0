"""``tf.experimental.dlpack``: zero-copy exchange with other array libraries."""
from __future__ import annotations

from .._core.tensor import Tensor


def to_dlpack(tf_tensor: Tensor):
    """A DLPack capsule that shares the tensor's memory.

    >>> import tftape as tf, numpy as np
    >>> cap = tf.experimental.dlpack.to_dlpack(tf.constant([1., 2.]))
    >>> tf.experimental.dlpack.from_dlpack(cap)
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 2.], dtype=float32)>
    """
    from .._core.convert import convert_to_tensor
    t = tf_tensor if isinstance(tf_tensor, Tensor) else convert_to_tensor(tf_tensor)
    return t.__dlpack__()


def from_dlpack(dlcapsule) -> Tensor:
    """A tensor from a DLPack capsule or any object with ``__dlpack__`` (no copy on CPU)."""
    from .._numpy.array_api._creation import from_dlpack as _from
    return _from(dlcapsule)

"""``tf.constant`` and the packing of lists that hold tensors (TF's auto-packing)."""
from __future__ import annotations

import numpy as np

from .._core import convert as _convert, dtypes as _d, tensor as _tensor
from .._core.convert import convert_to_tensor
from .._core.shape import TensorShape
from .._core.tensor import Tensor
from . import array_ops, math_ops


def constant(value, dtype=None, shape=None, name: str = "Const") -> Tensor:
    """Creates a constant tensor from a Python or NumPy value (``tf.constant``)."""
    dtype = None if dtype is None else _d.as_dtype(dtype)
    if isinstance(value, Tensor) or hasattr(type(value), "__tf_tensor__"):
        t = convert_to_tensor(value)
        if dtype is not None and t.dtype is not dtype:
            t = math_ops.cast(t, dtype)
    else:
        t = convert_to_tensor(value, dtype=dtype, _allow_cast=True)
    if shape is not None:
        t = reshape_for_constant(t, value, shape)
    return t


def pack_list(value, dtype):
    """A list holding tensors is packed with ``tf.stack`` (TF's auto-packing)."""
    items = [pack_list(v, dtype) if isinstance(v, (list, tuple)) else convert_to_tensor(v, dtype)
             for v in value]
    if dtype is None:
        first = next((i.dtype for i in items if i.dtype is not _d.float32), items[0].dtype)
        items = [convert_to_tensor(v, first) if not isinstance(v, Tensor) else v for v in items]
    return array_ops.stack(items)


def reshape_for_constant(t: Tensor, value, shape) -> Tensor:
    """``tf.constant(value, shape=...)``: fill from a scalar or reshape an equal-size value."""
    dims = TensorShape(shape).as_list()
    n = 1
    for d in dims:
        n *= d
    size = int(np.prod(t._v.shape)) if t._v.ndim else 1
    if size == n:
        return array_ops.reshape(t, dims)
    if size == 1:
        return array_ops.fill(dims, array_ops.reshape(t, []))
    shown = t.numpy()
    raise TypeError(f"Eager execution of tf.constant with unsupported shape. Tensor {shown} "
                    f"(converted from {value!r}) has {size} elements, but got `shape` "
                    f"{tuple(dims)} with {n} elements).")


_convert.pack_list = pack_list
_tensor.constant = constant

"""Helpers shared by the io kernels: host values and TF's kernel errors."""
from __future__ import annotations

import numpy as np

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._core.errors import InvalidArgumentError, kernel_error
from .._core.tensor import Tensor, make_string

# TF's DataType enum (types.proto).
DT_ENUM = {_d.float32: 1, _d.float64: 2, _d.int32: 3, _d.uint8: 4, _d.int16: 5, _d.int8: 6,
           _d.string: 7, _d.complex64: 8, _d.int64: 9, _d.bool: 10, _d.bfloat16: 14,
           _d.uint16: 17, _d.complex128: 18, _d.float16: 19, _d.uint32: 22, _d.uint64: 23}
DT_FROM_ENUM = {v: k for k, v in DT_ENUM.items()}


def host_strings(x, op: str, what: str = "") -> np.ndarray:
    """A string tensor's values as a NumPy object array of bytes."""
    t = x if isinstance(x, Tensor) else convert_to_tensor(x, dtype=_d.string)
    if t.dtype != _d.string:
        from .._core.registry import Op, dtype_error
        raise dtype_error(Op(op, op, None), 0, _d.string, t.dtype)
    a = np.asarray(t.numpy(), dtype=object)
    return np.vectorize(lambda s: s if isinstance(s, bytes) else str(s).encode(),
                        otypes=[object])(a) if a.size else a.astype(object)


def string_tensor(values) -> Tensor:
    return make_string(np.asarray(values, dtype=object))


def error(op: str, message: str, cls=InvalidArgumentError, name="", wrapped=None):
    return kernel_error(op, message, cls, name, wrapped)

"""``tf.IndexedSlices``: a sparse set of rows of a dense tensor (sparse gradients, scatters)."""
from __future__ import annotations

import numpy as np

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._core.shape import TensorShape
from .._core.tensor import Tensor
from . import array_ops, math_ops


class IndexedSlices:
    """A sparse set of slices of a dense tensor (``tf.IndexedSlices``)."""

    def __init__(self, values, indices, dense_shape=None):
        self._values = convert_to_tensor(values) if not isinstance(values, Tensor) else values
        self._indices = convert_to_tensor(indices) if not isinstance(indices, Tensor) else indices
        self._dense_shape = None if dense_shape is None else (
            convert_to_tensor(dense_shape) if not isinstance(dense_shape, Tensor) else dense_shape)

    @property
    def values(self):
        return self._values

    @property
    def indices(self):
        return self._indices

    @property
    def dense_shape(self):
        return self._dense_shape

    @property
    def dtype(self):
        return self._values.dtype

    @property
    def shape(self):
        if self._dense_shape is None:
            return TensorShape([None] + list(self._values.shape)[1:])
        return TensorShape(np.asarray(self._dense_shape._v).tolist())

    @property
    def device(self):
        return self._values.device

    def __neg__(self):
        return IndexedSlices(math_ops.negative(self._values), self._indices, self._dense_shape)

    def __tf_tensor__(self, dtype=None, name=None):
        if self._dense_shape is None:
            raise ValueError(f"Tensor conversion requested for IndexedSlices for argument "
                             f"without dense_shape: {self!r}")
        shape = np.asarray(self._dense_shape._v).tolist()
        t = array_ops.scatter_nd(array_ops.expand_dims(self._indices, -1), self._values, shape)
        if dtype is not None and _d.as_dtype(dtype) is not t.dtype:
            raise ValueError(f"Tensor conversion requested dtype {_d.as_dtype(dtype).name} for "
                             f"Tensor with dtype {t.dtype.name}")
        return t

    def __repr__(self):
        return (f"IndexedSlices(indices={self._indices!s}, values={self._values!s}"
                + (f", dense_shape={self._dense_shape!s}" if self._dense_shape is not None else "")
                + ")")

    __str__ = __repr__

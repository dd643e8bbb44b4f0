"""``tf.experimental.DynamicRaggedShape`` and ``tf.experimental.RowPartition``: the shape of a
ragged (or dense) tensor, as ``tf.shape`` returns it for a ``RaggedTensor``.

A shape is a list of row partitions (one per ragged dimension after the first: the row splits
that cut the next dimension's values into rows) and an ``inner_shape``, the dense shape of the
flat values. ``lengths=[2, (1, 2)]`` is two rows holding one and two values.
"""
from __future__ import annotations

import numpy as np

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._core.tensor import Tensor
from . import _util as u


class RowPartition:
    """How one ragged dimension is cut into rows (``tf.experimental.RowPartition``).

    >>> import tftape as tf
    >>> tf.experimental.RowPartition.from_row_lengths([1, 2])
    tf.RowPartition(row_splits=[0 1 3])
    """

    __slots__ = ("_splits", "_dtype", "_uniform")

    def __init__(self, splits: np.ndarray, dtype: _d.DType, uniform=None):
        self._splits = np.asarray(splits, dtype.as_numpy_dtype)
        self._dtype = dtype
        self._uniform = uniform

    @classmethod
    def from_row_splits(cls, row_splits, validate=True, dtype=None, dtype_hint=None):
        t = u.convert_partition(row_splits, "row_splits", dtype_hint, dtype)
        s = u.host(t)
        if validate and (s.ndim != 1 or not len(s) or s[0] != 0 or np.any(np.diff(s) < 0)):
            raise ValueError("row_splits must be a non-empty, non-decreasing vector that "
                             f"starts with 0; got {s}")
        return cls(s, t.dtype)

    @classmethod
    def from_row_lengths(cls, row_lengths, validate=True, dtype=None, dtype_hint=None):
        t = u.convert_partition(row_lengths, "row_lengths", dtype_hint, dtype)
        lengths = u.host(t)
        if validate and np.any(lengths < 0):
            raise ValueError(f"row_lengths must be non-negative; got {lengths}")
        return cls(u.lengths_to_splits(lengths), t.dtype)

    @classmethod
    def from_uniform_row_length(cls, uniform_row_length, nvals=None, nrows=None,
                                validate=True, dtype=None, dtype_hint=None):
        length = int(np.asarray(uniform_row_length))
        if nrows is None:
            nrows = 0 if length == 0 else int(np.asarray(nvals)) // length
        dt = _d.as_dtype(dtype or dtype_hint or _d.int64)
        return cls(np.arange(int(nrows) + 1) * length, dt, uniform=length)

    @property
    def dtype(self) -> _d.DType:
        return self._dtype

    def row_splits(self) -> Tensor:
        return u.splits_tensor(self._splits, self._dtype)

    def row_lengths(self) -> Tensor:
        return u.splits_tensor(np.diff(self._splits), self._dtype)

    def row_starts(self) -> Tensor:
        return u.splits_tensor(self._splits[:-1], self._dtype)

    def row_limits(self) -> Tensor:
        return u.splits_tensor(self._splits[1:], self._dtype)

    def value_rowids(self) -> Tensor:
        return u.splits_tensor(u.rowids(self._splits), self._dtype)

    def nrows(self) -> Tensor:
        return u.splits_tensor(len(self._splits) - 1, self._dtype)

    def nvals(self) -> Tensor:
        return u.splits_tensor(self._splits[-1], self._dtype)

    def uniform_row_length(self):
        return None if self._uniform is None else u.splits_tensor(self._uniform, self._dtype)

    def is_uniform(self) -> bool:
        return self._uniform is not None

    def with_dtype(self, dtype) -> "RowPartition":
        return RowPartition(self._splits, _d.as_dtype(dtype), self._uniform)

    def __repr__(self):
        return f"tf.RowPartition(row_splits={self._splits})"


class DynamicRaggedShape:
    """The shape of a ragged or dense tensor (``tf.experimental.DynamicRaggedShape``).

    >>> import tftape as tf
    >>> tf.shape(tf.ragged.constant([[1], [2, 3]]))
    <DynamicRaggedShape lengths=[2, (1, 2)] num_row_partitions=1>
    """

    _is_ragged_shape = True   # read by tf.zeros/ones/fill (which do not import this module)

    def __init__(self, row_partitions, inner_shape, dtype=None, validate=True,
                 static_inner_shape=None):
        inner = u.host(convert_to_tensor(inner_shape, dtype_hint=_d.int64))
        dt = _d.as_dtype(dtype) if dtype is not None else (
            row_partitions[0].dtype if row_partitions else _d.int64)
        self._partitions = tuple(p if p.dtype is dt else p.with_dtype(dt)
                                 for p in row_partitions)
        self._inner = np.asarray(inner, np.int64).reshape(-1)
        self._dtype = dt
        if validate and self._partitions:
            if not len(self._inner):
                raise ValueError("inner_shape must have rank >= 1 when there are row "
                                 "partitions")
            for a, b in zip(self._partitions, self._partitions[1:]):
                if a._splits[-1] != len(b._splits) - 1:
                    raise ValueError("Row partitions do not match: one holds "
                                     f"{a._splits[-1]} values, the next {len(b._splits) - 1} "
                                     "rows")
            if self._partitions[-1]._splits[-1] != self._inner[0]:
                raise ValueError("The last row partition holds "
                                 f"{self._partitions[-1]._splits[-1]} values, but "
                                 f"inner_shape[0] is {self._inner[0]}")

    # -- construction -----------------------------------------------------------------------
    @classmethod
    def from_tensor(cls, t, dtype=None) -> "DynamicRaggedShape":
        """The shape of ``t`` (a RaggedTensor or anything ``convert_to_tensor`` takes)."""
        from .ragged_tensor import RaggedTensor
        if isinstance(t, RaggedTensor):
            parts, rt = [], t
            while isinstance(rt, RaggedTensor):
                parts.append(RowPartition(rt._splits_np(), rt.row_splits_dtype,
                                          rt._uniform_row_length))
                rt = rt._values
            return cls(parts, list(rt.shape), dtype=dtype or t.row_splits_dtype)
        t = convert_to_tensor(t)
        return cls((), list(t.shape), dtype=dtype or _d.int32)

    @classmethod
    def from_lengths(cls, lengths, num_row_partitions=None, dtype=_d.int64):
        """A shape from its lengths: ints for uniform dimensions, tuples (or lists) of row
        lengths for ragged ones (``[2, (1, 2)]``)."""
        lengths = list(lengths)
        if not lengths:
            return cls((), [], dtype=dtype)
        ragged = [i for i, d in enumerate(lengths) if isinstance(d, (tuple, list))]
        if ragged and ragged[0] == 0:
            raise ValueError("The first dimension of a shape cannot be ragged: "
                             f"lengths={lengths}")
        n = num_row_partitions if num_row_partitions is not None else (
            ragged[-1] if ragged else 0)
        if ragged and n < ragged[-1]:
            raise ValueError(f"num_row_partitions={n} is too small for lengths={lengths}")
        dt = _d.as_dtype(dtype)
        parts, nrows = [], int(lengths[0])
        for d in lengths[1:n + 1]:
            if isinstance(d, (tuple, list)):
                if len(d) != nrows:
                    raise ValueError(f"Expected {nrows} row lengths, got {len(d)}: {d}")
                parts.append(RowPartition(u.lengths_to_splits(np.asarray(d, np.int64)), dt))
                nrows = int(sum(d))
            else:
                parts.append(RowPartition(np.arange(nrows + 1) * int(d), dt, uniform=int(d)))
                nrows *= int(d)
        inner = [nrows] + [int(d) for d in lengths[n + 1:]]
        if any(isinstance(d, (tuple, list)) for d in lengths[n + 1:]):
            raise ValueError(f"A ragged dimension after num_row_partitions={n}: {lengths}")
        return cls(parts, inner if n else [int(d) for d in lengths], dtype=dt)

    # -- properties -------------------------------------------------------------------------
    @property
    def dtype(self) -> _d.DType:
        return self._dtype

    @property
    def row_partitions(self) -> tuple:
        return self._partitions

    @property
    def num_row_partitions(self) -> int:
        return len(self._partitions)

    @property
    def inner_shape(self) -> Tensor:
        return u.splits_tensor(self._inner, self._dtype)

    @property
    def inner_rank(self) -> int:
        return len(self._inner)

    @property
    def rank(self) -> int:
        return len(self._inner) + len(self._partitions)

    def is_uniform(self, axis) -> bool:
        axis = self._axis(axis)
        if axis == 0 or axis > len(self._partitions):
            return True
        return self._partitions[axis - 1].is_uniform()

    def static_lengths(self, ragged_lengths=True) -> list:
        """The lengths: ints for uniform dimensions, a tuple of row lengths (or None, with
        ``ragged_lengths=False``) for ragged ones."""
        if not self._partitions:
            return [int(d) for d in self._inner]
        out = [len(self._partitions[0]._splits) - 1]
        for p in self._partitions:
            if p.is_uniform():
                out.append(p._uniform)
            else:
                out.append(tuple(int(x) for x in np.diff(p._splits)) if ragged_lengths
                           else None)
        return out + [int(d) for d in self._inner[1:]]

    def _axis(self, axis) -> int:
        rank = self.rank
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError("Argument is not an int or a slice")
        if axis >= rank:
            raise IndexError(f"Index is too big: {axis}>={rank}")
        if axis < 0:
            axis += rank
            if axis < 0:
                raise IndexError(f"Index {axis - rank} is out of range for rank {rank}")
        return int(axis)

    def __getitem__(self, index):
        """The length of uniform dimension ``index`` as a scalar tensor; for a slice, the
        shape of those dimensions (from dimension 0, or over uniform dimensions only)."""
        if isinstance(index, slice):
            if index.step is not None and index.step != 1:
                raise IndexError("Cannot stride through a shape")
            rank, n = self.rank, self.num_row_partitions
            start = _slice_bound(0 if index.start is None else index.start, rank, n)
            stop = _slice_bound(rank if index.stop is None else index.stop, rank, n)
            return self._slice(start, stop)
        axis = self._axis(index)
        lengths = self.static_lengths(ragged_lengths=False)
        if lengths[axis] is None:
            raise ValueError(f"Index {index} is not uniform")
        return u.splits_tensor(lengths[axis], self._dtype)

    def _slice(self, start: int, stop: int) -> "DynamicRaggedShape":
        """``self[start:stop]`` for bounds within ``[0, rank]``, with TF's result dtypes."""
        n, cls = self.num_row_partitions, type(self)
        if stop <= start:
            return cls((), [], dtype=_d.int64)
        if start == 0:
            if stop <= n:
                if stop == 1:
                    return cls((), [len(self._partitions[0]._splits) - 1], dtype=_d.int64)
                parts = self._partitions[:stop - 1]
                return cls(parts, [int(parts[-1]._splits[-1])], dtype=self._dtype)
            if self.rank <= stop:
                return self
            return cls(self._partitions, self._inner[:stop - n], dtype=self._dtype)
        partial = self if stop >= self.rank else self._slice(0, stop)
        if not all(p.is_uniform() for p in partial._partitions):
            raise ValueError("All relevant dimensions must be uniform")
        return cls((), partial.static_lengths()[start:], dtype=partial._dtype)

    def __repr__(self):
        parts = []
        for d in self.static_lengths():
            parts.append(f"({', '.join(str(x) for x in d)}{',' if len(d) == 1 else ''})"
                         if isinstance(d, tuple) else str(d))
        return (f"<DynamicRaggedShape lengths=[{', '.join(parts)}] "
                f"num_row_partitions={self.num_row_partitions}>")

    __str__ = __repr__

    def _filled(self, values_of):
        """A tensor of this shape whose flat values are ``values_of(inner_shape)``: a
        RaggedTensor where the shape has row partitions."""
        from .ragged_tensor import RaggedTensor
        values = values_of([int(d) for d in self._inner])
        for p in reversed(self._partitions):
            values = RaggedTensor._from_splits_np(values, p._splits, p.dtype)
        return values


def _slice_bound(index: int, rank: int, num_row_partitions: int) -> int:
    """A slice bound of a shape, clipped to ``[0, rank]`` as TF clips it."""
    if index < 0:
        index = max(rank + index, 0)
    if num_row_partitions and index <= num_row_partitions + 1:
        return index
    return min(index, rank)

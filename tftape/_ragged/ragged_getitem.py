"""``RaggedTensor.__getitem__``: TF's ragged indexing rules (ragged_getitem.py), ported.

Rows are selected by gathering (a recorded op), so indexing is differentiable.
"""
from __future__ import annotations

import numpy as np

from .._core import dtypes as _d
from .._core.errors import kernel_error
from .._core.tensor import Tensor
from .._core.methods import attach
from . import _util as u
from .ragged_tensor import RaggedTensor

_BAD_KEY = ("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar "
            "tf.int32/tf.int64 tensors are valid indices, got {!r}")


def gather_rows(x, idx):
    """Rows ``idx`` of a Tensor or RaggedTensor (along axis 0)."""
    idx = np.asarray(idx, dtype=np.int64)
    if isinstance(x, RaggedTensor):
        splits = x._splits_np().astype(np.int64)
        lengths = np.diff(splits)[idx]
        vals = gather_rows(x._values, u.ranges(splits[idx], splits[idx + 1]))
        out = RaggedTensor._make(vals, u.splits_tensor(u.lengths_to_splits(lengths),
                                                       x._row_splits.dtype),
                                 x._uniform_row_length)
        return out
    return u.take(x, idx)


def _static_key(k):
    if k is None or k is Ellipsis or isinstance(k, slice):
        return k
    if isinstance(k, (bool, np.bool_)):
        raise TypeError(_BAD_KEY.format(k))
    if isinstance(k, (int, np.integer)):
        return int(k)
    if isinstance(k, Tensor):
        if k.dtype not in (_d.int32, _d.int64) or k.ndim != 0:
            raise TypeError(_BAD_KEY.format(k))
        return int(k.numpy())
    raise TypeError(_BAD_KEY.format(k))


def _slice_parts(s: slice) -> slice:
    parts = []
    for p in (s.start, s.stop, s.step):
        if isinstance(p, Tensor):
            p = int(p.numpy())
        elif p is not None and not isinstance(p, (int, np.integer)):
            raise TypeError("slice offsets must be integers or None")
        parts.append(p)
    if parts[2] == 0:
        raise ValueError("slice step cannot be zero")
    return slice(*parts)


def _lenient_key(k):
    if isinstance(k, Tensor) and k.dtype in (_d.int32, _d.int64) and k.ndim == 0:
        return int(k.numpy())
    if isinstance(k, np.integer):
        return int(k)
    return k


def getitem(rt: RaggedTensor, key):
    keys = list(key) if isinstance(key, (list, tuple)) else [key]
    if keys and isinstance(keys[0], (bool, np.bool_)):
        raise ValueError("mask cannot be scalar.")
    # Note: as in TF, only the row key is checked up front; inner keys are checked where
    # they are applied.
    keys = [_static_key(keys[0])] + [_lenient_key(k) for k in keys[1:]] if keys else keys
    if sum(1 for k in keys if k is Ellipsis) > 1:
        raise ValueError("Multiple ellipses in slice spec not allowed")
    return _getitem(rt, keys)


def _expand_ellipsis(keys, ndims):
    i = keys.index(Ellipsis)
    n = ndims - sum(1 for k in keys if k is not None and k is not Ellipsis)
    return keys[:i] + [slice(None)] * max(n, 0) + keys[i + 1:]


def _dense_getitem(t, keys):
    if not keys:
        return t
    return t[tuple(keys)]


def _getitem(rt, keys):
    if not keys:
        return rt
    if not isinstance(rt, RaggedTensor):
        return _dense_getitem(rt, keys)
    row_key, inner = keys[0], keys[1:]
    if row_key is Ellipsis:
        return _getitem(rt, _expand_ellipsis(keys, rt.shape.rank))
    if row_key is None:
        inner_rt = _getitem(rt, inner)
        n = u.host(inner_rt.row_splits).shape[0] - 1 if isinstance(inner_rt, RaggedTensor) \
            else inner_rt._v.shape[0]
        return RaggedTensor.from_uniform_row_length(inner_rt, n, nrows=1, validate=False)
    nrows = len(rt._splits_np()) - 1
    if isinstance(row_key, slice):
        s = _slice_parts(row_key)
        sliced = gather_rows(rt, np.arange(nrows)[s])
        return _inner(sliced, inner)
    if row_key >= nrows:
        raise IndexError(f"Row key {row_key} out of bounds")
    if row_key < -nrows:
        raise kernel_error("StridedSlice", f"slice index {row_key + nrows} of dimension 0 out "
                                           f"of bounds.", name="strided_slice/")
    row_key %= nrows
    splits = rt._splits_np()
    row = _row_values(rt._values, int(splits[row_key]), int(splits[row_key + 1]))
    return _getitem(row, inner)


def _row_values(values, start, limit):
    return gather_rows(values, np.arange(start, limit))


def _inner(rt, keys):
    """Applies ``keys`` to the dimensions below the rows of ``rt``."""
    if not keys:
        return rt
    if not isinstance(rt, RaggedTensor):
        return _dense_getitem(rt, [slice(None)] + keys)
    col, rest = keys[0], keys[1:]
    if col is Ellipsis:
        return _inner(rt, _expand_ellipsis(keys, rt.shape.rank - 1))
    if col is None:
        inner_rt = _inner(rt, rest)
        n = len(u.host(inner_rt.row_splits)) - 1
        return RaggedTensor.from_uniform_row_length(inner_rt, 1, nrows=n, validate=False)
    splits = rt._splits_np().astype(np.int64)
    if isinstance(col, slice):
        s = _slice_parts(col)
        if s.start is None and s.stop is None and s.step is None:
            return rt.with_values(_inner(rt._values, rest))
        idx, lengths = [], []
        for a, b in zip(splits[:-1], splits[1:]):
            r = np.arange(a, b)[s]
            idx.append(r)
            lengths.append(len(r))
        idx = np.concatenate(idx) if idx else np.zeros(0, np.int64)
        vals = gather_rows(rt._values, idx)
        out = RaggedTensor._make(vals, u.splits_tensor(u.lengths_to_splits(np.asarray(
            lengths, np.int64)), rt._row_splits.dtype))
        return out.with_values(_inner(out._values, rest))
    if rt._uniform_row_length is None:
        raise ValueError("Cannot index into an inner ragged dimension.")
    n = rt._uniform_row_length
    if not -n <= col < n:
        raise kernel_error("StridedSlice", f"slice index {col} of dimension 1 out of bounds.",
                           name="strided_slice/")
    vals = gather_rows(rt._values, splits[:-1] + col % n)
    return _inner(vals, rest)


def _rt_getitem(self, key):
    return getitem(self, key)


attach(RaggedTensor, "__getitem__", _rt_getitem)

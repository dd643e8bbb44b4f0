"""``tf.ragged.row_splits_to_segment_ids`` and ``segment_ids_to_row_splits``."""
from __future__ import annotations

import numpy as np

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._core.errors import InvalidArgumentError, kernel_error
from .._core.tensor import Tensor
from . import _util as _u


def row_splits_to_segment_ids(splits, name=None, out_type=None) -> Tensor:
    """The row index of each value of a ragged partition given by ``splits``.

    >>> import tftape as tf
    >>> tf.ragged.row_splits_to_segment_ids([0, 2, 2, 5]).numpy()
    array([0, 0, 2, 2, 2])
    """
    t = splits if isinstance(splits, Tensor) else convert_to_tensor(splits, dtype_hint=_d.int64)
    if t.dtype not in (_d.int32, _d.int64):
        raise ValueError("splits must have dtype int32 or int64")
    _u.check_rank1(t)
    if t.shape[0] == 0:
        raise ValueError("Invalid row_splits: []")
    dt = t.dtype if out_type is None else _d.as_dtype(out_type)
    if dt not in (_d.int32, _d.int64):
        raise InvalidArgumentError(None, None, (
            f"Value for attr 'out_type' of {_d.TF_TYPE_NAMES[dt]} is not in the list of allowed "
            f"values: int32, int64\n\t; NodeDef: {{{{node Shape}}}}; Op<name=Shape; signature="
            f"input:T -> output:out_type; attr=T:type; attr=out_type:type,default=DT_INT32,"
            f"allowed=[DT_INT32, DT_INT64]> [Op:Shape] name: "))
    s = np.asarray(_u.host(t)).astype(np.int64)
    # Note: as TF's ragged_util.repeat, a negative row length repeats nothing.
    lengths = np.maximum(s[1:] - s[:-1], 0)
    ids = np.repeat(np.arange(s.size - 1, dtype=np.int64), lengths)
    return convert_to_tensor(ids.astype(dt._np))


def _int_tensor(x, name: str, dtype: _d.DType) -> Tensor:
    """TF's ragged_util.convert_to_int_tensor."""
    t = x if isinstance(x, Tensor) else convert_to_tensor(x, dtype_hint=dtype)
    if not t.dtype.is_integer:
        raise TypeError(f"Argument `tensor` (name: {name}) must be of type integer. Received "
                        f"`tensor` = {x} of dtype: <dtype: '{t.dtype.name}'>")
    if t.dtype is not dtype:
        from .._ops import math_ops
        t = math_ops.cast(t, dtype)
    return t


def segment_ids_to_row_splits(segment_ids, num_segments=None, out_type=None,
                              name=None) -> Tensor:
    """Row splits of a partition given by (possibly unsorted) segment ids.

    >>> import tftape as tf
    >>> tf.ragged.segment_ids_to_row_splits([0, 0, 2, 2, 2]).numpy()
    array([0, 2, 2, 5])
    """
    if out_type is None:
        if isinstance(segment_ids, Tensor):
            dt = segment_ids.dtype
        elif isinstance(num_segments, Tensor):
            dt = num_segments.dtype
        else:
            dt = _d.int64
    else:
        dt = _d.as_dtype(out_type)
    ids = _int_tensor(segment_ids, "segment_ids", dt)
    _u.check_rank1(ids)
    n = None
    if num_segments is not None:
        ns = _int_tensor(num_segments, "num_segments", dt)
        if ns.ndim != 0:
            raise ValueError(f"Shape {ns.shape} must have rank 0")
        n = int(np.asarray(_u.host(ns)))
    v = np.asarray(_u.host(ids)).astype(np.int64)
    if v.size and v.min() < 0:
        raise kernel_error("DenseBincount", "Input arr must be non-negative!")
    size = int(v.max()) + 1 if v.size else 0
    if n is not None:
        size = max(n, 0)
        v = v[v < size]
    counts = np.bincount(v, minlength=size)[:size]
    splits = np.concatenate([[0], np.cumsum(counts)]).astype(dt._np)
    return convert_to_tensor(splits)

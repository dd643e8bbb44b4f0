"""``tf.ragged.constant`` and ``tf.ragged.range``: TF's nesting-depth rules, ported."""
from __future__ import annotations

import builtins

import numpy as np

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._ops.constant_op import constant as _constant
from . import _util as u
from .ragged_tensor import RaggedTensor


def _is_scalar(x) -> bool:
    return not isinstance(x, (list, tuple)) and np.ndim(x) == 0


def constant(pylist, dtype=None, ragged_rank=None, inner_shape=None, name=None,
             row_splits_dtype=_d.int64):
    """A constant RaggedTensor from a nested Python list.

    >>> import tftape as tf
    >>> tf.ragged.constant([[1, 2], [3], [4, 5, 6]])
    <tf.RaggedTensor [[1, 2], [3], [4, 5, 6]]>
    """
    if isinstance(pylist, RaggedTensor):
        raise TypeError("pylist may not be a RaggedTensor or RaggedTensorValue.")
    splits_dtype = _d.as_dtype(row_splits_dtype)
    dtype = None if dtype is None else _d.as_dtype(dtype)

    def inner(values, shape):
        return _constant(values, dtype=dtype, shape=shape)

    if _is_scalar(pylist):
        if ragged_rank is not None and ragged_rank != 0:
            raise ValueError("Invalid pylist=%r: incompatible with ragged_rank=%d" %
                             (pylist, ragged_rank))
        if inner_shape is not None and inner_shape:
            raise ValueError("Invalid pylist=%r: incompatible with dim(inner_shape)=%d" %
                             (pylist, len(inner_shape)))
        return inner(pylist, ())
    if ragged_rank is not None and ragged_rank < 0:
        raise ValueError("Invalid ragged_rank=%r: must be nonnegative" % ragged_rank)
    scalar_depth, max_depth = _find_scalar_and_max_depth(pylist)
    if scalar_depth is not None:
        if max_depth > scalar_depth:
            raise ValueError("Invalid pylist=%r: empty list nesting is greater than scalar "
                             "value nesting" % pylist)
        if ragged_rank is not None and max_depth < ragged_rank:
            raise ValueError(f"Invalid pylist={pylist}, max depth smaller than "
                             f"ragged_rank={ragged_rank}")
    if inner_shape is not None and ragged_rank is not None:
        expected_depth = ragged_rank + len(inner_shape) + 1
        if ((scalar_depth is not None and expected_depth != scalar_depth) or
                (scalar_depth is None and expected_depth < max_depth)):
            raise ValueError("Invalid pylist=%r: incompatible with ragged_rank=%d and "
                             "dim(inner_shape)=%d" % (pylist, ragged_rank, len(inner_shape)))
    if (ragged_rank == 0 or (ragged_rank is None and (
            max_depth < 2 or (inner_shape is not None and max_depth - len(inner_shape) < 2)))):
        return inner(pylist, inner_shape)
    if inner_shape is None:
        inner_shape = () if ragged_rank is None else \
            _default_inner_shape_for_pylist(pylist, ragged_rank)
    inner_shape = tuple(inner_shape)
    if ragged_rank is None:
        ragged_rank = max(1, (max_depth if scalar_depth is None else
                              scalar_depth - len(inner_shape)) - 1)
    nested_splits = []
    values = pylist
    for dim in builtins.range(ragged_rank):
        splits = [0]
        concatenated = []
        for row in values:
            splits.append(splits[-1] + len(row))
            concatenated.extend(row)
        nested_splits.append(splits)
        values = concatenated
    result = inner(values, (len(values),) + inner_shape)
    for splits in reversed(nested_splits):
        result = RaggedTensor._make(result, u.splits_tensor(splits, splits_dtype))
    return result


def _find_scalar_and_max_depth(pylist):
    if isinstance(pylist, (list, tuple)) or np.ndim(pylist) != 0:
        scalar_depth = None
        max_depth = 1
        for child in pylist:
            child_scalar_depth, child_max_depth = _find_scalar_and_max_depth(child)
            if child_scalar_depth is not None:
                if scalar_depth is not None and scalar_depth != child_scalar_depth + 1:
                    raise ValueError("all scalar values must have the same nesting depth")
                scalar_depth = child_scalar_depth + 1
            max_depth = max(max_depth, child_max_depth + 1)
        return scalar_depth, max_depth
    return 0, 0


def _default_inner_shape_for_pylist(pylist, ragged_rank):
    def get_inner_shape(item):
        if _is_scalar(item):
            return ()
        if len(item) > 0:
            return (len(item),) + get_inner_shape(item[0])
        return (0,)

    def check_inner_shape(item, shape):
        is_nested = isinstance(item, (list, tuple)) or np.ndim(item) != 0
        if is_nested != bool(shape):
            raise ValueError("inner values have inconsistent shape")
        if is_nested:
            if shape[0] != len(item):
                raise ValueError("inner values have inconsistent shape")
            for child in item:
                check_inner_shape(child, shape[1:])

    flat_values = pylist
    for dim in builtins.range(ragged_rank):
        if not all(isinstance(v, (list, tuple)) or np.ndim(v) != 0 for v in flat_values):
            raise ValueError("pylist has scalar values depth %d, but ragged_rank=%d requires "
                             "scalar value depth greater than %d" %
                             (dim + 1, ragged_rank, ragged_rank))
        flat_values = sum((list(v) for v in flat_values), [])
    inner_shape = get_inner_shape(flat_values)
    check_inner_shape(flat_values, inner_shape)
    return inner_shape[1:]


def range(starts, limits=None, deltas=1, dtype=None, name=None,  # noqa: A001
          row_splits_dtype=_d.int64):
    """Row ``i`` is ``range(starts[i], limits[i], deltas[i])``.

    >>> import tftape as tf
    >>> tf.ragged.range([3, 0, 2])
    <tf.RaggedTensor [[0, 1, 2], [], [0, 1]]>
    """
    from .._core.errors import kernel_error
    if limits is None:
        starts, limits = 0, starts
    ts = [convert_to_tensor(x, dtype=dtype) for x in (starts, limits, deltas)]
    dt = ts[0].dtype
    for t in ts[1:]:
        if t.dtype is not dt:
            dt = t.dtype if dt is _d.int32 else dt
    ts = [convert_to_tensor(u.host(t).astype(dt._np)) if t.dtype is not dt else t for t in ts]
    s, l, d = (np.asarray(u.host(t)) for t in ts)
    for x in (s, l, d):
        if x.ndim > 1:
            raise ValueError(f"Shape {x.shape} must have rank at most 1")
    n = max(x.size if x.ndim else 1 for x in (s, l, d))
    s, l, d = (np.broadcast_to(x, (n,)) for x in (s, l, d))
    if np.any(d == 0):
        raise kernel_error("RaggedRange", "Requires delta != 0")
    rows = [np.arange(a, b, c, dtype=dt._np) for a, b, c in zip(s, l, d)]
    lengths = np.array([len(r) for r in rows], dtype=np.int64)
    flat = np.concatenate(rows) if rows else np.zeros(0, dt._np)
    return RaggedTensor.from_row_splits(convert_to_tensor(flat.astype(dt._np)),
                                        u.splits_tensor(u.lengths_to_splits(lengths),
                                                        _d.as_dtype(row_splits_dtype)),
                                        validate=False)

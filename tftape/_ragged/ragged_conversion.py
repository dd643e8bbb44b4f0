"""Dense <-> ragged <-> sparse conversions (``from_tensor``, ``to_tensor``, ``to_sparse``).

The index arithmetic runs on the host; values move with one gather (``_util.take``), so
gradients flow through conversions on a tape.
"""
from __future__ import annotations

import numpy as np

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._core.errors import kernel_error
from .._core.shape import TensorShape
from .._core.tensor import Tensor
from .._core.methods import attach
from . import _util as u
from .ragged_tensor import RaggedTensor


def _coords(rt) -> tuple:
    """For each flat value: its index in each outer (ragged) dimension, outermost first."""
    levels = []
    v = rt
    while isinstance(v, RaggedTensor):
        levels.append(v._splits_np().astype(np.int64))
        v = v._values
    nvals = v._v.shape[0]
    parent = np.arange(nvals, dtype=np.int64)
    coords = []
    for splits in reversed(levels):
        rid = u.rowids(splits)[parent]
        coords.append(parent - splits[rid])
        parent = rid
    coords.append(parent)
    return tuple(reversed(coords)), v


def dense_index(rt, outer_shape) -> tuple:
    """Flat positions of each value inside a dense ``outer_shape`` (-1 where cut off)."""
    coords, flat = _coords(rt)
    keep = np.ones(flat._v.shape[0], dtype=bool)
    for c, d in zip(coords, outer_shape):
        keep &= c < d
    pos = np.full(flat._v.shape[0], -1, dtype=np.int64)
    if keep.any():
        pos[keep] = np.ravel_multi_index(tuple(c[keep] for c in coords), tuple(outer_shape))
    return pos, flat


def to_tensor(rt, default_value=None, shape=None) -> Tensor:
    from .._ops import array_ops
    flat = rt.flat_values
    inner = tuple(flat._v.shape[1:])
    rr = rt.ragged_rank
    bound = [int(d) for d in u.host(rt.bounding_shape())]
    if shape is not None:
        shp = TensorShape(shape)
        if shp.rank is not None:
            if shp.rank != len(bound):
                raise ValueError(f"Shape {shp} must have rank {len(bound)}")
            bound = [b if d is None else int(d) for b, d in zip(bound, shp.as_list())]
    outer = bound[:rr + 1]
    if default_value is None:
        default = array_ops.zeros([], flat.dtype)
    else:
        default = convert_to_tensor(default_value, dtype=flat.dtype)
        if default.ndim >= flat.ndim:
            raise kernel_error(
                "RaggedTensorToTensor",
                f"default_value.shape={_fmt(default._v.shape)} and rt_input.flat_values.shape="
                f"{_fmt(flat._v.shape)} are incompatible: default_value.rank = {default.ndim}  "
                f"must be less than rt_input.flat_values.rank = {flat.ndim}",
                wrapped=f"RaggedTensorToTensor_num_row_partition_tensors_{rr}")
        try:
            np.broadcast_shapes(default._v.shape, inner)
        except ValueError:
            raise kernel_error(
                "RaggedTensorToTensor",
                f"default_value.shape={_fmt(default._v.shape)} and rt_input.flat_values.shape="
                f"{_fmt(flat._v.shape)} are incompatible: default_value.shape must be "
                f"broadcastable to rt_input.flat_values.shape",
                wrapped=f"RaggedTensorToTensor_num_row_partition_tensors_{rr}") from None
    pos, flat = dense_index(rt, outer)
    n_out = int(np.prod(outer, dtype=np.int64))
    nvals = flat._v.shape[0]
    # Every dense slot reads either a value or the default row appended after the values.
    src = np.full(n_out, nvals, dtype=np.int64)
    keep = pos >= 0
    src[pos[keep]] = np.nonzero(keep)[0]
    default_row = array_ops.reshape(array_ops.broadcast_to(default, inner)
                                    if flat.dtype is not _d.string else
                                    u_broadcast_string(default, inner), (1,) + inner)
    table = array_ops.concat([flat, default_row], axis=0)
    out = u.take(table, src)
    return array_ops.reshape(out, list(outer) + list(inner))


def u_broadcast_string(t, shape):
    from .._core.tensor import make_string
    return make_string(np.broadcast_to(t._v, shape).copy())


def _fmt(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"


def from_tensor(cls, tensor, lengths, padding, ragged_rank, splits_dtype) -> "object":
    from .._ops import array_ops
    t = convert_to_tensor(tensor)
    if t.ndim < 2:
        raise ValueError(f"The rank of a RaggedTensor must be greater than 1, i.e., a list of "
                         f"scalars won't have ragged dimensions. Received argument `tensor` "
                         f"with rank {t.ndim}.")
    if not isinstance(ragged_rank, int) or ragged_rank <= 0:
        raise ValueError(f"Argument `ragged_rank` must be greater than 0. Received "
                         f"{ragged_rank}.")
    if t.ndim < ragged_rank + 1:
        raise ValueError(f"Shape {t.shape} must have rank at least {ragged_rank + 1}")
    if lengths is not None and padding is not None:
        raise ValueError("Specify argument `lengths` or `padding`, but not both.")
    shp = list(t._v.shape)
    if (lengths is not None and isinstance(lengths, (list, tuple)) and len(lengths) and
            not isinstance(lengths[0], (int, float))):
        if ragged_rank not in (1, len(lengths)):
            raise ValueError(f"If Argument `lengths` is a tuple of row_lengths, argument "
                             f"`ragged_rank` must be len(lengths): {len(lengths)}. Received "
                             f"ragged_rank: {ragged_rank}.")
        if t.ndim < len(lengths) + 1:
            raise ValueError(f"Shape {t.shape} must have rank at least {len(lengths) + 1}")
        nested = [np.asarray(u.host(convert_to_tensor(x, dtype_hint=splits_dtype)), np.int64)
                  for x in lengths]
        mask_rt = cls.from_nested_row_lengths(np.ones(int(nested[-1].sum()), bool),
                                              [u.splits_tensor(x, splits_dtype) for x in nested],
                                              validate=False)
        pos, _ = dense_index(mask_rt, shp[:len(nested) + 1])
        flat = array_ops.reshape(t, [-1] + shp[len(nested) + 1:])
        values = u.take(flat, pos)
        return cls.from_nested_row_lengths(values, [u.splits_tensor(x, splits_dtype)
                                                    for x in nested], validate=False)
    if ragged_rank > 1:
        new_shape = [int(np.prod(shp[:ragged_rank]))] + shp[ragged_rank:]
        result = from_tensor(cls, array_ops.reshape(t, new_shape), lengths, padding, 1,
                             splits_dtype)
        for axis in range(ragged_rank - 1, 0, -1):
            result = cls.from_uniform_row_length(
                result, u.splits_tensor(shp[axis], splits_dtype),
                nrows=int(np.prod(shp[:axis])), validate=False)
        return result
    nrows, ncols = shp[0], shp[1]
    if padding is not None:
        p = convert_to_tensor(padding, dtype=t.dtype)
        if not TensorShape(p._v.shape).is_compatible_with(TensorShape(shp[2:])):
            raise ValueError(f"Shapes {p.shape} and {TensorShape(shp[2:])} are incompatible")
        eq = np.asarray(u.host(t) == u.host(p))
        if eq.ndim > 2:
            eq = eq.reshape(nrows, ncols, -1).all(axis=2)
        nondefault = ~eq
        lens = (nondefault * np.arange(1, ncols + 1)[None, :]).max(axis=1) if ncols else \
            np.zeros(nrows, np.int64)
        lengths = lens.astype(np.int64)
    if lengths is not None:
        lt = convert_to_tensor(lengths, dtype_hint=splits_dtype)
        lv = np.asarray(u.host(lt)).astype(np.int64)
        if lv.ndim != 1:
            raise ValueError(f"Shape {lt.shape} must have rank 1")
        if lv.shape[0] != nrows:
            raise ValueError(f"Shapes {t.shape} and {TensorShape([lv.shape[0], ncols])} are "
                             f"incompatible")
        lv = np.clip(lv, 0, ncols)
        splits = u.lengths_to_splits(lv)
        mask = np.arange(ncols)[None, :] < lv[:, None]
        idx = np.nonzero(mask.reshape(-1))[0]
        flat = array_ops.reshape(t, [nrows * ncols] + shp[2:])
        return cls.from_row_splits(u.take(flat, idx), u.splits_tensor(splits, splits_dtype),
                                   validate=False)
    values = array_ops.reshape(t, [nrows * ncols] + shp[2:])
    return cls.from_uniform_row_length(values, u.splits_tensor(ncols, splits_dtype),
                                       nrows=nrows, validate=False)


def to_sparse(rt):
    import importlib
    try:
        sparse = importlib.import_module("tftape.sparse")
    except ModuleNotFoundError:
        raise NotImplementedError("tf.SparseTensor is not available") from None
    coords, flat = _coords(rt)
    inner = flat._v.shape[1:]
    idx = np.stack(coords, axis=1) if coords[0].size else np.zeros((0, len(coords)), np.int64)
    if inner:
        grid = np.indices(inner).reshape(len(inner), -1).T
        idx = np.concatenate([np.repeat(idx, len(grid), axis=0),
                              np.tile(grid, (idx.shape[0], 1))], axis=1)
    from .._ops import array_ops
    vals = array_ops.reshape(flat, [-1])
    dense_shape = [int(d) for d in u.host(rt.bounding_shape(out_type=_d.int64))]
    return sparse.SparseTensor(u.splits_tensor(idx.astype(np.int64), _d.int64), vals,
                               u.splits_tensor(dense_shape, _d.int64))


def from_sparse(cls, st, splits_dtype):
    idx = np.asarray(u.host(convert_to_tensor(st.indices)))
    shape = np.asarray(u.host(convert_to_tensor(st.dense_shape)))
    if idx.ndim != 2 or shape.shape[0] != 2 or idx.shape[1] != 2:
        raise ValueError("rank(st_input) must be 2.")
    rows, cols = idx[:, 0], idx[:, 1]
    # Ragged-right: column indices count 0, 1, 2... within each row, rows in order.
    ok = np.all(np.diff(rows) >= 0) if rows.size else True
    if ok and rows.size:
        starts = np.r_[True, rows[1:] != rows[:-1]]
        expect = np.arange(rows.size) - np.maximum.accumulate(np.where(starts,
                                                                         np.arange(rows.size), 0))
        ok = np.array_equal(cols, expect)
    if not ok:
        from .._core.errors import InvalidArgumentError
        raise InvalidArgumentError(None, None, "SparseTensor is not right-ragged")
    nrows = int(shape[0])
    lengths = np.bincount(rows, minlength=nrows)[:nrows] if rows.size else \
        np.zeros(nrows, np.int64)
    return cls.from_row_splits(st.values, u.splits_tensor(u.lengths_to_splits(lengths),
                                                          splits_dtype), validate=False)


# -- RaggedTensor's conversion methods ----------------------------------------------------------
def _rt_from_tensor(cls, tensor, lengths=None, padding=None, ragged_rank=1, name=None,
                row_splits_dtype=_d.int64) -> "RaggedTensor":
    """A RaggedTensor from a dense tensor, dropping trailing ``padding`` or cutting rows
    to ``lengths``.

    >>> import tftape as tf
    >>> tf.RaggedTensor.from_tensor([[1, 0], [2, 3]], padding=0).to_list()
    [[1], [2, 3]]
    """
    return from_tensor(cls, tensor, lengths, padding, ragged_rank,
                       _d.as_dtype(row_splits_dtype))


def _rt_from_sparse(cls, st_input, name=None, row_splits_dtype=_d.int64) -> "RaggedTensor":
    """A 2-D RaggedTensor from a ragged-right 2-D SparseTensor."""
    return from_sparse(cls, st_input, _d.as_dtype(row_splits_dtype))


def _rt_to_tensor(self, default_value=None, name=None, shape=None) -> Tensor:
    """A dense tensor, padding short rows with ``default_value`` (0 or b'').

    >>> import tftape as tf
    >>> tf.ragged.constant([[1], [2, 3]]).to_tensor().numpy().tolist()
    [[1, 0], [2, 3]]
    """
    return to_tensor(self, default_value, shape)


def _rt_to_sparse(self, name=None):
    """A SparseTensor with an entry for each value."""
    return to_sparse(self)


attach(RaggedTensor, "from_tensor", _rt_from_tensor, classmethod)
attach(RaggedTensor, "from_sparse", _rt_from_sparse, classmethod)
attach(RaggedTensor, "to_tensor", _rt_to_tensor)
attach(RaggedTensor, "to_sparse", _rt_to_sparse)

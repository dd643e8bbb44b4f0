"""Ops on RaggedTensors: elementwise math with broadcasting, reductions over ragged axes,
concat/stack/gather, boolean_mask, map_flat_values, merge_dims and the Python operators.

Math runs on ``flat_values`` through the public (registry) ops, so tapes record it; row
partitions are combined on the host.
"""
from __future__ import annotations

import numpy as np

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._core.errors import InvalidArgumentError, kernel_error, op_error
from .._core.registry import REGISTRY
from .._core.tensor import Tensor
from .._core.methods import attach
from . import _util as u
from .ragged_conversion import _coords
from .ragged_getitem import gather_rows
from .ragged_tensor import RaggedTensor


# -- conversion ---------------------------------------------------------------------------------
def to_tensor_or_ragged(x, dtype=None, preferred_dtype=None):
    """convert_to_tensor_or_ragged_tensor."""
    if isinstance(x, RaggedTensor):
        if dtype is not None and _d.as_dtype(dtype) is not x.dtype:
            raise ValueError(f"Tensor conversion requested dtype {_d.as_dtype(dtype).name} for "
                             f"RaggedTensor with dtype {x.dtype.name}: {x}.")
        return x
    if isinstance(x, Tensor):
        return convert_to_tensor(x, dtype=dtype)
    return convert_to_tensor(x, dtype=dtype, dtype_hint=preferred_dtype)


def _splits_match(a: RaggedTensor, b: RaggedTensor, message: str = ""):
    sa, sb = a.nested_row_splits, b.nested_row_splits
    for x, y in zip(sa, sb):
        xv, yv = u.host(x), u.host(y)
        if xv.shape != yv.shape or not np.array_equal(xv, yv):
            if xv.shape != yv.shape:
                raise InvalidArgumentError(None, None, "\n".join(
                    ([message] if message else []) + [
                        "Condition x == y did not hold.",
                        f"First {min(3, xv.size)} elements of x:", str(xv[:3]),
                        f"First {min(3, yv.size)} elements of y:", str(yv[:3])]))
            u.assert_equal(xv, yv, message)


def _broadcast_dense(rt: RaggedTensor, y: Tensor) -> Tensor:
    """``y`` (dense, rank <= rt's rank) laid out like ``rt.flat_values`` (a gather)."""
    from .._ops import array_ops
    rank = rt.shape.rank
    if y.ndim > rank:
        raise ValueError(f"Unable to broadcast: rank of dense tensor ({y.ndim}) is greater "
                         f"than the rank of the RaggedTensor ({rank})")
    yshape = (1,) * (rank - y.ndim) + tuple(y._v.shape)
    rr = rt.ragged_rank
    outer = yshape[:rr + 1]
    coords, flat = _coords(rt)
    bound = [int(d) for d in u.host(rt.bounding_shape())][:rr + 1]
    lengths_ok = True
    multi = []
    for k, (c, d) in enumerate(zip(coords, outer)):
        if d == 1:
            multi.append(np.zeros_like(c))
            continue
        if k == 0:
            lengths_ok &= d == bound[0]
        else:
            level = rt
            for _ in range(k - 1):
                level = level.values
            # Note: TF 2.21 cannot broadcast a dense dimension (size > 1) against a ragged one,
            # even when every row has that length.
            lengths_ok &= level._uniform_row_length == d
        multi.append(c)
    if not lengths_ok:
        splits = u.host(rt.row_splits)
        raise InvalidArgumentError(None, None, "\n".join([
            "Condition x == y did not hold.", f"First {min(3, splits.size)} elements of x:",
            str(splits[:3]), "First 1 elements of y:", str(np.array(outer[-1:]))]))
    lin = np.ravel_multi_index(tuple(multi), outer) if multi[0].size else \
        np.zeros(0, np.int64)
    table = array_ops.reshape(y, [-1] + list(yshape[rr + 1:]))
    return u.take(table, lin)


def binary(api_fn, x, y, **kwargs):
    """Applies a binary elementwise op where x and/or y is ragged, with TF's broadcasting."""
    xr, yr = isinstance(x, RaggedTensor), isinstance(y, RaggedTensor)
    x = to_tensor_or_ragged(x, preferred_dtype=y.dtype if yr else None)
    y = to_tensor_or_ragged(y, preferred_dtype=x.dtype)
    if xr and yr:
        if x.row_splits.dtype is not y.row_splits.dtype:
            raise ValueError("Input RaggedTensors have mismatched row_splits dtypes; use "
                             "RaggedTensor.with_row_splits_dtype() to convert them to "
                             "compatible dtypes.")
        if x.ragged_rank != y.ragged_rank:
            raise ValueError("Ragged ranks of the inputs do not match: "
                             f"{x.ragged_rank} vs {y.ragged_rank}")
        _splits_match(x, y)
        return x.with_flat_values(api_fn(x.flat_values, y.flat_values, **kwargs))
    if xr:
        yv = _broadcast_dense(x, y) if x.flat_values.ndim <= y.ndim else y
        return x.with_flat_values(api_fn(x.flat_values, yv, **kwargs))
    xv = _broadcast_dense(y, x) if y.flat_values.ndim <= x.ndim else x
    return y.with_flat_values(api_fn(xv, y.flat_values, **kwargs))


def unary(api_fn, x, *args, **kwargs):
    return x.with_flat_values(api_fn(x.flat_values, *args, **kwargs))


# -- reductions ---------------------------------------------------------------------------------
_SEGMENT = {"reduce_sum": "sum", "reduce_prod": "prod", "reduce_max": "max", "reduce_min": "min",
            "reduce_any": "max", "reduce_all": "min"}


def _segment(kind: str, data: Tensor, ids: np.ndarray, n: int) -> Tensor:
    from .._ops import array_ops, math_ops
    ids_t = u.splits_tensor(ids, _d.int64)
    is_bool = data.dtype is _d.bool
    d = math_ops.cast(data, _d.int32) if is_bool else data
    fn = getattr(math_ops, "unsorted_segment_" + kind)
    out = fn(d, ids_t, n)
    if is_bool:
        return math_ops.greater(out, 0) if kind == "max" else math_ops.not_equal(out, 0)
    if kind in ("max", "min") and data.dtype.is_floating:
        # Note: TF fills empty segments with the lowest/highest finite value; JAX gives -inf/inf.
        empty = np.bincount(ids, minlength=n)[:n] == 0 if ids.size else np.ones(n, bool)
        if empty.any():
            fill = data.dtype.min if kind == "max" else data.dtype.max
            mask = convert_to_tensor(empty.reshape((n,) + (1,) * (data.ndim - 1)))
            out = array_ops.where(mask, array_ops.fill(out.shape.as_list(),
                                                       convert_to_tensor(fill, data.dtype)), out)
    return out


def _segment_aggregate(kind, data, ids: np.ndarray, n: int):
    if isinstance(data, RaggedTensor):
        lens = np.diff(data._splits_np()).astype(np.int64)
        out_lens = np.zeros(n, np.int64)
        if ids.size:
            np.maximum.at(out_lens, ids, lens)
        out_splits = u.lengths_to_splits(out_lens)
        start = out_splits[ids]
        idx = u.ranges(start, start + lens)
        vals = _segment_aggregate(kind, data._values, idx, int(out_splits[-1]))
        return RaggedTensor._make(vals, u.splits_tensor(out_splits, data._row_splits.dtype))
    return _segment(kind, data, ids, n)


def _reduce_axis(name, api_fn, rt, axis: int):
    kind = _SEGMENT[name]
    if not isinstance(rt, RaggedTensor):
        return api_fn(rt, axis=axis)
    splits = rt._splits_np().astype(np.int64)
    if axis == 0:
        lens = np.diff(splits)
        n = int(lens.max()) if lens.size else 0
        return _segment_aggregate(kind, rt._values, u.ranges(np.zeros_like(lens), lens), n)
    if axis == 1:
        return _segment_aggregate(kind, rt._values, u.rowids(splits), len(splits) - 1)
    return rt.with_values(_reduce_axis(name, api_fn, rt._values, axis - 1))


def expand_dims(x, axis: int):
    """tf.expand_dims for a ragged or dense value (ragged results for ragged input)."""
    from .._ops import array_ops
    if not isinstance(x, RaggedTensor):
        return array_ops.expand_dims(x, axis)
    rank = x.shape.rank
    if axis < 0:
        axis += rank + 1
    n = len(x._splits_np()) - 1
    if axis == 0:
        return RaggedTensor.from_uniform_row_length(x, n, nrows=1, validate=False)
    if axis == 1:
        return RaggedTensor._make(x, u.splits_tensor(np.arange(n + 1), x._row_splits.dtype), 1)
    return x.with_values(expand_dims(x._values, axis - 1))


def _norm_axes(rt, axis):
    rank = rt.shape.rank
    axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    out = []
    for a in axes:
        a = int(a.numpy()) if isinstance(a, Tensor) else int(a)
        if not -rank <= a < rank:
            raise ValueError(f"axis={a} out of bounds: expected {-rank}<=axis<{rank}")
        out.append(a % rank)
    if len(set(out)) != len(out):
        raise ValueError("Duplicate axis values in reduction")
    return sorted(out)


def reduce(name, api_fn, rt, axis=None, keepdims=False):
    """A reduction (sum, prod, max, min, any, all, mean, variance, std) of a RaggedTensor."""
    from .._ops import math_ops
    keepdims = bool(keepdims)
    if name == "reduce_mean":
        total = reduce("reduce_sum", math_ops.reduce_sum, rt, axis, keepdims)
        ones = rt.with_flat_values(_ones_like(rt.flat_values))
        count = reduce("reduce_sum", math_ops.reduce_sum, ones, axis, keepdims)
        if isinstance(total, RaggedTensor):
            return total.with_flat_values(math_ops.truediv(total.flat_values,
                                                           count.flat_values))
        return math_ops.truediv(total, count)
    if name in ("reduce_variance", "reduce_std"):
        if rt.dtype.is_complex:
            raise ValueError("reduce_variance is not supported for RaggedTensors with complex "
                             "dtypes.")
        mean_sq = reduce("reduce_mean", None, unary(math_ops.square, rt), axis, keepdims)
        mean = reduce("reduce_mean", None, rt, axis, keepdims)
        var = _apply2(math_ops.maximum, _apply2(math_ops.subtract, mean_sq,
                                                _apply1(math_ops.square, mean)), 0)
        return _apply1(math_ops.sqrt, var) if name == "reduce_std" else var
    if name not in _SEGMENT:
        raise TypeError(f"{name} does not support RaggedTensor inputs")
    if axis is None:
        flat = rt.flat_values
        if flat._v.size == 0 and name in ("reduce_max", "reduce_min"):
            # The identity of max/min (JAX's reductions reject empty input; TF does not).
            if flat.dtype.is_floating:
                v = -np.inf if name == "reduce_max" else np.inf
            else:
                v = flat.dtype.min if name == "reduce_max" else flat.dtype.max
            out = convert_to_tensor(np.asarray(v, dtype=flat.dtype._np))
        else:
            out = api_fn(flat)
        if keepdims:
            from .._ops import array_ops
            out = array_ops.reshape(out, [1] * rt.shape.rank)
        return out
    result = rt
    for a in reversed(_norm_axes(rt, axis)):
        result = _reduce_axis(name, api_fn, result, a)
        if keepdims:
            result = expand_dims(result, a)
    return result


def _apply1(fn, x):
    return unary(fn, x) if isinstance(x, RaggedTensor) else fn(x)


def _apply2(fn, x, y):
    if isinstance(x, RaggedTensor) or isinstance(y, RaggedTensor):
        return binary(fn, x, y)
    return fn(x, y)


def _ones_like(t: Tensor) -> Tensor:
    from .._ops import array_ops
    return array_ops.ones(t.shape.as_list(), t.dtype)


# -- dispatch -----------------------------------------------------------------------------------
def tf_dispatch(api_name, api_fn, args, kwargs):
    """RaggedTensor.__tf_dispatch__: elementwise ops, cast, reductions and ``tf.shape``."""
    if api_name == "shape":
        from .dynamic_shape import DynamicRaggedShape
        x, = args
        return DynamicRaggedShape.from_tensor(x, dtype=kwargs["out_type"]) \
            if isinstance(x, RaggedTensor) else NotImplemented
    if api_name == "cast":
        x, = args
        return unary(api_fn, x, kwargs["dtype"]) if isinstance(x, RaggedTensor) \
            else NotImplemented
    if api_name.startswith("reduce_"):
        return reduce(api_name, api_fn, args[0], kwargs.get("axis"), kwargs.get("keepdims"))
    o = REGISTRY.get(api_name)
    if o is not None and not o.elementwise and api_name not in ("add", "string_add"):
        return NotImplemented
    if len(args) == 1:
        return unary(api_fn, args[0], **kwargs)
    if len(args) == 2:
        return binary(api_fn, args[0], args[1], **kwargs)
    return NotImplemented


RaggedTensor.__tf_dispatch__ = staticmethod(tf_dispatch)


# -- concat / stack / gather --------------------------------------------------------------------
def _concat_dtype_check(values):
    dt = values[0].dtype
    for i, v in enumerate(values[1:], 1):
        if v.dtype is not dt:
            raise op_error("ConcatV2", f"cannot compute ConcatV2 as input #{i}(zero-based) was "
                                       f"expected to be a {_d.TF_TYPE_NAMES[dt]} tensor but is "
                                       f"a {_d.TF_TYPE_NAMES[v.dtype]} tensor", name="concat")


def _raise_ragged_rank(x, k: int, splits_dtype):
    if k <= 0:
        return x
    if not isinstance(x, RaggedTensor):
        return RaggedTensor.from_tensor(x, ragged_rank=k, row_splits_dtype=splits_dtype)
    if x.ragged_rank >= k:
        return x
    return x.with_values(_raise_ragged_rank(x._values, k - 1, splits_dtype))


def _prepare(values, name="concat"):
    values = [to_tensor_or_ragged(v) for v in values]
    rag = [v for v in values if isinstance(v, RaggedTensor)]
    dts = {v.row_splits.dtype for v in rag}
    if len(dts) > 1:
        raise ValueError("Input RaggedTensors have mismatched row_splits dtypes; use "
                         "RaggedTensor.with_row_splits_dtype() to convert them to compatible "
                         "dtypes.")
    splits_dtype = dts.pop() if dts else _d.int64
    rank = values[0].shape.rank
    for v in values[1:]:
        if v.shape.rank != rank:
            raise ValueError(f"Shape {v.shape} must have rank {rank}")
    _concat_dtype_check(values)
    k = max(v.ragged_rank if isinstance(v, RaggedTensor) else 0 for v in values)
    k = max(k, 1)
    return [_raise_ragged_rank(v, k, splits_dtype) for v in values], rank


def _concat0(values):
    from .._ops import array_ops
    if not isinstance(values[0], RaggedTensor):
        return array_ops.concat(values, axis=0)
    pieces, offset = [np.zeros(1, np.int64)], 0
    for v in values:
        s = v._splits_np().astype(np.int64)
        pieces.append(s[1:] + offset)
        offset += s[-1]
    vals = _concat0([v._values for v in values])
    return RaggedTensor._make(vals, u.splits_tensor(np.concatenate(pieces),
                                                    values[0]._row_splits.dtype))


def _concat(values, axis):
    from .._ops import array_ops
    if not isinstance(values[0], RaggedTensor):
        return array_ops.concat(values, axis=axis)
    if axis == 0:
        return _concat0(values)
    if axis == 1:
        nrows = [len(v._splits_np()) - 1 for v in values]
        for i, n in enumerate(nrows[1:], 1):
            u.assert_equal(np.array(nrows[0]), np.array(n),
                           f"Input tensors at index 0 (=x) and {i} (=y) have incompatible "
                           f"shapes.")
        all_vals = _concat0([v._values for v in values])
        offsets = np.cumsum([0] + [int(v._splits_np()[-1]) for v in values])
        splits = [v._splits_np().astype(np.int64) + off for v, off in zip(values, offsets)]
        starts = np.stack([s[:-1] for s in splits], axis=1).reshape(-1)
        limits = np.stack([s[1:] for s in splits], axis=1).reshape(-1)
        vals = gather_rows(all_vals, u.ranges(starts, limits))
        lengths = sum(np.diff(s) for s in splits)
        return RaggedTensor._make(vals, u.splits_tensor(u.lengths_to_splits(lengths),
                                                        values[0]._row_splits.dtype))
    for v in values[1:]:
        _splits_match(values[0], v) if isinstance(v, RaggedTensor) else None
        a, b = values[0]._splits_np(), v._splits_np()
        if a.shape != b.shape or not np.array_equal(a, b):
            u.assert_equal(a, b, "Input tensors have incompatible shapes.")
    return values[0].with_values(_concat([v._values for v in values], axis - 1))


def concat(values, axis):
    """tf.concat for a list containing RaggedTensors."""
    values, rank = _prepare(list(values))
    axis = int(axis.numpy()) if isinstance(axis, Tensor) else int(axis)
    if not -rank <= axis < rank:
        raise ValueError(f"axis={axis} out of bounds: expected {-rank}<=axis<{rank}")
    if len(values) == 1:
        return values[0]
    return _concat(values, axis % rank)


def stack(values, axis=0, name=None):
    """tf.stack for a list containing RaggedTensors."""
    values = [to_tensor_or_ragged(v) for v in values]
    rank = values[0].shape.rank
    axis = int(axis.numpy()) if isinstance(axis, Tensor) else int(axis)
    if not -(rank + 1) <= axis <= rank:
        raise ValueError(f"axis={axis} out of bounds: expected {-(rank + 1)}<=axis<{rank + 1}")
    axis %= rank + 1
    values, _ = _prepare(values, "stack")
    expanded = [expand_dims(v, axis) for v in values]
    if len(expanded) == 1:
        return expanded[0]
    return _concat(expanded, axis)


def gather(params, indices, axis=None, batch_dims=0):
    """tf.gather of rows of a RaggedTensor."""
    if axis not in (None, 0) or batch_dims:
        raise ValueError("axis != 0 is not supported for ragged gather yet.")
    if isinstance(indices, RaggedTensor):
        return indices.with_flat_values(gather(params, indices.flat_values))
    idx_t = convert_to_tensor(indices)
    if idx_t.dtype not in (_d.int32, _d.int64):
        raise TypeError(f"Value passed to parameter 'indices' has DataType "
                        f"{idx_t.dtype.name} not in list of allowed values: int32, int64")
    idx = np.asarray(u.host(idx_t))
    n = len(params._splits_np()) - 1
    flat = idx.reshape(-1)
    bad = np.nonzero((flat < 0) | (flat >= n))[0]
    if bad.size:
        i = int(bad[0])
        raise kernel_error("RaggedGather", f"indices[{i}] = {flat[i]} is not in [0, {n})",
                           wrapped=f"RaggedGather_OUTPUT_RAGGED_RANK_"
                                   f"{params.ragged_rank + idx.ndim - 1}_PARAMS_RAGGED_RANK_"
                                   f"{params.ragged_rank}")
    if idx.ndim == 0:
        return params[int(idx)]
    out = gather_rows(params, flat)
    dims = list(idx.shape)
    for k in range(len(dims) - 1, 0, -1):
        out = RaggedTensor.from_uniform_row_length(out, dims[k],
                                                   nrows=int(np.prod(dims[:k])), validate=False)
    return out


RaggedTensor._ragged_concat = lambda self, values, axis: concat(values, axis)
RaggedTensor._ragged_stack = lambda self, values, axis: stack(values, axis)
RaggedTensor._ragged_gather = lambda self, indices, axis, batch_dims: gather(
    self, indices, axis, batch_dims)


# -- boolean_mask -----------------------------------------------------------------------------
def boolean_mask(tensor_, mask, axis=None):
    """The ``tf.boolean_mask`` hook: TF 2.21 does not dispatch it for RaggedTensors and fails
    converting the ragged argument; use ``tf.ragged.boolean_mask``."""
    raise ValueError("TypeError: object of type 'RaggedTensor' has no len()\n")


RaggedTensor._ragged_boolean_mask = staticmethod(boolean_mask)


def ragged_boolean_mask(data, mask, name=None):
    """Keeps the items of ``data`` where ``mask`` is True, leaving ragged rows.

    >>> import tftape as tf
    >>> tf.ragged.boolean_mask([[1, 2], [3, 4]], [[True, False], [True, True]])
    <tf.RaggedTensor [[1], [3, 4]]>
    """
    return _boolean_mask(data, mask, True)


def _boolean_mask(data, mask, keepdims):
    from .._ops import array_ops
    data = to_tensor_or_ragged(data)
    mask = to_tensor_or_ragged(mask, dtype=_d.bool)
    sd = {x.row_splits.dtype for x in (data, mask) if isinstance(x, RaggedTensor)}
    if len(sd) > 1:
        raise ValueError("Input RaggedTensors have mismatched row_splits dtypes; use "
                         "RaggedTensor.with_row_splits_dtype() to convert them to compatible "
                         "dtypes.")
    splits_dtype = sd.pop() if sd else _d.int64
    mrank = mask.shape.rank
    if mrank == 0:
        raise ValueError("mask cannot be scalar.")
    if isinstance(mask, RaggedTensor):
        if not isinstance(data, RaggedTensor):
            data = RaggedTensor.from_tensor(data, ragged_rank=mask.ragged_rank,
                                            row_splits_dtype=mask.row_splits.dtype)
        for x, y in zip(mask.nested_row_splits, data.nested_row_splits[:mask.ragged_rank]):
            xv, yv = u.host(x), u.host(y)
            if xv.shape != yv.shape or not np.array_equal(xv, yv):
                if xv.shape == yv.shape:
                    u.assert_equal(xv, yv, "Inputs must have identical ragged splits")
                raise InvalidArgumentError(None, None, "Inputs must have identical ragged "
                                                       "splits\nCondition x == y did not hold.")
        splits = []
        while isinstance(mask, RaggedTensor):
            if mask.shape.rank > 2:
                splits.append(mask.row_splits)
            else:
                mv = u.host(mask.flat_values).astype(np.int64)
                ms = mask._splits_np().astype(np.int64)
                lens = np.bincount(u.rowids(ms), weights=mv, minlength=len(ms) - 1)
                lens = lens[:len(ms) - 1].astype(np.int64)
                splits.append(u.splits_tensor(u.lengths_to_splits(lens), splits_dtype))
            mask = mask._values
            data = data._values
        masked = _boolean_mask(data, mask, keepdims)
        if keepdims:
            masked = RaggedTensor.from_nested_row_splits(masked, splits, validate=False)
        return masked
    if isinstance(data, RaggedTensor) and mrank == 1:
        mv = np.asarray(u.host(mask))
        n = len(data._splits_np()) - 1
        if mv.shape[0] != n:
            raise ValueError(f"Shapes ({n},) and ({mv.shape[0]},) are incompatible")
        lens = np.diff(data._splits_np())[mv]
        rows = np.nonzero(mv)[0]
        vals = gather_rows(data, rows)
        return RaggedTensor._make(vals._values, u.splits_tensor(u.lengths_to_splits(lens),
                                                                data._row_splits.dtype))
    if isinstance(data, RaggedTensor):
        mask = RaggedTensor.from_tensor(mask, ragged_rank=min(data.ragged_rank, mrank - 1),
                                        row_splits_dtype=data.row_splits.dtype)
        return _boolean_mask(data, mask, keepdims)
    masked = array_ops.boolean_mask(data, mask)
    if mrank >= 2 and keepdims:
        mv = np.asarray(u.host(mask))
        lens = mv.sum(axis=-1).reshape(-1).astype(np.int64)
        masked = RaggedTensor.from_row_splits(masked, u.splits_tensor(
            u.lengths_to_splits(lens), splits_dtype), validate=False)
        shape = mv.shape
        for dim in range(mrank - 3, -1, -1):
            n = int(np.prod(shape[:dim + 1]))
            masked = RaggedTensor.from_row_splits(masked, u.splits_tensor(
                np.arange(n + 1) * shape[dim + 1], splits_dtype), validate=False)
    return masked


# -- map_flat_values, merge_dims ----------------------------------------------------------------
def map_flat_values(op, *args, **kwargs):
    """Applies ``op`` to the flat values of the RaggedTensor arguments.

    >>> import tftape as tf
    >>> tf.ragged.map_flat_values(tf.ones_like, tf.ragged.constant([[1, 2], [3]]))
    <tf.RaggedTensor [[1, 1], [1]]>
    """
    found = []

    def swap(x):
        if isinstance(x, RaggedTensor):
            found.append(x)
            return x.flat_values
        if isinstance(x, (list, tuple)):
            return type(x)(swap(i) for i in x)
        if isinstance(x, dict):
            return {k: swap(v) for k, v in x.items()}
        return x
    new_args = swap(list(args))
    new_kwargs = swap(kwargs)
    if not found:
        return op(*args, **kwargs)
    sizes = {r.flat_values._v.shape[0] for r in found}
    if len(sizes) > 1:
        raise ValueError(f"Input RaggedTensors' flat_values must all have the same "
                         f"outer-dimension size.  Got sizes: {sizes}")
    for r in found[1:]:
        _splits_match(found[0], r)
    out = op(*new_args, **new_kwargs)
    return found[0].with_flat_values(out)


def merge_dims(rt, outer_axis, inner_axis):
    from .._ops import array_ops
    rank = rt.shape.rank
    outer_axis %= rank if outer_axis < 0 else rank + 1
    inner_axis %= rank if inner_axis < 0 else rank + 1
    if not outer_axis <= inner_axis:
        raise ValueError(f"Expected outer_axis ({outer_axis}) to be less than or equal to "
                         f"inner_axis ({inner_axis})")
    if outer_axis == inner_axis:
        return rt
    if not isinstance(rt, RaggedTensor):
        shp = list(rt._v.shape)
        new = shp[:outer_axis] + [-1] + shp[inner_axis + 1:]
        return array_ops.reshape(rt, new)
    if outer_axis == 0:
        v = rt
        for _ in range(inner_axis):
            if isinstance(v, RaggedTensor):
                v = v._values
            else:
                shp = list(v._v.shape)
                v = array_ops.reshape(v, [-1] + shp[2:])
        return v
    if outer_axis > 1:
        return rt.with_values(merge_dims(rt._values, outer_axis - 1, inner_axis - 1))
    splits = rt._splits_np().astype(np.int64)
    v = rt._values
    for _ in range(inner_axis - 1):
        if isinstance(v, RaggedTensor):
            splits = v._splits_np().astype(np.int64)[splits]
            v = v._values
        else:
            shp = list(v._v.shape)
            splits = splits * shp[1]
            v = array_ops.reshape(v, [-1] + shp[2:])
    return RaggedTensor._make(v, u.splits_tensor(splits, rt._row_splits.dtype))


def _rt_merge_dims(self, outer_axis, inner_axis):
    """Merges dimensions ``outer_axis..inner_axis`` into one."""
    return merge_dims(self, outer_axis, inner_axis)


attach(RaggedTensor, "merge_dims", _rt_merge_dims)

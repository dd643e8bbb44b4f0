"""Reductions and index manipulation of SparseTensors: reduce_sum/max, retain, slice, transpose,
reshape, concat, expand_dims, fill_empty_rows, to_indicator and the sparse segment ops.

The host computes the new indices (NumPy); values move through tf.gather / segment ops so a
GradientTape still reaches ``values``.
"""
from __future__ import annotations

import numpy as np

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._core.errors import InvalidArgumentError, kernel_error
from .._core.registry import Op, dtype_error
from .._core.tensor import Tensor
from .._ops import array_ops, math_ops
from .._ops._util import fmt_shape
from .sparse_ops import _dense, host, int64, shape_of, take
from .sparse_tensor import SparseTensor, convert_to_sparse

_DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"


def _bare_error(op_name: str, message: str, cls=InvalidArgumentError):
    """An eager kernel error raised inside a TF Python function (no trailing ``name:``)."""
    return cls(None, None, f"{{{{function_node __wrapped__{op_name}_device_{_DEVICE}}}}} "
                           f"{message} [Op:{op_name}]")


# -- reductions ---------------------------------------------------------------------------------
_SUM_TYPES = ("float, double, int32, uint8, int16, int8, complex64, int64, qint8, quint8, qint32, "
              "bfloat16, qint16, quint16, uint16, complex128, half, uint32, uint64")
_MAX_TYPES = "float, double, int32, uint8, int16, int8, int64, bfloat16, uint16, half, uint32, uint64"
_DT = {"float": "DT_FLOAT", "double": "DT_DOUBLE", "half": "DT_HALF"}


def _reduce_type_error(op_name: str, dtype: _d.DType, allowed: str, sparse_out: bool):
    enums = ", ".join(_DT.get(n, "DT_" + n.upper()) for n in allowed.split(", "))
    out = "output_indices:int64, output_values:T, output_shape:int64" if sparse_out else "output:T"
    return InvalidArgumentError(
        None, None,
        f"Value for attr 'T' of {_d.TF_TYPE_NAMES[dtype]} is not in the list of allowed values: "
        f"{allowed}\n\t; NodeDef: {{{{node {op_name}}}}}; Op<name={op_name}; signature="
        f"input_indices:int64, input_values:T, input_shape:int64, reduction_axes:int32 -> {out}; "
        f"attr=keep_dims:bool,default=false; attr=T:type,allowed=[{enums}]> [Op:{op_name}] name: ")


def _reduce(kind: str, sp_input, axis, keepdims, output_is_sparse):
    sp = convert_to_sparse(sp_input)
    sparse_out = bool(output_is_sparse)
    op_name = f"SparseReduce{kind.capitalize()}" + ("Sparse" if sparse_out else "")
    allowed = _SUM_TYPES if kind == "sum" else _MAX_TYPES
    if _d.TF_TYPE_NAMES[sp.dtype] not in allowed.split(", "):
        raise _reduce_type_error(op_name, sp.dtype, allowed, sparse_out)
    shape = shape_of(sp)
    rank = len(shape)
    if axis is None:
        axes = set(range(rank))
    else:
        ax = axis if isinstance(axis, (list, tuple)) else [axis]
        ax = [int(a) for a in np.asarray(host(convert_to_tensor(ax))).reshape(-1)]
        for a in ax:
            if not -rank <= a < rank:
                raise kernel_error(op_name, f"Invalid reduction dimension {a}, for input with "
                                            f"{rank} dimensions.")
        axes = {a % rank for a in ax}
    kept = [d for d in range(rank) if d not in axes]
    idx = host(sp.indices)
    n = idx.shape[0]
    if kept:
        keys, inverse = np.unique(idx[:, kept], axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
    else:
        keys = np.zeros((min(n, 1), 0), np.int64)
        inverse = np.zeros(n, np.int64)
    segs = keys.shape[0]
    if kind == "sum":
        vals = math_ops.unsorted_segment_sum(sp.values, int64(inverse), segs)
    else:
        # Note: TF defines no gradient for SparseReduceMax; no gradient flows (None, not an error).
        vals = math_ops.unsorted_segment_max(array_ops.stop_gradient(sp.values), int64(inverse),
                                             segs)
    if keepdims:
        out_shape = [1 if d in axes else shape[d] for d in range(rank)]
        full = np.zeros((segs, rank), np.int64)
        full[:, kept] = keys
        keys = full
    else:
        out_shape = [shape[d] for d in kept]
    out = SparseTensor(int64(keys.reshape(segs, len(out_shape))), vals, int64(out_shape))
    if sparse_out:
        return out
    zero = convert_to_tensor(0, dtype=sp.dtype)
    return _dense(out, vals, zero, False)


def reduce_sum(sp_input, axis=None, keepdims=None, output_is_sparse=False, name=None):
    """Sums a SparseTensor over ``axis`` (``tf.sparse.reduce_sum``).

    >>> import tftape as tf
    >>> s = tf.SparseTensor(indices=[[0, 1], [1, 0]], values=[1., 2.], dense_shape=[2, 2])
    >>> tf.sparse.reduce_sum(s, axis=1).numpy()
    array([1., 2.], dtype=float32)
    """
    return _reduce("sum", sp_input, axis, keepdims, output_is_sparse)


def reduce_max(sp_input, axis=None, keepdims=None, output_is_sparse=False, name=None):
    """The maximum of the *present* values over ``axis`` (``tf.sparse.reduce_max``).

    Implicit zeros take no part, as in TF; an all-empty group gives 0.

    >>> import tftape as tf
    >>> s = tf.SparseTensor(indices=[[0, 1]], values=[-1.], dense_shape=[1, 2])
    >>> float(tf.sparse.reduce_max(s))
    -1.0
    """
    return _reduce("max", sp_input, axis, keepdims, output_is_sparse)


# -- selection ----------------------------------------------------------------------------------
def retain(sp_input, to_retain) -> SparseTensor:
    """Keeps the entries where ``to_retain`` is true (``tf.sparse.retain``).

    >>> import tftape as tf
    >>> s = tf.SparseTensor(indices=[[0], [1]], values=[1, 2], dense_shape=[2])
    >>> tf.sparse.retain(s, [False, True]).values.numpy()
    array([2], dtype=int32)
    """
    sp = convert_to_sparse(sp_input)
    keep = convert_to_tensor(to_retain)
    if keep.ndim != 1:
        raise ValueError(f"Shape {keep.shape} must have rank 1")
    n, m = keep._v.shape[0], sp.values._v.shape[0]
    if n != m:
        raise ValueError(f"Dimensions {m} and {n} are not compatible")
    where = np.flatnonzero(host(keep))
    return SparseTensor(int64(host(sp.indices)[where]), take(sp.values, where), sp.dense_shape)


def slice(sp_input, start, size, name=None) -> SparseTensor:  # noqa: A001
    """The entries inside the box ``[start, start + size)``, re-based at ``start``.

    >>> import tftape as tf
    >>> s = tf.SparseTensor(indices=[[0], [3]], values=[1, 2], dense_shape=[4])
    >>> tf.sparse.slice(s, [2], [2]).indices.numpy()
    array([[1]])
    """
    sp = convert_to_sparse(sp_input)
    shape = np.asarray(shape_of(sp), np.int64)
    rank = shape.size
    st = np.asarray(host(convert_to_tensor(start, dtype=_d.int64))).reshape(-1)
    sz = np.asarray(host(convert_to_tensor(size, dtype=_d.int64))).reshape(-1)
    for label, v in (("start", st), ("size", sz)):
        if v.size != rank:
            raise kernel_error("SparseSlice", f"Expected {label} to be a vector of length {rank} "
                                              f"but got length {v.size}")
    end = np.minimum(st + sz, shape)
    idx = host(sp.indices)
    inside = np.all((idx >= st) & (idx < end), axis=1) if idx.size else \
        np.zeros(idx.shape[0], bool)
    where = np.flatnonzero(inside)
    out_shape = np.maximum(end - st, 0)
    return SparseTensor(int64((idx[where] - st).reshape(-1, rank)), take(sp.values, where),
                        int64(out_shape))


# -- shape manipulation -------------------------------------------------------------------------
def transpose(sp_input, perm=None, name=None) -> SparseTensor:
    """Permutes the dimensions; the result is reordered (``tf.sparse.transpose``).

    >>> import tftape as tf
    >>> s = tf.SparseTensor(indices=[[0, 1]], values=[1], dense_shape=[2, 3])
    >>> tf.sparse.transpose(s).indices.numpy()
    array([[1, 0]])
    """
    from .sparse_ops import reorder
    sp = convert_to_sparse(sp_input)
    shape = np.asarray(shape_of(sp), np.int64)
    rank = shape.size
    p = np.arange(rank)[::-1] if perm is None else \
        np.asarray(host(convert_to_tensor(perm)), np.int64).reshape(-1)
    bad = (p < 0) | (p >= rank)
    if bad.any():
        i = int(np.argmax(bad))
        raise _bare_error("GatherV2", f"indices[{i}] = {int(p[i])} is not in [0, {rank})")
    idx = host(sp.indices)
    out = SparseTensor(int64(idx[:, p].reshape(-1, p.size)), sp.values, int64(shape[p]))
    return reorder(out)


def reshape(sp_input, shape, name=None) -> SparseTensor:
    """The same entries in a tensor of a new dense shape (one dim may be -1).

    >>> import tftape as tf
    >>> s = tf.SparseTensor(indices=[[1, 0]], values=[1], dense_shape=[2, 2])
    >>> tf.sparse.reshape(s, [4]).indices.numpy()
    array([[2]])
    """
    sp = convert_to_sparse(sp_input)
    in_shape = np.asarray(shape_of(sp), np.int64)
    new = np.asarray(host(convert_to_tensor(shape, dtype=_d.int64)), np.int64).reshape(-1).copy()
    total = int(np.prod(in_shape)) if in_shape.size else 1
    unknown = np.flatnonzero(new == -1)
    if unknown.size > 1:
        raise kernel_error("SparseReshape", f"only one output dimension may be -1, not both "
                                            f"{unknown[0]} and {unknown[1]}")
    for i, d in enumerate(new):
        if d < -1:
            raise kernel_error("SparseReshape", f"size {i} must be non-negative, not {d}")
    if unknown.size:
        known = int(np.prod(np.delete(new, unknown[0])))
        if known == 0 or total % known:
            shown = new.copy()
            shown[unknown[0]] = 1
            raise kernel_error("SparseReshape", f"Input to reshape is a SparseTensor with {total} "
                                                f"dense values, but the requested shape requires "
                                                f"a multiple of {known}. input_shape="
                                                f"{fmt_shape(in_shape)} output_shape="
                                                f"{fmt_shape(shown)}")
        new[unknown[0]] = total // known
    elif int(np.prod(new)) != total:
        raise kernel_error("SparseReshape", f"Input to reshape is a tensor with {total} dense "
                                            f"values, but the requested shape has "
                                            f"{int(np.prod(new))}. input_shape="
                                            f"{fmt_shape(in_shape)} output_shape={fmt_shape(new)}")
    idx = host(sp.indices)
    flat = np.ravel_multi_index(idx.T, in_shape) if idx.shape[0] and in_shape.size else \
        np.zeros(idx.shape[0], np.int64)
    out_idx = np.stack(np.unravel_index(flat, new), axis=1) if new.size else \
        np.zeros((idx.shape[0], 0), np.int64)
    return SparseTensor(int64(out_idx.reshape(-1, new.size)), sp.values, int64(new))


def expand_dims(sp_input, axis=None, name=None) -> SparseTensor:
    """Inserts a length-1 dimension at ``axis`` (default -1, unlike tf.expand_dims).

    >>> import tftape as tf
    >>> s = tf.SparseTensor(indices=[[1]], values=[1], dense_shape=[2])
    >>> tf.sparse.expand_dims(s, 0).shape
    TensorShape([1, 2])
    """
    sp = convert_to_sparse(sp_input)
    shape = list(shape_of(sp))
    rank = len(shape)
    axis = -1 if axis is None else axis
    if isinstance(axis, Tensor):
        axis = int(host(axis))
    elif isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError("axis must be an integer value in range [-rank(sp_input) - 1, "
                        "rank(sp_input)]")
    a = int(axis) if axis >= 0 else int(axis) + rank + 1
    if a > rank:
        raise _bare_error("Slice", f"Expected size[1] in [0, {rank}], but got {a}")
    if a < 0:
        raise _bare_error("Slice", f"Expected begin[1] in [0, {rank}], but got {a}")
    idx = host(sp.indices)
    out = np.insert(idx, a, 0, axis=1)
    return SparseTensor(int64(out), sp.values, int64(shape[:a] + [1] + shape[a:]))


def concat(axis, sp_inputs, expand_nonconcat_dims=False, name=None) -> SparseTensor:
    """Concatenates SparseTensors along ``axis``; the result is reordered (``tf.sparse.concat``).

    >>> import tftape as tf
    >>> s = tf.SparseTensor(indices=[[0]], values=[1], dense_shape=[2])
    >>> tf.sparse.concat(0, [s, s]).indices.numpy().ravel()
    array([0, 2])
    """
    if not isinstance(sp_inputs, (list, tuple)):
        raise TypeError("Inputs must be a list or tuple.")
    sps = [convert_to_sparse(s) for s in sp_inputs]
    if len(sps) == 1:
        return sps[0]
    n = len(sps)
    wrapped = f"SparseConcat_N_{n}"
    dtype = sps[0].dtype
    for i, s in enumerate(sps[1:], 1):
        if s.dtype is not dtype:
            raise dtype_error(_CONCAT_OP, n + i, dtype, s.dtype)
    shapes = [list(shape_of(s)) for s in sps]
    rank = len(shapes[0])
    ax = int(host(axis)) if isinstance(axis, Tensor) else int(axis)
    for i, s in enumerate(shapes[1:], 1):
        if len(s) != rank:
            raise kernel_error("SparseConcat", f"Ranks of all input tensors must match: expected "
                                               f"{rank} but got {len(s)} at position {i}",
                               wrapped=wrapped)
    if not -rank <= ax < rank:
        raise kernel_error("SparseConcat", f"Concat dimension must be in range [{-rank}, {rank}), "
                                           f"got {ax}", wrapped=wrapped)
    ax %= rank
    if expand_nonconcat_dims:
        mx = np.max(np.asarray(shapes), axis=0)
        shapes = [[int(mx[d]) if d != ax else s[d] for d in range(rank)] for s in shapes]
    for i, s in enumerate(shapes[1:], 1):
        for d in range(rank):
            if d != ax and s[d] != shapes[0][d]:
                raise kernel_error("SparseConcat", f"Input shapes must match: expected "
                                                   f"{shapes[0][d]} for dimension {d} but got "
                                                   f"{s[d]} at position {i}", wrapped=wrapped)
    parts, offset = [], 0
    for s, shp in zip(sps, shapes):
        idx = host(s.indices).copy()
        idx[:, ax] += offset
        parts.append(idx)
        offset += shp[ax]
    idx = np.concatenate(parts, axis=0)
    perm = np.lexsort(idx.T[::-1]) if rank else np.arange(idx.shape[0])
    # Note: TF registers SparseConcat as NotDifferentiable; gradients stop here, as in TF.
    values = array_ops.stop_gradient(array_ops.concat([s.values for s in sps], 0))
    out_shape = list(shapes[0])
    out_shape[ax] = offset
    return SparseTensor(int64(idx[perm]), take(values, perm), int64(out_shape))


# Only names the op in dtype messages; SparseConcat has no kernel of its own here.
_CONCAT_OP = Op("sparse_concat", "SparseConcat", None, differentiable=False)


def fill_empty_rows(sp_input, default_value, name=None):
    """Gives every empty row one entry ``[row, 0, ...] = default_value``.

    Returns ``(sparse, empty_row_indicator)``.

    >>> import tftape as tf
    >>> s = tf.SparseTensor(indices=[[1, 0]], values=[5], dense_shape=[2, 2])
    >>> out, empty = tf.sparse.fill_empty_rows(s, 0)
    >>> out.indices.numpy().tolist(), empty.numpy().tolist()
    ([[0, 0], [1, 0]], [True, False])
    """
    sp = convert_to_sparse(sp_input)
    default = convert_to_tensor(default_value, dtype=sp.dtype)
    shape = shape_of(sp)
    idx = host(sp.indices)
    rows = idx[:, 0] if idx.shape[0] else np.zeros(0, np.int64)
    present = np.zeros(shape[0], bool)
    present[rows] = True
    empty = np.flatnonzero(~present)
    fill_idx = np.zeros((empty.size, len(shape)), np.int64)
    fill_idx[:, 0] = empty
    all_idx = np.concatenate([idx, fill_idx], axis=0)
    perm = np.argsort(all_idx[:, 0], kind="stable")
    values = sp.values
    if empty.size:
        values = array_ops.concat([values, array_ops.fill([int(empty.size)], default)], 0)
    out = SparseTensor(int64(all_idx[perm]), take(values, perm), sp.dense_shape)
    return out, convert_to_tensor(~present)


def to_indicator(sp_input, vocab_size, name=None) -> Tensor:
    """A dense bool tensor: ``out[..., sp[..., k]] = True`` (``tf.sparse.to_indicator``).

    >>> import tftape as tf
    >>> s = tf.SparseTensor(indices=[[0, 0]], values=[2], dense_shape=[1, 1])
    >>> tf.sparse.to_indicator(s, 3).numpy()
    array([[False, False,  True]])
    """
    sp = convert_to_sparse(sp_input)
    v = int(host(convert_to_tensor(vocab_size)))
    shape = list(shape_of(sp))[:-1] + [v]
    idx = host(sp.indices)
    ids = np.asarray(host(sp.values)).astype(np.int64)
    new = np.concatenate([idx[:, :-1], ids[:, None]], axis=1)
    dims = np.asarray(shape, np.int64)
    if new.size and ((new < 0) | (new >= dims)).any():
        raise kernel_error("SparseToDense", f"Indices are not valid (out of bounds).  Shape: "
                                            f"{fmt_shape(shape)}")
    out = np.zeros(shape, bool)
    if new.shape[0]:
        out[tuple(new.T)] = True
    return convert_to_tensor(out)


# -- sparse segment ops ----------------------------------------------------------------------------
_SEG_MEAN_SIG = ("Op<name={n}; signature=data:T, indices:Tidx, segment_ids:Tsegmentids -> "
                 "output:T; attr=T:type,allowed=[DT_BFLOAT16, DT_HALF, DT_FLOAT, DT_DOUBLE]; "
                 "attr=Tidx:type,default=DT_INT32,allowed=[DT_INT32, DT_INT64]; attr=Tsegmentids:"
                 "type,default=DT_INT32,allowed=[DT_INT32, DT_INT64]; attr=sparse_gradient:bool,"
                 "default=false>")


def _segment(kind: str, data, indices, segment_ids, num_segments):
    op_name = "SparseSegment" + {"sum": "Sum", "mean": "Mean", "sqrt_n": "SqrtN"}[kind] + \
        ("WithNumSegments" if num_segments is not None else "")
    d = convert_to_tensor(data)
    if kind != "sum" and not d.dtype.is_floating:
        raise InvalidArgumentError(
            None, None,
            f"Value for attr 'T' of {_d.TF_TYPE_NAMES[d.dtype]} is not in the list of allowed "
            f"values: bfloat16, half, float, double\n\t; NodeDef: {{{{node {op_name}}}}}; "
            + _SEG_MEAN_SIG.format(n=op_name) + f" [Op:{op_name}]")
    ind = np.asarray(host(convert_to_tensor(indices))).reshape(-1).astype(np.int64)
    seg = np.asarray(host(convert_to_tensor(segment_ids))).reshape(-1).astype(np.int64)
    if ind.size != seg.size:
        raise _bare_error(op_name, "segment_ids and indices should have same size.")
    rows = d._v.shape[0] if d.ndim else 0
    bad = (ind < 0) | (ind >= rows)
    if bad.any():
        i = int(np.argmax(bad))
        raise _bare_error(op_name, f"Bad: indices[{i}] == {int(ind[i])} out of range [0, {rows})")
    if seg.size > 1 and np.any(np.diff(seg) < 0):
        raise _bare_error(op_name, "segment ids are not increasing")
    if num_segments is not None:
        n = int(host(convert_to_tensor(num_segments)))
        if seg.size and seg[-1] >= n:
            raise _bare_error(op_name, "segment ids must be < num_segments")
    else:
        n = int(seg[-1]) + 1 if seg.size else 0
    picked = array_ops.gather(d, int64(ind))
    out = math_ops.unsorted_segment_sum(picked, int64(seg), n)
    if kind == "sum":
        return out
    counts = np.bincount(seg, minlength=n).astype(np.float64)
    counts = np.maximum(counts, 1)
    scale = counts if kind == "mean" else np.sqrt(counts)
    scale = convert_to_tensor(scale.reshape((n,) + (1,) * (d.ndim - 1)).astype(d.dtype._np))
    return math_ops.divide(out, scale)


def segment_sum(data, indices, segment_ids, num_segments=None, name=None,
                sparse_gradient=False) -> Tensor:
    """Sums ``data[indices]`` by sorted ``segment_ids`` (``tf.sparse.segment_sum``).

    >>> import tftape as tf
    >>> tf.sparse.segment_sum([[1., 2.], [3., 4.]], [0, 1], [0, 0]).numpy()
    array([[4., 6.]], dtype=float32)
    """
    return _segment("sum", data, indices, segment_ids, num_segments)


def segment_mean(data, indices, segment_ids, num_segments=None, name=None,
                 sparse_gradient=False) -> Tensor:
    """Means of ``data[indices]`` by sorted ``segment_ids`` (float data only, as in TF)."""
    return _segment("mean", data, indices, segment_ids, num_segments)


def segment_sqrt_n(data, indices, segment_ids, num_segments=None, name=None,
                   sparse_gradient=False) -> Tensor:
    """Sums of ``data[indices]`` divided by sqrt(segment size)."""
    return _segment("sqrt_n", data, indices, segment_ids, num_segments)

"""More ``tf.sparse`` ops: eye, map_values, mask, maximum/minimum, softmax, split, reset_shape.

Index bookkeeping is NumPy on the host (TF's CPU kernels); values go through registry ops
(tf.gather, segment ops, JAX impls) so a GradientTape reaches ``values``.
"""
from __future__ import annotations

import numpy as np
import jax.numpy as jnp

from .._core import dtypes as _d
from .._core import nest
from .._core.convert import convert_to_tensor
from .._core.errors import InvalidArgumentError, kernel_error
from .._core.registry import dtype_error, execute, op
from .._core.tensor import Tensor
from .._ops import array_ops, math_ops
from .._ops.indexed_slices import IndexedSlices
from .sparse_ops import _merge, host, int64, shape_of, take
from .sparse_tensor import SparseTensor, convert_to_sparse


def _attr_min_error(op_name: str, attr: str, value: int, signature: str):
    return InvalidArgumentError(None, None, (
        f"Value for attr '{attr}' of {value} must be at least minimum 1\n\t; NodeDef: "
        f"{{{{node {op_name}}}}}; Op<name={op_name}; signature={signature}> [Op:{op_name}] "
        f"name: "))


def _type_attr_error(op_name: str, dtype: _d.DType, allowed: str, enums: str, signature: str):
    return InvalidArgumentError(None, None, (
        f"Value for attr 'T' of {_d.TF_TYPE_NAMES[dtype]} is not in the list of allowed "
        f"values: {allowed}\n\t; NodeDef: {{{{node {op_name}}}}}; Op<name={op_name}; "
        f"signature={signature}; attr=T:type,allowed=[{enums}]> [Op:{op_name}] name: "))


def _host_int(x) -> int:
    return int(np.asarray(host(x if isinstance(x, Tensor) else convert_to_tensor(x))))


def _assert_same(x: Tensor, y: Tensor, message: str):
    """tf.debugging.assert_equal as map_values runs it: Equal's shape error first."""
    from .._function import ops as _checks
    from .._ops._util import fmt_shape
    sx, sy = tuple(x._v.shape), tuple(y._v.shape)
    if any(p != q and p != 1 and q != 1 for p, q in zip(reversed(sx), reversed(sy))):
        raise kernel_error("Equal", f"Incompatible shapes: {fmt_shape(sx)} vs. {fmt_shape(sy)}")
    _checks.assert_equal(x, y, message=message)


# -- eye ------------------------------------------------------------------------------------------
def eye(num_rows, num_columns=None, dtype=_d.float32, name=None) -> SparseTensor:
    """A sparse ``[num_rows, num_columns]`` identity (``tf.sparse.eye``).

    >>> import tftape as tf
    >>> tf.sparse.eye(2, 3).indices.numpy()
    array([[0, 0],
           [1, 1]])
    """
    rows = _host_int(num_rows)
    cols = rows if num_columns is None else _host_int(num_columns)
    n = min(rows, cols)
    if n < 0:
        raise kernel_error("Range", f"Requires start <= limit when delta > 0: 0/{n}")
    diag = np.arange(n, dtype=np.int64)
    dt = _d.as_dtype(dtype)
    return SparseTensor(int64(np.stack([diag, diag], axis=1).reshape(n, 2)),
                        array_ops.ones([n], dtype=dt), int64([rows, cols]))


# -- map_values -----------------------------------------------------------------------------------
def map_values(op, *args, **kwargs) -> SparseTensor:
    """Applies ``op`` to the ``values`` of the SparseTensors in ``args``/``kwargs``.

    All SparseTensor arguments must have the same indices and dense_shape.

    >>> import tftape as tf
    >>> s = tf.SparseTensor(indices=[[0], [2]], values=[1., -2.], dense_shape=[3])
    >>> tf.sparse.map_values(tf.abs, s).values.numpy()
    array([1., 2.], dtype=float32)
    """
    sparse = [a for a in nest.flatten([args, kwargs]) if isinstance(a, SparseTensor)]
    if not sparse:
        raise ValueError("No SparseTensor in argument list of map_values")
    first = sparse[0]
    for s in sparse[1:]:
        _assert_same(first.dense_shape, s.dense_shape, "Mismatched shapes!")
        _assert_same(first.indices, s.indices, "Mismatched indices!")

    def unwrap(a):
        return a.values if isinstance(a, SparseTensor) else a

    inner_args = nest.map_structure(unwrap, list(args))
    inner_kwargs = nest.map_structure(unwrap, dict(kwargs))
    return SparseTensor(first.indices, op(*inner_args, **inner_kwargs), first.dense_shape)


# -- mask -----------------------------------------------------------------------------------------
def mask(a, mask_indices, name=None) -> IndexedSlices:
    """The slices of IndexedSlices ``a`` whose index is not in ``mask_indices``.

    >>> import tftape as tf
    >>> a = tf.IndexedSlices(tf.constant([[1., 2.], [3., 4.]]), tf.constant([12, 26]))
    >>> tf.sparse.mask(a, [12]).indices.numpy()
    array([26], dtype=int32)
    """
    indices = a.indices
    drop = convert_to_tensor(mask_indices, dtype=indices.dtype)
    idx = np.asarray(host(indices)).reshape(-1)
    keep = np.flatnonzero(~np.isin(idx, np.asarray(host(drop)).reshape(-1)))
    out_idx = convert_to_tensor(idx[keep].astype(idx.dtype))
    return IndexedSlices(array_ops.gather(a.values, int64(keep) if indices.dtype is _d.int64
                                          else convert_to_tensor(keep.astype(np.int32))),
                         out_idx, a.dense_shape)


# -- maximum / minimum ----------------------------------------------------------------------------
_REAL = frozenset({_d.float32, _d.float64, _d.float16, _d.bfloat16, _d.int8, _d.int16, _d.int32,
                   _d.int64, _d.uint8, _d.uint16, _d.uint32, _d.uint64})


def _pick_impl(a_vals, b_vals, ia, ib, kind):
    zero = jnp.zeros((), a_vals.dtype)
    av = jnp.where(ia >= 0, a_vals[jnp.maximum(ia, 0)], zero) if a_vals.shape[0] else \
        jnp.zeros(ia.shape, a_vals.dtype)
    bv = jnp.where(ib >= 0, b_vals[jnp.maximum(ib, 0)], zero) if b_vals.shape[0] else \
        jnp.zeros(ib.shape, b_vals.dtype)
    return jnp.maximum(av, bv) if kind == "max" else jnp.minimum(av, bv)


_max_op = op("sparse_sparse_maximum", "SparseSparseMaximum", _pick_impl, dtypes=_REAL,
             differentiable=False)
_min_op = op("sparse_sparse_minimum", "SparseSparseMinimum", _pick_impl, dtypes=_REAL,
             differentiable=False)


def _pick(kind: str, sp_a, sp_b) -> SparseTensor:
    o = _max_op if kind == "max" else _min_op
    a, b = convert_to_sparse(sp_a), convert_to_sparse(sp_b)
    if b.dtype is not a.dtype:
        raise dtype_error(o, 4, a.dtype, b.dtype)
    if a.dtype not in _REAL:
        raise dtype_error(o, 1, _d.float32, a.dtype)
    ai, bi = host(a.indices), host(b.indices)
    sa, sb = shape_of(a), shape_of(b)
    if len(sa) != len(sb):
        raise kernel_error(o.tf_name, f"Operands do not have the same ranks; got shapes: "
                                      f"{' '.join(map(str, sa))} and {' '.join(map(str, sb))}")
    for k, (x, y) in enumerate(zip(sa, sb)):
        if x != y:
            raise kernel_error(o.tf_name, f"Operands' shapes do not match: got {x} and {y} for "
                                          f"dimension {k}")
    ia, ib = _merge(ai, bi)
    rank = ai.shape[1]
    out_idx = np.where((ia >= 0)[:, None], ai[np.maximum(ia, 0)] if ai.shape[0] else 0,
                       bi[np.maximum(ib, 0)] if bi.shape[0] else 0).reshape(-1, rank)
    vals = execute(o, (a.values, b.values, int64(ia), int64(ib)), (kind,), {"kind": kind})
    return SparseTensor(int64(out_idx), vals, a.dense_shape)


def maximum(sp_a, sp_b, name=None) -> SparseTensor:
    """Element-wise maximum of two SparseTensors; a missing entry counts as 0.

    >>> import tftape as tf
    >>> a = tf.SparseTensor(indices=[[0], [1]], values=[-1., 2.], dense_shape=[3])
    >>> b = tf.SparseTensor(indices=[[1], [2]], values=[3., -4.], dense_shape=[3])
    >>> tf.sparse.maximum(a, b).values.numpy()
    array([0., 3., 0.], dtype=float32)
    """
    return _pick("max", sp_a, sp_b)


def minimum(sp_a, sp_b, name=None) -> SparseTensor:
    """Element-wise minimum of two SparseTensors; a missing entry counts as 0.

    >>> import tftape as tf
    >>> a = tf.SparseTensor(indices=[[0], [1]], values=[-1., 2.], dense_shape=[3])
    >>> b = tf.SparseTensor(indices=[[1], [2]], values=[3., -4.], dense_shape=[3])
    >>> tf.sparse.minimum(a, b).values.numpy()
    array([-1.,  2., -4.], dtype=float32)
    """
    return _pick("min", sp_a, sp_b)


# -- softmax --------------------------------------------------------------------------------------
_SOFTMAX_SIG = "sp_indices:int64, sp_values:T, sp_shape:int64 -> output:T"


def softmax(sp_input, name=None) -> SparseTensor:
    """Softmax over the present entries of each innermost row (``tf.sparse.softmax``).

    >>> import tftape as tf
    >>> s = tf.SparseTensor(indices=[[0, 0], [0, 2]], values=[1., 1.], dense_shape=[1, 3])
    >>> tf.sparse.softmax(s).values.numpy()
    array([0.5, 0.5], dtype=float32)
    """
    sp = convert_to_sparse(sp_input)
    if sp.dtype not in (_d.float16, _d.float32, _d.float64):
        raise _type_attr_error("SparseSoftmax", sp.dtype, "half, float, double",
                               "DT_HALF, DT_FLOAT, DT_DOUBLE", _SOFTMAX_SIG)
    shape = shape_of(sp)
    if len(shape) < 2:
        raise kernel_error("SparseSoftmax", f"Input should have rank >= 2, but received shape: "
                                            f"{', '.join(str(d) for d in shape)}")
    idx = host(sp.indices)
    n = idx.shape[0]
    if n == 0:
        return SparseTensor(sp.indices, sp.values, sp.dense_shape)
    # Note: TF groups consecutive entries sharing the outer index (a run per row).
    outer = idx[:, :-1]
    starts = np.ones(n, bool)
    starts[1:] = (outer[1:] != outer[:-1]).any(axis=1)
    seg = int64(np.cumsum(starts) - 1)
    nseg = int(starts.sum())
    v = sp.values
    m = array_ops.stop_gradient(math_ops.unsorted_segment_max(v, seg, nseg))
    e = math_ops.exp(v - array_ops.gather(m, seg))
    s = math_ops.unsorted_segment_sum(e, seg, nseg)
    return SparseTensor(sp.indices, e / array_ops.gather(s, seg), sp.dense_shape)


# -- split ----------------------------------------------------------------------------------------
_SPLIT_SIG = ("split_dim:int64, indices:int64, values:T, shape:int64 -> output_indices:"
              "num_split*int64, output_values:num_split*T, output_shape:num_split*int64; "
              "attr=num_split:int,min=1; attr=T:type")


def split(sp_input=None, num_split=None, axis=None, name=None) -> list:
    """Splits a SparseTensor into ``num_split`` pieces along ``axis`` (``tf.sparse.split``).

    The first ``size % num_split`` pieces are one longer.

    >>> import tftape as tf
    >>> s = tf.SparseTensor(indices=[[0, 0], [1, 3]], values=[1, 2], dense_shape=[2, 4])
    >>> [p.dense_shape.numpy().tolist() for p in tf.sparse.split(s, 2, axis=1)]
    [[2, 2], [2, 2]]
    """
    if sp_input is None:
        raise ValueError("sp_input is required")
    if num_split is None:
        raise ValueError("num_split is required")
    if axis is None:
        raise ValueError("axis is required")
    sp = convert_to_sparse(sp_input)
    k = int(num_split)
    op_name = "SparseSplit"
    if k < 1:
        raise _attr_min_error(op_name, "num_split", k, _SPLIT_SIG)
    wrapped = f"SparseSplit_num_split_{k}"
    shape = np.asarray(shape_of(sp), np.int64)
    rank = shape.size
    ax = int(np.asarray(host(convert_to_tensor(axis, dtype=_d.int64))))
    if not -rank <= ax < rank:
        raise kernel_error(op_name, f"Input axis should be in range [{-rank}, {rank}), got {ax}",
                           wrapped=wrapped)
    ax %= rank
    size = int(shape[ax])
    if not 1 <= k <= size:
        raise kernel_error(op_name, f"Input num_split should be between 1 and the splitting "
                                    f"dimension size ({size}), got {k}", wrapped=wrapped)
    base, extra = divmod(size, k)
    sizes = [base + 1 if i < extra else base for i in range(k)]
    bounds = np.cumsum([0] + sizes)
    idx = host(sp.indices)
    out = []
    for i in range(k):
        lo, hi = bounds[i], bounds[i + 1]
        where = np.flatnonzero((idx[:, ax] >= lo) & (idx[:, ax] < hi))
        piece = idx[where].copy()
        piece[:, ax] -= lo
        pshape = shape.copy()
        pshape[ax] = hi - lo
        out.append(SparseTensor(int64(piece.reshape(-1, rank)), take(sp.values, where),
                                int64(pshape)))
    return out


# -- reset_shape ----------------------------------------------------------------------------------
def reset_shape(sp_input, new_shape=None) -> SparseTensor:
    """The same entries with ``dense_shape`` set to ``new_shape`` (or the tight bounding box).

    >>> import tftape as tf
    >>> s = tf.SparseTensor(indices=[[0, 1]], values=[1], dense_shape=[4, 5])
    >>> tf.sparse.reset_shape(s).dense_shape.numpy()
    array([1, 2])
    """
    sp = convert_to_sparse(sp_input)
    idx = host(sp.indices)
    if new_shape is None:
        rank = idx.shape[1]
        dims = idx.max(axis=0) + 1 if idx.shape[0] else np.zeros(rank, np.int64)
        return SparseTensor(sp.indices, sp.values, int64(dims))
    ns = new_shape if isinstance(new_shape, Tensor) else convert_to_tensor(new_shape)
    ns = math_ops.cast(ns, _d.int64)
    if ns.ndim != 1:
        raise ValueError(f"Shape {ns.shape} must have rank 1")
    cur = np.asarray(shape_of(sp), np.int64)
    want = np.asarray(host(ns), np.int64)
    if want.size != cur.size:
        raise ValueError(f"Dimensions {want.size} and {cur.size} are not compatible")
    if (want < cur).any():
        raise ValueError(f"Requested new_shape should have dimension sizes >= sp_input.shape.  "
                         f"Found new_shape ({_np_str(cur)}), sp_input.shape "
                         f"({_np_str(want)}).")  # (TF's message swaps the two)
    return SparseTensor(sp.indices, sp.values, ns)


def _np_str(a: np.ndarray) -> str:
    return "[" + " ".join(str(int(x)) for x in a) + "]"


# -- bincount -------------------------------------------------------------------------------------
def _count_sig(kind: str) -> str:
    ins = {"Dense": "values:T, weights:output_type",
           "Sparse": "indices:int64, values:T, dense_shape:int64, weights:output_type",
           "Ragged": "splits:int64, values:T, weights:output_type"}[kind]
    return (f"{ins} -> output_indices:int64, output_values:output_type, output_dense_shape:int64; "
            f"attr=T:type,allowed=[DT_INT32, DT_INT64]; attr=minlength:int,default=-1,min=-1; "
            f"attr=maxlength:int,default=-1,min=-1; attr=binary_output:bool; attr=output_type:"
            f"type,allowed=[DT_INT32, DT_INT64, DT_FLOAT, DT_DOUBLE]")


def _count_attr_error(op_name: str, kind: str, text: str):
    return InvalidArgumentError(None, None, (
        f"{text}\n\t; NodeDef: {{{{node {op_name}}}}}; Op<name={op_name}; signature="
        f"{_count_sig(kind)}> [Op:{op_name}] name: "))


def _count(kind: str, batch_ids, vals: np.ndarray, wts, nbatch, minlength: int, maxlength: int,
           binary: bool, out_dt: _d.DType) -> SparseTensor:
    """TF's *CountSparseOutput kernels: per batch, the sorted values and their counts."""
    op_name = f"{kind}CountSparseOutput"
    if vals.size and vals.min() < 0:
        raise kernel_error(op_name, "Input values must all be non-negative")
    keep = vals < maxlength if maxlength >= 0 else np.ones(vals.shape, bool)
    b = np.zeros(vals.shape, np.int64) if batch_ids is None else batch_ids
    v, bb = vals[keep].astype(np.int64), b[keep]
    w = None if wts is None else wts[keep]
    size = maxlength if maxlength >= 0 else max(int(vals.max(initial=0)) + 1, minlength)
    keys, inv = np.unique(np.stack([bb, v], axis=1).reshape(-1, 2), axis=0, return_inverse=True)
    inv = inv.reshape(-1)
    if binary:
        counts = np.ones(keys.shape[0], out_dt._np)
    elif w is None:
        counts = np.bincount(inv, minlength=keys.shape[0]).astype(out_dt._np)
    else:
        counts = np.zeros(keys.shape[0], out_dt._np)
        np.add.at(counts, inv, w.astype(out_dt._np))
    if batch_ids is None:
        idx, shape = keys[:, 1:], [size]
    else:
        idx, shape = keys, [nbatch, size]
    return SparseTensor(int64(idx.reshape(-1, len(shape))),
                        convert_to_tensor(counts.reshape(-1)), int64(shape))


def bincount(values, weights=None, axis=0, minlength=None, maxlength=None, binary_output=False,
             name=None) -> SparseTensor:
    """Counts of each value as a SparseTensor; ``axis=-1`` counts each row separately.

    >>> import tftape as tf
    >>> out = tf.sparse.bincount(tf.constant([[1, 2, 2], [0, 5, 5]]), axis=-1)
    >>> out.indices.numpy().tolist(), out.values.numpy().tolist()
    ([[0, 1], [0, 2], [1, 0], [1, 5]], [1, 2, 1, 2])
    """
    from .._ragged.ragged_tensor import RaggedTensor
    is_sp, is_rt = isinstance(values, SparseTensor), isinstance(values, RaggedTensor)
    if not (is_sp or is_rt or isinstance(values, Tensor)):
        values = convert_to_tensor(values)
    if weights is not None and not isinstance(weights, (SparseTensor, RaggedTensor, Tensor)):
        weights = convert_to_tensor(weights)
    if weights is not None and binary_output:
        raise ValueError("Arguments `binary_output` and `weights` are mutually exclusive. "
                         "Please specify only one.")
    if axis is None:
        axis = 0
    if axis not in (0, -1):
        raise ValueError(f"Unsupported value for argument axis={axis}. Only 0 and -1 are "
                         f"currently supported.")
    minl = -1 if minlength is None else int(minlength)
    maxl = -1 if maxlength is None else int(maxlength)

    def check_weights(kind_cls, what):
        if weights is not None and not isinstance(weights, kind_cls):
            raise ValueError(f"`weights` must be a {what} if `values` is a {what}. Received "
                             f"argument weights={weights} of type: "
                             f"{'EagerTensor' if isinstance(weights, Tensor) else type(weights).__name__}.")

    kind = "Sparse" if is_sp else ("Ragged" if is_rt else "Dense")
    if axis == 0 and (is_sp or is_rt):
        if is_sp:
            if weights is not None:
                if not isinstance(weights, SparseTensor):
                    raise ValueError(f"Argument `weights` must be a SparseTensor if `values` is "
                                     f"a SparseTensor. Received weights={weights} of type: "
                                     f"{type(weights).__name__}")
                _assert_same(weights.indices, values.indices,
                             "'weights' and 'values' must have the same indices.")
                weights = weights.values
            values = values.values
        else:
            check_weights(RaggedTensor, "RaggedTensor")
            if weights is not None:
                weights = weights.flat_values
            values = values.flat_values
        is_sp = is_rt = False
        kind = "Dense"
    elif axis == 0:
        if weights is not None:
            weights = array_ops.reshape(weights, [-1])
        values = array_ops.reshape(values, [-1])
    op_name = f"{kind}CountSparseOutput"
    if kind == "Sparse":
        if weights is not None:
            if not isinstance(weights, SparseTensor):
                raise ValueError(f"Argument `weights` must be a SparseTensor if `values` is a "
                                 f"SparseTensor. Received weights={weights} of type: "
                                 f"{'EagerTensor' if isinstance(weights, Tensor) else type(weights).__name__}")
            _assert_same(weights.indices, values.indices,
                         "'weights' and 'values' must have the same indices.")
    elif kind == "Ragged":
        check_weights(RaggedTensor, "RaggedTensor")
    vdt = values.dtype
    wt = None if weights is None else (weights.values if isinstance(weights, SparseTensor) else
                                       weights.flat_values if isinstance(weights, RaggedTensor)
                                       else weights)
    out_dt = vdt if wt is None else wt.dtype
    if vdt not in (_d.int32, _d.int64):
        raise _count_attr_error(op_name, kind, (
            f"Value for attr 'T' of {_d.TF_TYPE_NAMES[vdt]} is not in the list of allowed "
            f"values: int32, int64"))
    for attr, val in (("minlength", minl), ("maxlength", maxl)):
        if val < -1:
            raise _count_attr_error(op_name, kind, (
                f"Value for attr '{attr}' of {val} must be at least minimum -1"))
    if out_dt not in (_d.int32, _d.int64, _d.float32, _d.float64):
        raise _count_attr_error(op_name, kind, (
            f"Value for attr 'output_type' of {_d.TF_TYPE_NAMES[out_dt]} is not in the list of "
            f"allowed values: int32, int64, float, double"))
    w = None if wt is None else np.asarray(host(wt))
    if kind == "Sparse":
        vals = np.asarray(host(values.values))
        idx = host(values.indices)
        shape = shape_of(values)
        if len(shape) == 1:
            return _count(kind, None, vals, w, None, minl, maxl, binary_output, out_dt)
        return _count(kind, idx[:, 0].astype(np.int64), vals, w, shape[0], minl, maxl,
                      binary_output, out_dt)
    if kind == "Ragged":
        vals = np.asarray(host(values.flat_values))
        splits = np.asarray(host(values.row_splits)).astype(np.int64)
        b = np.repeat(np.arange(splits.size - 1), np.diff(splits))
        return _count(kind, b, vals, w, splits.size - 1, minl, maxl, binary_output, out_dt)
    vals = np.asarray(host(values))
    if w is not None and w.shape != vals.shape:
        from .._ops._util import fmt_shape
        raise kernel_error(op_name, f"Weights and data must have the same shape. Weight shape: "
                                    f"{fmt_shape(w.shape)}; data shape: {fmt_shape(vals.shape)}")
    if vals.ndim not in (1, 2):
        from .._ops._util import fmt_shape
        raise kernel_error(op_name, f"Input must be a 1 or 2-dimensional tensor. Got: "
                                    f"{fmt_shape(vals.shape)}")
    if vals.ndim == 2 and vals.size == 0:
        raise kernel_error(op_name, "Invalid input: Shapes dimension cannot be 0.")
    if vals.ndim == 1:
        return _count(kind, None, vals, w, None, minl, maxl, binary_output, out_dt)
    b = np.repeat(np.arange(vals.shape[0]), vals.shape[1])
    return _count(kind, b, vals.reshape(-1), None if w is None else w.reshape(-1),
                  vals.shape[0], minl, maxl, binary_output, out_dt)


# -- sampled_addmm --------------------------------------------------------------------------------
def sampled_addmm(indices, values, dense_shape, mat1, mat2, beta=1.0, alpha=1.0,
                  output_type=_d.float32):
    """``alpha * (mat1 @ mat2)`` at ``indices`` plus ``beta * values``; returns the
    (indices, values, dense_shape) triple as ``tf.sparse.sampled_addmm`` does.

    >>> import tftape as tf
    >>> _, v, _ = tf.sparse.sampled_addmm([[0, 1], [1, 0]], [1., 2.], [2, 2],
    ...                                   tf.ones([2, 3]), tf.ones([3, 2]))
    >>> v.numpy()
    array([4., 5.], dtype=float32)
    """
    from .._ops import linalg_ops
    dt = _d.as_dtype(output_type)
    indices = indices if isinstance(indices, Tensor) else convert_to_tensor(indices)
    values = convert_to_tensor(values, dtype=dt)
    dense_shape = convert_to_tensor(dense_shape, dtype=_d.int32)
    mat1 = convert_to_tensor(mat1, dtype=dt)
    mat2 = convert_to_tensor(mat2, dtype=dt)
    output_shape = convert_to_tensor(np.asarray([mat1.shape[-2], mat2.shape[-1]], np.int32))
    if not np.all(np.asarray(host(dense_shape)) == np.asarray(host(output_shape))):
        raise ValueError(f"Dense shape: {dense_shape} does not match output shape: "
                         f"{output_shape}")
    batch_indices = indices[..., :-2]
    row_indices = indices[..., :-1]
    col_indices = array_ops.concat([batch_indices, indices[..., -1:]], axis=-1)
    batch_dims = mat1.ndim - 2
    rows = array_ops.gather_nd(mat1, row_indices, batch_dims=batch_dims)
    cols = array_ops.gather_nd(linalg_ops.matrix_transpose(mat2), col_indices,
                               batch_dims=batch_dims)
    dot = math_ops.reduce_sum(rows * cols, axis=-1)
    return indices, dot * alpha + values * beta, dense_shape

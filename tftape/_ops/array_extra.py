"""Less common top-level array ops: histograms, partition/stitch, space-to-batch, ...

Ops whose output shape depends on input values (``unique_with_counts``, ``dynamic_partition``,
``dynamic_stitch``) read those values on the host and pass the sizes to a jitted kernel as
static parameters, so their outputs stay differentiable where TF's are.
"""
from __future__ import annotations

from collections import namedtuple as _nt

import numpy as np
import jax.numpy as jnp
from jax import lax

from .._core import dtypes as _d
from .._core.convert import to_static
from .._core.errors import InvalidArgumentError, NotFoundError, kernel_error, op_error
from .._core.registry import Op, STATE, check_dtype, convert_inputs, execute
from .._core.tensor import Tensor, make, make_string
from ._util import INT, NUMERIC, REAL, fmt_shape, host, is_concrete, tensor
from . import array_ops as _a, math_ops as _m
from .arithmetic_ops import _realdiv

UniqueWithCounts = _nt("UniqueWithCounts", ["y", "idx", "count"])


def _static_ints(x, what="value") -> list:
    v = to_static(x)
    if isinstance(v, Tensor):
        v = host(v)
    return [int(i) for i in np.asarray(v).reshape(-1)]


# -- unique_with_counts -------------------------------------------------------------------------
def unique_with_counts(x, out_idx=_d.int32, name=None):
    """Unique elements in order of first appearance, each element's index and their counts.

    >>> import tftape as tf
    >>> tf.unique_with_counts([1, 1, 4, 2, 4]).count
    <tf.Tensor: shape=(3,), dtype=int32, numpy=array([2, 2, 1], dtype=int32)>
    """
    t = tensor(x)
    if t.ndim != 1:
        raise kernel_error("UniqueWithCounts", "unique expects a 1D vector.", name=None)
    y, idx = _a.unique(t, out_idx=out_idx)
    dt = _d.as_dtype(out_idx)
    counts = np.bincount(host(idx).astype(np.int64), minlength=y.shape[0])
    return UniqueWithCounts(y, idx, make(jnp.asarray(counts.astype(dt._np)), dt))


# -- histograms -----------------------------------------------------------------------------------
def _hist_impl(v, r, nbins, dtype):
    lo, hi = r[0], r[1]
    step = (hi.astype(jnp.float64) - lo.astype(jnp.float64)) / nbins
    # Note: TF's kernel computes each bin in double from max(v, lo) - lo (so values below the
    # range go to bin 0) and clips at nbins - 1; NaN lands in bin 0 through the int cast.
    pos = (jnp.maximum(v, lo) - lo).astype(jnp.float64) / step
    b = jnp.minimum(pos, nbins - 1.0)
    b = jnp.where(jnp.isnan(b), 0.0, b).astype(jnp.int32)
    return jnp.zeros((nbins,), dtype).at[b.reshape(-1)].add(jnp.ones((), dtype))


_histogram = Op("histogram_fixed_width", "HistogramFixedWidth", _hist_impl,
                dtypes=(_d.float16, _d.float32, _d.float64, _d.int32, _d.int64),
                differentiable=False,
                signature="values:T, value_range:T, nbins:int32 -> out:dtype")


def histogram_fixed_width(values, value_range, nbins=100, dtype=_d.int32, name=None) -> Tensor:
    """Counts of ``values`` in ``nbins`` equal bins over ``value_range``.

    >>> import tftape as tf
    >>> tf.histogram_fixed_width([-1.0, 0.0, 1.5, 2.0, 5.0, 15], [0.0, 5.0], nbins=5)
    <tf.Tensor: shape=(5,), dtype=int32, numpy=array([2, 1, 1, 0, 2], dtype=int32)>
    """
    v, r = convert_inputs(_histogram, (values, value_range))
    nb = int(to_static(nbins) if not isinstance(nbins, Tensor) else host(nbins))
    dt = _d.as_dtype(dtype)
    if dt not in (_d.int32, _d.int64):
        raise TypeError(f"Value passed to parameter 'dtype' has DataType {dt.name} not in list "
                        f"of allowed values: int32, int64")
    if r.shape.rank != 1 or r.shape[0] != 2:
        raise kernel_error("HistogramFixedWidth", "value_range should be a vector of 2 elements.",
                           name=None)
    if nb <= 0:
        raise kernel_error("HistogramFixedWidth",
                           f"nbins should be a positive number, but got '{nb}'", name=None)
    if is_concrete(r):
        lo, hi = host(r)
        if not lo < hi:
            raise kernel_error("HistogramFixedWidth",
                               "value_range should satisfy value_range[0] < value_range[1], but "
                               f"got '[{_num(lo)}, {_num(hi)}]'", name=None)
    static = {"nbins": nb, "dtype": dt._np}
    return execute(_histogram, (v, r), (nb, dt.name), static)


def _num(x) -> str:
    x = x.item()
    return str(int(x)) if float(x).is_integer() else repr(x)


def histogram_fixed_width_bins(values, value_range, nbins=100, dtype=_d.int32,
                               name=None) -> Tensor:
    """The bin of each of ``values`` among ``nbins`` equal bins over ``value_range``.

    >>> import tftape as tf
    >>> tf.histogram_fixed_width_bins([-1.0, 0.0, 1.5, 2.0, 5.0, 15], [0.0, 5.0], nbins=5)
    <tf.Tensor: shape=(6,), dtype=int32, numpy=array([0, 0, 1, 2, 4, 4], dtype=int32)>
    """
    # TF's Python composition, op for op (so its dtype errors are TF's).
    v = tensor(values)
    shape = _a.shape(v)
    v = _a.reshape(v, [-1])
    r = tensor(value_range)
    nb = tensor(nbins, dtype=_d.int32)
    nb_f = _m.cast(nb, v.dtype)
    scaled = _m.truediv(v - r[0], r[1] - r[0])
    idx = _m.floor(_m.multiply(nb_f, scaled))
    idx = _m.cast(_a.clip_by_value(idx, 0, nb_f - 1), _d.int32)
    return _a.reshape(idx, shape)


# -- unravel_index --------------------------------------------------------------------------------
def _unravel_impl(i, dims):
    # Note: TF's kernel divides with C++'s truncating / and %, so a negative index is not
    # rejected but unravels through truncation (tf.unravel_index(-1, [2, 3]) is [0, -1]).
    outs = []
    for d in reversed(range(dims.shape[0])):
        outs.append(lax.rem(i, dims[d]))
        i = lax.div(i, dims[d])
    return jnp.stack(outs[::-1], axis=0)


_unravel = Op("unravel_index", "UnravelIndex", _unravel_impl, dtypes=(_d.int32, _d.int64),
              differentiable=False, signature="indices:Tidx, dims:Tidx -> output:Tidx")


def unravel_index(indices, dims, name=None) -> Tensor:
    """Converts flat indices into coordinate arrays for a shape ``dims``.

    >>> import tftape as tf
    >>> tf.unravel_index([1, 5, 7], dims=[3, 3]).numpy().tolist()
    [[0, 1, 2], [1, 2, 1]]
    """
    i = tensor(indices)
    d = tensor(dims, dtype=i.dtype) if not isinstance(dims, Tensor) else dims
    if i.dtype not in (_d.int32, _d.int64):
        raise InvalidArgumentError(None, None, (
            f"Value for attr 'Tidx' of {_d.TF_TYPE_NAMES[i.dtype]} is not in the list of allowed "
            "values: int32, int64\n\t; NodeDef: {{node UnravelIndex}}; Op<name=UnravelIndex; "
            "signature=indices:Tidx, dims:Tidx -> output:Tidx; attr=Tidx:type,default=DT_INT32,"
            "allowed=[DT_INT32, DT_INT64]> [Op:UnravelIndex]"))
    i, d = convert_inputs(_unravel, (i, d))
    if d.shape.rank != 1:
        raise kernel_error("UnravelIndex", f"The indices can only be 1-D, got "
                                           f"\"{fmt_shape(d.shape)}\"", name=None)
    if i.shape.rank > 1:
        raise kernel_error("UnravelIndex", "The indices can only be scalar or vector, got "
                                           f"\"{fmt_shape(i.shape)}\"", name=None)
    if is_concrete(d) and is_concrete(i):
        dv = host(d)
        zero = np.flatnonzero(dv == 0)
        if zero.size:
            raise kernel_error("UnravelIndex", "Input dims cannot contain a dim of zero, but dims "
                                               f"contains zero at index {zero[0]}", name=None)
        if np.any(host(i) >= np.prod(dv.astype(np.int64))):
            raise kernel_error("UnravelIndex", "index is out of bound as with dims", name=None)
    return execute(_unravel, (i, d))


# -- reverse_sequence -----------------------------------------------------------------------------
def _revseq_impl(x, lens, seq_axis, batch_axis):
    n = x.shape[seq_axis]
    pos = jnp.arange(n)
    shape = [1] * x.ndim
    shape[seq_axis] = n
    pos = pos.reshape(shape)
    lshape = [1] * x.ndim
    lshape[batch_axis] = x.shape[batch_axis]
    ln = lens.reshape(lshape).astype(pos.dtype)
    src = jnp.where(pos < ln, ln - 1 - pos, pos)
    src = jnp.broadcast_to(src, x.shape)
    return jnp.take_along_axis(x, src, axis=seq_axis)


_revseq = Op("reverse_sequence", "ReverseSequence", _revseq_impl)


def reverse_sequence(input, seq_lengths, seq_axis=None, batch_axis=None,  # noqa: A002
                     name=None) -> Tensor:
    """Reverses the first ``seq_lengths[i]`` entries along ``seq_axis`` of each batch entry.

    >>> import tftape as tf
    >>> tf.reverse_sequence([[1, 2, 3], [4, 5, 6]], [2, 3], seq_axis=1).numpy().tolist()
    [[2, 1, 3], [6, 5, 4]]
    """
    x = tensor(input)
    lens = tensor(seq_lengths, dtype=None)
    if lens.dtype not in (_d.int32, _d.int64):
        lens = tensor(seq_lengths, dtype=_d.int64)
    if seq_axis is None:
        raise TypeError("Expected int for argument 'seq_dim' not None.")
    sa = int(seq_axis)
    ba = 0 if batch_axis is None else int(batch_axis)
    nd = x.ndim

    # TF's wrapper adds the `` name: `` suffix when no input needs converting.
    suffix = "" if isinstance(seq_lengths, Tensor) and isinstance(input, Tensor) else None

    def err(msg):
        return kernel_error("ReverseSequence", msg, name=suffix)
    if sa < 0:
        sa += nd
    if ba < 0:
        ba += nd
    if not 0 <= ba < nd:
        raise err(f"batch_dim must be < input rank: {ba} vs. {nd}")
    if not 0 <= sa < nd:
        raise err(f"seq_dim must be < input rank: {sa} vs. {nd}")
    if sa == ba:
        raise err(f"batch_dim == seq_dim == {sa}")
    if lens.ndim != 1:
        raise err(f"seq_lengths must be 1-dim, not {lens.ndim}")
    if lens.shape[0] != x.shape[ba]:
        raise err(f"Length of seq_lengths != input.dims({ba}), ({lens.shape[0]} vs. "
                  f"{x.shape[ba]})")
    if is_concrete(lens):
        lv = host(lens)
        for k, n in enumerate(lv):
            if n < 0:
                raise err(f"seq_lens({k}) < 0")
            if n > x.shape[sa]:
                raise err(f"seq_lens({k}) > input.dims({sa})")
    if x.dtype is _d.string:
        v = np.asarray(_revseq_impl(np.arange(x.shape.num_elements()).reshape(x.shape),
                                    host(lens), seq_axis=sa, batch_axis=ba))
        return make_string(x._v.reshape(-1)[v])
    return execute(_revseq, (x, lens), (sa, ba), {"seq_axis": sa, "batch_axis": ba})


# -- dynamic_partition / dynamic_stitch ---------------------------------------------------------
def dynamic_partition(data, partitions, num_partitions, name=None):
    """Splits ``data`` into ``num_partitions`` tensors by the index in ``partitions``.

    >>> import tftape as tf
    >>> [p.numpy().tolist() for p in tf.dynamic_partition([10, 20, 30, 40], [0, 1, 0, 1], 2)]
    [[10, 30], [20, 40]]
    """
    d = tensor(data)
    p = tensor(partitions, dtype=_d.int32)
    n = int(num_partitions)
    node = f"DynamicPartition_num_partitions_{n}"
    if n < 1:
        raise ValueError(f"Attr 'num_partitions' of 'DynamicPartition' Op passed {n} less than "
                         "minimum 1.")
    if tuple(d.shape[:p.ndim]) != tuple(p.shape):
        raise kernel_error("DynamicPartition",
                           f"data.shape must start with partitions.shape, got data.shape = "
                           f"{fmt_shape(d.shape)}, partitions.shape = {fmt_shape(p.shape)}",
                           name=None, wrapped=node)
    pv = host(p).reshape(-1)
    for k, v in enumerate(pv):
        if not 0 <= v < n:
            raise kernel_error("DynamicPartition", f"partitions[{k}] = {v} is not in [0, {n})",
                               name=None, wrapped=node)
    if d.dtype is _d.string:
        flat = d._v.reshape((pv.shape[0],) + tuple(d.shape[p.ndim:]))
        return [make_string(flat[pv == k]) for k in range(n)]
    # One gather per partition, of host-computed positions: kernels depend on shapes only.
    flat = _a.reshape(d, [pv.shape[0]] + list(d.shape[p.ndim:]))
    return [_a.gather(flat, make(jnp.asarray(np.flatnonzero(pv == k).astype(np.int32)),
                                 _d.int32)) for k in range(n)]


def _stitch_impl(*args, n, size):
    idx, data = args[:n], args[n:]
    out = jnp.zeros((size,) + data[0].shape[idx[0].ndim:], data[0].dtype)
    for i, x in zip(idx, data):
        out = out.at[i.reshape(-1)].set(x.reshape((-1,) + out.shape[1:]))
    return out


_stitch = Op("dynamic_stitch", "DynamicStitch", _stitch_impl)


def dynamic_stitch(indices, data, name=None) -> Tensor:
    """Interleaves the values of ``data`` into one tensor at ``indices``.

    >>> import tftape as tf
    >>> tf.dynamic_stitch([[0, 2], [1]], [[1.0, 3.0], [2.0]])
    <tf.Tensor: shape=(3,), dtype=float32, numpy=array([1., 2., 3.], dtype=float32)>
    """
    idx = [tensor(i, dtype=_d.int32) for i in indices]
    # TF's list conversion: the first tensor in ``data`` (else its first value) fixes the dtype.
    first = next((x for x in data if isinstance(x, Tensor)), None)
    dt = tensor(data[0]).dtype if first is None else first.dtype
    ds = [x if isinstance(x, Tensor) else tensor(x, dtype=dt) for x in data]
    n = len(idx)
    node = f"DynamicStitch_N_{n}"
    if len(ds) != n:
        raise ValueError(f"List argument 'data' to 'DynamicStitch' Op with length {len(ds)} must "
                         f"match length {n} of argument 'indices'.")
    for k, x in enumerate(ds):
        if x.dtype is not dt:
            raise InvalidArgumentError(None, None, (
                f"cannot compute DynamicStitch as input #{n + k}(zero-based) was expected to be "
                f"a {_d.TF_TYPE_NAMES[dt]} tensor but is a {_d.TF_TYPE_NAMES[x.dtype]} tensor "
                "[Op:DynamicStitch]"))
    tail = None
    for k, (i, x) in enumerate(zip(idx, ds)):
        if tuple(x.shape[:i.ndim]) != tuple(i.shape):
            raise kernel_error("DynamicStitch", f"data[{k}].shape = {fmt_shape(x.shape)} does not "
                                                f"start with indices[{k}].shape = "
                                                f"{fmt_shape(i.shape)}", name=None, wrapped=node)
        t = tuple(x.shape[i.ndim:])
        if tail is None:
            tail = t
        elif t != tail:
            raise kernel_error("DynamicStitch", "Need data[0].shape[1:] = data[k].shape[indices[k]."
                               f"dims():], got data[0].shape = {fmt_shape(ds[0].shape)}, "
                               f"data[{k}].shape = {fmt_shape(x.shape)}, indices[{k}].shape = "
                               f"{fmt_shape(i.shape)}", name=None, wrapped=node)
    vals = [host(i).reshape(-1) for i in idx]
    size = max([int(v.max()) for v in vals if v.size] or [-1]) + 1
    for v in vals:
        for j, e in enumerate(v):
            if not 0 <= e < size:
                raise kernel_error("DynamicStitch", f"indices[{j}] is out of range", name=None,
                                   wrapped=node)
    if dt is _d.string:
        out = np.full((size,) + tail, b"", dtype=object)
        for v, x in zip(vals, ds):
            out[v] = x._v.reshape((-1,) + tail)
        return make_string(out)
    return execute(_stitch, (*idx, *ds), (n, size), {"n": n, "size": size})


# -- identity_n / parallel_stack / realdiv --------------------------------------------------------
def identity_n(input, name=None):  # noqa: A002
    """The identity of each tensor in a list.

    >>> import tftape as tf
    >>> [t.numpy().tolist() for t in tf.identity_n([1, [2.0, 3.0]])]
    [1, [2.0, 3.0]]
    """
    return [_a.identity(tensor(x)) for x in input]


def parallel_stack(values, name="parallel_stack") -> Tensor:
    """``tf.stack`` along a new first axis; TF allows it only inside tf.function."""
    if not STATE.tracing:
        raise RuntimeError("tf.parallel_stack() is not compatible with eager execution.")
    return _a.stack(values, axis=0)


_REALDIV_OK = (_d.bfloat16, _d.float16, _d.float32, _d.float64, _d.complex64, _d.complex128)
_realdiv_check = Op("realdiv", "RealDiv", None, dtypes=NUMERIC)


def realdiv(x, y, name=None) -> Tensor:
    """Element-wise ``x / y`` of floating or complex tensors (TF's ``RealDiv`` op).

    >>> import tftape as tf
    >>> tf.realdiv(3.0, 2.0)
    <tf.Tensor: shape=(), dtype=float32, numpy=1.5>
    """
    a, b = convert_inputs(_realdiv_check, (x, y))
    if a.dtype not in _REALDIV_OK:
        # Note: TF registers RealDiv's integer kernels only for XLA, so eager CPU raises.
        enum = "DT_" + {"float32": "FLOAT", "float64": "DOUBLE", "float16": "HALF"}.get(
            a.dtype.name, a.dtype.name.upper())
        raise NotFoundError(None, None, (
            f"Could not find device for node: {{{{node RealDiv}}}} = RealDiv[T={enum}]\n"
            "All kernels registered for op RealDiv:\n  device='XLA_CPU_JIT'; T in [DT_FLOAT, "
            "DT_DOUBLE, DT_INT32, DT_UINT8, DT_INT16, DT_INT8, DT_COMPLEX64, DT_INT64, "
            "DT_BFLOAT16, DT_UINT16, DT_COMPLEX128, DT_HALF, DT_UINT32, DT_UINT64]\n"
            "  device='CPU'; T in [DT_COMPLEX128]\n  device='CPU'; T in [DT_COMPLEX64]\n"
            "  device='CPU'; T in [DT_BFLOAT16]\n  device='CPU'; T in [DT_DOUBLE]\n"
            "  device='CPU'; T in [DT_HALF]\n  device='CPU'; T in [DT_FLOAT]\n"
            " [Op:RealDiv] name: "))
    return execute(_realdiv, (a, b))


# -- tuple / guarantee_const / approx_top_k -------------------------------------------------------
def tuple_(tensors, control_inputs=None, name=None):
    """Groups tensors: eagerly the tensors themselves; in tf.function their identities.

    >>> import tftape as tf
    >>> tf.tuple([tf.constant(1), None])
    [<tf.Tensor: shape=(), dtype=int32, numpy=1>, None]
    """
    if not STATE.tracing:
        return tensors
    return [None if t is None else _a.identity(t) for t in tensors]


def guarantee_const(input, name=None) -> Tensor:  # noqa: A002
    """The identity, promising the value is constant (TF's deprecated ``GuaranteeConst``)."""
    return _a.identity(tensor(input))


ApproxTopK = _nt("ApproxTopK", ["values", "indices"])
_approx = Op("approx_top_k", "ApproxTopK", lambda x, k: lax.top_k(x, k),
             dtypes=(_d.float16, _d.bfloat16, _d.float32))


def approx_top_k(input, k, reduction_dimension=-1, recall_target=0.95, is_max_k=True,  # noqa: A002
                 reduction_input_size_override=-1, aggregate_to_topk=True, name=None):
    """The ``k`` largest values along the last axis and their indices.

    >>> import tftape as tf
    >>> tf.approx_top_k(tf.constant([[1., 5., 3.]]), 2).indices
    <tf.Tensor: shape=(1, 2), dtype=int32, numpy=array([[1, 2]], dtype=int32)>
    """
    t = tensor(input)
    if t.dtype not in _approx.dtypes:
        raise InvalidArgumentError(None, None, (
            f"Value for attr 'T' of {_d.TF_TYPE_NAMES[t.dtype]} is not in the list of allowed "
            "values: half, bfloat16, float\n\t; NodeDef: {{node ApproxTopK}}; Op<name=ApproxTopK;"
            " signature=input:T -> values:T, indices:int32; attr=k:int,min=0; attr=reduction_"
            "dimension:int,default=-1; attr=recall_target:float,default=0.95; attr=is_max_k:bool,"
            "default=true; attr=reduction_input_size_override:int,default=-1; attr=aggregate_to_"
            "topk:bool,default=true; attr=T:type,allowed=[DT_HALF, DT_BFLOAT16, DT_FLOAT]> "
            "[Op:ApproxTopK] name: "))
    k = int(k)
    if reduction_dimension != -1 or not is_max_k:
        # Note: TF's CPU kernel exists only for the last axis and max-k (XLA has the others).
        enum = {"float32": "DT_FLOAT", "float16": "DT_HALF"}.get(t.dtype.name, "DT_BFLOAT16")
        flag = lambda b: "true" if b else "false"  # noqa: E731
        raise NotFoundError(None, None, (
            f"Could not find device for node: {{{{node ApproxTopK}}}} = ApproxTopK[T={enum}, "
            f"aggregate_to_topk={flag(aggregate_to_topk)}, is_max_k={flag(is_max_k)}, k={k}, "
            f"recall_target={recall_target:g}, reduction_dimension={reduction_dimension}, "
            f"reduction_input_size_override={reduction_input_size_override}]\nAll kernels "
            "registered for op ApproxTopK:\n  device='XLA_CPU_JIT'; T in [DT_FLOAT, DT_BFLOAT16, "
            "DT_HALF]\n [Op:ApproxTopK] name: "))
    if t.ndim < 1 or t.shape[-1] < k:
        raise kernel_error("ApproxTopK", f"input must have at least k columns. Had "
                                         f"{t.shape[-1] if t.ndim else 0}, needed {k}", name="")
    vals, idx = execute(_approx, (t,), (k,), {"k": k})
    return ApproxTopK(vals, idx)


# -- ragged_fill_empty_rows -----------------------------------------------------------------------
RaggedFillEmptyRows = _nt("RaggedFillEmptyRows", ["output_value_rowids", "output_values",
                                                  "empty_row_indicator", "reverse_index_map"])
RaggedFillEmptyRowsGrad = _nt("RaggedFillEmptyRowsGrad", ["d_values", "d_default_value"])


def _i64(v) -> Tensor:
    return make(jnp.asarray(np.asarray(v, np.int64)), _d.int64)


def ragged_fill_empty_rows(value_rowids, values, nrows, default_value, name=None):
    """Gives each empty row of a ragged tensor (``value_rowids``, ``values``) one
    ``default_value``; also returns which rows were empty and where each value went.

    >>> import tftape as tf
    >>> r = tf.ragged_fill_empty_rows([0, 0, 2], [1, 2, 3], 4, -1)
    >>> r.output_values.numpy().tolist(), r.reverse_index_map.numpy().tolist()
    ([1, 2, -1, 3, -1], [0, 1, 3])
    """
    ids = tensor(value_rowids, dtype=_d.int64)
    v = tensor(values)
    n = tensor(nrows, dtype=_d.int64)
    dv = tensor(default_value, dtype=v.dtype) if not isinstance(default_value, Tensor) else \
        default_value
    if v.ndim != 1:
        raise kernel_error("RaggedFillEmptyRows", f"values must be a vector, saw: "
                                                  f"{fmt_shape(v.shape)}", name=None)
    rows = host(ids).reshape(-1)
    nr = int(host(n))
    for i, r in enumerate(rows):
        if r >= nr:
            raise kernel_error("RaggedFillEmptyRows", f"indices({i}, 0) is invalid: {r} >= {nr}",
                               name=None)
        if r < 0:
            raise kernel_error("RaggedFillEmptyRows", f"indices({i}, 0) is invalid: {r} < 0",
                               name=None)
    counts = np.bincount(rows, minlength=nr) if rows.size else np.zeros(nr, np.int64)
    empty = counts == 0
    empty_before = np.cumsum(empty) - empty
    rev = np.arange(rows.size) + empty_before[rows] if rows.size else np.zeros(0, np.int64)
    total = rows.size + int(empty.sum())
    out_rows = np.zeros(total, np.int64)
    src = np.full(total, rows.size, np.int64)        # position rows.size: the default value
    out_rows[rev] = rows
    src[rev] = np.arange(rows.size)
    starts = np.cumsum(counts) - counts + empty_before
    out_rows[starts[empty]] = np.flatnonzero(empty)
    pool = _a.concat([v, _a.reshape(dv, [1])], axis=0)
    out_values = _a.gather(pool, _i64(src))
    return RaggedFillEmptyRows(_i64(out_rows), out_values,
                               make(jnp.asarray(empty), _d.bool), _i64(rev))


def ragged_fill_empty_rows_grad(reverse_index_map, grad_values, name=None):
    """The gradients of ``ragged_fill_empty_rows`` for its values and its default value."""
    rev = tensor(reverse_index_map, dtype=_d.int64)
    g = tensor(grad_values)
    d_values = _a.gather(g, rev)
    mask = np.ones(g.shape[0], bool)
    mask[host(rev).reshape(-1)] = False
    d_default = _m.reduce_sum(_a.gather(g, _i64(np.flatnonzero(mask))))
    return RaggedFillEmptyRowsGrad(d_values, d_default)


def nondifferentiable_batch_function(num_batch_threads, max_batch_size, batch_timeout_micros,
                                     allowed_batch_sizes=None, max_enqueued_batches=10,
                                     autograph=True, enable_large_batch_splitting=True):
    """A decorator that batches concurrent calls of a function in TF serving.

    Note: each call runs the function on its own inputs at once; batching concurrent
    callers is a throughput optimisation of TF's serving runtime, and the results are the
    same.
    """
    import functools

    def decorator(fn):
        @functools.wraps(fn)
        def batched(*args):
            return fn(*[tensor(a) for a in args])
        return batched
    return decorator

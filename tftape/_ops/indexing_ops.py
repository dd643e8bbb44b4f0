"""Indexing: slicing (``t[...]``, strided_slice), gather and scatter, boolean_mask, one_hot,
sequence_mask.
"""
from __future__ import annotations

import builtins as _builtins

import numpy as np
import jax
import jax.numpy as jnp

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor, to_static
from .._core.errors import InvalidArgumentError, kernel_error
from .._core.registry import Op, execute, op
from .._core.shape import TensorShape
from .._core.tensor import Tensor, make_string, vshape
from ._util import fmt_shape, host, is_concrete, tensor
from .comparison_ops import where
from .creation_ops import _dims, zeros
from .shape_ops import expand_dims, reshape


_as_tensor = tensor  # functions whose TF argument is named ``tensor`` shadow the helper
builtins_range = _builtins.range


# -- slicing ----------------------------------------------------------------------------------
def _thaw(idx):
    return tuple(_builtins.slice(*i[1:]) if type(i) is tuple and i and i[0] == "s" else i
                 for i in idx)


def _freeze(idx):
    # slices are unhashable before Python 3.12; static keys must hash.
    return tuple(("s", i.start, i.stop, i.step) if type(i) is _builtins.slice else i for i in idx)


_strided = op("strided_slice", "StridedSlice", lambda x, idx: x[_thaw(idx)])


def _slice_error(msg):
    raise kernel_error("StridedSlice", msg, name="strided_slice/")


def _index_key(t: Tensor, key):
    """Validates a ``__getitem__`` key with TF's rules and returns a static NumPy-style index."""
    if not isinstance(key, tuple):
        key = (key,)
    shp = vshape(t)
    out = []
    dim = 0
    for pos, k in enumerate(key):
        if k is Ellipsis:
            out.append(Ellipsis)
            dim = len(shp) - _count_real(key[pos + 1:])
            continue
        if k is None:
            out.append(None)
            continue
        if isinstance(k, Tensor) or hasattr(type(k), "__tf_tensor__"):
            kt = convert_to_tensor(k)
            if kt.dtype not in (_d.int32, _d.int64) or kt.ndim != 0:
                raise TypeError(f"Only integers, slices (`:`), ellipsis (`...`), tf.newaxis "
                                f"(`None`) and scalar tf.int32/tf.int64 tensors are valid "
                                f"indices, got {k!r}")
            if not is_concrete(kt):
                out.append(("dyn", kt, dim))
                dim += 1
                continue
            k = int(kt.numpy())
        if isinstance(k, (bool, np.bool_)):
            raise TypeError(f"Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) "
                            f"and scalar tf.int32/tf.int64 tensors are valid indices, got {k!r}")
        if isinstance(k, (int, np.integer)):
            k = int(k)
            if len(shp) == 0:
                _slice_error("Attempting to slice scalar input.")
            if dim >= len(shp):
                _slice_error(f"Index out of range using input dim {dim}; input has only "
                             f"{len(shp)} dims")
            n = shp[dim]
            if not -n <= k < n:
                _slice_error(f"slice index {k if k >= 0 else k + n} of dimension {dim} out of "
                             f"bounds.")
            out.append(k % n)
            dim += 1
            continue
        if isinstance(k, _builtins.slice):
            parts = []
            for p in (k.start, k.stop, k.step):
                if isinstance(p, Tensor) or hasattr(type(p), "__tf_tensor__"):
                    p = int(convert_to_tensor(p).numpy())
                elif p is not None and not isinstance(p, (int, np.integer)):
                    raise TypeError(f"Only integers, slices (`:`), ellipsis (`...`), tf.newaxis "
                                    f"(`None`) and scalar tf.int32/tf.int64 tensors are valid "
                                    f"indices, got {p!r}")
                parts.append(None if p is None else int(p))
            if parts[2] == 0:
                _slice_error(f"strides[{dim}] must be non-zero")
            if dim >= len(shp):
                if len(shp) == 0:
                    _slice_error("Attempting to slice scalar input.")
                _slice_error(f"Index out of range using input dim {dim}; input has only "
                             f"{len(shp)} dims")
            out.append(_builtins.slice(*parts))
            dim += 1
            continue
        if isinstance(k, (list, np.ndarray)):
            if len(shp) == 0:
                _slice_error("Attempting to slice scalar input.")
            _slice_error(f"Index out of range using input dim {len(shp)}; input has only "
                         f"{len(shp)} dims")
        raise TypeError(f"Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and "
                        f"scalar tf.int32/tf.int64 tensors are valid indices, got {k!r}")
    return tuple(out)


def _count_real(items):
    return sum(1 for x in items if x is not None and x is not Ellipsis)


def getitem(t: Tensor, key) -> Tensor:
    """``t[key]`` with TF's rules: out-of-range integer indices raise InvalidArgumentError."""
    if isinstance(key, list):
        key = tuple(key)  # TF reads a list index as a sequence of indices
    elif isinstance(key, (bool, np.bool_)) or (isinstance(key, Tensor) and key._dtype is _d.bool):
        return boolean_mask(t, key)
    idx = _index_key(t, key)
    if any(isinstance(i, tuple) for i in idx):
        return _dynamic_getitem(t, idx)
    if t._dtype is _d.string:
        v = t._v[idx]
        return make_string(np.asarray(v, dtype=object))
    idx = _freeze(idx)
    return execute(_strided, (t,), (idx,), {"idx": idx})


def _dynamic_getitem(t, idx):
    dyn = [i for i in idx if isinstance(i, tuple)]
    ts = [d[1] for d in dyn]

    key = _freeze(tuple("dyn" if isinstance(i, tuple) else i for i in idx))
    o = _dyn_slice
    out = execute(o, (t, *ts), (key,), {"idx": key})
    shp = vshape(t)
    for _, k, dim in dyn:
        # Note: JAX clamps a traced index; TF checks it when the function runs.
        n = shp[dim]
        _traced_check(jnp.logical_and(k._v >= -n, k._v < n), [k._v],
                      lambda v, n=n, dim=dim: _slice_msg(int(v[0]), n, dim),
                      "strided_slice", out)
    return out


def _slice_msg(k, n, dim):
    return InvalidArgumentError(None, None, f"slice index {k if k >= 0 else k + n} of dimension "
                                            f"{dim} out of bounds.")


def _traced_check(ok, data, make_error, node, out, resource=None):
    """Registers a runtime check on traced arguments (see ``_core.checks``)."""
    from .._core.checks import check
    check(ok, data, make_error, node, (out._v,) if isinstance(out, Tensor) else out, resource)


def _indices_at(pos) -> str:
    # TF names a scalar index "indices", an element of a tensor of them "indices[i,j]"
    return f"indices[{','.join(str(int(x)) for x in pos)}]" if len(pos) else "indices"


def _index_check(iv, n, node, out, resource=None):
    """The traced form of TF's ``indices[i] = v is not in [0, n)`` check."""
    from .._core.checks import first_bad
    first, any_bad = first_bad((iv < 0) | (iv >= n))
    val = iv.reshape(-1)[first] if iv.size else jnp.zeros((), iv.dtype)
    shape = tuple(iv.shape)

    def make_error(vals):
        pos = np.unravel_index(int(vals[0]), shape) if shape else ()
        return InvalidArgumentError(None, None, f"{_indices_at(pos)} = {int(vals[1])} is not in "
                                                f"[0, {n})")
    _traced_check(jnp.logical_not(any_bad), [first, val], make_error, node, out, resource)


def _dyn_slice_impl(x, *ks, idx):
    it = iter(ks)
    return x[_thaw(tuple(next(it) if v == "dyn" else v for v in idx))]


_dyn_slice = op("dynamic_strided_slice", "StridedSlice", _dyn_slice_impl)


def strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0, ellipsis_mask=0,
                  new_axis_mask=0, shrink_axis_mask=0, var=None, name=None) -> Tensor:
    """TF's strided_slice with its bit masks."""
    b, e = to_static(begin), to_static(end)
    s = to_static(strides) if strides is not None else [1] * len(b)
    key = []
    for i in builtins_range(len(b)):
        bit = 1 << i
        if ellipsis_mask & bit:
            key.append(Ellipsis)
        elif new_axis_mask & bit:
            key.append(None)
        elif shrink_axis_mask & bit:
            key.append(b[i])
        else:
            key.append(_builtins.slice(None if begin_mask & bit else b[i],
                                       None if end_mask & bit else e[i], s[i]))
    return getitem(tensor(input_), tuple(key))


def slice(input_, begin, size, name=None) -> Tensor:  # noqa: A001
    """Extracts a slice of ``size`` starting at ``begin`` (size -1: to the end)."""
    t = tensor(input_)
    b = [int(x) for x in to_static(begin)]
    sz = [int(x) for x in to_static(size)]
    shp = vshape(t)
    key = []
    for i, (bi, si) in enumerate(zip(b, sz)):
        end = shp[i] if si == -1 else bi + si
        if bi < 0 or end > shp[i] or bi > end:
            raise kernel_error("Slice", f"Expected size[{i}] in [0, {shp[i] - bi}], but got {si}",
                               name=None)
        key.append(_builtins.slice(bi, end))
    return getitem(t, tuple(key))


# -- gather and scatter ---------------------------------------------------------------------------
def _gather_impl(params, indices, axis, batch_dims):
    if batch_dims == 0:
        return jnp.take(params, indices, axis=axis)
    fn = lambda p, i: _gather_impl(p, i, axis - 1, batch_dims - 1)  # noqa: E731
    return jax.vmap(fn)(params, indices)


_gather = op("gather", "GatherV2", _gather_impl)
# The indices' attr (Tindices) for TF's "not in the list of allowed values" message; not an op.
_gather_indices = Op("gather_indices", "GatherV2", None, dtypes=(_d.int16, _d.int32, _d.int64),
                     signature="params:Tparams, indices:Tindices, axis:Taxis -> output:Tparams")


def gather(params, indices, validate_indices=None, axis=None, batch_dims=0, name=None) -> Tensor:
    """Gathers slices of ``params`` along ``axis`` at ``indices`` (bounds-checked)."""
    if hasattr(params, "_ragged_gather"):
        return params._ragged_gather(indices, axis, batch_dims)
    if hasattr(params, "sparse_read") and not isinstance(params, Tensor):
        return params.sparse_read(indices, axis=axis, batch_dims=batch_dims)
    return _gather_checked(tensor(params), tensor(indices), axis, batch_dims)


def _gather_checked(p, i, axis, batch_dims, node="GatherV2", resource=None):
    if i.dtype not in (_d.int32, _d.int64, _d.int16):
        from .._core.registry import allowed_error
        raise allowed_error(_gather_indices, i.dtype, "Tindices")
    nd = p.ndim
    ax = batch_dims if axis is None else int(to_static(axis))
    if not -nd <= ax < nd:
        raise kernel_error("GatherV2", f"Shape must be at least rank {ax + 1 if ax >= 0 else -ax} "
                                       f"but is rank {nd}", name=None)
    if ax < 0:
        ax += nd
    bd = int(batch_dims)
    if bd < 0:
        bd += i.ndim
    n = vshape(p)[ax] if nd else 0
    concrete = is_concrete(i)
    if concrete:
        iv = host(i)
        bad = (iv < 0) | (iv >= n)
        if bad.any():
            pos = np.argwhere(bad)[0]
            raise kernel_error("GatherV2" if resource is None else "ResourceGather",
                               f"{_indices_at(pos)} = {int(iv[tuple(pos)])} is not in "
                               f"[0, {n})", name=None)
    if p._dtype is _d.string:
        return make_string(np.take(p._v, host(i), axis=ax))
    out = execute(_gather, (p, i), (ax, bd), {"axis": ax, "batch_dims": bd})
    if not concrete:
        # Note: JAX fills out-of-range gathers with NaN (or clamps); TF raises.
        _index_check(i._v, n, node, out, resource)
    return out


_gather_nd = op("gather_nd", "GatherNd",
                lambda p, i, batch_dims: _gather_nd_impl(p, i, batch_dims))


def _gather_nd_impl(p, i, batch_dims):
    if batch_dims:
        return jax.vmap(lambda a, b: _gather_nd_impl(a, b, batch_dims - 1))(p, i)
    k = i.shape[-1]
    return p[tuple(jnp.moveaxis(i, -1, 0))] if k else jnp.broadcast_to(p, i.shape[:-1] + p.shape)


def gather_nd(params, indices, batch_dims=0, name=None) -> Tensor:
    """Gathers slices of ``params`` at multi-dimensional ``indices``."""
    p, i = tensor(params), tensor(indices)
    if not is_concrete(i) and i.ndim and p._dtype is not _d.string:
        out = execute(_gather_nd, (p, i), (int(batch_dims),), {"batch_dims": int(batch_dims)})
        _nd_check(i._v, vshape(p), int(batch_dims), "GatherNd", out)
        return out
    if is_concrete(i) and i.ndim:
        iv = host(i)
        shp = vshape(p)[batch_dims:]
        k = iv.shape[-1]
        flat = iv.reshape(-1, k) if iv.size else np.zeros((0, k), int)
        # TF's kernel reports the last row out of bounds
        for r in range(len(flat) - 1, -1, -1):
            row = flat[r]
            for j, v in enumerate(row):
                if not 0 <= v < shp[j]:
                    pos = ",".join(str(int(x)) for x in np.unravel_index(r, iv.shape[:-1]))
                    raise kernel_error("GatherNd", f"indices[{pos}] = {[int(x) for x in row]} "
                                                   f"does not index into param shape "
                                                   f"{fmt_shape(vshape(p))}, node name: GatherNd",
                                       name=None)
    if p._dtype is _d.string:
        iv = host(i)
        return make_string(np.asarray(p._v[tuple(np.moveaxis(iv, -1, 0))], dtype=object))
    return execute(_gather_nd, (p, i), (int(batch_dims),), {"batch_dims": int(batch_dims)})


def _scatter_impl(mode):
    def impl(t, i, u):
        idx = tuple(jnp.moveaxis(i, -1, 0))
        ref = t.at[idx]
        if mode == "update":
            return ref.set(u)
        if mode == "add":
            return ref.add(u)
        if mode == "sub":
            return ref.add(-u)
        if mode == "max":
            return ref.max(u)
        if mode == "min":
            return ref.min(u)
        if mode == "mul":
            return ref.multiply(u)
        return ref.divide(u)
    return impl


_SCATTER = {m: op(f"tensor_scatter_nd_{m}", f"TensorScatter{m.capitalize()}", _scatter_impl(m))
            for m in ("update", "add", "sub", "max", "min", "mul", "div")}


def _nd_check(iv, shape, batch_dims, node, out, resource=None):
    """The traced form of GatherNd's and the scatters' row checks."""
    from .._core.checks import first_bad
    k = iv.shape[-1]
    lim = jnp.asarray(np.array(shape[batch_dims:batch_dims + k], dtype=np.int64))
    rows = iv.reshape(-1, k).astype(jnp.int64) if k else jnp.zeros((0, 0), jnp.int64)
    bad = jnp.any((rows < 0) | (rows >= lim), axis=1)
    r, any_bad = first_bad(bad[::-1])   # TF's kernels report the last bad row
    r = jnp.maximum(bad.shape[0] - 1 - r, 0).astype(jnp.int32)
    row = rows[r] if rows.shape[0] else jnp.zeros((k,), jnp.int64)
    lead = tuple(iv.shape[:-1])
    holder = [node]

    def make_error(vals):
        vals_row = [int(x) for x in vals[1]]
        if node == "GatherNd":
            pos = ",".join(str(int(x)) for x in np.unravel_index(int(vals[0]), lead))
            return InvalidArgumentError(None, None, f"indices[{pos}] = {vals_row} does not index "
                                                    f"into param shape {fmt_shape(shape)}, node "
                                                    f"name: {holder[0]}")
        return InvalidArgumentError(None, None, f"indices[{int(vals[0])}] = "
                                                f"[{', '.join(str(x) for x in vals_row)}] does "
                                                f"not index into shape {fmt_shape(shape)}")
    from .._core.checks import check
    info = check(jnp.logical_not(any_bad), [r, row], make_error, node,
                 (out._v,) if isinstance(out, Tensor) else (), resource)
    if info is not None:
        holder[0] = info.node   # the unique name the function gives this node


def _check_scatter_indices(opname, t_shape, iv):
    if iv.size == 0:
        return
    k = iv.shape[-1]
    flat = iv.reshape(-1, k)
    lim = np.array(t_shape[:k])
    bad = np.any((flat < 0) | (flat >= lim), axis=1)
    if bad.any():
        r = len(bad) - 1 - int(np.argmax(bad[::-1]))   # TF's kernels report the last bad row
        raise kernel_error(opname, f"indices[{r}] = [{', '.join(str(int(x)) for x in flat[r])}] "
                                   f"does not index into shape {fmt_shape(t_shape)}", name=None)


def _tensor_scatter(mode):
    o = _SCATTER[mode]

    def f(tensor_, indices, updates, name=None, _node=None, _resource=None) -> Tensor:
        t = tensor(tensor_)
        i = tensor(indices)
        u = tensor(updates, t.dtype) if not isinstance(updates, Tensor) else updates
        if u.dtype is not t.dtype:
            from .._core.registry import dtype_error
            raise dtype_error(o, 2, t.dtype, u.dtype)
        concrete = is_concrete(i)
        if concrete:
            _check_scatter_indices(o.tf_name, vshape(t), host(i))
        out = execute(o, (t, i, u))
        if not concrete and i.ndim:
            # Note: JAX drops out-of-range scatter updates; TF raises.
            _nd_check(i._v, vshape(t), 0, _node or o.tf_name, out, _resource)
        return out
    f.__name__ = f.__qualname__ = f"tensor_scatter_nd_{mode}"
    f.__doc__ = f"Scatter-{mode}s ``updates`` into a copy of ``tensor`` at ``indices``."
    return f


tensor_scatter_nd_update = _tensor_scatter("update")
tensor_scatter_nd_add = _tensor_scatter("add")
tensor_scatter_nd_sub = _tensor_scatter("sub")
tensor_scatter_nd_max = _tensor_scatter("max")
tensor_scatter_nd_min = _tensor_scatter("min")


def scatter_nd(indices, updates, shape, name=None) -> Tensor:
    """Scatters (summing duplicates) ``updates`` into zeros of ``shape``."""
    u = tensor(updates)
    i = tensor(indices)
    dims = _dims(shape)
    concrete = is_concrete(i)
    if concrete:
        _check_scatter_indices("ScatterNd", dims, host(i))
    out = execute(_SCATTER["add"], (zeros(dims, u.dtype), i, u))
    if not concrete and i.ndim:
        _nd_check(i._v, dims, 0, "ScatterNd", out)
    return out


def boolean_mask(tensor, mask, axis=None, name="boolean_mask") -> Tensor:
    """The elements (or slices) of ``tensor`` where ``mask`` is true."""
    # A RaggedTensor argument: the ragged package's hook (set on RaggedTensor from above).
    ragged = getattr(type(tensor), "_ragged_boolean_mask", None) or \
        getattr(type(mask), "_ragged_boolean_mask", None)
    if ragged is not None:
        return ragged(tensor, mask, axis)
    t = _as_tensor(tensor)
    m = _as_tensor(mask)
    ax = 0 if axis is None else int(to_static(axis))
    k = m.ndim
    if k == 0:
        raise ValueError("mask cannot be scalar.")
    shp = vshape(t)
    if tuple(shp[ax:ax + k]) != tuple(vshape(m)):
        raise ValueError(f"Shapes {TensorShape(shp[ax:ax + k])} and {m.shape} are incompatible")
    flat = reshape(t, list(shp[:ax]) + [-1] + list(shp[ax + k:])) if k != 1 else t
    idx = where(reshape(m, [-1]))
    idx = reshape(idx, [-1])
    return gather(flat, idx, axis=ax)


_one_hot = op("one_hot", "OneHot", lambda i, on, off, depth, axis: jnp.where(
    jnp.expand_dims(i, axis) == jnp.arange(depth).reshape(
        [depth if d == (axis % (i.ndim + 1)) else 1 for d in builtins_range(i.ndim + 1)]),
    on, off), differentiable=True)


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None,
            name=None) -> Tensor:
    """One-hot vectors of length ``depth`` (out-of-range indices give all ``off_value``)."""
    i = tensor(indices)
    if on_value is not None and off_value is not None and dtype is None:
        on_t, off_t = tensor(on_value), tensor(off_value)
        if on_t.dtype is not off_t.dtype:
            raise TypeError(f"dtype {on_t.dtype} of on_value does not match dtype {off_t.dtype} "
                            f"of off_value")
    dt = _d.as_dtype(dtype) if dtype is not None else (
        tensor(on_value).dtype if on_value is not None else
        tensor(off_value).dtype if off_value is not None else _d.float32)
    on = tensor(1 if on_value is None else on_value, dt)
    off = tensor(0 if off_value is None else off_value, dt)
    ax = -1 if axis is None else int(axis)
    d = int(to_static(depth))
    if d < 0:
        raise kernel_error("OneHot", f"depth must be non-negative, got: {d}", name=None)
    return execute(_one_hot, (i, on, off), (d, ax), {"depth": d, "axis": ax})


def sequence_mask(lengths, maxlen=None, dtype=_d.bool, name=None):
    from .cast_ops import cast
    from .comparison_ops import less
    from .creation_ops import range  # tf.range (the module-level range is the builtin)
    lt = tensor(lengths)
    ml = int(host(lt).max()) if maxlen is None else int(to_static(maxlen))
    r = range(ml, dtype=lt.dtype)
    return cast(less(r, expand_dims(lt, -1)), dtype)

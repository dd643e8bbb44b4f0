"""Shape information and manipulation: reshape, transpose, squeeze, broadcast, concat, stack,
split, tile, pad, reverse, repeat, roll, meshgrid.
"""
from __future__ import annotations

import builtins as _builtins
import time

import numpy as np
import jax.numpy as jnp

from .._core import dtypes as _d, host as _host
from .._core.convert import _asarray, convert_to_tensor, to_static
from .._core.errors import InvalidArgumentError, kernel_error
from .._core.graph_names import label
from .._core.registry import STATE, execute, op
from .._core.shape import TensorShape
from .._core.tensor import EagerTensor, PendingTensor, Tensor, make, make_string, vshape
from ._declare import dispatches
from ._util import fmt_shape, host, is_concrete, static_axis, tensor
from .creation_ops import _check_dims, _dims, identity, zeros


_as_tensor = tensor  # functions whose TF argument is named ``tensor`` shadow the helper
builtins_range = _builtins.range


# -- shape information -------------------------------------------------------------------------
@dispatches("shape")
def shape(input, out_type=_d.int32, name=None) -> Tensor:  # noqa: A002
    """The shape of a tensor, as an int32 tensor (of a RaggedTensor, through its dispatch, a
    ``tf.experimental.DynamicRaggedShape`` with ``out_type`` as its dtype)."""
    s = input.shape if hasattr(input, "shape") and not isinstance(input, (list, tuple)) \
        else tensor(input).shape
    dt = _d.as_dtype(out_type)
    v = getattr(input, "_v", None)
    if v is not None and any(type(d) is not int for d in getattr(v, "shape", ())):
        # Unknown sizes in a tf.function trace: the shape is computed when the program runs.
        return label(make(jnp.stack([jnp.asarray(d, dt._np) for d in v.shape]), dt), "Shape")
    return label(make(jnp.asarray(np.array(s.as_list() if isinstance(s, TensorShape) else list(s),
                                           dtype=dt._np)), dt), "Shape")


def shape_n(input, out_type=_d.int32, name=None):  # noqa: A002
    return [shape(i, out_type) for i in input]


def rank(input, name=None) -> Tensor:  # noqa: A002
    """The number of dimensions, as an int32 scalar."""
    return label(make(jnp.asarray(np.int32(tensor(input).ndim)), _d.int32), "Rank")


def size(input, out_type=_d.int32, name=None) -> Tensor:  # noqa: A002
    """The number of elements."""
    dt = _d.as_dtype(out_type)
    t = tensor(input)
    if t._dtype is not _d.string and any(type(d) is not int for d in vshape(t)):
        n = 1
        for d in vshape(t):
            n = n * d
        return label(make(jnp.asarray(n, dt._np), dt), "Size")    # known when the program runs
    n = int(np.prod(t.shape.as_list(), dtype=np.int64))
    return label(make(jnp.asarray(np.array(n, dtype=dt._np)), dt), "Size")


# -- reshaping ---------------------------------------------------------------------------------
_reshape = op("reshape", "Reshape", lambda x, shape: jnp.reshape(x, shape))


def reshape(tensor, shape, name=None) -> Tensor:
    """Reshapes; one dimension may be -1.

    >>> import tftape as tf
    >>> tf.reshape(tf.constant([77., -88.]), (1, 2))
    <tf.Tensor: shape=(1, 2), dtype=float32, numpy=array([[ 77., -88.]], dtype=float32)>
    """
    if getattr(shape, "_is_ragged_shape", False):
        # A DynamicRaggedShape: the values in row-major order, reshaped to its inner shape
        # and partitioned into its rows (a RaggedTensor); TF's error then ends in " name: ".
        flat = _reshaped(getattr(tensor, "flat_values", tensor), [-1], None)
        return shape._filled(lambda inner: _reshaped(flat, inner, ""))
    return _reshaped(tensor, shape, None)


def _reshaped(tensor, shape, error_name) -> Tensor:
    t = _as_tensor(tensor)
    dims = list(_dims(shape))
    if t._dtype is not _d.string and any(type(d) is not int for d in vshape(t)):
        # Unknown sizes in a tf.function trace: JAX checks and infers (-1) symbolically.
        dims = tuple(dims)
        return label(execute(_reshape, (t,), (dims,), {"shape": dims}), "Reshape")
    n = int(np.prod(vshape(t), dtype=np.int64))
    unknown = [i for i, d in enumerate(dims) if d == -1]
    known = int(np.prod([d for d in dims if d != -1], dtype=np.int64))
    if len(unknown) > 1:
        raise kernel_error("Reshape", f"Only one input size may be -1, not both {unknown[0]} and "
                                      f"{unknown[1]}", name=None)
    if unknown:
        if known == 0 or n % known:
            raise InvalidArgumentError(None, None, _reshape_msg(
                f"Input to reshape is a tensor with {n} values, but the requested shape requires "
                f"a multiple of {known}", error_name))
        dims[unknown[0]] = n // known
    elif known != n:
        raise InvalidArgumentError(None, None, _reshape_msg(
            f"Input to reshape is a tensor with {n} values, but the requested shape has {known}",
            error_name))
    dims = tuple(dims)
    if t._dtype is _d.string:
        return make_string(t._v.reshape(dims))
    if dims == vshape(t):
        return t if not _recording() else execute(_reshape, (t,), (dims,), {"shape": dims})
    out = _host_reshape(t, dims)
    if out is not None:
        return out
    return execute(_reshape, (t,), (dims,), {"shape": dims})


def _recording():
    return bool(STATE.tapes)


# An eager reshape compiles a kernel per input and output shape (~20-40 ms on the CPU), which
# a loop over changing shapes (sequence lengths, the last partial batch) pays at every new
# shape: a CPU array the host tier takes (``_core.host.eligible``) is reshaped on the host
# and transferred back instead, when nothing watches it (no tape, accumulator or trace),
# until the time spent so for one input and output shape would have paid for compiling its
# kernel; from then on the compiled kernel, which does not wait for the array to be computed.
_HOST_RENT: dict = {}
_HOST_RENT_MAX = 4096


def _host_reshape(t, dims):
    """``t`` reshaped on the host, or None where the compiled kernel should do it."""
    if STATE.tapes or STATE.accumulators or STATE.tracing:
        return None
    if type(t) is not EagerTensor and not (type(t) is PendingTensor and
                                           t._pend[0].vals is not None):
        return None      # a value not computed yet: deferred with the ops that use it
    v = t._v
    if not _host.eligible((v,), any_dtype=True):
        return None
    key = (v.shape, dims, v.dtype)
    spent = _HOST_RENT.get(key, 0.0)
    if spent >= _host.compile_estimate("op_kernels"):
        return None
    if len(_HOST_RENT) >= _HOST_RENT_MAX:
        _HOST_RENT.clear()
    start = time.perf_counter()
    out = make(_asarray(np.asarray(v).reshape(dims)), t._dtype)
    _HOST_RENT[key] = spent + time.perf_counter() - start
    return out


def _reshape_msg(m, name=None):
    return str(kernel_error("Reshape", m, name=name))


_transpose = op("transpose", "Transpose", lambda x, perm: jnp.transpose(x, perm))


def transpose(a, perm=None, conjugate=False, name="transpose") -> Tensor:
    """Permutes dimensions (reverses them by default)."""
    t = tensor(a)
    nd = t.ndim
    p = tuple(builtins_range(nd))[::-1] if perm is None else tuple(int(i) for i in to_static(perm))
    if len(p) != nd:
        raise kernel_error("Transpose", f"transpose expects a vector of size {nd}. But input(1) "
                                        f"is a vector of size {len(p)}", name=None)
    for i in p:
        if not -nd <= i < nd:
            raise kernel_error("Transpose", f"{i} is out of range [0 .. {nd})", name=None)
    for i in builtins_range(nd):
        if i not in [j % nd for j in p]:
            raise kernel_error("Transpose", f"{i} is missing from {{{','.join(map(str, p))}}}.",
                               name=None)
    p = tuple(i % nd for i in p)
    if t._dtype is _d.string:
        return make_string(np.transpose(t._v, p))
    out = execute(_transpose, (t,), (p,), {"perm": p})
    if conjugate and t.dtype.is_complex:
        from .unary_ops import conj
        out = conj(out)
    return out


def squeeze(input, axis=None, name=None) -> Tensor:  # noqa: A002
    """Removes size-1 dimensions."""
    t = tensor(input)
    shp = vshape(t)
    if axis is None:
        dims = tuple(d for d in shp if d != 1)
    else:
        ax = static_axis(axis)
        ax = (ax,) if isinstance(ax, int) else ax
        nd = len(shp)
        for a in ax:
            if not -nd <= a < nd:
                raise kernel_error("Squeeze", f"Tried to squeeze dim index {a} for tensor with "
                                              f"{nd} dimensions.")
            if shp[a % nd] != 1:
                raise kernel_error("Squeeze", f"Can not squeeze dim[{a % nd}], expected a "
                                              f"dimension of 1, got {shp[a % nd]}")
        axs = {a % nd for a in ax}
        dims = tuple(d for i, d in enumerate(shp) if i not in axs)
    return reshape(t, dims)


def expand_dims(input, axis, name=None) -> Tensor:  # noqa: A002
    """Inserts a size-1 dimension at ``axis``."""
    t = tensor(input)
    nd = t.ndim
    a = int(to_static(axis))
    if not -nd - 1 <= a <= nd:
        raise kernel_error("ExpandDims", f"Tried to expand dim index {a} for tensor with {nd} "
                                         f"dimensions.")
    a = a % (nd + 1)
    dims = list(vshape(t))
    dims.insert(a, 1)
    return reshape(t, dims)


_broadcast_to = op("broadcast_to", "BroadcastTo", lambda x, shape: jnp.broadcast_to(x, shape))


def broadcast_to(input, shape, name=None) -> Tensor:  # noqa: A002
    """Broadcasts to ``shape``."""
    t = tensor(input)
    dims = _dims(shape)
    _check_dims("BroadcastTo", dims)
    src = vshape(t)
    ok = len(src) <= len(dims) and all(a == b or a == 1 for a, b in zip(src[::-1], dims[::-1]))
    if not ok:
        raise kernel_error("BroadcastTo", f"Incompatible shapes: {fmt_shape(src)} vs. "
                                          f"{fmt_shape(dims)}", name=None)
    return execute(_broadcast_to, (t,), (dims,), {"shape": dims})


def broadcast_static_shape(shape_x, shape_y):
    a, b = shape_x, shape_y
    return TensorShape(np.broadcast_shapes(tuple(a.as_list()), tuple(b.as_list())))


def broadcast_dynamic_shape(shape_x, shape_y):
    a, b = shape_x, shape_y
    s = np.broadcast_shapes(tuple(host(tensor(a)).tolist()), tuple(host(tensor(b)).tolist()))
    return tensor(list(s), tensor(a).dtype)


# -- joining and splitting ----------------------------------------------------------------------
_concat = op("concat", "ConcatV2", lambda *xs, axis: jnp.concatenate(xs, axis=axis))
_stack = op("stack", "Pack", lambda *xs, axis: jnp.stack(xs, axis=axis))


def _same_dtype(o, values, name=""):
    ts = [v if isinstance(v, Tensor) else None for v in values]
    first = next((t for t in ts if t is not None), None)
    hint = first.dtype if first is not None else None
    if hint is None and values:
        # Only Python/NumPy values: TF infers one dtype for the whole list ([1, 2.] -> float32).
        try:
            hint = convert_to_tensor(values).dtype
        except (TypeError, ValueError):
            pass
    out = []
    for i, v in enumerate(values):
        t = v if isinstance(v, Tensor) else convert_to_tensor(v, dtype_hint=hint)
        if hint is None:
            hint = t.dtype
        if t.dtype is not hint:
            from .._core.errors import op_error
            raise op_error(o.tf_name, f"cannot compute {o.tf_name} as input #{i}(zero-based) was "
                                      f"expected to be a {_d.TF_TYPE_NAMES[hint]} tensor but is a "
                                      f"{_d.TF_TYPE_NAMES[t.dtype]} tensor", name=name)
        out.append(t)
    return out


def concat(values, axis, name="concat") -> Tensor:
    """Joins tensors along ``axis``.

    >>> import tftape as tf
    >>> tf.concat([[1, 2], [3]], axis=0)
    <tf.Tensor: shape=(3,), dtype=int32, numpy=array([1, 2, 3], dtype=int32)>
    """
    if any(hasattr(v, "_ragged_concat") for v in values):
        return next(v for v in values if hasattr(v, "_ragged_concat"))._ragged_concat(values, axis)
    if any(hasattr(v, "_sparse_concat") for v in values):
        return next(v for v in values if hasattr(v, "_sparse_concat"))._sparse_concat(values, axis)
    if not len(values):
        raise InvalidArgumentError(None, None, "OpKernel 'ConcatV2' has constraint on attr 'T' "
                                               "not in NodeDef '[N=0, Tidx=DT_INT32]'")
    ts = _same_dtype(_concat, list(values), name)
    if len(ts) == 1:
        return identity(ts[0])
    nd = ts[0].ndim
    ax = int(to_static(axis))
    if not -nd <= ax < nd:
        raise kernel_error("ConcatV2", f"ConcatOp : Expected concatenating dimensions in the range "
                                       f"[{-nd}, {nd}), but got {ax}", name=name,
                           wrapped=f"ConcatV2_N_{len(ts)}")
    ax %= nd
    s0 = ts[0]._v.shape
    for i, t in enumerate(ts[1:], 1):
        s = vshape(t)
        if len(s) != nd:
            raise kernel_error("ConcatV2", f"ConcatOp : Ranks of all input tensors should match: "
                                           f"shape[0] = {fmt_shape(s0)} vs. shape[{i}] = "
                                           f"{fmt_shape(s)}", name=name,
                               wrapped=f"ConcatV2_N_{len(ts)}")
        for d in builtins_range(nd):
            if d != ax and s[d] != s0[d]:
                raise kernel_error("ConcatV2", f"ConcatOp : Dimension {d} in both shapes must be "
                                               f"equal: shape[0] = {fmt_shape(s0)} vs. shape[{i}] "
                                               f"= {fmt_shape(s)}", name=name,
                                   wrapped=f"ConcatV2_N_{len(ts)}")
    if ts[0]._dtype is _d.string:
        return make_string(np.concatenate([t._v for t in ts], axis=ax))
    return execute(_concat, ts, (ax,), {"axis": ax})




def stack(values, axis=0, name="stack") -> Tensor:
    """Stacks rank-R tensors into one rank-(R+1) tensor along ``axis``."""
    if any(hasattr(v, "_ragged_stack") for v in values):
        return next(v for v in values if hasattr(v, "_ragged_stack"))._ragged_stack(values, axis)
    if not len(values):
        return zeros((0,), _d.float32)
    ts = _same_dtype(_stack, list(values), name)
    nd = ts[0].ndim
    ax = int(to_static(axis))
    if not -nd - 1 <= ax <= nd:
        raise ValueError(f"Argument `axis` = {ax} not in range [{-nd - 1}, {nd + 1})")
    ax %= nd + 1
    s0 = ts[0]._v.shape
    for i, t in enumerate(ts[1:], 1):
        if vshape(t) != s0:
            raise kernel_error("Pack", f"Shapes of all inputs must match: values[0].shape = "
                                       f"{fmt_shape(s0)} != values[{i}].shape = "
                                       f"{fmt_shape(vshape(t))}", name=name,
                               wrapped=f"Pack_N_{len(ts)}")
    if ts[0]._dtype is _d.string:
        return make_string(np.stack([t._v for t in ts], axis=ax))
    return execute(_stack, ts, (ax,), {"axis": ax})


_unstack = op("unstack", "Unpack", lambda x, axis: tuple(jnp.moveaxis(x, axis, 0)))


def unstack(value, num=None, axis=0, name="unstack"):
    """Splits a tensor into a list along ``axis``."""
    t = tensor(value)
    nd = t.ndim
    ax = int(axis)
    if not -nd <= ax < nd:
        raise ValueError(f"Argument `axis` = {ax} not in range [{-nd}, {nd})")
    ax %= nd
    if num is not None and int(num) != vshape(t)[ax]:
        raise kernel_error("Unpack", f"Input shape axis {ax} must equal {int(num)}, got shape "
                                     f"{fmt_shape(vshape(t))}", name=name,
                           wrapped=f"Unpack_num_{int(num)}")
    if vshape(t)[ax] == 0:
        return []
    if t._dtype is _d.string:
        return [make_string(a) for a in np.moveaxis(t._v, ax, 0)]
    return list(execute(_unstack, (t,), (ax,), {"axis": ax}))


_split = op("split", "SplitV", lambda x, sizes, axis: tuple(
    jnp.split(x, np.cumsum(sizes)[:-1].tolist(), axis=axis)))


def split(value, num_or_size_splits, axis=0, num=None, name="split"):
    """Splits into equal parts or parts of given sizes along ``axis``."""
    t = tensor(value)
    ax = int(to_static(axis)) % t.ndim
    n = vshape(t)[ax]
    s = to_static(num_or_size_splits)
    if isinstance(s, int):
        if s <= 0 or n % s:
            raise kernel_error("Split", f"Number of ways to split should evenly divide the split "
                                        f"dimension, but got split_dim {ax} (size = {n}) and "
                                        f"num_split {s}", name=name,
                               wrapped=f"Split_num_split_{s}")
        sizes = (n // s,) * s
    else:
        sizes = list(s)
        if -1 in sizes:
            sizes[sizes.index(-1)] = n - (sum(sizes) + 1)
        if sum(sizes) != n:
            raise kernel_error("SplitV", f"Determined shape must either match input shape along "
                                         f"split_dim exactly if fully specified, or be less than "
                                         f"the size of the input along split_dim if not fully "
                                         f"specified.  Got: {sum(sizes)}", name=name,
                               wrapped=f"SplitV_num_split_{len(sizes)}")
        sizes = tuple(int(x) for x in sizes)
    if t._dtype is _d.string:
        return [make_string(a) for a in np.split(t._v, np.cumsum(sizes)[:-1], axis=ax)]
    return list(execute(_split, (t,), (sizes, ax), {"sizes": sizes, "axis": ax}))


_tile = op("tile", "Tile", lambda x, reps: jnp.tile(x, reps))


def tile(input, multiples, name=None) -> Tensor:  # noqa: A002
    """Repeats a tensor ``multiples[i]`` times along dimension i."""
    t = tensor(input)
    m = _dims(multiples)
    if len(m) != t.ndim:
        raise kernel_error("Tile", f"Expected multiples argument to be a vector of length "
                                   f"{t.ndim} but got length {len(m)}", name=None)
    for i, k in enumerate(m):
        if k < 0:
            raise kernel_error("Tile", f"Expected multiples[{i}] >= 0, but got {k}", name=None)
    if t._dtype is _d.string:
        return make_string(np.tile(t._v, m))
    return execute(_tile, (t,), (m,), {"reps": m})


def _pad_impl(x, c, paddings, mode):
    if mode == "CONSTANT":
        return jnp.pad(x, paddings, constant_values=c)
    return jnp.pad(x, paddings, mode="reflect" if mode == "REFLECT" else "symmetric")


_pad = op("pad", "PadV2", _pad_impl)


def pad(tensor, paddings, mode="CONSTANT", constant_values=0, name=None) -> Tensor:
    """Pads with a constant, or by reflection (``REFLECT``/``SYMMETRIC``)."""
    t = _as_tensor(tensor)
    p = tuple(tuple(int(v) for v in row) for row in to_static(paddings))
    mode = mode.upper()
    if mode not in ("CONSTANT", "REFLECT", "SYMMETRIC"):
        raise ValueError(f'Value of argument `mode` expected to be one of "CONSTANT", "REFLECT", '
                         f'or "SYMMETRIC". Received `mode` = {mode}')
    c = _as_tensor(constant_values, t.dtype)
    # TF runs Pad for a zero constant, PadV2 for another constant and MirrorPad otherwise.
    # (Inside tf.function the constant may be symbolic: the name only shows in messages.)
    opname = "MirrorPad" if mode != "CONSTANT" else "PadV2" if not is_concrete(c) else \
        "Pad" if not np.any(c.numpy()) else "PadV2"
    if len(p) != t.ndim:
        raise kernel_error(opname, f"The first dimension of paddings must be the rank of inputs"
                                   f"[{len(p)},2]{',' if mode != 'CONSTANT' else ''} "
                                   f"{fmt_shape(vshape(t))}", name=None)
    for i, (lo, hi) in enumerate(p):
        n = vshape(t)[i]
        if mode == "REFLECT" and (lo >= n or hi >= n):
            raise kernel_error(opname, f"paddings must be less than the dimension size: {lo}, "
                                       f"{hi} not less than {n}", name=None)
        if mode == "SYMMETRIC" and (lo > n or hi > n):
            raise kernel_error(opname, f"paddings must be no greater than the dimension size: "
                                       f"{lo}, {hi} greater than {n}", name=None)
    return execute(_pad, (t, c), (p, mode), {"paddings": p, "mode": mode})


_reverse = op("reverse", "ReverseV2", lambda x, axis: jnp.flip(x, axis))


def reverse(tensor, axis, name=None) -> Tensor:
    """Reverses the given dimensions."""
    t = _as_tensor(tensor)
    ax = static_axis(axis)
    ax = (ax,) if isinstance(ax, int) else ax
    for i, a in enumerate(ax):
        if not -t.ndim <= a < t.ndim:
            # (TF's message really lacks the closing bracket.)
            raise kernel_error("ReverseV2", f"'axis'[{i}] = {a} is out of valid range [0, "
                                            f"{t.ndim - 1}", name=None)
    ax = tuple(sorted(a % t.ndim for a in ax))
    if t._dtype is _d.string:
        return make_string(np.flip(t._v, ax))
    return execute(_reverse, (t,), (ax,), {"axis": ax})


def meshgrid(*args, **kwargs):
    """Coordinate matrices from coordinate vectors (``indexing='xy'`` or ``'ij'``)."""
    ts = [tensor(a) for a in args]
    idx = kwargs.get("indexing", "xy")
    n = len(ts)
    out = []
    shape_ = [vshape(t)[0] for t in ts]
    if idx == "xy" and n > 1:
        shape_[0], shape_[1] = shape_[1], shape_[0]
    for i, t in enumerate(ts):
        s = [1] * n
        pos = i
        if idx == "xy" and n > 1 and i < 2:
            pos = 1 - i
        s[pos] = -1
        out.append(broadcast_to(reshape(t, s), shape_))
    return out


_repeat = op("repeat", "Repeat", lambda x, repeats, axis, total: jnp.repeat(
    x, np.asarray(repeats), axis=axis, total_repeat_length=total))


def repeat(input, repeats, axis=None, name=None) -> Tensor:  # noqa: A002
    """Repeats elements (of the flattened tensor if ``axis`` is None) ``repeats`` times."""
    t = tensor(input)
    r = to_static(repeats)
    r = tuple(r) if isinstance(r, list) else int(r)
    if axis is None:
        t = reshape(t, [-1])
        axis = 0
    ax = int(to_static(axis)) % max(t.ndim, 1)
    total = int(np.sum(np.broadcast_to(np.asarray(r), (vshape(t)[ax],))))
    return execute(_repeat, (t,), (r, ax, total), {"repeats": r, "axis": ax, "total": total})


_roll = op("roll", "Roll", lambda x, shift, axis: jnp.roll(x, shift, axis))


def roll(input, shift, axis, name=None) -> Tensor:  # noqa: A002
    """Rotates elements by ``shift`` along ``axis`` (both may be lists)."""
    t = tensor(input)
    sh, ax = to_static(shift), to_static(axis)
    sh = tuple(sh) if isinstance(sh, list) else int(sh)
    ax = tuple(ax) if isinstance(ax, list) else int(ax)
    return execute(_roll, (t,), (sh, ax), {"shift": sh, "axis": ax})

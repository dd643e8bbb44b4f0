"""Shape, creation, indexing and gather/scatter ops."""
from __future__ import annotations

import builtins as _builtins

import numpy as np
import jax
import jax.numpy as jnp
from jax import lax

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor, to_static
from .._core.errors import InvalidArgumentError, kernel_error
from .._core.graph_names import label
from .._core.registry import Op, check_dtype, convert_inputs, execute, op
from .._core.shape import TensorShape
from .._core.tensor import Tensor, make, make_string, vshape
from ._util import NUMERIC, REAL, fmt_shape, host, is_concrete, static_axis, tensor

_as_tensor = tensor  # functions whose TF argument is named ``tensor`` shadow the helper


builtins_range = _builtins.range


def _host_or_device(o_name, t: Tensor, np_fn, *args):
    """Runs a layout op on a string tensor's host array (JAX has no strings)."""
    return make_string(np.asarray(np_fn(t._v, *args), dtype=object))


# -- creation ------------------------------------------------------------------------------------
def _dims(shape) -> tuple:
    s = to_static(shape)
    if isinstance(s, TensorShape):
        s = s.as_list()
    if isinstance(s, int):
        s = [s]
    return tuple(int(d) for d in s)


def _filled(shape, value, dtype):
    dt = _d.as_dtype(dtype)
    if dt is _d.string:
        return make_string(np.full(_dims(shape), value if value != 0 else b"", dtype=object))
    return make(jnp.full(_dims(shape), value, dtype=dt._np), dt)


def zeros(shape, dtype=_d.float32, name=None, layout=None) -> Tensor:
    """A tensor of zeros."""
    return label(_filled(shape, 0, dtype), "Const", "zeros")


def ones(shape, dtype=_d.float32, name=None, layout=None) -> Tensor:
    """A tensor of ones.

    >>> import tftape as tf
    >>> tf.ones([3])
    <tf.Tensor: shape=(3,), dtype=float32, numpy=array([1., 1., 1.], dtype=float32)>
    """
    return label(_filled(shape, 1, dtype), "Const", "ones")


def zeros_like(input, dtype=None, name=None, layout=None) -> Tensor:  # noqa: A002
    t = tensor(input)
    return label(_filled_like(t, 0, dtype or t.dtype), "ZerosLike", "zeros_like")


def ones_like(input, dtype=None, name=None, layout=None) -> Tensor:  # noqa: A002
    t = tensor(input)
    return label(_filled_like(t, 1, dtype or t.dtype), "OnesLike", "ones_like")


def _filled_like(t, value, dtype):
    dt = _d.as_dtype(dtype)
    if dt is _d.string or t._dtype is _d.string:
        return _filled(t.shape.as_list(), value, dt)
    # The array's own shape: symbolic sizes in a tf.function trace stay symbolic.
    return make(jnp.full(vshape(t), value, dtype=dt._np), dt)


_fill = op("fill", "Fill", lambda v, shape: jnp.broadcast_to(v, shape))


def fill(dims, value, name=None, layout=None) -> Tensor:
    """A tensor of shape ``dims`` filled with the scalar ``value``."""
    v = tensor(value)
    d = _dims(dims)
    _check_dims("Fill", d)
    if v._dtype is _d.string:
        return make_string(np.full(d, v.numpy(), dtype=object))
    return execute(_fill, (v,), (d,), {"shape": d})


def _check_dims(op_name, dims, name=None):
    for x in dims:
        if x < 0:
            raise kernel_error(op_name, f"Dimension {x} must be >= 0", name=name)


def eye(num_rows, num_columns=None, batch_shape=None, dtype=_d.float32, name=None) -> Tensor:
    """An identity matrix (or a batch of them)."""
    dt = _d.as_dtype(dtype)
    _check_dims("Fill", [int(num_rows)] + ([] if num_columns is None else [int(num_columns)]),
                name="")
    m = jnp.eye(int(num_rows), None if num_columns is None else int(num_columns), dtype=dt._np)
    if batch_shape is not None:
        m = jnp.broadcast_to(m, _dims(batch_shape) + m.shape)
    return make(m, dt)


def range(start, limit=None, delta=1, dtype=None, name="range") -> Tensor:  # noqa: A001
    """Like Python's range, as a tensor (``tf.range``)."""
    if limit is None:
        start, limit = 0, start
    vals = [to_static(v) for v in (start, limit, delta)]
    if dtype is None:
        ts = [v for v in (start, limit, delta) if isinstance(v, Tensor)]
        if ts:
            order = [_d.int32, _d.int64, _d.float16, _d.bfloat16, _d.float32, _d.float64]
            dt = max((t.dtype for t in ts), key=order.index)
        elif any(isinstance(v, float) for v in vals):
            dt = _d.float32
        else:
            dt = _d.int32
    else:
        dt = _d.as_dtype(dtype)
    if vals[2] == 0:
        raise kernel_error("Range", "Requires delta != 0: 0")
    if (vals[2] > 0 and vals[0] > vals[1]) or (vals[2] < 0 and vals[0] < vals[1]):
        raise kernel_error("Range", f"Requires start <= limit when delta > 0: {vals[0]}/{vals[1]}"
                           if vals[2] > 0 else
                           f"Requires start >= limit when delta < 0: {vals[0]}/{vals[1]}")
    return make(jnp.asarray(np.arange(vals[0], vals[1], vals[2]).astype(dt._np)), dt)


def linspace(start, stop, num, name=None, axis=0) -> Tensor:
    """``num`` evenly spaced values from ``start`` to ``stop`` inclusive."""
    s = tensor(start)
    e = stop if isinstance(stop, Tensor) else tensor(stop, s.dtype)
    if s.dtype.is_integer:
        # TF computes integer endpoints in float64.
        from .math_ops import cast
        s, e = cast(s, _d.float64), cast(e, _d.float64)
    n = int(to_static(num))
    return execute(_linspace, (s, e), (n, int(axis)), {"num": n, "axis": int(axis)})


_linspace = op("linspace", "LinSpace", lambda s, e, num, axis: jnp.linspace(
    s, e, num, axis=axis, dtype=s.dtype))


lin_space = linspace


def identity(input, name=None) -> Tensor:  # noqa: A002
    """Returns a tensor with the same value (a Variable is read)."""
    if hasattr(input, "_composite_identity"):
        return input._composite_identity()
    t = tensor(input)
    if t._dtype is _d.string:
        return t
    return execute(_identity, (t,))


_identity = op("identity", "Identity", lambda x: x)


def stop_gradient(input, name=None) -> Tensor:  # noqa: A002
    """Blocks gradients: the value passes, the tape records nothing."""
    t = tensor(input)
    if t._dtype is _d.string:
        return t
    return execute(_stop_gradient, (t,))


_stop_gradient = op("stop_gradient", "StopGradient", lax.stop_gradient, differentiable=False)


# -- shape information -------------------------------------------------------------------------
def shape(input, out_type=_d.int32, name=None) -> Tensor:  # noqa: A002
    """The shape of a tensor, as an int32 tensor."""
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
                f"a multiple of {known}"))
        dims[unknown[0]] = n // known
    elif known != n:
        raise InvalidArgumentError(None, None, _reshape_msg(
            f"Input to reshape is a tensor with {n} values, but the requested shape has {known}"))
    dims = tuple(dims)
    if t._dtype is _d.string:
        return make_string(t._v.reshape(dims))
    if dims == vshape(t):
        return t if not _recording() else execute(_reshape, (t,), (dims,), {"shape": dims})
    return execute(_reshape, (t,), (dims,), {"shape": dims})


def _recording():
    from .._core.registry import STATE
    return bool(STATE.tapes)


def _reshape_msg(m):
    return str(kernel_error("Reshape", m, name=None))


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
        from .math_ops import conj
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
    f.__name__ = f"tensor_scatter_nd_{mode}"
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


# -- selection ----------------------------------------------------------------------------------
_where3 = op("where", "SelectV2", lambda c, x, y: jnp.where(c, x, y))


def where(condition, x=None, y=None, name=None) -> Tensor:
    """With one argument, the coordinates of true values (int64); with three, a select."""
    c = tensor(condition)
    if x is None and y is None:
        cv = host(c)
        return make(jnp.asarray(np.argwhere(cv).astype(np.int64)), _d.int64)
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    a, b = convert_inputs(_where3, (x, y))
    if c.dtype is not _d.bool:
        raise ValueError(f"Tensor conversion requested dtype bool for Tensor with dtype "
                         f"{c.dtype.name}: {c!r}")
    try:
        np.broadcast_shapes(vshape(c), vshape(a), vshape(b))
    except ValueError:
        raise kernel_error("SelectV2", f"condition {fmt_shape(vshape(c))}, then "
                                       f"{fmt_shape(vshape(a))}, and else "
                                       f"{fmt_shape(vshape(b))} must be broadcastable",
                           name=None) from None
    if a._dtype is _d.string:
        return make_string(np.where(host(c), a._v, b._v))
    return execute(_where3, (c, a, b))


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


# -- clipping, sorting --------------------------------------------------------------------------
def _clip_fwd(x, lo, hi):
    return jnp.clip(x, lo, hi), (x, lo, hi)


def _clip_bwd(res, g):
    # Note: TF passes the gradient at the bounds themselves (lo <= x <= hi); JAX halves it.
    from .math_ops import _unbroadcast
    x, lo, hi = res
    inside = (x >= lo) & (x <= hi)
    gx = jnp.where(inside, g, 0)
    glo = _unbroadcast(jnp.where(x < lo, g, 0), jnp.shape(lo))
    ghi = _unbroadcast(jnp.where(x > hi, g, 0), jnp.shape(hi))
    return gx, glo, ghi


_clip = op("clip_by_value", "ClipByValue", lambda x, lo, hi: jnp.clip(x, lo, hi), dtypes=REAL,
           tf_grad=(_clip_fwd, _clip_bwd))


def clip_by_value(t, clip_value_min, clip_value_max, name=None) -> Tensor:
    """Clamps values into [min, max]."""
    x, lo, hi = convert_inputs(_clip, (t, clip_value_min, clip_value_max))
    return execute(_clip, (x, lo, hi))


def clip_by_norm(t, clip_norm, axes=None, name=None) -> Tensor:
    """Rescales ``t`` so that its L2 norm over ``axes`` is at most ``clip_norm``."""
    from . import math_ops as m
    x = tensor(t)
    l2sum = m.reduce_sum(x * x, axes, keepdims=True)
    pred = l2sum > 0
    l2sum_safe = where(pred, l2sum, ones_like(l2sum))
    l2norm = where(pred, m.sqrt(l2sum_safe), l2sum)
    cn = tensor(clip_norm, x.dtype)
    return identity(x * cn / m.maximum(l2norm, cn))


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    from . import math_ops as m
    ts = [None if t is None else tensor(t) for t in t_list]
    if use_norm is None:
        use_norm = global_norm(ts)
    use_norm = tensor(use_norm)
    cn = tensor(clip_norm, use_norm.dtype)
    scale = cn * m.minimum(1.0 / use_norm, tensor(1.0, use_norm.dtype) / cn)
    return [None if t is None else t * m.cast(scale, t.dtype) for t in ts], use_norm


def global_norm(t_list, name=None):
    from . import math_ops as m
    ts = [tensor(t) for t in t_list if t is not None]
    return m.sqrt(m.add_n([m.reduce_sum(t * t) for t in ts]))


def _sort_impl(x, axis, descending):
    if descending:
        return -jnp.sort(-x, axis=axis) if jnp.issubdtype(x.dtype, jnp.floating) or \
            jnp.issubdtype(x.dtype, jnp.signedinteger) else jnp.flip(jnp.sort(x, axis), axis)
    return jnp.sort(x, axis=axis)


_sort = op("sort", "Sort", _sort_impl, dtypes=REAL)
_argsort = op("argsort", "ArgSort", lambda x, axis, descending, stable: (
    jnp.argsort(-x if descending else x, axis=axis, stable=True).astype(jnp.int32)),
    dtypes=REAL, differentiable=False)


def sort(values, axis=-1, direction="ASCENDING", name=None) -> Tensor:
    """Sorts along ``axis``."""
    t = tensor(values)
    check_dtype(_sort, t)
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ValueError(f"Argument `direction` should be one of ASCENDING, DESCENDING. "
                         f"Received: direction={direction}")
    ax = int(axis) % max(t.ndim, 1)
    return execute(_sort, (t,), (ax, direction == "DESCENDING"),
                   {"axis": ax, "descending": direction == "DESCENDING"})


def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None) -> Tensor:
    """The indices that sort ``values`` along ``axis`` (int32)."""
    t = tensor(values)
    check_dtype(_argsort, t)
    ax = int(axis) % max(t.ndim, 1)
    d = direction == "DESCENDING"
    return execute(_argsort, (t,), (ax, d, bool(stable)),
                   {"axis": ax, "descending": d, "stable": bool(stable)})


_top_k = op("top_k", "TopKV2", lambda x, k, sorted: lax.top_k(x, k), dtypes=REAL)


def top_k(input, k=1, sorted=True, index_type=_d.int32, name=None):  # noqa: A002
    """The ``k`` largest values of the last dimension and their indices."""
    from collections import namedtuple
    t = tensor(input)
    kk = int(to_static(k))
    if kk < 0:
        raise kernel_error("TopKV2", f"Need k >= 0, got {kk}")
    if t.ndim == 0 or vshape(t)[-1] < kk:
        raise kernel_error("TopKV2", f"input must have at least k columns. Had "
                                     f"{vshape(t)[-1] if t.ndim else 0}, needed {kk}")
    vals, idx = execute(_top_k, (t,), (kk, True), {"k": kk, "sorted": True})
    from .math_ops import cast
    return TopKV2(vals, cast(idx, index_type))


from collections import namedtuple as _nt  # noqa: E402
TopKV2 = _nt("TopKV2", ["values", "indices"])
UniqueOutput = _nt("Unique", ["y", "idx"])


def unique(x, out_idx=_d.int32, name=None):
    """Unique elements in order of first appearance, and each element's index into them."""
    t = tensor(x)
    if t.ndim != 1:
        raise kernel_error("Unique", "unique expects a 1D vector.")
    v = t.numpy() if t.dtype is _d.string else host(t)
    _, first, inv = np.unique(v, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank_ = np.empty_like(order)
    rank_[order] = np.arange(len(order))
    y = v[np.sort(first)]
    idx = rank_[inv.reshape(-1)].astype(_d.as_dtype(out_idx)._np)
    yt = make_string(np.asarray(y, dtype=object)) if t.dtype is _d.string else \
        make(jnp.asarray(y), t.dtype)
    return UniqueOutput(yt, make(jnp.asarray(idx), _d.as_dtype(out_idx)))


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


_bitcast = op("bitcast", "Bitcast", lambda x, dtype: lax.bitcast_convert_type(x, dtype),
              differentiable=False)


def bitcast(input, type, name=None) -> Tensor:  # noqa: A002
    """Reinterprets the bits as another dtype."""
    t = tensor(input)
    dt = _d.as_dtype(type)
    return execute(_bitcast, (t,), (dt._np,), {"dtype": dt._np})


def _searchsorted_impl(s, v, side, out):
    flat_s = s.reshape(-1, s.shape[-1])
    flat_v = v.reshape(-1, v.shape[-1])
    r = jax.vmap(lambda a, b: jnp.searchsorted(a, b, side=side))(flat_s, flat_v)
    return r.reshape(v.shape).astype(out)


_searchsorted = op("searchsorted", "LowerBound", _searchsorted_impl, dtypes=REAL,
                   differentiable=False)


def searchsorted(sorted_sequence, values, side="left", out_type=_d.int32, name=None) -> Tensor:
    """Indices where ``values`` would be inserted to keep the innermost dimension sorted."""
    s, v = convert_inputs(_searchsorted, (sorted_sequence, values))
    out = _d.as_dtype(out_type)._np
    return execute(_searchsorted, (s, v), (side, out), {"side": side, "out": out})


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


def sequence_mask(lengths, maxlen=None, dtype=_d.bool, name=None):
    from . import math_ops as m
    lt = tensor(lengths)
    ml = int(host(lt).max()) if maxlen is None else int(to_static(maxlen))
    r = range(ml, dtype=lt.dtype)
    return m.cast(m.less(r, expand_dims(lt, -1)), dtype)


_roll = op("roll", "Roll", lambda x, shift, axis: jnp.roll(x, shift, axis))


def roll(input, shift, axis, name=None) -> Tensor:  # noqa: A002
    """Rotates elements by ``shift`` along ``axis`` (both may be lists)."""
    t = tensor(input)
    sh, ax = to_static(shift), to_static(axis)
    sh = tuple(sh) if isinstance(sh, list) else int(sh)
    ax = tuple(ax) if isinstance(ax, list) else int(ax)
    return execute(_roll, (t,), (sh, ax), {"shift": sh, "axis": ax})

"""TF-NumPy array creation, shape manipulation and indexing helpers (TF's ``np_array_ops``)."""
from __future__ import annotations

import builtins
import math as _pymath

import numpy as np
import jax.numpy as jnp

from .._core import dtypes as _d
from .._core.shape import TensorShape
from .._core.tensor import Tensor
from .._ops import array_ops as A
from .._ops import math_ops as m
from . import _config as cfg
from ._base import (array_internal, asarray, astype, cast, float_dtype, is_inexact, jcall,
                    promote)

newaxis = None


def _dt(dtype, default=None):
    return cfg.to_dtype(dtype) if dtype else default


def _shape(shape):
    if isinstance(shape, Tensor):
        shape = shape.numpy().tolist()
    if isinstance(shape, (int, np.integer)):
        return [int(shape)]
    return [int(s) for s in shape]


# -- creation ----------------------------------------------------------------------------------
def zeros(shape, dtype=float):
    """An array of zeros (float64 unless ``dtype``).

    >>> import tftape.experimental.numpy as tnp
    >>> tnp.zeros(2)
    <tf.Tensor: shape=(2,), dtype=float64, numpy=array([0., 0.])>
    """
    return A.zeros(_shape(shape), _dt(dtype, cfg.as_tf(cfg.default_float_type())))


def ones(shape, dtype=float):
    return A.ones(_shape(shape), _dt(dtype, _d.float32))


def empty(shape, dtype=float):
    return zeros(shape, dtype)


def _like_dtype(a, dtype):
    if dtype:
        return cfg.to_dtype(dtype)
    if isinstance(a, (str, bytes)):
        return _d.string
    return cfg.result_type(a)


def zeros_like(a, dtype=None):
    dt = _like_dtype(a, dtype)
    return A.zeros_like(array_internal(a), dt)


def ones_like(a, dtype=None):
    dt = _like_dtype(a, dtype)
    return A.ones_like(array_internal(a), dt)


def empty_like(a, dtype=None):
    return zeros_like(a, dtype)


def full(shape, fill_value, dtype=None):
    """An array of ``shape`` filled with ``fill_value``."""
    shape = _shape(shape)
    return A.broadcast_to(asarray(fill_value, dtype=dtype), shape)


def full_like(a, fill_value, dtype=None, order="K", subok=True, shape=None):
    if order != "K":
        raise ValueError("Non-standard orders are not supported.")
    if not subok:
        raise ValueError("subok being False is not supported.")
    if shape:
        raise ValueError("Overriding the shape is not supported.")
    a = asarray(a)
    dt = cfg.to_dtype(dtype) if dtype else a._dtype
    return A.broadcast_to(asarray(fill_value, dtype=dt), tuple(a._v.shape))


def eye(N, M=None, k=0, dtype=float):  # noqa: N803 - NumPy's names
    dt = _dt(dtype, _d.float32)
    return jcall("eye", jnp.eye, int(N), int(M) if M else int(N), int(k), dtype=dt)


def identity(n, dtype=float):
    return eye(n, n, dtype=dtype)


def arange(start, stop=None, step=1, dtype=None):
    """Evenly spaced values in [start, stop) (int64 for Python ints).

    >>> import tftape.experimental.numpy as tnp
    >>> tnp.arange(3)
    <tf.Tensor: shape=(3,), dtype=int64, numpy=array([0, 1, 2])>
    """
    if not step:
        raise ValueError("step must be non-zero.")
    if dtype:
        dt = cfg.to_dtype(dtype)
    elif stop is None:
        dt = cfg.result_type(start, step)
    else:
        dt = cfg.result_type(start, step, stop)
    start, stop, step = (s.numpy().item() if isinstance(s, Tensor) else s
                         for s in (start, stop, step))
    if step > 0 and ((stop is not None and start > stop) or (stop is None and start < 0)):
        return array_internal([], dt)
    if step < 0 and ((stop is not None and start < stop) or (stop is None and start > 0)):
        return array_internal([], dt)
    if stop is None:
        start, stop = 0, start
    n = builtins.max(int(_pymath.ceil((stop - start) / step)), 0)
    kind = np.result_type(start, stop, step)
    vals = jnp.asarray(start, kind) + jnp.arange(n, dtype=kind) * jnp.asarray(step, kind)
    from .._core.registry import wrap
    return cast(wrap(vals), dt)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=float, axis=0):
    """``num`` evenly spaced values from start to stop."""
    if dtype:
        # NumPy 2 takes linspace's dtype from start and stop (TF mimics it).
        dt = cfg.result_type([_times1(start), _times1(stop)])
    else:
        dt = None
    if num < 0:
        raise ValueError("Argument `num` (number of samples) must be a non-negative integer. "
                         f"Received: num={num}")
    s, e = array_internal(start, dt), array_internal(stop, dt)
    r = jcall("linspace", jnp.linspace, s, e, num=int(num), endpoint=bool(endpoint), axis=axis)
    if retstep:
        div = (num - 1) if endpoint else num
        step = jcall("lin_step", _lin_step, s, e, div=div)
        return r, step
    return r


def _lin_step(a, b, div):
    return (b - a) / div if div > 0 else jnp.nan + 0 * a


def _times1(x):
    """``x * 1.0`` as TF computes it: a float tensor, or a (weak) Python float."""
    if isinstance(x, Tensor):
        return x if is_inexact(x) else cast(x, float_dtype())
    return x * 1.0


def _scal(x):
    return x.numpy() if isinstance(x, Tensor) else np.asarray(x)


def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    dt = cfg.result_type(_times1(start), _times1(stop)) if not dtype else \
        cfg.result_type(start, stop, dtype)
    r = jcall("logspace", jnp.logspace, array_internal(start, dt), array_internal(stop, dt),
              num=int(num), endpoint=bool(endpoint), base=float(base), axis=axis)
    return cast(r, dt)


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    dt = cfg.to_dtype(dtype) if dtype else cfg.result_type(
        start, stop, float(num), np.zeros((), cfg.default_float_type()))
    work = cfg.as_tf(np.promote_types(dt._np, np.float32))
    r = jcall("geomspace", jnp.geomspace, array_internal(start, work),
              array_internal(stop, work), num=int(num), endpoint=bool(endpoint), axis=axis)
    return cast(r, dt)


def asanyarray(a, dtype=None):
    return asarray(a, dtype)


def ascontiguousarray(a, dtype=None):
    return array_internal(a, cfg.to_dtype(dtype), ndmin=1)


def copy(a):
    return array_internal(a)


def diag(v, k=0):
    v = asarray(v)
    if v._v.ndim not in (1, 2):
        raise ValueError(f"Shape must be at most rank 2 but is rank {v._v.ndim}")
    return jcall("diag", jnp.diag, v, k=int(k))


def diagonal(a, offset=0, axis1=0, axis2=1):
    return jcall("diagonal", jnp.diagonal, asarray(a), offset=offset, axis1=axis1, axis2=axis2)


def diagflat(v, k=0):
    return jcall("diagflat", jnp.diagflat, asarray(v), k=int(k))


def tri(N, M=None, k=0, dtype=None):  # noqa: N803
    dt = cfg.to_dtype(dtype) if dtype is not None else float_dtype()
    return jcall("tri", jnp.tri, int(N), None if M is None else int(M), int(k), dtype=dt)


def tril(m_, k=0):
    a = asarray(m_)
    if a._v.ndim < 2:
        raise ValueError(f"Argument to tril should have equal or more than 2 dimensions: "
                         f"{a.shape}")
    return jcall("tril", jnp.tril, a, k=int(k))


def triu(m_, k=0):
    a = asarray(m_)
    if a._v.ndim < 2:
        raise ValueError(f"Argument to triu should have equal or more than 2 dimensions: "
                         f"{a.shape}")
    return jcall("triu", jnp.triu, a, k=int(k))


def vander(x, N=None, increasing=False):  # noqa: N803
    x = asarray(x)
    if x._v.ndim != 1:
        raise ValueError(f"x must be a one-dimensional array. Received: x={x}")
    return jcall("vander", jnp.vander, x, N=N, increasing=bool(increasing))


def diag_indices(n, ndim=2):
    if n < 0:
        raise ValueError(f"n argument to diag_indices must be nonnegative, got {n}")
    if ndim < 0:
        raise ValueError(f"ndim argument to diag_indices must be nonnegative, got {ndim}")
    return (A.range(n),) * ndim


# -- shape -----------------------------------------------------------------------------------
def shape(a) -> TensorShape:
    return asarray(a).shape


def ndim(a) -> int:
    return asarray(a)._v.ndim


def size(x, axis=None):
    if axis is not None:
        raise NotImplementedError("axis argument is not supported in the current `np.size` "
                                  "implementation")
    if isinstance(x, (int, float, np.int32, np.int64, np.float32, np.float64)):
        return 1
    return np.prod(tuple(asarray(x)._v.shape), dtype=int)


def isscalar(num):
    if isinstance(num, Tensor):
        return num._v.ndim == 0
    return np.isscalar(num)


def reshape(a, newshape, order="C"):
    """Reshapes ``a`` (``order`` 'C' or 'F')."""
    if order not in {"C", "F"}:
        raise ValueError(f"Unsupported order argument {order}")
    a = asarray(a)
    if isinstance(newshape, int):
        newshape = [newshape]
    if order == "F":
        return A.transpose(A.reshape(A.transpose(a), list(newshape)[::-1]))
    return A.reshape(a, newshape)


def _reshape_method(a, *newshape, **kwargs):
    order = kwargs.pop("order", "C")
    if kwargs:
        raise ValueError(f"Unsupported arguments: {kwargs.keys()}")
    if len(newshape) == 1 and not isinstance(newshape[0], int):
        newshape = newshape[0]
    return reshape(a, newshape, order=order)


def ravel(a):
    return A.reshape(asarray(a), [-1])


def flatten(a, order="C"):
    a = asarray(a)
    if order in ("C", "A", "K"):
        return A.reshape(a, [-1])
    if order == "F":
        return A.reshape(A.transpose(a), [-1])
    raise ValueError("order can only be C, A, K (all row major) or F (column major).")


def transpose(a, axes=None):
    a = asarray(a)
    if axes is not None:
        axes = [int(i) for i in (axes.numpy().tolist() if isinstance(axes, Tensor) else axes)]
    return A.transpose(a, perm=axes)


def swapaxes(a, axis1, axis2):
    return jcall("swapaxes", jnp.swapaxes, asarray(a), int(axis1), int(axis2))


def moveaxis(a, source, destination):
    norm = (lambda x: tuple(int(i) for i in x) if isinstance(x, (list, tuple, range))
            else int(x))
    return jcall("moveaxis", jnp.moveaxis, asarray(a), norm(source), norm(destination))


def expand_dims(a, axis):
    return A.expand_dims(asarray(a), axis)


def squeeze(a, axis=None):
    return A.squeeze(asarray(a), axis)


def broadcast_to(array, shape):  # noqa: A002
    return full(shape, array)


def broadcast_arrays(*args, **kwargs):
    if kwargs:
        raise ValueError(f"Received unsupported arguments {kwargs.keys()}")
    args = [asarray(a) for a in args]
    shp = np.broadcast_shapes(*[tuple(a._v.shape) for a in args])
    return [A.broadcast_to(a, shp) for a in args]


def _atleast_nd(n, new_shape, *arys):
    out = []
    for a in arys:
        a = asarray(a)
        if a._v.ndim < n:
            a = A.reshape(a, new_shape(a._v.ndim, tuple(a._v.shape)))
        out.append(a)
    return out[0] if len(out) == 1 else out


def atleast_1d(*arys):
    return _atleast_nd(1, lambda nd, s: (1,) + s if nd == 0 else s, *arys)


def atleast_2d(*arys):
    return _atleast_nd(2, lambda nd, s: (1,) * (2 - nd) + s, *arys)


def atleast_3d(*arys):
    def new(nd, s):
        if nd == 0:
            return (1, 1, 1)
        if nd == 1:
            return (1,) + s + (1,)
        return s + (1,)
    return _atleast_nd(3, new, *arys)


# -- joining and splitting -----------------------------------------------------------------------
def concatenate(arys, axis=0):
    if not isinstance(arys, (list, tuple)):
        arys = [arys]
    if not arys:
        raise ValueError(f"Need at least one array to concatenate. Received empty input: "
                         f"arys={arys}")
    return A.concat(promote(*arys), axis)


def stack(arrays, axis=0):
    if isinstance(arrays, Tensor):
        return arrays if axis == 0 else swapaxes(arrays, 0, axis)
    return A.stack(promote(*arrays), axis)


def hstack(tup):
    arrays = promote(*[atleast_1d(a) for a in tup])
    return A.concat(arrays, 0 if arrays[0]._v.ndim == 1 else 1)


def vstack(tup):
    return A.concat(promote(*[atleast_2d(a) for a in tup]), 0)


def dstack(tup):
    return A.concat(promote(*[atleast_3d(a) for a in tup]), 2)


def append(arr, values, axis=None):
    if axis is None:
        return concatenate([ravel(arr), ravel(values)], 0)
    return concatenate([arr, values], axis=axis)


def _sizes(ary, boundaries, axis):
    n = ary._v.shape[axis]
    edges = [0] + [builtins.min(builtins.max(int(b) if b >= 0 else int(b) + n, 0), n)
                   for b in boundaries] + [n]
    return [builtins.max(e - s, 0) for s, e in zip(edges[:-1], edges[1:])]


def split(ary, indices_or_sections, axis=0):
    """Splits into equal sections (an int) or at the given boundaries (a list)."""
    ary = asarray(ary)
    if not isinstance(indices_or_sections, int):
        b = indices_or_sections
        b = b.numpy().tolist() if isinstance(b, Tensor) else list(b)
        pieces = []
        start = 0
        n = ary._v.shape[axis]
        for end in b + [n]:
            end = end + n if end < 0 else end
            idx = [slice(None)] * ary._v.ndim
            idx[axis] = slice(start, builtins.max(end, start))
            pieces.append(jcall("index", _index, ary, tuple(idx)))
            start = builtins.max(end, start)
        return pieces
    return A.split(ary, indices_or_sections, axis=axis)


def _split_on(name, axis):
    def f(ary, indices_or_sections):
        ary = asarray(ary)
        ax = 0 if axis == 1 and ary._v.ndim == 1 else axis
        if isinstance(indices_or_sections, int) and ary._v.shape[ax] % indices_or_sections:
            raise ValueError("array split does not result in an equal division")
        return split(ary, indices_or_sections, axis=ax)
    f.__name__ = f.__qualname__ = name
    return f


vsplit = _split_on("vsplit", 0)
hsplit = _split_on("hsplit", 1)
dsplit = _split_on("dsplit", 2)


def tile(a, reps):
    a = array_internal(a)
    reps = [int(r) for r in np.ravel(_scal(reps))]
    return jcall("tile", jnp.tile, a, tuple(reps))


def repeat(a, repeats, axis=None):
    a = asarray(a)
    r = _scal(repeats)
    r = int(r) if r.ndim == 0 else tuple(int(i) for i in r.ravel())
    if isinstance(r, tuple) and len(r) == 1:
        r = r[0]
    return jcall("repeat", _repeat, a, r, axis=axis)


def _repeat(x, reps, axis):
    return jnp.repeat(x, np.asarray(reps) if isinstance(reps, tuple) else reps, axis=axis)


def pad(array, pad_width, mode, **kwargs):  # noqa: A002
    constant_values = kwargs.get("constant_values", 0)
    if mode not in ("constant", "reflect", "symmetric"):
        raise ValueError("Unsupported padding mode: " + mode)
    a = asarray(array)
    pw = np.asarray(_scal(pad_width), dtype=np.int32)
    if pw.ndim != 2 or pw.shape[1:] != (2,):
        # Note: NumPy broadcasts pad widths; TF's tnp passes them to tf.pad, which does not.
        from .._core.errors import kernel_error
        raise kernel_error("Pad" if mode == "constant" else "MirrorPad",
                           "paddings must be a matrix with 2 columns: "
                           f"[{','.join(str(d) for d in pw.shape)}]")
    return A.pad(a, pw.tolist(), mode=mode.upper(), constant_values=constant_values)


# -- indexing ------------------------------------------------------------------------------------
def _index(x, k):
    return x[k]


def _clip_index(i, n):
    return jnp.clip(i, 0, n - 1)


def _wrap_index(i, n):
    return jnp.mod(i, n)


def _clip_index_neg(i, n):
    return jnp.clip(jnp.where(i < 0, i + n, i), 0, n - 1)


def take(a, indices, axis=None, out=None, mode="clip"):
    """Elements of ``a`` at ``indices`` (out-of-range indices clip, as TF's default)."""
    if out is not None:
        raise ValueError("out argument is not supported in take.")
    if mode not in {"raise", "clip", "wrap"}:
        raise ValueError(f"Invalid mode '{mode}' for take")
    a = asarray(a)
    indices = asarray(indices)
    if axis is None:
        a, axis = A.reshape(a, [-1]), 0
    n = a._v.shape[axis]
    if mode == "clip":
        indices = jcall("clip_index", _clip_index, indices, n=n, _diff=False)
    elif mode == "wrap":
        indices = jcall("wrap_index", _wrap_index, indices, n=n, _diff=False)
    else:
        raise ValueError("The 'raise' mode to take is not supported.")
    return A.gather(a, indices, axis=axis)


def take_along_axis(arr, indices, axis):
    arr, indices = asarray(arr), asarray(indices)
    if axis is None:
        arr, axis = ravel(arr), 0
    n = arr._v.shape[axis]
    idx = jcall("clip_index_neg", _clip_index_neg, indices, n=n, _diff=False)
    return jcall("take_along_axis", jnp.take_along_axis, arr, idx, axis=axis)


def where(condition, x=None, y=None):
    condition = asarray(condition, dtype=np.bool_)
    if x is None and y is None:
        return nonzero(condition)
    if x is not None and y is not None:
        x, y = promote(x, y)
        return jcall("where", jnp.where, condition, x, y)
    raise ValueError("Both x and y must be ndarrays, or both must be None.")


def select(condlist, choicelist, default=0):
    if len(condlist) != len(choicelist):
        raise ValueError(f"condlist must have length equal to choicelist "
                         f"({len(condlist)} vs {len(choicelist)})")
    if not condlist:
        raise ValueError("condlist must be non-empty")
    choices = promote(default, *choicelist)
    out = choices[0]
    for cond, choice in zip(condlist[::-1], choices[1:][::-1]):
        out = where(cond, choice, out)
    return out


def nonzero(a):
    a = atleast_1d(a)
    v = np.asarray(a._v)
    from .._core.registry import wrap
    return [wrap(jnp.asarray(i, dtype=jnp.int64)) for i in np.nonzero(v)]


def compress(condition, a, axis=None):
    condition = asarray(condition, dtype=bool)
    a = asarray(a)
    if condition._v.ndim != 1:
        raise ValueError("condition must be a 1-d array.")
    if a._v.ndim == 0:
        a = ravel(a)
    if axis is None:
        a, axis = ravel(a), 0
    if axis < 0:
        axis += a._v.ndim
    n = a._v.shape[axis]
    c = np.asarray(condition._v)
    c = np.concatenate([c[:n], np.zeros(builtins.max(n - c.shape[0], 0), bool)])
    return A.boolean_mask(a, c, axis=axis)


def ix_(*args):
    out = []
    n = len(args)
    for i, a in enumerate(args):
        a = asarray(a)
        if a._v.ndim != 1:
            raise ValueError("Arguments must be 1-d, got arg {} of rank {}".format(i, a._v.ndim))
        if a._dtype is _d.bool:
            a = nonzero(a)[0]
        out.append(A.reshape(a, [1] * i + [-1] + [1] * (n - i - 1)))
    return out


# -- reordering ----------------------------------------------------------------------------------
def flip(m_, axis=None):
    a = asarray(m_)
    return jcall("flip", jnp.flip, a, axis=axis)


def flipud(m_):
    return flip(m_, 0)


def fliplr(m_):
    return flip(m_, 1)


def roll(a, shift, axis=None):
    a = asarray(a)
    shift = int(shift) if isinstance(shift, (int, np.integer)) else tuple(shift)
    axis = axis if axis is None or isinstance(axis, int) else tuple(axis)
    return jcall("roll", jnp.roll, a, shift, axis=axis)


def rot90(m_, k=1, axes=(0, 1)):
    return jcall("rot90", jnp.rot90, asarray(m_), int(k), axes=tuple(axes))


def sort(a, axis=-1, kind="quicksort", order=None):
    if kind != "quicksort":
        raise ValueError('Invalid value for argument `kind`. Only kind="quicksort" is '
                         f"supported. Received: kind={kind}")
    if order is not None:
        raise ValueError("The `order` argument is not supported. Pass order=None")
    a = array_internal(a)
    if axis is None:
        a, axis = ravel(a), 0
    return jcall("sort", jnp.sort, a, axis=axis)


def argsort(a, axis=-1, kind="quicksort", order=None):
    if kind not in ("quicksort", "stable"):
        raise ValueError('Invalid value for argument `kind`. Only kind="quicksort" and '
                         f'kind="stable" are supported. Received: kind={kind}')
    if order is not None:
        raise ValueError("The `order` argument is not supported. Pass order=None")
    a = array_internal(a)
    if axis is None:
        a, axis = ravel(a), 0
    return cast(jcall("argsort", jnp.argsort, a, axis=axis, stable=True, _diff=False), _d.int64)


def around(a, decimals=0):
    """Rounds half to even at ``decimals`` places, keeping the dtype."""
    a = asarray(a)
    dtype = a._dtype
    if not is_inexact(a):
        a = astype(a, float_dtype())
    r = jcall("around", jnp.round, a, decimals=int(decimals))
    return astype(r, dtype)


round = around  # noqa: A001


def meshgrid(*xi, **kwargs):
    sparse = kwargs.get("sparse", False)
    if sparse:
        raise ValueError("Function `meshgrid` does not support returning sparse arrays yet. "
                         f"Received: sparse={sparse}")
    copy_ = kwargs.get("copy", True)
    if not copy_:
        raise ValueError(f"Function `meshgrid` only supports copy=True. Received: copy={copy_}")
    indexing = kwargs.get("indexing", "xy")
    xi = [asarray(x) for x in xi]
    for i, x in enumerate(xi[1:], 1):
        if x._dtype is not xi[0]._dtype:
            # Note: TF builds meshgrid from Mul ops, which need one dtype.
            from .._core.errors import op_error
            from .._core.dtypes import TF_TYPE_NAMES
            raise op_error("Mul", f"cannot compute Mul as input #1(zero-based) was expected "
                               f"to be a {TF_TYPE_NAMES[x._dtype]} tensor but is a "
                               f"{TF_TYPE_NAMES[xi[0]._dtype]} tensor")
    return list(jcall("meshgrid", _meshgrid, *xi, indexing=indexing))


def _meshgrid(*a, indexing):
    return tuple(jnp.meshgrid(*a, indexing=indexing))

"""Array API manipulation, searching, sorting, set and statistical functions."""
from __future__ import annotations

import collections

import numpy as np
import jax.numpy as jnp

from ..._core import dtypes as _d
from ..._core.registry import wrap
from ..._core.tensor import Tensor
from ._common import DEFAULT_INDEX, call, np_dtype


def _tuple_axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def matrix_transpose(x, /):
    """Transposes the last two axes."""
    if x.ndim < 2:
        raise ValueError("x must be at least 2-dimensional for matrix_transpose")
    return call("matrix_transpose", jnp.matrix_transpose, x)


def permute_dims(x, /, axes):
    return call("permute_dims", jnp.transpose, x, tuple(axes))


def reshape(x, /, shape, *, copy=None):
    if copy is False:
        raise ValueError("reshape: copy=False is not supported (tensors are immutable)")
    return call("reshape", jnp.reshape, x, tuple(shape))


def concat(arrays, /, *, axis=0):
    if axis is None:
        return call("concat_flat", _concat_flat, *arrays)
    return call("concat", _concat, *arrays, axis=axis)


def _concat(*a, axis):
    return jnp.concatenate(a, axis=axis)


def _concat_flat(*a):
    return jnp.concatenate([i.ravel() for i in a])


def stack(arrays, /, *, axis=0):
    return call("stack", _stack, *arrays, axis=axis)


def _stack(*a, axis):
    return jnp.stack(a, axis=axis)


def unstack(x, /, *, axis=0):
    return tuple(call("unstack", _unstack, x, axis=axis))


def _unstack(x, axis):
    return tuple(jnp.moveaxis(x, axis, 0))


def expand_dims(x, /, axis=0):
    nd = x.ndim
    if not -nd - 1 <= axis <= nd:
        raise IndexError(f"axis {axis} is out of bounds for an array of {nd + 1} dimensions")
    return call("expand_dims", jnp.expand_dims, x, axis)


def squeeze(x, /, axis):
    axis = _tuple_axis(axis)
    axes = axis if isinstance(axis, tuple) else (axis,)
    for a in axes:
        if x.shape[a] != 1:
            raise ValueError("squeezed dimensions must be equal to 1")
    return call("squeeze", jnp.squeeze, x, axis)


def flip(x, /, *, axis=None):
    return call("flip", jnp.flip, x, _tuple_axis(axis))


def roll(x, /, shift, *, axis=None):
    return call("roll", jnp.roll, x, _tuple_axis(shift), _tuple_axis(axis))


def moveaxis(x, source, destination, /):
    return call("moveaxis", jnp.moveaxis, x, _tuple_axis(source), _tuple_axis(destination))


def tile(x, repetitions, /):
    return call("tile", jnp.tile, x, tuple(repetitions))


def repeat(x, repeats, /, *, axis=None):
    if isinstance(repeats, Tensor):
        repeats = tuple(np.asarray(repeats._v).reshape(-1).tolist())
        if len(repeats) == 1:
            repeats = repeats[0]
    return call("repeat", _repeat, x, repeats, axis=axis)


def _repeat(x, r, axis):
    return jnp.repeat(x, np.asarray(r) if isinstance(r, tuple) else r, axis=axis)


def broadcast_to(x, /, shape):
    return call("broadcast_to", jnp.broadcast_to, x, tuple(shape))


def broadcast_arrays(*arrays):
    return list(call("broadcast_arrays", _broadcast_arrays, *arrays))


def _broadcast_arrays(*a):
    return tuple(jnp.broadcast_arrays(*a))


def take(x, indices, /, *, axis=None):
    """Elements at ``indices``; out-of-range indices raise (JAX would clamp)."""
    n = int(np.prod(x.shape)) if axis is None else x.shape[axis]
    idx = np.asarray(indices._v) if isinstance(indices, Tensor) else np.asarray(indices)
    # Note: JAX clamps or fills out-of-range indices; the standard leaves it unspecified
    # and we raise, as TF's gather does.
    if idx.size and (idx.min() < -n or idx.max() >= n):
        raise IndexError(f"index out of bounds for axis with size {n}")
    return call("take", jnp.take, x, indices, axis=axis)


# -- searching and sorting -----------------------------------------------------------------
def argmax(x, /, *, axis=None, keepdims=False):
    return call("argmax", jnp.argmax, x, axis=axis, keepdims=keepdims, _diff=False)


def argmin(x, /, *, axis=None, keepdims=False):
    return call("argmin", jnp.argmin, x, axis=axis, keepdims=keepdims, _diff=False)


def nonzero(x, /):
    """Indices of the nonzero elements (computed on the host: the shape depends on values)."""
    if x.ndim == 0:
        raise ValueError("nonzero is not defined for 0-d arrays")
    return tuple(wrap(jnp.asarray(i, dtype=DEFAULT_INDEX._np))
                 for i in np.nonzero(np.asarray(x._v)))


def where(condition, x1, x2, /):
    return call("where", jnp.where, condition, x1, x2)


def searchsorted(x1, x2, /, *, side="left", sorter=None):
    return call("searchsorted", _searchsorted, x1, x2, side=side, sorter=sorter, _diff=False)


def _searchsorted(a, v, side, sorter):
    return jnp.searchsorted(a, v, side=side, sorter=sorter).astype(DEFAULT_INDEX._np)


def sort(x, /, *, axis=-1, descending=False, stable=True):
    return call("sort", _sort, x, axis=axis, descending=descending, stable=stable)


def _sort(x, axis, descending, stable):
    return jnp.sort(x, axis=axis, stable=stable, descending=descending)


def argsort(x, /, *, axis=-1, descending=False, stable=True):
    return call("argsort", _argsort, x, axis=axis, descending=descending, stable=stable,
                _diff=False)


def _argsort(x, axis, descending, stable):
    return jnp.argsort(x, axis=axis, stable=stable, descending=descending)


# -- sets (data-dependent shapes: computed on the host) -----------------------------------------
UniqueAllResult = collections.namedtuple("UniqueAllResult",
                                         ["values", "indices", "inverse_indices", "counts"])
UniqueCountsResult = collections.namedtuple("UniqueCountsResult", ["values", "counts"])
UniqueInverseResult = collections.namedtuple("UniqueInverseResult",
                                             ["values", "inverse_indices"])


def _unique(x, **kw):
    a = np.asarray(x._v)
    res = np.unique(a.reshape(-1), equal_nan=False, **kw)
    return res if isinstance(res, tuple) else (res,)


def _w(a, dtype=None):
    return wrap(jnp.asarray(a if dtype is None else a.astype(dtype)))


def unique_values(x, /):
    return _w(_unique(x)[0])


def unique_counts(x, /):
    v, c = _unique(x, return_counts=True)
    return UniqueCountsResult(_w(v), _w(c, DEFAULT_INDEX._np))


def unique_inverse(x, /):
    v, inv = _unique(x, return_inverse=True)
    return UniqueInverseResult(_w(v), _w(inv.reshape(x.shape), DEFAULT_INDEX._np))


def unique_all(x, /):
    v, idx, inv, c = _unique(x, return_index=True, return_inverse=True, return_counts=True)
    i = DEFAULT_INDEX._np
    return UniqueAllResult(_w(v), _w(idx, i), _w(inv.reshape(x.shape), i), _w(c, i))


# -- statistics -------------------------------------------------------------------------------
def _sum_dtype(x, dtype):
    """The standard: sums of small ints accumulate in the default int (int64 / uint64)."""
    if dtype is not None:
        return np_dtype(dtype)
    d = x.dtype
    if d is _d.bool or (d.is_integer and not d.is_unsigned):
        return np.dtype(np.int64) if d.size < 8 or d is _d.bool else None
    if d.is_unsigned:
        return np.dtype(np.uint64) if d.size < 8 else None
    return None


def sum(x, /, *, axis=None, dtype=None, keepdims=False):  # noqa: A001
    return call("sum", jnp.sum, x, axis=_tuple_axis(axis), dtype=_sum_dtype(x, dtype),
                keepdims=keepdims)


def prod(x, /, *, axis=None, dtype=None, keepdims=False):
    return call("prod", jnp.prod, x, axis=_tuple_axis(axis), dtype=_sum_dtype(x, dtype),
                keepdims=keepdims)


def cumulative_sum(x, /, *, axis=None, dtype=None, include_initial=False):
    if axis is None:
        if x.ndim > 1:
            raise ValueError("axis must be specified for arrays with more than one dimension")
        axis = 0
    return call("cumulative_sum", jnp.cumulative_sum, x, axis=axis,
                dtype=_sum_dtype(x, dtype), include_initial=include_initial)


def _stat(name, jfn, **fixed):
    def f(x, /, *, axis=None, keepdims=False, **kw):
        return call(name, jfn, x, axis=_tuple_axis(axis), keepdims=keepdims, **kw, **fixed)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"``{name}`` over ``axis`` (array API statistical function)."
    return f


def _real_only(name, jfn):
    f = _stat(name, jfn)

    def g(x, /, *, axis=None, keepdims=False):
        # Complex numbers are unordered: the standard does not define max/min for them.
        if x.dtype.is_complex:
            raise TypeError(f"{name} is not defined for complex inputs")
        return f(x, axis=axis, keepdims=keepdims)
    g.__name__ = g.__qualname__ = name
    g.__doc__ = f.__doc__
    return g


max = _real_only("max", jnp.max)  # noqa: A001
min = _real_only("min", jnp.min)  # noqa: A001


def cumulative_prod(x, /, *, axis=None, dtype=None, include_initial=False):
    if axis is None:
        if x.ndim > 1:
            raise ValueError("axis must be specified for arrays with more than one dimension")
        axis = 0
    return call("cumulative_prod", jnp.cumulative_prod, x, axis=axis,
                dtype=_sum_dtype(x, dtype), include_initial=include_initial)


def isin(x1, x2, /, *, invert=False):
    return call("isin", jnp.isin, x1, x2, invert=invert, _diff=False)


def broadcast_shapes(*shapes):
    return tuple(np.broadcast_shapes(*[tuple(s) for s in shapes]))
mean = _stat("mean", jnp.mean)


def std(x, /, *, axis=None, correction=0.0, keepdims=False):
    return call("std", jnp.std, x, axis=_tuple_axis(axis), correction=correction,
                keepdims=keepdims)


def var(x, /, *, axis=None, correction=0.0, keepdims=False):
    return call("var", jnp.var, x, axis=_tuple_axis(axis), correction=correction,
                keepdims=keepdims)


def count_nonzero(x, /, *, axis=None, keepdims=False):
    return call("count_nonzero", _count_nonzero, x, axis=_tuple_axis(axis), keepdims=keepdims,
                _diff=False)


def _count_nonzero(x, axis, keepdims):
    return jnp.sum(x != 0, axis=axis, keepdims=keepdims, dtype=DEFAULT_INDEX._np)


def take_along_axis(x, indices, /, *, axis=-1):
    n = x.shape[axis] if x.ndim else 0
    idx = np.asarray(indices._v) if isinstance(indices, Tensor) else np.asarray(indices)
    # Note: JAX fills out-of-range indices; we raise, as ``take`` does.
    if idx.size and (idx.min() < -n or idx.max() >= n):
        raise IndexError(f"index out of bounds for axis with size {n}")
    return call("take_along_axis", jnp.take_along_axis, x, indices, axis=axis)


def diff(x, /, *, axis=-1, n=1, prepend=None, append=None):
    return call("diff", jnp.diff, x, n=n, axis=axis, prepend=prepend, append=append)
all = _stat("all", jnp.all)  # noqa: A001
any = _stat("any", jnp.any)  # noqa: A001

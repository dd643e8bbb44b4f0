"""Reductions (reduce_sum ...), argmax/argmin, cumulative sums and products, add_n."""
from __future__ import annotations

import functools

import numpy as np
import jax
import jax.numpy as jnp
from jax import lax

from .._core import dtypes as _d
from .._core.errors import kernel_error
from .._core.registry import Op, check_dtype, convert_inputs, execute, op
from ._declare import dispatches
from .._core.tensor import Tensor, make_string, vshape
from ._util import BOOL, FLOAT, INEXACT, NUMERIC, REAL, fmt_shape, static_axis, tensor
from .arithmetic_ops import _exact_div
from .cast_ops import cast
from .comparison_ops import not_equal
from .unary_ops import sqrt, square


# -- reductions -------------------------------------------------------------------------------
def _norm_axes(o: Op, t: Tensor, axis):
    nd = len(vshape(t))
    ax = static_axis(axis)
    if ax is None:
        return None
    axes = (ax,) if isinstance(ax, int) else ax
    out = []
    for a in axes:
        if not -nd <= a < nd:
            raise kernel_error(o.tf_name, f"Invalid reduction dimension ({a} for input with {nd} "
                                          f"dimension(s)")
        out.append(a % nd if nd else 0)
    return tuple(sorted(set(out))) if nd else ()


def _reducer(name, tf_name, impl, dtypes, doc, **kw):
    o = op(name, tf_name, impl, dtypes=dtypes, **kw)
    name_ = name

    @dispatches(name)
    def fn(input_tensor, axis=None, keepdims=False, name=None):
        t = input_tensor if isinstance(input_tensor, Tensor) else \
            tensor(input_tensor, _d.bool if o.dtypes == frozenset(BOOL) else None)
        if name_ in ("reduce_variance", "reduce_std") and not (t.dtype.is_floating or
                                                               t.dtype.is_complex):
            raise TypeError(f"Input must be either real or complex. Received integer type "
                            f"{t.dtype}.")
        check_dtype(o, t)
        axes = _norm_axes(o, t, axis)
        return execute(o, (t,), (axes, bool(keepdims)), {"axis": axes, "keepdims": bool(keepdims)})
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    fn.op = o
    return fn


def _sum(x, axis, keepdims):
    return jnp.sum(x, axis=axis, keepdims=keepdims, dtype=x.dtype)


def _prod(x, axis, keepdims):
    return jnp.prod(x, axis=axis, keepdims=keepdims, dtype=x.dtype)


def _count(x, axis):
    """The number of reduced elements: an int, or a traced value for symbolic dims."""
    n = 1
    for a in (range(x.ndim) if axis is None else axis):
        n = n * x.shape[a]
    return n if type(n) is int else jnp.asarray(n)


def _mean(x, axis, keepdims):
    if jnp.issubdtype(x.dtype, jnp.integer):
        n = _count(x, axis)
        s = jnp.sum(x, axis=axis, keepdims=keepdims, dtype=x.dtype)
        return lax.div(s, jnp.maximum(jnp.asarray(n, x.dtype), jnp.asarray(1, x.dtype)))
    if not jnp.issubdtype(x.dtype, jnp.inexact):
        return jnp.mean(x, axis=axis, keepdims=keepdims, dtype=x.dtype)
    n = _count(x, axis)
    acc = jnp.float32 if x.dtype in (jnp.float16, jnp.bfloat16) else x.dtype
    s = jnp.sum(x, axis=axis, keepdims=keepdims, dtype=acc)
    # Note: a true division, as TF's; XLA would multiply by the reciprocal of the constant.
    return _exact_div(s, jnp.asarray(n, s.dtype)).astype(x.dtype)


def _variance(x, axis, keepdims):
    return jnp.var(x, axis=axis, keepdims=keepdims)


def _std(x, axis, keepdims):
    return jnp.std(x, axis=axis, keepdims=keepdims)


def _logsumexp(x, axis, keepdims):
    return jax.scipy.special.logsumexp(x, axis=axis, keepdims=keepdims)


reduce_sum = _reducer("reduce_sum", "Sum", _sum, NUMERIC, "Sum over ``axis``.\n\n"
                      ">>> import tftape as tf\n>>> tf.reduce_sum([1, 2, 3])\n"
                      "<tf.Tensor: shape=(), dtype=int32, numpy=6>",
                      signature="input:T, reduction_indices:Tidx -> output:T")
reduce_prod = _reducer("reduce_prod", "Prod", _prod, NUMERIC, "Product over ``axis``.")
reduce_mean = _reducer("reduce_mean", "Mean", _mean, NUMERIC,
                       "Mean over ``axis`` (integer means truncate, as in TF).")
def _lowest(dtype):
    return -np.inf if jnp.issubdtype(dtype, jnp.floating) else jnp.iinfo(dtype).min


def _highest(dtype):
    return np.inf if jnp.issubdtype(dtype, jnp.floating) else jnp.iinfo(dtype).max


# An empty reduction gives the identity (-inf / the lowest integer for max), as in TF.
reduce_max = _reducer("reduce_max", "Max", lambda x, axis, keepdims: jnp.max(
    x, axis, keepdims=keepdims, initial=_lowest(x.dtype)), REAL, "Maximum over ``axis``.")
reduce_min = _reducer("reduce_min", "Min", lambda x, axis, keepdims: jnp.min(
    x, axis, keepdims=keepdims, initial=_highest(x.dtype)), REAL, "Minimum over ``axis``.")
reduce_any = _reducer("reduce_any", "Any", lambda x, axis, keepdims: jnp.any(x, axis, keepdims=keepdims),
                      BOOL, "Logical OR over ``axis``.", differentiable=False)
reduce_all = _reducer("reduce_all", "All", lambda x, axis, keepdims: jnp.all(x, axis, keepdims=keepdims),
                      BOOL, "Logical AND over ``axis``.", differentiable=False)
reduce_variance = _reducer("reduce_variance", "Variance", _variance, INEXACT,
                           "Population variance over ``axis``.")
reduce_std = _reducer("reduce_std", "Std", _std, INEXACT, "Population standard deviation.")
reduce_logsumexp = _reducer("reduce_logsumexp", "LogSumExp", _logsumexp, FLOAT,
                            "log(sum(exp(x))) over ``axis``, computed stably.")


def reduce_euclidean_norm(input_tensor, axis=None, keepdims=False, name=None):
    """sqrt(sum(x**2)) over ``axis``."""
    t = tensor(input_tensor)
    return sqrt(reduce_sum(square(t), axis, keepdims)) if not t.dtype.is_integer else \
        cast(sqrt(cast(reduce_sum(square(t), axis, keepdims), _d.float64)), t.dtype)


def _arg(name, tf_name, fn):
    def impl(x, axis, out):
        if jnp.issubdtype(x.dtype, jnp.floating):
            # Note: TF's ArgMax/ArgMin never pick a NaN (JAX does).
            x = jnp.where(jnp.isnan(x), -jnp.inf if fn is jnp.argmax else jnp.inf, x)
        return fn(x, axis=axis).astype(out)
    o = op(name, tf_name, impl, dtypes=REAL + BOOL, differentiable=False)

    def f(input, axis=None, output_type=_d.int64, name=None):  # noqa: A002
        t = tensor(input)
        check_dtype(o, t)
        ax = 0 if axis is None else static_axis(axis)
        nd = len(vshape(t))
        if not -nd <= ax < nd:
            raise kernel_error(tf_name, f"Expected dimension in the range [{-nd}, {nd}), but got {ax}",
                               name=None)
        if vshape(t)[ax] == 0:
            raise kernel_error(tf_name, "Reduction axis 0 is empty in shape " + fmt_shape(vshape(t)))
        out = _d.as_dtype(output_type)._np
        return execute(o, (t,), (ax % nd, out), {"axis": ax % nd, "out": out})
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"The index of the {'largest' if 'max' in name else 'smallest'} value along ``axis``."
    return f


argmax = _arg("argmax", "ArgMax", jnp.argmax)
argmin = _arg("argmin", "ArgMin", jnp.argmin)


def _cum(name, tf_name, fn, ident):
    def impl(x, axis, exclusive, reverse):
        if reverse:
            x = jnp.flip(x, axis)
        y = fn(x, axis=axis, dtype=x.dtype)
        if exclusive:
            pad = [(0, 0)] * x.ndim
            pad[axis] = (1, 0)
            y = jnp.pad(y, pad, constant_values=ident)
            y = lax.slice_in_dim(y, 0, x.shape[axis], axis=axis)
        if reverse:
            y = jnp.flip(y, axis)
        return y
    o = op(name, tf_name, impl, dtypes=NUMERIC)

    def f(x, axis=0, exclusive=False, reverse=False, name=None):
        t = tensor(x)
        check_dtype(o, t)
        ax = static_axis(axis)
        nd = len(vshape(t))
        if not -nd <= ax < nd:
            raise kernel_error(tf_name, f"ScanOp: Expected scan axis in the range [{-nd}, {nd}), "
                                        f"but got {ax}")
        ax %= nd
        return execute(o, (t,), (ax, bool(exclusive), bool(reverse)),
                       {"axis": ax, "exclusive": bool(exclusive), "reverse": bool(reverse)})
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"The cumulative {'sum' if 'sum' in name else 'product'} along ``axis``."
    return f


cumsum = _cum("cumsum", "Cumsum", jnp.cumsum, 0)
cumprod = _cum("cumprod", "Cumprod", jnp.cumprod, 1)


def count_nonzero(input, axis=None, keepdims=None, dtype=_d.int64, name=None):  # noqa: A002
    """The number of non-zero elements over ``axis``."""
    t = tensor(input)
    nz = not_equal(t, make_string(np.array(b"", dtype=object)) if t.dtype is _d.string else
                   tensor(0, t.dtype) if t.dtype is not _d.bool else tensor(False))
    return reduce_sum(cast(nz, dtype), axis, bool(keepdims))


def accumulate_n(inputs, shape=None, tensor_dtype=None, name=None):
    return add_n(inputs)


_add_n = op("add_n", "AddN", lambda *xs: functools.reduce(jnp.add, xs), dtypes=NUMERIC)


def add_n(inputs, name=None):
    """The elementwise sum of a list of tensors of one dtype and shape.

    >>> import tftape as tf
    >>> tf.math.add_n([tf.constant([1, 2]), tf.constant([3, 4])])
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([4, 6], dtype=int32)>
    """
    if not inputs or not isinstance(inputs, (list, tuple)):
        raise ValueError("Inputs must be an iterable of at least one Tensor/IndexedSlices with "
                         "the same dtype and shape.")
    ts = convert_inputs(_add_n, [x if isinstance(x, Tensor) else tensor(x) for x in inputs])
    if len(ts) == 1:
        from .creation_ops import identity
        return identity(ts[0])
    s0 = ts[0]._v.shape
    for t in ts[1:]:
        if vshape(t) != s0:
            raise ValueError(f"Shapes {ts[0].shape} and {t.shape} are incompatible")
    return execute(_add_n, ts)

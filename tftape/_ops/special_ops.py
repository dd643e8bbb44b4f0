"""Special functions and the less common ``tf.math`` ops (bessel, betainc, polyval, ...)."""
from __future__ import annotations

import numpy as np
import jax
import jax.numpy as jnp
from jax.scipy import special as sp

from .._core import dtypes as _d
from .._core.convert import to_static
from .._core.errors import kernel_error
from .._core.registry import check_dtype, convert_inputs, execute, op
from .._core.tensor import Tensor, make
from ._util import FLOAT, host, is_concrete, tensor
from . import math_ops as m
from .arithmetic_ops import _divide_no_nan_raw

_F32_64 = (_d.float32, _d.float64)


_HALF = (_d.float16, _d.bfloat16)


def _unary(name, tf_name, impl, dtypes, doc, **kw):
    o = op(name, tf_name, impl, dtypes=dtypes, elementwise=True, signature="x:T -> y:T", **kw)

    def fn(x, name=None):
        t = x if isinstance(x, Tensor) else tensor(x)
        check_dtype(o, t)
        return execute(o, (t,))
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


bessel_i0 = _unary("bessel_i0", "BesselI0", sp.i0, FLOAT, "The modified Bessel function I0.",
                   no_kernel=(_d.bfloat16,))
bessel_i0e = _unary("bessel_i0e", "BesselI0e", sp.i0e, FLOAT,
                    "The exponentially scaled modified Bessel function I0.",
                    no_kernel=(_d.bfloat16,))
bessel_i1 = _unary("bessel_i1", "BesselI1", sp.i1, FLOAT, "The modified Bessel function I1.",
                   no_kernel=(_d.bfloat16,))
bessel_i1e = _unary("bessel_i1e", "BesselI1e", sp.i1e, FLOAT,
                    "The exponentially scaled modified Bessel function I1.",
                    no_kernel=(_d.bfloat16,))
ndtri = _unary("ndtri", "Ndtri", sp.ndtri, FLOAT, "The inverse of the standard normal CDF.",
               no_kernel=_HALF)


def erfcinv(x, name=None) -> Tensor:
    """The inverse of erfc: -ndtri(x / 2) / sqrt(2)."""
    t = tensor(x)
    return m.negative(ndtri(t * tensor(0.5, t.dtype))) * tensor(float(np.sqrt(0.5)), t.dtype)

_betainc = op("betainc", "Betainc", sp.betainc, dtypes=_F32_64,
              signature="a:T, b:T, x:T -> z:T")


def betainc(a, b, x, name=None) -> Tensor:
    """The regularized incomplete beta function I_x(a, b)."""
    ts = convert_inputs(_betainc, (a, b, x))
    return execute(_betainc, ts)


def lbeta(x, name=None) -> Tensor:
    """log|Beta(x)| over the last dimension: sum(lgamma(x)) - lgamma(sum(x))."""
    t = tensor(x)
    return m.subtract(m.reduce_sum(m.lgamma(t), -1), m.lgamma(m.reduce_sum(t, -1)))


def reciprocal_no_nan(x, name=None) -> Tensor:
    """1 / x, and 0 where x is 0."""
    t = tensor(x)
    return _divide_no_nan_raw(tensor(1, t.dtype), t)


def scalar_mul(scalar, x, name=None) -> Tensor:
    """scalar * x, for a scalar (rank-0) ``scalar``."""
    s = tensor(scalar, x.dtype if isinstance(x, Tensor) else None) \
        if not isinstance(scalar, Tensor) else scalar
    if s.ndim != 0:
        raise ValueError(f"The input scalar must be a 0-D value. Received shape {s.shape}.")
    return m.multiply(s, x)


def polyval(coeffs, x, name=None) -> Tensor:
    """Evaluates the polynomial with ``coeffs`` (highest power first) at ``x`` (Horner)."""
    t = tensor(x)
    if not isinstance(coeffs, (list, tuple)):
        raise ValueError(f"Argument coeffs must be list type found {type(coeffs)}.")
    if not coeffs:
        from .array_ops import zeros_like
        return zeros_like(t)
    p = tensor(coeffs[0], t.dtype) if not isinstance(coeffs[0], Tensor) else coeffs[0]
    for c in coeffs[1:]:
        p = (tensor(c, t.dtype) if not isinstance(c, Tensor) else c) + p * t
    return p


def invert_permutation(x, name=None) -> Tensor:
    """The inverse of a permutation vector."""
    t = tensor(x)
    if t.ndim != 1:
        raise kernel_error("InvertPermutation", f"invert_permutation expects a 1D vector.")
    v = host(t)
    n = v.size
    if np.any((v < 0) | (v >= n)) or np.unique(v).size != n:
        bad = int(next(i for i in v if not 0 <= i < n)) if np.any((v < 0) | (v >= n)) else \
            int(v[np.argmax(np.bincount(v))])
        msg = (f"{bad} is not between 0 and {n}" if not 0 <= bad < n else
               f"{bad} is duplicated in the input.")
        raise kernel_error("InvertPermutation", msg, name=None)
    out = np.empty_like(v)
    out[v] = np.arange(n, dtype=v.dtype)
    return make(jnp.asarray(out), t.dtype)


def is_non_decreasing(x, name=None) -> Tensor:
    """Whether each element is >= the one before it (in flattened order)."""
    from .array_ops import reshape
    t = reshape(tensor(x), [-1])
    return m.reduce_all(m.less_equal(t[:-1], t[1:]))


def is_strictly_increasing(x, name=None) -> Tensor:
    """Whether each element is > the one before it (in flattened order)."""
    from .array_ops import reshape
    t = reshape(tensor(x), [-1])
    return m.reduce_all(m.less(t[:-1], t[1:]))


def _cum_lse_impl(x, axis, exclusive, reverse):
    if reverse:
        x = jnp.flip(x, axis)
    y = jax.lax.cumlogsumexp(x, axis=axis)
    if exclusive:
        pad = [(0, 0)] * x.ndim
        pad[axis] = (1, 0)
        y = jnp.pad(y, pad, constant_values=-jnp.inf)
        y = jax.lax.slice_in_dim(y, 0, x.shape[axis], axis=axis)
    return jnp.flip(y, axis) if reverse else y


_cum_lse = op("cumulative_logsumexp", "CumulativeLogsumexp", _cum_lse_impl, dtypes=FLOAT)


def cumulative_logsumexp(x, axis=0, exclusive=False, reverse=False, name=None) -> Tensor:
    """log(cumsum(exp(x))) along ``axis``, computed stably."""
    t = tensor(x)
    check_dtype(_cum_lse, t)
    ax = int(to_static(axis)) % max(t.ndim, 1)
    return execute(_cum_lse, (t,), (ax, bool(exclusive), bool(reverse)),
                   {"axis": ax, "exclusive": bool(exclusive), "reverse": bool(reverse)})


def bincount(arr, weights=None, minlength=None, maxlength=None, dtype=_d.int32, name=None,
             axis=None, binary_output=False) -> Tensor:
    """Counts of each value in a non-negative int array (weighted sums with ``weights``);
    ``axis=-1`` counts each row of a 2-D array separately."""
    t = tensor(arr)
    if axis not in (None, 0, -1):
        raise ValueError(f"Unsupported axis value {axis}. Only 0 and -1 are currently supported.")
    a = host(t)
    per_row = axis == -1 and a.ndim == 2
    v = a.reshape(-1)
    if v.size and v.min() < 0:
        raise kernel_error("DenseBincount", "Input arr must be non-negative!")
    n = int(v.max()) + 1 if v.size else 0
    if minlength is not None:
        n = max(n, int(to_static(minlength)))
    if maxlength is not None:
        n = min(n, int(to_static(maxlength)))
    w = None if weights is None else tensor(weights)
    wv = None if w is None else host(w)
    out_dt = w.dtype if w is not None else _d.as_dtype(dtype)

    def count(vals, wts):
        keep = vals < n
        out = np.bincount(vals[keep], None if wts is None else wts[keep], minlength=n)[:n]
        return np.minimum(out, 1) if binary_output and wts is None else out

    if per_row:
        out = np.stack([count(a[i], None if wv is None else wv.reshape(a.shape)[i])
                        for i in range(a.shape[0])]) if a.shape[0] else np.zeros((0, n))
    else:
        out = count(v, None if wv is None else wv.reshape(-1))
    return make(jnp.asarray(out.astype(out_dt._np)), out_dt)


def confusion_matrix(labels, predictions, num_classes=None, weights=None, dtype=_d.int32,
                     name=None) -> Tensor:
    """The [num_classes, num_classes] matrix counting (label, prediction) pairs."""
    lb, pr = host(tensor(labels)).reshape(-1), host(tensor(predictions)).reshape(-1)
    n = int(to_static(num_classes)) if num_classes is not None else \
        int(max(lb.max(initial=-1), pr.max(initial=-1))) + 1
    dt = _d.as_dtype(dtype)
    w = np.ones(lb.shape) if weights is None else host(tensor(weights)).reshape(-1)
    out = np.zeros((n, n), dt._np)
    np.add.at(out, (lb, pr), w.astype(dt._np))
    return make(jnp.asarray(out), dt)


def unsorted_segment_sqrt_n(data, segment_ids, num_segments, name=None) -> Tensor:
    """Segment sums divided by sqrt(segment size)."""
    from .array_ops import ones_like, reshape
    d = tensor(data)
    s = m.unsorted_segment_sum(d, segment_ids, num_segments)
    ids = tensor(segment_ids)
    cnt = m.unsorted_segment_sum(ones_like(ids, dtype=d.dtype), ids, num_segments)
    cnt = reshape(cnt, cnt.shape.as_list() + [1] * (s.ndim - 1))
    return m.divide_no_nan(s, m.sqrt(m.maximum(cnt, tensor(1, d.dtype)))) * \
        m.cast(m.greater(cnt, tensor(0, d.dtype)), d.dtype)

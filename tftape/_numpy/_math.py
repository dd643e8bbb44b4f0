"""TF-NumPy math: elementwise functions, comparisons, reductions and products.

Dtype rules follow TF's ``np_math_ops``: binary functions promote their arguments to NumPy's
result type first; "float" functions (``sqrt``, ``sin``, ...) cast non-float inputs to the
default float type (float64, or float32 under ``prefer_float32``).
"""
from __future__ import annotations

import builtins

import numpy as np
import jax.numpy as jnp

from .._core import dtypes as _d
from .._core.tensor import Tensor
from .._ops import math_ops as m
from . import _config as cfg
from ._base import (array_internal, asarray, astype, cast, float_dtype, is_inexact, jcall,
                    promote)

pi = np.pi
e = np.e
inf = np.inf


# -- unary -----------------------------------------------------------------------------------
def _scalar(fn, x, promote_to_float=False):
    """TF's ``_scalar``: ``fn(asarray(x))``, casting non-floats to the default float first."""
    x = asarray(x)
    if promote_to_float and not is_inexact(x):
        x = astype(x, float_dtype())
    return fn(x)


def _junary(name, jfn, promote_to_float, doc):
    def f(x):
        return _scalar(lambda t: jcall(name, jfn, t), x, promote_to_float)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc
    return f


def _tfunary(name, tf_fn, promote_to_float, doc):
    def f(x):
        return _scalar(tf_fn, x, promote_to_float)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc
    return f


log = _tfunary("log", m.log, True, "Natural logarithm, elementwise.")
exp = _tfunary("exp", m.exp, True, "Exponential, elementwise.")
sqrt = _tfunary("sqrt", m.sqrt, True, """Square root, elementwise (ints become float64).

    >>> import tftape.experimental.numpy as tnp
    >>> tnp.sqrt(tnp.asarray([4.0, 9.0]))
    <tf.Tensor: shape=(2,), dtype=float64, numpy=array([2., 3.])>
    """)
ceil = _tfunary("ceil", m.ceil, True, "Ceiling, elementwise.")
floor = _tfunary("floor", m.floor, True, "Floor, elementwise.")
sin = _tfunary("sin", m.sin, True, "Sine, elementwise.")
cos = _tfunary("cos", m.cos, True, "Cosine, elementwise.")
tan = _tfunary("tan", m.tan, True, "Tangent, elementwise.")
sinh = _tfunary("sinh", m.sinh, True, "Hyperbolic sine, elementwise.")
cosh = _tfunary("cosh", m.cosh, True, "Hyperbolic cosine, elementwise.")
tanh = _tfunary("tanh", m.tanh, True, "Hyperbolic tangent, elementwise.")
arcsin = _tfunary("arcsin", m.asin, True, "Inverse sine, elementwise.")
arccos = _tfunary("arccos", m.acos, True, "Inverse cosine, elementwise.")
arctan = _tfunary("arctan", m.atan, True, "Inverse tangent, elementwise.")
arcsinh = _tfunary("arcsinh", m.asinh, True, "Inverse hyperbolic sine, elementwise.")
arccosh = _tfunary("arccosh", m.acosh, True, "Inverse hyperbolic cosine, elementwise.")
arctanh = _tfunary("arctanh", m.atanh, True, "Inverse hyperbolic tangent, elementwise.")
expm1 = _tfunary("expm1", m.expm1, True, "exp(x) - 1, elementwise.")
log1p = _tfunary("log1p", m.log1p, True, "log(1 + x), elementwise.")
isnan = _tfunary("isnan", m.is_nan, True, "Whether each element is NaN.")
isfinite = _tfunary("isfinite", m.is_finite, True, "Whether each element is finite.")
abs = _tfunary("abs", m.abs, False, "Absolute value, elementwise.")  # noqa: A001
absolute = fabs = abs
conj = conjugate = _tfunary("conj", m.conj, False, "Complex conjugate, elementwise.")
negative = _tfunary("negative", m.negative, False, "-x, elementwise.")
reciprocal = _tfunary("reciprocal", m.reciprocal, False, "1 / x, elementwise.")
square = _tfunary("square", m.square, False, "x * x, elementwise.")
positive = _tfunary("positive", lambda t: t, False, "+x (the input itself).")
deg2rad = _junary("deg2rad", lambda x: x * (np.pi / 180.0), True, "Degrees to radians.")
rad2deg = _junary("rad2deg", lambda x: x * (180.0 / np.pi), True, "Radians to degrees.")
cbrt = _junary("cbrt", jnp.cbrt, True, "Cube root, elementwise.")
exp2 = _junary("exp2", jnp.exp2, True, "2 ** x, elementwise.")
fix = _junary("fix", jnp.trunc, True, "Round towards zero, elementwise.")
sinc = _junary("sinc", jnp.sinc, True, "sin(pi x) / (pi x), elementwise.")
log2 = _junary("log2", jnp.log2, True, "Base-2 logarithm, elementwise.")
log10 = _junary("log10", jnp.log10, True, "Base-10 logarithm, elementwise.")
signbit = _junary("signbit", lambda x: x < 0 if x.dtype != jnp.bool_ else jnp.zeros_like(x),
                  False, "Whether the sign bit is set (x < 0).")


def _angle_real(a):
    return jnp.where(a < 0, np.pi, 0).astype(a.dtype)


def angle(z, deg=False):
    """The angle of complex numbers (0 or pi for reals)."""
    def f(x):
        if x._dtype.is_floating:
            return jcall("angle_real", _angle_real, x)
        return m.angle(x)
    y = _scalar(f, z, True)
    return rad2deg(y) if deg else y


def sign(x):
    """-1, 0 or 1 by the sign of each element."""
    return _scalar(m.sign, x)


def isinf(x):
    """Whether each element is +-inf (``False`` for non-float tensors, as in TF)."""
    x = asarray(x)
    if x._dtype.is_floating:
        return m.is_inf(x)
    return False


def isneginf(x):
    x = asarray(x)
    return jcall("isneginf", jnp.isneginf, x) if x._dtype.is_floating else False


def isposinf(x):
    x = asarray(x)
    return jcall("isposinf", jnp.isposinf, x) if x._dtype.is_floating else False


def iscomplex(x):
    return not_equal(imag(x), 0)


def isreal(x):
    return equal(imag(x), 0)


def iscomplexobj(x) -> bool:
    return array_internal(x)._dtype.is_complex


def isrealobj(x) -> bool:
    return not iscomplexobj(x)


def real(val):
    """The real part."""
    return m.real(asarray(val))


def imag(val):
    """The imaginary part (zeros for reals)."""
    return m.imag(asarray(val))


# -- binary ----------------------------------------------------------------------------------
def _bin(fn, a, b):
    a, b = promote(a, b)
    return fn(a, b)


def _bool_or(tf_bool, tf_fn):
    def f(a, b):
        return tf_bool(a, b) if a._dtype is _d.bool else tf_fn(a, b)
    return f


def add(x1, x2):
    """x1 + x2 with NumPy's type promotion.

    >>> import tftape.experimental.numpy as tnp
    >>> tnp.add(tnp.asarray([1, 2]), 0.5)
    <tf.Tensor: shape=(2,), dtype=float64, numpy=array([1.5, 2.5])>
    """
    return _bin(_bool_or(m.logical_or, m.add), x1, x2)


def subtract(x1, x2):
    return _bin(m.subtract, x1, x2)


def multiply(x1, x2):
    return _bin(_bool_or(m.logical_and, m.multiply), x1, x2)


def true_divide(x1, x2):
    """x1 / x2 (integers are divided as floats)."""
    def f(a, b):
        if a._dtype is _d.bool:
            a, b = cast(a, float_dtype()), cast(b, float_dtype())
        return m.truediv(a, b)
    return _bin(f, x1, x2)


divide = true_divide


def _int8_bools(fn):
    def f(a, b):
        if a._dtype is _d.bool:
            a, b = cast(a, _d.int8), cast(b, _d.int8)
        return fn(a, b)
    return f


def floor_divide(x1, x2):
    return _bin(_int8_bools(m.floordiv), x1, x2)


def mod(x1, x2):
    return _bin(_int8_bools(m.floormod), x1, x2)


remainder = mod


def divmod(x1, x2):  # noqa: A001
    return floor_divide(x1, x2), mod(x1, x2)


def maximum(x1, x2):
    return _bin(_bool_or(m.logical_or, m.maximum), x1, x2)


def minimum(x1, x2):
    return _bin(_bool_or(m.logical_and, m.minimum), x1, x2)


def clip(a, a_min, a_max):
    """Limits values to [a_min, a_max]."""
    if a_min is None and a_max is None:
        raise ValueError("Not more than one of `a_min` and `a_max` may be `None`.")
    if a_min is None:
        return minimum(a, a_max)
    if a_max is None:
        return maximum(a, a_min)
    a, lo, hi = promote(a, a_min, a_max)
    return jcall("clip", _clip3, a, lo, hi)


def _clip3(x, lo, hi):
    # Note: TF's ClipByValue passes the whole gradient to x at the bounds (JAX's max/min
    # would split ties), so select rather than max/min.
    x, lo, hi = jnp.broadcast_arrays(x, lo, hi)
    return jnp.where(x < lo, lo, jnp.where(x > hi, hi, x))


def power(x1, x2):
    return _bin(m.pow, x1, x2)


def float_power(x1, x2):
    return power(x1, x2)


def arctan2(x1, x2):
    return _bin(lambda a, b: jcall("arctan2", jnp.arctan2, a, b), x1, x2)


def _jbin(name, jfn, doc=""):
    def f(x1, x2):
        return _bin(lambda a, b: jcall(name, jfn, a, b), x1, x2)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc or f"NumPy's ``{name}`` with NumPy's type promotion."
    return f


nextafter = _jbin("nextafter", jnp.nextafter)
hypot = _jbin("hypot", jnp.hypot)
logaddexp = _jbin("logaddexp", jnp.logaddexp)
logaddexp2 = _jbin("logaddexp2", jnp.logaddexp2)
kron = _jbin("kron", jnp.kron)
gcd = _jbin("gcd", jnp.gcd)
lcm = _jbin("lcm", jnp.lcm)
bitwise_and = _jbin("bitwise_and", jnp.bitwise_and)
bitwise_or = _jbin("bitwise_or", jnp.bitwise_or)
bitwise_xor = _jbin("bitwise_xor", jnp.bitwise_xor)


def bitwise_not(x):
    return jcall("bitwise_not", jnp.invert, asarray(x))


def heaviside(x1, x2):
    def f(a, b):
        y = jcall("heaviside", jnp.heaviside, a, b)
        return cast(y, float_dtype()) if y._dtype is _d.bool else y
    return _bin(f, x1, x2)


def outer(a, b):
    return _bin(lambda x, y: jcall("outer", jnp.outer, x, y), a, b)


def polyval(p, x):
    """Evaluates the polynomial with coefficients ``p`` at ``x``."""
    p, x = promote(p, x)
    return jcall("polyval", jnp.polyval, p, x)


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    a, b = promote(a, b)
    return jcall("isclose", jnp.isclose, a, b, rtol=float(rtol), atol=float(atol),
                 equal_nan=builtins.bool(equal_nan), _diff=False)


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    return all(isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


# -- comparisons and logic ---------------------------------------------------------------------
def _comparison(tf_fn, x1, x2):
    a, b = promote(x1, x2)
    return tf_fn(a, b)


def equal(x1, x2):
    return _comparison(m.equal, x1, x2)


def not_equal(x1, x2):
    return _comparison(m.not_equal, x1, x2)


def _ordered(tf_fn, jfn):
    def f(x1, x2):
        a, b = promote(x1, x2)
        if a._dtype is _d.bool:
            return jcall(jfn.__name__, jfn, a, b, _diff=False)
        return tf_fn(a, b)
    f.__name__ = f.__qualname__ = jfn.__name__
    f.__doc__ = tf_fn.__doc__
    return f


greater = _ordered(m.greater, jnp.greater)
greater_equal = _ordered(m.greater_equal, jnp.greater_equal)
less = _ordered(m.less, jnp.less)
less_equal = _ordered(m.less_equal, jnp.less_equal)


def array_equal(a1, a2) -> Tensor:
    """Whether the arrays have the same shape and elements."""
    a, b = promote(a1, a2)
    if tuple(a._v.shape) != tuple(b._v.shape):
        return array_internal(False)
    return all(equal(a, b))


def _logical(tf_fn, x1, x2):
    return tf_fn(array_internal(x1, _d.bool), array_internal(x2, _d.bool))


def logical_and(x1, x2):
    return _logical(m.logical_and, x1, x2)


def logical_or(x1, x2):
    return _logical(m.logical_or, x1, x2)


def logical_xor(x1, x2):
    return _logical(m.logical_xor, x1, x2)


def logical_not(x):
    return m.logical_not(array_internal(x, _d.bool))


# -- reductions --------------------------------------------------------------------------------
_TO_INT, _TO_FLOAT = "int", "float"


def _reduce(tf_fn, a, axis=None, dtype=None, keepdims=None, promote_int=_TO_INT,
            tf_bool_fn=None, preserve_bool=False):
    """TF's ``_reduce``: small ints sum as int64 (as NumPy), means of ints are floats."""
    dtype = cfg.to_dtype(dtype)
    keepdims = builtins.bool(keepdims) if keepdims is not None else False
    a = asarray(a, dtype=dtype)
    if tf_bool_fn is not None and (dtype is _d.bool or (preserve_bool and a._dtype is _d.bool)):
        return tf_bool_fn(a, axis=axis, keepdims=keepdims)
    if dtype is None and (a._dtype.is_integer or a._dtype is _d.bool):
        if promote_int == _TO_INT:
            if a._dtype is _d.bool or (a._dtype.is_integer and not a._dtype.is_unsigned):
                if a._dtype.size < 8:
                    a = cast(a, _d.int64)
            elif a._dtype.size < 8:
                a = cast(a, _d.uint64)
        elif promote_int == _TO_FLOAT:
            a = cast(a, float_dtype())
    if isinstance(axis, Tensor):
        axis = axis.numpy().tolist()
    return tf_fn(a, axis=axis, keepdims=keepdims)


def sum(a, axis=None, dtype=None, keepdims=None):  # noqa: A001
    """Sum of elements (small integer types accumulate as int64, as in NumPy).

    >>> import tftape.experimental.numpy as tnp
    >>> tnp.sum(tnp.asarray([[1, 2], [3, 4]]), axis=0)
    <tf.Tensor: shape=(2,), dtype=int64, numpy=array([4, 6])>
    """
    return _reduce(m.reduce_sum, a, axis, dtype, keepdims, tf_bool_fn=m.reduce_any)


def prod(a, axis=None, dtype=None, keepdims=None):
    return _reduce(m.reduce_prod, a, axis, dtype, keepdims, tf_bool_fn=m.reduce_all)


def mean(a, axis=None, dtype=None, out=None, keepdims=None):
    if out is not None:
        raise ValueError("Setting out is not supported.")
    return _reduce(m.reduce_mean, a, axis, dtype, keepdims, promote_int=_TO_FLOAT)


def _empty_aware(tf_fn, jfn, lowest):
    """TF's Max/Min of an empty axis give the identity (-inf / +inf, or the int limit)."""
    def f(a, axis=None, keepdims=False):
        if 0 not in tuple(a._v.shape):
            return tf_fn(a, axis=axis, keepdims=keepdims)
        dt = a._dtype
        ident = (-np.inf if lowest else np.inf) if dt.is_floating else \
            (dt.min if lowest else dt.max)
        ax = tuple(axis) if isinstance(axis, (list, tuple)) else axis
        return jcall(jfn.__name__, jfn, a, axis=ax, keepdims=keepdims,
                     initial=ident.item() if hasattr(ident, "item") else ident)
    return f


_max_fn = _empty_aware(m.reduce_max, jnp.max, True)
_min_fn = _empty_aware(m.reduce_min, jnp.min, False)


def amax(a, axis=None, out=None, keepdims=None):
    if out is not None:
        raise ValueError("Setting out is not supported.")
    return _reduce(_max_fn, a, axis, None, keepdims, promote_int=None,
                   tf_bool_fn=m.reduce_any, preserve_bool=True)


def amin(a, axis=None, out=None, keepdims=None):
    if out is not None:
        raise ValueError("Setting out is not supported.")
    return _reduce(_min_fn, a, axis, None, keepdims, promote_int=None,
                   tf_bool_fn=m.reduce_all, preserve_bool=True)


max = amax  # noqa: A001
min = amin  # noqa: A001


def all(a, axis=None, keepdims=None):  # noqa: A001
    return m.reduce_all(array_internal(a, _d.bool), axis=axis,
                        keepdims=builtins.bool(keepdims))


def any(a, axis=None, keepdims=None):  # noqa: A001
    return m.reduce_any(array_internal(a, _d.bool), axis=axis,
                        keepdims=builtins.bool(keepdims))


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=None):
    """Variance (``ddof`` as NumPy)."""
    if out is not None:
        raise ValueError("Setting out is not supported.")
    working = cfg.result_type(a, dtype) if dtype else None
    if ddof != 0:
        if dtype is None:
            # Note: TF's ddof path ends in cast(result, dtype=None), which raises.
            raise TypeError("Cannot convert the argument `type_value`: None to a TensorFlow "
                            "DType.")

        def fn(t, axis, keepdims):
            ax = None if axis is None else (tuple(axis) if isinstance(axis, (list, tuple))
                                            else int(axis))
            return jcall("var", jnp.var, t, axis=ax, ddof=ddof, keepdims=keepdims)
    else:
        fn = m.reduce_variance
    r = _reduce(fn, a, axis, working, keepdims, promote_int=_TO_FLOAT)
    return cast(r, cfg.to_dtype(dtype)) if dtype else r


def std(a, axis=None, keepdims=None):
    return _reduce(m.reduce_std, a, axis, None, keepdims, promote_int=_TO_FLOAT)


def ptp(a, axis=None, keepdims=None):
    return subtract(amax(a, axis=axis, keepdims=keepdims), amin(a, axis=axis, keepdims=keepdims))


def count_nonzero(a, axis=None):
    return m.count_nonzero(asarray(a), axis=axis, dtype=_d.int64)


def _nan_reduction(name, reduction, init):
    def f(a, axis=None, dtype=None, keepdims=False):
        a = array_internal(a)
        v = array_internal(init, a._dtype)
        return reduction(where(isnan(a), v, a), axis=axis, dtype=dtype, keepdims=keepdims)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"``{name}``: NaNs count as {init}."
    return f


def where(condition, x=None, y=None):
    """Elements of ``x`` where ``condition`` else of ``y``; or the nonzero indices."""
    from ._array import where as _w
    return _w(condition, x, y)


nansum = _nan_reduction("nansum", sum, 0)
nanprod = _nan_reduction("nanprod", prod, 1)


def nanmean(a, axis=None, dtype=None, keepdims=None):
    a = array_internal(a)
    if a._dtype is _d.bool or a._dtype.is_integer:
        return mean(a, axis=axis, dtype=dtype, keepdims=keepdims)
    mask = logical_not(isnan(a))
    dt = dtype if dtype is not None else a._dtype
    return true_divide(nansum(a, axis=axis, dtype=dt, keepdims=keepdims),
                       sum(mask, axis=axis, dtype=dt, keepdims=keepdims))


def _cum(name, tf_fn):
    def f(a, axis=None, dtype=None):
        dtype = cfg.to_dtype(dtype)
        a = asarray(a, dtype=dtype)
        if dtype is None and a._dtype.is_integer and a._dtype.size < 8:
            # TF's _maybe_promote_to_int: small ints, unsigned ones too, accumulate in int64.
            a = cast(a, _d.int64)
        if axis is None:
            from .._ops.array_ops import reshape
            a, axis = reshape(a, [-1]), 0
        return tf_fn(a, axis=axis)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"``{name}`` along ``axis`` (flattened when None)."
    return f


cumsum = _cum("cumsum", m.cumsum)
cumprod = _cum("cumprod", m.cumprod)


def _argminmax(name, jfn):
    def f(a, axis=None):
        a = asarray(a)
        if a._dtype is _d.bool:
            a = cast(a, _d.int64)
        if not tuple(a._v.shape) or 0 in tuple(a._v.shape) and axis is None:
            if 0 in tuple(a._v.shape):
                raise ValueError(f"attempt to get {name} of an empty sequence")
        return cast(jcall(name, jfn, a, axis=axis, _diff=False), _d.int64)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"Indices of the {name[3:]}imum values (int64)."
    return f


argmax = _argminmax("argmax", jnp.argmax)
argmin = _argminmax("argmin", jnp.argmin)


def average(a, axis=None, weights=None, returned=False):
    """Weighted average (``returned`` also gives the sum of weights)."""
    if axis is not None and not isinstance(axis, int):
        raise ValueError(f"Argument `axis` must be an integer. Received axis={axis} "
                         f"(of type {type(axis)})")
    a = array_internal(a)
    default = float_dtype()
    if weights is None:
        if not is_inexact(a):
            a = astype(a, cfg.result_type(a._dtype, default))
        avg = m.reduce_mean(a, axis=axis)
        if returned:
            n = int(np.prod(a._v.shape)) if axis is None else a._v.shape[axis]
            from .._ops.array_ops import broadcast_to
            return avg, broadcast_to(array_internal(n, a._dtype), avg.shape)
        return avg
    if is_inexact(a):
        out = cfg.result_type(a._dtype, weights)
    else:
        out = cfg.result_type(a._dtype, weights, default)
    a, w = cast(a, out), array_internal(weights, out)
    r = jcall("average", jnp.average, a, axis=axis, weights=w, returned=bool(returned))
    return tuple(r) if returned else r


def trace(a, offset=0, axis1=0, axis2=1, dtype=None):
    dtype = cfg.to_dtype(dtype)
    a = asarray(a)
    d = jcall("diagonal", jnp.diagonal, a, offset=offset, axis1=axis1, axis2=axis2)
    if dtype is not None:
        d = cast(d, dtype)
    return m.reduce_sum(d, axis=-1)


def diff(a, n=1, axis=-1):
    a = asarray(a)
    nd = a._v.ndim
    if (axis + nd if axis < 0 else axis) >= nd:
        raise ValueError(f"Argument `axis` (received axis={axis}) is out of bounds "
                         f"for input {a} of rank {nd}.")
    if n < 0:
        raise ValueError(f"Argument `order` must be a non-negative integer. Received: axis={n}")
    return jcall("diff", jnp.diff, a, n=n, axis=axis)


# -- products ----------------------------------------------------------------------------------
def matmul(x1, x2):
    """Matrix product with NumPy's promotion and vector rules."""
    a, b = promote(x1, x2)
    if a._v.ndim == 0 or b._v.ndim == 0:
        raise ValueError("matmul: Input operand 1 does not have enough dimensions ...")
    if a._dtype is _d.bool:
        return cast(jcall("matmul", jnp.matmul, cast(a, _d.int32), cast(b, _d.int32)), _d.bool)
    return jcall("matmul", jnp.matmul, a, b)


def dot(a, b):
    a, b = promote(a, b)
    return jcall("dot", jnp.dot, a, b)


def vdot(a, b):
    a, b = promote(a, b)
    return jcall("vdot", jnp.vdot, a, b)


def inner(a, b):
    a, b = promote(a, b)
    return jcall("inner", jnp.inner, a, b)


def tensordot(a, b, axes=2):
    a, b = promote(a, b)
    if isinstance(axes, (list, tuple)):
        axes = tuple(tuple(x) if isinstance(x, (list, tuple)) else x for x in axes)
    return jcall("tensordot", jnp.tensordot, a, b, axes=axes)


def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    a, b = promote(a, b)
    return jcall("cross", jnp.cross, a, b, axisa=axisa, axisb=axisb, axisc=axisc, axis=axis)


def einsum(subscripts, *operands, **kwargs):
    """Einstein summation with NumPy's promotion of the operands."""
    casting = kwargs.pop("casting", "safe")
    if casting != "safe" and casting != "no":
        raise ValueError("Only 'safe' and 'no' casting is supported")
    operands = promote(*operands)
    return jcall("einsum", jnp.einsum, subscripts, *operands)

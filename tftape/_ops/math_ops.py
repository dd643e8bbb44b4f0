"""Elementwise math, comparisons, logical ops, reductions and segment ops."""
from __future__ import annotations

import functools

import numpy as np
import jax
import jax.numpy as jnp
from jax import lax

from .._core import dtypes as _d
from .._core.errors import InvalidArgumentError, kernel_error
from .._core.registry import (Op, allowed_error, check_dtype, convert_inputs, dispatch, execute,
                              execute_binary,
                              has_composite, op, raise_invalid)
from .._core.convert import convert_to_tensor
from .._core.convert import _scalar
from .._core.tensor import EagerTensor, PendingTensor, Tensor, make_string, vshape
from ._util import (FLOAT, INEXACT, INT, NUMERIC, REAL, SIGNED_NUMERIC, fmt_shape, host,
                    is_concrete, static_axis, tensor)

BOOL = (_d.bool,)
NUMERIC_NO_UNSIGNED = _d.FLOATING + _d.SIGNED + _d.COMPLEX


# -- TF's gradients where they differ from JAX's -------------------------------------------
def _abs_fwd(x):
    return jnp.abs(x), x


def _abs_bwd(x, g):
    # Note: TF's gradient of abs is sign(x) * g, which is 0 at 0 (JAX gives 1).
    return (g * jnp.sign(x).astype(g.dtype),)


def _max_fwd(x, y):
    return jnp.maximum(x, y), (x, y)


def _max_bwd(res, g):
    # Note: TF gives a tie wholly to the first argument; JAX splits it.
    x, y = res
    m = x >= y
    return _unbroadcast(jnp.where(m, g, 0), x.shape), _unbroadcast(jnp.where(m, 0, g), y.shape)


def _min_fwd(x, y):
    return jnp.minimum(x, y), (x, y)


def _min_bwd(res, g):
    x, y = res
    m = x <= y
    return _unbroadcast(jnp.where(m, g, 0), x.shape), _unbroadcast(jnp.where(m, 0, g), y.shape)


def _unbroadcast(g, shape):
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(i + extra for i, d in enumerate(shape)
                                       if d == 1 and g.shape[i + extra] != 1)
    return jnp.sum(g, axis=axes).reshape(shape) if axes else g.reshape(shape)


# -- binary elementwise ops --------------------------------------------------------------------
def _check_broadcast(o: Op, sa, sb):
    for a, b in zip(reversed(sa), reversed(sb)):
        if a != b and a != 1 and b != 1:
            raise_invalid(o, f"Incompatible shapes: {fmt_shape(sa)} vs. {fmt_shape(sb)}")


def _binary_fn(o: Op, doc: str):
    ok = frozenset(o.dtypes or _d.ALL) - o.no_kernel
    ok_float = frozenset(d for d in ok if d.is_floating)

    def fn(x, y, name=None):
        # The common cases first: two eager (or pending) tensors of one allowed dtype, and a
        # float tensor with a Python number (converted to its dtype, as the slow path does).
        # A Variable operand is read first (what converting it does).
        tx = type(x)
        if tx is not EagerTensor and getattr(tx, "_is_tf_variable", False):
            x = x.read_value()
            tx = type(x)
        if tx is EagerTensor or tx is PendingTensor:
            ty = type(y)
            if ty is not EagerTensor and getattr(ty, "_is_tf_variable", False):
                y = y.read_value()
                ty = type(y)
            if ty is EagerTensor or ty is PendingTensor:
                if x._dtype is y._dtype and x._dtype in ok:
                    sa, sb = vshape(x), vshape(y)
                    if sa != sb:
                        _check_broadcast(o, sa, sb)
                    return execute_binary(o, x, y)
            elif (ty is float or ty is int) and x._dtype in ok_float:
                try:
                    b = _scalar(y, x._dtype)
                except (TypeError, ValueError):
                    pass
                else:
                    return execute_binary(o, x, b)
            elif ty is np.ndarray and not o.lenient and x._dtype in ok:
                # A NumPy operand (a training set): converted to the tensor's dtype, exactly
                # as ``convert_inputs`` would.
                b = convert_to_tensor(y, dtype=x._dtype)
                sa, sb = vshape(x), vshape(b)
                if sa != sb:
                    _check_broadcast(o, sa, sb)
                return execute_binary(o, x, b)
        if has_composite((x, y)):
            r = dispatch(o.name, fn, (x, y), {})
            if r is not NotImplemented:
                return r
        a, b = convert_inputs(o, (x, y))
        sa, sb = vshape(a), vshape(b)
        if sa != sb:
            _check_broadcast(o, sa, sb)
        return execute(o, (a, b))
    fn.__name__ = fn.__qualname__ = o.name
    fn.__doc__ = doc
    return fn


def _safe_floordiv(x, y):
    if jnp.issubdtype(x.dtype, jnp.integer):
        # Note: guard y == 0 (checked eagerly before) so traced kernels never trap.
        return jnp.floor_divide(x, jnp.where(y == 0, jnp.ones_like(y), y))
    return jnp.floor_divide(x, y)


def _floormod(x, y):
    if jnp.issubdtype(x.dtype, jnp.integer):
        return jnp.remainder(x, y)
    # TF's FloorMod for floats: the result takes the sign of the divisor.
    r = jnp.fmod(x, y)
    return jnp.where((r != 0) & ((r < 0) != (y < 0)), r + y, r)


def _pow(x, y):
    return jnp.power(x, y)


def _pow_bwd(res, g):
    # Note: TF's PowGrad: g * y * x ** (y - 1) for x, and g * z * log(x) for y only where
    # x > 0 (x != 0 if complex), else 0; JAX gives nan for y at x < 0. The power in the
    # rule is the Pow op again, so that higher derivatives follow this rule too.
    (x, y), z = res
    if not jnp.issubdtype(g.dtype, jnp.inexact):
        return _float0_like(x), _float0_like(y)
    # (Complex values: JAX's convention, without TF's conjugates; the tape conjugates.)
    pow_ = _pow_op.grad_impl()
    gx = g * y * pow_(x, y - jnp.ones((), y.dtype))
    mask = x != 0 if jnp.iscomplexobj(x) else x > 0
    safe_x = jnp.where(mask, x, jnp.ones_like(x))
    log_x = jnp.where(mask, jnp.log(safe_x), jnp.zeros_like(x))
    gy = g * z * log_x
    return _unbroadcast(gx, jnp.shape(x)), _unbroadcast(gy, jnp.shape(y))


def _float0_like(x):
    return np.zeros(x.shape, dtype=jax.dtypes.float0)


_add = op("add", "AddV2", jnp.add, dtypes=NUMERIC, elementwise=True, lenient=True)
_sub = op("subtract", "Sub", jnp.subtract, dtypes=NUMERIC, elementwise=True)
_mul = op("multiply", "Mul", jnp.multiply, dtypes=NUMERIC, elementwise=True)
def _exact_div(x, y):
    # Note: XLA rewrites x / broadcast(y) as x * broadcast(1 / y), which is not correctly
    # rounded (9 / 10.0 gives 0.90000004 in float32); TF divides exactly. An optimization
    # barrier on the broadcast divisor keeps the division.
    if jnp.shape(x) != jnp.shape(y) or jnp.ndim(y) == 0:
        shape = jnp.broadcast_shapes(jnp.shape(x), jnp.shape(y))
        y = lax.optimization_barrier(jnp.broadcast_to(y, shape))
        if jnp.shape(x) != shape:
            x = jnp.broadcast_to(x, shape)
    return jnp.true_divide(x, y)


_realdiv = op("real_div", "RealDiv", _exact_div, dtypes=INEXACT, elementwise=True)
_div = op("div", "Div", lambda x, y: lax.div(x, y) if jnp.issubdtype(x.dtype, jnp.integer)
          else _exact_div(x, y), dtypes=NUMERIC, elementwise=True)
_floordiv = op("floordiv", "FloorDiv", _safe_floordiv, dtypes=NUMERIC, elementwise=True,
               no_kernel=_d.COMPLEX)
_floormod = op("floormod", "FloorMod", _floormod, dtypes=REAL, elementwise=True,
               differentiable=True)
_pow_op = op("pow", "Pow", _pow, dtypes=NUMERIC_NO_UNSIGNED, elementwise=True,
             tf_grad=(None, _pow_bwd))
_maximum = op("maximum", "Maximum", jnp.maximum, dtypes=REAL, elementwise=True,
              tf_grad=(_max_fwd, _max_bwd))
_minimum = op("minimum", "Minimum", jnp.minimum, dtypes=REAL, elementwise=True,
              tf_grad=(_min_fwd, _min_bwd))
def _sqdiff_impl(x, y):
    d = x - y
    # TF's SquaredDifference is (x - y) * conj(x - y): real for complex inputs.
    return d * jnp.conj(d) if jnp.issubdtype(d.dtype, jnp.complexfloating) else d * d


_sqdiff = op("squared_difference", "SquaredDifference", _sqdiff_impl,
             dtypes=FLOAT + (_d.int32, _d.int64) + _d.COMPLEX, elementwise=True)
_divnonan = op("divide_no_nan", "DivNoNan",
               lambda x, y: jnp.where(y == 0, jnp.zeros_like(x), _exact_div(x, jnp.where(y == 0, 1, y))),
               dtypes=INEXACT, elementwise=True)
_atan2 = op("atan2", "Atan2", jnp.arctan2, dtypes=FLOAT, elementwise=True)
def _xlogy_bwd(res, g):
    # Note: TF's XlogyGrad is 0 for both inputs wherever x == 0 (JAX: log(y) for x).
    x, y = res
    nz = x != 0
    ys = jnp.where(nz, y, jnp.ones_like(y))
    return (_unbroadcast(jnp.where(nz, g * jnp.log(ys), 0).astype(g.dtype), x.shape),
            _unbroadcast(jnp.where(nz, g * x / ys, 0).astype(g.dtype), y.shape))


def _xdivy_bwd(res, g):
    # Note: TF's XdivyGrad is 0 for both inputs wherever x == 0 (JAX: nan at y == 0).
    x, y = res
    nz = x != 0
    ys = jnp.where(nz, y, jnp.ones_like(y))
    return (_unbroadcast(jnp.where(nz, g / ys, 0).astype(g.dtype), x.shape),
            _unbroadcast(jnp.where(nz, -g * x / (ys * ys), 0).astype(g.dtype), y.shape))


def _xdivy_impl(x, y):
    return jnp.where(x == 0, 0., x / y).astype(x.dtype)


_xlogy = op("xlogy", "Xlogy", jax.scipy.special.xlogy, dtypes=INEXACT, elementwise=True,
            tf_grad=(lambda x, y: (jax.scipy.special.xlogy(x, y), (x, y)), _xlogy_bwd))
_xdivy = op("xdivy", "Xdivy", _xdivy_impl, dtypes=INEXACT, elementwise=True,
            tf_grad=(lambda x, y: (_xdivy_impl(x, y), (x, y)), _xdivy_bwd))
def _truncdiv_impl(x, y):
    if jnp.issubdtype(x.dtype, jnp.integer):
        x, y = jnp.broadcast_arrays(x, y)
        return lax.div(x, jnp.where(y == 0, jnp.ones_like(y), y))
    return jnp.trunc(x / y)


def _truncmod_impl(x, y):
    if jnp.issubdtype(x.dtype, jnp.integer):
        x, y = jnp.broadcast_arrays(x, y)
        return lax.rem(x, jnp.where(y == 0, jnp.ones_like(y), y))
    return jnp.fmod(x, y)


_truncdiv = op("truncatediv", "TruncateDiv", _truncdiv_impl, dtypes=REAL + _d.COMPLEX,
               elementwise=True, differentiable=False, no_kernel=_d.COMPLEX)
_truncmod = op("truncatemod", "TruncateMod", _truncmod_impl, dtypes=REAL,
               elementwise=True, differentiable=False)
_mulnonan = op("multiply_no_nan", "MulNoNan",
               lambda x, y: jnp.where(y == 0, jnp.zeros_like(x * y), x * y),
               dtypes=INEXACT, elementwise=True)
_xlog1py = op("xlog1py", "Xlog1py", jax.scipy.special.xlog1py, dtypes=INEXACT, elementwise=True,
              no_kernel=_d.COMPLEX)
_zeta = op("zeta", "Zeta", jax.scipy.special.zeta, dtypes=(_d.float32, _d.float64),
           elementwise=True)
_igamma = op("igamma", "Igamma", jax.scipy.special.gammainc, dtypes=FLOAT, elementwise=True,
             no_kernel=(_d.float16, _d.bfloat16))
_igammac = op("igammac", "Igammac", jax.scipy.special.gammaincc, dtypes=FLOAT,
              elementwise=True, no_kernel=(_d.float16, _d.bfloat16))


def _polygamma_impl(a, x):
    # Note: JAX wants an integer order; TF gives NaN for a non-integer one.
    n = jnp.round(a)
    a, x = jnp.broadcast_arrays(a, x)
    n = jnp.broadcast_to(n, x.shape)
    ok = (n == a) & (n >= 0)
    vals = jax.scipy.special.polygamma(jnp.where(ok, n, 0).astype(jnp.int32), x)
    return jnp.where(ok, vals, jnp.nan).astype(x.dtype)


_polygamma = op("polygamma", "Polygamma", _polygamma_impl, dtypes=(_d.float32, _d.float64),
                elementwise=True)
_nextafter = op("nextafter", "NextAfter", jnp.nextafter, dtypes=(_d.float32, _d.float64),
                elementwise=True, differentiable=False)

add_op = _add
subtract = _binary_fn(_sub, "x - y elementwise, with broadcasting.")
multiply = _binary_fn(_mul, "x * y elementwise, with broadcasting.")
maximum = _binary_fn(_maximum, "The elementwise maximum of x and y.")
minimum = _binary_fn(_minimum, "The elementwise minimum of x and y.")
squared_difference = _binary_fn(_sqdiff, "(x - y)^2 elementwise.")
_divide_no_nan_raw = _binary_fn(_divnonan, "")
_atan2_fn = _binary_fn(_atan2, "")


def atan2(y, x, name=None):
    """The elementwise arctangent of y / x, in the quadrant of (x, y)."""
    return _atan2_fn(y, x)
xlogy = _binary_fn(_xlogy, "x * log(y), and 0 where x is 0.")
xdivy = _binary_fn(_xdivy, "x / y, and 0 where x is 0.")
_truncatediv_raw = _binary_fn(_truncdiv, "")
_truncatemod_raw = _binary_fn(_truncmod, "")
multiply_no_nan = _binary_fn(_mulnonan, "x * y, and 0 where y is 0 (even if x is NaN or inf).")
xlog1py = _binary_fn(_xlog1py, "x * log1p(y), and 0 where x is 0.")
_zeta_fn = _binary_fn(_zeta, "")
_igamma_fn = _binary_fn(_igamma, "")
_igammac_fn = _binary_fn(_igammac, "")
_polygamma_fn = _binary_fn(_polygamma, "")
_nextafter_fn = _binary_fn(_nextafter, "")


# TF's argument names (callers may pass them by keyword).
def zeta(x, q, name=None):
    """The Hurwitz zeta function."""
    return _zeta_fn(x, q)


def igamma(a, x, name=None):
    """The lower regularized incomplete gamma function P(a, x)."""
    return _igamma_fn(a, x)


def igammac(a, x, name=None):
    """The upper regularized incomplete gamma function Q(a, x)."""
    return _igammac_fn(a, x)


def polygamma(a, x, name=None):
    """The polygamma function of order a at x."""
    return _polygamma_fn(a, x)


def nextafter(x1, x2, name=None):
    """The next representable value after x1 towards x2."""
    return _nextafter_fn(x1, x2)


def _int_div_internal(o, b):
    if b._dtype.is_integer and is_concrete(b) and bool(np.any(host(b) == 0)):
        from .._core.errors import InternalError
        raise kernel_error(o.tf_name, "Unexpected error in binary operator (only integer div "
                                      "and mod should have errors)", InternalError)


_FLOATING = frozenset(d for d in _d.ALL if d.is_floating)


def _traced_divisor_check(o, check, b, out, public):
    """The traced form of ``check`` (a tf.function runtime check, see ``_core.checks``)."""
    from .._core.checks import check as register
    from .._core.errors import InternalError
    if check is _int_pow_check:
        bad, cls, msg = jnp.any(b._v < 0), InvalidArgumentError, \
            "Integers to negative integer powers are not allowed"
    elif check is _int_div_internal:
        bad, cls, msg = jnp.any(b._v == 0), InternalError, \
            "Unexpected error in binary operator (only integer div and mod should have errors)"
    else:
        bad, cls, msg = jnp.any(b._v == 0), InvalidArgumentError, "Integer division by zero"
    # Note: XLA's integer division by zero yields a value; TF's kernel fails.
    register(jnp.logical_not(bad), [], lambda vals: cls(None, None, msg),
             public if public in ("floordiv", "pow") else o.tf_name,
             (out._v,) if isinstance(out, Tensor) else ())


def _checked_binary(o: Op, check, raw, name: str, doc: str):
    """A binary op whose divisor is checked on the host first (integer division by zero)."""
    public = name

    def fn(x, y, name=None):
        tx = type(x)
        if (tx is EagerTensor or tx is PendingTensor) and x._dtype in _FLOATING:
            return raw(x, y)  # the checks are for integer divisors only
        if has_composite((x, y)):
            r = dispatch(o.name, fn, (x, y), {})
            if r is not NotImplemented:
                return r
        a, b = convert_inputs(o, (x, y))
        check(o, b)
        out = raw(a, b)
        if b._dtype.is_integer and not is_concrete(b):
            _traced_divisor_check(o, check, b, out, public)
        return out
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


truncatediv = _checked_binary(_truncdiv, _int_div_internal, _truncatediv_raw, "truncatediv",
                              "Division rounding towards zero (``tf.truncatediv``).")
truncatemod = _checked_binary(_truncmod, _int_div_internal, _truncatemod_raw, "truncatemod",
                              "The remainder of truncating division: it takes the sign of x "
                              "(``tf.truncatemod``).")
_floordiv_raw = _binary_fn(_floordiv, "")
_floormod_raw = _binary_fn(_floormod, "")
_pow_raw = _binary_fn(_pow_op, "")
_add_raw = _binary_fn(_add, "")


def _string_add(a, b):
    return np.char.add(a.astype(bytes), b.astype(bytes)).astype(object) if a.size and b.size \
        else np.broadcast_arrays(a, b)[0].copy()


_string_add_op = op("string_add", "Add", _string_add, host=True, differentiable=False)


def add(x, y, name=None):
    """x + y elementwise, with broadcasting (strings are concatenated).

    >>> import tftape as tf
    >>> tf.add([1, 2], [3, 4])
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([4, 6], dtype=int32)>
    """
    if has_composite((x, y)):
        r = dispatch("add", add, (x, y), {})
        if r is not NotImplemented:
            return r
    if (isinstance(x, Tensor) and x._dtype is _d.string) or \
            (not isinstance(x, Tensor) and isinstance(x, (str, bytes))):
        a = tensor(x)
        if isinstance(y, Tensor):
            b = y
        else:
            try:
                b = tensor(y, _d.string)
            except (TypeError, ValueError):
                b = tensor(y)
        if b._dtype is not _d.string:
            # Note: TF adds strings with its older "Add" op, named so in the message.
            raise _dtype_err(_string_add_op, 1, _d.string, b._dtype)
        out = np.vectorize(lambda p, q: p + q, otypes=[object])(a._v, b._v)
        return make_string(np.asarray(out, dtype=object))
    return _add_raw(x, y)


def _dtype_err(o, i, exp, got):
    from .._core.registry import dtype_error
    return dtype_error(o, i, exp, got)


def _int_zero_check(o, b):
    if b._dtype.is_integer and is_concrete(b) and bool(np.any(host(b) == 0)):
        raise kernel_error(o.tf_name, "Integer division by zero")


floordiv = _checked_binary(_floordiv, _int_zero_check, _floordiv_raw, "floordiv",
                           "Floor division; integer division by zero raises "
                           "InvalidArgumentError.")
floormod = _checked_binary(_floormod, _int_zero_check, _floormod_raw, "floormod",
                           "The remainder of floor division (result has the divisor's sign).")


mod = floormod


def _int_pow_check(o, b):
    if b._dtype.is_integer and is_concrete(b) and bool(np.any(host(b) < 0)):
        raise kernel_error(o.tf_name, "Integers to negative integer powers are not allowed")


_pow_checked = _checked_binary(_pow_op, _int_pow_check, _pow_raw, "pow", "")

# ``x ** 2`` with a Python exponent: the exponent is a compile-time constant of the kernel,
# so XLA simplifies the derivatives (3 * pow(x, 2) becomes 3 * x * x) instead of evaluating
# pow and log per element. Only integral exponents, whose results XLA computes exactly as
# the general pow does.
_pow_const = op("pow_const", "Pow", lambda x, p: lax.pow(x, jnp.asarray(p, x.dtype)),
                dtypes=_d.FLOATING, elementwise=True)


def pow(x, y, name=None):  # noqa: A001 - TF's name
    """x ** y elementwise.

    >>> import tftape as tf
    >>> tf.pow(tf.constant([2., 3.]), 2)
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([4., 9.], dtype=float32)>
    """
    tx, ty = type(x), type(y)
    if (tx is EagerTensor or tx is PendingTensor) and (ty is int or ty is float) and \
            x._dtype in _FLOATING and -64 <= y <= 64 and float(y).is_integer():
        p = float(y)
        return execute(_pow_const, (x,), (p,), {"p": p})
    return _pow_checked(x, y)


_TRUEDIV_CAST = {_d.uint8: _d.float32, _d.int8: _d.float32, _d.uint16: _d.float32,
                 _d.int16: _d.float32, _d.uint32: _d.float64, _d.int32: _d.float64,
                 _d.uint64: _d.float64, _d.int64: _d.float64, _d.bfloat16: None,
                 _d.float16: None, _d.float32: None, _d.float64: None, _d.complex64: None,
                 _d.complex128: None}
_realdiv_fn = _binary_fn(_realdiv, "")


def _div_operands(x, y, where):
    """TF's truediv conversion: same dtypes, integers cast to a float type first."""
    if not isinstance(x, Tensor) and isinstance(y, Tensor):
        a = tensor(x, y._dtype)
        b = y
    else:
        a = x if isinstance(x, Tensor) else tensor(x)
        b = y if isinstance(y, Tensor) else convert_to_tensor(y, dtype_hint=a._dtype)
    if a._dtype is not b._dtype:
        raise TypeError(f"`x` and `y` must have the same dtype, got {a._dtype!r} != "
                        f"{b._dtype!r}.")
    if a._dtype not in _TRUEDIV_CAST:
        raise TypeError(f"Invalid dtype {a._dtype!r} in {where}. Expected one of "
                        f"{{{', '.join(repr(d) for d in _TRUEDIV_CAST)}}}.")
    ft = _TRUEDIV_CAST[a._dtype]
    if ft is not None:
        a, b = cast(a, ft), cast(b, ft)
    return a, b


def truediv(x, y, name=None):
    """x / y; integers are first cast to a float type (int32 -> float64), as TF does.

    >>> import tftape as tf
    >>> tf.math.truediv(tf.constant([1, 2]), 4)
    <tf.Tensor: shape=(2,), dtype=float64, numpy=array([0.25, 0.5 ])>
    """
    if has_composite((x, y)):
        r = dispatch("truediv", truediv, (x, y), {})
        if r is not NotImplemented:
            return r
    return _realdiv_fn(*_div_operands(x, y, "__truediv__"))


def divide_no_nan(x, y, name=None):
    """x / y, and 0 where y is 0 (integers are cast to floats as in truediv)."""
    return _divide_no_nan_raw(*_div_operands(x, y, "tf.math.divide_no_nan"))


divide = truediv


def div(x, y, name=None):
    """TF1's ``div``: integer division for ints, true division for floats."""
    a, b = convert_inputs(_div, (x, y))
    _int_zero_check(_div, b)
    return execute(_div, (a, b))


# -- comparisons ------------------------------------------------------------------------------
_equal = op("equal", "Equal", jnp.equal, dtypes=_d.ALL, differentiable=False, elementwise=True)
_not_equal = op("not_equal", "NotEqual", jnp.not_equal, dtypes=_d.ALL, differentiable=False,
                elementwise=True)
_less = op("less", "Less", jnp.less, dtypes=REAL, differentiable=False, elementwise=True)
_less_equal = op("less_equal", "LessEqual", jnp.less_equal, dtypes=REAL, differentiable=False,
                 elementwise=True)
_greater = op("greater", "Greater", jnp.greater, dtypes=REAL, differentiable=False,
              elementwise=True)
_greater_equal = op("greater_equal", "GreaterEqual", jnp.greater_equal, dtypes=REAL,
                    differentiable=False, elementwise=True)
less = _binary_fn(_less, "x < y elementwise.")
less_equal = _binary_fn(_less_equal, "x <= y elementwise.")
greater = _binary_fn(_greater, "x > y elementwise.")
greater_equal = _binary_fn(_greater_equal, "x >= y elementwise.")
_equal_fn = _binary_fn(_equal, "")
_not_equal_fn = _binary_fn(_not_equal, "")


def _string_cmp(a, b, fn):
    import jax.numpy as jnp_
    out = np.asarray(fn(a._v, b._v), dtype=bool)
    from .._core.tensor import make
    return make(jnp_.asarray(out), _d.bool)


def equal(x, y, name=None):
    """x == y elementwise."""
    if has_composite((x, y)):
        r = dispatch("equal", equal, (x, y), {})
        if r is not NotImplemented:
            return r
    a, b = convert_inputs(_equal, (x, y))
    if a._dtype is _d.string:
        _check_broadcast(_equal, vshape(a), vshape(b))
        return _string_cmp(a, b, np.equal)
    return _equal_fn(a, b)


def not_equal(x, y, name=None):
    """x != y elementwise."""
    if has_composite((x, y)):
        r = dispatch("not_equal", not_equal, (x, y), {})
        if r is not NotImplemented:
            return r
    a, b = convert_inputs(_not_equal, (x, y))
    if a._dtype is _d.string:
        _check_broadcast(_not_equal, vshape(a), vshape(b))
        return _string_cmp(a, b, np.not_equal)
    return _not_equal_fn(a, b)


# -- logical and bitwise -------------------------------------------------------------------------
_land = op("logical_and", "LogicalAnd", jnp.logical_and, dtypes=BOOL, differentiable=False,
           elementwise=True)
_lor = op("logical_or", "LogicalOr", jnp.logical_or, dtypes=BOOL, differentiable=False,
          elementwise=True)
_lnot = op("logical_not", "LogicalNot", jnp.logical_not, dtypes=BOOL, differentiable=False,
           elementwise=True)
_band = op("bitwise_and", "BitwiseAnd", jnp.bitwise_and, dtypes=INT, differentiable=False,
           elementwise=True)
_bor = op("bitwise_or", "BitwiseOr", jnp.bitwise_or, dtypes=INT, differentiable=False,
          elementwise=True)
_bxor = op("bitwise_xor", "BitwiseXor", jnp.bitwise_xor, dtypes=INT, differentiable=False,
           elementwise=True)
_invert = op("invert", "Invert", jnp.invert, dtypes=INT, differentiable=False, elementwise=True,
             signature="x:T -> y:T")
def _bool_inputs(o, xs):
    """Logical ops have fixed bool inputs: a wrong dtype is a per-input conversion error."""
    out = []
    for i, x in enumerate(xs):
        t = x if isinstance(x, Tensor) else tensor(x, _d.bool) if isinstance(x, bool) else tensor(x)
        if t._dtype is not _d.bool:
            from .._core.registry import dtype_error
            raise dtype_error(o, i, _d.bool, t._dtype)
        out.append(t)
    return out


def _logical_fn(o, doc):
    def fn(x, y, name=None):
        if has_composite((x, y)):
            r = dispatch(o.name, fn, (x, y), {})
            if r is not NotImplemented:
                return r
        a, b = _bool_inputs(o, (x, y))
        if vshape(a) != vshape(b):
            _check_broadcast(o, vshape(a), vshape(b))
        return execute(o, (a, b))
    fn.__name__ = fn.__qualname__ = o.name
    fn.__doc__ = doc
    return fn


logical_and = _logical_fn(_land, "x AND y elementwise.")
logical_or = _logical_fn(_lor, "x OR y elementwise.")


def logical_xor(x, y, name="LogicalXor"):
    """x XOR y elementwise: (x OR y) AND NOT (x AND y), as TF composes it."""
    return logical_and(logical_or(x, y), logical_not(logical_and(x, y)))
bitwise_and = _binary_fn(_band, "Bitwise AND.")
bitwise_or = _binary_fn(_bor, "Bitwise OR.")
bitwise_xor = _binary_fn(_bxor, "Bitwise XOR.")


_lshift = op("left_shift", "LeftShift", jnp.left_shift, dtypes=INT, differentiable=False,
             elementwise=True)
_rshift = op("right_shift", "RightShift", jnp.right_shift, dtypes=INT, differentiable=False,
             elementwise=True)
left_shift = _binary_fn(_lshift, "x << y elementwise.")
right_shift = _binary_fn(_rshift, "x >> y elementwise (arithmetic for signed types).")


def logical_not(x, name=None):
    """NOT x elementwise."""
    if has_composite((x,)):
        r = dispatch("logical_not", logical_not, (x,), {})
        if r is not NotImplemented:
            return r
    return execute(_lnot, _bool_inputs(_lnot, (x,)))


def invert(x, name=None):
    """Bitwise NOT."""
    return _invert(x)


# -- unary elementwise ops -----------------------------------------------------------------------
def _unary_fn(o: Op, doc: str):
    ok = frozenset(o.dtypes or _d.ALL) - o.no_kernel

    def fn(x, name=None):
        tx = type(x)
        if (tx is EagerTensor or tx is PendingTensor) and x._dtype in ok:
            return execute(o, (x,))
        if has_composite((x,)):
            r = dispatch(o.name, fn, (x,), {})
            if r is not NotImplemented:
                return r
        t = x if isinstance(x, Tensor) else tensor(x)
        check_dtype(o, t)
        return execute(o, (t,))
    fn.__name__ = fn.__qualname__ = o.name
    fn.__doc__ = doc
    return fn


def _relu(x):
    return jnp.maximum(x, jnp.zeros((), x.dtype))


def _unary(name, tf_name, impl, dtypes, doc, **kw):
    o = op(name, tf_name, impl, dtypes=dtypes, elementwise=True, signature="x:T -> y:T", **kw)
    return _unary_fn(o, doc)


negative = _unary("negative", "Neg", jnp.negative, NUMERIC_NO_UNSIGNED, "-x elementwise.")
abs = _unary("abs", "Abs", jnp.abs, NUMERIC_NO_UNSIGNED, "|x| elementwise.",  # noqa: A001
             tf_grad=(_abs_fwd, _abs_bwd))
_complex_abs = op("complex_abs", "ComplexAbs", jnp.abs, dtypes=_d.COMPLEX, elementwise=True)
sign = _unary("sign", "Sign", jnp.sign, NUMERIC_NO_UNSIGNED, "The sign of x (-1, 0 or 1).")
square = _unary("square", "Square", jnp.square, NUMERIC,
                "x * x elementwise.\n\n>>> import tftape as tf\n>>> tf.square(5)\n"
                "<tf.Tensor: shape=(), dtype=int32, numpy=25>")
def _grad_kernel(f, bwd):
    """One of TF's gradient kernels (SqrtGrad, ...) as a function ``f(y, b)`` whose own
    gradient is TF's (``bwd(y, b, out, grad)``): the second derivative of the forward op."""
    k = jax.custom_vjp(f)

    def fwd(y, b):
        out = k(y, b)
        return out, (y, b, out)

    k.defvjp(fwd, lambda res, grad: bwd(*res, grad))
    return k


def _zero_ct(f):
    """TF's kernels for SqrtGrad, RsqrtGrad and ReciprocalGrad give 0 wherever the incoming
    gradient ``b`` is 0, even where the derivative is infinite (``where(x > 0, sqrt(x), 0)``
    at 0: TF gives 0, the plain chain rule 0 * inf = nan)."""
    def k(y, b):
        zero = b == 0
        ys = jnp.where(zero, jnp.ones_like(y), y)
        return jnp.where(zero, jnp.zeros_like(b), f(ys, b)).astype(b.dtype)
    return k


# TF's GradGrad rules, in JAX's convention for complex values (no conjugates: the tape
# conjugates at both ends).
def _sqrt_grad_grad(a, b, out, grad):
    ga = grad / a   # SqrtGradGrad
    return -ga * out, 0.5 * ga


def _rsqrt_grad_grad(a, b, out, grad):
    return -1.5 * grad * b * jnp.square(a), _rsqrt_grad(a, grad)   # RsqrtGradGrad


def _reciprocal_grad_grad(a, b, out, grad):
    return grad * -2.0 * b * a, _reciprocal_grad(a, grad)   # ReciprocalGradGrad


_sqrt_grad = _grad_kernel(_zero_ct(lambda y, b: 0.5 * b / y), _sqrt_grad_grad)
_rsqrt_grad = _grad_kernel(_zero_ct(lambda y, b: -0.5 * b * y * y * y), _rsqrt_grad_grad)
_reciprocal_grad = _grad_kernel(_zero_ct(lambda y, b: -b * (y * y)), _reciprocal_grad_grad)


def _output_rule(kernel):
    """A unary op's rule ``kernel(y, g)`` from its output ``y``, as TF's Sqrt, Rsqrt and
    Reciprocal gradients are."""
    return None, lambda res, g: (kernel(res[1], g),)


sqrt = _unary("sqrt", "Sqrt", jnp.sqrt, INEXACT, "The square root of x.",
              tf_grad=_output_rule(_sqrt_grad))
rsqrt = _unary("rsqrt", "Rsqrt", lax.rsqrt, INEXACT, "1 / sqrt(x).",
               tf_grad=_output_rule(_rsqrt_grad))
exp = _unary("exp", "Exp", jnp.exp, INEXACT, "e ** x.")
expm1 = _unary("expm1", "Expm1", jnp.expm1, INEXACT, "e ** x - 1.")
log = _unary("log", "Log", jnp.log, INEXACT, "The natural logarithm of x.")
log1p = _unary("log1p", "Log1p", jnp.log1p, INEXACT, "log(1 + x).")
reciprocal = _unary("reciprocal", "Reciprocal", jnp.reciprocal, INEXACT + _d.SIGNED, "1 / x.",
                    no_kernel=_d.SIGNED,
                    tf_grad=_output_rule(_reciprocal_grad))
sin = _unary("sin", "Sin", jnp.sin, INEXACT, "sin(x).")
cos = _unary("cos", "Cos", jnp.cos, INEXACT, "cos(x).")
tan = _unary("tan", "Tan", jnp.tan, INEXACT, "tan(x).")
asin = _unary("asin", "Asin", jnp.arcsin, INEXACT, "arcsin(x).")
acos = _unary("acos", "Acos", jnp.arccos, INEXACT, "arccos(x).")
atan = _unary("atan", "Atan", jnp.arctan, INEXACT, "arctan(x).")
sinh = _unary("sinh", "Sinh", jnp.sinh, INEXACT, "sinh(x).")
cosh = _unary("cosh", "Cosh", jnp.cosh, INEXACT, "cosh(x).")
def _tanh_fwd(x):
    y = jnp.tanh(x)
    return y, y


def _tanh_bwd(y, g):
    # Note: TF's TanhGrad is g * (1 - y * y); JAX's rule is g * (1 + y) * (1 - y), a last-bit
    # difference (tanh'(0.15625) prints as 0.9759779 in TF, 0.97597784 with JAX's rule).
    # XLA on CPU still contracts 1 - y * y into a fused multiply-add (TF's kernel rounds y * y
    # first), and XLA's tanh differs from Eigen's in the last bit for about half the float32
    # inputs; see docs/differences.md.
    return (g * (1 - y * y),)


tanh = _unary("tanh", "Tanh", jnp.tanh, INEXACT, "tanh(x).", tf_grad=(_tanh_fwd, _tanh_bwd))
asinh = _unary("asinh", "Asinh", jnp.arcsinh, INEXACT, "arcsinh(x).")
acosh = _unary("acosh", "Acosh", jnp.arccosh, INEXACT, "arccosh(x).")
atanh = _unary("atanh", "Atanh", jnp.arctanh, INEXACT, "arctanh(x).")
sigmoid = _unary("sigmoid", "Sigmoid", jax.nn.sigmoid, INEXACT, "1 / (1 + exp(-x)).")
softplus = _unary("softplus", "Softplus", jax.nn.softplus, FLOAT, "log(exp(x) + 1).",
                  # Note: TF's gradient is g * sigmoid(x) (JAX's differs in the last bits).
                  tf_grad=(None, lambda res, g: (g * jax.nn.sigmoid(res[0][0]),)))
softsign = _unary("softsign", "Softsign", jax.nn.soft_sign, FLOAT, "x / (|x| + 1).")
erf = _unary("erf", "Erf", jax.scipy.special.erf, FLOAT, "The error function.")
erfc = _unary("erfc", "Erfc", jax.scipy.special.erfc, FLOAT, "The complementary error function.")
erfinv = _unary("erfinv", "Erfinv", jax.scipy.special.erfinv, FLOAT, "The inverse of erf.",
                no_kernel=(_d.float16, _d.bfloat16))
lgamma = _unary("lgamma", "Lgamma", jax.scipy.special.gammaln, FLOAT, "log|Gamma(x)|.",
                no_kernel=(_d.bfloat16,))
digamma = _unary("digamma", "Digamma", jax.scipy.special.digamma, FLOAT, "The digamma function.",
                 no_kernel=(_d.bfloat16,))
_round = _unary("round", "Round", jnp.round, NUMERIC_NO_UNSIGNED,
                "Rounds half to even.", differentiable=False, no_kernel=_d.COMPLEX)


def round(x, name=None):  # noqa: A001
    """Rounds half to even; integer tensors are returned unchanged.

    >>> import tftape as tf
    >>> tf.round(tf.constant([0.5, 1.5, -2.5]))
    <tf.Tensor: shape=(3,), dtype=float32, numpy=array([ 0.,  2., -2.], dtype=float32)>
    """
    t = tensor(x)
    if t._dtype.is_integer:
        return t
    return _round(t)
rint = _unary("rint", "Rint", jnp.rint, FLOAT, "Rounds half to even.", differentiable=False,
              no_kernel=(_d.float16, _d.bfloat16))
floor = _unary("floor", "Floor", jnp.floor, FLOAT, "floor(x).", differentiable=False)
ceil = _unary("ceil", "Ceil", jnp.ceil, FLOAT, "ceil(x).", differentiable=False)
is_nan = _unary("is_nan", "IsNan", jnp.isnan, FLOAT, "Whether x is NaN.", differentiable=False)
is_inf = _unary("is_inf", "IsInf", jnp.isinf, FLOAT, "Whether x is infinite.",
                differentiable=False)
is_finite = _unary("is_finite", "IsFinite", jnp.isfinite, FLOAT, "Whether x is finite.",
                   differentiable=False)
_real = op("real", "Real", jnp.real, dtypes=_d.COMPLEX, elementwise=True)
_imag = op("imag", "Imag", jnp.imag, dtypes=_d.COMPLEX, elementwise=True)
_conj = op("conj", "Conj", jnp.conj, dtypes=_d.COMPLEX, elementwise=True)
_angle = op("angle", "Angle", jnp.angle, dtypes=_d.COMPLEX, elementwise=True)


def real(input, name=None):  # noqa: A002
    """The real part of a complex tensor; a real tensor is returned unchanged.

    >>> import tftape as tf
    >>> tf.math.real(tf.constant([1 + 2j]))
    <tf.Tensor: shape=(1,), dtype=float64, numpy=array([1.])>
    """
    t = tensor(input)
    if t._dtype.is_complex:
        return execute(_real, (t,))
    if t._dtype.is_numeric:
        return t
    raise TypeError(f"input must be a numeric tensor, but got tensor with dtype {t._dtype}")


def imag(input, name=None):  # noqa: A002
    """The imaginary part of a complex tensor; zeros for a real tensor."""
    t = tensor(input)
    if t._dtype.is_complex:
        return execute(_imag, (t,))
    from .array_ops import zeros_like
    return zeros_like(t)


def conj(x, name=None):
    """The complex conjugate; real tensors are returned unchanged."""
    t = tensor(x)
    if t._dtype.is_complex:
        return execute(_conj, (t,))
    if t._dtype.is_floating or t._dtype.is_integer:
        return t
    raise TypeError(f"Expected numeric or variant tensor, got dtype {t._dtype!r}.")


def angle(input, name=None):  # noqa: A002
    """The argument of a complex number; pi for negative reals and 0 otherwise."""
    t = tensor(input)
    if t._dtype.is_complex:
        return execute(_angle, (t,))
    from .array_ops import ones_like, where, zeros_like
    return where(less(t, 0), np.pi * ones_like(t), zeros_like(t))


log_sigmoid = _unary("log_sigmoid", "LogSigmoid", jax.nn.log_sigmoid, FLOAT, "log(sigmoid(x)).")
_abs_fn = abs


def abs(x, name=None):  # noqa: A001, F811
    """|x| elementwise (the modulus, as a real tensor, for complex x)."""
    if has_composite((x,)):
        r = dispatch("abs", abs, (x,), {})
        if r is not NotImplemented:
            return r
    t = x if isinstance(x, Tensor) else tensor(x)
    if t._dtype.is_complex:
        return execute(_complex_abs, (t,))
    return _abs_fn(t)


def complex(real, imag, name=None):  # noqa: A001
    """Builds a complex tensor from real and imaginary parts."""
    o = _complex_op
    a, b = tensor(real), tensor(imag)
    if a.dtype is not b.dtype or a.dtype not in (_d.float32, _d.float64):
        raise TypeError(f"The `real` and `imag` components have incorrect types: "
                        f"{a.dtype.name} {b.dtype.name}. They must be consistent, and one of "
                        f"[tf.float32, tf.float64]")
    return execute(o, (a, b))


_complex_op = op("complex", "Complex", lambda r, i: lax.complex(r, i),
                 dtypes=(_d.float32, _d.float64))


# -- cast --------------------------------------------------------------------------------------
def _cast_impl(x, dtype):
    if jnp.issubdtype(x.dtype, jnp.complexfloating) and not jnp.issubdtype(dtype, jnp.complexfloating):
        x = jnp.real(x)
    if dtype == np.bool_:
        return x != 0
    if jnp.issubdtype(x.dtype, jnp.floating) and jnp.issubdtype(dtype, jnp.integer) and \
            np.dtype(dtype).itemsize < 8:
        # Note: TF converts floats through a wide integer, so out-of-range values wrap
        # (-1.7 -> uint8 255, 300. -> uint8 44); JAX saturates.
        return x.astype(jnp.int64).astype(dtype)
    return x.astype(dtype)


_cast = op("cast", "Cast", _cast_impl)


def cast(x, dtype, name=None):
    """Casts a tensor to ``dtype`` (floats truncate towards zero when cast to ints).

    >>> import tftape as tf
    >>> tf.cast(tf.constant([1.7, -1.7]), tf.int32)
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([ 1, -1], dtype=int32)>
    """
    dtype = _d.as_dtype(dtype)
    from .._core.convert import convert_to_tensor
    if has_composite((x,)):
        r = dispatch("cast", cast, (x, dtype), {})
        if r is not NotImplemented:
            return r
    t = x if isinstance(x, Tensor) else convert_to_tensor(x)
    if t._dtype is dtype:
        return t
    if t._dtype is _d.string or dtype is _d.string:
        from .._core.errors import UnimplementedError
        raise kernel_error("Cast", f"Cast {t._dtype.name} to {dtype.name} is not supported",
                           UnimplementedError)
    return execute(_cast, (t,), (dtype._np,), {"dtype": dtype._np})


def saturate_cast(value, dtype, name=None):
    """Casts ``value`` to ``dtype``, clamping to the target's range first (no wraparound)."""
    t = value if isinstance(value, Tensor) else tensor(value)
    dt = _d.as_dtype(dtype)
    if t.dtype is _d.bool:
        t.dtype.min  # noqa: B018 - raises TF's TypeError, as TF's saturate_cast does
    if dt.is_integer and (t.dtype.is_integer or t.dtype.is_floating):
        src = t.dtype._np.type
        # The bounds as values of the source dtype that do not exceed the target's range.
        lo, hi = src(max(int(dt.min), int(t.dtype.min)) if t.dtype.is_integer else dt.min), \
            src(min(int(dt.max), int(t.dtype.max)) if t.dtype.is_integer else dt.max)
        if t.dtype.is_floating:
            if float(hi) > int(dt.max):
                hi = np.nextafter(hi, src(-np.inf))
            if float(lo) < int(dt.min):
                lo = np.nextafter(lo, src(np.inf))
        from .array_ops import clip_by_value
        t = clip_by_value(t, tensor(np.asarray(lo, src)), tensor(np.asarray(hi, src)))
    return cast(t, dt)


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

    def fn(input_tensor, axis=None, keepdims=False, name=None):
        if has_composite((input_tensor,)):
            r = dispatch(name_, fn, (input_tensor,), {"axis": axis, "keepdims": keepdims})
            if r is not NotImplemented:
                return r
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
    f.__name__ = name
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
    f.__name__ = name
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
        from .array_ops import identity
        return identity(ts[0])
    s0 = ts[0]._v.shape
    for t in ts[1:]:
        if vshape(t) != s0:
            raise ValueError(f"Shapes {ts[0].shape} and {t.shape} are incompatible")
    return execute(_add_n, ts)


# -- segments ----------------------------------------------------------------------------------
def _seg_impl(kind):
    def impl(data, ids, num_segments):
        if kind == "sum":
            return jax.ops.segment_sum(data, ids, num_segments)
        if kind == "prod":
            return jax.ops.segment_prod(data, ids, num_segments)
        if kind in ("max", "min"):
            fn = jax.ops.segment_max if kind == "max" else jax.ops.segment_min
            r = fn(data, ids, num_segments)
            if jnp.issubdtype(data.dtype, jnp.floating):
                # Note: TF fills empty segments with the lowest/highest finite value, not inf.
                info = jnp.finfo(data.dtype)
                cnt = jax.ops.segment_sum(jnp.ones(ids.shape, jnp.int32), ids, num_segments)
                empty = (cnt == 0).reshape(cnt.shape + (1,) * (r.ndim - cnt.ndim))
                r = jnp.where(empty, info.min if kind == "max" else info.max, r)
            return r
        s = jax.ops.segment_sum(data, ids, num_segments)
        c = jax.ops.segment_sum(jnp.ones(ids.shape, data.dtype), ids, num_segments)
        c = c.reshape(c.shape + (1,) * (data.ndim - 1))
        return s / jnp.maximum(c, 1)
    return impl


_SEG_OPS = {k: op(f"segment_{k}", f"Segment{k.capitalize()}", _seg_impl(k), dtypes=NUMERIC)
            for k in ("sum", "mean", "max", "min", "prod")}
_USEG_OPS = {k: op(f"unsorted_segment_{k}", f"UnsortedSegment{k.capitalize()}", _seg_impl(k),
                   dtypes=NUMERIC) for k in ("sum", "mean", "max", "min", "prod")}


def _segment(kind, sorted_ids: bool):
    def f(data, segment_ids, num_segments=None, name=None):
        d = tensor(data)
        ids = tensor(segment_ids)
        o = (_SEG_OPS if sorted_ids else _USEG_OPS)[kind]
        ids_np = host(ids)
        if sorted_ids:
            if ids.ndim != 1 or ids_np.shape[0] != (vshape(d)[0] if d.ndim else 1):
                raise kernel_error(o.tf_name, "segment_ids should be the same size as dimension 0 "
                                              "of input.", name=None)
            n = int(ids_np.max()) + 1 if ids_np.size else 0
            if ids_np.size and np.any(np.diff(ids_np) < 0):
                raise kernel_error(o.tf_name, "segment ids are not increasing", name=None)
            if ids_np.size and ids_np.min() < 0:
                raise kernel_error(o.tf_name, f"Segment id {int(ids_np.min())} out of range [0, "
                                              f"{n}), possibly because 'segment_ids' input is "
                                              f"not sorted.", name=None)
        else:
            n = int(host(tensor(num_segments)))
            if vshape(d)[:ids.ndim] != ids_np.shape:
                raise kernel_error(o.tf_name, f"data.shape = {fmt_shape(vshape(d))} does not "
                                              f"start with segment_ids.shape = "
                                              f"{fmt_shape(ids_np.shape)}", name=None)
            bad = (ids_np >= n) | (ids_np < 0) if kind != "sum" else ids_np >= n
            if bad.any():
                pos = int(np.argmax(bad.reshape(-1)))
                raise kernel_error(o.tf_name, f"segment_ids[{pos}] = "
                                              f"{int(ids_np.reshape(-1)[pos])} is out of range "
                                              f"[0, {n})", name=None)
        if ids.ndim > 1:
            # Several id dimensions index the leading data dimensions together.
            from .array_ops import reshape
            d = reshape(d, [-1] + d.shape.as_list()[ids.ndim:])
            ids = reshape(ids, [-1])
        out = execute(o, (d, ids), (n,), {"num_segments": n})
        if kind in ("max", "min") and sorted_ids:
            empty = np.bincount(ids_np.reshape(-1), minlength=n) == 0 if ids_np.size else \
                np.ones(n, bool)
            if empty.any():
                from . import array_ops
                mask = tensor(empty.reshape((n,) + (1,) * (d.ndim - 1)))
                out = array_ops.where(mask, array_ops.zeros_like(out), out)
        return out
    f.__name__ = ("segment_" if sorted_ids else "unsorted_segment_") + kind
    f.__doc__ = f"Segment {kind} of ``data`` by ``segment_ids``."
    return f


segment_sum = _segment("sum", True)
segment_mean = _segment("mean", True)
segment_max = _segment("max", True)
segment_min = _segment("min", True)
segment_prod = _segment("prod", True)
unsorted_segment_sum = _segment("sum", False)
unsorted_segment_mean = _segment("mean", False)
unsorted_segment_max = _segment("max", False)
unsorted_segment_min = _segment("min", False)
unsorted_segment_prod = _segment("prod", False)

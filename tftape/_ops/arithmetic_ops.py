"""Binary arithmetic: add, subtract, multiply, divisions, pow, maximum and minimum, and the special
binary functions (xlogy, zeta, igamma ...).
"""
from __future__ import annotations

import numpy as np
import jax
import jax.numpy as jnp
from jax import lax

from .._core import dtypes as _d
from .._core.errors import InvalidArgumentError, kernel_error
from .._core.registry import (Op, convert_inputs, dispatch, execute, execute_binary, has_composite,
                              op, raise_invalid)
from .._core.convert import convert_to_tensor, _scalar
from .._core.tensor import EagerTensor, PendingTensor, Tensor, make_string, vshape
from ._util import (FLOAT, INEXACT, NUMERIC, NUMERIC_NO_UNSIGNED, REAL, fmt_shape, host,
                    is_concrete, tensor)
from .cast_ops import cast


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

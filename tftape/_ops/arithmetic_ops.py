"""Binary arithmetic: add, subtract, multiply, divisions, pow, maximum and minimum, and the special
binary functions (xlogy, zeta, igamma ...).
"""
from __future__ import annotations

import numpy as np
import jax
import jax.numpy as jnp
from jax import lax

from .._core import dtypes as _d
from .._core.errors import InternalError, InvalidArgumentError, kernel_error
from .._core.registry import Op, convert_inputs, execute, op
from .._core.convert import convert_to_tensor
from .._core.tensor import EagerTensor, PendingTensor, Tensor, make_string
from ._declare import binary, dispatches
from ._util import FLOAT, INEXACT, NUMERIC, NUMERIC_NO_UNSIGNED, REAL, host, is_concrete, tensor
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
    pow_ = _pow_fn.op.grad_impl()
    gx = g * y * pow_(x, y - jnp.ones((), y.dtype))
    mask = x != 0 if jnp.iscomplexobj(x) else x > 0
    safe_x = jnp.where(mask, x, jnp.ones_like(x))
    log_x = jnp.where(mask, jnp.log(safe_x), jnp.zeros_like(x))
    gy = g * z * log_x
    return _unbroadcast(gx, jnp.shape(x)), _unbroadcast(gy, jnp.shape(y))


def _float0_like(x):
    return np.zeros(x.shape, dtype=jax.dtypes.float0)


class _OperandCheck:
    """A check of a binary op's second operand (``binary(..., check=)``): on the host when the
    operand's value is known, else as a tf.function runtime check."""

    def __init__(self, bad, error, message: str):
        self.bad, self.error, self.message = bad, error, message

    def __call__(self, o: Op, b):
        if b._dtype.is_integer and is_concrete(b) and bool(np.any(self.bad(host(b)))):
            raise kernel_error(o.tf_name, self.message, self.error)

    def traced(self, o: Op, b, out, public: str):
        from .._core.checks import check as register
        # Note: XLA's integer division by zero yields a value; TF's kernel fails.
        register(jnp.logical_not(jnp.any(self.bad(b._v))), [],
                 lambda vals: self.error(None, None, self.message),
                 public if public in ("floordiv", "pow") else o.tf_name,
                 (out._v,) if isinstance(out, Tensor) else ())


_DIV_BY_ZERO = _OperandCheck(lambda b: b == 0, InvalidArgumentError, "Integer division by zero")
_DIV_BY_ZERO_INTERNAL = _OperandCheck(
    lambda b: b == 0, InternalError,
    "Unexpected error in binary operator (only integer div and mod should have errors)")
_NEGATIVE_POWER = _OperandCheck(lambda b: b < 0, InvalidArgumentError,
                                "Integers to negative integer powers are not allowed")


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


def _sqdiff_impl(x, y):
    d = x - y
    # TF's SquaredDifference is (x - y) * conj(x - y): real for complex inputs.
    return d * jnp.conj(d) if jnp.issubdtype(d.dtype, jnp.complexfloating) else d * d


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


def _divnonan_impl(x, y):
    return jnp.where(y == 0, jnp.zeros_like(x), _exact_div(x, jnp.where(y == 0, 1, y)))


def _polygamma_impl(a, x):
    # Note: JAX wants an integer order; TF gives NaN for a non-integer one.
    n = jnp.round(a)
    a, x = jnp.broadcast_arrays(a, x)
    n = jnp.broadcast_to(n, x.shape)
    ok = (n == a) & (n >= 0)
    vals = jax.scipy.special.polygamma(jnp.where(ok, n, 0).astype(jnp.int32), x)
    return jnp.where(ok, vals, jnp.nan).astype(x.dtype)


_F32_64 = (_d.float32, _d.float64)
_NOT_HALF = (_d.float16, _d.bfloat16)

# Each line declares a kernel and its API function (see ``_declare``); ``fn.op`` is the kernel.
_add_fn = binary("add", "AddV2", jnp.add, NUMERIC, lenient=True)
subtract = binary("subtract", "Sub", jnp.subtract, NUMERIC, "x - y elementwise, with broadcasting.")
multiply = binary("multiply", "Mul", jnp.multiply, NUMERIC, "x * y elementwise, with broadcasting.")
maximum = binary("maximum", "Maximum", jnp.maximum, REAL, "The elementwise maximum of x and y.",
                 tf_grad=(_max_fwd, _max_bwd))
minimum = binary("minimum", "Minimum", jnp.minimum, REAL, "The elementwise minimum of x and y.",
                 tf_grad=(_min_fwd, _min_bwd))
squared_difference = binary("squared_difference", "SquaredDifference", _sqdiff_impl,
                            FLOAT + (_d.int32, _d.int64) + _d.COMPLEX, "(x - y)^2 elementwise.")
atan2 = binary("atan2", "Atan2", jnp.arctan2, FLOAT,
               "The elementwise arctangent of y / x, in the quadrant of (x, y).", args=("y", "x"))
xlogy = binary("xlogy", "Xlogy", jax.scipy.special.xlogy, INEXACT,
               "x * log(y), and 0 where x is 0.",
               tf_grad=(lambda x, y: (jax.scipy.special.xlogy(x, y), (x, y)), _xlogy_bwd))
xdivy = binary("xdivy", "Xdivy", _xdivy_impl, INEXACT, "x / y, and 0 where x is 0.",
               tf_grad=(lambda x, y: (_xdivy_impl(x, y), (x, y)), _xdivy_bwd))
multiply_no_nan = binary("multiply_no_nan", "MulNoNan",
                         lambda x, y: jnp.where(y == 0, jnp.zeros_like(x * y), x * y), INEXACT,
                         "x * y, and 0 where y is 0 (even if x is NaN or inf).")
xlog1py = binary("xlog1py", "Xlog1py", jax.scipy.special.xlog1py, INEXACT,
                 "x * log1p(y), and 0 where x is 0.", no_kernel=_d.COMPLEX)
zeta = binary("zeta", "Zeta", jax.scipy.special.zeta, _F32_64, "The Hurwitz zeta function.",
              args=("x", "q"))
igamma = binary("igamma", "Igamma", jax.scipy.special.gammainc, FLOAT,
                "The lower regularized incomplete gamma function P(a, x).", args=("a", "x"),
                no_kernel=_NOT_HALF)
igammac = binary("igammac", "Igammac", jax.scipy.special.gammaincc, FLOAT,
                 "The upper regularized incomplete gamma function Q(a, x).", args=("a", "x"),
                 no_kernel=_NOT_HALF)
polygamma = binary("polygamma", "Polygamma", _polygamma_impl, _F32_64,
                   "The polygamma function of order a at x.", args=("a", "x"))
nextafter = binary("nextafter", "NextAfter", jnp.nextafter, _F32_64,
                   "The next representable value after x1 towards x2.", args=("x1", "x2"),
                   differentiable=False)
truncatediv = binary("truncatediv", "TruncateDiv", _truncdiv_impl, REAL + _d.COMPLEX,
                     "Division rounding towards zero (``tf.truncatediv``).",
                     differentiable=False, no_kernel=_d.COMPLEX, check=_DIV_BY_ZERO_INTERNAL)
truncatemod = binary("truncatemod", "TruncateMod", _truncmod_impl, REAL,
                     "The remainder of truncating division: it takes the sign of x "
                     "(``tf.truncatemod``).", differentiable=False, check=_DIV_BY_ZERO_INTERNAL)
floordiv = binary("floordiv", "FloorDiv", _safe_floordiv, NUMERIC,
                  "Floor division; integer division by zero raises InvalidArgumentError.",
                  no_kernel=_d.COMPLEX, check=_DIV_BY_ZERO)
floormod = binary("floormod", "FloorMod", _floormod, REAL,
                  "The remainder of floor division (result has the divisor's sign).",
                  differentiable=True, check=_DIV_BY_ZERO)
mod = floormod
_pow_fn = binary("pow", "Pow", _pow, NUMERIC_NO_UNSIGNED, tf_grad=(None, _pow_bwd),
                 check=_NEGATIVE_POWER)
_realdiv_fn = binary("real_div", "RealDiv", _exact_div, INEXACT)
_divide_no_nan_raw = binary("divide_no_nan", "DivNoNan", _divnonan_impl, INEXACT)
_div = op("div", "Div", lambda x, y: lax.div(x, y) if jnp.issubdtype(x.dtype, jnp.integer)
          else _exact_div(x, y), dtypes=NUMERIC, elementwise=True)
_add, _realdiv = _add_fn.op, _realdiv_fn.op   # kernels other modules run directly


def _string_add(a, b):
    return np.char.add(a.astype(bytes), b.astype(bytes)).astype(object) if a.size and b.size \
        else np.broadcast_arrays(a, b)[0].copy()


_string_add_op = op("string_add", "Add", _string_add, host=True, differentiable=False)


@dispatches("add", 2)
def add(x, y, name=None):
    """x + y elementwise, with broadcasting (strings are concatenated).

    >>> import tftape as tf
    >>> tf.add([1, 2], [3, 4])
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([4, 6], dtype=int32)>
    """
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
            from .._core.registry import dtype_error
            raise dtype_error(_string_add_op, 1, _d.string, b._dtype)
        out = np.vectorize(lambda p, q: p + q, otypes=[object])(a._v, b._v)
        return make_string(np.asarray(out, dtype=object))
    return _add_fn(x, y)


# ``x ** 2`` with a Python exponent: the exponent is a compile-time constant of the kernel,
# so XLA simplifies the derivatives (3 * pow(x, 2) becomes 3 * x * x) instead of evaluating
# pow and log per element. Only integral exponents, whose results XLA computes exactly as
# the general pow does.
_pow_const = op("pow_const", "Pow", lambda x, p: lax.pow(x, jnp.asarray(p, x.dtype)),
                dtypes=_d.FLOATING, elementwise=True)
_FLOATING = frozenset(d for d in _d.ALL if d.is_floating)


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
    return _pow_fn(x, y)


_TRUEDIV_CAST = {_d.uint8: _d.float32, _d.int8: _d.float32, _d.uint16: _d.float32,
                 _d.int16: _d.float32, _d.uint32: _d.float64, _d.int32: _d.float64,
                 _d.uint64: _d.float64, _d.int64: _d.float64, _d.bfloat16: None,
                 _d.float16: None, _d.float32: None, _d.float64: None, _d.complex64: None,
                 _d.complex128: None}


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


@dispatches("truediv", 2)
def truediv(x, y, name=None):
    """x / y; integers are first cast to a float type (int32 -> float64), as TF does.

    >>> import tftape as tf
    >>> tf.math.truediv(tf.constant([1, 2]), 4)
    <tf.Tensor: shape=(2,), dtype=float64, numpy=array([0.25, 0.5 ])>
    """
    return _realdiv_fn(*_div_operands(x, y, "__truediv__"))


def divide_no_nan(x, y, name=None):
    """x / y, and 0 where y is 0 (integers are cast to floats as in truediv)."""
    return _divide_no_nan_raw(*_div_operands(x, y, "tf.math.divide_no_nan"))


divide = truediv


def div(x, y, name=None):
    """TF1's ``div``: integer division for ints, true division for floats."""
    a, b = convert_inputs(_div, (x, y))
    _DIV_BY_ZERO(_div, b)
    return execute(_div, (a, b))

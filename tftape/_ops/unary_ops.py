"""Unary elementwise math (sqrt, exp, trigonometry, rounding, special functions) and complex parts.
"""
from __future__ import annotations

import numpy as np
import jax
import jax.numpy as jnp
from jax import lax

from .._core import dtypes as _d
from .._core.registry import Op, check_dtype, execute, op
from ._declare import dispatches, unary
from .._core.tensor import EagerTensor, PendingTensor, Tensor
from ._util import FLOAT, INEXACT, NUMERIC, NUMERIC_NO_UNSIGNED, tensor
from .arithmetic_ops import _abs_bwd, _abs_fwd
from .comparison_ops import less, where


# -- unary elementwise ops -----------------------------------------------------------------------
def _relu(x):
    return jnp.maximum(x, jnp.zeros((), x.dtype))


negative = unary("negative", "Neg", jnp.negative, NUMERIC_NO_UNSIGNED, "-x elementwise.")
abs = unary("abs", "Abs", jnp.abs, NUMERIC_NO_UNSIGNED, "|x| elementwise.",  # noqa: A001
             tf_grad=(_abs_fwd, _abs_bwd))
_complex_abs = op("complex_abs", "ComplexAbs", jnp.abs, dtypes=_d.COMPLEX, elementwise=True)
sign = unary("sign", "Sign", jnp.sign, NUMERIC_NO_UNSIGNED, "The sign of x (-1, 0 or 1).")
square = unary("square", "Square", jnp.square, NUMERIC,
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


sqrt = unary("sqrt", "Sqrt", jnp.sqrt, INEXACT, "The square root of x.",
              tf_grad=_output_rule(_sqrt_grad))
rsqrt = unary("rsqrt", "Rsqrt", lax.rsqrt, INEXACT, "1 / sqrt(x).",
               tf_grad=_output_rule(_rsqrt_grad))
exp = unary("exp", "Exp", jnp.exp, INEXACT, "e ** x.")
expm1 = unary("expm1", "Expm1", jnp.expm1, INEXACT, "e ** x - 1.")
log = unary("log", "Log", jnp.log, INEXACT, "The natural logarithm of x.")
log1p = unary("log1p", "Log1p", jnp.log1p, INEXACT, "log(1 + x).")
reciprocal = unary("reciprocal", "Reciprocal", jnp.reciprocal, INEXACT + _d.SIGNED, "1 / x.",
                    no_kernel=_d.SIGNED,
                    tf_grad=_output_rule(_reciprocal_grad))
sin = unary("sin", "Sin", jnp.sin, INEXACT, "sin(x).")
cos = unary("cos", "Cos", jnp.cos, INEXACT, "cos(x).")
tan = unary("tan", "Tan", jnp.tan, INEXACT, "tan(x).")
asin = unary("asin", "Asin", jnp.arcsin, INEXACT, "arcsin(x).")
acos = unary("acos", "Acos", jnp.arccos, INEXACT, "arccos(x).")
atan = unary("atan", "Atan", jnp.arctan, INEXACT, "arctan(x).")
sinh = unary("sinh", "Sinh", jnp.sinh, INEXACT, "sinh(x).")
cosh = unary("cosh", "Cosh", jnp.cosh, INEXACT, "cosh(x).")
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


tanh = unary("tanh", "Tanh", jnp.tanh, INEXACT, "tanh(x).", tf_grad=(_tanh_fwd, _tanh_bwd))
asinh = unary("asinh", "Asinh", jnp.arcsinh, INEXACT, "arcsinh(x).")
acosh = unary("acosh", "Acosh", jnp.arccosh, INEXACT, "arccosh(x).")
atanh = unary("atanh", "Atanh", jnp.arctanh, INEXACT, "arctanh(x).")
sigmoid = unary("sigmoid", "Sigmoid", jax.nn.sigmoid, INEXACT, "1 / (1 + exp(-x)).")
softplus = unary("softplus", "Softplus", jax.nn.softplus, FLOAT, "log(exp(x) + 1).",
                  # Note: TF's gradient is g * sigmoid(x) (JAX's differs in the last bits).
                  tf_grad=(None, lambda res, g: (g * jax.nn.sigmoid(res[0][0]),)))
softsign = unary("softsign", "Softsign", jax.nn.soft_sign, FLOAT, "x / (|x| + 1).")
erf = unary("erf", "Erf", jax.scipy.special.erf, FLOAT, "The error function.")
erfc = unary("erfc", "Erfc", jax.scipy.special.erfc, FLOAT, "The complementary error function.")
erfinv = unary("erfinv", "Erfinv", jax.scipy.special.erfinv, FLOAT, "The inverse of erf.",
                no_kernel=(_d.float16, _d.bfloat16))
lgamma = unary("lgamma", "Lgamma", jax.scipy.special.gammaln, FLOAT, "log|Gamma(x)|.",
                no_kernel=(_d.bfloat16,))
digamma = unary("digamma", "Digamma", jax.scipy.special.digamma, FLOAT, "The digamma function.",
                 no_kernel=(_d.bfloat16,))
_round = unary("round", "Round", jnp.round, NUMERIC_NO_UNSIGNED,
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
rint = unary("rint", "Rint", jnp.rint, FLOAT, "Rounds half to even.", differentiable=False,
              no_kernel=(_d.float16, _d.bfloat16))
floor = unary("floor", "Floor", jnp.floor, FLOAT, "floor(x).", differentiable=False)
ceil = unary("ceil", "Ceil", jnp.ceil, FLOAT, "ceil(x).", differentiable=False)
is_nan = unary("is_nan", "IsNan", jnp.isnan, FLOAT, "Whether x is NaN.", differentiable=False)
is_inf = unary("is_inf", "IsInf", jnp.isinf, FLOAT, "Whether x is infinite.",
                differentiable=False)
is_finite = unary("is_finite", "IsFinite", jnp.isfinite, FLOAT, "Whether x is finite.",
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
    from .creation_ops import zeros_like
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
    from .creation_ops import ones_like, zeros_like
    return where(less(t, 0), np.pi * ones_like(t), zeros_like(t))


log_sigmoid = unary("log_sigmoid", "LogSigmoid", jax.nn.log_sigmoid, FLOAT, "log(sigmoid(x)).")
_abs_fn = abs


@dispatches("abs")
def abs(x, name=None):  # noqa: A001, F811
    """|x| elementwise (the modulus, as a real tensor, for complex x)."""
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

"""Comparisons, logical and bitwise ops, and ``where`` (selection by a condition)."""
from __future__ import annotations

import numpy as np
import jax.numpy as jnp

from .._core import dtypes as _d
from .._core.errors import kernel_error
from .._core.registry import convert_inputs, execute, op
from .._core.tensor import Tensor, make_string, vshape, make
from ._declare import binary, unary
from ._util import BOOL, INT, REAL, fmt_shape, host, tensor


# -- comparisons ------------------------------------------------------------------------------
_NO_GRAD = {"differentiable": False}
equal = binary("equal", "Equal", jnp.equal, _d.ALL, "x == y elementwise.", strings=np.equal,
               **_NO_GRAD)
not_equal = binary("not_equal", "NotEqual", jnp.not_equal, _d.ALL, "x != y elementwise.",
                   strings=np.not_equal, **_NO_GRAD)
less = binary("less", "Less", jnp.less, REAL, "x < y elementwise.", **_NO_GRAD)
less_equal = binary("less_equal", "LessEqual", jnp.less_equal, REAL, "x <= y elementwise.",
                    **_NO_GRAD)
greater = binary("greater", "Greater", jnp.greater, REAL, "x > y elementwise.", **_NO_GRAD)
greater_equal = binary("greater_equal", "GreaterEqual", jnp.greater_equal, REAL,
                       "x >= y elementwise.", **_NO_GRAD)


# -- logical and bitwise -------------------------------------------------------------------------
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


logical_and = binary("logical_and", "LogicalAnd", jnp.logical_and, BOOL, "x AND y elementwise.",
                     convert=_bool_inputs, **_NO_GRAD)
logical_or = binary("logical_or", "LogicalOr", jnp.logical_or, BOOL, "x OR y elementwise.",
                    convert=_bool_inputs, **_NO_GRAD)
logical_not = unary("logical_not", "LogicalNot", jnp.logical_not, BOOL, "NOT x elementwise.",
                    convert=_bool_inputs, signature=None, **_NO_GRAD)


def logical_xor(x, y, name="LogicalXor"):
    """x XOR y elementwise: (x OR y) AND NOT (x AND y), as TF composes it."""
    return logical_and(logical_or(x, y), logical_not(logical_and(x, y)))


bitwise_and = binary("bitwise_and", "BitwiseAnd", jnp.bitwise_and, INT, "Bitwise AND.",
                     **_NO_GRAD)
bitwise_or = binary("bitwise_or", "BitwiseOr", jnp.bitwise_or, INT, "Bitwise OR.", **_NO_GRAD)
bitwise_xor = binary("bitwise_xor", "BitwiseXor", jnp.bitwise_xor, INT, "Bitwise XOR.",
                     **_NO_GRAD)
left_shift = binary("left_shift", "LeftShift", jnp.left_shift, INT, "x << y elementwise.",
                    **_NO_GRAD)
right_shift = binary("right_shift", "RightShift", jnp.right_shift, INT,
                     "x >> y elementwise (arithmetic for signed types).", **_NO_GRAD)
invert = unary("invert", "Invert", jnp.invert, INT, "Bitwise NOT.", **_NO_GRAD)


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

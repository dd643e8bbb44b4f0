"""Comparisons, logical and bitwise ops, and ``where`` (selection by a condition)."""
from __future__ import annotations

import numpy as np
import jax.numpy as jnp

from .._core import dtypes as _d
from .._core.errors import kernel_error
from .._core.registry import convert_inputs, dispatch, execute, has_composite, op
from .._core.tensor import Tensor, make_string, vshape, make
from ._util import BOOL, INT, REAL, fmt_shape, host, tensor
from .arithmetic_ops import _binary_fn, _check_broadcast


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

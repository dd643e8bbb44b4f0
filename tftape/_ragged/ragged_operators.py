"""Python operators on RaggedTensor, bound as TF binds them (``rt + 1`` is ``tf.math.add``).

Each operator aligns the operands (TF's ragged broadcasting) and then runs the dense op on
the flat values, so the usual dtype rules and error messages apply.
"""
from __future__ import annotations

from .._ops import math_ops as m
from .ragged_ops import binary, unary
from .ragged_tensor import RaggedTensor


def _op(fn):
    return lambda x, y: binary(fn, x, y)


def _rop(fn):
    return lambda y, x: binary(fn, x, y)


def _and(x, y):
    return m.logical_and(x, y) if x.dtype.is_bool else m.bitwise_and(x, y)


def _or(x, y):
    return m.logical_or(x, y) if x.dtype.is_bool else m.bitwise_or(x, y)


def _xor(x, y):
    return m.logical_xor(x, y) if x.dtype.is_bool else m.bitwise_xor(x, y)


def _eq(x, y):
    if y is None:
        return False
    return binary(m.equal, x, y)


def _ne(x, y):
    if y is None:
        return True
    return binary(m.not_equal, x, y)


def _invert(x):
    return unary(m.logical_not if x.dtype.is_bool else m.invert, x)


_BINARY = {
    "add": m.add, "sub": m.subtract, "mul": m.multiply, "truediv": m.truediv,
    "floordiv": m.floordiv, "mod": m.floormod, "pow": m.pow, "and": _and, "or": _or,
    "xor": _xor,
}

for _name, _fn in _BINARY.items():
    setattr(RaggedTensor, f"__{_name}__", _op(_fn))
    setattr(RaggedTensor, f"__r{_name}__", _rop(_fn))

RaggedTensor.__lt__ = _op(m.less)
RaggedTensor.__le__ = _op(m.less_equal)
RaggedTensor.__gt__ = _op(m.greater)
RaggedTensor.__ge__ = _op(m.greater_equal)
RaggedTensor.__eq__ = _eq
RaggedTensor.__ne__ = _ne
RaggedTensor.__hash__ = object.__hash__
RaggedTensor.__neg__ = lambda x: unary(m.negative, x)
RaggedTensor.__abs__ = lambda x: unary(m.abs, x)
RaggedTensor.__pos__ = lambda x: x
RaggedTensor.__invert__ = _invert

"""Python operators on RaggedTensor, bound as TF binds them (``rt + 1`` is ``tf.math.add``).

Each operator aligns the operands (TF's ragged broadcasting) and then runs the dense op on
the flat values, so the usual dtype rules and error messages apply.
"""
from __future__ import annotations

from .._core import dtypes as _d
from .._core.errors import op_error
from .._ops import math_ops as m
from .ragged_ops import binary, unary
from .ragged_tensor import RaggedTensor


def _op(fn):
    return lambda x, y: binary(fn, x, y)


def _rop(fn):
    return lambda y, x: binary(fn, x, y)


def _logical(fn, tf_name):
    # TF binds &, | and ^ on RaggedTensor to the logical ops only (no bitwise fallback).
    def f(x, y):
        for i, t in enumerate((x, y)):
            if not t.dtype.is_bool:
                raise op_error(tf_name, f"cannot compute {tf_name} as input #{i}(zero-based) "
                                        f"was expected to be a bool tensor but is a "
                                        f"{_d.TF_TYPE_NAMES[t.dtype]} tensor")
        return fn(x, y)
    return f


_and = _logical(m.logical_and, "LogicalAnd")
_or = _logical(m.logical_or, "LogicalOr")
_xor = _logical(m.logical_xor, "LogicalOr")


def _eq(x, y):
    if y is None:
        return False
    return binary(m.equal, x, y)


def _ne(x, y):
    if y is None:
        return True
    return binary(m.not_equal, x, y)


def _invert(x):
    if not x.dtype.is_bool:
        raise op_error("LogicalNot", f"cannot compute LogicalNot as input #0(zero-based) was "
                                     f"expected to be a bool tensor but is a "
                                     f"{_d.TF_TYPE_NAMES[x.dtype]} tensor")
    return unary(m.logical_not, x)


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

"""Python operators on Tensor, bound as TF binds them (``x + y`` is ``tf.math.add``)."""
from __future__ import annotations

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._core.registry import execute
from .._core.tensor import EagerTensor, Tensor
from . import array_ops, linalg_ops, math_ops as m


def _r(fn):
    """The reflected operator: TF converts the Python operand to the tensor's dtype first."""
    def r(self, other):
        return fn(convert_to_tensor(other, dtype=self._dtype), self)
    return r


_ADD = m._add
_ADD_TYPES = _ADD.dtypes


def _add(self, other):
    # The hot path: two tensors of one dtype and one shape.
    if type(other) is EagerTensor and other._dtype is self._dtype and \
            other._v.shape == self._v.shape and self._dtype in _ADD_TYPES:
        return execute(_ADD, (self, other))
    return m.add(self, other)


def _and(x, y):
    x = convert_to_tensor(x) if not isinstance(x, Tensor) else x
    return m.logical_and(x, y) if x._dtype is _d.bool else m.bitwise_and(x, y)


def _or(x, y):
    x = convert_to_tensor(x) if not isinstance(x, Tensor) else x
    return m.logical_or(x, y) if x._dtype is _d.bool else m.bitwise_or(x, y)


def _xor(x, y):
    x = convert_to_tensor(x) if not isinstance(x, Tensor) else x
    return m.logical_xor(x, y) if x._dtype is _d.bool else m.bitwise_xor(x, y)


def _invert(x):
    return m.logical_not(x) if x._dtype is _d.bool else m.invert(x)


def _eq(self, other):
    if other is None:
        return False
    try:
        return m.equal(self, other)
    except (TypeError, ValueError):
        raise


def _ne(self, other):
    if other is None:
        return True
    return m.not_equal(self, other)


def _pow(x, y):
    return m.pow(x, y)


def bind(cls=Tensor):
    """Attaches the operators to ``cls`` (Tensor; Variable reuses them after a read)."""
    cls.__add__ = _add
    cls.__radd__ = _r(m.add)
    cls.__sub__ = lambda x, y: m.subtract(x, y)
    cls.__rsub__ = _r(m.subtract)
    cls.__mul__ = lambda x, y: m.multiply(x, y)
    cls.__rmul__ = _r(m.multiply)
    cls.__truediv__ = lambda x, y: m.truediv(x, y)
    cls.__rtruediv__ = _r(m.truediv)
    cls.__floordiv__ = lambda x, y: m.floordiv(x, y)
    cls.__rfloordiv__ = _r(m.floordiv)
    cls.__mod__ = lambda x, y: m.floormod(x, y)
    cls.__rmod__ = _r(m.floormod)
    cls.__pow__ = _pow
    cls.__rpow__ = _r(m.pow)
    cls.__matmul__ = lambda x, y: linalg_ops.matmul(x, y)
    cls.__rmatmul__ = _r(linalg_ops.matmul)
    cls.__neg__ = lambda x: m.negative(x)
    cls.__pos__ = lambda x: x
    cls.__abs__ = lambda x: m.abs(x)
    cls.__invert__ = _invert
    cls.__lt__ = lambda x, y: m.less(x, y)
    cls.__le__ = lambda x, y: m.less_equal(x, y)
    cls.__gt__ = lambda x, y: m.greater(x, y)
    cls.__ge__ = lambda x, y: m.greater_equal(x, y)
    cls.__eq__ = _eq
    cls.__ne__ = _ne
    cls.__and__ = _and
    cls.__rand__ = _r(_and)
    cls.__or__ = _or
    cls.__ror__ = _r(_or)
    cls.__xor__ = _xor
    cls.__rxor__ = _r(_xor)
    cls.__getitem__ = array_ops.getitem


bind()

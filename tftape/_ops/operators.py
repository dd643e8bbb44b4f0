"""Python operators on Tensor, bound as TF binds them (``x + y`` is ``tf.math.add``)."""
from __future__ import annotations

from .._core import dtypes as _d
from .._core import errors as _errors
from .._core.convert import convert_to_tensor
from .._core.registry import execute, execute_binary
from .._core.tensor import EagerTensor, Tensor, vshape
from . import array_ops, linalg_ops, math_ops as m
from .arithmetic_ops import _add


def _r(fn):
    """The reflected operator: TF converts the Python operand to the tensor's dtype first."""
    def r(self, other):
        return fn(convert_to_tensor(other, dtype=self._dtype), self)
    return r


def _wrap(op_name, fn):
    """TF's binary operator wrapper: on a TypeError/ValueError the right operand's
    reflected operator gets a chance (a NumPy array computes the result itself)."""
    rname = f"__r{op_name}__"

    def method(x, y):
        try:
            return fn(x, y)
        except (TypeError, ValueError) as e:
            # Mirrors TF's wrapper, including its lookup on the type and call on the instance
            # (``t | 0.5`` raises AttributeError: ``type.__ror__`` exists, ``float.__ror__`` not).
            if isinstance(y, Tensor) or not hasattr(type(y), rname):
                raise
            try:
                out = getattr(y, rname)(x)
                if out is NotImplemented:
                    raise
                return out
            except (TypeError, ValueError):
                raise e from None
    method.__name__ = f"__{op_name}__"
    return method


_ADD = _add
_ADD_TYPES = _ADD.dtypes


def _add(self, other):
    # The hot path: two tensors of one dtype and one shape.
    if type(other) is EagerTensor and other._dtype is self._dtype and \
            vshape(other) == vshape(self) and self._dtype in _ADD_TYPES:
        return execute_binary(_ADD, self, other)
    return m.add(self, other)


def _logical(logical, bitwise):
    # ``&``, ``|``, ``^``: logical ops for bools, bitwise for ints; the right operand is
    # converted to the left one's dtype first (TypeError if it cannot be).
    def fn(x, y):
        x = convert_to_tensor(x) if not isinstance(x, Tensor) else x
        if not isinstance(y, Tensor):
            y = convert_to_tensor(y, dtype=x._dtype)
        return logical(x, y) if x._dtype is _d.bool else bitwise(x, y)
    return fn


_and = _logical(m.logical_and, m.bitwise_and)
_or = _logical(m.logical_or, m.bitwise_or)
_xor = _logical(m.logical_xor, m.bitwise_xor)


def _invert(x):
    return m.logical_not(x) if x._dtype is _d.bool else m.invert(x)


def _incompatible(err) -> bool:
    # Eagerly the kernel's InvalidArgumentError; while tracing, the graph's ValueError.
    text = str(getattr(err, "message", err))
    return "Incompatible shapes" in text or text.startswith("Dimensions must be equal")


def _eq(self, other):
    # Note: TF's ``==`` runs Equal with incompatible_shape_error=False: operands whose shapes
    # do not broadcast compare as a scalar False (``!=`` as True) instead of raising.
    if other is None:
        return False
    try:
        return m.equal(self, other)
    except (_errors.InvalidArgumentError, ValueError) as e:
        if not _incompatible(e):
            raise
        return convert_to_tensor(False)


def _ne(self, other):
    if other is None:
        return True
    try:
        return m.not_equal(self, other)
    except (_errors.InvalidArgumentError, ValueError) as e:
        if not _incompatible(e):
            raise
        return convert_to_tensor(True)


def _mul(x, y):
    # TF multiplies bools as int32 and casts back (``tf.constant([True]) * 2`` is bool).
    if (isinstance(x, Tensor) and x._dtype is _d.bool) or \
            (isinstance(y, Tensor) and y._dtype is _d.bool):
        return m.cast(m.multiply(m.cast(x, _d.int32), m.cast(y, _d.int32)), _d.bool)
    return m.multiply(x, y)


def _truediv(x, y):
    t = x if isinstance(x, Tensor) else convert_to_tensor(x)
    if t._dtype is _d.bool or t._dtype is _d.string:
        raise TypeError(f"Invalid dtype {t._dtype!r} in __truediv__. Expected one of {{tf.uint8, "
                        f"tf.int8, tf.uint16, tf.int16, tf.uint32, tf.int32, tf.uint64, tf.int64, "
                        f"tf.bfloat16, tf.float16, tf.float32, tf.float64, tf.complex64, "
                        f"tf.complex128}}.")
    return m.truediv(x, y)


def _pow(x, y):
    return m.pow(x, y)


def bind(cls=Tensor):
    """Attaches the operators to ``cls`` (Tensor; Variable reuses them after a read)."""
    cls.__add__ = _wrap("add", _add)
    cls.__radd__ = _r(m.add)
    cls.__sub__ = _wrap("sub", m.subtract)
    cls.__rsub__ = _r(m.subtract)
    cls.__mul__ = _wrap("mul", _mul)
    cls.__rmul__ = _r(_mul)
    cls.__truediv__ = _wrap("truediv", _truediv)
    cls.__rtruediv__ = _r(_truediv)
    cls.__floordiv__ = _wrap("floordiv", m.floordiv)
    cls.__rfloordiv__ = _r(m.floordiv)
    cls.__mod__ = _wrap("mod", m.floormod)
    cls.__rmod__ = _r(m.floormod)
    cls.__pow__ = _wrap("pow", _pow)
    cls.__rpow__ = _r(m.pow)
    cls.__matmul__ = _wrap("matmul", linalg_ops.matmul)
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
    cls.__and__ = _wrap("and", _and)
    cls.__rand__ = _r(_and)
    cls.__or__ = _wrap("or", _or)
    cls.__ror__ = _r(_or)
    cls.__xor__ = _wrap("xor", _xor)
    cls.__rxor__ = _r(_xor)
    cls.__getitem__ = array_ops.getitem


bind()

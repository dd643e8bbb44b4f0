"""The array object of the namespace: an EagerTensor whose Python operators follow the standard.

Namespace functions return ``ArrayAPITensor``\\ s. They are ordinary eager tensors (``type(x)`` is
called ``EagerTensor``, ``isinstance(x, tf.Tensor)`` holds, every ``tf.*`` op accepts them and
returns a plain tensor), but their operators are the namespace's functions: ``x + y`` promotes
by the standard's table where TF would raise, ``<<``/``>>`` exist, and ``x[i] = v``, ``x.T``
and ``x.size`` work. Tensors made by ``tf.*`` keep TF's operators.
"""
from __future__ import annotations

import math

import numpy as np

from ..._core.registry import STATE, wrap
from ..._core.tensor import EagerTensor, Tensor, _new


class ArrayAPITensor(EagerTensor):
    """An eager tensor made by the array API namespace (operators follow the standard)."""

    __slots__ = ()

    @property
    def T(self):  # noqa: N802 - the standard's name
        if self.ndim != 2:
            raise ValueError("x.T requires a 2-dimensional array; use x.mT for stacks")
        return _xp().permute_dims(self, (1, 0))

    @property
    def mT(self):  # noqa: N802 - the standard's name
        return _xp().matrix_transpose(self)

    def to_device(self, device, /, *, stream=None):
        return ns(EagerTensor.to_device(self, device, stream=stream))

    @property
    def size(self):
        return math.prod(self._v.shape)

    # ``__array_namespace__`` is attached by the namespace (``array_api/__init__``), which
    # sits above this module.

    def __getitem__(self, key):
        key = _unwrap_key(key)
        if isinstance(key, (bool, np.bool_)) or (isinstance(key, Tensor) and
                                                  key._dtype.is_bool and key.ndim == 0):
            # A 0-d boolean index adds an axis of length 1 (True) or 0 (False).
            out = _getitem(self, None)
            return ns(out if bool(key) else _getitem(out, slice(0, 0)))
        if _on_host(self):
            # Note: indexing a CPU array eagerly with NumPy costs no XLA compilation for each
            # new index structure or shape (JAX's indexing compiles one per index shape).
            out = np.asarray(self._v)[_host_key(key)]
            return ns(wrap(jnp_asarray(out)))
        if isinstance(key, np.ndarray) and key.dtype == np.bool_:
            key = (key,)  # NumPy's path: nonzero, then a gather (TF's boolean_mask is stricter)
        return ns(_getitem(self, key))

    def __setitem__(self, key, value):
        """In-place update of this array object (the standard's ``__setitem__``)."""
        import jax.numpy as jnp
        key = _unwrap_key(key)
        if isinstance(value, Tensor):
            value = value._v
        elif not isinstance(value, (bool, int, float, complex)):
            raise TypeError(f"__setitem__: value must be an array or a Python scalar, "
                            f"got {type(value).__name__}")
        if _on_host(self):
            a = np.array(self._v)
            a[_host_key(key)] = np.asarray(value)
            self._v = jnp.asarray(a)
            return
        _check_bounds(self, key)
        # Note: JAX arrays are immutable; this array object gets an updated buffer.
        self._v = self._v.at[key].set(jnp.asarray(value).astype(self._v.dtype))

    def __abs__(self):
        return _xp().abs(self)

    def __neg__(self):
        return _xp().negative(self)

    def __pos__(self):
        return _xp().positive(self)

    def __invert__(self):
        return _xp().bitwise_invert(self)


# The namespace module: set by ``array_api/__init__``, which sits above this module.
NAMESPACE = [None]


def _xp():
    return NAMESPACE[0]


_BINARY = {"add": "add", "sub": "subtract", "mul": "multiply", "truediv": "divide",
           "floordiv": "floor_divide", "mod": "remainder", "pow": "pow", "and": "bitwise_and",
           "or": "bitwise_or", "xor": "bitwise_xor", "lshift": "bitwise_left_shift",
           "rshift": "bitwise_right_shift"}
_COMPARE = {"lt": "less", "le": "less_equal", "gt": "greater", "ge": "greater_equal",
            "eq": "equal", "ne": "not_equal"}


def _operand_ok(other) -> bool:
    return isinstance(other, (Tensor, bool, int, float, complex, np.ndarray))


def _binary(fname, reflected):
    def op(self, other):
        if not _operand_ok(other):
            return NotImplemented
        f = getattr(_xp(), fname)
        return f(other, self) if reflected else f(self, other)
    return op


for _n, _f in _BINARY.items():
    setattr(ArrayAPITensor, f"__{_n}__", _binary(_f, False))
    setattr(ArrayAPITensor, f"__r{_n}__", _binary(_f, True))
    # The in-place forms rebind (tensors keep their buffer immutable); the result has the
    # left operand's dtype whenever the standard allows the in-place form.
    setattr(ArrayAPITensor, f"__i{_n}__", _binary(_f, False))
for _n, _f in _COMPARE.items():
    setattr(ArrayAPITensor, f"__{_n}__", _binary(_f, False))
del _n, _f


def _matmul(self, other):
    if not isinstance(other, (Tensor, np.ndarray)):
        return NotImplemented
    return _xp().matmul(self, other)


def _rmatmul(self, other):
    if not isinstance(other, (Tensor, np.ndarray)):
        return NotImplemented
    return _xp().matmul(other, self)


ArrayAPITensor.__matmul__ = ArrayAPITensor.__imatmul__ = _matmul
ArrayAPITensor.__rmatmul__ = _rmatmul
ArrayAPITensor.__hash__ = EagerTensor.__hash__
# The class users see (``type(x)``) is TF's EagerTensor, as for every eager tensor.
ArrayAPITensor.__name__ = ArrayAPITensor.__qualname__ = "EagerTensor"
ArrayAPITensor.__module__ = EagerTensor.__module__


def ns(out):
    """Namespace results as ArrayAPITensors (plain eager ones only: values a tape recorded or a
    ``tf.function`` traced keep their own objects, so gradients still reach them)."""
    t = type(out)
    if t is EagerTensor:
        if STATE.tapes or STATE.accumulators:
            return out
        a = _new(ArrayAPITensor)
        a._v = out._v
        a._dtype = out._dtype
        return a
    if t is tuple or t is list:
        return t(ns(o) for o in out)
    if isinstance(out, tuple) and hasattr(t, "_fields"):
        return t(*[ns(o) for o in out])
    return out


# -- indexing ---------------------------------------------------------------------------------
def _unwrap_key(key):
    """Array indices as NumPy arrays, so the NumPy-style indexer sees plain values."""
    if isinstance(key, tuple):
        return tuple(_unwrap_key(k) for k in key)
    if isinstance(key, Tensor) and key.ndim > 0:
        return key.numpy()
    return key


def jnp_asarray(a):
    import jax.numpy as jnp
    return jnp.asarray(a)


def _on_host(x) -> bool:
    """Whether ``x`` is a CPU array used outside tapes and traces (NumPy may index it)."""
    if STATE.tapes or STATE.accumulators or STATE.tracing:
        return False
    return all(d.platform == "cpu" for d in x._v.devices())


def _host_key(key):
    if isinstance(key, tuple):
        return tuple(_host_key(k) for k in key)
    if isinstance(key, Tensor):
        return key.numpy()
    return key


def _getitem(x, key):
    # NumPy's indexing (integer and boolean arrays too), as TF gives it with NumPy behaviour.
    from .._behavior import _numpy_getitem
    from ..._ops.array_ops import getitem
    return _numpy_getitem(getitem)(x, key)


def _check_bounds(x, key):
    """Integer indices out of range raise IndexError (JAX's ``.at[]`` would drop the write)."""
    keys = key if isinstance(key, tuple) else (key,)
    shape = x._v.shape
    dim = 0
    for k in keys:
        if k is Ellipsis:
            dim = len(shape) - sum(1 for j in keys[keys.index(k) + 1:] if j is not None)
            continue
        if k is None:
            continue
        if isinstance(k, (int, np.integer)) and not isinstance(k, bool):
            n = shape[dim] if dim < len(shape) else 0
            if not -n <= int(k) < n:
                raise IndexError(f"index {int(k)} is out of bounds for axis {dim} with size {n}")
        if isinstance(k, np.ndarray) and k.dtype == np.bool_:
            dim += k.ndim
        else:
            dim += 1

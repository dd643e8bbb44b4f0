"""Keras variables: tftape Variables with Keras 3's ``path``, ``name`` and repr.

# Note: in real Keras 3 a Keras variable wraps a ``tf.Variable`` and is not itself one;
# here it *is* a tftape ``ResourceVariable`` subclass, so tapes, ``tf.matmul`` and
# optimizers take it directly.
"""
from __future__ import annotations

import numpy as np

from .._core import dtypes as _d
from .._core.tensor import make
from .._variables import ResourceVariable
from . import _naming


class DTypeName(str):
    """A dtype spelled as Keras 3 spells it (``'float32'``) that still acts as a tftape DType.

    >>> DTypeName("float32") == "float32", DTypeName("float32").is_floating
    (True, True)
    """

    __slots__ = ()

    def __getattr__(self, attr):
        return getattr(_d.as_dtype(str(self)), attr)

    def __eq__(self, other):
        if isinstance(other, _d.DType):
            return other.name == str(self)
        return str.__eq__(self, other)

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = str.__hash__


_DTYPE_NAMES = {d: DTypeName(d.name) for d in _d.ALL}


class KerasVariable(ResourceVariable):
    """A variable made by ``add_weight`` (Keras 3's ``keras.Variable``).

    >>> import tftape as tf
    >>> v = tf.keras.Variable([1.0, 2.0], name="w")
    >>> v.name, v.path, v.dtype
    ('w', 'w', 'float32')
    """

    def __init__(self, initializer, shape=None, dtype=None, trainable=True, autocast=True,
                 aggregation="none", synchronization="auto", name=None):
        name = name or _naming.auto_name("variable")
        if "/" in name:
            raise ValueError(f"Argument `name` must be a string and cannot contain character "
                             f"`/`. Received: name={name}")
        parent = _naming.current_path()
        self._keras_name = name
        self._path = f"{parent}/{name}" if parent else name
        if callable(initializer) and not hasattr(initializer, "shape"):
            if shape is None:
                raise ValueError("When creating a Variable from an initializer, the `shape` "
                                 "argument should be specified. Received: initializer="
                                 f"{initializer} and shape={shape}")
            dt = _d.as_dtype(dtype or "float32")
            value = initializer(tuple(shape), dtype=dt)
        else:
            value = initializer
            if dtype is None and not hasattr(value, "dtype"):
                dtype = "float32"
        super().__init__(value, trainable=trainable, dtype=dtype, name=name)
        self._name = name
        self._autocast = autocast

    # -- Keras 3 attributes ---------------------------------------------------------------
    @property
    def path(self) -> str:
        return self._path

    @property
    def name(self) -> str:
        return self._keras_name

    @property
    def dtype(self):
        return _DTYPE_NAMES[self._handle()._dtype]

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)

    @property
    def value(self):
        """The current value as a Tensor."""
        return self.read_value()

    def assign(self, value, use_locking=None, name=None, read_value=True):
        r = super().assign(value, read_value=False)
        return self.read_value() if read_value else r

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        super().assign_add(delta, read_value=False)
        return self.read_value() if read_value else None

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        super().assign_sub(delta, read_value=False)
        return self.read_value() if read_value else None

    def __repr__(self):
        v = np.asarray(self._value)
        value = v.item() if v.ndim == 0 else v
        return (f"<Variable path={self.path}, shape={self.shape}, dtype={self.dtype}, "
                f"value={value}>")

    __str__ = __repr__

    def __deepcopy__(self, memo):
        return KerasVariable(make(self._value, self._dtype), trainable=self.trainable,
                             name=self._keras_name)


KerasVariable.__name__ = "Variable"
KerasVariable.__qualname__ = "Variable"


def standardize_dtype(dtype) -> str:
    if dtype is None:
        from ._config import floatx
        return floatx()
    return _d.as_dtype(dtype if not hasattr(dtype, "name") or isinstance(dtype, str)
                       else dtype.name).name


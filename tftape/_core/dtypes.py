"""TensorFlow dtypes as singletons (layer 1: no JAX work here)."""
from __future__ import annotations

import builtins as _builtins

import numpy as np

try:  # ml_dtypes ships with jaxlib; it gives NumPy a bfloat16.
    import ml_dtypes as _ml
    _bfloat16 = np.dtype(_ml.bfloat16)
except ImportError:  # pragma: no cover
    _bfloat16 = None


class DType:
    """A TensorFlow element type, e.g. ``tf.float32``.

    >>> import tftape as tf
    >>> tf.float32.name, tf.float32.is_floating
    ('float32', True)
    """

    __slots__ = ("_name", "_np", "_enum", "_kind")

    def __init__(self, name: str, np_dtype, enum: int, kind: str):
        self._name = name
        self._np = np_dtype
        self._enum = enum
        self._kind = kind  # 'f' float, 'c' complex, 'i' signed, 'u' unsigned, 'b' bool, 's' string

    # -- identity -------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @property
    def as_datatype_enum(self) -> int:
        return self._enum

    @property
    def base_dtype(self) -> "DType":
        return self

    @property
    def real_dtype(self) -> "DType":
        if self is complex64:
            return float32
        if self is complex128:
            return float64
        return self

    @property
    def as_numpy_dtype(self):
        return self._np.type

    @property
    def is_numpy_compatible(self) -> bool:
        return True

    @property
    def size(self) -> int:
        return 1 if self._kind == "s" else self._np.itemsize

    # -- classification -------------------------------------------------
    @property
    def is_floating(self) -> bool:
        return self._kind == "f"

    @property
    def is_complex(self) -> bool:
        return self._kind == "c"

    @property
    def is_integer(self) -> bool:
        return self._kind in "iu"

    @property
    def is_unsigned(self) -> bool:
        return self._kind in "ub"

    @property
    def is_bool(self) -> bool:
        return self._kind == "b"

    @property
    def is_quantized(self) -> bool:
        return False

    @property
    def is_numeric(self) -> bool:
        return self._kind in "fciu"

    @property
    def min(self):
        if self._kind in "bsc":
            raise TypeError(f"Cannot find minimum value of {self} with type {self}.")
        if self._kind == "f":
            return self._np.type(np.finfo(self._np).min)
        return self._np.type(np.iinfo(self._np).min)

    @property
    def max(self):
        if self._kind in "bsc":
            raise TypeError(f"Cannot find maximum value of {self} with type {self}.")
        if self._kind == "f":
            return self._np.type(np.finfo(self._np).max)
        return self._np.type(np.iinfo(self._np).max)

    @property
    def limits(self):
        return (self.min, self.max)

    def is_compatible_with(self, other) -> bool:
        return self is as_dtype(other)

    # -- python protocol --------------------------------------------------
    def __repr__(self) -> str:
        return "tf." + self._name

    def __str__(self) -> str:
        return f"<dtype: '{self._name}'>"

    def __eq__(self, other) -> bool:
        if other is None:
            return False
        if isinstance(other, DType):
            return self is other
        # Equality with anything must answer, never raise: NumPy rejects many objects
        # (a list of tuples is a structured-dtype spec) with ValueError or others.
        try:
            return self is as_dtype(other)
        except Exception:  # noqa: BLE001
            return False

    def __ne__(self, other) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        # TF hashes a DType by its enum: sets of dtypes print in TF's order.
        return self._enum

    def __reduce__(self):
        return as_dtype, (self._name,)


float16 = DType("float16", np.dtype(np.float16), 19, "f")
half = float16
float32 = DType("float32", np.dtype(np.float32), 1, "f")
float64 = DType("float64", np.dtype(np.float64), 2, "f")
double = float64
bfloat16 = DType("bfloat16", _bfloat16, 14, "f")
int8 = DType("int8", np.dtype(np.int8), 6, "i")
int16 = DType("int16", np.dtype(np.int16), 5, "i")
int32 = DType("int32", np.dtype(np.int32), 3, "i")
int64 = DType("int64", np.dtype(np.int64), 9, "i")
uint8 = DType("uint8", np.dtype(np.uint8), 4, "u")
uint16 = DType("uint16", np.dtype(np.uint16), 17, "u")
uint32 = DType("uint32", np.dtype(np.uint32), 22, "u")
uint64 = DType("uint64", np.dtype(np.uint64), 23, "u")
bool = DType("bool", np.dtype(np.bool_), 10, "b")  # noqa: A001 - TF's public name
complex64 = DType("complex64", np.dtype(np.complex64), 8, "c")
complex128 = DType("complex128", np.dtype(np.complex128), 18, "c")
string = DType("string", np.dtype(object), 7, "s")

ALL = (float16, float32, float64, bfloat16, int8, int16, int32, int64, uint8, uint16,
       uint32, uint64, bool, complex64, complex128, string)

# TF's C names, used in op error messages ("a float tensor", "a double tensor").
TF_TYPE_NAMES = {float16: "half", float32: "float", float64: "double", bfloat16: "bfloat16",
                 int8: "int8", int16: "int16", int32: "int32", int64: "int64",
                 uint8: "uint8", uint16: "uint16", uint32: "uint32", uint64: "uint64",
                 bool: "bool", complex64: "complex64", complex128: "complex128",
                 string: "string"}

_BY_NAME = {d.name: d for d in ALL}
_BY_NAME.update(half=float16, double=float64, float=float32)
_BY_NP = {d._np: d for d in ALL if d._np is not None and d is not string}
_BY_ENUM = {d._enum: d for d in ALL}
_PY_TYPES = {float: float32, int: int32, complex: complex128, str: string, bytes: string,
             _builtins.bool: bool}

FLOATING = (float16, bfloat16, float32, float64)
COMPLEX = (complex64, complex128)
SIGNED = (int8, int16, int32, int64)
UNSIGNED = (uint8, uint16, uint32, uint64)
INTEGER = SIGNED + UNSIGNED
REAL = FLOATING + INTEGER
NUMERIC = REAL + COMPLEX
INEXACT = FLOATING + COMPLEX


def as_dtype(type_value) -> DType:
    """Converts ``type_value`` (a DType, name, NumPy dtype or Python type) to a DType."""
    if isinstance(type_value, DType):
        return type_value
    if isinstance(type_value, str):
        d = _BY_NAME.get(type_value)
        if d is not None:
            return d
    elif isinstance(type_value, int) and not isinstance(type_value, type(True)) and type_value in _BY_ENUM:
        return _BY_ENUM[type_value]
    elif isinstance(type_value, type) and type_value in _PY_TYPES:
        return _PY_TYPES[type_value]
    else:
        npd = getattr(type_value, "dtype", None)
        if npd is not None and not isinstance(type_value, type):
            type_value = npd
        try:
            npd = np.dtype(type_value)
        except TypeError:
            npd = None
        if npd is not None:
            if npd.kind in "OSU":
                return string
            d = _BY_NP.get(npd)
            if d is not None:
                return d
    raise TypeError(f"Cannot convert the argument `type_value`: {type_value!r} to a TensorFlow DType.")


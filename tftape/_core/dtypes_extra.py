"""TF's quantized (``tf.qint8`` ...) and handle (``tf.resource``, ``tf.variant``) dtypes.

They name element types of ops tftape does not run on them (quantization kernels, resource
handles); as DTypes they behave as TF's: names, enums, NumPy types, predicates, ``as_dtype``.
"""
from __future__ import annotations

import numpy as np

from . import dtypes as _d


class _QuantizedDType(_d.DType):
    __slots__ = ()

    @property
    def is_quantized(self) -> bool:
        return True

    @property
    def is_numeric(self) -> bool:
        return False

    @property
    def as_numpy_dtype(self):
        return self._np        # TF's structured NumPy dtype, e.g. [('qint8', 'i1')]

    @property
    def size(self) -> int:
        return self._np.itemsize

    @property
    def min(self):
        raise TypeError(f"Cannot find minimum value of {self} with quantized type {self}.")

    @property
    def max(self):
        raise TypeError(f"Cannot find maximum value of {self} with quantized type {self}.")


class _HandleDType(_d.DType):
    __slots__ = ()

    @property
    def is_numpy_compatible(self) -> bool:
        return False

    @property
    def is_numeric(self) -> bool:
        return False

    @property
    def as_numpy_dtype(self):
        raise KeyError(self._enum)

    @property
    def size(self) -> int:
        return 0

    @property
    def min(self):
        raise TypeError(f"Cannot find minimum value of {self}.")

    @property
    def max(self):
        raise TypeError(f"Cannot find maximum value of {self}.")


def _quantized(name, base, enum):
    return _QuantizedDType(name, np.dtype([(name, base)]), enum, "q")


qint8 = _quantized("qint8", np.int8, 11)
quint8 = _quantized("quint8", np.uint8, 12)
qint32 = _quantized("qint32", np.int32, 13)
qint16 = _quantized("qint16", np.int16, 15)
quint16 = _quantized("quint16", np.uint16, 16)
resource = _HandleDType("resource", None, 20, "r")
variant = _HandleDType("variant", None, 21, "v")

QUANTIZED = (qint8, quint8, qint16, quint16, qint32)

# ``tf.as_dtype`` finds them by name, enum and (quantized) NumPy type.
for _t in QUANTIZED + (resource, variant):
    _d._BY_NAME[_t.name] = _t
    _d._BY_ENUM[_t.as_datatype_enum] = _t
    _d.TF_TYPE_NAMES[_t] = _t.name
for _t in QUANTIZED:
    _d._BY_NP[_t._np] = _t

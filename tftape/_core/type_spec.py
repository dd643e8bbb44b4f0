"""``tf.TypeSpec``: the base of value descriptions (TensorSpec, RaggedTensorSpec, ...)."""
from __future__ import annotations

from . import dtypes as _d
from .shape import TensorShape


class TypeSpec:
    """The base class of value descriptions (``tf.TypeSpec``)."""

    __slots__ = ()

    @property
    def value_type(self):
        raise NotImplementedError

    def is_compatible_with(self, spec_or_value) -> bool:
        return self == spec_or_value

    def most_specific_common_supertype(self, others):
        for o in others:
            if o != self:
                return None
        return self

    def most_specific_compatible_type(self, other):
        r = self.most_specific_common_supertype([other])
        if r is None:
            raise ValueError(f"No TypeSpec is compatible with both {self} and {other}")
        return r


class ShapeDtypeSpec(TypeSpec):
    """A TypeSpec described by a shape and a dtype (held in ``_shape`` and ``_dtype``)."""

    __slots__ = ("_shape", "_dtype")

    @property
    def shape(self) -> TensorShape:
        return self._shape

    @property
    def dtype(self) -> _d.DType:
        return self._dtype

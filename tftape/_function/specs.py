"""``tf.TypeSpec``, ``tf.TensorSpec`` and ``tf.OptionalSpec``: descriptions of values."""
from __future__ import annotations

from .._core import dtypes as _d
from .._core.shape import TensorShape
from .._core.type_spec import ShapeDtypeSpec, TypeSpec

__all__ = ["TypeSpec", "TensorSpec", "OptionalSpec"]


class TensorSpec(ShapeDtypeSpec):
    """The shape and dtype of a tensor (``tf.TensorSpec``); ``None`` dims match any size.

    >>> import tftape as tf
    >>> tf.TensorSpec([None, 3], tf.float32)
    TensorSpec(shape=(None, 3), dtype=tf.float32, name=None)
    """

    __slots__ = ("_name",)

    def __init__(self, shape, dtype=_d.float32, name=None):
        self._shape = TensorShape(shape)
        self._dtype = _d.as_dtype(dtype)
        self._name = name

    @classmethod
    def from_spec(cls, spec, name=None):
        return cls(spec.shape, spec.dtype, name if name is not None else spec.name)

    @classmethod
    def from_tensor(cls, tensor, name=None):
        """The spec of ``tensor`` (its static shape and dtype)."""
        return cls(tensor.shape, tensor.dtype, name)

    @property
    def name(self):
        return self._name

    @property
    def value_type(self):
        from .._core.tensor import Tensor
        return Tensor

    def is_compatible_with(self, spec_or_tensor) -> bool:
        """Same dtype and a compatible shape (``None`` dims match any size)."""
        dt = getattr(spec_or_tensor, "dtype", None)
        shape = getattr(spec_or_tensor, "shape", None)
        if dt is None or shape is None:
            return False
        return _d.as_dtype(dt) is self._dtype and self._shape.is_compatible_with(shape)

    def most_specific_common_supertype(self, others):
        shape = self._shape
        for o in others:
            if not isinstance(o, TensorSpec) or o.dtype is not self._dtype:
                return None
            shape = shape.most_specific_compatible_shape(o.shape)
        names = {self._name, *(o.name for o in others)}
        return TensorSpec(shape, self._dtype, self._name if len(names) == 1 else None)

    def __eq__(self, other):
        return (type(other) is type(self) and self._dtype is other._dtype
                and self._shape == other._shape and self._name == other._name)

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash((self._shape.rank, tuple(self._shape.as_list())
                     if self._shape.rank is not None else None, self._dtype, self._name))

    def __repr__(self):
        name = repr(self._name) if self._name is not None else "None"
        return f"TensorSpec(shape={self._shape}, dtype={self._dtype!r}, name={name})"

    def __reduce__(self):
        return TensorSpec, (self._shape, self._dtype, self._name)


class OptionalSpec(TypeSpec):
    """The spec of a ``tf.experimental.Optional`` holding values of ``element_spec``."""

    __slots__ = ("_element_spec",)

    def __init__(self, element_spec):
        self._element_spec = element_spec

    @property
    def element_spec(self):
        return self._element_spec

    def __eq__(self, other):
        return type(other) is OptionalSpec and other._element_spec == self._element_spec

    def __hash__(self):
        return hash(("OptionalSpec", repr(self._element_spec)))

    def __repr__(self):
        return f"OptionalSpec({self._element_spec!r})"

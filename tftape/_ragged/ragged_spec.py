"""``tf.RaggedTensorSpec``: the type of a RaggedTensor (shape, dtype, ragged_rank,
row_splits_dtype)."""
from __future__ import annotations

from .._core import dtypes as _d
from .._core.shape import TensorShape

from .._core.type_spec import ShapeDtypeSpec
from .._core.methods import attach
from .ragged_tensor import RaggedTensor


class RaggedTensorSpec(ShapeDtypeSpec):
    """Describes a RaggedTensor (``tf.RaggedTensorSpec``).

    >>> import tftape as tf
    >>> tf.RaggedTensorSpec([None, None], tf.int32)
    RaggedTensorSpec(TensorShape([None, None]), tf.int32, 1, tf.int64)
    """

    __slots__ = ("_ragged_rank", "_row_splits_dtype", "_flat_values_spec")

    def __init__(self, shape=None, dtype=_d.float32, ragged_rank=None,
                 row_splits_dtype=_d.int64, flat_values_spec=None):
        self._shape = TensorShape(shape)
        self._row_splits_dtype = _d.as_dtype(row_splits_dtype)
        if flat_values_spec is not None:
            dtype = flat_values_spec.dtype
        self._dtype = _d.as_dtype(dtype)
        self._flat_values_spec = flat_values_spec
        rank = self._shape.rank
        if ragged_rank is None:
            if rank is None:
                raise ValueError("Must specify ragged_rank or a shape with a known rank.")
            ragged_rank = rank - 1
        self._ragged_rank = ragged_rank
        if not isinstance(ragged_rank, int):
            raise TypeError(f"Argument `ragged_rank` must be an int. Received {ragged_rank}.")
        if rank is not None:
            if ragged_rank >= rank:
                raise ValueError(f"Argument `ragged_rank` ({ragged_rank}) must be less than "
                                 f"rank ({rank}).")

    @property
    def ragged_rank(self) -> int:
        return self._ragged_rank

    @property
    def row_splits_dtype(self) -> _d.DType:
        return self._row_splits_dtype

    @property
    def flat_values_spec(self):
        return self._flat_values_spec

    @property
    def value_type(self):
        return RaggedTensor

    @classmethod
    def from_value(cls, value) -> "RaggedTensorSpec":
        return cls(shape=value.shape, dtype=value.dtype, ragged_rank=value.ragged_rank,
                   row_splits_dtype=value.row_splits.dtype)

    def _key(self):
        return (self._shape, self._dtype, self._ragged_rank, self._row_splits_dtype)

    def __eq__(self, other):
        return type(other) is type(self) and self._key() == other._key()

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash((tuple(self._shape.as_list()) if self._shape.rank is not None else None,
                     self._dtype, self._ragged_rank, self._row_splits_dtype))

    def is_compatible_with(self, spec_or_value) -> bool:
        if isinstance(spec_or_value, RaggedTensor):
            spec_or_value = RaggedTensorSpec.from_value(spec_or_value)
        if not isinstance(spec_or_value, RaggedTensorSpec):
            return False
        o = spec_or_value
        return (self._dtype is o._dtype and self._ragged_rank == o._ragged_rank and
                self._row_splits_dtype is o._row_splits_dtype and
                self._shape.is_compatible_with(o._shape))

    def most_specific_common_supertype(self, others):
        shape = self._shape
        for o in others:
            if not isinstance(o, RaggedTensorSpec) or o._dtype is not self._dtype or \
                    o._ragged_rank != self._ragged_rank or \
                    o._row_splits_dtype is not self._row_splits_dtype:
                return None
            shape = shape.most_specific_compatible_shape(o._shape)
        return RaggedTensorSpec(shape, self._dtype, self._ragged_rank, self._row_splits_dtype)

    def __repr__(self):
        return (f"RaggedTensorSpec({self._shape!r}, {self._dtype!r}, {self._ragged_rank}, "
                f"{self._row_splits_dtype!r})")


def _rt_type_spec(self):
    return RaggedTensorSpec.from_value(self)


attach(RaggedTensor, "_type_spec", _rt_type_spec, property)

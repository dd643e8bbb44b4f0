"""``tf.TensorArray`` with TF's eager semantics (``_EagerTensorArray``).

The state is a plain Python list of Tensors (None where nothing was written), and a
GradientTape sees the written values flow into ``tf.stack`` / ``tf.concat`` / ``tf.gather``
as ordinary ops. As in eager TF, ``write`` mutates the array in place and returns it.

A TensorArray constructed while a tf.function traces is a ``GraphTensorArray``
(``_function/_graph_tensor_array.py``) with TF's graph-mode semantics: functional writes,
traced indices, and a buffer array that loops carry.
"""
from __future__ import annotations

import numpy as np

from ._core import dtypes as _d
from ._core.convert import convert_to_tensor
from ._core.errors import InvalidArgumentError, OpError, OutOfRangeError
from ._core.registry import STATE
from ._core.shape import TensorShape
from ._core.tensor import Tensor, make_string
from ._core.type_spec import TypeSpec

# The class a TensorArray constructed while tf.function traces becomes: ``GraphTensorArray``,
# installed by ``_function._graph_tensor_array`` (which subclasses this one).
GRAPH_CLASS: list = [None]


def _index(i) -> int:
    """A Python int from an index argument (an eager Tensor is read on the host, as TF does)."""
    if isinstance(i, Tensor):
        i = i.numpy()
    return int(i)


class TensorArray:
    """A list of same-dtype tensors that ``write``/``read`` by index and ``stack`` at the end.

    >>> import tftape as tf
    >>> ta = tf.TensorArray(tf.float32, size=2)
    >>> ta = ta.write(0, 1.).write(1, 2.)
    >>> ta.stack().numpy()
    array([1., 2.], dtype=float32)
    """

    def __new__(cls, *args, **kwargs):
        if cls is TensorArray and STATE.tracing:
            # Inside tf.function: TF's graph-mode TensorArray (a TensorList).
            cls = GRAPH_CLASS[0]
        return object.__new__(cls)

    def __init__(self, dtype, size=None, dynamic_size=None, clear_after_read=None,
                 tensor_array_name=None, handle=None, flow=None, infer_shape=True,
                 element_shape=None, colocate_with_first_write_call=True, name=None):
        if handle is not None:
            raise ValueError("TensorArray handles are not supported when eager execution is "
                             "enabled.")
        if size is None:
            raise ValueError("Size must be declared for TensorArrays when eager execution is "
                             "enabled.")
        self._dtype = _d.as_dtype(dtype)
        self._dynamic_size = bool(dynamic_size)
        self._clear_after_read = True if clear_after_read is None else bool(clear_after_read)
        self._infer_shape = infer_shape
        self._element_shape = TensorShape(element_shape)
        self._colocate_with_first_write_call = colocate_with_first_write_call
        self._previously_read_indices: list = []
        self._tensor_array: list = [None] * _index(size)
        self._flow = None

    # -- properties -----------------------------------------------------------------------------
    @property
    def dtype(self) -> _d.DType:
        return self._dtype

    @property
    def element_shape(self) -> TensorShape:
        return self._element_shape

    @property
    def dynamic_size(self) -> bool:
        return self._dynamic_size

    @property
    def flow(self) -> Tensor:
        """A dummy int32 0, for compatibility (flows mean nothing in eager mode)."""
        if self._flow is None:
            self._flow = convert_to_tensor(0)
        return self._flow

    @property
    def handle(self):
        return None

    def __repr__(self) -> str:
        # Note: TF's class lives in tensor_array_ops; scripts print this default object repr.
        return f"<tensorflow.python.ops.tensor_array_ops.TensorArray object at {id(self):#x}>"

    def identity(self) -> "TensorArray":
        return self

    def grad(self, source, flow=None, name=None):
        raise NotImplementedError(
            "TensorArray.grad is not supported when executing eagerly; eager's gradient "
            "implementation does not use/need this function to compute gradients of operations "
            "that use TensorArrays.")

    # -- element access -------------------------------------------------------------------------
    def _zeros(self) -> Tensor:
        shape = self._element_shape
        if not shape.is_fully_defined():
            raise ValueError(f"Cannot convert a partially known TensorShape {shape} to a Tensor.")
        dims = shape.as_list()
        if self._dtype is _d.string:
            return make_string(np.full(dims, b"", dtype=object))
        from ._ops.array_ops import zeros
        return zeros(dims, self._dtype)

    def _maybe_zero(self, ix: int) -> Tensor:
        val = self._tensor_array[ix]
        if val is None:
            val = self._tensor_array[ix] = self._zeros()
        return val

    def read(self, index, name=None) -> Tensor:
        """The tensor at ``index`` (zeros if never written); cleared after the read by default."""
        index = _index(index)
        if index < 0:
            raise OutOfRangeError(None, None, f"Reading from negative indices (index {index}) is "
                                              f"not allowed.")
        if index >= len(self._tensor_array):
            raise OutOfRangeError(None, None, f"Tried to read from index {index} but array size "
                                              f"is: {len(self._tensor_array)} ")
        tensor = self._tensor_array[index]
        if tensor is None:
            if index in self._previously_read_indices:
                raise InvalidArgumentError(
                    None, None, f"Could not read index {index} twice because it was cleared after "
                                f"a previous read (perhaps try setting clear_after_read = false?)")
            tensor = self._maybe_zero(index)
        if self._clear_after_read:
            self._tensor_array[index] = None
            self._previously_read_indices.append(index)
        return tensor

    def _write(self, index, value):
        index = _index(index)
        if index < 0:
            raise OutOfRangeError(None, None, f"Writing to negative indices (index {index}) is "
                                              f"not allowed.")
        size = len(self._tensor_array)
        if index >= size:
            if not self._dynamic_size:
                raise OutOfRangeError(None, None, f"Tried to write to index {index} but array is "
                                                  f"not resizeable and size is: {size} ")
            self._tensor_array.extend([None] * (index - size + 1))
        if not isinstance(value, Tensor):
            value = convert_to_tensor(value, dtype_hint=self._dtype)
        if self._dtype is not value.dtype:
            raise InvalidArgumentError(None, None, f"TensorArray dtype is {self._dtype.name} but "
                                                   f"Op is trying to write dtype "
                                                   f"{value.dtype.name} ")
        if not self._element_shape.is_compatible_with(value.shape):
            raise ValueError(f"Incompatible shape for value ({value.shape}), expected "
                             f"({self._element_shape})")
        if self._infer_shape:
            self._element_shape = self._element_shape.merge_with(value.shape)
        self._tensor_array[index] = value

    def write(self, index, value, name=None) -> "TensorArray":
        """Writes ``value`` at ``index`` (overwriting is allowed eagerly, as in TF)."""
        self._write(index, value)
        return self

    # -- whole-array ops ------------------------------------------------------------------------
    def _pack(self, items, name="packed") -> Tensor:
        from ._ops.array_ops import stack
        from ._ops.math_ops import cast
        items = [t if t.dtype is self._dtype else cast(t, self._dtype) for t in items]
        return stack(items, name=name)

    def stack(self, name=None) -> Tensor:
        """All elements stacked along a new first axis (through ``tf.stack``)."""
        for ix in range(len(self._tensor_array)):
            self._maybe_zero(ix)
        if not self._tensor_array:
            shape = self._element_shape
            dims = [0] + (shape.as_list() if shape.is_fully_defined() else [])
            if self._dtype is _d.string:
                return make_string(np.zeros(dims, dtype=object))
            return convert_to_tensor(np.zeros(dims, self._dtype._np))
        return self._pack(self._tensor_array)

    def gather(self, indices, name=None) -> Tensor:
        """The elements at ``indices``, stacked."""
        if isinstance(indices, Tensor):
            indices = indices.numpy()
        # Note: Python list indexing, as TF's eager TensorArray (IndexError past the end).
        return self._pack([self._maybe_zero(int(i)) for i in indices], name="stack")

    def concat(self, name=None) -> Tensor:
        """All elements joined along their first axis."""
        from ._ops.array_ops import concat
        items = [self._maybe_zero(ix) for ix in range(len(self._tensor_array))]
        try:
            return concat(items, 0, name=name or "concat")
        except OpError:
            ndims = [t.ndim for t in self._tensor_array]
            if 0 in ndims:
                raise InvalidArgumentError(None, None, f"Concat saw a scalar shape at index "
                                                       f"{ndims.index(0)} but requires at least "
                                                       f"vectors.") from None
            raise

    def unstack(self, value, name=None) -> "TensorArray":
        """Replaces the elements with the slices of ``value`` along its first axis."""
        from ._ops.array_ops import unstack
        tensors = unstack(value)
        if len(tensors) > len(self._tensor_array) and not self._dynamic_size:
            raise ValueError(f"Cannot unstack {len(tensors)} tensors into a TensorArray of static "
                             f"size {len(self._tensor_array)} ")
        self._tensor_array = tensors
        return self

    def scatter(self, indices, value, name=None) -> "TensorArray":
        """Writes the slices of ``value`` at ``indices``."""
        from ._ops.array_ops import unstack
        if isinstance(indices, Tensor):
            indices = indices.numpy()
        for index, val in zip(indices, unstack(value)):
            self._write(index, val)
        return self

    def split(self, value, lengths, name=None) -> "TensorArray":
        """Replaces the elements with pieces of ``value`` of the given ``lengths``."""
        from ._ops.array_ops import split
        value = value if isinstance(value, Tensor) else convert_to_tensor(value,
                                                                          dtype_hint=self._dtype)
        lengths = convert_to_tensor(lengths)
        total = int(np.sum(lengths.numpy()))
        if lengths.ndim != 1:
            raise InvalidArgumentError(None, None, f"Expected lengths to be a vector, received "
                                                   f"shape: {lengths.shape.as_list()} ")
        if value.ndim == 0:
            raise InvalidArgumentError(None, None, f"Expected value to be at least a vector, but "
                                                   f"received shape: {value.shape.as_list()} ")
        if total != value.shape.as_list()[0]:
            raise InvalidArgumentError(None, None, f"Expected sum of lengths to be equal to "
                                                   f"values.shape[0], but sum of lengths is "
                                                   f"{total} and value's shape is: "
                                                   f"{value.shape.as_list()} ")
        n = lengths._v.shape[0]
        if not self._dynamic_size and n != len(self._tensor_array):
            raise InvalidArgumentError(None, None, f"TensorArray's size is not equal to the size "
                                                   f"of lengths ({len(self._tensor_array)} vs. "
                                                   f"{n}), and the TensorArray is not marked as "
                                                   f"dynamically resizeable.")
        self._tensor_array = list(split(value, lengths))
        return self

    def size(self, name=None) -> Tensor:
        """The number of elements, as an int32 scalar tensor."""
        return convert_to_tensor(len(self._tensor_array))

    def close(self, name=None):
        del self._tensor_array[:]


class TensorArraySpec(TypeSpec):
    """The type of a TensorArray (``tf.TensorArraySpec``).

    >>> import tftape as tf
    >>> tf.TensorArraySpec([2], tf.float32)
    TensorArraySpec(TensorShape([2]), tf.float32, False, True)
    """

    __slots__ = ("_element_shape", "_dtype", "_dynamic_size", "_infer_shape")

    def __init__(self, element_shape=None, dtype=_d.float32, dynamic_size=False,
                 infer_shape=True):
        self._element_shape = TensorShape(element_shape)
        self._dtype = _d.as_dtype(dtype)
        self._dynamic_size = dynamic_size
        self._infer_shape = infer_shape

    @property
    def value_type(self):
        return TensorArray

    @classmethod
    def from_value(cls, value: TensorArray) -> "TensorArraySpec":
        if not isinstance(value, TensorArray):
            raise ValueError(f"Expected value to be a TensorArray, but got: {type(value)}")
        return cls(value.element_shape, value.dtype, value.dynamic_size, value._infer_shape)

    def is_subtype_of(self, other) -> bool:
        return isinstance(other, TensorArraySpec) and self._dtype == other._dtype and \
            self._dynamic_size == other._dynamic_size

    def _key(self):
        return (repr(self._element_shape), self._dtype, self._dynamic_size, self._infer_shape)

    def __eq__(self, other):
        return type(other) is TensorArraySpec and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self) -> str:
        return (f"TensorArraySpec({self._element_shape!r}, {self._dtype!r}, "
                f"{self._dynamic_size!r}, {self._infer_shape!r})")

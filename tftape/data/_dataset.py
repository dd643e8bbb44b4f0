"""``tf.data.Dataset``: the base class, its iterator and the source datasets.

A dataset is a Python object that can start any number of iterations over its elements.
Each element flows through the pipeline as a flat tuple of host components (see
``_structure``); the iterator packs them into the element structure of Tensors.
"""
from __future__ import annotations

import numpy as np

from .._core import dtypes as _d
from .._core.errors import InvalidArgumentError, kernel_error
from .._core.errors import wrapped_kernel_error as _wrapped_error
from . import _structure as st

AUTOTUNE = -1
INFINITE = -1
UNKNOWN = -2


class Dataset:
    """A sequence of elements and the transformations that build pipelines from it.

    >>> import tftape as tf
    >>> ds = tf.data.Dataset.range(6).map(lambda x: x * 2).batch(4)
    >>> [b.numpy().tolist() for b in ds]
    [[0, 2, 4, 6], [8, 10]]
    """

    _structure = None      # nested TypeSpecs of one element
    _options = None

    # -- subclass interface ---------------------------------------------------------------------
    def _iter(self):
        """A Python iterator over elements as flat tuples of components."""
        raise NotImplementedError

    def _iter_safe(self):
        """``_iter``, with a :class:`Failed` in place of an element whose computation raised
        (``ignore_errors`` skips those). By default an error ends the iteration; datasets that
        compute each element on its own (map, filter) go on after it."""
        it = self._iter()
        while True:
            try:
                x = next(it)
            except StopIteration:
                return
            except Exception as e:  # noqa: BLE001 - handed to the consumer
                yield Failed(e)
                return
            yield x

    def _cardinality(self) -> int:
        return UNKNOWN

    def _inputs(self) -> list:
        return []

    # -- structure ----------------------------------------------------------------------------------
    @property
    def element_spec(self):
        """The nested ``tf.TypeSpec`` of one element."""
        return self._structure

    @property
    def _flat_specs(self):
        return st.flatten(self._structure)

    def __repr__(self):
        return f"<{type(self).__name__} element_spec={self.element_spec!r}>"

    def cardinality(self):
        """The number of elements (``tf.data.INFINITE_CARDINALITY`` = -1, ``UNKNOWN`` = -2)."""
        from .._ops.constant_op import constant
        return constant(self._cardinality(), dtype=_d.int64)

    def __len__(self):
        n = self._cardinality()
        if n == INFINITE:
            raise TypeError("The dataset is infinite.")
        if n == UNKNOWN:
            raise TypeError("The dataset length is unknown.")
        return n

    def __bool__(self):
        return True

    # -- iteration -------------------------------------------------------------------------------------
    def __iter__(self):
        return OwnedIterator(self)

    def as_numpy_iterator(self):
        """Iterates elements as NumPy values (``bytes`` for strings).

        >>> import tftape as tf
        >>> list(tf.data.Dataset.range(3).as_numpy_iterator())
        [np.int64(0), np.int64(1), np.int64(2)]
        """
        for s in self._flat_specs:
            if not st.dense_spec(s) and not st.is_ragged_spec(s):
                raise TypeError(f"Dataset.as_numpy_iterator() is not supported for datasets "
                                f"that produce values of type {s.value_type}")
        return NumpyIterator(self)

    def as_numpy(self):
        return self.as_numpy_iterator()

    def get_single_element(self, name=None):
        """The only element of the dataset (an error if it has none or several)."""
        it = self._iter()
        try:
            first = next(it)
        except StopIteration:
            raise _wrapped_error("DatasetToSingleElement", "Dataset was empty.") from None
        try:
            next(it)
        except StopIteration:
            return _pack(self._structure, first)
        raise _wrapped_error("DatasetToSingleElement", "Dataset had more than one element.")

    # -- options ---------------------------------------------------------------------------------------
    def options(self):
        from ._options import Options
        for ds in [self] + self._all_inputs():
            if ds._options is not None:
                return ds._options
        return Options()

    def _all_inputs(self):
        out = []
        for d in self._inputs():
            out.append(d)
            out.extend(d._all_inputs())
        return out

    # -- sources -----------------------------------------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors, name=None) -> "Dataset":
        """Slices each component along its first dimension.

        >>> import tftape as tf
        >>> tf.data.Dataset.from_tensor_slices([1, 2, 3])
        <_TensorSliceDataset element_spec=TensorSpec(shape=(), dtype=tf.int32, name=None)>
        """
        return _TensorSliceDataset(tensors)

    @staticmethod
    def from_tensors(tensors, name=None) -> "Dataset":
        """A dataset with the single element ``tensors``."""
        return _TensorDataset(tensors)

    @staticmethod
    def range(*args, output_type=_d.int64, name=None) -> "Dataset":
        """Like Python's ``range``, as int64 scalars.

        >>> import tftape as tf
        >>> [int(x) for x in tf.data.Dataset.range(1, 8, 3)]
        [1, 4, 7]
        """
        return _RangeDataset(*args, output_type=output_type)

    # -- transformations (the rest are attached from above: see _transforms and _prefetch) ----
    def rebatch(self, batch_size, drop_remainder=False, name=None) -> "Dataset":
        return self.unbatch().batch(batch_size, drop_remainder)

    def apply(self, transformation_func) -> "Dataset":
        ds = transformation_func(self)
        if not isinstance(ds, Dataset):
            raise TypeError(f"`transformation_func` must return a `tf.data.Dataset` object. "
                            f"Got {type(ds)}.")
        return ds


DatasetV2 = Dataset


class Failed:
    """An element whose computation raised ``error`` (see ``Dataset._iter_safe``)."""

    __slots__ = ("error",)

    def __init__(self, error):
        self.error = error


def _pack(structure, flat):
    specs = st.flatten(structure)
    return st.pack(structure, [st.to_user(c, s) for c, s in zip(flat, specs)])


# -- iterators -----------------------------------------------------------------------------------
class OwnedIterator:
    """An iterator over a dataset's elements (``iter(dataset)``)."""

    def __init__(self, dataset):
        self._dataset = dataset
        self._structure = dataset._structure
        self._specs = st.flatten(dataset._structure)
        self._it = dataset._iter()

    @property
    def element_spec(self):
        return self._structure

    def __iter__(self):
        return self

    def __next__(self):
        flat = next(self._it)
        return st.pack(self._structure, [st.to_user(c, s) for c, s in zip(flat, self._specs)])

    def get_next(self):
        try:
            return self.__next__()
        except StopIteration:
            from .._core.errors import OutOfRangeError
            raise OutOfRangeError(None, None, "End of sequence") from None

    def get_next_as_optional(self):
        from ._options import Optional
        try:
            return Optional.from_value(self.__next__())
        except StopIteration:
            return Optional.empty(self._structure)

    def __repr__(self):
        return (f"<tensorflow.python.data.ops.iterator_ops.OwnedIterator object at "
                f"{hex(id(self))}>")


class NumpyIterator:
    """Elements as NumPy values (``dataset.as_numpy_iterator()``)."""

    def __init__(self, dataset):
        self._iterator = OwnedIterator(dataset)

    def __iter__(self):
        return self

    def __next__(self):
        return st.map_structure(_to_numpy, next(self._iterator))

    next = __next__

    def __repr__(self):
        return f"NumpyIterator(iterator={self._iterator!r})"


def _to_numpy(x):
    if type(x).__name__ == "RaggedTensor":
        return x.numpy()
    return x.numpy()


# -- sources ---------------------------------------------------------------------------------------
def _normalize(value):
    """(structure of specs, flat host components) of a user value."""
    if isinstance(value, list):
        value = _as_tensor_list(value)
    flat = st.flatten(value)
    comps = []
    for x in flat:
        if x is None:
            raise TypeError("Attempt to convert a value (None) with an unsupported type "
                            "(<class 'NoneType'>) to a Tensor.")
        comps.append(st.to_host(x))
    return st.pack(value, [st.spec_of(c) for c in comps]), comps


def _as_tensor_list(value):
    # A list is one value; a list of tensors is packed like tf.convert_to_tensor does.
    from .._core.convert import convert_to_tensor
    return convert_to_tensor(value)


class DatasetSource(Dataset):
    pass


class _TensorSliceDataset(DatasetSource):
    def __init__(self, tensors):
        structure, comps = _normalize(tensors)
        n = None
        for c in comps:
            if st.host_shape(c) == ():
                raise ValueError("Unbatching a tensor is only supported for rank >= 1")
            k = st.host_shape(c)[0]
            if n is None:
                n = k
            elif k != n:
                raise ValueError(f"Dimensions {n} and {k} are not compatible")
        self._comps = comps
        self._n = n
        self._structure = st.map_structure(st.unbatch_spec, structure)

    def _cardinality(self):
        return self._n

    def _iter(self):
        comps = self._comps
        if all(isinstance(c, np.ndarray) for c in comps):
            # Note: rows are NumPy views; the user sees copies made when Tensors are built.
            if len(comps) == 1:
                c = comps[0]
                return ((c[i, ...],) for i in range(self._n))
            return (tuple(c[i, ...] for c in comps) for i in range(self._n))
        return (tuple(c.row(i) if isinstance(c, st.ROWED) else c[i, ...] for c in comps)
                for i in range(self._n))

    def _rows_ok(self):
        return all(isinstance(c, np.ndarray) for c in self._comps)

    def _take_rows(self, idx):
        """Components of the elements at ``idx`` (NumPy ints), stacked (batch fast path)."""
        return tuple(c[idx] for c in self._comps)


class _TensorDataset(DatasetSource):
    def __init__(self, tensors):
        self._structure, self._comps = _normalize(tensors)

    def _cardinality(self):
        return 1

    def _iter(self):
        return iter((tuple(self._comps),))


class _RangeDataset(DatasetSource):
    def __init__(self, *args, output_type=_d.int64):
        from .._core.convert import to_static
        if not 1 <= len(args) <= 3:
            raise ValueError(f"Invalid `args`. The length of `args` should be between 1 and 3 "
                             f"but was {len(args)}.")
        vals = [int(to_static(a)) for a in args]
        start, stop, step = (0, vals[0], 1) if len(vals) == 1 else \
            (vals[0], vals[1], 1) if len(vals) == 2 else tuple(vals)
        if step == 0:
            raise kernel_error("RangeDataset", "step must be a non-zero integer.")
        self._start, self._step = start, step
        self._n = max(0, -((start - stop) // step)) if step > 0 else \
            max(0, -((stop - start) // -step))
        self._dtype = _d.as_dtype(output_type)
        from .._function.specs import TensorSpec
        self._structure = TensorSpec([], self._dtype)

    def _cardinality(self):
        return self._n

    def _iter(self):
        np_t = self._dtype._np
        start, step = self._start, self._step
        return ((np.array(start + i * step, dtype=np_t),) for i in range(self._n))

    def _rows_ok(self):
        return True

    def _take_rows(self, idx):
        return ((self._start + np.asarray(idx, dtype=np.int64) * self._step)
                .astype(self._dtype._np),)

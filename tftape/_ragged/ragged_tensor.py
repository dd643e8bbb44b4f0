"""``tf.RaggedTensor``: flat values plus one row_splits vector per ragged dimension, as TF
stores it.

The values are Tensors, so every transformation of them goes through registry ops and is
recorded on active GradientTapes; the row partitions are small integer vectors handled on the
host.
"""
from __future__ import annotations

import numpy as np

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._core.shape import TensorShape
from .._core.tensor import Tensor
from . import _util as u


def _formatter(x):
    """TF's ragged formatter: NumPy elements separated by commas."""
    if isinstance(x, np.ndarray):
        if x.size != 0:
            return np.array2string(x, separator=", ")
        # array2string gives `[]` for every empty array; TF wants `[[], [], []]` for [3, 0].
        return repr(x.tolist())
    return str(x)


class RaggedTensor:
    """A tensor with one or more ragged dimensions (``tf.RaggedTensor``).

    >>> import tftape as tf
    >>> tf.RaggedTensor.from_row_splits([3, 1, 4, 1, 5], [0, 2, 2, 5])
    <tf.RaggedTensor [[3, 1], [], [4, 1, 5]]>
    """

    __slots__ = ("_values", "_row_splits", "_uniform_row_length", "__weakref__")
    _is_composite_tensor = True
    # Lets ``ndarray + ragged`` reach RaggedTensor.__radd__.
    __array_priority__ = 100

    def __init__(self, values=None, row_partition=None, internal=False):
        if not internal:
            raise ValueError("RaggedTensor constructor is private; please use one of the "
                             "factory methods instead (e.g., RaggedTensor.from_row_lengths())")
        self._values = values
        self._row_splits = row_partition
        self._uniform_row_length = None

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def _make(cls, values, row_splits: Tensor, uniform=None) -> "RaggedTensor":
        rt = object.__new__(cls)
        rt._values = values
        rt._row_splits = row_splits
        rt._uniform_row_length = uniform
        return rt

    @classmethod
    def _from_splits_np(cls, values, splits: np.ndarray, dtype: _d.DType) -> "RaggedTensor":
        return cls._make(values, u.splits_tensor(splits, dtype))

    @staticmethod
    def _convert_values(values, partition_dtype: _d.DType):
        if isinstance(values, RaggedTensor):
            if values._row_splits.dtype is not partition_dtype:
                raise ValueError(
                    f"Argument `row_partition` of RaggedTensor with name: partition must have "
                    f"same dtype as Argument `values`. ({partition_dtype} vs. "
                    f"{values._row_splits.dtype}).")
            return values
        if getattr(type(values), "_is_composite_tensor", False) and \
                not isinstance(values, Tensor):
            raise TypeError(f"type(values) must be one of: Tensor, RaggedTensor, got {values}.")
        return convert_to_tensor(values)

    @staticmethod
    def _hint(values):
        return values._row_splits.dtype if isinstance(values, RaggedTensor) else None

    @classmethod
    def _from_partition(cls, values, splits: Tensor, validate: bool, uniform=None):
        values = cls._convert_values(values, splits.dtype)
        if validate and not isinstance(values, RaggedTensor) and values.ndim == 0:
            from .._core.errors import kernel_error
            raise kernel_error("StridedSlice", "slice index 0 of dimension 0 out of bounds.",
                               name="strided_slice/")
        if not isinstance(values, RaggedTensor) and values.ndim == 0:
            raise ValueError(f"Shape {values.shape} must have rank at least 1")
        if validate:
            nvals = _nrows(values)
            u.assert_equal(np.asarray(u.host(splits)[-1]), np.asarray(nvals),
                           "Arguments to _from_row_partition do not form a valid RaggedTensor")
        return cls._make(values, splits, uniform)

    @classmethod
    def from_row_splits(cls, values, row_splits, name=None, validate=True) -> "RaggedTensor":
        """Rows are ``values[row_splits[i]:row_splits[i + 1]]``.

        >>> import tftape as tf
        >>> tf.RaggedTensor.from_row_splits([1, 2, 3], [0, 2, 3]).to_list()
        [[1, 2], [3]]
        """
        _check_validate(validate)
        if isinstance(row_splits, (list, tuple)) and not row_splits:
            raise ValueError("row_splits tensor may not be empty.")
        s = u.convert_partition(row_splits, "row_splits", cls._hint(values))
        u.check_rank1(s)
        if validate:
            sv = u.host(s)
            msg = "Arguments to from_row_splits do not form a valid RaggedTensor:"
            u.assert_equal(sv[0], np.zeros((), sv.dtype), msg + "zero")
            u.assert_non_negative(np.diff(sv), s.dtype, msg + "monotonic")
        return cls._from_partition(values, s, validate)

    @classmethod
    def from_row_lengths(cls, values, row_lengths, name=None, validate=True) -> "RaggedTensor":
        """Row ``i`` holds the next ``row_lengths[i]`` values.

        >>> import tftape as tf
        >>> tf.RaggedTensor.from_row_lengths([1, 2, 3], [2, 0, 1]).to_list()
        [[1, 2], [], [3]]
        """
        _check_validate(validate)
        lt = u.convert_partition(row_lengths, "row_lengths", cls._hint(values))
        u.check_rank1(lt)
        lv = u.host(lt)
        if validate:
            u.assert_non_negative(lv, lt.dtype, "Arguments to from_row_lengths do not form a "
                                               "valid RowPartition")
        splits = u.lengths_to_splits(lv)
        return cls._from_partition(values, u.splits_tensor(splits, lt.dtype), validate)

    @classmethod
    def from_value_rowids(cls, values, value_rowids, nrows=None, name=None,
                          validate=True) -> "RaggedTensor":
        """Value ``i`` goes to row ``value_rowids[i]`` (sorted); ``nrows`` adds empty rows.

        >>> import tftape as tf
        >>> tf.RaggedTensor.from_value_rowids([3, 1, 4], [0, 0, 2], nrows=4).to_list()
        [[3, 1], [], [4], []]
        """
        _check_validate(validate)
        ids = u.convert_partition(value_rowids, "value_rowids", cls._hint(values))
        iv = u.host(ids)
        if nrows is None:
            n = int(iv[-1]) + 1 if iv.size else 0
        else:
            n = int(u.host(convert_to_tensor(nrows, dtype=ids.dtype)))
            if n < 0:
                raise ValueError("Expected nrows >= 0; got %d" % n)
            if iv.size and not n >= iv[-1] + 1:
                raise ValueError("Expected nrows >= value_rowids[-1] + 1; got nrows=%d, "
                                 "value_rowids[-1]=%d" % (n, iv[-1]))
        u.check_rank1(ids)
        if validate:
            msg = "Arguments to from_value_rowids do not form a valid RowPartition"
            u.assert_non_negative(iv[:1], ids.dtype, msg)
            u.assert_non_negative(np.diff(iv), ids.dtype, msg)
        nv = _nrows(values if isinstance(values, RaggedTensor) else convert_to_tensor(values))
        if nv != iv.size:
            raise ValueError(f"Shapes {TensorShape([nv])} and {TensorShape([iv.size])} are "
                             f"incompatible")
        lengths = np.bincount(iv, minlength=n)[:n] if iv.size else np.zeros(n, np.int64)
        splits = u.lengths_to_splits(lengths)
        return cls._from_partition(values, u.splits_tensor(splits, ids.dtype), validate)

    @classmethod
    def from_row_starts(cls, values, row_starts, name=None, validate=True) -> "RaggedTensor":
        """Row ``i`` starts at ``row_starts[i]`` and ends where the next one starts."""
        _check_validate(validate)
        st = u.convert_partition(row_starts, "row_starts", cls._hint(values))
        u.check_rank1(st)
        values = cls._convert_values(values, st.dtype)
        nvals = _nrows(values)
        sv = u.host(st)
        if validate:
            msg = "Arguments to from_row_starts do not form a valid RaggedTensor"
            u.assert_equal(sv[:1], np.zeros((), sv.dtype), msg)
            u.assert_non_negative(np.diff(sv), st.dtype, msg)
            if sv.size and sv[-1] > nvals:
                raise _inv(f"{msg}\nCondition x <= y did not hold element-wise:")
        splits = np.concatenate([sv, np.array([nvals], sv.dtype)])
        return cls._from_partition(values, u.splits_tensor(splits, st.dtype), validate)

    @classmethod
    def from_row_limits(cls, values, row_limits, name=None, validate=True) -> "RaggedTensor":
        """Row ``i`` ends at ``row_limits[i]`` and starts where the previous one ended."""
        _check_validate(validate)
        lt = u.convert_partition(row_limits, "row_limits", cls._hint(values))
        u.check_rank1(lt)
        lv = u.host(lt)
        if validate:
            msg = "Arguments to from_row_limits do not form a valid RaggedTensor"
            u.assert_non_negative(lv[:1], lt.dtype, msg)
            u.assert_non_negative(np.diff(lv), lt.dtype, msg)
        splits = np.concatenate([np.zeros(1, lv.dtype), lv])
        return cls._from_partition(values, u.splits_tensor(splits, lt.dtype), validate)

    @classmethod
    def from_uniform_row_length(cls, values, uniform_row_length, nrows=None, validate=True,
                                name=None) -> "RaggedTensor":
        """Rows of equal length ``uniform_row_length`` (the dimension stays known)."""
        _check_validate(validate)
        ul = u.convert_partition(uniform_row_length, "uniform_row_length", cls._hint(values))
        values = cls._convert_values(values, ul.dtype)
        nvals = _nrows(values)
        n_len = int(u.host(ul))
        if nrows is None:
            n = nvals // n_len if n_len else 0
        else:
            n = int(u.host(convert_to_tensor(nrows)))
        if n_len < 0:
            raise ValueError("uniform_row_length must be >= 0.")
        if n * n_len != nvals:
            raise ValueError(f"uniform_row_length={n_len} times nrows={n} must equal "
                             f"nvals={nvals}")
        splits = np.arange(n + 1, dtype=np.int64) * n_len
        return cls._make(values, u.splits_tensor(splits, ul.dtype), n_len)

    @classmethod
    def from_nested_row_splits(cls, flat_values, nested_row_splits, name=None,
                               validate=True) -> "RaggedTensor":
        """Applies ``from_row_splits`` for each splits vector, innermost last."""
        if isinstance(nested_row_splits, Tensor):
            raise TypeError("nested_row_splits must be a list of Tensors")
        result = flat_values
        for s in reversed(list(nested_row_splits)):
            result = cls.from_row_splits(result, s, validate=validate)
        return result

    @classmethod
    def from_nested_row_lengths(cls, flat_values, nested_row_lengths, name=None,
                                validate=True) -> "RaggedTensor":
        """Applies ``from_row_lengths`` for each lengths vector, innermost last."""
        result = flat_values
        for lengths in reversed(list(nested_row_lengths)):
            result = cls.from_row_lengths(result, lengths, validate=validate)
        return result

    @classmethod
    def from_nested_value_rowids(cls, flat_values, nested_value_rowids, nested_nrows=None,
                                 name=None, validate=True) -> "RaggedTensor":
        """Applies ``from_value_rowids`` for each rowids vector, innermost last."""
        ids = list(nested_value_rowids)
        nrows = [None] * len(ids) if nested_nrows is None else list(nested_nrows)
        result = flat_values
        for i, n in reversed(list(zip(ids, nrows))):
            result = cls.from_value_rowids(result, i, n, validate=validate)
        return result

    # -- accessors --------------------------------------------------------------------------
    @property
    def dtype(self) -> _d.DType:
        return self._values.dtype

    @property
    def shape(self) -> TensorShape:
        """Static shape: nrows, then None for each ragged dimension, then the inner dims."""
        nrows = self._row_splits._v.shape[0] - 1
        return TensorShape([nrows, self._uniform_row_length]).concatenate(
            self._values.shape[1:])

    def get_shape(self) -> TensorShape:
        return self.shape

    @property
    def ndim(self) -> int:
        return self.shape.rank

    @property
    def ragged_rank(self) -> int:
        v = self._values
        return v.ragged_rank + 1 if isinstance(v, RaggedTensor) else 1

    @property
    def values(self):
        return self._values

    @property
    def row_splits(self) -> Tensor:
        return self._row_splits

    @property
    def flat_values(self) -> Tensor:
        rt = self._values
        while isinstance(rt, RaggedTensor):
            rt = rt._values
        return rt

    @property
    def nested_row_splits(self) -> tuple:
        out = [self._row_splits]
        rt = self._values
        while isinstance(rt, RaggedTensor):
            out.append(rt._row_splits)
            rt = rt._values
        return tuple(out)

    @property
    def uniform_row_length(self):
        if self._uniform_row_length is None:
            return None
        return u.splits_tensor(self._uniform_row_length, self._row_splits.dtype)

    @property
    def row_splits_dtype(self) -> _d.DType:
        return self._row_splits.dtype

    def _splits_np(self) -> np.ndarray:
        return u.host(self._row_splits)

    def value_rowids(self, name=None) -> Tensor:
        return u.splits_tensor(u.rowids(self._splits_np()), self._row_splits.dtype)

    def nrows(self, out_type=None, name=None) -> Tensor:
        dt = self._row_splits.dtype if out_type is None else _d.as_dtype(out_type)
        return u.splits_tensor(len(self._splits_np()) - 1, dt)

    def row_starts(self, name=None) -> Tensor:
        return u.splits_tensor(self._splits_np()[:-1], self._row_splits.dtype)

    def row_limits(self, name=None) -> Tensor:
        return u.splits_tensor(self._splits_np()[1:], self._row_splits.dtype)

    def row_lengths(self, axis=1, name=None):
        """The length of each row along ragged ``axis`` (a Tensor for axis 1)."""
        if axis == 0:
            return self.nrows()
        if axis == 1:
            return u.splits_tensor(np.diff(self._splits_np()), self._row_splits.dtype)
        if isinstance(self._values, RaggedTensor):
            return self.with_values(self._values.row_lengths(axis - 1))
        from .._ops import array_ops
        shape = array_ops.shape(self._values, out_type=self._row_splits.dtype)
        return self.with_values(array_ops.ones(shape[:axis - 1], self._row_splits.dtype)
                                * shape[axis - 1])

    def nested_row_lengths(self, name=None) -> tuple:
        return tuple(u.splits_tensor(np.diff(u.host(s)), s.dtype)
                     for s in self.nested_row_splits)

    def bounding_shape(self, axis=None, name=None, out_type=None) -> Tensor:
        """The smallest dense shape that holds every row."""
        dt = self._row_splits.dtype if out_type is None else _d.as_dtype(out_type)
        dims = _bounding_dims(self)
        if axis is not None:
            dims = np.asarray(dims)[np.asarray(axis)]
        return u.splits_tensor(dims, dt)

    # -- new values, same partition ---------------------------------------------------------
    def with_values(self, new_values) -> "RaggedTensor":
        new_values = RaggedTensor._convert_values(new_values, self._row_splits.dtype)
        return RaggedTensor._make(new_values, self._row_splits, self._uniform_row_length)

    def with_flat_values(self, new_values) -> "RaggedTensor":
        if isinstance(self._values, RaggedTensor):
            return self.with_values(self._values.with_flat_values(new_values))
        return self.with_values(new_values)

    def with_row_splits_dtype(self, dtype) -> "RaggedTensor":
        dtype = _d.as_dtype(dtype)
        if dtype not in (_d.int32, _d.int64):
            raise ValueError(f"dtype must be int32 or int64, got {dtype!r}")
        if self._row_splits.dtype is dtype:
            return self
        v = self._values
        if isinstance(v, RaggedTensor):
            v = v.with_row_splits_dtype(dtype)
        return RaggedTensor._make(v, u.splits_tensor(self._splits_np(), dtype),
                                  self._uniform_row_length)

    # -- conversion -------------------------------------------------------------------------
    def numpy(self) -> np.ndarray:
        """Rows as NumPy arrays: an object array when row lengths differ (as TF)."""
        values = self._values.numpy()
        splits = self._splits_np()
        rows = [values[splits[i]:splits[i + 1]] for i in range(len(splits) - 1)]
        if not rows:
            return np.zeros((0, 0) + values.shape[1:], dtype=values.dtype)
        if any(len(row) != len(rows[0]) for row in rows):
            out = np.empty(len(rows), dtype=object)
            for i, row in enumerate(rows):
                out[i] = row
            return out
        return np.array(rows)

    def to_list(self) -> list:
        """The value as nested Python lists."""
        splits = self._splits_np().tolist()
        v = self._values
        vals = v.to_list() if isinstance(v, RaggedTensor) else v.numpy().tolist()
        return [vals[splits[i]:splits[i + 1]] for i in range(len(splits) - 1)]

    def _tape_components(self):
        return (self.flat_values,)

    # tf.function arguments and results: the values and row splits travel as tensors.
    def __tf_flatten__(self):
        return (), (self._values, self._row_splits)

    @classmethod
    def __tf_unflatten__(cls, metadata, components):
        values, row_splits = components
        return cls._make(values, row_splits)

    def _composite_identity(self):
        return self.with_flat_values(_identity(self.flat_values))

    def consumers(self):
        return []

    # -- python protocol -------------------------------------------------------------------------
    def __repr__(self) -> str:
        with np.printoptions(formatter={"all": _formatter}):
            value_text = _formatter(self.numpy())
        return f"<tf.RaggedTensor {value_text}>"

    __str__ = __repr__

    def __tf_tensor__(self, dtype=None, name=None):
        # What TF raises when a RaggedTensor reaches tf.convert_to_tensor / tf.constant.
        raise ValueError("TypeError: object of type 'RaggedTensor' has no len()\n")

    def __bool__(self):
        raise TypeError("RaggedTensor may not be used as a boolean.")

    def __hash__(self):
        raise TypeError("RaggedTensor is unhashable.")

    def __iter__(self):
        for i in range(len(self._splits_np()) - 1):
            yield self[i]

    def __tf_dispatch__(self, *args):
        raise NotImplementedError  # replaced in ragged_ops


def _check_validate(validate):
    if not isinstance(validate, bool):
        raise TypeError(f"Argument `validate` must have type bool. Received {validate}.")


def _inv(msg):
    from .._core.errors import InvalidArgumentError
    return InvalidArgumentError(None, None, msg)


def _nrows(values) -> int:
    if isinstance(values, RaggedTensor):
        return len(values._splits_np()) - 1
    return values._v.shape[0]


def _identity(t):
    from .._ops.array_ops import identity
    return identity(t)


def _bounding_dims(rt: RaggedTensor) -> list:
    """[nrows, max row length per ragged dim..., inner dims...]."""
    dims = [len(rt._splits_np()) - 1]
    v = rt
    while isinstance(v, RaggedTensor):
        lengths = np.diff(v._splits_np())
        dims.append(int(lengths.max()) if lengths.size else 0)
        v = v._values
    dims.extend(v._v.shape[1:])
    return dims


def is_ragged(x) -> bool:
    return isinstance(x, RaggedTensor)

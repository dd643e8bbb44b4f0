"""``Hashing`` and ``HashedCrossing``: categorical features hashed into a fixed number of bins.

Both run on the host, as Keras runs them on TensorFlow's CPU string kernels: ``Hashing`` writes
each value as a string (integers in decimal, floats first truncated to int64) and hashes it
with FarmHash Fingerprint64 (``tf.strings.to_hash_bucket_fast``), or with SipHash-2-4 keyed by
``salt`` (``tf.strings.to_hash_bucket_strong``); ``HashedCrossing`` hashes the cross of its
inputs with ``tf.sparse.cross_hashed``. The bins are then encoded as Keras encodes categorical
inputs (``int``, ``one_hot``, ``multi_hot``, ``count``), densely or as a ``SparseTensor``.
"""
from __future__ import annotations

import numpy as np

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._core.errors import kernel_error, op_error
from .._core.tensor import Tensor
from .._ops import array_ops as _a
from .._ops.cast_ops import cast as _cast
from .._ops.comparison_ops import equal as _equal
from .._ragged.ragged_tensor import RaggedTensor
from .._sparse.sparse_tensor import SparseTensor
from ._config import floatx
from ._layer import KerasTensor, Layer
from ._lookup_layers import validate_string_arg

# The bincount kernels behind the multi_hot/count encodings of inputs of rank <= 2 write only
# these dtypes (their sparse-output variants cast afterwards and take any).
_BINCOUNT_DTYPES = ("int32", "int64", "float32", "float64")
_BINCOUNT_SIGNATURES = {
    "DenseBincount": "input:Tidx, size:Tidx, weights:T -> output:T",
    "RaggedBincount": "splits:int64, values:Tidx, size:Tidx, weights:T -> output:T",
    "SparseBincount": ("indices:int64, values:Tidx, dense_shape:int64, size:Tidx, weights:T -> "
                       "output:T"),
}


def _input_tensor(x):
    """A Tensor, RaggedTensor or SparseTensor of ``x`` (lists, arrays and scalars converted)."""
    if isinstance(x, (Tensor, RaggedTensor, SparseTensor)):
        return x
    if getattr(type(x), "_is_tf_variable", False) and hasattr(x, "read_value"):
        return x.read_value()
    if isinstance(x, np.ndarray) and x.dtype.kind in "US":
        x = x.astype(object)
    return convert_to_tensor(x)


def _is_tensor(x) -> bool:
    return isinstance(x, (Tensor, RaggedTensor, SparseTensor, KerasTensor)) or \
        getattr(type(x), "_is_tf_variable", False)


def _recorded_shape(x):
    """The input shape Keras records when a layer is first called: a tensor's (or, for several
    inputs, each tensor's) shape; None for lists, arrays and scalars."""
    if _is_tensor(x):
        return tuple(x.shape)
    if isinstance(x, (list, tuple)) and x and all(_is_tensor(v) for v in x):
        return tuple(tuple(v.shape) for v in x)
    return None


class _HostLayer(Layer):
    """A layer whose inputs reach ``call`` as given (strings, lists, arrays: no conversion or
    autocast) and whose build records only the first input's shape."""

    def _convert_arg(self, x):
        return x

    def _maybe_build(self, args, kwargs):
        if not self.built:
            first = args[0] if args else next(iter(kwargs.values()), None)
            self._build_shapes = _recorded_shape(first)
            self.built = True

    def get_build_config(self):
        return {"input_shape": self._build_shapes} if self.built else None

    def build_from_config(self, config):
        self._build_shapes = (config or {}).get("input_shape")
        self.built = True


def _squeeze_last(x):
    """``x`` without its last axis (of size 1)."""
    if isinstance(x, SparseTensor):
        return SparseTensor(x.indices[:, :-1], x.values, x.dense_shape[:-1])
    if isinstance(x, RaggedTensor):
        flat = x.flat_values
        return x.with_flat_values(_a.reshape(flat, tuple(flat.shape)[:-1]))
    return _a.reshape(x, tuple(x.shape)[:-1])


def _bincount_dtype_check(op, dtype):
    if dtype.name not in _BINCOUNT_DTYPES:
        name = _d.TF_TYPE_NAMES.get(dtype, dtype.name)
        raise op_error(op, (
            f"Value for attr 'T' of {name} is not in the list of allowed values: int32, int64, "
            f"float, double\n\t; NodeDef: {{{{node {op}}}}}; Op<name={op}; signature="
            f"{_BINCOUNT_SIGNATURES[op]}; attr=Tidx:type,allowed=[DT_INT32, DT_INT64]; "
            "attr=T:type,allowed=[DT_INT32, DT_INT64, DT_FLOAT, DT_DOUBLE]; "
            "attr=binary_output:bool,default=false>"))


def _row_counts(rows, values, nrows, depth, binary):
    """``(nrows, depth)`` counts of ``values`` (int64 bins) in each row ``rows[i]``."""
    out = np.zeros((nrows, depth), np.int64)
    keep = (values >= 0) & (values < depth)
    np.add.at(out, (rows[keep], values[keep]), 1)
    return np.minimum(out, 1) if binary else out


def _one_hot(idx, depth):
    return (idx[..., None] == np.arange(depth, dtype=np.int64)).astype(np.int64)


def _max_identity(dtype, segments=False):
    """What TF's max over no values gives in ``dtype``: -inf for floats (the lowest float for
    the segment reductions of ragged tensors), the lowest integer, False for bool."""
    if dtype == _d.bool:
        return 0
    if dtype.is_floating:
        return float(dtype.min) if segments else -np.inf
    return int(dtype.min)


def _sum_dtype(dtype):
    """The dtype of Keras' sum of ``dtype`` values (narrow integers and bool widen)."""
    if dtype.name in ("bool", "int8", "int16"):
        return _d.int32
    if dtype.name in ("uint8", "uint16"):
        return _d.uint32
    return dtype


def _output(arr, dtype, sparse):
    """A dense Tensor (or, with ``sparse``, a SparseTensor of the nonzeros) of ``dtype``."""
    if sparse:
        where = np.nonzero(arr)
        indices = np.stack(where, axis=1).astype(np.int64).reshape(-1, arr.ndim)
        values = _cast(convert_to_tensor(arr[where]), dtype)
        return SparseTensor(indices, values, np.asarray(arr.shape, np.int64))
    return _cast(convert_to_tensor(arr), dtype)


def _ragged_reduce(bins, binary, depth, dtype):
    """Keras' multi_hot/count of a ragged input of rank > 2: the one-hot encoding reduced over
    the ragged axis 1 (max or sum), as TF reduces ragged tensors, aligning the inner positions.

    With only axis 1 ragged the result is dense, and a row without values holds the reduction's
    identity (the dtype's lowest value for max); otherwise it stays ragged.
    """
    from .. import ragged as _ragged
    flat = bins.flat_values.numpy().astype(np.int64)
    hot = _one_hot(flat, depth)
    reduce = (lambda a: a.max(axis=0)) if binary else (lambda a: a.sum(axis=0))
    if not binary:
        dtype = _sum_dtype(dtype)
    if bins.ragged_rank == 1:
        splits = bins.row_splits.numpy()
        fill = _max_identity(dtype, segments=True) if binary else 0
        work = np.float64 if dtype.is_floating else np.int64
        out = np.full((len(splits) - 1,) + hot.shape[1:], fill, work)
        for i, (lo, hi) in enumerate(zip(splits[:-1], splits[1:])):
            if hi > lo:
                out[i] = reduce(hot[lo:hi])
        return _cast(convert_to_tensor(out), dtype)

    def combine(items, ndim):
        if ndim == 1:
            return reduce(np.array(items, np.int64)).tolist()
        n = max(len(item) for item in items)
        return [combine([item[k] for item in items if len(item) > k], ndim - 1)
                for k in range(n)]

    rows = bins.with_flat_values(convert_to_tensor(hot)).to_list()
    out = [combine(row, bins.shape.rank - 1) if row else [] for row in rows]
    inner = tuple(hot.shape[1:])
    result = _ragged.constant(out, dtype=_d.int64, ragged_rank=bins.ragged_rank - 1,
                              inner_shape=inner)
    return result.with_flat_values(_cast(result.flat_values, dtype))


def _encode(bins, mode, depth, dtype, sparse):
    """Keras' categorical encoding of integer ``bins`` (dense, ragged or sparse)."""
    dtype = _d.as_dtype(dtype)
    if mode == "int":
        if isinstance(bins, SparseTensor):
            return bins.with_values(_cast(bins.values, dtype))
        if isinstance(bins, RaggedTensor):
            return bins.with_flat_values(_cast(bins.flat_values, dtype))
        return _cast(bins, dtype)
    binary = mode == "multi_hot"
    if isinstance(bins, SparseTensor):
        rank = bins.shape.rank
        if mode == "one_hot" or rank > 2:
            convert_to_tensor(bins)  # Keras' dense fallback: TF's "Attempt to convert" error
        if not sparse:
            _bincount_dtype_check("SparseBincount", dtype)
        idx = bins.indices.numpy()
        dense_shape = [int(d) for d in bins.dense_shape.numpy()]
        values = bins.values.numpy().astype(np.int64)
        if rank == 1:
            return _output(_row_counts(np.zeros(len(values), np.int64), values, 1, depth,
                                       binary)[0], dtype, sparse)
        if sparse and dense_shape[0] == 0:
            raise kernel_error("SparseCountSparseOutput",
                               "Cannot allocate 0 batches, is the dense shape too wide?")
        counts = _row_counts(idx[:, 0], values, dense_shape[0], depth, binary)
        return _output(counts, dtype, sparse)
    if isinstance(bins, RaggedTensor):
        if mode == "one_hot" or bins.shape.rank != 2:
            if sparse:
                # Note: Keras sizes a sparse one-hot encoding from the static shape, whose
                # ragged dimension is None.
                raise TypeError("unsupported operand type(s) for *: 'int' and 'NoneType'")
            if mode != "one_hot":
                return _ragged_reduce(bins, binary, depth, dtype)
            flat = bins.flat_values.numpy().astype(np.int64)
            return bins.with_flat_values(_cast(convert_to_tensor(_one_hot(flat, depth)), dtype))
        if not sparse:
            _bincount_dtype_check("RaggedBincount", dtype)
        splits = bins.row_splits.numpy()
        values = bins.flat_values.numpy().astype(np.int64)
        rows = np.repeat(np.arange(len(splits) - 1), np.diff(splits))
        return _output(_row_counts(rows, values, len(splits) - 1, depth, binary), dtype,
                       sparse)
    idx = bins.numpy().astype(np.int64)
    if idx.ndim == 0:
        idx = idx[None]
    if mode in ("multi_hot", "count") and idx.ndim <= 2:
        # Keras' bincount path.
        if sparse:
            if idx.ndim == 2 and idx.shape[0] == 0:
                raise kernel_error("DenseCountSparseOutput",
                                   "Invalid input: Shapes dimension cannot be 0.")
        else:
            _bincount_dtype_check("DenseBincount", dtype)
        rows2 = idx.reshape(1, -1) if idx.ndim == 1 else idx
        rows = np.repeat(np.arange(rows2.shape[0]), rows2.shape[1])
        counts = _row_counts(rows, rows2.ravel(), rows2.shape[0], depth, binary)
        return _output(counts[0] if idx.ndim == 1 else counts, dtype, sparse)
    if mode == "one_hot":
        if idx.ndim > 1 and idx.shape[-1] == 1:
            idx = idx[..., 0]
        return _output(_one_hot(idx, depth), dtype, sparse)
    # multi_hot / count of rank > 2: the one-hot encoding reduced over axis 1.
    hot = _one_hot(idx, depth)
    if not binary:
        return _output(hot.sum(axis=1), _sum_dtype(dtype), sparse)
    if hot.shape[1] == 0:
        # A max over no values: the identity densely, no entries sparsely.
        fill = 0 if sparse else _max_identity(dtype)
        out = np.full(hot.shape[:1] + hot.shape[2:], fill,
                      np.float64 if dtype.is_floating else np.int64)
        return _output(out, dtype, sparse)
    return _output(hot.max(axis=1), dtype, sparse)


class Hashing(_HostLayer):
    """Hashes strings or integers into ``num_bins`` bins (FarmHash64, or SipHash64 with
    ``salt``), then encodes them as ``output_mode`` says.

    >>> import tftape as tf
    >>> layer = tf.keras.layers.Hashing(num_bins=3)
    >>> layer([["A"], ["B"], ["C"], ["D"], ["E"]]).numpy()
    array([[1],
           [0],
           [1],
           [1],
           [2]])
    >>> tf.keras.layers.Hashing(num_bins=3, salt=133)([["A"], ["B"]]).numpy()
    array([[0],
           [0]])
    """

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False,
                 **kwargs):
        dtype_arg = kwargs.get("dtype")
        if dtype_arg is None:
            dtype_arg = kwargs["dtype"] = "int64" if output_mode == "int" else floatx()
        super().__init__(**kwargs)
        if num_bins is None or num_bins <= 0:
            raise ValueError("The `num_bins` for `Hashing` cannot be `None` or non-positive "
                             f"values. Received: num_bins={num_bins}.")
        if output_mode == "int" and self.dtype not in ("int32", "int64"):
            raise ValueError('When `output_mode="int"`, `dtype` should be an integer type, '
                             f"'int32' or 'in64'. Received: dtype={dtype_arg}")
        modes = ("int", "one_hot", "multi_hot", "count")
        if output_mode not in modes:
            raise ValueError(f"Invalid value for argument `output_mode`. Expected one of "
                             f"{modes}. Received: output_mode={output_mode}")
        if sparse and output_mode == "int":
            raise ValueError('`sparse` may only be true if `output_mode` is `"one_hot"`, '
                             f'`"multi_hot"`, or `"count"`. Received: sparse={sparse} and '
                             f"output_mode={output_mode}")
        self.num_bins = num_bins
        self.mask_value = mask_value
        self.strong_hash = salt is not None
        self.output_mode = output_mode
        self.sparse = sparse
        self.salt = None
        if salt is not None:
            if isinstance(salt, (tuple, list)) and len(salt) == 2:
                self.salt = list(salt)
            elif isinstance(salt, int):
                self.salt = [salt, salt]
            else:
                raise ValueError("The `salt` argument for `Hashing` can only be a tuple of "
                                 "size 2 integers, or a single integer. "
                                 f"Received: salt={salt}.")
        self.supports_jit = False      # host-side hashing: a model holding it runs eagerly

    def _hash_values_to_bins(self, values, mask=None):
        """The int64 bins of a dense Tensor of values (``mask``: where they are masked)."""
        from .. import strings as _strings
        from .._strings.string_ops import as_string
        bins = self.num_bins
        if self.mask_value is not None and bins > 1:
            bins -= 1       # bin 0 holds the mask value
            if mask is None:
                mask = _equal(values, self.mask_value)
        else:
            mask = None
        if values.dtype.is_floating:
            values = _cast(values, _d.int64)
        if values.dtype != _d.string:
            values = as_string(values)
        if self.strong_hash:
            out = _strings.to_hash_bucket_strong(values, bins, key=self.salt)
        else:
            out = _strings.to_hash_bucket_fast(values, bins)
        if mask is not None:
            out = convert_to_tensor(np.where(mask.numpy(), 0, out.numpy() + 1).astype(np.int64))
        return out

    def call(self, inputs):
        x = _input_tensor(inputs)
        if self.output_mode == "one_hot" and x.shape[-1] == 1:
            x = _squeeze_last(x)
        if isinstance(x, SparseTensor):
            bins = SparseTensor(x.indices, self._hash_values_to_bins(x.values), x.dense_shape)
        elif isinstance(x, RaggedTensor):
            mask = None
            if self.mask_value is not None and self.num_bins > 1:
                mask = _equal(x, self.mask_value).flat_values
            bins = x.with_flat_values(self._hash_values_to_bins(x.flat_values, mask))
        else:
            bins = self._hash_values_to_bins(x)
        return _encode(bins, self.output_mode, self.num_bins, self.dtype, self.sparse)

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        if len(input_shape) == 0:
            return (self.num_bins,)
        return tuple(input_shape[:-1]) + (self.num_bins,)

    def compute_output_spec(self, inputs):
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype=self.dtype)

    def get_config(self):
        return {**super().get_config(), "num_bins": self.num_bins, "salt": self.salt,
                "mask_value": self.mask_value, "output_mode": self.output_mode,
                "sparse": self.sparse}


class HashedCrossing(_HostLayer):
    """Crosses two or more scalar features by hashing them together into ``num_bins`` bins
    (``tf.sparse.cross_hashed``).

    >>> import numpy as np
    >>> import tftape as tf
    >>> layer = tf.keras.layers.HashedCrossing(num_bins=5)
    >>> layer((np.array(["A", "B", "A", "B", "A"]), np.array([101, 101, 101, 102, 102]))).numpy()
    array([1, 4, 1, 1, 3])
    """

    def __init__(self, num_bins, output_mode="int", sparse=False, name=None, dtype=None,
                 **kwargs):
        # Note: Keras' HashedCrossing passes only `name` and `dtype` on; other keyword
        # arguments (`trainable`, ...) are accepted and dropped.
        if output_mode == "int" and dtype is None:
            dtype = "int64"
        super().__init__(name=name, dtype=dtype)
        validate_string_arg(output_mode, ("int", "one_hot"), self.__class__.__name__,
                            "output_mode")
        self.num_bins = num_bins
        self.output_mode = output_mode
        self.sparse = sparse
        self.supports_jit = False      # host-side hashing: a model holding it runs eagerly

    def compute_output_shape(self, input_shape):
        if len(input_shape) != 2 or not isinstance(input_shape[0], tuple) or \
                not isinstance(input_shape[1], tuple):
            raise ValueError("Expected as input a list/tuple of 2 tensors. "
                             f"Received input_shape={input_shape}")
        if input_shape[0][-1] != input_shape[1][-1]:
            raise ValueError("Expected the two input tensors to have identical shapes. "
                             f"Received input_shape={input_shape}")
        if self.output_mode == "int":
            return tuple(input_shape[0])
        if input_shape[0][-1] != 1:
            return tuple(input_shape[0]) + (self.num_bins,)
        return tuple(input_shape[0])[:-1] + (self.num_bins,)

    def _check_at_least_two_inputs(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError("`HashedCrossing` should be called on a list or tuple of inputs. "
                             f"Received: inputs={inputs}")
        if len(inputs) < 2:
            raise ValueError("`HashedCrossing` should be called on at least two inputs. "
                             f"Received: inputs={inputs}")

    def _check_input_shape_and_type(self, inputs):
        first_shape = tuple(inputs[0].shape)
        rank = len(first_shape)
        if rank > 2 or (rank == 2 and first_shape[-1] != 1):
            raise ValueError("All `HashedCrossing` inputs should have shape `()`, "
                             f"`(batch_size)` or `(batch_size, 1)`. Received: inputs={inputs}")
        if any(tuple(x.shape) != first_shape for x in inputs[1:]):
            raise ValueError("All `HashedCrossing` inputs should have equal shape. "
                             f"Received: inputs={inputs}")
        if any(isinstance(x, (RaggedTensor, SparseTensor)) or getattr(x, "sparse", False)
               or getattr(x, "ragged", False) for x in inputs):
            raise ValueError("All `HashedCrossing` inputs should be dense tensors. "
                             f"Received: inputs={inputs}")
        if not all(_d.as_dtype(x.dtype).is_integer or _d.as_dtype(x.dtype) == _d.string
                   for x in inputs):
            raise ValueError("All `HashedCrossing` inputs should have an integer or string "
                             f"dtype. Received: inputs={inputs}")

    def call(self, inputs):
        from .._sparse.sparse_cross import cross_hashed
        self._check_at_least_two_inputs(inputs)
        xs = [_input_tensor(x) for x in inputs]
        self._check_input_shape_and_type(xs)
        first_shape = tuple(xs[0].shape)
        rank = len(first_shape)
        if rank < 2:
            xs = [_a.reshape(x, (-1, 1)) for x in xs]
        crossed = cross_hashed(xs, self.num_bins)
        dense = np.zeros([int(d) for d in crossed.dense_shape.numpy()], np.int64)
        idx = crossed.indices.numpy()
        dense[tuple(idx.T)] = crossed.values.numpy()
        want = first_shape if rank == 2 else first_shape + (1,)
        if rank and dense.shape != want:
            # Note: Keras sets the inputs' static shape on the crossed output.
            raise ValueError(f"Tensor's shape {dense.shape} is not compatible with supplied "
                             f"shape {want}.")
        if rank == 1:
            dense = dense[:, 0]
        elif rank == 0:
            dense = dense.reshape(())
        return _encode(convert_to_tensor(dense), self.output_mode, self.num_bins,
                       self.compute_dtype, self.sparse)

    def compute_output_spec(self, inputs):
        self._check_at_least_two_inputs(inputs)
        self._check_input_shape_and_type(inputs)
        shape = tuple(inputs[0].shape)
        if self.output_mode == "one_hot":
            shape = (shape[0] if shape else 1, self.num_bins)
        return KerasTensor(shape, dtype=self.compute_dtype)

    def get_config(self):
        return {"num_bins": self.num_bins, "output_mode": self.output_mode,
                "sparse": self.sparse, "name": self.name, "dtype": self.dtype}

"""Static tables: ``StaticHashTable`` and ``StaticVocabularyTable``."""
from __future__ import annotations

import numpy as np

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._core.shape import TensorShape
from .._core.tensor import Tensor
from .._function._capture import _EagerOnly
from .._function._region import is_symbolic
from .._strings.hash_ops import to_hash_bucket_fast
from .._strings.string_ops import as_string
from ._store import Store, check_kernel, find, table_error, to_tensor

# (key, value) dtype pairs of TF's CPU kernels for HashTableV2.
_HASH_TABLE_KERNELS = (
    ("STRING", "STRING"), ("STRING", "INT64"), ("STRING", "INT32"), ("STRING", "FLOAT"),
    ("STRING", "DOUBLE"), ("STRING", "BOOL"), ("INT64", "STRING"), ("INT64", "INT64"),
    ("INT64", "INT32"), ("INT64", "FLOAT"), ("INT64", "DOUBLE"), ("INT32", "STRING"),
    ("INT32", "INT32"), ("INT32", "FLOAT"), ("INT32", "DOUBLE"))


# Tables by shared resource name. Note: TF keeps a named table resource for the process's
# life: a table from the same text file (and indices) finds the first one's contents.
_SHARED: dict = {}


def _shared_store(shared, key_dtype, value_dtype, name) -> Store:
    if not shared:
        return Store(key_dtype, value_dtype)
    store = _SHARED.get(shared)
    if store is None:
        store = _SHARED[shared] = Store(key_dtype, value_dtype)
    elif (store.key_dtype, store.value_dtype) != (key_dtype, value_dtype):
        n = _d.TF_TYPE_NAMES
        raise table_error("HashTableV2", (
            f"Conflicting key/value dtypes {n[key_dtype]}->{n[value_dtype]} with "
            f"{n[store.key_dtype]}-{n[store.value_dtype]} for table {shared}"), name=name)
    return store


def composite_values(keys):
    """The tensor looked up for ``keys``: the values of a SparseTensor or RaggedTensor."""
    if hasattr(keys, "row_splits"):
        return keys.values
    if hasattr(keys, "dense_shape"):
        return keys.values
    return keys


def rebuild(keys, values):
    """A lookup's result in the form of ``keys``: dense, sparse or ragged."""
    if hasattr(keys, "row_splits"):
        return keys.with_values(values)
    if hasattr(keys, "dense_shape"):
        return type(keys)(keys.indices, values, keys.dense_shape)
    return values


class LookupInterface:
    """A lookup table: ``key_dtype`` keys to ``value_dtype`` values."""

    def __init__(self, key_dtype, value_dtype):
        self._key_dtype = _d.as_dtype(key_dtype)
        self._value_dtype = _d.as_dtype(value_dtype)

    @property
    def key_dtype(self) -> _d.DType:
        """The table key dtype."""
        return self._key_dtype

    @property
    def value_dtype(self) -> _d.DType:
        """The table value dtype."""
        return self._value_dtype

    @property
    def name(self):
        return NotImplementedError  # Note: TF's base class returns (not raises) it.

    def size(self, name=None):
        raise NotImplementedError

    def lookup(self, keys, name=None):
        raise NotImplementedError

    def __getitem__(self, keys):
        """Looks up ``keys`` in the table, as ``lookup``."""
        return self.lookup(keys)


class StaticHashTable(LookupInterface):
    """A hash table that is immutable once initialized.

    >>> import tftape as tf
    >>> table = tf.lookup.StaticHashTable(
    ...     tf.lookup.KeyValueTensorInitializer(["a", "b", "c"], [7, 8, 9]), default_value=-1)
    >>> table[tf.constant([["a", "b"], ["c", "d"]])].numpy()
    array([[ 7,  8],
           [ 9, -1]], dtype=int32)
    """

    def __init__(self, initializer, default_value, name=None,
                 experimental_is_anonymous=False):
        self._initializer = initializer
        self._is_anonymous = experimental_is_anonymous
        self._name = name or "hash_table"
        super().__init__(initializer.key_dtype, initializer.value_dtype)
        self._default_value = convert_to_tensor(default_value, dtype=self._value_dtype)
        self._default_value.shape.merge_with(TensorShape([]))
        shared = "" if experimental_is_anonymous else initializer._shared_name
        check_kernel("HashTableV2", _HASH_TABLE_KERNELS, self._key_dtype, self._value_dtype,
                     ('container="", ', f'shared_name="{shared}", '
                      "use_node_name_sharing=false, ", ""), self._name)
        self._store = _shared_store(getattr(initializer, "_shares_resource", False) and
                                    shared, self._key_dtype, self._value_dtype, self._name)
        initializer.initialize(self)
        self._store.initialized = True

    @property
    def name(self):
        return None  # Note: TF names eager tables' resources None.

    @property
    def default_value(self) -> Tensor:
        """The value returned for keys not in the table."""
        return self._default_value

    def size(self, name=None) -> Tensor:
        """The number of entries, an int64 scalar."""
        return to_tensor(np.int64(len(self._store)), _d.int64)

    def lookup(self, keys, name=None):
        """Looks ``keys`` (a Tensor, SparseTensor or RaggedTensor) up; missing keys get the
        default value. The result has the form of ``keys``."""
        values = composite_values(keys)
        if keys.dtype != self._key_dtype:
            raise TypeError(f"Dtype of argument `keys` must be {self._key_dtype}, "
                            f"received: {keys.dtype}")
        if hasattr(values, "row_splits"):
            # Note: TF's kernel gets the nested RaggedTensor and fails so.
            raise ValueError("TypeError: object of type 'RaggedTensor' has no len()\n")
        return rebuild(keys, find(self._store, values, self._default_value, static=True))

    def export(self, name=None):
        """All keys and values in the table, as two tensors.

        Note: TF lists them in the order of its hash map; here they come in insertion order.
        """
        k, v = self._store.export()
        return to_tensor(k, self._key_dtype), to_tensor(v, self._value_dtype)


class StaticVocabularyTable(LookupInterface):
    """A string or integer vocabulary table whose out-of-vocabulary keys go to hash buckets.

    A key not in the vocabulary gets ``vocab_size + fingerprint64(key) % num_oov_buckets``
    (integer keys are hashed as their decimal strings), as TF computes it.

    >>> import tftape as tf
    >>> init = tf.lookup.KeyValueTensorInitializer(["a", "b"], tf.constant([0, 1], tf.int64))
    >>> table = tf.lookup.StaticVocabularyTable(init, num_oov_buckets=3)
    >>> table.lookup(tf.constant(["a", "hello", "b"])).numpy()
    array([0, 3, 1])
    """

    def __init__(self, initializer, num_oov_buckets, lookup_key_dtype=None, name=None,
                 experimental_is_anonymous=False):
        if num_oov_buckets <= 0:
            raise ValueError("`num_oov_buckets` must be > 0; use StaticHashTable.")
        if name:
            name = name.rstrip("/")
        if initializer:
            if lookup_key_dtype is None:
                lookup_key_dtype = initializer.key_dtype
            lookup_key_dtype = _d.as_dtype(lookup_key_dtype)
            supported = (_d.int64, _d.string)
            if initializer.key_dtype not in supported:
                raise TypeError("Invalid `key_dtype`, expected one of %s, but got %s." %
                                (supported, initializer.key_dtype))
            if initializer.key_dtype.is_integer != lookup_key_dtype.is_integer:
                raise TypeError("Invalid `key_dtype`, expected %s but got %s." %
                                ("integer" if lookup_key_dtype.is_integer else "non-integer",
                                 initializer.key_dtype))
            if initializer.value_dtype != _d.int64:
                raise TypeError("Invalid `value_dtype`, expected %s but got %s." %
                                (_d.int64, initializer.value_dtype))
            self._table = StaticHashTable(initializer, default_value=-1,
                                          experimental_is_anonymous=experimental_is_anonymous)
            name = name or self._table.name
        else:
            lookup_key_dtype = _d.string
            self._table = None
            name = name or "hash_bucket"
        if not lookup_key_dtype.is_integer and lookup_key_dtype != _d.string:
            raise TypeError("Invalid `key_dtype`, expected integer or string, got "
                            f"{lookup_key_dtype}")
        self._num_oov_buckets = num_oov_buckets
        self._table_name = None if name is None else name.split("/")[-1]
        super().__init__(lookup_key_dtype, _d.int64)

    @property
    def name(self):
        return self._table_name

    def size(self, name=None) -> Tensor:
        """The vocabulary size plus the number of OOV buckets, an int64 scalar."""
        n = len(self._table._store) if self._table else 0
        return to_tensor(np.int64(n + self._num_oov_buckets), _d.int64)

    def lookup(self, keys, name=None):
        """The ids of ``keys`` (a Tensor, SparseTensor or RaggedTensor), in their form."""
        if keys.dtype != self._key_dtype:
            raise TypeError(f"Dtype of argument `keys` must be {self._key_dtype}, "
                            f"received: {keys.dtype}")
        values = composite_values(keys)
        if hasattr(values, "row_splits"):
            return keys.with_values(self.lookup(values))
        if is_symbolic(values):
            # Note: the OOV buckets hash the keys' text on the host; TF hashes in its graph.
            raise _EagerOnly("StaticVocabularyTable hashes keys on the host")
        if self._table and self._table.key_dtype == _d.int64 and values.dtype != _d.int64:
            values = to_tensor(np.asarray(values.numpy(), np.int64), _d.int64)
        text = values if values.dtype is _d.string else as_string(values)
        buckets = np.asarray(to_hash_bucket_fast(text, self._num_oov_buckets).numpy())
        if self._table:
            ids = np.asarray(self._table.lookup(values).numpy())
            buckets = buckets + len(self._table._store)
            ids = np.where(ids != -1, ids, buckets)
        else:
            ids = buckets
        return rebuild(keys, to_tensor(ids, _d.int64))

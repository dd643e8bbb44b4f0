"""Mutable tables: ``tf.lookup.experimental.MutableHashTable`` and ``DenseHashTable``.

Their contents change between calls, so a ``tf.function`` that uses one runs eagerly.
"""
from __future__ import annotations

import numpy as np

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._core.errors import InvalidArgumentError
from .._core.registry import STATE
from .._core.tensor import Tensor
from .._function._capture import _EagerOnly
from ._store import (
    Store,
    as_numpy,
    check_kernel,
    find,
    host_keys,
    shape_text,
    table_error,
    to_tensor,
    uid,
)
from .tables import LookupInterface

_MUTABLE_KERNELS = (
    ("STRING", "INT64"), ("STRING", "INT32"), ("STRING", "FLOAT"), ("STRING", "DOUBLE"),
    ("STRING", "BOOL"), ("INT64", "VARIANT"), ("INT64", "STRING"), ("INT64", "INT64"),
    ("INT64", "INT32"), ("INT64", "FLOAT"), ("INT64", "DOUBLE"), ("INT32", "INT32"),
    ("INT32", "FLOAT"), ("INT32", "DOUBLE"))
_MUTABLE_OF_TENSORS_KERNELS = tuple(p for p in _MUTABLE_KERNELS if p[1] != "VARIANT")
_DENSE_KERNELS = (
    ("STRING", "RESOURCE"), ("STRING", "INT64"), ("STRING", "INT32"), ("STRING", "FLOAT"),
    ("STRING", "DOUBLE"), ("STRING", "BOOL"), ("INT64", "VARIANT"), ("INT64", "INT64"),
    ("INT64", "INT32"), ("INT64", "FLOAT"), ("INT64", "DOUBLE"), ("INT64", "BOOL"),
    ("INT32", "INT32"), ("INT32", "FLOAT"), ("INT32", "DOUBLE"))


def _convert(x, dtype, name):
    """``convert_to_tensor`` with TF's ``name: `` prefix on a dtype mismatch."""
    try:
        return convert_to_tensor(x, dtype=dtype, name=name)
    except ValueError as e:
        if isinstance(x, Tensor):
            raise ValueError(f"{name}: {e}") from None
        raise


def _untraced():
    """A mutable table's ops run eagerly: a compiled function would replay none of them."""
    if STATE.tracing:
        raise _EagerOnly("a mutable lookup table")


def _host(t: Tensor) -> np.ndarray:
    _untraced()
    return as_numpy(t)


class _MutableBase(LookupInterface):
    _kernel_op = ""

    def __init__(self, key_dtype, value_dtype, default_value, name):
        self._default_value = convert_to_tensor(default_value, dtype=value_dtype,
                                                name=self._default_name)
        self._value_shape = self._default_value.shape
        self._name = name
        self._shared_name = "table_%d" % uid()
        super().__init__(key_dtype, value_dtype)
        self._store = Store(self._key_dtype, self._value_dtype,
                            tuple(self._value_shape.as_list()))

    @property
    def name(self):
        return None  # Note: TF names eager tables' resources None.

    def size(self, name=None) -> Tensor:
        """The number of entries, an int64 scalar."""
        return to_tensor(np.int64(len(self._store)), _d.int64)

    def _insert(self, keys, values):
        keys = _convert(keys, self._key_dtype, "keys")
        values = _convert(values, self._value_dtype, "values")
        expected = keys.shape.as_list() + list(self._store.value_shape)
        if values.shape.as_list() != expected:
            raise table_error("LookupTableInsertV2", f"Expected shape {shape_text(expected)} "
                                                     f"for value, got "
                                                     f"{shape_text(values.shape.as_list())}")
        k, v = _host(keys), _host(values)
        self._check_keys(k, "LookupTableInsertV2")
        vs = v.reshape((-1,) + self._store.value_shape)
        rows = [r.copy() if isinstance(r, np.ndarray) else r for r in
                (vs if self._store.value_shape else vs.tolist())]
        self._store.put(host_keys(k), rows)
        return k.size

    def _remove(self, keys):
        k = _host(keys)
        self._check_keys(k, "LookupTableRemoveV2")
        rows = self._store.rows
        for key in host_keys(k):
            rows.pop(key, None)
        self._store.changed()

    def _check_keys(self, keys: np.ndarray, op: str):
        pass

    def export(self, name=None):
        """All keys and values in the table (in insertion order; TF's follows its hash map)."""
        k, v = self._store.export()
        return to_tensor(k, self._key_dtype), to_tensor(v, self._value_dtype)


class MutableHashTable(_MutableBase):
    """A hash table whose entries are inserted and removed after creation.

    >>> import tftape as tf
    >>> table = tf.lookup.experimental.MutableHashTable(tf.string, tf.int64, default_value=-1)
    >>> table.insert(tf.constant(["a", "b"]), tf.constant([7, 8], tf.int64))
    >>> table.remove(tf.constant(["b"]))
    >>> table.lookup(tf.constant(["a", "b"])).numpy()
    array([ 7, -1])
    """
    _default_name = None

    def __init__(self, key_dtype, value_dtype, default_value, name="MutableHashTable",
                 checkpoint=True, experimental_is_anonymous=False):
        super().__init__(key_dtype, value_dtype, default_value, name)
        if self._value_shape.rank == 0:
            check_kernel("MutableHashTableV2", _MUTABLE_KERNELS, self._key_dtype,
                         self._value_dtype, ('container="", ', f'shared_name='
                         f'"{self._shared_name}", use_node_name_sharing=false, ', ""), name)
        else:
            check_kernel("MutableHashTableOfTensorsV2", _MUTABLE_OF_TENSORS_KERNELS,
                         self._key_dtype, self._value_dtype,
                         ('container="", ', f'shared_name="{self._shared_name}", '
                          "use_node_name_sharing=false, ",
                          f", value_shape={shape_text(self._value_shape.as_list())}"), name)

    def insert(self, keys, values, name=None):
        """Sets ``keys`` to ``values`` (of shape ``keys.shape + value_shape``)."""
        self._insert(keys, values)

    def remove(self, keys, name=None):
        """Removes ``keys``; keys not in the table are ignored."""
        if keys.dtype != self._key_dtype:
            raise TypeError(f"Dtype of argument `keys` must be {self._key_dtype}, "
                            f"received: {keys.dtype}")
        self._remove(keys)

    def lookup(self, keys, dynamic_default_values=None, name=None):
        """The values of ``keys``; missing keys get the default value, or their own default
        from ``dynamic_default_values``."""
        keys = _convert(keys, self._key_dtype, "keys")
        _untraced()
        default = self._default_value
        if dynamic_default_values is not None:
            default = convert_to_tensor(dynamic_default_values)
            if default.dtype != self._value_dtype:
                k, v = _d.TF_TYPE_NAMES[self._key_dtype], _d.TF_TYPE_NAMES[self._value_dtype]
                raise InvalidArgumentError(None, None, (
                    "{{function_node __wrapped__LookupTableFindV2_device_/job:localhost/"
                    "replica:0/task:0/device:CPU:0}} Signature mismatch, have: resource, "
                    f"{k}, {_d.TF_TYPE_NAMES[default.dtype]}->{_d.TF_TYPE_NAMES[default.dtype]}"
                    f" expected: resource, {k}, {v}->{v} [Op:LookupTableFindV2]"))
        return find(self._store, keys, default, static=False)


class DenseHashTable(_MutableBase):
    """A mutable hash table with open addressing; ``empty_key`` and ``deleted_key`` are
    reserved and may not be used as keys.

    ``export`` returns one row per bucket, empty buckets holding ``empty_key``.
    Note: the buckets are filled in insertion order, not in the order of TF's hash.

    >>> import tftape as tf
    >>> table = tf.lookup.experimental.DenseHashTable(
    ...     tf.int64, tf.float32, default_value=-1., empty_key=0, deleted_key=-1)
    >>> table.insert(tf.constant([5, 6], tf.int64), tf.constant([0.5, 0.6]))
    >>> table.lookup(tf.constant([6, 7], tf.int64)).numpy()
    array([ 0.6, -1. ], dtype=float32)
    """
    _default_name = "default_value"
    _MAX_LOAD = 0.8

    def __init__(self, key_dtype, value_dtype, default_value, empty_key, deleted_key,
                 initial_num_buckets=None, name="MutableDenseHashTable", checkpoint=True,
                 experimental_is_anonymous=False):
        super().__init__(key_dtype, value_dtype, default_value, name)
        self._empty_key_t = convert_to_tensor(empty_key, dtype=self._key_dtype,
                                              name="empty_key")
        self._deleted_key_t = convert_to_tensor(deleted_key, dtype=self._key_dtype,
                                                name="deleted_key")
        buckets = 131072 if initial_num_buckets is None else int(initial_num_buckets)
        check_kernel("MutableDenseHashTableV2", _DENSE_KERNELS, self._key_dtype,
                     self._value_dtype,
                     ('container="", ' f"initial_num_buckets={buckets}, ",
                      f'max_load_factor=0.8, shared_name="{self._shared_name}", '
                      "use_node_name_sharing=false, ",
                      f", value_shape={shape_text(self._value_shape.as_list())}"), name)
        op = "MutableDenseHashTableV2"
        self._empty = host_keys(as_numpy(self._empty_key_t))
        self._deleted = host_keys(as_numpy(self._deleted_key_t))
        if self._empty == self._deleted:
            raise table_error(op, "Empty and deleted keys cannot be equal", name=name)
        if buckets < 4 or buckets & (buckets - 1):
            raise table_error(op, f"Number of buckets must be at least 4 and a power of 2, "
                                  f"got: {buckets}", name=name)
        self._num_buckets = buckets

    def _check_keys(self, keys: np.ndarray, op: str):
        flat = host_keys(keys)
        for reserved, what in ((self._empty, "empty_key"), (self._deleted, "deleted_key")):
            if len(reserved) == 1 and reserved[0] in flat:
                raise table_error(op, f"Using the {what} as a table key is not allowed")

    def insert_or_assign(self, keys, values, name=None):
        """Sets ``keys`` to ``values``."""
        keys_t = _convert(keys, self._key_dtype, "keys")
        n = keys_t.shape.num_elements() or 0
        need = len(self._store) + n
        if need > self._num_buckets * self._MAX_LOAD:
            b = self._num_buckets
            while need > self._MAX_LOAD * b:
                b <<= 1
            self._num_buckets = b
        self._insert(keys_t, values)

    def insert(self, keys, values, name=None):
        """Sets ``keys`` to ``values``."""
        return self.insert_or_assign(keys, values, name)

    def erase(self, keys, name=None):
        """Removes ``keys``; keys not in the table are ignored."""
        if keys.dtype != self._key_dtype:
            raise TypeError("Signature mismatch. Keys must be dtype %s, got %s." %
                            (self._key_dtype, keys.dtype))
        self._remove(keys)

    def remove(self, keys, name=None):
        """Removes ``keys``, as ``erase``."""
        return self.erase(keys, name)

    def lookup(self, keys, name=None):
        """The values of ``keys``; missing keys get the default value."""
        keys = _convert(keys, self._key_dtype, "keys")
        self._check_keys(_host(keys), "LookupTableFindV2")
        return find(self._store, keys, self._default_value, static=False)

    def export(self, name=None):
        """One (key, value) row per bucket; empty buckets hold ``empty_key`` and zeros."""
        # Note: TF keeps keys and values as [buckets, elements per key or value] matrices.
        k, v = self._store.export()
        b, n = self._num_buckets, len(k)
        keys = np.empty((b, 1), dtype=k.dtype)
        keys[...] = as_numpy(self._empty_key_t)
        keys[:n, 0] = k
        vals = np.zeros((b, max(1, int(np.prod(v.shape[1:], dtype=np.int64)))), dtype=v.dtype)
        if v.dtype == object:
            vals[...] = b""
        vals[:n] = v.reshape(n, vals.shape[1])
        return to_tensor(keys, self._key_dtype), to_tensor(vals, self._value_dtype)

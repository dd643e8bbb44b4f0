"""Table initializers: ``KeyValueTensorInitializer`` and ``TextFileInitializer``.

An initializer validates its arguments as TF's Python class does, and on ``initialize(table)``
fills the table's store as TF's import kernels do (``LookupTableImportV2``,
``InitializeTableFromTextFileV2``), with their error messages.
"""
from __future__ import annotations

import os
import re

import numpy as np

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._core.errors import FailedPreconditionError, NotFoundError
from .._core.tensor import Tensor
from ._store import as_numpy, host_keys, shape_text, table_error, uid, value_text


def check_table_dtypes(table, key_dtype, value_dtype):
    if key_dtype != table.key_dtype:
        raise TypeError(f"Invalid key dtype for table, expected {table.key_dtype} "
                        f"but got {key_dtype}.")
    if value_dtype != table.value_dtype:
        raise TypeError("Invalid value dtype for table, expected "
                        f"{table.value_dtype} but got {value_dtype}.")


def fill(store, keys: list, values: np.ndarray, op_name: str):
    """Adds entries to a static table; a key seen with another value is TF's error."""
    rows = store.rows
    missing = object()
    for k, v in zip(keys, values):
        old = rows.get(k, missing)
        if old is missing:
            rows[k] = v
        elif old != v:
            raise table_error(op_name, (
                f"HashTable has different value for same key. Key {value_text(k)} has "
                f"{value_text(old)} and trying to add value {value_text(v)}"),
                FailedPreconditionError)
    store.changed()


class TableInitializerBase:
    """Base class for lookup table initializers."""

    def __init__(self, key_dtype, value_dtype):
        self._key_dtype = _d.as_dtype(key_dtype)
        self._value_dtype = _d.as_dtype(value_dtype)

    @property
    def key_dtype(self) -> _d.DType:
        """The expected table key dtype."""
        return self._key_dtype

    @property
    def value_dtype(self) -> _d.DType:
        """The expected table value dtype."""
        return self._value_dtype

    def initialize(self, table):
        raise NotImplementedError

    @property
    def _shared_name(self) -> str:
        return str(uid())


class KeyValueTensorInitializer(TableInitializerBase):
    """Table initializer from ``keys`` and ``values`` tensors of the same shape.

    >>> import tftape as tf
    >>> init = tf.lookup.KeyValueTensorInitializer(["a", "b"], [7, 8])
    >>> tf.lookup.StaticHashTable(init, -1).lookup(tf.constant(["b", "z"])).numpy()
    array([ 8, -1], dtype=int32)
    """

    def __init__(self, keys, values, key_dtype=None, value_dtype=None, name=None):
        self._keys = convert_to_tensor(keys, dtype=key_dtype, name="keys")
        self._values = convert_to_tensor(values, dtype=value_dtype, name="values")
        self._name = (name if name is not None else "key_value_init") + str(uid())
        super().__init__(self._keys.dtype, self._values.dtype)

    def initialize(self, table):
        check_table_dtypes(table, self._keys.dtype, self._values.dtype)
        op = "LookupTableImportV2"
        if table._store.initialized:
            return
        ks, vs = self._keys.shape.as_list(), self._values.shape.as_list()
        if vs != ks:
            raise table_error(op, f"Expected shape {shape_text(ks)} for value, got "
                                  f"{shape_text(vs)}")
        if self._keys.shape.num_elements() == 0:
            raise table_error(op, "keys and values cannot be empty tensors.")
        keys = host_keys(as_numpy(self._keys))
        fill(table._store, keys, as_numpy(self._values).reshape(-1).tolist(), op)


class TextFileIndex:
    """The key and value content to get from each line of a ``TextFileInitializer``'s file.

    ``WHOLE_LINE`` takes the whole line, ``LINE_NUMBER`` the line number (from zero); a value
    ``>= 0`` the field of that index in the line split on the delimiter.
    """
    WHOLE_LINE = -2
    LINE_NUMBER = -1


_INT = re.compile(r"\s*[+-]?\d+\s*")
_INT_RANGE = {_d.int32: 2**31, _d.int64: 2**63}


class TextFileInitializer(TableInitializerBase):
    """Table initializer from a text file: one entry per line.

    >>> import tempfile, tftape as tf
    >>> with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
    ...     _ = f.write("emerson 10\\nlake 20\\npalmer 30\\n")
    >>> init = tf.lookup.TextFileInitializer(f.name, tf.string, 0, tf.int64, 1, delimiter=" ")
    >>> tf.lookup.StaticHashTable(init, -1).lookup(tf.constant(["lake", "asia"])).numpy()
    array([20, -1])
    """
    _shares_resource = True

    def __init__(self, filename, key_dtype, key_index, value_dtype, value_index,
                 vocab_size=None, delimiter="\t", name=None, value_index_offset=0):
        if not isinstance(filename, Tensor) and not filename:
            raise ValueError("`filename` argument required for tf.lookup.TextFileInitializer")
        self._filename_arg = filename
        key_dtype = _d.as_dtype(key_dtype)
        value_dtype = _d.as_dtype(value_dtype)
        whole, line_no = TextFileIndex.WHOLE_LINE, TextFileIndex.LINE_NUMBER
        if key_index < -2:
            raise ValueError(f"`key_index` should be >= -2, received: {key_index}.")
        if key_index == line_no and key_dtype != _d.int64:
            raise ValueError("`key_dtype` must be int64 if `key_index` is "
                             f"{line_no}, received: {key_dtype}")
        if key_index == whole and not key_dtype.is_integer and key_dtype != _d.string:
            raise ValueError("`key_dtype` should be either integer or string for `key_index` "
                             f"{whole}, received: {key_dtype}")
        if value_index < -2:
            raise ValueError(f"`value_index` should be >= -2, received: {value_index}")
        if value_index == line_no and value_dtype != _d.int64:
            raise ValueError("`value_dtype` must be int64 for `value_index` "
                             f"{line_no}, received: {value_dtype}")
        if value_index == whole and not value_dtype.is_integer and value_dtype != _d.string:
            raise ValueError("`value_dtype` should be either integer or string for "
                             f"`value_index` {whole}, received: {value_dtype}")
        if vocab_size is not None and vocab_size <= 0:
            raise ValueError(f"`vocab_size` should be > 0, received: {vocab_size}")
        self._key_index = key_index
        self._value_index = value_index
        self._vocab_size = vocab_size
        self._delimiter = delimiter
        self._name = name
        self._offset = value_index_offset
        super().__init__(key_dtype, value_dtype)

    @property
    def _shared_name(self) -> str:
        parts = [str(self._filename_arg)]
        if self._vocab_size:
            parts.append(str(self._vocab_size))
        parts += [str(self._key_index), str(self._value_index)]
        if self._offset:
            parts.append(str(self._offset))
        return "hash_table_" + "_".join(parts)

    def _path(self) -> str:
        f = self._filename_arg
        if isinstance(f, Tensor):
            f = f.numpy()
        return os.fsdecode(f)

    def initialize(self, table):
        check_table_dtypes(table, self.key_dtype, self.value_dtype)
        op = "InitializeTableFromTextFileV2"
        path = self._path()
        if len(self._delimiter) != 1:
            raise table_error(op, "delimiter should be only 1 char")
        if table._store.initialized:
            return  # a shared table, filled by the first table from this file
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError as e:
            raise table_error(op, f"{path}; {e.strerror}", NotFoundError) from None
        lines, pos = [], 0
        for raw in data.split(b"\n") if data else []:
            pos += len(raw) + 1
            lines.append((raw[:-1] if raw.endswith(b"\r") else raw, pos))
        if lines and data.endswith(b"\n"):
            lines.pop()  # the text after the last newline is no line
        if self._vocab_size is not None:
            if len(lines) < self._vocab_size:
                raise table_error(op, f"Invalid vocab_size in {path}: expected "
                                      f"{self._vocab_size} but got {len(lines)}")
            lines = lines[:self._vocab_size]
        delim = self._delimiter.encode()
        need = max(self._key_index, self._value_index) + 1
        keys, values = [], []
        for n, (line, end) in enumerate(lines):
            if not line:
                raise table_error(op, f"Invalid content in {path}: empty line found at "
                                      f"position {min(end, len(data))}.")
            fields = line.split(delim)
            if need > 0 and len(fields) < need:
                raise table_error(op, (
                    f"Invalid number of columns in {path} line {n} "
                    f"({line.decode('utf-8', 'replace')}) : expected at least {need} got "
                    f"{len(fields)}"))
            keys.append(self._field(line, fields, n, self._key_index, self.key_dtype, 0, op))
            values.append(self._field(line, fields, n, self._value_index, self.value_dtype,
                                      self._offset, op))
        fill(table._store, keys, values, op)

    @staticmethod
    def _field(line, fields, n, index, dtype, offset, op):
        if index == TextFileIndex.LINE_NUMBER:
            return n + offset
        text = line if index == TextFileIndex.WHOLE_LINE else fields[index]
        if dtype is _d.string:
            return text
        s = text.decode("utf-8", "replace")
        bad = table_error(op, f"Field {s} in line {n} is not a valid {_d.TF_TYPE_NAMES[dtype]}.")
        if dtype.is_integer:
            if not _INT.fullmatch(s):
                raise bad
            v = int(s)
            lim = _INT_RANGE.get(dtype, 2**63)
            if not -lim <= v < lim:
                raise bad
            return v
        try:
            return dtype._np.type(float(s)).item()
        except ValueError:
            raise bad from None

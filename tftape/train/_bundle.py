"""TensorBundle files: ``prefix.index`` (a table of BundleEntryProto) + ``prefix.data-*``.

The layout is TensorFlow's own, so checkpoints written here load in TensorFlow and back.
Numeric tensors are stored as raw little-endian bytes; string tensors as the varint64 length
of each element, a masked CRC-32C of the lengths, then the bytes of each element.
"""
from __future__ import annotations

import os
import struct

import numpy as np

from .._core import dtypes as _d
from .._core import errors as _e
from . import _crc, _proto, _table

HEADER_KEY = b""
_DT_STRING = 7


def data_path(prefix: str, shard: int = 0, num_shards: int = 1) -> str:
    return f"{prefix}.data-{shard:05d}-of-{num_shards:05d}"


def index_path(prefix: str) -> str:
    return prefix + ".index"


def _shape_proto(shape) -> _proto.Writer:
    w = _proto.Writer()
    for d in shape:
        w.message(2, _proto.Writer().varint(1, int(d)))
    return w


def _lengths_for_crc(lengths) -> bytes:
    # TensorFlow checksums each length as a uint32, or a uint64 where it does not fit.
    return b"".join(struct.pack("<I", n) if n <= 0xFFFFFFFF else struct.pack("<Q", n)
                    for n in lengths)


def _string_bytes(arr: np.ndarray):
    """Encodes a string tensor; returns ``(bytes, crc32c)``."""
    elems = [x if isinstance(x, bytes) else str(x).encode() for x in arr.reshape(-1)]
    lengths = b"".join(_proto.encode_varint(len(x)) for x in elems)
    crc = _crc.value(_lengths_for_crc([len(x) for x in elems]))
    length_crc = struct.pack("<I", _crc.mask(crc))
    crc = _crc.extend(crc, length_crc)
    body = b"".join(elems)
    crc = _crc.extend(crc, body)
    return lengths + length_crc + body, crc


def _encode(value: np.ndarray, dtype: _d.DType):
    if dtype is _d.string:
        return _string_bytes(value)
    data = np.ascontiguousarray(value, dtype=np.dtype(dtype._np).newbyteorder("<")).tobytes()
    return data, _crc.value(data)


def write(prefix: str, tensors) -> None:
    """Writes ``tensors`` (``(key, numpy value, DType)``, in the data file's order).

    Both files are written under temporary names and renamed at the end, so a failed write
    never leaves a half-written checkpoint behind.
    """
    from .._core.process import is_writer
    if not is_writer():   # a non-chief worker of a multi-worker cluster: the chief writes
        return
    entries = {}
    directory = os.path.dirname(prefix)
    if directory:
        os.makedirs(directory, exist_ok=True)
    tmp_data = data_path(prefix) + ".tempstate"
    tmp_index = index_path(prefix) + ".tempstate"
    try:
        with open(tmp_data, "wb") as f:
            offset = 0
            for key, value, dtype in tensors:
                value = np.asarray(value)
                data, crc = _encode(value, dtype)
                f.write(data)
                e = (_proto.Writer().varint(1, dtype.as_datatype_enum)
                     .message(2, _shape_proto(value.shape))
                     .varint(4, offset).varint(5, len(data)).fixed32(6, _crc.mask(crc)))
                entries[key.encode()] = e.finish()
                offset += len(data)
        header = (_proto.Writer().varint(1, 1)
                  .message(3, _proto.Writer().varint(1, 1))).finish()
        items = [(HEADER_KEY, header)] + sorted(entries.items())
        with open(tmp_index, "wb") as f:
            f.write(_table.build(items))
        os.replace(tmp_data, data_path(prefix))
        os.replace(tmp_index, index_path(prefix))
    finally:
        for p in (tmp_data, tmp_index):
            if os.path.exists(p):
                os.remove(p)


class Entry:
    __slots__ = ("dtype", "shape", "shard", "offset", "size", "crc")

    def __init__(self, raw: bytes):
        f = _proto.parse(raw)
        self.dtype = _proto.first(f, 1)
        shape = _proto.parse(_proto.first(f, 2, b""))
        self.shape = tuple(_proto.signed64(_proto.first(_proto.parse(d), 1))
                           for d in shape.get(2, []))
        self.shard = _proto.first(f, 3)
        self.offset = _proto.first(f, 4)
        self.size = _proto.first(f, 5)
        self.crc = _proto.first(f, 6)
        if f.get(7):
            raise ValueError("partitioned (sliced) variables are not supported")


def _not_found(prefix):
    return _e.NotFoundError(None, None, f"Unsuccessful TensorSliceReader constructor: Failed "
                                        f"to find any matching files for {prefix}")


class BundleReader:
    """Reads a TensorBundle; lookups by checkpoint key."""

    def __init__(self, prefix: str):
        prefix = os.fspath(prefix)
        self._prefix = prefix
        path = index_path(prefix)
        if not os.path.isfile(path):
            raise _not_found(prefix)
        with open(path, "rb") as f:
            data = f.read()
        try:
            table = _table.read(data)
        except _table.TableError as e:
            msg = str(e)
            if "too short" not in msg:
                msg = (f"Unable to read file ({path}). Perhaps the file is corrupt or was "
                       f"produced by a newer version of TensorFlow with format changes "
                       f"(failed to seek to header entry): {msg}")
            raise _e.OpError(None, None, msg, _e.DATA_LOSS) from None
        header = table.pop(HEADER_KEY, None)
        try:
            self._num_shards = _proto.first(_proto.parse(header), 1, 1) if header else 1
            self._entries = {k.decode(): Entry(v) for k, v in table.items()}
        except ValueError as e:
            raise _e.OpError(None, None, f"Unable to read file ({path}). Perhaps the file is "
                                         f"corrupt: {e}", _e.DATA_LOSS) from None
        self._shards = {}

    def keys(self):
        return sorted(self._entries)

    def has(self, key: str) -> bool:
        return key in self._entries

    def entry(self, key: str) -> Entry:
        e = self._entries.get(key)
        if e is None:
            raise _e.NotFoundError(None, None, f"Key {key} not found in checkpoint")
        return e

    def dtype(self, key: str) -> _d.DType:
        return _d._BY_ENUM[self.entry(key).dtype]

    def _shard(self, shard: int) -> bytes:
        if shard not in self._shards:
            path = data_path(self._prefix, shard, self._num_shards)
            try:
                with open(path, "rb") as f:
                    self._shards[shard] = f.read()
            except OSError:
                raise _e.OpError(None, None, f"{path}; No such file or directory",
                                 _e.NOT_FOUND) from None
        return self._shards[shard]

    def read(self, key: str, error=None) -> np.ndarray:
        """The stored value (a NumPy array; strings as an object array of bytes)."""
        e = self.entry(key)
        buf = self._shard(e.shard)
        raw = buf[e.offset:e.offset + e.size]
        dtype = _d._BY_ENUM.get(e.dtype)
        if dtype is None:
            raise _e.UnimplementedError(None, None, f"Unsupported dtype {e.dtype} in checkpoint")
        n = int(np.prod(e.shape, dtype=np.int64))
        try:
            if e.dtype == _DT_STRING:
                value, crc = self._read_strings(raw, n)
            else:
                if len(raw) != e.size:
                    raise ValueError
                crc = _crc.value(raw)
                value = np.frombuffer(raw, dtype=np.dtype(dtype._np).newbyteorder("<"))
                value = value.astype(dtype._np).reshape(e.shape)
        except (ValueError, IndexError):
            crc = None
        if crc is None or crc != _crc.unmask(e.crc):
            calc = 0 if crc is None else crc
            raise (error or _e.OpError)(
                None, None, f"TensorBundle at {self._prefix} shard {e.shard} ({e.size} bytes): "
                            f"Checksum does not match: stored {_crc.unmask(e.crc)} vs. "
                            f"calculated on the restored bytes {calc}"
                            + (" [Op:RestoreV2]" if error else ""),
                *(() if error else (_e.DATA_LOSS,)))
        return value.reshape(e.shape)

    @staticmethod
    def _read_strings(raw: bytes, n: int):
        pos, lengths = 0, []
        for _ in range(n):
            ln, pos = _proto.decode_varint(raw, pos)
            lengths.append(ln)
        crc = _crc.value(_lengths_for_crc(lengths))
        stored = raw[pos:pos + 4]
        if len(stored) != 4 or struct.unpack("<I", stored)[0] != _crc.mask(crc):
            raise ValueError
        crc = _crc.extend(crc, stored)
        pos += 4
        out = np.empty(n, dtype=object)
        for i, ln in enumerate(lengths):
            out[i] = bytes(raw[pos:pos + ln])
            if len(out[i]) != ln:
                raise ValueError
            pos += ln
        crc = _crc.extend(crc, raw[pos - sum(lengths):pos])
        return out, crc

"""TFRecord files: ``tf.io.TFRecordWriter`` and the reader behind ``tf.data.TFRecordDataset``.

Each record is ``uint64 length``, ``uint32 masked_crc32c(length)``, the data and
``uint32 masked_crc32c(data)``, little-endian; GZIP and ZLIB compress the whole stream.
"""
from __future__ import annotations

import gzip
import os
import struct
import zlib

from .._core.errors import DataLossError, InvalidArgumentError, NotFoundError, wrapped_kernel_error
from ..train import _crc


def _masked(data: bytes) -> int:
    return _crc.mask(_crc.value(data))


def frame(data: bytes) -> bytes:
    length = struct.pack("<Q", len(data))
    return length + struct.pack("<I", _masked(length)) + data + struct.pack("<I", _masked(data))


class TFRecordCompressionType:
    NONE = 0
    ZLIB = 1
    GZIP = 2


class TFRecordOptions:
    """Options of a TFRecord file (only ``compression_type`` has an effect)."""
    compression_type_map = {TFRecordCompressionType.ZLIB: "ZLIB",
                            TFRecordCompressionType.GZIP: "GZIP",
                            TFRecordCompressionType.NONE: ""}

    def __init__(self, compression_type=None, flush_mode=None, input_buffer_size=None,
                 output_buffer_size=None, window_bits=None, compression_level=None,
                 compression_method=None, mem_level=None, compression_strategy=None):
        if compression_type is not None and not isinstance(compression_type, str):
            compression_type = self.compression_type_map[compression_type]
        self.compression_type = compression_type
        self.compression_level = compression_level

    @classmethod
    def get_compression_type_string(cls, options):
        if not options:
            return ""
        if isinstance(options, TFRecordOptions):
            return options.compression_type or ""
        if isinstance(options, str):
            return options
        return cls.compression_type_map[options]


def _check_compression(kind: str) -> str:
    kind = (kind or "").upper() if isinstance(kind, str) else kind
    if kind not in ("", "GZIP", "ZLIB"):
        raise InvalidArgumentError(None, None, f"Unsupported compression type: {kind}")
    return kind


class TFRecordWriter:
    """Writes records to a TFRecord file that TF's readers accept.

    >>> import tftape as tf, tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "r.tfrecord")
    >>> with tf.io.TFRecordWriter(p) as w:
    ...     w.write(b"abc")
    >>> [r.numpy() for r in tf.data.TFRecordDataset(p)]
    [b'abc']
    """

    def __init__(self, path, options=None):
        self._path = os.fspath(path.numpy() if hasattr(path, "numpy") else path)
        if isinstance(self._path, bytes):
            self._path = self._path.decode()
        kind = TFRecordOptions.get_compression_type_string(options)
        if kind not in ("", "GZIP", "ZLIB"):
            raise ValueError(f'Not a valid compression_type: "{kind}"')
        self._kind = kind
        try:
            self._f = open(self._path, "wb")
        except OSError as e:
            raise NotFoundError(None, None, f"{self._path}; {os.strerror(e.errno)}") from None
        if self._kind == "GZIP":
            self._z = gzip.GzipFile(fileobj=self._f, mode="wb", mtime=0)
        elif self._kind == "ZLIB":
            self._z = zlib.compressobj()
        else:
            self._z = None

    def write(self, record) -> None:
        if isinstance(record, str):
            record = record.encode()
        elif hasattr(record, "numpy"):
            record = record.numpy()
        data = frame(bytes(record))
        if self._f is None:
            from .._core.errors import FailedPreconditionError
            raise FailedPreconditionError(None, None, "File is closed")
        if self._kind == "GZIP":
            self._z.write(data)
        elif self._kind == "ZLIB":
            self._f.write(self._z.compress(data))
        else:
            self._f.write(data)

    def flush(self) -> None:
        if self._f is not None:
            if self._kind == "GZIP":
                self._z.flush()
            elif self._kind == "ZLIB":
                self._f.write(self._z.flush(zlib.Z_SYNC_FLUSH))
            self._f.flush()

    def close(self) -> None:
        if self._f is None:
            return
        if self._kind == "GZIP":
            self._z.close()
        elif self._kind == "ZLIB":
            self._f.write(self._z.flush())
        self._f.close()
        self._f = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


def _iterator_error(message: str, cls):
    return wrapped_kernel_error("IteratorGetNext", message, cls)


def read_records(path: str, compression: str = ""):
    """Yields the records of one TFRecord file (TF's errors for missing or corrupt files)."""
    compression = _check_compression(compression)
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise _iterator_error(f"{path}; {os.strerror(e.errno)}", NotFoundError) from None
    if compression == "GZIP":
        raw = gzip.decompress(raw)
    elif compression == "ZLIB":
        raw = zlib.decompress(raw)
    pos, n = 0, len(raw)
    while pos + 12 <= n:
        length_b = raw[pos:pos + 8]
        (crc,) = struct.unpack_from("<I", raw, pos + 8)
        if crc != _masked(length_b):
            suffix = " (Is this even a TFRecord file?)" if pos == 0 else ""
            raise _iterator_error(f"corrupted record at {pos}{suffix}", DataLossError)
        (length,) = struct.unpack("<Q", length_b)
        start = pos + 12
        if start + length + 4 > n:
            raise _iterator_error(f"truncated record at {pos}' failed with Read less bytes than "
                                  "requested", DataLossError)
        data = raw[start:start + length]
        (dcrc,) = struct.unpack_from("<I", raw, start + length)
        if dcrc != _masked(data):
            raise _iterator_error(f"corrupted record at {pos}", DataLossError)
        yield data
        pos = start + length + 4

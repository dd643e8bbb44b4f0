"""A minimal protobuf encoder for the TensorBoard messages tf.summary writes.

Only what an event file needs: ``Event``, ``Summary``, ``Summary.Value``, ``SummaryMetadata``
and ``TensorProto`` (field numbers from TensorFlow's event.proto, summary.proto and
tensor.proto). Messages are built from nested encoders, no protobuf runtime.
"""
from __future__ import annotations

import struct

import numpy as np

_VARINT, _I64, _LEN, _I32 = 0, 1, 2, 5

# TensorFlow's DataType enum values for the dtypes summaries write.
DT_FLOAT, DT_DOUBLE, DT_INT32, DT_STRING, DT_INT64, DT_BOOL = 1, 2, 3, 7, 9, 10
_DTYPES = {np.dtype("float32"): DT_FLOAT, np.dtype("float64"): DT_DOUBLE,
           np.dtype("int32"): DT_INT32, np.dtype("int64"): DT_INT64, np.dtype("bool"): DT_BOOL}


def varint(n: int) -> bytes:
    """Base-128 varint; negative numbers as their 64-bit two's complement."""
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _key(field: int, wire: int) -> bytes:
    return varint(field << 3 | wire)


def int_field(field: int, n: int) -> bytes:
    return _key(field, _VARINT) + varint(n) if n else b""


def double_field(field: int, x: float) -> bytes:
    return _key(field, _I64) + struct.pack("<d", x)


def bytes_field(field: int, data: bytes | str) -> bytes:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return _key(field, _LEN) + varint(len(data)) + data


def tensor_proto(value: np.ndarray) -> bytes:
    """``TensorProto``: strings as ``string_val``, numbers as little-endian ``tensor_content``."""
    shape = b"".join(bytes_field(2, int_field(1, d)) for d in value.shape)
    if value.dtype.kind in "OSU":
        dtype = DT_STRING
        body = b"".join(bytes_field(8, v if isinstance(v, bytes) else str(v).encode("utf-8"))
                        for v in value.ravel())
    else:
        dtype = _DTYPES[value.dtype]
        body = bytes_field(4, np.ascontiguousarray(value, value.dtype.newbyteorder("<")).tobytes())
    return int_field(1, dtype) + bytes_field(2, shape) + body


def summary_value(tag: str, tensor: np.ndarray, plugin: str, description: str | None = None,
                  display_name: str | None = None) -> bytes:
    """``Summary.Value`` holding a tensor, tagged for a TensorBoard plugin."""
    metadata = bytes_field(1, bytes_field(1, plugin))
    if display_name:
        metadata += bytes_field(2, display_name)
    if description:
        metadata += bytes_field(3, description)
    return bytes_field(1, tag) + bytes_field(8, tensor_proto(tensor)) + bytes_field(9, metadata)


def event(wall_time: float, step: int = 0, *, file_version: str | None = None,
          summary_values: list[bytes] | None = None, writer: str | None = None) -> bytes:
    """``Event``: a file-version header, or a step's ``Summary``."""
    out = double_field(1, wall_time) + int_field(2, step)
    if file_version is not None:
        out += bytes_field(3, file_version)
    if summary_values:
        out += bytes_field(5, b"".join(bytes_field(1, v) for v in summary_values))
    if writer is not None:
        out += bytes_field(10, bytes_field(1, writer))
    return out

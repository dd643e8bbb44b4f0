"""A minimal protobuf wire-format codec for the few messages checkpoints use.

Messages are written field by field (``varint``, ``fixed32``, ``submessage``, ...) and read
into ``{field_number: [raw values]}``; the callers know each message's schema. Corrupt input
raises ``ValueError``, which callers turn into TF's ``DataLossError``.
"""
from __future__ import annotations

import struct


def encode_varint(n: int) -> bytes:
    if n < 0:
        n += 1 << 64          # negative int32/int64 are written as 10-byte two's complement
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def decode_varint(buf, pos: int):
    result = shift = 0
    while True:
        if pos >= len(buf) or shift > 63:
            raise ValueError("truncated varint")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def signed64(n: int) -> int:
    return n - (1 << 64) if n >= 1 << 63 else n


class Writer:
    """Appends fields of one message."""

    def __init__(self):
        self._parts = []

    def varint(self, field: int, n: int, skip_default=True):
        if n or not skip_default:
            self._parts.append(encode_varint(field << 3) + encode_varint(int(n)))
        return self

    def fixed32(self, field: int, n: int):
        self._parts.append(encode_varint((field << 3) | 5) + struct.pack("<I", n))
        return self

    def bytes(self, field: int, data, skip_default=True):
        if isinstance(data, str):
            data = data.encode()
        if data or not skip_default:
            self._parts.append(encode_varint((field << 3) | 2) + encode_varint(len(data))
                               + bytes(data))
        return self

    def message(self, field: int, msg: "Writer"):
        return self.bytes(field, msg.finish(), skip_default=False)

    def finish(self) -> bytes:
        return b"".join(self._parts)


def parse(buf) -> dict:
    """Parses one message into ``{field: [values]}`` (ints, or bytes for length-delimited)."""
    fields: dict = {}
    pos, n = 0, len(buf)
    while pos < n:
        key, pos = decode_varint(buf, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            val, pos = decode_varint(buf, pos)
        elif wire == 1:
            if pos + 8 > n:
                raise ValueError("truncated fixed64")
            val = struct.unpack_from("<Q", buf, pos)[0]
            pos += 8
        elif wire == 2:
            size, pos = decode_varint(buf, pos)
            if pos + size > n:
                raise ValueError("truncated length-delimited field")
            val = bytes(buf[pos:pos + size])
            pos += size
        elif wire == 5:
            if pos + 4 > n:
                raise ValueError("truncated fixed32")
            val = struct.unpack_from("<I", buf, pos)[0]
            pos += 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
        if field == 0:
            raise ValueError("field number 0")
        fields.setdefault(field, []).append(val)
    return fields


def first(fields: dict, field: int, default=0):
    vals = fields.get(field)
    return vals[-1] if vals else default


def text(fields: dict, field: int) -> str:
    return first(fields, field, b"").decode("utf-8")

"""The sorted string table (LevelDB layout) that holds a TensorBundle's ``.index``.

Layout: data blocks of prefix-compressed ``key -> value`` entries with restart points, each
followed by a 5-byte trailer (compression type 0 and the masked CRC-32C of block + type), then
an empty metaindex block, an index block mapping each data block's last key to its
``(offset, size)`` handle, and a 48-byte footer ending in the table magic number.
"""
from __future__ import annotations

import struct

from . import _crc
from ._proto import decode_varint, encode_varint

_MAGIC = 0xDB4775248B80FB57
_FOOTER = 48
_BLOCK_SIZE = 4096
_RESTART_INTERVAL = 16


class _BlockBuilder:
    def __init__(self):
        self.buf = bytearray()
        self.restarts = [0]
        self.count = 0
        self.last = b""

    def add(self, key: bytes, value: bytes):
        shared = 0
        if self.count < _RESTART_INTERVAL:
            n = min(len(key), len(self.last))
            while shared < n and key[shared] == self.last[shared]:
                shared += 1
        else:
            self.restarts.append(len(self.buf))
            self.count = 0
        self.buf += encode_varint(shared) + encode_varint(len(key) - shared) \
            + encode_varint(len(value)) + key[shared:] + value
        self.last = key
        self.count += 1

    def finish(self) -> bytes:
        tail = b"".join(struct.pack("<I", r) for r in self.restarts)
        return bytes(self.buf) + tail + struct.pack("<I", len(self.restarts))


def _handle(offset: int, size: int) -> bytes:
    return encode_varint(offset) + encode_varint(size)


def build(items) -> bytes:
    """The table bytes for ``items``: ``(key, value)`` byte pairs sorted by key."""
    out = bytearray()
    index = _BlockBuilder()

    def flush(block):
        data = block.finish()
        handle = _handle(len(out), len(data))
        out.extend(data + b"\x00" + struct.pack("<I", _crc.mask(_crc.value(data + b"\x00"))))
        return handle

    block = _BlockBuilder()
    for key, value in items:
        block.add(key, value)
        if len(block.buf) >= _BLOCK_SIZE:
            index.add(block.last, flush(block))
            block = _BlockBuilder()
    if block.count or not index.count:
        index.add(block.last, flush(block))
    meta = flush(_BlockBuilder())
    idx = flush(index)
    footer = (meta + idx).ljust(40, b"\x00") + struct.pack("<Q", _MAGIC)
    return bytes(out + footer)


class TableError(ValueError):
    """The bytes are not a valid table (the caller raises DataLossError)."""


def _read_block(data: bytes, handle: bytes, pos=0):
    offset, pos = decode_varint(handle, pos)
    size, pos = decode_varint(handle, pos)
    if offset + size + 5 > len(data):
        raise TableError("truncated block read")
    block = data[offset:offset + size]
    stored = struct.unpack_from("<I", data, offset + size + 1)[0]
    if _crc.unmask(stored) != _crc.value(data[offset:offset + size + 1]):
        raise TableError("block checksum mismatch")
    if data[offset + size] != 0:
        raise TableError("bad block type")
    return block


def _entries(block: bytes):
    if len(block) < 4:
        raise TableError("bad block contents")
    nrest = struct.unpack_from("<I", block, len(block) - 4)[0]
    limit = len(block) - 4 - 4 * nrest
    if limit < 0:
        raise TableError("bad block contents")
    pos, key = 0, b""
    while pos < limit:
        shared, pos = decode_varint(block, pos)
        unshared, pos = decode_varint(block, pos)
        vlen, pos = decode_varint(block, pos)
        if shared > len(key) or pos + unshared + vlen > limit:
            raise TableError("bad entry in block")
        key = key[:shared] + block[pos:pos + unshared]
        pos += unshared
        yield key, block[pos:pos + vlen]
        pos += vlen


def read(data: bytes) -> dict:
    """All ``key -> value`` pairs of a table; raises ``TableError`` on corrupt bytes."""
    if len(data) < _FOOTER:
        raise TableError("file is too short to be an sstable")
    footer = data[-_FOOTER:]
    if struct.unpack_from("<Q", footer, 40)[0] != _MAGIC:
        raise TableError("not an sstable (bad magic number)")
    try:
        _, pos = decode_varint(footer, 0)
        _, pos = decode_varint(footer, pos)
        index = _read_block(data, footer, pos)
        out = {}
        for _, handle in _entries(index):
            for k, v in _entries(_read_block(data, handle)):
                out[bytes(k)] = bytes(v)
    except (ValueError, struct.error) as e:
        raise TableError(str(e)) from None
    return out

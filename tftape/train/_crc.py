"""CRC-32C (Castagnoli), masked as LevelDB and TensorBundle store it; NumPy only.

Short inputs use a byte-at-a-time table. Long inputs are cut into equal lanes whose CRCs are
computed side by side with NumPy, then chained: the CRC register is linear in its state, so
``crc(a + b) = shift(crc(a), len(b)) ^ crc0(b)`` where ``shift`` runs ``len(b)`` zero bytes
through the register (precomputed as four 256-entry tables).
"""
from __future__ import annotations

import functools

import numpy as np

_POLY = 0x82F63B78
_MASK_DELTA = 0xA282EAD8


def _make_table():
    t = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        t = np.where(t & 1, (t >> 1) ^ np.uint32(_POLY), t >> 1).astype(np.uint32)
    return t


_TABLE = _make_table()
_TABLE_LIST = [int(x) for x in _TABLE]


def _raw_small(state: int, data: bytes) -> int:
    t = _TABLE_LIST
    for b in data:
        state = t[(state ^ b) & 0xFF] ^ (state >> 8)
    return state


@functools.lru_cache(maxsize=16)
def _shift_tables(n: int):
    """Tables giving the register after ``n`` zero bytes, one per byte of the state."""
    regs = (np.arange(256, dtype=np.uint32)[None, :] << (8 * np.arange(4, dtype=np.uint32))[:, None])
    regs = regs.reshape(-1).astype(np.uint32)
    for _ in range(n):
        regs = _TABLE[regs & 0xFF] ^ (regs >> 8)
    return [list(map(int, row)) for row in regs.reshape(4, 256)]


def _raw(state: int, data) -> int:
    buf = np.frombuffer(memoryview(data).cast("B"), dtype=np.uint8)
    n = buf.size
    if n < 8192:
        return _raw_small(state, buf.tobytes())
    lane = int(np.sqrt(n)) + 1
    lanes = n // lane
    head = n - lanes * lane
    state = _raw_small(state, buf[:head].tobytes())
    block = np.ascontiguousarray(buf[head:].reshape(lanes, lane).T)
    regs = np.zeros(lanes, dtype=np.uint32)
    for row in block:
        regs = _TABLE[(regs ^ row) & 0xFF] ^ (regs >> 8)
    s0, s1, s2, s3 = _shift_tables(lane)
    for r in regs.tolist():
        state = (s0[state & 0xFF] ^ s1[(state >> 8) & 0xFF] ^ s2[(state >> 16) & 0xFF]
                 ^ s3[state >> 24] ^ r)
    return state


def value(data) -> int:
    """The CRC-32C of ``data`` (bytes-like)."""
    return extend(0, data)


def extend(crc: int, data) -> int:
    """The CRC-32C of the concatenation of the bytes that gave ``crc`` and ``data``."""
    return _raw(crc ^ 0xFFFFFFFF, data) ^ 0xFFFFFFFF


def mask(crc: int) -> int:
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + _MASK_DELTA) & 0xFFFFFFFF


def unmask(masked: int) -> int:
    rot = (masked - _MASK_DELTA) & 0xFFFFFFFF
    return ((rot >> 17) | (rot << 15)) & 0xFFFFFFFF

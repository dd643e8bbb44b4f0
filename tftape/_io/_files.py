"""``tf.io.read_file``, ``write_file``, ``serialize_tensor`` and ``parse_tensor``."""
from __future__ import annotations

import os

import numpy as np

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor, to_static
from .._core.errors import NotFoundError, PermissionDeniedError
from .._core.tensor import Tensor, constant, make_string
from ..train import _proto
from ._common import DT_ENUM, DT_FROM_ENUM, error, host_strings, string_tensor
from .._ops._util import fmt_shape


def _scalar_name(filename, op, what="Input filename tensor") -> str:
    a = host_strings(filename, op)
    if a.ndim != 0:
        raise error(op, f"{what} must be scalar, but had shape: {fmt_shape(a.shape)}")
    return a[()].decode()


def _os_error(op: str, path: str, e: OSError):
    cls = PermissionDeniedError if isinstance(e, PermissionError) else NotFoundError
    return error(op, f"{path}; {os.strerror(e.errno) if e.errno else e}", cls, None)


def read_file(filename, name=None) -> Tensor:
    """The whole file as a scalar string tensor.

    >>> import tftape as tf, tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "a.txt")
    >>> tf.io.write_file(p, "hi")
    >>> tf.io.read_file(p)
    <tf.Tensor: shape=(), dtype=string, numpy=b'hi'>
    """
    path = _scalar_name(filename, "ReadFile")
    try:
        with open(path, "rb") as f:
            data = f.read()
    except IsADirectoryError:
        raise error("ReadFile", f"{path}; Is a directory", _d_failed(), None) from None
    except OSError as e:
        raise _os_error("ReadFile", path, e) from None
    return string_tensor(data)


def _d_failed():
    from .._core.errors import FailedPreconditionError
    return FailedPreconditionError


def write_file(filename, contents, name=None) -> None:
    """Writes ``contents`` (a scalar string) to ``filename``, creating its directory."""
    path = _scalar_name(filename, "WriteFile", "Input filename tensor")
    c = host_strings(contents, "WriteFile")
    if c.ndim != 0:
        raise error("WriteFile", f"Contents tensor must be scalar, but had shape: "
                                 f"{fmt_shape(c.shape)}", name=None)
    d = os.path.dirname(path)
    try:
        if d:
            os.makedirs(d, exist_ok=True)
        with open(path, "wb") as f:
            f.write(c[()])
    except OSError as e:
        raise _os_error("WriteFile", path, e) from None
    return None


# -- TensorProto ---------------------------------------------------------------------------------
def tensor_proto(value: np.ndarray, dtype: _d.DType) -> bytes:
    """The TensorProto TF's ``SerializeTensor`` writes: dtype, shape, then tensor_content (or
    ``string_val`` for strings)."""
    w = _proto.Writer().varint(1, DT_ENUM[dtype])
    shape = _proto.Writer()
    for d in value.shape:
        shape.message(2, _proto.Writer().varint(1, int(d)))
    w.message(2, shape)
    if dtype == _d.string:
        for s in value.reshape(-1):
            w.bytes(8, s, skip_default=False)
    else:
        w.bytes(4, np.ascontiguousarray(value, dtype=value.dtype.newbyteorder("<")).tobytes())
    return w.finish()


def _packed(vals, fmt_np, wire_varint):
    """Values of a repeated numeric field, packed (bytes) or not (ints)."""
    out = []
    for v in vals:
        if isinstance(v, bytes):
            if wire_varint:
                pos = 0
                while pos < len(v):
                    n, pos = _proto.decode_varint(v, pos)
                    out.append(n)
            else:
                out.extend(np.frombuffer(v, dtype=fmt_np).tolist())
        else:
            out.append(v)
    return out


class _BadDtype(ValueError):
    pass


def parse_tensor_proto(buf: bytes):
    """(NumPy value, dtype) of a serialized TensorProto; ValueError if it does not parse."""
    import struct
    f = _proto.parse(buf)
    dt = DT_FROM_ENUM.get(_proto.first(f, 1, 0))
    if dt is None:
        raise _BadDtype()
    shape = []
    for dim in _proto.parse(_proto.first(f, 2, b"")).get(2, []):
        shape.append(_proto.signed64(_proto.first(_proto.parse(dim), 1, 0)))
    n = int(np.prod(shape)) if shape else 1
    npdt = np.dtype(dt._np) if dt != _d.string else None
    if dt == _d.string:
        vals = list(f.get(8, []))
        arr = np.empty(len(vals), dtype=object)
        arr[:] = vals
    elif 4 in f:
        arr = np.frombuffer(_proto.first(f, 4, b""), dtype=npdt.newbyteorder("<")).astype(npdt)
    else:
        if dt in (_d.float32,):
            vals = [struct.unpack("<f", struct.pack("<I", v))[0] if isinstance(v, int) else v
                    for v in _packed(f.get(5, []), "<f4", False)]
        elif dt == _d.float64:
            vals = [struct.unpack("<d", struct.pack("<Q", v))[0] if isinstance(v, int) else v
                    for v in _packed(f.get(6, []), "<f8", False)]
        elif dt in (_d.int32, _d.int16, _d.int8, _d.uint8, _d.uint16):
            vals = [_proto.signed64(v) for v in _packed(f.get(7, []), None, True)]
        elif dt == _d.int64:
            vals = [_proto.signed64(v) for v in _packed(f.get(10, []), None, True)]
        elif dt == _d.bool:
            vals = [bool(v) for v in _packed(f.get(11, []), None, True)]
        elif dt in (_d.float16, _d.bfloat16):
            raw = _packed(f.get(13, []), None, True)
            vals = np.array(raw, np.uint16).view(npdt).tolist()
        elif dt == _d.uint32:
            vals = _packed(f.get(16, []), None, True)
        elif dt == _d.uint64:
            vals = _packed(f.get(17, []), None, True)
        elif dt in (_d.complex64, _d.complex128):
            fld, fmt = (9, "<f4") if dt == _d.complex64 else (12, "<f8")
            parts = f.get(fld, [])
            flat = np.concatenate([np.frombuffer(v, fmt) for v in parts if isinstance(v, bytes)]
                                  or [np.zeros(0, fmt)])
            vals = (flat[0::2] + 1j * flat[1::2]).tolist()
        else:
            raise ValueError("unsupported value field")
        arr = np.array(vals, dtype=npdt)
    if arr.size != n:
        if arr.size == 1 and n:
            arr = np.full(n, arr.reshape(-1)[0], dtype=arr.dtype)   # a splat constant
        elif arr.size == 0 and n:
            arr = np.zeros(n, dtype=arr.dtype) if npdt is not None else np.full(n, b"", object)
        else:
            raise ValueError("value count does not match the shape")
    return arr.reshape(shape), dt


def serialize_tensor(tensor, name=None) -> Tensor:
    """The tensor as a serialized ``TensorProto`` (a scalar string), byte-for-byte as TF.

    >>> import tftape as tf
    >>> tf.io.serialize_tensor(tf.constant(1.5)).numpy()
    b'\\x08\\x01\\x12\\x00"\\x04\\x00\\x00\\xc0?'
    """
    t = convert_to_tensor(tensor)
    if t.dtype == _d.string:
        v = host_strings(t, "SerializeTensor")
    else:
        v = np.asarray(t.numpy(), dtype=t.dtype._np)
    # Note: complex values are written as tensor_content too (TF does the same).
    return string_tensor(tensor_proto(v, t.dtype))


def parse_tensor(serialized, out_type, name=None) -> Tensor:
    """Parses a serialized ``TensorProto`` into a tensor of dtype ``out_type``."""
    out_type = _d.as_dtype(out_type)
    a = host_strings(serialized, "ParseTensor")
    if a.ndim != 0:
        raise error("ParseTensor", f"Expected `serialized` to be a scalar, got shape: "
                                   f"{fmt_shape(a.shape)}")
    buf = a[()]
    try:
        value, dt = parse_tensor_proto(buf)
    except _BadDtype:
        raise error("ParseTensor", "Cannot parse tensor from proto: goo.gle/debugstr  \n",
                    name=None) from None
    except (ValueError, IndexError, UnicodeDecodeError):
        import base64
        raise error("ParseTensor", "Could not parse `serialized` as TensorProto, base64: "
                                   f"{base64.urlsafe_b64encode(buf).decode()}", name=None) \
            from None
    if dt != out_type:
        raise error("ParseTensor", f"Type mismatch between parsed tensor ({_d.TF_TYPE_NAMES[dt]})"
                                   f" and dtype ({_d.TF_TYPE_NAMES[out_type]})")
    if dt == _d.string:
        return make_string(value)
    return constant(value, dtype=dt)

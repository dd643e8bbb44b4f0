"""``tf.make_tensor_proto`` and ``tf.make_ndarray``: TF's ``TensorProto`` message in Python.

The message keeps TF's fields (``dtype`` as the DataType number, ``tensor_shape.dim``,
``tensor_content`` and the typed ``*_val`` lists), prints in protobuf text format and
serializes to the same bytes as TF's.
"""
from __future__ import annotations

import numbers

import numpy as np

from .._core import dtypes as _d
from .._core.tensor import Tensor
from ..train._proto import Writer, encode_varint
from ._common import DT_ENUM, DT_FROM_ENUM

_ENUM_NAME = {1: "DT_FLOAT", 2: "DT_DOUBLE", 3: "DT_INT32", 4: "DT_UINT8", 5: "DT_INT16",
              6: "DT_INT8", 7: "DT_STRING", 8: "DT_COMPLEX64", 9: "DT_INT64", 10: "DT_BOOL",
              14: "DT_BFLOAT16", 17: "DT_UINT16", 18: "DT_COMPLEX128", 19: "DT_HALF",
              22: "DT_UINT32", 23: "DT_UINT64"}
# Value fields by number, in TF's tensor.proto order.
_FIELDS = [("float_val", 5), ("double_val", 6), ("int_val", 7), ("string_val", 8),
           ("scomplex_val", 9), ("int64_val", 10), ("bool_val", 11), ("dcomplex_val", 12),
           ("half_val", 13), ("uint32_val", 16), ("uint64_val", 17)]
_CONTENT_TYPES = {_d.float32, _d.float64, _d.int32, _d.uint8, _d.int16, _d.int8, _d.int64,
                  _d.bfloat16, _d.float16, _d.uint32, _d.uint64}


class TensorShapeProto:
    class Dim:
        __slots__ = ("size", "name")

        def __init__(self, size=0, name=""):
            self.size = size
            self.name = name

    def __init__(self, dims=()):
        self.dim = [TensorShapeProto.Dim(int(d)) for d in dims]
        self.unknown_rank = False


class TensorProto:
    """TF's ``TensorProto`` message (the fields tftape writes and reads)."""

    def __init__(self, dtype=0, tensor_shape=None):
        self.dtype = dtype
        self.tensor_shape = tensor_shape if tensor_shape is not None else TensorShapeProto()
        self.version_number = 0
        self.tensor_content = b""
        for f, _ in _FIELDS:
            setattr(self, f, [])

    def __eq__(self, other):
        return isinstance(other, TensorProto) and \
            self.SerializeToString() == other.SerializeToString()

    def __hash__(self):
        raise TypeError("unhashable object")

    def SerializeToString(self) -> bytes:  # noqa: N802 - protobuf's name
        w = Writer().varint(1, self.dtype)
        shape = Writer()
        for d in self.tensor_shape.dim:
            dim = Writer().varint(1, d.size & ((1 << 64) - 1))
            if d.name:
                dim.bytes(2, d.name.encode())
            shape.message(2, dim)
        w.message(2, shape)
        if self.version_number:
            w.varint(3, self.version_number)
        if self.tensor_content:
            w.bytes(4, self.tensor_content)
        for f, num in _FIELDS:
            vals = getattr(self, f)
            if not vals:
                continue
            if f == "string_val":
                for s in vals:
                    w.bytes(8, s, skip_default=False)
                continue
            if f in ("float_val", "scomplex_val"):
                packed = np.asarray(vals, "<f4").tobytes()
            elif f in ("double_val", "dcomplex_val"):
                packed = np.asarray(vals, "<f8").tobytes()
            else:
                packed = b"".join(encode_varint(int(v) & ((1 << 64) - 1)) for v in vals)
            w.bytes(num, packed, skip_default=False)
        return w.finish()

    def __str__(self):
        lines = [f"dtype: {_ENUM_NAME.get(self.dtype, self.dtype)}", "tensor_shape {"]
        for d in self.tensor_shape.dim:
            lines.append("  dim {")
            if d.size:
                lines.append(f"    size: {d.size}")
            if d.name:
                lines.append(f'    name: "{d.name}"')
            lines.append("  }")
        lines.append("}")
        if self.version_number:
            lines.append(f"version_number: {self.version_number}")
        if self.tensor_content:
            lines.append(f'tensor_content: "{_c_escape(self.tensor_content)}"')
        for f, _ in _FIELDS:
            for v in getattr(self, f):
                lines.append(f"{f}: {_text_value(f, v)}")
        return "\n".join(lines) + "\n"

    __repr__ = __str__


def _c_escape(b: bytes) -> str:
    out = []
    for c in b:
        ch = chr(c)
        if ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ch in "\"'\\":
            out.append("\\" + ch)
        elif 32 <= c < 127:
            out.append(ch)
        else:
            out.append(f"\\{c:03o}")
    return "".join(out)


def _text_value(field, v) -> str:
    if field == "string_val":
        return f'"{_c_escape(v)}"'
    if field == "bool_val":
        return "true" if v else "false"
    if field in ("float_val", "scomplex_val", "double_val", "dcomplex_val"):
        x = float(v)
        if x != x:
            return "nan"
        if x in (float("inf"), float("-inf")):
            return "inf" if x > 0 else "-inf"
        s = str(np.float32(x)) if field in ("float_val", "scomplex_val") else repr(x)
        return s[:-2] if s.endswith(".0") else s
    return str(int(v))


def _flat_values(values):
    if isinstance(values, (list, tuple)):
        for v in values:
            yield from _flat_values(v)
    else:
        yield values


def _dense_dims(values):
    if not isinstance(values, (list, tuple)):
        return []
    if not values:
        return [0]
    return [len(values)] + _dense_dims(values[0])


def make_tensor_proto(values, dtype=None, shape=None, verify_shape=False,
                      allow_broadcast=False) -> TensorProto:
    """A ``TensorProto`` holding ``values`` (``dtype`` and ``shape`` optional, a scalar fills
    ``shape``).

    >>> import tftape as tf
    >>> print(tf.make_tensor_proto([1, 2]), end="")
    dtype: DT_INT32
    tensor_shape {
      dim {
        size: 2
      }
    }
    tensor_content: "\\001\\000\\000\\000\\002\\000\\000\\000"
    """
    if allow_broadcast and verify_shape:
        raise ValueError("allow_broadcast and verify_shape are not both allowed.")
    if isinstance(values, TensorProto):
        return values
    dt = None if dtype is None else _d.as_dtype(dtype)
    if isinstance(values, Tensor):
        values = values.numpy()
    if isinstance(values, (np.ndarray, np.generic)):
        nparray = values.astype(dt._np) if dt is not None and dt is not _d.string else values
    else:
        if values is None:
            raise ValueError("None values not supported.")
        np_dt = None if dt is None else (object if dt is _d.string else dt._np)
        if shape is not None and int(np.prod(shape, dtype=np.int64)) == 0:
            nparray = np.empty(shape, dtype=np_dt)
        else:
            if dt is not None and (dt.is_integer or dt is _d.bool):
                for v in _flat_values(values):
                    ok = isinstance(v, (bool, np.bool_)) if dt is _d.bool else \
                        isinstance(v, (numbers.Integral, np.integer)) and \
                        not isinstance(v, (bool, np.bool_))
                    if not ok:
                        raise TypeError(f"Expected {dt.name}, but got {v!r} of type "
                                        f"'{type(v).__name__}'.")
            nparray = np.array(values, dtype=np_dt)
            if list(nparray.shape) != _dense_dims(values):
                raise ValueError(f"Expected values {values} to be a dense tensor with shape "
                                 f"{_dense_dims(values)}, but got shape {list(nparray.shape)}.")
        if nparray.dtype == np.float64 and dt is None:
            nparray = nparray.astype(np.float32)
        elif nparray.dtype == np.int64 and dt is None:
            down = nparray.astype(np.int32)
            if np.array_equal(down, nparray):
                nparray = down
    if nparray.dtype.kind in "OSU":
        numpy_dt = _d.string
    else:
        numpy_dt = _d._BY_NP[nparray.dtype]
    if dt is not None and dt is not numpy_dt:
        raise TypeError(f"`dtype` {dt!r} is not compatible with {values} of dtype "
                        f"{nparray.dtype}.")
    if shape is None:
        shape = nparray.shape
        same_size = True
        size = nparray.size
    else:
        shape = [int(d) for d in shape]
        size = int(np.prod(shape, dtype=np.int64))
        same_size = size == nparray.size
        if allow_broadcast:
            if nparray.shape not in ((1,), ()) and nparray.size != size:
                raise TypeError(f"Expected Tensor's shape: {tuple(shape)}, but got "
                                f"{nparray.shape}.")
        else:
            if verify_shape and nparray.shape != tuple(shape):
                raise TypeError(f"Expected Tensor's shape: {tuple(shape)}, but got "
                                f"{nparray.shape}.")
            if nparray.size > size:
                raise ValueError(f"Too many elements provided. Takes at most {size}, but got "
                                 f"{nparray.size}.")
    proto = TensorProto(DT_ENUM[numpy_dt], TensorShapeProto(shape))
    if same_size and numpy_dt in _CONTENT_TYPES and size > 1:
        proto.tensor_content = np.ascontiguousarray(
            nparray, nparray.dtype.newbyteorder("<")).tobytes()
        return proto
    flat = nparray.ravel()
    if numpy_dt is _d.string:
        # Python values are flattened directly: NumPy's bytes arrays drop trailing NULs.
        src = flat if isinstance(values, (np.ndarray, np.generic)) else _flat_values(values)
        proto.string_val = [bytes(v) if isinstance(v, bytes) else str(v).encode() for v in src]
    elif numpy_dt is _d.float32:
        proto.float_val = [float(v) for v in flat]
    elif numpy_dt is _d.float64:
        proto.double_val = [float(v) for v in flat]
    elif numpy_dt in (_d.int32, _d.int16, _d.int8, _d.uint8, _d.uint16):
        proto.int_val = [int(v) for v in flat]
    elif numpy_dt is _d.int64:
        proto.int64_val = [int(v) for v in flat]
    elif numpy_dt is _d.uint32:
        proto.uint32_val = [int(v) for v in flat]
    elif numpy_dt is _d.uint64:
        proto.uint64_val = [int(v) for v in flat]
    elif numpy_dt is _d.bool:
        proto.bool_val = [bool(v) for v in flat]
    elif numpy_dt in (_d.float16, _d.bfloat16):
        proto.half_val = [int(v) for v in flat.view(np.uint16)]
    elif numpy_dt is _d.complex64:
        proto.scomplex_val = [float(p) for v in flat for p in (v.real, v.imag)]
    elif numpy_dt is _d.complex128:
        proto.dcomplex_val = [float(p) for v in flat for p in (v.real, v.imag)]
    return proto


def make_ndarray(tensor) -> np.ndarray:
    """The NumPy value of a ``TensorProto``.

    >>> import tftape as tf
    >>> tf.make_ndarray(tf.make_tensor_proto(5, shape=[2, 2])).tolist()
    [[5, 5], [5, 5]]
    """
    shape = [d.size for d in tensor.tensor_shape.dim]
    n = int(np.prod(shape, dtype=np.int64))
    dt = DT_FROM_ENUM[tensor.dtype]
    if tensor.tensor_content:
        return np.frombuffer(tensor.tensor_content,
                             dtype=np.dtype(dt._np).newbyteorder("<")).astype(dt._np).reshape(shape)
    if dt is _d.string:
        vals = list(tensor.string_val)
        if n - len(vals) > 0:
            vals.extend([vals[-1] if vals else b""] * (n - len(vals)))
        return np.array(vals, dtype=object).reshape(shape)
    npdt = dt._np
    if dt in (_d.float16, _d.bfloat16):
        vals = np.array(tensor.half_val, np.uint16).view(npdt)
    elif dt is _d.complex64:
        f = np.array(tensor.scomplex_val, np.float32)
        vals = (f[0::2] + 1j * f[1::2]).astype(npdt)
    elif dt is _d.complex128:
        f = np.array(tensor.dcomplex_val, np.float64)
        vals = (f[0::2] + 1j * f[1::2]).astype(npdt)
    else:
        field = {_d.float32: "float_val", _d.float64: "double_val", _d.int64: "int64_val",
                 _d.uint32: "uint32_val", _d.uint64: "uint64_val",
                 _d.bool: "bool_val"}.get(dt, "int_val")
        vals = np.array(getattr(tensor, field), dtype=npdt)
    if vals.size == 0:
        return np.zeros(shape, npdt)
    if vals.size != n:
        vals = np.pad(vals, (0, n - vals.size), "edge")
    return vals.reshape(shape)

"""``tf.io.decode_raw``, ``encode_base64`` and ``decode_base64`` (web-safe alphabet)."""
from __future__ import annotations

import base64
import binascii

import numpy as np

from .._core import dtypes as _d
from .._core.errors import InvalidArgumentError
from .._core.tensor import Tensor, constant
from ._common import error, host_strings, string_tensor

_RAW_TYPES = (_d.float16, _d.float32, _d.float64, _d.int32, _d.uint16, _d.uint8, _d.int16,
              _d.int8, _d.int64, _d.complex64, _d.complex128, _d.bool, _d.bfloat16)


def decode_raw(input_bytes, out_type, little_endian=True, fixed_length=None,
               name=None) -> Tensor:
    """Reinterprets each string's bytes as a vector of ``out_type``.

    >>> import tftape as tf
    >>> tf.io.decode_raw(b"\\x01\\x00\\x02\\x00", tf.int16).numpy()
    array([1, 2], dtype=int16)
    """
    out_type = _d.as_dtype(out_type)
    if out_type not in _RAW_TYPES:
        names = ", ".join(_d.TF_TYPE_NAMES[d] for d in _RAW_TYPES)
        enums = ", ".join("DT_" + _d.TF_TYPE_NAMES[d].upper() for d in _RAW_TYPES)
        raise InvalidArgumentError(None, None, (
            f"Value for attr 'out_type' of {_d.TF_TYPE_NAMES[out_type]} is not in the list of "
            f"allowed values: {names}\n\t; NodeDef: {{{{node DecodeRaw}}}}; Op<name=DecodeRaw; "
            f"signature=bytes:string -> output:out_type; attr=out_type:type,allowed=[{enums}]; "
            "attr=little_endian:bool,default=true> [Op:DecodeRaw]"))
    a = host_strings(input_bytes, "DecodeRaw")
    flat = list(a.reshape(-1))
    size = np.dtype(out_type._np).itemsize
    if fixed_length is not None:
        n = int(fixed_length)
        flat = [s[:n].ljust(n, b"\0") for s in flat]
    width = len(flat[0]) if flat else 0
    for i, s in enumerate(flat):
        # Note: TF's message names the first string's size first.
        if len(s) != width:
            raise error("DecodeRaw", "DecodeRaw requires input strings to all be the same size, "
                                     f"but element {i} has size {width} != {len(s)}", name=None)
    if width % size:
        raise error("DecodeRaw", f"Input to DecodeRaw has length {width} that is not a multiple "
                                 f"of {size}, the size of {_d.TF_TYPE_NAMES[out_type]}", name=None)
    dt = np.dtype(out_type._np).newbyteorder("<" if little_endian else ">")
    vals = np.frombuffer(b"".join(flat), dtype=dt).astype(out_type._np)
    return constant(vals.reshape(a.shape + (width // size,)), dtype=out_type)


def encode_base64(input, pad=False, name=None) -> Tensor:  # noqa: A002 - TF's name
    """Web-safe base64 (``-`` and ``_``), without ``=`` padding unless ``pad``."""
    a = host_strings(input, "EncodeBase64")
    out = np.empty(a.shape, dtype=object)
    for idx, s in np.ndenumerate(a):
        e = base64.urlsafe_b64encode(s)
        out[idx] = e if pad else e.rstrip(b"=")
    return string_tensor(out)


def decode_base64(input, name=None) -> Tensor:  # noqa: A002
    """Decodes web-safe base64, padded or not."""
    a = host_strings(input, "DecodeBase64")
    out = np.empty(a.shape, dtype=object)
    for idx, s in np.ndenumerate(a):
        body = s.rstrip(b"=")
        if len(body) % 4 == 1:
            raise error("DecodeBase64", "Base64 string length cannot be 1 modulo 4.", name=None)
        if any(c not in b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
               for c in body):
            raise error("DecodeBase64", "Invalid character found in base64.", name=None)
        try:
            out[idx] = base64.urlsafe_b64decode(body + b"=" * (-len(body) % 4))
        except (binascii.Error, ValueError):
            raise error("DecodeBase64", "Invalid character found in base64.", name=None) \
                from None
    return string_tensor(out)

"""``tf.io.decode_csv``: RFC 4180 records parsed on the host, as TF's DecodeCSV kernel."""
from __future__ import annotations

import re

import numpy as np

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor, to_static
from .._core.errors import InvalidArgumentError
from .._core.tensor import Tensor, constant
from ._common import error, host_strings, string_tensor

_OUT_TYPES = (_d.float32, _d.float64, _d.int32, _d.int64, _d.string)
_INT = re.compile(rb"^\s*[+-]?[0-9]+\s*$")
_FLOAT = re.compile(rb"^\s*[+-]?(([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?|inf|infinity|nan)"
                    rb"\s*$", re.IGNORECASE)


def _err(op: str, message: str):
    """DecodeCSV's kernel error; ``op`` is the wrapped function's name."""
    return error("DecodeCSV", message, name=None, wrapped=op)


def _split(rec: bytes, delim: int, quote: bool, op: str) -> list:
    fields, n, i = [], len(rec), 0
    if not n:
        return fields
    while True:
        if quote and i < n and rec[i] == 0x22:
            buf = bytearray()
            i += 1
            while True:
                if i >= n:
                    raise _err(op, "Quoted field has to end with quote followed by delim or "
                                    "end")
                c = rec[i]
                if c == 0x22:
                    if i + 1 < n and rec[i + 1] == 0x22:
                        buf.append(0x22)
                        i += 2
                        continue
                    i += 1
                    break
                buf.append(c)
                i += 1
            if i < n and rec[i] != delim:
                raise _err(op, "Quote inside a string has to be escaped by another quote")
            fields.append(bytes(buf))
        else:
            j = rec.find(bytes([delim]), i)
            j = n if j < 0 else j
            f = rec[i:j]
            if quote and (b'"' in f or b"\n" in f or b"\r" in f):
                raise _err(op, "Unquoted fields cannot have quotes/CRLFs inside")
            fields.append(f)
            i = j
        if i >= n:
            return fields
        i += 1  # the delimiter
        if i == n:
            fields.append(b"")
            return fields


def _parse(field: bytes, dt, f: int, r: int, op: str):
    name = {_d.int32: "int32", _d.int64: "int64", _d.float32: "float", _d.float64: "double"}[dt]
    ok = _INT.match(field) if dt.is_integer else _FLOAT.match(field)
    if ok:
        v = int(field) if dt.is_integer else float(field)
        if not dt.is_integer or dt.min <= v <= dt.max:
            return v
    raise _err(op, f"Field {f} in record {r} is not a valid {name}: "
                    f"{field.decode('utf-8', 'replace')}")


def decode_csv(records, record_defaults, field_delim=",", use_quote_delim=True, na_value="",
               select_cols=None, name=None) -> list:
    """Parses CSV ``records`` into one tensor per column, typed by ``record_defaults``.

    >>> import tftape as tf
    >>> [t.numpy().tolist() for t in tf.io.decode_csv(["1,a", "2,b"], [[0], [""]])]
    [[1, 2], [b'a', b'b']]
    """
    if select_cols is not None:
        select_cols = [int(c) for c in select_cols]
        if any(select_cols[i] >= select_cols[i + 1] for i in range(len(select_cols) - 1)):
            raise ValueError("select_cols is not strictly increasing.")
        if select_cols and select_cols[0] < 0:
            raise ValueError("select_cols contains negative values.")
        if len(select_cols) != len(record_defaults):
            raise ValueError("Length of select_cols and record_defaults do not match.")
    defaults = [d if isinstance(d, Tensor) else convert_to_tensor(d) for d in record_defaults]
    op = f"DecodeCSV_OUT_TYPE_{len(defaults)}"  # the wrapped function's name
    recs = host_strings(records, "DecodeCSV")
    delim = field_delim.encode() if isinstance(field_delim, str) else bytes(field_delim)
    if len(delim) != 1:
        raise _err(op, "field_delim should be only 1 char")
    na = na_value.encode() if isinstance(na_value, str) else bytes(na_value)
    dflt = []
    for i, d in enumerate(defaults):
        if d.dtype not in _OUT_TYPES:
            raise InvalidArgumentError(None, None, (
                f"Value for attr 'OUT_TYPE' of {_d.TF_TYPE_NAMES[d.dtype]} is not in the list of "
                "allowed values: float, double, int32, int64, string\n\t; NodeDef: {{node "
                "DecodeCSV}}; Op<name=DecodeCSV; signature=records:string, record_defaults: -> "
                "output:; attr=OUT_TYPE:list(type),min=1,allowed=[DT_FLOAT, DT_DOUBLE, DT_INT32, "
                'DT_INT64, DT_STRING]; attr=field_delim:string,default=","; '
                "attr=use_quote_delim:bool,default=true; attr=na_value:string,default=\"\"; "
                "attr=select_cols:list(int),default=[]> [Op:DecodeCSV]"))
        v = np.asarray(to_static(d)) if d.dtype != _d.string else host_strings(d, "DecodeCSV")
        if v.ndim > 1:
            raise _err(op, "Each record default should be at most rank 1")
        if v.size > 1:
            raise _err(op, f"There should only be 1 default per field but field {i} has "
                            f"{v.size}")
        dflt.append((d.dtype, v.reshape(-1)[0] if v.size else None))
    flat = recs.reshape(-1)
    cols = [[] for _ in dflt]
    for r, rec in enumerate(flat):
        fields = _split(rec, delim[0], bool(use_quote_delim), op)
        if select_cols is not None:
            fields = [fields[c] for c in select_cols if c < len(fields)]
        if len(fields) != len(dflt):
            raise _err(op, f"Expect {len(dflt)} fields but have {len(fields)} in record {r}")
        for f, (field, (dt, dv)) in enumerate(zip(fields, dflt)):
            if field == b"" or (na and field == na):
                if dv is None:
                    raise _err(op, f"Field {f} is required but missing in record {r}!")
                cols[f].append(dv)
            elif dt == _d.string:
                cols[f].append(field)
            else:
                cols[f].append(_parse(field, dt, f, r, op))
    out = []
    for (dt, _), vals in zip(dflt, cols):
        if dt == _d.string:
            a = np.empty(len(vals), dtype=object)
            a[:] = vals
            out.append(string_tensor(a.reshape(recs.shape)))
        else:
            out.append(constant(np.array(vals, dtype=dt._np).reshape(recs.shape), dtype=dt))
    return out

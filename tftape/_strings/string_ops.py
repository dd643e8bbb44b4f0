"""tf.strings ops on host NumPy object arrays of ``bytes``: length, case, strip, substr,
join/reduce_join, split, regex, to_number, as_string, format, bytes_split, ngrams.

Elementwise ops are registry host ops (never jitted); RaggedTensor inputs are mapped over
their flat values, as TF's ragged dispatch does.
"""
from __future__ import annotations

import re

import numpy as np

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._core.errors import InvalidArgumentError, OutOfRangeError
from .._core.tensor import Tensor, make
from . import unicode_ops as uo
from ._common import (attr_error, host_op, is_ragged, kernel_msg, map_bytes, new_string, run,
                      string_input)

# -- length, case, strip ------------------------------------------------------------------------
_length = host_op("string_length", "StringLength",
                  lambda b, unit: len(b) if unit == "BYTE" else uo.utf8_len(b), np.int32)
_upper = host_op("string_upper", "StringUpper",
                 lambda b, enc: b.upper() if not enc else b.decode("utf-8", "replace").upper()
                 .encode("utf-8"))
_lower = host_op("string_lower", "StringLower",
                 lambda b, enc: b.lower() if not enc else b.decode("utf-8", "replace").lower()
                 .encode("utf-8"))
_strip = host_op("string_strip", "StringStrip", lambda b: b.strip())


def length(input, unit="BYTE", name=None):
    """The length of each string in bytes or UTF-8 characters.

    >>> import tftape as tf
    >>> tf.strings.length(["Café"], unit="UTF8_CHAR").numpy()
    array([4], dtype=int32)
    """
    if is_ragged(input):
        return input.with_flat_values(length(input.flat_values, unit))
    t = string_input(input, "StringLength")
    if unit not in ("BYTE", "UTF8_CHAR"):
        raise attr_error("StringLength", "unit", unit, ("BYTE", "UTF8_CHAR"),
                         "input:string -> output:int32",
                         'attr=unit:string,default="BYTE",allowed=["BYTE", "UTF8_CHAR"]')
    return run(_length, t, unit=unit)


def upper(input, encoding="", name=None):
    """Upper-cases ASCII letters (all letters with ``encoding='utf-8'``)."""
    if is_ragged(input):
        return input.with_flat_values(upper(input.flat_values, encoding))
    return run(_upper, string_input(input, "StringUpper"), enc=encoding)


def lower(input, encoding="", name=None):
    """Lower-cases ASCII letters (all letters with ``encoding='utf-8'``)."""
    if is_ragged(input):
        return input.with_flat_values(lower(input.flat_values, encoding))
    return run(_lower, string_input(input, "StringLower"), enc=encoding)


def strip(input, name=None):
    """Removes leading and trailing ASCII whitespace."""
    if is_ragged(input):
        return input.with_flat_values(strip(input.flat_values))
    return run(_strip, string_input(input, "StringStrip"))


# -- substr -------------------------------------------------------------------------------------
def _substr_one(b: bytes, pos: int, n: int, unit: str, index: int, scalar_in: bool):
    if unit == "BYTE":
        size = len(b)
        if not -size <= pos <= size:
            raise kernel_msg("Substr", f"pos {pos} out of range for string {b!r} at index "
                                       f"{index}", name_suffix=False)
        start = pos if pos >= 0 else size + pos
        return b[start:] if n < 0 else b[start:start + n]
    bounds = uo.utf8_boundaries(b)
    size = len(bounds) - 1
    if n < 0:
        # TF's UTF8_CHAR kernel gives an empty string for a negative len, and rejects a
        # negative pos (or one past the end) with it.
        if pos < 0 or pos > size:
            raise kernel_msg("Substr", f"pos {pos} out of range for string at index {index}")
        return b""
    if not -size <= pos <= size:
        raise kernel_msg("Substr", f"pos {pos} out of range for string at index {index}")
    start = pos if pos >= 0 else size + pos
    end = size if n < 0 else min(size, start + n)
    return b[bounds[start]:bounds[end]]


def substr(input, pos, len, unit="BYTE", name=None):  # noqa: A002
    """Substrings from ``pos`` of length ``len``, in bytes or UTF-8 characters.

    >>> import tftape as tf
    >>> tf.strings.substr("Hello World", 0, 5)
    <tf.Tensor: shape=(), dtype=string, numpy=b'Hello'>
    """
    if is_ragged(input):
        return input.with_flat_values(substr(input.flat_values, pos, len, unit))
    t = string_input(input, "Substr")
    if unit not in ("BYTE", "UTF8_CHAR"):
        raise attr_error("Substr", "unit", unit, ("BYTE", "UTF8_CHAR"),
                         "input:string, pos:T, len:T -> output:string",
                         'attr=T:type,allowed=[DT_INT32, DT_INT64]; attr=unit:string,'
                         'default="BYTE",allowed=["BYTE", "UTF8_CHAR"]')
    p = np.asarray(convert_to_tensor(pos)._v)
    n = np.asarray(convert_to_tensor(len)._v)
    if p.shape != n.shape:
        raise kernel_msg("Substr", f"pos and len should have the same shape, got: "
                                   f"{_fmt(p.shape)} vs. {_fmt(n.shape)}", name_suffix=False)
    arr = t._v
    try:
        shape = np.broadcast_shapes(arr.shape, p.shape)
    except ValueError:
        raise kernel_msg("Substr", f"Incompatible shapes: {_fmt(arr.shape)} vs. "
                                   f"{_fmt(p.shape)}") from None
    a, pb, nb = (np.broadcast_to(x, shape).reshape(-1) for x in (arr, p, n))
    out = np.empty(a.shape[0], dtype=object)
    for i in range(a.shape[0]):
        out[i] = _substr_one(a[i], int(pb[i]), int(nb[i]), unit, i, arr.ndim == 0)
    return new_string(out.reshape(shape))


def _fmt(shape) -> str:
    return "[" + ",".join(str(d) for d in shape) + "]"


# -- join ---------------------------------------------------------------------------------------
def join(inputs, separator="", name=None):
    """Joins a list of string tensors elementwise (scalars broadcast).

    >>> import tftape as tf
    >>> tf.strings.join(["a", "b"], separator="-")
    <tf.Tensor: shape=(), dtype=string, numpy=b'a-b'>
    """
    inputs = list(inputs)
    rag = next((x for x in inputs if is_ragged(x)), None)
    if rag is not None:
        from .._ragged.ragged_ops import map_flat_values
        return map_flat_values(lambda *xs: join(list(xs), separator), *inputs)
    ts = [convert_to_tensor(x, dtype=_d.string) for x in inputs]
    if not ts:
        return new_string(np.array(b"", dtype=object))
    shape = ()
    for t in ts:
        s = t._v.shape
        if s == ():
            continue
        if shape == ():
            shape = s
        elif s != shape:
            raise kernel_msg("StringJoin", f"Input shapes do not match: {_fmt(shape)} vs. "
                                           f"{_fmt(s)}", wrapped=f"StringJoin_N_{len(ts)}")
    sep = separator.encode() if isinstance(separator, str) else bytes(separator)
    arrs = [np.broadcast_to(t._v, shape).reshape(-1) for t in ts]
    out = np.empty(int(np.prod(shape, dtype=np.int64)), dtype=object)
    for i in range(out.shape[0]):
        out[i] = sep.join(a[i] for a in arrs)
    return new_string(out.reshape(shape))


def reduce_join(inputs, axis=None, keepdims=False, separator="", name=None):
    """Joins strings across ``axis`` (all of them by default).

    >>> import tftape as tf
    >>> tf.strings.reduce_join([["a", "b"], ["c", "d"]], axis=1).numpy()
    array([b'ab', b'cd'], dtype=object)
    """
    sep = separator.encode() if isinstance(separator, str) else bytes(separator)
    if is_ragged(inputs):
        return _ragged_reduce_join(inputs, axis, keepdims, sep)
    t = string_input(inputs if isinstance(inputs, Tensor) else convert_to_tensor(inputs),
                     "ReduceJoin")
    arr = t._v
    nd = arr.ndim
    if axis is None:
        axes = list(range(nd))[::-1]
    else:
        axes = [int(a) for a in (axis if isinstance(axis, (list, tuple)) else [axis])]
        for a in axes:
            if not -nd <= a < nd:
                raise OutOfRangeError(None, None, f"{{{{function_node __wrapped__ReduceJoin_"
                                                f"device_/job:localhost/replica:0/task:0/"
                                                f"device:CPU:0}}}} Invalid reduction "
                                                f"dimension {a} for input with {nd} "
                                                f"dimension(s) [Op:ReduceJoin] name: ")
        axes = list(dict.fromkeys(a % nd for a in axes))
    keep = [d for d in range(nd) if d not in axes]
    # Axes are joined one after another in the order given: the first varies fastest.
    moved = np.transpose(arr, keep + axes[::-1])
    out_shape = tuple(arr.shape[d] for d in keep)
    rows = moved.reshape(int(np.prod(out_shape, dtype=np.int64)), -1)
    out = np.empty(rows.shape[0], dtype=object)
    for i, row in enumerate(rows):
        out[i] = sep.join(row)
    out = out.reshape(out_shape)
    if keepdims:
        out = out.reshape(tuple(1 if d in axes else arr.shape[d] for d in range(nd)))
    return new_string(out)


def _ragged_reduce_join(rt, axis, keepdims, sep):
    from .._ragged import ragged_ops as ro
    if axis is None:
        return new_string(np.array(sep.join(rt.flat_values._v.reshape(-1)), dtype=object))
    result = rt
    for a in reversed(ro._norm_axes(rt, axis)):
        result = _reduce_join_axis(result, a, sep)
        if keepdims:
            result = ro.expand_dims(result, a)
    return result


def _reduce_join_axis(x, axis, sep):
    from .._ragged import _util as u
    from .._ragged import ragged_ops as ro
    from .._ragged.ragged_tensor import RaggedTensor
    if not isinstance(x, RaggedTensor):
        return reduce_join(x, axis=axis, separator=sep)
    splits = x._splits_np().astype(np.int64)
    if axis == 0:
        lens = np.diff(splits)
        return _join_segments(x._values, u.ranges(np.zeros_like(lens), lens),
                              int(lens.max()) if lens.size else 0, sep)
    if axis == 1:
        return _join_segments(x._values, u.rowids(splits), len(splits) - 1, sep)
    del ro
    return x.with_values(_reduce_join_axis(x._values, axis - 1, sep))


def _join_segments(data, ids, n, sep):
    if is_ragged(data):
        raise NotImplementedError("reduce_join over an outer ragged axis of nested rows")
    return unsorted_segment_join(data, ids, n, sep)


def unsorted_segment_join(inputs, segment_ids, num_segments, separator="", name=None):
    """Joins the strings of each segment, in order of appearance."""
    t = string_input(inputs, "UnsortedSegmentJoin")
    ids = np.asarray(convert_to_tensor(segment_ids)._v).reshape(-1)
    n = int(np.asarray(convert_to_tensor(num_segments)._v))
    sep = separator.encode() if isinstance(separator, str) else bytes(separator)
    rows = t._v.reshape((ids.shape[0], -1)) if t._v.ndim > 1 else t._v.reshape(-1, 1)
    inner = t._v.shape[1:]
    parts = [[[] for _ in range(rows.shape[1])] for _ in range(n)]
    for i, seg in enumerate(ids):
        if 0 <= seg < n:
            for j in range(rows.shape[1]):
                parts[seg][j].append(rows[i, j])
    out = np.empty((n, rows.shape[1]), dtype=object)
    for s in range(n):
        for j in range(rows.shape[1]):
            out[s, j] = sep.join(parts[s][j])
    return new_string(out.reshape((n,) + tuple(inner)))


# -- split --------------------------------------------------------------------------------------
def _ragged_result(arr_shape, pieces, lengths, dtype=_d.string, values=None):
    """A RaggedTensor adding one ragged dimension to a dense ``arr_shape``."""
    from .._ragged import _util as u
    from .._ragged.ragged_tensor import RaggedTensor
    vals = values if values is not None else new_string(uo.obj_array(pieces))
    rt = RaggedTensor.from_row_splits(vals, u.splits_tensor(
        u.lengths_to_splits(np.asarray(lengths, np.int64)), _d.int64), validate=False)
    for d in reversed(arr_shape[1:]):
        rt = RaggedTensor.from_uniform_row_length(rt, d, validate=False)
    return rt


def _split_rows(input, fn, op_name):
    """Applies ``fn(bytes) -> list of bytes`` to each string: scalar -> 1-D, else ragged."""
    if is_ragged(input):
        return input.with_flat_values(_split_rows(input.flat_values, fn, op_name))
    t = string_input(input, op_name)
    arr = t._v
    if arr.ndim == 0:
        return new_string(uo.obj_array(fn(arr[()])))
    pieces, lengths = [], []
    for b in arr.reshape(-1):
        p = fn(b)
        pieces.extend(p)
        lengths.append(len(p))
    return _ragged_result(arr.shape, pieces, lengths)


def split(input, sep=None, maxsplit=-1, name=None):
    """Splits each string on ``sep`` (runs of whitespace by default); rank N gives a rank N+1
    RaggedTensor.

    >>> import tftape as tf
    >>> tf.strings.split(["a b", "c"])
    <tf.RaggedTensor [[b'a', b'b'], [b'c']]>
    """
    s = None if sep is None or sep == "" or sep == b"" else (
        sep.encode() if isinstance(sep, str) else bytes(sep))
    m = -1 if maxsplit is None else int(maxsplit)

    def fn(b):
        if s is None:
            return _split_whitespace(b, m)
        return b.split(s, m)
    return _split_rows(input, fn, "StringSplitV2")


def _split_whitespace(b: bytes, maxsplit: int) -> list:
    """TF's whitespace split: the text left after ``maxsplit`` splits is kept as is."""
    if maxsplit == 0:
        return [b]
    out = []
    text = b.lstrip()
    while text:
        k = next((i for i, c in enumerate(text) if c in b" \t\n\r\x0b\x0c"), len(text))
        tok, text = text[:k], text[k:].lstrip()
        out.append(tok)
        if 0 < maxsplit == len(out):
            out.append(text)
            break
    return out


def bytes_split(input, name=None):
    """Splits each string into single bytes."""
    return _split_rows(input, lambda b: [b[i:i + 1] for i in range(len(b))], "StringSplitV2")


# -- regex --------------------------------------------------------------------------------------
def _compile(pattern, op_name):
    if isinstance(pattern, Tensor):
        if pattern.ndim != 0:
            raise kernel_msg(op_name, f"Pattern must be scalar, but received "
                                      f"{_fmt(pattern._v.shape)}", name_suffix=False)
        pattern = pattern.numpy()
    pb = pattern.encode() if isinstance(pattern, str) else bytes(pattern)
    try:
        # Note: Python's re stands in for RE2; the common syntax is the same.
        return re.compile(pb), pb
    except re.error as e:
        raise kernel_msg(op_name, f"Invalid pattern: {pb.decode('utf-8', 'replace')}, error: "
                                  f"{e}", name_suffix=False) from None


def regex_full_match(input, pattern, name=None):
    """Whether each string matches ``pattern`` entirely (RE2 syntax)."""
    if is_ragged(input):
        return input.with_flat_values(regex_full_match(input.flat_values, pattern))
    op_name = "RegexFullMatch" if isinstance(pattern, Tensor) else "StaticRegexFullMatch"
    t = string_input(input, op_name)
    rx, _ = _compile(pattern, op_name)
    out = map_bytes(lambda b: rx.fullmatch(b) is not None, t._v, bool)
    import jax.numpy as jnp
    return make(jnp.asarray(out), _d.bool)


def _rewrite(rewrite: bytes):
    """An RE2 rewrite string as a replacement function: ``\\N`` is group N, ``\\\\`` a
    backslash."""
    pieces, lit, i = [], bytearray(), 0
    while i < len(rewrite):
        c = rewrite[i:i + 1]
        if c == b"\\" and i + 1 < len(rewrite):
            nxt = rewrite[i + 1:i + 2]
            if nxt.isdigit():
                pieces.append(bytes(lit))
                lit = bytearray()
                pieces.append(int(nxt))
                i += 2
                continue
            if nxt == b"\\":
                lit += b"\\"
                i += 2
                continue
        lit += c
        i += 1
    pieces.append(bytes(lit))
    return lambda m: b"".join(p if isinstance(p, bytes) else (m.group(p) or b"")
                              for p in pieces)


def regex_replace(input, pattern, rewrite, replace_global=True, name=None):
    """Replaces matches of ``pattern`` with ``rewrite`` (``\\1`` refers to a group)."""
    if is_ragged(input):
        return input.with_flat_values(regex_replace(input.flat_values, pattern, rewrite,
                                                    replace_global))
    op_name = "RegexReplace" if isinstance(pattern, Tensor) or isinstance(rewrite, Tensor) \
        else "StaticRegexReplace"
    t = string_input(input, op_name)
    rx, _ = _compile(pattern, op_name)
    rw = rewrite.numpy() if isinstance(rewrite, Tensor) else rewrite
    rw = _rewrite(rw.encode() if isinstance(rw, str) else bytes(rw))
    count = 0 if replace_global else 1
    return new_string(map_bytes(lambda b: rx.sub(rw, b, count=count), t._v))


# -- numbers <-> strings ------------------------------------------------------------------------
_INT_RE = re.compile(rb"^\s*[+-]?\d+\s*$")
_FLOAT_RE = re.compile(rb"^\s*[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf|infinity|"
                       rb"nan)\s*$", re.IGNORECASE)
_HEX_RE = re.compile(rb"^\s*[+-]?0[xX]")
_TO_NUMBER_TYPES = (_d.float32, _d.float64, _d.int32, _d.int64, _d.uint32, _d.uint64)


def _parse(b: bytes, dt: _d.DType):
    if dt.is_integer:
        if _INT_RE.match(b):
            v = int(b)
            info = np.iinfo(dt._np)
            if info.min <= v <= info.max:
                return v
        return None
    if _FLOAT_RE.match(b):
        return float(b)
    if not _HEX_RE.match(b):
        return None
    try:
        return float.fromhex(b.decode("ascii").strip())
    except (ValueError, UnicodeDecodeError):
        return None


def to_number(input, out_type=_d.float32, name=None):
    """Parses each string as a number of ``out_type``.

    >>> import tftape as tf
    >>> tf.strings.to_number(["1.5", "2"]).numpy()
    array([1.5, 2. ], dtype=float32)
    """
    if is_ragged(input):
        return input.with_flat_values(to_number(input.flat_values, out_type))
    dt = _d.as_dtype(out_type)
    t = string_input(input, "StringToNumber")
    if dt not in _TO_NUMBER_TYPES:
        raise InvalidArgumentError(None, None, (
            f"Value for attr 'out_type' of {dt.name} is not in the list of allowed values: "
            f"float, double, int32, int64, uint32, uint64\n\t; NodeDef: {{{{node "
            f"StringToNumber}}}}; Op<name=StringToNumber; signature=string_tensor:string -> "
            f"output:out_type; attr=out_type:type,default=DT_FLOAT,allowed=[DT_FLOAT, "
            f"DT_DOUBLE, DT_INT32, DT_INT64, DT_UINT32, DT_UINT64]> [Op:StringToNumber]"))
    out = np.empty(t._v.shape, dtype=dt._np)
    flat_in, flat_out = t._v.reshape(-1), out.reshape(-1)
    with np.errstate(over="ignore"):
        for i, b in enumerate(flat_in):
            v = _parse(b, dt)
            if v is None:
                raise kernel_msg("StringToNumber", f"StringToNumberOp could not correctly "
                                                   f"convert string: "
                                                   f"{b.decode('utf-8', 'replace')}",
                                 name_suffix=False)
            flat_out[i] = v
    import jax.numpy as jnp
    return make(jnp.asarray(out), dt)


string_to_number = to_number


def as_string(input, precision=-1, scientific=False, shortest=False, width=-1, fill="",
              name=None):
    """Formats each number as a string (printf-style options, as TF).

    >>> import tftape as tf
    >>> tf.strings.as_string([1.5, 2.25], precision=1).numpy()
    array([b'1.5', b'2.2'], dtype=object)
    """
    if is_ragged(input):
        return input.with_flat_values(as_string(input.flat_values, precision, scientific,
                                                shortest, width, fill))
    t = input if isinstance(input, Tensor) else convert_to_tensor(input)
    dt = t.dtype
    if len(fill) > 1:
        raise kernel_msg("AsString", "Fill string must be one or fewer characters",
                         name_suffix=False)
    if scientific and shortest:
        raise kernel_msg("AsString", "Cannot select both scientific and shortest notation",
                         name_suffix=False)
    if dt is _d.string:
        return t
    is_float = dt.is_floating or dt.is_complex
    if precision > -1 and not is_float:
        raise kernel_msg("AsString", f"precision not supported for datatype {dt.name}",
                         name_suffix=False)
    if (scientific or shortest) and not is_float:
        raise kernel_msg("AsString", f"scientific and shortest format not supported for "
                                     f"datatype {dt.name}", name_suffix=False)
    spec = "%" + fill + (str(width) if width > -1 else "")
    if is_float:
        spec += (f".{precision}" if precision > -1 else "") + \
            ("e" if scientific else "g" if shortest else "f")
    vals = np.asarray(t._v)
    if dt is _d.bool:
        fn = (lambda v: (spec + "s") % ("true" if v else "false"))
    elif dt.is_complex:
        fn = (lambda v: "(" + spec % float(v.real) + "," + spec % float(v.imag) + ")")
    elif is_float:
        fn = (lambda v: spec % float(v))
    else:
        spec += "d"
        fn = (lambda v: spec % int(v))
    out = np.empty(vals.shape, dtype=object)
    flat_in, flat_out = vals.reshape(-1), out.reshape(-1)
    for i, v in enumerate(flat_in):
        flat_out[i] = fn(v).encode()
    return new_string(out)


# -- format -------------------------------------------------------------------------------------
def _elem_text(v, dt: _d.DType) -> str:
    if dt is _d.string:
        return '"' + v.decode("utf-8", "backslashreplace") + '"'
    if dt is _d.bool:
        return "1" if v else "0"
    if dt.is_complex:
        return "?"
    if dt.is_floating:
        f = float(v)
        if np.isnan(f):
            return "nan"
        if np.isinf(f):
            return "inf" if f > 0 else "-inf"
        short, full = (6, 9) if dt is not _d.float64 else (15, 17)
        s = "%.*g" % (short, f)
        cast = np.float64 if dt is _d.float64 else np.float32
        return s if cast(float(s)) == cast(f) else "%.*g" % (full, f)
    return str(int(v))


def summarize(arr: np.ndarray, dt: _d.DType, n: int) -> str:
    """TF's Tensor::SummarizeValue(print_v2): ``n`` elements kept at each end per dim."""
    if arr.ndim == 0:
        return _elem_text(arr[()], dt)
    ends = arr.size if n < 0 else min(n, arr.size)
    nd = arr.ndim

    def spacing(d):
        return " " if d == nd - 1 else "\n" * (nd - d - 1) + " " * (d + 1)

    def dim(a, d):
        if d == nd:
            return _elem_text(a[()] if isinstance(a, np.ndarray) else a, dt)
        cnt = a.shape[0]
        parts = []
        for i in range(min(ends, cnt)):
            if i > 0:
                parts.append(spacing(d))
            parts.append(dim(a[i], d + 1))
        if cnt > 2 * ends:
            parts.append(spacing(d) + "...")
        for i in range(max(ends, cnt - ends), cnt):
            parts.append(spacing(d))
            parts.append(dim(a[i], d + 1))
        return "[" + "".join(parts) + "]"
    return dim(arr, 0)


def format(template, inputs, placeholder="{}", summarize=3, name=None):  # noqa: A001
    """Formats tensors into ``template`` at each ``placeholder`` (TF's print formatting).

    >>> import tftape as tf
    >>> tf.strings.format("x={}", tf.constant([1, 2]))
    <tf.Tensor: shape=(), dtype=string, numpy=b'x=[1 2]'>
    """
    if isinstance(inputs, Tensor) or is_ragged(inputs):
        inputs = [inputs]
    n_in = len(inputs)
    pieces = template.split(placeholder)
    if len(pieces) - 1 != n_in:
        raise ValueError(f"The template expects {len(pieces) - 1} tensors, but the inputs only "
                         f"has {n_in}. Please ensure the number of placeholders in template "
                         f"matches inputs length.")
    texts = []
    for x in inputs:
        if is_ragged(x):
            texts.append(_ragged_text(x, summarize))
            continue
        t = convert_to_tensor(x)
        arr = t._v if t.dtype is _d.string else np.asarray(t._v)
        texts.append(globals()["summarize"](arr, t.dtype, summarize))
    out = pieces[0] + "".join(tx + p for tx, p in zip(texts, pieces[1:]))
    return new_string(np.array(out.encode(), dtype=object))


def _ragged_text(rt, n):
    def rec(v):
        if isinstance(v, list):
            return "[" + ", ".join(rec(i) for i in v) + "]"
        return _elem_text(v, rt.dtype)
    return rec(rt.to_list())


# -- ngrams -------------------------------------------------------------------------------------
def _ngrams_row(row, widths, sep, lpad, rpad, pad_width, preserve):
    def pw(w):
        return min(pad_width if pad_width >= 0 else w - 1, w - 1)

    def count(length, w):
        return max(0, length + 2 * pw(w) - w + 1)

    def make(w, num):
        out = []
        p = pw(w)
        for k in range(num):
            left = max(0, p - k)
            right = max(0, p - (num - (k + 1)))
            ntok = w - (left + right)
            start = 0 if left > 0 else k - p
            items = [lpad] * left + list(row[start:start + ntok]) + [rpad] * right
            out.append(sep.join(items))
        return out
    out = []
    for w in widths:
        out.extend(make(w, count(len(row), w)))
    if preserve and not out and len(row):
        out.extend(make(len(row) + 2 * max(pad_width, 0), 1))
    return out


def ngrams(data, ngram_width, separator=" ", pad_values=None, padding_width=None,
           preserve_short_sequences=False, name=None):
    """Character or word n-grams of the last dimension of ``data``.

    >>> import tftape as tf
    >>> tf.strings.ngrams(["a", "b", "c"], 2).numpy()
    array([b'a b', b'b c'], dtype=object)
    """
    from .._ragged import _util as u
    from .._ragged.ragged_tensor import RaggedTensor
    widths = tuple(ngram_width) if isinstance(ngram_width, (list, tuple)) else (ngram_width,)
    for w in widths:
        if w < 1:
            raise ValueError(f"All ngram_widths must be greater than 0. Got {ngram_width}")
    if pad_values is None:
        lpad = rpad = b""
    elif isinstance(pad_values, (str, bytes)):
        lpad = rpad = pad_values
    elif isinstance(pad_values, (list, tuple)) and len(pad_values) == 2 and \
            all(isinstance(p, (str, bytes)) for p in pad_values):
        lpad, rpad = pad_values
    else:
        raise TypeError("pad_values must be a string, tuple of strings, or None.")
    if padding_width is not None and padding_width < 1:
        raise ValueError("padding_width must be greater than 0.")
    if padding_width is not None and pad_values is None:
        raise ValueError("pad_values must be provided if padding_width is set.")
    pad_width = 0 if pad_values is None else (-1 if padding_width is None else padding_width)
    enc = (lambda s: s.encode() if isinstance(s, str) else s)
    sep, lpad, rpad = enc(separator), enc(lpad), enc(rpad)

    def run_rows(values: Tensor, splits: np.ndarray):
        arr = values._v
        pieces, lengths = [], []
        for a, b in zip(splits[:-1], splits[1:]):
            g = _ngrams_row(arr[a:b], widths, sep, lpad, rpad, pad_width,
                            preserve_short_sequences)
            pieces.extend(g)
            lengths.append(len(g))
        return new_string(uo.obj_array(pieces)), np.asarray(lengths, np.int64)

    if is_ragged(data):
        if data.ragged_rank > 1:
            return data.with_values(ngrams(data.values, ngram_width, separator, pad_values,
                                           padding_width, preserve_short_sequences))
        vals, lens = run_rows(string_input(data.values, "StringNGrams"),
                              np.asarray(data.row_splits._v))
        return RaggedTensor.from_row_splits(vals, u.splits_tensor(u.lengths_to_splits(lens),
                                                                  data.row_splits.dtype),
                                            validate=False)
    t = string_input(data, "StringNGrams")
    if t.ndim == 0:
        raise ValueError("Data must have rank>0")
    if t.ndim == 1:
        vals, _ = run_rows(t, np.array([0, t._v.shape[0]]))
        return vals
    rt = RaggedTensor.from_tensor(t, ragged_rank=t.ndim - 1)
    return ngrams(rt, ngram_width, separator, pad_values, padding_width,
                  preserve_short_sequences).to_tensor()

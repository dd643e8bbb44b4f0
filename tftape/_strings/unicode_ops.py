"""Unicode ops: ``unicode_decode`` (+offsets), ``unicode_encode``, ``unicode_split``,
``unicode_transcode`` and UTF-8 aware ``length``/``substr`` helpers, with TF's ``errors=``
modes (``replace``, ``ignore``, ``strict``) for malformed input.

Decoding follows the Unicode "maximal subpart" rule that TF (ICU) uses: each maximal invalid
prefix of a UTF-8 sequence is one error.
"""
from __future__ import annotations

import codecs

import numpy as np

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._core.errors import op_error
from .._core.tensor import Tensor, make
from ._common import attr_error, is_ragged, kernel_msg, new_string, string_input

_OUT_ENCODINGS = ("UTF-8", "UTF-16-BE", "UTF-32-BE")
_ERRORS = ("strict", "replace", "ignore")
_DECODE_SIG = ("input:string -> row_splits:Tsplits, char_values:int32; attr=input_encoding:"
               "string; attr=errors:string,default=\"replace\",allowed=[\"strict\", "
               "\"replace\", \"ignore\"]; attr=replacement_char:int,default=65533; "
               "attr=replace_control_characters:bool,default=false; attr=Tsplits:type,"
               "default=DT_INT64,allowed=[DT_INT32, DT_INT64]")


def _lead(c):
    """(continuation count, first continuation range) for a UTF-8 lead byte, or None."""
    if 0xC2 <= c <= 0xDF:
        return 1, 0x80, 0xBF
    if c == 0xE0:
        return 2, 0xA0, 0xBF
    if 0xE1 <= c <= 0xEC or 0xEE <= c <= 0xEF:
        return 2, 0x80, 0xBF
    if c == 0xED:
        return 2, 0x80, 0x9F
    if c == 0xF0:
        return 3, 0x90, 0xBF
    if 0xF1 <= c <= 0xF3:
        return 3, 0x80, 0xBF
    if c == 0xF4:
        return 3, 0x80, 0x8F
    return None


def utf8_chars(b: bytes) -> list:
    """[(code point or None for an invalid subsequence, byte offset, byte end)]."""
    try:
        s = b.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        starts = [i for i, c in enumerate(b) if c & 0xC0 != 0x80]
        ends = starts[1:] + [len(b)]
        return [(ord(ch), st, en) for ch, st, en in zip(s, starts, ends)]
    out = []
    i, n = 0, len(b)
    while i < n:
        c = b[i]
        if c < 0x80:
            out.append((c, i, i + 1))
            i += 1
            continue
        spec = _lead(c)
        if spec is None:
            out.append((None, i, i + 1))
            i += 1
            continue
        need, lo, hi = spec
        cp = c & (0x3F >> need)
        j = i + 1
        ok = True
        for k in range(need):
            if j >= n or not ((lo if k == 0 else 0x80) <= b[j] <= (hi if k == 0 else 0xBF)):
                ok = False
                break
            cp = (cp << 6) | (b[j] & 0x3F)
            j += 1
        out.append((cp if ok else None, i, j))
        i = j
    return out


def _check_encoding_name(enc: str, op_name: str):
    if _norm(enc) == "utf8":
        return
    try:
        codecs.lookup(enc)
    except LookupError:
        raise kernel_msg(op_name, f"Could not create converter for input encoding: {enc}") \
            from None


def _norm(enc: str) -> str:
    return enc.lower().replace("-", "").replace("_", "")


def decode_one(b: bytes, enc: str, errors: str, repl: int, ctrl: bool, op_name: str):
    """Code points and byte offsets of one string."""
    if _norm(enc) == "utf8":
        chars = utf8_chars(b)
    else:
        # Note: non-UTF-8 input encodings use Python's codecs (TF uses ICU); offsets count
        # code units of the input.
        chars = []
        dec = codecs.getincrementaldecoder(enc)(errors="replace" if errors != "strict"
                                                else "strict")
        pos = 0
        try:
            for k in range(len(b)):
                for ch in dec.decode(b[k:k + 1], final=k == len(b) - 1):
                    chars.append((ord(ch) if ch != "\ufffd" else None, pos, k + 1))
                    pos = k + 1
            if not b:
                dec.decode(b"", final=True)
        except UnicodeDecodeError:
            raise kernel_msg(op_name, "Invalid formatting on input string") from None
    cps, offs = [], []
    for cp, start, _ in chars:
        if cp is None:
            if errors == "strict":
                raise kernel_msg(op_name, "Invalid formatting on input string")
            if errors == "ignore":
                continue
            cp = repl
        elif ctrl and cp < 0x20:
            cp = repl
        cps.append(cp)
        offs.append(start)
    return cps, offs


def _check_decode_args(errors, repl, op_name="UnicodeDecode"):
    if errors not in _ERRORS:
        raise attr_error(op_name, "errors", errors, _ERRORS, *_DECODE_SIG.split("; ", 1))
    if not 0 <= repl <= 0x10FFFF:
        raise kernel_msg(op_name, "replacement_char out of unicode codepoint range")


def _decode(input, input_encoding, errors, replacement_char, replace_control_characters,
            with_offsets, op_name="UnicodeDecode"):
    from .._ragged import _util as u
    from .._ragged.ragged_tensor import RaggedTensor
    if is_ragged(input):
        res = _decode(input.flat_values, input_encoding, errors, replacement_char,
                      replace_control_characters, with_offsets, op_name)
        if with_offsets:
            return tuple(input.with_flat_values(r) for r in res)
        return input.with_flat_values(res)
    t = string_input(input, op_name)
    _check_decode_args(errors, replacement_char, op_name)
    _check_encoding_name(input_encoding, op_name)
    arr = t._v
    flat = arr.reshape(-1)
    all_cps, all_offs, lengths = [], [], []
    for b in flat:
        cps, offs = decode_one(b, input_encoding, errors, replacement_char,
                               replace_control_characters, op_name)
        all_cps.extend(cps)
        all_offs.extend(offs)
        lengths.append(len(cps))
    cps_t = convert_to_tensor(np.asarray(all_cps, dtype=np.int32))
    offs_t = convert_to_tensor(np.asarray(all_offs, dtype=np.int64))
    if arr.ndim == 0:
        return (cps_t, offs_t) if with_offsets else cps_t
    splits = u.splits_tensor(u.lengths_to_splits(np.asarray(lengths, np.int64)), _d.int64)

    def wrap(values):
        rt = RaggedTensor.from_row_splits(values, splits, validate=False)
        for d in reversed(arr.shape[1:]):
            rt = RaggedTensor.from_uniform_row_length(rt, d, validate=False)
        return rt
    return (wrap(cps_t), wrap(offs_t)) if with_offsets else wrap(cps_t)


def unicode_decode(input, input_encoding, errors="replace", replacement_char=65533,
                   replace_control_characters=False, name=None):
    """Code points of each string; rank-N input gives a rank N+1 RaggedTensor.

    >>> import tftape as tf
    >>> tf.strings.unicode_decode(["Hi", "é"], "UTF-8")
    <tf.RaggedTensor [[72, 105], [233]]>
    """
    return _decode(input, input_encoding, errors, replacement_char,
                   replace_control_characters, False)


def unicode_decode_with_offsets(input, input_encoding, errors="replace",
                                replacement_char=65533, replace_control_characters=False,
                                name=None):
    """Code points and the byte offset where each character starts."""
    return _decode(input, input_encoding, errors, replacement_char,
                   replace_control_characters, True)


def _valid_cp(cp: int) -> bool:
    return 0 <= cp <= 0x10FFFF and not 0xD800 <= cp <= 0xDFFF


def encode_cps(cps, enc: str, errors: str, repl: int, op_name: str) -> bytes:
    chars = []
    for cp in cps:
        cp = int(cp)
        if not _valid_cp(cp):
            if errors == "strict":
                raise kernel_msg(op_name, "Code point is out of range for Unicode, or is a "
                                          "surrogate.")
            if errors == "ignore":
                continue
            cp = repl
        chars.append(chr(cp))
    codec = {"UTF-8": "utf-8", "UTF-16-BE": "utf-16-be", "UTF-32-BE": "utf-32-be"}[enc]
    return "".join(chars).encode(codec)


_ENCODE_SIG = ("input_values:int32, input_splits:Tsplits -> output:string",
               "attr=errors:string,default=\"replace\",allowed=[\"ignore\", \"replace\", "
               "\"strict\"]; attr=output_encoding:string,allowed=[\"UTF-8\", \"UTF-16-BE\", "
               "\"UTF-32-BE\"]; attr=replacement_char:int,default=65533; attr=Tsplits:type,"
               "default=DT_INT64,allowed=[DT_INT32, DT_INT64]")


def unicode_encode(input, output_encoding, errors="replace", replacement_char=65533,
                   name=None):
    """Encodes rows of code points (a Tensor or RaggedTensor) as strings.

    >>> import tftape as tf
    >>> tf.strings.unicode_encode([72, 105], "UTF-8")
    <tf.Tensor: shape=(), dtype=string, numpy=b'Hi'>
    """
    from .._ragged.ragged_tensor import RaggedTensor
    if output_encoding not in _OUT_ENCODINGS:
        raise attr_error("UnicodeEncode", "output_encoding", output_encoding, _OUT_ENCODINGS,
                         *_ENCODE_SIG)
    if errors not in _ERRORS:
        raise attr_error("UnicodeEncode", "errors", errors, ("ignore", "replace", "strict"),
                         *_ENCODE_SIG)
    if isinstance(input, RaggedTensor):
        if input.ragged_rank > 1:
            return input.with_values(unicode_encode(input.values, output_encoding, errors,
                                                    replacement_char))
        if input.flat_values.ndim > 1:
            return input.with_values(unicode_encode(input.values, output_encoding, errors,
                                                    replacement_char))
        vals = _int32(input.flat_values)
        splits = np.asarray(input.row_splits._v)
        out = [encode_cps(vals[a:b], output_encoding, errors, replacement_char,
                          "UnicodeEncode") for a, b in zip(splits[:-1], splits[1:])]
        return new_string(obj_array(out))
    t = input if isinstance(input, Tensor) else convert_to_tensor(input)
    if t.ndim == 0:
        raise ValueError("input_tensor's rank must be at least 1.")
    vals = _int32(t)
    rows = vals.reshape(-1, vals.shape[-1]) if vals.size or vals.ndim else vals
    out = np.empty(rows.shape[0], dtype=object)
    for i, row in enumerate(rows):
        out[i] = encode_cps(row, output_encoding, errors, replacement_char, "UnicodeEncode")
    return new_string(out.reshape(vals.shape[:-1]))


def _int32(t: Tensor) -> np.ndarray:
    if t.dtype is not _d.int32:
        raise op_error("UnicodeEncode", f"cannot compute UnicodeEncode as input #0(zero-based) "
                                        f"was expected to be a int32 tensor but is a "
                                        f"{_d.TF_TYPE_NAMES[t.dtype]} tensor")
    return np.asarray(t._v)


def unicode_split(input, input_encoding, errors="replace", replacement_char=65533, name=None):
    """Splits each string into its characters (as UTF-8 strings)."""
    return _split(input, input_encoding, errors, replacement_char, False)


def unicode_split_with_offsets(input, input_encoding, errors="replace",
                               replacement_char=65533, name=None):
    """Splits each string into characters, with the byte offset of each."""
    return _split(input, input_encoding, errors, replacement_char, True)


def _split(input, input_encoding, errors, replacement_char, with_offsets):
    res = _decode(input, input_encoding, errors, replacement_char, False, with_offsets)
    cps = res[0] if with_offsets else res
    flat = cps.flat_values if is_ragged(cps) else cps
    chars = new_string(obj_array([encode_cps([c], "UTF-8", "replace", 65533, "UnicodeEncode")
                                  for c in np.asarray(flat._v).reshape(-1)]))
    out = cps.with_flat_values(chars) if is_ragged(cps) else chars
    return (out, res[1]) if with_offsets else out


_TRANSCODE_SIG = ("input:string -> output:string",
                  "attr=input_encoding:string; attr=output_encoding:string,allowed=[\"UTF-8\", "
                  "\"UTF-16-BE\", \"UTF-32-BE\"]; attr=errors:string,default=\"replace\","
                  "allowed=[\"strict\", \"replace\", \"ignore\"]; attr=replacement_char:int,"
                  "default=65533; attr=replace_control_characters:bool,default=false")


def unicode_transcode(input, input_encoding, output_encoding, errors="replace",
                      replacement_char=65533, replace_control_characters=False, name=None):
    """Re-encodes strings from ``input_encoding`` to ``output_encoding``."""
    if is_ragged(input):
        return input.with_flat_values(unicode_transcode(
            input.flat_values, input_encoding, output_encoding, errors, replacement_char,
            replace_control_characters))
    op_name = "UnicodeTranscode"
    t = string_input(input, op_name)
    if output_encoding not in _OUT_ENCODINGS:
        raise attr_error(op_name, "output_encoding", output_encoding, _OUT_ENCODINGS,
                         *_TRANSCODE_SIG, name_suffix=False)
    if errors not in _ERRORS:
        raise attr_error(op_name, "errors", errors, _ERRORS, *_TRANSCODE_SIG,
                         name_suffix=False)
    _check_encoding_name(input_encoding, op_name)
    out = np.empty(t._v.shape, dtype=object)
    flat_in, flat_out = t._v.reshape(-1), out.reshape(-1)
    for i, b in enumerate(flat_in):
        cps, _ = decode_one(b, input_encoding, errors, replacement_char,
                            replace_control_characters, op_name)
        flat_out[i] = encode_cps(cps, output_encoding, "replace", replacement_char, op_name)
    return new_string(out)


def obj_array(items) -> np.ndarray:
    """A 1-D object array of the given bytes (np.asarray would try to nest them)."""
    out = np.empty(len(items), dtype=object)
    for i, x in enumerate(items):
        out[i] = x
    return out


def utf8_len(b: bytes) -> int:
    """TF's UTF8_CHAR length: the bytes that are not continuation bytes."""
    return sum(1 for c in b if c & 0xC0 != 0x80)


def utf8_boundaries(b: bytes) -> list:
    """Byte offsets where characters start (non-continuation bytes), then len(b)."""
    return [i for i, c in enumerate(b) if c & 0xC0 != 0x80] + [len(b)]


def make_int32(arr) -> Tensor:
    import jax.numpy as jnp
    return make(jnp.asarray(np.asarray(arr, dtype=np.int32)), _d.int32)

"""``tf.train.Example`` and its parts as small protobuf messages (no protobuf dependency).

The wire format is protobuf's: ``Example{1: Features}``, ``Features{1: map<string, Feature>}``,
``Feature{oneof 1: BytesList, 2: FloatList, 3: Int64List}``, lists with packed values.
"""
from __future__ import annotations

import math
import operator
import struct

import numpy as np

from ..train import _proto


class DecodeError(Exception):
    """A serialized message that does not parse (protobuf's ``DecodeError``)."""


def _corrupt(cls):
    return DecodeError(f"Error parsing message with type 'tensorflow.{cls.__name__}': "
                       "Wire format was corrupt")


def _escape(b: bytes) -> str:
    out = []
    for c in b:
        ch = chr(c)
        if ch in "\"'\\":
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif 32 <= c < 127:
            out.append(ch)
        else:
            out.append(f"\\{c:03o}")
    return "".join(out)


def _float_text(v: float) -> str:
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    f32 = np.float32(v)
    s = "%.6g" % f32
    if np.float32(float(s)) != f32:
        s = "%.9g" % f32
    return s


class _Message:
    _FIELDS: tuple = ()

    def __eq__(self, other):
        return type(other) is type(self) and self._canon() == other._canon()

    def _canon(self):
        return self.SerializeToString()

    def __ne__(self, other):
        return not self == other

    __hash__ = None

    @classmethod
    def FromString(cls, data: bytes):  # noqa: N802 - protobuf's name
        m = cls()
        m.ParseFromString(data)
        return m

    def ParseFromString(self, data) -> int:  # noqa: N802
        try:
            fields = _proto.parse(bytes(data))
            self.Clear()
            self._from_fields(fields)
        except (ValueError, IndexError, struct.error):
            raise _corrupt(type(self)) from None
        return len(data)

    def MergeFromString(self, data) -> int:  # noqa: N802
        return self.ParseFromString(self.SerializeToString() + bytes(data))

    def CopyFrom(self, other):  # noqa: N802
        self.ParseFromString(other.SerializeToString())

    def ByteSize(self) -> int:  # noqa: N802
        return len(self.SerializeToString())

    def __str__(self):
        return "".join(line + "\n" for line in self._text())

    def __repr__(self):
        return str(self)

    def __reduce__(self):
        return (type(self).FromString, (self.SerializeToString(),))


class _List(_Message):
    _conv = None

    def __init__(self, value=()):
        self.value = [type(self)._conv(v) for v in value]

    def Clear(self):  # noqa: N802
        self.value = []

    def _text(self):
        return [f"value: {self._fmt(v)}" for v in self._checked()]

    def _checked(self):
        return [type(self)._conv(v) for v in self.value]


def _as_bytes(v):
    if isinstance(v, (bytes, bytearray, memoryview, np.bytes_)):
        return bytes(v)
    raise TypeError(f"expected bytes, {type(v).__name__} found")


def _as_float(v):
    if isinstance(v, (str, bytes)):
        raise TypeError(f"must be real number, not {type(v).__name__}")
    return float(v)


class BytesList(_List):
    """``tf.train.BytesList``: repeated bytes ``value``."""
    _conv = staticmethod(_as_bytes)
    _fmt = staticmethod(lambda v: '"' + _escape(v) + '"')

    def SerializeToString(self) -> bytes:  # noqa: N802
        w = _proto.Writer()
        for v in self._checked():
            w.bytes(1, v, skip_default=False)
        return w.finish()

    def _from_fields(self, fields):
        self.value = [v for v in fields.get(1, []) if isinstance(v, bytes)]


class FloatList(_List):
    """``tf.train.FloatList``: repeated float ``value`` (float32 on the wire)."""
    _conv = staticmethod(_as_float)
    _fmt = staticmethod(_float_text)

    def SerializeToString(self) -> bytes:  # noqa: N802
        vals = self._checked()
        if not vals:
            return b""
        return _proto.Writer().bytes(1, np.asarray(vals, "<f4").tobytes()).finish()

    def _from_fields(self, fields):
        out = []
        for v in fields.get(1, []):
            if isinstance(v, bytes):
                if len(v) % 4:
                    raise ValueError("bad packed floats")
                out.extend(np.frombuffer(v, "<f4").astype(float).tolist())
            else:
                out.append(struct.unpack("<f", struct.pack("<I", v))[0])
        self.value = out


class Int64List(_List):
    """``tf.train.Int64List``: repeated int64 ``value``."""
    _conv = staticmethod(operator.index)
    _fmt = staticmethod(str)

    def SerializeToString(self) -> bytes:  # noqa: N802
        vals = self._checked()
        if not vals:
            return b""
        return _proto.Writer().bytes(1, b"".join(_proto.encode_varint(v) for v in vals)) \
            .finish()

    def _from_fields(self, fields):
        out = []
        for v in fields.get(1, []):
            if isinstance(v, bytes):
                pos = 0
                while pos < len(v):
                    n, pos = _proto.decode_varint(v, pos)
                    out.append(_proto.signed64(n))
            else:
                out.append(_proto.signed64(v))
        self.value = out


_KINDS = (("bytes_list", BytesList, 1), ("float_list", FloatList, 2),
          ("int64_list", Int64List, 3))


class Feature(_Message):
    """``tf.train.Feature``: one of ``bytes_list``, ``float_list``, ``int64_list``."""

    def __init__(self, bytes_list=None, float_list=None, int64_list=None):
        self._kind = None
        self._val = None
        for name, val in (("bytes_list", bytes_list), ("float_list", float_list),
                          ("int64_list", int64_list)):
            if val is not None:
                self._set(name, val)

    def _set(self, name, val):
        cls = dict((n, c) for n, c, _ in _KINDS)[name]
        if not isinstance(val, cls):
            raise TypeError("Parameter to CopyFrom() must be instance of same class: expected "
                            f"tensorflow.{cls.__name__} got {type(val).__name__}.")
        self._kind, self._val = name, val

    def __getattr__(self, name):
        for n, cls, _ in _KINDS:
            if n == name:
                if self._kind == name:
                    return self._val
                # Note: reading an unset oneof member gives an empty message, as protobuf.
                self._kind, self._val = name, cls()
                return self._val
        raise AttributeError(name)

    def __setattr__(self, name, value):
        if name in ("bytes_list", "float_list", "int64_list"):
            raise AttributeError(f"Assignment not allowed to message field \"{name}\" in "
                                 "protocol message object.")
        object.__setattr__(self, name, value)

    def WhichOneof(self, group):  # noqa: N802
        if group != "kind":
            raise ValueError(f'Protocol message has no oneof "{group}" field.')
        return self._kind

    def HasField(self, name):  # noqa: N802
        return self._kind == name

    def Clear(self):  # noqa: N802
        self._kind = self._val = None

    def SerializeToString(self) -> bytes:  # noqa: N802
        if self._kind is None:
            return b""
        num = {n: f for n, _, f in _KINDS}[self._kind]
        return _proto.Writer().bytes(num, self._val.SerializeToString(), skip_default=False) \
            .finish()

    def _from_fields(self, fields):
        for n, cls, num in _KINDS:
            if num in fields:
                m = cls()
                for raw in fields[num]:
                    sub = cls()
                    sub._from_fields(_proto.parse(raw))
                    m.value.extend(sub.value)
                self._kind, self._val = n, m

    def _text(self):
        if self._kind is None:
            return []
        return [f"{self._kind} {{"] + ["  " + x for x in self._val._text()] + ["}"]


class Features(_Message):
    """``tf.train.Features``: ``feature``, a map from names to :class:`Feature`."""

    def __init__(self, feature=None):
        self.feature = {}
        for k, v in (feature or {}).items():
            if not isinstance(v, Feature):
                raise TypeError("Parameter to CopyFrom() must be instance of same class: "
                                "expected tensorflow.Feature got "
                                f"{type(v).__name__}.")
            self.feature[str(k)] = v

    def Clear(self):  # noqa: N802
        self.feature = {}

    def _canon(self):
        # Map entries compare as a set (their wire order is unspecified).
        return sorted((k, v.SerializeToString()) for k, v in self.feature.items())

    def SerializeToString(self) -> bytes:  # noqa: N802
        # Note: protobuf leaves the order of map entries unspecified; tftape writes them in
        # insertion order (TF's order differs, the parsed messages are equal).
        w = _proto.Writer()
        for k, v in self.feature.items():
            w.message(1, _proto.Writer().bytes(1, k).bytes(2, v.SerializeToString(),
                                                           skip_default=False))
        return w.finish()

    def _from_fields(self, fields):
        for raw in fields.get(1, []):
            e = _proto.parse(raw)
            k = _proto.first(e, 1, b"").decode("utf-8")
            f = Feature()
            f._from_fields(_proto.parse(_proto.first(e, 2, b"")))
            self.feature[k] = f

    def _text(self):
        out = []
        for k, v in self.feature.items():
            out += ["feature {", f'  key: "{_escape(k.encode())}"', "  value {"]
            out += ["    " + x for x in v._text()] + ["  }", "}"]
        return out


class Example(_Message):
    """``tf.train.Example``: ``features``, a :class:`Features`.

    >>> import tftape as tf
    >>> ex = tf.train.Example(features=tf.train.Features(feature={
    ...     "x": tf.train.Feature(int64_list=tf.train.Int64List(value=[7]))}))
    >>> ex.SerializeToString()
    b'\\n\\x0c\\n\\n\\n\\x01x\\x12\\x05\\x1a\\x03\\n\\x01\\x07'
    """

    def __init__(self, features=None):
        self._features = features

    @property
    def features(self) -> Features:
        if self._features is None:
            self._features = Features()
        return self._features

    def HasField(self, name):  # noqa: N802
        return name == "features" and self._features is not None

    def _canon(self):
        return None if self._features is None else self._features._canon()

    def Clear(self):  # noqa: N802
        self._features = None

    def SerializeToString(self) -> bytes:  # noqa: N802
        if self._features is None:
            return b""
        return _proto.Writer().bytes(1, self._features.SerializeToString(),
                                     skip_default=False).finish()

    def _from_fields(self, fields):
        if 1 in fields:
            f = Features()
            for raw in fields[1]:
                f._from_fields(_proto.parse(raw))
            self._features = f

    def _text(self):
        if self._features is None:
            return []
        return ["features {"] + ["  " + x for x in self._features._text()] + ["}"]

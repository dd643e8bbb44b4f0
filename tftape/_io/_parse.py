"""``tf.io.parse_example`` / ``parse_single_example`` with Fixed- and VarLenFeature."""
from __future__ import annotations

import collections

import numpy as np

from .._core import dtypes as _d
from .._core.errors import InvalidArgumentError
from .._core.tensor import constant
from ._common import error, host_strings, string_tensor
from ._example import DecodeError, Example

FixedLenFeature = collections.namedtuple("FixedLenFeature", ["shape", "dtype", "default_value"])
FixedLenFeature.__new__.__defaults__ = (None,)
FixedLenFeature.__doc__ = "A dense feature of a fixed ``shape`` (``default_value`` if missing)."
VarLenFeature = collections.namedtuple("VarLenFeature", ["dtype"])
VarLenFeature.__doc__ = "A variable-length feature, parsed into a ``SparseTensor``."

_KIND = {_d.int64: "int64_list", _d.float32: "float_list", _d.string: "bytes_list"}
_ACTUAL = {"int64_list": "int64", "float_list": "float", "bytes_list": "string"}
_TNAME = {_d.int64: "int64", _d.float32: "float", _d.string: "bytes"}
_OPDEF = (
    "\n\t; NodeDef: {{node ParseExampleV2}}; Op<name=ParseExampleV2; signature=serialized:string, "
    "names:string, sparse_keys:string, dense_keys:string, ragged_keys:string, dense_defaults: -> "
    "sparse_indices:num_sparse*int64, sparse_values:, sparse_shapes:num_sparse*int64, "
    "dense_values:, ragged_values:, ragged_row_splits:; attr=Tdense:list(type),min=0,allowed="
    "[DT_FLOAT, DT_INT64, DT_STRING]; attr=num_sparse:int,min=0; attr=sparse_types:list(type),"
    "min=0,allowed=[DT_FLOAT, DT_INT64, DT_STRING]; attr=ragged_value_types:list(type),min=0,"
    "allowed=[DT_FLOAT, DT_INT64, DT_STRING]; attr=ragged_split_types:list(type),min=0,allowed="
    "[DT_INT32, DT_INT64]; attr=dense_shapes:list(shape),min=0> [Op:ParseExampleV2]")


def _np_values(feature, dtype):
    if feature is None or feature.WhichOneof("kind") is None:
        return None
    return getattr(feature, feature.WhichOneof("kind")).value, feature.WhichOneof("kind")


def _params(features):
    if not features:
        raise ValueError("Invalid argument: features cannot be empty.")
    sparse, dense = [], []
    for key in sorted(features):
        f = features[key]
        if isinstance(f, VarLenFeature):
            sparse.append((key, _d.as_dtype(f.dtype)))
        elif isinstance(f, FixedLenFeature):
            if f.shape is None:
                raise ValueError(f"Missing shape for feature {key}. Received feature={f!r}.")
            dense.append((key, _d.as_dtype(f.dtype), [int(d) for d in f.shape], f.default_value))
        else:
            raise ValueError(f"Unsupported {type(f).__name__} {f} for key '{key}'")
    for key, dt, shape, default in dense:
        if default is not None and dt in _KIND:
            _default(default, dt, shape)
    for attr, items in (("Tdense", dense), ("sparse_types", sparse)):
        for it in items:
            if it[1] not in _KIND:
                raise InvalidArgumentError(None, None, (
                    f"Value for attr '{attr}' of {_d.TF_TYPE_NAMES[it[1]]} is not in the list of "
                    f"allowed values: float, int64, string{_OPDEF}"))
    return sparse, dense


def _default(default, dt, shape):
    """The default value, flat; TF's reshape error when it does not fill ``shape``."""
    if dt == _d.string:
        d = host_strings(default, "ParseExampleV2").reshape(-1)
    else:
        d = np.asarray(default, dtype=dt._np).reshape(-1)
    if d.size != (int(np.prod(shape)) if shape else 1):
        from .._ops.array_ops import reshape
        reshape(_tensor(d, dt), shape)
    return d


def _array(values, dtype):
    if dtype == _d.string:
        a = np.empty(len(values), dtype=object)
        a[:] = [bytes(v) for v in values]
        return a
    return np.asarray(values, dtype=dtype._np)


def _tensor(a, dtype):
    return string_tensor(a) if dtype == _d.string else constant(a, dtype=dtype)


def _parse(serialized, features, batched_input):
    sparse, dense = _params(features)
    recs = host_strings(serialized, "ParseExampleV2")
    wrapped = (f"ParseExampleV2_Tdense_{len(dense)}_num_sparse_{len(sparse)}_ragged_split_types_"
               f"0_ragged_value_types_0_sparse_types_{len(sparse)}")

    def err(msg):
        return error("ParseExampleV2", msg, name=None, wrapped=wrapped)

    if recs.ndim > 1:
        raise err(f"Expected serialized to be a scalar or vector, got shape: "
                  f"[{','.join(str(d) for d in recs.shape)}]")
    single = recs.ndim == 0
    examples = []
    for r in recs.reshape(-1):
        try:
            examples.append(Example.FromString(r).features.feature)
        except DecodeError:
            raise err("Could not parse example input, value: '" +
                      r.decode("utf-8", "replace") + "'") from None
    prefix = "" if single else "Name: <unknown>, "
    out = {}
    for key, dt, in sparse:
        rows = []
        for i, feat in enumerate(examples):
            got = _np_values(feat.get(key), dt)
            if got is None:
                rows.append([])
                continue
            vals, kind = got
            if kind != _KIND[dt]:
                raise err(f"Key: {key}.  Data types don't match. Expected type: "
                          f"{_d.TF_TYPE_NAMES[dt]}, Actual type: {_ACTUAL[kind]}")
            rows.append(list(vals))
        from .._sparse.sparse_tensor import SparseTensor
        vals = _array([v for row in rows for v in row], dt)
        if single:
            idx = np.arange(len(rows[0]), dtype=np.int64).reshape(-1, 1)
            shape = [len(rows[0])]
        else:
            idx = np.array([[i, j] for i, row in enumerate(rows) for j in range(len(row))],
                           dtype=np.int64).reshape(-1, 2)
            shape = [len(rows), max((len(r) for r in rows), default=0)]
        out[key] = SparseTensor(constant(idx, dtype=_d.int64), _tensor(vals, dt),
                                constant(np.asarray(shape, np.int64), dtype=_d.int64))
    for key, dt, shape, default in dense:
        n = int(np.prod(shape)) if shape else 1
        rows = []
        for i, feat in enumerate(examples):
            got = _np_values(feat.get(key), dt)
            if got is None:
                if default is None:
                    raise err(f"{prefix}Feature: {key} (data type: {_d.TF_TYPE_NAMES[dt]}) is "
                              "required but could not be found.")
                rows.append(list(_default(default, dt, shape)))
                continue
            vals, kind = got
            if kind != _KIND[dt]:
                raise err(f"Key: {key}.  Data types don't match. Data type: {_ACTUAL[kind]} but "
                          f"expected type: {_d.TF_TYPE_NAMES[dt]}")
            if len(vals) != n:
                if single:
                    what = ("Parsing bytes_list failed." if dt == _d.string and len(vals) > n
                            else f"Some {kind} slice was not parsed.")
                    raise err(f"Key: {key}.  Can't parse serialized Example: {what}")
                raise err(f"Name: <unknown>, Key: {key}, Index: {i}.  Number of {_TNAME[dt]} "
                          f"values != expected.  Values size: {len(vals)} but output shape: "
                          f"[{','.join(str(d) for d in shape)}]")
            rows.append(list(vals))
        a = _array([v for row in rows for v in row], dt)
        out[key] = _tensor(a.reshape(shape if single else [len(rows)] + shape), dt)
    return out


def parse_single_example(serialized, features, example_names=None, name=None) -> dict:
    """Parses one serialized ``tf.train.Example`` (a scalar string).

    >>> import tftape as tf
    >>> ex = tf.train.Example(features=tf.train.Features(feature={
    ...     "x": tf.train.Feature(int64_list=tf.train.Int64List(value=[7, 8]))}))
    >>> tf.io.parse_single_example(ex.SerializeToString(),
    ...                            {"x": tf.io.FixedLenFeature([2], tf.int64)})["x"].numpy()
    array([7, 8])
    """
    if host_strings(serialized, "ParseExampleV2").ndim != 0:
        raise ValueError("Input serialized must be a scalar")
    return _parse(serialized, features, False)


def parse_example(serialized, features, example_names=None, name=None) -> dict:
    """Parses a vector of serialized ``tf.train.Example``: dense features gain a batch axis,
    VarLen ones become ``[batch, max_len]`` SparseTensors."""
    return _parse(serialized, features, True)

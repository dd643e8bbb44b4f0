"""Feature crosses: ``tf.sparse.cross``/``cross_hashed`` (and the shared core that
``tf.ragged.cross``/``cross_hashed`` use).

Each input gives, per batch row, a list of features (bytes or int64). A row's crosses are the
Cartesian product of its features, the last input varying fastest, either joined with a
separator (string features; an int64 is written in decimal) or hashed as TF's kernels do:
``FingerprintCat64`` chained from ``hash_key`` over each feature's hash (FarmHash Fingerprint64
for a string, the value itself for an int64), modulo ``num_buckets`` (or 2**63 - 1).
"""
from __future__ import annotations

import itertools

import numpy as np

from .._core import dtypes as _d
from .._core.errors import InvalidArgumentError, int_attr, kernel_error
from .._core.tensor import Tensor, make_string
from .._ops import math_ops
from .._ops._util import fmt_shape
from .._core import farmhash as _farmhash
from .sparse_ops import host, int64, shape_of
from .sparse_tensor import SparseTensor

DEFAULT_HASH_KEY = 0xDECAFCAFFE
_INT64_MAX = 2**63 - 1


def as_feature_tensor(t: Tensor) -> Tensor:
    """TF's cast of a non-string input to int64."""
    return t if t.dtype in (_d.string, _d.int64) else math_ops.cast(t, _d.int64)


def sparse_rows(sp: SparseTensor, batch: int) -> list:
    """The features of each batch row of a 2-D SparseTensor (in index order)."""
    vals = host(as_feature_tensor(sp.values)).tolist()
    rows = [[] for _ in range(batch)]
    for r, v in zip(host(sp.indices)[:, 0].tolist(), vals):
        if 0 <= r < batch:
            rows[r].append(v)
    return rows


def dense_rows(t: Tensor) -> list:
    return host(as_feature_tensor(t)).tolist()


def cross_values(columns: list, hashed: bool, num_buckets: int, hash_key: int,
                 separator: bytes) -> list:
    """Per batch row, the list of crosses of ``columns`` (each a list of per-row features)."""
    batch = len(columns[0]) if columns else 0
    out = []
    mod = num_buckets if num_buckets > 0 else _INT64_MAX
    key = hash_key & (2**64 - 1)
    for b in range(batch):
        feats = [c[b] for c in columns]
        row = []
        for combo in itertools.product(*feats):
            if hashed:
                h = key
                for f in combo:
                    fh = _farmhash.fingerprint64(f) if isinstance(f, bytes) else f & (2**64 - 1)
                    h = _farmhash.fingerprint_cat64(h, fh)
                row.append(h % mod)
            else:
                row.append(separator.join(f if isinstance(f, bytes) else str(f).encode()
                                          for f in combo))
        out.append(row)
    return out


def num_buckets_error(op_name: str, n: int, signature: str) -> InvalidArgumentError:
    return InvalidArgumentError(None, None, (
        f"Value for attr 'num_buckets' of {n} must be at least minimum 0\n\t; NodeDef: "
        f"{{{{node {op_name}}}}}; Op<name={op_name}; signature={signature}> [Op:{op_name}] "
        f"name: "))


_SPARSE_CROSS_SIG = (
    "indices:N*int64, values:, shapes:N*int64, dense_inputs: -> output_indices:int64, "
    "output_values:out_type, output_shape:int64; attr=N:int,min=0; attr=hashed_output:bool; "
    "attr=num_buckets:int,min=0; attr=hash_key:int; attr=sparse_types:list(type),min=0,"
    "allowed=[DT_INT64, DT_STRING]; attr=dense_types:list(type),min=0,allowed=[DT_INT64, "
    "DT_STRING]; attr=out_type:type,allowed=[DT_INT64, DT_STRING]; attr=internal_type:type,"
    "allowed=[DT_INT64, DT_STRING]")


def _sparse_cross(inputs, hashed: bool, num_buckets: int, hash_key: int, separator,
                  type_message: str) -> SparseTensor:
    if not isinstance(inputs, (tuple, list)):
        raise TypeError("Inputs must be a list")
    if not all(isinstance(i, (SparseTensor, Tensor)) for i in inputs):
        raise TypeError(type_message)
    sparse = [i for i in inputs if isinstance(i, SparseTensor)]
    dense = [i for i in inputs if not isinstance(i, SparseTensor)]
    op_name = "SparseCross" if hashed else "SparseCrossV2"
    if hashed and num_buckets < 0:
        raise num_buckets_error(op_name, num_buckets, _SPARSE_CROSS_SIG)
    wrapped = f"{op_name}_N_{len(sparse)}_dense_types_{len(dense)}_sparse_types_{len(sparse)}"

    def fail(msg):
        return kernel_error(op_name, msg, wrapped=wrapped)

    for i, sp in enumerate(sparse):
        if sp.indices.shape[1] != 2:
            raise fail(f"Expected D2 of index to be 2 got {sp.indices.shape[1]} at position {i}")
    for i, d in enumerate(dense):
        if d.ndim != 2:
            raise fail(f"Dense inputs should be a matrix but received shape "
                       f"{fmt_shape(tuple(d.shape.as_list()))} at position {i}")
    if not inputs:
        return SparseTensor(int64(np.zeros((0, 2), np.int64)),
                            int64([]) if hashed else make_string(np.zeros(0, object)),
                            int64([0, 0]))
    batch = shape_of(sparse[0])[0] if sparse else int(dense[0].shape[0])
    for i, sp in enumerate(sparse):
        if shape_of(sp)[0] != batch:
            raise fail(f"Expected batch size {batch} got {shape_of(sp)[0]} at position {i}")
    for i, d in enumerate(dense):
        if int(d.shape[0]) != batch:
            raise fail(f"Expected batch size {batch} got {int(d.shape[0])} at dense tensor {i}")
    columns = [sparse_rows(sp, batch) for sp in sparse] + [dense_rows(d) for d in dense]
    rows = cross_values(columns, hashed, num_buckets, hash_key, separator)
    idx = [(b, j) for b, row in enumerate(rows) for j in range(len(row))]
    flat = [v for row in rows for v in row]
    width = max((len(r) for r in rows), default=0)
    values = int64(flat) if hashed else make_string(np.asarray(flat + [b""], object)[:-1])
    return SparseTensor(int64(np.asarray(idx, np.int64).reshape(-1, 2)), values,
                        int64([batch, width]))


def cross(inputs, name=None, separator=None) -> SparseTensor:
    """String crosses of sparse and dense 2-D features (``tf.sparse.cross``).

    SparseTensor inputs come first in the cross, then dense ones.

    >>> import tftape as tf
    >>> st = tf.SparseTensor(indices=[[0, 0], [0, 1]], values=["a", "b"], dense_shape=[1, 2])
    >>> tf.sparse.cross([st, tf.constant([["x"]])]).values.numpy()
    array([b'a_X_x', b'b_X_x'], dtype=object)
    """
    sep = "_X_" if separator is None else separator
    sep = sep.encode() if isinstance(sep, str) else bytes(sep)
    return _sparse_cross(inputs, False, 0, 0, sep, "All inputs must be Tensor or SparseTensor.")


def cross_hashed(inputs, num_buckets=0, hash_key=None, name=None) -> SparseTensor:
    """Hashed crosses of sparse and dense 2-D features (``tf.sparse.cross_hashed``).

    >>> import tftape as tf
    >>> st = tf.SparseTensor(indices=[[0, 0], [0, 1]], values=["a", "b"], dense_shape=[1, 2])
    >>> tf.sparse.cross_hashed([st, tf.constant([["x"]])], num_buckets=100).values.numpy()
    array([92,  4])
    """
    return _sparse_cross(inputs, True, int_attr(num_buckets, "num_buckets"),
                         int(hash_key or DEFAULT_HASH_KEY),
                         b"", "All inputs must be SparseTensors")

"""``tf.ragged.cross`` and ``cross_hashed``: feature crosses of ragged, sparse and dense 2-D
inputs, kept in the given order (the kernel is shared with ``tf.sparse.cross``)."""
from __future__ import annotations

import numpy as np

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._core.errors import kernel_error
from .._core.tensor import Tensor, make_string
from .._ops import math_ops
from .._sparse import sparse_cross as _sc
from .._sparse.sparse_ops import shape_of
from .._sparse.sparse_tensor import SparseTensor
from . import _util as _u
from .ragged_tensor import RaggedTensor

_SIG = (
    "ragged_values:, ragged_row_splits:, sparse_indices:Nsparse*int64, sparse_values:, "
    "sparse_shape:Nsparse*int64, dense_inputs: -> output_values:out_values_type, "
    "output_row_splits:out_row_splits_type; attr=Nsparse:int,min=0; attr=input_order:string; "
    "attr=hashed_output:bool; attr=num_buckets:int,min=0; attr=hash_key:int; "
    "attr=ragged_values_types:list(type),min=0,allowed=[DT_INT64, DT_STRING]; "
    "attr=ragged_splits_types:list(type),min=0,allowed=[DT_INT32, DT_INT64]; "
    "attr=sparse_values_types:list(type),min=0,allowed=[DT_INT64, DT_STRING]; "
    "attr=dense_types:list(type),min=0,allowed=[DT_INT64, DT_STRING]; "
    "attr=out_values_type:type,allowed=[DT_INT64, DT_STRING]; "
    "attr=out_row_splits_type:type,allowed=[DT_INT32, DT_INT64]")


def _cross(inputs, hashed: bool, num_buckets: int, hash_key) -> RaggedTensor:
    if not isinstance(inputs, (tuple, list)):
        raise TypeError("Inputs must be a list")
    if hash_key is None:
        hash_key = _sc.DEFAULT_HASH_KEY
    items = []
    for i, t in enumerate(inputs):
        if not isinstance(t, (SparseTensor, RaggedTensor)):
            t = t if isinstance(t, Tensor) else convert_to_tensor(t)
        if t.dtype.is_integer:
            t = t.with_values(math_ops.cast(t.values, _d.int64)) if isinstance(t, SparseTensor) \
                else (t.with_flat_values(math_ops.cast(t.flat_values, _d.int64))
                      if isinstance(t, RaggedTensor) else math_ops.cast(t, _d.int64))
        elif t.dtype is not _d.string:
            raise ValueError(f"Unexpected dtype for inputs[{i}]: <dtype: '{t.dtype.name}'>")
        if isinstance(t, RaggedTensor) and t.ragged_rank != 1:
            raise ValueError("tf.ragged.cross only supports inputs with rank=2")
        items.append(t)
    ragged = [t for t in items if isinstance(t, RaggedTensor)]
    sparse = [t for t in items if isinstance(t, SparseTensor)]
    dense = [t for t in items if not isinstance(t, (RaggedTensor, SparseTensor))]
    if hashed and num_buckets < 0:
        raise _sc.num_buckets_error("RaggedCross", num_buckets, _SIG)
    wrapped = (f"RaggedCross_Nsparse_{len(sparse)}_dense_types_{len(dense)}_ragged_splits_types_"
               f"{len(ragged)}_ragged_values_types_{len(ragged)}_sparse_values_types_"
               f"{len(sparse)}")

    def fail(msg):
        return kernel_error("RaggedCross", msg, wrapped=wrapped)

    split_dt = _d.int32 if ragged and all(t.row_splits.dtype is _d.int32 for t in ragged) \
        else _d.int64
    if any(t.ndim != 2 for t in dense) or any(t.indices.shape[1] != 2 for t in sparse):
        raise fail("tf.ragged.cross only supports inputs with rank=2.")
    sizes = [int(t.nrows()) if isinstance(t, RaggedTensor) else
             (shape_of(t)[0] if isinstance(t, SparseTensor) else int(t.shape[0]))
             for t in items]
    if len(set(sizes)) > 1:
        raise fail("inputs must all have the same batch dimension size.")
    batch = sizes[0] if sizes else 0
    columns = []
    for t in items:
        if isinstance(t, RaggedTensor):
            vals = _u.host(t.values).tolist()
            s = _u.host(t.row_splits).tolist()
            columns.append([vals[s[b]:s[b + 1]] for b in range(batch)])
        elif isinstance(t, SparseTensor):
            columns.append(_sc.sparse_rows(t, batch))
        else:
            columns.append(_sc.dense_rows(t))
    rows = _sc.cross_values(columns, hashed, num_buckets, int(hash_key), b"_X_")
    flat = [v for row in rows for v in row]
    splits = np.concatenate([[0], np.cumsum([len(r) for r in rows], dtype=np.int64)])
    values = convert_to_tensor(np.asarray(flat, np.int64)) if hashed else \
        make_string(np.asarray(flat + [b""], object)[:-1])
    return RaggedTensor.from_row_splits(values, convert_to_tensor(splits.astype(split_dt._np)),
                                        validate=False)


def cross(inputs, name=None) -> RaggedTensor:
    """String crosses of ragged, sparse and dense 2-D features (``tf.ragged.cross``).

    >>> import tftape as tf
    >>> tf.ragged.cross([tf.ragged.constant([["a", "b"], ["c"]]),
    ...                  tf.constant([["x"], ["y"]])]).to_list()
    [[b'a_X_x', b'b_X_x'], [b'c_X_y']]
    """
    return _cross(inputs, False, 0, None)


def cross_hashed(inputs, num_buckets=0, hash_key=None, name=None) -> RaggedTensor:
    """Hashed crosses of ragged, sparse and dense 2-D features (``tf.ragged.cross_hashed``).

    >>> import tftape as tf
    >>> tf.ragged.cross_hashed([tf.ragged.constant([["a", "b"], ["c"]]),
    ...                         tf.constant([["x"], ["y"]])], num_buckets=10).to_list()
    [[2, 4], [0]]
    """
    return _cross(inputs, True, int(num_buckets), hash_key)

"""Set operations over the last dimension (``tf.sets``), computed on the host.

Each position of the leading dimensions holds one set: every element of a dense input's last
dimension, or the values a SparseTensor stores there. Results are SparseTensors whose entries
along the last dimension are sorted, as TF's kernels (std::set) produce them. The results have
data-dependent shapes and no gradients (TF marks these ops NotDifferentiable).
"""
from __future__ import annotations

import numpy as np

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._core.errors import kernel_error
from .._core.tensor import Tensor, make_string
from .._ops._util import fmt_shape
from .._sparse.sparse_ops import _validate, host, int64, shape_of
from .._sparse.sparse_tensor import SparseTensor

_VALID_DTYPES = frozenset([_d.int8, _d.int16, _d.int32, _d.int64, _d.uint8, _d.uint16, _d.string])


def _to_tensor_or_sparse(x):
    return x if isinstance(x, SparseTensor) else convert_to_tensor(x)


def _groups(x, op_name: str, validate: bool):
    """(prefix shape, {prefix tuple: list of values}) for a dense or sparse set input."""
    if isinstance(x, SparseTensor):
        shape = shape_of(x)
        idx = host(x.indices)
        if validate:
            _validate(op_name, idx, shape, True)
        vals = host(x.values)
        out: dict = {}
        for row, v in zip(idx[:, :-1].tolist(), vals.tolist()):
            out.setdefault(tuple(row), []).append(v)
        return list(shape[:-1]), out
    shape = list(x._v.shape)
    if len(shape) < 2:
        raise kernel_error(op_name, f"Shape {fmt_shape(shape)} has rank {len(shape)} < 2")
    v = host(x)
    flat = v.reshape(int(np.prod(shape[:-1])), shape[-1])
    prefixes = list(np.ndindex(*shape[:-1]))
    return shape[:-1], {p: flat[i].tolist() for i, p in enumerate(prefixes)}


def _set_operation(a, b, operation: str, validate: bool) -> SparseTensor:
    if isinstance(a, SparseTensor):
        if not isinstance(b, SparseTensor):
            raise ValueError("Sparse,Dense is not supported, but Dense,Sparse is. Please flip "
                             "the order of your inputs.")
        op_name = "SparseToSparseSetOperation"
    elif isinstance(b, SparseTensor):
        op_name = "DenseToSparseSetOperation"
    else:
        op_name = "DenseToDenseSetOperation"
    if not isinstance(a, SparseTensor) and a.ndim < 2:
        raise kernel_error(op_name, f"Shape {fmt_shape(a._v.shape)} has rank {a.ndim} < 2")
    pa, ga = _groups(a, op_name, validate)
    pb, gb = _groups(b, op_name, validate)
    if pa != pb:
        raise kernel_error(op_name, f"Mismatched shapes {fmt_shape(pa)} vs {fmt_shape(pb)}")
    dtype = a.dtype
    indices, values, width = [], [], 0
    for prefix in np.ndindex(*pa):
        sa, sb = set(ga.get(prefix, ())), set(gb.get(prefix, ()))
        if operation == "union":
            r = sa | sb
        elif operation == "intersection":
            r = sa & sb
        elif operation == "a-b":
            r = sa - sb
        else:
            r = sb - sa
        r = sorted(r)
        width = max(width, len(r))
        for k, v in enumerate(r):
            indices.append(list(prefix) + [k])
            values.append(v)
    rank = len(pa) + 1
    idx = np.asarray(indices, np.int64).reshape(-1, rank)
    if dtype is _d.string:
        vals = make_string(np.asarray(values + [b""], dtype=object)[:-1])
    else:
        vals = convert_to_tensor(np.asarray(values, dtype=dtype._np).reshape(-1))
    return SparseTensor(int64(idx), vals, int64(list(pa) + [width]))


def _convert_pair(a, b):
    """TF's ``_convert_to_tensors_or_sparse_tensors``: (dense, sparse) order, dtype checks."""
    a = _to_tensor_or_sparse(a)
    if a.dtype not in _VALID_DTYPES:
        raise TypeError(f"'a' has invalid dtype `{a.dtype}` not in supported dtypes: "
                        f"`{_VALID_DTYPES}`.")
    b = _to_tensor_or_sparse(b)
    if b.dtype is not a.dtype:
        raise TypeError(f"Types don't match, {a.dtype} vs {b.dtype}.")
    if isinstance(a, SparseTensor) and not isinstance(b, SparseTensor):
        return b, a, True
    return a, b, False


def size(a, validate_indices=True) -> Tensor:
    """The number of unique elements in each set of a SparseTensor (``tf.sets.size``).

    >>> import tftape as tf
    >>> s = tf.SparseTensor(indices=[[0, 0], [0, 1]], values=[7, 7], dense_shape=[1, 2])
    >>> tf.sets.size(s).numpy()
    array([1], dtype=int32)
    """
    a = _to_tensor_or_sparse(a)
    if not isinstance(a, SparseTensor):
        raise TypeError(f"Expected `SparseTensor`, got {str(a)}.")
    if a.dtype not in _VALID_DTYPES:
        raise TypeError(f"Invalid dtype `{a.dtype}` not in supported dtypes: "
                        f"`{_VALID_DTYPES}`.")
    shape = shape_of(a)
    if len(shape) < 2:
        raise kernel_error("SetSize", f"Invalid rank {len(shape)}.")
    prefix, groups = _groups(a, "SetSize", bool(validate_indices))
    out = np.zeros(prefix, np.int32)
    for p, vals in groups.items():
        out[p] = len(set(vals))
    return convert_to_tensor(out)


def intersection(a, b, validate_indices=True) -> SparseTensor:
    """The sorted intersection of the sets in the last dimension of ``a`` and ``b``.

    >>> import tftape as tf
    >>> tf.sets.intersection([[1, 2, 3]], [[3, 1]]).values.numpy()
    array([1, 3], dtype=int32)
    """
    a, b, _ = _convert_pair(a, b)
    return _set_operation(a, b, "intersection", bool(validate_indices))


def difference(a, b, aminusb=True, validate_indices=True) -> SparseTensor:
    """The sorted set difference ``a - b`` (or ``b - a`` when ``aminusb=False``).

    >>> import tftape as tf
    >>> tf.sets.difference([[1, 2, 3]], [[3]]).values.numpy()
    array([1, 2], dtype=int32)
    """
    a, b, flipped = _convert_pair(a, b)
    if flipped:
        aminusb = not aminusb
    return _set_operation(a, b, "a-b" if aminusb else "b-a", bool(validate_indices))


def union(a, b, validate_indices=True) -> SparseTensor:
    """The sorted union of the sets in the last dimension of ``a`` and ``b``.

    >>> import tftape as tf
    >>> tf.sets.union([[1, 2]], [[3, 1]]).values.numpy()
    array([1, 2, 3], dtype=int32)
    """
    a, b, _ = _convert_pair(a, b)
    return _set_operation(a, b, "union", bool(validate_indices))

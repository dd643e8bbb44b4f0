"""Element structures of ``tf.data``: nesting, specs and the host form of components.

tf.data nests elements in tuples, dicts and namedtuples; a Python *list* is a value (it is
converted to one tensor), as in TF. Pipelines keep each component on the host as NumPy
(``HostRagged`` for ragged components) and make Tensors only where the user sees them
(iteration, map functions), so slicing, shuffling and batching never pay a device round trip.
"""
from __future__ import annotations

import numpy as np

from .._core import dtypes as _d
from .._core.shape import TensorShape
from .._core.tensor import Tensor, make, make_string


# -- nesting -----------------------------------------------------------------------------------
def _is_namedtuple(x) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def _is_tuple(x) -> bool:
    # A TensorShape is a tuple but a leaf, as in TF.
    return isinstance(x, tuple) and not isinstance(x, TensorShape)


def is_nested(x) -> bool:
    """Tuples, namedtuples and dicts nest; lists do not (tf.data's rule)."""
    return isinstance(x, dict) or _is_tuple(x)


def _sorted_keys(d):
    try:
        return sorted(d)
    except TypeError:
        return sorted(d, key=repr)


def flatten(x) -> list:
    """The leaves of ``x`` in TF's order (dict values by sorted key).

    >>> flatten(({"b": 1, "a": 2}, [3, 4]))
    [2, 1, [3, 4]]
    """
    if isinstance(x, dict):
        return [leaf for k in _sorted_keys(x) for leaf in flatten(x[k])]
    if _is_tuple(x):
        return [leaf for v in x for leaf in flatten(v)]
    return [x]


def pack(structure, flat):
    """Rebuilds ``structure`` with the leaves ``flat`` (keeps dict insertion order)."""
    it = iter(flat)

    def build(s):
        if isinstance(s, dict):
            vals = {k: build(s[k]) for k in _sorted_keys(s)}
            return type(s)((k, vals[k]) for k in s)
        if _is_namedtuple(s):
            return type(s)(*[build(v) for v in s])
        if _is_tuple(s):
            return tuple(build(v) for v in s)
        return next(it)
    return build(structure)


def map_structure(fn, structure):
    return pack(structure, [fn(x) for x in flatten(structure)])


def same_structure(a, b) -> bool:
    if isinstance(a, dict) or isinstance(b, dict):
        return isinstance(a, dict) and isinstance(b, dict) and set(a) == set(b) and \
            all(same_structure(a[k], b[k]) for k in a)
    if _is_tuple(a) or _is_tuple(b):
        return _is_tuple(a) and _is_tuple(b) and len(a) == len(b) and \
            all(same_structure(x, y) for x, y in zip(a, b))
    return True


# -- host components ----------------------------------------------------------------------------
class HostRagged:
    """A ragged component on the host: flat values and row splits (outermost first)."""

    __slots__ = ("values", "splits")

    def __init__(self, values: np.ndarray, splits: tuple):
        self.values = values
        self.splits = tuple(splits)

    @property
    def nrows(self) -> int:
        return len(self.splits[0]) - 1

    def row(self, i: int):
        """Row ``i``: a HostRagged one level less ragged, or a dense array."""
        lo, hi = int(self.splits[0][i]), int(self.splits[0][i + 1])
        return self.slice_rows(lo, hi, inner=True)

    def slice_rows(self, lo, hi, inner=False):
        """Rows ``lo:hi`` of the level below the outermost (``inner``) or of the outermost."""
        splits = self.splits[1:] if inner else self.splits
        if not inner:
            s0 = splits[0][lo:hi + 1]
            lo, hi = int(s0[0]), int(s0[-1])
            new = [s0 - s0[0]]
            splits = splits[1:]
        else:
            new = []
        for s in splits:
            part = s[lo:hi + 1]
            new.append(part - part[0])
            lo, hi = int(part[0]), int(part[-1])
        vals = self.values[lo:hi]
        return HostRagged(vals, new) if new else vals


class HostSparse:
    """A SparseTensor component on the host: indices, values and dense shape (NumPy)."""

    __slots__ = ("indices", "values", "shape")

    def __init__(self, indices: np.ndarray, values: np.ndarray, shape: tuple):
        self.indices = indices
        self.values = values
        self.shape = tuple(int(d) for d in shape)

    @property
    def nrows(self) -> int:
        return self.shape[0]

    def row(self, i: int) -> "HostSparse":
        """Row ``i``: the entries whose first index is ``i``, one dimension less."""
        where = np.flatnonzero(self.indices[:, 0] == i)
        return HostSparse(self.indices[where, 1:], self.values[where], self.shape[1:])


# Components whose rows are taken with ``.row(i)`` (not NumPy indexing).
ROWED = (HostRagged, HostSparse)


def host_dtype(c) -> _d.DType:
    arr = c.values if isinstance(c, ROWED) else c
    if isinstance(arr, Tensor):
        return arr.dtype
    return _d.string if arr.dtype.kind == "O" else _d._BY_NP[arr.dtype]


def host_shape(c) -> tuple:
    """The static shape of a component (None for ragged dimensions)."""
    if isinstance(c, HostRagged):
        return (c.nrows,) + (None,) * len(c.splits) + tuple(c.values.shape[1:])
    return tuple(c.shape)


def _is_sparse(x) -> bool:
    return type(x).__name__ == "SparseTensor" and hasattr(x, "dense_shape")


def to_host(x, dtype=None):
    """A component's host form: NumPy for dense values, HostRagged for ragged ones."""
    if isinstance(x, Tensor):
        if dtype is not None and x.dtype is not dtype:
            from .._ops.math_ops import cast
            x = cast(x, dtype)
        return x._v if x.dtype is _d.string else np.asarray(x._v)
    if getattr(type(x), "_is_tf_variable", False):
        return to_host(x.read_value(), dtype)
    if type(x).__name__ == "RaggedTensor":
        return HostRagged(np.asarray(x.flat_values._v) if x.dtype is not _d.string
                          else x.flat_values._v, tuple(np.asarray(s._v) for s in
                                                        x.nested_row_splits))
    if isinstance(x, ROWED):
        return x
    if _is_sparse(x):
        vals = x.values
        return HostSparse(np.asarray(x.indices._v), vals._v if vals.dtype is _d.string
                          else np.asarray(vals._v), np.asarray(x.dense_shape._v).tolist())
    if isinstance(x, np.ndarray) and x.dtype.kind not in "OSU" and \
            (dtype is None or x.dtype == dtype._np) and x.dtype in _d._BY_NP:
        return x
    from .._core.convert import convert_to_tensor
    return to_host(convert_to_tensor(x, dtype=dtype))


def to_user(c, spec):
    """The value the user sees for host component ``c`` with spec ``spec``."""
    if isinstance(c, Tensor) or type(c).__name__ == "RaggedTensor" or _is_sparse(c):
        return c
    if isinstance(c, HostSparse):
        from .._sparse.sparse_tensor import SparseTensor
        from .._core.convert import convert_to_tensor
        vals = make_string(c.values) if c.values.dtype.kind == "O" else \
            convert_to_tensor(c.values)
        return SparseTensor(convert_to_tensor(np.asarray(c.indices, np.int64)), vals,
                            convert_to_tensor(np.asarray(c.shape, np.int64)))
    if isinstance(c, HostRagged):
        from ..ragged import RaggedTensor
        from .._core.convert import _asarray
        vals = make_string(c.values) if c.values.dtype.kind == "O" else \
            make(_asarray(c.values), _d._BY_NP[c.values.dtype])
        sdt = spec.row_splits_dtype if spec is not None else _d.int64
        for s in reversed(c.splits):
            vals = RaggedTensor._make(vals, make(_asarray(s.astype(sdt._np, copy=False)), sdt))
        return vals
    if c.dtype.kind == "O":
        return make_string(c)
    from .._core.convert import _asarray
    return make(_asarray(c), _d._BY_NP[c.dtype])


def spec_of(c):
    """The TypeSpec of one host component."""
    from .._function.specs import TensorSpec
    if isinstance(c, HostSparse) or _is_sparse(c):
        from .._sparse.sparse_tensor import SparseTensorSpec
        return SparseTensorSpec(c.shape, host_dtype(c) if isinstance(c, HostSparse)
                                else c.dtype)
    if isinstance(c, HostRagged) or type(c).__name__ == "RaggedTensor":
        from ..ragged import RaggedTensorSpec
        if not isinstance(c, HostRagged):
            return RaggedTensorSpec.from_value(c)
        return RaggedTensorSpec(host_shape(c), host_dtype(c), len(c.splits),
                                _d._BY_NP[c.splits[0].dtype])
    return TensorSpec(host_shape(c), host_dtype(c))


def is_ragged_spec(s) -> bool:
    return type(s).__name__ == "RaggedTensorSpec"


def is_sparse_spec(s) -> bool:
    return type(s).__name__ == "SparseTensorSpec"


def unbatch_spec(s):
    """The spec of one slice (first dimension removed) of values with spec ``s``."""
    from .._function.specs import TensorSpec
    if is_sparse_spec(s):
        if s.shape.rank == 0:
            raise ValueError("Unbatching a tensor is only supported for rank >= 1")
        from .._sparse.sparse_tensor import SparseTensorSpec
        return SparseTensorSpec(s.shape.as_list()[1:] if s.shape.rank is not None else None,
                                s.dtype)
    if is_ragged_spec(s):
        from ..ragged import RaggedTensorSpec
        shape = TensorShape(s.shape.as_list()[1:])
        if s.ragged_rank == 1:
            # Rows of a ragged_rank-1 value are dense tensors (TF keeps a rank-0 ragged spec).
            return RaggedTensorSpec(shape, s.dtype, 0, s.row_splits_dtype)
        return RaggedTensorSpec(shape, s.dtype, s.ragged_rank - 1, s.row_splits_dtype)
    if s.shape.rank == 0:
        raise ValueError("Unbatching a tensor is only supported for rank >= 1")
    return TensorSpec(s.shape.as_list()[1:], s.dtype)


def batch_spec(s, n):
    """The spec of ``n`` (None: unknown) values with spec ``s`` stacked."""
    from .._function.specs import TensorSpec
    if is_sparse_spec(s):
        from .._sparse.sparse_tensor import SparseTensorSpec
        return SparseTensorSpec([n] + (s.shape.as_list() if s.shape.rank is not None else []),
                                s.dtype)
    if is_ragged_spec(s):
        from ..ragged import RaggedTensorSpec
        return RaggedTensorSpec([n] + s.shape.as_list(), s.dtype, s.ragged_rank + 1,
                                s.row_splits_dtype)
    return TensorSpec([n] + (s.shape.as_list() if s.shape.rank is not None else []), s.dtype)


def dense_spec(s) -> bool:
    """A rank-0-ragged spec describes dense values (what iteration yields)."""
    if is_sparse_spec(s):
        return False
    return not is_ragged_spec(s) or s.ragged_rank == 0


def relax(specs):
    """The most specific spec covering all of ``specs`` (None dims where they differ)."""
    first = specs[0]
    out = first
    for s in specs[1:]:
        r = out.most_specific_common_supertype([s])
        if r is None:
            return None
        out = r
    return out

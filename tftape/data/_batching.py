"""Dataset transformations that group elements: batch, padded_batch, ragged_batch, unbatch
and window.
"""
from __future__ import annotations

import numpy as np

from .._core import dtypes as _d
from .._core.convert import to_static
from .._core.shape import TensorShape
from .._core.methods import attach
from . import _structure as st
from ._dataset import INFINITE, UNKNOWN, Dataset, _wrapped_error
from ._mapping import _MapDataset
from ._sources import _ListDataset
from ._transforms import _UnaryDataset, _flatten_up_to, _int, _islice, index_source


# -- batching -------------------------------------------------------------------------------
def _stack(items, spec, index, fused=False):
    """Stacks one component of several elements (ragged components give ragged batches)."""
    items = [st.to_host(x) if not isinstance(x, (np.ndarray, np.generic, st.HostRagged,
                                                 st.HostSparse))
             else x for x in items]
    if st.is_sparse_spec(spec):
        return _stack_sparse(items)
    if st.is_ragged_spec(spec):
        return _stack_ragged(items, spec)
    first = np.shape(items[0])
    for j, x in enumerate(items[1:], 1):
        if np.shape(x) != first and fused:
            # TF fuses map + batch into one kernel, which words the error differently.
            raise _wrapped_error(
                "IteratorGetNext",
                f"Cannot add tensor to the batch: number of elements does not match. Shapes "
                f"are: [tensor]: {list(np.shape(x))}, [batch]: {list(first)}")
        if np.shape(x) != first:
            raise _wrapped_error(
                "IteratorGetNext",
                f"Cannot batch tensors with different shapes in component {index}. First "
                f"element had shape {list(first)} and element {j} had shape "
                f"{list(np.shape(x))}.")
    return np.stack(items)


def _stack_sparse(items):
    """SparseTensors batched as TF does: a new leading index, each dimension the largest."""
    rank = len(items[0].shape)
    shape = [len(items)] + [max(x.shape[d] for x in items) for d in range(rank)]
    idx = [np.concatenate([np.full((x.indices.shape[0], 1), k, np.int64),
                           x.indices.astype(np.int64)], axis=1) for k, x in enumerate(items)]
    vals = np.concatenate([x.values for x in items])
    return st.HostSparse(np.concatenate(idx).reshape(-1, rank + 1), vals, shape)


def _stack_ragged(items, spec):
    sdt = spec.row_splits_dtype._np
    if not isinstance(items[0], st.HostRagged):
        lengths = [len(x) if np.ndim(x) else 1 for x in items]
        splits = np.concatenate([[0], np.cumsum(lengths)]).astype(sdt)
        return st.HostRagged(np.concatenate([np.reshape(x, (-1,) + np.shape(x)[1:])
                                             for x in items]), (splits,))
    levels = len(items[0].splits)
    outer = np.concatenate([[0], np.cumsum([x.nrows for x in items])]).astype(sdt)
    new_splits = [outer]
    for lvl in range(levels):
        parts, off = [], 0
        for k, x in enumerate(items):
            s = x.splits[lvl]
            parts.append((s[1:] if k else s) + off)
            off += int(s[-1])
        new_splits.append(np.concatenate(parts).astype(sdt))
    return st.HostRagged(np.concatenate([x.values for x in items]), new_splits)


class _BatchDataset(_UnaryDataset):
    # Rows of an in-memory source may be gathered with one NumPy take per batch.
    _gather_rows = True
    def __init__(self, input_dataset, batch_size, drop_remainder=False):
        self._batch_size = _int(batch_size)
        if self._batch_size <= 0:
            from .._core.errors import kernel_error
            raise kernel_error("BatchDatasetV2", "Batch size must be greater than zero.")
        self._drop = bool(to_static(drop_remainder))
        n = self._batch_size if self._drop else None
        super().__init__(input_dataset, st.map_structure(lambda s: st.batch_spec(s, n),
                                                         input_dataset._structure))

    def _cardinality(self):
        n = self._input._cardinality()
        if n < 0:
            return n
        return n // self._batch_size if self._drop else -(-n // self._batch_size)

    def _iter(self):
        bs = self._batch_size
        src = index_source(self._input) if self._gather_rows else None
        if src is not None:
            yield from self._iter_rows(*src)
            return
        specs = self._input._flat_specs
        buf = []
        for flat in self._input._iter():
            buf.append(flat)
            if len(buf) == bs:
                yield self._make(buf, specs)
                buf = []
        if buf and not self._drop:
            yield self._make(buf, specs)

    def _iter_rows(self, base, indices):
        # Fast path: rows of an in-memory source are gathered with one NumPy take each.
        bs = self._batch_size
        while True:
            idx = np.fromiter(_islice(indices, bs), dtype=np.int64)
            if len(idx) == 0 or (len(idx) < bs and self._drop):
                return
            yield base._take_rows(idx)
            if len(idx) < bs:
                return

    def _make(self, buf, specs):
        fused = isinstance(self._input, _MapDataset)
        return tuple(_stack([e[i] for e in buf], s, i, fused) for i, s in enumerate(specs))


class _ParallelBatchDataset(_BatchDataset):
    pass


class _DenseToRaggedDataset(_UnaryDataset):
    def __init__(self, input_dataset, row_splits_dtype):
        from ..ragged import RaggedTensorSpec

        def conv(s):
            if st.is_ragged_spec(s) or s.shape.rank in (None, 0) or \
                    None not in s.shape.as_list():
                return s
            return RaggedTensorSpec(s.shape, s.dtype, 0, row_splits_dtype)
        super().__init__(input_dataset, st.map_structure(conv, input_dataset._structure))

    def _iter(self):
        return self._input._iter()


class _PaddedBatchDataset(_BatchDataset):
    _gather_rows = False   # elements are padded one by one

    def __init__(self, input_dataset, batch_size, padded_shapes, padding_values,
                 drop_remainder):
        from .._function.specs import TensorSpec
        specs = input_dataset._flat_specs
        for s in specs:
            if not isinstance(s, TensorSpec):
                raise TypeError(f"`padded_batch` is only supported for datasets that produce "
                                f"tensor elements but type spec of elements in the input "
                                f"dataset is not a subclass of TensorSpec: `{s}`.")
        if padded_shapes is None:
            shapes = []
            for i, s in enumerate(specs):
                if s.shape.rank is None:
                    raise ValueError(f"You must provide `padded_shapes` argument because "
                                     f"component {i} has unknown rank.")
                shapes.append(s.shape)
        else:
            shapes = []
            flat_ps = _flatten_up_to(input_dataset._structure, padded_shapes)
            for p, s in zip(flat_ps, specs):
                p = TensorShape([None if d is None or d == -1 else d
                                 for d in (to_static(p) if not isinstance(p, TensorShape)
                                           else p.as_list())])
                if not _paddable(p, s.shape):
                    raise ValueError(f"The padded shape {p} is not compatible with the shape "
                                     f"{s.shape} of the corresponding input component.")
                shapes.append(p)
        self._shapes = [s.as_list() for s in shapes]
        if padding_values is None:
            pads = [b"" if s.dtype is _d.string else np.zeros((), s.dtype._np) for s in specs]
        else:
            flat_pv = _flatten_up_to(input_dataset._structure, padding_values) \
                if st.is_nested(input_dataset._structure) else [padding_values]
            pads = []
            for v, s in zip(flat_pv, specs):
                from .._core.convert import convert_to_tensor
                t = convert_to_tensor(v, dtype_hint=s.dtype)
                if t.shape.rank not in (0, None) and tuple(t.shape) != ():
                    raise ValueError(f"Invalid `padding_values`. `padding_values` values "
                                     f"should be scalars, but got {t.shape}.")
                if t.dtype is not s.dtype:
                    raise TypeError(f"Invalid `padding_values`. `padding_values` values type "
                                    f"{t.dtype!r} does not match type {s.dtype!r} of the "
                                    f"corresponding input component.")
                pads.append(st.to_host(t))
        self._pads = pads
        super().__init__(input_dataset, batch_size, drop_remainder)
        n = self._batch_size if self._drop else None
        self._structure = st.pack(input_dataset._structure, [
            TensorSpec([n] + shp, s.dtype) for shp, s in zip(self._shapes, specs)])

    def _make(self, buf, specs):
        out = []
        for i, s in enumerate(specs):
            items = [np.asarray(st.to_host(e[i])) for e in buf]
            shp = self._shapes[i]
            target = [max(x.shape[k] for x in items) if d is None else d
                      for k, d in enumerate(shp)]
            res = np.empty([len(items)] + target, dtype=items[0].dtype)
            res[...] = self._pads[i]
            for j, x in enumerate(items):
                if any(a > b for a, b in zip(x.shape, target)):
                    from .._core.errors import DataLossError
                    raise _wrapped_error(
                        "IteratorGetNext", "Attempted to pad to a smaller size than the "
                        "input element.", DataLossError)
                res[(j,) + tuple(slice(0, k) for k in x.shape)] = x
            out.append(res)
        return tuple(out)


def _paddable(padded, shape) -> bool:
    """TF's rule: each known padded dimension is at least the known input dimension."""
    if padded.rank is None or shape.rank is None:
        return True
    if padded.rank != shape.rank:
        return False
    return all(p is None or d is None or p >= d
               for p, d in zip(padded.as_list(), shape.as_list()))


class _UnbatchDataset(_UnaryDataset):
    def __init__(self, input_dataset):
        specs = input_dataset._flat_specs
        for s in specs:
            if not st.is_ragged_spec(s) and s.shape.rank == 0:
                raise ValueError("Cannot unbatch an input with scalar components.")
        super().__init__(input_dataset, st.map_structure(st.unbatch_spec,
                                                         input_dataset._structure))

    def _cardinality(self):
        n = self._input._cardinality()
        dims = {s.shape.as_list()[0] if s.shape.rank else None
                for s in self._input._flat_specs}
        if n >= 0 and len(dims) == 1 and None not in dims:
            return n * dims.pop()
        return INFINITE if n == INFINITE else UNKNOWN

    def _iter(self):
        for flat in self._input._iter():
            comps = [c if isinstance(c, (np.ndarray,) + st.ROWED) else st.to_host(c)
                     for c in flat]
            n = comps[0].nrows if isinstance(comps[0], st.ROWED) else len(comps[0])
            for c in comps[1:]:
                k = c.nrows if isinstance(c, st.ROWED) else len(c)
                if k != n:
                    raise _wrapped_error("IteratorGetNext", "Input element must have the same "
                                         "batch size in each component. Component 0 had size "
                                         f"{n} but component {comps.index(c)} had size {k}.")
            for i in range(n):
                yield tuple(c.row(i) if isinstance(c, st.ROWED) else c[i, ...]
                            for c in comps)


class _WindowDataset(_UnaryDataset):
    def __init__(self, input_dataset, size, shift, stride, drop_remainder):
        self._size = _int(size)
        self._shift = self._size if shift is None else _int(shift)
        self._stride = _int(stride)
        self._drop = bool(drop_remainder)
        from ._options import DatasetSpec
        super().__init__(input_dataset, st.map_structure(
            lambda s: DatasetSpec(s), input_dataset._structure))

    def _iter(self):
        items = list(self._input._iter())
        span = (self._size - 1) * self._stride + 1
        for start in range(0, len(items), self._shift):
            win = items[start:start + span:self._stride]
            if not win or (self._drop and len(win) < self._size):
                break
            specs = self._input._flat_specs
            yield tuple(_ListDataset([(e[i],) for e in win], s) for i, s in enumerate(specs))


# -- Dataset's methods (attached here: Dataset sits below this module) ------------------------
def _ds_batch(self, batch_size, drop_remainder=False, num_parallel_calls=None,
          deterministic=None, name=None) -> "Dataset":
    """Stacks consecutive elements (ragged components batch into ragged values)."""
    cls = _BatchDataset if num_parallel_calls is None else _ParallelBatchDataset
    return cls(self, batch_size, drop_remainder)


def _ds_padded_batch(self, batch_size, padded_shapes=None, padding_values=None,
                 drop_remainder=False, name=None) -> "Dataset":
    """Batches elements of different shapes, padding each component to a common shape."""
    return _PaddedBatchDataset(self, batch_size, padded_shapes, padding_values,
                               drop_remainder)


def _ds_ragged_batch(self, batch_size, drop_remainder=False, row_splits_dtype=_d.int64,
                 name=None) -> "Dataset":
    return _DenseToRaggedDataset(self, row_splits_dtype).batch(batch_size, drop_remainder)


def _ds_unbatch(self, name=None) -> "Dataset":
    return _UnbatchDataset(self)


def _ds_window(self, size, shift=None, stride=1, drop_remainder=False, name=None):
    return _WindowDataset(self, size, shift, stride, drop_remainder)


attach(Dataset, "batch", _ds_batch)
attach(Dataset, "padded_batch", _ds_padded_batch)
attach(Dataset, "ragged_batch", _ds_ragged_batch)
attach(Dataset, "unbatch", _ds_unbatch)
attach(Dataset, "window", _ds_window)

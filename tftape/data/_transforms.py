"""Dataset transformations: map, filter, batch, shuffle, repeat, zip, ...

Each class keeps TF's class name (it shows in the dataset's repr) and computes its element
spec and cardinality when created, as TF does; iteration is a Python generator over flat
tuples of host components.
"""
from __future__ import annotations

import os

import numpy as np

from .._core import dtypes as _d
from .._core.convert import to_static
from .._core.shape import TensorShape
from . import _structure as st
from .._core.methods import attach
from ._dataset import (INFINITE, UNKNOWN, Dataset, Failed, _RangeDataset, _normalize, _pack,
                       _wrapped_error)
from ._function import StructuredFunction


def _int(x) -> int:
    return int(to_static(x))


class _UnaryDataset(Dataset):
    def __init__(self, input_dataset, structure=None):
        self._input = input_dataset
        self._structure = input_dataset._structure if structure is None else structure

    def _inputs(self):
        return [self._input]

    def _cardinality(self):
        return self._input._cardinality()

    def _index_source(self):
        return None


def index_source(ds):
    """``(base, index iterator)`` when ``ds``'s elements are rows of a sliceable source."""
    f = getattr(ds, "_index_source", None)
    if f is not None:
        return f()
    if hasattr(ds, "_take_rows") and ds._rows_ok():
        return ds, iter(range(ds._cardinality()))
    return None


# -- element-wise functions ------------------------------------------------------------------
class _MapDataset(_UnaryDataset):
    def __init__(self, input_dataset, map_func):
        self._fn = StructuredFunction(map_func, input_dataset._structure, "Dataset.map()")
        if self._fn.out_structure is None:
            # The probes could not learn the output structure (the function rejected the
            # dummy input, e.g. decode_csv of ""): learn it from the first element, so that
            # later transformations (batch) see the map's structure, not its input's.
            try:
                first = next(input_dataset._iter(), None)
                if first is not None:
                    self._fn.call_flat(first)
            except Exception:  # noqa: BLE001 - the element's error shows when iterating
                pass
        super().__init__(input_dataset, self._fn.out_structure)

    @property
    def element_spec(self):
        if self._structure is None:
            first = next(self._input._iter(), None)
            if first is not None:
                self._fn.call_flat(first)
            self._structure = self._fn.out_structure
        return self._structure

    def _iter(self):
        call = self._fn.call_flat
        for flat in self._input._iter():
            yield call(flat)

    def _iter_safe(self):
        call = self._fn.call_flat
        for flat in self._input._iter_safe():
            if type(flat) is Failed:
                yield flat
                continue
            try:
                out = call(flat)
            except Exception as e:  # noqa: BLE001 - this element failed, not the dataset
                out = Failed(e)
            yield out


class _ParallelMapDataset(_MapDataset):
    pass


class _FilterDataset(_UnaryDataset):
    def __init__(self, input_dataset, predicate):
        super().__init__(input_dataset)
        self._fn = StructuredFunction(predicate, input_dataset._structure, "Dataset.filter()")
        out = self._fn.out_structure
        if out is not None:
            from .._function.specs import TensorSpec
            if not isinstance(out, TensorSpec) or out.dtype is not _d.bool or \
                    out.shape.rank != 0:
                raise ValueError(f"Invalid `predicate`. `predicate` must return a `tf.bool` "
                                 f"scalar tensor, but its return type is {out}.")

    def _cardinality(self):
        n = self._input._cardinality()
        return INFINITE if n == INFINITE else UNKNOWN

    def _iter(self):
        call = self._fn.call_flat
        for flat in self._input._iter():
            if bool(np.asarray(call(flat)[0])):
                yield flat

    def _iter_safe(self):
        call = self._fn.call_flat
        for flat in self._input._iter_safe():
            if type(flat) is not Failed:
                try:
                    if not bool(np.asarray(call(flat)[0])):
                        continue
                except Exception as e:  # noqa: BLE001 - this element failed
                    flat = Failed(e)
            yield flat


class _FlatMapDataset(_UnaryDataset):
    def __init__(self, input_dataset, map_func):
        self._func = map_func
        self._in_specs = st.flatten(input_dataset._structure)
        structure = None
        if input_dataset._structure is not None:
            from ._function import _dummy
            from .._function import autograph
            self._conv = autograph.convert(map_func)
            try:
                probe = self._call([_dummy(s, 1) for s in self._in_specs], input_dataset)
                structure = probe._structure
            except Exception:  # noqa: BLE001
                structure = None
        super().__init__(input_dataset, structure)

    def _call(self, flat, input_dataset=None):
        ds = input_dataset or self._input
        args = _pack(ds._structure, flat)
        args = args if type(args) is tuple else (args,)
        out = self._conv(*args)
        if not isinstance(out, Dataset):
            raise TypeError(f"The `map_func` argument must return a `Dataset` object. Got "
                            f"{type(out)!r}.")
        return out

    def _cardinality(self):
        return INFINITE if self._input._cardinality() == INFINITE else UNKNOWN

    def _iter(self):
        for flat in self._input._iter():
            yield from self._call(flat)._iter()

    @property
    def element_spec(self):
        if self._structure is None:
            first = next(self._input._iter(), None)
            if first is not None:
                self._structure = self._call(first)._structure
        return self._structure


class _InterleaveDataset(_FlatMapDataset):
    def __init__(self, input_dataset, map_func, cycle_length, block_length, num_parallel):
        super().__init__(input_dataset, map_func)
        self._cycle = None if cycle_length in (None, -1) else _int(cycle_length)
        self._block = 1 if block_length is None else _int(block_length)

    def _iter(self):
        outer = self._input._iter()
        cycle = self._cycle or os.cpu_count() or 1
        active = []
        exhausted = False
        while True:
            while not exhausted and len(active) < cycle:
                flat = next(outer, None)
                if flat is None:
                    exhausted = True
                else:
                    active.append(self._call(flat)._iter())
            if not active:
                return
            i = 0
            while i < len(active):
                it = active[i]
                done = False
                for _ in range(self._block):
                    e = next(it, None)
                    if e is None:
                        done = True
                        break
                    yield e
                if done:
                    # TF refills the slot at once; the new input starts on the next cycle.
                    flat = None if exhausted else next(outer, None)
                    if flat is None:
                        exhausted = True
                        active.pop(i)
                        continue
                    active[i] = self._call(flat)._iter()
                i += 1


class _ScanDataset(_UnaryDataset):
    def __init__(self, input_dataset, initial_state, scan_func):
        from .._function import autograph
        super().__init__(input_dataset)
        self._state_struct, self._state = _normalize(initial_state)
        self._fn = autograph.convert(scan_func)
        state = _pack(self._state_struct, self._state)
        from ._function import _dummy
        el = _pack(input_dataset._structure,
                   [_dummy(s, 1) for s in st.flatten(input_dataset._structure)])
        _, out = self._step(state, el)
        self._structure = st.map_structure(lambda x: st.spec_of(st.to_host(x)), out)

    def _step(self, state, el):
        args = (state,) + (el if type(el) is tuple else (el,))
        res = self._fn(*args)
        if not isinstance(res, (tuple, list)) or len(res) != 2:
            raise TypeError("The scan function must return a pair comprising the new state "
                            "and the output value.")
        return res[0], res[1]

    def _iter(self):
        state = _pack(self._state_struct, self._state)
        for flat in self._input._iter():
            state, out = self._step(state, _pack(self._input._structure, flat))
            yield tuple(st.to_host(x) for x in st.flatten(out))


def reduce_dataset(ds, initial_state, reduce_func):
    from .._function import autograph
    structure, comps = _normalize(initial_state)
    state = _pack(structure, comps)
    fn = autograph.convert(reduce_func)
    specs = ds._flat_specs
    for flat in ds._iter():
        el = st.pack(ds._structure, [st.to_user(c, s) for c, s in zip(flat, specs)])
        args = (state,) + (el if type(el) is tuple else (el,))
        out = fn(*args)
        if isinstance(out, list):
            out = tuple(out)
        new = st.flatten(out)
        if len(new) != len(comps):
            raise TypeError(f"The element types for the new state must match the initial "
                            f"state. Expected {structure}; got {out}.")
        from .._core.convert import convert_to_tensor
        new = [convert_to_tensor(x, dtype=s.dtype) if not hasattr(x, "dtype") else x
               for x, s in zip(new, st.flatten(structure))]
        for x, s in zip(new, st.flatten(structure)):
            if x.dtype is not s.dtype:
                raise TypeError(f"The element types for the new state must match the initial "
                                f"state. Expected {structure}; got {out}.")
        state = st.pack(structure, new)
    return state


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
        src = index_source(self._input)
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


def _islice(it, n):
    for _ in range(n):
        x = next(it, None)
        if x is None:
            return
        yield x


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

    def _iter(self):
        bs = self._batch_size
        specs = self._input._flat_specs
        buf = []
        for flat in self._input._iter():
            buf.append(flat)
            if len(buf) == bs:
                yield self._make(buf, specs)
                buf = []
        if buf and not self._drop:
            yield self._make(buf, specs)

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


def _flatten_up_to(structure, value):
    if isinstance(structure, dict):
        return [v for k in st._sorted_keys(structure)
                for v in _flatten_up_to(structure[k], value[k])]
    if isinstance(structure, tuple):
        return [v for s, x in zip(structure, value) for v in _flatten_up_to(s, x)]
    return [value]


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


# -- order ------------------------------------------------------------------------------------
def _seed_pair(seed):
    """TF's seed rules: op seed and global seed; fresh entropy when neither is set."""
    from .._ops.random_ops import get_seed
    g, s = get_seed(None if seed is None else _int(seed))
    if g is None:
        return int.from_bytes(os.urandom(8), "little"), int.from_bytes(os.urandom(8), "little")
    return g, s


class _ShuffleDataset(_UnaryDataset):
    def __init__(self, input_dataset, buffer_size, seed=None, reshuffle_each_iteration=True):
        super().__init__(input_dataset)
        self._buffer = _int(buffer_size)
        if self._buffer == -1:  # AUTOTUNE
            self._buffer = 1024
        if self._buffer <= 0:
            from .._core.errors import kernel_error
            raise kernel_error("ShuffleDatasetV3", "buffer_size must be greater than zero.")
        self._seeds = _seed_pair(seed)
        self._reshuffle = True if reshuffle_each_iteration is None else \
            bool(reshuffle_each_iteration)
        self._epoch = 0

    def _rng(self):
        # Note: a NumPy Philox stream keyed by TF's (global, op) seed pair; the order is
        # reproducible run to run but is not the order TF's kernel produces.
        epoch = self._epoch if self._reshuffle else 0
        self._epoch += 1
        return np.random.Generator(np.random.Philox(np.random.SeedSequence(
            [self._seeds[0] & (2**64 - 1), self._seeds[1] & (2**64 - 1), epoch])))

    def _index_source(self):
        src = index_source(self._input)
        if src is None:
            return None
        base, indices = src
        return base, self._shuffled(indices, self._rng())

    def _iter(self):
        return self._shuffled(self._input._iter(), self._rng())

    def _shuffled(self, it, rng):
        size = self._buffer
        buf = []
        for x in it:
            buf.append(x)
            if len(buf) == size:
                break
        else:
            # The whole input fits in the buffer: one permutation.
            for i in rng.permutation(len(buf)):
                yield buf[i]
            return
        draws = iter(())
        for x in it:
            j = next(draws, None)
            if j is None:
                draws = iter((rng.random(4096) * size).astype(np.int64).tolist())
                j = next(draws)
            yield buf[j]
            buf[j] = x
        for i in rng.permutation(len(buf)):
            yield buf[i]


class _RepeatDataset(_UnaryDataset):
    def __init__(self, input_dataset, count=None):
        super().__init__(input_dataset)
        self._count = -1 if count is None else _int(count)

    def _cardinality(self):
        n = self._input._cardinality()
        if self._count == 0 or n == 0:
            return 0
        if self._count < 0:
            return INFINITE
        if n < 0:
            return n
        return n * self._count

    def _repeats(self):
        k = 0
        while self._count < 0 or k < self._count:
            yield k
            k += 1

    def _iter(self):
        for _ in self._repeats():
            empty = True
            for x in self._input._iter():
                empty = False
                yield x
            if empty:
                return

    def _index_source(self):
        if index_source(self._input) is None:
            return None

        def chain():
            for _ in self._repeats():
                base, ids = index_source(self._input)
                empty = True
                for i in ids:
                    empty = False
                    yield i
                if empty:
                    return
        return index_source(self._input)[0], chain()


class _TakeDataset(_UnaryDataset):
    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        self._count = _int(count)

    def _cardinality(self):
        n = self._input._cardinality()
        if self._count < 0:
            return n
        if n == INFINITE:
            return self._count
        if n == UNKNOWN:
            return UNKNOWN
        return min(n, self._count)

    def _iter(self):
        if self._count < 0:
            return self._input._iter()
        return _islice(self._input._iter(), self._count)

    def _index_source(self):
        src = index_source(self._input)
        if src is None or self._count < 0:
            return src
        return src[0], _islice(src[1], self._count)


class _SkipDataset(_UnaryDataset):
    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        self._count = _int(count)

    def _cardinality(self):
        n = self._input._cardinality()
        if n < 0:
            return n
        if self._count < 0:
            return 0
        return max(0, n - self._count)

    def _iter(self):
        it = self._input._iter()
        if self._count < 0:
            for _ in it:
                pass
            return
        for _ in range(self._count):
            if next(it, None) is None:
                return
        yield from it


class _TakeWhileDataset(_UnaryDataset):
    def _cardinality(self):
        return UNKNOWN

    def __init__(self, input_dataset, predicate):
        super().__init__(input_dataset)
        self._fn = StructuredFunction(predicate, input_dataset._structure,
                                      "Dataset.take_while()")

    def _iter(self):
        for flat in self._input._iter():
            if not bool(np.asarray(self._fn.call_flat(flat)[0])):
                return
            yield flat


class _ShardDataset(_UnaryDataset):
    def __init__(self, input_dataset, num_shards, index):
        super().__init__(input_dataset)
        self._n, self._i = _int(num_shards), _int(index)
        if self._n <= 0:
            from .._core.errors import kernel_error
            raise kernel_error("ShardDataset", "Number of shards must be greater than zero "
                                               f"(currently num_shards = {self._n}).")
        if not 0 <= self._i < self._n:
            from .._core.errors import kernel_error
            raise kernel_error("ShardDataset", f"Index must be between 0 and {self._n - 1} "
                                               f"(currently index = {self._i}).")

    def _cardinality(self):
        n = self._input._cardinality()
        if n < 0:
            return n
        return n // self._n + (1 if n % self._n > self._i else 0)

    def _iter(self):
        for k, x in enumerate(self._input._iter()):
            if k % self._n == self._i:
                yield x


class _UniqueDataset(_UnaryDataset):
    def _cardinality(self):
        return UNKNOWN

    def _iter(self):
        seen = set()
        for flat in self._input._iter():
            key = np.asarray(st.to_host(flat[0])).item()
            if key not in seen:
                seen.add(key)
                yield flat


class _IgnoreErrorsDataset(_UnaryDataset):
    def _cardinality(self):
        return UNKNOWN

    def _iter(self):
        # TF drops each element whose computation failed and goes on with the next one.
        for x in self._input._iter_safe():
            if type(x) is not Failed:
                yield x


class _AssertCardinalityDataset(_UnaryDataset):
    def __init__(self, input_dataset, expected):
        super().__init__(input_dataset)
        self._expected = _int(expected)

    def _cardinality(self):
        return self._expected

    def _iter(self):
        k = 0
        for x in self._input._iter():
            k += 1
            if self._expected >= 0 and k > self._expected:
                raise _wrapped_error("IteratorGetNext", f"Input dataset was expected to contain "
                                     f"{self._expected} elements but contained at least "
                                     f"{k} elements.")
            yield x
        if self._expected >= 0 and k < self._expected or self._expected == INFINITE:
            raise _wrapped_error("IteratorGetNext", f"Input dataset was expected to contain "
                                 f"{self._expected} elements but contained only {k} elements.")


class CacheDataset(_UnaryDataset):
    """Keeps the elements of the first complete iteration in memory."""

    def __init__(self, input_dataset, filename=""):
        super().__init__(input_dataset)
        self._filename = filename
        self._cached = None

    def _iter(self):
        if self._cached is not None:
            yield from self._cached
            return
        items = []
        for x in self._input._iter():
            items.append(x)
            yield x
        self._cached = items

    def _index_source(self):
        return index_source(self._input) if self._cached is None else None


class _OptionsDataset(_UnaryDataset):
    def __init__(self, input_dataset, options):
        super().__init__(input_dataset)
        base = input_dataset.options()
        self._options = base.merge(options) if hasattr(base, "merge") else options

    def _iter(self):
        return self._input._iter()

    def _index_source(self):
        return index_source(self._input)


# -- several inputs ------------------------------------------------------------------------------
class _ZipDataset(Dataset):
    def __init__(self, datasets):
        if isinstance(datasets, list):
            raise TypeError("Invalid input to `zip`. Inputs are expected to be (nested) "
                            "structures of `tf.data.Dataset` objects. Python `list` is not "
                            "supported and you should use `tuple` instead.")
        flat = st.flatten(datasets)
        for d in flat:
            if not isinstance(d, Dataset):
                raise TypeError(f"Invalid input to `zip`. Inputs are expected to be (nested) "
                                f"structures of `tf.data.Dataset` objects but encountered "
                                f"object of type {type(d)}.")
        self._datasets = flat
        self._structure = st.pack(datasets, [d._structure for d in flat])

    def _inputs(self):
        return list(self._datasets)

    def _cardinality(self):
        ns = [d._cardinality() for d in self._datasets]
        finite = [n for n in ns if n >= 0]
        if finite:
            return min(finite)
        return UNKNOWN if UNKNOWN in ns else INFINITE

    def _iter(self):
        its = [d._iter() for d in self._datasets]
        while True:
            out = []
            for it in its:
                x = next(it, None)
                if x is None:
                    return
                out.extend(x)
            yield tuple(out)


class _ConcatenateDataset(Dataset):
    def __init__(self, a, b):
        sa, sb = a._flat_specs, b._flat_specs
        err = TypeError(f"Incompatible dataset elements:\n  {a.element_spec} vs.   "
                        f"{b.element_spec}")
        if not st.same_structure(a._structure, b._structure) or len(sa) != len(sb):
            raise err
        merged = []
        for x, y in zip(sa, sb):
            m = x.most_specific_common_supertype([y])
            if m is None:
                raise err
            merged.append(m)
        self._a, self._b = a, b
        self._structure = st.pack(a._structure, merged)

    def _inputs(self):
        return [self._a, self._b]

    def _cardinality(self):
        na, nb = self._a._cardinality(), self._b._cardinality()
        if INFINITE in (na, nb):
            return INFINITE
        if UNKNOWN in (na, nb):
            return UNKNOWN
        return na + nb

    def _iter(self):
        yield from self._a._iter()
        yield from self._b._iter()


class _SampleDataset(Dataset):
    def __init__(self, datasets, weights, seed, stop_on_empty):
        self._datasets = list(datasets)
        n = len(self._datasets)
        w = np.full(n, 1.0 / n) if weights is None else np.asarray(to_static(weights), float)
        self._weights = w / w.sum()
        self._seeds = _seed_pair(seed)
        self._stop = stop_on_empty
        self._structure = self._datasets[0]._structure
        self._epoch = 0

    def _inputs(self):
        return list(self._datasets)

    def _iter(self):
        rng = np.random.Generator(np.random.Philox(np.random.SeedSequence(
            [self._seeds[0] & (2**64 - 1), self._seeds[1] & (2**64 - 1), self._epoch])))
        self._epoch += 1
        its = [d._iter() for d in self._datasets]
        w = self._weights.copy()
        while w.sum() > 0:
            i = int(rng.choice(len(its), p=w / w.sum()))
            x = next(its[i], None)
            if x is None:
                if self._stop:
                    return
                w[i] = 0
                continue
            yield x


class _ChooseDataset(Dataset):
    def __init__(self, datasets, choice_dataset, stop_on_empty):
        self._datasets = list(datasets)
        self._choice = choice_dataset
        self._stop = stop_on_empty
        self._structure = self._datasets[0]._structure

    def _inputs(self):
        return self._datasets + [self._choice]

    def _iter(self):
        its = [d._iter() for d in self._datasets]
        for (c,) in self._choice._iter():
            x = next(its[int(np.asarray(c))], None)
            if x is None:
                if self._stop:
                    return
                continue
            yield x


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


class _ListDataset(Dataset):
    """Elements given as a list of flat tuples (windows)."""

    def __init__(self, items, spec):
        self._items = items
        self._structure = spec

    def _cardinality(self):
        return len(self._items)

    def _iter(self):
        return iter(self._items)


class _GeneratorDataset(Dataset):
    def __init__(self, generator, output_types, output_shapes, args, output_signature):
        from .._function.specs import TensorSpec
        if not callable(generator):
            raise TypeError("`generator` must be a Python callable.")
        if output_signature is not None:
            if output_types is not None:
                raise TypeError("The `output_types` argument can not be used together with "
                                "the `output_signature` argument.")
            if output_shapes is not None:
                raise TypeError("The `output_shapes` argument can not be used together with "
                                "the `output_signature` argument.")
            for spec in st.flatten(output_signature):
                if not hasattr(spec, "dtype") or not hasattr(spec, "shape") or \
                        not hasattr(spec, "most_specific_common_supertype"):
                    raise TypeError(f"`output_signature` must contain objects that are "
                                    f"subclass of `tf.TypeSpec` but found {type(spec)} which "
                                    f"is not.")
            structure = output_signature
        else:
            if output_types is None:
                raise TypeError("To specify the output signature you need to provide either "
                                "the `output_signature` argument or the `output_types` "
                                "argument.")
            types = st.flatten(output_types)
            shapes = [None] * len(types) if output_shapes is None else \
                _flatten_up_to(output_types, output_shapes)
            structure = st.pack(output_types, [
                TensorSpec(TensorShape(sh) if sh is not None else TensorShape(None),
                           _d.as_dtype(t)) for t, sh in zip(types, shapes)])
        self._generator = generator
        self._args = args
        self._structure = structure

    def _iter(self):
        from .._core.convert import convert_to_tensor
        args = () if self._args is None else tuple(
            convert_to_tensor(a).numpy() for a in self._args)
        specs = self._flat_specs
        for value in self._generator(*args):
            if isinstance(value, list) and st.is_nested(self._structure):
                value = tuple(value)
            try:
                flat = _flatten_up_to(self._structure, value) \
                    if st.is_nested(self._structure) else [value]
            except (TypeError, KeyError, IndexError):
                raise _gen_error(f"TypeError: `generator` yielded an element that did not "
                                 f"match the expected structure. The expected structure was "
                                 f"{self._structure}, but the yielded element was "
                                 f"{value}.") from None
            if st.is_nested(self._structure) and not st.same_structure(self._structure, value):
                raise _gen_error(f"TypeError: `generator` yielded an element that did not "
                                 f"match the expected structure. The expected structure was "
                                 f"{self._structure}, but the yielded element was "
                                 f"{value}.")
            out = []
            for v, s in zip(flat, specs):
                try:
                    c = st.to_host(v, s.dtype) if st.dense_spec(s) else st.to_host(v)
                except (TypeError, ValueError):
                    raise _gen_error(f"TypeError: `generator` yielded an element that could "
                                     f"not be converted to the expected type. The expected "
                                     f"type was {s.dtype.name}, but the yielded element was "
                                     f"{v}.") from None
                if st.dense_spec(s) and not s.shape.is_compatible_with(np.shape(c)):
                    raise _gen_error(f"TypeError: `generator` yielded an element of shape "
                                     f"{np.shape(c)} where an element of shape {s.shape} was "
                                     f"expected.")
                out.append(c)
            yield tuple(out)

    def __repr__(self):
        return f"<_FlatMapDataset element_spec={self.element_spec!r}>"


def _gen_error(message):
    return _wrapped_error("IteratorGetNext", message)


# -- Dataset's transformation methods (attached here: Dataset sits below this module) ----
def _ds_reduce(self, initial_state, reduce_func, name=None):
    """Folds ``reduce_func(state, element)`` over the elements.

    >>> import tftape as tf
    >>> tf.data.Dataset.range(5).reduce(tf.constant(0, tf.int64), lambda s, x: s + x).numpy()
    np.int64(10)
    """
    return reduce_dataset(self, initial_state, reduce_func)


def _ds_with_options(self, options, name=None):
    return _OptionsDataset(self, options)


def _ds_from_generator(generator, output_types=None, output_shapes=None, args=None,
                   output_signature=None, name=None) -> "Dataset":
    """Elements produced by calling ``generator(*args)`` for each iteration."""
    return _GeneratorDataset(generator, output_types, output_shapes, args,
                             output_signature)


def _ds_zip(*datasets, name=None) -> "Dataset":
    """Elements of several datasets side by side (stops at the shortest)."""
    if len(datasets) == 1:
        datasets = datasets[0]
    elif not datasets:
        raise TypeError("Must pass at least one dataset to `zip`.")
    return _ZipDataset(datasets)


def _ds_sample_from_datasets(datasets, weights=None, seed=None,
                         stop_on_empty_dataset=False, rerandomize_each_iteration=None):
    return _SampleDataset(datasets, weights, seed, stop_on_empty_dataset)


def _ds_choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset=True):
    return _ChooseDataset(datasets, choice_dataset, stop_on_empty_dataset)


def _ds_map(self, map_func, num_parallel_calls=None, deterministic=None, synchronous=None,
        use_unbounded_threadpool=False, name=None) -> "Dataset":
    """Applies ``map_func`` to each element (``num_parallel_calls`` is accepted).

    >>> import tftape as tf
    >>> tf.data.Dataset.range(3).map(lambda x: (x, x * 2)).element_spec[1]
    TensorSpec(shape=(), dtype=tf.int64, name=None)
    """
    cls = _MapDataset if num_parallel_calls is None else _ParallelMapDataset
    return cls(self, map_func)


def _ds_filter(self, predicate, name=None) -> "Dataset":
    return _FilterDataset(self, predicate)


def _ds_flat_map(self, map_func, name=None) -> "Dataset":
    return _FlatMapDataset(self, map_func)


def _ds_interleave(self, map_func, cycle_length=None, block_length=None,
               num_parallel_calls=None, deterministic=None, name=None) -> "Dataset":
    return _InterleaveDataset(self, map_func, cycle_length, block_length,
                              num_parallel_calls)


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


def _ds_shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=True,
            name=None) -> "Dataset":
    """Randomly shuffles elements through a buffer of ``buffer_size`` elements."""
    return _ShuffleDataset(self, buffer_size, seed, reshuffle_each_iteration)


def _ds_repeat(self, count=None, name=None) -> "Dataset":
    return _RepeatDataset(self, count)


def _ds_take(self, count, name=None) -> "Dataset":
    return _TakeDataset(self, count)


def _ds_skip(self, count, name=None) -> "Dataset":
    return _SkipDataset(self, count)


def _ds_take_while(self, predicate, name=None) -> "Dataset":
    return _TakeWhileDataset(self, predicate)


def _ds_shard(self, num_shards, index, name=None) -> "Dataset":
    return _ShardDataset(self, num_shards, index)


def _ds_concatenate(self, dataset, name=None) -> "Dataset":
    return _ConcatenateDataset(self, dataset)


def _ds_enumerate(self, start=0, name=None) -> "Dataset":
    """Pairs each element with its index, as ``(index, element)`` (int64)."""
    n = self._cardinality()
    stop = np.iinfo(np.int64).max
    rng = _RangeDataset(start, stop)
    if n >= 0:
        rng._n = min(rng._n, n)
    return _ZipDataset((rng, self))


def _ds_cache(self, filename="", name=None) -> "Dataset":
    return CacheDataset(self, filename)


def _ds_window(self, size, shift=None, stride=1, drop_remainder=False, name=None):
    return _WindowDataset(self, size, shift, stride, drop_remainder)


def _ds_unique(self, name=None) -> "Dataset":
    return _UniqueDataset(self)


def _ds_scan(self, initial_state, scan_func, name=None) -> "Dataset":
    return _ScanDataset(self, initial_state, scan_func)


def _ds_ignore_errors(self, log_warning=False, name=None) -> "Dataset":
    return _IgnoreErrorsDataset(self)


def _ds_assert_cardinality(self, expected_cardinality) -> "Dataset":
    return _AssertCardinalityDataset(self, expected_cardinality)


attach(Dataset, "reduce", _ds_reduce)
attach(Dataset, "with_options", _ds_with_options)
attach(Dataset, "from_generator", _ds_from_generator, staticmethod)
attach(Dataset, "zip", _ds_zip, staticmethod)
attach(Dataset, "sample_from_datasets", _ds_sample_from_datasets, staticmethod)
attach(Dataset, "choose_from_datasets", _ds_choose_from_datasets, staticmethod)
attach(Dataset, "map", _ds_map)
attach(Dataset, "filter", _ds_filter)
attach(Dataset, "flat_map", _ds_flat_map)
attach(Dataset, "interleave", _ds_interleave)
attach(Dataset, "batch", _ds_batch)
attach(Dataset, "padded_batch", _ds_padded_batch)
attach(Dataset, "ragged_batch", _ds_ragged_batch)
attach(Dataset, "unbatch", _ds_unbatch)
attach(Dataset, "shuffle", _ds_shuffle)
attach(Dataset, "repeat", _ds_repeat)
attach(Dataset, "take", _ds_take)
attach(Dataset, "skip", _ds_skip)
attach(Dataset, "take_while", _ds_take_while)
attach(Dataset, "shard", _ds_shard)
attach(Dataset, "concatenate", _ds_concatenate)
attach(Dataset, "enumerate", _ds_enumerate)
attach(Dataset, "cache", _ds_cache)
attach(Dataset, "window", _ds_window)
attach(Dataset, "unique", _ds_unique)
attach(Dataset, "scan", _ds_scan)
attach(Dataset, "ignore_errors", _ds_ignore_errors)
attach(Dataset, "assert_cardinality", _ds_assert_cardinality)

"""Dataset transformations that apply a function per element: map, filter, flat_map,
interleave, scan and reduce.
"""
from __future__ import annotations

import os

import numpy as np

from .._core import dtypes as _d
from .._core.methods import attach
from . import _structure as st
from ._dataset import INFINITE, UNKNOWN, Dataset, Failed, _normalize, _pack
from ._function import StructuredFunction
from ._transforms import _UnaryDataset, _int


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


# -- Dataset's methods (attached here: Dataset sits below this module) ------------------------
def _ds_reduce(self, initial_state, reduce_func, name=None):
    """Folds ``reduce_func(state, element)`` over the elements.

    >>> import tftape as tf
    >>> tf.data.Dataset.range(5).reduce(tf.constant(0, tf.int64), lambda s, x: s + x).numpy()
    np.int64(10)
    """
    return reduce_dataset(self, initial_state, reduce_func)


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


def _ds_scan(self, initial_state, scan_func, name=None) -> "Dataset":
    return _ScanDataset(self, initial_state, scan_func)


attach(Dataset, "reduce", _ds_reduce)
attach(Dataset, "map", _ds_map)
attach(Dataset, "filter", _ds_filter)
attach(Dataset, "flat_map", _ds_flat_map)
attach(Dataset, "interleave", _ds_interleave)
attach(Dataset, "scan", _ds_scan)

"""Dataset transformations of several datasets: zip, concatenate, sample_from_datasets,
choose_from_datasets, and enumerate.
"""
from __future__ import annotations

import numpy as np

from .._core.convert import to_static
from .._core.methods import attach
from . import _structure as st
from ._dataset import INFINITE, UNKNOWN, Dataset, _RangeDataset
from ._transforms import _seed_pair


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


# -- Dataset's methods (attached here: Dataset sits below this module) ------------------------
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


attach(Dataset, "zip", _ds_zip, staticmethod)
attach(Dataset, "sample_from_datasets", _ds_sample_from_datasets, staticmethod)
attach(Dataset, "choose_from_datasets", _ds_choose_from_datasets, staticmethod)
attach(Dataset, "concatenate", _ds_concatenate)
attach(Dataset, "enumerate", _ds_enumerate)

"""The base of the Dataset transformations (``_UnaryDataset``) and the helpers they share.

The transformations live by kind: ``_mapping`` (map, filter, flat_map, interleave, scan,
reduce), ``_batching`` (batch, padded_batch, ragged_batch, unbatch, window), ``_selection``
(shuffle, repeat, take, skip, take_while, shard, unique, ignore_errors, assert_cardinality,
cache, with_options), ``_combining`` (zip, concatenate, sample_from_datasets,
choose_from_datasets, enumerate) and ``_sources`` (from_generator). Each class keeps TF's class
name (it shows in the dataset's repr) and computes its element spec and cardinality when
created, as TF does; iteration is a Python generator over flat tuples of host components.
Each module attaches its methods to ``Dataset`` (which sits below them).
"""
from __future__ import annotations

import os

from .._core.convert import to_static
from . import _structure as st
from ._dataset import Dataset


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


def _islice(it, n):
    for _ in range(n):
        x = next(it, None)
        if x is None:
            return
        yield x


def _flatten_up_to(structure, value):
    if isinstance(structure, dict):
        return [v for k in st._sorted_keys(structure)
                for v in _flatten_up_to(structure[k], value[k])]
    if isinstance(structure, tuple):
        return [v for s, x in zip(structure, value) for v in _flatten_up_to(s, x)]
    return [value]


def _seed_pair(seed):
    """TF's seed rules: op seed and global seed; fresh entropy when neither is set."""
    from .._ops.random_ops import get_seed
    g, s = get_seed(None if seed is None else _int(seed))
    if g is None:
        return int.from_bytes(os.urandom(8), "little"), int.from_bytes(os.urandom(8), "little")
    return g, s

"""Dataset transformations that choose and order elements: shuffle, repeat, take, skip,
take_while, shard, unique, ignore_errors, assert_cardinality; and cache, with_options.
"""
from __future__ import annotations

import numpy as np

from .._core.methods import attach
from . import _structure as st
from ._dataset import INFINITE, UNKNOWN, Dataset, Failed, _wrapped_error
from ._function import StructuredFunction
from ._transforms import _UnaryDataset, _int, _islice, _seed_pair, index_source


# -- order ------------------------------------------------------------------------------------
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


# -- Dataset's methods (attached here: Dataset sits below this module) ------------------------
def _ds_with_options(self, options, name=None):
    return _OptionsDataset(self, options)


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


def _ds_cache(self, filename="", name=None) -> "Dataset":
    return CacheDataset(self, filename)


def _ds_unique(self, name=None) -> "Dataset":
    return _UniqueDataset(self)


def _ds_ignore_errors(self, log_warning=False, name=None) -> "Dataset":
    return _IgnoreErrorsDataset(self)


def _ds_assert_cardinality(self, expected_cardinality) -> "Dataset":
    return _AssertCardinalityDataset(self, expected_cardinality)


attach(Dataset, "with_options", _ds_with_options)
attach(Dataset, "shuffle", _ds_shuffle)
attach(Dataset, "repeat", _ds_repeat)
attach(Dataset, "take", _ds_take)
attach(Dataset, "skip", _ds_skip)
attach(Dataset, "take_while", _ds_take_while)
attach(Dataset, "shard", _ds_shard)
attach(Dataset, "cache", _ds_cache)
attach(Dataset, "unique", _ds_unique)
attach(Dataset, "ignore_errors", _ds_ignore_errors)
attach(Dataset, "assert_cardinality", _ds_assert_cardinality)

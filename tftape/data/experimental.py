"""``tf.data.experimental``."""
# ruff: noqa: F401
from ._dataset import AUTOTUNE as AUTOTUNE
from ._dataset import INFINITE as INFINITE_CARDINALITY
from ._dataset import UNKNOWN as UNKNOWN_CARDINALITY
from ._options import AutoShardPolicy as AutoShardPolicy
from ._options import DistributeOptions as DistributeOptions
from ._options import OptimizationOptions as OptimizationOptions
from ._options import ThreadingOptions as ThreadingOptions
from ._options import Optional as Optional
from ._options import DatasetSpec as DatasetSpec


def cardinality(dataset):
    """The dataset's cardinality as an int64 tensor (-1 infinite, -2 unknown)."""
    return dataset.cardinality()


def assert_cardinality(expected_cardinality):
    return lambda ds: ds.assert_cardinality(expected_cardinality)


def enable_debug_mode():
    """Accepted: tftape's tf.data functions already run as ordinary Python."""


def sample_from_datasets(datasets, weights=None, seed=None, stop_on_empty_dataset=False):
    from ._dataset import Dataset
    return Dataset.sample_from_datasets(datasets, weights, seed, stop_on_empty_dataset)


def choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset=True):
    from ._dataset import Dataset
    return Dataset.choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset)


def dense_to_ragged_batch(batch_size, drop_remainder=False, row_splits_dtype=None):
    from .._core import dtypes as _d
    return lambda ds: ds.ragged_batch(batch_size, drop_remainder,
                                      row_splits_dtype or _d.int64)


def get_single_element(dataset):
    return dataset.get_single_element()

"""``tf.data``: input pipelines on the host (``Dataset``, ``AUTOTUNE``, ``Options``).

Loaded lazily by ``tftape/__init__.py`` on first use of ``tf.data``.
"""
# ruff: noqa: F401
from . import experimental as experimental
from ._dataset import AUTOTUNE as AUTOTUNE
from ._dataset import INFINITE as INFINITE_CARDINALITY
from ._dataset import UNKNOWN as UNKNOWN_CARDINALITY
from ._dataset import Dataset as Dataset
from . import (_batching, _combining, _mapping, _prefetch, _selection,  # noqa: F401
               _sources)  # they attach Dataset's methods
from ._dataset import NumpyIterator as NumpyIterator
from ._dataset import OwnedIterator as Iterator
from ._options import DatasetSpec as DatasetSpec
from ._readers import TFRecordDataset as TFRecordDataset
from ._options import Options as Options
from ._options import ThreadingOptions as ThreadingOptions

"""File-reading datasets: ``tf.data.TFRecordDataset``."""
from __future__ import annotations

import numpy as np

from .._core import dtypes as _d
from ._dataset import DatasetSource, UNKNOWN


class TFRecordDataset(DatasetSource):
    """The records of one or more TFRecord files, as scalar strings, file after file.

    >>> import tftape as tf
    >>> tf.data.TFRecordDataset("a.tfrecord").element_spec
    TensorSpec(shape=(), dtype=tf.string, name=None)
    """

    def __init__(self, filenames, compression_type=None, buffer_size=None,
                 num_parallel_reads=None, name=None):
        from .._function.specs import TensorSpec
        from .._io._common import host_strings
        from .._io._tfrecord import _check_compression
        names = host_strings(filenames, "TFRecordDataset")
        if names.ndim > 1:
            raise TypeError("`filenames` must be a `tf.Tensor` of dtype `tf.string` and rank "
                            "<= 1")
        self._files = [n.decode() for n in names.reshape(-1)]
        self._compression = _check_compression(compression_type or "")
        self._structure = TensorSpec([], _d.string)

    def _cardinality(self):
        return UNKNOWN

    def _iter(self):
        from .._io._tfrecord import read_records
        for f in self._files:
            for rec in read_records(f, self._compression):
                a = np.empty((), dtype=object)
                a[()] = rec
                yield (a,)

    def __repr__(self):
        return f"<TFRecordDatasetV2 element_spec={self.element_spec!r}>"

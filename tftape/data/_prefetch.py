"""``Dataset.prefetch``: a background thread prepares elements on the device ahead of use.

The producer thread runs the upstream pipeline (map functions included) and starts each
component's host-to-device copy (``jax.device_put``, which returns at once); the consumer
gets elements whose transfer overlapped with its own work, as TF's prefetch to GPU does.
"""
from __future__ import annotations

import queue
import threading
import weakref

from .._core.methods import attach
from . import _structure as st
from ._dataset import Dataset
from ._transforms import _UnaryDataset, _int

_DONE = object()


class _Failure:
    __slots__ = ("error",)

    def __init__(self, error):
        self.error = error


class _PrefetchDataset(_UnaryDataset):
    def __init__(self, input_dataset, buffer_size):
        super().__init__(input_dataset)
        n = _int(buffer_size)
        # AUTOTUNE (-1): two elements ahead keeps one step's input ready while another loads.
        self._size = 2 if n < 0 else n

    def _iter(self):
        if self._size == 0:
            return self._input._iter()
        return _Prefetcher(self._input, self._size, self._flat_specs)


def _to_device(flat, specs):
    return tuple(st.to_user(c, s) for c, s in zip(flat, specs))


class _Prefetcher:
    """An iterator fed by a daemon thread; the thread stops when the iterator is dropped."""

    def __init__(self, dataset, size, specs):
        self._queue = queue.Queue(maxsize=size)
        self._stop = threading.Event()
        self._finished = False
        t = threading.Thread(target=_produce, args=(dataset, specs, self._queue, self._stop),
                             daemon=True, name="tftape-prefetch")
        t.start()
        weakref.finalize(self, self._stop.set)

    def __iter__(self):
        return self

    def __next__(self):
        if self._finished:
            raise StopIteration
        item = self._queue.get()
        if item is _DONE:
            self._finished = True
            raise StopIteration
        if isinstance(item, _Failure):
            self._finished = True
            raise item.error
        return item


def _produce(dataset, specs, q, stop):
    try:
        for flat in dataset._iter():
            item = _to_device(flat, specs)
            while not stop.is_set():
                try:
                    q.put(item, timeout=0.1)
                    break
                except queue.Full:
                    continue
            if stop.is_set():
                return
        item = _DONE
    except BaseException as e:  # noqa: BLE001 - handed to the consumer
        item = _Failure(e)
    while not stop.is_set():
        try:
            q.put(item, timeout=0.1)
            return
        except queue.Full:
            continue


# -- Dataset's transformation methods (attached here: Dataset sits below this module) ----
def _ds_prefetch(self, buffer_size, name=None) -> "Dataset":
    """Prepares up to ``buffer_size`` elements ahead, on the device, in a thread."""
    return _PrefetchDataset(self, buffer_size)


attach(Dataset, "prefetch", _ds_prefetch)

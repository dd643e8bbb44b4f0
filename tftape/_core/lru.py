"""A bounded, thread-safe least-recently-used cache with counters.

Every cache of compiled programs in tftape (op kernels, tape segments, tf.function programs,
deferred-update programs) is one of these, registered by name, so that their sizes can be set
and their counters read in one place (``tf.config.experimental`` helpers build on
:func:`caches`).
"""
from __future__ import annotations

import threading
from collections import OrderedDict

_REGISTRY: dict[str, "LRUCache"] = {}
_REGISTRY_LOCK = threading.Lock()


class LRUCache:
    """A mapping that keeps at most ``maxsize`` entries, dropping the least recently used.

    ``get`` counts hits and misses; ``put`` counts insertions and evictions; callers that
    compile on a miss add the compile time with :meth:`record_compile`. ``maxsize=None``
    keeps everything.
    """

    __slots__ = ("name", "maxsize", "_d", "_lock", "hits", "misses", "evictions",
                 "compiles", "compile_seconds")

    def __init__(self, name: str, maxsize: int | None = 256, register: bool = True):
        self.name = name
        self.maxsize = maxsize
        self._d: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = self.evictions = self.compiles = 0
        self.compile_seconds = 0.0
        if register:
            with _REGISTRY_LOCK:
                _REGISTRY[name] = self

    def get(self, key, default=None):
        with self._lock:
            try:
                v = self._d[key]
            except KeyError:
                self.misses += 1
                return default
            self._d.move_to_end(key)
            self.hits += 1
            return v

    def put(self, key, value) -> None:
        with self._lock:
            self._d[key] = value
            self._d.move_to_end(key)
            self._trim()

    def record_compile(self, seconds: float) -> None:
        with self._lock:
            self.compiles += 1
            self.compile_seconds += seconds

    def _trim(self) -> None:
        if self.maxsize is None:
            return
        while len(self._d) > self.maxsize:
            self._d.popitem(last=False)
            self.evictions += 1

    def set_maxsize(self, maxsize: int | None) -> None:
        if maxsize is not None and (not isinstance(maxsize, int) or maxsize < 1):
            raise ValueError(f"A cache size must be a positive integer or None, got {maxsize!r}")
        with self._lock:
            self.maxsize = maxsize
            self._trim()

    def pop(self, key, default=None):
        with self._lock:
            return self._d.pop(key, default)

    def clear(self) -> None:
        with self._lock:
            self._d.clear()

    def __len__(self) -> int:
        return len(self._d)

    def __contains__(self, key) -> bool:
        return key in self._d

    def stats(self) -> dict:
        with self._lock:
            return {"size": len(self._d), "maxsize": self.maxsize, "hits": self.hits,
                    "misses": self.misses, "evictions": self.evictions,
                    "compiles": self.compiles, "compile_seconds": self.compile_seconds}

    def reset_stats(self) -> None:
        with self._lock:
            self.hits = self.misses = self.evictions = self.compiles = 0
            self.compile_seconds = 0.0


def caches() -> dict[str, LRUCache]:
    """The registered caches by name."""
    with _REGISTRY_LOCK:
        return dict(_REGISTRY)

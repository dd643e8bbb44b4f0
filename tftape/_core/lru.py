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
_LIMITS: dict = {}        # name -> size set before that cache was created
_XLA = {"compiles": 0, "compile_seconds": 0.0}   # every XLA compilation in the process
# Programs run with NumPy instead of compiled (``host``), and the jaxprs traced for them.
HOST = {"runs": 0, "seconds": 0.0, "traces": 0}
_LISTENING: list = []


class LRUCache:
    """A mapping that keeps at most ``maxsize`` entries, dropping the least recently used.

    ``get`` counts hits and misses; ``put`` counts insertions and evictions; callers that
    compile on a miss add the compile time with :meth:`record_compile`. ``maxsize=None``
    keeps everything.
    """

    __slots__ = ("name", "maxsize", "_d", "_lock", "hits", "misses", "evictions",
                 "compiles", "compile_seconds", "on_evict", "__weakref__")

    def __init__(self, name: str, maxsize: int | None = 256, register: bool = True,
                 on_evict=None):
        self.name = name
        self.maxsize = maxsize
        self._d: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = self.evictions = self.compiles = 0
        self.compile_seconds = 0.0
        # ``on_evict(key, value)``: called (under the cache's lock) for each dropped entry.
        self.on_evict = on_evict
        if register:
            with _REGISTRY_LOCK:
                if name in _LIMITS:
                    self.maxsize = _LIMITS[name]
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
            k, v = self._d.popitem(last=False)
            self.evictions += 1
            if self.on_evict is not None:
                self.on_evict(k, v)

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
            if self.on_evict is not None:
                for k, v in self._d.items():
                    self.on_evict(k, v)
            self._d.clear()

    def values(self) -> list:
        """A snapshot of the values, least recently used first (does not count as use)."""
        with self._lock:
            return list(self._d.values())

    def items(self) -> list:
        """A snapshot of the (key, value) pairs, least recently used first."""
        with self._lock:
            return list(self._d.items())

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


# -- the public settings (``tf.config.experimental``) ------------------------------------------
def set_limits(limits: dict | None = None, **sizes) -> None:
    """Sets the maximum number of entries of caches by name (None: unbounded).

    A name not registered yet (a cache created on first use) takes its size when it is
    created. Shrinking a cache evicts its least recently used entries at once.
    """
    sizes = {**(limits or {}), **sizes}
    for name, size in sizes.items():
        if size is not None and (isinstance(size, bool) or not isinstance(size, int)
                                 or size < 1):
            raise ValueError(f"A cache size must be a positive integer or None, got {size!r} "
                             f"for {name!r}")
    known = caches()
    for name, size in sizes.items():
        with _REGISTRY_LOCK:
            _LIMITS[name] = size
        c = known.get(name)
        if c is not None:
            c.set_maxsize(size)


def limits() -> dict:
    """The maximum size of each registered cache by name."""
    return {name: c.maxsize for name, c in caches().items()}


def stats() -> dict:
    """Each registered cache's counters by name, and ``"xla"``: every XLA compilation in the
    process (count and seconds), whichever cache or library asked for it."""
    _listen()
    out = {name: c.stats() for name, c in sorted(caches().items())}
    out["xla"] = dict(_XLA)
    out["host"] = dict(HOST)
    return out


def reset_stats() -> None:
    for c in caches().values():
        c.reset_stats()
    _XLA["compiles"] = 0
    _XLA["compile_seconds"] = 0.0
    HOST.update(runs=0, seconds=0.0, traces=0)


def clear_all() -> None:
    """Empties every registered cache (compiled programs are built again on next use)."""
    for c in caches().values():
        c.clear()


# -- compile-time accounting ---------------------------------------------------------------------
# JAX reports each XLA compilation (``jax.monitoring``) with the name of the function compiled.
# A program a cache builds is named ``tftape__<cache>`` (:func:`named`), so its compile time is
# added to that cache's counters; every compilation also counts in ``_XLA``.
_PREFIX = "tftape__"


def _on_event(event: str, seconds: float, **kw) -> None:
    if not event.endswith("backend_compile_duration"):
        return
    _XLA["compiles"] += 1
    _XLA["compile_seconds"] += seconds
    name = kw.get("fun_name", "")
    i = name.find(_PREFIX)
    if i >= 0:
        c = _REGISTRY.get(name[i + len(_PREFIX):].rstrip(")"))
        if c is not None:
            c.record_compile(seconds)


def _listen() -> None:
    if _LISTENING:
        return
    with _REGISTRY_LOCK:
        if _LISTENING:
            return
        _LISTENING.append(True)
    from jax import monitoring
    monitoring.register_event_duration_secs_listener(_on_event)


def named(fn, cache: str, on_trace=None):
    """``fn`` under the name that attributes its XLA compilations to cache ``cache`` (the
    wrapper only runs while JAX traces, calling ``on_trace()`` first if given). Starts the
    compile-time accounting."""
    _listen()

    if on_trace is None:
        def program(*args):
            return fn(*args)
    else:
        def program(*args):
            on_trace()
            return fn(*args)
    program.__name__ = program.__qualname__ = _PREFIX + cache
    return program

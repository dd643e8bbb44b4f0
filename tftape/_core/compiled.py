"""Compiled programs whose compile cost follows how often an input shape recurs.

An XLA compilation on this CPU backend costs far more than running the program it makes
(a fused MLP training step: ~370 ms to compile, ~0.7 ms to run), and most of it is LLVM's
optimization. A loop whose shapes change (a batch size that varies, sequences of many
lengths) meets most shapes once or twice, so :class:`Tiered` compiles a new shape without
LLVM optimization (about 2.5x cheaper to compile; elementwise code then runs up to 4x
slower) and, once the shape has recurred ``optimize_after`` times, compiles it fully
optimized on a background thread, switching to that program when it is ready. See
docs/performance.md for the measurements.
"""
from __future__ import annotations

import threading
import time as _time

from . import host as _host, lru

# Note: XLA options, not JAX ones: the CPU backend's LLVM level and its costliest passes.
FAST_OPTIONS = {"xla_backend_optimization_level": 0, "xla_llvm_disable_expensive_passes": True}

# XLA's CPU "fusion emitters" compile 20-40 % more slowly than its older loop emitters; the
# programs run about as fast (within a few per cent either way: docs/performance.md). Where
# compile time dominates -- eager op kernels (one per op and shape), the quick tier below,
# Keras' train and eval steps, whose compilation an epoch waits for -- tftape asks for the
# older emitters; programs that serve steady loops (optimized tape programs, tf.function
# programs, optimizer updates) keep XLA's defaults.
_CPU_OPTIONS = {"xla_cpu_use_fusion_emitters": False}
_OPTIONS: list = []


def options() -> dict:
    """``_CPU_OPTIONS`` when this XLA accepts them (checked once, with a one-op program),
    else no options."""
    if not _OPTIONS:
        import jax
        import numpy as np
        try:
            jax.jit(lambda x: x + 1, compiler_options=_CPU_OPTIONS).lower(
                np.float32(0)).compile()
            _OPTIONS.append(dict(_CPU_OPTIONS))
        except Exception:  # noqa: BLE001 - an XLA without the option: its defaults
            _OPTIONS.append({})
    return _OPTIONS[0]


def jit(fn, **kwargs):
    """``jax.jit(fn, **kwargs)`` compiled with :func:`options` (added to any
    ``compiler_options``). JAX takes compile options only for a jit called outside any
    trace: for functions that are never called inside one."""
    import jax
    opts = {**options(), **kwargs.pop("compiler_options", {})}
    return jax.jit(fn, compiler_options=opts, **kwargs) if opts else jax.jit(fn, **kwargs)


_SETTINGS = {"optimize_after": 10}
_SEEN_MAX = 1024


def set_optimize_after(n: int) -> None:
    """Compile a program fully optimized from the ``n``-th call with the same input shapes
    (1: always)."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"optimize_after must be a positive integer, got {n!r}")
    _SETTINGS["optimize_after"] = n


def get_optimize_after() -> int:
    return _SETTINGS["optimize_after"]


class Tiered:
    """``jax.jit(fn)``, compiled quickly for input shapes seen fewer than ``optimize_after``
    times; then fully optimized in a background thread, the quick program serving until that
    is ready. Compilations count in cache ``cache``."""

    __slots__ = ("fast", "opt", "seen", "last", "done", "host", "named", "cache", "rent",
                 "lazy_from")

    def __init__(self, fn, cache: str):
        import jax
        self.host = fn           # run with NumPy (``host``) while a shape is new; None: never
        self.cache = cache
        self.rent: dict = {}     # input shapes -> seconds spent running them with NumPy
        self.lazy_from = None    # outputs a host run may leave as NumPy arrays (``Program``)
        self.named = f = lru.named(fn, cache)
        self.opt = jax.jit(f)
        self.fast = None         # the quick program, made when first needed
        self.seen: dict = {}
        self.done: set = set()   # shapes whose optimized program is compiled
        self.last = None         # the shapes of the latest optimized call (a fixed-shape loop)

    def __call__(self, *args):
        key = tuple([a.shape for a in args])
        if key == self.last:
            return self.opt(*args)
        after = _SETTINGS["optimize_after"]
        if after == 1 or key in self.done:
            self.last = key
            return self.opt(*args)
        seen = self.seen
        n = seen.get(key, 0) + 1
        if len(seen) >= _SEEN_MAX:
            seen.clear()
        seen[key] = n
        if self.host is not None:
            # A shape not compiled yet runs with NumPy until it recurs (a fixed-shape loop:
            # compiled from its third call) or the time spent so would have paid for
            # compiling it (the ski-rental rule: never worse than twice the best choice made
            # knowing the future).
            rent = self.rent
            spent = rent.get(key, 0.0)
            if n <= _host.HOST_CALLS and spent < _host.compile_estimate(self.cache):
                t = _time.perf_counter()
                out = self.on_host(args)
                if out is not None:
                    if len(rent) >= _SEEN_MAX:
                        rent.clear()
                    rent[key] = spent + _time.perf_counter() - t
                    return out
        if n == after:
            _background(self, key, args)
        fast = self.fast
        if fast is None:
            fast = self.fast = jit(self.named, compiler_options=FAST_OPTIONS)
        return fast(*args)

    def on_host(self, args):
        """The outputs computed with NumPy, or None where that tier cannot run them."""
        h = self.host
        if h is None or not _host.eligible(args):
            return None
        if type(h) is not _host.Program:
            h = self.host = _host.Program(h)
        try:
            return h.run(args, self.lazy_from)
        except _host.Unsupported:
            if h.dead:
                self.host = None     # never again; else only these inputs go to XLA
            return None

    def clear_cache(self) -> None:
        """Drops the executables compiled so far."""
        self.opt.clear_cache()
        if self.fast is not None:
            self.fast.clear_cache()
        self.seen.clear()
        self.rent.clear()
        self.done.clear()
        self.last = None


# One daemon thread compiles optimized programs (XLA releases the GIL while it compiles, so
# the caller keeps running on the quick program meanwhile).
_QUEUE: list = []
_WORKER: list = []
_BUSY = [False]
_STOPPED: list = []
_LOCK = threading.Lock()
_WAKE = threading.Condition(_LOCK)


def _background(t: Tiered, key, args) -> None:
    with _LOCK:
        if _STOPPED:
            return
        _QUEUE.append((t, key, args))
        if not _WORKER:
            w = threading.Thread(target=_work, name="tftape-compile", daemon=True)
            _WORKER.append(w)
            w.start()
            import atexit
            atexit.register(_stop)
        _WAKE.notify()


def _stop() -> None:
    """At exit: drops the queued compilations and waits for the one under way (XLA aborts
    the process if the interpreter goes away in the middle of one)."""
    with _LOCK:
        _STOPPED.append(True)
        _QUEUE.clear()
    wait_for_background()


def _work() -> None:
    while True:
        with _LOCK:
            while not _QUEUE:
                _WAKE.wait()
            t, key, args = _QUEUE.pop(0)
            _BUSY[0] = True
        try:
            t.opt.lower(*args).compile()
            t.done.add(key)
        except Exception:  # noqa: BLE001 - the quick program keeps serving
            pass
        finally:
            args = None
            with _LOCK:
                _BUSY[0] = False


def wait_for_background(timeout: float = 60.0) -> None:
    """Waits until the background compilations queued so far are done (tests, benchmarks)."""
    import time
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with _LOCK:
            if not _QUEUE and not _BUSY[0]:
                return
        time.sleep(0.01)

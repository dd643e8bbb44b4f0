"""Compiled programs whose compile cost follows how often an input shape recurs.

An XLA compilation on this CPU backend costs far more than running the program it makes
(a fused MLP training step: ~370 ms to compile, ~0.7 ms to run), and most of it is LLVM's
optimization. A loop whose shapes change (a batch size that varies, sequences of many
lengths) meets most shapes once or twice, so :class:`Tiered` compiles a shape it has seen
fewer than ``OPTIMIZE_AFTER`` times without LLVM optimization (about 2.5x cheaper to compile;
elementwise code then runs up to 4x slower), and with full optimization from then on, when
the shape has shown it recurs. See docs/performance.md for the measurements.
"""
from __future__ import annotations

from . import lru

# Note: XLA options, not JAX ones: the CPU backend's LLVM level and its costliest passes.
FAST_OPTIONS = {"xla_backend_optimization_level": 0, "xla_llvm_disable_expensive_passes": True}
_SETTINGS = {"optimize_after": 20}
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
    times and fully optimized for the others. Compilations count in cache ``cache``."""

    __slots__ = ("fast", "opt", "seen", "last")

    def __init__(self, fn, cache: str):
        import jax
        f = lru.named(fn, cache)
        self.opt = jax.jit(f)
        self.fast = jax.jit(f, compiler_options=FAST_OPTIONS)
        self.seen: dict = {}
        self.last = None   # the shapes of the latest optimized call (the fixed-shape loop)

    def __call__(self, *args):
        key = tuple([a.shape for a in args])
        if key == self.last:
            return self.opt(*args)
        seen = self.seen
        n = seen.get(key, 0) + 1
        if n >= _SETTINGS["optimize_after"]:
            self.last = key
            return self.opt(*args)
        if len(seen) >= _SEEN_MAX:
            seen.clear()
        seen[key] = n
        return self.fast(*args)

    def clear_cache(self) -> None:
        """Drops the executables compiled so far."""
        self.opt.clear_cache()
        self.fast.clear_cache()
        self.seen.clear()
        self.last = None

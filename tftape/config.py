"""``tf.config``: devices as JAX sees them."""
# ruff: noqa: F401
import types as _types

from ._core.device import (get_memory_growth as get_memory_growth,
                           get_visible_devices as get_visible_devices,
                           list_logical_devices as list_logical_devices,
                           list_physical_devices as list_physical_devices,
                           set_memory_growth as set_memory_growth,
                           set_visible_devices as set_visible_devices,
                           LogicalDevice as LogicalDevice, PhysicalDevice as PhysicalDevice)


def run_functions_eagerly(run_eagerly: bool):
    """Makes every tf.function run its Python body eagerly (for debugging)."""
    from ._core import registry
    registry.RUN_EAGERLY = bool(run_eagerly)


def functions_run_eagerly() -> bool:
    from ._core import registry
    return getattr(registry, "RUN_EAGERLY", False)


def set_cache_limits(limits: dict | None = None, **sizes) -> None:
    """Sets the maximum number of entries of tftape's compiled-program caches, by name.

    The names are those :func:`get_cache_stats` lists (``op_kernels``, ``tape_segments``,
    ``tape_plans``, ``pending_programs``, ``shape_inference``, ``autograph``, ...); ``None``
    leaves a cache unbounded. Least recently used entries are evicted first.

    >>> import tftape as tf
    >>> tf.config.experimental.set_cache_limits(tape_segments=256)
    >>> tf.config.experimental.get_cache_limits()["tape_segments"]
    256
    >>> tf.config.experimental.set_cache_limits(tape_segments=512)
    """
    from ._core import lru
    lru.set_limits(limits, **sizes)


def get_cache_limits() -> dict:
    """The maximum number of entries of each cache, by name."""
    from ._core import lru
    return lru.limits()


def get_cache_stats() -> dict:
    """Counters of each compiled-program cache: a dict per cache name.

    Each has ``size``, ``maxsize``, ``hits``, ``misses``, ``evictions``, ``compiles`` (XLA
    compilations of the programs it holds, one per new input shape) and
    ``compile_seconds``; the entry ``"xla"`` counts every XLA compilation in the process,
    and ``"host"`` the programs run with NumPy instead (``runs``, ``seconds``, and the
    ``traces`` of their jaxprs; see ``set_host_execution``). A loop that stays slow shows
    ``compiles`` growing every step.
    """
    from ._core import lru
    return lru.stats()


def reset_cache_stats() -> None:
    """Sets every cache counter back to zero (the cached programs stay)."""
    from ._core import lru
    lru.reset_stats()


def clear_caches() -> None:
    """Drops every cached compiled program (they are compiled again when next needed)."""
    from ._core import lru
    lru.clear_all()


def set_host_execution(enabled: bool) -> None:
    """On the CPU backend, programs and op kernels meet input shapes they have not compiled
    run with NumPy (no compilation) until the time spent so would have paid for compiling
    them (default: on). ``False`` compiles every new shape at once. See
    docs/performance.md ("Changing shapes")."""
    from ._core import host
    host.set_enabled(enabled)


def get_host_execution() -> bool:
    from ._core import host
    return host.is_enabled()


def set_optimize_after(n: int) -> None:
    """Compile tape and deferred programs fully optimized once an input shape has been
    compiled and seen ``n`` times (default 10); before, they are compiled quickly without
    LLVM optimization."""
    from ._core import compiled
    compiled.set_optimize_after(n)


def get_optimize_after() -> int:
    from ._core import compiled
    return compiled.get_optimize_after()


def set_soft_device_placement(enabled):
    """Accepted for compatibility: placement falls back as TF's soft placement does."""


def get_soft_device_placement():
    return True


experimental = _types.SimpleNamespace(
    list_physical_devices=list_physical_devices, list_logical_devices=list_logical_devices,
    set_memory_growth=set_memory_growth, get_memory_growth=get_memory_growth,
    get_visible_devices=get_visible_devices, set_visible_devices=set_visible_devices,
    enable_op_determinism=lambda: None,
    enable_tensor_float_32_execution=lambda enabled: None,
    set_cache_limits=set_cache_limits, get_cache_limits=get_cache_limits,
    get_cache_stats=get_cache_stats, reset_cache_stats=reset_cache_stats,
    clear_caches=clear_caches, set_optimize_after=set_optimize_after,
    get_optimize_after=get_optimize_after, set_host_execution=set_host_execution,
    get_host_execution=get_host_execution)
threading = _types.SimpleNamespace(
    set_inter_op_parallelism_threads=lambda n: None, set_intra_op_parallelism_threads=lambda n: None,
    get_inter_op_parallelism_threads=lambda: 0, get_intra_op_parallelism_threads=lambda: 0)
optimizer = _types.SimpleNamespace(set_jit=lambda enabled: None, get_jit=lambda: "")

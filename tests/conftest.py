"""Test-session setup shared by every test module.

Real TensorFlow is the oracle. Its oneDNN kernels rename ops in error messages
(``__MklMatMul``), so it runs with them off, before any module imports it.

Each test module compiles its own XLA programs; when a module is done and the worker holds more
than 1.1 GiB, they are all dropped, so that a worker's memory stays flat across the suite
instead of growing with every module. Below that, the next modules reuse the kernels compiled
so far (most modules compile the same small op kernels): measured on six op and layer modules
run in one process, 11 % less time than dropping them after every module, and a lower peak.
"""
import ctypes
import gc
import os
import sys

import pytest

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _release_memory():
    jax = sys.modules.get("jax")
    if jax is not None:
        jax.clear_caches()
    gc.collect()
    try:  # hand freed heap pages back to the OS (glibc only)
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _rss_bytes() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 1 << 62      # unknown: always release


_RELEASE_ABOVE = int(1.1 * (1 << 30))


def pytest_runtest_teardown(item, nextitem):
    if (nextitem is None or nextitem.module is not item.module) and \
            _rss_bytes() >= _RELEASE_ABOVE:
        _release_memory()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Keeps ``xdist_group`` modules on one worker under pytest 9 (``--dist loadgroup``).

    pytest-xdist groups tests by a ``@group`` suffix it writes into each item's node id; since
    pytest 9 keeps node ids in ``item._id``, that write is lost and a group's tests spread over
    both workers, so a module fixture (every docs page, every example) would run on each.
    """
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        names = sorted({str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                        for m in item.iter_markers("xdist_group")})
        if names and "@" not in item.nodeid and hasattr(item, "_id"):
            from _pytest.nodeid import coerce_node_id
            item._id = coerce_node_id(f"{item.nodeid}@{'_'.join(names)}")

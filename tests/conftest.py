"""Test-session setup shared by every test module.

Real TensorFlow is the oracle. Its oneDNN kernels rename ops in error messages
(``__MklMatMul``), so it runs with them off, before any module imports it.

Each test module compiles its own XLA programs; they are dropped when the module is done, so
that a worker's memory stays flat across the suite instead of growing with every module.
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


def pytest_runtest_teardown(item, nextitem):
    if nextitem is None or nextitem.module is not item.module:
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

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

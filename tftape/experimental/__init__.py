"""``tf.experimental``: the NumPy API (``tf.experimental.numpy``) and DLPack interop.

Submodules load on first use so ``import tftape`` stays light.
"""
from __future__ import annotations

_LAZY = {"numpy": ".numpy", "dlpack": ".dlpack"}


def __getattr__(name):
    import importlib
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError(f"module 'tensorflow.experimental' has no attribute '{name}'")
    m = importlib.import_module(mod, __name__)
    globals()[name] = m
    return m


def __dir__():
    return sorted(list(globals()) + list(_LAZY))

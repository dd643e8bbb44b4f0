"""``tf.experimental``: the NumPy API (``tf.experimental.numpy``), DLPack interop, and the
ragged shape classes (``DynamicRaggedShape``, ``RowPartition``).

Submodules load on first use so ``import tftape`` stays light.
"""
from __future__ import annotations

_LAZY = {"numpy": ".numpy", "dlpack": ".dlpack"}
_CLASSES = {"DynamicRaggedShape", "RowPartition"}


def __getattr__(name):
    import importlib
    if name in _CLASSES:
        from .._ragged import dynamic_shape
        value = getattr(dynamic_shape, name)
        globals()[name] = value
        return value
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError(f"module 'tensorflow.experimental' has no attribute '{name}'")
    m = importlib.import_module(mod, __name__)
    globals()[name] = m
    return m


def __dir__():
    return sorted(list(globals()) + list(_LAZY) + list(_CLASSES))

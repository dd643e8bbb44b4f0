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


def set_soft_device_placement(enabled):
    """Accepted for compatibility: placement falls back as TF's soft placement does."""


def get_soft_device_placement():
    return True


experimental = _types.SimpleNamespace(
    list_physical_devices=list_physical_devices, list_logical_devices=list_logical_devices,
    set_memory_growth=set_memory_growth, get_memory_growth=get_memory_growth,
    get_visible_devices=get_visible_devices, set_visible_devices=set_visible_devices,
    enable_op_determinism=lambda: None,
    enable_tensor_float_32_execution=lambda enabled: None)
threading = _types.SimpleNamespace(
    set_inter_op_parallelism_threads=lambda n: None, set_intra_op_parallelism_threads=lambda n: None,
    get_inter_op_parallelism_threads=lambda: 0, get_intra_op_parallelism_threads=lambda: 0)
optimizer = _types.SimpleNamespace(set_jit=lambda enabled: None, get_jit=lambda: "")

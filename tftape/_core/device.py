"""Devices: TF's device strings over JAX's devices, ``tf.device`` and ``tf.config``."""
from __future__ import annotations

import collections
import contextlib
import re

PhysicalDevice = collections.namedtuple("PhysicalDevice", ["name", "device_type"])
LogicalDevice = collections.namedtuple("LogicalDevice", ["name", "device_type"])

_TF_TYPE = {"cpu": "CPU", "gpu": "GPU", "cuda": "GPU", "rocm": "GPU", "tpu": "TPU"}


def _jax():
    import jax
    return jax


def device_name(value) -> str:
    """TF's full name of the device holding a jax array."""
    try:
        dev = next(iter(value.devices()))
    except (AttributeError, StopIteration, TypeError):
        return "/job:localhost/replica:0/task:0/device:CPU:0"
    kind = _TF_TYPE.get(dev.platform, dev.platform.upper())
    return f"/job:localhost/replica:0/task:0/device:{kind}:{dev.id}"


def _devices(device_type=None):
    jax = _jax()
    out = []
    for platform in ("cpu", "gpu", "tpu"):
        try:
            devs = jax.devices(platform)
        except RuntimeError:
            continue
        for d in devs:
            kind = _TF_TYPE.get(d.platform, d.platform.upper())
            if device_type is None or device_type.upper() == kind:
                out.append((kind, d))
    return out


def list_physical_devices(device_type=None):
    """The physical devices JAX sees, as TF names them (``/physical_device:CPU:0``)."""
    seen = collections.Counter()
    out = []
    for kind, d in _devices(device_type):
        if kind == "CPU" and seen[kind]:
            continue  # TF shows one physical CPU however many host devices XLA splits it into
        out.append(PhysicalDevice(f"/physical_device:{kind}:{seen[kind]}", kind))
        seen[kind] += 1
    return out


def list_logical_devices(device_type=None):
    seen = collections.Counter()
    out = []
    for kind, d in _devices(device_type):
        out.append(LogicalDevice(f"/device:{kind}:{seen[kind]}", kind))
        seen[kind] += 1
    return out


def resolve(spec: str):
    """The JAX device for a TF device string such as ``/GPU:0`` or ``/device:CPU:0``."""
    if spec is None or spec == "":
        return None
    m = re.search(r"(?:device:)?(CPU|GPU|TPU)(?::(\d+))?", spec, re.IGNORECASE)
    if not m:
        raise ValueError(f"Could not parse device specification: {spec!r}")
    kind, idx = m.group(1).upper(), int(m.group(2) or 0)
    devs = [d for k, d in _devices(kind)]
    if not devs:
        if kind == "CPU":
            raise RuntimeError("No CPU device")
        return None  # TF places on another device when the requested one is absent (soft placement)
    return devs[min(idx, len(devs) - 1)]


@contextlib.contextmanager
def device(device_name):  # noqa: F811 - TF's argument name
    """Places new tensors on a device (``with tf.device('/GPU:0'):``)."""
    if callable(device_name):
        raise RuntimeError("tf.device does not support functions when eager execution is enabled.")
    dev = resolve(device_name)
    if dev is None:
        yield
        return
    with _jax().default_device(dev):
        yield


def set_memory_growth(device, enable):
    """Accepted for compatibility: XLA manages GPU memory (see XLA_PYTHON_CLIENT_PREALLOCATE)."""


def get_memory_growth(device):
    return False


def get_visible_devices(device_type=None):
    return list_physical_devices(device_type)


def set_visible_devices(devices, device_type=None):
    """Accepted for compatibility; JAX picks devices with ``JAX_PLATFORMS``/``CUDA_VISIBLE_DEVICES``."""

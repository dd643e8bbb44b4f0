"""Shared helpers of the array API namespace: dtypes, devices and the jcall wrapper."""
from __future__ import annotations

import jax
import numpy as np

from ..._core import dtypes as _d
from ..._core.tensor import Tensor
from .._base import jcall

# The standard's dtypes are tftape's DType singletons, so ``x.dtype == xp.float32`` holds.
DTYPES = {d.name: d for d in (_d.bool, _d.int8, _d.int16, _d.int32, _d.int64, _d.uint8,
                              _d.uint16, _d.uint32, _d.uint64, _d.float32, _d.float64,
                              _d.complex64, _d.complex128)}
DEFAULT_FLOAT = _d.float64
DEFAULT_COMPLEX = _d.complex128
DEFAULT_INT = _d.int64
DEFAULT_INDEX = _d.int64


def np_dtype(dtype):
    """A namespace dtype argument (DType, NumPy dtype or None) as a NumPy dtype."""
    if dtype is None:
        return None
    if isinstance(dtype, _d.DType):
        if dtype.name not in DTYPES:
            raise ValueError(f"{dtype!r} is not an array API data type")
        return dtype._np
    d = np.dtype(dtype)
    if _d._BY_NP.get(d) is None or _d._BY_NP[d].name not in DTYPES:
        raise ValueError(f"{dtype!r} is not an array API data type")
    return d


def as_input(x):
    """An array argument: tensors (and variables) stay; NumPy/JAX arrays become tensors."""
    if isinstance(x, Tensor):
        return x
    from ..._core.convert import convert_to_tensor
    if getattr(type(x), "_is_tf_variable", False) or isinstance(x, np.ndarray) or \
            type(x).__module__.startswith(("jax", "jaxlib")):
        return convert_to_tensor(x)
    return x


def call(name: str, fn, *args, _post=None, _diff=True, **kwargs):
    """Runs a ``jax.numpy`` function on namespace arguments as a recorded tftape op."""
    args = tuple(as_input(a) for a in args)
    return jcall("xp." + name, fn, *args, _post=_post, _diff=_diff, **kwargs)


def _jax_device(device):
    if isinstance(device, jax.Device):
        return device
    if isinstance(device, str):
        from ..._core.device import _devices
        name = device.upper()
        kind = "GPU" if "GPU" in name or "CUDA" in name else "TPU" if "TPU" in name else "CPU"
        idx = int(name.rsplit(":", 1)[1]) if name.rsplit(":", 1)[-1].isdigit() else 0
        devs = [d for k, d in _devices(kind)]
        if not devs or idx >= len(devs):
            raise ValueError(f"Unsupported device {device!r}")
        return devs[idx]
    raise ValueError(f"Unsupported device {device!r}")


def check_device(device):
    """Validates a ``device=`` argument: None, a TF device string or a JAX device."""
    if device is None:
        return None
    return _jax_device(device)


def _to_device(t: Tensor, device, stream) -> Tensor:
    """``x.to_device(device)``: the same tensor if already there, else a moved copy."""
    if stream is not None:
        raise ValueError("stream is not supported")
    dev = _jax_device(device)
    if t._dtype is _d.string or dev in t._v.devices():
        return t
    from ..._core.tensor import make
    return make(jax.device_put(t._v, dev), t._dtype)


def place(t: Tensor, device) -> Tensor:
    if device is None:
        return t
    return _to_device(t, device, None)

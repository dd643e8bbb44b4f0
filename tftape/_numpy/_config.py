"""TF-NumPy's process-wide settings and its NumPy-style dtype inference.

TF keeps these as module globals (``np_dtypes._prefer_float32`` and
``ops._dtype_conversion_mode``); so do we.
"""
from __future__ import annotations

import numbers

import numpy as np

from .._core import dtypes as _d
from .._core.tensor import Tensor

# 'off' (TF's strict rules), 'legacy' (NumPy-style promotion for operators), 'safe' / 'all'.
_MODES = ("off", "legacy", "safe", "all")
STATE = {"mode": "off", "prefer_float32": False, "allow_float64": True, "methods": False}

_TO_FLOAT32 = {np.dtype("float64"): np.dtype("float32"),
               np.dtype("complex128"): np.dtype("complex64")}


def is_prefer_float32() -> bool:
    return STATE["prefer_float32"]


def set_prefer_float32(b: bool):
    STATE["prefer_float32"] = bool(b)


def numpy_style_promotion() -> bool:
    """Whether operators promote their operands NumPy-style ('legacy' mode)."""
    return STATE["mode"] == "legacy"


def check_mode(mode) -> str:
    if mode not in _MODES:
        raise ValueError(
            f"The provided promotion mode {mode} does not exist. Make sure the provided dtype "
            "conversion mode is one of the followings: 'off', 'legacy', 'safe' or 'all'.")
    return mode


def canonicalize(npd: np.dtype) -> np.dtype:
    if not STATE["allow_float64"]:
        return _TO_FLOAT32.get(npd, npd)
    return npd


def default_float_type():
    """float64, or float32 under ``prefer_float32``, as ``np_dtypes.default_float_type``."""
    return np.float32 if STATE["prefer_float32"] or not STATE["allow_float64"] else np.float64


def _is_variable(x) -> bool:
    return getattr(type(x), "_is_tf_variable", False)


def _leaf_dtype(x):
    """What ``np.result_type`` sees for one argument (TF's ``_maybe_get_dtype``)."""
    if isinstance(x, numbers.Real) and not isinstance(x, np.generic):
        if STATE["prefer_float32"] and isinstance(x, float):
            return np.float32(x)
        return x
    if isinstance(x, numbers.Complex) and not isinstance(x, np.generic):
        return np.complex64(x) if STATE["prefer_float32"] else x
    if isinstance(x, Tensor) or _is_variable(x):
        return _np_dtype(x.dtype)
    if isinstance(x, _d.DType):
        return _np_dtype(x)
    if hasattr(type(x), "__tf_tensor__"):  # IndexedSlices and other composites
        return _np_dtype(x.dtype)
    if isinstance(x, (str, bytes)):
        return np.dtype(x) if isinstance(x, str) else np.bytes_
    return x


def _np_dtype(d: _d.DType):
    return np.dtype(object) if d is _d.string else d._np


def _flatten(xs, out):
    for x in xs:
        if isinstance(x, (list, tuple)):
            _flatten(x, out)
        else:
            out.append(x)
    return out


def result_type_np(*arrays_and_dtypes) -> np.dtype:
    """NumPy's ``result_type`` on TF values (Python scalars stay weak)."""
    leaves = [_leaf_dtype(x) for x in _flatten(arrays_and_dtypes, [])]
    if not leaves:
        leaves = [np.asarray([])]
    return canonicalize(np.result_type(*leaves))


def result_type(*arrays_and_dtypes) -> _d.DType:
    """The TF dtype NumPy's promotion gives for the arguments.

    >>> import tftape.experimental.numpy as tnp
    >>> tnp.result_type(1, 2.0)
    tf.float64
    """
    return as_tf(result_type_np(*arrays_and_dtypes))


def promote_types(type1, type2) -> np.dtype:
    """``np.promote_types`` on TF or NumPy dtypes (returns a NumPy dtype, as TF does).

    >>> import tftape.experimental.numpy as tnp
    >>> tnp.promote_types(tnp.int32, tnp.float32)
    dtype('float64')
    """
    t1 = _np_dtype(type1) if isinstance(type1, _d.DType) else np.dtype(type1)
    t2 = _np_dtype(type2) if isinstance(type2, _d.DType) else np.dtype(type2)
    return canonicalize(np.promote_types(t1, t2))


def as_tf(npd) -> _d.DType:
    npd = np.dtype(npd)
    if npd.kind in "OSU":
        return _d.string
    return _d._BY_NP[npd]


def to_dtype(dtype) -> _d.DType | None:
    """A user's ``dtype=`` argument (NumPy type, Python type, name or tf.DType) as a TF DType."""
    if dtype is None:
        return None
    if isinstance(dtype, _d.DType):
        return dtype
    return result_type(dtype)

"""``tf.convert_to_tensor`` and the argument-conversion rules ops share."""
from __future__ import annotations

import numbers

import numpy as np

from . import dtypes as _d
from .state import STATE
from .tensor import (EagerTensor, Tensor, make, make_string, numpy_to_dtype, python_to_numpy)

_put = None


def _asarray(a: np.ndarray):
    # Note: ``jax.device_put``, not ``jnp.asarray``: for a NumPy array the latter is a jitted
    # copy, compiled (~5 ms) and kept as an executable per shape, so a loop over changing
    # shapes would compile and keep one per shape; a transfer costs ~30 us more per call.
    global _put
    if _put is None:
        from .host import put as _put
    return _put(a, True)


def filled(shape, np_dtype, value=0):
    """A device array of ``shape`` filled with ``value``. Eagerly it is made on the host and
    transferred: ``jnp.zeros``/``jnp.full`` compile a kernel per shape (~20 ms each), which a
    model build with many variable shapes (weights, biases, optimizer slots, metric totals)
    would pay once per shape. While JAX traces, ``jnp.full`` (a broadcast in the program, not
    a constant embedded in it)."""
    if STATE.tracing:
        import jax.numpy as jnp
        return jnp.full(tuple(shape), value, np_dtype)
    return _asarray(np.full(tuple(shape), value, np_dtype))


# Python scalars recur in loops (learning rates, ``2 * x``): caching their device arrays
# saves a host-to-device transfer per op. Keyed by (type, value, dtype); bounded.
_SCALAR_CACHE: dict = {}
_SCALAR_CACHE_MAX = 4096


def _scalar(value, dtype: _d.DType | None) -> Tensor:
    key = (type(value), value, dtype)
    hit = _SCALAR_CACHE.get(key)
    if hit is not None:
        # Note: a fresh Tensor each time, sharing the device array: tensors are distinct
        # objects for tapes (``watch(x)`` must not watch an equal constant).
        return _rewrap(hit)
    arr, dt = python_to_numpy(value, dtype)
    t = make_string(arr) if dt is _d.string else make(_asarray(arr), dt)
    # NaN keys never hit; values made while JAX traces are tracers and must not outlive it.
    if len(_SCALAR_CACHE) < _SCALAR_CACHE_MAX and value == value and type(t) is EagerTensor:
        _SCALAR_CACHE[key] = t
    return t


def _rewrap(t: Tensor) -> Tensor:
    return make_string(t._v) if t._dtype is _d.string else make(t._v, t._dtype)


# Small NumPy arrays recur too (a training set passed to every step): cached by content,
# since the device arrays made from them are immutable.
_ARRAY_CACHE: dict = {}
_NP_CACHE: dict = {}
_SMALL_BYTES = 1024


def _small_array(arr: np.ndarray, dt) -> Tensor:
    if STATE.tracing:
        return make(_asarray(arr), dt)
    key = (arr.dtype.str, arr.shape, arr.tobytes())
    hit = _ARRAY_CACHE.get(key)
    if hit is not None:
        return _rewrap(hit)
    t = make(_asarray(arr), dt)
    if len(_ARRAY_CACHE) >= _SCALAR_CACHE_MAX:
        _ARRAY_CACHE.clear()
    _ARRAY_CACHE[key] = t
    return t


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None, *, preferred_dtype=None,
                      _allow_cast: bool = False) -> Tensor:
    """Converts a Python value, NumPy array, Tensor or Variable to a Tensor.

    >>> import tftape as tf
    >>> tf.convert_to_tensor(2.)
    <tf.Tensor: shape=(), dtype=float32, numpy=2.0>
    """
    if dtype is not None:
        dtype = _d.as_dtype(dtype)
    if type(value) is np.ndarray and value.nbytes <= _SMALL_BYTES and \
            value.dtype.kind in "biufc" and dtype_hint is None and preferred_dtype is None:
        # A small NumPy array passed on every step (a training set): cached by content and
        # requested dtype, before any conversion work.
        key = (value.dtype.str, value.shape, value.tobytes(), dtype)
        hit = _NP_CACHE.get(key)
        if hit is not None:
            return _rewrap(hit)
        if not STATE.tracing:
            arr, dt = numpy_to_dtype(value, dtype)
            t = make(_asarray(arr), dt)
            if len(_NP_CACHE) >= _SCALAR_CACHE_MAX:
                _NP_CACHE.clear()
            _NP_CACHE[key] = t
            return t
    if isinstance(value, Tensor):
        if dtype is not None and value._dtype is not dtype:
            raise ValueError(f"Tensor conversion requested dtype {dtype.name} for Tensor with "
                             f"dtype {value._dtype.name}: {value!r}")
        return value
    conv = getattr(type(value), "__tf_tensor__", None)
    if conv is not None:
        return conv(value, dtype, name)
    hint = dtype_hint if dtype_hint is not None else preferred_dtype
    if dtype is None and hint is not None:
        try:
            return convert_to_tensor(value, dtype=_d.as_dtype(hint))
        except (TypeError, ValueError):
            pass
    if type(value) in (float, int, bool, complex):
        return _scalar(value, dtype)
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        arr, dt = numpy_to_dtype(np.asarray(value), dtype)
        if dt is _d.string:
            return make_string(arr)
        return _small_array(arr, dt) if arr.nbytes <= _SMALL_BYTES else make(_asarray(arr), dt)
    if isinstance(value, (str, bytes)):
        return _scalar(value, dtype)
    if isinstance(value, range):
        value = list(value)
    if isinstance(value, (list, tuple)):
        res = python_to_numpy(value, dtype)
        if res is None:
            return pack_list(value, dtype)
        arr, dt = res
        return make_string(arr) if dt is _d.string else make(_asarray(arr), dt)
    if isinstance(value, numbers.Number):
        return convert_to_tensor(np.asarray(value), dtype)
    if hasattr(value, "__jax_array__") or _is_jax_array(value):
        v = value.__jax_array__() if hasattr(value, "__jax_array__") else value
        t = make(v, _d._BY_NP[np.dtype(v.dtype)])
        return convert_to_tensor(t, dtype) if dtype is not None else t
    if hasattr(value, "__array__"):
        return convert_to_tensor(np.asarray(value), dtype)
    if hasattr(value, "__dlpack__"):
        import jax.numpy as jnp
        return convert_to_tensor(jnp.from_dlpack(value), dtype)
    raise ValueError(f"Attempt to convert a value ({value!r}) with an unsupported type "
                     f"({_type_name(value)}) to a Tensor.")


def _type_name(value) -> str:
    return f"<class '{type(value).__module__}.{type(value).__qualname__}'>" \
        if type(value).__module__ != "builtins" else f"<class '{type(value).__qualname__}'>"


def _is_jax_array(value) -> bool:
    mod = type(value).__module__
    if not (mod.startswith("jax") or mod.startswith("jaxlib")):
        return False
    import jax
    return isinstance(value, (jax.Array, jax.core.Tracer))


# Packs a list that holds tensors into one tensor with ``tf.stack`` (TF's auto-packing):
# ``_ops.constant_op.pack_list``, set by that module, which sits above this one.
pack_list = None


def to_static(x):
    """A Python value from a tensor argument that an op needs statically (axis, perm, shape)."""
    if isinstance(x, Tensor):
        return x.numpy().tolist()
    if hasattr(type(x), "__tf_tensor__"):
        return convert_to_tensor(x).numpy().tolist()
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, (list, tuple)):
        return [to_static(i) for i in x]
    if isinstance(x, np.generic):
        return x.item()
    return x


__all__ = ["convert_to_tensor", "EagerTensor"]

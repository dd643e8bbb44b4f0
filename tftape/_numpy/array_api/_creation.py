"""Array API creation functions, ``from_dlpack`` and device placement."""
from __future__ import annotations

import numpy as np
import jax
import jax.numpy as jnp

from ..._core.registry import wrap
from ..._core.tensor import Tensor
from ._common import (DEFAULT_FLOAT, DEFAULT_INT, call, check_device, np_dtype,
                      place)


def asarray(obj, /, *, dtype=None, device=None, copy=None):
    """Converts ``obj`` to a tensor (Python floats -> float64, ints -> int64).

    >>> import tftape as tf
    >>> xp = tf.constant(1.0).__array_namespace__()
    >>> xp.asarray([1, 2])
    <tf.Tensor: shape=(2,), dtype=int64, numpy=array([1, 2])>
    """
    check_device(device)
    dt = np_dtype(dtype)
    if isinstance(obj, Tensor) or getattr(type(obj), "_is_tf_variable", False):
        from ..._core.convert import convert_to_tensor
        t = convert_to_tensor(obj)
        if dt is not None and t._dtype._np != dt:
            if copy is False:
                raise ValueError("asarray: a dtype change needs a copy but copy=False")
            t = call("astype", _astype, t, dtype=dt)
        elif copy:
            t = call("copy", jnp.array, t, copy=True)
        return place(t, device)
    if copy is False and not hasattr(obj, "__dlpack__") and not isinstance(obj, np.ndarray):
        raise ValueError("asarray: converting a Python object needs a copy but copy=False")
    if isinstance(obj, (bool, int, float, complex)) or isinstance(obj, (list, tuple)):
        a = np.asarray(obj, dtype=dt)
        if dt is None:
            kind = a.dtype.kind
            a = a.astype({"f": DEFAULT_FLOAT._np, "i": DEFAULT_INT._np,
                          "u": DEFAULT_INT._np}.get(kind, a.dtype))
        v = jnp.asarray(a)
    else:
        v = jnp.asarray(obj, dtype=dt)
    return place(wrap(v), device)


def _astype(x, dtype):
    return x.astype(dtype)


def from_dlpack(x, /, *, device=None, copy=None) -> Tensor:
    """A tensor sharing the memory of a DLPack producer (no copy on the same device)."""
    if isinstance(x, Tensor):
        return x
    if hasattr(x, "__dlpack__"):
        v = jnp.from_dlpack(x, copy=copy) if copy is not None else jnp.from_dlpack(x)
    elif type(x).__name__ == "PyCapsule":  # a legacy capsule (tf.experimental.dlpack)
        v = jnp.from_dlpack(_Capsule(x))
    else:
        raise TypeError(f"from_dlpack: {type(x).__name__} is not a DLPack producer")
    return place(wrap(v), device)


class _Capsule:
    """Presents a bare DLPack capsule through the ``__dlpack__`` protocol JAX requires.

    Note: a capsule does not say where its memory lives; we assume JAX's default backend.
    """

    def __init__(self, capsule):
        self._capsule = capsule

    def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
        return self._capsule

    def __dlpack_device__(self):
        platform = jax.default_backend()
        return (2, 0) if platform == "gpu" else (1, 0)


def _creator(name, jfn, default):
    def f(shape, *, dtype=None, device=None):
        check_device(device)
        dt = np_dtype(dtype) if dtype is not None else (default._np if default else None)
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        return place(call(name, jfn, shape, dtype=dt), device)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"``{name}`` (array API creation function)."
    return f


def arange(start, /, stop=None, step=1, *, dtype=None, device=None):
    check_device(device)
    dt = np_dtype(dtype)
    if dt is None:
        py = [v for v in (start, stop, step) if v is not None]
        dt = DEFAULT_FLOAT._np if any(isinstance(v, float) for v in py) else DEFAULT_INT._np
    return place(call("arange", jnp.arange, start, stop, step, dtype=dt), device)


zeros = _creator("zeros", jnp.zeros, DEFAULT_FLOAT)
ones = _creator("ones", jnp.ones, DEFAULT_FLOAT)
empty = _creator("empty", jnp.zeros, DEFAULT_FLOAT)


def eye(n_rows, n_cols=None, /, *, k=0, dtype=None, device=None):
    check_device(device)
    dt = np_dtype(dtype) if dtype is not None else DEFAULT_FLOAT._np
    return place(call("eye", jnp.eye, n_rows, n_cols, k, dtype=dt), device)


def full(shape, fill_value, *, dtype=None, device=None):
    check_device(device)
    dt = np_dtype(dtype)
    if dt is None:
        if isinstance(fill_value, bool):
            dt = np.dtype(bool)
        elif isinstance(fill_value, int):
            dt = DEFAULT_INT._np
        elif isinstance(fill_value, float):
            dt = DEFAULT_FLOAT._np
        elif isinstance(fill_value, complex):
            dt = np.dtype(np.complex128)
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    return place(call("full", jnp.full, shape, fill_value, dtype=dt), device)


def _like(name, jfn):
    def f(x, /, *, dtype=None, device=None):
        check_device(device)
        return place(call(name, jfn, x, dtype=np_dtype(dtype)), device)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"``{name}`` (array API creation function)."
    return f


zeros_like = _like("zeros_like", jnp.zeros_like)
ones_like = _like("ones_like", jnp.ones_like)
empty_like = _like("empty_like", jnp.zeros_like)


def full_like(x, /, fill_value, *, dtype=None, device=None):
    check_device(device)
    return place(call("full_like", jnp.full_like, x, fill_value, dtype=np_dtype(dtype)), device)


def linspace(start, stop, /, num, *, dtype=None, device=None, endpoint=True):
    check_device(device)
    dt = np_dtype(dtype)
    if dt is None:
        dt = np.dtype(np.complex128) if isinstance(start, complex) or \
            isinstance(stop, complex) else DEFAULT_FLOAT._np
    return place(call("linspace", jnp.linspace, start, stop, num, endpoint=endpoint, dtype=dt),
                 device)


def meshgrid(*arrays, indexing="xy"):
    if indexing not in ("xy", "ij"):
        raise ValueError("indexing must be 'xy' or 'ij'")
    return list(call("xp_meshgrid", _meshgrid, *arrays, indexing=indexing))


def _meshgrid(*a, indexing):
    return tuple(jnp.meshgrid(*a, indexing=indexing))


def tril(x, /, *, k=0):
    return call("tril", jnp.tril, x, k=k)


def triu(x, /, *, k=0):
    return call("triu", jnp.triu, x, k=k)

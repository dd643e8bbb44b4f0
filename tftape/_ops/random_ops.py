"""Random ops with TF's global-seed / op-seed semantics, drawn from JAX keys.

TF's rules: with neither seed set, every call differs; after ``tf.random.set_seed(s)`` the
sequence of values an unseeded op produces is reproducible; an op seed alone makes a
reproducible sequence for that op (each call advances it). The bit streams differ from TF's
Philox kernels: reproducibility holds within tftape, not across the two.
"""
from __future__ import annotations

import os
import threading

import numpy as np
import jax
import jax.numpy as jnp

from .._core import dtypes as _d
from .._core.convert import to_static
from .._core.tensor import Tensor, make
from ._util import tensor

_DEFAULT_GLOBAL_SEED = 87654321
_lock = threading.Lock()
_state = {"global": None, "counter": 0, "op_counts": {}}


def set_seed(seed):
    """Sets the global seed: later unseeded random ops repeat the same sequence."""
    with _lock:
        _state["global"] = None if seed is None else int(seed)
        _state["counter"] = 0
        _state["op_counts"] = {}


def get_seed(op_seed):
    g = _state["global"]
    if g is None and op_seed is None:
        return None, None
    if op_seed is None:
        with _lock:
            _state["counter"] += 1
            op_seed = _state["counter"]
    return (g if g is not None else _DEFAULT_GLOBAL_SEED), int(op_seed)


def _key(seed):
    """The JAX key for one call of a random op."""
    g, s = get_seed(seed)
    if g is None:
        return jax.random.key(int.from_bytes(os.urandom(4), "little"))
    with _lock:
        n = _state["op_counts"].get((g, s), 0)
        _state["op_counts"][(g, s)] = n + 1
    k = jax.random.fold_in(jax.random.key(g), s)
    return jax.random.fold_in(k, n)


def _shape(shape):
    s = to_static(shape)
    if hasattr(s, "as_list"):
        s = s.as_list()
    if isinstance(s, int):
        s = [s]
    return tuple(int(d) for d in s)


def _float_dtype(dtype):
    dt = _d.as_dtype(dtype)
    if not dt.is_floating:
        raise ValueError(f"Invalid dtype {dt!r}; dtype must be a floating point type.")
    return dt


def normal(shape, mean=0.0, stddev=1.0, dtype=_d.float32, seed=None, name=None) -> Tensor:
    """Samples from a normal distribution."""
    dt = _float_dtype(dtype)
    z = jax.random.normal(_key(seed), _shape(shape), dtype=dt._np)
    return make(z * jnp.asarray(stddev, dt._np) + jnp.asarray(mean, dt._np), dt)


def uniform(shape, minval=0, maxval=None, dtype=_d.float32, seed=None, name=None) -> Tensor:
    """Samples uniformly from [minval, maxval)."""
    dt = _d.as_dtype(dtype)
    shp = _shape(shape)
    if dt.is_integer:
        if maxval is None:
            raise ValueError(f"Must specify maxval for integer dtype {dt!r}")
        v = jax.random.randint(_key(seed), shp, int(to_static(minval)), int(to_static(maxval)),
                               dtype=dt._np)
        return make(v, dt)
    if not dt.is_floating:
        raise ValueError(f"Invalid dtype {dt!r}")
    hi = 1.0 if maxval is None else to_static(maxval)
    lo = to_static(minval)
    v = jax.random.uniform(_key(seed), shp, dtype=dt._np, minval=jnp.asarray(lo, dt._np),
                           maxval=jnp.asarray(hi, dt._np))
    return make(v, dt)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=_d.float32, seed=None,
                     name=None) -> Tensor:
    """Normal samples re-drawn outside two standard deviations."""
    dt = _float_dtype(dtype)
    z = jax.random.truncated_normal(_key(seed), -2.0, 2.0, _shape(shape), dtype=dt._np)
    return make(z * jnp.asarray(stddev, dt._np) + jnp.asarray(mean, dt._np), dt)


def categorical(logits, num_samples, dtype=None, seed=None, name=None) -> Tensor:
    """Draws class indices from each row of unnormalised log-probabilities."""
    lg = tensor(logits)
    n = int(to_static(num_samples))
    dt = _d.as_dtype(dtype or _d.int64)
    v = jax.random.categorical(_key(seed), lg._v[:, None, :], axis=-1,
                               shape=(lg._v.shape[0], n))
    return make(v.astype(dt._np), dt)


def shuffle(value, seed=None, name=None) -> Tensor:
    """Randomly permutes a tensor along its first dimension."""
    t = tensor(value)
    perm = np.asarray(jax.random.permutation(_key(seed), t._v.shape[0]))
    from .array_ops import gather
    return gather(t, perm)


def gamma(shape, alpha, beta=None, dtype=_d.float32, seed=None, name=None) -> Tensor:
    dt = _float_dtype(dtype)
    a = jnp.asarray(to_static(alpha), dt._np)
    shp = _shape(shape) + a.shape
    v = jax.random.gamma(_key(seed), a, shp, dtype=dt._np)
    if beta is not None:
        v = v / jnp.asarray(to_static(beta), dt._np)
    return make(v, dt)


def poisson(shape, lam, dtype=_d.float32, seed=None, name=None) -> Tensor:
    dt = _d.as_dtype(dtype)
    lam_ = jnp.asarray(to_static(lam))
    v = jax.random.poisson(_key(seed), lam_, _shape(shape) + lam_.shape)
    return make(v.astype(dt._np), dt)


def stateless_normal(shape, seed, mean=0.0, stddev=1.0, dtype=_d.float32, name=None):
    dt = _float_dtype(dtype)
    s = [int(x) for x in to_static(seed)]
    k = jax.random.fold_in(jax.random.key(s[0]), s[1])
    z = jax.random.normal(k, _shape(shape), dtype=dt._np)
    return make(z * jnp.asarray(stddev, dt._np) + jnp.asarray(mean, dt._np), dt)


def stateless_uniform(shape, seed, minval=0, maxval=None, dtype=_d.float32, name=None):
    dt = _d.as_dtype(dtype)
    s = [int(x) for x in to_static(seed)]
    k = jax.random.fold_in(jax.random.key(s[0]), s[1])
    if dt.is_integer:
        return make(jax.random.randint(k, _shape(shape), int(minval), int(maxval), dt._np), dt)
    hi = 1.0 if maxval is None else maxval
    return make(jax.random.uniform(k, _shape(shape), dt._np, minval, hi), dt)

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


def sample(draw, key, shape, scale=None, shift=None, traced=()):
    """``draw(key, shape) * scale + shift``, where ``draw`` is one of JAX's elementwise samplers
    (``jax.random.uniform``, ``normal``, ``truncated_normal`` with scalar parameters), drawn
    flat and reshaped.

    Note: XLA compiles JAX's threefry several times more slowly for a multi-dimensional shape
    than for a flat one (1.4 s against 0.3 s for (512, 10) on this project's CPU machine), and
    the values are the same: the partitionable threefry counts elements by their flat index.
    For the same reason a prefix of a longer draw is a shorter draw, so a concrete draw on the
    CPU is made at the next power of two and cut on the host: one compiled sampler serves
    every size up to it, and the cut, the reshape and ``scale``/``shift`` (exact IEEE float
    ops, as XLA's) compile nothing. ``traced``: the parameters ``draw`` closes over (it runs
    on the device when one is a tracer).
    """
    shape = tuple(int(d) for d in shape)
    n = int(np.prod(shape, dtype=np.int64))
    if _host_cut(key) and not any(isinstance(p, jax.core.Tracer) for p in (scale, shift, *traced)):
        v = np.asarray(draw(key, (1 << max(n - 1, 0).bit_length(),)))[:n].reshape(shape)
        if scale is not None:
            v = v * np.asarray(scale, v.dtype)
        if shift is not None:
            v = v + np.asarray(shift, v.dtype)
        return jax.device_put(v)
    v = draw(key, (n,)).reshape(shape)
    if scale is not None:
        v = v * scale
    if shift is not None:
        v = v + shift
    return v


def normal_draw(np_dtype):
    """JAX's standard normal sampler in ``np_dtype``, as :func:`sample` takes it."""
    return lambda key, shape: jax.random.normal(key, shape, np_dtype)


def truncated_draw(np_dtype):
    """JAX's standard normal sampler within two standard deviations, in ``np_dtype``."""
    return lambda key, shape: jax.random.truncated_normal(key, -2.0, 2.0, shape, np_dtype)


def uniform_draw(np_dtype, minval=0.0, maxval=1.0):
    """JAX's uniform sampler on ``[minval, maxval)`` in ``np_dtype``."""
    return lambda key, shape: jax.random.uniform(key, shape, np_dtype, minval, maxval)


def _host_cut(key) -> bool:
    return not isinstance(key, jax.core.Tracer) and jax.config.jax_threefry_partitionable and \
        jax.default_backend() == "cpu"


def _shape(shape, op_name="RandomStandardNormal"):
    s = to_static(shape)
    if hasattr(s, "as_list"):
        s = s.as_list()
    if isinstance(s, int):
        s = [s]
    dims = tuple(int(d) for d in s)
    for d in dims:
        if d < 0:
            from .._core.errors import kernel_error
            raise kernel_error(op_name, f"Dimension {d} must be >= 0")
    return dims


def _float_dtype(dtype):
    dt = _d.as_dtype(dtype)
    if not dt.is_floating:
        # TF converts the (float) mean to the requested dtype first.
        raise TypeError(f"Cannot convert 0.0 to EagerTensor of dtype {dt.name}")
    return dt


def normal(shape, mean=0.0, stddev=1.0, dtype=_d.float32, seed=None, name=None) -> Tensor:
    """Samples from a normal distribution."""
    dt = _float_dtype(dtype)
    return make(sample(normal_draw(dt._np), _key(seed), _shape(shape),
                       _param(stddev, dt), _param(mean, dt)), dt)


def _param(x, dt):
    """A parameter of a distribution, in the samples' dtype: a NumPy value, or the array of a
    tensor (a traced one inside tf.function)."""
    if isinstance(x, Tensor):
        return tensor(x)._v.astype(dt._np)
    return np.asarray(to_static(x), dt._np)


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
        raise ValueError(f"Argument `dtype` got invalid value {dt}. Accepted dtypes are "
                         f"(tf.float16, tf.bfloat16, tf.float32, tf.float64, tf.int32, tf.int64).")
    lo, hi = _param(minval, dt), _param(1.0 if maxval is None else maxval, dt)
    return make(sample(uniform_draw(dt._np, lo, hi), _key(seed), shp,
                       traced=(lo, hi)), dt)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=_d.float32, seed=None,
                     name=None) -> Tensor:
    """Normal samples re-drawn outside two standard deviations."""
    dt = _float_dtype(dtype)
    return make(sample(truncated_draw(dt._np), _key(seed), _shape(shape), _param(stddev, dt),
                       _param(mean, dt)), dt)


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


def stateless_normal(shape, seed, mean=0.0, stddev=1.0, dtype=_d.float32, name=None,
                     alg="auto_select"):
    """Normal samples determined by ``seed`` (shape [2]) alone."""
    dt = _float_dtype(dtype)
    return make(sample(normal_draw(dt._np), _stateless_key(seed),
                       _shape(shape), _param(stddev, dt), _param(mean, dt)), dt)


def stateless_uniform(shape, seed, minval=0, maxval=None, dtype=_d.float32, name=None,
                      alg="auto_select"):
    """Uniform samples determined by ``seed`` (shape [2]) alone."""
    dt = _d.as_dtype(dtype)
    k = _stateless_key(seed)
    if dt.is_integer:
        return make(jax.random.randint(k, _shape(shape), int(minval), int(maxval), dt._np), dt)
    lo, hi = _param(minval, dt), _param(1.0 if maxval is None else maxval, dt)
    return make(sample(uniform_draw(dt._np, lo, hi), k,
                       _shape(shape), traced=(lo, hi)), dt)


def stateless_truncated_normal(shape, seed, mean=0.0, stddev=1.0, dtype=_d.float32,
                               name=None, alg="auto_select"):
    """Truncated normal samples determined by ``seed`` alone."""
    dt = _float_dtype(dtype)
    return make(sample(truncated_draw(dt._np), _stateless_key(seed), _shape(shape), _param(stddev, dt),
                       _param(mean, dt)), dt)


def stateless_categorical(logits, num_samples, seed, dtype=_d.int64, name=None):
    """Class indices drawn from each row of ``logits``, determined by ``seed`` alone."""
    lg = tensor(logits)
    n = int(to_static(num_samples))
    v = jax.random.categorical(_stateless_key(seed), lg._v[:, None, :], axis=-1,
                               shape=(lg._v.shape[0], n))
    dt = _d.as_dtype(dtype)
    return make(v.astype(dt._np), dt)


def _stateless_key(seed):
    s = [int(x) for x in to_static(seed)]
    if len(s) != 2:
        from .._core.errors import kernel_error
        raise kernel_error("StatelessRandomGetKeyCounter", f"seed must have shape [2], not "
                                                           f"[{len(s)}]", name=None)
    # Seeds are int64 words; JAX keys take 32-bit ones (negative seeds wrap).
    return jax.random.fold_in(jax.random.key(s[0] & 0xFFFFFFFF), s[1] & 0xFFFFFFFF)


class Generator:
    """A random number generator with its own state (``tf.random.Generator``).

    Each call advances the state, so a generator made ``from_seed(s)`` replays the same
    sequence of draws. The streams differ from TF's Philox kernels.

    >>> import tftape as tf
    >>> g1, g2 = tf.random.Generator.from_seed(1), tf.random.Generator.from_seed(1)
    >>> bool(tf.reduce_all(g1.normal([3]) == g2.normal([3])))
    True
    """

    def __init__(self, copy_from=None, state=None, alg=None):
        if copy_from is not None:
            self._seed, self._count = copy_from._seed, copy_from._count
        else:
            self._seed = int.from_bytes(os.urandom(4), "little") if state is None else \
                int(np.asarray(to_static(state)).reshape(-1)[0])
            self._count = 0
        self._alg = "philox" if alg is None else alg

    @classmethod
    def from_seed(cls, seed, alg=None) -> "Generator":
        g = cls(alg=alg)
        g._seed, g._count = int(seed), 0
        return g

    @classmethod
    def from_non_deterministic_state(cls, alg=None) -> "Generator":
        return cls(alg=alg)

    @classmethod
    def from_state(cls, state, alg) -> "Generator":
        return cls(state=state, alg=alg)

    @property
    def algorithm(self):
        return 1 if self._alg in ("philox", 1) else self._alg

    def reset_from_seed(self, seed):
        self._seed, self._count = int(seed), 0

    def _next_key(self):
        with _lock:
            n = self._count
            self._count += 1
        return jax.random.fold_in(jax.random.key(self._seed), n)

    def normal(self, shape, mean=0.0, stddev=1.0, dtype=_d.float32, name=None) -> Tensor:
        dt = _float_dtype(dtype)
        z = jax.random.normal(self._next_key(), _shape(shape), dtype=dt._np)
        return make(z * jnp.asarray(to_static(stddev), dt._np) +
                    jnp.asarray(to_static(mean), dt._np), dt)

    def truncated_normal(self, shape, mean=0.0, stddev=1.0, dtype=_d.float32,
                         name=None) -> Tensor:
        dt = _float_dtype(dtype)
        z = jax.random.truncated_normal(self._next_key(), -2.0, 2.0, _shape(shape), dt._np)
        return make(z * jnp.asarray(to_static(stddev), dt._np) +
                    jnp.asarray(to_static(mean), dt._np), dt)

    def uniform(self, shape, minval=0, maxval=None, dtype=_d.float32, name=None) -> Tensor:
        dt = _d.as_dtype(dtype)
        shp = _shape(shape)
        if dt.is_integer:
            if maxval is None:
                raise ValueError(f"Must specify maxval for integer dtype {dt!r}")
            v = jax.random.randint(self._next_key(), shp, int(to_static(minval)),
                                   int(to_static(maxval)), dtype=dt._np)
            return make(v, dt)
        hi = 1.0 if maxval is None else to_static(maxval)
        v = jax.random.uniform(self._next_key(), shp, dtype=dt._np,
                               minval=jnp.asarray(to_static(minval), dt._np),
                               maxval=jnp.asarray(hi, dt._np))
        return make(v, dt)

    def uniform_full_int(self, shape, dtype=_d.uint64, name=None) -> Tensor:
        dt = _d.as_dtype(dtype)
        bits = jax.random.bits(self._next_key(), _shape(shape),
                               dtype=np.dtype(f"uint{dt.size * 8}"))
        return make(bits.view(dt._np) if dt.is_integer else bits, dt)

    def make_seeds(self, count=1) -> Tensor:
        v = jax.random.randint(self._next_key(), (2, int(count)), 0, 2 ** 31 - 1,
                               dtype=np.int64)
        return make(v, _d.int64)

    def split(self, count=1):
        return [Generator.from_seed(int(s)) for s in
                np.asarray(self.make_seeds(count)._v)[0]]


_global_generator = None


def get_global_generator() -> Generator:
    """The generator unseeded Generator-based code shares."""
    global _global_generator
    if _global_generator is None:
        _global_generator = Generator.from_non_deterministic_state()
    return _global_generator


def set_global_generator(generator: Generator):
    global _global_generator
    _global_generator = generator

"""Random keys for initializers and dropout.

Eagerly, keys come from a stream seeded by ``keras.utils.set_random_seed`` (or Python's
``random``); inside a compiled train step the step's traced key is split instead, so every
step draws fresh dropout masks without retracing.
"""
from __future__ import annotations

import random as _py_random
import threading

import jax


class _State(threading.local):
    def __init__(self):
        self.traced_key = None   # a key tracer while a compiled step traces
        self.counter = 0


_STATE = _State()


def make_default_seed() -> int:
    """Keras 3's rule: an unseeded initializer or layer draws its seed from Python's random."""
    return _py_random.randint(1, int(1e9))


def next_key(seed=None):
    """A fresh JAX key: from the compiled step's key, from ``seed``, or from Python's random."""
    st = _STATE
    if st.traced_key is not None:
        st.counter += 1
        return jax.random.fold_in(st.traced_key, st.counter)
    if seed is None:
        seed = make_default_seed()
    return jax.random.key(int(seed))


class traced_keys:
    """Within a compiled step: draw keys by folding counters into ``key``."""

    def __init__(self, key):
        self.key = key

    def __enter__(self):
        self._saved = (_STATE.traced_key, _STATE.counter)
        _STATE.traced_key, _STATE.counter = self.key, 0

    def __exit__(self, *exc):
        _STATE.traced_key, _STATE.counter = self._saved


class SeedGenerator:
    """Keras 3's ``SeedGenerator``: a ``[seed, counter]`` int64 state variable.

    Each ``next()`` returns a JAX key and advances the counter, so the state threads through
    compiled steps like any other variable.
    """

    def __init__(self, seed=None, name=None, **kwargs):
        from . import _naming
        from ._variables import KerasVariable
        import numpy as np
        self.name = name or _naming.auto_name("SeedGenerator")
        self._initial_seed = seed
        if seed is None:
            seed = make_default_seed()
        with _naming.name_scope(self.name, caller=self):
            self.state = KerasVariable(np.array([int(seed), 0], np.int64), dtype="int64",
                                       trainable=False, name="seed_generator_state")

    def next(self):
        from .._core.tensor import make
        import jax.numpy as jnp
        v = self.state.read_value()._v
        key = jax.random.fold_in(jax.random.key(v[0]), v[1])
        self.state.assign(make(v + jnp.array([0, 1], v.dtype), self.state._dtype),
                          read_value=False)
        return key

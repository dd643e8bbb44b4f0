"""The compiled XLA programs of tf.function traces: one per trace and input shapes, in a bounded
cache; a trace with unknown dims is lowered once (``jax.export``) for all its shapes."""
from __future__ import annotations

import time

import jax

from .._core.lru import LRUCache

# Every compiled tf.function program, keyed by (trace, input shapes): one trace with unknown
# dims compiles one XLA program per concrete shape it is called with; the cache is bounded.
PROGRAMS = LRUCache("tf.function", maxsize=64)


class _Programs:
    """A trace's kernel: the compiled program for the inputs' shapes (compiled on a miss)."""

    __slots__ = ("uid", "fun", "jitted")

    def __init__(self, uid, fun):
        self.uid = uid
        self.fun = fun
        self.jitted = None

    def __call__(self, *vals):
        return self.run((self.uid, tuple([v.shape for v in vals])), vals)

    def key(self, shapes) -> tuple:
        """The cache key of this trace's program for inputs of ``shapes``."""
        return (self.uid, tuple(shapes))

    def run(self, key, vals):
        """The program for ``key`` (:meth:`key` of the shapes of ``vals``) run on ``vals``."""
        exe = PROGRAMS.get(key)
        if exe is None:
            t0 = time.perf_counter()
            fun = self.fun
            try:
                # Note: a fresh wrapper per program: JAX's own caches (traced jaxpr, lowering,
                # executable) are keyed by the function object, so they go with the program
                # when the bounded cache drops it instead of living as long as the trace.
                exe = jax.jit(lambda *a: fun(*a)).lower(*vals).compile()
            except TypeError:
                # Note: weakly typed or host inputs: JAX's own dispatch handles them.
                if self.jitted is None:
                    self.jitted = jax.jit(fun)
                return self.jitted(*vals)
            PROGRAMS.record_compile(time.perf_counter() - t0)
            PROGRAMS.put(key, exe)
        return exe(*vals)


def _is_symbolic(traced) -> bool:
    return any(type(d) is not int for v in traced.jaxpr.invars[:traced.n_in]
               for d in v.aval.shape)


def _exported_fun(traced, f):
    """``f`` (a jaxpr with symbolic dims) lowered once with ``jax.export``, callable per shape."""
    specs = [jax.ShapeDtypeStruct(v.aval.shape, v.aval.dtype) for v in traced.jaxpr.invars]
    exp = jax.export.export(jax.jit(lambda *a: tuple(f(*a))))(*specs)
    call = exp.call

    def g(*args):
        return tuple(call(*args))
    return g


class _Lazy:
    """A function built on its first call (the gradient program of a symbolic trace)."""

    __slots__ = ("make", "fun")

    def __init__(self, make):
        self.make = make
        self.fun = None

    def __call__(self, *args):
        if self.fun is None:
            self.fun = self.make()
        return self.fun(*args)


def _tuple_fun(f):
    def g(*args):
        return tuple(f(*args))
    return g

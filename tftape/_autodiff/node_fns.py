"""The JAX functions that replay recorded nodes, shared by the lowering and the shape buckets."""
from __future__ import annotations

import jax.numpy as jnp


def _node_fns(impls):
    return [(o.grad_impl() if not static else _partial(o.grad_impl(), static))
            for o, static in impls]


def _conj(x):
    """JAX's vjp is the transpose; TF's gradients are its conjugate (for ``|z|**2``, TF
    gives ``2z``, ``jax.grad`` ``2 conj(z)``): both ends of a lowering conjugate complex
    cotangents, which is the identity for real ones."""
    return jnp.conj(x) if jnp.iscomplexobj(x) else x


def _partial(fn, static):
    def f(*args):
        return fn(*args, **static)
    return f

"""``GradientTape.jacobian`` and ``batch_jacobian`` on the lowered segment (``jax.jacrev``)."""
from __future__ import annotations

import jax
import jax.numpy as jnp

from .._core.compiled import Tiered
from .._core.registry import Op
from .._core.tensor import make
from .._core import nest
from .lowering import (SEGMENT_CACHE, UnconnectedGradients, _as_target, _lower,
                   _run_segment_op)


def _derived_op(grad_op: Op, kind: str, make_impl) -> Op:
    key = grad_op.segment_key + (kind,)
    o = SEGMENT_CACHE.get(key)
    if o is None:
        impl = make_impl(grad_op.forward, grad_op.n_src, grad_op.n_cap)
        o = Op(kind, "Jacobian", impl)
        o._kernels[()] = Tiered(impl, "tape_segments")
        o.segment_key = key
        o.forward = None
        SEGMENT_CACHE.put(key, o)
    return o


def _jac_impl(forward, n_src, n_cap):
    def impl(*flat):
        src, cap = tuple(flat[:n_src]), flat[n_src:n_src + n_cap]
        return tuple(jax.jacrev(lambda s: forward(s, cap)[0])(src))
    return impl


def _batch_jac_impl(forward, n_src, n_cap):
    def impl(*flat):
        src, cap = tuple(flat[:n_src]), flat[n_src:n_src + n_cap]
        y, vjp = jax.vjp(lambda s: forward(s, cap)[0], src)
        b = y.shape[0]
        m = int(y.size // b) if b else 0
        basis = jnp.eye(m, dtype=y.dtype).reshape((m, 1) + y.shape[1:])
        basis = jnp.broadcast_to(basis, (m,) + y.shape)
        rows = jax.vmap(lambda ct: vjp(ct)[0])(basis)   # per source: (m, b, *s_rest)
        out = []
        for r, s in zip(rows, src):
            r = jnp.moveaxis(r, 0, 1)                    # (b, m, *s_rest)
            out.append(r.reshape((b,) + y.shape[1:] + s.shape[1:]))
        return tuple(out)
    return impl


def _run(tape, target, sources, unconnected, kind, make_impl):
    if tape._used and not tape._persistent:
        raise RuntimeError("A non-persistent GradientTape can only be used to compute one set "
                           "of gradients (or jacobians)")
    flat_sources = nest.flatten(sources)
    t = _as_target(target)
    seg = _lower(tape, [t], flat_sources, None, differentiable=True)
    if not tape._persistent:
        tape._mark_used()
    result = [None] * len(flat_sources)
    if seg is not None:
        grad_op, args, pos, _ = seg
        o = _derived_op(grad_op, kind, make_impl)
        outs = _run_segment_op(o, args, tape)
        for p, j in zip(pos, outs):
            for i in p:
                result[i] = j
    if not tape._persistent:
        tape._clear()
    for i, s in enumerate(flat_sources):
        if result[i] is None and unconnected == UnconnectedGradients.ZERO:
            if kind == "jacobian":
                shape = tuple(t.shape) + tuple(s.shape)
            else:
                shape = tuple(t.shape) + tuple(s.shape)[1:]
            result[i] = make(jnp.zeros(shape, s.dtype._np), s.dtype)
    return nest.pack_sequence_as(sources, result)


def jacobian(tape, target, sources, unconnected):
    return _run(tape, target, sources, unconnected, "jacobian", _jac_impl)


def batch_jacobian(tape, target, source, unconnected):
    t = _as_target(target)
    if t.shape.rank is not None and t.shape.rank < 1:
        raise ValueError("Need first dimension of target shape to be >= 1.")
    return _run(tape, target, source, unconnected, "batch_jacobian", _batch_jac_impl)

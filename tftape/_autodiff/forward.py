"""``tf.autodiff.ForwardAccumulator``: forward-mode autodiff, op by op through ``jax.jvp``."""
from __future__ import annotations

import functools

import numpy as np
import jax
import jax.numpy as jnp

from .._core.registry import STATE
from .._core.tensor import Tensor, make
from .._core.convert import convert_to_tensor
from .._core import dtypes as _d
from .._core import nest
from .lowering import UnconnectedGradients
from .tape import _unconnected_mode

# A gradient computed on a tape: it may hold ``jax.custom_vjp`` rules (TF's gradients).
_RULE_OPS = frozenset({"gradient"})


class ForwardAccumulator:
    """Computes Jacobian-vector products as ops run (``tf.autodiff.ForwardAccumulator``).

    >>> import tftape as tf
    >>> x = tf.constant(3.0)
    >>> with tf.autodiff.ForwardAccumulator(x, tf.constant(1.0)) as acc:
    ...     y = x * x
    >>> acc.jvp(y)
    <tf.Tensor: shape=(), dtype=float32, numpy=6.0>
    """

    def __init__(self, primals, tangents):
        self._tangents: dict = {}
        self._alive: list = []
        fp, ft = nest.flatten(primals), nest.flatten(tangents)
        if len(fp) != len(ft):
            raise ValueError("primals and tangents must have the same structure")
        for p, t in zip(fp, ft):
            tt = convert_to_tensor(t, dtype=p.dtype)
            if tuple(tt.shape) != tuple(p.shape):
                raise ValueError(f"Tangent {tt} was expected to be of shape {p.shape} but is "
                                 f"instead of shape {tt.shape}")
            self._set(p, tt._v)
        self._recording = False

    def _set(self, obj, tangent):
        self._tangents[id(obj)] = tangent
        self._alive.append(obj)

    def __enter__(self):
        STATE.accumulators.append(self)
        self._recording = True
        return self

    def __exit__(self, *exc):
        if self._recording:
            STATE.accumulators.remove(self)
            self._recording = False

    def _variable_read(self, var, t):
        tan = self._tangents.get(id(var))
        if tan is not None:
            self._set(t, tan)

    def _forward(self, o, key, static, args, outs, values=None):
        tans = self._tangents
        got = [tans.get(id(a)) for a in args]
        if all(g is None for g in got):
            return
        prim = list(values if values is not None else [a._v for a in args])
        # Differentiate only w.r.t. the inputs that carry tangents: a zero tangent on a
        # constant input can still meet an infinite partial (pow's exponent at x < 0).
        live = [i for i, g in enumerate(got) if g is not None]
        fn = o.grad_impl()
        if static:
            fn = functools.partial(fn, **static)

        def f(*xs):
            v = list(prim)
            for i, x in zip(live, xs):
                v[i] = x
            return fn(*v)
        xs, ts = tuple(prim[i] for i in live), tuple(got[i] for i in live)
        if o.tf_grad is not None or o.name in _RULE_OPS:
            out_t = _jvp_by_double_vjp(f, xs, ts)
        else:
            _, out_t = jax.jvp(f, xs, ts)
        if not isinstance(out_t, (tuple, list)):
            out_t = (out_t,)
        for t, ot in zip(outs, out_t):
            if t.dtype.is_floating or t.dtype.is_complex:
                self._set(t, ot)

    def jvp(self, primals, unconnected_gradients=UnconnectedGradients.NONE):
        """The tangents of ``primals`` (a structure of tensors) computed so far."""
        mode = _unconnected_mode(unconnected_gradients)
        out = []
        for p in nest.flatten(primals):
            tan = self._tangents.get(id(p))
            if tan is None:
                out.append(make(jnp.zeros(tuple(p.shape), p.dtype._np), p.dtype)
                           if mode == UnconnectedGradients.ZERO else None)
            else:
                out.append(make(tan, _d._BY_NP[tan.dtype]))
        return nest.pack_sequence_as(primals, out)


def _jvp_by_double_vjp(f, xs, ts):
    """TF's forward mode for an op with its own gradient rule: the JVP is the transpose of
    the op's vjp (the "double backward" trick of TF's forwardprop), so at a kink it follows
    TF's gradient (``abs`` at 0: 0)."""
    # Note: ``jax.jvp`` cannot differentiate a ``custom_vjp`` function at all.
    out, vjp = jax.vjp(f, *xs)
    # The vjp is linear in its cotangent; TF evaluates it at ones ("forwardprop aids"), which
    # matters where a rule special-cases a zero cotangent (sqrt at 0).
    ct = jax.tree_util.tree_map(jnp.ones_like, out)
    _, transpose = jax.vjp(vjp, ct)
    (out_t,) = transpose(ts)
    return out_t


def _zero_tangent(p):
    if jnp.issubdtype(p.dtype, jnp.inexact):
        return jnp.zeros_like(p)
    return np.zeros(p.shape, dtype=jax.dtypes.float0)

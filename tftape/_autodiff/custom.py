"""``tf.custom_gradient`` on ``jax.custom_vjp`` and ``tf.recompute_grad``."""
from __future__ import annotations

import functools
import itertools

import jax

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._core.registry import STATE, Op, tracing_scope, execute
from .._core.tensor import Tensor, make
from . import nest

_ids = itertools.count()


def _wrap_vals(vals, dtypes):
    return [make(v, d) for v, d in zip(vals, dtypes)]


def custom_gradient(f=None):
    """Defines a function with a custom gradient: ``f`` returns ``(y, grad_fn)``.

    >>> import tftape as tf
    >>> @tf.custom_gradient
    ... def clip_grad(x):
    ...     return tf.identity(x), lambda dy: tf.clip_by_value(dy, -1., 1.)
    >>> x = tf.constant(2.0)
    >>> with tf.GradientTape() as t:
    ...     t.watch(x)
    ...     y = clip_grad(x) * 10.
    >>> t.gradient(y, x)
    <tf.Tensor: shape=(), dtype=float32, numpy=1.0>
    """
    if f is None:
        return custom_gradient
    uid = next(_ids)

    @functools.wraps(f)
    def decorated(*args, **kwargs):
        st = STATE
        xs = [convert_to_tensor(a) if not isinstance(a, Tensor) else a for a in args]
        if not (st.tapes or st.accumulators or st.tracing):
            y, _ = f(*xs, **kwargs)
            return y
        return _recorded_call(f, xs, args, kwargs, uid)

    return decorated


def _recorded_call(f, xs, args, kwargs, uid):
    """Calls ``f`` and records it as one op whose vjp is ``grad_fn``.

    ``f`` runs once, off the caller's tapes; a tape of its own sees the trainable variables it
    reads, whose gradients ``grad_fn(..., variables=...)`` gives (TF's rule). Eagerly the
    outputs are ``f``'s; inside a tf.function they are the custom-vjp op's, so that the traced
    program differentiates through ``grad_fn`` too (a tape outside the function's call).
    """
    from .tape import GradientTape
    st = STATE
    saved = (st.tapes, st.accumulators)
    watcher = GradientTape()
    st.tapes, st.accumulators = [watcher], []
    watcher._recording = True
    try:
        y, grad_fn = f(*xs, **kwargs)
    finally:
        st.tapes, st.accumulators = saved
    variables = [v for v in watcher.watched_variables() if not any(v is x for x in args)]
    if variables and not _takes_variables(grad_fn):
        raise TypeError("@tf.custom_gradient grad_fn must accept keyword argument "
                        f"'variables', since function uses variables: {variables}")
    flat_y = nest.flatten(y)
    out_dtypes = [t.dtype for t in flat_y]
    o = _make_op(f, kwargs, [x.dtype for x in xs], out_dtypes, uid, variables)
    reads = [make(watcher._var_values[id(v)], v.dtype) for v in variables]
    if not st.tracing:
        _record(o, xs, tuple(flat_y), variables, reads)
        return y
    vals = o.grad_impl()(*[x._v for x in xs], *[r._v for r in reads])
    outs = tuple(make(v, d) for v, d in zip(vals, out_dtypes))
    _record(o, xs, outs, variables, reads)
    return nest.pack_sequence_as(y, list(outs))


def _record(o, xs, outs, variables=(), reads=()):
    """Records the custom-gradient op on the active tapes and accumulators; the variables
    it read count as its inputs (``reads``: their values then)."""
    st = STATE
    key = (tuple(x.dtype for x in xs), tuple(t.dtype for t in outs), len(variables))
    for tape in st.tapes:
        for v, r in zip(variables, reads):
            tape._variable_read(v, r)
        tape._record(o, key, None, tuple(xs) + tuple(variables), outs)
    for acc in st.accumulators:
        acc._forward(o, (), None, tuple(xs) + tuple(reads), outs)


def _takes_variables(grad_fn) -> bool:
    import inspect
    try:
        params = inspect.signature(grad_fn).parameters.values()
    except (TypeError, ValueError):
        return True
    return any(p.name == "variables" or p.kind is p.VAR_KEYWORD for p in params)


def _reading(variables, values, fn):
    """``fn()`` with each of ``variables`` holding the matching one of ``values``.

    The op's function and its vjp take the variables' values as arguments: ``f`` and
    ``grad_fn`` read the variables themselves, and must see those arguments (traced values
    that JAX differentiates), never the values the variables held when the op was made.
    """
    if not variables:
        return fn()
    from .._function._capture import raw_value, set_raw_value
    saved = [raw_value(v) for v in variables]   # (runs a deferred update first)
    for v, x in zip(variables, values):
        set_raw_value(v, x)
    try:
        return fn()
    finally:
        for v, x in zip(variables, saved):
            set_raw_value(v, x)


def _make_op(f, kwargs, in_dtypes, out_dtypes, uid, variables=()):
    n_x = len(in_dtypes)

    def run(*vals):
        with tracing_scope():
            y, g = _reading(variables, vals[n_x:],
                            lambda: f(*_wrap_vals(vals[:n_x], in_dtypes), **kwargs))
        return y, g

    @jax.custom_vjp
    def impl(*vals):
        y, _ = run(*vals)
        return tuple(t._v for t in nest.flatten(y))

    def fwd(*vals):
        return impl(*vals), vals

    def grads_of(vals, cts):
        y, g = f(*_wrap_vals(vals[:n_x], in_dtypes), **kwargs)
        flat_y = nest.flatten(y)
        dys = [make(c, t.dtype) for c, t in zip(cts, flat_y)]
        if variables:
            return g(*dys, variables=list(variables))
        return g(*dys), []

    def bwd(vals, cts):
        with tracing_scope():
            grads, var_grads = _reading(variables, vals[n_x:], lambda: grads_of(vals, cts))
        grads = nest.flatten(grads) if isinstance(grads, (list, tuple)) else [grads]
        grads = grads + list(var_grads)
        grads += [None] * (len(vals) - len(grads))
        out = []
        for gr, v in zip(grads, vals):
            if gr is None:
                out.append(jax.numpy.zeros_like(v))
            else:
                gt = convert_to_tensor(gr) if not isinstance(gr, Tensor) else gr
                out.append(gt._v.astype(v.dtype))
        return tuple(out)

    impl.defvjp(fwd, bwd)
    o = Op("custom_gradient", "IdentityN", lambda *v: impl(*v))
    o.forward = lambda *vals: tuple(t._v for t in nest.flatten(run(*vals)[0]))
    o.segment_key = ("custom_gradient", uid, tuple(in_dtypes), len(variables))
    return o


def recompute_grad(f):
    """Recomputes ``f``'s forward pass in the backward pass (here: the same values)."""
    return f

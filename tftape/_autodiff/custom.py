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
        if not (st.tapes or st.accumulators) or st.tracing:
            if st.tracing:
                return _traced_call(f, xs, kwargs, uid)
            y, _ = f(*xs, **kwargs)
            return y
        # f runs once, off the caller's tapes; a tape of its own sees the trainable variables
        # it reads, whose gradients ``grad_fn(..., variables=...)`` gives (TF's rule).
        from .tape import GradientTape
        saved = (st.tapes, st.accumulators)
        watcher = GradientTape()
        st.tapes, st.accumulators = [watcher], []
        watcher._recording = True
        try:
            y, grad_fn = f(*xs, **kwargs)
        finally:
            st.tapes, st.accumulators = saved
        variables = [v for v in watcher.watched_variables()
                     if not any(v is x for x in args)]
        if variables and not _takes_variables(grad_fn):
            raise TypeError("@tf.custom_gradient grad_fn must accept keyword argument "
                            f"'variables', since function uses variables: {variables}")
        flat_y = nest.flatten(y)
        in_dtypes = [x.dtype for x in xs]
        out_dtypes = [t.dtype for t in flat_y]
        o = _make_op(f, kwargs, in_dtypes, out_dtypes, uid, variables)
        reads = [make(watcher._var_values[id(v)], v.dtype) for v in variables]
        _record(o, xs, tuple(flat_y), variables, reads)
        return y

    return decorated


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


def _traced_call(f, xs, kwargs, uid):
    """Inside a tf.function: the outputs of the custom-vjp function, as ``f``'s structure,
    recorded on the tapes active in the traced code."""
    st = STATE
    saved = st.tapes
    st.tapes = []
    try:
        y, _ = f(*xs, **kwargs)     # the structure and dtypes (traced, no cost at run time)
    finally:
        st.tapes = saved
    flat_y = nest.flatten(y)
    in_dtypes = [x.dtype for x in xs]
    out_dtypes = [t.dtype for t in flat_y]
    o = _make_op(f, kwargs, in_dtypes, out_dtypes, uid)
    vals = o.grad_impl()(*[x._v for x in xs])
    outs = tuple(make(v, d) for v, d in zip(vals, out_dtypes))
    _record(o, xs, outs)
    return nest.pack_sequence_as(y, list(outs))


def _takes_variables(grad_fn) -> bool:
    import inspect
    try:
        params = inspect.signature(grad_fn).parameters.values()
    except (TypeError, ValueError):
        return True
    return any(p.name == "variables" or p.kind is p.VAR_KEYWORD for p in params)


def _make_op(f, kwargs, in_dtypes, out_dtypes, uid, variables=()):
    n_x = len(in_dtypes)

    def run(*vals):
        with tracing_scope():
            y, g = f(*_wrap_vals(vals[:n_x], in_dtypes), **kwargs)
        return y, g

    @jax.custom_vjp
    def impl(*vals):
        y, _ = run(*vals)
        return tuple(t._v for t in nest.flatten(y))

    def fwd(*vals):
        return impl(*vals), vals

    def bwd(vals, cts):
        with tracing_scope():
            y, g = f(*_wrap_vals(vals[:n_x], in_dtypes), **kwargs)
            flat_y = nest.flatten(y)
            dys = [make(c, t.dtype) for c, t in zip(cts, flat_y)]
            if variables:
                grads, var_grads = g(*dys, variables=list(variables))
            else:
                grads, var_grads = g(*dys), []
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
    o.segment_key = ("custom_gradient", uid, tuple(in_dtypes), len(variables))
    return o


def recompute_grad(f):
    """Recomputes ``f``'s forward pass in the backward pass (here: the same values)."""
    return f

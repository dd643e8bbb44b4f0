"""``tf.custom_gradient`` on ``jax.custom_vjp`` and ``tf.recompute_grad``."""
from __future__ import annotations

import contextlib
import functools
import types

import jax

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._core.keys import Ident, closure_key
from .._core.lru import LRUCache
from .._core.registry import STATE, Op, tracing_scope
from .._core.tensor import Tensor, make
from .._core import nest


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

    @functools.wraps(f)
    def decorated(*args, **kwargs):
        st = STATE
        xs = [convert_to_tensor(a) if not isinstance(a, Tensor) else a for a in args]
        if not (st.tapes or st.accumulators or st.tracing):
            y, _ = f(*xs, **kwargs)
            return y
        if st.tracing and kwargs:
            raise ValueError("The custom_gradient decorator currently supports keywords "
                             "arguments only when eager execution is enabled.")
        return _recorded_call(f, xs, args, kwargs)

    return decorated


def _recorded_call(f, xs, args, kwargs):
    """Calls ``f`` once and records it as one op whose vjp is this call's ``grad_fn``.

    ``f`` runs off the caller's tapes (its accumulators still see its ops, as in TF); a tape
    of its own sees the trainable variables it reads, whose gradients
    ``grad_fn(..., variables=...)`` gives (TF's rule). The op's inputs are the arguments,
    the variables' values, the tensors ``grad_fn`` closes over and ``f``'s outputs, so that
    one compiled gradient program serves every call of the same ``f`` and ``grad_fn`` code
    whatever those tensors hold, and ``f`` never runs again.
    """
    from .tape import GradientTape
    st = STATE
    saved = st.tapes
    watcher = GradientTape()
    st.tapes = [watcher]
    watcher._recording = True
    try:
        y, grad_fn = f(*xs, **kwargs)
    finally:
        st.tapes = saved
    variables = [v for v in watcher.watched_variables() if not any(v is x for x in args)]
    if variables and not _takes_variables(grad_fn):
        raise TypeError("@tf.custom_gradient grad_fn must accept keyword argument "
                        f"'variables', since function uses variables: {variables}")
    flat_y = [t if isinstance(t, Tensor) else convert_to_tensor(t) for t in nest.flatten(y)]
    caps, static = _closure(grad_fn)
    reads = [make(watcher._var_values[id(v)], v.dtype) for v in variables]
    o = _op_for(f, grad_fn, static, xs, variables, caps, flat_y)
    if not st.tracing:
        _record(o, xs, tuple(flat_y), variables, reads, caps)
        return y
    vals = o.impl(*[x._v for x in xs], *[r._v for r in reads], *[c._v for c in caps],
                  *[t._v for t in flat_y])
    outs = tuple(make(v, t.dtype) for v, t in zip(vals, flat_y))
    _record(o, xs, outs, variables, reads, caps, flat_y)
    return nest.pack_sequence_as(y, list(outs))


def _record(o, xs, outs, variables=(), reads=(), caps=(), ys=None):
    """Records the custom-gradient op on the active tapes; the variables it read, the tensors
    ``grad_fn`` closes over and ``f``'s outputs count as its inputs."""
    st = STATE
    key = (tuple(x.dtype for x in xs), tuple(t.dtype for t in outs), len(variables), len(caps))
    ins = tuple(xs) + tuple(variables) + tuple(caps) + tuple(outs if ys is None else ys)
    for tape in st.tapes:
        for v, r in zip(variables, reads):
            tape._variable_read(v, r)
        tape._record(o, key, None, ins, outs)


def _takes_variables(grad_fn) -> bool:
    import inspect
    try:
        params = inspect.signature(grad_fn).parameters.values()
    except (TypeError, ValueError):
        return True
    return any(p.name == "variables" or p.kind is p.VAR_KEYWORD for p in params)


def _closure(grad_fn):
    """The tensors ``grad_fn`` closes over (program inputs), and the key of everything else
    it closes over: values that change the program (``scale=3.``) give another program."""
    key, caps = closure_key(grad_fn, lambda v: isinstance(v, Tensor) and ("t", v.dtype))
    return caps, key


def _with_captures(grad_fn, caps):
    """``grad_fn`` with the tensors it closes over replaced by ``caps``: a new function, so
    another thread calling ``grad_fn`` meanwhile sees its own values."""
    fn = getattr(grad_fn, "__func__", grad_fn)
    if not caps:
        return grad_fn
    it = iter(caps)
    cells = []
    for c in fn.__closure__:
        try:
            v = c.cell_contents
        except ValueError:
            cells.append(c)
            continue
        cells.append(types.CellType(next(it)) if isinstance(v, Tensor) else c)
    new = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__,
                             tuple(cells))
    new.__kwdefaults__ = fn.__kwdefaults__
    return types.MethodType(new, grad_fn.__self__) if fn is not grad_fn else new


# ``override(variables, values)``: a context in which this thread reads ``values`` from
# ``variables`` (grad_fn's view of the variables ``f`` read). Installed by ``_variables``
# (this layer cannot import it), which is loaded whenever there is a variable to read.
VARIABLE_READS: list = [None]


# Custom-gradient ops by key: the same ``f``, ``grad_fn`` code, closed-over values and
# dtypes share an op, hence its compiled programs.
_OPS = LRUCache("custom_gradient_ops", 256)


def _op_for(f, grad_fn, static, xs, variables, caps, ys) -> Op:
    key = (Ident(f), static, tuple(x.dtype for x in xs), tuple(Ident(v) for v in variables),
           tuple(c.dtype for c in caps), tuple(t.dtype for t in ys))
    o = _OPS.get(key)
    if o is None:
        o = _make_op(grad_fn, [x.dtype for x in xs], [t.dtype for t in ys], list(variables),
                     [c.dtype for c in caps])
        o.segment_key = ("custom_gradient", key)
        _OPS.put(key, o)
    return o


def _make_op(grad_fn, in_dtypes, out_dtypes, variables, cap_dtypes):
    """The op ``(xs, variable values, captured tensors, ys) -> ys`` whose vjp is ``grad_fn``
    evaluated on those inputs."""
    n_x, n_v, n_c = len(in_dtypes), len(variables), len(cap_dtypes)

    @jax.custom_vjp
    def impl(*vals):
        return tuple(vals[n_x + n_v + n_c:])

    def fwd(*vals):
        return impl(*vals), vals

    def bwd(vals, cts):
        reads = vals[n_x:n_x + n_v]
        caps = _wrap_vals(vals[n_x + n_v:n_x + n_v + n_c], cap_dtypes)
        dys = [make(c, d) for c, d in zip(cts, out_dtypes)]
        g = _with_captures(grad_fn, caps)
        reading = VARIABLE_READS[0](variables, reads) if variables else contextlib.nullcontext()
        with tracing_scope(), reading:
            if variables:
                grads, var_grads = g(*dys, variables=list(variables))
                if len(var_grads) != len(variables):
                    raise ValueError("Must return gradient for each variable from "
                                     "@custom_gradient grad_fn.")
            else:
                grads, var_grads = g(*dys), []
        grads = nest.flatten(grads) if isinstance(grads, (list, tuple)) else [grads]
        if len(grads) != n_x:
            raise ValueError(f"custom_gradient function expected to return {n_x} gradients, "
                             f"but returned {len(grads)} instead.")
        grads = grads + list(var_grads)
        out = []
        for i, v in enumerate(vals):
            gr = grads[i] if i < n_x + n_v and i < len(grads) else None
            if gr is None:
                # Note: None (JAX's symbolic zero) for the captured tensors and ``f``'s
                # outputs: the gradient flows through ``grad_fn`` alone.
                out.append(None if i >= n_x + n_v else jax.numpy.zeros_like(v))
            else:
                gt = convert_to_tensor(gr) if not isinstance(gr, Tensor) else gr
                out.append(gt._v.astype(v.dtype))
        return tuple(out)

    impl.defvjp(fwd, bwd)
    return Op("custom_gradient", "IdentityN", lambda *v: impl(*v))


def recompute_grad(f):
    """Recomputes ``f``'s forward pass in the backward pass (``tf.recompute_grad``).

    As in TF, a ``custom_gradient``: the tape keeps only ``f``'s inputs and outputs, and the
    gradient runs ``f`` again under a tape of its own.

    >>> import tftape as tf
    >>> g = tf.recompute_grad(lambda x: tf.sin(x) * x)
    >>> x = tf.constant(1.0)
    >>> with tf.GradientTape() as t:
    ...     t.watch(x)
    ...     y = g(x)
    >>> round(float(t.gradient(y, x)), 4)
    1.3818
    """
    @functools.wraps(f)
    def inner(*args, **kwargs):
        @custom_gradient
        def recompute(*xs):
            y = f(*xs, **kwargs)

            def grad_fn(*dys, variables=None):
                from .tape import GradientTape
                with GradientTape() as t:
                    t.watch(list(xs))
                    y2 = f(*xs, **kwargs)
                srcs = list(xs) + list(variables or [])
                grads = t.gradient(y2, srcs, output_gradients=list(dys))
                if variables:
                    return grads[:len(xs)], grads[len(xs):]
                return grads[:len(xs)]
            return y, grad_fn
        return recompute(*args)
    return inner

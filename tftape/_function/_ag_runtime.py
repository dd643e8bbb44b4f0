"""Run-time helpers called by code that ``autograph.convert`` rewrote (``ag__.*``)."""
from __future__ import annotations

import jax
import jax.numpy as jnp

from .._core import dtypes as _d
from .._core.registry import STATE
from .._core.tensor import Tensor, make
from . import control_flow as _cf


class Undefined:
    """The value of a name not bound before a converted statement."""

    __slots__ = ("symbol_name",)

    def __init__(self, symbol_name):
        self.symbol_name = symbol_name

    def __repr__(self):
        return f"<undefined {self.symbol_name}>"

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise UnboundLocalError(f"local variable '{self.symbol_name}' referenced before "
                                f"assignment")


def _symbolic(x) -> bool:
    if getattr(type(x), "_is_tf_variable", False):
        x = x.read_value()
    return isinstance(getattr(x, "_v", None), jax.core.Tracer)


def _bool(x) -> bool:
    return bool(x)


# -- boolean operators -------------------------------------------------------------------------
def and_(*fns):
    v = fns[0]()
    for f in fns[1:]:
        if _symbolic(v):
            from .._ops.math_ops import logical_and
            v = logical_and(v, f())
        elif not _bool(v):
            return v
        else:
            v = f()
    return v


def or_(*fns):
    v = fns[0]()
    for f in fns[1:]:
        if _symbolic(v):
            from .._ops.math_ops import logical_or
            v = logical_or(v, f())
        elif _bool(v):
            return v
        else:
            v = f()
    return v


def not_(x):
    if _symbolic(x):
        from .._ops.math_ops import logical_not
        return logical_not(x)
    return not x


def assert_stmt(cond, msg_fn):
    if _symbolic(cond):
        from .ops import Assert
        msg = msg_fn()
        return Assert(cond, [msg] if msg is not None else ["Assertion failed"])
    if not _bool(cond):
        msg = msg_fn()
        raise AssertionError(msg) if msg is not None else AssertionError()
    return None


# -- if --------------------------------------------------------------------------------------
def if_stmt(cond, body, orelse, get_state, set_state, names, returns):
    if not _symbolic(cond):
        return body() if _bool(cond) else orelse()
    init = get_state()
    if returns:
        def returning(fn):
            def run():
                set_state(init)  # each branch starts from the state before the if
                return fn()
            return run
        try:
            return _cf.cond(cond, returning(body), returning(orelse))
        finally:
            set_state(init)

    def branch(fn):
        def run():
            set_state(init)
            fn()
            return _defined(get_state(), names)
        return run
    result = _cf.cond(cond, branch(body), branch(orelse))
    set_state(tuple(result))
    return None


def _defined(state, names):
    for n, v in zip(names, state):
        if isinstance(v, Undefined):
            raise ValueError(f"'{n}' must also be initialized in the else branch")
    return list(state)


# -- while -----------------------------------------------------------------------------------
def while_stmt(test, body, get_state, set_state, names):
    while True:
        c = test()
        if _symbolic(c):
            _tf_loop(lambda: test(), body, get_state, set_state, names)
            return
        if not _bool(c):
            return
        body()


def _tf_loop(test, body, get_state, set_state, names, extra=None):
    """``tf.while_loop`` over the defined names.

    ``extra`` = (init, cond, element, step) adds a loop counter (``for`` loops): ``cond(i)``
    tests it, ``element(i)`` is the loop target, ``step(i)`` the next counter.
    """
    state = get_state()
    idx = [i for i, v in enumerate(state) if not isinstance(v, Undefined)]
    init = [state[i] for i in idx]

    def merge(vals):
        s = list(state)
        for i, v in zip(idx, vals):
            s[i] = v
        return tuple(s)

    def cond_fn(*vals):
        if extra is not None:
            ok = extra[1](vals[0])
            vals = vals[1:]
        set_state(merge(vals))
        if extra is None:
            return _tensor_bool(test())
        return ok

    def body_fn(*vals):
        if extra is not None:
            counter, vals = vals[0], vals[1:]
            set_state(merge(vals))
            body(extra[2](counter))
            new = get_state()
            return [extra[3](counter)] + [new[i] for i in idx]
        set_state(merge(vals))
        body()
        new = get_state()
        return [new[i] for i in idx]

    loop_vars = ([extra[0]] if extra is not None else []) + init
    res = _cf.while_loop(cond_fn, body_fn, loop_vars)
    if extra is not None:
        res = res[1:]
    set_state(merge(res))


def _tensor_bool(c):
    if isinstance(c, Tensor):
        return c
    from .._core.convert import convert_to_tensor
    return convert_to_tensor(bool(c))


# -- for ---------------------------------------------------------------------------------------
class _Range:
    """``range``/``tf.range`` with a symbolic bound: iterated by a ``tf.while_loop``."""

    def __init__(self, start, limit, delta):
        self.start, self.limit, self.delta = start, limit, delta


def range_iter(func, *args):
    from .._ops import array_ops
    if func is range or func is array_ops.range:
        if any(_symbolic(a) for a in args):
            a = list(args)
            if len(a) == 1:
                a = [0] + a
            start, limit = a[0], a[1]
            delta = a[2] if len(a) > 2 else 1
            return _Range(start, limit, delta)
    return func(*args)


def for_stmt(iterable, body, get_state, set_state, names):
    if isinstance(iterable, _Range):
        from .._core.convert import convert_to_tensor
        ts = [x if isinstance(x, Tensor) else convert_to_tensor(x) for x in
              (iterable.start, iterable.limit, iterable.delta)]
        dt = ts[1].dtype if ts[1].dtype.is_integer else _d.int32
        from .._ops.math_ops import cast
        start, limit, delta = [cast(t, dt) if t.dtype is not dt else t for t in ts]

        _tf_loop(None, body, get_state, set_state, names,
                 extra=(start, lambda i: _cmp(i, limit, delta), lambda i: i,
                        lambda i: i + delta))
        return
    if isinstance(iterable, Tensor) and STATE.tracing and iterable.ndim > 0 \
            and iterable.dtype is not _d.string:
        n = iterable.shape[0]
        arr, dt = iterable._v, iterable.dtype

        def elem(i):
            if n == 0:  # the body is traced but never runs
                return make(jnp.zeros(arr.shape[1:], arr.dtype), dt)
            return make(jax.lax.dynamic_index_in_dim(arr, i._v, keepdims=False), dt)

        def cond(i):
            from .._core.convert import convert_to_tensor
            return make(i._v < n, _d.bool) if isinstance(i, Tensor) else \
                convert_to_tensor(i < n)
        from .._core.convert import convert_to_tensor
        _tf_loop(None, body, get_state, set_state, names,
                 extra=(convert_to_tensor(0), cond, elem, lambda i: i + 1))
        return
    for x in iterable:
        body(x)


def _cmp(i, limit, delta):
    return make(jnp.where(delta._v > 0, i._v < limit._v, i._v > limit._v), _d.bool)


def ld(x):
    return x

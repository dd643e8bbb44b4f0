"""Deferred execution of the ops a GradientTape records (layer 3).

While a tape records, an op with an input the tape tracks does not run at once: its outputs
are :class:`~tftape._core.tensor.PendingTensor` objects whose shape and dtype are known (from
``jax.eval_shape``, cached per op, static parameters and input types). ``tape.gradient`` then
computes the forward values together with the gradient in one XLA program and fills them in,
so a training step costs one compiled call instead of one dispatch per forward op.

A pending value read any other way (``numpy()``, printing, an op the tape does not record)
is computed on the spot: the pending ops it depends on run as one jitted program, cached by
the structure of that sub-graph. Chains are bounded (``MAX_DEPTH``) so a value accumulated
across many steps without being read never builds an unbounded program, and so is their
number (``MAX_UNREAD``): values deferred outside a tape and never read (a metric appended to
a list every step) are computed in batches, which drops the references they hold to their
inputs (a step's gradients), so unread values cannot pin memory without limit.
"""
from __future__ import annotations

import functools
import sys
import threading
import weakref

import numpy as _np

from . import dtypes as _d
from . import host as _host, shape_rules as _shapes
from .lru import LRUCache
from .state import STATE
from .tensor import EagerTensor, PendingTensor

_new = object.__new__
MAX_DEPTH = 48
MAX_UNREAD = 256
_PROGRAMS = LRUCache("pending_programs", 256)
_SEEN = LRUCache("pending_seen", 1024, register=False)   # structure -> times run op by op
# Output shapes and dtypes of an op, per (op, static key, input shapes and dtypes).
_AVALS = LRUCache("shape_inference", 4096)
_COMPILE_AFTER = 3
_COMPILE_NOW = 6     # nodes from which a structure is compiled on first sight
_refcount = sys.getrefcount
_weakref = weakref.ref


class _Unread(threading.local):
    """Per thread: weak references to the nodes deferred outside a tape since the last sweep."""

    def __init__(self):
        self.nodes: list = []


_UNREAD = _Unread()
# The registry's kernel compiler, ``_compile(op, key, static)``: set by the registry, which
# imports this module and sits above it.
_compile = None


class Node:
    """One deferred op: what to run and, once run, its output values."""

    __slots__ = ("op", "key", "static", "args", "depth", "vals", "__weakref__")

    def __init__(self, op, key, static, args, depth):
        self.op = op
        self.key = key
        self.static = static
        self.args = args
        self.depth = depth
        self.vals = None


def defer(o, key, static, args):
    """Pending outputs for ``o(*args)``: a tensor or a tuple, as the op returns; None when the
    op should run now (its pending inputs are too deep a chain)."""
    depth = 0
    in_key = []
    for a in args:
        if type(a) is PendingTensor:
            node, _, shape = a._pend
            if node.vals is None and node.depth > depth:
                depth = node.depth
            in_key.append((shape, a._dtype._np))
        else:
            in_key.append((a._v.shape, a._dtype._np))
    if depth >= MAX_DEPTH:
        return None
    akey = (o, key, tuple(in_key))
    avals = _AVALS.get(akey)
    if avals is None:
        avals = _shapes.infer(o, key, static, in_key, _AVALS) or _infer(o, key, static, in_key)
        _AVALS.put(akey, avals)
    node = Node(o, key, static, args, depth + 1)
    if not STATE.tapes:
        # Not kept for a tape's gradient: count it towards the unread bound.
        unread = _UNREAD.nodes
        unread.append(_weakref(node))
        if len(unread) >= MAX_UNREAD:
            _sweep(unread)
    specs, multi = avals
    if not multi:   # the common case: one output
        shape, dtype = specs[0]
        t = _new(PendingTensor)
        t._dtype = dtype
        t._pend = (node, 0, shape)
        return t
    outs = []
    for i, (shape, dtype) in enumerate(specs):
        t = _new(PendingTensor)
        t._dtype = dtype
        t._pend = (node, i, shape)
        outs.append(t)
    return tuple(outs)


def _sweep(unread: list) -> None:
    """Computes the unread nodes once there are ``MAX_UNREAD // 2`` of them alive (op by op:
    such a batch has no recurring structure worth compiling); forgets the others."""
    alive = [n for n in map(lambda r: r(), unread) if n is not None and n.vals is None]
    if len(alive) >= MAX_UNREAD // 2:
        unread.clear()
        run(alive, compile=False)
    else:
        unread[:] = [_weakref(n) for n in alive]


def _infer(o, key, static, in_key):
    """Output shapes and dtypes by tracing the op (``jax.eval_shape``: milliseconds)."""
    import jax
    fn = functools.partial(o.impl, **static) if static else o.impl
    out = jax.eval_shape(fn, *[jax.ShapeDtypeStruct(s, d) for s, d in in_key])
    multi = type(out) in (tuple, list)
    outs = out if multi else (out,)
    res = tuple((tuple(x.shape), _d._BY_NP[x.dtype]) for x in outs), multi
    if not multi:
        _shapes.learn(o, key, in_key, res[0][0][1], _AVALS)
    return res


def is_pending(t) -> bool:
    return type(t) is PendingTensor


def fill(t, v):
    """Gives pending tensor ``t`` its computed value ``v``."""
    t._v = v
    t._pend = None
    t.__class__ = EagerTensor


def value(t):
    """Computes (once) and returns the value of a pending tensor."""
    node, i, _ = t._pend
    if node.vals is None:
        run([node])
    v = node.vals[i]
    if type(v) is _np.ndarray:     # computed on the host (``fill_host``): transfer it now
        v = _host.put(v)
    fill(t, v)
    return v


def fill_host(pairs) -> None:
    """Gives pending tensors values computed with NumPy (``(tensor, array)`` pairs), to be
    transferred to the device only when read (most forward values of a training step never
    are)."""
    node = Node(None, None, None, (), 0)
    node.vals = [v for _, v in pairs]
    for i, (t, v) in enumerate(pairs):
        t._pend = (node, i, t._pend[2])


def ready(vals) -> tuple:
    """Pending tensors for values already computed (or dispatched): a gradient's results.

    Reading one costs nothing more than an EagerTensor's value, but an op applied to it
    outside a tape is deferred like a recorded op (``registry.execute``), so an optimizer
    update such as ``v.assign_sub(lr * g)`` joins the other updates of its step in one
    program (see ``_variables``) instead of running op by op.
    """
    node = Node(None, None, None, (), 0)
    node.vals = vals
    by_np = _d._BY_NP
    outs = []
    for i, v in enumerate(vals):
        t = _new(PendingTensor)
        t._dtype = by_np[v.dtype]
        t._pend = (node, i, v.shape)
        outs.append(t)
    return tuple(outs)


def run(targets, compile=True):
    """Runs the pending nodes ``targets`` and those they depend on as one jitted program
    (``compile=False``: op by op).

    The program returns the outputs of the targets and of the nodes whose outputs are still
    referenced outside the pending graph (a tensor the caller kept); an intermediate no one
    can read again is not written out. A node left out keeps its inputs, so should its value
    be asked for after all, it is computed then.
    """
    order: list = []
    seen: set = set()
    stack = [(n, False) for n in reversed(targets)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        for a in reversed(node.args):
            if type(a) is PendingTensor:
                n = a._pend[0]
                if n.vals is None and id(n) not in seen:
                    stack.append((n, False))
    index = {id(n): k for k, n in enumerate(order)}
    ext: list = []
    ext_pos: dict = {}
    struct = []
    inner: dict = {}   # id -> [pending tensor, its uses as an input here, its node's position]
    for n in order:
        refs = []
        for a in n.args:
            if type(a) is PendingTensor:
                k = index.get(id(a._pend[0]))
                if k is not None:
                    refs.append((0, k, a._pend[1]))
                    u = inner.get(id(a))
                    if u is None:
                        inner[id(a)] = [a, 1, k]
                    else:
                        u[1] += 1
                    continue
            j = ext_pos.get(id(a))
            if j is None:
                j = ext_pos[id(a)] = len(ext)
                ext.append(a)
            refs.append((1, j))
        struct.append((n.op, n.key, tuple(refs)))
    a = u = None   # drop the loops' references before counting
    kept = _kept(inner, [index[id(n)] for n in targets])
    key = (tuple(struct), kept)
    prog = _PROGRAMS.get(key) if compile else None
    if prog is None:
        # A small structure seen once or twice (a value printed in a one-off script) runs op
        # by op on the ops' cached kernels; one that recurs (a loop) is compiled as one
        # program, and so is a larger one at once (a step's optimizer updates: op by op,
        # each op would compile a kernel per variable shape).
        seen = _SEEN.get(key, 0) + 1
        if not compile or len(order) == 1 or (len(order) < _COMPILE_NOW and
                                               seen < _COMPILE_AFTER):
            _SEEN.put(key, seen)
            prog = functools.partial(_op_by_op, order, struct, kept)
        else:
            _SEEN.pop(key, None)
            prog = _build(order, struct, kept)
            _PROGRAMS.put(key, prog)
    if STATE.tracing:
        # A value read while a tf.function traces (a variable it captures): compute it now,
        # not as part of the traced program.
        import jax
        with jax.ensure_compile_time_eval():
            outs = prog(*[a._v for a in ext])
    else:
        outs = prog(*[a._v for a in ext])
    for k, vals in zip(kept, outs):
        n = order[k]
        n.vals = vals
        n.args = ()   # the inputs are no longer needed


def _kept(inner: dict, targets: list) -> tuple:
    """The positions of the nodes a run returns: the targets and every node with an output
    referenced from outside the run. ``inner`` maps each pending input to
    ``[tensor, uses as an input in the run, its node's position]``."""
    keep = set(targets)
    for u in inner.values():
        # Beyond its uses in the run, ``u`` and getrefcount's argument: someone else holds it.
        if _refcount(u[0]) > u[1] + 2:
            keep.add(u[2])
    return tuple(sorted(keep))


def _op_by_op(order, struct, kept, *ext):
    env = []
    for n, (_, _, refs) in zip(order, struct):
        o = n.op
        fn = o._kernels.get(n.key)
        if fn is None:
            fn = _compile(o, n.key, n.static)
        vals = [env[r[1]][r[2]] if r[0] == 0 else ext[r[1]] for r in refs]
        try:
            out = fn(*vals)
        except _host.Rerun:
            out = o._kernels[n.key](*vals)
        env.append(tuple(out) if type(out) in (tuple, list) else (out,))
    return [env[k] for k in kept]


def _build(order, struct, kept):
    from .compiled import Tiered
    fns = [functools.partial(n.op.impl, **n.static) if n.static else n.op.impl for n in order]
    wiring = [s[2] for s in struct]

    def program(*ext):
        env = []
        for fn, refs in zip(fns, wiring):
            out = fn(*[env[r[1]][r[2]] if r[0] == 0 else ext[r[1]] for r in refs])
            env.append(tuple(out) if type(out) in (tuple, list) else (out,))
        return [env[k] for k in kept]
    return Tiered(program, "pending_programs")


def clear():
    _PROGRAMS.clear()
    _SEEN.clear()
    _AVALS.clear()


PendingTensor._compute = staticmethod(value)

"""``strategy.run`` and ``strategy.reduce``: one replica's trace under ``jax.shard_map``.

``fn`` is traced once per input signature with one replica's shapes (``_capture`` turns the
variables it reads and writes into extra inputs and outputs, as for ``tf.function``), inside
an axis environment so ``lax.psum``/``lax.axis_index`` trace. The trace is wrapped in
``jax.shard_map`` over the strategy's mesh -- per-replica arguments split on axis 0,
everything else replicated -- and compiled with ``jax.jit``. The call is one registry op, so
it works eagerly, inside ``tf.function`` and under a GradientTape.
"""
from __future__ import annotations

import jax
import numpy as np
from jax._src import core as _jcore
from jax.sharding import PartitionSpec as P

from .._core import nest
from .._core import dtypes as _d
from .._core.keys import Ident, closure_key
from .._core.convert import convert_to_tensor
from .._core.registry import Op, STATE, execute
from .._core.tensor import Tensor, make
from .._function import _capture
from . import _context as ctx
from ._context import AXIS, ReduceOp
from ._replica import ReplicaContext, _LocalPerReplica, _SpmdReplicaContext
from ._values import PerReplica


def _is_variable(x) -> bool:
    return getattr(type(x), "_is_tf_variable", False)


# -- run ----------------------------------------------------------------------------------------
def run(strategy, fn, args, kwargs):
    n = strategy.num_replicas_in_sync
    leaves = nest.flatten((args, kwargs))
    if n == 1:
        leaves = [x.values[0] if isinstance(x, PerReplica) else x for x in leaves]
        a, k = nest.pack_sequence_as((args, kwargs), leaves)
        with ReplicaContext(strategy, 0), _creator(strategy):
            return fn(*a, **k)
    if any(isinstance(x, PerReplica) and x.stacked is None for x in leaves):
        return _run_sequential(strategy, fn, args, kwargs, leaves)
    return _run_spmd(strategy, fn, args, kwargs, leaves)


def _creator(strategy):
    from .._variables import variable_creator_scope
    return variable_creator_scope(strategy._create_variable)


def _leaf_key(x):
    if isinstance(x, PerReplica):
        g = x.stacked
        return ("P", g.dtype, tuple(g.shape), x.squeezed)
    if isinstance(x, Tensor):
        return ("R", x.dtype, tuple(x.shape))
    try:
        hash(x)
        return ("O", type(x), x)
    except TypeError:
        # Note: the object itself, not its id (an id can be reused by another object).
        return ("I", Ident(x))


class _Program:
    """One traced replica function and its compiled SPMD call."""

    def __init__(self, strategy, fn, args, kwargs, leaves):
        self.strategy = strategy
        self.structure = (args, kwargs)
        self.kinds = [_leaf_key(x) for x in leaves]
        self.statics = [x if k[0] in ("O", "I") else None for x, k in zip(leaves, self.kinds)]
        n = strategy.num_replicas_in_sync
        avals, in_specs = [], []
        for k in self.kinds:
            if k[0] == "P":
                shape = (k[2][0] // n,) + k[2][1:]
                avals.append(_jcore.ShapedArray(shape, k[1]._np))
                in_specs.append(P(AXIS))
            elif k[0] == "R":
                avals.append(_jcore.ShapedArray(k[2], k[1]._np))
                in_specs.append(P())
        self.fn = fn
        self.avals, self.in_specs = avals, in_specs
        self._last_inputs = [x.stacked._v if isinstance(x, PerReplica) else x._v
                             for x in leaves if isinstance(x, (PerReplica, Tensor))]
        self.traced = self._trace(allow_creation=True)
        if self.traced.created:
            self._initialize()
            self.traced = self._trace(allow_creation=False)
        self._compile()

    def _body(self, *vals):
        it = iter(vals)
        rebuilt = []
        for k, s in zip(self.kinds, self.statics):
            if k[0] == "P":
                v = next(it)
                rebuilt.append(make(v.reshape(v.shape[1:]) if k[3] else v, k[1]))
            elif k[0] == "R":
                rebuilt.append(make(next(it), k[1]))
            else:
                rebuilt.append(s)
        a, kw = nest.pack_sequence_as(self.structure, rebuilt)
        with _SpmdReplicaContext(self.strategy), _creator(self.strategy):
            out = self.fn(*a, **kw)
        flat = nest.flatten(out)
        arrays, slots = [], []
        for x in flat:
            if _is_variable(x):
                x = x.read_value()
            if isinstance(x, (int, float, bool, np.ndarray, np.generic)):
                x = convert_to_tensor(x)
            if isinstance(x, Tensor):
                slots.append((len(arrays), x.dtype))
                arrays.append(x._v)
            else:
                slots.append(("V", x))
        self.out = (out, slots, nest.is_nested(out))
        return arrays

    def _trace(self, allow_creation):
        n = self.strategy.num_replicas_in_sync
        with _jcore.extend_axis_env_nd([(AXIS, n)]):
            return _capture.trace_region(self._body, self.avals, allow_creation=allow_creation,
                                         name="replica_fn")

    def _initialize(self):
        """Gives variables created by the first trace their initial values (replicated)."""
        traced = self.traced
        base = len(traced.out_avals) + len(traced.assigned)
        pending = []
        for i, var in enumerate(traced.created):
            v = traced.initial[i]
            if isinstance(v, jax.core.Tracer):
                pending.append((i, var))
            else:
                var.__dict__["_value"] = v
                self.strategy._replicate(var)
        if pending:
            f = _capture.prune(traced, [base + i for i, _ in pending])
            specs = self.in_specs + [P()] * len(traced.captured)
            sm = jax.shard_map(lambda *a: tuple(f(*a)), mesh=self.strategy.mesh,
                               in_specs=tuple(specs),
                               out_specs=tuple(P() for _ in pending), check_vma=False)
            if _capture.in_region():
                # Inside an enclosing tf.function trace: the values are its tracers, and the
                # variables become ones *it* creates (it initialises them and traces again).
                vals = sm(*self._inputs_now())
                for (i, var), val in zip(pending, vals):
                    var.__dict__.pop("_value", None)
                    var._value = val
                return
            vals = jax.jit(sm)(*self._inputs_now())
            for (i, var), val in zip(pending, vals):
                var.__dict__["_value"] = val

    def _inputs_now(self):
        return list(self._last_inputs) + [_capture.raw_value(v) for v, _ in
                                          self.traced.captured]

    def _compile(self):
        traced = self.traced
        f = _capture.as_fun(traced)
        n_out = len(traced.out_avals)
        self.n_out = n_out

        def spmd(*arrays):
            outs = f(*arrays)
            # Each replica's outputs get a leading axis of 1: stacked, they are PerReplica.
            return tuple([o[None] for o in outs[:n_out]] + list(outs[n_out:]))
        specs = tuple(self.in_specs) + (P(),) * len(traced.captured)
        out_specs = (P(AXIS),) * n_out + (P(),) * len(traced.assigned)
        sm = jax.shard_map(spmd, mesh=self.strategy.mesh, in_specs=specs, out_specs=out_specs,
                           check_vma=False)
        name = f"__inference_run_{getattr(self.fn, '__name__', 'fn')}"
        o = Op(name, name, lambda *a: tuple(sm(*a)))
        o._kernels[()] = jax.jit(o.impl)
        o.segment_key = ("strategy.run", Ident(self))
        self.op = o
        self.cacheable = not _capture.has_tracer_consts(traced)

    def __call__(self, leaves):
        data = [x.stacked if k[0] == "P" else x for x, k in zip(leaves, self.kinds)
                if k[0] in ("P", "R")]
        var_tensors = [var._handle().read_value() if hasattr(var, "_handle") else
                       make(_capture.raw_value(var), var._dtype)
                       for var, _ in self.traced.captured]
        outs = execute(self.op, list(data) + var_tensors)
        if not isinstance(outs, tuple):
            outs = (outs,)
        for i, var in enumerate(self.traced.assigned):
            h = var._handle() if hasattr(var, "_handle") else var
            h._value = outs[self.n_out + i]._v
        n = self.strategy.num_replicas_in_sync
        out, slots, nested = self.out
        flat = []
        for s in slots:
            if s[0] == "V":
                flat.append(s[1])
            else:
                flat.append(PerReplica(stacked=outs[s[0]], n=n, squeeze=True))
        return nest.pack_sequence_as(out, flat) if nested else flat[0]


def _run_spmd(strategy, fn, args, kwargs, leaves):
    # What ``fn`` closes over is part of the key: the traced program bakes it in.
    key = (fn, closure_key(fn)[0], tuple(_leaf_key(x) for x in leaves),
           _structure_key((args, kwargs)))
    try:
        prog = strategy._cache.get(key)
    except TypeError:
        prog = None
        key = None
    if prog is None:
        prog = _Program(strategy, fn, args, kwargs, leaves)
        if key is not None and prog.cacheable and not STATE.tracing:
            strategy._cache[key] = prog
    return prog(leaves)


def _structure_key(s):
    if isinstance(s, dict):
        return ("d", tuple((k, _structure_key(v)) for k, v in sorted(s.items(), key=repr)))
    if isinstance(s, (list, tuple)):
        return (type(s).__name__, tuple(_structure_key(v) for v in s))
    return None


def _run_sequential(strategy, fn, args, kwargs, leaves):
    """Replicas with different shapes (an uneven last batch) run one after another."""

    class _Seq(ReplicaContext):
        def _all_reduce_one(self, op, t):
            raise NotImplementedError(
                "Cross-replica reductions need every replica to hold the same shape; this "
                "step's per-replica batches differ (batch the dataset with "
                "drop_remainder=True).")

    outs = []
    for i in range(strategy.num_replicas_in_sync):
        li = [x.values[i] if isinstance(x, PerReplica) else x for x in leaves]
        a, k = nest.pack_sequence_as((args, kwargs), li)
        with _Seq(strategy, i), _creator(strategy):
            outs.append(fn(*a, **k))
    first = outs[0]
    flats = [nest.flatten(o) for o in outs]
    merged = [PerReplica(list(xs)) if isinstance(xs[0], Tensor) else xs[0]
              for xs in zip(*flats)]
    return nest.pack_sequence_as(first, merged) if nest.is_nested(first) else merged[0]


# -- gradients of optimizer.apply_gradients --------------------------------------------------------
def aggregate_gradients(grads):
    """Sums gradients over the replicas of the current ``strategy.run`` (Keras does this in
    ``apply_gradients``); unchanged outside one."""
    rc = ctx.LOCAL.replicas[-1] if ctx.LOCAL.replicas else None
    if rc is None or rc.strategy.num_replicas_in_sync == 1:
        return grads
    out = []
    for g in grads:
        if g is None:
            out.append(None)
            continue
        if not isinstance(g, Tensor):
            g = convert_to_tensor(g)
        out.append(rc._all_reduce_one(ReduceOp.SUM, g))
    return out


# -- reduce ----------------------------------------------------------------------------------------
def reduce(strategy, op, value, axis):
    from .._ops import math_ops
    summ = math_ops.reduce_sum
    if isinstance(value, _LocalPerReplica):
        t = value.local
        rc = value._replica
        count = None
        if axis is not None:
            count = convert_to_tensor(t.shape[axis], dtype=t.dtype)
            t = summ(t, axis)
        if op is ReduceOp.SUM:
            return rc._all_reduce_one(ReduceOp.SUM, t)
        if count is not None:
            return rc._all_reduce_one(ReduceOp.SUM, t) / rc._all_reduce_one(ReduceOp.SUM,
                                                                             count)
        return rc._all_reduce_one(ReduceOp.MEAN, t)
    n = strategy.num_replicas_in_sync
    if not isinstance(value, PerReplica):
        value = value.read_value() if _is_variable(value) else convert_to_tensor(value)
        if axis is not None:
            value = summ(value, axis) if op is ReduceOp.SUM else \
                math_ops.reduce_mean(value, axis)
        if n > 1 and op is ReduceOp.SUM:
            raise ValueError(f"A non-DistributedValues value {value!s} cannot be reduced with "
                             f"the given reduce op {op}.")
        return value
    g = value.stacked
    if g is not None:
        if value.squeezed:
            axes = 0 if axis is None else [0, axis + 1]
            return summ(g, axes) if op is ReduceOp.SUM else math_ops.reduce_mean(g, axes)
        from .._ops.array_ops import reshape
        k = g.shape[0] // value.num_replicas
        if axis is None:
            g = reshape(g, [value.num_replicas, k] + list(g.shape[1:]))
            return summ(g, 0) if op is ReduceOp.SUM else math_ops.reduce_mean(g, 0)
        if axis == 0:
            return summ(g, 0) if op is ReduceOp.SUM else math_ops.reduce_mean(g, 0)
        g = reshape(g, [value.num_replicas, k] + list(g.shape[1:]))
        return summ(g, [0, axis + 1]) if op is ReduceOp.SUM else \
            math_ops.reduce_mean(g, [0, axis + 1])
    parts = list(value.values)
    if axis is None:
        total = math_ops.add_n(parts)
        return total if op is ReduceOp.SUM else total / len(parts)
    from .._ops.array_ops import concat
    whole = concat(parts, axis)
    return summ(whole, axis) if op is ReduceOp.SUM else math_ops.reduce_mean(whole, axis)

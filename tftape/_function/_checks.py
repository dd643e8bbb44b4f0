"""Runtime checks of a tf.function: raising TF's error after the call, with TF's state.

Ops traced inside the function register checks (``_core.checks``): a flag and message data
that the compiled program returns beside its outputs. After the call the first failing check
in program order raises TF's exception, framed as TF frames a graph error.

Variables. TF runs a function's ops as a dataflow graph: when an op fails, the ops that
depend on its output do not run, and neither do later ops on a variable the failing op read
(automatic control dependencies order them); every other op, before or after it in the
program, does. So on failure each variable the function assigns is left with the last value
it was given by a write that does not depend on the failing op: its final value when none
does, its value before the call when the first write already does, else the value of the
write before the first dependent one (returned as an extra output, only by functions with
checks). Dependence is read off the traced jaxpr; writes and a failing op inside one
``tf.cond`` or loop are not told apart (the region counts as one op, as TF's While does).
"""
from __future__ import annotations

import jax
import numpy as np
from jax._src import core as _jcore
from jax._src.interpreters import partial_eval as _pe

from .._core import checks as _core_checks


def _is_array(v) -> bool:
    return isinstance(v, (jax.core.Tracer, jax.Array))


class Probes:
    """Positions of the analysis-only outputs appended to a function body's arrays."""

    __slots__ = ("start", "end", "guards", "history", "resource")


def add_probes(scope, arrays):
    """Appends guard and written values to ``arrays`` for :func:`plan`; None without checks."""
    if not scope.checks:
        return None
    p = Probes()
    p.start = len(arrays)
    p.guards = []
    for info in scope.infos:
        gs = [g for g in (info.guards if info is not None else ()) if _is_array(g)]
        p.guards.append((len(arrays), len(gs)))
        arrays.extend(gs)
    p.history = {}
    for k, vals in scope.history.items():
        if k not in scope.assigned:
            continue
        pos = []
        for v in vals:
            if _is_array(v):
                pos.append(len(arrays))
                arrays.append(v)
            else:
                pos.append(None)
        p.history[k] = pos
    p.resource = []   # per check: {variable id: writes before the check}
    for info in scope.infos:
        blocked = {}
        for var, seen in (info.resource or ()) if info is not None else ():
            writes = scope.history.get(id(var), [])
            before = 0
            for i, w in enumerate(writes):
                if w is seen:
                    before = i + 1
            blocked[id(var)] = before
        p.resource.append(blocked)
    p.end = len(arrays)
    return p


def plan(traced, probes):
    """Removes the probe outputs from ``traced``; returns, per check, what to write on failure.

    Each entry lists, per assigned variable: ``-1`` (its final value), ``None`` (leave it) or
    the position of the output holding the value it keeps.
    """
    if probes is None:
        return []
    jaxpr = traced.jaxpr
    outv = list(jaxpr.outvars)
    start, end = probes.start, probes.end
    taint: dict = {}
    for k, (g0, n) in enumerate(probes.guards):
        for v in outv[g0:g0 + n]:
            if isinstance(v, _jcore.Var):
                taint[v] = taint.get(v, 0) | (1 << k)
    if taint:
        for eqn in jaxpr.eqns:
            m = 0
            for v in eqn.invars:
                if isinstance(v, _jcore.Var):
                    m |= taint.get(v, 0)
            if m:
                for v in eqn.outvars:
                    taint[v] = taint.get(v, 0) | m

    def bits(p):
        v = outv[p] if p is not None else None
        return taint.get(v, 0) if isinstance(v, _jcore.Var) else 0

    kept: list = []
    plans = []
    for k in range(len(probes.guards)):
        actions = []
        blocked = probes.resource[k]
        for var in traced.assigned:
            pos = probes.history.get(id(var), [])
            after = blocked.get(id(var), len(pos))
            first = None
            for i, p in enumerate(pos):
                if bits(p) >> k & 1 or i >= after:
                    first = i
                    break
            if first is None:
                actions.append(-1)
            elif first == 0 or pos[first - 1] is None:
                actions.append(None)
            else:
                src = pos[first - 1]
                if src not in kept:
                    kept.append(src)
                actions.append(("out", src))
        plans.append(actions)
    new_pos = {p: start + i for i, p in enumerate(kept)}
    plans = [[new_pos[a[1]] if type(a) is tuple else a for a in acts] for acts in plans]
    outvars = outv[:start] + [outv[p] for p in kept] + outv[end:]
    effects = _pe.make_jaxpr_effects(jaxpr.constvars, jaxpr.invars, outvars, jaxpr.eqns)
    traced.jaxpr = _jcore.Jaxpr(jaxpr.constvars, jaxpr.invars, outvars, jaxpr.eqns, effects,
                                jaxpr.debug_info)
    avals = list(traced.out_avals)
    traced.out_avals = avals[:start] + [avals[p] for p in kept]
    return plans


def run(cf, outs, arg_vars) -> None:
    """Raises the error of ``cf``'s first failing check, after TF's variable writes."""
    from .._core.registry import STATE
    from ._capture import add_check
    # A call a tape records runs as TF's forward function (its errors name that function).
    name = cf.name.replace("__inference_", "__forward_", 1) \
        if any(id(t) in tape._tracked for tape in STATE.tapes for t in outs) else cf.name
    for k, (pos, n_data, make_error) in enumerate(cf._checks):
        ok = outs[pos]
        data = outs[pos + 1:pos + 1 + n_data]
        info = cf._check_infos[k] if k < len(cf._check_infos) else None
        if isinstance(ok._v, jax.core.Tracer):
            # a tf.function called while another traces: the outer function checks it
            add_check(ok._v, [t._v for t in data], make_error,
                      info=_nested_info(info, outs[:cf._n_out]))
            continue
        if bool(np.asarray(ok._v)):
            continue
        n = cf._n_out
        for i, (v, act) in enumerate(zip(cf._assigned, cf._fail_plan[k])):
            if act is None:
                continue
            var = arg_vars[v] if type(v) is int else v
            var._handle()._value = outs[n + i]._v if act == -1 else outs[act]._v
        err = make_error([np.asarray(t._v) for t in data])
        raise _core_checks.framed(err, info, name)


def _nested_info(info, outs):
    guards = tuple(t._v for t in outs)
    if info is None:
        return _core_checks.Info(None, guards, None, ())
    return _core_checks.Info(info.node, guards, None, info.stack)

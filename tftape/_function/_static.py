"""Values known while tracing, and loops whose trip count is known while tracing.

Inside a tf.function every tensor is a JAX tracer, even ``tf.shape(x)[0]`` or ``tf.constant(3)``
(JAX stages constants into the jaxpr). TF's graph would call such values "constant"
(``tensor_util.constant_value``); XLA needs them as Python numbers for static shapes, so
:func:`static_value` folds a tracer whose inputs are all constants by evaluating the equations
that produced it.

:func:`static_loop` does the same for a loop: the integer and boolean loop variables that only
depend on each other and on constants (a ``tf.range`` counter, ``TensorArray.size()`` of an
array that grows by one per step, ``maximum_iterations``) are run on the host once at trace
time, which gives the trip count. A loop with a known trip count becomes ``lax.scan`` (JAX
differentiates that in reverse mode, ``lax.while_loop`` it does not), and the final values of
those variables are known after the loop (the size of a ``dynamic_size`` TensorArray).
"""
from __future__ import annotations

import numpy as np

import jax
from jax._src import core as _jcore
from jax._src.interpreters import partial_eval as _pe

# Folding walks at most this many equations per value (tracing must stay cheap).
_FOLD_BUDGET = 256
# A host-evaluated loop gives up (the loop stays a lax.while_loop) after this many steps.
_MAX_STATIC_STEPS = 1_000_000
_PY_STEPS = 2000        # steps evaluated on the host before the loop is compiled instead


def _concrete(v):
    return not isinstance(v, _jcore.Tracer)


def static_value(x):
    """``x`` (a Tensor, array or tracer) as a NumPy array if known while tracing, else None."""
    v = getattr(x, "_v", x)
    if _concrete(v):
        try:
            return np.asarray(v)
        except Exception:  # noqa: BLE001 - host strings, opaque objects
            return None
    return _fold(v, {}, [_FOLD_BUDGET])


def static_int(x):
    """``x`` as a Python int if it is a scalar known while tracing, else None."""
    if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
        return int(x)
    v = static_value(x)
    if v is None or v.ndim != 0 or v.dtype.kind not in "iu":
        return None
    return int(v)


def _fold(t, memo, budget):
    if _concrete(t):
        return np.asarray(t)
    key = id(t)
    if key in memo:
        return memo[key]
    memo[key] = None
    if not isinstance(t, _pe.DynamicJaxprTracer):
        return None
    low = t.full_lower()
    if _concrete(low):
        memo[key] = np.asarray(low)
        return memo[key]
    eqn = t.parent
    if eqn is None or eqn.effects or budget[0] <= 0:
        return None
    budget[0] -= 1
    vals = []
    for it in eqn.in_tracers:
        v = _fold(it, memo, budget)
        if v is None:
            return None
        vals.append(v)
    try:
        outs = _apply(eqn.primitive, vals, eqn.params)
    except Exception:  # noqa: BLE001 - not foldable: leave it to the compiled program
        return None
    for var, o in zip(eqn.outvars, outs):
        if var is t.val:
            memo[key] = np.asarray(o)
    return memo[key]


# -- a small host interpreter ------------------------------------------------------------------
# Loop counters and sizes are scalar integer arithmetic: NumPy evaluates it in microseconds,
# where an eager JAX primitive compiles an XLA program the first time it meets a new shape.
_NP = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "max": np.maximum,
    "min": np.minimum, "lt": np.less, "le": np.less_equal, "gt": np.greater,
    "ge": np.greater_equal, "eq": np.equal, "ne": np.not_equal, "and": np.bitwise_and,
    "or": np.bitwise_or, "xor": np.bitwise_xor, "not": np.invert, "neg": np.negative,
    "abs": np.abs, "sign": np.sign,
}


def _np_apply(name, vals, params):
    if name in _NP:
        with np.errstate(all="ignore"):
            r = _NP[name](*vals)
        dt = np.result_type(*vals) if name not in ("lt", "le", "gt", "ge", "eq", "ne") \
            else np.bool_
        return [np.asarray(r, dtype=dt)]
    if name == "convert_element_type":
        with np.errstate(all="ignore"):
            return [np.asarray(vals[0]).astype(np.dtype(params["new_dtype"]))]
    if name == "select_n":
        pred, cases = vals[0], vals[1:]
        if np.asarray(pred).dtype == np.bool_:
            pred = np.asarray(pred).astype(np.int32)
        return [np.asarray(np.choose(pred, cases))]
    if name == "broadcast_in_dim":
        x = np.asarray(vals[0])
        shape = tuple(params["shape"])
        dims = tuple(params["broadcast_dimensions"])
        expanded = [1] * len(shape)
        for d, n in zip(dims, x.shape):
            expanded[d] = n
        return [np.broadcast_to(x.reshape(expanded), shape).copy()]
    if name == "reshape":
        return [np.asarray(vals[0]).reshape(tuple(params["new_sizes"]))]
    if name == "squeeze":
        return [np.squeeze(np.asarray(vals[0]), axis=tuple(params["dimensions"]))]
    if name == "copy" or name == "copy_p":
        return [np.asarray(vals[0])]
    if name in ("pjit", "jit", "closed_call"):
        closed = params.get("jaxpr") or params.get("call_jaxpr")
        return eval_jaxpr(closed.jaxpr, closed.consts, vals)
    return None


def _apply(prim, vals, params):
    """``prim`` on host values: NumPy where the interpreter knows it, else eager JAX."""
    r = _np_apply(prim.name, vals, params)
    if r is not None:
        return r
    with jax.ensure_compile_time_eval():
        outs = prim.bind(*vals, **prim.get_bind_params(params))
    if not prim.multiple_results:
        outs = [outs]
    return [np.asarray(o) for o in outs]


def eval_jaxpr(jaxpr, consts, args):
    """Evaluates ``jaxpr`` on host (NumPy) values."""
    env = {}
    for v, x in zip(jaxpr.constvars, consts):
        env[v] = x
    for v, x in zip(jaxpr.invars, args):
        env[v] = x

    def read(a):
        return a.val if isinstance(a, _jcore.Literal) else env[a]
    for eqn in jaxpr.eqns:
        outs = _apply(eqn.primitive, [np.asarray(read(a)) for a in eqn.invars], eqn.params)
        for v, o in zip(eqn.outvars, outs):
            env[v] = o
    return [np.asarray(read(a)) for a in jaxpr.outvars]


# -- dependencies inside a jaxpr ---------------------------------------------------------------
def output_deps(jaxpr):
    """Per output of ``jaxpr``: the set of (``"c"``, constvar index) / (``"i"``, invar index)."""
    bits = {}
    for k, v in enumerate(jaxpr.constvars):
        bits[v] = 1 << k
    nc = len(jaxpr.constvars)
    for k, v in enumerate(jaxpr.invars):
        bits[v] = 1 << (nc + k)
    for eqn in jaxpr.eqns:
        m = 0
        for v in eqn.invars:
            if isinstance(v, _jcore.Var):
                m |= bits.get(v, 0)
        for v in eqn.outvars:
            bits[v] = m
    out = []
    for v in jaxpr.outvars:
        m = bits.get(v, 0) if isinstance(v, _jcore.Var) else 0
        deps = set()
        k = 0
        while m:
            if m & 1:
                deps.add(("c", k) if k < nc else ("i", k - nc))
            m >>= 1
            k += 1
        out.append(deps)
    return out


def _pruned(jaxpr, keep_out, keep_in, keep_const):
    """A jaxpr computing outputs ``keep_out`` from invars ``keep_in`` and constvars ``keep_const``.

    Returns None if a needed equation has effects (a ``tf.print`` that feeds a loop counter).
    """
    outvars = [jaxpr.outvars[i] for i in keep_out]
    needed = {v for v in outvars if isinstance(v, _jcore.Var)}
    kept = []
    for eqn in reversed(jaxpr.eqns):
        if any(v in needed for v in eqn.outvars):
            if eqn.effects:
                return None
            kept.append(eqn)
            needed.update(v for v in eqn.invars if isinstance(v, _jcore.Var))
    kept.reverse()
    constvars = [jaxpr.constvars[i] for i in keep_const]
    invars = [jaxpr.invars[i] for i in keep_in]
    return _jcore.Jaxpr(constvars, invars, outvars, kept, _jcore.no_effects, jaxpr.debug_info)


class _Part:
    """One region (body or cond) restricted to the static loop variables."""

    def __init__(self, traced, keep_out, in_src, slots, consts):
        deps = set()
        d = output_deps(traced.jaxpr)
        for i in keep_out:
            deps |= d[i]
        self.in_idx = sorted(k for kind, k in deps if kind == "i")
        self.const_idx = sorted(k for kind, k in deps if kind == "c")
        self.jaxpr = _pruned(traced.jaxpr, keep_out, self.in_idx, self.const_idx)
        self.consts = [consts[k] for k in self.const_idx]
        self.in_src = [in_src[k] for k in self.in_idx]
        self.slots = slots

    def inputs(self, env):
        return [env[s[1]] if s[0] == "slot" else s[1] for s in self.in_src]

    def __call__(self, env):
        return eval_jaxpr(self.jaxpr, self.consts, self.inputs(env))

    def traced(self, env):
        return _jcore.eval_jaxpr(self.jaxpr, self.consts, *self.inputs(env))


class Plan:
    """What :func:`static_loop` learned: the trip count and the static variables' final values."""

    def __init__(self, trips, finals):
        self.trips = trips
        self.finals = finals      # carry slot -> final NumPy value


def static_loop(body_traced, cond_traced, carry0, body_in, body_out, cond_in, limit,
                opaque=()):
    """The trip count of a traced loop if it is known while tracing, else None.

    ``carry0``: the initial carry arrays. ``body_in``/``cond_in``: per jaxpr invar of the body /
    cond region, ``("slot", k)`` (carry slot k) or ``("value", array)`` (loop-invariant).
    ``body_out``: per carry slot, the body output index that updates it. ``limit``: the
    ``maximum_iterations`` array or None. ``opaque``: carry slots never treated as static.
    """
    if cond_traced.jaxpr.effects or limit is not None and static_value(limit) is None:
        return None
    lim = None if limit is None else int(static_value(limit))
    known = {}
    for s, a in enumerate(carry0):
        if s in opaque or np.dtype(a.dtype).kind not in "biu" or getattr(a, "ndim", 1) > 1:
            continue
        v = static_value(a)
        if v is not None:
            known[s] = v

    def resolver(traced):
        cache = {}

        def const(k):
            if k not in cache:
                cache[k] = static_value(traced.consts[k])
            return cache[k]
        return const
    body_const, cond_const = resolver(body_traced), resolver(cond_traced)
    body_deps, cond_deps = output_deps(body_traced.jaxpr), output_deps(cond_traced.jaxpr)
    fixed = {}

    def ok(deps, src, const, S):
        for kind, k in deps:
            if kind == "c":
                if const(k) is None:
                    return False
            else:
                s = src[k]
                if s[0] == "slot":
                    if s[1] not in S:
                        return False
                else:
                    key = (id(src), k)
                    if key not in fixed:
                        fixed[key] = static_value(s[1])
                    if fixed[key] is None:
                        return False
        return True

    S = set(known)
    changed = True
    while changed:
        changed = False
        for s in sorted(S):
            if not ok(body_deps[body_out[s]], body_in, body_const, S):
                S.discard(s)
                changed = True
    if not ok(cond_deps[0], cond_in, cond_const, S):
        return None
    order = sorted(S)

    def resolve(src):
        out = []
        for k, s in enumerate(src):
            if s[0] == "value":
                v = fixed.get((id(src), k))
                out.append(("value", v if v is not None else static_value(s[1])))
            else:
                out.append(s)
        return out
    body_src, cond_src = resolve(body_in), resolve(cond_in)
    try:
        body_p = _Part(body_traced, [body_out[s] for s in order], body_src, order,
                       [body_const(k) if body_const(k) is not None else c
                        for k, c in enumerate(body_traced.consts)])
        cond_p = _Part(cond_traced, [0], cond_src, order,
                       [cond_const(k) if cond_const(k) is not None else c
                        for k, c in enumerate(cond_traced.consts)])
    except Exception:  # noqa: BLE001 - an odd jaxpr: no plan, the loop stays dynamic
        return None
    if body_p.jaxpr is None or cond_p.jaxpr is None:
        return None
    try:
        return _run(body_p, cond_p, {s: known[s] for s in order}, order, lim)
    except Exception:  # noqa: BLE001
        return None


def _run(body_p, cond_p, env, order, lim):
    """Runs the static part of the loop on the host (equation by equation, then compiled)."""
    n = 0
    while lim is None or n < lim:
        if n >= _PY_STEPS:
            return _run_compiled(body_p, cond_p, env, order, lim, n)
        if not bool(cond_p(env)[0]):
            break
        outs = body_p(env)
        env = {s: np.asarray(o, dtype=env[s].dtype) for s, o in zip(order, outs)}
        n += 1
    return Plan(n, env)


def _run_compiled(body_p, cond_p, env, order, lim, n0):
    import jax.numpy as jnp
    cap = _MAX_STATIC_STEPS if lim is None else min(lim, _MAX_STATIC_STEPS + n0)

    def cond(c):
        n, vals = c
        e = dict(zip(order, vals))
        return jnp.logical_and(n < cap, jnp.reshape(cond_p.traced(e)[0], ()))

    def body(c):
        n, vals = c
        e = dict(zip(order, vals))
        return n + 1, [jnp.asarray(o).astype(v.dtype) for o, v in zip(body_p.traced(e), vals)]

    with jax.ensure_compile_time_eval():
        n, vals = jax.jit(lambda c: jax.lax.while_loop(cond, body, c))(
            (jnp.asarray(n0, jnp.int64), [jnp.asarray(env[s]) for s in order]))
        n = int(n)
        vals = [np.asarray(v) for v in vals]
    if n >= cap and (lim is None or cap < lim):
        return None  # ran too long: leave it to the compiled program
    return Plan(n, dict(zip(order, vals)))

"""Lowering a recorded tape segment to one pure JAX function (layer 4).

The segment between sources and targets is pruned, its structure becomes a cache key (plans,
programs), and the replayed function is differentiated with ``jax.vjp`` under ``jax.jit``.
``GradientTape`` (``tape``) records; this module turns recordings into gradient ops.
"""
from __future__ import annotations

import os as _os
import warnings

import jax
import jax.numpy as jnp
import numpy as np

from .._core import dtypes as _d
from .._core.registry import STATE, Op
from .._core.tensor import PendingTensor, Tensor, make
from .._core.pending import defer as _defer, fill as _fill, fill_host as _fill_host, \
    ready as _ready
from .._core.convert import convert_to_tensor
from .._core.compiled import Tiered
from .._core.lru import LRUCache
from .bucketing import BucketedFused
from .node_fns import _conj, _node_fns


class UnconnectedGradients:
    """How ``gradient`` reports sources the targets do not depend on."""

    NONE = "none"
    ZERO = "zero"


class _SegmentCache(LRUCache):
    """The bounded LRU of compiled gradient programs, keyed by segment structure."""

    __slots__ = ("_miss_site", "_miss_run")

    def __init__(self, maxsize: int = 512):
        super().__init__("tape_segments", maxsize)
        self._miss_site = None   # where the current run of consecutive misses happens
        self._miss_run = 0

    def get(self, key, default=None):
        v = super().get(key, default)
        if v is not None:
            self._miss_run = 0
        return v

    def put(self, key, value, site=None):
        """Stores a new program; five compilations in a row at one call site warn (like TF's
        retracing warning). The site is only computed on a miss, keeping hits cheap."""
        super().put(key, value)
        if site is None:
            return
        if site == self._miss_site:
            self._miss_run += 1
        else:
            self._miss_site, self._miss_run = site, 1
        if self._miss_run == 5:
            self._miss_run = 0
            warnings.warn_explicit(
                "5 out of the last 5 calls to GradientTape.gradient at this line triggered a "
                "new compilation of the recorded segment. Recompiling is expensive: the ops "
                "recorded, their static arguments (axes, shapes passed as Python values) or "
                "the way they are wired change between calls. Record the same computation on "
                "each step, and pass changing values as tensors.", UserWarning, site[0], site[1])

    def clear(self):
        super().clear()
        _PLANS.clear()
        _FOLLOWUPS.clear()
        self.reset_stats()

    def info(self):
        return {"hits": self.hits, "misses": self.misses, "size": len(self),
                "maxsize": self.maxsize}


SEGMENT_CACHE = _SegmentCache()


BUCKETS = [True]   # pad changing input shapes of fused programs to buckets (``bucketing``)


_DIFF = frozenset(d for d in _d.ALL if d.is_floating or d.is_complex)


def _is_diff(dtype) -> bool:
    # Note: a Keras variable's dtype is a name string that acts as a DType.
    return dtype in _DIFF or (type(dtype) is not _d.DType and _d.as_dtype(dtype) in _DIFF)


def _is_variable(x) -> bool:
    return getattr(type(x), "_is_tf_variable", False)


def _is_composite(x) -> bool:
    return not isinstance(x, Tensor) and hasattr(type(x), "_tape_components")


def _components(t):
    """The tensors that stand for a gradient target (a RaggedTensor's flat values)."""
    if isinstance(t, Tensor) or _is_variable(t):
        return (t,)
    if _is_composite(t):
        if not hasattr(t, "with_flat_values"):
            raise ValueError(f"Type {type(t).__name__} is not supported as a gradient source or "
                             f"gradient target.")
        return tuple(t._tape_components())
    if hasattr(type(t), "__tf_dispatch__") or type(t).__name__ == "SparseTensor":
        raise ValueError(f"Type {type(t).__name__} is not supported as a gradient source or "
                         f"gradient target.")
    return (_as_target(t),)


def _as_target(t):
    if isinstance(t, Tensor):
        return t
    if _is_variable(t):
        return t
    return convert_to_tensor(t)


def _value_of(tape, obj):
    if isinstance(obj, Tensor):
        return obj._v
    v = tape._var_values.get(id(obj))
    return v if v is not None else obj._current()


# -- lowering -----------------------------------------------------------------------------------
# Recorded structure -> the gradient op and where its inputs come from on the tape.
_PLANS = LRUCache("tape_plans", 512)


# Fused-call key -> refs of the sources later calls asked for (see ``_from_stash``).
_FOLLOWUPS = LRUCache("tape_followups", 512)


def _lower(tape, targets, sources, ograds, differentiable=None):
    """The gradient op for this recording and its inputs: from a cached plan when the tape
    recorded the same structure before (the common training-loop case), else by pruning."""
    if differentiable is None:
        differentiable = _needs_differentiable(tape)
    # Targets whose forward ops are still pending: compute them with the gradient.
    fused = not differentiable and any(type(t) is PendingTensor for t in targets)
    refs = tape._refs
    sig = tape._sig_key
    if sig is None:
        sig = tape._sig_key = tuple(tape._sig)
    pkey = (sig, tuple([refs.get(id(s)) for s in sources]),
            tuple([refs.get(id(t)) for t in targets]),
            tuple([_is_diff(x.dtype) for x in sources]),
            tuple([_is_diff(x.dtype) for x in targets]),
            None if ograds is None else tuple(g is None for g in ograds), differentiable, fused)
    plan = _PLANS.get(pkey)
    if plan is not None:
        grad_op, arg_plan, pos, fill = plan
        SEGMENT_CACHE.hits += 1
        nodes = tape._nodes
        args = [sources[x[1]] if x[0] == "s" else nodes[x[1]][3][x[2]] if x[0] == "a" else
                nodes[x[1]][4][x[2]] if x[0] == "o" else ograds[x[1]] if x[0] == "g" else
                _zeros_like(sources[x[1]]) if x[0] == "z" else
                _ones_like(targets[x[1]]) for x in arg_plan]
        return grad_op, args, pos, fill
    seg = _prune_and_lower(tape, targets, sources, ograds, differentiable, fused)
    if seg is None:
        return None
    grad_op, args, pos, plan, fill = seg
    _PLANS.put(pkey, (grad_op, plan, pos, fill))
    return grad_op, args, pos, fill


def _ones_like(t):
    return make(jnp.ones(tuple(t.shape), t.dtype._np), t.dtype)


def _zeros_like(t):
    return make(jnp.zeros(tuple(t.shape), t.dtype._np), t.dtype)


class _Perturbed:
    """A recorded op whose outputs ``outs`` each get one more input added: how a source that
    the op computes enters the lowering (see ``_prune_and_lower``)."""

    def __init__(self, op, n_in, outs, multi):
        self.op = op
        self.n_in = n_in
        self.outs = outs
        self.multi = multi

    def grad_impl(self):
        f = self.op.grad_impl()
        n_in, outs, multi = self.n_in, self.outs, self.multi

        def fn(*args, **static):
            out = f(*args[:n_in], **static)
            if not multi:
                return out + args[n_in]
            out = list(out)
            for p, extra in zip(outs, args[n_in:]):
                out[p] = out[p] + extra
            return tuple(out)
        return fn


def _prune_and_lower(tape, targets, sources, ograds, differentiable, fused=False):
    """Prunes the recorded segment and returns (grad op, its inputs, source positions, plan,
    fill).

    Three lowerings of the same segment: ``replay`` runs the recorded ops forward from the
    sources inside ``jax.vjp`` (differentiable again: used while another tape records the
    gradient); ``fused`` does the same for a forward still pending and also returns every
    kept op's outputs, which ``fill`` (a (node, output) list) names so they can be filled in;
    ``backward`` feeds the recorded intermediate values in and composes only the per-op
    vjps, so XLA drops forward work the backward pass does not need (matmul outputs).
    """
    src_index: dict = {}
    uniq_sources: list = []
    src_pos: list = []
    tracked = tape._tracked
    for i, s in enumerate(sources):
        sid = id(s)
        if sid not in tracked or not _is_diff(s.dtype):
            continue
        j = src_index.get(sid)
        if j is None:
            src_index[sid] = j = len(uniq_sources)
            uniq_sources.append(s)
            src_pos.append([i])
        else:
            src_pos[j].append(i)
    if not uniq_sources:
        return None
    # Backward from the targets, then forward from the sources: the nodes on a path.
    needed = set(map(id, targets))
    back = []
    nodes = tape._nodes
    for n in range(len(nodes) - 1, -1, -1):
        node = nodes[n]
        if not needed.isdisjoint(node[6]):
            back.append(n)
            needed.update(node[5])
    derived = set(src_index)
    kept = []
    kept_at = []  # the tape index of each kept node (for the plan)
    for n in reversed(back):
        node = nodes[n]
        if not derived.isdisjoint(node[5]):
            kept.append(node)
            kept_at.append(n)
            derived.update(node[6])
    ref = {sid: ("s", i) for sid, i in src_index.items()}
    own_srcs: set = set()   # sources computed by a kept node: passed as zeros
    captured: list = []
    captured_at: list = []
    prog = []
    impls = []
    for k, node in enumerate(kept):
        o, key, static, args, outs, ids, out_ids = node
        in_refs = []
        for j, (a, i) in enumerate(zip(args, ids)):
            r = ref.get(i)
            if r is None:
                r = ("c", len(captured))
                captured.append(a)
                captured_at.append(("a", kept_at[k], j))
                ref[i] = r
            in_refs.append(r)
        name = getattr(o, "segment_key", None) or o.name
        # A source this node computes (``gradient(z, [x, y])`` with ``y = 3 * x``): TF's
        # gradient for ``x`` goes through ``y`` too, and ``y``'s is the gradient arriving at
        # it. The node adds a zero input standing for the source to that output, so the
        # gradient w.r.t. that input is ``y``'s and the node stays on ``x``'s path.
        own = tuple((p, src_index[i]) for p, i in enumerate(out_ids) if i in src_index)
        if own:
            in_refs += [("s", j) for _, j in own]
            own_srcs.update(j for _, j in own)
            o = _Perturbed(o, len(args), tuple(p for p, _ in own), len(outs) > 1)
            name = ("perturbed", name, o.outs)
        prog.append((name, key, tuple(in_refs), len(outs)))
        impls.append((o, static))
        for p, i in enumerate(out_ids):
            ref[i] = ("n", k, p)
    tgt_refs = []
    tgt_used = []
    for i, t in enumerate(targets):
        r = ref.get(id(t))
        if r is None or r[0] == "c" or not _is_diff(t.dtype):
            continue
        tgt_refs.append(r)
        tgt_used.append(i)
    if not tgt_refs:
        return None
    used_src = {r[1] for node in prog for r in node[2] if r[0] == "s"} | \
               {r[1] for r in tgt_refs if r[0] == "s"}
    has_og = ograds is not None
    # Intermediate values the backward lowering takes as inputs.
    mids = []
    if not differentiable and not fused:
        seen = set()
        for node in prog:
            for r in node[2]:
                if r[0] == "n" and r not in seen:
                    seen.add(r)
                    mids.append(r)
        for r in tgt_refs:
            if r[0] == "n" and r not in seen:
                seen.add(r)
                mids.append(r)
    fill = _fill_plan(kept) if fused else None
    key = (tuple(prog), tuple(tgt_refs), len(uniq_sources), len(captured), has_og,
           differentiable, fused and tuple(fill))
    grad_op = SEGMENT_CACHE.get(key)
    if grad_op is None:
        site = _call_site()
        build = _build_grad_op if differentiable else _build_fused_op if fused else \
            _build_backward_op
        grad_op = build(key, impls, prog, tgt_refs, len(uniq_sources), len(captured), has_og,
                        fill if fused else mids)
        SEGMENT_CACHE.put(key, grad_op, site)
    args = [_zeros_like(x) if j in own_srcs else x for j, x in enumerate(uniq_sources)] + captured
    plan = [("z" if j in own_srcs else "s", p[0]) for j, p in enumerate(src_pos)] + captured_at
    if mids:
        args += [kept[r[1]][4][r[2]] for r in mids]
        plan += [("o", kept_at[r[1]], r[2]) for r in mids]
    if has_og:
        for i in tgt_used:
            g = ograds[i]
            args.append(g if g is not None else _ones_like(targets[i]))
            plan.append(("g", i) if g is not None else ("1", i))
    # Sources the targets do not reach get None.
    pos = [p if i in used_src else [] for i, p in enumerate(src_pos)]
    if fused:
        fill = [(kept_at[k], p) for k, p in fill]
    return grad_op, args, pos, plan, fill


def _fill_plan(kept):
    """The (kept node, output) pairs a fused gradient returns: every output still pending,
    so that reading ``loss`` or ``logits`` after ``gradient`` costs nothing more. (Values
    already computed, such as variable reads, are left out: each output costs the call about
    a microsecond.)"""
    return [(k, p) for k, node in enumerate(kept) for p, t in enumerate(node[4])
            if type(t) is PendingTensor]


def _needs_differentiable(tape) -> bool:
    """Whether the gradient will itself be recorded (another tape or an accumulator is on)."""
    st = STATE
    if st.accumulators:
        return True
    for t in st.tapes:
        if t is not tape or tape._persistent:
            return True
    return False


def _call_site():
    """The first frame outside tftape: where the user called gradient."""
    import sys
    f = sys._getframe(2)
    while f is not None and f.f_code.co_filename.startswith(_PKG_DIR):
        f = f.f_back
    return None if f is None else (f.f_code.co_filename, f.f_lineno)




_PKG_DIR = _os.path.dirname(_os.path.dirname(_os.path.abspath(__file__)))


def _replay(impls, prog, tgt_refs):
    """The recorded forward as a pure function: (sources, captured) -> (targets, outputs)."""
    fns = _node_fns(impls)
    wiring = [node[2] for node in prog]

    def forward(src, cap):
        env = []
        for fn, in_refs in zip(fns, wiring):
            vals = [src[r[1]] if r[0] == "s" else cap[r[1]] if r[0] == "c" else env[r[1]][r[2]]
                    for r in in_refs]
            out = fn(*vals)
            env.append(tuple(out) if type(out) in (tuple, list) else (out,))
        return tuple(src[r[1]] if r[0] == "s" else env[r[1]][r[2]] for r in tgt_refs), env
    return forward


def _build_fused_op(key, impls, prog, tgt_refs, n_src, n_cap, has_og, fill) -> Op:
    """Forward and backward in one program: the gradients, then the outputs ``fill`` names
    ((kept node, output) pairs). Its kernel pads changing input shapes to buckets (see
    ``bucketing``) once a second shape is met."""
    forward = _replay(impls, prog, tgt_refs)

    def fused_fn(*flat):
        src = flat[:n_src]
        cap = flat[n_src:n_src + n_cap]
        primal, vjp, env = jax.vjp(lambda s: forward(s, cap), tuple(src), has_aux=True)
        (g,) = vjp(_output_cts(primal, flat[n_src + n_cap:] if has_og else None))
        return tuple(map(_conj, g)) + tuple(env[k][p] for k, p in fill)

    o = _segment_op(key, fused_fn, None, n_src, n_cap)
    o._kernels[()].lazy_from = n_src   # forward outputs: transferred when read (``_run_fused``)
    if not has_og and BUCKETS[0]:
        o._kernels[()] = BucketedFused(o._kernels[()], impls, [node[2] for node in prog],
                                       tgt_refs, n_src, n_cap, fill)
    return o


def _build_grad_op(key, impls, prog, tgt_refs, n_src, n_cap, has_og, mids=()) -> Op:
    replay = _replay(impls, prog, tgt_refs)

    def forward(src, cap):
        return replay(src, cap)[0]

    def grad_fn(*flat):
        src = flat[:n_src]
        cap = flat[n_src:n_src + n_cap]
        primal, vjp = jax.vjp(lambda s: forward(s, cap), tuple(src))
        (g,) = vjp(_output_cts(primal, flat[n_src + n_cap:] if has_og else None))
        return tuple(map(_conj, g))

    return _segment_op(key, grad_fn, forward, n_src, n_cap)


def _segment_op(key, fn, forward, n_src, n_cap) -> Op:
    o = Op("gradient", "SymbolicGradient", fn)
    o.forward = forward
    o.n_src = n_src
    o.n_cap = n_cap
    o._kernels[()] = Tiered(fn, "tape_segments")
    o.segment_key = key
    return o


def _build_backward_op(key, impls, prog, tgt_refs, n_src, n_cap, has_og, mids) -> Op:
    fns = _node_fns(impls)
    wiring = [(node[2], node[3]) for node in prog]
    mid_index = {r: i for i, r in enumerate(mids)}
    n_mid = len(mids)

    def backward(*flat):
        src = flat[:n_src]
        cap = flat[n_src:n_src + n_cap]
        mid = flat[n_src + n_cap:n_src + n_cap + n_mid]
        ogs = flat[n_src + n_cap + n_mid:]

        def val(r):
            return src[r[1]] if r[0] == "s" else cap[r[1]] if r[0] == "c" else mid[mid_index[r]]
        ct: dict = {}
        for i, r in enumerate(tgt_refs):
            v = val(r)
            g = _conj(ogs[i].astype(v.dtype)) if has_og else jnp.ones_like(v)
            ct[r] = ct[r] + g if r in ct else g
        for k in range(len(fns) - 1, -1, -1):
            in_refs, nout = wiring[k]
            outs_ct = [ct.pop(("n", k, p), None) for p in range(nout)]
            if all(c is None for c in outs_ct):
                continue
            vals = [val(r) for r in in_refs]
            diff = [j for j, r in enumerate(in_refs)
                    if r[0] != "c" and jnp.issubdtype(vals[j].dtype, jnp.inexact)]
            if not diff:
                continue
            fn = fns[k]
            # Only the outputs that receive a gradient: as in TF, the others' rules never
            # run (a zero cotangent through an infinite partial would give nan).
            live = [p for p, c in enumerate(outs_ct) if c is not None]

            def f(*dv, fn=fn, vals=vals, diff=diff, live=live):
                v = list(vals)
                for j, x in zip(diff, dv):
                    v[j] = x
                out = fn(*v)
                return tuple(out[p] for p in live) if type(out) in (tuple, list) else out
            out, vjp = jax.vjp(f, *[vals[j] for j in diff])
            is_tuple = type(out) is tuple
            outs = out if is_tuple else (out,)
            cts = tuple(c.astype(o_.dtype) if jnp.issubdtype(o_.dtype, jnp.inexact)
                        else _zero_ct(o_) for c, o_ in zip([outs_ct[p] for p in live], outs))
            in_cts = vjp(cts if is_tuple else cts[0])
            for j, c in zip(diff, in_cts):
                r = in_refs[j]
                ct[r] = ct[r] + c if r in ct else c
        return tuple(_conj(ct.get(("s", i), jnp.zeros_like(src[i]))) for i in range(n_src))

    return _segment_op(key, backward, None, n_src, n_cap)


def _output_cts(primal, ograds):
    """The cotangents a lowering starts from: ones, or the output gradients (TF's convention,
    conjugated for JAX's ``vjp``)."""
    if ograds is None:
        return tuple(jnp.ones_like(p) for p in primal)
    return tuple(_conj(g.astype(p.dtype)) for g, p in zip(ograds, primal))


def _zero_ct(x):
    if jnp.issubdtype(x.dtype, jnp.inexact):
        return jnp.zeros_like(x)
    import numpy as np
    return np.zeros(x.shape, dtype=jax.dtypes.float0)


def _values_seen(args, tape):
    """The arrays of a segment op's inputs: tensors' values, and variables' values as the
    tape first read them."""
    var_values = tape._var_values
    vals = []
    for a in args:
        if isinstance(a, Tensor):
            vals.append(a._v)
        else:
            v = var_values.get(id(a))
            vals.append(v if v is not None else a._current())
    return vals


def _run_segment_op(o: Op, args, tape):
    """Runs a lowered segment op on the values the tape saw, recording it on active tapes."""
    vals = _values_seen(args, tape)
    st = STATE
    if st.tapes and not st.tracing and not st.accumulators:
        # Another tape records this gradient (a higher-order derivative): defer it like any
        # recorded op, so that tape's own gradient computes both in one program.
        recorders = [t for t in st.tapes if not (t is tape and not tape._persistent) and
                     not t._tracked.keys().isdisjoint(map(id, args))]
        if recorders:
            ins = tuple(a if isinstance(a, Tensor) else make(v, a.dtype)
                        for a, v in zip(args, vals))
            outs = _defer(o, (), None, ins)
            if outs is not None:
                for t in recorders:
                    t._record_segment(o, args, outs, tape)
                return outs
    if st.tracing:
        out = o.impl(*vals)
    else:
        out = o._kernels[()](*vals)
    by_np = _d._BY_NP
    outs = tuple([make(v, by_np[v.dtype]) for v in out])
    for t in list(st.tapes):
        if t is tape and not tape._persistent:
            continue
        t._record_segment(o, args, outs, tape)
    for acc in st.accumulators:
        acc._forward(o, (), None, args, outs, values=vals)
    return outs


def _run_fused(o: Op, args, tape, fill):
    """Runs a fused segment op: returns the gradients and fills in the pending forward."""
    vals = _values_seen(args, tape)
    out = o._kernels[()](*vals)
    n = o.n_src
    nodes = tape._nodes
    host = None
    for (k, p), v in zip(fill, out[n:]):
        t = nodes[k][4][p]
        if type(t) is PendingTensor:
            if type(v) is np.ndarray:
                # Computed with NumPy (``_core.host``): transferred only if it is read.
                if host is None:
                    host = []
                host.append((t, v))
            else:
                _fill(t, v)
    if host is not None:
        _fill_host(host)
    # Pending-but-ready results: an update made from them joins its step's other updates.
    return _ready(tuple(out[:n]))

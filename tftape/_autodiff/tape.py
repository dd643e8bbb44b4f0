"""GradientTape (layer 4): record eager ops, replay the segment through cached ``jax.vjp``.

Ops run eagerly; a tape records an op only when an input derives from a watched value. On
``gradient`` the segment between sources and targets is pruned and lowered to one pure JAX
function of (sources, captured inputs). Its vjp is jitted and cached by the segment's
structure (op keys, static parameters and wiring), so a training loop that records the same
ops every step compiles once. The gradient computation is itself an op: made while another
tape records, it is recorded there as one node whose function is the vjp, so it
differentiates again (higher-order derivatives).
"""
from __future__ import annotations

import logging
import warnings

import jax
import jax.numpy as jnp
import numpy as np

from .._core import dtypes as _d
from .._core.registry import STATE, Op, execute
from .._core.tensor import EagerTensor, PendingTensor, Tensor, make
from .._core.pending import defer as _defer, fill as _fill, ready as _ready
from .._core.convert import convert_to_tensor
from .._core.compiled import Tiered
from .._core.lru import LRUCache
from . import nest
from .bucketing import BucketedFused

_log = logging.getLogger("tftape")
_INSIDE_MSG = ("Calling GradientTape.gradient on a persistent tape inside its context is "
               "significantly less efficient than calling it outside the context (it causes the "
               "gradient ops to be recorded on the tape, leading to increased CPU and memory "
               "usage). Only call GradientTape.gradient inside the context if you actually want "
               "to trace the gradient in order to compute higher order derivatives.")
_WARNED_INSIDE: list = []


class UnconnectedGradients:
    """How ``gradient`` reports sources the targets do not depend on."""

    NONE = "none"
    ZERO = "zero"


_READ = Op("read_variable", "ReadVariableOp", lambda x: x)
_REREAD = Op("reread_variable", "ReadVariableOp",
             lambda src, snap: snap + (src - jax.lax.stop_gradient(src)))


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


class GradientTape:
    """Records operations for automatic differentiation (``tf.GradientTape``).

    >>> import tftape as tf
    >>> x = tf.Variable(3.0)
    >>> with tf.GradientTape() as tape:
    ...     y = x * x
    >>> tape.gradient(y, x)
    <tf.Tensor: shape=(), dtype=float32, numpy=6.0>
    """

    def __repr__(self):
        # What TF prints for a tape object.
        return f"<tensorflow.python.eager.backprop.GradientTape object at {hex(id(self))}>"

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True):
        self._persistent = persistent
        self._watch_accessed_variables = watch_accessed_variables
        self._recording = False
        self._used = False
        self._clear()

    def _clear(self):
        self._nodes: list = []
        self._tracked: dict = {}        # id -> object; holding them keeps ids unique
        self._watched_vars: dict = {}   # id -> Variable, in watch order
        self._var_values: dict = {}     # id(variable) -> the value first read on this tape
        self._var_gathers = False       # a gather straight from a variable was recorded
        # The recording's structure, kept as it is recorded so that ``gradient`` can find a
        # cached lowering plan without pruning again: one entry per node, and each tracked
        # object's place (("t", i) watched, ("n", node, output)).
        self._sig: list = []
        self._sig_key = None            # tuple(self._sig), kept until the next node
        self._refs: dict = {}
        self._by_ref: dict = {}         # ("t", i) ref -> id of the watched object
        self._caps: dict = {}
        self._stash = None              # gradients computed ahead (see ``_from_stash``)
        self._follow_key = None

    # -- context --------------------------------------------------------------------------
    def __enter__(self):
        self._push()
        return self

    def __exit__(self, typ, value, traceback):
        if self._recording:
            self._pop()

    def _push(self):
        STATE.tapes.append(self)
        self._recording = True

    def _pop(self):
        try:
            STATE.tapes.remove(self)
        except ValueError:
            pass
        self._recording = False

    def stop_recording(self):
        """A context in which operations are not recorded on this tape."""
        return _StopRecording(self)

    def reset(self):
        """Clears everything recorded so far (the tape stays active); only while recording."""
        if not self._recording:
            raise ValueError("Tape is not recording.")
        self._clear()

    # -- watching -----------------------------------------------------------------------------
    def watch(self, tensor):
        """Ensures that ``tensor`` (or a nested structure of them) is traced by this tape."""
        for t in nest.flatten(tensor):
            if _is_variable(t):
                self._watch_variable(t)
                continue
            if not isinstance(t, Tensor):
                if hasattr(t, "_tape_components"):
                    for c in t._tape_components():
                        self.watch(c)
                    continue
                if hasattr(type(t), "__tf_dispatch__") and isinstance(
                        getattr(t, "values", None), Tensor):
                    self.watch(t.values)  # a composite such as SparseTensor: its values
                    continue
                raise ValueError(f"Passed in object {t!r} of type {type(t).__name__!r}, not "
                                 f"tf.Tensor or tf.Variable or ExtensionType.")
            if not _is_diff(t.dtype):
                _log.warning("The dtype of the watched tensor must be floating (e.g. "
                             "tf.float32), got %r", t.dtype)
            self._tracked[id(t)] = t
            self._watch_ref(id(t))

    def _watch_variable(self, v):
        vid = id(v)
        if vid not in self._watched_vars:
            if not _is_diff(v.dtype):
                _log.warning("The dtype of the watched tensor must be floating (e.g. "
                             "tf.float32), got %r", v.dtype)
            self._watched_vars[vid] = v
            self._tracked[vid] = v
            self._watch_ref(vid)

    def _watch_ref(self, i):
        refs = self._refs
        if i not in refs:
            r = refs[i] = ("t", len(refs))
            self._by_ref[r] = i

    def _mark_used(self):
        """A non-persistent tape after its one ``gradient`` or ``jacobian``."""
        self._last_watched = self.watched_variables()
        self._used = True

    def _release(self):
        """``_mark_used``, and the recording is dropped."""
        self._mark_used()
        self._clear()

    def watched_variables(self):
        """The Variables this tape watches, in creation order (as TF lists them); after a
        non-persistent tape's ``gradient``, those it watched then."""
        if self._used and not self._persistent:
            return self._last_watched
        return tuple(sorted(self._watched_vars.values(), key=lambda v: getattr(v, "_uid", 0)))

    # -- recording ------------------------------------------------------------------------------
    def _record(self, o, key, static, args, outs):
        # A node: (op, static key, static params, inputs, outputs, input ids, output ids).
        tracked = self._tracked
        ids = tuple(map(id, args))
        if tracked.keys().isdisjoint(ids):
            return
        self._append(o, key, static, args, outs, ids)

    def _append(self, o, key, static, args, outs, ids):
        refs = self._refs
        in_refs = tuple(map(refs.get, ids))
        if None in in_refs:
            # Untracked inputs (constants): which of them are the same object is part of
            # the structure, since the lowering passes each distinct one once.
            caps = self._caps
            in_refs = tuple(r if r is not None else caps.setdefault(i, ("x", len(caps)))
                            for r, i in zip(in_refs, ids))
        self._sig.append((o.segment_key or o.name, key, in_refs))
        self._sig_key = None
        nodes = self._nodes
        k = len(nodes)
        tracked = self._tracked
        if len(outs) == 1:
            t = outs[0]
            i = id(t)
            out_ids = (i,)
            tracked[i] = t
            refs[i] = ("n", k, 0)
        else:
            out_ids = tuple(map(id, outs))
            for p, (t, i) in enumerate(zip(outs, out_ids)):
                tracked[i] = t
                refs[i] = ("n", k, p)
        nodes.append((o, key, static, args, outs, ids, out_ids))

    def _accessed(self, var, value) -> bool:
        """Watches a trainable variable on access (TF's rule) and notes the value first read;
        False when this tape does not track the variable."""
        vid = id(var)
        if vid not in self._tracked:
            if self._watch_accessed_variables and var.trainable:
                self._watch_variable(var)
            else:
                return False
        if vid not in self._var_values:
            self._var_values[vid] = value
        return True

    def _variable_read(self, var, t: Tensor):
        vid = id(var)
        if vid not in self._tracked:
            if not (self._watch_accessed_variables and var.trainable):
                return
            self._watch_variable(var)
        v = t._v
        if self._var_values.setdefault(vid, v) is v:
            self._append(_READ, (), None, (var,), (t,), (vid,))
        else:  # assigned since the first read: differentiate through this value too
            self._record(_REREAD, (), None, (var, make(v, t._dtype)), (t,))

    def _variable_gather(self, var, value: Tensor, idx: Tensor, out: Tensor, axis, batch_dims):
        """Records ``gather(var, idx)`` with the variable itself as input (TF's ResourceGather),
        so that ``gradient`` can return an IndexedSlices for it."""
        from .._ops.array_ops import _gather
        if not self._accessed(var, value._v):
            return
        static = {"axis": axis, "batch_dims": batch_dims}
        if self._var_values[id(var)] is value._v:
            self._var_gathers = True
            self._record(_gather, (axis, batch_dims), static, (var, idx), (out,))
        else:
            self._variable_read(var, value)
            self._record(_gather, (axis, batch_dims), static, (value, idx), (out,))

    # -- gradients --------------------------------------------------------------------------------
    def gradient(self, target, sources, output_gradients=None,
                 unconnected_gradients=UnconnectedGradients.NONE):
        """d(sum of targets)/d(source) for each source, in the structure of ``sources``."""
        if self._used and not self._persistent:
            raise RuntimeError("A non-persistent GradientTape can only be used to compute one "
                               "set of gradients (or jacobians)")
        if self._recording:
            if not self._persistent:
                # TF's rule: a non-persistent tape asked inside its context stops recording.
                self._pop()
            elif not _WARNED_INSIDE:
                _WARNED_INSIDE.append(True)   # TF logs this once per process
                _log.warning(_INSIDE_MSG)
        fast = _fast_gradient_args(target, sources, output_gradients, unconnected_gradients)
        if fast is not None:
            grads = self._gradient([target], fast, None)
            if not self._persistent:
                self._release()
            ts = type(sources)
            return grads if ts is list else tuple(grads) if ts is tuple else grads[0]
        unconnected = _unconnected_mode(unconnected_gradients)
        flat_targets = [c for t in nest.flatten(target) for c in _components(t)]
        flat_sources = nest.flatten(sources)
        composite_sources = {i: s for i, s in enumerate(flat_sources) if _is_composite(s)}
        if composite_sources:
            return self._composite_gradient(target, sources, output_gradients,
                                            unconnected_gradients)
        for s in flat_sources:
            if not (isinstance(s, Tensor) or _is_variable(s)):
                _components(s)  # TF's message for composites it cannot differentiate
                raise ValueError(f"Passed in object {s!r} of type {type(s).__name__!r}, not "
                                 f"tf.Tensor or tf.Variable or ExtensionType.")
        ograds = None
        if output_gradients is not None:
            # Note: a None entry raises TF's conversion error, as TF's imperative_grad does.
            ograds = _check_output_gradients(
                flat_targets, [convert_to_tensor(g) for g in nest.flatten(output_gradients)])
        grads = self._gradient(flat_targets, flat_sources, ograds)
        if not self._persistent:
            self._release()
        out = []
        for s, g in zip(flat_sources, grads):
            if g is None and unconnected == UnconnectedGradients.ZERO:
                g = make(jnp.zeros(tuple(s.shape), s.dtype._np), s.dtype)
            out.append(g)
        return nest.pack_sequence_as(sources, out)

    def _composite_gradient(self, target, sources, output_gradients, unconnected_gradients):
        """Composite sources (a RaggedTensor) differentiate through their flat values."""
        flat = nest.flatten(sources)
        expanded = [list(_components(s)) for s in flat]
        grads = self.gradient(target, [c for cs in expanded for c in cs], output_gradients,
                              unconnected_gradients)
        it = iter(grads)
        out = []
        for s, cs in zip(flat, expanded):
            gs = [next(it) for _ in cs]
            if _is_composite(s):
                out.append(None if gs[0] is None else s.with_flat_values(gs[0]))
            else:
                out.append(gs[0])
        return nest.pack_sequence_as(sources, out)

    def _dense_gradient(self, targets, sources, ograds):
        n = len(sources)
        extra = ()
        if self._persistent and ograds is None:
            stashed = self._from_stash(targets, sources)
            if stashed is not None:
                return stashed
            if any(type(t) is PendingTensor for t in targets):
                extra = self._followups(targets, sources)
        seg = _lower(self, targets, list(sources) + list(extra) if extra else sources, ograds)
        if seg is None:
            return [None] * n
        grad_op, args, src_pos, fill = seg
        if fill is None:
            outs = _run_segment_op(grad_op, args, self)
        else:
            outs = _run_fused(grad_op, args, self, fill)
        result = [None] * (n + len(extra))
        for pos, g in zip(src_pos, outs):
            for i in pos:
                result[i] = g
        if fill is not None and self._persistent and ograds is None:
            # What a later ``gradient`` of these targets may ask for: see ``_followups``.
            self._stash = (tuple(map(id, targets)), len(self._nodes), self._follow_key,
                           {id(s): g for s, g in zip(list(sources) + list(extra), result)})
        return result[:n]

    # -- several gradients of one persistent tape --------------------------------------------
    # A persistent tape is often asked for the gradients of one loss w.r.t. one source, then
    # another (``tape.gradient(loss, w); tape.gradient(loss, b)``). The first call computes the
    # forward values, so the second would be a second program. Instead the tape learns, per
    # recorded structure, which sources the later calls ask for, and from the next step on
    # the first call's fused program computes their gradients too; the later calls then
    # return them from ``_stash`` (valid while nothing new is recorded).
    def _from_stash(self, targets, sources):
        st = self._stash
        if st is None or st[1] != len(self._nodes) or st[0] != tuple(map(id, targets)):
            return None
        grads = st[3]
        missing = [s for s in sources if id(s) not in grads]
        if not missing:
            return [grads[id(s)] for s in sources]
        refs = self._refs
        learned = _FOLLOWUPS.get(st[2])
        if learned is None:
            learned = []
            _FOLLOWUPS.put(st[2], learned)
        for s in missing:
            r = refs.get(id(s))
            if r is not None and r[0] == "t" and r not in learned:
                learned.append(r)
        return None

    def _followups(self, targets, sources):
        refs = self._refs
        sig = self._sig_key
        if sig is None:
            sig = self._sig_key = tuple(self._sig)
        key = self._follow_key = (sig, tuple([refs.get(id(s)) for s in sources]),
                                  tuple([refs.get(id(t)) for t in targets]))
        learned = _FOLLOWUPS.get(key)
        if not learned:
            return ()
        by_ref = self._by_ref
        tracked = self._tracked
        have = set(map(id, sources))
        return tuple(tracked[by_ref[r]] for r in learned
                     if r in by_ref and by_ref[r] not in have)

    def _gradient(self, targets, sources, ograds):
        if self._var_gathers:
            sparse = _sparse_sources(self, sources)
            if sparse:
                return _gradient_with_slices(self, targets, sources, ograds, sparse)
        return self._dense_gradient(targets, sources, ograds)

    def jacobian(self, target, sources, unconnected_gradients=UnconnectedGradients.NONE,
                 parallel_iterations=None, experimental_use_pfor=True):
        """The Jacobian of ``target`` w.r.t. each source (shape target.shape + source.shape)."""
        from . import jacobians
        return jacobians.jacobian(self, target, sources, _unconnected_mode(unconnected_gradients))

    def batch_jacobian(self, target, source, unconnected_gradients=UnconnectedGradients.NONE,
                       parallel_iterations=None, experimental_use_pfor=True):
        """Per-example Jacobians: target [b, ...] and source [b, ...] give [b, t..., s...]."""
        from . import jacobians
        return jacobians.batch_jacobian(self, target, source,
                                        _unconnected_mode(unconnected_gradients))

    def __del__(self):
        try:
            if self._recording:
                self._pop()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


def _fast_gradient_args(target, sources, output_gradients, unconnected_gradients):
    """The flat sources of the common call ``gradient(tensor, variable or [variables...])``
    (no output gradients, no composites), or None for the general path."""
    tt = type(target)
    if not (tt is EagerTensor or tt is PendingTensor) or output_gradients is not None or \
            unconnected_gradients is not UnconnectedGradients.NONE:
        return None
    ts = type(sources)
    flat = sources if ts is list or ts is tuple else (sources,)
    for s in flat:
        t = type(s)
        if not (t is EagerTensor or t is PendingTensor or getattr(t, "_is_tf_variable", False)):
            return None
    return list(flat)


def _check_output_gradients(targets, ograds):
    """TF's rules for ``output_gradients``: one that broadcasts to its target's shape is
    broadcast; another shape or dtype fails in TF's first gradient op (InvalidArgumentError)."""
    from .._core.errors import kernel_error, op_error
    from .._ops._util import fmt_shape
    out = list(ograds)
    for i, (t, g) in enumerate(zip(targets, ograds)):
        dt = t.dtype if isinstance(t.dtype, _d.DType) else _d.as_dtype(t.dtype)
        if not _is_diff(dt):
            continue
        if g._dtype is not dt:
            # Note: TF names the op its target's gradient starts with (most often Mul).
            raise op_error("Mul", f"cannot compute Mul as input #1(zero-based) was expected to "
                                  f"be a {_d.TF_TYPE_NAMES[g._dtype]} tensor but is a "
                                  f"{_d.TF_TYPE_NAMES[dt]} tensor")
        ts, gs = tuple(t.shape), tuple(g.shape)
        if gs == ts:
            continue
        try:
            ok = np.broadcast_shapes(gs, ts) == ts
        except ValueError:
            ok = False
        if not ok:
            raise kernel_error("Mul", f"Incompatible shapes: {fmt_shape(gs)} vs. {fmt_shape(ts)}")
        out[i] = make(jnp.broadcast_to(g._v, ts), dt)
    return out


def _unconnected_mode(u):
    v = getattr(u, "value", u)
    if v not in (UnconnectedGradients.NONE, UnconnectedGradients.ZERO):
        raise ValueError(f"Unknown value for unconnected_gradients: {u!r}")
    return v


class _StopRecording:
    def __init__(self, tape):
        self._tape = tape

    def __enter__(self):
        if not self._tape._recording:
            raise ValueError("Tape must be recording.")
        self._tape._pop()

    def __exit__(self, *exc):
        self._tape._push()


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


import os as _os  # noqa: E402
_PKG_DIR = _os.path.dirname(_os.path.dirname(_os.path.abspath(__file__)))


def _node_fns(impls):
    return [(o.grad_impl() if not static else _partial(o.grad_impl(), static))
            for o, static in impls]


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


def _conj(x):
    """JAX's vjp is the transpose; TF's gradients are its conjugate (for ``|z|**2``, TF
    gives ``2z``, ``jax.grad`` ``2 conj(z)``): both ends of a lowering conjugate complex
    cotangents, which is the identity for real ones."""
    return jnp.conj(x) if jnp.iscomplexobj(x) else x


def _zero_ct(x):
    if jnp.issubdtype(x.dtype, jnp.inexact):
        return jnp.zeros_like(x)
    import numpy as np
    return np.zeros(x.shape, dtype=jax.dtypes.float0)


def _partial(fn, static):
    def f(*args):
        return fn(*args, **static)
    return f


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
    for (k, p), v in zip(fill, out[n:]):
        t = nodes[k][4][p]
        if type(t) is PendingTensor:
            _fill(t, v)
    # Pending-but-ready results: an update made from them joins its step's other updates.
    return _ready(tuple(out[:n]))


def _record_segment(self, o, args, outs, source_tape):
    tracked = self._tracked
    if not any(id(a) in tracked for a in args):
        return
    if self is not source_tape:
        # Variables as inputs: their values come from the tape that computed the gradient.
        for a in args:
            if _is_variable(a) and id(a) not in self._var_values:
                self._var_values[id(a)] = source_tape._var_values.get(id(a), a._current())
    args = tuple(args)
    self._append(o, (), None, args, outs, tuple(map(id, args)))


GradientTape._record_segment = _record_segment


def _sparse_sources(tape, sources) -> dict:
    """Variables used on the tape only as ``gather(var, idx)`` rows (axis 0): TF returns an
    IndexedSlices gradient for them. Maps source position -> the gather nodes."""
    from .._ops.array_ops import _gather
    found = {}
    for pos, s in enumerate(sources):
        if not _is_variable(s):
            continue
        sid = id(s)
        uses = [n for n in tape._nodes if sid in n[5]]
        if uses and all(n[0] is _gather and n[5][0] == sid and sid not in n[5][1:] and
                        n[1] == (0, 0) for n in uses):
            found[pos] = uses
    return found


def _gradient_with_slices(tape, targets, sources, ograds, sparse):
    """Differentiates w.r.t. the gathered rows, then packs them as IndexedSlices."""
    from .._variables import IndexedSlices
    from .._ops import array_ops
    flat = list(sources)
    extra = []
    for pos, nodes in sparse.items():
        flat[pos] = None
        extra.extend(n[4][0] for n in nodes)
    dense_sources = [s for s in flat if s is not None] + extra
    for t in extra:
        tape._tracked[id(t)] = t
    grads = tape._dense_gradient(targets, dense_sources, ograds)
    it = iter(grads)
    result = []
    dense_iter = [next(it) for s in flat if s is not None]
    rows = list(it)
    di = iter(dense_iter)
    ri = iter(rows)
    for pos, s in enumerate(sources):
        if pos not in sparse:
            result.append(next(di))
            continue
        vals, idxs = [], []
        for n in sparse[pos]:
            g = next(ri)
            if g is None:
                continue
            idx = n[3][1]
            row_shape = list(s.shape)[1:]
            vals.append(array_ops.reshape(g, [-1] + row_shape))
            idxs.append(array_ops.reshape(idx, [-1]))
        if not vals:
            result.append(None)
            continue
        values = vals[0] if len(vals) == 1 else array_ops.concat(vals, 0)
        indices = idxs[0] if len(idxs) == 1 else array_ops.concat(idxs, 0)
        shape = make(jnp.asarray(np.array(list(s.shape), np.int32)), _d.int32)
        result.append(IndexedSlices(values, indices, shape))
    return result



# -- hooks used by Variable ----------------------------------------------------------------------
def variable_accessed(var, t: Tensor):
    """Called on every read of a Variable while a tape or accumulator is active."""
    st = STATE
    for tape in st.tapes:
        tape._variable_read(var, t)
    for acc in st.accumulators:
        acc._variable_read(var, t)


def watch_variable(var):
    for tape in STATE.tapes:
        if tape._watch_accessed_variables and var.trainable:
            tape._watch_variable(var)

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

import jax
import jax.numpy as jnp
import numpy as np

from .._core import dtypes as _d
from .._core.registry import STATE, Op
from .._core.tensor import EagerTensor, PendingTensor, Tensor, make
from .._core.convert import convert_to_tensor
from .._core import nest
from . import jacobians
from .lowering import (_FOLLOWUPS, UnconnectedGradients, _components, _is_composite, _is_diff,
                       _is_variable, _lower, _run_fused, _run_segment_op)

_log = logging.getLogger("tftape")
_INSIDE_MSG = ("Calling GradientTape.gradient on a persistent tape inside its context is "
               "significantly less efficient than calling it outside the context (it causes the "
               "gradient ops to be recorded on the tape, leading to increased CPU and memory "
               "usage). Only call GradientTape.gradient inside the context if you actually want "
               "to trace the gradient in order to compute higher order derivatives.")
_WARNED_INSIDE: list = []


_READ = Op("read_variable", "ReadVariableOp", lambda x: x)
_REREAD = Op("reread_variable", "ReadVariableOp",
             lambda src, snap: snap + (src - jax.lax.stop_gradient(src)))


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
        from .._ops.indexing_ops import _gather
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
        return jacobians.jacobian(self, target, sources, _unconnected_mode(unconnected_gradients))

    def batch_jacobian(self, target, source, unconnected_gradients=UnconnectedGradients.NONE,
                       parallel_iterations=None, experimental_use_pfor=True):
        """Per-example Jacobians: target [b, ...] and source [b, ...] give [b, t..., s...]."""
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
    from .._ops.indexing_ops import _gather
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
    from .._ops.indexed_slices import IndexedSlices
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

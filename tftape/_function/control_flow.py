"""``tf.cond``, ``tf.switch_case``, ``tf.case`` and ``tf.while_loop``.

Eagerly they are Python ``if``/``while``. Inside a tf.function, on a symbolic predicate, each
branch or body is traced once into a jaxpr (``_region``) and run with ``lax.switch`` or
``lax.while_loop``; Variables the branches or the body assign are threaded through as extra
operands and outputs, and written back afterwards.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from .._core import dtypes as _d
from .._core.errors import InvalidArgumentError
from .._core.registry import STATE
from .._core.tensor import Tensor
from .._core import nest as _nest
from ._region import (EagerOnly, Region, Structure, check_init, check_same, check_step,
                      all_passed, emit_checks, is_symbolic, read_vars, to_tensor, union, write_vars)
from ._graph_tensor_array import GraphTensorArray, NeedShape, is_graph_tensor_array
from ._static import static_loop


def _as_pred(pred):
    if getattr(type(pred), "_is_tf_variable", False):
        pred = pred.read_value()
    return pred


def _concrete_bool(p) -> bool:
    if isinstance(p, Tensor):
        return bool(p.numpy())
    return bool(p)


def run_branches(index, fns, names, order=None):
    """Traces every branch once and runs ``lax.switch(index, branches)``.

    ``order`` lists the branches in the order TF reports them in mismatch errors.
    """
    regions = _trace_branches(fns)
    shown = [regions[i] for i in order] if order else regions
    check_same([r.out for r in shown], names)
    first = regions[0]
    for r in regions[1:]:
        if [(a.shape, a.dtype) for a in r.out_avals()] != \
                [(a.shape, a.dtype) for a in first.out_avals()]:
            raise EagerOnly("branches return tensors of different shapes")
    assigned = union(*[r.assigned for r in regions])
    inputs = union(*[r.captured for r in regions], assigned)
    operands = read_vars(inputs)
    pos = {id(v): i for i, v in enumerate(inputs)}

    def make_branch(r):
        idx_in = [pos[id(v)] for v in r.captured]
        asg = {id(v): j for j, v in enumerate(r.assigned)}

        def branch(*ops):
            outs = r.fun(*[ops[i] for i in idx_in])
            res = list(outs[:r.n_out])
            for v in assigned:
                j = asg.get(id(v))
                res.append(outs[r.var_base + j] if j is not None else ops[pos[id(v)]])
            # every branch's checks: this branch's own, passing ones for the others
            for other in regions:
                res.extend(outs[r.n_out:r.var_base] if other is r else check_init([other]))
            return res
        return branch

    outs = jax.lax.switch(index, [make_branch(r) for r in regions], *operands)
    n = first.n_out
    write_vars(assigned, outs[n:n + len(assigned)])
    emit_checks(regions, outs[n + len(assigned):], outs[:n + len(assigned)],
                "cond/" if names[2] == "tf.cond" else "")
    return first.out.rebuild(outs[:n])


def _trace_branches(fns):
    """One Region per branch. A TensorArray whose element shape only some branches learn
    (by writing to it) is traced again once every branch has run."""
    regions, missing = [], False
    for fn in fns:
        try:
            regions.append(Region(lambda fn=fn: fn(), []))
        except NeedShape:
            missing = True
    if missing:
        try:
            regions = [Region(lambda fn=fn: fn(), []) for fn in fns]
        except NeedShape as e:
            raise EagerOnly(str(e)) from None
    return regions


def cond(pred, true_fn=None, false_fn=None, name=None):
    """``true_fn()`` if ``pred`` else ``false_fn()``; both are traced inside tf.function.

    >>> import tftape as tf
    >>> tf.cond(tf.constant(2) > 1, lambda: tf.constant(1), lambda: tf.constant(0))
    <tf.Tensor: shape=(), dtype=int32, numpy=1>
    """
    if true_fn is None:
        raise TypeError("cond(): 'true_fn' argument required")
    if false_fn is None:
        raise TypeError("cond(): 'false_fn' argument required")
    if not callable(true_fn):
        raise TypeError("'true_fn' must be callable.")
    if not callable(false_fn):
        raise TypeError("'false_fn' must be callable.")
    p = _as_pred(pred)
    if not is_symbolic(p):
        return true_fn() if _concrete_bool(p) else false_fn()
    p = to_tensor(p)
    if p._dtype is not _d.bool:
        raise TypeError(f"Expected bool for argument 'pred' not {p!r}.")
    index = jnp.reshape(p._v, ()).astype(jnp.int32)
    return run_branches(index, [false_fn, true_fn], ("true_fn", "false_fn", "tf.cond"),
                        order=[1, 0])


def _branch_list(branch_fns):
    if isinstance(branch_fns, dict):
        items = sorted(branch_fns.items())
    elif isinstance(branch_fns, (list, tuple)) and branch_fns and \
            isinstance(branch_fns[0], (list, tuple)):
        items = sorted(branch_fns)
    else:
        items = list(enumerate(branch_fns))
    keys = [k for k, _ in items]
    if keys != list(range(len(keys))):
        raise ValueError(f"branch indices (keys) must form contiguous range of [0 to "
                         f"{len(keys)}) but found {{{', '.join(map(str, keys))}}}.")
    for _, f in items:
        if not callable(f):
            raise TypeError(f"fn for key {_} must be callable.")
    return [f for _, f in items]


def switch_case(branch_index, branch_fns, default=None, name="switch_case"):
    """Runs ``branch_fns[branch_index]()`` (``default`` or the last branch when out of range).

    >>> import tftape as tf
    >>> tf.switch_case(tf.constant(1), [lambda: tf.constant(10), lambda: tf.constant(20)])
    <tf.Tensor: shape=(), dtype=int32, numpy=20>
    """
    idx = _as_pred(branch_index)
    if not isinstance(idx, Tensor):
        raise TypeError(f"'branch_index' must be a Tensor, got {type(branch_index)}")
    fns = _branch_list(branch_fns)
    fallback = default if default is not None else fns[-1]
    if not is_symbolic(idx):
        i = int(idx.numpy())
        return fns[i]() if 0 <= i < len(fns) else fallback()
    if idx._dtype is not _d.int32:
        raise TypeError(f"branch_index must be an int32 Tensor, got {idx.dtype.name}")
    n = len(fns)
    i = jnp.reshape(idx._v, ())
    i = jnp.where((i < 0) | (i >= n), n, i)
    return run_branches(i, fns + [fallback], ("branch 0", "branch i", "tf.switch_case"))


def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):
    """Runs the fn of the first true predicate, else ``default`` (``tf.case``)."""
    if isinstance(pred_fn_pairs, dict):
        pred_fn_pairs = list(pred_fn_pairs.items())
    if not isinstance(pred_fn_pairs, (list, tuple)):
        raise TypeError(f"pred_fn_pairs must be a list or tuple, got {type(pred_fn_pairs)}")
    for pair in pred_fn_pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise TypeError(f"Each entry in pred_fn_pairs must be a 2-tuple. Received {pair}.")
        if not callable(pair[1]):
            raise TypeError("fn for pred %s must be callable." % pair[0].name
                            if hasattr(pair[0], "name") else "fn must be callable.")
    preds = [_as_pred(p) for p, _ in pred_fn_pairs]
    fns = [f for _, f in pred_fn_pairs]
    if default is None:
        if not fns:
            raise ValueError("pred_fn_pairs must not be empty when default is None")
        default = fns[-1]
    if not any(is_symbolic(p) for p in preds):
        truth = [_concrete_bool(p) for p in preds]
        if exclusive and sum(truth) > 1:
            raise InvalidArgumentError(
                None, None, "Input error: exclusive=True: more than 1 conditions "
                            f"({', '.join(str(getattr(p, 'name', 'pred')) for p in preds)}) "
                            f"evaluated as True.")
        for t, f in zip(truth, fns):
            if t:
                return f()
        return default()
    n = len(fns)
    index = jnp.asarray(n, jnp.int32)
    for i in reversed(range(n)):
        p = to_tensor(preds[i])._v
        index = jnp.where(jnp.reshape(p, ()), jnp.int32(i), index)
    return run_branches(index, fns + [default], ("branch 0", "branch i", "tf.case"))


# -- while_loop -------------------------------------------------------------------------------
def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations=10,
               back_prop=True, swap_memory=False, maximum_iterations=None, name=None):
    """Repeats ``body`` while ``cond`` is true (``tf.while_loop``).

    >>> import tftape as tf
    >>> tf.while_loop(lambda i: i < 10, lambda i: [i + 1], [tf.constant(0)])
    [<tf.Tensor: shape=(), dtype=int32, numpy=10>]
    """
    if not callable(cond):
        raise TypeError("'cond' must be callable.")
    if not callable(body):
        raise TypeError("'body' must be callable.")
    if parallel_iterations < 1:
        raise TypeError("'parallel_iterations' must be a positive integer.")
    if loop_vars is None or (not isinstance(loop_vars, Tensor) and not _nest.is_nested(loop_vars)
                             and not getattr(type(loop_vars), "_is_tf_variable", False)
                             and not loop_vars):
        raise ValueError("'loop_vars' must be provided.")
    single = not isinstance(loop_vars, (list, tuple))
    lv = [loop_vars] if single else loop_vars
    if not STATE.tracing:
        out = _eager_while(cond, body, lv, maximum_iterations)
    else:
        out = _traced_while(cond, body, lv, maximum_iterations, shape_invariants)
    return out[0] if single else out


def _eager_while(cond, body, lv, maximum_iterations):
    lv = type(lv)(_nest.map_structure(_loop_value, list(lv)))
    n = 0
    while (maximum_iterations is None or n < _int(maximum_iterations)) and \
            _concrete_bool(cond(*lv)):
        new = body(*lv)
        if len(lv) == 1 and not isinstance(new, (list, tuple)):
            new = [new]
        if len(_nest.flatten(list(new))) != len(_nest.flatten(list(lv))):
            raise ValueError("The two structures don't have the same nested structure.")
        lv = new
        n += 1
    return lv


def _loop_value(x):
    """TF converts loop variables to tensors (Python numbers included)."""
    if x is None or isinstance(x, Tensor):
        return x
    try:
        return to_tensor(x)
    except (TypeError, ValueError):
        return x


def _int(x):
    return int(x.numpy()) if isinstance(x, Tensor) else int(x)


def _traced_while(cond, body, lv, maximum_iterations, shape_invariants):
    lv = list(lv)
    leaves = _nest.flatten(lv)
    ta_pos = [k for k, x in enumerate(leaves) if is_graph_tensor_array(x)]
    if not ta_pos:
        loop = _Loop(cond, body, lv, maximum_iterations, shape_invariants)
        return loop.run(loop.plan())
    # TensorArrays ride in the carry as buffers. One whose element shape is not known yet, or
    # whose length grows (dynamic_size), needs a first trace of the body (a probe) to learn
    # the shape and the final length; the loop is then traced again with real buffers.
    capacity = {}
    if any(leaves[k]._needs_probe() for k in ta_pos):
        probe = list(leaves)
        for k in ta_pos:
            ta = leaves[k]
            probe[k] = ta._as_probe() if ta._needs_probe() else ta._buffered()
        loop = _Loop(cond, body, _nest.pack_sequence_as(lv, probe), maximum_iterations,
                     shape_invariants)
        plan = loop.plan()
        for k, slot in loop.length_slots().items():
            if plan is None or slot not in plan.finals:
                raise EagerOnly("a dynamic_size TensorArray in a loop whose trip count is only "
                                "known at run time")
            capacity[k] = int(plan.finals[slot])
    real = list(leaves)
    for k in ta_pos:
        ta = leaves[k]
        try:
            real[k] = ta._with_capacity(capacity.get(k, 0))
        except NeedShape:
            raise EagerOnly("a TensorArray whose element shape the loop does not "
                            "determine") from None
    loop = _Loop(cond, body, _nest.pack_sequence_as(lv, real), maximum_iterations,
                 shape_invariants)
    plan = loop.plan()
    for k, slot in loop.length_slots().items():
        if plan is None or slot not in plan.finals or \
                int(plan.finals[slot]) != loop.capacity(slot):
            raise EagerOnly("a dynamic_size TensorArray in a loop whose trip count is only "
                            "known at run time")
    return loop.run(plan)


class _Loop:
    """One trace of a ``tf.while_loop``: the body and cond regions and their carry layout."""

    def __init__(self, cond, body, lv, maximum_iterations, shape_invariants):
        init = Structure(list(lv))
        self.init = init
        nl = self.nl = len(init.arrays)

        def body_fn(*vals):
            new = body(*init.rebuild(vals))
            if len(lv) == 1 and not isinstance(new, (list, tuple)):
                new = [new]
            return list(new)

        body_r = self.body_r = Region(body_fn, init.avals())
        out = body_r.out
        if len(out.kinds) != len(init.kinds):
            raise ValueError("The two structures don't have the same nested structure.")
        if out.composite_key != init.composite_key:
            raise EagerOnly("a TensorArray loop variable changes its size or element shape")
        for k_in, k_out, a_in, a_out in zip(init.dtypes, out.dtypes, init.avals(),
                                            body_r.out_avals()):
            if k_in is not k_out:
                raise TypeError(f"Loop variable enters the loop with type {k_in.name} but has "
                                f"type {k_out.name} after one iteration.")
            if a_in.shape != a_out.shape:
                if shape_invariants is not None:
                    raise EagerOnly("loop variables change shape (shape_invariants)")
                raise ValueError(
                    f"Input tensor enters the loop with shape {_shape_text(a_in.shape)}, but "
                    f"has shape {_shape_text(a_out.shape)} after one iteration. To allow the "
                    f"shape to vary across iterations, use the `shape_invariants` argument of "
                    f"tf.while_loop to specify a less-specific shape.")
        cond_r = self.cond_r = Region(lambda *vals: cond(*init.rebuild(vals)), init.avals())
        if len(cond_r.out.arrays) != 1 or cond_r.out.dtypes[0] is not _d.bool:
            raise TypeError("'cond' must return a boolean scalar tensor.")
        self.carried = body_r.assigned
        carried_ids = {id(c) for c in self.carried}
        self.invariant = [v for v in union(body_r.captured, cond_r.captured)
                          if id(v) not in carried_ids]
        self.inv_vals = read_vars(self.invariant)
        self.carry0 = list(init.arrays) + read_vars(self.carried)
        self.limit = None if maximum_iterations is None else \
            to_tensor(maximum_iterations)._v

    # -- the carry layout of TensorArrays --------------------------------------------------------
    def _ta_slots(self):
        """(leaf position, meta, first array slot) of each TensorArray in the loop variables."""
        pos = 0
        out = []
        static_before = []
        kinds = self.init.kinds
        for k in kinds:
            static_before.append(pos)
            if type(k) is not tuple:
                pos += 1
        leaf = 0
        for r in self.init.recipe:
            if r[0] == "C" and r[1] is GraphTensorArray:
                out.append((leaf, r[2], static_before[r[3]]))
            leaf += 1
        return out

    def length_slots(self):
        """Leaf position -> carry slot of the length of each dynamic_size TensorArray."""
        return {leaf: slot + 1 for leaf, meta, slot in self._ta_slots() if meta.key[2]}

    def capacity(self, slot):
        return int(self.carry0[slot - 1].shape[0]) if self.carry0[slot - 1].ndim else 0

    def _opaque(self):
        return {slot for _, meta, slot in self._ta_slots() if meta.key[0] == "probe"}

    # -- the trip count ---------------------------------------------------------------------------
    def plan(self):
        """The static plan of the loop (trip count known at trace time) or None."""
        body_r, cond_r, nl = self.body_r, self.cond_r, self.nl
        slot_of = {id(v): nl + j for j, v in enumerate(self.carried)}
        inv = {id(v): x for v, x in zip(self.invariant, self.inv_vals)}

        def sources(r):
            src = [("slot", k) for k in range(nl)]
            for v in r.captured:
                src.append(("slot", slot_of[id(v)]) if id(v) in slot_of else
                           ("value", inv[id(v)]))
            return src
        body_out = list(range(nl)) + [body_r.var_base + body_r.assigned.index(v)
                                      for v in self.carried]
        if cond_r.assigned:
            return None
        return static_loop(body_r.traced, cond_r.traced, self.carry0, sources(body_r),
                           body_out, sources(cond_r), self.limit, self._opaque())

    # -- lowering ---------------------------------------------------------------------------------
    def run(self, plan):
        body_r, cond_r, nl = self.body_r, self.cond_r, self.nl
        carried, limit = self.carried, self.limit
        inv_pairs = list(zip(self.invariant, self.inv_vals))

        def env_of(carry):
            env = {id(v): carry[nl + j] for j, v in enumerate(carried)}
            env.update({id(v): x for v, x in inv_pairs})
            return env

        nc = len(self.carry0)
        checks0 = check_init([body_r])
        n_chk = len(checks0)

        def step(carry):
            env = env_of(carry)
            outs = body_r.fun(*carry[:nl], *[env[id(v)] for v in body_r.captured])
            asg = {id(v): outs[body_r.var_base + j] for j, v in enumerate(body_r.assigned)}
            new = list(outs[:body_r.n_out]) + [asg.get(id(v), env[id(v)]) for v in carried]
            checks = check_step(body_r, outs, carry[nc:nc + n_chk])
            if n_chk:
                # TF stops the loop at the iteration whose check fails: the state stays as
                # the iterations before left it.
                ok = all_passed(body_r, checks)
                new = [jnp.where(ok, a, b) for a, b in zip(new, carry[:nc])]
            return new + checks

        if plan is not None:
            # Note: a known trip count makes the loop a lax.scan, which JAX differentiates in
            # reverse mode (a GradientTape around the tf.function); lax.while_loop it cannot.
            res, _ = jax.lax.scan(lambda c, _: (step(c), None), list(self.carry0) + checks0,
                                  None, length=plan.trips)
            res = list(res)
            for s, v in plan.finals.items():
                res[s] = jnp.asarray(v, dtype=res[s].dtype)
        else:
            carry0 = list(self.carry0) + checks0
            if limit is not None:
                carry0.append(jnp.zeros((), limit.dtype))

            def cond_fun(carry):
                env = env_of(carry)
                r = cond_r.fun(*carry[:nl], *[env[id(v)] for v in cond_r.captured])[0]
                r = jnp.reshape(r, ())
                if limit is not None:
                    r = jnp.logical_and(carry[-1] < limit, r)
                if n_chk:
                    r = jnp.logical_and(r, all_passed(body_r, carry[nc:nc + n_chk]))
                return r

            def body_fun(carry):
                new = step(carry)
                if limit is not None:
                    new.append(carry[-1] + 1)
                return new

            res = jax.lax.while_loop(cond_fun, body_fun, carry0)
        write_vars(carried, res[nl:nc])
        emit_checks([body_r], res[nc:nc + n_chk], res[:nl], "while/", carried)
        return self.init.rebuild(res[:nl])


def _shape_text(shape):
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


__all__ = ["cond", "switch_case", "case", "while_loop"]

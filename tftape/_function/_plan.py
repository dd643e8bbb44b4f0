"""The call plan of a trace: what a call does when only the compiled program has work to do.

The general call of a tf.function binds its arguments, casts them to the input signature,
flattens them into a trace key, finds the trace, reads the captured variables as Tensors,
runs the program as a registry op (wrapping every output, assigned variables included) and
writes the assigned values back through the variables' descriptor. When no tape, forward
accumulator or trace watches the call and the trace has no runtime checks, most of that has
no effect beyond its result, so a trace's :class:`CallPlan` does only this: hand the input
arrays and the captured variables' stored arrays to the program, store the assigned arrays,
and wrap the outputs the caller sees.

``Function.__call__`` also keeps, per tuple of eager-tensor arguments' dtypes and shapes (see
:func:`key`), the plan of the trace a call with such arguments found: binding, casting and
flattening such arguments can only find that trace again, so a repeat call skips them; where
the trace's captured variables have fully defined shapes (a trace capturing a variable of
unknown shape gets no plan), the program's cache key is fixed too and is computed once
(:class:`ShapedPlan`).
"""
from __future__ import annotations

from .. import _variable_reads as _reads
from .._core import dtypes as _d
from .._core.dtypes import _BY_NP
from .._core.registry import STATE
from .._core.tensor import EagerTensor

_new = object.__new__


def key(args):
    """The plan key of positional arguments that are all eager tensors; None otherwise.

    A pending tensor (a tape's deferred value) or any other argument takes the general path.
    """
    k = []
    for a in args:
        if type(a) is not EagerTensor:
            return None
        k.append(a._dtype)
        k.append(a._v.shape)
    return tuple(k)


class CallPlan:
    """One trace's call without tapes: its program, the variables it reads and writes."""

    __slots__ = ("program", "captured", "assigned", "n_out", "outputs", "single", "build")

    def __init__(self, cf):
        # The trace's kernel (``_programs._Programs``): one compiled program per input shapes.
        self.program = cf._op._kernels[()]
        # Captured and assigned variables: an int is the index of a Variable argument.
        self.captured = [v if type(v) is int else v._handle() for v in cf._captured]
        self.assigned = [v if type(v) is int else v._handle() for v in cf._assigned]
        self.n_out = cf._n_out
        avals = cf._traced.out_avals
        # Per flat output leaf: (program output, its dtype), or (None, the static value).
        self.outputs = [(s, _BY_NP[avals[s].dtype]) if type(s) is int else (None, s)
                        for s in cf._out_slots]
        # A function returning one tensor (or None): no structure to rebuild.
        _, _, recipe, nested = cf._structure
        self.single = not nested and recipe == [("L", 0)]
        self.build = cf._build_outputs

    @staticmethod
    def of(cf):
        """The plan of ``cf``, or None where every call needs the general path."""
        if cf._checks or cf._loose:
            # Runtime checks raise from the wrapped outputs, with the variables' old values;
            # a captured variable of unknown shape may need another trace for a new shape.
            return None
        for v in cf._captured:
            if type(v) is not int and v._handle()._dtype is _d.string:
                return None
        try:
            return CallPlan(cf)
        except (KeyError, IndexError):   # an output no program dtype maps to
            return None

    @staticmethod
    def ready() -> bool:
        """Whether this thread's state lets a call take the plan (nothing watches it)."""
        st = STATE
        return not (st.tracing or st.tapes or st.accumulators) and _reads.reads_stored()

    def call_flat(self, tensors, arg_vars, key=None):
        """Runs the program on ``tensors`` (and the Variable arguments ``arg_vars``); returns
        the flat output leaves, after writing the assigned variables. ``key``: the program's
        cache key for these inputs' shapes, where the caller knows it."""
        vals = [t._v for t in tensors]
        stored = _reads.stored_value
        for v in self.captured:
            vals.append(stored(arg_vars[v] if type(v) is int else v))
        if key is None:
            outs = self.program(*vals)
        else:
            outs = self.program.run(key, vals)
        n = self.n_out
        store = _reads.store_value
        for i, v in enumerate(self.assigned):
            store(arg_vars[v] if type(v) is int else v, outs[n + i])
        flat = []
        for s, x in self.outputs:
            if s is None:
                flat.append(x)
            else:
                t = _new(EagerTensor)
                t._v = outs[s]
                t._dtype = x
                flat.append(t)
        return flat


class ShapedPlan:
    """A :class:`CallPlan` for one tuple of eager-tensor argument dtypes and shapes: the
    captured variables' shapes are fixed too (a plan exists only where they are fully
    defined), so the program's cache key is computed on the first call."""

    __slots__ = ("plan", "key")

    def __init__(self, plan):
        self.plan = plan
        self.key = None

    ready = staticmethod(CallPlan.ready)

    def call(self, tensors):
        """The call's result for the eager-tensor arguments ``tensors`` (no Variable ones)."""
        plan = self.plan
        key = self.key
        if key is None:
            stored = _reads.stored_value
            key = self.key = plan.program.key(
                [t._v.shape for t in tensors] + [stored(v).shape for v in plan.captured])
        flat = plan.call_flat(tensors, (), key)
        return flat[0] if plan.single else plan.build(flat)

"""``ConcreteFunction``: one trace of a tf.function, the registry op that calls its compiled
program, and what it shows of the trace (signature, outputs, ``graph``)."""
from __future__ import annotations

import itertools

from .._core import nest as _nest
from .._core.registry import Op, execute
from .._core.tensor import Tensor
from . import _capture, _checks, _plan
from ._programs import _Lazy, _Programs, _exported_fun, _is_symbolic, _tuple_fun
from ._region import unflatten_composites
from .specs import TensorSpec

# Numbers the traces' programs and names (``__inference_<name>_<n>``).
_COUNTER = itertools.count(1)


class ConcreteFunction:
    """One trace of a tf.function: a compiled program for one input signature."""

    def __init__(self, function, traced, structure, out_slots, n_out, arg_var_slots,
                 input_specs, bound_key, name):
        self._function = function
        self._traced = traced
        self._structure = structure        # the Python output structure
        self._out_slots = out_slots        # per flat output leaf: int (jaxpr output) or value
        self._n_out = n_out
        # Variables: captured (inputs), assigned and created (outputs). An entry is an int
        # (the index of a Variable argument) or the Variable itself.
        self._captured = [arg_var_slots.get(id(v), v) for v, _ in traced.captured]
        self._assigned = [arg_var_slots.get(id(v), v) for v in traced.assigned]
        self._created = list(traced.created)
        # Captured variables of partly unknown shape (their values may change shape): each
        # with the shape its value had when traced, which the program was built for.
        invars = traced.jaxpr.invars[traced.n_in:]
        self._loose = [(v._handle(), tuple(a.aval.shape))
                       for v, a in zip(self._captured, invars)
                       if type(v) is not int and not v._handle()._shape.is_fully_defined()]
        self._initial = list(traced.initial)
        self._input_specs = input_specs
        self._key = bound_key
        self.name = name
        self._symbolic = _is_symbolic(traced)
        if self._symbolic:
            # Unknown dims: one program per concrete shape, lowered from the one trace.
            impl = _exported_fun(traced, _capture.as_fun(traced))
            grad = _Lazy(lambda: _exported_fun(traced, _capture.without_callbacks(traced)))
        else:
            impl = _tuple_fun(_capture.as_fun(traced))
            grad = _tuple_fun(_capture.without_callbacks(traced))
        o = Op(name, name, impl)
        o._kernels[()] = _Programs(next(_COUNTER), impl)
        # A tape replays the function to differentiate it: without its tf.print callbacks.
        o._grad_impl = grad
        o.segment_key = ("tf.function", name)
        self._op = o
        self._cacheable = not _capture.has_tracer_consts(traced)
        self._plan = None               # the CallPlan, built on the first call (False: none)

    # -- calling ------------------------------------------------------------------------------
    def _call_plan(self):
        """This trace's :class:`_plan.CallPlan`, or False where every call takes the general
        path (runtime checks, which are known only once the trace is complete)."""
        p = self._plan
        if p is None:
            p = self._plan = _plan.CallPlan.of(self) or False
        return p

    def _call_flat(self, tensors, arg_vars):
        plan = self._call_plan()
        if plan and plan.ready():
            return plan.call_flat(tensors, arg_vars)
        # Watched by a tape or an accumulator (the call is recorded as one op), or inside a
        # trace, or with runtime checks: the call as a registry op.
        var_tensors = []
        for v in self._captured:
            var = arg_vars[v] if type(v) is int else v
            var_tensors.append(var._handle().read_value())
        outs = execute(self._op, list(tensors) + var_tensors)
        n = self._n_out
        if self._checks:
            self._run_checks(outs, arg_vars)
        for i, v in enumerate(self._assigned):
            var = arg_vars[v] if type(v) is int else v
            var._handle()._value = outs[n + i]._v
        flat = [outs[s] if type(s) is int else s for s in self._out_slots]
        return flat

    def _captured_fit(self) -> bool:
        """Whether the captured variables of unknown shape still have the traced shapes."""
        for h, shape in self._loose:
            if tuple(h._value.shape) != shape:
                return False
        return True

    def _accepts(self, tensors) -> bool:
        """Whether this trace's program takes tensors of these shapes (and the captured
        variables' current values)."""
        if self._loose and not self._captured_fit():
            return False
        env = {}
        for t, a in zip(tensors, self._traced.jaxpr.invars[:self._traced.n_in]):
            shp, want = t._v.shape, a.aval.shape
            if len(shp) != len(want):
                return False
            for n, d in zip(shp, want):
                if type(d) is int:
                    if n != d:
                        return False
                # Note: JAX's symbolic sizes are >= 1, and one symbol is one size.
                elif n < 1 or env.setdefault(str(d), n) != n:
                    return False
        return True

    def _run_checks(self, outs, arg_vars):
        # Runtime checks (bounds, asserts): raise the first failure as TF, see _checks.
        _checks.run(self, outs, arg_vars)

    def _build_outputs(self, flat):
        leaves = unflatten_composites(flat, self._structure[2])
        return _nest.pack_sequence_as(self._structure[0], leaves) \
            if self._structure[3] else leaves[0]

    def __call__(self, *args, **kwargs):
        """Calls the trace with tensors matching its input signature."""
        return self._function._call_concrete(self, args, kwargs)

    # -- introspection --------------------------------------------------------------------------
    @property
    def structured_input_signature(self):
        return self._input_specs

    @property
    def structured_outputs(self):
        return self._function._symbolic_outputs(self)

    @property
    def output_dtypes(self):
        return _nest.map_structure(lambda t: t.dtype, self.structured_outputs)

    @property
    def output_shapes(self):
        return _nest.map_structure(lambda t: t.shape, self.structured_outputs)

    @property
    def variables(self):
        return tuple(v for v in self._captured if type(v) is not int)

    @property
    def trainable_variables(self):
        return tuple(v for v in self.variables if v.trainable)

    @property
    def graph(self):
        return _Graph(self)

    @property
    def function_type(self):
        return None

    def pretty_printed_signature(self, verbose=True):
        args, kwargs = self._input_specs
        names = self._function._param_names
        params = ", ".join(f"{n}: {s!r}" for n, s in zip(names, args))
        return f"({params}) -> {_out_spec_text(self.structured_outputs)}"

    def __repr__(self):
        return f"<ConcreteFunction {self.pretty_printed_signature()} at {hex(id(self)).upper()}>"

    def __str__(self):
        args, _ = self._input_specs
        names = self._function._param_names
        lines = ["ConcreteFunction Input Parameters:"]
        for n, s in zip(names, args):
            lines.append(f"  {n} (POSITIONAL_OR_KEYWORD): {s!r}")
        lines.append("Output Type:")
        lines.append(f"  {_out_spec_text(self.structured_outputs)}")
        lines.append("Captures:")
        lines.append("  None" if not self.variables else
                     "\n".join(f"  {id(v)}: TensorSpec(shape=(), dtype=tf.resource, name=None)"
                               for v in self.variables))
        return "\n".join(lines)


class _Graph:
    """What ``concrete.graph`` offers without TF graphs: the traced jaxpr."""

    def __init__(self, cf):
        self._cf = cf

    @property
    def jaxpr(self):
        return _capture.closed(self._cf._traced)

    def get_operations(self):
        """The traced ops (placeholders, ops run on symbolic tensors, output identities)."""
        return list(self._cf._graph_names.operations)

    def as_graph_def(self):
        return _capture.closed(self._cf._traced)


def _out_spec_text(out):
    def spec(t):
        if isinstance(t, Tensor):
            return repr(TensorSpec(t.shape, t.dtype))
        return repr(t)
    leaves = _nest.flatten(out)
    if not _nest.is_nested(out):
        return spec(out)
    return repr(_nest.pack_sequence_as(out, [_Raw(spec(x)) for x in leaves]))


class _Raw:
    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text

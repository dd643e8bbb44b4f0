"""``tf.function``: trace a Python function once per signature, run it as one XLA call.

The function runs on tracer-backed Tensors (``SymbolicTensor``) inside a JAX trace; the
jaxpr it produces is compiled with ``jax.jit``. Variables it reads become extra inputs and
Variables it assigns extra outputs (see ``_capture``), written back after each call. The call
is one registry op, so a GradientTape around it differentiates through the whole function.
"""
from __future__ import annotations

import functools
import inspect
import itertools
import time
import warnings
import weakref

import jax

from .._core import dtypes as _d
from .._core import registry as _registry
from .._core.lru import LRUCache
from .._core.convert import convert_to_tensor
from .._core.graph_names import GraphNames
from .._core.registry import STATE, Op, execute
from .._core.tensor import Tensor, make
from .._core import nest as _nest
from . import _args, _capture, _checks, _plan
from ._args import _WeakMethod
from ._capture import _EagerOnly
from ._region import EagerOnly as _RegionEagerOnly
from ._region import flatten_composites, unflatten_composites
from .specs import TensorSpec

_COUNTER = itertools.count(1)


class TracingFallbackWarning(UserWarning):
    """A tf.function (or part of it) could not be traced by JAX and runs eagerly."""


# Exceptions that mean "this Python code cannot be staged by JAX" rather than a user error:
# the function then runs eagerly (TF's AutoGraph would have converted or staged it).
def _untraceable(e: BaseException) -> bool:
    from .._core.errors import OperatorNotAllowedInGraphError
    if isinstance(e, (jax.errors.ConcretizationTypeError, jax.errors.TracerArrayConversionError,
                      jax.errors.TracerBoolConversionError,
                      jax.errors.TracerIntegerConversionError, OperatorNotAllowedInGraphError,
                      _EagerOnly, _RegionEagerOnly, _RunsEagerly)):
        return True
    if isinstance(e, NotImplementedError) and "symbolic tf.Tensor" in str(e):
        return True
    if isinstance(e, TypeError) and "string tensors have no JAX representation" in str(e):
        return True
    return False


class _RunsEagerly(ValueError):
    """``get_concrete_function`` of a function that fell back to running eagerly."""


def _warn_fallback(name, reason):
    warnings.warn(
        f"tf.function {name!r} could not be traced into one XLA call ({reason}); it runs "
        f"eagerly instead. Tensor-dependent Python control flow that is not converted "
        f"automatically can be written with tf.cond / tf.while_loop; string ops always run "
        f"eagerly.", TracingFallbackWarning, stacklevel=4)


def _NotAllowed():
    from .._core.errors import OperatorNotAllowedInGraphError
    return OperatorNotAllowedInGraphError


def _is_user_error(e) -> bool:
    """An error that tracing with concrete shapes would raise again (TF's own exceptions)."""
    from .._core.errors import OpError
    return isinstance(e, (OpError, _capture.VariableCreationError)) or \
        "tf.function only supports singleton" in str(e)


# -- Python print while tracing ------------------------------------------------------------
class _PrintCounter:
    """Counts the Python ``print`` calls made meanwhile, dropping the first ``skip`` of them.

    A trace that failed already printed: the run that replaces it skips those prints, so
    each print of the function appears once, as in TF.
    """

    def __init__(self, skip=0):
        self.n = 0
        self.skip = skip

    def __enter__(self):
        import builtins
        self._orig = orig = builtins.print

        def counting_print(*a, **k):
            self.n += 1
            if self.skip > 0:
                self.skip -= 1
                return None
            return orig(*a, **k)
        builtins.print = counting_print
        return self

    def __exit__(self, *exc):
        import builtins
        builtins.print = self._orig


def _without_print(fn, args, kwargs, skip):
    """Runs ``fn`` eagerly, dropping its first ``skip`` Python ``print`` calls."""
    with _PrintCounter(skip):
        return fn(*args, **kwargs)


# -- TF's warning on frequent retracing ------------------------------------------------------
_HISTORY = 10           # TF's FREQUENT_TRACING_WARNING_MAX_CALL_HISTORY
_THRESHOLD = 5          # FREQUENT_TRACING_WARNING_THRESHOLD
_MAX_WARNINGS = 2       # FREQUENT_TRACING_WARNING_MAX_WARNING_PER_DETECTOR
_DETECTORS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


class _Detector:
    """The recent calls of one Python function's tf.functions and which ones traced."""

    __slots__ = ("per_trace", "calls", "warned")

    def __init__(self):
        self.per_trace: list = []
        self.calls = 0
        self.warned = 0


def _detector(function):
    """The retracing detector of ``function`` and the Python function it names; None when
    the function cannot key one."""
    # Note: kept on the tf.function after the first lookup; the detector lives as long as
    # its key, which the tf.function's Python function holds.
    found = function._detector
    if found is not None:
        return found
    # TF keys its detectors by the code object: re-created tf.functions count together.
    fn = function._python_function
    fn = getattr(fn, "_fn", fn)
    while hasattr(fn, "__wrapped__"):
        fn = fn.__wrapped__
    fn = getattr(fn, "__func__", fn)
    name = fn
    fn = getattr(fn, "__code__", fn)
    try:
        d = _DETECTORS.get(fn)
        if d is None:
            d = _DETECTORS[fn] = _Detector()
    except TypeError:
        return None
    function._detector = found = (d, name)
    return found


def _note_call(function, traced):
    """TF's bookkeeping of calls that retraced; warns as TF after too many recent ones."""
    found = _detector(function)
    if found is None:
        return
    d, name = found
    if not traced:
        if not d.per_trace:
            d.per_trace = [0]
        d.per_trace[-1] += 1
        d.calls += 1
        return
    d.calls += 1
    d.per_trace.append(1)
    while d.per_trace and d.calls - d.per_trace[0] > _HISTORY:
        d.calls -= d.per_trace.pop(0)
    if d.warned >= _MAX_WARNINGS or len(d.per_trace) < _THRESHOLD:
        return
    d.warned += 1
    from .ops import get_logger
    get_logger().warning(
        "{} out of the last {} calls to {} triggered tf.function retracing. Tracing is "
        "expensive and the excessive number of tracings could be due to (1) creating "
        "@tf.function repeatedly in a loop, (2) passing tensors with different shapes, (3) "
        "passing Python objects instead of tensors. For (1), please define your @tf.function "
        "outside of the loop. For (2), @tf.function has reduce_retracing=True option that can "
        "avoid unnecessary retracing. For (3), please refer to "
        "https://www.tensorflow.org/guide/function#controlling_retracing and "
        "https://www.tensorflow.org/api_docs/python/tf/function for  more details.".format(
            len(d.per_trace), d.calls, name))


# -- outputs --------------------------------------------------------------------------------
def _output_leaf(x, fn):
    if x is None or isinstance(x, Tensor):
        return x
    if _args.is_variable(x):
        return x.read_value()
    if isinstance(x, (bool, int, float, complex, str, bytes)) or hasattr(x, "__array__") \
            and not hasattr(x, "__tf_flatten__"):
        return convert_to_tensor(x)
    if hasattr(x, "__tf_flatten__") or getattr(x, "_is_composite_tensor", False) \
            or getattr(type(x), "__name__", "") == "Operation":
        return x
    raise TypeError(f"To be compatible with tf.function, Python functions must return zero or "
                    f"more Tensors or ExtensionTypes or None values; in compilation of {fn}, "
                    f"found return value of type {type(x).__name__}, which is not a Tensor or "
                    f"ExtensionType.")


# -- the concrete function -------------------------------------------------------------------
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

    def _accepts(self, tensors) -> bool:
        """Whether this trace's program takes tensors of these shapes."""
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
        flat_leaves, recipe = self._structure[1], self._structure[2]
        leaves = unflatten_composites(flat, recipe)
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


def _tuple_fun(f):
    def g(*args):
        return tuple(f(*args))
    return g


# -- compiled programs -------------------------------------------------------------------------
# Every compiled tf.function program, keyed by (trace, input shapes): one trace with unknown
# dims compiles one XLA program per concrete shape it is called with; the cache is bounded.
PROGRAMS = LRUCache("tf.function", maxsize=64)


class _Programs:
    """A trace's kernel: the compiled program for the inputs' shapes (compiled on a miss)."""

    __slots__ = ("uid", "fun", "jitted")

    def __init__(self, uid, fun):
        self.uid = uid
        self.fun = fun
        self.jitted = None

    def __call__(self, *vals):
        key = (self.uid, tuple([v.shape for v in vals]))
        exe = PROGRAMS.get(key)
        if exe is None:
            t0 = time.perf_counter()
            fun = self.fun
            try:
                # Note: a fresh wrapper per program: JAX's own caches (traced jaxpr, lowering,
                # executable) are keyed by the function object, so they go with the program
                # when the bounded cache drops it instead of living as long as the trace.
                exe = jax.jit(lambda *a: fun(*a)).lower(*vals).compile()
            except TypeError:
                # Note: weakly typed or host inputs: JAX's own dispatch handles them.
                if self.jitted is None:
                    self.jitted = jax.jit(fun)
                return self.jitted(*vals)
            PROGRAMS.record_compile(time.perf_counter() - t0)
            PROGRAMS.put(key, exe)
        return exe(*vals)


def _is_symbolic(traced) -> bool:
    return any(type(d) is not int for v in traced.jaxpr.invars[:traced.n_in]
               for d in v.aval.shape)


def _exported_fun(traced, f):
    """``f`` (a jaxpr with symbolic dims) lowered once with ``jax.export``, callable per shape."""
    specs = [jax.ShapeDtypeStruct(v.aval.shape, v.aval.dtype) for v in traced.jaxpr.invars]
    exp = jax.export.export(jax.jit(lambda *a: tuple(f(*a))))(*specs)
    call = exp.call

    def g(*args):
        return tuple(call(*args))
    return g


class _Lazy:
    """A function built on its first call (the gradient program of a symbolic trace)."""

    __slots__ = ("make", "fun")

    def __init__(self, make):
        self.make = make
        self.fun = None

    def __call__(self, *args):
        if self.fun is None:
            self.fun = self.make()
        return self.fun(*args)


# -- tf.function -----------------------------------------------------------------------------
class Function:
    """A Python function traced and compiled per input signature (``tf.function``)."""

    def __init__(self, python_function, input_signature=None, autograph=True,
                 jit_compile=None, reduce_retracing=False, name=None, **unused):
        self._python_function = python_function
        self._input_signature = None if input_signature is None else list(input_signature)
        self._autograph = autograph
        self._jit_compile = jit_compile
        self._reduce_retracing = reduce_retracing
        self._name = name or getattr(python_function, "__name__", "function")
        self._converted = None
        # The trace serving each exact call key (many keys may share one trace).
        self._cache = LRUCache("tf.function keys", maxsize=1024, register=False)
        self._traces: list = []         # (TF signature, ConcreteFunction), in tracing order
        self._tracing_count = 0
        self._eager_result = None
        self._initialized = False       # variables may only be created before this
        self._eager = False
        self._descriptor_cache = weakref.WeakKeyDictionary()
        self._descriptor_by_id: dict = {}
        self._bound_instance = None
        try:
            self._signature = inspect.signature(python_function)
        except (TypeError, ValueError):
            self._signature = None
        self._param_names = [] if self._signature is None else \
            [p.name for p in self._signature.parameters.values()]
        self._detector = None           # see _detector
        # Per argument key (_plan.key) of eager-tensor calls: the call plan of their trace.
        self._plans: dict = {}
        self._fast_arity = None
        if self._signature is not None:
            ps = list(self._signature.parameters.values())
            if all(p.kind is p.POSITIONAL_OR_KEYWORD for p in ps):
                self._fast_arity = len(ps)
        functools.update_wrapper(self, python_function, updated=())

    # -- attributes -------------------------------------------------------------------------------
    @property
    def python_function(self):
        return self._python_function

    @property
    def input_signature(self):
        return None if self._input_signature is None else tuple(self._input_signature)

    @property
    def function_spec(self):
        return self._signature

    def experimental_get_tracing_count(self) -> int:
        """How many times TF would have traced this function so far."""
        return self._tracing_count

    def __repr__(self):
        return (f"<tensorflow.python.eager.polymorphic_function.polymorphic_function.Function "
                f"object at {hex(id(self))}>")

    # -- methods ------------------------------------------------------------------------------------
    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        try:
            f = self._descriptor_cache.get(instance)
        except TypeError:
            f = self._descriptor_by_id.get(id(instance))
        if f is None:
            f = Function(_WeakMethod(self._python_function, instance), self._input_signature,
                         self._autograph, self._jit_compile, self._reduce_retracing, self._name)
            functools.update_wrapper(f, self._python_function, updated=())
            try:
                self._descriptor_cache[instance] = f
            except TypeError:
                self._descriptor_by_id[id(instance)] = f
        return f

    # -- calling ---------------------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        if _registry.RUN_EAGERLY or self._eager:
            return self._python_function(*args, **kwargs)
        if self._plans and not kwargs:
            # Note: eager tensors of the dtypes and shapes of an earlier call: binding,
            # casting and flattening them can only find that call's trace again, so its plan
            # runs at once (unless a tape, accumulator or trace watches this call).
            plan = self._plans.get(_plan.key(args))
            if plan is not None and plan.ready():
                if _DETECTORS:
                    _note_call(self, False)
                return plan.call(args)
        plan_key = _plan.key(args) if not kwargs and len(args) == self._fast_arity else None
        args, kwargs = self._bind(args, kwargs)
        if self._input_signature is not None:
            args, kwargs = self._cast_to_signature(args, kwargs)
        flat = _args.Flat()
        key = (_args.flatten(args, flat), _args.flatten(kwargs, flat)) \
            if kwargs else (_args.flatten(args, flat),)
        if flat.has_string:
            return self._run_eagerly(args, kwargs, "string inputs")
        tensors = flat.tensors
        cf = self._cache.get(key)
        if cf is None:
            count = self._tracing_count
            cf = self._lookup_or_trace(args, kwargs, key, flat)
            if cf is None:
                return self._eager_result
            _note_call(self, self._tracing_count != count)
        elif _DETECTORS:
            _note_call(self, False)
        if plan_key is not None and cf._cacheable:
            self._remember_plan(plan_key, cf)
        return cf._build_outputs(cf._call_flat(tensors, flat.variables))

    def _remember_plan(self, plan_key, cf):
        plan = cf._call_plan()
        if plan:
            if len(self._plans) >= _MAX_PLANS:
                self._plans.clear()
            self._plans[plan_key] = plan

    def _bind(self, args, kwargs):
        if not kwargs and self._fast_arity == len(args):
            return args, kwargs
        sig = self._signature
        if sig is None:
            return args, kwargs
        try:
            b = sig.bind(*args, **kwargs)
        except TypeError as e:
            if self._input_signature is not None:
                raise TypeError(self._binding_message(str(e), args, kwargs)) from None
            raise
        b.apply_defaults()
        return b.args, b.kwargs

    def _binding_message(self, why, args, kwargs):
        sig = ", ".join(f"{n}: {s!r}" for n, s in zip(self._param_names, self._input_signature))
        return (f"Binding inputs to tf.function failed due to `{why}`. Received args: {args!r} "
                f"and kwargs: {kwargs!r} for signature: ({sig}).")

    def _cast_to_signature(self, args, kwargs):
        """Converts the arguments to the input signature's tensors (TF's binding errors)."""
        sig = self._input_signature
        if kwargs:
            names = self._param_names
            args = tuple(args) + tuple(kwargs.pop(n) for n in names[len(args):len(sig)]
                                       if n in kwargs)
        if len(args) > len(sig):
            raise TypeError(self._binding_message("too many positional arguments", args,
                                                  kwargs))

        def cast(v, s):
            if isinstance(s, (list, tuple)):
                return type(s)(cast(a, b) for a, b in zip(v, s))
            if not isinstance(s, TensorSpec):
                return v
            t = v if isinstance(v, Tensor) else v.read_value() if _args.is_variable(v) else None
            if t is None:
                try:
                    t = convert_to_tensor(v, dtype=s.dtype)
                except (TypeError, ValueError):
                    t = convert_to_tensor(v)
            if t.dtype is not s.dtype or not s.shape.is_compatible_with(t.shape):
                got = TensorSpec(t.shape, t.dtype)
                raise TypeError(self._binding_message(
                    f"Can not cast {got!r} to {TensorSpec(s.shape, s.dtype)!r}", args, kwargs))
            return t
        return tuple(cast(a, s) for a, s in zip(args, sig)) + tuple(args[len(sig):]), kwargs

    def _run_eagerly(self, args, kwargs, reason, printed=0):
        if not self._eager:
            self._eager = True
            _warn_fallback(self._name, reason)
        if printed:
            # The failed trace already printed (Python print) up to the failure: this first
            # eager run does not print that again.
            return _without_print(self._python_function, args, kwargs, printed)
        return self._python_function(*args, **kwargs)

    # -- traces ----------------------------------------------------------------------------------
    def _lookup_or_trace(self, args, kwargs, key, flat):
        """The trace serving a call with ``key``: one whose TF signature covers it, or a new one.

        Returns None after running the function eagerly instead (``self._eager_result``).
        """
        covered = None
        for spec, cf in self._traces:
            if spec is _SIGNATURE or _covers(spec, key):
                if cf._accepts(flat.tensors):
                    break
                covered = spec
        else:
            if covered is not None:
                # TF reuses that trace; XLA needs another program for this rank (or for sizes
                # breaking the trace's equal-size assumption): trace again, uncounted.
                cf = self._new_trace(args, kwargs, key, flat, key, None, count=False)
            else:
                spec = self._spec_for(key)
                cf = self._new_trace(args, kwargs, key, flat, spec,
                                     self._unknown_dims(spec, flat.tensors), count=True)
        if cf is not None and cf._cacheable:
            self._cache.put(key, cf)
        return cf

    def _spec_for(self, key):
        """The TF signature a new trace for ``key`` gets (TF's relaxation rules)."""
        if self._input_signature is not None:
            return _SIGNATURE
        if self._reduce_retracing:
            for spec, _ in self._traces:
                if spec is not _SIGNATURE:
                    g = _generalize(spec, key)
                    if g is not None:
                        return g
        return key

    def _unknown_dims(self, spec, tensors):
        """Per input tensor, its dims with None where ``spec`` leaves the size unknown."""
        if spec is _SIGNATURE:
            leaves = [x for x in _nest.flatten(list(self._input_signature))
                      if isinstance(x, TensorSpec)]
            shapes = [None if x.shape.rank is None else tuple(x.shape.as_list())
                      for x in leaves]
        else:
            shapes = []
            _spec_shapes(spec, shapes)
        if len(shapes) != len(tensors):
            return None
        out = []
        for shp, t in zip(shapes, tensors):
            actual = tuple(t._v.shape)
            out.append(tuple([None] * len(actual) if shp is None else shp))
        return out

    def _new_trace(self, args, kwargs, key, flat, spec, dims, count):
        if count:
            self._tracing_count += 1
        counter = _PrintCounter()
        try:
            with counter:
                cf = self._trace(args, kwargs, key, flat, dims)
        except Exception as e:  # noqa: BLE001
            if count:
                self._tracing_count -= 1
            if _untraceable(e) and not (isinstance(e, _NotAllowed()) and not self._autograph):
                self._eager_result = self._run_eagerly(args, kwargs, _reason(e), counter.n)
                return None
            wrapped = _in_user_code(e)
            if wrapped is None:
                raise
            raise wrapped.with_traceback(e.__traceback__) from None
        self._traces.append((spec, cf))
        return cf

    # -- tracing --------------------------------------------------------------------------------
    def _fn(self):
        if self._converted is None:
            fn = self._python_function
            if self._autograph:
                from . import autograph
                fn = autograph.convert(fn)
            self._converted = fn
        return self._converted

    def _trace(self, args, kwargs, key, flat, dims):
        creating = not self._initialized
        tensors = flat.tensors
        cf = self._trace_shapes(args, kwargs, key, tensors, flat, dims, creating)
        self._initialized = True
        if cf._created:
            # TF: initialise the variables from the first trace, then trace again without
            # creating any (the function may read them now) and run that trace.
            self._initialize(cf, tensors, flat.variables)
            self._tracing_count += 1
            cf = self._trace_shapes(args, kwargs, key, tensors, flat, dims, False)
        return cf

    def _trace_shapes(self, args, kwargs, key, tensors, flat, dims, creating):
        """A trace with symbolic sizes for the unknown ``dims``; else with the call's shapes."""
        shapes = _symbolic_shapes(dims, tensors)
        if shapes is None:
            return self._trace_once(args, kwargs, key, tensors, flat, creating, None)
        counter = _PrintCounter()
        try:
            with counter:
                return self._trace_once(args, kwargs, key, tensors, flat, creating, shapes)
        except Exception as e:  # noqa: BLE001
            if _untraceable(e) or _is_user_error(e):
                raise
            # Note: code JAX cannot trace with symbolic sizes (a size used as a Python int,
            # host callbacks such as tf.print): one trace per concrete shape instead.
            with _PrintCounter(counter.n):
                return self._trace_once(args, kwargs, key, tensors, flat, creating, None)

    def _initialize(self, cf, tensors, arg_vars):
        import jax.numpy as jnp
        traced = cf._traced
        n_assigned = len(traced.assigned)
        base = len(traced.out_avals) + n_assigned
        pending = []
        for i, var in enumerate(cf._created):
            v = cf._initial[i]
            if isinstance(v, jax.core.Tracer):
                pending.append((i, var))
            else:
                var.__dict__["_value"] = v
        if pending:
            f = _capture.prune(traced, [base + i for i, _ in pending])
            inputs = [t._v for t in tensors]
            for v in cf._captured:
                var = arg_vars[v] if type(v) is int else v
                inputs.append(_capture.raw_value(var))
            vals = jax.jit(_exported_fun(traced, f) if cf._symbolic else f)(*inputs)
            for (i, var), val in zip(pending, vals):
                var.__dict__["_value"] = jnp.asarray(val)

    def _trace_once(self, args, kwargs, key, tensors, flat, allow_creation, shapes):
        fn = self._fn()
        arg_var_slots = {id(v): i for i, v in enumerate(flat.variables)}
        if shapes is None:
            shapes = [tuple(t._v.shape) for t in tensors]
        specs_in = [jax.core.ShapedArray(shp, t._v.dtype) for shp, t in zip(shapes, tensors)]
        dtypes = [t._dtype for t in tensors]
        info = {}

        graph = GraphNames()
        in_names = self._input_names(args, kwargs, len(tensors))

        def body(*vals):
            ins = [make(v, dt) for v, dt in zip(vals, dtypes)]
            for t, n in zip(ins, in_names):
                graph.add("Placeholder", (t,), n)
            it = iter(ins)
            vit = iter(flat.variables)
            a = _args.rebuild(args, it, vit)
            k = _args.rebuild(kwargs, it, vit) if kwargs else {}
            saved, STATE.graph = STATE.graph, graph
            try:
                out = fn(*a, **k)
            finally:
                STATE.graph = saved
            nested = _nest.is_nested(out)
            leaves = _nest.flatten(out) if nested else [out]
            leaves = [_output_leaf(x, self._python_function) for x in leaves]
            flat_leaves, recipe = flatten_composites(leaves)
            arrays, slots = [], []
            for x in flat_leaves:
                if isinstance(x, Tensor) and x._dtype is not _d.string:
                    slots.append(len(arrays))
                    arrays.append(x._v)
                else:
                    slots.append(x)
            # Runtime assertions (tf.debugging.assert_*, tf.Assert) become extra outputs.
            checks = _capture.current_scope().checks
            info["checks"] = []
            for ok, data, make_error in checks:
                info["checks"].append((len(arrays), len(data), make_error))
                arrays.append(ok)
                arrays.extend(data)
            info["probes"] = _checks.add_probes(_capture.current_scope(), arrays)
            info["infos"] = list(_capture.current_scope().infos)
            info["structure"] = (out, flat_leaves, recipe, nested)
            info["slots"] = slots
            info["dtypes"] = [x._dtype for x in flat_leaves
                              if isinstance(x, Tensor) and x._dtype is not _d.string]
            return arrays

        name = f"__inference_{self._name}_{next(_COUNTER)}"
        traced = _capture.trace_region(body, specs_in, allow_creation=allow_creation, name=name)
        fail_plan = _checks.plan(traced, info["probes"])
        input_specs = self._input_specs(args, kwargs)
        cf = ConcreteFunction(self, traced, info["structure"], info["slots"],
                              len(traced.out_avals), arg_var_slots, input_specs, key, name)
        cf._out_dtypes = info["dtypes"]
        cf._checks = info["checks"]
        cf._graph_names = graph
        cf._out_names = [graph.add("Identity", ()) + ":0" for _ in info["dtypes"]]
        cf._check_infos = info["infos"]
        cf._fail_plan = fail_plan
        return cf

    def _input_names(self, args, kwargs, n):
        """The graph name of each input tensor: its parameter's (TF's placeholders)."""
        if self._input_signature is not None:
            specs = [x for x in _nest.flatten(list(self._input_signature))
                     if isinstance(x, TensorSpec)]
            if len(specs) == n and any(x.name for x in specs):
                # TF names a placeholder after its TensorSpec's name, else its parameter.
                base = self._input_names_by_param(args, kwargs, n)
                return [x.name or b for x, b in zip(specs, base)]
        return self._input_names_by_param(args, kwargs, n)

    def _input_names_by_param(self, args, kwargs, n):
        names = self._param_names
        out = []
        for i, a in enumerate(args):
            f = _args.Flat()
            _args.flatten(a, f)
            out += [names[i] if i < len(names) else f"args_{i}"] * len(f.tensors)
        for k in sorted(kwargs, key=_args._sort_key):
            f = _args.Flat()
            _args.flatten(kwargs[k], f)
            out += [k] * len(f.tensors)
        return out if len(out) == n else ["Placeholder"] * n

    def _input_specs(self, args, kwargs):
        if self._input_signature is not None:
            names = self._param_names
            return (tuple(TensorSpec(s.shape, s.dtype, s.name if s.name is not None else
                                     (names[i] if i < len(names) else None))
                          for i, s in enumerate(self._input_signature)), {})

        def spec(x, name=None):
            if isinstance(x, Tensor):
                return TensorSpec(x.shape, x.dtype, name)
            return x
        names = self._param_names
        return (tuple(spec(a, names[i] if i < len(names) and not _nest.is_nested(a) else None)
                      for i, a in enumerate(args)),
                {k: spec(v, k) for k, v in kwargs.items()})

    def _symbolic_outputs(self, cf):
        from .._core.tensor import SymbolicTensor
        flat = []
        dts = iter(cf._out_dtypes)
        names = iter(cf._out_names)
        avals = cf._traced.out_avals
        for s in cf._out_slots:
            if type(s) is int:
                t = object.__new__(SymbolicTensor)
                t._v = jax.ShapeDtypeStruct(avals[s].shape, avals[s].dtype)
                t._dtype = next(dts)
                t._name = next(names)
                flat.append(t)
            else:
                flat.append(s)
        return cf._build_outputs(flat)

    # -- concrete functions ------------------------------------------------------------------------
    def get_concrete_function(self, *args, **kwargs):
        """The trace for ``args`` (tensors or ``tf.TensorSpec``), tracing it if needed."""
        if not args and not kwargs and self._input_signature is not None:
            args = tuple(self._input_signature)
        specs_by_id = {}

        def placeholder(x):
            t = _placeholder_for(x)
            if t is not x:
                specs_by_id[id(t)] = x
            return t
        real = _nest.map_structure(placeholder, list(args))
        kreal = {k: _nest.map_structure(placeholder, v) for k, v in kwargs.items()}
        args2, kwargs2 = self._bind(tuple(real), kreal)
        if self._input_signature is not None:
            args2, kwargs2 = self._cast_to_signature(args2, kwargs2)
        flat = _args.Flat()
        key = (_args.flatten(args2, flat), _args.flatten(kwargs2, flat)) \
            if kwargs2 else (_args.flatten(args2, flat),)
        if specs_by_id and self._input_signature is None:
            # TensorSpec arguments: a TF signature with their unknown dims.
            shapes = iter([specs_by_id[id(t)].shape.as_list()
                           if specs_by_id[id(t)].shape.rank is not None else None
                           if id(t) in specs_by_id else tuple(t._v.shape)
                           for t in flat.tensors])
            key = _with_shapes(key, shapes)
        cf = self._cache.get(key)
        if cf is None:
            cf = self._lookup_or_trace(args2, kwargs2, key, flat)
            if cf is None:
                raise _RunsEagerly(f"tf.function {self._name!r} cannot be traced into a "
                                   f"concrete function: it runs eagerly")
        specs = tuple(a if isinstance(a, TensorSpec) else
                      TensorSpec(a.shape, a.dtype, n) if isinstance(a, Tensor) else a
                      for a, n in zip(args, self._param_names)) if self._input_signature is None \
            else cf._input_specs[0]
        cf._input_specs = (tuple(TensorSpec(s.shape, s.dtype, s.name or n)
                                 if isinstance(s, TensorSpec) else s
                                 for s, n in zip(specs, self._param_names)), {})
        return cf

    def _call_concrete(self, cf, args, kwargs):
        specs = [s for s in _nest.flatten(list(cf._input_specs[0])) if isinstance(s, TensorSpec)]
        vals = _nest.flatten(list(args)) + _nest.flatten(kwargs)
        tensors = []
        for i, (v, s) in enumerate(zip(vals, specs)):
            t = v if isinstance(v, Tensor) else convert_to_tensor(v, dtype_hint=s.dtype)
            if t.dtype is not s.dtype:
                from .._core.errors import InvalidArgumentError
                raise InvalidArgumentError(
                    None, None, f"cannot compute {cf.name} as input #{i}(zero-based) was expected "
                                f"to be a {_d.TF_TYPE_NAMES[s.dtype]} tensor but is a "
                                f"{_d.TF_TYPE_NAMES[t.dtype]} tensor [Op:{cf.name}]")
            tensors.append(t)
        if cf._accepts(tensors):
            return cf._build_outputs(cf._call_flat(tensors, []))
        # Sizes the trace cannot take (another rank, unequal sizes it assumed equal): the
        # matching trace of the function, not counted.
        saved = self._tracing_count
        try:
            return self(*args, **kwargs)
        finally:
            self._tracing_count = saved


_MAX_PLANS = 64     # argument keys with a remembered plan, per tf.function (then forgotten)
_SIGNATURE = ("input_signature",)   # the TF signature of every trace under input_signature


def _placeholder_for(x):
    if isinstance(x, TensorSpec):
        import jax.numpy as jnp
        dims = [1 if d is None else d for d in x.shape.as_list()] if x.shape.rank is not None \
            else []
        return make(jnp.zeros(dims, x.dtype._np), x.dtype)
    return x


_WRAPPED = (ValueError, TypeError, AttributeError, NameError, IndexError, AssertionError,
            NotImplementedError, ZeroDivisionError, RuntimeError, UnboundLocalError)


def _in_user_code(e):
    """TF's framing of errors raised while tracing ("in user code:" + the user's frames)."""
    if type(e) not in _WRAPPED or getattr(e, "_tftape_in_user_code", False):
        return None
    import linecache
    import os
    import traceback
    pkg = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    lines = []
    for fr in traceback.extract_tb(e.__traceback__):
        f = os.path.abspath(fr.filename)
        if f.startswith(pkg + os.sep) or os.sep + "jax" + os.sep in f or \
                os.sep + "jaxlib" + os.sep in f or f.startswith(os.path.dirname(os.__file__)):
            continue
        src = linecache.getline(fr.filename, fr.lineno).strip()
        if not src:
            # Note: code without source (exec'd strings) is not converted by TF's AutoGraph,
            # so its frames are not framed either.
            continue
        lines.append(f'    File "{fr.filename}", line {fr.lineno}, in {fr.name}  *\n'
                     f'        {src}\n')
    if not lines:
        return None
    msg = f"{type(e).__name__}: {e}".replace("\n", "\n    ")
    text = "in user code:\n\n" + "".join(lines[-1:] if len(lines) > 8 else lines) + \
        f"\n    {msg}\n"
    try:
        w = type(e)(text)
    except Exception:  # noqa: BLE001
        return None
    w._tftape_in_user_code = True
    return w


def _reason(e) -> str:
    msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return f"{type(e).__name__}: {msg[:160]}"


# -- TF signatures ------------------------------------------------------------------------------
def _spec_shapes(spec, out):
    """Appends the shape (None dims; None for an unknown rank) of each tensor leaf of ``spec``."""
    if type(spec) is not tuple or not spec:
        return
    head = spec[0]
    if head == "T" and len(spec) == 3:
        out.append(spec[2])
    elif head == "C" and len(spec) == 4:
        for c in spec[3]:
            _spec_shapes(c, out)
    elif head in ("V", "O", "I"):
        return
    else:
        for c in spec:
            _spec_shapes(c, out)


def _with_shapes(key, shapes):
    """``key`` with its tensor leaves' shapes taken in order from the iterator ``shapes``."""
    if type(key) is not tuple or not key:
        return key
    head = key[0]
    if head == "T" and len(key) == 3:
        shp = next(shapes)
        return ("T", key[1], None if shp is None else tuple(shp))
    if head == "C" and len(key) == 4:
        return key[:3] + (tuple(_with_shapes(c, shapes) for c in key[3]),)
    if head in ("V", "O", "I"):
        return key
    return tuple(_with_shapes(c, shapes) for c in key)


def _symbolic_shapes(dims, tensors):
    """Input shapes with one JAX symbolic size per unknown dim, or None if all are known.

    Unknown dims on the same axis of different inputs whose sizes are equal in the call
    being traced share one symbol (the batch size of ``x`` and of its labels): JAX must know
    such sizes agree to combine them.
    """
    if dims is None or not any(d is None for shp in dims for d in shp):
        return None
    names: dict = {}
    for shp, t in zip(dims, tensors):
        for axis, (d, size) in enumerate(zip(shp, t._v.shape)):
            if d is None and (axis, size) not in names:
                names[(axis, size)] = f"d{len(names)}"
    syms = dict(zip(names, jax.export.symbolic_shape(", ".join(names.values()))))
    return [tuple(syms[(axis, size)] if d is None else d
                  for axis, (d, size) in enumerate(zip(shp, t._v.shape)))
            for shp, t in zip(dims, tensors)]


def _covers(general, specific) -> bool:
    """Whether the TF-level signature ``general`` accepts a call with key ``specific``."""
    if general is None:
        return False
    if general is _SIGNATURE:
        return True
    return _match(general, specific)


def _match(g, s) -> bool:
    if type(g) is tuple and g and g[0] in ("T", "V") and type(s) is tuple and s and s[0] == g[0]:
        if len(g) != 3 or len(s) != 3 or g[1] is not s[1]:
            return False
        gs, ss = g[2], s[2]
        if gs is None:
            return True
        if ss is None or len(gs) != len(ss):
            return False
        return all(a is None or a == b for a, b in zip(gs, ss))
    if type(g) is tuple and type(s) is tuple:
        if len(g) != len(s):
            return False
        return all(_match(a, b) for a, b in zip(g, s))
    try:
        return g == s
    except Exception:  # noqa: BLE001
        return False


def _generalize(g, s):
    """The most specific signature covering both (TF's reduce_retracing), or None."""
    if type(g) is tuple and g and g[0] in ("T", "V") and type(s) is tuple and s and s[0] == g[0]:
        if len(g) != 3 or len(s) != 3 or g[1] is not s[1]:
            return None
        gs, ss = g[2], s[2]
        if gs is None or ss is None or len(gs) != len(ss):
            return (g[0], g[1], None)
        return (g[0], g[1], tuple(a if a == b else None for a, b in zip(gs, ss)))
    if type(g) is tuple and type(s) is tuple:
        if len(g) != len(s):
            return None
        out = []
        for a, b in zip(g, s):
            r = _generalize(a, b)
            if r is None and not _same(a, b):
                return None
            out.append(a if r is None else r)
        return tuple(out)
    return g if _same(g, s) else None


def _same(a, b) -> bool:
    try:
        return bool(a == b) and type(a) is type(b) or a == b
    except Exception:  # noqa: BLE001
        return False


# -- the decorator ---------------------------------------------------------------------------
def function(func=None, input_signature=None, autograph=True, jit_compile=None,
             reduce_retracing=False, experimental_implements=None,
             experimental_autograph_options=None, experimental_attributes=None,
             experimental_relax_shapes=None, experimental_compile=None,
             experimental_follow_type_hints=None, name=None):
    """Compiles a Python function into one XLA call per input signature (``tf.function``).

    >>> import tftape as tf
    >>> @tf.function
    ... def f(x):
    ...     return x * x + 1
    >>> f(tf.constant(3.0))
    <tf.Tensor: shape=(), dtype=float32, numpy=10.0>
    """
    if reduce_retracing is False and experimental_relax_shapes:
        reduce_retracing = True

    def decorate(fn):
        if isinstance(fn, Function):
            fn = fn.python_function
        return Function(fn, input_signature, autograph, jit_compile, reduce_retracing, name)
    if func is None:
        return decorate
    return decorate(func)

"""``tf.function``: trace a Python function once per signature, run it as one XLA call.

The function runs on tracer-backed Tensors (``SymbolicTensor``) inside a JAX trace; the
jaxpr it produces is compiled with ``jax.jit``. Variables it reads become extra inputs and
Variables it assigns extra outputs (see ``_capture``), written back after each call. The call
is one registry op, so a GradientTape around it differentiates through the whole function.

This module holds ``Function`` and the ``function`` decorator. Each trace is a
``ConcreteFunction`` (``_concrete``, its programs in ``_programs``); ``_signatures`` decides
which trace serves a call, ``_fallback`` when the function runs eagerly instead, ``_errors``
how tracing errors are framed and ``_retracing`` when TF warns of frequent retracing.
"""
from __future__ import annotations

import functools
import inspect
import weakref

import jax

from .._core import dtypes as _d
from .._core import registry as _registry
from .._core.lru import LRUCache
from .._core.convert import convert_to_tensor
from .._core.graph_names import GraphNames
from .._core.registry import STATE
from .._core.tensor import Tensor, make
from .._core import nest as _nest
from . import _args, _capture, _checks, _plan
from ._args import _WeakMethod
from ._concrete import _COUNTER, ConcreteFunction
from ._errors import _in_user_code, _is_user_error
from ._fallback import (_NotAllowed, _PrintCounter, _RunsEagerly, _reason, _untraceable,
                        _warn_fallback, _without_print)
from ._programs import _exported_fun
from ._region import flatten_composites
from ._retracing import _DETECTORS, _note_call
from ._signatures import (_SIGNATURE, _covers, _generalize, _spec_shapes, _symbolic_shapes,
                          _with_shapes)
from .specs import TensorSpec


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
        self._detector = None           # see _retracing._detector
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
        if cf is not None and cf._loose and not cf._captured_fit():
            cf = None       # a captured variable changed shape: the trace for the new one
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
            self._plans[plan_key] = _plan.ShapedPlan(plan)

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


def _placeholder_for(x):
    if isinstance(x, TensorSpec):
        import jax.numpy as jnp
        dims = [1 if d is None else d for d in x.shape.as_list()] if x.shape.rank is not None \
            else []
        return make(jnp.zeros(dims, x.dtype._np), x.dtype)
    return x


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

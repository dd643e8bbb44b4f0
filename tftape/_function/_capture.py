"""Variable state inside traced regions, and tracing Python code to a jaxpr.

A traced region (a tf.function body, a ``tf.cond`` branch, a loop body) is a :class:`Scope`.
While a scope is active, ``ResourceVariable._value`` is intercepted by a data descriptor:

* the first *read* of a variable the scope has not touched yet adds a new input to the
  region's jaxpr (``new_arg`` on the region's trace) and swaps the variable's value for that
  input, so later calls feed the variable's current value instead of baking it in;
* every *write* is recorded, so the region returns the final values as extra outputs;
* a variable *created* inside the region is recorded too (tf.function initialises it once).

On exit every touched variable gets its value from before the region back; the caller writes
the region's outputs into the variables after running it. This is Keras 3's "stateless call"
pattern, discovered while tracing instead of declared up front, so the Python function runs
once per trace, as in TF.
"""
from __future__ import annotations

from jax._src import api_util as _api_util
from jax._src import core as _jcore
from jax._src import linear_util as _lu
from jax._src import source_info_util as _siu
from jax._src.interpreters import partial_eval as _pe

from .._core import checks as _checks
from .._core.registry import tracing_scope
from .._variable_reads import (  # noqa: F401  (re-exported for the function layer)
    _CREATION_MSG, _L, VariableCreationError, current_scope, in_region, install,
    override_values, raw_value, set_raw_value)


def _aval(v):
    return _jcore.ShapedArray(tuple(v.shape), v.dtype)


def _is_host(v) -> bool:
    # String variables hold NumPy object arrays: they stay on the host, never traced.
    return getattr(v, "dtype", None) is not None and v.dtype.kind == "O"


class Scope:
    """The variables one traced region reads (inputs), writes (outputs) and creates."""

    __slots__ = ("trace", "captured", "outer", "assigned", "created", "allow_creation",
                 "checks", "initial", "infos", "history", "names")

    def __init__(self, allow_creation: bool = True):
        self.trace = None
        self.captured: dict = {}   # id -> (var, input tracer), in first-read order
        self.outer: dict = {}      # id -> (var, value before this region touched it)
        self.assigned: dict = {}   # id -> var, in first-write order
        self.created: dict = {}    # id -> var
        self.initial: dict = {}    # id -> the value a created variable was initialised with
        self.allow_creation = allow_creation
        self.checks: list = []     # runtime assertions: (ok flag, data arrays, make_error)
        self.infos: list = []      # per check: its ``_core.checks.Info`` or None
        self.history: dict = {}    # id -> values a variable was assigned, in program order
        self.names: dict = {}      # node name -> times used (TF's unique node names)

    def capture(self, var, d):
        k = id(var)
        v = d["_value"]
        self.outer[k] = (var, v)
        if _is_host(v):
            return v
        t = self.trace.new_arg(_aval(v), _siu.current())
        self.captured[k] = (var, t)
        d["_value"] = t
        return t

    def restore(self):
        """Gives every touched variable its value from before the region."""
        for var, v in self.outer.values():
            var.__dict__["_value"] = v


def _install():
    """Installs the variable-read descriptor and this layer's sink for runtime checks."""
    install()
    _checks.SINK[0] = _register_check


def _register_check(ok, data, make_error, info) -> bool:
    """``_core.checks``' sink: adds a check to the innermost region being traced."""
    if not _L.scopes:
        return False
    s = _L.scopes[-1]
    if info.node is not None:
        n = s.names.get(info.node, 0)
        s.names[info.node] = n + 1
        if n:
            info.node = f"{info.node}_{n}"
    if info.resource is not None:
        info.resource = resource_snapshot(info.resource)
    s.checks.append((ok, data, make_error))
    s.infos.append(info)
    return True


def resource_snapshot(handles) -> list:
    """``[(variable, its value now)]`` for the handle(s) an op reads: a write after the op
    replaces that value (see ``_checks``)."""
    if not isinstance(handles, (list, tuple)):
        handles = [handles]
    return [(h, h.__dict__.get("_value")) for h in handles]


class Traced:
    """The result of :func:`trace_region`."""

    __slots__ = ("jaxpr", "consts", "n_in", "captured", "assigned", "created", "result",
                 "out_avals", "initial")


def trace_region(fn, in_avals, *, allow_creation=True, name="fn") -> Traced:
    """Traces ``fn(*tracers) -> list of arrays`` to a closed jaxpr.

    The jaxpr's inputs are ``in_avals`` followed by the variables read (``captured``); its
    outputs are ``fn``'s followed by the final values of the variables written (``assigned``)
    and of those created (``created``). ``fn`` may stash Python data in ``result[0]``.
    """
    _install()
    scope = Scope(allow_creation)
    res = Traced()
    res.result = [None]
    n_out = [0]

    def wrapped(*args):
        scope.trace = _jcore.trace_ctx.trace
        _L.scopes.append(scope)
        try:
            with tracing_scope():
                outs = list(fn(*args))
            n_out[0] = len(outs)
            finals = [var.__dict__["_value"] for var in scope.assigned.values()]
            finals += [scope.initial[k] for k in scope.created]
        finally:
            _L.scopes.pop()
            scope.restore()
        return outs + finals

    try:
        dbg = _api_util.debug_info("tf.function", fn, tuple(in_avals), {})
    except Exception:  # noqa: BLE001 - debug info is cosmetic
        dbg = _jcore.DebugInfo("tf.function", name, None, None)
    jaxpr, out_avals, consts = _pe.trace_to_jaxpr_dynamic(
        _lu.wrap_init(wrapped, debug_info=dbg), list(in_avals))
    res.jaxpr = jaxpr
    res.consts = consts
    res.n_in = len(in_avals)
    res.captured = [(var, scope.outer[k][1]) for k, (var, _) in scope.captured.items()]
    res.assigned = list(scope.assigned.values())
    res.created = list(scope.created.values())
    res.initial = [scope.initial[k] for k in scope.created]
    res.out_avals = out_avals[:n_out[0]]
    return res


def closed(traced: Traced):
    return _jcore.ClosedJaxpr(traced.jaxpr, traced.consts)


def as_fun(traced: Traced):
    """A pure function ``f(*inputs) -> list of outputs`` evaluating the traced jaxpr."""
    c = closed(traced)

    def f(*args):
        return _jcore.jaxpr_as_fun(c)(*args)
    return f


def has_tracer_consts(traced: Traced) -> bool:
    return any(isinstance(c, _jcore.Tracer) for c in traced.consts)


def prune(traced: Traced, keep_outputs):
    """A function of the jaxpr inputs computing only outputs ``keep_outputs`` (indices).

    Equations that do not feed those outputs are dropped even if effectful (a ``tf.print``
    in a variable-creating trace must not run when the initial values are computed).
    """
    jaxpr = traced.jaxpr
    outvars = [jaxpr.outvars[i] for i in keep_outputs]
    needed = {v for v in outvars if isinstance(v, _jcore.Var)}
    kept = []
    for eqn in reversed(jaxpr.eqns):
        if any(v in needed for v in eqn.outvars):
            kept.append(eqn)
            needed.update(v for v in eqn.invars if isinstance(v, _jcore.Var))
    kept.reverse()
    effects = _pe.make_jaxpr_effects(jaxpr.constvars, jaxpr.invars, outvars, kept)
    j = _jcore.Jaxpr(jaxpr.constvars, jaxpr.invars, outvars, kept, effects, jaxpr.debug_info)
    c = _jcore.ClosedJaxpr(j, traced.consts)

    def f(*args):
        return _jcore.jaxpr_as_fun(c)(*args)
    return f


def without_callbacks(traced: Traced):
    """Like :func:`as_fun`, minus host callbacks (``tf.print``) at the top level."""
    jaxpr = traced.jaxpr
    kept = [e for e in jaxpr.eqns if e.primitive.name != "debug_callback"]
    if len(kept) == len(jaxpr.eqns):
        return as_fun(traced)
    effects = _pe.make_jaxpr_effects(jaxpr.constvars, jaxpr.invars, jaxpr.outvars, kept)
    j = _jcore.Jaxpr(jaxpr.constvars, jaxpr.invars, jaxpr.outvars, kept, effects,
                     jaxpr.debug_info)
    c = _jcore.ClosedJaxpr(j, traced.consts)

    def f(*args):
        return _jcore.jaxpr_as_fun(c)(*args)
    return f


class _EagerOnly(Exception):
    """Raised while tracing by code that knows it can only run eagerly."""


def add_check(ok, data, make_error, info=None):
    """Registers a runtime assertion in the function being traced (checked after each call).

    ``ok`` is a boolean array, ``data`` arrays shown in the message, ``make_error(host_data)``
    builds the exception; ``info`` (a ``_core.checks.Info``) frames it and says what it guards.
    """
    scope = current_scope()
    if scope is not None:
        if info is not None and info.resource is not None:
            info.resource = resource_snapshot(info.resource)
        scope.checks.append((ok, list(data), make_error))
        scope.infos.append(info)

"""The op registry (layer 3): every op is declared once; one dispatcher runs them all.

An :class:`Op` holds the TF op name (for messages), the allowed input dtypes, a pure JAX
implementation ``impl(*arrays, **static)`` and flags. :func:`execute` runs an op eagerly through a
``jax.jit`` kernel cached per op and static parameters, wraps the outputs as Tensors and hands
them to the active tapes, which record the op only if an input derives from a watched value.
"""
from __future__ import annotations

import functools

from . import dtypes as _d
from .errors import InvalidArgumentError, op_error
from .tensor import EagerTensor as _EagerTensor, PendingTensor as _Pending, Tensor, make, \
    make_string
from .convert import convert_to_tensor
from . import lru as _lru, pending as _pending
from .host import Rerun as _Rerun
from .state import STATE  # noqa: F401 - read as registry.STATE

REGISTRY: dict[str, "Op"] = {}
_new = object.__new__
_BY_NP = _d._BY_NP


RUN_EAGERLY = False


class tracing_scope:
    """While JAX traces tftape code: ops run their impls on tracers and tapes are set aside."""

    def __enter__(self):
        st = STATE
        self._saved = (st.tapes, st.accumulators)
        st.tapes, st.accumulators = [], []
        st.tracing += 1
        return self

    def __exit__(self, *exc):
        st = STATE
        st.tracing -= 1
        st.tapes, st.accumulators = self._saved


class Op:
    """One TF op: name, dtype rule and a pure JAX implementation.

    Args:
      name: the tftape name (``"add"``).
      tf_name: TF's op name used in messages (``"AddV2"``).
      impl: ``impl(*arrays, **static)`` returning an array or a tuple of arrays.
      dtypes: allowed dtypes of the inputs that share TF's type attribute ``T``.
      differentiable: whether gradients flow through the op.
      tf_grad: ``(fwd, bwd)`` in ``jax.custom_vjp`` form, only where TF's gradient differs
        from JAX's (kinks and ties); ``fwd`` None passes ``bwd`` the residuals (inputs,
        outputs). ``bwd`` is differentiated again for higher orders, so it should be written
        from ops whose own derivatives follow TF's (a rule op's ``grad_impl()``).
      host: the impl works on host NumPy values (string ops); it is never jitted or traced.
      signature: TF's op signature for the "not in the list of allowed values" message.
      no_kernel: dtypes TF's op accepts but has no CPU kernel for (TF raises NotFoundError).
      lenient: later Python inputs that do not convert to the first input's dtype fall back
        to their own dtype (then fail the same-dtype check), as ``tf.add`` does; other ops
        raise TF's TypeError ``Cannot convert 0.5 to EagerTensor of dtype int32``.
    """

    __slots__ = ("name", "tf_name", "impl", "dtypes", "differentiable", "elementwise",
                 "tf_grad", "host", "signature", "_kernels", "_grad_impl",
                 "segment_key", "forward", "n_src", "n_cap", "no_kernel", "lenient", "lazy")

    def __init__(self, name, tf_name, impl, dtypes=None, differentiable=True, elementwise=False,
                 tf_grad=None, host=False, signature=None, no_kernel=(), lenient=False):
        self.name = name
        self.tf_name = tf_name
        self.impl = impl
        self.dtypes = None if dtypes is None else frozenset(dtypes)
        self.differentiable = differentiable
        self.elementwise = elementwise
        self.tf_grad = tf_grad
        self.host = host
        self.signature = signature
        self.no_kernel = frozenset(no_kernel)
        self.lenient = lenient
        self._kernels: dict = {}
        self._grad_impl = None
        self.segment_key = None
        # Registry ops are pure functions of their inputs: a tape may defer them (``pending``).
        self.lazy = False

    def __repr__(self):
        return f"<Op {self.name} ({self.tf_name})>"

    def __call__(self, *inputs, name=None, **static):
        """Converts ``inputs`` with TF's rules (they share one dtype) and runs the op."""
        return execute(self, convert_inputs(self, inputs), tuple(static.items()), static)

    # -- lowering ---------------------------------------------------------------
    def grad_impl(self):
        """The impl used when a tape segment is lowered: with TF's gradient if it differs."""
        g = self._grad_impl
        if g is None:
            if self.tf_grad is None:
                g = self.impl
            else:
                g = _rule_impl(self.impl, *self.tf_grad)
            self._grad_impl = g
        return g


def _rule_impl(impl, fwd, bwd):
    """``impl`` under ``jax.custom_vjp`` with TF's gradient rule ``(fwd, bwd)``."""
    import jax
    import jax.numpy as jnp
    import numpy as np
    from jax.custom_derivatives import SymbolicZero
    g = jax.custom_vjp(impl)

    def fwd_tf(*args):
        vals = tuple(a.value for a in args)
        # The outputs come from the rule-carrying op itself, so that a second derivative
        # through them follows TF's rule too (not JAX's at a kink); XLA drops the duplicate
        # forward. ``fwd`` None: the residuals are (inputs, outputs).
        y = g(*vals)
        return y, (vals, (vals, y) if fwd is None else fwd(*vals)[1])

    def bwd_tf(res, ct):
        vals, r = res
        cts = ct if type(ct) is tuple or type(ct) is list else (ct,)
        if all(type(c) is SymbolicZero for c in cts):
            # Note: an output nothing depends on gets no gradient in TF, so its rule never
            # runs; JAX would run it on zeros (0 * inf = nan where the rule is infinite).
            return tuple(jnp.zeros_like(v) if jnp.issubdtype(v.dtype, jnp.inexact) else
                         np.zeros(np.shape(v), jax.dtypes.float0) for v in vals)
        if type(ct) is tuple or type(ct) is list:
            ct = type(ct)(c.instantiate() if type(c) is SymbolicZero else c for c in ct)
        return bwd(r, ct)

    g.defvjp(fwd_tf, bwd_tf, symbolic_zeros=True)
    return g


def op(name, tf_name, impl, **flags) -> Op:
    """Declares an op and adds it to the registry."""
    o = Op(name, tf_name, impl, **flags)
    o.lazy = not o.host
    REGISTRY[name] = o
    return o


# -- composite dispatch ------------------------------------------------------------------------
def dispatch(api_name: str, api_fn, args: tuple, kwargs: dict):
    """Lets composite values (RaggedTensor, SparseTensor, ...) implement a TF API.

    A composite class defines ``__tf_dispatch__(api_name, api_fn, args, kwargs)``; the first
    argument whose class does and that does not return NotImplemented handles the call.
    Returns NotImplemented when no argument is a composite.
    """
    for a in args:
        h = getattr(type(a), "__tf_dispatch__", None)
        if h is not None:
            r = h(api_name, api_fn, args, kwargs)
            if r is not NotImplemented:
                return r
    return NotImplemented


def has_composite(args) -> bool:
    for a in args:
        if type(a) is not _EagerTensor and hasattr(type(a), "__tf_dispatch__"):
            return True
    return False


# -- conversion and checks -------------------------------------------------------------
def dtype_error(o: Op, index: int, expected: _d.DType, got: _d.DType):
    return op_error(o.tf_name, f"cannot compute {o.tf_name} as input #{index}(zero-based) was "
                               f"expected to be a {_d.TF_TYPE_NAMES[expected]} tensor but is a "
                               f"{_d.TF_TYPE_NAMES[got]} tensor")


_ENUM_ORDER = (_d.bfloat16, _d.float16, _d.float32, _d.float64, _d.uint8, _d.uint16, _d.uint32,
               _d.uint64, _d.int8, _d.int16, _d.int32, _d.int64, _d.complex64, _d.complex128,
               _d.bool, _d.string)
_DT_NAMES = {_d.bfloat16: "DT_BFLOAT16", _d.float16: "DT_HALF", _d.float32: "DT_FLOAT",
             _d.float64: "DT_DOUBLE", _d.string: "DT_STRING", _d.bool: "DT_BOOL"}



def dt_name(dtype: _d.DType) -> str:
    """TF's enum name of ``dtype`` (``DT_FLOAT``, ``DT_INT32``)."""
    return _DT_NAMES.get(dtype, "DT_" + dtype.name.upper())

# Flags TF prints at the end of an OpDef.
_OPDEF_FLAGS = {"AddV2": "; is_commutative=true; is_aggregate=true",
                **{n: "; is_commutative=true" for n in (
                    "Mul", "Maximum", "Minimum", "Equal", "NotEqual", "LogicalAnd", "LogicalOr",
                    "SquaredDifference", "BitwiseAnd", "BitwiseOr", "BitwiseXor")}}


def allowed_error(o: Op, dtype: _d.DType, attr: str = "T"):
    allowed = [d for d in _ENUM_ORDER if d in o.dtypes]
    names = ", ".join(_d.TF_TYPE_NAMES[d] for d in allowed)
    enums = ", ".join(dt_name(d) for d in allowed)
    sig = o.signature or "x:T, y:T -> z:T"
    return op_error(o.tf_name,
                    f"Value for attr '{attr}' of {_d.TF_TYPE_NAMES[dtype]} is not in the list of "
                    f"allowed values: {names}\n\t; NodeDef: {{{{node {o.tf_name}}}}}; "
                    f"Op<name={o.tf_name}; signature={sig}; attr={attr}:type,allowed=[{enums}]"
                    f"{_OPDEF_FLAGS.get(o.tf_name, '')}>")


def no_kernel_error(o: Op, dtype: _d.DType):
    """TF's NotFoundError for a dtype the op allows but has no CPU kernel for."""
    from .errors import NotFoundError
    have = [d for d in _ENUM_ORDER if o.dtypes is not None and d in o.dtypes and
            d not in o.no_kernel]
    lines = "".join(f"\n  device='CPU'; T in [{dt_name(d)}]"
                    for d in reversed(have))
    dt = dt_name(dtype)
    return NotFoundError(None, None, f"Could not find device for node: {{{{node {o.tf_name}}}}} = "
                                     f"{o.tf_name}[T={dt}]\nAll kernels registered for op "
                                     f"{o.tf_name}:{lines}\n [Op:{o.tf_name}] name: ")


def convert_inputs(o: Op, inputs) -> list:
    """TF's eager rule: the first input fixes the dtype; later Python values adopt it.

    Conversion comes first (TypeError), then the same-dtype check and the op's allowed
    dtypes (InvalidArgumentError), in TF's order.
    """
    out = []
    dtype = None
    for x in inputs:
        if isinstance(x, Tensor):
            t = x
        elif dtype is None:
            t = convert_to_tensor(x)
        elif o.lenient:
            t = convert_to_tensor(x, dtype_hint=dtype)
        else:
            t = convert_to_tensor(x, dtype=dtype)
        if dtype is None:
            dtype = t._dtype
        out.append(t)
    for i, t in enumerate(out):
        if t._dtype is not dtype:
            raise dtype_error(o, i, dtype, t._dtype)
    if o.dtypes is not None and dtype not in o.dtypes:
        raise allowed_error(o, dtype)
    if dtype in o.no_kernel:
        raise no_kernel_error(o, dtype)
    return out


def check_dtype(o: Op, t: Tensor, attr: str = "T"):
    if o.dtypes is not None and t._dtype not in o.dtypes:
        raise allowed_error(o, t._dtype, attr)
    if t._dtype in o.no_kernel:
        raise no_kernel_error(o, t._dtype)


# -- execution ---------------------------------------------------------------------------
def _drop_kernel(k, fn):
    o, key = k
    if o._kernels.get(key) is fn:
        o._kernels.pop(key, None)


# The jitted kernels of all ops, keyed by (op, static key). Each op's ``_kernels`` dict is the
# lock-free index the dispatch hot path reads; this LRU bounds their total and drops evicted
# kernels from it (each holds an executable per input shape it has run on). Lookups in the
# hot path are not counted: ``misses`` counts kernels built, ``compiles`` XLA compilations.
KERNELS = _lru.LRUCache("op_kernels", 2048, on_evict=_drop_kernel)


def _compile(o: Op, key, static):
    fn = functools.partial(o.impl, **static) if static else o.impl
    if not o.host:
        from .compiled import jit
        from . import host as _host
        raw = fn

        def traced():
            # Runs while JAX traces this first kernel (a probe) for its first input shape: a
            # HostFirst takes over (new shapes run with NumPy until compiling them pays, on
            # a jitted kernel of its own) and the caller calls it instead. Note: the probe is
            # never called again (JAX's jit keeps a signature whose trace raised off its fast
            # path for good).
            if o._kernels.get(key) is not fn or not _host.available():
                return
            h = _host.HostFirst(jit(_lru.named(raw, "op_kernels")), raw, o, key, KERNELS)
            h.install()
            raise _Rerun
        fn = jit(_lru.named(fn, "op_kernels", traced))
        KERNELS.misses += 1
        KERNELS.put((o, key), fn)
    o._kernels[key] = fn
    return fn


_pending._compile = _compile


def wrap(v) -> Tensor:
    """Wraps a jax array, tracer or host NumPy array as a Tensor of the matching dtype."""
    dt = v.dtype
    if dt.kind == "O":
        return make_string(v)
    if type(v).__module__ == "numpy":
        import jax.numpy as jnp
        v = jnp.asarray(v)
    return make(v, _d._BY_NP[dt])


def execute(o: Op, args, key=(), static=None):
    """Runs ``o`` on Tensors ``args`` and records it on the tapes that watch an input."""
    st = STATE
    if st.tracing or o.host:
        return _execute_slow(o, args, key, static)
    if (st.tapes or st.accumulators) and o.differentiable:
        return _execute_recorded(o, args, key, static)
    if _Pending in map(type, args) and o.lazy:
        outs = _pending.defer(o, key, static, args)
        if outs is not None:
            return outs
    fn = o._kernels.get(key)
    if fn is None:
        fn = _compile(o, key, static)
    vals = [a._v for a in args]
    try:
        out = fn(*vals)
    except _Rerun:
        out = o._kernels[key](*vals)
    # Eager kernels return concrete jax arrays: build the EagerTensors directly.
    if type(out) is tuple or type(out) is list:
        outs = []
        for v in out:
            t = _new(_EagerTensor)
            t._v = v
            t._dtype = _BY_NP[v.dtype]
            outs.append(t)
        return tuple(outs)
    t = _new(_EagerTensor)
    t._v = out
    t._dtype = _BY_NP[out.dtype]
    return t


def execute_binary(o: Op, a, b, key=(), static=None):
    """``execute`` for the hot two-operand case (``a + b``, ``tf.matmul``): no argument list."""
    st = STATE
    if st.tracing or o.host:
        return _execute_slow(o, (a, b), key, static)
    if (st.tapes or st.accumulators) and o.differentiable:
        return _execute_recorded(o, (a, b), key, static)
    if (type(a) is _Pending or type(b) is _Pending) and o.lazy:
        # An op on a value not computed yet (a gradient, a deferred result) is deferred too.
        t = _pending.defer(o, key, static, (a, b))
        if t is not None:
            return t
    fn = o._kernels.get(key)
    if fn is None:
        fn = _compile(o, key, static)
    try:
        out = fn(a._v, b._v)
    except _Rerun:
        out = o._kernels[key](a._v, b._v)
    t = _new(_EagerTensor)
    t._v = out
    t._dtype = _BY_NP[out.dtype]
    return t


def _execute_recorded(o: Op, args, key, static):
    """An op while tapes or accumulators are active: deferred when a tape records it (the
    tape's ``gradient`` computes it with the gradient), else run now; then recorded."""
    st = STATE
    ids = tuple(map(id, args))
    tapes = st.tapes
    if len(tapes) != 1 or tapes[0]._tracked.keys().isdisjoint(ids):
        tapes = [t for t in tapes if not t._tracked.keys().isdisjoint(ids)]
    outs = None
    if tapes and o.lazy and not st.accumulators:
        outs = _pending.defer(o, key, static, args)
    if outs is None:
        fn = o._kernels.get(key)
        if fn is None:
            fn = _compile(o, key, static)
        vals = [a._v for a in args]
        try:
            out = fn(*vals)
        except _Rerun:
            out = o._kernels[key](*vals)
        if type(out) is tuple or type(out) is list:
            outs = tuple(make(v, _BY_NP[v.dtype]) for v in out)
        else:
            outs = make(out, _BY_NP[out.dtype])
    seq = outs if type(outs) is tuple else (outs,)
    for tape in tapes:
        tape._append(o, key, static, args, seq, ids)
    for acc in st.accumulators:
        acc._forward(o, key, static, args, seq)
    return outs


def _execute_slow(o, args, key, static):
    st = STATE
    if st.tracing and not o.host:
        fn = functools.partial(o.impl, **static) if static else o.impl
    else:
        fn = o._kernels.get(key)
        if fn is None:
            fn = _compile(o, key, static)
    vals = [a._v for a in args]
    try:
        out = fn(*vals)
    except _Rerun:
        out = o._kernels[key](*vals)
    if type(out) is tuple or type(out) is list:
        outs = tuple(wrap(v) for v in out)
    else:
        outs = wrap(out)
    if st.graph is not None and st.tracing:
        st.graph.add(o.tf_name, outs if type(outs) is tuple else (outs,))
    if (st.tapes or st.accumulators) and o.differentiable:
        _record(o, key, static, args, outs if type(outs) is tuple else (outs,))
    return outs


def _record(o, key, static, args, outs):
    st = STATE
    for tape in st.tapes:
        tape._record(o, key, static, args, outs)
    for acc in st.accumulators:
        acc._forward(o, key, static, args, outs)


def raise_invalid(o: Op, message: str, name: str = "", wrapped=None):
    from .errors import kernel_error
    raise kernel_error(o.tf_name, message, InvalidArgumentError, name, wrapped)

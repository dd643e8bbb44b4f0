"""Top-level utilities of ``tf``: device specs, type specs of values, gradient registries,
scope and tracing queries, ``tf.timestamp``."""
from __future__ import annotations

import time as _time

import numpy as np

from ._core import dtypes as _d
from ._core.registry import REGISTRY, STATE
from ._core.shape import TensorShape
from ._core.tensor import SymbolicTensor, Tensor, make
from ._core.type_spec import TypeSpec
from ._autodiff.custom import custom_gradient
from ._function.ops import name_scope
from ._function.specs import TensorSpec
from ._ops.indexed_slices import IndexedSlices


# -- DeviceSpec -----------------------------------------------------------------------------------
_VALID_DEVICE_TYPES = frozenset({"CPU", "GPU", "TPU", "CUSTOM", "EPU"})


def _str_or_none(x):
    return None if x is None else str(x)


def _int_or_none(x):
    return None if x is None else int(x)


class DeviceSpec:
    """A (partial) device name: job, replica, task, device type and index.

    >>> import tftape as tf
    >>> tf.DeviceSpec.from_string("/job:w/task:1/device:GPU:0").to_string()
    '/job:w/task:1/device:GPU:0'
    >>> tf.DeviceSpec(job="ps").make_merged_spec(tf.DeviceSpec(device_type="CPU")).to_string()
    '/job:ps/device:CPU:*'
    """

    __slots__ = ("_job", "_replica", "_task", "_device_type", "_device_index", "_as_string",
                 "_hash")

    def __init__(self, job=None, replica=None, task=None, device_type=None, device_index=None):
        self._job = _str_or_none(job)
        self._replica = _int_or_none(replica)
        self._task = _int_or_none(task)
        self._device_type = device_type.upper() if device_type in ("cpu", "gpu") else \
            _str_or_none(device_type)
        self._device_index = _int_or_none(device_index)
        self._as_string = self._components_to_string(self._job, self._replica, self._task,
                                                     self._device_type, self._device_index)
        self._hash = hash(self._as_string)

    def to_string(self) -> str:
        return self._as_string

    @classmethod
    def from_string(cls, spec):
        return cls(*cls._string_to_components(spec))

    def parse_from_string(self, spec):
        return self.from_string(spec)

    def make_merged_spec(self, dev):
        """A spec with ``dev``'s fields where set, else this spec's."""
        return type(self)(*(b if b is not None else a for a, b in zip(
            (self.job, self.replica, self.task, self.device_type, self.device_index),
            (dev.job, dev.replica, dev.task, dev.device_type, dev.device_index))))

    def replace(self, **kwargs):
        init = dict(job=self.job, replica=self.replica, task=self.task,
                    device_type=self.device_type, device_index=self.device_index)
        init.update(kwargs)
        return type(self)(**init)

    job = property(lambda self: self._job)
    replica = property(lambda self: self._replica)
    task = property(lambda self: self._task)
    device_type = property(lambda self: self._device_type)
    device_index = property(lambda self: self._device_index)

    @staticmethod
    def _string_to_components(spec=None):
        job = replica = task = device_type = device_index = None
        spec = spec or ""
        for y in (x.split(":") for x in spec.split("/")):
            n = len(y)
            if n == 2 and y[0] == "job":
                job = y[1]
            elif n == 2 and y[0] == "replica":
                replica = y[1]
            elif n == 2 and y[0] == "task":
                task = y[1]
            elif n in (1, 2) and y[0].upper() in _VALID_DEVICE_TYPES:
                if device_type is not None:
                    raise ValueError("Multiple device types are not allowed while parsing the "
                                     f"device spec: {spec}.")
                device_type = y[0].upper()
                if n == 2 and y[1] != "*":
                    device_index = int(y[1])
            elif n == 3 and y[0] == "device":
                if device_type is not None:
                    raise ValueError("Multiple device types are not allowed while parsing the "
                                     f"device spec: {spec}.")
                device_type = y[1]
                if y[2] != "*":
                    device_index = int(y[2])
            elif n and y[0] != "":
                raise ValueError(f"Unknown attribute '{y[0]}' is encountered while parsing the "
                                 f"device spec: '{spec}'.")
        return job, replica, task, device_type, device_index

    @staticmethod
    def _components_to_string(job, replica, task, device_type, device_index) -> str:
        out = []
        if job is not None:
            out.append("/job:" + job)
        if replica is not None:
            out.append("/replica:" + str(replica))
        if task is not None:
            out.append("/task:" + str(task))
        if device_type is not None:
            idx = "*" if device_index is None else str(device_index)
            out.append(f"/device:{device_type}:{idx}")
        return "".join(out)

    def __eq__(self, other):
        return isinstance(other, type(self)) and self.to_string() == other.to_string()

    def __hash__(self):
        return self._hash

    def __repr__(self):
        return (f"<DeviceSpec(job={self.job}, replica={self.replica}, task={self.task}, "
                f"device_type={self.device_type}, device_index={self.device_index})>")


# -- specs ----------------------------------------------------------------------------------------
class IndexedSlicesSpec(TypeSpec):
    """The type of a ``tf.IndexedSlices``: dense shape, dtypes and the shape of the indices.

    >>> import tftape as tf
    >>> tf.IndexedSlicesSpec([None, 3], tf.float64)
    IndexedSlicesSpec(TensorShape([None, 3]), tf.float64, tf.int64, None, TensorShape([None]))
    """

    __slots__ = ("_shape", "_values_dtype", "_indices_dtype", "_dense_shape_dtype",
                 "_indices_shape")

    def __init__(self, shape=None, dtype=_d.float32, indices_dtype=_d.int64,
                 dense_shape_dtype=None, indices_shape=None):
        self._shape = TensorShape(shape)
        self._values_dtype = _d.as_dtype(dtype)
        self._indices_dtype = _d.as_dtype(indices_dtype)
        self._dense_shape_dtype = None if dense_shape_dtype is None else \
            _d.as_dtype(dense_shape_dtype)
        self._indices_shape = TensorShape(indices_shape).with_rank(1)

    @property
    def value_type(self):
        return IndexedSlices

    def _serialize(self):
        return (self._shape, self._values_dtype, self._indices_dtype, self._dense_shape_dtype,
                self._indices_shape)

    def _key(self):
        s, i = self._shape, self._indices_shape
        return (None if s.rank is None else tuple(s.as_list()), self._values_dtype,
                self._indices_dtype, self._dense_shape_dtype, tuple(i.as_list()))

    def __eq__(self, other):
        return type(other) is type(self) and self._key() == other._key()

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(self._key())

    def is_compatible_with(self, spec_or_value) -> bool:
        if isinstance(spec_or_value, IndexedSlices):
            spec_or_value = type_spec_from_value(spec_or_value)
        if type(spec_or_value) is not type(self):
            return False
        o = spec_or_value
        return (self._values_dtype is o._values_dtype and self._indices_dtype is o._indices_dtype
                and self._dense_shape_dtype is o._dense_shape_dtype
                and self._shape.is_compatible_with(o._shape)
                and self._indices_shape.is_compatible_with(o._indices_shape))

    def __repr__(self):
        s = ", ".join(repr(x) if x is not None else "None" for x in self._serialize())
        return f"IndexedSlicesSpec({s})"


class NoneTensorSpec(TypeSpec):
    """The type of ``None`` where a value is expected (``tf.type_spec_from_value(None)``)."""

    __slots__ = ()

    @property
    def value_type(self):
        return type(None)

    def is_compatible_with(self, spec_or_value) -> bool:
        return spec_or_value is None or type(spec_or_value) is NoneTensorSpec

    def __eq__(self, other):
        return type(other) is NoneTensorSpec

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash("NoneTensorSpec")

    def __repr__(self):
        return "NoneTensorSpec()"


class VariableSpec(TypeSpec):
    """The type of a ``tf.Variable``: shape, dtype and whether it is trainable."""

    __slots__ = ("shape", "dtype", "trainable", "alias_id")

    def __init__(self, shape, dtype=_d.float32, trainable=True, alias_id=None):
        self.shape = TensorShape(shape)
        self.dtype = _d.as_dtype(dtype)
        self.trainable = trainable
        self.alias_id = alias_id

    def _key(self):
        s = self.shape
        return (None if s.rank is None else tuple(s.as_list()), self.dtype, self.trainable,
                self.alias_id)

    def __eq__(self, other):
        return type(other) is type(self) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        return (f"VariableSpec(shape={self.shape}, dtype={self.dtype!r}, "
                f"trainable={self.trainable}, alias_id={self.alias_id})")


def type_spec_from_value(value) -> TypeSpec:
    """The TypeSpec describing ``value`` (a tensor, composite, ``None`` or array-like).

    >>> import tftape as tf
    >>> tf.type_spec_from_value(tf.constant([1, 2]))
    TensorSpec(shape=(2,), dtype=tf.int32, name=None)
    """
    if value is None:
        return NoneTensorSpec()
    if isinstance(value, Tensor):
        return TensorSpec(value.shape, value.dtype)
    if isinstance(value, IndexedSlices):
        ds = value.dense_shape
        return IndexedSlicesSpec(
            None if ds is None else [int(d) for d in np.asarray(ds.numpy())],
            value.values.dtype, value.indices.dtype, None if ds is None else ds.dtype,
            value.indices.shape)
    if getattr(type(value), "_is_tf_variable", False):
        return VariableSpec(value.shape, value.dtype, value.trainable)
    spec = getattr(value, "_type_spec", None)
    if isinstance(spec, TypeSpec):
        return spec
    try:
        from ._core.convert import convert_to_tensor
        t = convert_to_tensor(value)
    except (TypeError, ValueError):
        raise TypeError(f"Could not build a TypeSpec for {value!r} of unsupported type "
                        f"{type(value)}.") from None
    return TensorSpec(t.shape, t.dtype)


# -- scopes and tracing ---------------------------------------------------------------------------
def get_current_name_scope() -> str:
    """The name scope in effect, without the trailing ``/`` (``""`` at the top).

    >>> import tftape as tf
    >>> with tf.name_scope("outer"):
    ...     with tf.name_scope("inner"):
    ...         print(tf.get_current_name_scope())
    outer/inner
    """
    return "".join(name_scope._stack).rstrip("/")


def inside_function() -> bool:
    """Whether the code runs while ``tf.function`` traces (``tf.init_scope`` included, as TF).

    >>> import tftape as tf
    >>> tf.inside_function()
    False
    """
    # Note: tf.init_scope lifts ops out of the trace (tracing 0) but the trace's graph stays.
    return STATE.tracing > 0 or STATE.graph is not None


def is_symbolic_tensor(tensor) -> bool:
    """Whether ``tensor`` is a symbolic tensor of a function being traced (not eager)."""
    return isinstance(tensor, SymbolicTensor)


def timestamp(name=None) -> Tensor:
    """Seconds since the epoch as a float64 scalar, read when the op runs.

    >>> import tftape as tf
    >>> float(tf.timestamp()) > 1.6e9
    True
    """
    import jax
    import jax.numpy as jnp
    if STATE.tracing:
        # Note: inside tf.function the clock is read when the function runs, not when it is
        # traced, as TF's Timestamp op does.
        from jax.experimental import io_callback
        v = io_callback(lambda: np.float64(_time.time()),
                        jax.ShapeDtypeStruct((), np.float64), ordered=True)
        return make(v, _d.float64)
    return make(jnp.asarray(_time.time(), jnp.float64), _d.float64)


# -- gradients ------------------------------------------------------------------------------------
class AggregationMethod:
    """How gradients of one tensor from several consumers are summed (a hint; all add up)."""

    ADD_N = 0
    DEFAULT = ADD_N
    EXPERIMENTAL_TREE = 1
    EXPERIMENTAL_ACCUMULATE_N = 2


# Gradient functions by TF op name. tftape differentiates its own ops with JAX, so these are
# looked up by name only; the names of tftape's own ops are taken, as TF's built-in ops are.
_GRADIENTS: dict = {}


class RegisterGradient:
    """Registers a gradient function for an op type (``@tf.RegisterGradient("MyOp")``).

    >>> import tftape as tf
    >>> @tf.RegisterGradient("MyCustomSquare")
    ... def _square_grad(op, grad):
    ...     return grad * 2.0 * op.inputs[0]
    """

    __slots__ = ("_op_type",)

    def __init__(self, op_type):
        if not isinstance(op_type, str):
            raise TypeError("op_type must be a string")
        self._op_type = op_type

    def __call__(self, f):
        _register(self._op_type, f)
        return f


def _register(op_type, f):
    if op_type in _GRADIENTS or any(o.tf_name == op_type for o in REGISTRY.values()):
        prev = _GRADIENTS.get(op_type)
        where = getattr(getattr(prev, "__code__", None), "co_filename", "<builtin>")
        raise KeyError(f"Registering two gradient with name '{op_type}'! (Previous "
                       f"registration was in {where})")
    _GRADIENTS[op_type] = f


def no_gradient(op_type: str) -> None:
    """Declares that ops of type ``op_type`` have no gradient."""
    if not isinstance(op_type, str):
        raise TypeError("op_type must be a string")
    _register(op_type, None)


def grad_pass_through(f):
    """Wraps ``f`` so that its gradient is the identity (a straight-through estimator).

    >>> import tftape as tf
    >>> x = tf.Variable(2.0)
    >>> with tf.GradientTape() as tape:
    ...     y = tf.grad_pass_through(tf.round)(x * 1.3)
    >>> round(float(tape.gradient(y, x)), 4)
    1.3
    """
    import functools

    @custom_gradient
    def _pass_through(*args, **kwargs):
        def grad(*dys, **gkw):
            variables = gkw.get("variables")
            if variables is not None:
                return dys, [None] * len(variables)
            return dys
        return f(*args, **kwargs), grad

    return functools.wraps(f)(_pass_through)


# -- edit_distance --------------------------------------------------------------------------------
def _levenshtein(a, b) -> int:
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, y in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y))
        prev = cur
    return prev[-1]


def edit_distance(hypothesis, truth, normalize=True, name="edit_distance") -> Tensor:
    """Levenshtein distances between sequences of two SparseTensors (grouped by all but the
    last index), divided by the truth lengths when ``normalize``.

    >>> import tftape as tf
    >>> h = tf.sparse.SparseTensor([[0, 0], [0, 1]], ["a", "b"], [1, 2])
    >>> t = tf.sparse.SparseTensor([[0, 0]], ["a"], [1, 1])
    >>> tf.edit_distance(h, t)
    <tf.Tensor: shape=(1,), dtype=float32, numpy=array([1.], dtype=float32)>
    """
    from ._sparse.sparse_tensor import SparseTensor
    from ._core.errors import InvalidArgumentError
    import jax.numpy as jnp
    if not isinstance(hypothesis, SparseTensor):
        raise TypeError("Hypothesis must be a SparseTensor.")
    if not isinstance(truth, SparseTensor):
        raise TypeError("Truth must be a SparseTensor.")
    hd, td = hypothesis.values.dtype, truth.values.dtype
    if hd is not td:
        raise InvalidArgumentError(None, None, (
            f"cannot compute EditDistance as input #4(zero-based) was expected to be a "
            f"{_d.TF_TYPE_NAMES[hd]} tensor but is a {_d.TF_TYPE_NAMES[td]} tensor "
            f"[Op:EditDistance] name: {name}"))
    hs = np.asarray(hypothesis.dense_shape.numpy())
    ts = np.asarray(truth.dense_shape.numpy())
    if hs.shape[0] != ts.shape[0]:
        raise InvalidArgumentError(None, None, (
            "{{function_node __wrapped__EditDistance_device_/job:localhost/replica:0/task:0/"
            "device:CPU:0}} hypothesis_shape and truth_shape must have the same rank: "
            f"{hs.shape[0]} vs. {ts.shape[0]} [Op:EditDistance] name: {name}"))
    out_shape = tuple(int(d) for d in np.maximum(hs[:-1], ts[:-1]))

    def groups(st):
        idx = np.asarray(st.indices.numpy())
        vals = st.values.numpy()
        g: dict = {}
        for i, v in zip(map(tuple, idx[:, :-1].tolist()), vals):
            g.setdefault(i, []).append(v)
        return g
    hg, tg = groups(hypothesis), groups(truth)
    out = np.zeros(out_shape, np.float32)
    for key in set(hg) | set(tg):
        a, b = hg.get(key, []), tg.get(key, [])
        d = float(_levenshtein(a, b))
        if normalize:
            d = d / len(b) if b else (np.inf if a else 0.0)
        out[key] = d
    return make(jnp.asarray(out), _d.float32)


# -- tf.gradients / tf.hessians (inside tf.function) ----------------------------------------------
def _traced_subgraph(ys, xs):
    """A function of the values of ``xs`` replaying the traced ops from ``xs`` to ``ys``.

    Note: inside tf.function tftape traces the body into a JAX jaxpr; the equations recorded so
    far are replayed from ``xs`` (every other input stays the traced value), which is what TF's
    symbolic ``tf.gradients`` differentiates.
    """
    from jax._src import core as jcore
    from jax._src.interpreters import partial_eval as pe
    trace = jcore.trace_ctx.trace
    frame = getattr(trace, "frame", None)
    if frame is None:
        raise RuntimeError("tf.gradients needs the traced body of a tf.function.")
    eqns = []
    for e in frame.tracing_eqns:
        e = e() if not isinstance(e, (pe.TracingEqn, jcore.JaxprEqn)) else e
        if e is not None:
            eqns.append(e)
    x_vars = [getattr(x._v, "val", None) for x in xs]
    # A constant or a value from outside the trace has no variable of its own.
    x_vars = [v if isinstance(v, jcore.Var) else None for v in x_vars]
    y_vals = [y._v for y in ys]

    def sub(*xv):
        env = {v: val for v, val in zip(x_vars, xv) if v is not None}
        for e in eqns:
            if not isinstance(e, pe.TracingEqn):
                continue
            in_vars = [getattr(t, "val", None) for t in e.in_tracers]
            if not any(v is not None and not isinstance(v, jcore.Literal) and v in env
                       for v in in_vars):
                continue
            invals = [env[v] if (v is not None and not isinstance(v, jcore.Literal) and v in env)
                      else t for v, t in zip(in_vars, e.in_tracers)]
            params = e.primitive.get_bind_params(e.params)
            with e.ctx.manager:
                out = e.primitive.bind(*invals, **params)
            out = out if e.primitive.multiple_results else [out]
            for ov, o in zip(e.outvars, out):
                env[ov] = o
        res = []
        for y in y_vals:
            v = getattr(y, "val", None)
            res.append(env[v] if v is not None and not isinstance(v, jcore.Literal) and v in env
                       else None)
        return res
    def depends(i):
        """Whether any of ``ys`` is computed from ``xs[i]`` (without replaying anything)."""
        live = {x_vars[i]} if x_vars[i] is not None else set()
        for e in eqns:
            if isinstance(e, pe.TracingEqn) and any(
                    getattr(t, "val", None) in live for t in e.in_tracers
                    if not isinstance(getattr(t, "val", None), jcore.Literal)):
                live.update(e.outvars)
        return any(getattr(y, "val", None) in live for y in y_vals)

    sub.depends = depends
    return sub


def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _graph_value(x):
    from ._core.convert import convert_to_tensor
    if getattr(type(x), "_is_tf_variable", False):
        return x.value()
    return convert_to_tensor(x)


def gradients(ys, xs, grad_ys=None, name="gradients", gate_gradients=False,
              aggregation_method=None, stop_gradients=None, unconnected_gradients="none"):
    """Symbolic gradients of ``sum(ys)`` with respect to ``xs``, inside ``tf.function`` only.

    >>> import tftape as tf
    >>> @tf.function
    ... def f(x):
    ...     return tf.gradients(x * x, x)[0]
    >>> f(tf.constant(3.0))
    <tf.Tensor: shape=(), dtype=float32, numpy=6.0>
    """
    import jax
    import jax.numpy as jnp
    if not STATE.tracing:
        raise RuntimeError("tf.gradients is not supported when eager execution is enabled. "
                           "Use tf.GradientTape instead.")
    ys_l = [_graph_value(y) for y in _as_list(ys)]
    xs_l = [_graph_value(x) for x in _as_list(xs)]
    stops = [_graph_value(s) for s in _as_list(stop_gradients)] if stop_gradients is not None \
        else []
    gys = [None] * len(ys_l) if grad_ys is None else _as_list(grad_ys)
    sub = _traced_subgraph(ys_l, xs_l + stops)
    n = len(xs_l)
    stop_vals = [s._v for s in stops]

    def total(*xv):
        outs = sub(*xv, *stop_vals)
        acc = jnp.zeros((), xv[0].dtype) if xv else 0.0
        for y, o, g in zip(ys_l, outs, gys):
            if o is None:
                continue
            w = jnp.ones_like(o) if g is None else _graph_value(g)._v
            acc = acc + jnp.sum(jnp.real(o * w)).astype(acc.dtype)
        return acc
    xv = [x._v for x in xs_l]
    connected = [sub.depends(i) for i in range(n)]
    grads = jax.grad(total, argnums=tuple(range(n)))(*xv) if n else ()
    out = []
    zeros = str(getattr(unconnected_gradients, "value", unconnected_gradients)) == "zero"
    for x, g, c in zip(xs_l, grads, connected):
        if not c or not x.dtype.is_floating and not x.dtype.is_complex:
            out.append(make(jnp.zeros_like(x._v), x.dtype) if zeros else None)
        else:
            out.append(make(g.astype(x._v.dtype), x.dtype))
    return out


def hessians(ys, xs, gate_gradients=False, aggregation_method=None, name="hessians"):
    """Hessians of ``sum(ys)`` with respect to each of ``xs`` (shape ``x.shape * 2``), inside
    ``tf.function`` only.

    >>> import tftape as tf
    >>> @tf.function
    ... def f(x):
    ...     return tf.hessians(tf.reduce_sum(x ** 3), x)[0]
    >>> f(tf.constant([1.0, 2.0])).numpy().tolist()
    [[6.0, 0.0], [0.0, 12.0]]
    """
    import jax
    import jax.numpy as jnp
    if not STATE.tracing:
        raise RuntimeError("tf.gradients is not supported when eager execution is enabled. "
                           "Use tf.GradientTape instead.")
    ys_l = [_graph_value(y) for y in _as_list(ys)]
    xs_l = [_graph_value(x) for x in _as_list(xs)]
    out = []
    for i, x in enumerate(xs_l):
        sub = _traced_subgraph(ys_l, [x])

        def total(v):
            return sum(jnp.sum(o) for o in sub(v) if o is not None)
        h = jax.jacfwd(jax.grad(total))(x._v)
        out.append(make(jnp.reshape(h, tuple(x.shape) * 2).astype(x._v.dtype), x.dtype))
    return out

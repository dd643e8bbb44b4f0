"""tf.Variable (layer 5): a mutable cell holding a value; reads are watched by tapes.

Assignments replace the held JAX array with a new one (functional ``.at[]`` updates), so a
Tensor read earlier never changes under the user's feet, as with TF's value semantics.
"""
from __future__ import annotations

import itertools
import threading

import numpy as np
import jax.numpy as jnp

from ._core import dtypes as _d
from ._core.convert import convert_to_tensor
from ._core.errors import kernel_error
from ._core.registry import STATE, execute, execute_binary, op
from ._core.shape import TensorShape
from ._core import pending as _pending, tensor as _tensor_mod
from ._core.tensor import EagerTensor as _EagerTensor, PendingTensor as _Pending, Tensor, make, \
    make_string, Reference, vshape
from ._autodiff import custom as _custom
from ._autodiff.tape import variable_accessed
from . import _variable_reads as _reads
from ._ops.indexed_slices import IndexedSlices


class VariableSynchronization:
    AUTO, NONE, ON_WRITE, ON_READ = 0, 1, 2, 3


class VariableAggregation:
    NONE, SUM, MEAN, ONLY_FIRST_REPLICA = 0, 1, 2, 3


_UIDS = itertools.count(1)  # creation order: TF lists watched variables in it


class _Creators(threading.local):
    def __init__(self):
        self.stack: list = []   # variable creators, innermost last (tf.variable_creator_scope)


_CREATORS = _Creators()


class variable_creator_scope:
    """Routes Variable creation through ``creator(next_creator, **kwargs)`` (TF's API).

    >>> import tftape as tf
    >>> def trainable_off(next_creator, **kwargs):
    ...     return next_creator(**{**kwargs, "trainable": False})
    >>> with tf.variable_creator_scope(trainable_off):
    ...     tf.Variable(1.0).trainable
    False
    """

    def __init__(self, creator):
        self._creator = creator

    def __enter__(self):
        _CREATORS.stack.append(self._creator)

    def __exit__(self, *exc):
        _CREATORS.stack.remove(self._creator)


class _VariableMeta(type):
    def __call__(cls, *args, **kwargs):
        if cls is Variable:
            cls = ResourceVariable
        stack = _CREATORS.stack
        if not stack:
            return type.__call__(cls, *args, **kwargs)

        def chain(i, **kw):
            if i < 0:
                return type.__call__(cls, *args, **kw)
            return stack[i](lambda **k: chain(i - 1, **k), **kw)
        return chain(len(stack) - 1, **kwargs)


class Variable(metaclass=_VariableMeta):
    """A mutable, trainable tensor (``tf.Variable``).

    >>> import tftape as tf
    >>> v = tf.Variable([1, 2, 3])
    >>> v.assign_add([1, 1, 1])
    <tf.Variable 'UnreadVariable' shape=(3,) dtype=int32, numpy=array([2, 3, 4], dtype=int32)>
    """

    _is_tf_variable = True
    __array_priority__ = 100


class ResourceVariable(Variable):
    """The concrete class of ``tf.Variable`` objects."""

    def __init__(self, initial_value=None, trainable=None, validate_shape=True,
                 caching_device=None, name=None, variable_def=None, dtype=None,
                 import_scope=None, constraint=None,
                 synchronization=VariableSynchronization.AUTO,
                 aggregation=VariableAggregation.NONE, shape=None,
                 experimental_enable_variable_lifting=True, **kwargs):
        if initial_value is None:
            raise ValueError("The `initial_value` arg (`None`) must be specified as a tensor "
                             "or a Python function")
        if callable(initial_value):
            initial_value = initial_value()
        if getattr(type(initial_value), "_is_tf_variable", False):
            initial_value = initial_value.read_value()
        if hasattr(initial_value, "_variable_initial_value"):
            initial_value = initial_value._variable_initial_value()
        t = convert_to_tensor(initial_value, dtype=dtype) if not isinstance(initial_value, Tensor) \
            else initial_value
        if dtype is not None and t.dtype is not _d.as_dtype(dtype):
            from ._ops.math_ops import cast
            t = cast(t, dtype) if isinstance(initial_value, Tensor) else \
                convert_to_tensor(initial_value, dtype=dtype)
        if shape is not None:
            shape = TensorShape(shape)
            if not shape.is_compatible_with(t.shape):
                raise ValueError(f"In this `tf.Variable` creation, the initial value's shape "
                                 f"({t.shape}) is not compatible with the explicitly supplied "
                                 f"`shape` argument ({shape}).")
        else:
            shape = t.shape
        if constraint is not None and not callable(constraint):
            raise ValueError(f"The `constraint` argument must be a callable. Received: "
                             f"{constraint}")
        self._value = t._v
        self._dtype = t.dtype
        self._shape = shape
        self._uid = next(_UIDS)
        self._trainable = True if trainable is None else trainable
        self._name = "Variable:0" if name is None else f"{name}:0"
        self._constraint = constraint
        self._synchronization = synchronization
        self._aggregation = aggregation
        self._initial_value = t

    def __getattr__(self, name):
        # A variable whose update is deferred (``_defer_update``) has no ``_value`` until
        # something reads it: then the step's deferred updates run.
        if name == "_value" and "_pending" in self.__dict__:
            return _settle(self)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    # -- reading --------------------------------------------------------------------------------
    def _current(self):
        return self._value

    def _handle(self):
        return self

    def read_value(self) -> Tensor:
        """The current value as a Tensor (recorded on tapes that watch this variable)."""
        h = self._handle()
        v = h._value
        t = make_string(v) if h._dtype is _d.string else make(v, h._dtype)
        st = STATE
        if st.tapes or st.accumulators:
            variable_accessed(h, t)
        return t

    value = read_value

    def __tf_tensor__(self, dtype=None, name=None) -> Tensor:
        t = self.read_value()
        if dtype is not None and _d.as_dtype(dtype) is not t.dtype:
            raise ValueError(f"Tensor conversion requested dtype {_d.as_dtype(dtype).name} for "
                             f"Tensor with dtype {t.dtype.name}: {t!r}")
        return t

    def numpy(self):
        return self.read_value().numpy()

    def __array__(self, dtype=None, copy=None):
        return self.read_value().__array__(dtype)

    def __jax_array__(self):
        return self._handle()._value

    # -- attributes ---------------------------------------------------------------------------
    @property
    def dtype(self) -> _d.DType:
        return self._handle()._dtype

    @property
    def shape(self) -> TensorShape:
        return self._handle()._shape

    def get_shape(self) -> TensorShape:
        return self.shape

    @property
    def ndim(self):
        return self.shape.rank

    @property
    def name(self) -> str:
        return self._handle()._name

    @property
    def trainable(self):
        return self._handle()._trainable

    @property
    def device(self) -> str:
        from ._core.device import device_name
        return device_name(self._handle()._value)

    @property
    def constraint(self):
        return self._handle()._constraint

    @property
    def synchronization(self):
        return self._handle()._synchronization

    @property
    def aggregation(self):
        return self._handle()._aggregation

    @property
    def initial_value(self):
        return self._handle()._initial_value

    @property
    def handle(self):
        return self._handle()

    @property
    def graph(self):
        return None

    def ref(self):
        return Reference(self._handle())

    experimental_ref = ref

    def __hash__(self):
        raise TypeError(f"Variable is unhashable. Instead, use variable.ref() as the key. "
                        f"(Variable: {self})")

    def __repr__(self) -> str:
        h = self._handle()
        if STATE.tracing:   # a symbolic value inside a tf.function: no numpy (TF's graph repr)
            return f"<tf.Variable '{self._repr_name()}' shape={h._shape} dtype={h._dtype.name}>"
        t = make_string(h._value) if h._dtype is _d.string else make(h._value, h._dtype)
        from ._core.tensor import _numpy_text
        return (f"<tf.Variable '{self._repr_name()}' shape={h._shape} dtype={h._dtype.name}, "
                f"numpy={_numpy_text(t, True)}>")

    __str__ = __repr__

    def _repr_name(self):
        return self.name

    def __len__(self):
        return len(self.read_value())

    def __iter__(self):
        return iter(self.read_value())

    def __bool__(self):
        return bool(self.read_value())

    def __int__(self):
        return int(self.read_value())

    def __float__(self):
        return float(self.read_value())

    def __index__(self):
        return self.read_value().__index__()

    def __format__(self, spec):
        return self.read_value().__format__(spec)

    def __getitem__(self, key):
        from ._ops.indexing_ops import getitem, _index_key
        t = getitem(self.read_value(), key)
        return _SlicedTensor._wrap(t, self._handle(), key)

    def __deepcopy__(self, memo):
        v = ResourceVariable(make(self._handle()._value, self.dtype) if self.dtype is not _d.string
                             else make_string(self._handle()._value.copy()),
                             trainable=self.trainable, name=self.name[:-2])
        return v

    def __reduce__(self):
        return ResourceVariable, (self.numpy(),), {"_trainable": self.trainable,
                                                   "_name": self.name}

    # -- assignment -------------------------------------------------------------------------------
    def _set(self, new_value):
        h = self._handle()
        if h._constraint is not None:
            pass
        h._value = new_value

    def _convert_update(self, value) -> Tensor:
        h = self._handle()
        return convert_to_tensor(value, dtype=h._dtype)

    def _unread(self):
        return _UnreadVariable(self._handle())

    def assign(self, value, use_locking=None, name=None, read_value=True):
        """Replaces the value (shapes must be compatible)."""
        h = self._handle()
        t = self._convert_update(value)
        if not h._shape.is_compatible_with(t.shape):
            raise ValueError(f"Cannot assign value to variable ' {h._name}': Shape mismatch."
                             f"The variable shape {h._shape}, and the assigned value shape "
                             f"{t.shape} are incompatible.")
        if type(t) is _Pending and _deferrable():
            _defer_update(h, t)
        else:
            h._value = t._v
        return self._unread() if read_value else None

    def _update(self, o, op_name, value, read_value):
        h = self._handle()
        t = value if isinstance(value, Tensor) and value._dtype is h._dtype else \
            self._convert_update(value)
        cur = h._value
        tt = type(t)
        if (tt is _EagerTensor or tt is _Pending and _deferrable()) and vshape(t) == cur.shape:
            # The optimizer-step case (``v.assign_sub(lr * grad)``): one dtype, one shape.
            kernel = _fast_update_op(h._dtype, o)
            if kernel is not None:
                new = execute_binary(kernel, make(cur, h._dtype), t)
                if type(new) is _Pending:
                    _defer_update(h, new)
                else:
                    h._value = new._v
                return self._unread() if read_value else None
        if vshape(t) != cur.shape and h._shape.is_fully_defined():
            dims = lambda s: "[" + ",".join(str(d) for d in s) + "]"  # noqa: E731
            raise kernel_error(op_name, f"Cannot update variable with shape "
                                        f"{dims(cur.shape)} using a Tensor with shape "
                                        f"{dims(t.shape)}, shapes must be equal.")
        h._value = o(make(cur, h._dtype), t)._v
        return self._unread() if read_value else None

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        """Adds ``delta`` to the value."""
        return self._update(_math().add, "AssignAddVariableOp", delta, read_value)

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        """Subtracts ``delta`` from the value."""
        return self._update(_math().subtract, "AssignSubVariableOp", delta, read_value)

    def _scatter_nd(self, mode, indices, updates):
        from ._ops import array_ops
        h = self._handle()
        fn = getattr(array_ops, f"tensor_scatter_nd_{mode}")
        u = self._convert_update(updates)
        idx = indices if isinstance(indices, Tensor) else convert_to_tensor(indices)
        opname = f"ResourceScatterNd{mode.capitalize()}"
        _check_scatter_nd(opname, tuple(h._value.shape), idx, u)
        new = fn(make(h._value, h._dtype), idx, u, _node=opname, _resource=h)
        h._value = new._v
        return self._unread()

    def scatter_nd_update(self, indices, updates, name=None):
        """Writes ``updates`` at ``indices`` (N-d)."""
        return self._scatter_nd("update", indices, updates)

    def scatter_nd_add(self, indices, updates, name=None):
        return self._scatter_nd("add", indices, updates)

    def scatter_nd_sub(self, indices, updates, name=None):
        return self._scatter_nd("sub", indices, updates)

    def scatter_nd_max(self, indices, updates, name=None):
        return self._scatter_nd("max", indices, updates)

    def scatter_nd_min(self, indices, updates, name=None):
        return self._scatter_nd("min", indices, updates)

    def _scatter(self, mode, sparse_delta):
        if not isinstance(sparse_delta, IndexedSlices):
            raise TypeError(f"sparse_delta is not IndexedSlices: {sparse_delta}")
        from ._ops import array_ops
        h = self._handle()
        idx = convert_to_tensor(sparse_delta.indices)
        vals = self._convert_update(sparse_delta.values)
        n = h._value.shape[0]
        opname = f"ResourceScatter{mode.capitalize()}"
        _check_scatter_rows(opname, tuple(h._value.shape), tuple(idx.shape), tuple(vals.shape))
        iv = np.asarray(idx._v)
        if iv.size and (iv.min() < 0 or iv.max() >= n):
            bad = int(iv[(iv < 0) | (iv >= n)].reshape(-1)[0])
            raise kernel_error(opname, f"indices[0] = {bad} is not in [0, {n})")
        new = execute(_SCATTER_ROWS[mode], (make(h._value, h._dtype), idx, vals))
        h._value = new._v
        return self._unread()

    def scatter_update(self, sparse_delta, use_locking=False, name=None):
        """Writes ``sparse_delta.values`` to rows ``sparse_delta.indices``."""
        return self._scatter("update", sparse_delta)

    def scatter_add(self, sparse_delta, use_locking=False, name=None):
        return self._scatter("add", sparse_delta)

    def scatter_sub(self, sparse_delta, use_locking=False, name=None):
        return self._scatter("sub", sparse_delta)

    def scatter_max(self, sparse_delta, use_locking=False, name=None):
        return self._scatter("max", sparse_delta)

    def scatter_min(self, sparse_delta, use_locking=False, name=None):
        return self._scatter("min", sparse_delta)

    def scatter_mul(self, sparse_delta, use_locking=False, name=None):
        return self._scatter("mul", sparse_delta)

    def scatter_div(self, sparse_delta, use_locking=False, name=None):
        return self._scatter("div", sparse_delta)

    def batch_scatter_update(self, sparse_delta, use_locking=False, name=None):
        return self._scatter("update", sparse_delta)

    def sparse_read(self, indices, name=None, axis=None, batch_dims=0):
        """Gathers rows; on a tape the gradient w.r.t. this variable is an IndexedSlices."""
        from ._ops import indexing_ops
        h = self._handle()
        st = STATE
        if (st.accumulators or st.tracing or not st.tapes) and h._dtype is not _d.string:
            # TF's ResourceGather: its errors name it, and inside tf.function later updates
            # of this variable wait for it (see _function._checks)
            return indexing_ops._gather_checked(self.read_value(), convert_to_tensor(indices),
                                                axis, batch_dims, "Gather", h)
        if st.accumulators or st.tracing or not st.tapes or h._dtype is _d.string:
            return indexing_ops.gather(self.read_value(), indices, axis=axis, batch_dims=batch_dims)
        value = make(h._value, h._dtype)
        idx = indices if isinstance(indices, Tensor) else convert_to_tensor(indices)
        saved = st.tapes
        st.tapes = []
        try:
            out = indexing_ops._gather_checked(value, idx, axis, batch_dims, "Gather", h)
        finally:
            st.tapes = saved
        ax = 0 if axis is None else int(axis)
        for tape in saved:
            tape._variable_gather(h, value, idx, out, ax % max(value.ndim, 1), int(batch_dims))
        return out

    def gather_nd(self, indices, name=None):
        from ._ops import array_ops
        return array_ops.gather_nd(self.read_value(), indices)

    def _slice_assign(self, key, value, mode):
        from ._ops.indexing_ops import _index_key
        h = self._handle()
        cur = make(h._value, h._dtype)
        idx = _index_key(cur, key)
        t = self._convert_update(value)
        target = cur._v[idx]
        ts, gs = tuple(target.shape), tuple(t.shape)
        val = t._v
        if gs != ts:
            # TF's ResourceStridedSliceAssign: the value broadcasts to the slice's shape, and
            # may have extra leading 1s ([1, 2] into a row of 2).
            try:
                b = np.broadcast_shapes(gs, ts)
                ok = _strip_ones(b) == _strip_ones(ts)
            except ValueError:
                ok = False
            if not ok:
                from ._ops._util import fmt_shape
                raise kernel_error("ResourceStridedSliceAssign",
                                   f"Cannot broadcast input shape {fmt_shape(gs)} into final "
                                   f"shape {fmt_shape(ts)}", name="strided_slice/_assign")
            val = jnp.broadcast_to(val, b).reshape(ts)
        ref = h._value.at[idx]
        h._value = ref.set(val) if mode == "set" else ref.add(val if mode == "add" else -val)
        return self._unread()

    def set_shape(self, shape):
        self._handle()._shape = TensorShape(shape)

    def count_up_to(self, limit):
        raise NotImplementedError("count_up_to is deprecated and not supported")


_MATH: list = []


def _check_scatter_nd(opname, params, indices, updates):
    """TF's shape and bounds checks of ResourceScatterNd* (the kernel's messages)."""
    from ._ops._util import fmt_shape
    from ._ops.indexing_ops import _check_scatter_indices
    ish, ush = tuple(indices.shape), tuple(updates.shape)
    slice_dim = ish[-1] if len(ish) > 1 else 1
    batch_dim = len(ish) - 1 if len(ish) > 1 else 1

    def prefix(d):
        got = ush[d] if d < len(ush) else 0
        return kernel_error(opname, f"Dimensions [0,{batch_dim}) of indices[shape="
                                    f"{fmt_shape(ish)}] = {ish[d]} must match dimensions "
                                    f"[0,{batch_dim}) of updates[shape={fmt_shape(ush)}] = {got}",
                            name=None)
    suffix = kernel_error(opname, f"Dimensions [{slice_dim},{len(params)}) of input[shape="
                                  f"{fmt_shape(params)}] must match dimensions [{slice_dim},"
                                  f"{len(params)}) of updates[shape={fmt_shape(ush)}]", name=None)
    if len(ush) < batch_dim:
        raise prefix(0)
    if len(params) < slice_dim + len(ush) - batch_dim or \
            len(ush) != batch_dim + len(params) - slice_dim:
        raise suffix
    for d in range(batch_dim):
        if ush[d] != ish[d]:
            raise prefix(d)
    if ush[batch_dim:] != params[slice_dim:]:
        raise suffix
    if isinstance(indices, _EagerTensor):
        _check_scatter_indices(opname, params, np.asarray(indices._v))


def _check_scatter_rows(opname, params, ish, ush):
    """TF's shape checks of ResourceScatter* (updates.shape = indices.shape + params.shape[1:],
    or a scalar)."""
    from ._ops._util import fmt_shape
    if not ush:
        return
    if len(ush) != len(ish) + len(params) - 1:
        raise kernel_error(opname, f"Must have updates.shape = indices.shape + params.shape[1:] "
                                   f"or updates.shape = [], got updates.shape {fmt_shape(ush)}, "
                                   f"indices.shape {fmt_shape(ish)}, params.shape "
                                   f"{fmt_shape(params)}")
    if ush[:len(ish)] != ish or ush[len(ish):] != params[1:]:
        # Note: TF checks only the prefix (other rows shapes are left unchecked there).
        raise kernel_error(opname, f"The shape of indices ({fmt_shape(ish)}) must be a prefix "
                                   f"of the shape of updates ({fmt_shape(ush)})")


def _strip_ones(shape) -> tuple:
    shape = tuple(shape)
    while shape and shape[0] == 1:
        shape = shape[1:]
    return shape


def _math():
    """``_ops.arithmetic_ops`` (which imports this module)."""
    if not _MATH:
        from ._ops import arithmetic_ops
        _MATH.append(arithmetic_ops)
    return _MATH[0]


def _fast_update_ops():
    math_ops = _math()
    table = {}
    for d in _d.ALL:
        ops = {}
        for public, o in ((math_ops.add, math_ops._add), (math_ops.subtract, math_ops.subtract.op)):
            if o.dtypes is not None and d in o.dtypes and d not in o.no_kernel:
                ops[public] = o
        if len(ops) == 2:
            table[d] = ops
    return table


# -- deferred updates ----------------------------------------------------------------------------
# An update computed from a value that is itself still pending (``v.assign_sub(lr * g)`` with
# ``g`` from ``tape.gradient``) does not run at once: the variable keeps the pending result
# and is listed here. The first read of any listed variable runs all their updates as one
# program (``pending.run``), so an optimizer step costs one dispatch, not two per variable.
_DIRTY: dict = {}   # id(handle) -> handle holding a pending update
_DIRTY_MAX = 256
_LOCK = threading.RLock()


def _deferrable() -> bool:
    st = STATE
    return not (st.tracing or st.tapes or st.accumulators)


def _defer_update(h, t):
    d = h.__dict__
    with _LOCK:   # another thread may be flushing
        d["_pending"] = t
        d.pop("_value", None)
        _DIRTY[id(h)] = h
        if len(_DIRTY) > _DIRTY_MAX:
            flush_updates()


def flush_updates():
    """Runs every deferred variable update (one program) and stores the new values."""
    with _LOCK:
        if not _DIRTY:
            return
        owners = []
        nodes = []
        for h in _DIRTY.values():
            d = h.__dict__
            p = d.get("_pending")
            if p is None:
                continue
            if "_value" in d:       # assigned directly since: that value stands
                del d["_pending"]
                continue
            if type(p) is _Pending and p._pend[0].vals is None:
                nodes.append(p._pend[0])
            owners.append((d, p))
        _DIRTY.clear()
        if nodes:
            _pending.run(nodes)
        for d, p in owners:
            d["_value"] = p._v
            del d["_pending"]


def _flush_before_wait():
    if _DIRTY and _deferrable():
        flush_updates()


_tensor_mod.before_wait[0] = _flush_before_wait


def _settle(h):
    """The value of variable ``h``, running the deferred updates if it has one pending."""
    d = h.__dict__
    with _LOCK:
        if "_value" not in d:
            if "_pending" not in d:
                raise AttributeError("_value")
            flush_updates()
            if "_value" not in d:   # not listed (a copy of a variable): its own update only
                d["_value"] = d.pop("_pending")._v
    return d["_value"]


def settled_value(h):
    """The raw value variable ``h`` holds (after its deferred update), or None if it has none."""
    d = h.__dict__
    if "_pending" in d:
        return _settle(h)
    return d.get("_value")


_FAST_UPDATE: dict = {}   # dtype -> {public add/subtract: registry op}; filled on first use


def _fast_update_op(dtype, public):
    """The registry op behind ``public`` (``math_ops.add`` or ``subtract``) for ``dtype``, or
    None where the op does not take that dtype."""
    if not _FAST_UPDATE:
        _FAST_UPDATE.update(_fast_update_ops())
    ops = _FAST_UPDATE.get(dtype)
    return None if ops is None else ops[public]


def _scatter_rows(mode):
    def impl(x, i, u):
        ref = x.at[i]
        return {"update": ref.set, "add": ref.add, "sub": lambda v: ref.add(-v),
                "max": ref.max, "min": ref.min, "mul": ref.multiply, "div": ref.divide}[mode](u)
    return impl


_SCATTER_ROWS = {m: op(f"resource_scatter_{m}", f"ResourceScatter{m.capitalize()}",
                       _scatter_rows(m), differentiable=False)
                 for m in ("update", "add", "sub", "max", "min", "mul", "div")}


class _UnreadVariable(ResourceVariable):
    """What ``assign*`` returns: a view that reads the variable when used."""

    def __init__(self, handle):  # noqa: D107 - no super().__init__: shares the handle
        self._parent = handle

    def _handle(self):
        return self._parent

    def _repr_name(self):
        return "UnreadVariable"


ResourceVariable.__name__ = "ResourceVariable"
_UnreadVariable.__name__ = "ResourceVariable"
_UnreadVariable.__qualname__ = "ResourceVariable"


class _SlicedTensor(_EagerTensor):
    """A slice of a Variable: a Tensor that can also be assigned (``v[0, 1].assign(42)``)."""

    __slots__ = ("_var", "_key")

    @classmethod
    def _wrap(cls, t: Tensor, var, key):
        s = object.__new__(cls)
        s._v = t._v
        s._dtype = t._dtype
        s._var = var
        s._key = key
        # The slice shares the plain tensor's identity on tapes: record it as an identity.
        if STATE.tapes:
            from ._ops.creation_ops import _identity
            from ._core.registry import _record
            _record(_identity, (), None, (t,), (s,))
        return s

    def assign(self, value, use_locking=None, name=None, read_value=True):
        r = self._var._slice_assign(self._key, value, "set")
        return r if read_value else None


_SlicedTensor.__name__ = "EagerTensor"
_SlicedTensor.__qualname__ = "EagerTensor"


def _bind_operators():
    """A Variable takes part in every operator by reading its value first (as in TF)."""
    names = ["add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and", "or",
             "xor"]
    for n in names:
        for fmt in ("__%s__", "__r%s__"):
            attr = fmt % n
            f = getattr(Tensor, attr)
            setattr(ResourceVariable, attr, _reading(f))
    for attr in ("__neg__", "__abs__", "__invert__", "__lt__", "__le__", "__gt__", "__ge__",
                 "__pos__"):
        setattr(ResourceVariable, attr, _reading(getattr(Tensor, attr)))
    ResourceVariable.__eq__ = _reading(Tensor.__eq__)
    ResourceVariable.__ne__ = _reading(Tensor.__ne__)


def _reading(f):
    def method(self, *args):
        return f(self.read_value(), *args)
    method.__name__ = f.__name__
    return method


_bind_operators()


_reads.VARIABLE_CLASS[0] = ResourceVariable
_reads.SETTLE[0] = _settle
_custom.VARIABLE_READS[0] = _reads.override_values

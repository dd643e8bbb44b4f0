"""``tf.TensorArray`` inside tf.function: TF's graph-mode (TensorList) semantics on JAX arrays.

A TensorArray created while tracing is functional, as TF's ``_GraphTensorArrayV2``: ``write``,
``unstack``, ``scatter`` and ``split`` return a new TensorArray and leave the old one as it
was. Its elements are held in one of three ways:

* a Python list of Tensors (``_items``), while every index used is known at trace time: this
  keeps element shapes open until the first write and allows elements of different shapes
  (``infer_shape=False``, ``split``/``concat``);
* a buffer array ``[size, *element_shape]`` (``_buffer``), once an index is a traced value or
  the array is a loop variable of ``tf.while_loop`` / a converted loop, a ``tf.cond`` output
  or ``tf.scan`` state (``__tf_flatten__`` hands the buffer to the loop carry). A write at a
  traced index is a scatter into the buffer, a read a dynamic index, ``stack`` the buffer;
* a probe (``_probe``), only while ``tf.while_loop`` traces a body once to learn element shapes
  and sizes it cannot know before (see ``control_flow._traced_while``).

As in TF, every TensorArray derived from one constructor call shares one element-shape cell,
so a shape inferred by a write inside a loop body is known after the loop.

``dynamic_size`` arrays grow on writes; inside a loop their length is a traced int32 carried
with the buffer, and the buffer is allocated for the length the loop ends with, which must be
known at trace time (``_static.static_loop``).
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._core.errors import InvalidArgumentError
from .._core.registry import Op, execute
from .._core.shape import TensorShape
from .._core.tensor import Tensor, make, make_string
from .. import _tensor_array
from .._tensor_array import TensorArray
from ._region import EagerOnly
from ._static import static_int, static_value


class NeedShape(EagerOnly):
    """The element shape is not known yet (a probe trace or another branch may learn it)."""


# -- ops on the buffer (registry ops, so a GradientTape inside the tf.function records them) --
def _set_traced(buf, i, v):
    # Note: JAX clamps out-of-range indices; TF raises. The write is dropped instead and the
    # range is checked at run time where the function can check it (top level).
    return buf.at[i].set(v, mode="drop", wrap_negative_indices=False)


def _set_static(buf, v, index):
    return jax.lax.dynamic_update_index_in_dim(buf, v, index, 0)


def _get_traced(buf, i):
    return jax.lax.dynamic_index_in_dim(buf, i, 0, keepdims=False)


def _get_static(buf, index):
    return buf[index]


def _scatter(buf, idx, v):
    return buf.at[idx].set(v, mode="drop", wrap_negative_indices=False)


def _grow(buf, size):
    pad = jnp.zeros((size - buf.shape[0],) + tuple(buf.shape[1:]), buf.dtype)
    return jnp.concatenate([buf, pad], 0)


def _head(buf, size):
    return buf[:size]


_SET = Op("tensor_list_set_item", "TensorListSetItem", _set_traced)
_SET_STATIC = Op("tensor_list_set_item", "TensorListSetItem", _set_static)
_GET = Op("tensor_list_get_item", "TensorListGetItem", _get_traced)
_GET_STATIC = Op("tensor_list_get_item", "TensorListGetItem", _get_static)
_SCATTER = Op("tensor_list_scatter", "TensorListScatterIntoExistingList", _scatter)
_GROW = Op("tensor_list_resize", "TensorListResize", _grow)
_HEAD = Op("tensor_list_stack", "TensorListStack", _head)


def _run(op, args, **static):
    return execute(op, list(args), tuple(static.items()), static)


def _shape_text(shape: TensorShape) -> str:
    """TF's C++ PartialTensorShape text: ``<unknown>``, ``[?,2]``."""
    if shape.rank is None:
        return "<unknown>"
    return "[" + ",".join("?" if d is None else str(d) for d in shape.as_list()) + "]"


def _traced_index(i) -> Tensor:
    t = i if isinstance(i, Tensor) else convert_to_tensor(i)
    if getattr(type(i), "_is_tf_variable", False):
        t = i.read_value()
    return t


class _Meta:
    """The static part of a flattened GraphTensorArray (compared by value, not by cell)."""

    __slots__ = ("key", "cell")

    def __init__(self, key, cell):
        self.key = key
        self.cell = cell

    def __eq__(self, other):
        return type(other) is _Meta and self.key == other.key

    def __hash__(self):
        return hash(self.key)

    def __repr__(self):
        return f"TensorArrayMeta{self.key}"


class GraphTensorArray(TensorArray):
    """A TensorArray created inside tf.function (TF's graph-mode TensorArray)."""

    def __init__(self, dtype, size=None, dynamic_size=None, clear_after_read=None,
                 tensor_array_name=None, handle=None, flow=None, infer_shape=True,
                 element_shape=None, colocate_with_first_write_call=True, name=None):
        if handle is not None:
            raise ValueError("TensorArray handles are not supported by tftape.")
        if flow is None and size is None:
            raise ValueError("Argument `size` must be provided if argument `flow` is not "
                             "provided.")
        n = static_int(size)
        if n is None:
            # Note: TF's TensorList may have a run-time length; XLA needs it at trace time.
            raise EagerOnly("a TensorArray whose size is only known at run time")
        self._dtype = _d.as_dtype(dtype)
        self._dynamic_size = bool(dynamic_size)
        self._clear_after_read = True if clear_after_read is None else bool(clear_after_read)
        self._infer_shape = infer_shape
        self._cell = [TensorShape(element_shape)]
        self._colocate_with_first_write_call = colocate_with_first_write_call
        self._declared = n
        self._n = n
        self._items = [None] * n
        self._buffer = None
        self._probe = None
        self._flow = None

    # -- construction of derived arrays ---------------------------------------------------------
    def _derive(self, n=None, items=None, buffer=None, probe=None):
        ta = object.__new__(GraphTensorArray)
        ta._dtype = self._dtype
        ta._dynamic_size = self._dynamic_size
        ta._clear_after_read = self._clear_after_read
        ta._infer_shape = self._infer_shape
        ta._cell = self._cell
        ta._colocate_with_first_write_call = self._colocate_with_first_write_call
        ta._declared = self._declared
        ta._n = self._n if n is None else n
        ta._items = items
        ta._buffer = buffer
        ta._probe = probe
        ta._flow = None
        return ta

    @property
    def element_shape(self) -> TensorShape:
        return self._cell[0]

    @property
    def _element_shape(self) -> TensorShape:
        return self._cell[0]

    def _static_n(self):
        return self._n if type(self._n) is int else None

    def _check_element_shape(self, shape: TensorShape):
        es = self._cell[0]
        if not shape.is_compatible_with(es):
            raise ValueError(f"Inconsistent shapes: saw {shape} but expected {es} ")
        if self._infer_shape:
            self._cell[0] = es.merge_with(shape)

    def _value(self, value) -> Tensor:
        if getattr(type(value), "_is_tf_variable", False):
            value = value.read_value()
        if not isinstance(value, Tensor):
            value = convert_to_tensor(value, dtype_hint=self._dtype)
        if value.dtype is not self._dtype:
            names = _d.TF_TYPE_NAMES
            raise InvalidArgumentError(
                None, None, f"Invalid data types; op elements {names.get(value.dtype)} but "
                            f"list elements {names.get(self._dtype)}")
        return value

    # -- representations ------------------------------------------------------------------------
    def _zeros(self, like=None) -> Tensor:
        es = self._cell[0]
        if not es.is_fully_defined():
            shapes = [t.shape for t in (self._items or []) if t is not None]
            if like is not None:
                shapes.insert(0, like)
            if not shapes:
                raise NeedShape("a TensorArray element shape that is not known at trace time")
            es = shapes[0]
        dims = es.as_list()
        if self._dtype is _d.string:
            return make_string(np.full(dims, b"", dtype=object))
        from .._ops.array_ops import zeros
        return zeros(dims, self._dtype)

    def _buffered(self) -> "GraphTensorArray":
        """This array with its elements in one buffer (every element the same shape)."""
        if self._buffer is not None:
            return self
        if self._probe is not None:
            raise NeedShape("a TensorArray read while its loop is probed")
        if self._dtype is _d.string:
            raise EagerOnly("string TensorArrays in traced control flow")
        items = self._items
        es = self._cell[0]
        shapes = {tuple(t.shape.as_list()) for t in items if t is not None}
        if len(shapes) > 1:
            raise EagerOnly("TensorArray elements of different shapes in traced control flow")
        if not es.is_fully_defined():
            if not shapes:
                raise NeedShape("a TensorArray element shape that is not known at trace time")
            es = TensorShape(list(shapes.pop()))
        from .._ops.array_ops import stack
        written = [k for k, t in enumerate(items) if t is not None]
        if len(written) == len(items) and items:
            buf = stack(items)
        else:
            buf = make(jnp.zeros([len(items)] + es.as_list(), self._dtype._np), self._dtype)
            if written:
                idx = convert_to_tensor(np.asarray(written, np.int32))
                buf = _run(_SCATTER, [buf, idx, stack([items[k] for k in written])])
        return self._derive(buffer=buf)

    # -- element access -------------------------------------------------------------------------
    def write(self, index, value, name=None) -> "GraphTensorArray":
        """A new TensorArray with ``value`` at ``index`` (this one is unchanged, as in TF)."""
        value = self._value(value)
        self._check_element_shape(value.shape)
        i = static_int(index)
        if self._probe is not None:
            n = self._n
            if self._dynamic_size:
                n = self._grown_n(i, index)
            return self._derive(n=n, probe=self._probe)
        if i is None:
            return self._write_traced(_traced_index(index), value)
        n = self._static_n()
        if i < 0 or (n is not None and i >= n and not self._dynamic_size):
            raise InvalidArgumentError(None, None, f"Trying to modify element {i} in a list "
                                                   f"with {n if n is not None else '?'} "
                                                   f"elements.")
        if self._items is not None:
            items = list(self._items)
            if i >= len(items):
                items.extend([None] * (i + 1 - len(items)))
            items[i] = value
            return self._derive(n=len(items), items=items)
        buf = self._buffer
        cap = buf.shape[0]
        if n is not None and i >= cap:
            buf = _run(_GROW, [buf], size=i + 1)
            cap = i + 1
        new_n = max(n, i + 1) if n is not None else self._grown_n(i, index)
        if i < cap:
            buf = _run(_SET_STATIC, [buf, value], index=i)
        return self._derive(n=new_n, buffer=buf)

    def _grown_n(self, i, index):
        """The length after a write at ``index`` of a dynamic_size array."""
        n = self._n
        if i is not None and type(n) is int:
            return max(n, i + 1)
        from .._ops.math_ops import cast, maximum
        idx = cast(_traced_index(index), _d.int32) if i is None else convert_to_tensor(i)
        cur = n if isinstance(n, Tensor) else convert_to_tensor(n)
        return maximum(cur, idx + 1)

    def _write_traced(self, index: Tensor, value: Tensor) -> "GraphTensorArray":
        ta = self._buffered()
        buf = ta._buffer
        if tuple(buf.shape[1:]) != tuple(value.shape):
            raise EagerOnly("TensorArray elements of different shapes in traced control flow")
        n = self._n
        self._check_range(index, n, "modify", upper=not self._dynamic_size)
        if self._dynamic_size:
            n = self._grown_n(None, index)
        if buf.shape[0] == 0:
            return ta._derive(n=n, buffer=buf)  # a loop that never runs: nothing to write
        return ta._derive(n=n, buffer=_run(_SET, [buf, index, value]))

    def _check_range(self, index: Tensor, n, verb, upper=True):
        """A run-time check of ``0 <= index < n`` (TF raises when the graph runs)."""
        from ._capture import add_check
        i = index._v
        size = n._v if isinstance(n, Tensor) else n
        ok = jnp.logical_and(i >= 0, i < size) if upper else i >= 0

        def error(data):
            return InvalidArgumentError(None, None, f"Trying to {verb} element {int(data[0])} "
                                                    f"in a list with {int(data[1])} elements.")
        add_check(ok, [i, jnp.asarray(size, jnp.int32)], error)

    def read(self, index, name=None) -> Tensor:
        """The element at ``index`` (zeros if it was never written)."""
        i = static_int(index)
        if self._probe is not None:
            es = self._cell[0]
            if not es.is_fully_defined():
                raise NeedShape("a TensorArray read before its element shape is known")
            from .._ops.array_ops import broadcast_to
            return broadcast_to(self._probe, es.as_list())
        n = self._static_n()
        if i is not None and (i < 0 or (n is not None and i >= n)):
            raise InvalidArgumentError(None, None, f"Trying to access element {i} in a list "
                                                   f"with {n} elements.")
        if i is not None and self._items is not None:
            t = self._items[i]
            if t is not None:
                return t
            es = self._cell[0]
            if not es.is_fully_defined() and all(x is None for x in self._items):
                raise InvalidArgumentError(
                    None, None, f"Trying to read an uninitialized tensor but element_shape is "
                                f"not fully defined: {_shape_text(es)} and no list element "
                                f"is set.")
            return self._zeros()
        ta = self._buffered()
        if i is not None:
            if n is None:  # a dynamic_size array inside a loop: its length is traced
                self._check_range(convert_to_tensor(i), self._n, "access")
                if i >= ta._buffer.shape[0]:
                    return self._zeros(like=TensorShape(ta._buffer.shape.as_list()[1:]))
            return _run(_GET_STATIC, [ta._buffer], index=i)
        idx = _traced_index(index)
        self._check_range(idx, self._n, "access")
        if ta._buffer.shape[0] == 0:
            return self._zeros(like=TensorShape(ta._buffer.shape.as_list()[1:]))
        return _run(_GET, [ta._buffer, idx])

    # -- whole-array ops ------------------------------------------------------------------------
    def _stack_check(self):
        n = self._static_n()
        if n is None:
            raise EagerOnly("a dynamic_size TensorArray whose length is only known at run time")
        if not self._dynamic_size and self._declared is not None and n != self._declared:
            raise InvalidArgumentError(None, None, f"Operation expected a list with "
                                                   f"{self._declared} elements but got a list "
                                                   f"with {n} elements.")
        return n

    def stack(self, name=None) -> Tensor:
        """All elements stacked along a new first axis."""
        if self._probe is not None:
            raise NeedShape("TensorArray.stack inside a loop that is being probed")
        n = self._stack_check()
        es = self._cell[0]
        if self._items is not None:
            if n == 0:
                if not es.is_fully_defined():
                    raise InvalidArgumentError(
                        None, None, f"Tried to stack elements of an empty list with "
                                    f"non-fully-defined element_shape: {_shape_text(es)}")
                if self._dtype is _d.string:
                    return make_string(np.zeros([0] + es.as_list(), dtype=object))
                return make(jnp.zeros([0] + es.as_list(), self._dtype._np), self._dtype)
            if all(t is None for t in self._items) and not es.is_fully_defined():
                raise InvalidArgumentError(
                    None, None, f"Tried to stack list which only contains uninitialized "
                                f"tensors and has a non-fully-defined element_shape: "
                                f"{_shape_text(es)}")
            return self._pack(self._items)
        buf = self._buffer
        return buf if buf.shape[0] == n else _run(_HEAD, [buf], size=n)

    def _pack(self, items, name="packed") -> Tensor:
        from .._ops.array_ops import stack
        z = None
        out = []
        for t in items:
            if t is None:
                if z is None:
                    z = self._zeros()
                t = z
            out.append(t)
        return stack(out, name=name)

    def gather(self, indices, name=None) -> Tensor:
        """The elements at ``indices``, stacked."""
        if self._probe is not None:
            raise NeedShape("TensorArray.gather inside a loop that is being probed")
        idx = static_value(indices)
        n = self._static_n()
        if idx is not None and n is not None:
            for k in np.ravel(idx).tolist():
                if n == 0:
                    raise InvalidArgumentError(None, None, f"Trying to gather element {k} in a "
                                                           f"list with 0 elements.")
                if k < 0 or k >= n:
                    raise InvalidArgumentError(None, None, f"Index {k} out o range; list only "
                                                           f"has {n} elements.")
            if self._items is not None:
                return self._pack([self._items[int(k)] for k in np.ravel(idx)], name="stack")
        from .._ops.array_ops import gather
        return gather(self._buffered()._buffer, indices)

    def concat(self, name=None) -> Tensor:
        """All elements joined along their first axis."""
        if self._probe is not None:
            raise NeedShape("TensorArray.concat inside a loop that is being probed")
        n = self._stack_check()
        es = self._cell[0]
        if self._items is not None:
            items = self._items
            if n and any(t is None for t in items):
                z = self._zeros()
                items = [z if t is None else t for t in items]
            ranks = [t.ndim for t in items]
            if 0 in ranks or (not items and es.rank == 0):
                raise InvalidArgumentError(None, None, f"Concat saw a scalar shape at index "
                                                       f"{ranks.index(0) if 0 in ranks else 0} "
                                                       f"but requires at least vectors.")
            if not items:
                if not es.is_fully_defined():
                    raise InvalidArgumentError(
                        None, None, f"Tried to concat elements of an empty list with "
                                    f"non-fully-defined element_shape: {_shape_text(es)}")
                dims = [0] + es.as_list()[1:]
                return make(jnp.zeros(dims, self._dtype._np), self._dtype)
            from .._ops.array_ops import concat
            return concat(items, 0, name=name or "concat")
        buf = self.stack()
        if buf.ndim < 2:
            raise InvalidArgumentError(None, None, "Concat saw a scalar shape at index 0 but "
                                                   "requires at least vectors.")
        from .._ops.array_ops import reshape
        dims = buf.shape.as_list()
        return reshape(buf, [dims[0] * dims[1]] + dims[2:])

    def unstack(self, value, name=None) -> "GraphTensorArray":
        """A new TensorArray whose elements are the slices of ``value`` along its first axis."""
        value = self._value(value)
        if value.ndim == 0:
            raise ValueError("Shape must be at least rank 1 but is rank 0")
        self._check_element_shape(value.shape[1:])
        if self._probe is not None:
            return self._derive(n=int(value.shape[0]), probe=self._probe)
        if value.dtype is _d.string:
            from .._ops.array_ops import unstack
            items = list(unstack(value))
            return self._derive(n=len(items), items=items)
        return self._derive(n=int(value.shape[0]), buffer=value)

    def scatter(self, indices, value, name=None) -> "GraphTensorArray":
        """A new TensorArray with the slices of ``value`` written at ``indices``."""
        value = self._value(value)
        self._check_element_shape(value.shape[1:])
        idx = static_value(indices)
        if self._probe is not None:
            n = self._n
            if idx is not None and type(n) is int and np.size(idx):
                n = max(n, int(np.max(idx)) + 1)
            return self._derive(n=n, probe=self._probe)
        if idx is not None and self._items is not None:
            from .._ops.array_ops import unstack
            items = list(self._items)
            for k, v in zip(np.ravel(idx).tolist(), unstack(value)):
                if k < 0:
                    raise InvalidArgumentError(None, None, f"Trying to modify element {k} in "
                                                           f"a list with {len(items)} "
                                                           f"elements.")
                if k >= len(items):
                    items.extend([None] * (k + 1 - len(items)))
                items[k] = v
            return self._derive(n=len(items), items=items)
        ta = self._buffered()
        buf = ta._buffer
        n = self._static_n()
        if idx is not None and n is not None and np.size(idx):
            top = int(np.max(idx)) + 1
            if top > buf.shape[0]:
                buf = _run(_GROW, [buf], size=top)
            n = max(n, top)
        elif self._dynamic_size:
            raise EagerOnly("TensorArray.scatter at traced indices into a dynamic_size array")
        return ta._derive(n=n if n is not None else self._n,
                          buffer=_run(_SCATTER, [buf, _traced_index(indices), value]))

    def split(self, value, lengths, name=None) -> "GraphTensorArray":
        """A new TensorArray whose elements are pieces of ``value`` of the given ``lengths``."""
        value = self._value(value)
        lens = static_value(lengths)
        if lens is None:
            raise EagerOnly("TensorArray.split with lengths only known at run time")
        lens = [int(x) for x in np.ravel(lens)]
        if value.shape.rank is not None and len(set(lens)) == 1:
            self._check_element_shape(TensorShape([lens[0]]).concatenate(value.shape[1:]))
        if value.ndim == 0:
            raise InvalidArgumentError(None, None, f"Expected value to be at least a vector, "
                                                   f"but received shape: "
                                                   f"{value.shape.as_list()} ")
        total = value.shape.as_list()[0]
        start = 0
        pieces = []
        from .._ops.array_ops import slice as _slice
        for k in lens:
            if start + k > total:
                raise InvalidArgumentError(None, None, f"Attempting to slice [{start}, "
                                                       f"{start + k}] from tensor with length "
                                                       f"{total}")
            pieces.append(_slice(value, [start] + [0] * (value.ndim - 1),
                                 [k] + [-1] * (value.ndim - 1)))
            start += k
        if start != total:
            raise InvalidArgumentError(None, None, f"Unused values in tensor. Length of tensor: "
                                                   f"{total} Values used: {start}")
        if self._probe is not None:
            return self._derive(n=len(pieces), probe=self._probe)
        return self._derive(n=len(pieces), items=pieces)

    def size(self, name=None) -> Tensor:
        """The declared size (the current length for ``dynamic_size`` arrays), int32."""
        if not self._dynamic_size and self._declared is not None:
            return convert_to_tensor(self._declared)
        n = self._n
        return n if isinstance(n, Tensor) else convert_to_tensor(n)

    def identity(self) -> "GraphTensorArray":
        return self._derive(items=self._items, buffer=self._buffer, probe=self._probe)

    def close(self, name=None):
        return None

    def grad(self, source, flow=None, name=None):
        raise NotImplementedError()

    # -- loop carries (tftape's composite protocol) ---------------------------------------------
    def _meta_key(self, mode, buf=None):
        n = None if self._dynamic_size else self._n
        shape = None if buf is None else tuple(buf.shape)
        return (mode, self._dtype, self._dynamic_size, self._infer_shape, self._declared, n,
                shape)

    def __tf_flatten__(self):
        if self._probe is not None:
            comps = (self._probe,)
            if self._dynamic_size:
                comps += (self._n_tensor(),)
            return _Meta(self._meta_key("probe"), self._cell), comps
        ta = self._buffered()
        comps = (ta._buffer,)
        if self._dynamic_size:
            comps += (self._n_tensor(),)
        return _Meta(self._meta_key("buffer", ta._buffer), self._cell), comps

    def _n_tensor(self) -> Tensor:
        n = self._n
        return n if isinstance(n, Tensor) else convert_to_tensor(n)

    @classmethod
    def __tf_unflatten__(cls, meta, components):
        mode, dtype, dynamic, infer, declared, n, _ = meta.key
        ta = object.__new__(GraphTensorArray)
        ta._dtype = dtype
        ta._dynamic_size = dynamic
        ta._clear_after_read = True
        ta._infer_shape = infer
        ta._cell = meta.cell
        ta._colocate_with_first_write_call = True
        ta._declared = declared
        if dynamic:
            length = components[1]
            k = static_int(length)
            n = k if k is not None else length
        ta._n = n
        ta._items = None
        ta._buffer = components[0] if mode == "buffer" else None
        ta._probe = components[0] if mode == "probe" else None
        ta._flow = None
        return ta

    # -- loop preparation (control_flow._traced_while) ------------------------------------------
    def _needs_probe(self) -> bool:
        """Whether a loop must trace its body once before this array can be carried."""
        if self._buffer is not None:
            return self._dynamic_size
        if self._dtype is _d.string:
            raise EagerOnly("string TensorArrays in traced control flow")
        if self._dynamic_size:
            return True
        try:
            self._buffered()
        except NeedShape:
            return True
        return False

    def _as_probe(self) -> "GraphTensorArray":
        token = make(jnp.zeros((), self._dtype._np), self._dtype)
        return self._derive(items=None, buffer=None, probe=token)

    def _with_capacity(self, capacity: int) -> "GraphTensorArray":
        """This array as a buffer of ``capacity`` rows (a dynamic array's planned length)."""
        ta = self._buffered()
        buf = ta._buffer
        if buf.shape[0] < capacity:
            buf = _run(_GROW, [buf], size=capacity)
        return ta._derive(buffer=buf)


GraphTensorArray.__name__ = "TensorArray"
GraphTensorArray.__qualname__ = "TensorArray"


def is_graph_tensor_array(x) -> bool:
    return type(x) is GraphTensorArray


_tensor_array.GRAPH_CLASS[0] = GraphTensorArray

"""The Tensor (layer 2): an immutable wrapper around a ``jax.Array``.

String tensors hold a NumPy object array of ``bytes`` on the host, since JAX has no string
dtype. Operators are attached by the op modules (``tftape._ops.operators``), as TF does.
"""
from __future__ import annotations

import numbers
from time import perf_counter as _clock

import numpy as np

from . import dtypes as _d
from .shape import TensorShape, from_tuple as _shape_of
from .state import STATE

_new = object.__new__


class Tensor:
    """A multi-dimensional array with a TF dtype (``tf.Tensor``).

    >>> import tftape as tf
    >>> tf.constant([1, 2])
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([1, 2], dtype=int32)>
    """

    # ``_pend`` is set only on a PendingTensor (an op deferred while a tape records).
    __slots__ = ("_v", "_dtype", "_pend", "__weakref__")
    # Lets ``ndarray + tensor`` reach Tensor.__radd__ (numpy defers to higher priority).
    __array_priority__ = 100

    # -- attributes -----------------------------------------------------------
    @property
    def dtype(self) -> _d.DType:
        return self._dtype

    @property
    def shape(self) -> TensorShape:
        return _shape_of(self._v.shape)

    def get_shape(self) -> TensorShape:
        return self.shape

    def set_shape(self, shape):
        if not self.shape.is_compatible_with(shape):
            raise ValueError(f"Tensor's shape {self.shape} is not compatible with supplied "
                             f"shape {TensorShape(shape)}.")

    @property
    def ndim(self) -> int:
        return self._v.ndim

    @property
    def device(self) -> str:
        from .device import device_name
        return device_name(self._v)

    @property
    def backing_device(self) -> str:
        return self.device

    @property
    def name(self):
        raise AttributeError("Tensor.name is undefined when eager execution is enabled.")

    @property
    def is_packed(self) -> bool:
        return False

    def numpy(self):
        """The value as a NumPy array (a NumPy scalar, or ``bytes``, for rank 0)."""
        v = self._v
        if self._dtype is _d.string:
            return v[()] if v.ndim == 0 else v.copy()
        a = to_host(v)
        return a[()] if a.ndim == 0 else a.copy()

    _numpy = numpy

    def ref(self):
        return Reference(self)

    experimental_ref = ref

    def __jax_array__(self):
        if self._dtype is _d.string:
            raise TypeError("string tensors have no JAX representation")
        return self._v

    def __array__(self, dtype=None, copy=None):
        a = to_host(self._v)
        if dtype is not None:
            a = a.astype(dtype, copy=False)
        return a

    # -- array API / DLPack interop ----------------------------------------------------------
    # ``__array_namespace__``, ``to_device`` and ``mT`` are attached by the array-API
    # namespace (tftape._numpy.array_api), as the operators are by tftape._ops.operators.
    def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
        """Exports the tensor's buffer through DLPack (no copy)."""
        if self._dtype is _d.string:
            raise BufferError("string tensors cannot be exported through DLPack")
        if max_version is not None and tuple(max_version) < (1, 0):
            max_version = None  # a consumer of pre-1.0 DLPack gets the legacy capsule
        kw = {k: v for k, v in (("stream", stream), ("max_version", max_version),
                                ("dl_device", dl_device), ("copy", copy)) if v is not None}
        return self._v.__dlpack__(**kw)

    def __dlpack_device__(self):
        if self._dtype is _d.string:
            return (1, 0)  # kDLCPU: strings live on the host
        return self._v.__dlpack_device__()

    def __getattr__(self, name):
        # Only reached when normal lookup fails. TF points users at numpy behaviour for the
        # NumPy methods it can add to Tensor (tnp.experimental_enable_numpy_behavior).
        if name in _NUMPY_METHOD_NAMES:
            raise AttributeError(
                f"{type(self).__name__} object has no attribute '{name}'. " + """
        If you are looking for numpy-related methods, please run the following:
        tf.experimental.numpy.experimental_enable_numpy_behavior()
      """)
        cls = _TENSOR_QUALNAME if type(self).__name__ == "EagerTensor" else type(self).__name__
        raise AttributeError(f"'{cls}' object has no attribute '{name}'")

    # -- python protocol --------------------------------------------------------
    def __repr__(self) -> str:
        return f"<tf.Tensor: shape={self.shape}, dtype={self._dtype.name}, numpy={_numpy_text(self, True)}>"

    def __str__(self) -> str:
        return f"tf.Tensor({_numpy_text(self, False)}, shape={self.shape}, dtype={self._dtype.name})"

    def __format__(self, spec) -> str:
        return self.numpy().__format__(spec)

    def __hash__(self):
        raise TypeError("Tensor is unhashable. Instead, use tensor.ref() as the key.")

    def __len__(self) -> int:
        if self._v.ndim == 0:
            raise TypeError("Scalar tensor has no `len()`")
        return self._v.shape[0]

    def __iter__(self):
        if self._v.ndim == 0:
            raise TypeError("Cannot iterate over a scalar tensor.")
        return (self[i] for i in range(self._v.shape[0]))

    def __bool__(self) -> bool:
        x = self.numpy()
        if isinstance(x, np.ndarray):
            return bool(x.size > 0 and x)
        return bool(x)

    def __int__(self) -> int:
        return int(self.numpy())

    def __float__(self) -> float:
        return float(self.numpy())

    def __complex__(self) -> complex:
        return complex(self.numpy())

    def __index__(self) -> int:
        return np.asarray(self.numpy()).__index__()

    def __setitem__(self, key, value):
        raise TypeError(f"'{_TENSOR_QUALNAME}' object does not support item assignment")

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):
        return constant, (self.numpy(),)


_TENSOR_QUALNAME = "tensorflow.python.framework.ops.EagerTensor"

# ``tf.constant`` (unpickles tensors): set by ``_ops.constant_op``, which sits above this
# module. Pickles made before it moved there name it here.
constant = None


# -- reading a value on the host ------------------------------------------------------------------
# JAX runs CPU computations on a worker thread. A value read at once (``loss.numpy()`` right
# after ``gradient``) would put this thread to sleep until the worker is done, and on a
# machine whose idle cores are parked, waking it again costs tens of microseconds: more than
# a small step's whole computation. So a read first polls ``is_ready`` for up to
# ``_POLL_S``. A value not ready by then belongs to a long computation, and polling would
# only take a core from it: the next ``_PAUSE`` reads block at once.
_POLL_S = 1e-4
_PAUSE = 16
_skip = [0]   # reads left that block without polling
# Set by ``_variables``: dispatches the variable updates waiting for a read, if any. A host
# read that must wait for a computation dispatches them first, so that their dispatch costs
# nothing (the thread would wait anyway) and they run right after that computation.
before_wait = [None]


def to_host(v) -> np.ndarray:
    """``np.asarray(v)`` for a JAX array, polling briefly before blocking (see above)."""
    ready = getattr(v, "is_ready", None)
    if ready is None or ready():
        return np.asarray(v)
    hook = before_wait[0]
    if hook is not None:
        hook()
        if ready():
            return np.asarray(v)
    if _skip[0]:
        _skip[0] -= 1
        return np.asarray(v)
    end = _clock() + _POLL_S
    while _clock() < end:
        if ready():
            return np.asarray(v)
    _skip[0] = _PAUSE
    return np.asarray(v)


_NUMPY_METHOD_NAMES = frozenset({"T", "astype", "ravel", "transpose", "reshape", "clip", "size",
                                 "tolist", "data"})


class EagerTensor(Tensor):
    """The concrete class of eagerly computed tensors (TF's ``EagerTensor``)."""

    __slots__ = ()


class PendingTensor(EagerTensor):
    """An eager tensor whose op was deferred while a GradientTape recorded it.

    Its shape and dtype are known; its value is computed on first use: by ``tape.gradient``,
    which runs the forward ops together with the gradient in one XLA program, or, when the
    value is read before that, by running the pending ops it depends on (``_core.pending``).
    Then the object becomes a plain EagerTensor. ``_pend`` is ``(node, output index, shape)``.
    """

    __slots__ = ()

    # Computes a pending value: ``_core.pending.value``, set by that module (which imports
    # this one and sits above it).
    _compute = None

    def __getattr__(self, name):
        if name == "_v":
            return PendingTensor._compute(self)
        return Tensor.__getattr__(self, name)

    @property
    def shape(self) -> TensorShape:
        return _shape_of(tuple(self._pend[2]))

    @property
    def ndim(self) -> int:
        return len(self._pend[2])


# The class users see (``type(t)``) is TF's EagerTensor either way.
PendingTensor.__name__ = PendingTensor.__qualname__ = "EagerTensor"


def vshape(t) -> tuple:
    """The shape tuple of ``t`` without computing a pending value."""
    return t._pend[2] if type(t) is PendingTensor else t._v.shape


class SymbolicTensor(Tensor):
    """A tensor whose value is a JAX tracer (inside ``tf.function``)."""

    __slots__ = ("_name",)

    @property
    def shape(self) -> TensorShape:
        # Symbolic dims (tf.function traces with unknown sizes) are TF's None dims.
        return TensorShape([d if type(d) is int else None for d in self._v.shape])

    @property
    def name(self) -> str:
        """The graph name (``"add:0"``), as TF's graph tensors have."""
        try:
            return self._name
        except AttributeError:
            g = STATE.graph
            if g is None:
                return "Placeholder:0"
            # Made without a registry op (a constant, a variable read): named when asked.
            g.add("Const", (self,))
            return self._name

    def numpy(self):
        import sys
        if sys._getframe(1).f_globals.get("__name__", "").startswith("tftape."):
            self._numpy()    # tftape's own host code: the function then runs eagerly
        # TF's graph tensors have no numpy method.
        raise AttributeError("'SymbolicTensor' object has no attribute 'numpy'")

    def _numpy(self):
        raise NotImplementedError(
            "Cannot convert a symbolic tf.Tensor to a numpy array. This error may indicate "
            "that you're trying to pass a Tensor to a NumPy call, which is not supported.")

    def __array__(self, dtype=None, copy=None):
        self._numpy()

    def __repr__(self):
        return f"<tf.Tensor '{self.name}' shape={self.shape} dtype={self._dtype.name}>"

    def __str__(self):
        return f'Tensor("{self.name}", shape={self.shape}, dtype={self._dtype.name})'

    def __format__(self, spec):
        return str(self).__format__(spec)

    def __bool__(self):
        from .errors import OperatorNotAllowedInGraphError
        raise OperatorNotAllowedInGraphError(
            "Using a symbolic `tf.Tensor` as a Python `bool` is not allowed. You can attempt "
            "the following resolutions to the problem: If you are running in Graph mode, use "
            "Eager execution mode or decorate this function with @tf.function. If you are "
            "using AutoGraph, you can try decorating this function with @tf.function. If that "
            "does not work, then you may be using an unsupported feature or your source code "
            "may not be visible to AutoGraph. See https://github.com/tensorflow/tensorflow/blob/"
            "master/tensorflow/python/autograph/g3doc/reference/limitations.md#access-to-"
            "source-code for more information.")

    def __len__(self):
        if self._v.ndim == 0:
            raise TypeError("Scalar tensor has no `len()`")
        return self._v.shape[0]

    def __int__(self):
        self.__bool__()

    __float__ = __index__ = __int__


class Reference:
    """A hashable reference to a Tensor or Variable (``t.ref()``)."""

    __slots__ = ("_obj",)

    def __init__(self, obj):
        self._obj = obj

    def deref(self):
        return self._obj

    def __hash__(self):
        return id(self._obj)

    def __eq__(self, other):
        return isinstance(other, Reference) and other._obj is self._obj

    def __repr__(self):
        return f"<Reference wrapping {self._obj!r}>"


# -- construction ---------------------------------------------------------------
_tracer_types: tuple = ()


def _set_tracer_types():
    global _tracer_types
    import jax
    _tracer_types = (jax.core.Tracer,)


def make(v, dtype: _d.DType) -> Tensor:
    """Wraps a jax array (or tracer) ``v`` of TF dtype ``dtype`` without copying."""
    t = _new(SymbolicTensor if _tracer_types and isinstance(v, _tracer_types) else EagerTensor)
    t._v = v
    t._dtype = dtype
    return t


def make_string(arr: np.ndarray) -> Tensor:
    t = _new(EagerTensor)
    t._v = arr
    t._dtype = _d.string
    return t


def dtype_of(v) -> _d.DType:
    return _d._BY_NP[v.dtype]


def _numpy_text(t: Tensor, is_repr: bool) -> str:
    x = t.numpy()
    if is_repr:
        if np.isscalar(x) and not isinstance(x, bytes):
            text = repr(x.item())
        else:
            text = repr(x)
    else:
        text = str(x)
    if "\n" in text:
        text = "\n" + text
    return text


# -- conversion of Python and NumPy values -------------------------------------------
_INT32_MIN, _INT32_MAX = -(2 ** 31), 2 ** 31 - 1
_INT64_MIN, _INT64_MAX = -(2 ** 63), 2 ** 63 - 1


_NON_RECT = "Can't convert non-rectangular Python sequence to Tensor."


def _scan(value, info) -> tuple:
    """Returns the shape of a nested Python sequence, recording its leaf kinds in ``info``."""
    if isinstance(value, (list, tuple)):
        if not value:
            return (0,)
        first = _scan(value[0], info)
        for item in value[1:]:
            if _scan(item, info) != first:
                raise ValueError(_NON_RECT)
        return (len(value),) + first
    kinds = info["kinds"]
    if isinstance(value, (bool, np.bool_)):
        kinds.add("b")
    elif isinstance(value, (str, bytes)):
        kinds.add("s")
    elif isinstance(value, numbers.Integral):
        kinds.add("i")
        v = int(value)
        if v < info["min"]:
            info["min"] = v
        if v > info["max"]:
            info["max"] = v
    elif isinstance(value, numbers.Real):
        kinds.add("f")
    elif isinstance(value, numbers.Complex):
        kinds.add("c")
    elif isinstance(value, Tensor) or hasattr(type(value), "__tf_tensor__"):
        kinds.add("t")
        return tuple(value.shape)
    elif isinstance(value, np.ndarray):
        kinds.add("t")
        return value.shape
    else:
        raise ValueError(f"Attempt to convert a value ({value!r}) with an unsupported type "
                         f"({type(value)}) to a Tensor.")
    return ()


def _encode(x):
    if isinstance(x, str):
        return x.encode("utf-8")
    if isinstance(x, (bytes, np.bytes_)):
        return bytes(x)
    return x


def _string_array(value) -> np.ndarray:
    arr = np.asarray(value, dtype=object)
    out = np.empty(arr.shape, dtype=object)
    flat_in, flat_out = arr.reshape(-1), out.reshape(-1)
    for i, x in enumerate(flat_in):
        if isinstance(x, np.ndarray):
            x = x.item()
        if not isinstance(x, (str, bytes, np.str_, np.bytes_)):
            raise TypeError(f"Failed to convert elements of {value!r} to Tensor. "
                            f"Consider casting elements to a supported type.")
        flat_out[i] = _encode(x.item() if isinstance(x, np.generic) else x)
    return out


# Which Python leaf kinds convert to a requested dtype kind (TF's IsCompatible).
_COMPATIBLE = {"i": "ib", "u": "ib", "f": "fib", "c": "cfib", "b": "b", "s": "s"}
# Python bools convert only to these (TF's scalar conversion goes through int64/double).
_FROM_PY_BOOL = {"float16", "float32", "float64", "int32", "int64", "uint64", "complex128", "bool"}


def python_to_numpy(value, dtype: _d.DType | None):
    """Converts a Python scalar or nested sequence with TF's inference and checks."""
    info: dict = {"kinds": set(), "min": 0, "max": 0}
    _scan(value, info)
    kinds = info["kinds"]
    if "t" in kinds:
        return None  # caller packs tensors
    if len(kinds) > 1:
        if kinds <= {"i", "f"} or kinds <= {"i", "f", "c"}:
            kind = "c" if "c" in kinds else "f"
        else:
            raise ValueError("Can't convert Python sequence with mixed types to Tensor.")
    elif kinds:
        kind = next(iter(kinds))
    else:
        kind = None
    if dtype is None:
        if kind is None or kind == "f":
            dtype = _d.float32
        elif kind == "i":
            lo, hi = info["min"], info["max"]
            if _INT32_MIN <= lo and hi <= _INT32_MAX:
                dtype = _d.int32
            elif _INT64_MIN <= lo and hi <= _INT64_MAX:
                dtype = _d.int64
            else:
                raise ValueError("Can't convert Python sequence with out-of-range integer to Tensor.")
        elif kind == "b":
            dtype = _d.bool
        elif kind == "c":
            dtype = _d.complex128
        else:
            dtype = _d.string
    elif kind is not None and (kind not in _COMPATIBLE[dtype._kind] or (
            "b" in kinds and dtype.name not in _FROM_PY_BOOL)):
        shown = value if not isinstance(value, (list, tuple)) or len(str(value)) < 200 else "..."
        raise TypeError(f"Cannot convert {shown!r} to EagerTensor of dtype "
                        f"{_d.TF_TYPE_NAMES.get(dtype, dtype.name)}")
    if dtype is _d.string:
        return _string_array(value), dtype
    if kind == "i":
        if not (_INT64_MIN <= info["min"] and info["max"] <= _INT64_MAX):
            raise ValueError("Can't convert Python sequence with out-of-range integer to Tensor.")
        # Note: TF wraps Python ints into narrower integer dtypes (300 -> uint8 44).
        return np.array(value, dtype=np.int64).astype(dtype._np), dtype
    return np.array(value, dtype=dtype._np), dtype


def numpy_to_dtype(arr: np.ndarray, dtype: _d.DType | None):
    """A NumPy array keeps its dtype; strings become object arrays of bytes."""
    if arr.dtype.kind in "OSU":
        if dtype is not None and dtype is not _d.string:
            if arr.dtype.kind == "O":
                return python_to_numpy(arr.tolist(), dtype)
            raise TypeError(f"Cannot convert {arr!r} to EagerTensor of dtype {dtype.name}")
        return _string_array(arr), _d.string
    src = _d._BY_NP.get(arr.dtype)
    if src is None:
        raise TypeError(f"Unsupported numpy type: {arr.dtype}")
    if dtype is None or dtype is src:
        return arr, src
    if dtype is _d.string:
        kind = type(arr.reshape(-1)[0].item()).__name__ if arr.size else arr.dtype.name
        raise ValueError(f"Failed to convert a NumPy array to a Tensor (Unsupported object type "
                         f"{kind}).")
    # Note: NumPy values are cast to any requested numeric dtype, as TF does.
    return arr.astype(dtype._np), dtype

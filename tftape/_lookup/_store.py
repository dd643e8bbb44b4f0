"""The contents of a lookup table and how keys are found in it, on the host or under tracing.

A ``Store`` maps each key (``bytes`` or ``int``) to a row of values (a scalar, or an array of
the table's value shape). Lookups of concrete keys run on the host; symbolic numeric keys
(inside ``tf.function``) are found with ``searchsorted`` on a sorted copy of the keys, so that
the lookup compiles with the rest of the function.
"""
from __future__ import annotations

import itertools

import numpy as np

from .._core import dtypes as _d
from .._core.errors import InvalidArgumentError, NotFoundError, kernel_error
from .._core.registry import wrap
from .._core.tensor import Tensor, make
from .._function._capture import _EagerOnly
from .._function._region import is_symbolic

_UID = itertools.count(1)


def uid() -> int:
    """A process-wide counter, as TF's ``ops.uid()`` names eager tables' resources."""
    return next(_UID)


def dt_enum(dt: _d.DType) -> str:
    return "DT_" + _d.TF_TYPE_NAMES[dt].upper()


def shape_text(shape) -> str:
    return "[" + ",".join(str(d) for d in shape) + "]"


def check_kernel(op_name: str, kernels, key_dtype, value_dtype, attrs: str, name: str):
    """TF's NotFoundError for a (key, value) dtype pair its table kernel is not registered for.

    ``attrs`` are the node's attributes other than the dtypes, in TF's (alphabetical) order,
    split as ``(before_key_dtype, between, after_value_dtype)``.
    """
    pair = (_d.TF_TYPE_NAMES[key_dtype].upper(), _d.TF_TYPE_NAMES[value_dtype].upper())
    if pair in kernels:
        return
    before, between, after = attrs
    node = (f"{op_name}[{before}key_dtype={dt_enum(key_dtype)}, {between}"
            f"value_dtype={dt_enum(value_dtype)}{after}]")
    lines = "\n".join(f"  device='CPU'; key_dtype in [DT_{k}]; value_dtype in [DT_{v}]"
                      for k, v in kernels)
    raise NotFoundError(None, None, (
        f"Could not find device for node: {{{{node {op_name}}}}} = {node}\nAll kernels "
        f"registered for op {op_name}:\n{lines}\n [Op:{op_name}] name: {name}"))


def value_text(v) -> str:
    """A value as TF's C++ ``operator<<`` prints it in table messages."""
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, (bool, np.bool_)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return f"{float(v):g}"
    return str(v)


def host_keys(arr: np.ndarray) -> list:
    """The keys of a NumPy array as dict keys: ``bytes`` or Python ints."""
    return arr.reshape(-1).tolist()


class Store:
    """A table's entries in insertion order, with a cached sorted view for numeric lookups."""

    def __init__(self, key_dtype: _d.DType, value_dtype: _d.DType, value_shape=()):
        self.key_dtype = key_dtype
        self.value_dtype = value_dtype
        self.value_shape = tuple(value_shape)
        self.rows: dict = {}
        self.initialized = False
        self._sorted = None

    def __len__(self):
        return len(self.rows)

    def changed(self):
        self._sorted = None

    def put(self, keys: list, values: np.ndarray):
        rows = self.rows
        for k, v in zip(keys, values):
            rows[k] = v
        self.changed()

    def export(self):
        """(keys, values) as NumPy arrays in insertion order."""
        kt = object if self.key_dtype is _d.string else self.key_dtype._np
        vt = object if self.value_dtype is _d.string else self.value_dtype._np
        keys = np.array(list(self.rows.keys()), dtype=kt).reshape(-1)
        vals = np.empty((len(self.rows),) + self.value_shape, dtype=vt)
        for i, v in enumerate(self.rows.values()):
            vals[i] = v
        return keys, vals

    def find_host(self, keys: np.ndarray, default: np.ndarray) -> np.ndarray:
        """Looks each key of ``keys`` up; ``default`` is one row or one row per key."""
        vt = object if self.value_dtype is _d.string else self.value_dtype._np
        out = np.empty(keys.shape + self.value_shape, dtype=vt)
        flat = out.reshape((-1,) + self.value_shape)
        per_key = default.shape[:keys.ndim] == keys.shape and default.ndim > len(self.value_shape)
        dflat = default.reshape((-1,) + self.value_shape) if per_key else None
        if default.ndim == 0:
            default = default.item()
        get = self.rows.get
        missing = object()
        for i, k in enumerate(host_keys(keys)):
            v = get(k, missing)
            flat[i] = (dflat[i] if per_key else default) if v is missing else v
        return out

    def find_traced(self, keys: Tensor, default: Tensor) -> Tensor:
        """Looks up symbolic numeric keys with JAX: searchsorted on the sorted table keys."""
        import jax.numpy as jnp
        if self.value_dtype is _d.string or self.key_dtype is _d.string:
            raise _EagerOnly("string values in a lookup table")
        if self._sorted is None:
            k, v = self.export()
            order = np.argsort(k, kind="stable")
            self._sorted = (k[order], v[order])
        sk, sv = self._sorted
        k = keys._v.reshape(-1)
        if len(sk) == 0:
            out = jnp.broadcast_to(default._v, k.shape + self.value_shape)
        else:
            i = jnp.clip(jnp.searchsorted(jnp.asarray(sk), k), 0, len(sk) - 1)
            hit = (jnp.asarray(sk)[i] == k).reshape((-1,) + (1,) * len(self.value_shape))
            out = jnp.where(hit, jnp.asarray(sv)[i], default._v)
        return make(out.reshape(tuple(keys._v.shape) + self.value_shape), self.value_dtype)


def as_numpy(t: Tensor) -> np.ndarray:
    return np.asarray(t.numpy())


def to_tensor(arr: np.ndarray, dtype: _d.DType) -> Tensor:
    if dtype is _d.string:
        return wrap(np.asarray(arr, dtype=object))
    return wrap(np.asarray(arr, dtype=dtype._np))


def find(store: Store, keys: Tensor, default: Tensor, static: bool) -> Tensor:
    """Looks ``keys`` up in ``store``: on the host, or with JAX when ``keys`` are symbolic.

    A mutable table (``static`` False) changes between calls of a compiled function, so its
    lookups run eagerly.
    """
    if is_symbolic(keys) or is_symbolic(default):
        if not static:
            raise _EagerOnly("a mutable lookup table")
        return store.find_traced(keys, default)
    return to_tensor(store.find_host(as_numpy(keys), as_numpy(default)), store.value_dtype)


def table_error(op_name: str, message: str, cls=None, name: str = ""):
    """A table kernel's error, as TF's eager kernels word it."""
    return kernel_error(op_name, message, cls or InvalidArgumentError, name)

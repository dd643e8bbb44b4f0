"""Flattening tf.function arguments into a trace key, tensor inputs and a rebuild recipe.

TF's tracing rules: tensors (and NumPy arrays) are keyed by dtype and shape, Variables by
dtype and shape (a trace is reused for another Variable of the same spec), Python values by
equality (``1``, ``1.0`` and ``True`` share a trace), containers by structure and type, other
objects by equality (by identity unless they define ``__eq__``/``__hash__``).
"""
from __future__ import annotations

import inspect
import weakref

import numpy as np

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._core.tensor import Tensor

_SCALARS = (bool, int, float, complex, str, bytes, type(None))


def is_variable(x) -> bool:
    return getattr(type(x), "_is_tf_variable", False)


def _is_namedtuple(x) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


class Flat:
    """Tensors, Variables and the hashable key of one call's arguments."""

    __slots__ = ("tensors", "variables", "key", "has_string")

    def __init__(self):
        self.tensors: list = []
        self.variables: list = []
        self.has_string = False


def flatten(value, flat: Flat):
    """Returns the key of ``value``, appending its tensors and variables to ``flat``."""
    t = type(value)
    if t in _SCALARS:
        return value
    if isinstance(value, Tensor):
        if value._dtype is _d.string:
            flat.has_string = True
        flat.tensors.append(value)
        return ("T", value._dtype, value._v.shape)
    if isinstance(value, (np.ndarray, np.generic)) and value.dtype.kind not in "OSU":
        x = convert_to_tensor(value)
        flat.tensors.append(x)
        return ("T", x._dtype, x._v.shape)
    if is_variable(value):
        h = value._handle()
        if h._dtype is _d.string:
            flat.has_string = True
        flat.variables.append(h)
        return ("V", h._dtype, tuple(h._shape.as_list()) if h._shape.rank is not None else None)
    if t is list or t is tuple:
        return (t, tuple(flatten(x, flat) for x in value))
    if isinstance(value, dict):
        keys = sorted(value, key=_sort_key)
        return (t, tuple((k, flatten(value[k], flat)) for k in keys))
    if _is_namedtuple(value):
        return (t, tuple(flatten(x, flat) for x in value))
    if hasattr(value, "__tf_flatten__"):
        meta, comps = value.__tf_flatten__()
        return ("C", t, _hashable(meta), tuple(flatten(c, flat) for c in comps))
    if isinstance(value, (np.ndarray, np.generic)):
        flat.has_string = True
        flat.tensors.append(convert_to_tensor(value))
        return ("T", _d.string, np.shape(value))
    try:
        hash(value)
        return ("O", value)
    except TypeError:
        return ("I", id(value))


def _hashable(meta):
    try:
        hash(meta)
        return meta
    except TypeError:
        return ("I", id(meta))


def _sort_key(k):
    return (0, k) if isinstance(k, (int, float)) else (1, str(k)) if isinstance(k, str) \
        else (2, str(k))


def rebuild(value, tensors, variables):
    """``value`` with its tensors and variables replaced, in :func:`flatten`'s order.

    ``tensors`` and ``variables`` are iterators.
    """
    t = type(value)
    if t in _SCALARS:
        return value
    if isinstance(value, Tensor) or (isinstance(value, (np.ndarray, np.generic))):
        return next(tensors)
    if is_variable(value):
        next(variables)
        return value
    if t is list:
        return [rebuild(x, tensors, variables) for x in value]
    if t is tuple:
        return tuple(rebuild(x, tensors, variables) for x in value)
    if isinstance(value, dict):
        keys = sorted(value, key=_sort_key)
        vals = {k: rebuild(value[k], tensors, variables) for k in keys}
        if t is dict:
            return {k: vals[k] for k in value}
        return t((k, vals[k]) for k in value)
    if _is_namedtuple(value):
        return t(*[rebuild(x, tensors, variables) for x in value])
    if hasattr(value, "__tf_flatten__"):
        meta, comps = value.__tf_flatten__()
        return t.__tf_unflatten__(meta, tuple(rebuild(c, tensors, variables) for c in comps))
    return value


class _WeakMethod:
    """A method bound to an instance through a weak reference (no cycles through the cache)."""

    def __init__(self, fn, instance):
        self._fn = fn
        try:
            self._ref = weakref.ref(instance)
        except TypeError:
            self._ref = lambda instance=instance: instance
        self.__name__ = getattr(fn, "__name__", "method")
        self.__wrapped__ = fn
        self.__self__ = instance if not isinstance(self._ref, weakref.ref) else None

    @property
    def __signature__(self):
        sig = inspect.signature(self._fn)
        params = list(sig.parameters.values())[1:]
        return sig.replace(parameters=params)

    def __call__(self, *args, **kwargs):
        return self._fn(self._ref(), *args, **kwargs)

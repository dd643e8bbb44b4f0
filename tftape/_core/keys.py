"""Parts of compiled-program keys: by value where that is safe, else by identity.

A key made from ``id(obj)`` can match another object once ``obj`` is gone (ids are reused),
and return a program compiled for something else. :class:`Ident` keeps its object alive, so
its identity cannot be reused while the key exists.
"""
from __future__ import annotations

import types


class Ident:
    """A key part equal only to the very same object (kept alive, so never reused)."""

    __slots__ = ("obj",)

    def __init__(self, obj):
        self.obj = obj

    def __hash__(self):
        return id(self.obj)

    def __eq__(self, other):
        return type(other) is Ident and other.obj is self.obj

    def __repr__(self):
        return f"Ident({type(self.obj).__name__} at {hex(id(self.obj))})"


_SCALARS = (int, float, complex, str, bytes, bool, type(None))


def static_key(v):
    """``v`` as part of a program key: plain values by value (with their type, so that 1 and
    1.0 differ), tuples element-wise, anything else by identity."""
    if isinstance(v, _SCALARS):
        return (type(v), v)
    if type(v) is tuple:
        return tuple(static_key(x) for x in v)
    if isinstance(v, type):
        return v
    return Ident(v)


def closure_key(fn, is_input=lambda v: False):
    """The key of what ``fn`` closes over (its cells and defaults), and the cell values that
    ``is_input`` picks (those become program inputs, keyed by ``is_input``'s truthy result)."""
    f = getattr(fn, "__func__", fn)
    if not isinstance(f, types.FunctionType):
        return Ident(fn), []
    inputs, key = [], []
    for c in f.__closure__ or ():
        try:
            v = c.cell_contents
        except ValueError:   # an empty cell
            key.append(("empty",))
            continue
        k = is_input(v)
        if k:
            inputs.append(v)
            key.append(("input", k))
        else:
            key.append(static_key(v))
    defaults = tuple(static_key(d) for d in f.__defaults__ or ())
    kwdefaults = tuple(sorted((k, static_key(d)) for k, d in (f.__kwdefaults__ or {}).items()))
    bound = Ident(fn.__self__) if f is not fn else None
    return (f.__code__, tuple(key), defaults, kwdefaults, bound), inputs

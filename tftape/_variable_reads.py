"""How a variable's value is read while code is traced or differentiated.

``ResourceVariable._value`` becomes a data descriptor (:class:`_ValueSlot`) the first time code
is traced; until then it is a plain instance attribute. Through the descriptor:

* each thread may read other values from some variables (:func:`override_values`):
  ``custom_gradient``'s ``grad_fn`` sees the variable values ``f`` read, as traced inputs;
* inside a traced region (``_function._capture.Scope``, innermost last in ``_L.scopes``) the
  first read of a variable captures it as an input of the region, and writes and creations
  are recorded (see ``_function/_capture.py``).

This module sits below the function layer, so that eager programs (which never load it) can
differentiate custom gradients over variables. ``_variables`` fills its hooks when imported.
"""
from __future__ import annotations

import contextlib
import threading

# Filled by ``_variables`` when imported (this module cannot import it: it reads this one).
VARIABLE_CLASS: list = [None]   # ResourceVariable, whose ``_value`` the descriptor becomes
SETTLE: list = [None]           # runs a variable's deferred update


class _Local(threading.local):
    def __init__(self):
        self.scopes: list = []
        self.overrides: dict = {}   # id(variable) -> value this thread reads instead


_L = _Local()


def override_values(variables, values):
    """A context in which this thread (only) reads ``values`` from ``variables``."""
    @contextlib.contextmanager
    def ctx():
        install()
        ov = _L.overrides
        holders = [v._handle() if hasattr(v, "_handle") else v for v in variables]
        saved = [ov.get(id(h)) for h in holders]
        for h, x in zip(holders, values):
            ov[id(h)] = x
        try:
            yield
        finally:
            for h, old in zip(holders, saved):
                if old is None:
                    ov.pop(id(h), None)
                else:
                    ov[id(h)] = old
    return ctx()


class VariableCreationError(ValueError):
    """Raised (as TF's ValueError) when a tf.function creates a Variable after its first trace."""


_CREATION_MSG = ("tf.function only supports singleton tf.Variables created on the first call. "
                 "Make sure the tf.Variable is only created once or created outside tf.function. "
                 "See https://www.tensorflow.org/guide/function#creating_tfvariables for more "
                 "information.")


class _ValueSlot:
    """The data descriptor installed as ``ResourceVariable._value`` (see the module doc)."""

    def __get__(self, obj, typ=None):
        if obj is None:
            return self
        d = obj.__dict__
        loc = _L
        if loc.overrides:
            v = loc.overrides.get(id(obj))
            if v is not None:
                return v
        if "_pending" in d:
            _settle(obj)
        scopes = loc.scopes
        if scopes:
            s = scopes[-1]
            k = id(obj)
            if k not in s.outer and k not in s.created and "_value" in d:
                return s.capture(obj, d)
        try:
            return d["_value"]
        except KeyError:
            raise AttributeError("_value") from None

    def __set__(self, obj, value):
        d = obj.__dict__
        if "_pending" in d:
            _settle(obj)
        scopes = _L.scopes
        if scopes:
            s = scopes[-1]
            k = id(obj)
            if "_value" not in d:
                if not s.allow_creation:
                    raise ValueError(_CREATION_MSG)
                s.created[k] = obj
                s.initial[k] = value
            elif k not in s.created:
                if k not in s.outer:
                    s.outer[k] = (obj, d["_value"])
                s.assigned[k] = obj
                s.history.setdefault(k, []).append(value)
        d["_value"] = value

    def __delete__(self, obj):
        del obj.__dict__["_value"]


def _settle(obj):
    SETTLE[0](obj)


_installed = False


def install():
    global _installed
    if not _installed:
        # Note: installed once, on the first trace; outside traced regions it only forwards
        # to the instance dict (one Python-level call per access).
        VARIABLE_CLASS[0]._value = _ValueSlot()
        _installed = True


def raw_value(var):
    """A variable's stored value, bypassing capture."""
    h = var._handle() if hasattr(var, "_handle") else var
    if "_pending" in h.__dict__:
        _settle(h)
    return h.__dict__["_value"]


def set_raw_value(var, value):
    h = var._handle() if hasattr(var, "_handle") else var
    h.__dict__["_value"] = value


def reads_stored() -> bool:
    """Whether ``var._value`` is the stored value on this thread: no traced region captures
    reads and no override is in force (then :func:`stored_value` may stand for it)."""
    loc = _L
    return not loc.scopes and not loc.overrides


def stored_value(h):
    """``h._value`` of a variable handle where :func:`reads_stored` holds, without the
    descriptor's call (a deferred update still runs first)."""
    d = h.__dict__
    if "_pending" not in d:
        try:
            return d["_value"]
        except KeyError:
            pass
    return h._value


def store_value(h, value):
    """``h._value = value`` outside traced regions, without the descriptor's call."""
    d = h.__dict__
    if "_pending" in d:
        _settle(h)
    d["_value"] = value


def in_region() -> bool:
    return bool(_L.scopes)


def current_scope():
    return _L.scopes[-1] if _L.scopes else None

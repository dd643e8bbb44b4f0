"""Keras 3 naming: unique auto names (``dense``, ``dense_1``) and the name-scope stack.

A variable's ``path`` is the scope stack at creation time plus its name
(``sequential/dense/kernel``), as in Keras 3.
"""
from __future__ import annotations

import collections
import re
import threading

_UIDS: collections.defaultdict = collections.defaultdict(int)


class _Scopes(threading.local):
    def __init__(self):
        self.stack: list = []  # (name, caller) pairs


_SCOPES = _Scopes()


def to_snake_case(name: str) -> str:
    """Keras' class-name to layer-name rule.

    >>> to_snake_case("MaxPooling2D")
    'max_pooling2d'
    """
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def uniquify(name: str) -> str:
    """``name`` the first time, then ``name_1``, ``name_2``, ... (per session)."""
    n = _UIDS[name]
    _UIDS[name] += 1
    return name if n == 0 else f"{name}_{n}"


def auto_name(cls_name: str) -> str:
    return uniquify(to_snake_case(cls_name))


def reset_uids():
    """What ``keras.backend.clear_session()`` does to names."""
    _UIDS.clear()


class name_scope:
    """Pushes ``name`` on the scope stack (once per caller, as Keras' ``name_scope``)."""

    def __init__(self, name: str, caller=None):
        self.name = name
        self.caller = caller
        self._pushed = False

    def __enter__(self):
        st = _SCOPES.stack
        if self.caller is not None and st and st[-1][1] is self.caller:
            return self
        st.append((self.name, self.caller))
        self._pushed = True
        return self

    def __exit__(self, *exc):
        if self._pushed:
            _SCOPES.stack.pop()
            self._pushed = False


def current_path() -> str:
    return "/".join(n for n, _ in _SCOPES.stack)

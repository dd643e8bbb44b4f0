"""tf.Module: automatic tracking of Variables and sub-modules held in attributes."""
from __future__ import annotations

import contextlib
import re

from ._core.tensor import Tensor
from . import _trackable


def _is_var(x) -> bool:
    return getattr(type(x), "_is_tf_variable", False)


def _camel_to_snake(name: str) -> str:
    s = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()


class Module:
    """A named container of Variables and other Modules (``tf.Module``).

    >>> import tftape as tf
    >>> class Dense(tf.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.w = tf.Variable([[1.0]])
    >>> len(Dense().trainable_variables)
    1
    """

    _TF_MODULE_IGNORED_PROPERTIES = frozenset()

    def __init__(self, name=None):
        if name is None:
            name = _camel_to_snake(type(self).__name__)
        elif not re.match(r"^[A-Za-z_][A-Za-z0-9_.\-]*$", name):
            raise ValueError(f"{name!r} is not a valid module name. Module names must be valid "
                             f"Python identifiers (e.g. a valid class name).")
        self._name = name
        self._scope_name = name

    def __setattr__(self, name, value):
        object.__setattr__(self, name, value)
        if _trackable.PENDING:      # a checkpoint restore may be waiting for this attribute
            _trackable.children_changed(self)

    @property
    def name(self) -> str:
        return self._name

    @property
    def name_scope(self):
        return _NameScope(self._scope_name + "/")

    @property
    def variables(self):
        """All Variables of this module and its sub-modules (each once)."""
        return tuple(_walk(self, _is_var))

    @property
    def trainable_variables(self):
        return tuple(v for v in _walk(self, _is_var) if v.trainable)

    @property
    def non_trainable_variables(self):
        return tuple(v for v in _walk(self, _is_var) if not v.trainable)

    @property
    def submodules(self):
        return tuple(_walk(self, lambda x: isinstance(x, Module)))

    @classmethod
    def with_name_scope(cls, method):
        return method

    def _flatten(self, recursive=True, predicate=None, attribute_traversal_key=None,
                 with_path=False, expand_composites=False):
        return tuple(_walk(self, predicate or (lambda x: True)))


class _NameScope(contextlib.AbstractContextManager):
    def __init__(self, name):
        self.name = name

    def __enter__(self):
        return self.name

    def __exit__(self, *exc):
        return None


def _leaves(value):
    """tf.nest-style leaves of an attribute value (dicts by sorted key)."""
    if isinstance(value, dict):
        for k in sorted(value, key=str):
            yield from _leaves(value[k])
    elif isinstance(value, (list, tuple)):
        for x in value:
            yield from _leaves(x)
    else:
        yield value


def _walk(root, predicate):
    """TF's order: every leaf of every attribute (sorted by name), then each sub-module."""
    seen = set()
    out = []

    def visit(module):
        d = vars(module)
        ignored = getattr(module, "_TF_MODULE_IGNORED_PROPERTIES", frozenset())
        subs = []
        for k in sorted(d):
            if k in ignored:
                continue
            for leaf in _leaves(d[k]):
                if id(leaf) in seen or leaf is root:
                    continue
                if isinstance(leaf, Tensor) or leaf is None or isinstance(leaf, (str, int, float)):
                    continue
                seen.add(id(leaf))
                if predicate(leaf):
                    out.append(leaf)
                if isinstance(leaf, Module) or hasattr(leaf, "_tracked_children"):
                    subs.append(leaf)
        for m in subs:
            visit(m)
    visit(root)
    return out

"""Installing methods on a class from a module above it.

Tensor, RaggedTensor and Dataset sit low in the import graph; the modules that implement some
of their methods (operators, conversions, transformations) sit above and attach them, as JAX
attaches its array methods from above.
"""
from __future__ import annotations


def attach(cls, name: str, fn, kind=None):
    """Installs ``fn`` as ``cls.name`` (a method defined above ``cls``'s module), named as if
    defined in the class. ``kind`` wraps it: ``classmethod`` or ``property``."""
    fn.__name__ = name
    fn.__qualname__ = f"{cls.__qualname__}.{name}"
    fn.__module__ = cls.__module__
    setattr(cls, name, fn if kind is None else kind(fn))

"""Installing methods on a class from a module above it.

Tensor, RaggedTensor and Dataset sit low in the import graph; the modules that implement some
of their methods (operators, conversions, transformations) sit above and attach them, as JAX
attaches its array methods from above.
"""
from __future__ import annotations


def publish(fn, name: str, module: str | None = None, doc: str | None = None):
    """Names ``fn``, made by a factory, as the function ``name`` defined at the top of
    ``module`` (default: its own module), so that introspection (``help``, the API reference,
    pickling) finds it where it is published. Returns ``fn``."""
    fn.__name__ = fn.__qualname__ = name
    if module is not None:
        fn.__module__ = module
    if doc is not None:
        fn.__doc__ = doc
    return fn


def attach(cls, name: str, fn, kind=None):
    """Installs ``fn`` as ``cls.name`` (a method defined above ``cls``'s module), named as if
    defined in the class. ``kind`` wraps it: ``classmethod`` or ``property``."""
    fn.__name__ = name
    fn.__qualname__ = f"{cls.__qualname__}.{name}"
    fn.__module__ = cls.__module__
    setattr(cls, name, fn if kind is None else kind(fn))

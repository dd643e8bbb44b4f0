"""``alias_tensorflow()``: make ``import tensorflow`` (and every submodule) resolve to tftape.

A ``sys.meta_path`` finder maps ``tensorflow`` to ``tftape`` and ``tensorflow.X.Y`` to
``tftape.X.Y``; where tftape has no such module, the parent's attribute of that name is used
(``tensorflow.keras.layers`` may be an attribute rather than a module).
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys

_ALIAS = "tensorflow"
_TARGET = "tftape"


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target):
        self.target = target

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        name = module.__name__
        try:
            real = importlib.import_module(self.target)
        except ModuleNotFoundError as e:
            parent, _, child = self.target.rpartition(".")
            real = None
            if parent and e.name == self.target:
                pmod = sys.modules.get(parent) or importlib.import_module(parent)
                real = getattr(pmod, child, None)
            if real is None:
                raise ModuleNotFoundError(f"No module named {name!r}", name=name) from None
        sys.modules[name] = real


class _AliasFinder(importlib.abc.MetaPathFinder):
    """Finds ``tensorflow[.X...]`` as ``tftape[.X...]``; never the real TensorFlow."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname == _ALIAS or fullname.startswith(_ALIAS + "."):
            tgt = _TARGET + fullname[len(_ALIAS):]
            return importlib.util.spec_from_loader(fullname, _AliasLoader(tgt), is_package=True)
        return None


def alias_tensorflow() -> None:
    """Makes ``import tensorflow`` and ``tensorflow.*`` imports resolve to tftape.

    >>> alias_tensorflow()  # doctest: +SKIP
    >>> import tensorflow as tf  # doctest: +SKIP
    >>> tf.__name__  # doctest: +SKIP
    'tftape'
    """
    if not any(isinstance(f, _AliasFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _AliasFinder())
    # Modules of a real TensorFlow imported earlier would shadow the alias.
    for name in [n for n in sys.modules if n == _ALIAS or n.startswith(_ALIAS + ".")]:
        mod = sys.modules[name]
        if not getattr(mod, "__name__", "").startswith(_TARGET):
            del sys.modules[name]
    importlib.import_module(_ALIAS)

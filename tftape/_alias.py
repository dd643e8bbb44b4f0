"""``alias_tensorflow()``: make ``import tensorflow`` (and every submodule) resolve to tftape.

A ``sys.meta_path`` finder maps ``tensorflow`` to ``tftape`` and ``tensorflow.X.Y`` to
``tftape.X.Y``; where tftape has no such module, the parent's attribute of that name is used
(``tensorflow.keras.layers`` may be an attribute rather than a module).
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types

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


def tf_module_name(name: str) -> str:
    """The ``__name__`` real TF gives the module that tftape's module ``name`` stands for.

    >>> tf_module_name("tftape.strings"), tf_module_name("tftape.keras.layers")
    ('tensorflow._api.v2.strings', 'keras._tf_keras.keras.layers')
    >>> tf_module_name("tftape.keras.optimizers")
    'keras.optimizers'
    """
    if name == _TARGET:
        return _ALIAS
    rest = name[len(_TARGET) + 1:]
    if rest == "keras" or rest.startswith("keras."):
        if rest.split(".")[1:2] in ([], ["layers"], ["losses"], ["metrics"], ["backend"]):
            return "keras._tf_keras." + rest
        return rest  # tf.keras.optimizers is Keras 3's own keras.optimizers
    if rest == "experimental":  # TF builds this one module outside its _api tree
        return f"{_ALIAS}.{rest}"
    return f"{_ALIAS}._api.v2.{rest}"


def _is_public(name: str) -> bool:
    parts = name.split(".")
    return parts[0] == _TARGET and not any(p.startswith("_") for p in parts[1:])


class _AliasedModule(types.ModuleType):
    """A public tftape module whose unknown attributes are reported under TF's module name."""

    def __getattr__(self, attr):
        # Reached only when the module has no such attribute (its own __getattr__ included).
        raise AttributeError(f"module {tf_module_name(self.__name__)!r} has no attribute "
                             f"{attr!r}", name=attr, obj=self)


def _rename(module) -> None:
    if type(module) is types.ModuleType and _is_public(getattr(module, "__name__", "")):
        module.__class__ = _AliasedModule


class _RenamingLoader(importlib.abc.Loader):
    """Wraps the loader of a public tftape module imported after aliasing."""

    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        _rename(module)

    def __getattr__(self, name):  # get_source, get_filename, is_package, ...
        return getattr(self.loader, name)


class _AliasFinder(importlib.abc.MetaPathFinder):
    """Finds ``tensorflow[.X...]`` as ``tftape[.X...]``; never the real TensorFlow."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname == _ALIAS or fullname.startswith(_ALIAS + "."):
            tgt = _TARGET + fullname[len(_ALIAS):]
            return importlib.util.spec_from_loader(fullname, _AliasLoader(tgt), is_package=True)
        if fullname.startswith(_TARGET + ".") and _is_public(fullname):
            spec = importlib.machinery.PathFinder.find_spec(fullname, path)
            if spec is not None and spec.loader is not None:
                spec.loader = _RenamingLoader(spec.loader)
            return spec
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
    # Under the alias, `tf.strings.foo` names TF's module, as TF's own message does.
    for name in [n for n in sys.modules if n.startswith(_TARGET + ".")]:
        _rename(sys.modules[name])
    # Modules of a real TensorFlow imported earlier would shadow the alias.
    for name in [n for n in sys.modules if n == _ALIAS or n.startswith(_ALIAS + ".")]:
        mod = sys.modules[name]
        if not getattr(mod, "__name__", "").startswith(_TARGET):
            del sys.modules[name]
    importlib.import_module(_ALIAS)

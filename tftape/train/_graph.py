"""The object graph of a checkpoint: which Python objects are nodes, and their named children.

The rules follow TensorFlow's tracking: a ``tf.Module`` (and any plain object saved through a
checkpoint) has a child per attribute holding a variable, a trackable object, or a list,
tuple or dict (tracked even when empty, as TF's list/dict wrappers are); lists and tuples name
their elements ``"0"``, ``"1"``...; dicts by key, in insertion order. Keras layers track
sub-layers and variables held in attributes (weights made by ``add_weight`` that no attribute
holds appear under ``_trainable_variables`` / ``_non_trainable_variables``); Keras optimizers
track ``_iterations``, ``_learning_rate`` and ``_variables`` (all their state, slots included),
as Keras 3 does.
"""
from __future__ import annotations

from .._core.tensor import Tensor

_CONTAINERS = (list, tuple, dict)


def is_variable(x) -> bool:
    return getattr(type(x), "_is_tf_variable", False)


def _keras_layer_cls():
    import sys
    mod = sys.modules.get("tftape.keras._layer")
    return mod.Layer if mod else None


def _keras_optimizer_cls():
    import sys
    mod = sys.modules.get("tftape.keras.optimizers._base")
    return mod.Optimizer if mod else None


def is_trackable(x) -> bool:
    """Whether ``x`` can be a node of the object graph."""
    from .._module import Module
    if is_variable(x) or isinstance(x, (Module,) + _CONTAINERS):
        return True
    if hasattr(x, "_checkpoint_children"):
        return True
    layer, opt = _keras_layer_cls(), _keras_optimizer_cls()
    return (layer is not None and isinstance(x, layer)) or (opt is not None and isinstance(x, opt))


def _contains_trackable(x) -> bool:
    if isinstance(x, dict):
        return any(_contains_trackable(v) for v in x.values())
    if isinstance(x, (list, tuple)):
        return any(_contains_trackable(v) for v in x)
    return x is not None and not isinstance(x, (Tensor, str, bytes, int, float)) and \
        is_trackable(x)


def _attr_children(obj, items, ignored=frozenset(), containers_need_content=False):
    out = []
    for k, v in items:
        if k in ignored or v is obj or isinstance(v, (Tensor, str, bytes, int, float)) \
                or v is None:
            continue
        if isinstance(v, _CONTAINERS):
            if containers_need_content and not _contains_trackable(v):
                continue
            out.append((str(k), v))
        elif is_trackable(v):
            out.append((str(k), v))
    return out


def children(obj) -> list:
    """``[(local_name, child)]`` of a trackable object, in TensorFlow's order."""
    if is_variable(obj):
        return []
    custom = getattr(obj, "_checkpoint_children", None)
    if custom is not None:
        return custom()
    if isinstance(obj, dict):
        return _attr_children(obj, obj.items())
    if isinstance(obj, (list, tuple)):
        return _attr_children(obj, enumerate(obj))
    layer, opt = _keras_layer_cls(), _keras_optimizer_cls()
    if layer is not None and isinstance(obj, layer):
        return _layer_children(obj)
    if opt is not None and isinstance(obj, opt):
        kids = [("_iterations", obj._iterations)]
        if is_variable(obj._learning_rate):
            kids.append(("_learning_rate", obj._learning_rate))
        return kids + [("_variables", obj._variables)]
    ignored = getattr(obj, "_TF_MODULE_IGNORED_PROPERTIES", frozenset())
    return _attr_children(obj, vars(obj).items(), ignored)


def _stateful(items):
    # Input layers hold no state and a Sequential model gains one when it is built: leaving
    # them out keeps the indices of its other layers the same before and after building.
    for k, v in items:
        if isinstance(v, list):
            v = [x for x in v if type(x).__name__ != "InputLayer"]
        yield k, v


def _layer_children(layer):
    kids = _attr_children(layer, _stateful(vars(layer).items()), layer._UNTRACKED,
                          containers_need_content=True)
    reached = set()

    def mark(x):
        if isinstance(x, dict):
            for v in x.values():
                mark(v)
        elif isinstance(x, (list, tuple)):
            for v in x:
                mark(v)
        else:
            reached.add(id(x))
    for _, v in kids:
        mark(v)
    for name in ("_trainable_variables", "_non_trainable_variables"):
        own = getattr(layer, name, [])
        if any(id(v) not in reached for v in own):
            kids.append((name, own))
    return kids


def escape(name: str) -> str:
    """TF's escaping of a local name inside a checkpoint key."""
    return name.replace(".", "..").replace("/", ".S")


class SavedGraph:
    """The breadth-first numbering of the objects reachable from ``root``."""

    def __init__(self, root):
        self.objects = [root]
        self.paths = [()]
        self.refs = [[]]
        index = {id(root): 0}
        i = 0
        while i < len(self.objects):
            obj = self.objects[i]
            for name, child in children(obj):
                j = index.get(id(child))
                if j is None:
                    j = index[id(child)] = len(self.objects)
                    self.objects.append(child)
                    self.paths.append(self.paths[i] + (name,))
                    self.refs.append([])
                self.refs[i].append((name, j))
            i += 1
        self.has_values = [is_variable(o) for o in self.objects]
        changed = True
        while changed:     # a node has values when any descendant is a variable
            changed = False
            for i, refs in enumerate(self.refs):
                if not self.has_values[i] and any(self.has_values[j] for _, j in refs):
                    self.has_values[i] = changed = True

    def key(self, i: int) -> str:
        return "/".join(escape(p) for p in self.paths[i]) + "/.ATTRIBUTES/VARIABLE_VALUE"

"""``tf.train.Checkpoint``: object-based saving and (deferred) restoration.

Saving numbers the objects reachable from the checkpoint breadth-first and writes each
variable's value under the escaped path of its first-found route (``m/v/.ATTRIBUTES/
VARIABLE_VALUE``), plus the serialized object graph, as a TensorBundle. Restoring walks the
stored graph and the live objects together by local name; values for objects that do not exist
yet stay pending on their parent and are assigned when it gains the child (see
``tftape._trackable``).
"""
from __future__ import annotations

import os
import weakref

import numpy as np

from .. import _trackable
from .._core import dtypes as _d
from .._core import errors as _e
from . import _bundle, _graph, _objgraph, _state
from ._objgraph import OBJECT_GRAPH_KEY


def _full_name(v) -> str:
    path = getattr(v, "path", None)
    if isinstance(path, str):
        return path
    name = v.name
    return name[:-2] if name.endswith(":0") else name


def _value_of(v):
    if v.dtype == _d.string if not isinstance(v.dtype, str) else v.dtype == "string":
        return np.asarray(v.numpy(), dtype=object)
    return np.asarray(v.numpy())


def _var_dtype(v) -> _d.DType:
    return _d.as_dtype(v.dtype)


def write_objects(root, file_prefix: str) -> str:
    """Writes the checkpoint of everything reachable from ``root``; returns the prefix."""
    g = _graph.SavedGraph(root)
    nodes, tensors = [], []
    for i, obj in enumerate(g.objects):
        attrs = []
        if _graph.is_variable(obj):
            key = g.key(i)
            attrs.append(("VARIABLE_VALUE", _full_name(obj), key))
            tensors.append((key, _value_of(obj), _var_dtype(obj)))
        nodes.append(_objgraph.Node(g.refs[i], attrs, (), g.has_values[i]))
    data = np.array(_objgraph.encode(nodes), dtype=object)
    tensors.append((OBJECT_GRAPH_KEY, data, _d.string))
    _bundle.write(os.fspath(file_prefix), tensors)
    return os.fspath(file_prefix)


class _Restoration:
    """One ``restore``/``read`` call: the stored graph and which live objects matched it."""

    def __init__(self, reader, nodes, prefix):
        self.reader = reader
        self.nodes = nodes
        self.prefix = prefix
        self.matched = {}             # node id -> live object
        self.matched_ids = set()

    def match(self, obj, node_id):
        if node_id in self.matched:
            return
        self.matched[node_id] = obj
        self.matched_ids.add(id(obj))
        if isinstance(obj, (list, tuple, dict)):
            self.match_children(obj, node_id)
            return
        node = self.nodes[node_id]
        if _graph.is_variable(obj):
            for name, _, key in node.attributes:
                if name == "VARIABLE_VALUE":
                    self._assign(obj, key)
        self.match_children(obj, node_id)

    def match_children(self, obj, node_id, owner=None) -> bool:
        """Matches the children of ``node_id``; returns whether some are still missing.

        Lists and dicts are matched again on every call (an owner may replace them), and
        missing children are left pending on the nearest owner that is not a container.
        """
        kids = dict(_graph.children(obj))
        missing = False
        for name, cid in self.nodes[node_id].children:
            child = kids.get(name)
            if child is None:
                missing = missing or cid not in self.matched
            elif isinstance(child, (list, tuple, dict)):
                self.matched[cid] = child
                missing = self.match_children(child, cid, owner or obj) or missing
            elif cid not in self.matched:
                self.match(child, cid)
        if missing and owner is None:
            _add_pending(obj, self, node_id)
        return missing

    def _assign(self, var, key):
        r = self.reader
        if not r.has(key):
            return
        want = _var_dtype(var)
        got = r.dtype(key)
        if want is not got:
            raise _e.InvalidArgumentError(
                None, None, f"tensor_name = {key}; expected dtype {_tf_name(want)} does not "
                            f"equal original dtype {_tf_name(got)} [Op:RestoreV2]")
        value = r.read(key, error=_e.DataLossError)
        shape = tuple(var.shape.as_list()) if hasattr(var.shape, "as_list") else \
            tuple(var.shape)
        if tuple(value.shape) != shape:
            name = var.name if ":" in var.name else var.name + ":0"
            raise ValueError(f"Received incompatible tensor with shape {tuple(value.shape)} "
                             f"when attempting to restore variable with shape {shape} and "
                             f"name {name}.")
        var.assign(value, read_value=False)

    def node_path(self, node_id) -> str:
        paths = {0: "(root)"}
        queue = [0]
        while queue:
            i = queue.pop(0)
            for name, cid in self.nodes[i].children:
                if cid not in paths:
                    paths[cid] = paths[i] + "." + name
                    queue.append(cid)
        return paths.get(node_id, "(unknown)")


def _tf_name(dtype) -> str:
    return _d.TF_TYPE_NAMES.get(dtype, dtype.name)


# -- deferred restoration --------------------------------------------------------------------
def _add_pending(obj, restoration, node_id):
    lst = _trackable.PENDING.setdefault(id(obj), [])
    # A newer restore of the same object supersedes what an older one left pending.
    lst[:] = [e for e in lst if e[1] is restoration and e[2] != node_id]
    lst.append((obj, restoration, node_id))


def _children_changed(owner):
    entries = _trackable.PENDING.pop(id(owner), None)
    for o, restoration, node_id in entries or ():
        restoration.match_children(o, node_id)


_trackable.install(_children_changed)


# -- load statuses ---------------------------------------------------------------------------
class CheckpointLoadStatus:
    """What ``Checkpoint.restore`` returns: checks how well the checkpoint matched."""

    def __init__(self, restoration, root):
        self._restoration = restoration
        self._root = weakref.ref(root) if _weakrefable(root) else (lambda: root)

    def assert_consumed(self):
        self.assert_existing_objects_matched()
        r = self._restoration
        for node_id, node in enumerate(r.nodes):
            # Only nodes that hold values count: the others matter through their children.
            if node.attributes and node_id not in r.matched:
                raise AssertionError(f"Unresolved object in checkpoint "
                                     f"{r.node_path(node_id)}: {node.text()}")
        return self

    def assert_existing_objects_matched(self):
        root = self._root()
        unused = []
        if root is not None:
            for obj in _graph.SavedGraph(root).objects:
                if _graph.is_variable(obj) and id(obj) not in self._restoration.matched_ids:
                    unused.append(obj)
        if unused:
            shown = unused[:10]
            raise AssertionError(
                f"Found {len(unused)} Python objects that were not bound to checkpointed "
                f"values, likely due to changes in the Python program. Showing {len(shown)} of "
                f"{len(unused)} unmatched objects: {shown}")
        return self

    def assert_nontrivial_match(self):
        if len(self._restoration.matched) <= 1:
            raise AssertionError(f"Nothing except the root object matched a checkpointed "
                                 f"value. Typically this means that the checkpoint does not "
                                 f"match the Python program.")
        return self

    def expect_partial(self):
        return self

    def run_restore_ops(self, session=None):
        return None

    def initialize_or_restore(self, session=None):
        return None


class InitializationOnlyStatus:
    """What ``restore(None)`` returns: nothing is restored."""

    def _fail(self):
        raise AssertionError("No checkpoint specified (save_path=None); nothing is being "
                             "restored.")

    def assert_consumed(self):
        self._fail()

    def assert_existing_objects_matched(self):
        self._fail()

    def assert_nontrivial_match(self):
        self._fail()

    def expect_partial(self):
        return self

    def run_restore_ops(self, session=None):
        return None

    def initialize_or_restore(self, session=None):
        return None


def _weakrefable(x) -> bool:
    try:
        weakref.ref(x)
        return True
    except TypeError:
        return False


def restore_objects(root, save_path) -> CheckpointLoadStatus:
    prefix = os.fspath(save_path)
    reader = _bundle.BundleReader(prefix)
    try:
        raw = reader.read(OBJECT_GRAPH_KEY, error=_e.DataLossError)
    except _e.NotFoundError:
        raise _e.NotFoundError(None, None, f"The checkpoint at {prefix} has no object graph "
                                           f"(it was not written by tf.train.Checkpoint); "
                                           f"name-based checkpoints are not supported.") from None
    try:
        nodes = _objgraph.decode(bytes(np.asarray(raw, dtype=object).reshape(())[()]))
    except ValueError as e:
        raise _e.DataLossError(None, None, f"Unable to parse the object graph of the "
                                           f"checkpoint at {prefix}: {e}") from None
    restoration = _Restoration(reader, nodes, prefix)
    if nodes:
        restoration.match(root, 0)
    return CheckpointLoadStatus(restoration, root)

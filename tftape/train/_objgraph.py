"""``TrackableObjectGraph`` protos: encoding, decoding and TF's text rendering of a node.

Schema (tensorflow/core/protobuf/trackable_object_graph.proto)::

    TrackableObjectGraph { repeated TrackableObject nodes = 1; }
    TrackableObject { repeated ObjectReference children = 1; repeated SerializedTensor
        attributes = 2; repeated SlotVariableReference slot_variables = 3;
        BoolValue has_checkpoint_values = 5; }
    ObjectReference { int32 node_id = 1; string local_name = 2; }
    SerializedTensor { string name = 1; string full_name = 2; string checkpoint_key = 3; }
    SlotVariableReference { int32 original_variable_node_id = 1; string slot_name = 2;
        int32 slot_variable_node_id = 3; }
"""
from __future__ import annotations

from . import _proto

OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"


class Node:
    __slots__ = ("children", "attributes", "slot_variables", "has_values")

    def __init__(self, children=(), attributes=(), slot_variables=(), has_values=None):
        self.children = list(children)          # [(local_name, node_id)]
        self.attributes = list(attributes)      # [(name, full_name, checkpoint_key)]
        self.slot_variables = list(slot_variables)  # [(original_id, slot_name, slot_id)]
        self.has_values = has_values            # None when the field is absent

    def text(self) -> str:
        """The node as TF's ``str(proto)`` prints it (used in assertion messages)."""
        out = []
        for name, nid in self.children:
            out.append(f"children {{\n  node_id: {nid}\n  local_name: {_q(name)}\n}}\n")
        for name, full, key in self.attributes:
            out.append(f"attributes {{\n  name: {_q(name)}\n  full_name: {_q(full)}\n"
                       f"  checkpoint_key: {_q(key)}\n}}\n")
        for orig, slot, sid in self.slot_variables:
            out.append(f"slot_variables {{\n  original_variable_node_id: {orig}\n"
                       f"  slot_name: {_q(slot)}\n  slot_variable_node_id: {sid}\n}}\n")
        if self.has_values is not None:
            inner = "  value: true\n" if self.has_values else ""
            out.append(f"has_checkpoint_values {{\n{inner}}}\n")
        return "".join(out)


def _q(s: str) -> str:
    body = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{body}"'


def encode(nodes) -> bytes:
    graph = _proto.Writer()
    for n in nodes:
        w = _proto.Writer()
        for name, nid in n.children:
            w.message(1, _proto.Writer().varint(1, nid).bytes(2, name))
        for name, full, key in n.attributes:
            w.message(2, _proto.Writer().bytes(1, name).bytes(2, full).bytes(3, key))
        for orig, slot, sid in n.slot_variables:
            w.message(3, _proto.Writer().varint(1, orig).bytes(2, slot).varint(3, sid))
        if n.has_values is not None:
            w.message(5, _proto.Writer().varint(1, int(n.has_values)))
        graph.message(1, w)
    return graph.finish()


def decode(data: bytes) -> list:
    """The nodes of a serialized graph; raises ``ValueError`` when it is malformed."""
    nodes = []
    for raw in _proto.parse(data).get(1, []):
        f = _proto.parse(raw)
        kids = []
        for c in f.get(1, []):
            cf = _proto.parse(c)
            kids.append((_proto.text(cf, 2), _proto.first(cf, 1)))
        attrs = []
        for a in f.get(2, []):
            af = _proto.parse(a)
            attrs.append((_proto.text(af, 1), _proto.text(af, 2), _proto.text(af, 3)))
        slots = []
        for s in f.get(3, []):
            sf = _proto.parse(s)
            slots.append((_proto.first(sf, 1), _proto.text(sf, 2), _proto.first(sf, 3)))
        hv = f.get(5)
        has = None if not hv else bool(_proto.first(_proto.parse(hv[-1]), 1))
        nodes.append(Node(kids, attrs, slots, has))
    for n in nodes:
        for _, nid in n.children:
            if not 0 <= nid < len(nodes):
                raise ValueError(f"child node id {nid} out of range")
    return nodes

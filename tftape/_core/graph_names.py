"""TF graph names for the symbolic tensors of a tf.function trace (``add:0``, ``add_1:0``).

While a tf.function traces, ``registry.STATE.graph`` is a :class:`GraphNames`: every op run on
symbolic tensors names its outputs as TF's graph would (the op's default name made unique,
case-insensitively, within the trace) and is listed for ``ConcreteFunction.graph``.
"""
from __future__ import annotations

from .state import STATE

# TF op types whose Python wrappers name the op differently (``x + y`` is an AddV2 named "add").
DEFAULT_NAMES = {
    "AddV2": "add", "Sub": "sub", "Mul": "mul", "RealDiv": "truediv", "Div": "truediv",
    "FloorDiv": "floordiv", "FloorMod": "mod", "Pow": "pow", "StridedSlice": "strided_slice",
    "ConcatV2": "concat", "Transpose": "transpose", "Pack": "stack", "ZerosLike": "zeros_like",
    "OnesLike": "ones_like", "Fill": "Fill", "BiasAdd": "BiasAdd",
}


class Operation:
    """One op of a traced function (``name``, ``type``, ``outputs``), as TF's ``tf.Operation``."""

    __slots__ = ("name", "type", "outputs")

    def __init__(self, name, type_, outputs):
        self.name = name
        self.type = type_
        self.outputs = list(outputs)

    def __repr__(self):
        return f"<tf.Operation '{self.name}' type={self.type}>"


class GraphNames:
    """The names in use in one trace, and its operations in creation order."""

    __slots__ = ("_in_use", "operations")

    def __init__(self):
        self._in_use: dict = {}
        self.operations: list = []

    def unique(self, name: str) -> str:
        """``name``, or ``name_<i>`` for the first ``i`` free (TF's ``Graph.unique_name``)."""
        key = name.lower()
        i = self._in_use.get(key, 0)
        self._in_use[key] = i + 1
        if i == 0:
            return name
        base = key
        while key in self._in_use:
            key = f"{base}_{i}"
            i += 1
        self._in_use[key] = 1
        return f"{name}_{i - 1}"

    def add(self, op_type: str, outputs, name: str | None = None) -> str:
        """Names ``outputs`` (``<op>:<i>``) after a new op of type ``op_type``."""
        if op_type.startswith("__inference_"):   # a call of another tf.function
            op_type = "StatefulPartitionedCall"
        name = self.unique(name or DEFAULT_NAMES.get(op_type, op_type))
        for i, t in enumerate(outputs):
            try:
                t._name = f"{name}:{i}"
            except AttributeError:   # not a symbolic tensor (a host string tensor)
                pass
        self.operations.append(Operation(name, op_type, outputs))
        return name


def label(t, op_type: str, name: str | None = None):
    """Names ``t`` as the output of a new ``op_type`` op while a tf.function traces."""
    g = STATE.graph
    if g is not None and STATE.tracing:
        g.add(op_type, (t,), name)
    return t

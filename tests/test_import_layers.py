"""The import graph of ``tftape/`` is layered and has no circles.

Every module's imports are read with ``ast`` (nothing is imported). An import counts as an edge
of the graph wherever it stands: at module level, or deferred inside a function or method. A
deferred import still runs, and one that exists only to dodge a circle at import time still ties
the two modules together (neither can be understood, tested or moved without the other), so it
counts like any other. Imports under ``if TYPE_CHECKING:`` also count: they name what a module
depends on.

An edge goes to the most specific module it names: ``from .._ops import array_ops`` is an edge
to ``tftape._ops.array_ops``; ``from .._ops import add`` is an edge to the package
``tftape._ops`` (its ``__init__``). The implicit import of a parent package's ``__init__`` does
not count (Python needs it; it carries no dependency of the importer's own).

The layers, lowest first, follow DESIGN.md (see docs/architecture.md). A module may import its
own layer or those below it, never one above, and no set of modules may import each other in a
circle, within a package or across packages.
"""
from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "tftape"

# Lowest first. Each entry names the first component under ``tftape`` (a subpackage or a
# top-level module); ``""`` is ``tftape/__init__.py`` itself.
LAYERS: list[tuple[str, set[str]]] = [
    # DESIGN 1-3: dtypes, shapes, errors, Tensor, conversion, the op registry and dispatch.
    ("core", {"_core"}),
    # DESIGN 3: the op declarations; they install Tensor's operators from above.
    ("ops", {"_ops"}),
    # DESIGN 4: tapes, lowering of recorded segments, jacobians, forward mode.
    ("autodiff", {"_autodiff"}),
    # DESIGN 5: tf.Variable.
    ("variables", {"_variables", "_variable_reads"}),
    # DESIGN 6: tf.function, autograph and control flow; tf.TensorArray, whose graph form
    # (``_function._graph_tensor_array``) subclasses the eager one.
    ("function", {"_function", "_tensor_array"}),
    # DESIGN 7: composites, and the NumPy / array-API namespace (which attaches Tensor's
    # ``__array_namespace__`` methods from here); image ops (tf.image).
    ("composites", {"_ragged", "_sparse", "_strings", "_sets", "_numpy",
                    "_image", "_lookup"}),
    # Object tracking, checkpoints and saved models, summaries, file formats (tf.io).
    ("services", {"_trackable", "_module", "_saved_model", "train", "summary", "_io"}),
    # DESIGN 8: public namespaces (thin re-exports) and the libraries built on the public API.
    ("public", {"", "_toplevel", "signal", "autodiff", "autograph", "bitwise", "config", "data", "debugging",
                "distribute", "dtypes", "errors", "experimental", "image", "io", "keras",
                "linalg", "lookup", "math", "nest", "nn", "ragged", "random", "saved_model", "sets",
                "sparse", "strings"}),
    # DESIGN 9: the drop-in entry.
    ("entry", {"_alias", "__main__"}),
]

# Known edges that break the rules, still to be cut (see docs/architecture.md). This list only
# shrinks: an entry whose edge is gone fails test_allowed_edges_still_exist, so that it is
# removed with the fix. Each entry is one edge left out of the circle check (one per remaining
# circle, chosen among the deferred imports), or an import from a lower layer into a higher one.
ALLOWED: set[tuple[str, str]] = {
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _nearest_module(name: str) -> str:
    while name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def imports_of(name: str, source: str | None = None) -> dict[str, int]:
    """The tftape modules that module ``name`` imports, each with the line of its first import."""
    path = MODULES[name]
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text() if source is None else source)
    found: dict[str, int] = {}
    for node in ast.walk(tree):  # every import, at any depth
        targets = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names if a.name.split(".")[0] == "tftape"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = name.split(".") if is_package else name.split(".")[:-1]
                package = package[:len(package) - (node.level - 1)]
                base = ".".join(package + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            if base.split(".")[0] != "tftape":
                continue
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base
                       for a in node.names]
        for target in targets:
            target = _nearest_module(target)
            if target != name:
                found.setdefault(target, node.lineno)
    return found


def layer_of(name: str) -> int:
    parts = name.split(".")
    top = parts[1] if len(parts) > 1 else ""
    for index, (_, members) in enumerate(LAYERS):
        if top in members:
            return index
    raise AssertionError(f"{name} is in no layer: add {top!r} to LAYERS")


def graph() -> dict[str, dict[str, int]]:
    return {name: imports_of(name) for name in MODULES}


def layer_violations(edges: dict[str, dict[str, int]]) -> list[str]:
    bad = []
    for src, targets in edges.items():
        for dst, line in targets.items():
            if (src, dst) not in ALLOWED and layer_of(dst) > layer_of(src):
                bad.append(f"{MODULES[src].relative_to(ROOT.parent)}:{line} imports {dst} "
                           f"(layer {LAYERS[layer_of(dst)][0]}) from layer "
                           f"{LAYERS[layer_of(src)][0]}")
    return bad


def find_cycle(edges: dict[str, dict[str, int]]) -> list[str] | None:
    sorter = graphlib.TopologicalSorter(
        {src: {dst for dst in targets if (src, dst) not in ALLOWED}
         for src, targets in edges.items()})
    try:
        sorter.prepare()
    except graphlib.CycleError as error:
        return error.args[1]
    return None


def test_every_module_has_a_layer():
    for name in MODULES:
        layer_of(name)


def test_imports_go_down_the_layers():
    bad = layer_violations(graph())
    assert not bad, "imports from a lower layer into a higher one:\n" + "\n".join(bad)


def test_no_import_circles():
    cycle = find_cycle(graph())
    assert cycle is None, "modules import each other in a circle: " + " -> ".join(cycle)


def test_allowed_edges_still_exist():
    edges = graph()
    stale = sorted(e for e in ALLOWED if e[1] not in edges.get(e[0], {}))
    assert not stale, f"cut edges still on the allow-list, remove them: {stale}"


@pytest.mark.parametrize("line", [
    "from .._ops import array_ops",
    "from .._ops.math_ops import add",
    "import tftape._numpy.array_api",
])
def test_an_upward_import_in_core_is_caught(line):
    """Adding an import of a higher layer to ``_core/tensor.py`` fails, deferred or not."""
    name = "tftape._core.tensor"
    source = MODULES[name].read_text()
    for text in (source + "\n" + line + "\n",
                 source + "\n\ndef _late():\n    " + line + "\n"):
        edges = graph()
        edges[name] = imports_of(name, text)
        assert layer_violations(edges), text[-80:]


def test_a_circle_is_caught():
    """An edge back from a module to one that imports it closes a circle."""
    edges = graph()
    src, dst = "tftape._core.registry", "tftape._core.tensor"
    assert dst in edges[src]
    edges[dst] = dict(edges[dst], **{src: 1})
    assert find_cycle(edges) is not None

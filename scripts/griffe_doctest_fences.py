"""A griffe extension for the API reference: docstring examples (``>>>`` lines and their
output) become fenced ``pycon`` code blocks, so Markdown neither nests them as blockquotes,
runs their lines together, nor takes outputs like ``<tf.Tensor: ...>`` for HTML tags."""
from __future__ import annotations

import griffe


def fence_doctests(text: str) -> str:
    """Wraps each run of ``>>>`` lines and their output (up to a blank line) in a fence.

    >>> fence_doctests("Adds.\\n\\n>" ">> 1 + 1\\n2").splitlines()[2:]
    ['```pycon', '>>> 1 + 1', '2', '```']
    """
    out, lines, i, in_fence = [], text.splitlines(), 0, False
    while i < len(lines):
        line = lines[i]
        stripped = line.lstrip()
        if stripped.startswith(("```", "~~~")):
            in_fence = not in_fence
        if in_fence or not (stripped == ">>>" or stripped.startswith(">>> ")):
            out.append(line)
            i += 1
            continue
        indent = line[:len(line) - len(stripped)]
        out.append(indent + "```pycon")
        while i < len(lines) and lines[i].strip():
            out.append(lines[i])
            i += 1
        out.append(indent + "```")
    return "\n".join(out)


class DoctestFences(griffe.Extension):
    """Fences the doctest examples of every object's docstring."""

    def on_instance(self, *, obj, **kwargs):
        if obj.docstring is not None and ">>>" in obj.docstring.value:
            obj.docstring.value = fence_doctests(obj.docstring.value)

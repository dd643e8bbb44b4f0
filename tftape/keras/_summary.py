"""``Model.summary()``: Keras 3's table, drawn as rich draws it (without colors)."""
from __future__ import annotations

import math
import shutil

import numpy as np

from .._core import dtypes as _d


def _count(weights):
    return int(sum(math.prod(v.shape) for v in weights))


def _memory(weights):
    seen = {id(w): w for w in weights}.values()
    return sum(math.prod(w.shape) * _d.as_dtype(str(w.dtype)).size for w in seen)


def readable_memory_size(size):
    for unit in ("B", "KB", "MB", "GB", "TB", "PB"):
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


def _fmt_shape(shape):
    return "(" + ", ".join(str(d) for d in shape) + ")"


def _layer_shape(layer):
    from ._layer import flatten
    if layer._inbound_nodes:
        outs = [o for o in flatten(layer._inbound_nodes[-1].outputs)]
        shapes = [_fmt_shape(o.shape) for o in outs]
        return shapes[0] if len(shapes) == 1 else "[" + ", ".join(shapes) + "]"
    if layer._build_shapes is None:
        return "?"
    try:
        out = layer.compute_output_shape(layer._build_shapes)
    except (NotImplementedError, Exception):  # noqa: BLE001
        return "?"
    if out and isinstance(out[0], (tuple, list)):
        return "[" + ", ".join(_fmt_shape(s) for s in out) + "]"
    return _fmt_shape(out)


def _ratio_reduce(total, ratios, maximums, values):
    """rich's ratio_reduce (how it shrinks columns that do not fit)."""
    total_ratio = sum(r for r, m in zip(ratios, maximums) if m)
    if not total_ratio:
        return list(values)
    remaining = total
    out = []
    for ratio, maximum, value in zip(ratios, maximums, values):
        if ratio and maximum and total_ratio > 0:
            d = min(maximum, round(ratio * remaining / total_ratio))
            out.append(value - d)
            remaining -= d
            total_ratio -= ratio
        else:
            out.append(value)
    return out


def _wrap(text, width):
    """Greedy word wrap, as rich folds a cell."""
    words = text.split(" ")
    lines, cur = [], ""
    for w in words:
        while len(w) > width:
            if cur:
                lines.append(cur)
                cur = ""
            lines.append(w[:width])
            w = w[width:]
        if not cur:
            cur = w
        elif len(cur) + 1 + len(w) <= width:
            cur += " " + w
        else:
            lines.append(cur)
            cur = w
    lines.append(cur)
    return lines


def _row(cells, widths, aligns, v="│"):
    wrapped = [_wrap(c, w - 2) for c, w in zip(cells, widths)]
    n = max(len(x) for x in wrapped)
    out = []
    for i in range(n):
        parts = []
        for lines, w, a in zip(wrapped, widths, aligns):
            t = lines[i] if i < len(lines) else ""
            t = t.rjust(w - 2) if a == "right" else t.center(w - 2) if a == "center" \
                else t.ljust(w - 2)
            parts.append(" " + t + " ")
        out.append(v + v.join(parts) + v)
    return out


def print_summary(model, line_length=None, positions=None, print_fn=None,
                  expand_nested=False, show_trainable=False, layer_range=None):
    from ._saving import model_classes
    Functional, Sequential = model_classes()
    layers = model.layers
    if isinstance(model, Sequential) or not isinstance(model, Functional):
        sequential_like = True
    else:
        sequential_like = all(len(n.input_tensors) <= 1 for n in model._nodes) and \
            len({id(n) for n in model._nodes}) == len(model._operations)
    if sequential_like:
        default, positions = 88, positions or [0.45, 0.80, 1.0]
        header, aligns = ["Layer (type)", "Output Shape", "Param #"], ["left", "left", "right"]
    else:
        default, positions = 108, positions or [0.3, 0.56, 0.74, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        aligns = ["left", "left", "right", "left"]
    if show_trainable:
        default += 12
        positions = [p * 0.90 for p in positions] + [1.0]
        header.append("Trainable")
        aligns.append("center")
    default = min(default, shutil.get_terminal_size().columns - 4)
    line_length = line_length or default
    widths, cur = [], 0
    for p in positions:
        w = (int(p * line_length) if p <= 1 else int(p)) - cur
        if w < 4:
            raise ValueError("Insufficient console width to print summary.")
        widths.append(w)
        cur += w
    excess = sum(widths) + len(widths) + 1 - line_length
    if excess > 0:
        widths = _ratio_reduce(excess, [1] * len(widths), widths, widths)

    def connections(layer):
        conns = []
        for node in layer._inbound_nodes:
            if node not in model._nodes:
                continue
            for kt in node.input_tensors:
                lyr, ni, ti = kt._keras_history
                conns.append(f"{lyr.name}[{ni}][{ti}]")
        return ", ".join(conns) or "-"

    rows = []

    def add(layer, level=0):
        prefix = ("   " * level + "└ ") if level else ""
        name = f"{prefix}{layer.name} ({layer.__class__.__name__})"
        if not layer.built:
            params = "0 (unbuilt)"
        else:
            params = f"{layer.count_params():,}"
        fields = [name, _layer_shape(layer), params]
        if not sequential_like:
            fields.append(connections(layer))
        if show_trainable:
            fields.append(("Y" if layer.trainable else "N") if layer.weights else "-")
        rows.append(fields)
        if expand_nested and hasattr(layer, "layers") and layer.layers:
            for sub in layer.layers:
                add(sub, level + 1)
    for layer in layers:
        add(layer)

    trainable = model.trainable_weights
    non_trainable = model.non_trainable_weights
    opt = getattr(model, "optimizer", None)
    opt_built = bool(getattr(model, "compiled", False) and opt is not None and opt.built)
    opt_vars = opt.variables if opt_built else []
    total = _count(trainable) + _count(non_trainable) + _count(opt_vars)
    total_mem = _memory(trainable) + _memory(non_trainable) + _memory(opt_vars)

    lines = [f'Model: "{model.name}"']
    top = "┏" + "┳".join("━" * w for w in widths) + "┓"
    lines.append(top)
    lines += _row(header, widths, aligns, "┃")
    lines.append("┡" + "╇".join("━" * w for w in widths) + "┩")
    for i, r in enumerate(rows):
        if i:
            lines.append("├" + "┼".join("─" * w for w in widths) + "┤")
        lines += _row(r, widths, aligns)
    lines.append("└" + "┴".join("─" * w for w in widths) + "┘")
    lines.append(f" Total params: {total:,} ({readable_memory_size(total_mem)})")
    lines.append(f" Trainable params: {_count(trainable):,} "
                 f"({readable_memory_size(_memory(trainable))})")
    lines.append(f" Non-trainable params: {_count(non_trainable):,} "
                 f"({readable_memory_size(_memory(non_trainable))})")
    if opt_built:
        lines.append(f" Optimizer params: {_count(opt_vars):,} "
                     f"({readable_memory_size(_memory(opt_vars))})")
    if print_fn is not None:
        print_fn("\n".join(lines) + "\n")
    else:
        print("\n".join(lines))


del np

"""TF's signatures of tf.function traces: which trace's signature covers a call's key, the
relaxed signature ``reduce_retracing`` gives a new trace, and the symbolic sizes it traces with."""
from __future__ import annotations

import jax

_SIGNATURE = ("input_signature",)   # the TF signature of every trace under input_signature


def _spec_shapes(spec, out):
    """Appends the shape (None dims; None for an unknown rank) of each tensor leaf of ``spec``."""
    if type(spec) is not tuple or not spec:
        return
    head = spec[0]
    if head == "T" and len(spec) == 3:
        out.append(spec[2])
    elif head == "C" and len(spec) == 4:
        for c in spec[3]:
            _spec_shapes(c, out)
    elif head in ("V", "O", "I"):
        return
    else:
        for c in spec:
            _spec_shapes(c, out)


def _with_shapes(key, shapes):
    """``key`` with its tensor leaves' shapes taken in order from the iterator ``shapes``."""
    if type(key) is not tuple or not key:
        return key
    head = key[0]
    if head == "T" and len(key) == 3:
        shp = next(shapes)
        return ("T", key[1], None if shp is None else tuple(shp))
    if head == "C" and len(key) == 4:
        return key[:3] + (tuple(_with_shapes(c, shapes) for c in key[3]),)
    if head in ("V", "O", "I"):
        return key
    return tuple(_with_shapes(c, shapes) for c in key)


def _symbolic_shapes(dims, tensors):
    """Input shapes with one JAX symbolic size per unknown dim, or None if all are known.

    Unknown dims on the same axis of different inputs whose sizes are equal in the call
    being traced share one symbol (the batch size of ``x`` and of its labels): JAX must know
    such sizes agree to combine them.
    """
    if dims is None or not any(d is None for shp in dims for d in shp):
        return None
    names: dict = {}
    for shp, t in zip(dims, tensors):
        for axis, (d, size) in enumerate(zip(shp, t._v.shape)):
            if d is None and (axis, size) not in names:
                names[(axis, size)] = f"d{len(names)}"
    syms = dict(zip(names, jax.export.symbolic_shape(", ".join(names.values()))))
    return [tuple(syms[(axis, size)] if d is None else d
                  for axis, (d, size) in enumerate(zip(shp, t._v.shape)))
            for shp, t in zip(dims, tensors)]


def _covers(general, specific) -> bool:
    """Whether the TF-level signature ``general`` accepts a call with key ``specific``."""
    if general is None:
        return False
    if general is _SIGNATURE:
        return True
    return _match(general, specific)


def _match(g, s) -> bool:
    if type(g) is tuple and g and g[0] in ("T", "V") and type(s) is tuple and s and s[0] == g[0]:
        if len(g) != 3 or len(s) != 3 or g[1] is not s[1]:
            return False
        gs, ss = g[2], s[2]
        if gs is None:
            return True
        if ss is None or len(gs) != len(ss):
            return False
        return all(a is None or a == b for a, b in zip(gs, ss))
    if type(g) is tuple and type(s) is tuple:
        if len(g) != len(s):
            return False
        return all(_match(a, b) for a, b in zip(g, s))
    try:
        return g == s
    except Exception:  # noqa: BLE001
        return False


def _generalize(g, s):
    """The most specific signature covering both (TF's reduce_retracing), or None."""
    if type(g) is tuple and g and g[0] in ("T", "V") and type(s) is tuple and s and s[0] == g[0]:
        if len(g) != 3 or len(s) != 3 or g[1] is not s[1]:
            return None
        gs, ss = g[2], s[2]
        if gs is None or ss is None or len(gs) != len(ss):
            return (g[0], g[1], None)
        return (g[0], g[1], tuple(a if a == b else None for a, b in zip(gs, ss)))
    if type(g) is tuple and type(s) is tuple:
        if len(g) != len(s):
            return None
        out = []
        for a, b in zip(g, s):
            r = _generalize(a, b)
            if r is None and not _same(a, b):
                return None
            out.append(a if r is None else r)
        return tuple(out)
    return g if _same(g, s) else None


def _same(a, b) -> bool:
    try:
        return bool(a == b) and type(a) is type(b) or a == b
    except Exception:  # noqa: BLE001
        return False

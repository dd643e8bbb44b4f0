"""A small ``tf.nest``: flatten and re-pack lists, tuples, namedtuples and dicts."""
from __future__ import annotations

from .._core.shape import TensorShape


def _is_namedtuple(x) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def is_nested(x) -> bool:
    return isinstance(x, _NESTED) and not isinstance(x, TensorShape)


_NESTED = (list, tuple, dict)


def flatten(structure, expand_composites=False) -> list:
    """The leaves of ``structure`` in TF's order (dicts by sorted key)."""
    t = type(structure)
    if t is list or t is tuple:
        for x in structure:
            if isinstance(x, _NESTED) and not isinstance(x, TensorShape):
                break
        else:
            return list(structure)  # the common flat case
    elif not is_nested(structure):
        return [structure]  # a TensorShape (a tuple) is a leaf, as in TF
    if isinstance(structure, dict):
        out = []
        for k in sorted(structure, key=_sort_key):
            out.extend(flatten(structure[k]))
        return out
    if isinstance(structure, (list, tuple)):
        out = []
        for x in structure:
            out.extend(flatten(x))
        return out
    return [structure]


def _sort_key(k):
    return (str(type(k)), k) if not isinstance(k, (int, float, str)) else (0, k) \
        if isinstance(k, (int, float)) else (1, k)


def pack_sequence_as(structure, flat_sequence, expand_composites=False):
    """Builds a structure like ``structure`` from the leaves ``flat_sequence``."""
    t = type(structure)
    if t is list or t is tuple:
        for x in structure:
            if is_nested(x):
                break
        else:
            return list(flat_sequence) if t is list else tuple(flat_sequence)
    elif not is_nested(structure):
        return flat_sequence[0]
    it = iter(flat_sequence)

    def build(s):
        if isinstance(s, dict):
            vals = {k: build(s[k]) for k in sorted(s, key=_sort_key)}
            return type(s)((k, vals[k]) for k in s) if type(s) is not dict else \
                {k: vals[k] for k in s}
        if _is_namedtuple(s):
            return type(s)(*[build(x) for x in s])
        if is_nested(s):
            return type(s)(build(x) for x in s)
        return next(it)
    return build(structure)


def map_structure(func, *structures, **kwargs):
    flats = [flatten(s) for s in structures]
    if len({len(f) for f in flats}) > 1:
        raise ValueError("The two structures don't have the same nested structure.")
    return pack_sequence_as(structures[0], [func(*xs) for xs in zip(*flats)])


def assert_same_structure(a, b, check_types=True, expand_composites=False):
    if len(flatten(a)) != len(flatten(b)):
        raise ValueError("The two structures don't have the same nested structure.")

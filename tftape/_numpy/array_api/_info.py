"""``__array_namespace_info__`` (array API inspection)."""
from __future__ import annotations

from ._common import (DEFAULT_COMPLEX, DEFAULT_FLOAT, DEFAULT_INDEX, DEFAULT_INT, DTYPES,
                      check_device)

_KINDS = {
    "bool": ("bool",),
    "signed integer": ("int8", "int16", "int32", "int64"),
    "unsigned integer": ("uint8", "uint16", "uint32", "uint64"),
    "integral": ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"),
    "real floating": ("float32", "float64"),
    "complex floating": ("complex64", "complex128"),
    "numeric": ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                "float32", "float64", "complex64", "complex128"),
}


class Info:
    """What the namespace supports: devices, default dtypes, dtype kinds."""

    __module__ = "tftape"

    def capabilities(self):
        # Data-dependent shapes (boolean masks, unique, nonzero) work eagerly only.
        return {"boolean indexing": True, "data-dependent shapes": True,
                "max dimensions": 64}

    def default_device(self):
        import jax
        return jax.devices()[0]

    def devices(self):
        import jax
        return list(jax.devices())

    def default_dtypes(self, *, device=None):
        check_device(device)
        return {"real floating": DEFAULT_FLOAT, "complex floating": DEFAULT_COMPLEX,
                "integral": DEFAULT_INT, "indexing": DEFAULT_INDEX}

    def dtypes(self, *, device=None, kind=None):
        check_device(device)
        if kind is None:
            return dict(DTYPES)
        kinds = (kind,) if isinstance(kind, str) else tuple(kind)
        out = {}
        for k in kinds:
            if k in DTYPES:
                out[k] = DTYPES[k]
                continue
            if k not in _KINDS:
                raise ValueError(f"unsupported kind {k!r}")
            for name in _KINDS[k]:
                out[name] = DTYPES[name]
        return out


def __array_namespace_info__():
    return Info()

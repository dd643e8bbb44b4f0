"""Keras 3's serialized form of an object: ``{"module", "class_name", "config",
"registered_name"}`` (what ``get_config`` of layers nests for initializers, regularizers...)."""
from __future__ import annotations


def serialize(obj, module):
    """``obj`` (an initializer, regularizer or constraint) as a config dict; None stays None."""
    if obj is None:
        return None
    from .saving import _registered_name_of
    registered = _registered_name_of(type(obj))
    return {"module": module if registered is None else type(obj).__module__,
            "class_name": type(obj).__name__, "config": obj.get_config(),
            "registered_name": registered}

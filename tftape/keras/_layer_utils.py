"""Helpers shared by the built-in layers: argument checks, ``InputSpec``, config serialization
and Keras masks (``Embedding(mask_zero=True)``, ``Masking``) carried beside tensors."""
from __future__ import annotations

import weakref

from . import activations as _act, constraints as _con, initializers as _init, \
    regularizers as _reg


# -- argument checks (Keras' messages) ----------------------------------------------------------
def standardize_tuple(value, n, name, allow_zero=False):
    """An int or an iterable of ``n`` ints as a tuple of ``n`` ints.

    >>> standardize_tuple(2, 3, "strides")
    (2, 2, 2)
    """
    msg = f"The `{name}` argument must be a tuple of {n} integers. Received {name}={value}"
    if isinstance(value, int):
        out = (value,) * n
    else:
        try:
            out = tuple(value)
        except TypeError:
            raise ValueError(msg) from None
        if len(out) != n:
            raise ValueError(msg)
        for v in out:
            try:
                int(v)
            except (ValueError, TypeError):
                raise ValueError(msg + f"including element {v} of type {type(v)}") from None
        out = tuple(int(v) for v in out)
    bad = [v for v in out if v < 0] if allow_zero else [v for v in out if v <= 0]
    if bad:
        req = ">= 0" if allow_zero else "> 0"
        raise ValueError(msg + f", including values {set(bad)} that do not satisfy `value "
                         f"{req}`")
    return out


def standardize_padding(value, allow_causal=False):
    if isinstance(value, (list, tuple)):
        return value
    padding = value.lower()
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    if padding not in allowed:
        # Note: Keras prints a Python set here, whose order varies between runs.
        raise ValueError("The `padding` argument must be a list/tuple or one of "
                         "{" + ", ".join(repr(a) for a in allowed) + "}. "
                         f"Received: {padding}")
    return padding


def standardize_data_format(data_format):
    if data_format is None:
        from ._config import image_data_format
        return image_data_format()
    data_format = str(data_format).lower()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError("The `data_format` argument must be one of {'channels_first', "
                         f"'channels_last'}}. Received: data_format={data_format}")
    return data_format


class InputSpec:
    """Constraints a layer puts on its input's rank and axes (``keras.layers.InputSpec``)."""

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None,
                 axes=None, allow_last_axis_squeeze=False, name=None, optional=False):
        self.dtype = dtype
        self.shape = None if shape is None else tuple(shape)
        self.ndim = len(self.shape) if shape is not None else ndim
        self.max_ndim, self.min_ndim = max_ndim, min_ndim
        self.axes = dict(axes or {})
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.name, self.optional = name, optional

    def get_config(self):
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim,
                "max_ndim": self.max_ndim, "min_ndim": self.min_ndim, "axes": self.axes}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        parts = [f"{k}={v}" for k, v in (("dtype", self.dtype), ("shape", self.shape),
                                          ("ndim", self.ndim), ("max_ndim", self.max_ndim),
                                          ("min_ndim", self.min_ndim),
                                          ("axes", self.axes or None)) if v]
        return f"InputSpec({', '.join(parts)})"


def assert_input_compatibility(spec, x, layer_name, index=0):
    """Raises Keras' ValueError when ``x``'s rank or axes do not fit ``spec``."""
    shape = tuple(x.shape)
    ndim = len(shape)
    head = (f"Input {index} with name '{spec.name}' of layer '{layer_name}' is incompatible "
            f"with the layer: ")
    if spec.ndim is not None and ndim != spec.ndim:
        raise ValueError(head + f"expected ndim={spec.ndim}, found ndim={ndim}. Full shape "
                         f"received: {shape}")
    if spec.max_ndim is not None and ndim > spec.max_ndim:
        raise ValueError(head + f"expected max_ndim={spec.max_ndim}, found ndim={ndim}")
    if spec.min_ndim is not None and ndim < spec.min_ndim:
        raise ValueError(head + f"expected min_ndim={spec.min_ndim}, found ndim={ndim}. Full "
                         f"shape received: {shape}")
    for axis, value in spec.axes.items():
        if value is not None and shape[axis] not in (value, None):
            raise ValueError(head + f"expected axis {axis} of input shape to have value "
                             f"{value}, but received input with shape {shape}")


# -- get_config serialization ------------------------------------------------------------------
def _object_config(module, obj):
    if obj is None:
        return None
    if isinstance(obj, (str, dict)):
        return obj
    return {"module": module, "class_name": type(obj).__name__, "config": obj.get_config(),
            "registered_name": None}


def ser_activation(fn):
    return _act.serialize(fn)


def ser_initializer(init):
    return _init.serialize(init)


def ser_regularizer(reg):
    return _object_config("keras.regularizers", reg)


def ser_constraint(con):
    return _object_config("keras.constraints", con)


def get_regularizer(value):
    """``regularizers.get`` that also takes a serialized config dict."""
    if isinstance(value, dict):
        return getattr(_reg, value["class_name"])(**value.get("config", {}))
    return _reg.get(value)


def get_constraint(value):
    if isinstance(value, dict):
        return getattr(_con, value["class_name"])(**value.get("config", {}))
    return _con.get(value)


# -- masks -------------------------------------------------------------------------------------
# Note: Keras stores a mask as ``tensor._keras_mask``; tftape tensors have fixed slots, so the
# mask lives in a table keyed by the tensor's id and dropped when the tensor dies.
_MASKS: dict = {}


def set_mask(tensor, mask):
    """Attaches ``mask`` (or None) to ``tensor``."""
    key = id(tensor)
    if mask is None:
        _MASKS.pop(key, None)
        return
    try:
        ref = weakref.ref(tensor, lambda _, k=key: _MASKS.pop(k, None))
    except TypeError:
        return
    _MASKS[key] = (ref, mask)


def get_mask(tensor):
    """The mask attached to ``tensor`` by a masking layer, or None."""
    entry = _MASKS.get(id(tensor))
    if entry is None or entry[0]() is not tensor:
        return None
    return entry[1]


def check_input_spec(layer, inputs):
    """Checks ``inputs`` (one tensor or a list) against ``layer.input_spec``."""
    specs = layer.input_spec
    specs = specs if isinstance(specs, (list, tuple)) else [specs]
    xs = inputs if isinstance(inputs, (list, tuple)) else [inputs]
    for i, (spec, x) in enumerate(zip(specs, xs)):
        if spec is not None and hasattr(x, "shape"):
            assert_input_compatibility(spec, x, layer.name, i)


def input_mask(inputs):
    """The mask of ``inputs`` (a list of masks for a list of tensors), or None."""
    if isinstance(inputs, (list, tuple)):
        masks = [get_mask(x) for x in inputs]
        return masks if any(m is not None for m in masks) else None
    return None if inputs is None else get_mask(inputs)


def attach_mask(outputs, mask):
    if mask is None:
        return
    if isinstance(outputs, (list, tuple)):
        masks = mask if isinstance(mask, (list, tuple)) else [mask] * len(outputs)
        for o, m in zip(outputs, masks):
            set_mask(o, m)
    else:
        set_mask(outputs, mask)

"""Keras's global settings: floatx, epsilon and the image data format.

Read by the layers, variables, losses and metrics; ``keras.backend`` re-exports the getters
and setters.
"""
from __future__ import annotations

_CONFIG = {"floatx": "float32", "epsilon": 1e-7, "image_data_format": "channels_last"}


def floatx() -> str:
    """The default float type, ``'float32'``.

    >>> floatx()
    'float32'
    """
    return _CONFIG["floatx"]


def set_floatx(value):
    accepted = {"float16", "bfloat16", "float32", "float64"}
    if value not in accepted:
        raise ValueError(f"Unknown `floatx` value: {value}. Expected one of {accepted}")
    _CONFIG["floatx"] = str(value)


def epsilon() -> float:
    """The fuzz factor used in numeric expressions (1e-7).

    >>> epsilon()
    1e-07
    """
    return _CONFIG["epsilon"]


def set_epsilon(value):
    _CONFIG["epsilon"] = float(value)


def image_data_format() -> str:
    return _CONFIG["image_data_format"]


def set_image_data_format(data_format):
    if data_format not in {"channels_last", "channels_first"}:
        raise ValueError(f"The `data_format` argument must be one of {{'channels_first', "
                         f"'channels_last'}}. Received: data_format={data_format}")
    _CONFIG["image_data_format"] = str(data_format)

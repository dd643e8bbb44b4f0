"""``tf.keras.layers.serialize`` / ``deserialize`` (Keras 3's)."""
from __future__ import annotations

from ._layer import Layer
from ._serialization import deserialize_keras_object, serialize_keras_object


def serialize(layer):
    """The layer's serialized config (``module``, ``class_name``, ``config``...).

    >>> import tftape as tf
    >>> tf.keras.layers.serialize(tf.keras.layers.Dense(2))["class_name"]
    'Dense'
    """
    return serialize_keras_object(layer)


def deserialize(config, custom_objects=None):
    """The layer that ``serialize`` described.

    >>> import tftape as tf
    >>> d = tf.keras.layers.deserialize(tf.keras.layers.serialize(tf.keras.layers.Dense(2)))
    >>> d.units
    2
    """
    obj = deserialize_keras_object(config, custom_objects=custom_objects)
    if not isinstance(obj, Layer):
        raise ValueError("`keras.layers.deserialize` was passed a `config` object that is not "
                         f"a `keras.layers.Layer`. Received: {config}")
    return obj

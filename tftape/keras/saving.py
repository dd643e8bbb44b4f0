"""``keras.saving``: object (de)serialization, ``.keras`` model files and ``.weights.h5``."""
# ruff: noqa: F401
from ._serialization import (CustomObjectScope as CustomObjectScope,
                             _registered_name_of as _registered_name_of,
                             custom_object_scope as custom_object_scope,
                             deserialize_keras_object as deserialize_keras_object,
                             get_custom_objects as get_custom_objects,
                             get_registered_name as get_registered_name,
                             get_registered_object as get_registered_object,
                             register_keras_serializable as register_keras_serializable,
                             serialize_keras_object as serialize_keras_object)
from ._saving import load_model as load_model, save_model as save_model, \
    load_weights as load_weights, save_weights as save_weights

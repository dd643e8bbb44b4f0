"""``tf.keras.optimizers``: SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Adamax, Nadam, Ftrl,
Lion, Adafactor and learning-rate schedules."""
# ruff: noqa: F401
from ._base import (Adagrad as Adagrad, Adam as Adam, AdamW as AdamW, Optimizer as Optimizer,
                    RMSprop as RMSprop, SGD as SGD)
from ._more import (Adadelta as Adadelta, Adafactor as Adafactor, Adamax as Adamax, Ftrl as Ftrl, Lion as Lion,
                    Nadam as Nadam)
from . import schedules as schedules

_BY_NAME = {"sgd": SGD, "adam": Adam, "adamw": AdamW, "rmsprop": RMSprop, "adagrad": Adagrad,
            "adadelta": Adadelta, "adamax": Adamax, "nadam": Nadam, "ftrl": Ftrl, "lion": Lion,
            "adafactor": Adafactor}


def get(identifier):
    """An optimizer from a name (``'adam'``), a config dict or an instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier.lower())
        if cls is None:
            raise ValueError(f"Could not interpret optimizer identifier: {identifier}")
        return cls()
    if isinstance(identifier, dict):
        cls = _BY_NAME[identifier["class_name"].lower()]
        return cls.from_config(identifier.get("config", {}))
    raise ValueError(f"Could not interpret optimizer identifier: {identifier}")


def serialize(optimizer):
    return {"module": "keras.optimizers", "class_name": type(optimizer).__name__,
            "config": optimizer.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    return get(config)

"""``tf.keras.models``."""
# ruff: noqa: F401
from ._model import Functional as Functional, Model as Model, Sequential as Sequential

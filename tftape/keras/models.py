"""``tf.keras.models``."""
# ruff: noqa: F401
from ._model import Functional as Functional, Model as Model, Sequential as Sequential
from ._saving import load_model as load_model, save_model as save_model

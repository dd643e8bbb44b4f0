"""``tf.keras``: a Keras 3 subset (layers, models, training loops) on tftape.

``from tensorflow import keras`` gives this module; reprs, names, variable paths and
defaults follow Keras 3 as bundled with TensorFlow 2.21.
"""
# ruff: noqa: F401
import sys as _sys

from . import (activations as activations, backend as backend, callbacks as callbacks,
               constraints as constraints, initializers as initializers, layers as layers,
               losses as losses, metrics as metrics, models as models,
               optimizers as optimizers, regularizers as regularizers, saving as saving,
               utils as utils)
from ._core_layers import Input as Input
from ._layer import KerasTensor as KerasTensor, Layer as Layer
from ._model import Model as Model, Sequential as Sequential
from ._variables import KerasVariable as Variable
from ._rng import SeedGenerator as _SeedGenerator
from .layers import InputLayer as InputLayer
from ._losses import Loss as Loss
from ._metrics import Metric as Metric
from .optimizers import Optimizer as Optimizer
from .regularizers import Regularizer as Regularizer
from .initializers import Initializer as Initializer

from ._serialization import register_namespaces as _register_namespaces
_register_namespaces({
    "keras.layers": layers, "keras.losses": losses, "keras.metrics": metrics,
    "keras.optimizers": optimizers, "keras.optimizers.schedules": optimizers.schedules,
    "keras.initializers": initializers, "keras.regularizers": regularizers,
    "keras.constraints": constraints, "keras.activations": activations,
    "keras.models": models, "keras.src.models.functional": models,
    "keras.src.models.sequential": models})

__version__ = "3.15.1"
version = lambda: __version__  # noqa: E731


class _Random:
    SeedGenerator = _SeedGenerator


random = _Random()

_register_namespaces({"keras": _sys.modules[__name__]})

"""``tf.autodiff``."""
# ruff: noqa: F401
from ._autodiff.tape import GradientTape as GradientTape
from ._autodiff.forward import ForwardAccumulator as ForwardAccumulator

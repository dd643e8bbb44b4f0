"""``tf.linalg.experimental``."""
# ruff: noqa: F401
from .._ops.conjugate_gradient import conjugate_gradient as conjugate_gradient

"""``tf.linalg.experimental``."""
# ruff: noqa: F401
from .._ops.linear_operator_more import conjugate_gradient as conjugate_gradient

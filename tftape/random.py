"""``tf.random``."""
# ruff: noqa: F401
from ._ops.random_ops import (categorical as categorical, gamma as gamma, normal as normal, poisson as poisson, set_seed as set_seed, shuffle as shuffle, stateless_normal as stateless_normal, stateless_uniform as stateless_uniform, truncated_normal as truncated_normal, uniform as uniform)

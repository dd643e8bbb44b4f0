"""``tf.nn.experimental``."""
# ruff: noqa: F401
from .._ops.random_extra import (
    general_dropout as general_dropout, stateless_dropout as stateless_dropout)

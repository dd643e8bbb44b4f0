"""``tf.random.experimental``."""
# ruff: noqa: F401
from .._ops.random_ops import (
    Generator as Generator, get_global_generator as get_global_generator,
    set_global_generator as set_global_generator)
from .._ops.random_extra import (
    Algorithm as Algorithm, create_rng_state as create_rng_state,
    fold_in as stateless_fold_in, split as stateless_split,
    stateless_shuffle as stateless_shuffle)

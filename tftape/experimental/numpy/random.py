"""``tf.experimental.numpy.random``."""
from ..._numpy._random import (  # noqa: F401
    DEFAULT_RANDN_DTYPE as DEFAULT_RANDN_DTYPE, poisson as poisson, rand as rand,
    randint as randint, randn as randn, random as random, seed as seed,
    standard_normal as standard_normal, uniform as uniform)

"""``tf.random``."""
# ruff: noqa: F401
from .._ops.random_ops import (
    Generator as Generator, categorical as categorical, gamma as gamma,
    get_global_generator as get_global_generator, normal as normal, poisson as poisson,
    set_global_generator as set_global_generator, set_seed as set_seed, shuffle as shuffle,
    stateless_categorical as stateless_categorical, stateless_normal as stateless_normal,
    stateless_truncated_normal as stateless_truncated_normal,
    stateless_uniform as stateless_uniform, truncated_normal as truncated_normal,
    uniform as uniform)
from .._ops.random_extra import (
    Algorithm as Algorithm, all_candidate_sampler as all_candidate_sampler,
    create_rng_state as create_rng_state,
    fixed_unigram_candidate_sampler as fixed_unigram_candidate_sampler, fold_in as fold_in,
    learned_unigram_candidate_sampler as learned_unigram_candidate_sampler,
    log_uniform_candidate_sampler as log_uniform_candidate_sampler, split as split,
    stateless_binomial as stateless_binomial, stateless_gamma as stateless_gamma,
    stateless_parameterized_truncated_normal as stateless_parameterized_truncated_normal,
    stateless_poisson as stateless_poisson,
    uniform_candidate_sampler as uniform_candidate_sampler)
from . import experimental as experimental

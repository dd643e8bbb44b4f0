"""``tf.nn``."""
# ruff: noqa: F401
from .._ops.nn_ops import (
    batch_normalization as batch_normalization, bias_add as bias_add,
    compute_average_loss as compute_average_loss, crelu as crelu,
    depth_to_space as depth_to_space, dropout as dropout, elu as elu,
    embedding_lookup as embedding_lookup, gelu as gelu, in_top_k as in_top_k,
    l2_loss as l2_loss, l2_normalize as l2_normalize, leaky_relu as leaky_relu,
    local_response_normalization as local_response_normalization,
    log_poisson_loss as log_poisson_loss, log_softmax as log_softmax,
    lrn as lrn, moments as moments, normalize_moments as normalize_moments, relu as relu,
    relu6 as relu6, scale_regularization_loss as scale_regularization_loss, selu as selu,
    sigmoid as sigmoid, sigmoid_cross_entropy_with_logits as sigmoid_cross_entropy_with_logits,
    silu as silu, softmax as softmax,
    softmax_cross_entropy_with_logits as softmax_cross_entropy_with_logits,
    softplus as softplus, softsign as softsign, space_to_depth as space_to_depth,
    sparse_softmax_cross_entropy_with_logits as sparse_softmax_cross_entropy_with_logits,
    sufficient_statistics as sufficient_statistics, swish as swish, tanh as tanh,
    weighted_cross_entropy_with_logits as weighted_cross_entropy_with_logits,
    weighted_moments as weighted_moments, zero_fraction as zero_fraction)
from .._ops.conv_ops import (
    avg_pool as avg_pool, avg_pool1d as avg_pool1d, avg_pool2d as avg_pool2d,
    avg_pool3d as avg_pool3d, conv1d as conv1d, conv1d_transpose as conv1d_transpose,
    conv2d as conv2d, conv2d_transpose as conv2d_transpose, conv3d as conv3d,
    conv3d_transpose as conv3d_transpose, conv_transpose as conv_transpose,
    convolution as convolution, depthwise_conv2d as depthwise_conv2d, max_pool as max_pool,
    max_pool1d as max_pool1d, max_pool2d as max_pool2d, max_pool3d as max_pool3d, pool as pool)
from .._ops.array_ops import top_k as top_k
from .._ops.nn_extra import (
    approx_max_k as approx_max_k, approx_min_k as approx_min_k,
    atrous_conv2d as atrous_conv2d, atrous_conv2d_transpose as atrous_conv2d_transpose,
    batch_norm_with_global_normalization as batch_norm_with_global_normalization,
    depthwise_conv2d_backprop_filter as depthwise_conv2d_backprop_filter,
    depthwise_conv2d_backprop_input as depthwise_conv2d_backprop_input,
    dilation2d as dilation2d, erosion2d as erosion2d,
    max_pool_with_argmax as max_pool_with_argmax, separable_conv2d as separable_conv2d)
from .._ops.space_batch_ops import space_to_batch as space_to_batch
from .._ops.random_extra import (
    all_candidate_sampler as all_candidate_sampler,
    compute_accidental_hits as compute_accidental_hits,
    fixed_unigram_candidate_sampler as fixed_unigram_candidate_sampler,
    learned_unigram_candidate_sampler as learned_unigram_candidate_sampler)
from . import experimental as experimental
from .._ops.ctc_ops import (
    collapse_repeated as collapse_repeated, ctc_unique_labels as ctc_unique_labels)
from .._sparse.nn_sparse import (
    ctc_beam_search_decoder as ctc_beam_search_decoder,
    ctc_greedy_decoder as ctc_greedy_decoder, ctc_loss as ctc_loss,
    embedding_lookup_sparse as embedding_lookup_sparse,
    safe_embedding_lookup_sparse as safe_embedding_lookup_sparse)

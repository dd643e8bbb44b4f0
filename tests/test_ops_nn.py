"""Oracle tests for tf.nn (activations, losses, conv/pool, embedding) against real TensorFlow."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from test_ops_math import DTYPES, check, check_expr, real_tf, sample, tf

ACTIVATIONS = ["relu", "relu6", "elu", "selu", "gelu", "leaky_relu", "softplus", "softsign",
               "sigmoid", "tanh", "silu", "log_sigmoid", "softmax", "log_softmax", "crelu",
               "l2_normalize", "l2_loss", "zero_fraction"]


@pytest.mark.parametrize("name", ACTIVATIONS)
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int32", "bool"])
def test_activations(name, dtype):
    x = sample(dtype, (2, 5), np.random.default_rng(3), lo=-8, hi=8)
    check("nn." + name, x, rtol=2e-3 if dtype == "float16" else 1e-5)


@settings(deadline=None, max_examples=20)
@given(st.sampled_from(ACTIVATIONS), st.sampled_from(DTYPES), st.integers(0, 2 ** 31))
def test_activations_all_dtypes(name, dtype, seed):
    x = sample(dtype, (3,), np.random.default_rng(seed))
    check("nn." + name, x, rtol=2e-2)


NN_CASES = """
tf.nn.gelu(tf.constant([-1., 2.]), approximate=True)
tf.nn.leaky_relu(tf.constant([-1, 2]))
tf.nn.leaky_relu(tf.constant([-1., 2.]), alpha=0.5)
tf.nn.relu(tf.constant([-1, 2], tf.uint8))
tf.nn.relu(tf.constant(['a']))
tf.nn.softmax(tf.constant([1, 2]))
tf.nn.softmax(tf.constant(1.))
tf.nn.softmax(tf.constant([[1., 2.], [3., 5.]]), axis=0)
tf.nn.log_softmax(tf.constant([1., 2.]), axis=3)
tf.nn.bias_add(tf.ones((2, 3)), tf.ones((4,)))
tf.nn.bias_add(tf.ones((2, 3)), tf.constant([1., 2., 3.]))
tf.nn.bias_add(tf.ones((2, 3, 2)), tf.constant([1., 2., 3.]), data_format='NCHW')
tf.nn.sparse_softmax_cross_entropy_with_logits(tf.constant([0, 5]), tf.ones((2, 3)))
tf.nn.sparse_softmax_cross_entropy_with_logits(tf.constant([0, 2]), tf.constant([[1., 2., 3.], [1., 0., 0.]]))
tf.nn.sparse_softmax_cross_entropy_with_logits(tf.constant([0., 2.]), tf.ones((2, 3)))
tf.nn.sparse_softmax_cross_entropy_with_logits(tf.constant([0, 2, 1]), tf.ones((2, 3)))
tf.nn.softmax_cross_entropy_with_logits(tf.ones((2, 3)), tf.ones((2, 4)))
tf.nn.softmax_cross_entropy_with_logits([[0., 1.], [1., 0.]], tf.constant([[1., 2.], [3., 5.]]))
tf.nn.softmax_cross_entropy_with_logits([[0., 1.], [1., 0.]], tf.constant([[1., 2.], [3., 5.]]), axis=0)
tf.nn.sigmoid_cross_entropy_with_logits(tf.ones((2, 3)), tf.ones((2, 4)))
tf.nn.sigmoid_cross_entropy_with_logits(tf.constant([0., 1.]), tf.constant([-2., 3.]))
tf.nn.weighted_cross_entropy_with_logits(tf.constant([1., 0.]), tf.constant([0.5, -1.]), 2.0)
tf.nn.log_poisson_loss(tf.constant([1., 0.]), tf.constant([0.5, -1.]))
tf.nn.log_poisson_loss(tf.constant([1., 3.]), tf.constant([0.5, -1.]), compute_full_loss=True)
tf.nn.moments(tf.constant([[1., 2.], [3., 5.]]), axes=[0], keepdims=True)
tf.nn.moments(tf.constant([[1., 2.], [3., 5.]]), axes=[0, 1])
tf.nn.l2_normalize(tf.constant([[3, 4]]), axis=1)
tf.nn.l2_normalize(tf.constant([[3., 4.]]), axis=1)
tf.nn.dropout(tf.ones((2,)), 1.0)
tf.nn.dropout(tf.ones((2,)), 0.0)
tf.nn.crelu(tf.constant([1., -2.]))
tf.nn.in_top_k(tf.constant([0, 1]), tf.constant([[1., 2.], [3., 1.]]), 1)
tf.nn.in_top_k(tf.constant([0, 1]), tf.constant([[2., 2.], [3., 1.]]), 1)
tf.nn.space_to_depth(tf.reshape(tf.range(16.), (1, 4, 4, 1)), 2)
tf.nn.depth_to_space(tf.reshape(tf.range(16.), (1, 2, 2, 4)), 2)
tf.nn.compute_average_loss(tf.constant([1., 2.]))
tf.nn.compute_average_loss(tf.constant([1., 2.]), global_batch_size=4)
tf.nn.scale_regularization_loss(tf.constant(3.))
tf.nn.local_response_normalization(tf.reshape(tf.range(8.), (1, 1, 2, 4)))
tf.nn.sufficient_statistics(tf.constant([1., 2.]), [0])
tf.nn.weighted_moments(tf.constant([1., 2.]), [0], tf.constant([1., 3.]))
tf.nn.batch_normalization(tf.constant([1., 2.]), 1., 4., 0.5, 2., 0.001)
tf.nn.embedding_lookup(tf.reshape(tf.range(6.), (3, 2)), [2, 0])
tf.nn.embedding_lookup(tf.reshape(tf.range(6.), (3, 2)), [[2], [0]])
tf.nn.embedding_lookup(tf.reshape(tf.range(6.), (3, 2)), [3, 0])
tf.nn.conv2d(tf.ones((1, 5, 5, 3)), tf.ones((3, 3, 2, 4)), 1, 'SAME')
tf.nn.conv2d(tf.ones((5, 5, 3)), tf.ones((3, 3, 3, 4)), 1, 'SAME')
tf.nn.conv2d(tf.ones((1, 5, 5, 3)), tf.ones((3, 3, 3, 4)), 1, 'same')
tf.nn.conv2d(tf.ones((1, 5, 5, 3), tf.int32), tf.ones((3, 3, 3, 4), tf.int32), 1, 'SAME')
tf.nn.conv2d(tf.ones((1, 2, 2, 3)), tf.ones((3, 3, 3, 4)), 1, 'VALID')
tf.nn.conv2d(tf.ones((1, 5, 5, 3)), tf.ones((3, 3, 3, 4)), [1, 2], 'VALID')
tf.nn.conv2d(tf.ones((1, 5, 5, 3)), tf.ones((3, 3, 3, 4)), [1, 2, 2, 1], [[0, 0], [1, 1], [2, 2], [0, 0]])
tf.nn.conv2d(tf.ones((1, 5, 5, 3)), tf.ones((3, 3, 3, 4)), 2, 'SAME', dilations=2)
tf.nn.conv1d(tf.ones((1, 5, 3)), tf.ones((2, 3, 4)), 1, 'VALID')
tf.nn.conv3d(tf.ones((1, 5, 5, 5, 3)), tf.ones((2, 2, 2, 3, 4)), [1, 1, 1, 1, 1], 'VALID')
tf.nn.convolution(tf.ones((1, 5, 5, 3)), tf.ones((3, 3, 3, 4)), padding='SAME')
tf.nn.conv2d_transpose(tf.ones((1, 3, 3, 4)), tf.ones((3, 3, 2, 4)), (1, 6, 6, 2), 2, 'SAME')
tf.nn.depthwise_conv2d(tf.ones((1, 5, 5, 3)), tf.ones((3, 3, 3, 2)), [1, 1, 1, 1], 'SAME')
tf.nn.max_pool2d(tf.reshape(tf.range(50.), (1, 5, 5, 2)), 2, 2, 'SAME')
tf.nn.max_pool2d(tf.ones((5, 5, 3)), 2, 2, 'SAME')
tf.nn.avg_pool2d(tf.reshape(tf.range(25.), (1, 5, 5, 1)), 2, 2, 'SAME')
tf.nn.avg_pool2d(tf.ones((1, 5, 5, 3), tf.int32), 2, 2, 'SAME')
tf.nn.max_pool2d(tf.ones((1, 5, 5, 3), tf.int32), 3, 1, 'VALID')
tf.nn.max_pool2d(tf.ones((1, 1, 1, 3)), 2, 2, 'VALID')
tf.nn.max_pool(tf.ones((1, 5, 3)), 2, 2, 'VALID')
tf.nn.avg_pool(tf.ones((1, 5, 5, 5, 3)), 2, 2, 'VALID')
tf.nn.max_pool3d(tf.ones((1, 5, 5, 5, 3)), 2, 2, 'VALID')
tf.nn.pool(tf.ones((1, 5, 5, 3)), [2, 2], 'MAX', strides=[2, 2], padding='VALID')
tf.nn.max_pool2d(tf.reshape(tf.range(50.), (1, 2, 5, 5)), 2, 2, 'VALID', data_format='NCHW')
""".strip().splitlines()


@pytest.mark.parametrize("src", NN_CASES)
def test_nn_cases(src):
    check_expr(src, rtol=1e-5)


@settings(deadline=None, max_examples=20)
@given(st.integers(1, 2), st.integers(3, 7), st.integers(3, 7), st.integers(1, 3),
       st.integers(1, 3), st.integers(1, 3), st.integers(1, 2), st.sampled_from(["SAME", "VALID"]),
       st.integers(0, 2 ** 31))
def test_conv_pool_hypothesis(n, h, w, cin, cout, k, stride, padding, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, h, w, cin)).astype(np.float32)
    f = rng.standard_normal((k, k, cin, cout)).astype(np.float32)
    check("nn.conv2d", x, f, stride, padding, rtol=1e-4)
    check("nn.max_pool2d", x, k, stride, padding)
    check("nn.avg_pool2d", x, k, stride, padding, rtol=1e-5)
    check("nn.depthwise_conv2d", x, f[:, :, :, :1].repeat(cin, 2)[:, :, :cin, :],
          [1, stride, stride, 1], padding, rtol=1e-4)

"""Random ops: TF's global/op seed semantics (within tftape), shapes, dtypes, errors vs TF."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from test_ops_math import check_expr, real_tf, tf


def _draws():
    return [tf.random.normal([3]), tf.random.uniform([2, 2]), tf.random.truncated_normal([4]),
            tf.random.uniform([3], maxval=10, dtype=tf.int64),
            tf.random.categorical(tf.math.log([[0.2, 0.8]]), 4),
            tf.random.shuffle(tf.range(6))]


def _same(a, b):
    return all(np.array_equal(x.numpy(), y.numpy()) for x, y in zip(a, b))


def test_global_seed_replays_the_sequence():
    tf.random.set_seed(1234)
    first = _draws()
    second = _draws()
    tf.random.set_seed(1234)
    assert _same(first, _draws())
    assert _same(second, _draws())
    assert not _same(first, second)  # later calls advance the sequence
    tf.random.set_seed(99)
    assert not _same(first, _draws())


def test_op_seed_sequence_and_independence():
    tf.random.set_seed(5)
    a1, a2 = tf.random.normal([3], seed=7), tf.random.normal([3], seed=7)
    assert not np.array_equal(a1.numpy(), a2.numpy())  # each call advances (as TF)
    tf.random.set_seed(5)
    b1 = tf.random.normal([3], seed=7)
    np.testing.assert_array_equal(a1.numpy(), b1.numpy())
    tf.random.set_seed(5)
    tf.random.uniform([10])  # an unseeded op in between does not shift a seeded op
    c1 = tf.random.normal([3], seed=7)
    np.testing.assert_array_equal(a1.numpy(), c1.numpy())


def test_unseeded_without_global_seed_differs():
    tf.random.set_seed(None)
    assert not np.array_equal(tf.random.normal([8]).numpy(), tf.random.normal([8]).numpy())


def test_generator_from_seed():
    g1, g2 = tf.random.Generator.from_seed(3), tf.random.Generator.from_seed(3)
    for g in (g1, g2):
        g.draws = [g.normal([2, 3]), g.uniform([4], 1., 2.), g.uniform([2], maxval=5, dtype=tf.int32),
                   g.truncated_normal([3])]
    assert _same(g1.draws, g2.draws)
    g1.reset_from_seed(3)
    assert _same([g1.normal([2, 3])], g2.draws[:1])
    assert not np.array_equal(g1.normal([5]).numpy(), tf.random.Generator.from_seed(4).normal([5]).numpy())


def test_stateless_ops_depend_only_on_seed():
    a = tf.random.stateless_normal([4], seed=[1, 2])
    b = tf.random.stateless_normal([4], seed=[1, 2])
    c = tf.random.stateless_normal([4], seed=[1, 3])
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert not np.array_equal(a.numpy(), c.numpy())


@settings(deadline=None, max_examples=10)
@given(st.integers(0, 2 ** 20))
def test_distributions(seed):
    tf.random.set_seed(seed)
    n = tf.random.normal([4000], mean=2., stddev=3.).numpy()
    assert abs(n.mean() - 2) < 0.3 and abs(n.std() - 3) < 0.3
    u = tf.random.uniform([4000], -1., 3.).numpy()
    assert u.min() >= -1 and u.max() < 3 and abs(u.mean() - 1) < 0.15
    t = tf.random.truncated_normal([4000], stddev=2.).numpy()
    assert np.abs(t).max() <= 4.0001 and abs(t.std() - 2 * 0.8796) < 0.15
    i = tf.random.uniform([4000], 2, 5, dtype=tf.int32).numpy()
    assert set(np.unique(i)) == {2, 3, 4}
    c = tf.random.categorical(tf.math.log([[0.1, 0.9]]), 2000).numpy()
    assert 0.85 < c.mean() < 0.95
    s = tf.random.shuffle(tf.range(50)).numpy()
    assert sorted(s.tolist()) == list(range(50))


RANDOM_CASES = """
tf.random.normal([2, 3], dtype=tf.float64).shape
tf.random.normal([2], dtype=tf.int32)
tf.random.normal([-1])
tf.random.uniform([2], dtype=tf.int32)
tf.random.uniform([2], maxval=5, dtype=tf.int32).dtype
tf.random.uniform([2], dtype=tf.bool)
tf.random.uniform([2, 1], dtype=tf.float16).dtype
tf.random.truncated_normal([2], dtype=tf.int32)
tf.random.truncated_normal(tf.constant([2, 2])).shape
tf.random.categorical(tf.math.log([[0.5, 0.5]]), 5).shape
tf.random.categorical(tf.math.log([[0.5, 0.5]]), 5).dtype
tf.random.categorical(tf.math.log([[0.5, 0.5]]), 5, dtype=tf.int32).dtype
tf.random.shuffle(tf.range(5)).shape
tf.random.shuffle(tf.ones((3, 2), tf.int64)).dtype
tf.random.Generator.from_seed(1).normal([2, 3]).shape
tf.random.Generator.from_seed(1).uniform([2], maxval=4, dtype=tf.int64).dtype
tf.random.stateless_normal([2], seed=[1, 2]).shape
tf.random.stateless_uniform([2], seed=[1])
tf.random.stateless_uniform([2], seed=[1, 2], minval=0, maxval=3, dtype=tf.int32).dtype
""".strip().splitlines()


@pytest.mark.parametrize("src", RANDOM_CASES)
def test_random_shapes_dtypes_errors(src):
    check_expr(src)


def test_dropout():
    tf.random.set_seed(0)
    x = tf.ones((1000,))
    y = tf.nn.dropout(x, 0.25).numpy()
    assert set(np.unique(y)) <= {0., np.float32(1 / 0.75)}
    assert 0.65 < (y > 0).mean() < 0.85
    check_expr("tf.nn.dropout(tf.ones((2,)), 1.0)")


# -- the flat sampler (``random_ops.sample``) ----------------------------------------------------
_SAMPLERS = {
    "uniform": lambda dt: (lambda k, s: __import__("jax").random.uniform(k, s, dt, -0.5, 2.0)),
    "normal": lambda dt: (lambda k, s: __import__("jax").random.normal(k, s, dt)),
    "truncated_normal": lambda dt: (
        lambda k, s: __import__("jax").random.truncated_normal(k, -2.0, 2.0, s, dt)),
}


@settings(max_examples=8, deadline=None)
@given(shape=st.lists(st.integers(0, 7), min_size=0, max_size=4),
       kind=st.sampled_from(sorted(_SAMPLERS)),
       dtype=st.sampled_from(["float32", "float64", "float16", "bfloat16"]),
       seed=st.integers(0, 2 ** 31 - 1))
def test_flat_sampler_draws_what_jax_draws_for_the_shape(shape, kind, dtype, seed):
    """A draw made flat at a power of two and cut to the shape holds exactly the values JAX
    draws for that shape, eagerly and under jit (the cheap-compile path of random ops)."""
    import jax
    from tftape._ops.random_ops import sample
    import jax.numpy as jnp
    draw = _SAMPLERS[kind](jnp.dtype(dtype))
    key = jax.random.key(seed)
    want = np.asarray(draw(key, tuple(shape)))
    got = np.asarray(sample(draw, key, shape))
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got.astype(np.float64), want.astype(np.float64))
    traced = np.asarray(jax.jit(lambda k: sample(draw, k, shape))(key))
    np.testing.assert_array_equal(traced.astype(np.float64), want.astype(np.float64))


def test_initializers_of_many_weight_shapes_share_compiled_samplers():
    """Weights of different shapes whose sizes round up to one power of two reuse one compiled
    sampler: building a model does not compile XLA programs per weight shape."""
    exp = tf.config.experimental
    init = tf.keras.initializers.GlorotUniform(seed=3)
    init((5, 7))    # 35 values: the sampler for 64
    exp.reset_cache_stats()
    for shape in [(6, 7), (3, 3, 2, 3), (61,), (2, 2, 2, 8)]:
        init(shape)
    assert exp.get_cache_stats()["xla"]["compiles"] == 0


_TENSOR_PARAMS = {
    "normal": lambda a, b: tf.random.stateless_normal([5, 3], [4, 2], mean=a, stddev=b,
                                                      dtype=a.dtype),
    "uniform": lambda a, b: tf.random.stateless_uniform([5, 3], [4, 2], minval=a, maxval=b,
                                                        dtype=a.dtype),
    "truncated_normal": lambda a, b: tf.random.stateless_truncated_normal(
        [5, 3], [4, 2], mean=a, stddev=b, dtype=a.dtype),
}


@pytest.mark.parametrize("kind", sorted(_TENSOR_PARAMS))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_tensor_parameters_trace_into_one_call(kind, dtype):
    """Distribution parameters given as tensors (traced inside tf.function) draw the values the
    eager call draws, without falling back to eager execution."""
    import warnings
    a, b = tf.constant(2., dtype), tf.constant(3., dtype)
    eager = _TENSOR_PARAMS[kind](a, b)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traced = tf.function(_TENSOR_PARAMS[kind])(a, b)
    assert traced.dtype == eager.dtype == getattr(tf, dtype)
    np.testing.assert_allclose(traced.numpy(), eager.numpy(), rtol=1e-6, atol=1e-6)
    # The stateful ops too: shape and dtype as TF's.
    f = tf.function(lambda m, s: tf.random.normal([4, 2], mean=m, stddev=s, dtype=dtype))
    g = real_tf.function(lambda m, s: real_tf.random.normal([4, 2], mean=m, stddev=s,
                                                           dtype=dtype))
    got, want = f(a, b), g(real_tf.constant(2., dtype), real_tf.constant(3., dtype))
    assert (got.shape, got.dtype.name) == (tuple(want.shape), want.dtype.name)

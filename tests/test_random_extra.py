"""tf.random's seed algebra, stateless distributions and candidate samplers against TF.

The random streams are JAX's, not TF's Philox (docs/ops.md): values that are random are
checked for shape, dtype, determinism and distribution; everything else (states, expected
counts, the data word of ``fold_in``, argument checks) against TF exactly.
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tftape as tf
from oracle import assert_same, real_tf

TF = real_tf()


def same_error(fn_ours, fn_tf):
    with pytest.raises(Exception) as theirs:  # noqa: PT011 - compared by name below
        fn_tf()
    with pytest.raises(Exception) as ours:  # noqa: PT011
        fn_ours()
    assert type(ours.value).__name__ == type(theirs.value).__name__, (ours.value, theirs.value)
    return str(ours.value), str(theirs.value)


# -- seeds ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 5, 2 ** 40 + 3, -1, 2 ** 70 + 9, [1, 2], [7], [1, 2, 3]])
@pytest.mark.parametrize("alg", ["philox", "threefry", "auto_select", 1, 2, 3, "PHILOX"])
def test_create_rng_state(seed, alg):
    if isinstance(alg, int):
        a_ours, a_tf = tf.random.Algorithm(alg), TF.random.Algorithm(alg)
    else:
        a_ours = a_tf = alg
    assert_same(tf.random.create_rng_state(seed, a_ours), TF.random.create_rng_state(seed, a_tf))


def test_algorithm_enum():
    assert [(a.name, a.value) for a in tf.random.Algorithm] == \
        [(a.name, a.value) for a in TF.random.Algorithm]
    same_error(lambda: tf.random.create_rng_state(1, "mt"),
               lambda: TF.random.create_rng_state(1, "mt"))


@pytest.mark.parametrize("dtype", ["int32", "int64"])
@pytest.mark.parametrize("num", [1, 2, 5])
def test_split_and_fold_in(dtype, num):
    seed = np.array([3, 4], dtype)
    ours, theirs = tf.random.split(seed, num), TF.random.split(seed, num)
    assert ours.dtype.name == theirs.dtype.name and ours.shape == theirs.shape
    np.testing.assert_array_equal(ours.numpy(), tf.random.split(seed, num).numpy())
    assert len({tuple(r) for r in ours.numpy()}) == num
    f, g = tf.random.fold_in(seed, 7), TF.random.fold_in(seed, 7)
    assert f.dtype.name == g.dtype.name and f.shape == g.shape
    assert f.numpy()[1] == g.numpy()[1] == 7
    assert f.numpy()[0] != tf.random.fold_in(np.array([3, 5], dtype), 7).numpy()[0]
    # The new seeds feed the stateless ops.
    assert tf.random.stateless_normal([2], seed=ours[0]).shape == (2,)


def test_seed_errors():
    same_error(lambda: tf.random.split([1, 2, 3]), lambda: TF.random.split([1, 2, 3]))
    same_error(lambda: tf.random.fold_in([1., 2.], 1), lambda: TF.random.fold_in([1., 2.], 1))


# -- stateless distributions ----------------------------------------------------------------------
def _check(ours_fn, tf_fn, mean=None, tol=0.1):
    a, b = ours_fn([7, 8]), tf_fn([7, 8])
    assert a.dtype.name == b.dtype.name and tuple(a.shape) == tuple(b.shape)
    np.testing.assert_array_equal(a.numpy(), ours_fn([7, 8]).numpy())   # determined by seed
    assert not np.array_equal(a.numpy(), ours_fn([7, 9]).numpy())
    if mean is not None:
        np.testing.assert_allclose(np.mean(a.numpy(), axis=0), mean, rtol=tol, atol=tol)
        np.testing.assert_allclose(np.mean(a.numpy(), axis=0), np.mean(b.numpy(), axis=0),
                                   rtol=2 * tol, atol=2 * tol)
    return a


@pytest.mark.parametrize("dtype", ["int32", "int64", "float16", "float32", "float64"])
def test_stateless_binomial(dtype):
    counts, probs = np.array([5., 20., 40.]), np.array([0.5, 0.1, 0.9])
    a = _check(lambda s: tf.random.stateless_binomial([4000, 3], s, counts, probs, dtype),
               lambda s: TF.random.stateless_binomial([4000, 3], s, counts, probs, dtype),
               mean=counts * probs)
    assert a.numpy().min() >= 0 and np.all(a.numpy() <= counts)
    _check(lambda s: tf.random.stateless_binomial([3], s, 10, 0.3),
           lambda s: TF.random.stateless_binomial([3], s, 10, 0.3))


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_stateless_gamma(dtype):
    alpha, beta = np.array([0.5, 2., 9.]), np.array([1., 2., 0.5])
    _check(lambda s: tf.random.stateless_gamma([4000, 3], s, alpha, beta, dtype),
           lambda s: TF.random.stateless_gamma([4000, 3], s, alpha, beta, dtype),
           mean=alpha / beta)
    _check(lambda s: tf.random.stateless_gamma([2, 2], s, 3.),
           lambda s: TF.random.stateless_gamma([2, 2], s, 3.))


@pytest.mark.parametrize("dtype", ["int32", "int64", "float16", "float32", "float64"])
def test_stateless_poisson(dtype):
    lam = np.array([0.5, 3., 30.])
    a = _check(lambda s: tf.random.stateless_poisson([4000, 3], s, lam, dtype),
               lambda s: TF.random.stateless_poisson([4000, 3], s, lam, dtype), mean=lam)
    assert a.numpy().min() >= 0


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_stateless_parameterized_truncated_normal(dtype):
    mu, sd = np.array([0., 1., -2.], dtype), np.array([1., 0.5, 2.], dtype)
    lo, hi = np.array([-1., 1., -3.], dtype), np.array([1., 3., 0.], dtype)
    a = _check(lambda s: tf.random.stateless_parameterized_truncated_normal([4000, 3], s, mu,
                                                                             sd, lo, hi),
               lambda s: TF.random.stateless_parameterized_truncated_normal([4000, 3], s, mu,
                                                                             sd, lo, hi))
    v = a.numpy().astype(np.float64)
    assert np.all(v >= lo - 1e-3) and np.all(v <= hi + 1e-3)
    b = TF.random.stateless_parameterized_truncated_normal([4000, 3], [7, 8], mu, sd, lo,
                                                           hi).numpy().astype(np.float64)
    np.testing.assert_allclose(v.mean(0), b.mean(0), atol=0.08)
    np.testing.assert_allclose(v.std(0), b.std(0), atol=0.08)


def test_stateless_errors():
    same_error(lambda: tf.random.stateless_binomial([2], [1, 2], 10, 0.5, output_dtype="int8"),
               lambda: TF.random.stateless_binomial([2], [1, 2], 10, 0.5, output_dtype="int8"))
    same_error(lambda: tf.random.stateless_gamma([3], [1, 2], [1., 2.]),
               lambda: TF.random.stateless_gamma([3], [1, 2], [1., 2.]))
    same_error(lambda: tf.random.stateless_poisson([3], [1, 2], [1., 2.]),
               lambda: TF.random.stateless_poisson([3], [1, 2], [1., 2.]))
    same_error(lambda: tf.random.stateless_poisson([3], [1, 2], 1., dtype="int8"),
               lambda: TF.random.stateless_poisson([3], [1, 2], 1., dtype="int8"))
    same_error(lambda: tf.random.stateless_parameterized_truncated_normal([3], [1, 2],
                                                                          [0., 1.]),
               lambda: TF.random.stateless_parameterized_truncated_normal([3], [1, 2],
                                                                          [0., 1.]))


def test_stateless_shuffle_and_dropout():
    x = np.arange(10)
    a = tf.random.experimental.stateless_shuffle(x, [1, 2])
    b = TF.random.experimental.stateless_shuffle(x, [1, 2])
    assert a.dtype.name == b.dtype.name and sorted(a.numpy()) == sorted(b.numpy())
    np.testing.assert_array_equal(a.numpy(), tf.random.experimental.stateless_shuffle(x, [1, 2]))
    assert tf.random.experimental.stateless_split is tf.random.split
    ones = np.ones((200, 50), np.float32)
    d = tf.nn.experimental.stateless_dropout(ones, 0.3, [1, 2])
    e = TF.nn.experimental.stateless_dropout(ones, 0.3, [1, 2])
    assert set(np.unique(d.numpy())) <= {0., np.float32(1 / 0.7)}
    assert abs((d.numpy() == 0).mean() - (e.numpy() == 0).mean()) < 0.03
    np.testing.assert_array_equal(d.numpy(), tf.nn.experimental.stateless_dropout(ones, 0.3,
                                                                                  [1, 2]))
    d = tf.nn.experimental.stateless_dropout(ones, 0.5, [1, 2], noise_shape=[200, 1])
    assert np.all(d.numpy() == d.numpy()[:, :1])
    sampler = lambda shape, dtype: np.full(shape, 0.6, dtype.as_numpy_dtype)  # noqa: E731
    for lib in (tf, TF):
        assert_same(tf.nn.experimental.general_dropout(ones[:2], 0.5, sampler),
                    TF.nn.experimental.general_dropout(ones[:2], 0.5, sampler))
    same_error(lambda: tf.nn.experimental.stateless_dropout(np.ones(3, np.int32), 0.5, [1, 2]),
               lambda: TF.nn.experimental.stateless_dropout(np.ones(3, np.int32), 0.5, [1, 2]))


# -- candidate samplers ---------------------------------------------------------------------------
TRUE = np.array([[1, 2], [3, 9], [0, 9]], np.int64)


def _sampler_args(name, unique, range_max=10):
    if name == "fixed_unigram_candidate_sampler":
        return dict(unigrams=list(range(1, range_max - 1)), num_reserved_ids=2,
                    distortion=0.5)
    return {}


SAMPLERS = ["uniform_candidate_sampler", "log_uniform_candidate_sampler",
            "fixed_unigram_candidate_sampler", "learned_unigram_candidate_sampler"]


@pytest.mark.parametrize("name", SAMPLERS)
@pytest.mark.parametrize("unique", [False, True])
def test_samplers(name, unique):
    kw = _sampler_args(name, unique)
    ours = getattr(tf.random, name)(TRUE, 2, 6, unique, 10, **kw)
    theirs = getattr(TF.random, name)(TRUE, 2, 6, unique, 10, **kw)
    assert type(ours).__name__ == type(theirs).__name__
    assert ours._fields == theirs._fields
    for a, b in zip(ours, theirs):
        assert a.dtype.name == b.dtype.name and tuple(a.shape) == tuple(b.shape)
    s = ours.sampled_candidates.numpy()
    assert s.min() >= 0 and s.max() < 10
    if unique:
        assert len(set(s)) == 6
        assert np.all(ours.true_expected_count.numpy() <= 1 + 1e-6)
    elif name != "learned_unigram_candidate_sampler":
        # Without unique the expected counts are p * num_sampled: no randomness.
        assert_same(ours.true_expected_count, theirs.true_expected_count)
        np.testing.assert_allclose(ours.sampled_expected_count.numpy(),
                                   [float(theirs.true_expected_count.numpy().ravel()[0]) *
                                    0 + p for p in ours.sampled_expected_count.numpy()])
    if name == "fixed_unigram_candidate_sampler":
        assert s.min() >= 2                              # reserved ids have weight 0
    if name == "learned_unigram_candidate_sampler" and not unique:
        assert_same(ours.true_expected_count, theirs.true_expected_count)


def test_sampler_distribution_and_seeds():
    tc = np.array([[0]], np.int64)
    draws = np.concatenate([tf.random.log_uniform_candidate_sampler(
        tc, 1, 500, False, 20, seed=i).sampled_candidates.numpy() for i in range(8)])
    p = (np.log(np.arange(20) + 2.) - np.log(np.arange(20) + 1.)) / np.log(21.)
    np.testing.assert_allclose(np.bincount(draws, minlength=20) / draws.size, p, atol=0.03)
    tf.random.set_seed(5)
    a = tf.random.uniform_candidate_sampler(tc, 1, 5, True, 10).sampled_candidates.numpy()
    tf.random.set_seed(5)
    b = tf.random.uniform_candidate_sampler(tc, 1, 5, True, 10).sampled_candidates.numpy()
    np.testing.assert_array_equal(a, b)


def test_learned_unigram_updates_counts():
    tc = np.array([[1, 2], [3, 9]], np.int64)
    for _ in range(3):
        ours = tf.random.learned_unigram_candidate_sampler(tc, 2, 4, False, 10, seed=11)
        theirs = TF.random.learned_unigram_candidate_sampler(tc, 2, 4, False, 10, seed=11)
        assert_same(ours.true_expected_count, theirs.true_expected_count)


@settings(deadline=None, max_examples=15)
@given(st.integers(1, 12), st.booleans())
def test_all_candidate_sampler(num_sampled, unique):
    tc = np.array([[0], [min(3, num_sampled - 1)]], np.int64)
    ours = tf.random.all_candidate_sampler(tc, 1, num_sampled, unique)
    theirs = TF.random.all_candidate_sampler(tc, 1, num_sampled, unique)
    for a, b in zip(ours, theirs):
        assert_same(a, b)
    assert tf.nn.all_candidate_sampler is tf.random.all_candidate_sampler


@pytest.mark.parametrize("case", [
    lambda lib: lib.random.uniform_candidate_sampler(TRUE, 2, 11, True, 10),
    lambda lib: lib.random.uniform_candidate_sampler(TRUE, 3, 5, True, 10),
    lambda lib: lib.random.uniform_candidate_sampler(TRUE, 2, 5, True, 5),
    lambda lib: lib.random.uniform_candidate_sampler(lib.constant(TRUE, "int32"), 2, 5, True,
                                                     10),
    lambda lib: lib.random.log_uniform_candidate_sampler(lib.constant(TRUE, "float32"), 2, 5,
                                                         True, 10),
    lambda lib: lib.random.fixed_unigram_candidate_sampler(TRUE, 2, 3, True, 11,
                                                           unigrams=list(range(1, 11))),
    lambda lib: lib.random.all_candidate_sampler(TRUE, 2, 4, True),
])
def test_sampler_errors(case):
    ours, theirs = same_error(lambda: case(tf), lambda: case(TF))
    assert ours == theirs


@pytest.mark.parametrize("sampled", [[9, 1, 5, 2, 3], [9, 1, 9, 2, 3, 1], [4, 5], []])
def test_compute_accidental_hits(sampled):
    tc = np.array([[1, 2], [3, 1], [9, 9]], np.int64)
    ours = tf.nn.compute_accidental_hits(tc, np.array(sampled, np.int64), 2)
    theirs = TF.nn.compute_accidental_hits(tc, np.array(sampled, np.int64), 2)
    for a, b in zip(ours, theirs):
        assert_same(a, b)

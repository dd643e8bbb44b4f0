"""Oracle tests for the less common top-level ``tf.*`` ops and utilities against real TF."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from test_ops_math import assert_same, check_expr, real_tf, tf  # noqa: F401

pytestmark = pytest.mark.filterwarnings("ignore:.*triggered a new compilation")

ARRAY_CASES = """
tf.unique_with_counts([1, 2, 1, 3, 3, 3])
tf.unique_with_counts([1, 2, 1, 3], out_idx=tf.int64)
tf.unique_with_counts(tf.constant([2.5, -1.0, 2.5]))
tf.unique_with_counts(['a', 'b', 'a'])[2]
tf.unique_with_counts(tf.constant([], tf.int32))
tf.unique_with_counts([[1, 2]])
tf.histogram_fixed_width([-1.0, 0.0, 1.5, 2.0, 5.0, 15], [0.0, 5.0], nbins=5)
tf.histogram_fixed_width([1, 2, 7, -3, 4], [0, 5], nbins=3)
tf.histogram_fixed_width(tf.constant([[1., 2.], [3., 9.]], tf.float64), [0., 10.], nbins=4, dtype=tf.int64)
tf.histogram_fixed_width([1., 2., 7.], [5., 0.], nbins=5)
tf.histogram_fixed_width([1., 2., 7.], [0., 5.], nbins=0)
tf.histogram_fixed_width([1., 2., 7.], [0., 5., 3.], nbins=3)
tf.histogram_fixed_width([1., 2.], [0, 5], nbins=3)
tf.histogram_fixed_width_bins([-1.0, 0.0, 1.5, 2.0, 5.0, 15], [0.0, 5.0], nbins=5)
tf.histogram_fixed_width_bins([[0.5, 1.5], [2.5, 9.0]], [0.0, 3.0], nbins=3)
tf.histogram_fixed_width_bins([1, 2, 7], [0, 5], nbins=3)
tf.unravel_index([1, 7, 23], [2, 3, 4])
tf.unravel_index(5, [2, 3])
tf.unravel_index(tf.constant([0, 5], tf.int64), tf.constant([2, 3], tf.int64))
tf.unravel_index(-1, [2, 3])
tf.unravel_index([1, 30], [2, 3, 4])
tf.unravel_index([1, 2], [2, 0])
tf.unravel_index([[1, 2]], [2, 3])
tf.unravel_index([1., 2.], [2., 3.])
tf.reverse_sequence([[1, 2, 3], [4, 5, 6]], [2, 3], seq_axis=1)
tf.reverse_sequence([[1, 2, 3], [4, 5, 6]], [0, 1], seq_axis=1)
tf.reverse_sequence(tf.reshape(tf.range(24.), [2, 3, 4]), [3, 1, 2, 0], seq_axis=1, batch_axis=2)
tf.reverse_sequence(tf.reshape(tf.range(24), [2, 3, 4]), tf.constant([1, 2, 3], tf.int64), seq_axis=0, batch_axis=1)
tf.reverse_sequence([['a', 'b'], ['c', 'd']], [2, 1], seq_axis=1)
tf.reverse_sequence([[1, 2, 3], [4, 5, 6]], [2, 5], seq_axis=1)
tf.reverse_sequence([[1, 2, 3], [4, 5, 6]], [2, -1], seq_axis=1)
tf.reverse_sequence([[1, 2, 3], [4, 5, 6]], [2, 1, 1], seq_axis=1)
tf.reverse_sequence([[1, 2, 3], [4, 5, 6]], [2, 1], seq_axis=1, batch_axis=1)
tf.reverse_sequence([[1, 2, 3], [4, 5, 6]], [2, 1])
tf.dynamic_partition([10, 20, 30, 40], [0, 1, 0, 1], 2)[0]
tf.dynamic_partition([10, 20, 30, 40], [2, 1, 2, 2], 3)[2]
tf.dynamic_partition([10, 20, 30, 40], [2, 1, 2, 2], 3)[0]
tf.dynamic_partition(tf.reshape(tf.range(12.), [2, 2, 3]), [[1, 0], [0, 0]], 2)[0]
tf.dynamic_partition(['a', 'b', 'c'], [1, 0, 1], 2)[1]
tf.dynamic_partition([1, 2, 3], [0, 2, 1], 2)
tf.dynamic_partition([1, 2, 3], [0, 1], 2)
tf.dynamic_stitch([[0, 2], [1]], [[1., 2.], [3.]])
tf.dynamic_stitch([[0, 3], [1]], [[1, 2], [3]])
tf.dynamic_stitch([[0, 1], [1]], [[1, 2], [3]])
tf.dynamic_stitch([[[0], [2]], [1, 3]], [[[1., 1.], [2., 2.]], [[3., 3.], [4., 4.]]])
tf.dynamic_stitch([6, [4, 1]], [[61, 62], [[41, 42], [11, 12]]])
tf.dynamic_stitch([[0, 1], [2]], [['a', 'b'], ['c']])
tf.dynamic_stitch([[0, -1], [1]], [[1, 2], [3]])
tf.dynamic_stitch([[0, 2], [1]], [[1, 2], [3, 4]])
tf.dynamic_stitch([[0, 2], [1]], [[1, 2], [3.]])
tf.identity_n([1, [2., 3.]])[1]
tf.parallel_stack([1, 2])
tf.realdiv(3., 2.)
tf.realdiv(tf.constant([1., 2.], tf.float64), [4., 8.])
tf.realdiv(tf.constant([1 + 1j]), [2.])
tf.realdiv(3, 2)
tf.realdiv(3., 2)
tf.space_to_batch(tf.reshape(tf.range(16.), [1, 4, 4, 1]), [2, 2], [[0, 0], [0, 0]])
tf.space_to_batch(tf.reshape(tf.range(18), [2, 3, 3, 1]), [2, 2], [[1, 0], [0, 1]])
tf.space_to_batch_nd(tf.reshape(tf.range(24.), [2, 6, 2]), [3], [[1, 2]])
tf.space_to_batch_nd(tf.reshape(tf.range(48.), [1, 4, 6, 2]), [2, 3], [[0, 0], [0, 0]])
tf.space_to_batch(tf.ones([1, 3, 3, 1]), [2, 2], [[0, 0], [0, 0]])
tf.space_to_batch(tf.ones([1, 3, 3, 1]), [2, 2], [[0, -1], [0, 0]])
tf.space_to_batch(tf.ones([1, 4, 4, 1]), [2, 0], [[0, 0], [0, 0]])
tf.space_to_batch(tf.ones([1, 4, 4, 1]), [2, 2], [[0, 0]])
tf.batch_to_space(tf.ones([4, 2, 2, 1]), [2, 2], [[0, -1], [0, 0]])
tf.reverse_sequence([[1, 2, 3], [4, 5, 6]], tf.constant([2, 5]), seq_axis=1)
tf.dynamic_stitch([[0, 2], [1]], [[1, 2], tf.constant([3.])])
tf.dynamic_stitch([[0, 2], [1]], [tf.constant([1, 2]), tf.constant([3.])])
tf.dynamic_stitch([[0, 2], [1]], [[1., 2], [3]])
tf.reverse_sequence(tf.constant([[1, 2, 3], [4, 5, 6]]), tf.constant([2, 5]), seq_axis=1)
tf.batch_to_space(tf.reshape(tf.range(16.), [4, 2, 2, 1]), [2, 2], [[0, 0], [0, 1]])
tf.batch_to_space(tf.reshape(tf.range(24), [6, 2, 2]), [3], [[1, 2]])
tf.batch_to_space(tf.reshape(tf.range(16.), [4, 2, 2, 1]), 2, [[0, 0], [1, 0]])
tf.batch_to_space(tf.ones([3, 1, 1, 1]), [2, 2], [[0, 0], [0, 0]])
tf.batch_to_space(tf.ones([4, 1, 1, 1]), [2, 2], [[0, 3], [0, 0]])
tf.required_space_to_batch_paddings([3, 5], [2, 2])[0]
tf.required_space_to_batch_paddings([3, 5], [2, 2])[1]
tf.required_space_to_batch_paddings([3, 5], [2, 3], [[1, 0], [0, 1]])[0]
tf.required_space_to_batch_paddings([3, 5], [2, 3], [[1, 0], [0, 1]])[1]
tf.required_space_to_batch_paddings([7], [4], [[2, 2]])[0]
"""


@pytest.mark.parametrize("src", [s for s in ARRAY_CASES.strip().splitlines()])
def test_array_ops(src):
    check_expr(src, message=True)


def _both(fn):
    return fn(tf), fn(real_tf)


@pytest.mark.parametrize("case", ["unique_with_counts", "dynamic_partition", "identity_n",
                                  "required_space_to_batch_paddings"])
def test_structures(case):
    """Multi-output ops give TF's structure (namedtuple fields, list lengths) and every output."""
    calls = {
        "unique_with_counts": lambda t: t.unique_with_counts([3, 1, 3, 2]),
        "dynamic_partition": lambda t: t.dynamic_partition([[1, 2], [3, 4], [5, 6]], [2, 0, 2], 3),
        "identity_n": lambda t: t.identity_n([1, [2.5], [[True]]]),
        "required_space_to_batch_paddings": lambda t: t.required_space_to_batch_paddings(
            [4, 7], [3, 2]),
    }
    ours, theirs = _both(calls[case])
    assert type(ours).__name__ == type(theirs).__name__
    assert getattr(ours, "_fields", None) == getattr(theirs, "_fields", None)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert_same(a, b)


@settings(deadline=None, max_examples=20)
@given(st.integers(1, 3), st.lists(st.integers(1, 3), min_size=1, max_size=2), st.integers(1, 2),
       st.data())
def test_space_batch_roundtrip(batch, blocks, extra, data):
    """space_to_batch_nd and batch_to_space over random shapes, blocks and paddings."""
    pads = [[data.draw(st.integers(0, 2)), data.draw(st.integers(0, 2))] for _ in blocks]
    spatial = [data.draw(st.integers(1, 3)) * b - p0 - p1 + b * 2 for b, (p0, p1) in
               zip(blocks, pads)]
    shape = [batch] + spatial + [extra]
    x = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    ours = tf.space_to_batch_nd(x, blocks, pads)
    theirs = real_tf.space_to_batch_nd(x, blocks, pads)
    assert_same(ours, theirs)
    assert_same(tf.batch_to_space(ours, blocks, pads),
                real_tf.batch_to_space(theirs, blocks, pads))


@settings(deadline=None, max_examples=20)
@given(st.lists(st.floats(-10, 20, width=32), min_size=0, max_size=12),
       st.floats(-5, 5), st.floats(0.5, 10), st.integers(1, 7),
       st.sampled_from(["float32", "float64"]))
def test_histograms(values, lo, width, nbins, dtype):
    v = np.asarray(values, dtype)
    rng = np.asarray([lo, lo + width], dtype)
    assert_same(tf.histogram_fixed_width(v, rng, nbins), real_tf.histogram_fixed_width(v, rng, nbins))
    assert_same(tf.histogram_fixed_width_bins(v, rng, nbins),
                real_tf.histogram_fixed_width_bins(v, rng, nbins))


@settings(deadline=None, max_examples=20)
@given(st.lists(st.integers(0, 4), min_size=0, max_size=10), st.integers(1, 3))
def test_partition_stitch(parts, extra):
    """dynamic_stitch(partition indices, dynamic_partition(data)) gives the data back, as TF."""
    n = 5
    data = np.arange(len(parts) * extra, dtype=np.float32).reshape(len(parts), extra)
    ours = tf.dynamic_partition(data, parts, n)
    theirs = real_tf.dynamic_partition(data, parts, n)
    for a, b in zip(ours, theirs):
        assert_same(a, b)
    idx = tf.dynamic_partition(np.arange(len(parts), dtype=np.int32), parts, n)
    tidx = real_tf.dynamic_partition(np.arange(len(parts), dtype=np.int32), parts, n)
    if len(parts):
        assert_same(tf.dynamic_stitch(idx, ours), real_tf.dynamic_stitch(tidx, theirs))


@settings(deadline=None, max_examples=15)
@given(st.lists(st.integers(0, 5), min_size=1, max_size=4), st.integers(2, 5), st.data())
def test_reverse_sequence_random(lens, n, data):
    lens = [min(v, n) for v in lens]
    x = np.arange(len(lens) * n * 2).reshape(len(lens), n, 2)
    assert_same(tf.reverse_sequence(x, lens, seq_axis=1, batch_axis=0),
                real_tf.reverse_sequence(x, lens, seq_axis=1, batch_axis=0))


def _grad(lib, fn, x):
    x = lib.constant(x)
    with lib.GradientTape() as tape:
        tape.watch(x)
        y = fn(lib, x)
        w = lib.reshape(lib.cast(lib.range(1, lib.size(y) + 1), y.dtype), lib.shape(y))
        loss = lib.reduce_sum(y * w)
    return tape.gradient(loss, x)


GRAD_CASES = {
    "reverse_sequence": lambda t, x: t.reverse_sequence(x, [2, 3], seq_axis=1),
    "space_to_batch": lambda t, x: t.space_to_batch(t.reshape(x, [1, 2, 3, 1]), [2, 1],
                                                    [[1, 1], [0, 0]]),
    "batch_to_space": lambda t, x: t.batch_to_space(t.reshape(x, [2, 1, 3, 1]), [2, 1],
                                                    [[0, 1], [0, 0]]),
    "dynamic_partition": lambda t, x: t.dynamic_partition(x, [[1, 0, 1], [0, 0, 1]], 2)[1],
    "dynamic_stitch": lambda t, x: t.dynamic_stitch([[1, 0, 3], [2, 4, 5]], [x[0], x[1]]),
    "identity_n": lambda t, x: t.identity_n([x, x * 2.])[1],
    "realdiv": lambda t, x: t.realdiv(x, x + 4.),
}


@pytest.mark.parametrize("name", sorted(GRAD_CASES))
def test_gradients(name):
    x = np.arange(6, dtype=np.float32).reshape(2, 3) / 7 + 0.5
    assert_same(_grad(tf, GRAD_CASES[name], x), _grad(real_tf, GRAD_CASES[name], x))


FUNCTION_CASES = {
    "parallel_stack": lambda t, x: t.parallel_stack([x, x * 2.]),
    "reverse_sequence": lambda t, x: t.reverse_sequence(x, [1, 3], seq_axis=1),
    "unravel_index": lambda t, x: t.unravel_index(t.cast(x[0] * 7., t.int32), [3, 3]),
    "space_to_batch_nd": lambda t, x: t.space_to_batch_nd(t.reshape(x, [1, 2, 3]), [2],
                                                          [[0, 0]]),
    "histogram_fixed_width": lambda t, x: t.histogram_fixed_width(x, [0., 2.], nbins=4),
    "identity_n": lambda t, x: t.identity_n([x, x])[0],
}


@pytest.mark.parametrize("name", sorted(FUNCTION_CASES))
def test_in_function(name):
    x = np.arange(6, dtype=np.float32).reshape(2, 3) / 5
    fn = FUNCTION_CASES[name]
    assert_same(tf.function(lambda v: fn(tf, v))(x), real_tf.function(lambda v: fn(real_tf, v))(x))

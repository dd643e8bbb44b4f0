"""tf.ragged.cross, cross_hashed, row_splits_to_segment_ids and segment_ids_to_row_splits
against real TensorFlow (values, reprs, exception types and messages)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

real_tf = pytest.importorskip("tensorflow")

import tftape as tf  # noqa: E402
from tests._oracle import compare  # noqa: E402

SETUP = """
a = tf.sparse.SparseTensor([[0, 0], [0, 1], [2, 0]], ["a", "b", "c"], [3, 2])
b = tf.constant([["x", "y"], ["z", "w"], ["u", "v"]])
c = tf.sparse.SparseTensor([[0, 0], [1, 0], [2, 0], [2, 3]],
                           tf.constant([1, 2, 3, 4], tf.int64), [3, 4])
r = tf.ragged.constant([["p"], [], ["q", "s"]])
ri = tf.ragged.constant([[5], [6, 7], []], dtype=tf.int64)
r32 = tf.ragged.constant([[1, 2], [], [3]], row_splits_dtype=tf.int32)
"""

EXPRS = [
    'tf.ragged.row_splits_to_segment_ids([0, 2, 2, 5])',
    'tf.ragged.row_splits_to_segment_ids(tf.constant([0, 2, 2, 5], tf.int32))',
    'tf.ragged.row_splits_to_segment_ids([0, 2, 2, 5], out_type=tf.int32)',
    'tf.ragged.row_splits_to_segment_ids(tf.constant([0, 1, 3], tf.int32), out_type=tf.int64)',
    'tf.ragged.row_splits_to_segment_ids([0])',
    'tf.ragged.row_splits_to_segment_ids([])',
    'tf.ragged.row_splits_to_segment_ids([[0, 1]])',
    'tf.ragged.row_splits_to_segment_ids([0, 3, 1])',
    'tf.ragged.row_splits_to_segment_ids([0., 1.])',
    'tf.ragged.row_splits_to_segment_ids([0, 2], out_type=tf.float32)',
    'tf.ragged.segment_ids_to_row_splits([0, 0, 2, 2, 2])',
    'tf.ragged.segment_ids_to_row_splits([0, 0, 2], num_segments=5)',
    'tf.ragged.segment_ids_to_row_splits([0, 0, 2], num_segments=2)',
    'tf.ragged.segment_ids_to_row_splits([], num_segments=2)',
    'tf.ragged.segment_ids_to_row_splits([])',
    'tf.ragged.segment_ids_to_row_splits(tf.constant([0, 1], tf.int32))',
    'tf.ragged.segment_ids_to_row_splits([0, 1], num_segments=tf.constant(3, tf.int32))',
    'tf.ragged.segment_ids_to_row_splits([0, 1], out_type=tf.int32)',
    'tf.ragged.segment_ids_to_row_splits([1, 0])',
    'tf.ragged.segment_ids_to_row_splits([-1, 0])',
    'tf.ragged.segment_ids_to_row_splits([[0]])',
    'tf.ragged.segment_ids_to_row_splits([0.5])',
    'tf.ragged.segment_ids_to_row_splits([0], num_segments=[2])',
]
EXPRS += [
    'tf.ragged.cross([r, b])',
    'tf.ragged.cross([b, r, a])',
    'tf.ragged.cross([ri, r])',
    'tf.ragged.cross([r])',
    'tf.ragged.cross([])', 'tf.ragged.cross([r, c])', 'tf.ragged.cross([r32])',
    'tf.ragged.cross([r32]).row_splits', 'tf.ragged.cross([b]).row_splits',
    'tf.ragged.cross_hashed([r, b])', 'tf.ragged.cross_hashed([r, b], num_buckets=10, hash_key=3)',
    'tf.ragged.cross_hashed([r, c, ri], num_buckets=1000)',
    'tf.ragged.cross_hashed([r], hash_key=0)',
    'tf.ragged.cross_hashed([r], num_buckets=-2)', 'tf.ragged.cross_hashed([])',
    'tf.ragged.cross([r, tf.constant([[1], [2], [3]])])',
    'tf.ragged.cross([r, tf.constant([[1.], [2], [3]])])',
    'tf.ragged.cross([r, tf.constant([["a"], ["b"]])])',
    'tf.ragged.cross([r, tf.constant(["a", "b", "c"])])',
    'tf.ragged.cross([r, ["a", "b", "c"]])', 'tf.ragged.cross([r, [["a"], ["b"], ["c"]]])',
    'tf.ragged.cross([tf.ragged.constant([[["a"]]])])', 'tf.ragged.cross(r)',
    'tf.ragged.cross([r, tf.constant([[True], [False], [True]])])',
    'tf.ragged.cross([r, tf.sparse.SparseTensor([[0, 0]], ["k"], [2, 1])])',
    'tf.ragged.cross([r, tf.ragged.constant([["a"]])])',
    'tf.ragged.cross([r, tf.sparse.SparseTensor([[0, 0, 0]], ["k"], [3, 1, 1])])',
]


@pytest.mark.parametrize("expr", EXPRS)
def test_matches_tf(expr):
    compare(real_tf, tf, SETUP, expr)


@settings(max_examples=25, deadline=None)
@given(lengths=st.lists(st.integers(0, 4), max_size=8), extra=st.integers(0, 3),
       dtype=st.sampled_from(["int32", "int64"]))
def test_segment_ids_round_trip(lengths, extra, dtype):
    splits = np.concatenate([[0], np.cumsum(lengths)]).astype(dtype)
    ids = tf.ragged.row_splits_to_segment_ids(splits)
    want_ids = real_tf.ragged.row_splits_to_segment_ids(splits)
    assert ids.dtype.name == want_ids.dtype.name
    np.testing.assert_array_equal(ids.numpy(), want_ids.numpy())
    n = len(lengths) + extra
    got = tf.ragged.segment_ids_to_row_splits(ids, num_segments=n)
    want = real_tf.ragged.segment_ids_to_row_splits(want_ids, num_segments=n)
    assert got.dtype.name == want.dtype.name
    np.testing.assert_array_equal(got.numpy(), want.numpy())


_words = st.sampled_from(["a", "bb", "ccc", "日本", ""])


@st.composite
def _ragged_rows(draw, batch):
    return [draw(st.lists(_words, max_size=3)) for _ in range(batch)]


@settings(max_examples=20, deadline=None)
@given(data=st.data(), batch=st.integers(0, 4), n=st.integers(1, 3),
       buckets=st.integers(0, 50))
def test_cross_random_ragged(data, batch, n, buckets):
    rows = [data.draw(_ragged_rows(batch)) for _ in range(n)]
    ours = [tf.ragged.constant(r, dtype=tf.string, ragged_rank=1) for r in rows]
    theirs = [real_tf.ragged.constant(r, dtype=real_tf.string, ragged_rank=1) for r in rows]
    assert tf.ragged.cross(ours).to_list() == real_tf.ragged.cross(theirs).to_list()
    assert tf.ragged.cross_hashed(ours, num_buckets=buckets).to_list() == \
        real_tf.ragged.cross_hashed(theirs, num_buckets=buckets).to_list()
    sp_ours = [r.to_sparse() for r in ours]
    sp_theirs = [r.to_sparse() for r in theirs]
    for fn, kw in (("cross", {}), ("cross_hashed", {"num_buckets": buckets})):
        got = getattr(tf.sparse, fn)(sp_ours, **kw)
        want = getattr(real_tf.sparse, fn)(sp_theirs, **kw)
        for g, w in [(got.indices, want.indices), (got.values, want.values),
                     (got.dense_shape, want.dense_shape)]:
            assert g.dtype.name == w.dtype.name
            np.testing.assert_array_equal(g.numpy(), w.numpy())

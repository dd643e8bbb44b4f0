"""More tf.sparse ops against real TensorFlow: eye, map_values, mask, maximum/minimum, softmax,
split, reset_shape (values, reprs, exception types and messages)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

real_tf = pytest.importorskip("tensorflow")

import tftape as tf  # noqa: E402
from tests._oracle import compare  # noqa: E402

SETUP = """
a = tf.sparse.SparseTensor([[0, 0], [1, 2]], [1., -2.], [3, 4])
b = tf.sparse.SparseTensor([[0, 0], [0, 1], [2, 3]], [-1., 5., 3.], [3, 4])
ai = tf.sparse.SparseTensor([[0, 0], [1, 2]], [1, -2], [3, 4])
bi = tf.sparse.SparseTensor([[0, 1], [1, 2]], [7, -9], [3, 4])
c3 = tf.sparse.SparseTensor([[0, 0, 1], [0, 0, 3], [1, 2, 0], [1, 3, 2]],
                            [1., 2., 3., 4.], [2, 4, 5])
e = tf.sparse.SparseTensor(tf.zeros([0, 2], tf.int64), tf.zeros([0]), [3, 3])
s = tf.IndexedSlices(tf.constant([[1., 2], [3, 4], [5, 6]]), tf.constant([12, 26, 37]),
                     tf.constant([40, 2]))
"""

EXPRS = [
    'tf.sparse.eye(3)',
    'tf.sparse.eye(2, 4, dtype=tf.int32)',
    'tf.sparse.eye(4, 2, dtype=tf.float64)',
    'tf.sparse.eye(0)',
    'tf.sparse.eye(-1)',
    'tf.sparse.eye(tf.constant(2))',
    'tf.sparse.eye(2, dtype=tf.bool)',
    'tf.sparse.maximum(a, b)',
    'tf.sparse.minimum(a, b)',
    'tf.sparse.maximum(ai, bi)',
    'tf.sparse.minimum(ai, bi)',
    'tf.sparse.maximum(a, e)', 'tf.sparse.maximum(e, e)',
    'tf.sparse.maximum(a, tf.sparse.SparseTensor([[0, 0]], [1.], [3, 5]))',
    'tf.sparse.maximum(a, ai)', 'tf.sparse.minimum(ai, a)',
    'tf.sparse.maximum(a, c3)',
    'tf.sparse.softmax(b)', 'tf.sparse.softmax(c3)', 'tf.sparse.softmax(e)',
    'tf.sparse.softmax(tf.sparse.SparseTensor([[0], [2]], [1., 2.], [4]))',
    'tf.sparse.softmax(ai)',
    'tf.sparse.softmax(tf.sparse.SparseTensor([[1, 0], [0, 0]], [1., 2.], [2, 2]))',
    'tf.sparse.softmax(tf.sparse.SparseTensor([[0, 0], [0, 1]], tf.constant([1., 3.], '
    'tf.float64), [2, 2]))',
    'tf.sparse.reset_shape(a)',
    'tf.sparse.reset_shape(a, [5, 6])',
    'tf.sparse.reset_shape(a, [2, 6])',
    'tf.sparse.reset_shape(a, [5, 6, 7])', 'tf.sparse.reset_shape(e)', 'tf.sparse.reset_shape(c3)',
    'tf.sparse.reset_shape(a, tf.constant([3, 4]))',
    'tf.sparse.split(sp_input=b, num_split=2, axis=1)',
    'tf.sparse.split(sp_input=b, num_split=2, axis=0)',
    'tf.sparse.split(sp_input=b, num_split=3, axis=1)',
    'tf.sparse.split(sp_input=c3, num_split=3, axis=-1)',
    'tf.sparse.split(sp_input=b, num_split=5, axis=1)',
    'tf.sparse.split(sp_input=b, num_split=2, axis=2)',
    'tf.sparse.split(b, 2, -1)', 'tf.sparse.split(b, 0, 1)', 'tf.sparse.split(e, 3, 0)',
    'tf.sparse.map_values(tf.math.abs, a)', 'tf.sparse.map_values(tf.add, a, 1.0)',
    'tf.sparse.map_values(tf.add, a, b)', 'tf.sparse.map_values(tf.add, 1, 2)',
    'tf.sparse.map_values(tf.add, a, a)', 'tf.sparse.map_values(tf.cast, a, dtype=tf.int32)',
    'tf.sparse.map_values(tf.add, a, tf.sparse.SparseTensor([[0, 0], [1, 2]], [1., -2.], [3, 5]))',
    'tf.sparse.map_values(tf.add, a, tf.sparse.SparseTensor([[0, 0], [1, 3]], [1., -2.], [3, 4]))',
    'tf.sparse.map_values(lambda x, y: x * y, x=a, y=a)',
    'tf.sparse.mask(s, [12, 45]).indices',
    'tf.sparse.mask(s, [12, 45]).values',
    'tf.sparse.mask(s, [12, 45]).dense_shape',
    'tf.sparse.mask(s, tf.constant([26])).values', 'tf.sparse.mask(s, []).indices',
]

CROSS_SETUP = """
a = tf.sparse.SparseTensor([[0, 0], [0, 1], [2, 0]], ["a", "b", "c"], [3, 2])
b = tf.constant([["x", "y"], ["z", "w"], ["u", "v"]])
c = tf.sparse.SparseTensor([[0, 0], [1, 0], [2, 0], [2, 3]],
                           tf.constant([1, 2, 3, 4], tf.int64), [3, 4])
f = tf.sparse.SparseTensor([[0, 0], [1, 0]], [1.7, -2.2], [3, 1])
r = tf.ragged.constant([["p"], [], ["q", "s"]])
ri = tf.ragged.constant([[5], [6, 7], []], dtype=tf.int64)
"""
CROSS_EXPRS = [
    'tf.sparse.cross([a, b])',
    'tf.sparse.cross([a, b, c], separator="|")',
    'tf.sparse.cross([b, c])',
    'tf.sparse.cross([a])',
    'tf.sparse.cross([])',
    'tf.sparse.cross([b])',
    'tf.sparse.cross([f, a])',
    'tf.sparse.cross([a, tf.constant([[1], [2], [3]])])',
    'tf.sparse.cross([a, tf.constant([[1.], [2], [3]])])',
    'tf.sparse.cross([a, tf.constant([["a"], ["b"]])])',
    'tf.sparse.cross([a, r])',
    'tf.sparse.cross(a)',
    'tf.sparse.cross([a, tf.constant(["a", "b", "c"])])', 'tf.sparse.cross([a, ["x"]])',
    'tf.sparse.cross([a, tf.sparse.SparseTensor([[0, 0]], ["k"], [2, 1])])',
    'tf.sparse.cross([tf.sparse.SparseTensor([[0, 0, 0]], ["k"], [2, 1, 1])])',
    'tf.sparse.cross([a, tf.zeros([3, 0], tf.string)])',
    'tf.sparse.cross([tf.constant([[b"\\xff"]])])',
    'tf.sparse.cross([a, b], separator=b"--")',
    'tf.sparse.cross_hashed([a, b, c])',
    'tf.sparse.cross_hashed([a, b], num_buckets=100, hash_key=7)',
    'tf.sparse.cross_hashed([c, tf.constant([[-1], [2**40], [3]], tf.int64)], num_buckets=1000)',
    'tf.sparse.cross_hashed([a, b], num_buckets=-1)',
    'tf.sparse.cross_hashed([a, tf.constant([[1], [2], [3]])])',
    'tf.sparse.cross_hashed([a, tf.constant([["a"], ["b"]])])',
    'tf.sparse.cross_hashed([a, tf.constant(["a", "b", "c"])])',
    'tf.sparse.cross_hashed([a, tf.sparse.SparseTensor([[0, 0]], ["k"], [2, 1])])',
    'tf.sparse.cross_hashed([a, r])',
    'tf.sparse.cross_hashed(a)',
    'tf.sparse.cross_hashed([])',
    'tf.sparse.cross_hashed([a], num_buckets=5, hash_key=0)',
    'tf.sparse.cross_hashed([a, b], num_buckets=None)',
    'tf.sparse.cross_hashed([a, b], num_buckets="3")',
    'tf.sparse.cross_hashed([a, b], num_buckets=7.0)',
]

BINCOUNT_SETUP = """
x = tf.constant([[1, 2, 2], [0, 5, 5]])
sp = tf.sparse.SparseTensor([[0, 0], [0, 2], [1, 1]], [3, 1, 3], [2, 4])
spw = tf.sparse.SparseTensor([[0, 0], [0, 2], [1, 1]], [.5, 1., 2.], [2, 4])
rt = tf.ragged.constant([[1, 1], [2]])
"""
BINCOUNT_EXPRS = [
    'tf.sparse.bincount(x)',
    'tf.sparse.bincount(x, axis=-1)',
    'tf.sparse.bincount(x, axis=-1, minlength=8)',
    'tf.sparse.bincount(x, axis=-1, maxlength=3)',
    'tf.sparse.bincount(x, axis=-1, binary_output=True)',
    'tf.sparse.bincount(x, weights=tf.constant([[1., 2, 3], [4, 5, 6]]), axis=-1)',
    'tf.sparse.bincount(x, weights=tf.constant([[1., 2, 3], [4, 5, 6]]))',
    'tf.sparse.bincount(x, axis=None)',
    'tf.sparse.bincount(x, axis=1)',
    'tf.sparse.bincount([1, 3, 3])',
    'tf.sparse.bincount(sp)',
    'tf.sparse.bincount(sp, axis=-1)',
    'tf.sparse.bincount(sp, axis=-1, weights=[.5, 1., 2.])',
    'tf.sparse.bincount(sp, axis=-1, weights=spw)', 'tf.sparse.bincount(sp, weights=spw)',
    'tf.sparse.bincount(sp, axis=-1, binary_output=True)',
    'tf.sparse.bincount(sp, axis=-1, maxlength=2)',
    'tf.sparse.bincount(tf.sparse.SparseTensor([[0], [2]], [3, 1], [4]), axis=-1)',
    'tf.sparse.bincount(tf.sparse.SparseTensor([[0, 0], [2, 1]], [3, -1], [3, 4]), axis=-1)',
    'tf.sparse.bincount(sp, axis=-1, weights=tf.sparse.SparseTensor([[0, 0], [0, 3], [1, 1]], '
    '[.5, 1., 2.], [2, 4]))',
    'tf.sparse.bincount(rt, axis=-1)',
    'tf.sparse.bincount(rt)',
    'tf.sparse.bincount(rt, axis=-1, minlength=5)',
    'tf.sparse.bincount(rt, axis=-1, weights=tf.ragged.constant([[1., 2.], [3.]]))',
    'tf.sparse.bincount(tf.ragged.constant([[1, -1], [2]]), axis=-1)',
    'tf.sparse.bincount(rt, axis=-1, weights=[1., 2., 3.])',
    'tf.sparse.bincount(tf.constant([-1, 2]))', 'tf.sparse.bincount(tf.constant([1., 2]))',
    'tf.sparse.bincount(tf.constant([1, 2], tf.int64))',
    'tf.sparse.bincount(tf.constant([1, 2], tf.int64), weights=tf.constant([1, 2]))',
    'tf.sparse.bincount(tf.constant([1, 2]), weights=tf.constant([1., 2., 3.]))',
    'tf.sparse.bincount(tf.constant([1, 2]), weights=tf.constant([1, 2], tf.int16))',
    'tf.sparse.bincount(tf.constant([], tf.int32))',
    'tf.sparse.bincount(tf.constant([[[1]]]), axis=-1)',
    'tf.sparse.bincount(tf.zeros([0, 3], tf.int32), axis=-1)',
    'tf.sparse.bincount(x, axis=-1, binary_output=True, weights=tf.constant([[1., 2, 3], [4, 5, '
    '6]]))',
    'tf.sparse.bincount(tf.constant([1, 5]), maxlength=0)',
    'tf.sparse.bincount(tf.constant([1, 5]), maxlength=3, minlength=7)',
    'tf.sparse.bincount(tf.constant([1, 2]), minlength=-3)',
]

ADDMM_SETUP = """
m1 = tf.reshape(tf.range(6, dtype=tf.float32), [2, 3])
m2 = tf.reshape(tf.range(12, dtype=tf.float32), [3, 4]) / 4
b1 = tf.reshape(tf.range(12, dtype=tf.float32), [2, 2, 3])
b2 = tf.reshape(tf.range(24, dtype=tf.float32), [2, 3, 4])
"""
ADDMM_EXPRS = [
    'tf.sparse.sampled_addmm([[0, 1], [1, 3]], [1., 2.], [2, 4], m1, m2)',
    'tf.sparse.sampled_addmm([[0, 1], [1, 3]], [1., 2.], [2, 4], m1, m2, beta=0.5, alpha=2.)',
    'tf.sparse.sampled_addmm(tf.constant([[0, 0]], tf.int64), [3.], [2, 4], m1, m2)',
    'tf.sparse.sampled_addmm([[0, 1]], [1.], [2, 5], m1, m2)',
    'tf.sparse.sampled_addmm([[[0, 1], [1, 2]], [[1, 0], [0, 3]]], [[1., 2.], [3., 4.]], [2, 4], '
    'b1, b2)',
    'tf.sparse.sampled_addmm([[0, 1]], [1], [2, 4], tf.cast(m1, tf.float64), tf.cast(m2, '
    'tf.float64), output_type=tf.float64)',
]


@pytest.mark.parametrize("expr", ADDMM_EXPRS)
def test_sampled_addmm_matches_tf(expr):
    compare(real_tf, tf, ADDMM_SETUP, expr)


def test_sampled_addmm_gradient():
    grads = []
    for m in (tf, real_tf):
        a = m.Variable(np.arange(6, dtype=np.float32).reshape(2, 3))
        b = m.Variable(np.ones((3, 4), np.float32))
        with m.GradientTape() as t:
            _, v, _ = m.sparse.sampled_addmm([[0, 1], [1, 3]], [1., 2.], [2, 4], a, b, alpha=3.)
            loss = m.reduce_sum(v * v)
        grads.append([m.convert_to_tensor(g).numpy() for g in t.gradient(loss, [a, b])])
    for g, w in zip(*grads):
        np.testing.assert_allclose(g, w, rtol=1e-5)


@pytest.mark.parametrize("expr", BINCOUNT_EXPRS)
def test_bincount_matches_tf(expr):
    compare(real_tf, tf, BINCOUNT_SETUP, expr)


@settings(max_examples=20, deadline=None)
@given(rows=st.integers(1, 4), cols=st.integers(1, 5), data=st.data(),
       axis=st.sampled_from([0, -1]), weighted=st.booleans(), binary=st.booleans(),
       maxlength=st.sampled_from([None, 0, 2, 4]))
def test_bincount_random(rows, cols, data, axis, weighted, binary, maxlength):
    vals = np.asarray(data.draw(st.lists(st.integers(0, 6), min_size=rows * cols,
                                         max_size=rows * cols)), np.int32).reshape(rows, cols)
    kw = {"axis": axis, "maxlength": maxlength}
    if weighted and not binary:
        kw["weights"] = np.arange(rows * cols, dtype=np.float32).reshape(rows, cols) / 2
    else:
        kw["binary_output"] = binary
    _same(tf.sparse.bincount(vals, **kw), real_tf.sparse.bincount(vals, **kw))


@pytest.mark.parametrize("expr", EXPRS)
def test_matches_tf(expr):
    compare(real_tf, tf, SETUP, expr)


@pytest.mark.parametrize("expr", CROSS_EXPRS)
def test_cross_matches_tf(expr):
    compare(real_tf, tf, CROSS_SETUP, expr)


def _random_sparse(draw, shape, dtype=np.float32):
    size = int(np.prod(shape))
    flat = draw(st.lists(st.integers(0, size - 1), unique=True, max_size=min(size, 12)))
    flat = sorted(flat)
    idx = np.array(np.unravel_index(np.asarray(flat, np.int64), shape), dtype=np.int64)
    idx = idx.T.reshape(-1, len(shape))
    vals = np.asarray(draw(st.lists(st.integers(-9, 9), min_size=len(flat),
                                    max_size=len(flat))), dtype=dtype)
    return idx, vals


@st.composite
def _pair(draw):
    shape = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    return shape, _random_sparse(draw, shape), _random_sparse(draw, shape)


def _same(ours, theirs):
    for a, b in [(ours.indices, theirs.indices), (ours.values, theirs.values),
                 (ours.dense_shape, theirs.dense_shape)]:
        assert a.dtype.name == b.dtype.name
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)


@settings(max_examples=20, deadline=None)
@given(_pair())
def test_maximum_minimum_random(case):
    shape, (ia, va), (ib, vb) = case
    for fn in ("maximum", "minimum"):
        ours = getattr(tf.sparse, fn)(tf.SparseTensor(ia, va, shape),
                                      tf.SparseTensor(ib, vb, shape))
        theirs = getattr(real_tf.sparse, fn)(real_tf.SparseTensor(ia, va, shape),
                                             real_tf.SparseTensor(ib, vb, shape))
        _same(ours, theirs)


@settings(max_examples=20, deadline=None)
@given(_pair(), st.integers(1, 4), st.integers(-3, 2))
def test_split_softmax_reset_shape_random(case, k, axis):
    shape, (ia, va), _ = case
    ours, theirs = tf.SparseTensor(ia, va, shape), real_tf.SparseTensor(ia, va, shape)
    _same(tf.sparse.reset_shape(ours), real_tf.sparse.reset_shape(theirs))
    if len(shape) >= 2:
        _same(tf.sparse.softmax(ours), real_tf.sparse.softmax(theirs))
    if -len(shape) <= axis < len(shape) and k <= shape[axis]:
        got = tf.sparse.split(sp_input=ours, num_split=k, axis=axis)
        want = real_tf.sparse.split(sp_input=theirs, num_split=k, axis=axis)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            _same(g, w)


def test_softmax_gradient():
    grads = []
    for m in (tf, real_tf):
        v = m.Variable([1., 2., 3., 0.5])
        with m.GradientTape() as t:
            sp = m.sparse.SparseTensor([[0, 0], [0, 2], [1, 1], [1, 3]], v, [2, 4])
            loss = m.reduce_sum(m.sparse.softmax(sp).values * m.constant([1., 2., 3., 4.]))
        grads.append(t.gradient(loss, v).numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-5, atol=1e-6)


def test_map_values_gradient():
    v = tf.Variable([1., -2.])
    with tf.GradientTape() as t:
        sp = tf.SparseTensor([[0], [2]], v, [3])
        out = tf.sparse.map_values(tf.square, sp)
        loss = tf.reduce_sum(out.values)
    np.testing.assert_allclose(t.gradient(loss, v).numpy(), [2., -4.])


def _sparse_list(m, ds):
    return [(e.indices.numpy().tolist(), e.values.numpy().tolist(), e.dense_shape.numpy().tolist())
            for e in ds]


@pytest.mark.parametrize("pipeline", [
    lambda m, ds: ds,
    lambda m, ds: ds.skip(1).take(2),
    lambda m, ds: ds.batch(3),
    lambda m, ds: ds.batch(2, drop_remainder=True).unbatch(),
    lambda m, ds: ds.map(lambda x: m.sparse.map_values(m.math.multiply, x, 2.0)),
])
def test_dataset_from_sparse_slices(pipeline):
    got = []
    for m in (tf, real_tf):
        sp = m.sparse.SparseTensor([[0, 0, 1], [1, 2, 0], [1, 3, 1], [3, 1, 0]], [1., 2., 3., 4.],
                                   [4, 5, 2])
        ds = pipeline(m, m.data.Dataset.from_tensor_slices(sp))
        got.append((repr(ds.element_spec), _sparse_list(m, ds)))
    assert got[0] == got[1]


def test_dataset_sparse_with_dense_components():
    got = []
    for m in (tf, real_tf):
        sp = m.sparse.SparseTensor([[0, 0], [2, 1]], ["a", "b"], [3, 2])
        ds = m.data.Dataset.from_tensor_slices({"s": sp, "y": m.range(3)})
        got.append((repr(ds.element_spec), int(ds.cardinality()),
                    [(e["s"].values.numpy().tolist(), int(e["y"])) for e in ds]))
    assert got[0] == got[1]


def test_tensor_eq_incompatible_shapes():
    for expr in ["tf.constant([1, 2]) == tf.constant([1, 2, 3])",
                 "tf.constant([1, 2]) != tf.constant([1, 2, 3])",
                 "tf.constant([[1], [2]]) == tf.constant([1, 2, 3])",
                 "tf.constant([1, 2]) == [1, 2, 3]",
                 "tf.constant([1., 2.]) != [[1., 2.], [3., 4.], [5., 6.]]",
                 "tf.constant([1, 2]) == tf.constant([1., 2.])",
                 "tf.constant([1, 2]) == None",
                 "tf.function(lambda a, b: a == b)(tf.constant([1, 2]), tf.constant([1, 2, 3]))",
                 "tf.function(lambda a, b: a != b)(tf.constant([1., 2.]), tf.constant([[1.], [2.], [3.]]))",
                 "tf.function(lambda a, b: tf.equal(a, b))(tf.constant([1, 2]), tf.constant([1, 2, 3]))"]:
        compare(real_tf, tf, "", expr)


@pytest.mark.parametrize("mode", ["zero", "none", "ZERO", "bogus"])
def test_unconnected_gradients_as_string(mode):
    def run(m):
        x, y = m.Variable(1.), m.Variable(2.)
        with m.GradientTape(persistent=True) as t:
            z = x * 2.
        try:
            g = t.gradient(z, [x, y], unconnected_gradients=mode)
        except Exception as e:  # noqa: BLE001 - the type is compared
            return type(e).__name__
        return [None if v is None else float(v) for v in g]
    assert run(tf) == run(real_tf)

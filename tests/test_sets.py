"""tf.sets against real TensorFlow (the oracle)."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

real_tf = pytest.importorskip("tensorflow")
import tftape as tf  # noqa: E402


def run(fn, mod):
    try:
        return ("ok", to_py(fn(mod)))
    except Exception as e:  # noqa: BLE001 - the exception is what we compare
        return ("err", type(e).__name__, str(e))


def to_py(x):
    if hasattr(x, "indices") and hasattr(x, "dense_shape") and not hasattr(x, "numpy"):
        return ("sparse", type(x).__name__, to_py(x.indices), to_py(x.values),
                to_py(x.dense_shape))
    if hasattr(x, "numpy") and hasattr(x, "dtype"):
        a = np.asarray(x.numpy())
        return ("tensor", x.dtype.name, a.shape, a.tolist())
    return x


def check(fn):
    assert run(fn, tf) == run(fn, real_tf)


A = [[2, 3, 5, 7], [7, 9, 0, 0]]
B = [[4, 5, 6], [9, 10, 0]]


def sp(m, idx, vals, shape, dtype=None):
    return m.SparseTensor(idx, m.constant(vals, dtype=dtype), shape)


CASES = {
    "union": lambda m: m.sets.union(m.constant(A), m.constant(B)),
    "intersection": lambda m: m.sets.intersection(m.constant(A), m.constant(B)),
    "difference": lambda m: m.sets.difference(m.constant(A), m.constant(B)),
    "difference_b_minus_a": lambda m: m.sets.difference(m.constant(A), m.constant(B),
                                                        aminusb=False),
    "union_repr": lambda m: repr(m.sets.union(m.constant(A), m.constant(B))),
    "to_dense": lambda m: m.sparse.to_dense(m.sets.union(m.constant(A), m.constant(B))),
    "union_3d": lambda m: m.sets.union(m.constant([[[1, 2], [3, 3]]]),
                                       m.constant([[[2, 5], [1, 1]]])),
    "empty_intersection": lambda m: m.sets.intersection(m.constant([[1], [2]]),
                                                        m.constant([[3], [4]])),
    "strings": lambda m: m.sets.union(m.constant([["a", "b"]]), m.constant([["c", "a"]])),
    "int64": lambda m: m.sets.union(m.constant([[1, 2]], m.int64), m.constant([[3]], m.int64)),
    "uint8": lambda m: m.sets.intersection(m.constant([[1, 2]], m.uint8),
                                           m.constant([[2]], m.uint8)),
    "negative": lambda m: m.sets.union(m.constant([[-1, 5]]), m.constant([[-3]])),
    "lists": lambda m: m.sets.union([[1, 2]], [[2, 3]]),
    "dense_sparse": lambda m: m.sets.union(m.constant(A), sp(m, [[0, 0], [1, 2]], [1, 8],
                                                             [2, 3])),
    "sparse_dense_flipped": lambda m: m.sets.union(sp(m, [[0, 0]], [1], [2, 3]), m.constant(A)),
    "sparse_dense_difference": lambda m: m.sets.difference(sp(m, [[0, 0]], [1], [2, 3]),
                                                           m.constant(A)),
    "sparse_sparse": lambda m: m.sets.intersection(sp(m, [[0, 0], [0, 1]], [1, 2], [2, 3]),
                                                   sp(m, [[0, 0], [1, 2]], [2, 8], [2, 3])),
    "sparse_sparse_difference": lambda m: m.sets.difference(
        sp(m, [[0, 0], [0, 1]], [1, 2], [2, 3]), sp(m, [[0, 0], [1, 2]], [2, 8], [2, 3])),
    "size": lambda m: m.sets.size(sp(m, [[0, 0], [0, 1], [1, 0]], [1, 1, 2], [2, 3])),
    "size_3d": lambda m: m.sets.size(sp(m, [[0, 0, 0], [0, 0, 1], [1, 1, 0]], [1, 2, 2],
                                        [2, 2, 3])),
    "size_of_union": lambda m: m.sets.size(m.sets.union(m.constant(A), m.constant(B))),
    # -- errors
    "size_dense": lambda m: m.sets.size(m.constant(A)),
    "size_float": lambda m: m.sets.size(sp(m, [[0, 0]], [1.], [2, 3])),
    "size_unsorted": lambda m: m.sets.size(sp(m, [[1, 0], [0, 1]], [1, 1], [2, 3])),
    "size_rank1": lambda m: m.sets.size(sp(m, [[0]], [1], [3])),
    "dtype_mismatch": lambda m: m.sets.union(m.constant(A), m.constant([[1.]])),
    "invalid_dtype": lambda m: m.sets.union(m.constant([[1.]]), m.constant([[1.]])),
    "bool": lambda m: m.sets.union(m.constant([[True]]), m.constant([[True]])),
    "rank_b": lambda m: m.sets.union(m.constant(A), m.constant([1, 2])),
    "rank_both": lambda m: m.sets.union(m.constant([1, 2]), m.constant([1, 2])),
    "dim_mismatch": lambda m: m.sets.union(m.constant(A), m.constant([[1], [2], [3]])),
    "sparse_shape_mismatch": lambda m: m.sets.union(sp(m, [[0, 0]], [1], [2, 3]),
                                                    sp(m, [[0, 0]], [1], [3, 3])),
    "sparse_rank_mismatch": lambda m: m.sets.union(sp(m, [[0, 0]], [1], [2, 3]),
                                                   sp(m, [[0, 0, 0]], [1], [2, 3, 3])),
    "dense_sparse_mismatch": lambda m: m.sets.union(m.constant(A), sp(m, [[0, 0]], [1], [3, 3])),
    "sparse_unsorted": lambda m: m.sets.union(sp(m, [[0, 1], [0, 0]], [1, 2], [2, 3]),
                                              sp(m, [[0, 0]], [1], [2, 3])),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_case(name):
    check(CASES[name])


@settings(deadline=None, max_examples=25)
@given(st.data(), st.sampled_from(["int32", "int64", "int16", "string"]),
       st.sampled_from(["union", "intersection", "difference"]), st.integers(2, 3))
def test_hyp_dense_dense(data, dtype, op, rank):
    lead = data.draw(st.lists(st.integers(1, 3), min_size=rank - 1, max_size=rank - 1))
    na, nb = data.draw(st.integers(0, 5)), data.draw(st.integers(0, 5))
    a = np.asarray(data.draw(st.lists(st.integers(-3, 6), min_size=int(np.prod(lead)) * na,
                                      max_size=int(np.prod(lead)) * na))).reshape(lead + [na])
    b = np.asarray(data.draw(st.lists(st.integers(-3, 6), min_size=int(np.prod(lead)) * nb,
                                      max_size=int(np.prod(lead)) * nb))).reshape(lead + [nb])
    if dtype == "string":
        a, b = a.astype(str).astype(object), b.astype(str).astype(object)
    else:
        a, b = a.astype(dtype), b.astype(dtype)
    check(lambda m: getattr(m.sets, op)(m.constant(a), m.constant(b)))
    check(lambda m: m.sets.size(getattr(m.sets, op)(m.constant(a), m.constant(b))))


@settings(deadline=None, max_examples=20)
@given(st.data(), st.sampled_from(["union", "intersection", "difference"]))
def test_hyp_sparse_inputs(data, op):
    rows, width = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 4))

    def draw_sparse():
        cells = sorted(data.draw(st.sets(st.tuples(st.integers(0, rows - 1),
                                                   st.integers(0, width - 1)), max_size=6)))
        vals = data.draw(st.lists(st.integers(0, 5), min_size=len(cells), max_size=len(cells)))
        return np.asarray(cells, np.int64).reshape(-1, 2), np.asarray(vals, np.int32)

    (ia, va), (ib, vb) = draw_sparse(), draw_sparse()
    dense = np.asarray(data.draw(st.lists(st.integers(0, 5), min_size=rows * 2,
                                          max_size=rows * 2)), np.int32).reshape(rows, 2)
    check(lambda m: getattr(m.sets, op)(m.SparseTensor(ia, va, [rows, width]),
                                        m.SparseTensor(ib, vb, [rows, width])))
    check(lambda m: getattr(m.sets, op)(m.constant(dense), m.SparseTensor(ib, vb, [rows, width])))
    check(lambda m: m.sets.size(m.SparseTensor(ia, va, [rows, width])))

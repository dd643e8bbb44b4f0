"""SparseTensor and tf.sparse against real TensorFlow (the oracle)."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

real_tf = pytest.importorskip("tensorflow")
import tftape as tf  # noqa: E402

MODS = {"tf": real_tf, "tftape": tf}


# -- comparison helpers ----------------------------------------------------------------------
def run(fn, mod):
    try:
        return ("ok", to_py(fn(mod)))
    except Exception as e:  # noqa: BLE001 - the exception is what we compare
        return ("err", type(e).__name__, str(e))


def to_py(x):
    if hasattr(x, "indices") and hasattr(x, "dense_shape") and not hasattr(x, "numpy"):
        return ("sparse", to_py(x.indices), to_py(x.values), to_py(x.dense_shape))
    if isinstance(x, (tuple, list)):
        return tuple(to_py(i) for i in x)
    if hasattr(x, "numpy") and hasattr(x, "dtype"):
        a = np.asarray(x.numpy())
        return ("tensor", x.dtype.name, a.shape, a)
    return x


def same(a, b):
    if isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray) and a.shape == b.shape and a.dtype == b.dtype, (a, b)
        if a.dtype.kind in "fc":
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
        else:
            np.testing.assert_array_equal(a, b)
    elif isinstance(a, tuple):
        assert isinstance(b, tuple) and len(a) == len(b), (a, b)
        for x, y in zip(a, b):
            same(x, y)
    else:
        assert a == b, (a, b)


def check(fn):
    """Runs ``fn(tf_module)`` on TF and on tftape; results or exceptions must agree."""
    same(run(fn, real_tf), run(fn, tf))


def S(m, indices, values, shape, dtype=None):
    if dtype is not None:
        values = m.constant(values, dtype=dtype)
    return m.SparseTensor(indices=indices, values=values, dense_shape=shape)


def s34(m):
    return S(m, [[0, 1], [1, 0], [2, 3]], [1., 2., 3.], [3, 4])


D42 = [[10., 20.], [30., 40.], [50., 60.], [70., 80.]]

# -- construction, attributes, reprs ---------------------------------------------------------------
CASES = {
    "repr": lambda m: repr(s34(m)),
    "str": lambda m: str(s34(m)),
    "repr_1d_int": lambda m: repr(S(m, [[1]], [7], [4])),
    "attrs": lambda m: (str(s34(m).shape), str(s34(m).dtype), s34(m).indices, s34(m).dense_shape),
    "unknown_dim": lambda m: str(S(m, [[0, 1]], [1.], [-1, 4]).shape),
    "bad_rank": lambda m: S(m, [0, 1], [1.], [3, 4]),
    "mismatch_n": lambda m: S(m, [[0, 1]], [1., 2.], [3, 4]),
    "mismatch_rank": lambda m: S(m, [[0, 1, 2]], [1.], [3, 4]),
    "values_rank": lambda m: S(m, [[0, 1]], [[1.]], [3, 4]),
    "float_indices": lambda m: S(m, [[0., 1.]], [1.], [3, 4]),
    "int32_indices": lambda m: S(m, m.constant([[0, 1]]), [1.], [3, 4]),
    "with_values": lambda m: s34(m).with_values([5, 6, 7]),
    "with_values_bad": lambda m: s34(m).with_values([5, 6]),
    "spec": lambda m: repr(s34(m)._type_spec),
    "spec_ctor": lambda m: (repr(m.SparseTensorSpec([3, None], m.int32)),
                            repr(m.SparseTensorSpec())),
    "is_tensor": lambda m: m.is_tensor(s34(m)),
    "set_shape_bad": lambda m: s34(m).set_shape([1, 4]),
    # -- operators
    "mul_scalar": lambda m: s34(m) * 2.,
    "mul_int_scalar_to_float": lambda m: s34(m) * 2,
    "mul_bcast": lambda m: s34(m) * m.constant([1., 2., 3., 4.]),
    "mul_col": lambda m: s34(m) * m.constant([[1.], [2.], [3.]]),
    "mul_bad_bcast": lambda m: s34(m) * m.ones([2, 3, 4]),
    "mul_dtype": lambda m: s34(m) * m.ones([3, 4], m.int32),
    "mul_float_into_int": lambda m: S(m, [[0, 1]], [3], [3, 4]) * 2.5,
    "dense_mul_sparse": lambda m: m.constant([1., 2., 3., 4.]) * s34(m),
    "dense_mul_sparse_dtype": lambda m: m.ones([3, 4], m.int32) * s34(m),
    "rmul_scalar": lambda m: 2. * s34(m),
    "add_scalar": lambda m: s34(m) + 1.,
    "add_sparse_op": lambda m: s34(m) + s34(m),
    "sub": lambda m: s34(m) - s34(m),
    "neg": lambda m: -s34(m),
    "abs_builtin": lambda m: abs(s34(m)),
    "div_scalar": lambda m: s34(m) / 2.,
    "div_int": lambda m: S(m, [[0, 1]], [3], [3, 4]) / 2,
    "div_zero": lambda m: s34(m) / 0.,
    "mul_sparse": lambda m: s34(m) * s34(m),
    # -- TF APIs on sparse
    "tf_abs": lambda m: m.abs(S(m, [[0, 1]], [-2.], [2, 2])),
    "tf_square": lambda m: m.math.square(s34(m)),
    "tf_negative": lambda m: m.negative(s34(m)),
    "tf_sqrt": lambda m: m.sqrt(s34(m)),
    "tf_tanh": lambda m: m.tanh(s34(m)),
    "tf_exp_rejected": lambda m: m.exp(s34(m)),
    "tf_cast": lambda m: m.cast(s34(m), m.int32),
    "tf_multiply_rejected": lambda m: m.math.multiply(s34(m), 2.),
    "tf_multiply_scalar_first": lambda m: m.multiply(2., s34(m)),
    "tf_add_rejected": lambda m: m.add(s34(m), 1.),
    "tf_reduce_sum_rejected": lambda m: m.reduce_sum(s34(m)),
    "tf_concat_rejected": lambda m: m.concat([s34(m), s34(m)], 0),
    "tf_matmul_rejected": lambda m: m.matmul(s34(m), m.constant(D42)),
    "convert_rejected": lambda m: m.convert_to_tensor(s34(m)),
    # -- to_dense
    "to_dense": lambda m: m.sparse.to_dense(s34(m)),
    "to_dense_default": lambda m: m.sparse.to_dense(S(m, [[0, 1]], [1.], [3, 4]), 7.),
    "to_dense_default_dtype": lambda m: m.sparse.to_dense(S(m, [[0, 1]], [1.], [2, 2]),
                                                          default_value=m.constant(1)),
    "to_dense_str": lambda m: m.sparse.to_dense(S(m, [[0, 1]], ["a"], [2, 2]), "z"),
    "to_dense_bool": lambda m: m.sparse.to_dense(S(m, [[1]], [True], [3])),
    "to_dense_empty": lambda m: m.sparse.to_dense(S(m, m.zeros([0, 2], m.int64), m.zeros([0]),
                                                    [3, 4])),
    "to_dense_order": lambda m: m.sparse.to_dense(S(m, [[0, 2], [0, 1]], [1., 2.], [3, 4])),
    "to_dense_dup": lambda m: m.sparse.to_dense(S(m, [[0, 1], [0, 1]], [1., 2.], [3, 4])),
    "to_dense_oob": lambda m: m.sparse.to_dense(S(m, [[0, 1], [5, 1]], [1., 2.], [3, 4])),
    "to_dense_neg": lambda m: m.sparse.to_dense(S(m, [[0, 1], [-1, 1]], [1., 2.], [3, 4])),
    "to_dense_novalidate": lambda m: m.sparse.to_dense(S(m, [[0, 2], [0, 1]], [1., 2.], [3, 4]),
                                                       validate_indices=False),
    "to_dense_not_sparse": lambda m: m.sparse.to_dense(m.ones([2])),
    # -- from_dense, reorder
    "from_dense": lambda m: m.sparse.from_dense([[1, 0], [0, 2]]),
    "from_dense_3d": lambda m: m.sparse.from_dense(m.constant([[[0, 1], [2, 0]]])),
    "from_dense_str": lambda m: m.sparse.from_dense([["a", ""], ["", "b"]]),
    "from_dense_bool": lambda m: m.sparse.from_dense([True, False]),
    "from_dense_scalar": lambda m: m.sparse.from_dense(3.),
    "reorder": lambda m: m.sparse.reorder(S(m, [[2, 0], [0, 3], [0, 1]], [1, 2, 3], [3, 4])),
    "reorder_not_sparse": lambda m: m.sparse.reorder(m.ones([2])),
    # -- sparse_dense_matmul
    "mm": lambda m: m.sparse.sparse_dense_matmul(s34(m), m.constant(D42)),
    "mm_adj_a": lambda m: m.sparse.sparse_dense_matmul(s34(m), m.ones([3, 2]), adjoint_a=True),
    "mm_adj_b": lambda m: m.sparse.sparse_dense_matmul(s34(m), m.ones([2, 4]), adjoint_b=True),
    "mm_dense_sparse": lambda m: m.sparse.sparse_dense_matmul(m.ones([2, 3]), s34(m)),
    "mm_dense_sparse_adj": lambda m: m.sparse.sparse_dense_matmul(m.ones([4, 2]), s34(m),
                                                                  adjoint_a=True),
    "mm_int": lambda m: m.sparse.sparse_dense_matmul(S(m, [[0, 0]], [2], [1, 1]),
                                                     m.ones([1, 2], m.int32)),
    "mm_unsorted": lambda m: m.sparse.sparse_dense_matmul(S(m, [[2, 0], [0, 1]], [2., 1.],
                                                            [3, 4]), m.constant(D42)),
    "mm_inner": lambda m: m.sparse.sparse_dense_matmul(s34(m), m.ones([3, 2])),
    "mm_dtype": lambda m: m.sparse.sparse_dense_matmul(s34(m), m.ones([4, 2], m.float64)),
    "mm_oob_row": lambda m: m.sparse.sparse_dense_matmul(S(m, [[5, 0]], [2.], [3, 4]),
                                                         m.constant(D42)),
    "mm_oob_col": lambda m: m.sparse.sparse_dense_matmul(S(m, [[0, 9]], [2.], [3, 4]),
                                                         m.constant(D42)),
    "mm_rank3": lambda m: m.sparse.sparse_dense_matmul(S(m, [[0, 0, 0]], [2.], [1, 3, 4]),
                                                       m.constant(D42)),
    "mm_vec": lambda m: m.sparse.sparse_dense_matmul(s34(m), m.ones([4])),
    # -- add
    "add_ss": lambda m: m.sparse.add(s34(m), S(m, [[0, 1], [0, 2]], [5., 6.], [3, 4])),
    "add_ss_thr": lambda m: m.sparse.add(s34(m), S(m, [[0, 1], [0, 2]], [-1., 6.], [3, 4]),
                                         threshold=0.5),
    "add_ss_thr_single": lambda m: m.sparse.add(s34(m), S(m, [[0, 1], [0, 2]], [-1., .1],
                                                          [3, 4]), threshold=0.5),
    "add_ss_unsorted": lambda m: m.sparse.add(S(m, [[2, 0], [0, 1]], [1., 2.], [3, 4]),
                                              S(m, [[0, 1]], [5.], [3, 4])),
    "add_ss_dup": lambda m: m.sparse.add(S(m, [[0, 1], [0, 1]], [1., 2.], [3, 4]),
                                         S(m, [[0, 1]], [5.], [3, 4])),
    "add_sd": lambda m: m.sparse.add(s34(m), m.ones([3, 4])),
    "add_ds": lambda m: m.sparse.add(m.ones([3, 4]), s34(m)),
    "add_sd_list": lambda m: m.sparse.add(s34(m), [[1, 2, 3, 4]] * 3),
    "add_dd": lambda m: m.sparse.add(m.ones([3, 4]), m.ones([3, 4])),
    "add_shape": lambda m: m.sparse.add(s34(m), S(m, [[0, 1]], [5.], [3, 5])),
    "add_rank": lambda m: m.sparse.add(s34(m), S(m, [[0]], [-1.], [3])),
    "add_dense_shape": lambda m: m.sparse.add(s34(m), m.ones([3, 5])),
    "add_dense_rank": lambda m: m.sparse.add(s34(m), m.ones([4])),
    "add_dtype": lambda m: m.sparse.add(s34(m), S(m, [[0, 1]], [5], [3, 4])),
    "add_sd_dtype": lambda m: m.sparse.add(s34(m), m.ones([3, 4], m.int32)),
    # -- reductions
    "rs": lambda m: m.sparse.reduce_sum(s34(m)),
    "rs0": lambda m: m.sparse.reduce_sum(s34(m), axis=0),
    "rs1_keep": lambda m: m.sparse.reduce_sum(s34(m), axis=1, keepdims=True),
    "rs_neg": lambda m: m.sparse.reduce_sum(s34(m), axis=-1),
    "rs_list": lambda m: m.sparse.reduce_sum(S(m, [[0, 1, 2], [1, 0, 0], [1, 0, 1]], [1, 2, 3],
                                               [2, 3, 4]), axis=[0, 2]),
    "rs_sparse": lambda m: m.sparse.reduce_sum(s34(m), axis=1, output_is_sparse=True),
    "rs_sparse_all": lambda m: m.sparse.reduce_sum(s34(m), output_is_sparse=True),
    "rs_sparse_keep": lambda m: m.sparse.reduce_sum(s34(m), axis=0, keepdims=True,
                                                    output_is_sparse=True),
    "rs_dup": lambda m: m.sparse.reduce_sum(S(m, [[0, 1], [0, 1]], [1., 2.], [3, 4]), axis=1,
                                            output_is_sparse=True),
    "rs_unsorted": lambda m: m.sparse.reduce_sum(S(m, [[2, 1], [0, 1]], [1., 2.], [3, 4]),
                                                 axis=1, output_is_sparse=True),
    "rs_bad_axis": lambda m: m.sparse.reduce_sum(s34(m), axis=2),
    "rs_sparse_bad_axis": lambda m: m.sparse.reduce_sum(s34(m), axis=5, output_is_sparse=True),
    "rs_bool": lambda m: m.sparse.reduce_sum(S(m, [[0, 1]], [True], [3, 4])),
    "rm": lambda m: m.sparse.reduce_max(S(m, [[0, 1], [0, 2]], [-1., -2.], [2, 3]), axis=1),
    "rm_all": lambda m: m.sparse.reduce_max(S(m, [[0, 1], [0, 2]], [-1., -2.], [2, 3])),
    "rm_sparse": lambda m: m.sparse.reduce_max(S(m, [[0, 1], [0, 2]], [-1., -2.], [2, 3]),
                                               axis=1, output_is_sparse=True),
    "rm_int": lambda m: m.sparse.reduce_max(S(m, [[0, 1], [0, 2]], [-1, -2], [2, 3]), axis=0),
    "rm_empty": lambda m: m.sparse.reduce_max(S(m, m.zeros([0, 2], m.int64), m.zeros([0]),
                                                [2, 3]), axis=1),
    "rm_str": lambda m: m.sparse.reduce_max(S(m, [[0, 1]], ["a"], [3, 4])),
    "rm_bad_axis": lambda m: m.sparse.reduce_max(s34(m), axis=-3),
    # -- retain, slice, transpose, reshape, concat, expand_dims
    "retain": lambda m: m.sparse.retain(s34(m), [True, False, True]),
    "retain_int": lambda m: m.sparse.retain(s34(m), [1, 0, 1]),
    "retain_bad": lambda m: m.sparse.retain(s34(m), [True, False]),
    "slice": lambda m: m.sparse.slice(s34(m), [1, 0], [2, 4]),
    "slice_big": lambda m: m.sparse.slice(s34(m), [1, 0], [10, 10]),
    "slice_neg": lambda m: m.sparse.slice(s34(m), [-1, 0], [2, 4]),
    "slice_empty": lambda m: m.sparse.slice(s34(m), [5, 0], [2, 4]),
    "slice_rank": lambda m: m.sparse.slice(s34(m), [0], [2]),
    "transpose": lambda m: m.sparse.transpose(s34(m)),
    "transpose_perm": lambda m: m.sparse.transpose(S(m, [[0, 1, 2], [1, 0, 0]], [1, 2],
                                                     [2, 3, 4]), [2, 0, 1]),
    "transpose_bad": lambda m: m.sparse.transpose(s34(m), [0, 1, 2]),
    "reshape": lambda m: m.sparse.reshape(s34(m), [2, 6]),
    "reshape_infer": lambda m: m.sparse.reshape(s34(m), [-1, 2]),
    "reshape_bad": lambda m: m.sparse.reshape(s34(m), [5, 2]),
    "reshape_two_unknown": lambda m: m.sparse.reshape(s34(m), [-1, -1]),
    "reshape_not_multiple": lambda m: m.sparse.reshape(s34(m), [-1, 5]),
    "concat0": lambda m: m.sparse.concat(0, [s34(m), s34(m)]),
    "concat1": lambda m: m.sparse.concat(1, [s34(m), s34(m)]),
    "concat_neg": lambda m: m.sparse.concat(-1, [s34(m), s34(m)]),
    "concat_expand": lambda m: m.sparse.concat(1, [s34(m), S(m, [[0, 0]], [9.], [4, 2])],
                                               expand_nonconcat_dims=True),
    "concat_shape": lambda m: m.sparse.concat(1, [s34(m), S(m, [[0, 0]], [9.], [4, 2])]),
    "concat_rank": lambda m: m.sparse.concat(0, [s34(m), S(m, [[0]], [9.], [4])]),
    "concat_dtype": lambda m: m.sparse.concat(0, [s34(m), S(m, [[0, 0]], [9], [4, 4])]),
    "concat_axis": lambda m: m.sparse.concat(2, [s34(m), s34(m)]),
    "expand0": lambda m: m.sparse.expand_dims(s34(m), 0),
    "expand_default": lambda m: m.sparse.expand_dims(s34(m)),
    "expand_bad": lambda m: m.sparse.expand_dims(s34(m), 3),
    "expand_bad_neg": lambda m: m.sparse.expand_dims(s34(m), -4),
    "expand_float": lambda m: m.sparse.expand_dims(s34(m), 1.0),
    # -- fill_empty_rows, to_indicator, segments
    "fill": lambda m: m.sparse.fill_empty_rows(S(m, [[0, 1], [2, 3]], [1., 3.], [4, 4]), -1.),
    "fill_unsorted": lambda m: m.sparse.fill_empty_rows(S(m, [[2, 1], [0, 3], [2, 0]],
                                                          [1., 3., 4.], [4, 4]), 9.),
    "fill_3d": lambda m: m.sparse.fill_empty_rows(S(m, [[1, 1, 1]], [1], [3, 2, 2]), 7),
    "fill_dtype": lambda m: m.sparse.fill_empty_rows(S(m, [[2, 1]], [1.], [4, 4]),
                                                     m.constant(9)),
    "to_indicator": lambda m: m.sparse.to_indicator(S(m, [[0, 0], [0, 1], [1, 0]], [0, 3, 2],
                                                      [2, 2]), 4),
    "to_indicator_1d": lambda m: m.sparse.to_indicator(S(m, [[0], [1]], [1, 3], [2]), 4),
    "to_indicator_oob": lambda m: m.sparse.to_indicator(S(m, [[0, 0], [0, 1], [1, 0]],
                                                          [0, 7, 2], [2, 2]), 4),
    "seg_sum": lambda m: m.sparse.segment_sum(m.constant([[1., 2.], [3., 4.], [5., 6.]]),
                                              [0, 2], [0, 1]),
    "seg_sum_n": lambda m: m.sparse.segment_sum(m.constant([[1., 2.], [3., 4.], [5., 6.]]),
                                                [0, 2], [0, 1], num_segments=4),
    "seg_sum_int": lambda m: m.sparse.segment_sum(m.constant([1, 2, 3]), [0, 1, 2], [0, 0, 2]),
    "seg_mean": lambda m: m.sparse.segment_mean(m.constant([[1., 2.], [3., 4.], [5., 6.]]),
                                                [0, 1, 2], [0, 0, 1]),
    "seg_sqrt_n": lambda m: m.sparse.segment_sqrt_n(m.constant([1., 2., 3.]), [0, 1, 2],
                                                    [0, 0, 1]),
    "seg_mean_int": lambda m: m.sparse.segment_mean(m.constant([[1, 2], [3, 4]]), [0, 1],
                                                    [0, 0]),
    "seg_oob": lambda m: m.sparse.segment_sum(m.constant([[1., 2.], [3., 4.]]), [0, 7], [0, 1]),
    "seg_unsorted": lambda m: m.sparse.segment_sum(m.constant([[1., 2.], [3., 4.]]), [0, 1],
                                                   [1, 0]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_case(name):
    check(CASES[name])


def test_type_names():
    s = tf.SparseTensor([[0]], [1.], [2])
    assert type(s).__name__ == "SparseTensor"
    assert isinstance(s, tf.sparse.SparseTensor)
    assert tf.sparse.SparseTensor is tf.SparseTensor


# -- hypothesis: random sparse tensors ---------------------------------------------------------
DTYPES = ["float32", "float64", "int32", "int64"]


@st.composite
def sparse_inputs(draw, min_rank=1, max_rank=3):
    rank = draw(st.integers(min_rank, max_rank))
    shape = draw(st.lists(st.integers(1, 4), min_size=rank, max_size=rank))
    size = int(np.prod(shape))
    nnz = draw(st.integers(0, size))
    flat = sorted(draw(st.lists(st.integers(0, size - 1), min_size=nnz, max_size=nnz,
                                unique=True)))
    idx = np.stack(np.unravel_index(np.asarray(flat, np.int64), shape), axis=1) \
        .reshape(-1, rank).tolist() if flat else np.zeros((0, rank), np.int64)
    dtype = draw(st.sampled_from(DTYPES))
    vals = draw(st.lists(st.integers(-5, 5), min_size=nnz, max_size=nnz))
    shuffle = draw(st.booleans())
    if shuffle and nnz > 1:
        perm = draw(st.permutations(range(nnz)))
        idx = [idx[p] for p in perm]
        vals = [vals[p] for p in perm]
    return idx, np.asarray(vals, dtype=dtype), shape


def _mk(m, data):
    idx, vals, shape = data
    return m.SparseTensor(m.constant(np.asarray(idx, np.int64).reshape(-1, len(shape))),
                          m.constant(vals), shape)


@settings(deadline=None, max_examples=25)
@given(sparse_inputs(), st.integers(-3, 2), st.booleans())
def test_hyp_reorder_to_dense_reduce(data, axis, keep):
    check(lambda m: m.sparse.to_dense(m.sparse.reorder(_mk(m, data))))
    check(lambda m: m.sparse.to_dense(_mk(m, data)))
    check(lambda m: m.sparse.reduce_sum(_mk(m, data), axis=axis, keepdims=keep))
    check(lambda m: m.sparse.reduce_max(_mk(m, data), axis=axis, output_is_sparse=True))


@settings(deadline=None, max_examples=15)
@given(sparse_inputs(), st.data())
def test_hyp_transpose_reshape_concat(data, draw):
    rank = len(data[2])
    perm = draw.draw(st.permutations(range(rank)))
    check(lambda m: m.sparse.transpose(_mk(m, data), perm))
    check(lambda m: m.sparse.reshape(_mk(m, data), [-1]))
    ax = draw.draw(st.integers(0, rank - 1))
    check(lambda m: m.sparse.concat(ax, [m.sparse.reorder(_mk(m, data))] * 2))
    ex = draw.draw(st.integers(-rank - 1, rank))
    check(lambda m: m.sparse.expand_dims(_mk(m, data), ex))
    check(lambda m: m.sparse.fill_empty_rows(m.sparse.reorder(_mk(m, data)), 7))


@settings(deadline=None, max_examples=15)
@given(sparse_inputs(min_rank=2, max_rank=2), st.integers(1, 3), st.booleans())
def test_hyp_matmul_add(data, n, adj):
    rows, cols = data[2]
    dtype = data[1].dtype
    b = np.arange((rows if adj else cols) * n).reshape(-1, n).astype(dtype)
    check(lambda m: m.sparse.sparse_dense_matmul(_mk(m, data), m.constant(b), adjoint_a=adj))
    check(lambda m: m.sparse.add(m.sparse.reorder(_mk(m, data)),
                                 m.constant(np.ones(data[2], dtype))))
    check(lambda m: m.sparse.add(m.sparse.reorder(_mk(m, data)), m.sparse.reorder(_mk(m, data))))
    check(lambda m: _mk(m, data) * m.constant(np.arange(cols).astype(dtype)))


# -- gradients --------------------------------------------------------------------------------------
def _grads(m):
    v = m.Variable([1., 2., 3.])
    w = m.Variable(np.arange(12.).reshape(3, 4).astype(np.float32))
    d = m.constant(D42)
    out = []
    fns = [
        lambda s: m.reduce_sum(m.sparse.to_dense(s) ** 2),
        lambda s: m.reduce_sum(m.sparse.sparse_dense_matmul(s, d) ** 2),
        lambda s: m.reduce_sum(m.sparse.sparse_dense_matmul(
            s, m.constant(np.arange(6.).reshape(2, 3), m.float32), adjoint_a=True,
            adjoint_b=True)),
        lambda s: m.reduce_sum((s * w).values ** 2),
        lambda s: m.reduce_sum(m.sparse.add(s, w) ** 2),
        lambda s: m.reduce_sum(m.sparse.reduce_sum(s, axis=1) ** 2),
        lambda s: m.reduce_sum(m.sparse.reorder(s).values * [1., 2., 3.]),
        lambda s: m.reduce_sum(m.sparse.transpose(s).values * [1., 2., 3.]),
        lambda s: m.reduce_sum(m.sparse.to_dense(m.sparse.concat(0, [s, s * 2.]))),
    ]
    for f in fns:
        with m.GradientTape() as tape:
            s = m.SparseTensor([[0, 3], [1, 0], [2, 1]], v * 1., [3, 4])
            y = f(s)
        gv, gw = tape.gradient(y, [v, w])
        out.append((None if gv is None else gv.numpy(), None if gw is None else gw.numpy()))
    return out


def test_gradients_match_tf():
    got, want = _grads(tf), _grads(real_tf)
    for pair, expected in zip(got, want):
        for g, e in zip(pair, expected):
            assert (g is None) == (e is None)
            if e is not None:
                np.testing.assert_allclose(g, e, rtol=1e-6)

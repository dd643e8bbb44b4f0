"""Oracle tests for shape, creation, indexing and gather/scatter ops against real TensorFlow."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from test_ops_math import assert_same, check, check_expr, real_tf, sample, tf  # noqa: F401

ARRAY_CASES = """
tf.roll(tf.range(5), 2, 0)
tf.roll(tf.reshape(tf.range(6), (2, 3)), [1, -1], [0, 1])
tf.repeat(tf.constant([1, 2]), 3)
tf.repeat(tf.constant([[1, 2], [3, 4]]), [1, 2], axis=0)
tf.repeat(tf.constant([[1, 2], [3, 4]]), 2)
tf.searchsorted(tf.constant([1, 3, 5]), tf.constant([2, 5]))
tf.searchsorted(tf.constant([1, 3, 5]), tf.constant([2, 5]), side='right')
tf.searchsorted(tf.constant([[1, 3, 5]]), tf.constant([[2, 6]]))
tf.linspace(0., 1., 5)
tf.linspace(0, 1, 5)
tf.linspace([0., 1.], [1., 3.], 3, axis=1)
tf.range(5)
tf.range(1, 10, 3)
tf.range(5.)
tf.range(10, 1, -3)
tf.range(1, 5, 0)
tf.range(5, 1)
tf.range(0, 1, 0.25, dtype=tf.float64)
tf.range(tf.constant(5, tf.int64))
tf.fill([2, 3], 7)
tf.fill([2, 3], 'a')
tf.fill([2, -1], 7)
tf.zeros([2, 3], tf.int32)
tf.ones((2,), tf.bool)
tf.zeros_like(tf.constant([1., 2.]), dtype=tf.int32)
tf.ones_like([[1, 2]])
tf.eye(2, 3)
tf.eye(2, batch_shape=[2], dtype=tf.int32)
tf.eye(-1)
tf.reshape(tf.range(6), [4, -1])
tf.reshape(tf.range(6), [-1, -1])
tf.reshape(tf.range(6), [5])
tf.reshape(tf.range(6), [3, 2])
tf.transpose(tf.reshape(tf.range(6), (2, 3)))
tf.transpose(tf.reshape(tf.range(24), (2, 3, 4)), [2, 0, 1])
tf.transpose(tf.reshape(tf.range(24), (2, 3, 4)), [2, 0])
tf.transpose(tf.reshape(tf.range(24), (2, 3, 4)), [2, 0, 0])
tf.transpose(tf.reshape(tf.range(24), (2, 3, 4)), [2, 0, 3])
tf.transpose(tf.constant([[1 + 2j]]), conjugate=True)
tf.concat([tf.ones((2, 2)), tf.ones((2, 3))], 1)
tf.concat([tf.ones((2, 2)), tf.ones((2, 3))], 0)
tf.concat([tf.ones((2, 2)), tf.ones((2,))], 0)
tf.concat([tf.ones((2, 2)), tf.ones((2, 2), tf.int32)], 0)
tf.concat([tf.ones((2, 2)), tf.ones((2, 2))], 2)
tf.concat([tf.ones((2, 2)), tf.ones((2, 2))], -3)
tf.concat([[1], [2, 3]], 0)
tf.concat([], 0)
tf.stack([tf.ones(2), tf.ones(2)], 1)
tf.stack([tf.ones(2), tf.ones(3)])
tf.stack([tf.ones(2), tf.ones(2)], 2)
tf.stack([])
tf.stack([1, 2.])
tf.unstack(tf.reshape(tf.range(6), (2, 3)), axis=1)
tf.unstack(tf.reshape(tf.range(6), (2, 3)), num=3)
tf.split(tf.range(6), 3)
tf.split(tf.range(6), [1, 2, -1])
tf.split(tf.range(6), 4)
tf.split(tf.range(6), [1, 2])
tf.split(tf.reshape(tf.range(12), (3, 4)), 2, axis=1)
tf.squeeze(tf.ones((1, 2, 1)))
tf.squeeze(tf.ones((1, 2, 1)), [0])
tf.squeeze(tf.ones((1, 2, 1)), [1])
tf.squeeze(tf.ones((1, 2, 1)), 3)
tf.expand_dims(tf.ones((2,)), -1)
tf.expand_dims(tf.ones((2,)), 2)
tf.expand_dims(tf.ones((2,)), -3)
tf.tile(tf.constant([[1, 2]]), [2, 3])
tf.tile(tf.constant([[1, 2]]), [2])
tf.tile(tf.ones((2,)), [-1])
tf.pad(tf.constant([[1, 2], [3, 4]]), [[1, 1], [2, 0]])
tf.pad(tf.constant([[1, 2], [3, 4]]), [[1, 1], [1, 1]], 'REFLECT')
tf.pad(tf.constant([[1, 2], [3, 4]]), [[1, 1], [1, 1]], 'SYMMETRIC')
tf.pad(tf.constant([[1, 2], [3, 4]]), [[2, 2], [1, 1]], 'REFLECT')
tf.pad(tf.constant([[1, 2], [3, 4]]), [[3, 2], [1, 1]], 'SYMMETRIC')
tf.pad(tf.constant([[1, 2], [3, 4]]), [[1, 1], [1, 1]], constant_values=9)
tf.pad(tf.constant([[1, 2], [3, 4]]), [[1, 1]])
tf.pad(tf.constant([[1, 2], [3, 4]]), [[1, 1]], constant_values=3)
tf.pad(tf.constant([[1, 2], [3, 4]]), [[1, 1], [1, 1]], 'FOO')
tf.reverse(tf.reshape(tf.range(6), (2, 3)), [1])
tf.reverse(tf.reshape(tf.range(6), (2, 3)), [-1, 0])
tf.reverse(tf.reshape(tf.range(6), (2, 3)), [2])
tf.slice(tf.reshape(tf.range(12), (3, 4)), [1, 1], [2, -1])
tf.slice(tf.reshape(tf.range(12), (3, 4)), [1, 1], [3, 1])
tf.strided_slice(tf.reshape(tf.range(12), (3, 4)), [0, 1], [3, 4], [2, 2])
tf.strided_slice(tf.reshape(tf.range(12), (3, 4)), [0, 1], [3, 4], [1, 1], shrink_axis_mask=1)
tf.strided_slice(tf.reshape(tf.range(12), (3, 4)), [0, 3], [3, 0], [1, -1], begin_mask=1)
tf.gather(tf.constant([1, 2, 3]), [2, 0])
tf.gather(tf.constant([1, 2, 3]), [3])
tf.gather(tf.constant([1, 2, 3]), [-1])
tf.gather(tf.reshape(tf.range(12), (3, 4)), [[0, 1], [2, 3], [1, 1]], axis=1, batch_dims=1)
tf.gather(tf.reshape(tf.range(12), (3, 4)), [3, 1], axis=1)
tf.gather(tf.reshape(tf.range(12), (3, 4)), [[5, 1]], axis=1)
tf.gather(tf.reshape(tf.range(12), (3, 4)), [1.], axis=1)
tf.gather(tf.constant(['a', 'b']), [1, 1])
tf.gather_nd(tf.reshape(tf.range(12), (3, 4)), [[0, 1], [2, 3]])
tf.gather_nd(tf.reshape(tf.range(12), (3, 4)), [[1], [2]])
tf.gather_nd(tf.reshape(tf.range(12), (3, 4)), [[3, 1]])
tf.gather_nd(tf.reshape(tf.range(12), (3, 4)), [[0, 1], [3, 1]])
tf.gather_nd(tf.reshape(tf.range(24), (2, 3, 4)), [[1], [2]], batch_dims=1)
tf.scatter_nd([[1], [3]], [9, 10], [5])
tf.scatter_nd([[1], [1]], [9, 10], [5])
tf.scatter_nd([[1], [5]], [9, 10], [5])
tf.tensor_scatter_nd_update(tf.zeros(4), [[1], [2]], [1., 2.])
tf.tensor_scatter_nd_add(tf.ones(4), [[1], [1]], [1., 2.])
tf.tensor_scatter_nd_sub(tf.ones(4), [[1], [1]], [1., 2.])
tf.tensor_scatter_nd_max(tf.ones(4), [[1], [2]], [0., 2.])
tf.tensor_scatter_nd_update(tf.zeros(4), [[1], [4]], [1., 2.])
tf.tensor_scatter_nd_add(tf.zeros(4), [[1], [4]], [1., 2.])
tf.tensor_scatter_nd_update(tf.zeros((2, 3)), [[1]], [[1., 2., 3.]])
tf.tensor_scatter_nd_update(tf.zeros(4), [[1]], [1])
tf.where(tf.constant([True, False, True]))
tf.where(tf.constant([[True, False], [False, True]]))
tf.where(tf.constant([True, False]), [1, 2], [3, 4])
tf.where(tf.constant([True, False]), 1., 2.)
tf.where(tf.constant([True, False]), [1, 2], [3., 4.])
tf.where(tf.constant([True, False, True]), [1, 2], [3, 4])
tf.where(tf.constant([1, 0]), [1, 2], [3, 4])
tf.where([[True], [False]], [1, 2], [3, 4])
tf.where([1, 0])
tf.boolean_mask(tf.constant([1, 2, 3]), [True, False, True])
tf.boolean_mask(tf.reshape(tf.range(6), (2, 3)), [True, False])
tf.boolean_mask(tf.reshape(tf.range(6), (2, 3)), [True, False, True], axis=1)
tf.boolean_mask(tf.reshape(tf.range(6), (2, 3)), [True, False, True])
tf.boolean_mask(tf.reshape(tf.range(6), (2, 3)), [[True, False, True], [False, True, True]])
tf.one_hot([0, 2], 3)
tf.one_hot([0, 5, -1], 3)
tf.one_hot([[0, 2]], 3, axis=0)
tf.one_hot([0, 2], 3, on_value=5, off_value=-1)
tf.one_hot([0, 2], 3, dtype=tf.int64)
tf.one_hot([0, 2], 3, on_value=1., off_value=0)
tf.one_hot([0, 2], -1)
tf.bitcast(tf.constant([1.], tf.float32), tf.int32)
tf.bitcast(tf.constant([1, 2], tf.int32), tf.int64)
tf.bitcast(tf.constant([1], tf.int64), tf.int32)
tf.identity([1, 2])
tf.identity(tf.constant(['a']))
tf.shape(tf.ones((2, 3)))
tf.shape(tf.ones((2, 3)), out_type=tf.int64)
tf.rank(tf.ones((2, 3)))
tf.size(tf.ones((2, 3)))
tf.size(tf.ones((2, 3)), out_type=tf.int64)
tf.broadcast_to([1, 2], [3, 2])
tf.broadcast_to([1, 2], [3, 3])
tf.broadcast_to(tf.ones((2,)), [-1])
tf.clip_by_value(tf.constant([1, 5, 10]), 2, 8)
tf.clip_by_value(tf.constant([1., 5, 10]), [2., 3., 4.], 8.)
tf.clip_by_value(tf.constant([1, 5, 10]), 2., 8)
tf.clip_by_norm(tf.constant([3., 4.]), 1.)
tf.clip_by_norm(tf.constant([[3., 4.], [1., 0.]]), 1., axes=[1])
tf.clip_by_norm(tf.constant([0., 0.]), 1.)
tf.clip_by_global_norm([tf.constant([3., 4.]), tf.constant([12.])], 1.)
tf.sort(tf.constant([3, 1, 2]))
tf.sort(tf.constant([3, 1, 2]), direction='DESCENDING')
tf.sort(tf.constant([[3, 1, 2], [0, 5, 4]]), axis=0)
tf.sort(tf.constant([3., np.nan, 1.]))
tf.sort(tf.constant([3, 1, 2], tf.uint8), direction='DESCENDING')
tf.sort(tf.constant([3, 1, 2]), direction='UP')
tf.argsort(tf.constant([3, 1, 2]))
tf.argsort(tf.constant([3, 1, 1, 2]), direction='DESCENDING', stable=True)
tf.argsort(tf.constant([3, 1, 1, 2]), stable=True)
tf.math.top_k(tf.constant([1, 3, 2, 3]), 2)
tf.math.top_k(tf.constant([1., 3, 2]), 4)
tf.math.top_k(tf.constant([[1., 3, 2], [4, 1, 0]]), 2)
tf.unique(tf.constant([1, 2, 1, 3]))
tf.unique(tf.constant(['b', 'a', 'b']))
tf.unique(tf.constant([[1, 2]]))
tf.unique(tf.constant([1, 2, 1]), out_idx=tf.int64)
tf.einsum('ij,jk->ik', tf.ones((2, 3)), tf.ones((3, 4)))
tf.einsum('i,i', tf.constant([1, 2]), tf.constant([3, 4]))
tf.einsum('bij->bji', tf.ones((2, 3, 4))).shape
tf.einsum('ij,jk->ik', tf.ones((2, 3)), tf.ones((3, 4), tf.int32))
tf.tensordot(tf.ones((2, 3)), tf.ones((3, 4)), 1)
tf.tensordot(tf.ones((2, 3)), tf.ones((3, 2)), [[1, 0], [0, 1]])
tf.tensordot(tf.ones((2, 3)), tf.ones((2, 3)), 0).shape
tf.meshgrid([1, 2], [3, 4, 5])
tf.meshgrid([1, 2], [3, 4, 5], indexing='ij')
tf.sequence_mask([1, 3], 4)
tf.sequence_mask([1, 3])
tf.broadcast_static_shape(tf.TensorShape([2, 1]), tf.TensorShape([3]))
tf.broadcast_dynamic_shape([2, 1], [3])
""".strip().splitlines()

# TF's exact wording matters for these (index, concat, reshape errors).
ARRAY_MESSAGES = """
tf.concat([tf.ones((2, 2)), tf.ones((2, 3))], 0)
tf.concat([tf.ones((2, 2)), tf.ones((2,))], 0)
tf.concat([tf.ones((2, 2)), tf.ones((2, 2), tf.int32)], 0)
tf.concat([tf.ones((2, 2)), tf.ones((2, 2))], 2)
tf.stack([tf.ones(2), tf.ones(3)])
tf.reshape(tf.range(6), [4])
tf.reshape(tf.range(6), [4, -1])
tf.reshape(tf.range(6), [-1, -1])
tf.gather(tf.constant([1, 2, 3]), [3])
tf.gather(tf.reshape(tf.range(12), (3, 4)), [[5, 1]], axis=1)
tf.gather_nd(tf.reshape(tf.range(12), (3, 4)), [[0, 1], [3, 1]])
tf.scatter_nd([[1], [5]], [9, 10], [5])
tf.tensor_scatter_nd_update(tf.zeros(4), [[1], [4]], [1., 2.])
tf.transpose(tf.reshape(tf.range(24), (2, 3, 4)), [2, 0, 0])
tf.split(tf.range(6), 4)
tf.split(tf.range(6), [1, 2])
tf.unstack(tf.reshape(tf.range(6), (2, 3)), num=3)
tf.squeeze(tf.ones((1, 2, 1)), [1])
tf.expand_dims(tf.ones((2,)), -3)
tf.pad(tf.constant([[1, 2], [3, 4]]), [[2, 2], [1, 1]], 'REFLECT')
tf.reverse(tf.reshape(tf.range(6), (2, 3)), [2])
tf.slice(tf.reshape(tf.range(12), (3, 4)), [1, 1], [3, 1])
tf.where(tf.constant([True, False, True]), [1, 2], [3, 4])
tf.fill([2, -1], 7)
tf.constant([1, 2, 3])[5]
tf.constant([1, 2, 3])[-4]
tf.constant([[1, 2, 3]])[0, 0, 0]
tf.constant([[1, 2, 3]])[0, 3]
tf.constant(1)[0]
tf.constant([1, 2, 3])[1.5]
tf.constant([1, 2, 3])[tf.constant(1.)]
""".strip().splitlines()


@pytest.mark.parametrize("src", ARRAY_CASES)
def test_array_cases(src):
    check_expr(src)


@pytest.mark.parametrize("src", ARRAY_MESSAGES)
def test_array_error_messages(src):
    check_expr(src, message=True)


# -- indexing ----------------------------------------------------------------------------------
INDEX_CASES = """
X[1]
X[-1]
X[..., 1]
X[..., 1, tf.newaxis]
X[tf.newaxis, 1, ..., 2]
X[1:, ::2]
X[::-1]
X[::-1, ::-2, 1]
X[-2:0:-1]
X[5:]
X[:, 10:20]
X[..., ::-1]
X[1, 2, 3]
X[tf.constant(1)]
X[tf.constant(1, tf.int64), 1:]
X[None]
X[..., None, :]
X[1, ...]
X[2, 4]
X[0, 0, 4]
X[-3]
X[3]
X[::0]
X[:, :, :, 0]
X[1.0]
X[True]
X[tf.constant([True, False, True])]
""".strip().splitlines()


@pytest.mark.parametrize("src", INDEX_CASES)
def test_indexing(src):
    check_expr("(lambda X: " + src + ")(tf.reshape(tf.range(60), (3, 4, 5)))", message=True)


@settings(deadline=None, max_examples=30)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=3), st.data())
def test_slicing_hypothesis(shape, data):
    key = []
    for n in shape:
        kind = data.draw(st.sampled_from(["int", "slice", "all"]))
        if kind == "int":
            key.append(data.draw(st.integers(-n - 1, n)))
        elif kind == "slice":
            step = data.draw(st.sampled_from([None, 1, 2, -1, -2]))
            key.append(slice(data.draw(st.one_of(st.none(), st.integers(-n - 2, n + 2))),
                             data.draw(st.one_of(st.none(), st.integers(-n - 2, n + 2))), step))
        else:
            key.append(slice(None))
    x = np.arange(int(np.prod(shape))).reshape(shape).astype(np.int32)
    results = []
    for lib in (real_tf, tf):
        try:
            results.append(("ok", lib.constant(x)[tuple(key)].numpy()))
        except Exception as e:  # noqa: BLE001
            results.append(("err", type(e).__name__))
    assert results[0][0] == results[1][0], (key, results)
    if results[0][0] == "ok":
        np.testing.assert_array_equal(results[1][1], results[0][1])
    else:
        assert results[0][1] == results[1][1]


# -- hypothesis over shapes ------------------------------------------------------------------------
@settings(deadline=None, max_examples=25)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=4), st.integers(0, 2 ** 31),
       st.sampled_from(["float32", "int64", "bool", "complex64", "uint8"]))
def test_layout_ops_hypothesis(shape, seed, dtype):
    rng = np.random.default_rng(seed)
    x = sample(dtype, tuple(shape), rng)
    nd = len(shape)
    perm = [int(i) for i in rng.permutation(nd)]
    ax = int(rng.integers(-nd, nd))
    check("transpose", x, perm)
    check("reshape", x, [-1] + shape[1:] if nd > 1 else [-1])
    sax = int(seed % (2 * nd + 1)) - nd - 1

    def join(lib):  # lists of tensors (lists of NumPy arrays follow tf.constant's rules)
        pair = [lib.constant(x), lib.constant(x)]
        return lib.concat(pair, ax), lib.stack(pair, axis=sax)
    assert_same(join(tf), join(real_tf), where=(shape, dtype))
    check("reverse", x, [ax])
    check("tile", x, [int(m) for m in rng.integers(0, 3, nd)])
    check("expand_dims", x, int(rng.integers(-nd - 1, nd + 1)))
    check("roll", x, int(rng.integers(-3, 4)), ax)
    idx = rng.integers(-1, shape[ax % nd] + 1, size=3).astype(np.int32)
    check("gather", x, idx, axis=ax)
    check("unstack", x, axis=ax)
    check("split", x, 1, axis=ax)


@settings(deadline=None, max_examples=20)
@given(st.lists(st.integers(1, 4), min_size=2, max_size=3), st.integers(0, 2 ** 31))
def test_gather_nd_scatter_hypothesis(shape, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape).astype(np.float32)
    k = int(rng.integers(1, len(shape) + 1))
    idx = np.stack([rng.integers(0, shape[j] + (1 if seed % 5 == 0 else 0), 4)
                    for j in range(k)], -1).astype(np.int32)
    check("gather_nd", x, idx)
    upd = rng.standard_normal((4,) + tuple(shape[k:])).astype(np.float32)
    check("tensor_scatter_nd_add", x, idx, upd)
    check("scatter_nd", idx, upd, np.array(shape, np.int32))


# -- tf.print ------------------------------------------------------------------------------------
PRINT_VALUES = """
tf.constant([1, 2, 3])
tf.constant([1.5, 2., -3.25])
tf.constant(3)
tf.constant(2.5)
tf.constant(1 / 3)
tf.constant(1 / 3, tf.float64)
tf.constant([0.1], tf.float16)
tf.constant(1.0e20)
tf.constant([1e-7, 1e8])
tf.constant([np.nan, -np.inf])
tf.constant([[1, 2], [3, 4]])
tf.constant(['a', 'b'])
tf.constant('ab')
tf.constant([True, False])
tf.constant([1 + 2j])
tf.range(10)
tf.reshape(tf.range(24), (2, 3, 4))
tf.reshape(tf.range(100), (10, 10))
tf.constant([], tf.float32)
tf.constant([1, 2], tf.uint8)
"text"
[1, 2]
""".strip().splitlines()


def _printed(lib, capfd, *args, **kw):
    import sys
    lib.print(*args, output_stream=sys.stdout, **kw)
    return capfd.readouterr().out


@pytest.mark.parametrize("src", PRINT_VALUES)
def test_print_format(src, capfd):
    exp = _printed(real_tf, capfd, eval(src, {"tf": real_tf, "np": np}))  # noqa: S307
    got = _printed(tf, capfd, eval(src, {"tf": tf, "np": np}))  # noqa: S307
    assert got == exp


@pytest.mark.parametrize("kw", [{"summarize": 1}, {"summarize": -1}, {"sep": "|", "end": "!\n"}])
def test_print_options(kw, capfd):
    exp = _printed(real_tf, capfd, real_tf.reshape(real_tf.range(16), (4, 2, 2)), "x", **kw)
    got = _printed(tf, capfd, tf.reshape(tf.range(16), (4, 2, 2)), "x", **kw)
    assert got == exp


def test_print_rejects_unknown_streams():
    import io
    for lib in (real_tf, tf):
        with pytest.raises(ValueError, match="Unsupported output stream"):
            lib.print(1, output_stream=io.StringIO())


MORE_ERRORS = """
tf.einsum('ij,jk->ik', tf.ones((2, 3)), tf.ones((2, 4)))
tf.einsum('ij,jk->ikx', tf.ones((2, 3)), tf.ones((3, 4)))
tf.tensordot(tf.ones((2, 3)), tf.ones((2, 4)), 1)
tf.math.top_k(tf.constant([1., 3, 2]), -1)
tf.gather(tf.reshape(tf.range(12), (3, 4)), [1], axis=2)
""".strip().splitlines()


@pytest.mark.parametrize("src", MORE_ERRORS)
def test_more_error_messages(src):
    check_expr(src, message=True)

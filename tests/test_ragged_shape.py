"""``tf.shape`` of a RaggedTensor, ``tf.experimental.DynamicRaggedShape`` and ``RowPartition``
against real TensorFlow: reprs, lengths, dtypes, indexing errors, tensors filled to a shape."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

real_tf = pytest.importorskip("tensorflow")
import tftape as tf  # noqa: E402

CASES = [
    "tf.shape(tf.ragged.constant([[1], [2, 3]]))",
    "str(tf.shape(tf.ragged.constant([[1], [2, 3]])))",
    "tf.shape(tf.ragged.constant([[1, 2, 3]]))",
    "tf.shape(tf.ragged.constant([[[1], [2]], [[3]]]))",
    "tf.shape(tf.ragged.constant([[[1, 2]], [[3, 4], [5, 6]]], ragged_rank=1))",
    "tf.shape(tf.ragged.constant([[1], [2, 3]], row_splits_dtype=tf.int32)).dtype",
    "tf.shape(tf.ragged.constant([[1], [2, 3]])).dtype",
    "tf.shape(tf.ragged.constant([[1], [2, 3]]), out_type=tf.int64).dtype",
    "tf.shape(tf.ragged.constant([[1], [2, 3]]))[0]",
    "tf.shape(tf.ragged.constant([[1], [2, 3]]), out_type=tf.int64)[-2]",
    "tf.shape(tf.ragged.constant([[[1, 2]], [[3, 4], [5, 6]]], ragged_rank=1))[2]",
    "tf.shape(tf.ragged.constant([[1], [2, 3]]))[1]",
    "tf.shape(tf.ragged.constant([[1], [2, 3]]))[5]",
    "tf.shape(tf.ragged.constant([[1], [2, 3]]))['a']",
    "tf.shape(tf.ragged.constant([[1], [2, 3]])).inner_shape",
    "tf.shape(tf.ragged.constant([[1], [2, 3]])).row_partitions",
    "tf.shape(tf.ragged.constant([[[1], [2]], [[3]]])).static_lengths()",
    "tf.shape(tf.ragged.constant([[[1], [2]], [[3]]])).static_lengths(ragged_lengths=False)",
    "[tf.shape(tf.ragged.constant([[1], [2, 3]])).is_uniform(i) for i in range(2)]",
    "(lambda s: (s.rank, s.num_row_partitions, s.inner_rank))("
    "tf.shape(tf.ragged.constant([[[1, 2]], [[3, 4], [5, 6]]], ragged_rank=1)))",
    "tf.experimental.DynamicRaggedShape.from_lengths([2, (1, 2)])",
    "tf.experimental.DynamicRaggedShape.from_lengths([2, (1, 2)]).dtype",
    "tf.experimental.DynamicRaggedShape.from_lengths([1, (3,), 2])",
    "tf.experimental.DynamicRaggedShape.from_lengths([2, 3], num_row_partitions=1)",
    "tf.experimental.DynamicRaggedShape.from_lengths([2, 3], num_row_partitions=1)[1]",
    "tf.experimental.DynamicRaggedShape.from_lengths([2, 3], num_row_partitions=1).is_uniform(1)",
    "tf.experimental.DynamicRaggedShape.from_tensor(tf.ones((2, 3)))",
    "tf.experimental.DynamicRaggedShape.from_tensor(tf.ones((2, 3))).dtype",
    "tf.experimental.DynamicRaggedShape.from_tensor(tf.ones((2, 3))).inner_shape",
    "tf.experimental.DynamicRaggedShape.from_tensor(tf.ragged.constant([[1], [2, 3]])).dtype",
    "tf.zeros(tf.experimental.DynamicRaggedShape.from_lengths([1, (3,), 2]))",
    "tf.ones(tf.shape(tf.ragged.constant([[1], [2, 3]])), dtype=tf.int32)",
    "tf.fill(tf.shape(tf.ragged.constant([[1], [2, 3]])), 2.5)",
    "tf.zeros(tf.shape(tf.ragged.constant([[[1], [2]], [[3]]])))",
    "tf.experimental.RowPartition.from_row_lengths([1, 2])",
    "(lambda r: (r.nrows(), r.row_lengths(), r.row_splits(), r.value_rowids(), r.nvals(), "
    "r.dtype))(tf.experimental.RowPartition.from_row_lengths([1, 2]))",
    "tf.experimental.RowPartition.from_row_splits([0, 2, 2]).row_lengths()",
    "tf.experimental.DynamicRaggedShape("
    "[tf.experimental.RowPartition.from_row_splits([0, 2, 2])], [2])",
    "tf.reshape(tf.range(3), tf.shape(tf.ragged.constant([[1], [2, 3]])))",
    "tf.reshape(tf.constant([[1., 2., 3.]]), tf.shape(tf.ragged.constant([[1], [2, 3]])))",
    "tf.reshape(tf.range(4), tf.shape(tf.ragged.constant([[1], [2, 3]])))",
    "tf.reshape(tf.ragged.constant([[1, 2], [3]]), tf.shape(tf.ragged.constant([[1], [2, 3]])))",
    "tf.reshape(tf.reshape(tf.range(12), [3, 4]), "
    "tf.experimental.DynamicRaggedShape.from_lengths([2, (1, 2), 2, 2]))",
    "tf.reshape(tf.range(6.), tf.experimental.DynamicRaggedShape.from_lengths([3, 2]))",
    "tf.reshape(tf.ragged.constant([[[1, 2]], [[3, 4], [5, 6]]], ragged_rank=1), "
    "tf.experimental.DynamicRaggedShape.from_lengths([3, (0, 2, 1), 2]))",
    "tf.reshape(tf.constant(['a', 'b', 'c']), tf.shape(tf.ragged.constant([[1, 2], [3]])))",
]


def _run(lib, src):
    try:
        return repr(eval(src, {"tf": lib}))
    except Exception as e:  # noqa: BLE001 - the exception type is what is compared
        return type(e).__name__


@pytest.mark.parametrize("src", CASES)
def test_ragged_shapes_match_tf(src):
    assert _run(tf, src) == _run(real_tf, src)


@settings(deadline=None, max_examples=30)
@given(st.integers(0, 4), st.lists(st.integers(0, 3), min_size=0, max_size=4),
       st.lists(st.integers(1, 3), min_size=0, max_size=2), st.booleans(), st.integers(0, 1000))
def test_from_lengths_and_filled_tensors_match_tf(nrows, ragged_levels, inner, int64, seed):
    rng = np.random.default_rng(seed)
    lengths, n = [nrows], nrows
    for level in ragged_levels[:2]:
        row = tuple(int(x) for x in rng.integers(0, level + 1, n))
        lengths.append(row)
        n = sum(row)
    lengths += inner
    dtype = "int64" if int64 else "int32"
    src = (f"(lambda s: (repr(s), s.static_lengths(), s.dtype, tf.ones(s, tf.int32)))("
           f"tf.experimental.DynamicRaggedShape.from_lengths({lengths!r}, dtype=tf.{dtype}))")
    assert _run(tf, src) == _run(real_tf, src)


_SLICED = {
    "ragged": "tf.shape(tf.ragged.constant([[[1, 2], [3, 4]], [[5, 6]], []], ragged_rank=1))",
    "ragged int64": "tf.shape(tf.ragged.constant([[[1], [2]], [[3]]]), out_type=tf.int64)",
    "uniform rows": "tf.shape(tf.RaggedTensor.from_uniform_row_length("
                    "tf.reshape(tf.range(24), [6, 4]), 2))",
    "dense": "tf.experimental.DynamicRaggedShape.from_tensor(tf.zeros([2, 3, 4]))",
    "from lengths": "tf.experimental.DynamicRaggedShape.from_lengths([2, 3, (1, 2, 0, 4, 1, 1), 2],"
                    " num_row_partitions=2)",
}
_BOUNDS = [None, -10, -3, -2, -1, 0, 1, 2, 3, 4, 10]


def _sliced(lib, src, sl):
    try:
        s = eval(src, {"tf": lib})[sl]
        return repr(s), s.dtype.name, s.inner_shape.numpy().tolist(), s.num_row_partitions
    except Exception as e:  # noqa: BLE001 - the exception type and message are compared
        return type(e).__name__, str(e)


@pytest.mark.parametrize("shape", sorted(_SLICED))
def test_shape_slices_match_tf(shape):
    src = _SLICED[shape]
    for start in _BOUNDS:
        for stop in _BOUNDS:
            sl = slice(start, stop)
            assert _sliced(tf, src, sl) == _sliced(real_tf, src, sl), sl
    for sl in (slice(None, None, 2), slice(0, 2, -1)):
        assert _sliced(tf, src, sl) == _sliced(real_tf, src, sl), sl


@settings(deadline=None, max_examples=25)
@given(st.integers(1, 3), st.lists(st.sampled_from(["ragged", "uniform"]), min_size=0,
                                   max_size=3),
       st.lists(st.integers(1, 3), min_size=0, max_size=2), st.booleans(),
       st.integers(-6, 6) | st.none(), st.integers(-6, 6) | st.none(), st.integers(0, 1000))
def test_shape_slices_hypothesis(nrows, levels, inner, int64, start, stop, seed):
    rng = np.random.default_rng(seed)
    lengths, n = [nrows], nrows
    for level in levels:
        if level == "ragged":
            row = tuple(int(x) for x in rng.integers(0, 3, n))
            lengths.append(row)
            n = sum(row)
        else:
            width = int(rng.integers(1, 3))
            lengths.append(width)
            n *= width
    lengths += inner
    src = (f"tf.experimental.DynamicRaggedShape.from_lengths({lengths!r}, "
           f"num_row_partitions={len(levels)}, dtype=tf.{'int64' if int64 else 'int32'})")
    sl = slice(start, stop)
    assert _sliced(tf, src, sl) == _sliced(real_tf, src, sl)


@pytest.mark.parametrize("src", [
    "tf.reshape(tf.range(4), tf.shape(tf.ragged.constant([[1], [2, 3]])))",
    "tf.reshape(tf.ones([2, 3]), tf.experimental.DynamicRaggedShape.from_lengths([2, (1, 2), 3]))",
    "tf.reshape(tf.range(4), [3])",
    "tf.reshape(tf.range(4), [-1, 3], name='r')",
])
def test_reshape_errors_match_tf(src):
    msgs = []
    for lib in (tf, real_tf):
        with pytest.raises(Exception) as info:
            eval(src, {"tf": lib})
        msgs.append((type(info.value).__name__, str(info.value)))
    assert msgs[0] == msgs[1]

"""RaggedTensor against real TensorFlow: construction, conversion, indexing, ops, errors."""
from __future__ import annotations

import numpy as np
import pytest

real_tf = pytest.importorskip("tensorflow")

import tftape as tf  # noqa: E402
from tests._oracle import compare  # noqa: E402

SETUP = """
r = tf.ragged.constant([[1, 2, 3], [], [4, 5], [6]])
r3 = tf.ragged.constant([[[1, 2], [3]], [[4]], []])
rd = tf.ragged.constant([[[1, 2], [3, 4]], [[5, 6]]], ragged_rank=1)
rf = tf.ragged.constant([[1.5, 2.0], [], [3.25]])
"""

CONSTRUCT = [
    "tf.RaggedTensor.from_row_splits([1,2,3], [0,2,1])",
    "tf.RaggedTensor.from_row_splits([1,2,3], [1,2,3])",
    "tf.RaggedTensor.from_row_splits([1,2,3], [0,2,4])",
    "tf.RaggedTensor.from_row_splits([1,2,3], [0,2])",
    "tf.RaggedTensor.from_row_splits([1,2,3], [])",
    "tf.RaggedTensor.from_row_splits([1,2,3], [[0,3]])",
    "tf.RaggedTensor.from_row_splits([1,2,3], [0,1.,3])",
    "tf.RaggedTensor.from_row_splits([1,2,3], [0,1,3], validate=1)",
    "tf.RaggedTensor.from_row_splits(5, [0])",
    "tf.RaggedTensor.from_row_lengths([1,2,3], [1,1])",
    "tf.RaggedTensor.from_row_lengths([1,2,3], [1,-1,3])",
    "tf.RaggedTensor.from_row_lengths([1,2,3], [1,2])",
    "tf.RaggedTensor.from_value_rowids([1,2,3], [0,2,1])",
    "tf.RaggedTensor.from_value_rowids([1,2,3], [0,0,2])",
    "tf.RaggedTensor.from_value_rowids([1,2,3], [0,0,2], nrows=2)",
    "tf.RaggedTensor.from_value_rowids([1,2,3], [0,0,2], nrows=5)",
    "tf.RaggedTensor.from_value_rowids([1,2,3], [0,0])",
    "tf.RaggedTensor.from_row_starts([1,2,3], [0,2])",
    "tf.RaggedTensor.from_row_starts([1,2,3], [1,2])",
    "tf.RaggedTensor.from_row_limits([1,2,3], [1,3])",
    "tf.RaggedTensor.from_row_limits([1,2,3], [1,2])",
    "tf.RaggedTensor.from_uniform_row_length([1,2,3,4], 2)",
    "tf.RaggedTensor.from_uniform_row_length([1,2,3,4], 2).shape",
    "tf.RaggedTensor.from_uniform_row_length([1,2,3], 2)",
    "tf.RaggedTensor.from_nested_row_splits([1,2,3], [[0,1,2],[0,1,3]])",
    "tf.RaggedTensor.from_nested_row_lengths([1,2,3], [[1,1],[1,2]])",
    "tf.RaggedTensor.from_nested_value_rowids([1,2,3], [[0,1],[0,1,1]])",
    "tf.RaggedTensor.from_row_splits(tf.constant([1,2,3]), tf.constant([0,2,3], tf.int32)).row_splits",
    "tf.RaggedTensor.from_row_splits(tf.constant([1,2,3]), tf.constant([0,2,3])).row_splits",
    "tf.RaggedTensor.from_row_splits(tf.RaggedTensor.from_row_splits([1,2,3], tf.constant([0,2,3], tf.int32)), [0,1,2])",
    "tf.RaggedTensor.from_row_splits(tf.RaggedTensor.from_row_splits([1,2,3], tf.constant([0,2,3], tf.int32)), tf.constant([0,1,2], tf.int64))",
    "tf.RaggedTensor.from_row_splits(np.array([1., 2.]), np.array([0, 1, 2], np.int32)).row_splits",
    "tf.ragged.constant([[1,2],[3]]).row_splits",
    "tf.ragged.constant([[1,2],[3]], row_splits_dtype=tf.int32).row_splits",
    "tf.ragged.constant([[[1,2],[3]], []])",
    "tf.ragged.constant([[[1,2],[3]], []]).shape",
    "tf.ragged.constant([[[1,2],[3,4]], []], ragged_rank=1)",
    "tf.ragged.constant([[[1,2],[3,4]], []], ragged_rank=1).shape",
    "tf.ragged.constant([[[1,2],[3]], []], ragged_rank=1)",
    "tf.ragged.constant([[1,2],[3]], ragged_rank=2)",
    "tf.ragged.constant([[1,2],[3]], ragged_rank=-1)",
    "tf.ragged.constant([[1,2],[3]], ragged_rank=0)",
    "tf.ragged.constant([1,2])",
    "tf.ragged.constant(5)",
    "tf.ragged.constant(5, ragged_rank=1)",
    "tf.ragged.constant([[1,2],[3]], inner_shape=(2,))",
    "tf.ragged.constant([[[1,2]],[]], inner_shape=(2,))",
    "tf.ragged.constant([[[1,2]],[]], inner_shape=(2,)).shape",
    "tf.ragged.constant([[[1,2]],[]], inner_shape=(2,), ragged_rank=1)",
    "tf.ragged.constant([[[1,2]],[]], inner_shape=(3,), ragged_rank=2)",
    "tf.ragged.constant([[1,[2]],[3]])",
    "tf.ragged.constant([[], [[]]])",
    "tf.ragged.constant([[[]], [1]])",
    "tf.ragged.constant([])",
    "tf.ragged.constant([[]])",
    "tf.ragged.constant([[], []])",
    "tf.ragged.constant([[], []]).dtype",
    "tf.ragged.constant([['a', 'bé'], []])",
    "tf.ragged.constant([[1.5, 2], []], dtype=tf.float64)",
    "tf.ragged.constant([[True], [False, True]])",
    "tf.ragged.constant([[1, 2], [3]], dtype=tf.string)",
    "tf.ragged.constant([[1, 2], [3.5]])",
    "tf.ragged.constant([[1, 2], [2**40]])",
    "tf.ragged.constant(r)",
    "tf.ragged.constant(np.array([[1, 2], [3, 4]]))",
    "tf.ragged.constant([np.array([1, 2]), np.array([3])])",
    "tf.constant([[65, 66], [], [67]])",
]

CONVERT = [
    "tf.RaggedTensor.from_tensor([[1,2],[3,4]])",
    "tf.RaggedTensor.from_tensor([[1,2],[3,4]]).shape",
    "tf.RaggedTensor.from_tensor([[1,2,0],[3,0,0]], padding=0)",
    "tf.RaggedTensor.from_tensor([[1,2,0],[3,0,0]], lengths=[1,3])",
    "tf.RaggedTensor.from_tensor([[1,2,0],[3,0,0]], lengths=[1,4])",
    "tf.RaggedTensor.from_tensor([[1,2,0],[3,0,0]], lengths=[1])",
    "tf.RaggedTensor.from_tensor([[1,2,0],[3,0,0]], lengths=[1,2], padding=0)",
    "tf.RaggedTensor.from_tensor([[[1,2],[0,0]],[[3,0],[0,0]]], padding=0)",
    "tf.RaggedTensor.from_tensor([[[1,2],[0,0]],[[3,0],[0,0]]], padding=[0,0])",
    "tf.RaggedTensor.from_tensor([[[1,2],[0,0]],[[3,0],[0,0]]], ragged_rank=2)",
    "tf.RaggedTensor.from_tensor([[[1,2],[0,0]],[[3,0],[0,0]]], ragged_rank=2, padding=0)",
    "tf.RaggedTensor.from_tensor([[[1,2],[0,0]],[[3,0],[0,0]]], ragged_rank=2, lengths=([1,2],[2,1,1]))",
    "tf.RaggedTensor.from_tensor([1,2])",
    "tf.RaggedTensor.from_tensor([[1,2]], ragged_rank=2)",
    "tf.RaggedTensor.from_tensor([[1,2]], ragged_rank=0)",
    "tf.RaggedTensor.from_tensor(np.zeros((2,0), np.int32))",
    "tf.RaggedTensor.from_tensor([['a', ''], ['b', 'c']], padding='')",
    "r.to_tensor()",
    "r.to_tensor(shape=[2, 2])",
    "r.to_tensor(shape=[5, 4], default_value=9)",
    "r.to_tensor(shape=[None, 2])",
    "r.to_tensor(default_value=[1])",
    "r.to_tensor(default_value=1.5)",
    "r.to_tensor(default_value=[1,2])",
    "rd.to_tensor(default_value=[7, 8])",
    "rd.to_tensor(default_value=7)",
    "r3.to_tensor()",
    "r3.to_tensor(shape=[2,1,3])",
    "rf.to_tensor()",
    "tf.ragged.constant([['a'], []]).to_tensor()",
    "tf.ragged.constant([['a'], []]).to_tensor(default_value='x')",
    "tf.ragged.constant([[], []]).to_tensor()",
    "r.numpy()",
    "r3.numpy()",
    "rf.numpy()",
    "tf.ragged.constant([[1,2],[3,4]]).numpy()",
    "tf.ragged.constant([[1,2],[3,4]])",
    "tf.ragged.constant([['a', 'bé'], []]).numpy()",
    "r.to_list()",
    "r3.to_list()",
    "rd.to_list()",
    "tf.ragged.constant([['a', 'bé'], []]).to_list()",
]

ACCESS = [
    "r.shape", "r3.shape", "rd.shape", "r.get_shape()", "r.dtype", "rf.dtype",
    "r.ragged_rank", "r3.ragged_rank", "rd.ragged_rank",
    "r.values", "r3.values", "r3.flat_values", "rd.flat_values",
    "r.row_splits", "r3.nested_row_splits", "r.nested_row_splits",
    "r.bounding_shape()", "r3.bounding_shape()", "rd.bounding_shape()",
    "r.bounding_shape(axis=1)",
    "r.nrows()", "r.nrows(out_type=tf.int32)", "r.row_lengths()", "r.value_rowids()",
    "r.row_starts()", "r.row_limits()", "r3.row_lengths(axis=2)", "r3.nested_row_lengths()",
    "r.merge_dims(0, 1)", "r3.merge_dims(1, 2)", "r3.merge_dims(0, 2)", "rd.merge_dims(0, 1)",
    "r.with_row_splits_dtype(tf.int32)", "r.with_row_splits_dtype(tf.int32).row_splits",
    "r.with_values(r.values * 2)", "r.with_flat_values(r.flat_values * 2)",
    "r3.with_flat_values(r3.flat_values * 2)",
    "bool(r)", "len(r)", "list(r)", "str(r)", "isinstance(r, tf.Tensor)",
    "isinstance(r, tf.RaggedTensor)", "type(r).__name__", "tf.is_tensor(r)",
    "tf.convert_to_tensor(r)",
    "tf.RaggedTensorSpec([None, None], tf.int32)",
    "tf.RaggedTensorSpec.from_value(r)",
    "r._type_spec",
    "tf.RaggedTensorSpec(shape=[2, None, 3], dtype=tf.float32, ragged_rank=1)",
    "tf.RaggedTensorSpec(shape=[2, None, 3], dtype=tf.float32, ragged_rank=1).shape",
    "tf.RaggedTensorSpec(shape=[2, None, 3], dtype=tf.float32, ragged_rank=1).is_compatible_with(r)",
    "tf.RaggedTensorSpec([None, None], tf.int32).is_compatible_with(r)",
    "tf.RaggedTensorSpec([None, None], tf.int32) == tf.RaggedTensorSpec([None, None], tf.int32)",
    "tf.RaggedTensorSpec([None, None], tf.int32, ragged_rank=2)",
    "tf.RaggedTensorSpec(None, tf.int32)",
]

INDEX = [
    "r[0]", "r[1]", "r[5]", "r[4]", "r[-1]", "r[-4]", "r[-5]", "r[1:10]", "r[::2]", "r[::-1]",
    "r[1:3]", "r[2:]", "r[:, 1]", "r[:, 1:]", "r[:, :-1]", "r[:, ::2]", "r[:, ::-1]", "r[0, 1]",
    "r[0, 5]", "r[1:3, :1]", "r[..., 0]", "r[:, None]", "r[None]", "r[tf.constant(1)]",
    "r[0, 1, 2]", "r['a']", "r[1.5]", "r[True]", "r[:, 'a']",
    "r3[0]", "r3[:, 0]", "r3[:, :, 0]", "r3[0, 0, 1]", "r3[:, :, :1]", "r3[..., :1]",
    "r3[1:, :1]", "rd[:, :, 1]", "rd[..., 1]", "rd[1, 0]", "rd[:, :1, :1]",
    "tf.RaggedTensor.from_uniform_row_length([1,2,3,4], 2)[:, 1]",
]

OPS = [
    "r == r", "r == 1", "r != 1", "r == None", "r + 1", "r * r", "1 + r", "10 - r", "r - 1",
    "r + tf.constant([[1], [2], [3], [4]])", "r + tf.constant([1, 2, 3])",
    "r + tf.ragged.constant([[1], [2], [3], [4]])",
    "r + tf.ragged.constant([[1,1,1], [], [3,3], [4, 5]])",
    "r + tf.ragged.constant([[1,1,1], [], [3,3], [4]])",
    "-r", "abs(-r)", "tf.math.abs(-r)", "tf.cast(r, tf.float32)", "r / 2", "r // 2", "r % 4",
    "r ** 2", "r > 2", "r >= 2", "r < 2", "r <= 2", "~(r > 2)", "(r > 2) & (r < 5)",
    "(r > 2) | (r < 2)", "(r > 2) ^ (r < 5)", "r & 1", "(r > 2) & 1", "r | (r > 1)", "~r",
    "rf + tf.constant(1)", "r + 1.5", "2 * rf", "2.5 * r",
    "tf.constant([1,2]) + tf.ragged.constant([[1], [2, 3]])",
    "tf.ragged.constant([[1], [2, 3]]) + tf.constant([[1],[2]])",
    "tf.ragged.constant([[1, 2], [2, 3]]) + tf.constant([1, 2])",
    "rd + tf.constant([10, 20])", "rd + tf.constant([[[10]], [[20]]])",
    "tf.math.sqrt(tf.cast(r, tf.float32))", "tf.add(r, r)", "tf.multiply(r, 2)",
    "tf.maximum(r, 3)", "tf.math.square(rf)", "tf.math.exp(rf)", "tf.math.negative(r)",
    "tf.math.logical_not(r > 2)", "tf.math.sin(rf)", "tf.add(rf, 1)",
    "tf.math.reduce_sum(r)", "tf.reduce_sum(r, axis=0)", "tf.reduce_sum(r, axis=1)",
    "tf.reduce_sum(r, axis=1, keepdims=True)", "tf.reduce_sum(r, axis=0, keepdims=True)",
    "tf.reduce_sum(r, axis=2)", "tf.reduce_sum(r, axis=-1)", "tf.reduce_sum(r, axis=[0, 1])",
    "tf.reduce_max(r, axis=1)", "tf.reduce_max(tf.cast(r, tf.float32), axis=1)",
    "tf.reduce_min(tf.cast(r, tf.float32), axis=1)", "tf.reduce_min(r, axis=1)",
    "tf.reduce_prod(r, axis=1)", "tf.reduce_prod(r, axis=0)",
    "tf.reduce_mean(r, axis=1)", "tf.reduce_mean(r, axis=0)", "tf.reduce_mean(r)",
    "tf.reduce_mean(tf.cast(r, tf.float32), axis=1)", "tf.reduce_any(r > 2, axis=1)",
    "tf.reduce_all(r > 2, axis=1)", "tf.reduce_any(r > 2, axis=0)",
    "tf.reduce_sum(r3, axis=0)", "tf.reduce_sum(r3, axis=1)", "tf.reduce_sum(r3, axis=2)",
    "tf.reduce_sum(r3, axis=[1, 2])", "tf.reduce_sum(r3, axis=1, keepdims=True)",
    "tf.reduce_sum(r3, axis=2, keepdims=True)", "tf.reduce_max(r3, axis=0)",
    "tf.reduce_sum(rd, axis=2)", "tf.reduce_sum(rd, axis=1)", "tf.reduce_sum(rd, axis=0)",
    "tf.reduce_max(tf.ragged.constant([[1, 2], []], dtype=tf.int64), axis=1)",
    "tf.math.reduce_variance(tf.ragged.constant([[1., 2.], [3.]]), axis=1)",
    "tf.math.reduce_std(tf.ragged.constant([[1., 2.], [3.]]), axis=1)",
    "tf.ragged.map_flat_values(tf.ones_like, r)", "tf.ragged.map_flat_values(tf.add, r, 2)",
    "tf.ragged.map_flat_values(tf.add, r, r3)", "tf.ragged.map_flat_values(tf.add, 1, 2)",
    "tf.ragged.map_flat_values(tf.multiply, r, r)",
    "tf.ragged.range([3, 0, 2])", "tf.ragged.range([1, 0, 2], [3, 2, 5], 2)",
    "tf.ragged.range(3)", "tf.ragged.range([3, 1], dtype=tf.int64)", "tf.ragged.range([2, 1], [0, 3], -1)",
    "tf.ragged.range(1.5, [3, 4])",
]

JOIN = [
    "tf.stack([r, r], axis=0)", "tf.stack([r, r], axis=0).shape", "tf.stack([r, r], axis=1)",
    "tf.stack([r, r], axis=1).shape", "tf.stack([r, r], axis=-1)", "tf.stack([r, r], axis=3)",
    "tf.ragged.stack([r, r])", "tf.ragged.stack([r, r], axis=1)",
    "tf.concat([r, r], axis=1).shape", "tf.concat([r, r], axis=0).shape",
    "tf.concat([r, tf.constant([[1,2]])], axis=0)",
    "tf.concat([r, tf.constant([[1],[2]])], axis=1)",
    "tf.concat([r, tf.constant([[1],[2],[3],[4]])], axis=1)",
    "tf.concat([r, r3], axis=0)", "tf.concat([r, r], axis=2)", "tf.concat([r, r], axis=-1)",
    "tf.concat([r, tf.cast(r, tf.float32)], axis=0)", "tf.concat([rd, rd], axis=2)",
    "tf.concat([r3, r3], axis=2)", "tf.concat([r3, r3], axis=1)", "tf.concat([r3, rd], axis=0)",
    "tf.concat([r], axis=0)",
    "tf.gather(r, [2, 0])", "tf.gather(r, [2, 4])", "tf.gather(r, [[2, 0],[1,1]])",
    "tf.gather(r, 2)", "tf.gather(r3, [2, 0])", "tf.gather(r, [-1])",
    "tf.boolean_mask(r, r > 2)", "tf.boolean_mask(r, [True, False, True, False])",
    "tf.ragged.boolean_mask(r, r > 2)", "tf.ragged.boolean_mask(r, [True, False, True, False])",
    "tf.ragged.boolean_mask(tf.constant([[1,2],[3,4]]), tf.constant([[True,False],[True,True]]))",
    "tf.ragged.boolean_mask(tf.constant([[1,2],[3,4]]), tf.ragged.constant([[True,False],[True,True]]))",
    "tf.ragged.boolean_mask(tf.constant([[1,2],[3,4]]), [True,False])",
    "tf.ragged.boolean_mask(r, tf.ragged.constant([[True], [], [True, False], [True]]))",
    "tf.ragged.boolean_mask(r, [True, False])", "tf.ragged.boolean_mask(r, 1)",
    "tf.ragged.boolean_mask(r, tf.ragged.constant([[1,0,0], [], [1, 0], [1]]))",
    "tf.ragged.boolean_mask(r3, r3 > 1)",
    "tf.ragged.boolean_mask(r3, tf.ragged.constant([[True, False], [True], []]))",
    "tf.ragged.boolean_mask(tf.constant([[[1,2],[3,4]],[[5,6],[7,8]]]), tf.constant([[[True,False],[True,True]],[[False,False],[True,False]]]))",
]

LONG = [
    "tf.ragged.constant([[i] * (i % 7) for i in range(40)])",
    "tf.ragged.constant([[float(i) / 3] * (i % 5) for i in range(30)])",
    "tf.ragged.constant([[[1, 2], [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]], [[4] * 30]])",
    "tf.ragged.constant([['abc' * 4] * (i % 4) for i in range(12)])",
    "tf.ragged.constant([[True, False] * 9, []] * 3)",
]


# TF builds these messages from its internal broadcasting machinery; the type is matched.
TYPE_ONLY = {
    "r + tf.constant([1, 2, 3])",
    "tf.constant([1,2]) + tf.ragged.constant([[1], [2, 3]])",
    "tf.ragged.constant([[1, 2], [2, 3]]) + tf.constant([1, 2])",
    "r + tf.ragged.constant([[1], [2], [3], [4]])",
}


@pytest.mark.parametrize("expr", CONSTRUCT + CONVERT + ACCESS + INDEX + OPS + JOIN + LONG)
def test_matches_tf(expr):
    compare(real_tf, tf, SETUP, expr, message=expr not in TYPE_ONLY)


# -- gradients through ragged values ----------------------------------------------------------
def _grad_case(mod, fn):
    r = mod.ragged.constant([[1., 2., 3.], [], [4., 5.]])
    with mod.GradientTape() as tape:
        tape.watch(r.flat_values)
        out = fn(mod, r)
    # TF gives IndexedSlices for gathers; compare the dense values.
    return mod.convert_to_tensor(tape.gradient(out, r.flat_values)).numpy().tolist()


GRAD_CASES = {
    "square_sum_axis1": lambda tf_, r: tf_.reduce_sum(tf_.reduce_sum(r * r, axis=1)),
    "to_tensor": lambda tf_, r: tf_.reduce_sum(r.to_tensor() * tf_.constant([[1., 2., 3.]])),
    "concat_axis1_max": lambda tf_, r: tf_.reduce_sum(
        tf_.reduce_max(tf_.concat([r, 2. * r], axis=1), axis=0)),
    "getitem_slice": lambda tf_, r: tf_.reduce_sum(r[:, 1:].flat_values * 3.),
    "row": lambda tf_, r: tf_.reduce_sum(r[2] ** 2),
    "mean_axis0": lambda tf_, r: tf_.reduce_sum(tf_.reduce_mean(r, axis=0)),
    "broadcast_dense": lambda tf_, r: tf_.reduce_sum(
        (r * tf_.constant([[1.], [2.], [3.]])).flat_values),
    "gather_rows": lambda tf_, r: tf_.reduce_sum(tf_.gather(r, [2, 2, 0]).flat_values),
    "stack_axis0": lambda tf_, r: tf_.reduce_sum(tf_.stack([r, r * r]).flat_values),
}


@pytest.mark.parametrize("case", sorted(GRAD_CASES))
def test_gradient_matches_tf(case):
    fn = GRAD_CASES[case]
    assert _grad_case(tf, fn) == pytest.approx(_grad_case(real_tf, fn))


def test_tape_watch_ragged():
    r = tf.ragged.constant([[1., 2.], [3.]])
    with tf.GradientTape() as tape:
        tape.watch(r)
        y = tf.reduce_sum(tf.math.exp(r), axis=1)
    g = tape.gradient(y, r.flat_values)
    assert g.numpy() == pytest.approx(np.exp([1., 2., 3.]))


# -- hypothesis over row lengths ------------------------------------------------------------------
from hypothesis import given, settings, strategies as st  # noqa: E402

_rows = st.lists(st.lists(st.integers(-50, 50), max_size=5), min_size=1, max_size=6)


@settings(deadline=None, max_examples=15)
@given(_rows, st.sampled_from(["int32", "int64", "float32"]))
def test_constant_roundtrip_and_repr(rows, dtype):
    a = tf.ragged.constant(rows, dtype=getattr(tf, dtype))
    b = real_tf.ragged.constant(rows, dtype=getattr(real_tf, dtype))
    assert repr(a) == repr(b)
    assert a.to_list() == b.to_list()
    assert repr(a.to_tensor()) == repr(b.to_tensor())
    assert repr(a.row_lengths()) == repr(b.row_lengths())
    assert str(a.shape) == str(b.shape)


@settings(deadline=None, max_examples=15)
@given(_rows, st.sampled_from(["reduce_sum", "reduce_max", "reduce_min", "reduce_prod"]),
       st.sampled_from([None, 0, 1, -1]))
def test_reductions(rows, name, axis):
    a = getattr(tf, name)(tf.ragged.constant(rows, dtype=tf.int64), axis=axis)
    b = getattr(real_tf, name)(real_tf.ragged.constant(rows, dtype=real_tf.int64), axis=axis)
    assert repr(a) == repr(b)


@settings(deadline=None, max_examples=15)
@given(_rows, _rows, st.sampled_from([0, 1]))
def test_concat_stack(rows1, rows2, axis):
    def run(mod):
        try:
            x, y = mod.ragged.constant(rows1), mod.ragged.constant(rows2)
            return repr(mod.concat([x, y], axis=axis)), repr(mod.stack([x, y], axis=axis))
        except Exception as e:  # noqa: BLE001
            return type(e).__name__
    assert run(tf) == run(real_tf)


@settings(deadline=None, max_examples=15)
@given(_rows, st.integers(-7, 7), st.integers(-7, 7), st.sampled_from([None, 1, 2, -1]))
def test_slicing(rows, start, stop, step):
    def run(mod):
        x = mod.ragged.constant(rows)
        out = []
        for key in (slice(start, stop, step), (slice(None), slice(start, stop, step)), start):
            try:
                out.append(repr(x[key]))
            except Exception as e:  # noqa: BLE001
                out.append(type(e).__name__)
        return out
    assert run(tf) == run(real_tf)


@settings(deadline=None, max_examples=15)
@given(st.lists(st.lists(st.integers(0, 1), min_size=3, max_size=3), min_size=1, max_size=4),
       st.integers(0, 1))
def test_from_tensor_padding(rows, pad):
    a = tf.RaggedTensor.from_tensor(tf.constant(rows), padding=pad)
    b = real_tf.RaggedTensor.from_tensor(real_tf.constant(rows), padding=pad)
    assert a.to_list() == b.to_list()


def test_sparse_roundtrip():
    if not hasattr(tf, "SparseTensor"):
        pytest.skip("tf.SparseTensor is not available")
    r = tf.ragged.constant([[1, 2], [], [3]])
    st_ = r.to_sparse()
    want = real_tf.ragged.constant([[1, 2], [], [3]]).to_sparse()
    assert st_.indices.numpy().tolist() == want.indices.numpy().tolist()
    assert st_.values.numpy().tolist() == want.values.numpy().tolist()
    assert st_.dense_shape.numpy().tolist() == want.dense_shape.numpy().tolist()
    assert tf.RaggedTensor.from_sparse(st_).to_list() == [[1, 2], [], [3]]


def test_ragged_arguments_and_results_in_tf_function():
    import warnings
    import tensorflow as real_tf

    def run(m):
        @m.function
        def scale(r, k):
            return r * k + 1

        @m.function
        def total(r):
            return m.reduce_sum(r.flat_values)

        @m.function
        def build(x):  # ragged ops on row splits: tftape runs this one eagerly
            return m.RaggedTensor.from_row_lengths(x, [2, 1])
        r1 = m.ragged.constant([[1, 2], [3]])
        r2 = m.ragged.constant([[1.5], [2.5, 3.5, 4.5], []])
        return [scale(r1, 2).to_list(), scale(r2, 2.0).to_list(), total(r2).numpy(),
                build(m.constant([1., 2., 3.])).to_list()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert run(tf) == run(real_tf)

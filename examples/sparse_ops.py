"""Sparse tensors: building, ordering, arithmetic, sparse-dense products, reductions,
slicing, and the sets ops that return SparseTensors.

    python -m tftape examples/sparse_ops.py
"""
import numpy as np
import tensorflow as tf

# A 3x4 matrix with three non-zeros, in TF's COO form (int64 indices, values, dense_shape)
s = tf.SparseTensor(indices=[[0, 1], [1, 0], [2, 3]], values=[1., 2., 3.], dense_shape=[3, 4])
print(s)
print(repr(tf.sparse.to_dense(s)))

# Many sparse ops need indices in row-major order: reorder first
unordered = tf.SparseTensor(indices=[[0, 2], [0, 1]], values=[1., 2.], dense_shape=[3, 4])
try:
    tf.sparse.to_dense(unordered)
except tf.errors.InvalidArgumentError as ex:
    print(type(ex).__name__ + ":", ex)
print(repr(tf.sparse.to_dense(tf.sparse.reorder(unordered))))

# Arithmetic: scaling keeps the sparsity; `s + 1.` is an error in TF (it would densify)
print(repr(tf.sparse.to_dense(s * 2.0) + 1))
try:
    s + 1.
except TypeError as ex:
    print("TypeError:", ex)
both = tf.sparse.add(s, tf.sparse.reorder(unordered))
print(both.indices.numpy().tolist(), both.values.numpy())
print(repr(tf.sparse.add(s, tf.ones([3, 4]))))   # sparse + dense is dense

# Products with dense matrices
dense = tf.constant([[10., 20.], [30., 40.], [50., 60.], [70., 80.]])
print(repr(tf.sparse.sparse_dense_matmul(s, dense)))
print(repr(tf.sparse.sparse_dense_matmul(s, tf.transpose(dense), adjoint_b=True)))

# Reductions, slicing, reshaping, transposing
print(repr(tf.sparse.reduce_sum(s, axis=1)))
print(repr(tf.sparse.reduce_max(s)))
sliced = tf.sparse.slice(s, start=[1, 0], size=[2, 4])
print(sliced.indices.numpy().tolist(), sliced.dense_shape.numpy())
print(repr(tf.sparse.to_dense(tf.sparse.transpose(s))))
print(tf.sparse.reshape(s, [2, 6]).indices.numpy().tolist())

# Conversions: from a dense tensor, to a RaggedTensor-free list of rows
d = tf.constant([[0, 5, 0], [7, 0, 9]])
sd = tf.sparse.from_dense(d)
print(sd.indices.numpy().tolist(), sd.values.numpy())
print(repr(tf.sparse.to_dense(tf.sparse.retain(sd, sd.values > 6))))

# Concatenation along either axis
print(repr(tf.sparse.to_dense(tf.sparse.concat(axis=0, sp_inputs=[s, s]))))
print(tf.sparse.concat(axis=1, sp_inputs=[s, s]).dense_shape.numpy())

# Sets: each row is a set; the results are SparseTensors
set1 = tf.constant([[2, 3, 5, 7], [7, 9, 0, 0]])
set2 = tf.constant([[4, 5, 6], [9, 10, 0]])
union = tf.sets.union(set1, set2)
print(type(union).__name__, union.dense_shape.numpy())
print(repr(tf.sparse.to_dense(union)))
print(repr(tf.sparse.to_dense(tf.sets.difference(set1, set2))))
print(repr(tf.sparse.to_dense(tf.sets.intersection(set1, set2))))
print(repr(tf.sets.size(union)))

# A sparse feature matrix times a weight vector, as in a linear model on one-hot features
rng = np.random.default_rng(0)
rows = np.repeat(np.arange(4), 2)
cols = np.concatenate([np.sort(rng.choice(10, size=2, replace=False)) for _ in range(4)])
features = tf.sparse.reorder(tf.SparseTensor(
    indices=np.stack([rows, cols], axis=1), values=tf.ones(8), dense_shape=[4, 10]))
weights = tf.reshape(tf.range(10, dtype=tf.float32), (10, 1))
scores = tf.sparse.sparse_dense_matmul(features, weights)
np.testing.assert_allclose(scores.numpy(), tf.sparse.to_dense(features).numpy() @ weights.numpy())
print(scores.numpy().ravel())

"""SparseTensor (indices, values, dense_shape) and the ``tf.sparse`` ops."""

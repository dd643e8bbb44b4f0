"""SparseTensor (indices, values, dense_shape) and the ``tf.sparse`` ops."""
from . import sparse_ops as _sparse_ops  # noqa: F401 - attaches SparseTensor's operators

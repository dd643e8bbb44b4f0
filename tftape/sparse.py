"""``tf.sparse``: SparseTensor and the ops on it."""
# ruff: noqa: F401
from ._sparse.sparse_tensor import SparseTensor as SparseTensor
from ._sparse.sparse_tensor import SparseTensorSpec as SparseTensorSpec
from ._sparse.sparse_ops import (add as add, from_dense as from_dense, reorder as reorder,
                                 sparse_dense_matmul as sparse_dense_matmul, to_dense as to_dense)
from ._sparse.sparse_manip import (
    concat as concat, expand_dims as expand_dims, fill_empty_rows as fill_empty_rows,
    reduce_max as reduce_max, reduce_sum as reduce_sum, reshape as reshape, retain as retain,
    segment_mean as segment_mean, segment_sqrt_n as segment_sqrt_n, segment_sum as segment_sum,
    slice as slice, to_indicator as to_indicator, transpose as transpose)

matmul = sparse_dense_matmul
from ._sparse.sparse_extra import (
    bincount as bincount, eye as eye, map_values as map_values, mask as mask, maximum as maximum, minimum as minimum,
    reset_shape as reset_shape, sampled_addmm as sampled_addmm, softmax as softmax, split as split)
from ._sparse.sparse_cross import cross as cross, cross_hashed as cross_hashed

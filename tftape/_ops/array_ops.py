"""The array ops (TF's ``array_ops``), gathered from the modules that hold them.

Only re-exports, for the many callers that use ``array_ops.<op>``: creation in ``creation_ops``,
shapes and manipulation in ``shape_ops``, slicing, gather, scatter and masks in
``indexing_ops``, ``where`` in ``comparison_ops``, clipping in ``clip_ops``, sorting and
searching in ``sort_ops``, ``bitcast`` in ``cast_ops``. Those modules import
each other directly, never this one.
"""
from .cast_ops import bitcast  # noqa: F401
from .creation_ops import (zeros, ones, zeros_like, ones_like, fill, eye, range,  # noqa: F401
                           linspace, lin_space, identity, stop_gradient)
from .comparison_ops import where  # noqa: F401
from .shape_ops import (shape, shape_n, rank, size, reshape, transpose, squeeze,  # noqa: F401
                        expand_dims, broadcast_to, broadcast_static_shape,
                        broadcast_dynamic_shape, concat, stack, unstack, split,
                        tile, pad, reverse, meshgrid, repeat, roll)
from .indexing_ops import (getitem, strided_slice, slice, gather, gather_nd,  # noqa: F401
                           tensor_scatter_nd_update, tensor_scatter_nd_add, tensor_scatter_nd_sub,
                           tensor_scatter_nd_max, tensor_scatter_nd_min, scatter_nd, boolean_mask,
                           one_hot, sequence_mask)
from .clip_ops import clip_by_value, clip_by_norm, clip_by_global_norm, global_norm  # noqa: F401
from .sort_ops import sort, argsort, top_k, TopKV2, UniqueOutput, unique, searchsorted  # noqa: F401

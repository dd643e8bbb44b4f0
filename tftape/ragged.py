"""``tf.ragged``: RaggedTensor construction and ops."""
from ._ragged import ragged_ops as _ops  # noqa: F401  (binds dispatch and operators)
from ._ragged import ragged_operators as _operators  # noqa: F401
from ._ragged.ragged_tensor import RaggedTensor as RaggedTensor  # noqa: F401
from ._ragged.ragged_spec import RaggedTensorSpec as RaggedTensorSpec  # noqa: F401
from ._ragged.ragged_factory import constant as constant, range as range  # noqa: F401
from ._ragged.ragged_ops import (  # noqa: F401
    map_flat_values as map_flat_values, ragged_boolean_mask as boolean_mask, stack as stack)
from ._ragged.ragged_tensor import is_ragged as is_ragged  # noqa: F401
from ._ragged.ragged_cross import cross as cross, cross_hashed as cross_hashed  # noqa: F401
from ._ragged.segment_id_ops import (  # noqa: F401
    row_splits_to_segment_ids as row_splits_to_segment_ids,
    segment_ids_to_row_splits as segment_ids_to_row_splits)


def stack_dynamic_partitions(data, partitions, num_partitions, name=None):
    """Stacks the items of ``data`` into ``num_partitions`` rows by ``partitions``."""
    import numpy as _np
    from ._core.convert import convert_to_tensor as _cvt
    from ._ragged import _util as _u
    p = _np.asarray(_u.host(_cvt(partitions))).reshape(-1)
    order = _np.argsort(p, kind="stable")
    lens = _np.bincount(p, minlength=int(num_partitions))
    from ._ragged.ragged_getitem import gather_rows
    vals = gather_rows(_cvt(data) if not isinstance(data, RaggedTensor) else data, order)
    return RaggedTensor.from_row_lengths(vals, lens)


__all__ = ["RaggedTensor", "RaggedTensorSpec", "constant", "map_flat_values", "boolean_mask",
           "range", "stack", "stack_dynamic_partitions", "row_splits_to_segment_ids",
           "segment_ids_to_row_splits", "cross", "cross_hashed"]

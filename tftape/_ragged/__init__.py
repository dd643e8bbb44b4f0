"""RaggedTensor: flat values + row_splits per ragged dimension (as TF stores it)."""
from .ragged_tensor import RaggedTensor  # noqa: F401
from . import ragged_ops as _ops, ragged_operators as _operators, ragged_spec as _spec  # noqa: F401

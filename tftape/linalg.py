"""``tf.linalg``."""
# ruff: noqa: F401
from ._ops.linalg_ops import (matmul as matmul, matvec as matvec, tensordot as tensordot, einsum as einsum)
from ._ops.array_ops import (eye as eye)

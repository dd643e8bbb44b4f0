"""Op declarations by family; importing this binds the Tensor operators."""
from . import math_ops, array_ops, linalg_ops, nn_ops, random_ops, operators  # noqa: F401

math = math_ops

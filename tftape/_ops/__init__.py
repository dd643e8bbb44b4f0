"""Op declarations by family; importing this binds the Tensor operators."""
from . import (math_ops, array_ops, constant_op, linalg_ops, nn_ops, random_ops,  # noqa: F401
               operators)

math = math_ops

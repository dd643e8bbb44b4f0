"""``tf.sets``."""
# ruff: noqa: F401
from ._sets.set_ops import (difference as difference, intersection as intersection,
                            size as size, union as union)


"""``tf.lookup.experimental``."""
# ruff: noqa: F401
from .._lookup.mutable import DenseHashTable as DenseHashTable
from .._lookup.mutable import MutableHashTable as MutableHashTable

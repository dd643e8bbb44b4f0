"""``tf.nest``."""
# ruff: noqa: F401
from ._core.nest import (flatten as flatten, pack_sequence_as as pack_sequence_as, map_structure as map_structure, assert_same_structure as assert_same_structure, is_nested as is_nested)

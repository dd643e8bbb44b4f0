"""``tf.lookup``."""
# ruff: noqa: F401
from .._lookup.initializers import (
                                    KeyValueTensorInitializer as KeyValueTensorInitializer,
)
from .._lookup.initializers import TextFileIndex as TextFileIndex
from .._lookup.initializers import TextFileInitializer as TextFileInitializer
from .._lookup.tables import StaticHashTable as StaticHashTable
from .._lookup.tables import StaticVocabularyTable as StaticVocabularyTable
from . import experimental as experimental

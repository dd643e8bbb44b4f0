"""``tf.train``: object-based checkpoints in TensorFlow's own file format.

Checkpoints written here (``prefix.index`` + ``prefix.data-00000-of-00001`` and the
``checkpoint`` state file) load in TensorFlow 2.21, and TensorFlow's load here.
"""
# ruff: noqa: F401
from ._api import (Checkpoint as Checkpoint, CheckpointManager as CheckpointManager,
                   CheckpointOptions as CheckpointOptions, CheckpointReader as _CheckpointReader,
                   latest_checkpoint as latest_checkpoint, list_variables as list_variables,
                   load_checkpoint as load_checkpoint, load_variable as load_variable,
                   get_checkpoint_state as get_checkpoint_state,
                   checkpoints_iterator as checkpoints_iterator)

_EXAMPLE = ("BytesList", "Example", "Feature", "Features", "FloatList", "Int64List")


def __getattr__(name):
    # ``tf.train.Example`` and its parts live in ``tftape._io`` (which imports this package's
    # protobuf codec), so they load on first use.
    if name in _EXAMPLE:
        from .._io import _example
        value = getattr(_example, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'tensorflow.train' has no attribute '{name}'")


def __dir__():
    return sorted(list(globals()) + list(_EXAMPLE))

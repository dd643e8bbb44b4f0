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

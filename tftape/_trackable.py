"""Hooks for deferred checkpoint restoration, kept below every trackable class.

``tf.train.Checkpoint.restore`` may meet objects whose children do not exist yet (an
optimizer's slots before its first step, a Keras layer before it is built). It records them
here; a trackable that gains children calls ``children_changed(self)``, which restores the
newcomers. While nothing is pending the hook is one dictionary truth test.
"""
from __future__ import annotations

PENDING: dict = {}      # id(parent object) -> list of pending restorations (see tftape.train)
_HANDLER = []           # the restoration callback, installed by tftape.train on import


def install(handler) -> None:
    _HANDLER[:] = [handler]


def children_changed(obj) -> None:
    """Restores any checkpointed values waiting for children of ``obj``."""
    if PENDING and _HANDLER:
        _HANDLER[0](obj)

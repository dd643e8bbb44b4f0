"""Per-thread dispatch state: active tapes and accumulators, tracing depth, the trace's graph.

The lowest module of the registry's state: Tensor, conversion and the pending-op queue read it
without importing the registry above them.
"""
from __future__ import annotations

import threading


class _State(threading.local):
    """Per-thread autodiff state, as in TF (tapes are thread-local)."""

    def __init__(self):
        self.tapes: list = []          # recording GradientTapes, innermost last
        self.accumulators: list = []   # active ForwardAccumulators
        self.tracing = 0               # > 0 while tf.function traces
        self.graph = None              # the trace's GraphNames (TF op names), if any


STATE = _State()

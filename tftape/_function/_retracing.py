"""TF's warning on frequent retracing: the recent calls of each Python function's
tf.functions and which of them traced."""
from __future__ import annotations

import weakref

_HISTORY = 10           # TF's FREQUENT_TRACING_WARNING_MAX_CALL_HISTORY
_THRESHOLD = 5          # FREQUENT_TRACING_WARNING_THRESHOLD
_MAX_WARNINGS = 2       # FREQUENT_TRACING_WARNING_MAX_WARNING_PER_DETECTOR
_DETECTORS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


class _Detector:
    """The recent calls of one Python function's tf.functions and which ones traced."""

    __slots__ = ("per_trace", "calls", "warned")

    def __init__(self):
        self.per_trace: list = []
        self.calls = 0
        self.warned = 0


def _detector(function):
    """The retracing detector of ``function`` and the Python function it names; None when
    the function cannot key one."""
    # Note: kept on the tf.function after the first lookup; the detector lives as long as
    # its key, which the tf.function's Python function holds.
    found = function._detector
    if found is not None:
        return found
    # TF keys its detectors by the code object: re-created tf.functions count together.
    fn = function._python_function
    fn = getattr(fn, "_fn", fn)
    while hasattr(fn, "__wrapped__"):
        fn = fn.__wrapped__
    fn = getattr(fn, "__func__", fn)
    name = fn
    fn = getattr(fn, "__code__", fn)
    try:
        d = _DETECTORS.get(fn)
        if d is None:
            d = _DETECTORS[fn] = _Detector()
    except TypeError:
        return None
    function._detector = found = (d, name)
    return found


def _note_call(function, traced):
    """TF's bookkeeping of calls that retraced; warns as TF after too many recent ones."""
    found = _detector(function)
    if found is None:
        return
    d, name = found
    if not traced:
        if not d.per_trace:
            d.per_trace = [0]
        d.per_trace[-1] += 1
        d.calls += 1
        return
    d.calls += 1
    d.per_trace.append(1)
    while d.per_trace and d.calls - d.per_trace[0] > _HISTORY:
        d.calls -= d.per_trace.pop(0)
    if d.warned >= _MAX_WARNINGS or len(d.per_trace) < _THRESHOLD:
        return
    d.warned += 1
    from .ops import get_logger
    get_logger().warning(
        "{} out of the last {} calls to {} triggered tf.function retracing. Tracing is "
        "expensive and the excessive number of tracings could be due to (1) creating "
        "@tf.function repeatedly in a loop, (2) passing tensors with different shapes, (3) "
        "passing Python objects instead of tensors. For (1), please define your @tf.function "
        "outside of the loop. For (2), @tf.function has reduce_retracing=True option that can "
        "avoid unnecessary retracing. For (3), please refer to "
        "https://www.tensorflow.org/guide/function#controlling_retracing and "
        "https://www.tensorflow.org/api_docs/python/tf/function for  more details.".format(
            len(d.per_trace), d.calls, name))

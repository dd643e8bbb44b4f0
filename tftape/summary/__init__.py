"""``tf.summary``: TensorBoard event files, written without TensorFlow or protobuf.

>>> import tftape as tf
>>> writer = tf.summary.create_file_writer("/tmp/logs")  # doctest: +SKIP
>>> with writer.as_default(step=1):  # doctest: +SKIP
...     tf.summary.scalar("loss", 0.25)
"""
from __future__ import annotations

import contextlib
import types as _types

from ._ops import histogram as histogram
from ._ops import image as image
from ._ops import scalar as scalar
from ._ops import text as text
from ._ops import write as write
from ._ops import _record_if
from ._writer import SummaryWriter as SummaryWriter
from ._writer import _NoopWriter
from . import _writer


def create_file_writer(logdir, max_queue=None, flush_millis=None, filename_suffix=None,
                       name=None, experimental_trackable=False, experimental_mesh=None):
    """A ``SummaryWriter`` writing an event file into ``logdir`` (created if missing).

    Summaries are queued and written when ``max_queue`` (10) are waiting, every
    ``flush_millis`` (120000) ms, on ``flush()``, on leaving ``as_default`` and at exit.
    """
    if logdir is None:
        raise ValueError("Expected logdir to be a string, got None")
    return SummaryWriter(logdir, max_queue, flush_millis, filename_suffix)


def create_noop_writer():
    """A writer that writes nothing."""
    return _NoopWriter()


def flush(writer=None, name=None):
    """Flushes ``writer`` (default: the default writer)."""
    writer = writer if writer is not None else _writer.default_writer()
    if writer is not None:
        writer.flush()


@contextlib.contextmanager
def record_if(condition):
    """Records summaries only where ``condition`` (a bool or a callable) is true."""
    _record_if.append(condition)
    try:
        yield
    finally:
        _record_if.pop()


def should_record_summaries():
    """Whether summaries would be written now: a default writer and ``record_if`` true."""
    from ._ops import _constant_bool, _should_record
    return _constant_bool(_writer.default_writer() is not None and _should_record())


def _get_step():
    """The default step set by ``set_step`` or ``as_default(step=...)``, or None."""
    return _writer.get_step()


def _set_step(step):
    """Sets the default step used when a summary is written without ``step=``."""
    _writer.set_step(step)


experimental = _types.SimpleNamespace(get_step=_get_step, set_step=_set_step)

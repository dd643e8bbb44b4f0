"""Summary writers: event files in a log directory, the default writer and the default step."""
from __future__ import annotations

import atexit
import itertools
import os
import socket
import threading
import time
import weakref

from . import _proto, _record

_FILE_VERSION = "brain.Event:2"
_uids = itertools.count()
_open_writers: weakref.WeakSet = weakref.WeakSet()


class _State(threading.local):
    def __init__(self):
        self.writers: list = []     # the default-writer stack (as_default nests)
        self.step = None            # tf.summary.experimental.set_step


_state = _State()


class SummaryWriter:
    """Writes summaries to an event file (``tf.summary.SummaryWriter``).

    Create one with ``tf.summary.create_file_writer(logdir)``.
    """

    def __init__(self, logdir: str, max_queue: int | None = None,
                 flush_millis: int | None = None, filename_suffix: str | None = None):
        self._logdir = os.fspath(logdir)
        self._max_queue = 10 if max_queue is None else int(max_queue)
        self._flush_secs = (120000 if flush_millis is None else int(flush_millis)) / 1000
        self._suffix = ".v2" if filename_suffix is None else filename_suffix
        self._lock = threading.Lock()
        self._queue: list[bytes] = []
        self._path = None
        self._closed = False
        self._last_flush = time.time()
        self.init()

    def init(self):
        """Opens the event file (done on creation; again after ``close``)."""
        with self._lock:
            if self._path is not None and not self._closed:
                return
            os.makedirs(self._logdir, exist_ok=True)
            now = time.time()
            name = (f"events.out.tfevents.{int(now)}.{socket.gethostname()}.{os.getpid()}."
                    f"{next(_uids)}{self._suffix}")
            self._path = os.path.join(self._logdir, name)
            self._closed = False
            header = _proto.event(float(int(now)), file_version=_FILE_VERSION,
                                  writer="tensorflow.core.util.events_writer")
            with open(self._path, "wb") as f:
                f.write(_record.frame(header))
            _open_writers.add(self)

    def write_event(self, event: bytes) -> None:
        """Queues one serialized ``Event``; flushes when the queue is full or old."""
        with self._lock:
            if self._closed:
                return
            self._queue.append(_record.frame(event))
            due = (len(self._queue) >= self._max_queue
                   or time.time() - self._last_flush >= self._flush_secs)
        if due:
            self.flush()

    def flush(self) -> None:
        """Writes the queued summaries to the event file."""
        with self._lock:
            if self._queue and self._path is not None:
                with open(self._path, "ab") as f:
                    f.write(b"".join(self._queue))
                self._queue.clear()
            self._last_flush = time.time()

    def close(self) -> None:
        """Flushes and closes the writer; ``init()`` opens a new event file."""
        self.flush()
        with self._lock:
            self._closed = True

    def set_as_default(self, step=None) -> None:
        """Makes this the default writer for summaries outside any ``as_default`` block."""
        if _state.writers:
            _state.writers[0] = self
        else:
            _state.writers.append(self)
        if step is not None:
            _state.step = step

    def as_default(self, step=None):
        """A context in which summaries go to this writer (and, if given, use ``step``)."""
        return _DefaultWriter(self, step)


class _DefaultWriter:
    def __init__(self, writer, step):
        self._writer, self._step = writer, step

    def __enter__(self):
        self._saved = _state.step
        _state.writers.append(self._writer)
        if self._step is not None:
            _state.step = self._step
        return self._writer

    def __exit__(self, *exc):
        _state.writers.pop()
        if self._step is not None:
            _state.step = self._saved
        self._writer.flush()   # TF flushes when leaving as_default
        return None


class _NoopWriter(SummaryWriter):
    """``tf.summary.create_noop_writer()``: a writer that writes nothing."""

    def __init__(self):  # noqa: D107  (no file)
        self._closed = True

    def init(self):
        pass

    def write_event(self, event):
        pass

    def flush(self):
        pass

    def close(self):
        pass


def default_writer():
    return _state.writers[-1] if _state.writers else None


def get_step():
    return _state.step


def set_step(step) -> None:
    _state.step = step


@atexit.register
def _flush_all():
    for w in list(_open_writers):
        try:
            w.flush()
        except OSError:
            pass

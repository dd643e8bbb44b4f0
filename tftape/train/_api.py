"""Public ``tf.train`` checkpoint API: Checkpoint, CheckpointManager, readers, state files."""
from __future__ import annotations

import collections
import os
import time

import numpy as np

from .. import _trackable
from .._core import errors as _e
from . import _bundle, _graph, _state
from ._checkpoint import (CheckpointLoadStatus, InitializationOnlyStatus, restore_objects,
                          write_objects)
from ._state import latest_checkpoint as latest_checkpoint


class CheckpointOptions:
    """Options for saving and restoring (accepted for compatibility; nothing to tune here)."""

    def __init__(self, experimental_io_device=None, experimental_enable_async_checkpoint=False,
                 experimental_write_callbacks=None, enable_async=False,
                 experimental_skip_slot_variables=False, experimental_sharding_callback=None):
        self.experimental_io_device = experimental_io_device
        self.enable_async = enable_async or experimental_enable_async_checkpoint


class Checkpoint:
    """Saves and restores the variables of trackable objects (``tf.train.Checkpoint``).

    >>> import tftape as tf, tempfile, os
    >>> ckpt = tf.train.Checkpoint(step=tf.Variable(1))
    >>> path = ckpt.save(os.path.join(tempfile.mkdtemp(), "ckpt"))
    >>> os.path.basename(path)
    'ckpt-1'
    >>> ckpt.step.assign(5) and None
    >>> _ = ckpt.restore(path)
    >>> int(ckpt.step)
    1
    """

    def __init__(self, root=None, **kwargs):
        object.__setattr__(self, "_root", root)
        object.__setattr__(self, "_deps", collections.OrderedDict())
        object.__setattr__(self, "_save_counter", None)
        if root is not None and not _graph.is_trackable(root):
            raise ValueError(f"`Checkpoint` was expecting root to be a trackable object (an "
                             f"object derived from `Trackable`), got {root}. If you believe "
                             f"this object should be trackable (i.e. it is part of the "
                             f"TensorFlow Python API and manages state), please open an issue.")
        for k, v in sorted(kwargs.items(), key=lambda kv: kv[0]):
            if not _graph.is_trackable(v):
                raise ValueError(f"`Checkpoint` was expecting {k} to be a trackable object (an "
                                 f"object derived from `Trackable`), got {v}. If you believe "
                                 f"this object should be trackable (i.e. it is part of the "
                                 f"TensorFlow Python API and manages state), please open an "
                                 f"issue.")
            setattr(self, k, v)

    def __setattr__(self, name, value):
        object.__setattr__(self, name, value)
        if not name.startswith("_") and _graph.is_trackable(value):
            self._deps[name] = value
            _trackable.children_changed(self)

    def _checkpoint_children(self):
        kids = _graph.children(self._root) if self._root is not None else []
        kids = kids + list(self._deps.items())
        if self._save_counter is not None:
            kids.append(("save_counter", self._save_counter))
        return kids

    # -- the save counter ---------------------------------------------------------------------
    def _maybe_create_save_counter(self):
        if self._save_counter is None:
            from .._variables import Variable
            from .._core import dtypes as _d
            object.__setattr__(self, "_save_counter", Variable(
                0, dtype=_d.int64, trainable=False, name="save_counter"))
            _trackable.children_changed(self)

    @property
    def save_counter(self):
        """An int64 variable counting ``save`` calls (numbers the checkpoint files)."""
        self._maybe_create_save_counter()
        return self._save_counter

    # -- saving -------------------------------------------------------------------------------
    def write(self, file_prefix, options=None):
        """Writes a checkpoint at exactly ``file_prefix``; returns that prefix."""
        return write_objects(self, os.fspath(file_prefix))

    def save(self, file_prefix, options=None):
        """Writes ``{file_prefix}-{n}`` (``n`` = the incremented save counter).

        Also records it in the ``checkpoint`` state file of its directory.
        """
        self._maybe_create_save_counter()
        self._save_counter.assign_add(1, read_value=False)
        path = f"{os.fspath(file_prefix)}-{int(self._save_counter.numpy())}"
        self.write(path, options)
        _state.write(os.path.dirname(path) or ".", path, [path])
        return path

    # -- restoring ----------------------------------------------------------------------------
    def read(self, save_path, options=None):
        """Restores from ``save_path`` without creating the save counter."""
        if save_path is None:
            return InitializationOnlyStatus()
        return restore_objects(self, save_path)

    def restore(self, save_path, options=None):
        """Restores variables from ``save_path``; returns a load status.

        Values for objects created later (optimizer slots, lazily built layers) are restored
        when those objects are created.
        """
        if save_path is None:
            return InitializationOnlyStatus()
        try:
            status = self.read(save_path, options)
        except _e.NotFoundError as e:
            raise _e.NotFoundError(
                None, None, f"Error when restoring from checkpoint or SavedModel at "
                            f"{save_path}: {e.message}\nPlease double-check that the path is "
                            f"correct. You may be missing the checkpoint suffix (e.g. the '-1' "
                            f"in 'path/to/ckpt-1').") from None
        self._maybe_create_save_counter()
        return status


class CheckpointReader:
    """What ``tf.train.load_checkpoint`` returns."""

    def __init__(self, prefix):
        self._reader = _bundle.BundleReader(prefix)

    def get_tensor(self, tensor_str):
        v = self._reader.read(tensor_str)
        if v.dtype == object and v.ndim == 0:
            return v[()]
        return v[()] if v.ndim == 0 else v

    def has_tensor(self, tensor_str) -> bool:
        return self._reader.has(tensor_str)

    def get_variable_to_shape_map(self):
        return {k: list(self._reader.entry(k).shape) for k in self._reader.keys()}

    def get_variable_to_dtype_map(self):
        return {k: self._reader.dtype(k) for k in self._reader.keys()}

    def debug_string(self):
        return "".join(f"{k} ({self._reader.dtype(k).name}) {list(self._reader.entry(k).shape)}\n"
                       for k in self._reader.keys()).encode()


def _resolve(ckpt_dir_or_file):
    path = os.fspath(ckpt_dir_or_file)
    if os.path.isdir(path):
        latest = latest_checkpoint(path)
        if latest is None:
            raise ValueError(f"Couldn't find 'checkpoint' file or checkpoints in given "
                             f"directory {path}")
        return latest
    return path


def load_checkpoint(ckpt_dir_or_file) -> CheckpointReader:
    """A reader of the checkpoint at a prefix, or the latest one in a directory."""
    return CheckpointReader(_resolve(ckpt_dir_or_file))


def load_variable(ckpt_dir_or_file, name):
    if name.endswith(":0"):
        name = name[:-2]
    return load_checkpoint(ckpt_dir_or_file).get_tensor(name)


def list_variables(ckpt_dir_or_file):
    """``[(key, shape)]`` of every tensor in the checkpoint, sorted by key."""
    reader = load_checkpoint(ckpt_dir_or_file)
    shapes = reader.get_variable_to_shape_map()
    return [(k, shapes[k]) for k in sorted(shapes)]


def get_checkpoint_state(checkpoint_dir, latest_filename=None):
    return _state.read(os.fspath(checkpoint_dir), latest_filename)


def checkpoints_iterator(checkpoint_dir, min_interval_secs=0, timeout=None, timeout_fn=None):
    """Yields each new latest checkpoint of ``checkpoint_dir`` as it appears."""
    last = None
    while True:
        start = time.time()
        path = latest_checkpoint(checkpoint_dir)
        while path is None or path == last:
            if timeout is not None and time.time() - start > timeout:
                if timeout_fn is None or timeout_fn():
                    return
                start = time.time()
            time.sleep(min(1.0, timeout or 1.0))
            path = latest_checkpoint(checkpoint_dir)
        last = path
        yield path
        time.sleep(max(0.0, min_interval_secs - (time.time() - start)))


class CheckpointManager:
    """Numbers, records and prunes the checkpoints of one ``Checkpoint`` in a directory.

    >>> import tftape as tf, tempfile
    >>> ckpt = tf.train.Checkpoint(v=tf.Variable(1.0))
    >>> m = tf.train.CheckpointManager(ckpt, tempfile.mkdtemp(), max_to_keep=2)
    >>> [os.path.basename(m.save()) for _ in range(3)]
    ['ckpt-1', 'ckpt-2', 'ckpt-3']
    >>> [os.path.basename(p) for p in m.checkpoints]
    ['ckpt-2', 'ckpt-3']
    """

    def __init__(self, checkpoint, directory, max_to_keep, keep_checkpoint_every_n_hours=None,
                 checkpoint_name="ckpt", step_counter=None, checkpoint_interval=None,
                 init_fn=None):
        if checkpoint_interval is not None and step_counter is None:
            raise ValueError("`step_counter` should be passed if `checkpoint_interval` is not "
                             "None.")
        self._checkpoint = checkpoint
        self._directory = os.fspath(directory)
        self._max_to_keep = max_to_keep
        self._keep_every = keep_checkpoint_every_n_hours
        self._prefix = os.path.join(self._directory, checkpoint_name)
        self._step_counter = step_counter
        self._checkpoint_interval = checkpoint_interval
        self._last_checkpoint_step = None
        self._init_fn = init_fn
        self._maybe_delete = collections.OrderedDict()
        self._last_preserved = time.time()
        state = _state.read(self._directory)
        self._latest = None
        if state is not None:
            self._latest = state.model_checkpoint_path
            stamps = state.all_model_checkpoint_timestamps
            if len(stamps) != len(state.all_model_checkpoint_paths):
                stamps = [time.time()] * len(state.all_model_checkpoint_paths)
            for p, t in zip(state.all_model_checkpoint_paths, stamps):
                self._maybe_delete[p] = t
            if state.last_preserved_timestamp is not None:
                self._last_preserved = state.last_preserved_timestamp

    @property
    def directory(self):
        return self._directory

    @property
    def checkpoint(self):
        return self._checkpoint

    @property
    def checkpoint_interval(self):
        return self._checkpoint_interval

    @property
    def latest_checkpoint(self):
        return self._latest

    @property
    def checkpoints(self):
        return list(self._maybe_delete)

    def _record_state(self):
        if self._latest is None:
            return
        os.makedirs(self._directory, exist_ok=True)
        paths = list(self._maybe_delete) or [self._latest]
        stamps = list(self._maybe_delete.values())
        _state.write(self._directory, self._latest, paths, stamps, self._last_preserved)

    def _sweep(self):
        if self._max_to_keep is None:
            return
        while len(self._maybe_delete) > self._max_to_keep:
            path, stamp = self._maybe_delete.popitem(last=False)
            if self._keep_every is not None and \
                    stamp - self._keep_every * 3600 > self._last_preserved:
                self._last_preserved = stamp
                continue
            from .._core.process import is_writer
            for f in (_bundle.index_path(path), _bundle.data_path(path)):
                if not is_writer():   # the chief of a multi-worker cluster owns the files
                    break
                try:
                    os.remove(f)
                except OSError:
                    pass

    def save(self, checkpoint_number=None, check_interval=True, options=None):
        """Saves a numbered checkpoint and prunes old ones; returns its path (or ``None``)."""
        if self._checkpoint_interval is not None and check_interval:
            step = int(np.asarray(_numpy(self._step_counter)))
            if self._last_checkpoint_step is not None and \
                    step < self._last_checkpoint_step + self._checkpoint_interval:
                return None
            self._last_checkpoint_step = step
        counter = self._checkpoint.save_counter
        counter.assign_add(1, read_value=False)
        if checkpoint_number is None:
            checkpoint_number = counter
        number = int(np.asarray(_numpy(checkpoint_number)))
        path = self._checkpoint.write(f"{self._prefix}-{number}", options)
        self._maybe_delete.pop(path, None)
        self._maybe_delete[path] = time.time()
        self._latest = path
        self._record_state()
        self._sweep()
        self._record_state()
        return path

    def restore_or_initialize(self):
        """Restores the latest checkpoint, or runs ``init_fn``; returns the path or None."""
        if self._latest is not None:
            self._checkpoint.restore(self._latest)
            if self._checkpoint_interval is not None:
                self._last_checkpoint_step = int(np.asarray(_numpy(self._step_counter)))
            return self._latest
        if self._init_fn is not None:
            self._init_fn()
        return None


def _numpy(x):
    return x.numpy() if hasattr(x, "numpy") else x

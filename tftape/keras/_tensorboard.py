"""``keras.callbacks.TensorBoard``: a run's scalars (and weight histograms) as event files."""
from __future__ import annotations

import os

import numpy as np

from ._callback import Callback


class TensorBoard(Callback):
    """Writes ``fit``'s logs to ``log_dir/train`` and ``log_dir/validation`` for TensorBoard.

    Per epoch: ``epoch_<metric>`` (and ``epoch_learning_rate``) in ``train``, the ``val_``
    metrics as ``epoch_<metric>`` in ``validation``, plus ``evaluation_<metric>_vs_iterations``
    at the optimizer's step; ``batch_<metric>`` every ``update_freq`` batches if it is an int
    or ``"batch"``; weight histograms every ``histogram_freq`` epochs.
    """

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0,
                 embeddings_freq=0, embeddings_metadata=None):
        super().__init__()
        self.log_dir = str(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self._writers = {}
        self._global_train_batch = 0
        self._test_logged = False

    def _writer(self, run):
        if run not in self._writers:
            from ..summary import create_file_writer
            self._writers[run] = create_file_writer(os.path.join(self.log_dir, run))
        return self._writers[run]

    def _scalars(self, run, prefix, logs, step, suffix=""):
        from .. import summary
        with self._writer(run).as_default():
            for name, value in logs.items():
                summary.scalar(prefix + name + suffix, float(np.asarray(value)), step=step)

    def _iterations(self):
        opt = getattr(self.model, "optimizer", None)
        return None if opt is None else int(np.asarray(opt.iterations.numpy()))

    def on_train_begin(self, logs=None):
        self._global_train_batch = 0
        self._writer("train")

    def on_train_batch_end(self, batch, logs=None):
        self._global_train_batch += 1
        if self.update_freq == "epoch" or not logs:
            return
        if self._global_train_batch % self.update_freq == 0:
            self._scalars("train", "batch_", logs, self._global_train_batch)

    def on_epoch_begin(self, epoch, logs=None):
        self._test_logged = False

    def _recording(self):
        # Note: with a numeric update_freq, Keras records every summary during training under
        # a condition on the batch counter, so epoch summaries appear only where it divides
        # the count.
        return self.update_freq == "epoch" or self._global_train_batch % self.update_freq == 0

    def on_test_end(self, logs=None):
        step = self._iterations()
        if step is not None and logs and self._recording():
            self._scalars("validation", "evaluation_", logs, step, "_vs_iterations")
            self._test_logged = True

    def on_epoch_end(self, epoch, logs=None):
        logs = dict(logs or {})
        train = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        opt = getattr(self.model, "optimizer", None)
        if opt is not None and hasattr(opt, "learning_rate"):
            train["learning_rate"] = float(np.asarray(opt.learning_rate.numpy()))
        if not self._recording():
            return
        if train:
            self._scalars("train", "epoch_", train, epoch)
        if val:
            # fit's validation pass may not reach on_test_end: log it here, once.
            if not self._test_logged and self._iterations() is not None:
                self._scalars("validation", "evaluation_", val, self._iterations(),
                              "_vs_iterations")
            self._scalars("validation", "epoch_", val, epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)

    def _log_weights(self, epoch):
        from .. import summary
        with self._writer("train").as_default():
            for layer in self.model.layers:
                for weight in layer.weights:
                    name = getattr(weight, "path", weight.name).replace(":", "_")
                    summary.histogram(name + "/histogram", weight, step=epoch)

    def on_train_end(self, logs=None):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

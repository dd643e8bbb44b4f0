"""The ``Callback`` base class, below the callbacks that subclass it."""
from __future__ import annotations


class Callback:
    """Base class: ``on_*`` hooks called by ``fit``, ``evaluate`` and ``predict``."""

    def __init__(self):
        self.params = None
        self._model = None

    def set_params(self, params):
        self.params = params

    def set_model(self, model):
        self._model = model

    @property
    def model(self):
        return self._model


def _noop(self, *args, **kwargs):
    return None


for _hook in ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
              "on_train_batch_begin", "on_train_batch_end", "on_test_begin", "on_test_end",
              "on_test_batch_begin", "on_test_batch_end", "on_predict_begin",
              "on_predict_end", "on_predict_batch_begin", "on_predict_batch_end",
              "on_batch_begin", "on_batch_end"):
    setattr(Callback, _hook, _noop)

del _hook

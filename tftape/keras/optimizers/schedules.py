"""``tf.keras.optimizers.schedules``: learning rates as functions of the step."""
from __future__ import annotations

from ..._core.convert import convert_to_tensor
from ..._core.tensor import Tensor
from ..._ops import math_ops as _m


def _t(x):
    if isinstance(x, Tensor):
        return x
    if hasattr(x, "read_value"):
        return x.read_value()
    return convert_to_tensor(x)


class LearningRateSchedule:
    """Base class: ``schedule(step)`` returns the learning rate at ``step``."""

    _keras_module = "keras.optimizers.schedules"  # where Keras configs name the class

    def __call__(self, step):
        raise NotImplementedError(f"Learning rate schedule '{self.__class__.__name__}' must "
                                  f"override `__call__(self, step)`.")

    def get_config(self):
        raise NotImplementedError

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class ExponentialDecay(LearningRateSchedule):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)`` (floored if staircase).

    >>> float(ExponentialDecay(0.1, 10, 0.5, staircase=True)(15))
    0.05000000074505806
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="ExponentialDecay"):
        if decay_steps <= 0:
            raise ValueError("Argument `decay_steps` must be > 0. Received: "
                             f"decay_steps={decay_steps}")
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        lr = _t(self.initial_learning_rate)
        dtype = lr.dtype
        p = _m.cast(_t(step), dtype) / _m.cast(self.decay_steps, dtype)
        if self.staircase:
            p = _m.floor(p)
        return lr * _m.pow(_m.cast(self.decay_rate, dtype), p)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[i]`` while ``boundaries[i-1] < step <= boundaries[i]``."""

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError(f"The length of boundaries should be 1 less than the length of "
                             f"values. Received: boundaries={boundaries} of length "
                             f"{len(boundaries)}, and values={values} of length {len(values)}.")
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        step = _t(step)
        bs = [_m.cast(_t(b), step.dtype) for b in self.boundaries]
        vs = [_t(v) for v in self.values]
        dt = vs[0].dtype
        out = _m.cast(step <= bs[0], dt) * vs[0]
        out = out + _m.cast(step > bs[-1], dt) * vs[-1]
        for low, high, v in zip(bs[:-1], bs[1:], vs[1:-1]):
            out = out + _m.cast((step > low) & (step <= high), dt) * v
        return out

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="InverseTimeDecay"):
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.decay_rate, self.staircase, self.name = decay_rate, staircase, name

    def __call__(self, step):
        lr = _t(self.initial_learning_rate)
        dtype = lr.dtype
        p = _m.cast(_t(step), dtype) / _m.cast(self.decay_steps, dtype)
        if self.staircase:
            p = _m.floor(p)
        return lr / (1 + _m.cast(self.decay_rate, dtype) * p)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


def serialize(schedule):
    return {"module": "keras.optimizers.schedules", "class_name": type(schedule).__name__,
            "config": schedule.get_config(), "registered_name": None}

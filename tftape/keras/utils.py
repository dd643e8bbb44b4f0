"""``tf.keras.utils``: Progbar, to_categorical, set_random_seed, ..."""
from __future__ import annotations

import math
import os
import sys
import time

import numpy as np


class Progbar:
    """Keras' progress bar (same format, same time and metric estimates)."""

    def __init__(self, target, width=20, verbose=1, interval=0.05, stateful_metrics=None,
                 stateless_metrics=None, unit_name="step"):
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError("Only one of `stateful_metrics` or `stateless_metrics` can be "
                             "provided.")
        self.target, self.width, self.verbose = target, width, verbose
        self.interval, self.unit_name = interval, unit_name
        if stateful_metrics is not None:
            self.stateful_metrics, self.stateless_metrics = set(stateful_metrics), None
        elif stateless_metrics is not None:
            self.stateful_metrics, self.stateless_metrics = None, set(stateless_metrics)
        else:
            self.stateful_metrics, self.stateless_metrics = set(), None
        # Same rule as Keras: "posix" is in sys.modules on Linux, so \r updates are used.
        self._dynamic_display = ((hasattr(sys.stdout, "isatty") and sys.stdout.isatty())
                                 or "ipykernel" in sys.modules or "posix" in sys.modules
                                 or "PYCHARM_HOSTED" in os.environ)
        self._seen_so_far = 0
        self._values, self._values_order = {}, []
        self._start = time.time()
        self._last_update = 0
        self._time_after_first_step = None
        self._prev_total_width = 0

    def update(self, current, values=None, finalize=None):
        if finalize is None:
            finalize = False if self.target is None else current >= self.target
        for k, v in values or []:
            if k not in self._values_order:
                self._values_order.append(k)
            stateless = (k not in self.stateful_metrics) if self.stateful_metrics is not None \
                else (k in self.stateless_metrics)
            if stateless:
                if finalize:
                    self._values[k] = [v, 1]
                else:
                    base = max(current - self._seen_so_far, 1)
                    if k not in self._values:
                        self._values[k] = [v * base, base]
                    else:
                        self._values[k][0] += v * base
                        self._values[k][1] += base
            else:
                self._values[k] = [v, 1]
        self._seen_so_far = current
        message = ""
        special = 0
        now = time.time()
        tpu = self._estimate_step_duration(current, now)
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            message += ("\b" * self._prev_total_width + "\r") if self._dynamic_display \
                else "\n"
            if self.target is not None and self.target > 0:
                nd = int(math.log10(self.target)) + 1
                bar = f"\x1b[1m{f'%{nd}d/%d' % (current, self.target)}\x1b[0m "
                special += 8
                prog_width = int(self.width * float(current) / self.target)
                if prog_width > 0:
                    bar += f"\33[32m{'━' * prog_width}\x1b[0m"
                    special += 9
                bar += f"\33[37m{'━' * (self.width - prog_width)}\x1b[0m"
                special += 9
            else:
                bar = "%7d/Unknown" % current
            message += bar
            if self.target is not None and self.target > 0 and not finalize:
                eta = tpu * (self.target - current)
                if eta > 3600:
                    fmt = "%d:%02d:%02d" % (eta // 3600, (eta % 3600) // 60, eta % 60)
                elif eta > 60:
                    fmt = "%d:%02d" % (eta // 60, eta % 60)
                else:
                    fmt = "%ds" % eta
                info = f" \x1b[1m{fmt}\x1b[0m"
            else:
                info = f" \x1b[1m{now - self._start:.0f}s\x1b[0m"
            special += 8
            info += self._format_time(tpu, self.unit_name)
            for k in self._values_order:
                info += f" - {k}:"
                val, count = self._values[k]
                if not isinstance(val, float):
                    val = np.mean(val)
                avg = val / max(1, count)
                info += f" {avg:.4f}" if abs(avg) > 1e-3 else f" {avg:.4e}"
            message += info
            total_width = len(bar) + len(info) - special
            if self._prev_total_width > total_width:
                message += " " * (self._prev_total_width - total_width)
            if finalize:
                message += "\n"
            sys.stdout.write(message)
            sys.stdout.flush()
            self._prev_total_width = total_width
        elif self.verbose == 2:
            if finalize and self.target is not None and self.target > 0:
                nd = int(math.log10(self.target)) + 1
                count = f"%{nd}d/%d" % (current, self.target)
                info = f"{count} - {now - self._start:.0f}s"
                info += f" -{self._format_time(tpu, self.unit_name)}"
                for k in self._values_order:
                    info += f" - {k}:"
                    val, cnt = self._values[k]
                    if not isinstance(val, float):
                        val = np.mean(val)
                    avg = val / max(1, cnt)
                    info += f" {avg:.4f}" if avg > 1e-3 else f" {avg:.4e}"
                sys.stdout.write(info + "\n")
                sys.stdout.flush()
        self._last_update = now

    def add(self, n, values=None):
        self.update(self._seen_so_far + n, values)

    @staticmethod
    def _format_time(tpu, unit_name):
        if tpu >= 1 or tpu == 0:
            return f" {tpu:.0f}s/{unit_name}"
        if tpu >= 1e-3:
            return f" {tpu * 1000.0:.0f}ms/{unit_name}"
        return f" {tpu * 1000000.0:.0f}us/{unit_name}"

    def _estimate_step_duration(self, current, now):
        if not current:
            return 0
        if self._time_after_first_step is not None and current > 1:
            tpu = (now - self._time_after_first_step) / (current - 1)
        else:
            tpu = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return tpu


def to_categorical(x, num_classes=None):
    """One-hot float32 rows for integer labels.

    >>> to_categorical([0, 2], 3)
    array([[1., 0., 0.],
           [0., 0., 1.]])
    """
    x = np.array(x, dtype="int64")
    shape = x.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    x = x.reshape(-1)
    if not num_classes:
        num_classes = int(np.max(x)) + 1
    out = np.zeros((x.shape[0], num_classes))
    out[np.arange(x.shape[0]), x] = 1
    return out.reshape(shape + (num_classes,))


def set_random_seed(seed):
    """Seeds Python's ``random``, NumPy and tftape's global seed (as Keras does)."""
    import random
    if not isinstance(seed, int):
        raise ValueError(f"Expected `seed` argument to be an integer. Received: seed={seed} "
                         f"(of type {type(seed)})")
    random.seed(seed)
    np.random.seed(seed)
    from .._ops.random_ops import set_seed
    set_seed(seed)


def normalize(x, axis=-1, order=2):
    x = np.asarray(x)
    n = np.atleast_1d(np.linalg.norm(x, order, axis))
    n[n == 0] = 1
    return x / np.expand_dims(n, axis)


def get_file(*args, **kwargs):
    raise NotImplementedError("keras.utils.get_file needs network access; not supported.")

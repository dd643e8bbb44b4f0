"""The ``loss``, ``loss_weights`` and ``metrics`` given to ``compile``, for models with one
output or several (a list, tuple or dict of outputs), with Keras 3's rules:

- outputs are named by the dict's keys, else by the model's ``output_names`` (the output
  layers' names);
- ``loss`` is one loss for every output, a list with one per output, or a dict by output name
  (an output without a loss is not trained on); ``loss_weights`` a float, list or dict alike;
- ``metrics`` is a list for a single output; for several, a list with one entry (a metric or
  a list of them) per output, or a dict by output name;
- with several losses, each is also tracked unweighted as ``<output>_loss``, and metrics
  report as ``<output>_<metric>``.
"""
from __future__ import annotations

from .._core import dtypes as _d
from .._core.tensor import Tensor
from .._ops import math_ops as _m
from . import _losses, _losses_extra, _metrics


def _is_multi(y_pred) -> bool:
    return isinstance(y_pred, (list, tuple, dict)) and not (
        isinstance(y_pred, (list, tuple)) and len(y_pred) == 1 and not isinstance(
            y_pred[0], (list, tuple, dict)))


def output_names(y_pred, model_names):
    """The outputs' names in the order their losses and metrics are listed."""
    if isinstance(y_pred, dict):
        if model_names and set(model_names) == set(y_pred):
            return list(model_names)
        return sorted(y_pred)
    n = len(y_pred)
    if model_names and len(model_names) == n:
        return list(model_names)
    return [None] * n


def flat(y, names):
    """``y`` (a dict by output name or a list in output order) as a list in output order."""
    if isinstance(y, dict):
        missing = [n for n in names if n not in y]
        if missing:
            raise ValueError(f"Expected keys {names} in the targets, but found "
                             f"{sorted(y)}")
        return [y[n] for n in names]
    if isinstance(y, (list, tuple)) and len(y) == len(names):
        return list(y)
    raise ValueError(f"The model has {len(names)} outputs {names}, but the targets have "
                     f"{len(y) if isinstance(y, (list, tuple)) else 1}.")


def _weights(sample_weight, names):
    """Per-output sample weights: given per output (a list or dict), or one for all."""
    if isinstance(sample_weight, (list, tuple, dict)):
        return flat(sample_weight, names)
    return [sample_weight] * len(names)


def _per_output(spec, names, what):
    """``spec`` (one value, a list per output or a dict by name) as one entry per output."""
    if isinstance(spec, dict):
        unknown = [k for k in spec if k not in names]
        if unknown:
            raise ValueError(f"Expected keys {names} in {what} dict, but found "
                             f"{what}.keys()={list(spec)}")
        return [spec.get(n) for n in names]
    if isinstance(spec, (list, tuple)):
        if len(spec) > len(names):
            if what == "loss":
                raise KeyError(f"The path: ({len(names)},) in the `loss` argument, can't be "
                               "found in either the model's output (`y_pred`) or in the "
                               "labels (`y_true`).")
            raise ValueError(f"`{what}` must have at most one entry per output: the model "
                             f"has {len(names)} outputs {names}, got {len(spec)} entries. "
                             f"Received: {what}={spec}")
        # Note: a shorter list covers the first outputs (Keras trains the rest on nothing).
        return list(spec) + [None] * (len(names) - len(spec))
    return [spec] * len(names)


def _resolve_loss(spec):
    fn = _losses_extra.get(spec)
    if isinstance(fn, _losses.Loss) or fn is None:
        return fn
    return _losses.LossFunctionWrapper(fn, name=getattr(fn, "__name__", None))


class CompileLoss:
    """The compiled loss: the weighted sum of each output's loss."""

    def __init__(self, loss, loss_weights=None):
        if loss_weights is not None and not isinstance(loss_weights, (list, tuple, dict,
                                                                       float, int)):
            raise ValueError(
                "Expected `loss_weights` argument to be a float (single output case) or a "
                "list, tuple, or dict (multiple output case). Received instead: "
                f"loss_weights={loss_weights} of type {type(loss_weights)}")
        self.spec = loss
        self.weights_spec = loss_weights
        self._flat = None       # [(output index, loss, weight, name)]
        self.names = None
        self.metrics = []       # the unweighted per-output loss trackers
        # A list while a differentiated function computes the loss: the tracker updates
        # (tracker, value, batch size) wait there for the caller.
        self.defer = None

    @property
    def built(self) -> bool:
        return self._flat is not None

    def build(self, y_pred, model_names=None):
        if not _is_multi(y_pred):
            w = self.weights_spec
            if isinstance(w, (list, tuple)):
                w = w[0] if len(w) == 1 else w
            if isinstance(self.spec, (list, tuple)) and len(self.spec) == 1:
                spec = self.spec[0]
            elif isinstance(self.spec, dict) and len(self.spec) == 1:
                spec = next(iter(self.spec.values()))
            else:
                spec = self.spec
            self.names = None
            self._flat = [(0, _resolve_loss(spec), w, None)]
            return
        names = output_names(y_pred, model_names)
        self.names = names
        losses = _per_output(self.spec, names, "loss")
        weights = ([None] * len(names) if self.weights_spec is None
                   else _per_output(self.weights_spec, names, "loss_weights"))
        flat_losses = [(i, _resolve_loss(s), w, names[i] or f"output_{i}")
                       for i, (s, w) in enumerate(zip(losses, weights)) if s is not None]
        # Keras lists the losses in the loss dict's order, else in the output dict's order.
        order = list(self.spec) if isinstance(self.spec, dict) else (
            list(y_pred) if isinstance(y_pred, dict) else names)
        flat_losses.sort(key=lambda e: order.index(names[e[0]]) if names[e[0]] in order
                         else e[0])
        self._flat = flat_losses
        if len(self._flat) > 1:
            self.metrics = [_metrics.Mean(name=f"{name}_loss") for *_, name in self._flat]

    def __call__(self, y_true, y_pred, sample_weight=None):
        if not self.built:
            self.build(y_pred)
        if self.names is None:
            (_, fn, w, _), = self._flat
            if isinstance(y_pred, (list, tuple)):
                y_pred = y_pred[0]
            if isinstance(y_true, (list, tuple)) and len(y_true) == 1:
                y_true = y_true[0]
            value = fn(y_true, y_pred, sample_weight)
            return value if w is None else value * float(w)
        yt, yp = flat(y_true, self.names), flat(y_pred, self.names)
        sws = _weights(sample_weight, self.names)
        total = None
        trackers = self.metrics or [None] * len(self._flat)
        for (i, fn, w, _), tracker in zip(self._flat, trackers):
            value = _m.cast(fn(yt[i], yp[i], sws[i]), _d.float32)
            if tracker is not None:
                if self.defer is not None:
                    self.defer.append((tracker, value, float(_batch(yp[i]))))
                else:
                    tracker.update_state(value, sample_weight=float(_batch(yp[i])))
            if w is not None:
                value = value * float(w)
            total = value if total is None else total + value
        return total


def _batch(y):
    return y.shape[0] if isinstance(y, Tensor) else len(y)


class CompileMetrics(_metrics.Metric):
    """The metrics passed to ``compile``, reported under the names the user gave (prefixed
    by the output's name when the model has several outputs)."""

    def __init__(self, metrics):
        super().__init__(name="compile_metrics")
        self._specs = metrics
        self._built = None      # [(reported name, metric, output index)]
        self._names = None

    def build(self, y_true, y_pred, model_names=None):
        if not _is_multi(y_pred):
            names, per = None, [self._specs]
            yts, yps = [_single(y_true)], [_single(y_pred)]
        else:
            names = output_names(y_pred, model_names)
            if not (isinstance(self._specs, dict) or (
                    isinstance(self._specs, (list, tuple)) and len(self._specs) == len(names))):
                raise ValueError(
                    "Invalid `metrics`. `metrics` should contain metrics objects and either "
                    "be a dict or a list matching the output names of the functional model "
                    f"{names}. Received: metrics={self._specs}")
            per = _per_output(self._specs, names, "metrics")
            yts, yps = flat(y_true, names), flat(y_pred, names)
        out, seen = [], {}
        for i, entry in enumerate(per):
            for spec in _flat_specs(entry):
                name, m = _named(spec, yts[i], yps[i], names[i] if names else None)
                if names:
                    seen[name] = seen.get(name, 0) + 1
                    if seen[name] > 1:
                        name = f"{name}_{seen[name] - 1}"
                if hasattr(m, "_prebuild"):   # shape-dependent variables, made before tracing
                    m._prebuild(yts[i], yps[i])
                out.append((name, m, i))
        self._names = names
        self._built = out

    @property
    def order_names(self):
        """The names ``evaluate`` lists these results under, in order (Keras lists the
        metrics' own names: a multi-output model's prefixed results come after, sorted)."""
        return [n for n, _, _ in (self._built or [])] if self._names is None else []

    @property
    def variables(self):
        return [v for _, m, _ in (self._built or []) for v in m.variables]

    def update_state(self, y_true, y_pred, sample_weight=None):
        if self._built is None:
            self.build(y_true, y_pred)
        if self._names is None:
            yts, yps, sws = [_single(y_true)], [_single(y_pred)], [sample_weight]
        else:
            yts, yps = flat(y_true, self._names), flat(y_pred, self._names)
            sws = _weights(sample_weight, self._names)
        for _, m, i in self._built:
            m.update_state(yts[i], yps[i], sws[i])

    def result(self):
        return {name: m.result() for name, m, _ in (self._built or [])}

    def reset_state(self):
        for _, m, _ in self._built or []:
            m.reset_state()


CompileMetrics.__name__ = CompileMetrics.__qualname__ = "CompileMetrics"


def _single(y):
    return y[0] if isinstance(y, (list, tuple)) and len(y) == 1 else y


def _flat_specs(entry):
    if entry is None:
        return []
    if isinstance(entry, (list, tuple)):
        return [s for e in entry for s in _flat_specs(e)]
    if isinstance(entry, dict):
        return [s for e in entry.values() for s in _flat_specs(e)]
    return [entry]


def _named(spec, y_true, y_pred, output):
    if isinstance(spec, str):
        m = resolve_metric(spec, y_true, y_pred)
        name = spec
    else:
        m = _metrics.get(spec)
        name = m.name
    return (f"{output}_{name}" if output else name), m


def resolve_metric(name, y_true, y_pred):
    if name in ("accuracy", "acc"):
        yt, yp = tuple(y_true.shape), tuple(y_pred.shape)
        if yp and yp[-1] == 1:
            return _metrics.BinaryAccuracy(name=name)
        if len(yt) < len(yp) or (yt and yt[-1] == 1 and yp and yp[-1] > 1):
            return _metrics.SparseCategoricalAccuracy(name=name)
        return _metrics.CategoricalAccuracy(name=name)
    return _metrics.get(name)

"""``tf.keras.metrics``: metrics built on confusion-matrix counts at thresholds.

``TruePositives`` ... ``FalseNegatives``, ``Precision``, ``Recall``, the
``*At*`` metrics and ``AUC`` accumulate true/false positive/negative counts per threshold
in Keras variables, as Keras 3's ``metrics_utils.update_confusion_matrix_variables`` does.
"""
from __future__ import annotations

import numpy as np

from .._core.convert import convert_to_tensor
from .._ops import array_ops as _a, math_ops as _m
from ._losses import squeeze_or_expand_to_same_rank
from ._metrics import Metric, _t
from ._config import epsilon

NEG_INF = -1e10
TP, FP, TN, FN = "tp", "fp", "tn", "fn"


def _to_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def parse_init_thresholds(thresholds, default_threshold=0.5):
    if thresholds is not None:
        bad = [t for t in _to_list(thresholds) if t is None or t < 0 or t > 1]
        if bad:
            raise ValueError(f"Threshold values must be in [0, 1]. Received: {bad}")
    return _to_list(default_threshold if thresholds is None else thresholds)


def is_evenly_distributed_thresholds(thresholds):
    n = len(thresholds)
    if n < 3:
        return False
    even = np.arange(n, dtype=np.float32) / (n - 1)
    return bool(np.allclose(thresholds, even, atol=epsilon()))


def _filter_top_k(x, k):
    """Keeps the top ``k`` values of the last axis; the rest become ``NEG_INF``."""
    _, idx = _a.top_k(x, k)
    mask = _m.reduce_sum(_a.one_hot(idx, int(x.shape[-1]), dtype=x.dtype), axis=-2)
    return x * mask + NEG_INF * (1 - mask)


def update_confusion_matrix_variables(variables, y_true, y_pred, thresholds, top_k=None,
                                      class_id=None, sample_weight=None, multi_label=False,
                                      label_weights=None, thresholds_distributed_evenly=False):
    """Adds the (weighted) counts at each threshold to ``variables`` (keys tp/fp/tn/fn).

    ``y_pred > threshold`` counts as positive. With evenly spread thresholds the bucket
    rule of Keras' optimized path is used (predictions clipped to [0, 1]).
    """
    dtype = next(iter(variables.values())).dtype
    y_true = _t(y_true, dtype)
    y_pred = _t(y_pred, dtype)
    thresholds = list(thresholds)
    with_eps = thresholds[0] < 0.0 or thresholds[-1] > 1.0
    n_thr = len(thresholds)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if sample_weight is not None:
        sample_weight = _a.expand_dims(_t(sample_weight, dtype), -1)
        _, sample_weight = squeeze_or_expand_to_same_rank(y_true, sample_weight,
                                                          expand_rank_1=False)
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        if len(y_pred.shape) == 1:
            raise ValueError(f"When class_id is provided, y_pred must be a 2D array with "
                             f"shape (num_samples, num_classes), found shape: "
                             f"{y_pred.shape}")
        y_true = y_true[..., class_id:class_id + 1]
        y_pred = y_pred[..., class_id:class_id + 1]
    weights = (_a.ones_like(y_pred) if sample_weight is None
               else _a.broadcast_to(sample_weight, y_pred.shape))
    if label_weights is not None and not multi_label:
        lw = _a.expand_dims(_t(label_weights, dtype), 0)
        weights = weights * _a.broadcast_to(lw, y_pred.shape)
    labels = _m.not_equal(y_true, 0.0)
    if not multi_label:
        labels = _a.reshape(labels, [-1])
        y_pred = _a.reshape(y_pred, [-1])
        weights = _a.reshape(weights, [-1])
    extra = [1] * len(y_pred.shape)
    if thresholds_distributed_evenly and not multi_label:
        n_pred, n_true = int(np.prod(y_pred.shape)), int(np.prod(labels.shape))
        if n_pred != n_true:
            raise ValueError(f"Argument `segment_ids` and `data` should have same leading "
                             f"dimension. Got ({n_pred},) v.s. ({n_true},).")
    if thresholds_distributed_evenly:
        # Keras' optimized path: bucket = ceil(p * (T - 1)) - 1 on p clipped to [0, 1];
        # a prediction counts as positive at every threshold index <= its bucket.
        p = _a.clip_by_value(y_pred, 0.0, 1.0)
        bucket = _m.ceil(p * float(n_thr - 1)) - 1.0
        if with_eps:
            bucket = _m.maximum(bucket, 0.0)
        bucket = _m.cast(bucket, "int32")
        idx = _a.reshape(convert_to_tensor(np.arange(n_thr, dtype=np.int32)), [n_thr] + extra)
        pred_pos = _m.greater_equal(_a.expand_dims(bucket, 0), idx)
    else:
        thr = _a.reshape(convert_to_tensor(np.asarray(thresholds, np.float32)),
                         [n_thr] + extra)
        pred_pos = _m.greater(_a.expand_dims(y_pred, 0), _m.cast(thr, dtype))
    labels = _a.expand_dims(labels, 0)
    weights = _a.expand_dims(weights, 0)

    def count(label, pred):
        return _m.reduce_sum(_m.cast(_m.logical_and(label, pred), dtype) * weights, axis=1)

    conds = {TP: (labels, pred_pos), FP: (_m.logical_not(labels), pred_pos),
             TN: (_m.logical_not(labels), _m.logical_not(pred_pos)),
             FN: (labels, _m.logical_not(pred_pos))}
    for key, var in variables.items():
        if key not in conds:
            raise ValueError(f'Invalid keys: "{[key]}". Valid variable key options are: '
                             f'"{list(conds)}"')
        label, pred = conds[key]
        c = count(label, pred)
        var.assign_add(_m.cast(c, var.dtype), read_value=False)


def _thresh_result(value, thresholds):
    return value[0] if len(thresholds) == 1 else value


class _ConfusionMatrixConditionCount(Metric):
    _cond = None

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = parse_init_thresholds(thresholds, default_threshold=0.5)
        self._thresholds_distributed_evenly = is_evenly_distributed_thresholds(
            self.thresholds)
        self.accumulator = self.add_variable(shape=(len(self.thresholds),),
                                             initializer="zeros", name="accumulator")

    def update_state(self, y_true, y_pred, sample_weight=None):
        update_confusion_matrix_variables(
            {self._cond: self.accumulator}, y_true, y_pred, self.thresholds,
            sample_weight=sample_weight,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly)

    def result(self):
        return _thresh_result(self.accumulator.read_value(), self.thresholds)

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConfusionMatrixConditionCount):
    """The (weighted) number of true positives at each threshold (Keras 3)."""
    _cond = TP


class FalsePositives(_ConfusionMatrixConditionCount):
    """The (weighted) number of false positives at each threshold (Keras 3)."""
    _cond = FP


class TrueNegatives(_ConfusionMatrixConditionCount):
    """The (weighted) number of true negatives at each threshold (Keras 3)."""
    _cond = TN


class FalseNegatives(_ConfusionMatrixConditionCount):
    """The (weighted) number of false negatives at each threshold (Keras 3)."""
    _cond = FN


class _PrecisionRecall(Metric):
    _other = None   # (key, attribute) of the count beside true positives

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        self.thresholds = parse_init_thresholds(
            thresholds, default_threshold=0.5 if top_k is None else NEG_INF)
        self._thresholds_distributed_evenly = is_evenly_distributed_thresholds(
            self.thresholds)
        n = len(self.thresholds)
        self.true_positives = self.add_variable((n,), "zeros", name="true_positives")
        key, attr = self._other
        setattr(self, attr, self.add_variable((n,), "zeros", name=attr))

    def update_state(self, y_true, y_pred, sample_weight=None):
        key, attr = self._other
        update_confusion_matrix_variables(
            {TP: self.true_positives, key: getattr(self, attr)}, y_true, y_pred,
            self.thresholds, top_k=self.top_k, class_id=self.class_id,
            sample_weight=sample_weight,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly)

    def result(self):
        tp = self.true_positives.read_value()
        other = getattr(self, self._other[1]).read_value()
        return _thresh_result(_m.divide_no_nan(tp, tp + other), self.thresholds)

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


class Precision(_PrecisionRecall):
    """tp / (tp + fp) at each threshold, optionally for the top-k or one class (Keras 3).

    >>> m = Precision()
    >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    >>> round(float(m.result()), 4)
    0.6667
    """
    _other = (FP, "false_positives")


class Recall(_PrecisionRecall):
    """tp / (tp + fn) at each threshold, optionally for the top-k or one class (Keras 3)."""
    _other = (FN, "false_negatives")


class SensitivitySpecificityBase(Metric):
    """Counts at ``num_thresholds`` evenly spread thresholds; subclasses pick a trade-off."""

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        if num_thresholds <= 0:
            raise ValueError(f"Argument `num_thresholds` must be an integer > 0. Received: "
                             f"num_thresholds={num_thresholds}")
        self.value = value
        self.class_id = class_id
        if num_thresholds == 1:
            self.thresholds = [0.5]
            self._thresholds_distributed_evenly = False
        else:
            mid = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds = [0.0] + mid + [1.0]
            self._thresholds_distributed_evenly = True
        n = len(self.thresholds)
        self.true_positives = self.add_variable((n,), "zeros", name="true_positives")
        self.false_positives = self.add_variable((n,), "zeros", name="false_positives")
        self.true_negatives = self.add_variable((n,), "zeros", name="true_negatives")
        self.false_negatives = self.add_variable((n,), "zeros", name="false_negatives")

    def update_state(self, y_true, y_pred, sample_weight=None):
        update_confusion_matrix_variables(
            {TP: self.true_positives, TN: self.true_negatives, FP: self.false_positives,
             FN: self.false_negatives}, y_true, y_pred, self.thresholds,
            class_id=self.class_id, sample_weight=sample_weight,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly)

    def _rates(self):
        tp, fp, tn, fn = (v.read_value() for v in (self.true_positives, self.false_positives,
                                                   self.true_negatives,
                                                   self.false_negatives))
        return {"recall": _m.divide_no_nan(tp, tp + fn),
                "specificity": _m.divide_no_nan(tn, tn + fp),
                "precision": _m.divide_no_nan(tp, tp + fp)}

    def _find_max_under_constraint(self, constrained, dependent):
        feasible = _m.greater_equal(constrained, _m.cast(self.value, constrained.dtype))
        best = _m.reduce_max(_a.where(feasible, dependent, _a.zeros_like(dependent)))
        return _m.maximum(best, _m.cast(0.0, best.dtype))

    def result(self):
        r = self._rates()
        return self._find_max_under_constraint(r[self._constrained], r[self._dependent])

    def get_config(self):
        return {**super().get_config(), "class_id": self.class_id}


def _at(cls_name, arg, constrained, dependent, doc):
    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        if value < 0 or value > 1:
            raise ValueError(f"Argument `{arg}` must be in the range [0, 1]. Received: "
                             f"{arg}={value}")
        setattr(self, arg, value)
        self.num_thresholds = num_thresholds
        SensitivitySpecificityBase.__init__(self, value, num_thresholds=num_thresholds,
                                            class_id=class_id, name=name, dtype=dtype)

    def get_config(self):
        return {**SensitivitySpecificityBase.get_config(self),
                "num_thresholds": self.num_thresholds, arg: getattr(self, arg)}

    # Keras names the first argument after the constraint (``specificity=0.5``).
    import inspect
    params = list(inspect.signature(__init__).parameters.values())
    params[1] = params[1].replace(name=arg)
    init = __init__

    def __init_named__(self, *args, **kwargs):
        if arg in kwargs:
            kwargs["value"] = kwargs.pop(arg)
        return init(self, *args, **kwargs)
    __init_named__.__signature__ = inspect.Signature(params)
    cls = type(cls_name, (SensitivitySpecificityBase,), {
        "__init__": __init_named__, "get_config": get_config,
        "_constrained": constrained, "_dependent": dependent, "__doc__": doc})
    return cls


SensitivityAtSpecificity = _at("SensitivityAtSpecificity", "specificity", "specificity",
                               "recall", "The best sensitivity where specificity >= a value.")
SpecificityAtSensitivity = _at("SpecificityAtSensitivity", "sensitivity", "recall",
                               "specificity", "The best specificity where sensitivity >= a value.")
PrecisionAtRecall = _at("PrecisionAtRecall", "recall", "recall", "precision",
                        "The best precision where recall >= a value.")
RecallAtPrecision = _at("RecallAtPrecision", "precision", "precision", "recall",
                        "The best recall where precision >= a value.")


_CURVES = {"roc": "ROC", "pr": "PR", "prgain": "PRGAIN"}


class AUC(Metric):
    """Area under the ROC, PR or PR-gain curve by a Riemann sum over thresholds (Keras 3).

    >>> m = AUC(num_thresholds=3)
    >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
    >>> float(m.result())
    0.75
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        self._direction = "up"
        curve_key = getattr(curve, "value", curve)
        if curve_key not in ("pr", "PR", "roc", "ROC", "prgain", "PRGAIN"):
            raise ValueError(f'Invalid AUC curve value: "{curve}". Expected values are '
                             f'["PR", "ROC", "PRGAIN"]')
        method = getattr(summation_method, "value", summation_method)
        if method not in ("interpolation", "Interpolation", "majoring", "Majoring",
                          "minoring", "Minoring"):
            raise ValueError(f'Invalid AUC summation method value: "{summation_method}". '
                             f'Expected values are ["interpolation", "majoring", '
                             f'"minoring"]')
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            self.num_thresholds = len(thresholds) + 2
            thresholds = sorted(thresholds)
            self._thresholds_distributed_evenly = is_evenly_distributed_thresholds(
                np.array([0.0] + thresholds + [1.0]))
        else:
            if num_thresholds <= 1:
                raise ValueError(f"Argument `num_thresholds` must be an integer > 1. "
                                 f"Received: num_thresholds={num_thresholds}")
            self.num_thresholds = num_thresholds
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1)
                          for i in range(num_thresholds - 2)]
            self._thresholds_distributed_evenly = True
        self._thresholds = np.array([0.0 - epsilon()] + thresholds + [1.0 + epsilon()])
        self.curve = _CURVES[str(curve_key).lower()]
        self.summation_method = str(method).lower()
        super().__init__(name=name, dtype=dtype)
        self.multi_label = multi_label
        self.num_labels = num_labels
        if isinstance(label_weights, dict) and "config" in label_weights:  # serialized array
            label_weights = label_weights["config"]["value"]
        self.label_weights = (None if label_weights is None
                              else convert_to_tensor(np.asarray(label_weights, self._dtype)))
        self._from_logits = from_logits
        self._built = False
        if multi_label:
            if num_labels:
                self._build([None, num_labels])
        else:
            if num_labels:
                raise ValueError("`num_labels` is needed only when `multi_label` is True.")
            self._build(None)

    @property
    def thresholds(self):
        return list(self._thresholds)

    def _build(self, shape):
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError(f"`y_pred` must have rank 2 when `multi_label=True`. Found "
                                 f"rank {len(shape)}. Full shape received for `y_pred`: "
                                 f"{shape}")
            self._num_labels = shape[1]
            vshape = (self.num_thresholds, self._num_labels)
        else:
            vshape = (self.num_thresholds,)
        self._build_input_shape = shape
        self.true_positives = self.add_variable(vshape, "zeros", name="true_positives")
        self.false_positives = self.add_variable(vshape, "zeros", name="false_positives")
        self.true_negatives = self.add_variable(vshape, "zeros", name="true_negatives")
        self.false_negatives = self.add_variable(vshape, "zeros", name="false_negatives")
        self._built = True

    def _prebuild(self, y_true, y_pred):
        """Creates the variables from the shapes before a compiled step traces."""
        if not self._built:
            self._build(tuple(y_pred.shape))

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = _t(y_pred)
        if not self._built:
            self._build(tuple(y_pred.shape))
        if self._from_logits:
            y_pred = _m.sigmoid(y_pred)
        update_confusion_matrix_variables(
            {TP: self.true_positives, TN: self.true_negatives, FP: self.false_positives,
             FN: self.false_negatives}, y_true, y_pred, self._thresholds,
            sample_weight=sample_weight, multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly)

    def _by_label(self, terms):
        if not self.multi_label:
            return _m.reduce_sum(terms)
        by_label = _m.reduce_sum(terms, axis=0)
        if self.label_weights is None:
            return _m.reduce_mean(by_label)
        lw = _m.cast(self.label_weights, by_label.dtype)
        return _m.divide_no_nan(_m.reduce_sum(by_label * lw), _m.reduce_sum(lw))

    def interpolate_pr_auc(self):
        tp, fp, fn = (v.read_value() for v in (self.true_positives, self.false_positives,
                                               self.false_negatives))
        n = self.num_thresholds
        dtp = tp[:n - 1] - tp[1:]
        p = tp + fp
        dp = p[:n - 1] - p[1:]
        slope = _m.divide_no_nan(dtp, _m.maximum(dp, 0.0))
        intercept = tp[1:] - slope * p[1:]
        ratio = _a.where(_m.logical_and(p[:n - 1] > 0, p[1:] > 0),
                         _m.divide_no_nan(p[:n - 1], _m.maximum(p[1:], 0.0)),
                         _a.ones_like(p[1:]))
        inc = _m.divide_no_nan(slope * (dtp + intercept * _m.log(ratio)),
                               _m.maximum(tp[1:] + fn[1:], 0.0))
        return self._by_label(inc)

    def result(self):
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self.interpolate_pr_auc()
        tp, fp, tn, fn = (v.read_value() for v in (self.true_positives, self.false_positives,
                                                   self.true_negatives,
                                                   self.false_negatives))
        recall = _m.divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _m.divide_no_nan(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, _m.divide_no_nan(tp, tp + fp)
        else:
            scale = _m.divide_no_nan(tp + fn, tn + fp)
            rg = 1.0 - scale * _m.divide_no_nan(fn, tp)
            pg = 1.0 - scale * _m.divide_no_nan(fp, tp)
            no_tp = _m.equal(tp, 0.0)
            rg = _m.maximum(_a.where(no_tp, _a.zeros_like(rg), rg), 0.0)
            pg = _a.where(no_tp, _a.ones_like(pg), pg)
            x, y = rg, pg
        n = self.num_thresholds
        if self.summation_method == "interpolation":
            heights = (y[:n - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = _m.minimum(y[:n - 1], y[1:])
        else:
            heights = _m.maximum(y[:n - 1], y[1:])
        return self._by_label((x[:n - 1] - x[1:]) * heights)

    def reset_state(self):
        if self._built:
            super().reset_state()

    def get_config(self):
        lw = self.label_weights
        config = {"num_thresholds": self.num_thresholds, "curve": self.curve,
                  "summation_method": self.summation_method, "multi_label": self.multi_label,
                  "num_labels": self.num_labels,
                  "label_weights": None if lw is None else lw,
                  "from_logits": self._from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return {**super().get_config(), **config}

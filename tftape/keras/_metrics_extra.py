"""``tf.keras.metrics``: mean-of-a-function metrics, top-k, F-scores, R2 and IoU.

Also the metric functions Keras exports and ``get`` / ``serialize`` / ``deserialize``.
"""
from __future__ import annotations

import warnings

from .._core.convert import convert_to_tensor
from .._ops import array_ops as _a, linalg_ops as _la, math_ops as _m, nn_ops as _nn
from . import _losses, _losses_extra as _lx, _metrics
from ._losses import squeeze_or_expand_to_same_rank
from ._metrics import MeanMetricWrapper, Metric, _floatx, _t
from ._config import epsilon


# -- functions ------------------------------------------------------------------------------
def _flatten_for_top_k(y_true, y_pred):
    org_shape = tuple(y_true.shape)
    reshape = False
    if len(y_pred.shape) > 2:
        y_pred = _a.reshape(y_pred, [-1, int(y_pred.shape[-1])])
    if len(y_true.shape) > 1:
        reshape = True
        y_true = _a.reshape(y_true, [-1])
    return y_true, y_pred, (org_shape if reshape else None)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the one-hot target's class is among the ``k`` largest predictions."""
    y_pred = _t(y_pred)
    y_true = _m.argmax(_t(y_true, y_pred.dtype), axis=-1)
    y_true, y_pred, shape = _flatten_for_top_k(y_true, y_pred)
    matches = _m.cast(_nn.in_top_k(_m.cast(y_true, "int32"), y_pred, k), _floatx())
    return matches if shape is None else _a.reshape(matches, shape)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """1.0 where the integer target is among the ``k`` largest predictions.

    >>> hits = sparse_top_k_categorical_accuracy([2, 0], [[.1, .2, .7], [.1, .8, .1]], k=1)
    >>> [float(v) for v in hits]
    [1.0, 0.0]
    """
    y_pred = _t(y_pred)
    y_true = _t(y_true, y_pred.dtype if from_sorted_ids else "int32")
    y_true, y_pred, shape = _flatten_for_top_k(y_true, y_pred)
    if from_sorted_ids:
        matches = _m.reduce_any(_m.equal(_a.expand_dims(y_true, 1), y_pred[:, :k]), axis=1)
    else:
        matches = _nn.in_top_k(y_true, y_pred, k)
    matches = _m.cast(matches, _floatx())
    return matches if shape is None else _a.reshape(matches, shape)


def _cosine_similarity(y_true, y_pred, axis=-1):
    return -_lx.cosine_similarity(y_true, y_pred, axis=axis)


def pearson_correlation(y_true, y_pred, axis=-1):
    """The Pearson correlation of ``y_true`` and ``y_pred`` along ``axis``."""
    y_pred = _t(y_pred)
    y_true = _t(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    yt = y_true - _m.reduce_mean(y_true, axis=axis, keepdims=True)
    yp = y_pred - _m.reduce_mean(y_pred, axis=axis, keepdims=True)
    yt = yt / _m.reduce_std(yt, axis=axis, keepdims=True)
    yp = yp / _m.reduce_std(yp, axis=axis, keepdims=True)
    return _m.reduce_mean(yt * yp, axis=axis)


def concordance_correlation(y_true, y_pred, axis=-1):
    """Lin's concordance correlation coefficient along ``axis`` (Keras 3's formula)."""
    y_pred = _t(y_pred)
    y_true = _t(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    t_mean = _m.reduce_mean(y_true, axis=axis, keepdims=True)
    p_mean = _m.reduce_mean(y_pred, axis=axis, keepdims=True)
    t_var = _m.reduce_variance(y_true - t_mean, axis=axis, keepdims=True)
    p_var = _m.reduce_variance(y_pred - p_mean, axis=axis, keepdims=True)
    # Note: Keras 3 centres y_true on y_pred's mean here; copied as is.
    covar = (y_true - p_mean) * (y_pred - p_mean)
    norm = t_var + p_var + _m.square(t_mean - p_mean)
    return _m.reduce_mean(2 * covar / (norm + epsilon()), axis=axis)


# -- mean-of-a-function metrics ------------------------------------------------------------------
class _Wrapped(MeanMetricWrapper):
    """A ``MeanMetricWrapper`` with Keras 3's fixed config keys."""
    _fn_static = None
    _defaults: dict = {}
    _config_keys: tuple = ()
    _default_name = None

    def __init__(self, name=None, dtype=None, **kwargs):
        kw = dict(self._defaults)
        for k, v in kwargs.items():
            if k not in kw:
                raise TypeError(f"{type(self).__name__}.__init__() got an unexpected keyword "
                                f"argument '{k}'")
            kw[k] = v
        super().__init__(type(self)._fn_static, name=name or self._default_name, dtype=dtype,
                         **kw)
        for k, v in kw.items():
            setattr(self, k, v)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype,
                **{k: self._fn_kwargs[k] for k in self._config_keys}}


def _cls(cls_name, fn, default_name, config_keys=None, doc=None, **defaults):
    cls = type(cls_name, (_Wrapped,), {
        "_fn_static": staticmethod(fn), "_defaults": defaults, "_default_name": default_name,
        "_config_keys": tuple(defaults) if config_keys is None else config_keys})
    cls.__doc__ = doc or f"The mean of ``{fn.__name__}`` over the samples seen (Keras 3)."
    return cls


Hinge = _cls("Hinge", _lx.hinge, "hinge")
SquaredHinge = _cls("SquaredHinge", _lx.squared_hinge, "squared_hinge")
CategoricalHinge = _cls("CategoricalHinge", _lx.categorical_hinge, "categorical_hinge")
KLDivergence = _cls("KLDivergence", _losses.kld, "kl_divergence")
Poisson = _cls("Poisson", _lx.poisson, "poisson")
LogCoshError = _cls("LogCoshError", _losses.logcosh, "logcosh")
MeanAbsolutePercentageError = _cls("MeanAbsolutePercentageError", _losses.mape,
                                   "mean_absolute_percentage_error")
MeanSquaredLogarithmicError = _cls("MeanSquaredLogarithmicError", _losses.msle,
                                   "mean_squared_logarithmic_error")
CosineSimilarity = _cls("CosineSimilarity", _cosine_similarity, "cosine_similarity", (),
                        axis=-1)
PearsonCorrelation = _cls("PearsonCorrelation", pearson_correlation, "pearson_correlation",
                          axis=-1)
ConcordanceCorrelation = _cls("ConcordanceCorrelation", concordance_correlation,
                              "concordance_correlation", axis=-1)


class TopKCategoricalAccuracy(_Wrapped):
    """How often the one-hot target is among the top ``k`` predictions (Keras 3)."""
    _fn_static = staticmethod(top_k_categorical_accuracy)
    _defaults = {"k": 5}
    _config_keys = ("k",)
    _default_name = "top_k_categorical_accuracy"

    def __init__(self, k=5, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype, k=k)


class SparseTopKCategoricalAccuracy(_Wrapped):
    """How often the integer target is among the top ``k`` predictions (Keras 3)."""
    _fn_static = staticmethod(sparse_top_k_categorical_accuracy)
    _defaults = {"k": 5, "from_sorted_ids": False}
    _config_keys = ("k",)
    _default_name = "sparse_top_k_categorical_accuracy"

    def __init__(self, k=5, name=None, dtype=None, from_sorted_ids=False):
        super().__init__(name=name, dtype=dtype, k=k, from_sorted_ids=from_sorted_ids)

    def get_config(self):
        config = super().get_config()
        if self.from_sorted_ids:
            config["from_sorted_ids"] = True
        return config


# -- stateful metrics built lazily from the first batch's shapes ------------------------------
class _LazyMetric(Metric):
    _built = False

    def _prebuild(self, y_true, y_pred):
        """Creates the variables from the shapes before a compiled step traces."""
        if not self._built:
            self._build(tuple(y_true.shape), tuple(y_pred.shape))

    def reset_state(self):
        if self._built or self._variables:
            super().reset_state()


class FBetaScore(_LazyMetric):
    """The F-beta score per class, or averaged (``micro``/``macro``/``weighted``)."""

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score",
                 dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError(f"Invalid `average` argument value. Expected one of: "
                             f"{{None, 'micro', 'macro', 'weighted'}}. Received: "
                             f"average={average}")
        if not isinstance(beta, float):
            raise ValueError(f"Invalid `beta` argument value. It should be a Python float. "
                             f"Received: beta={beta} of type '{type(beta)}'")
        if beta <= 0.0:
            raise ValueError(f"Invalid `beta` argument value. It should be > 0. Received: "
                             f"beta={beta}")
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError(f"Invalid `threshold` argument value. It should be a Python "
                                 f"float. Received: threshold={threshold} of type "
                                 f"'{type(threshold)}'")
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError(f"Invalid `threshold` argument value. It should verify 0 < "
                                 f"threshold <= 1. Received: threshold={threshold}")
        self.average = average
        self.beta = beta
        self.threshold = threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, y_true_shape, y_pred_shape):
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(f"FBetaScore expects 2D inputs with shape (batch_size, "
                             f"output_dim). Received input shapes: "
                             f"y_pred.shape={y_pred_shape} and y_true.shape={y_true_shape}.")
        shape = () if self.average == "micro" else (y_pred_shape[-1],)
        for n in ("true_positives", "false_positives", "false_negatives",
                  "intermediate_weights"):
            setattr(self, n, self.add_variable(shape, "zeros", dtype=self._dtype, name=n))
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = _t(y_true, self._dtype)
        y_pred = _t(y_pred, self._dtype)
        if not self._built:
            self._build(tuple(y_true.shape), tuple(y_pred.shape))
        if self.threshold is None:
            top = _m.reduce_max(y_pred, axis=-1, keepdims=True)
            y_pred = _m.logical_and(_m.greater_equal(y_pred, top),
                                    _m.greater(_m.abs(y_pred), 1e-9))
        else:
            y_pred = _m.greater(y_pred, self.threshold)
        y_pred = _m.cast(y_pred, self._dtype)
        sw = None if sample_weight is None else _t(sample_weight, self._dtype)

        def wsum(v):
            if sw is not None:
                v = v * _a.expand_dims(sw, 1)
            return _m.reduce_sum(v, axis=self.axis)
        self.true_positives.assign_add(wsum(y_pred * y_true), read_value=False)
        self.false_positives.assign_add(wsum(y_pred * (1 - y_true)), read_value=False)
        self.false_negatives.assign_add(wsum((1 - y_pred) * y_true), read_value=False)
        self.intermediate_weights.assign_add(wsum(y_true), read_value=False)

    def result(self):
        tp, fp, fn = (v.read_value() for v in (self.true_positives, self.false_positives,
                                               self.false_negatives))
        precision = tp / (tp + fp + epsilon())
        recall = tp / (tp + fn + epsilon())
        b2 = self.beta ** 2
        f = precision * recall / (b2 * precision + recall + epsilon()) * (1 + b2)
        if self.average == "weighted":
            w = self.intermediate_weights.read_value()
            return _m.reduce_sum(f * (w / (_m.reduce_sum(w) + epsilon())))
        if self.average is not None:
            return _m.reduce_mean(f)
        return f

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "average": self.average,
                "beta": self.beta, "threshold": self.threshold}


class F1Score(FBetaScore):
    """The F1 score (``FBetaScore`` with ``beta=1``).

    >>> m = F1Score(threshold=0.5)
    >>> m.update_state([[1, 0], [0, 1]], [[0.9, 0.2], [0.3, 0.6]])
    >>> [round(float(v), 3) for v in m.result()]
    [1.0, 1.0]
    """

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name,
                         dtype=dtype)

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config


class R2Score(_LazyMetric):
    """The coefficient of determination, per output or averaged (Keras 3)."""

    def __init__(self, class_aggregation="uniform_average", num_regressors=0,
                 name="r2_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        valid = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in valid:
            raise ValueError(f"Invalid value for argument `class_aggregation`. Expected one "
                             f"of {valid}. Received: class_aggregation={class_aggregation}")
        if num_regressors < 0:
            raise ValueError(f"Invalid value for argument `num_regressors`. Expected a value "
                             f">= 0. Received: num_regressors={num_regressors}")
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_variable((), "zeros", name="num_samples")
        self._built = False

    def _build(self, y_true_shape, y_pred_shape):
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(f"R2Score expects 2D inputs with shape (batch_size, "
                             f"output_dim). Received input shapes: "
                             f"y_pred.shape={y_pred_shape} and y_true.shape={y_true_shape}.")
        n = y_pred_shape[-1]
        self.squared_sum = self.add_variable((n,), "zeros", name="squared_sum")
        self.sum = self.add_variable((n,), "zeros", name="sum")
        self.total_mse = self.add_variable((n,), "zeros", name="residual")
        self.count = self.add_variable((n,), "zeros", name="count")
        self._built = True

    def _prebuild(self, y_true, y_pred):
        if not self._built:
            yt, yp = squeeze_or_expand_to_same_rank(_t(y_true, self._dtype),
                                                    _t(y_pred, self._dtype))
            self._build(tuple(yt.shape), tuple(yp.shape))

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = _t(y_true, self._dtype)
        y_pred = _t(y_pred, self._dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        if not self._built:
            self._build(tuple(y_true.shape), tuple(y_pred.shape))
        sw = _t(1.0 if sample_weight is None else sample_weight, self._dtype)
        if len(sw.shape) == 1:
            sw = _a.expand_dims(sw, 1)
        sw = _a.broadcast_to(sw, y_true.shape)
        wy = y_true * sw

        def add(var, value):
            var.assign_add(_m.cast(value, var.dtype), read_value=False)
        add(self.sum, _m.reduce_sum(wy, axis=0))
        add(self.squared_sum, _m.reduce_sum(y_true * wy, axis=0))
        add(self.total_mse, _m.reduce_sum(_m.square(y_true - y_pred) * sw, axis=0))
        add(self.count, _m.reduce_sum(sw, axis=0))
        size = 1
        for d in y_true.shape:
            size *= int(d)
        add(self.num_samples, size)

    def result(self):
        s, c = self.sum.read_value(), self.count.read_value()
        mean = s / c
        total = self.squared_sum.read_value() - s * mean
        raw = 1 - self.total_mse.read_value() / total
        raw = _a.where(_m.is_inf(raw), _a.zeros_like(raw), raw)
        if self.class_aggregation == "uniform_average":
            r2 = _m.reduce_mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            r2 = _m.reduce_sum(total * raw) / _m.reduce_sum(total)
        else:
            r2 = raw
        if self.num_regressors != 0:
            # Note: the sample count is read on the host, as Keras' Python `if` does.
            n = float(self.num_samples.read_value().numpy())
            p = float(self.num_regressors)
            if p > n - 1:
                warnings.warn("More independent predictors than datapoints in adjusted R2 "
                              "score. Falling back to standard R2 score.", stacklevel=2)
            elif p == n - 1:
                warnings.warn("Division by zero in Adjusted R2 score. Falling back to "
                              "standard R2 score.", stacklevel=2)
            else:
                r2 = 1.0 - (1.0 - r2) * (n - 1.0) / (n - p - 1.0)
        return r2

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype,
                "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}


# -- IoU ------------------------------------------------------------------------------------
class _IoUBase(Metric):
    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        # Note: Keras' default dtype "int" is int64 under the TensorFlow backend.
        super().__init__(name=name, dtype="int64" if dtype in (None, "int") else dtype)
        self.num_classes = num_classes
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self.add_variable((num_classes, num_classes), "zeros",
                                          dtype=self._dtype, name="total_confusion_matrix")

    def update_state(self, y_true, y_pred, sample_weight=None):
        if not self.sparse_y_true:
            y_true = _m.argmax(_t(y_true), axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = _m.argmax(_t(y_pred), axis=self.axis)
        y_true = _a.reshape(_t(y_true, self._dtype), [-1])
        y_pred = _a.reshape(_t(y_pred, self._dtype), [-1])
        if sample_weight is None:
            sample_weight = 1
        elif ("float" in str(getattr(sample_weight, "dtype", ""))
              and "int" in self._dtype):
            warnings.warn("You are passing weight as `float`, but dtype is `int`. This may "
                          "result in an incorrect weight due to type casting Consider using "
                          "integer weights.")
        sw = _a.reshape(_t(sample_weight, self._dtype), [-1])
        sw = _a.broadcast_to(sw, y_true.shape)
        n = _m.cast(self.num_classes, y_true.dtype)
        ok = _m.logical_and(
            _m.logical_and(_m.greater_equal(y_true, _m.cast(0, y_true.dtype)),
                           _m.less(y_true, n)),
            _m.logical_and(_m.greater_equal(y_pred, _m.cast(0, y_true.dtype)),
                           _m.less(y_pred, n)))
        if self.ignore_class is not None:
            ok = _m.logical_and(ok, _m.not_equal(y_true, _m.cast(self.ignore_class,
                                                                  y_true.dtype)))
        zeros = _a.zeros_like(y_true)
        y_true = _a.where(ok, y_true, zeros)
        y_pred = _a.where(ok, y_pred, zeros)
        sw = _a.where(ok, sw, _a.zeros_like(sw))
        # Note: a one-hot product rather than a host-side scatter, so it traces in a step.
        acc = "float32" if self._dtype in ("float16", "bfloat16", "float32") else "float64"
        t1 = _a.one_hot(_m.cast(y_true, "int32"), self.num_classes, dtype=acc)
        p1 = _a.one_hot(_m.cast(y_pred, "int32"), self.num_classes, dtype=acc)
        cm = _m.cast(_la.matmul(t1 * _a.expand_dims(_m.cast(sw, acc), 1), p1,
                               transpose_a=True), self._dtype)
        self.total_cm.assign_add(cm, read_value=False)


class IoU(_IoUBase):
    """Intersection-over-union averaged over ``target_class_ids`` (Keras 3)."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None,
                 ignore_class=None, sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(name=name, num_classes=num_classes, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis,
                         dtype=dtype)
        if max(target_class_ids) >= num_classes:
            raise ValueError(f"Target class id {max(target_class_ids)} is out of range, which "
                             f"is [0, {num_classes}).")
        self.target_class_ids = list(target_class_ids)

    def result(self):
        cm = self.total_cm.read_value()
        rows = _m.cast(_m.reduce_sum(cm, axis=0), self._dtype)
        cols = _m.cast(_m.reduce_sum(cm, axis=1), self._dtype)
        tp = _m.cast(_la.diag_part(cm), self._dtype)
        denom = rows + cols - tp
        ids = convert_to_tensor(self.target_class_ids, dtype="int32")
        tp = _m.cast(_a.gather(tp, ids), "float32")
        denom = _m.cast(_a.gather(denom, ids), "float32")
        valid = _m.greater(denom, 1e-9)
        iou = _a.where(valid, tp / (denom + epsilon()), _a.zeros_like(tp))
        return _m.reduce_sum(iou, axis=self.axis) / (
            _m.reduce_sum(_m.cast(valid, "float32")) + epsilon())

    def get_config(self):
        return {**Metric.get_config(self), "num_classes": self.num_classes,
                "target_class_ids": self.target_class_ids, "ignore_class": self.ignore_class,
                "sparse_y_true": self.sparse_y_true, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


class BinaryIoU(IoU):
    """IoU of the binary classes after thresholding ``y_pred`` (Keras 3)."""

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name,
                         dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = _t(y_true, self._dtype)
        y_pred = _m.cast(_m.greater_equal(_t(y_pred, "float32"), self.threshold),
                         self._dtype)
        return super().update_state(y_true, y_pred, sample_weight)

    def get_config(self):
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold,
                "name": self.name, "dtype": self._dtype}


class MeanIoU(IoU):
    """IoU averaged over all ``num_classes`` classes (Keras 3).

    >>> m = MeanIoU(num_classes=2)
    >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
    >>> float(m.result())
    0.3333333432674408
    """

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(name=name, num_classes=num_classes,
                         target_class_ids=list(range(num_classes)), axis=axis, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=sparse_y_true,
                         sparse_y_pred=sparse_y_pred)

    def get_config(self):
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self._dtype,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class OneHotIoU(IoU):
    """``IoU`` for one-hot ``y_true`` (and by default one-hot or score ``y_pred``)."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None,
                 ignore_class=None, sparse_y_pred=False, axis=-1):
        super().__init__(num_classes=num_classes, target_class_ids=target_class_ids,
                         name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        return {"num_classes": self.num_classes, "target_class_ids": self.target_class_ids,
                "name": self.name, "dtype": self._dtype, "ignore_class": self.ignore_class,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class OneHotMeanIoU(MeanIoU):
    """``MeanIoU`` for one-hot ``y_true``."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes=num_classes, axis=axis, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred)

    def get_config(self):
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self._dtype,
                "ignore_class": self.ignore_class, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


# -- registry: get / serialize / deserialize ----------------------------------------------------
def _register():
    from . import _metrics, _metrics_confusion as _c
    from ._naming import to_snake_case
    classes = [_metrics.Mean, _metrics.Sum, MeanMetricWrapper, _metrics.MeanSquaredError,
               _metrics.RootMeanSquaredError, _metrics.MeanAbsoluteError,
               MeanAbsolutePercentageError, MeanSquaredLogarithmicError, CosineSimilarity,
               LogCoshError, R2Score, _c.AUC, _c.FalseNegatives, _c.FalsePositives,
               _c.Precision, _c.PrecisionAtRecall, _c.Recall, _c.RecallAtPrecision,
               _c.SensitivityAtSpecificity, _c.SpecificityAtSensitivity, _c.TrueNegatives,
               _c.TruePositives, ConcordanceCorrelation, PearsonCorrelation, Hinge,
               SquaredHinge, CategoricalHinge, KLDivergence, Poisson,
               _metrics.BinaryCrossentropy, _metrics.CategoricalCrossentropy,
               _metrics.SparseCategoricalCrossentropy, _metrics.Accuracy,
               _metrics.BinaryAccuracy, _metrics.CategoricalAccuracy,
               _metrics.SparseCategoricalAccuracy, TopKCategoricalAccuracy,
               SparseTopKCategoricalAccuracy, F1Score, FBetaScore, IoU, BinaryIoU, MeanIoU,
               OneHotIoU, OneHotMeanIoU]
    table = {c.__name__: c for c in classes}
    table.update({to_snake_case(c.__name__): c for c in classes})
    table.update({"bce": _metrics.BinaryCrossentropy, "BCE": _metrics.BinaryCrossentropy,
                  "mse": _metrics.MeanSquaredError, "MSE": _metrics.MeanSquaredError,
                  "mae": _metrics.MeanAbsoluteError, "MAE": _metrics.MeanAbsoluteError,
                  "mape": MeanAbsolutePercentageError, "MAPE": MeanAbsolutePercentageError,
                  "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError})
    for k, v in table.items():
        _metrics._BY_NAME.setdefault(k, v)
    return table


ALL_OBJECTS_DICT = _register()


def deserialize(config, custom_objects=None):
    """A metric from a name or a ``serialize`` config."""
    return _lx._deserialize(config, ALL_OBJECTS_DICT, "metric", custom_objects)


_metrics._deserialize = deserialize


def serialize(metric):
    """The Keras config dict of a metric."""
    from ._serialization import serialize_keras_object
    return serialize_keras_object(metric)


def get(identifier):
    """A metric instance from a name, a config dict or a class; a callable as is (Keras 3)."""
    return _lx._get(identifier, ALL_OBJECTS_DICT, deserialize, "metric")

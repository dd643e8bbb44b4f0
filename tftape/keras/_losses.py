"""``tf.keras.losses``: Keras 3 loss classes and functions.

A loss object converts both arguments to ``float32``, applies the per-sample function and
reduces with ``sum_over_batch_size`` (sum / number of elements), as Keras 3 does.
"""
from __future__ import annotations

import math

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._core.tensor import Tensor
from .._ops import array_ops as _a, math_ops as _m, nn_ops as _nn
from ._config import epsilon


def _t(x, dtype=None):
    t = x if isinstance(x, Tensor) else convert_to_tensor(
        x.read_value() if hasattr(x, "read_value") else x)
    if dtype is not None and t.dtype.name != _d.as_dtype(dtype).name:
        t = _m.cast(t, dtype)
    return t


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Keras' rule: make ranks equal when they differ by a trailing dim of size 1."""
    r1, r2 = len(x1.shape), len(x2.shape)
    if r1 == r2:
        return x1, x2
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = _a.expand_dims(x2, -1)
        else:
            x1 = _a.squeeze(x1, -1)
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = _a.expand_dims(x1, -1)
        else:
            x2 = _a.squeeze(x2, -1)
    return x1, x2


def _prepare(y_true, y_pred):
    y_pred = _t(y_pred)
    y_true = _t(y_true, y_pred.dtype)
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


# -- functions (per-sample values) ---------------------------------------------------------
def mean_squared_error(y_true, y_pred):
    """mean((y_true - y_pred)**2, axis=-1).

    >>> float(mse([1.0, 2.0], [1.0, 4.0]))
    2.0
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return _m.reduce_mean(_m.square(y_true - y_pred), axis=-1)


def mean_absolute_error(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    return _m.reduce_mean(_m.abs(y_true - y_pred), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    diff = _m.abs((y_true - y_pred) / _m.maximum(_m.abs(y_true), epsilon()))
    return 100.0 * _m.reduce_mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    a = _m.log(_m.maximum(y_pred, epsilon()) + 1.0)
    b = _m.log(_m.maximum(y_true, epsilon()) + 1.0)
    return _m.reduce_mean(_m.square(a - b), axis=-1)


def huber(y_true, y_pred, delta=1.0):
    y_true, y_pred = _prepare(y_true, y_pred)
    delta = convert_to_tensor(delta, dtype=y_pred.dtype)
    error = y_pred - y_true
    abs_error = _m.abs(error)
    half = convert_to_tensor(0.5, dtype=y_pred.dtype)
    return _m.reduce_mean(_a.where(abs_error <= delta, half * _m.square(error),
                                   delta * abs_error - half * _m.square(delta)), axis=-1)


def log_cosh(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    x = y_pred - y_true
    return _m.reduce_mean(x + _nn.softplus(-2.0 * x) - math.log(2.0), axis=-1)


def _same_shape(target, output, rank_msg=True):
    if len(target.shape) != len(output.shape):
        raise ValueError(f"Arguments `target` and `output` must have the same rank (ndim). "
                         f"Received: target.shape={target.shape}, output.shape={output.shape}")
    for e1, e2 in zip(target.shape, output.shape):
        if e1 is not None and e2 is not None and e1 != e2:
            raise ValueError(f"Arguments `target` and `output` must have the same shape. "
                             f"Received: target.shape={target.shape}, "
                             f"output.shape={output.shape}")


def _backend_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    if len(target.shape) < 1:
        raise ValueError(f"Arguments `target` and `output` must be at least rank 1. Received: "
                         f"target.shape={target.shape}, output.shape={output.shape}")
    _same_shape(target, output)
    if from_logits:
        return _nn.softmax_cross_entropy_with_logits(labels=target, logits=output, axis=axis)
    output = output / _m.reduce_sum(output, axis, keepdims=True)
    output = _a.clip_by_value(output, epsilon(), 1.0 - epsilon())
    return -_m.reduce_sum(target * _m.log(output), axis)


def _backend_sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    if axis != -1 and axis != len(output.shape) - 1:
        raise ValueError(f"Only axis=-1 is currently supported. Received: axis={axis}")
    target = _m.cast(target, "int64")
    if len(target.shape) == len(output.shape) and target.shape[-1] == 1:
        target = _a.squeeze(target, -1)
    if len(output.shape) < 1:
        raise ValueError(f"Argument `output` must be at least rank 1. Received: "
                         f"output.shape={output.shape}")
    if len(target.shape) != len(output.shape[:-1]):
        raise ValueError(f"Argument `output` must have rank (ndim) `target.ndim - 1`. "
                         f"Received: target.shape={target.shape}, output.shape={output.shape}")
    for e1, e2 in zip(target.shape, output.shape[:-1]):
        if e1 is not None and e2 is not None and e1 != e2:
            raise ValueError(f"Arguments `target` and `output` must have the same shape up "
                             f"until the last dimension: target.shape={target.shape}, "
                             f"output.shape={output.shape}")
    if not from_logits:
        output = _m.log(_a.clip_by_value(output, epsilon(), 1 - epsilon()))
    return _nn.sparse_softmax_cross_entropy_with_logits(labels=target, logits=output)


def _backend_binary_crossentropy(target, output, from_logits=False):
    _same_shape(target, output)
    if from_logits:
        return _nn.sigmoid_cross_entropy_with_logits(labels=target, logits=output)
    output = _a.clip_by_value(output, epsilon(), 1.0 - epsilon())
    bce = target * _m.log(output)
    bce = bce + (1 - target) * _m.log(1 - output)
    return -bce


def warn_single_class(loss: str, shape) -> None:
    """Keras' warning for a categorical loss given one class."""
    if shape[-1] == 1:
        import warnings
        warnings.warn(f"In loss {loss}, expected y_pred.shape to be (batch_size, num_classes) "
                      f"with num_classes > 1. Received: y_pred.shape={shape}. Consider using "
                      f"'binary_crossentropy' if you only have 2 classes.", SyntaxWarning,
                      stacklevel=3)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    y_pred = _t(y_pred)
    y_true = _t(y_true, y_pred.dtype)
    warn_single_class("categorical_crossentropy", y_pred.shape)
    if label_smoothing:
        n = float(y_true.shape[-1])
        y_true = y_true * (1.0 - label_smoothing) + (label_smoothing / n)
    return _backend_categorical_crossentropy(y_true, y_pred, from_logits, axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    y_pred = _t(y_pred)
    y_true = _t(y_true)
    if len(y_true.shape) == len(y_pred.shape) and y_true.shape[axis] == 1:
        y_true = _a.squeeze(y_true, axis)
    return _backend_sparse_categorical_crossentropy(y_true, y_pred, from_logits, axis)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    y_pred = _t(y_pred)
    y_true = _t(y_true, y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return _m.reduce_mean(_backend_binary_crossentropy(y_true, y_pred, from_logits), axis=axis)


def kl_divergence(y_true, y_pred):
    y_pred = _t(y_pred)
    y_true = _t(y_true, y_pred.dtype)
    y_true = _a.clip_by_value(y_true, epsilon(), 1)
    y_pred = _a.clip_by_value(y_pred, epsilon(), 1)
    return _m.reduce_sum(y_true * _m.log(y_true / y_pred), axis=-1)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh


# -- classes ------------------------------------------------------------------------------
_REDUCTIONS = (None, "none", "sum", "sum_over_batch_size", "mean", "mean_with_sample_weight")


def reduce_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    if reduction is None or reduction == "none" or tuple(values.shape) in ((), (0,)):
        return values
    loss = _m.reduce_sum(values)
    if reduction in ("sum_over_batch_size", "mean", "mean_with_sample_weight"):
        if reduction == "mean_with_sample_weight" and sample_weight is not None:
            divisor = _m.cast(_m.reduce_sum(sample_weight), loss.dtype)
        else:
            divisor = convert_to_tensor(float(math.prod(values.shape)), dtype=loss.dtype)
        loss = _m.divide_no_nan(loss, divisor)
    return loss


def reduce_weighted_values(values, sample_weight=None, reduction="sum_over_batch_size",
                           dtype=None):
    values = _t(values, dtype)
    if sample_weight is not None:
        sample_weight = _t(sample_weight, values.dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values = values * sample_weight
    return reduce_values(values, sample_weight, reduction)


class Loss:
    """Base class: ``loss(y_true, y_pred, sample_weight=None)`` returns the reduced loss."""

    _keras_module = "keras.losses"  # where Keras configs name the class

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        from ._naming import to_snake_case
        if reduction not in _REDUCTIONS:
            raise ValueError(f"Invalid value for argument `reduction`. Expected one of "
                             f"{_REDUCTIONS}. Received: reduction={reduction}")
        self.name = name or to_snake_case(self.__class__.__name__)
        self.reduction = reduction
        from ._config import floatx
        self._dtype = dtype or floatx()

    @property
    def dtype(self):
        return self._dtype

    def __call__(self, y_true, y_pred, sample_weight=None):
        y_pred = _t(y_pred, self._dtype)
        y_true = _t(y_true, self._dtype)
        losses = self.call(y_true, y_pred)
        return reduce_weighted_values(losses, sample_weight=sample_weight,
                                      reduction=self.reduction, dtype=self._dtype)

    def call(self, y_true, y_pred):
        raise NotImplementedError

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class LossFunctionWrapper(Loss):
    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None,
                 **kwargs):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    _config_skip = ()   # arguments Keras 3 leaves out of this loss's config

    def get_config(self):
        return {**super().get_config(),
                **{k: v for k, v in self._fn_kwargs.items() if k not in self._config_skip}}


def _wrapper(cls_name, fn, default_name, **defaults):
    def __init__(self, *args, reduction="sum_over_batch_size", name=default_name,
                 dtype=None, **kwargs):
        kw = dict(defaults)
        names = list(defaults)
        for k, v in zip(names, args):
            kw[k] = v
        for k, v in kwargs.items():
            if k not in kw:
                raise TypeError(f"{cls_name}.__init__() got an unexpected keyword argument "
                                f"'{k}'")
            kw[k] = v
        LossFunctionWrapper.__init__(self, fn, reduction=reduction, name=name, dtype=dtype,
                                     **kw)
    cls = type(cls_name, (LossFunctionWrapper,), {"__init__": __init__})
    cls.__doc__ = f"Keras 3's ``{cls_name}`` loss (reduction ``sum_over_batch_size``)."
    return cls


MeanSquaredError = _wrapper("MeanSquaredError", mean_squared_error, "mean_squared_error")
MeanAbsoluteError = _wrapper("MeanAbsoluteError", mean_absolute_error, "mean_absolute_error")
MeanAbsolutePercentageError = _wrapper("MeanAbsolutePercentageError",
                                       mean_absolute_percentage_error,
                                       "mean_absolute_percentage_error")
MeanSquaredLogarithmicError = _wrapper("MeanSquaredLogarithmicError",
                                       mean_squared_logarithmic_error,
                                       "mean_squared_logarithmic_error")
Huber = _wrapper("Huber", huber, "huber_loss", delta=1.0)
Huber._config_skip = ("delta",)
LogCosh = _wrapper("LogCosh", log_cosh, "log_cosh")
KLDivergence = _wrapper("KLDivergence", kl_divergence, "kl_divergence")
BinaryCrossentropy = _wrapper("BinaryCrossentropy", binary_crossentropy,
                              "binary_crossentropy", from_logits=False, label_smoothing=0.0,
                              axis=-1)
CategoricalCrossentropy = _wrapper("CategoricalCrossentropy", categorical_crossentropy,
                                   "categorical_crossentropy", from_logits=False,
                                   label_smoothing=0.0, axis=-1)
SparseCategoricalCrossentropy = _wrapper("SparseCategoricalCrossentropy",
                                         sparse_categorical_crossentropy,
                                         "sparse_categorical_crossentropy", from_logits=False,
                                         ignore_class=None, axis=-1)
SparseCategoricalCrossentropy._config_skip = ("axis",)

_BY_NAME = {
    "mean_squared_error": mean_squared_error, "mse": mean_squared_error,
    "MSE": mean_squared_error, "mean_absolute_error": mean_absolute_error,
    "mae": mean_absolute_error, "MAE": mean_absolute_error,
    "mean_absolute_percentage_error": mean_absolute_percentage_error,
    "mape": mean_absolute_percentage_error,
    "mean_squared_logarithmic_error": mean_squared_logarithmic_error,
    "msle": mean_squared_logarithmic_error, "huber": huber, "huber_loss": huber,
    "log_cosh": log_cosh, "logcosh": log_cosh,
    "kl_divergence": kl_divergence, "kld": kl_divergence,
    "binary_crossentropy": binary_crossentropy,
    "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
}
_CLASSES = {c.__name__: c for c in (
    MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, Huber, LogCosh, KLDivergence, BinaryCrossentropy,
    CategoricalCrossentropy, SparseCategoricalCrossentropy)}


# tf.keras.losses exports only the short spellings of these functions.
_mean_squared_error = mean_squared_error
_mean_absolute_error = mean_absolute_error
del mean_squared_error, mean_absolute_error, mean_absolute_percentage_error, \
    mean_squared_logarithmic_error, log_cosh, kl_divergence

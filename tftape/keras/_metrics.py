"""``tf.keras.metrics``: stateful metrics (``update_state`` / ``result`` / ``reset_state``).

State lives in Keras variables (``mean/total``, ``mean/count``), so metrics update inside a
compiled train step exactly as eagerly.
"""
from __future__ import annotations

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor, filled
from .._core.tensor import Tensor, make
from .._ops import array_ops as _a, math_ops as _m
from . import _naming, _losses
from ._variables import KerasVariable
from ._losses import squeeze_or_expand_to_same_rank


def _t(x, dtype=None):
    t = x if isinstance(x, Tensor) else convert_to_tensor(
        x.read_value() if hasattr(x, "read_value") else x)
    if dtype is not None and t.dtype.name != _d.as_dtype(dtype).name:
        t = _m.cast(t, dtype)
    return t


class Metric:
    """Base class of metrics.

    >>> m = Mean()
    >>> m.update_state([1.0, 3.0])
    >>> float(m.result())
    2.0
    """

    _keras_module = "keras.metrics"  # where Keras configs name the class

    def __init__(self, dtype=None, name=None):
        from ._config import floatx
        self.name = name or _naming.auto_name(self.__class__.__name__)
        self._dtype = _d.as_dtype(dtype or floatx()).name
        self._variables = []

    @property
    def dtype(self):
        return self._dtype

    def add_variable(self, shape, initializer="zeros", dtype=None, aggregation="sum",
                     name=None):
        from . import initializers as _init
        with _naming.name_scope(self.name, caller=self):
            # Note: as in Keras, a variable without a dtype is floatx, not the metric's.
            v = KerasVariable(_init.get(initializer), shape=tuple(shape),
                              dtype=dtype or _floatx(), trainable=False, name=name)
        self._variables.append(v)
        return v

    add_weight = add_variable

    @property
    def variables(self):
        return list(self._variables)

    def reset_state(self):
        for v in self._variables:
            v.assign(make(filled(v._value.shape, v._value.dtype), v._dtype),
                     read_value=False)

    def update_state(self, *args, **kwargs):
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    # -- stateless API: run on given variable values, leave the variables as they were -----
    def _check_metric_variables(self, metric_variables):
        if len(metric_variables) != len(self.variables):
            raise ValueError(f"Argument `metric_variables` must be a list of tensors "
                             f"corresponding 1:1 to {self.__class__.__name__}().variables. "
                             f"Received list with length {len(metric_variables)}, but "
                             f"expected {len(self.variables)} variables.")

    def _stateless(self, fn, metric_variables=None):
        # Note: Keras' StatelessScope, done by swapping each variable's value in and out.
        variables = self.variables
        saved = [v.read_value() for v in variables]
        try:
            if metric_variables is not None:
                for v, value in zip(variables, metric_variables):
                    v.assign(_t(value, v.dtype), read_value=False)
            out = fn()
            return out, [v.read_value() for v in variables]
        finally:
            for v, value in zip(variables, saved):
                v.assign(value, read_value=False)

    def stateless_update_state(self, metric_variables, *args, **kwargs):
        """The variables' values after ``update_state`` from ``metric_variables``."""
        self._check_metric_variables(metric_variables)
        return self._stateless(lambda: self.update_state(*args, **kwargs),
                               metric_variables)[1]

    def stateless_result(self, metric_variables):
        """``result()`` computed from ``metric_variables``."""
        self._check_metric_variables(metric_variables)
        return self._stateless(self.result, metric_variables)[0]

    def stateless_reset_state(self):
        """The variables' values after ``reset_state()``."""
        return self._stateless(self.reset_state)[1]

    def get_config(self):
        return {"name": self.name, "dtype": self._dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{self.__class__.__name__} name={self.name}>"


def reduce_to_samplewise_values(values, sample_weight, reduce_fn, dtype):
    values = _t(values, dtype)
    if sample_weight is not None:
        sample_weight = _t(sample_weight, dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        wn, vn = len(sample_weight.shape), len(values.shape)
        if vn > wn:
            values = reduce_fn(values, axis=list(range(wn, vn)))
        sample_weight = _a.broadcast_to(sample_weight, values.shape)
        values = values * sample_weight
        if wn > 1:
            sample_weight = reduce_fn(sample_weight, axis=list(range(1, wn)))
    if len(values.shape) > 1:
        values = reduce_fn(values, axis=list(range(1, len(values.shape))))
    return values, sample_weight


class Sum(Metric):
    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", dtype=self._dtype,
                                        name="total")

    def update_state(self, values, sample_weight=None):
        values, _ = reduce_to_samplewise_values(values, sample_weight, _m.reduce_sum,
                                                self._dtype)
        self.total.assign_add(_m.reduce_sum(values), read_value=False)

    def result(self):
        return _a.identity(self.total.read_value())


class Mean(Metric):
    """The (weighted) mean of the values seen."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", dtype=self._dtype,
                                        name="total")
        self.count = self.add_variable(shape=(), initializer="zeros", dtype=self._dtype,
                                        name="count")

    def update_state(self, values, sample_weight=None):
        values, sample_weight = reduce_to_samplewise_values(values, sample_weight,
                                                            _m.reduce_mean, self._dtype)
        self.total.assign_add(_m.reduce_sum(values), read_value=False)
        if sample_weight is not None:
            n = _m.reduce_sum(sample_weight)
        elif len(values.shape) >= 1:
            n = convert_to_tensor(float(values.shape[0]), dtype=self._dtype)
        else:
            n = convert_to_tensor(1.0, dtype=self._dtype)
        self.count.assign_add(_m.cast(n, self._dtype), read_value=False)

    def result(self):
        return _m.divide_no_nan(self.total.read_value(),
                                _m.cast(self.count.read_value(), self._dtype))


class MeanMetricWrapper(Mean):
    """The mean of ``fn(y_true, y_pred)`` over all samples seen."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        return super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        config = super().get_config()
        if type(self) is MeanMetricWrapper:   # the named subclasses leave `fn` out
            from ._serialization import serialize_keras_object
            config["fn"] = serialize_keras_object(self._fn)
        return {**config, **self._fn_kwargs}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("fn"), dict):
            from ._serialization import deserialize_keras_object
            config["fn"] = deserialize_keras_object(config["fn"])
        return cls(**config)


# -- accuracy functions ---------------------------------------------------------------------
def _floatx():
    from ._config import floatx
    return floatx()


def _accuracy(y_true, y_pred):
    y_pred = _t(y_pred)
    y_true = _t(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return _m.cast(_m.equal(y_true, y_pred), _floatx())


def binary_accuracy(y_true, y_pred, threshold=0.5):
    y_pred = _t(y_pred)
    y_true = _t(y_true)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    y_pred = _m.cast(_m.greater(y_pred, _m.cast(threshold, y_pred.dtype)), y_true.dtype)
    return _m.cast(_m.equal(y_true, y_pred), _floatx())


def _argmax_match(y_true, y_pred, squeeze_last_only):
    y_pred = _t(y_pred)
    y_true = _t(y_true, y_pred.dtype)
    org_shape = tuple(y_true.shape)
    reshape = False
    if len(y_true.shape) == len(y_pred.shape) and (not squeeze_last_only
                                                   or y_true.shape[-1] == 1):
        y_true = _a.squeeze(y_true, -1)
        reshape = True
    y_pred = _m.argmax(y_pred, axis=-1)
    if y_pred.dtype is not y_true.dtype:
        y_pred = _m.cast(y_pred, y_true.dtype)
    matches = _m.cast(_m.equal(y_true, y_pred), _floatx())
    if reshape:
        matches = _a.reshape(matches, org_shape)
    return matches


def categorical_accuracy(y_true, y_pred):
    y_true = _m.argmax(_t(y_true), axis=-1)
    return _argmax_match(y_true, y_pred, squeeze_last_only=False)


def sparse_categorical_accuracy(y_true, y_pred):
    m = _argmax_match(y_true, y_pred, squeeze_last_only=True)
    if len(m.shape) > 1 and m.shape[-1] == 1:
        m = _a.squeeze(m, -1)
    return m


def _wrapper(cls_name, fn, default_name, **defaults):
    def __init__(self, name=default_name, dtype=None, **kwargs):
        kw = {**defaults, **kwargs}
        MeanMetricWrapper.__init__(self, fn, name=name, dtype=dtype, **kw)
    cls = type(cls_name, (MeanMetricWrapper,), {"__init__": __init__})
    cls.__doc__ = f"The mean of ``{fn.__name__}`` over the samples seen (Keras 3)."
    return cls


Accuracy = _wrapper("Accuracy", _accuracy, "accuracy")
BinaryAccuracy = _wrapper("BinaryAccuracy", binary_accuracy, "binary_accuracy", threshold=0.5)
CategoricalAccuracy = _wrapper("CategoricalAccuracy", categorical_accuracy,
                               "categorical_accuracy")
SparseCategoricalAccuracy = _wrapper("SparseCategoricalAccuracy", sparse_categorical_accuracy,
                                     "sparse_categorical_accuracy")
MeanSquaredError = _wrapper("MeanSquaredError", _losses.mse,
                            "mean_squared_error")
MeanAbsoluteError = _wrapper("MeanAbsoluteError", _losses.mae,
                             "mean_absolute_error")
BinaryCrossentropy = _wrapper("BinaryCrossentropy", _losses.binary_crossentropy,
                              "binary_crossentropy", from_logits=False, label_smoothing=0.0)
CategoricalCrossentropy = _wrapper("CategoricalCrossentropy",
                                   _losses.categorical_crossentropy,
                                   "categorical_crossentropy", from_logits=False,
                                   label_smoothing=0.0, axis=-1)
SparseCategoricalCrossentropy = _wrapper("SparseCategoricalCrossentropy",
                                         _losses.sparse_categorical_crossentropy,
                                         "sparse_categorical_crossentropy", from_logits=False,
                                         ignore_class=None, axis=-1)


class RootMeanSquaredError(Mean):
    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = _t(y_pred, self._dtype)
        y_true = _t(y_true, y_pred.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        super().update_state(_m.square(y_pred - y_true), sample_weight)

    def result(self):
        return _m.sqrt(super().result())


mse = _losses.mse
mae = _losses.mae
binary_crossentropy = _losses.binary_crossentropy
categorical_crossentropy = _losses.categorical_crossentropy
sparse_categorical_crossentropy = _losses.sparse_categorical_crossentropy

_BY_NAME = {
    "accuracy": Accuracy, "acc": Accuracy, "binary_accuracy": BinaryAccuracy,
    "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
    "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError,
    "binary_crossentropy": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "root_mean_squared_error": RootMeanSquaredError,
}


def get(identifier):
    if identifier is None:
        return None
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier)
        if cls is None:
            raise ValueError(f"Could not interpret metric identifier: {identifier}")
        return cls()
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if isinstance(identifier, dict) and _deserialize is not None:
        return _deserialize(identifier)
    if callable(identifier):
        return MeanMetricWrapper(identifier, name=getattr(identifier, "__name__", None))
    raise ValueError(f"Could not interpret metric identifier: {identifier}")


# Set by ``_metrics_extra``, which sits above this module and registers the names of the metrics
# defined there and in ``_metrics_confusion`` in ``_BY_NAME`` (import it before calling `get`).
_deserialize = None

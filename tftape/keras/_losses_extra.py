"""``tf.keras.losses``: the hinge, Poisson, cosine, focal, Dice and Tversky losses.

Also ``get`` / ``serialize`` / ``deserialize`` and the legacy ``Reduction`` constants.
"""
from __future__ import annotations

from .._ops import array_ops as _a, linalg_ops as _la, math_ops as _m, nn_ops as _nn
from . import _losses as _l, _losses_ctc as _ctc
from ._losses import Loss, LossFunctionWrapper, _t, squeeze_or_expand_to_same_rank
from ._config import epsilon


def _pair(y_true, y_pred):
    y_pred = _t(y_pred)
    return _t(y_true, y_pred.dtype), y_pred


def convert_binary_labels_to_hinge(y_true):
    """Map {0, 1} labels to {-1, 1}; leave any other labels alone."""
    is_binary = _m.reduce_all(_m.logical_or(_m.equal(y_true, 0.0), _m.equal(y_true, 1.0)))
    # Note: a `where` rather than Keras' `cond`, so that it traces inside a compiled step.
    return _a.where(is_binary, 2.0 * y_true - 1.0, y_true)


def hinge(y_true, y_pred):
    """mean(maximum(1 - y_true * y_pred, 0), axis=-1) with {0, 1} labels mapped to {-1, 1}.

    >>> float(hinge([0.0, 1.0], [0.5, 0.5]))
    1.0
    """
    y_true, y_pred = _pair(y_true, y_pred)
    y_true = convert_binary_labels_to_hinge(y_true)
    return _m.reduce_mean(_m.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


def squared_hinge(y_true, y_pred):
    """mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)."""
    y_true, y_pred = _pair(y_true, y_pred)
    y_true = convert_binary_labels_to_hinge(y_true)
    return _m.reduce_mean(_m.square(_m.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


def categorical_hinge(y_true, y_pred):
    """maximum(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)."""
    y_true, y_pred = _pair(y_true, y_pred)
    pos = _m.reduce_sum(y_true * y_pred, axis=-1)
    neg = _m.reduce_max((1.0 - y_true) * y_pred, axis=-1)
    return _m.maximum(neg - pos + 1.0, _m.cast(0.0, y_pred.dtype))


def poisson(y_true, y_pred):
    """mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)."""
    y_true, y_pred = _pair(y_true, y_pred)
    return _m.reduce_mean(y_pred - y_true * _m.log(y_pred + epsilon()), axis=-1)


def _l2_normalize(x, axis):
    inv = _m.rsqrt(_m.reduce_sum(_m.square(x), axis=axis, keepdims=True))
    return x * _m.minimum(inv, 1.0 / epsilon())


def cosine_similarity(y_true, y_pred, axis=-1):
    """-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)."""
    y_true, y_pred = _pair(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return -_m.reduce_sum(_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis),
                          axis=axis)


def _check_axis(axis):
    if isinstance(axis, bool):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type "
                         f"{type(axis)}")


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25,
                              gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary crossentropy scaled by the focal factor ``(1 - p_t) ** gamma``."""
    y_true, y_pred = _pair(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        y_pred = _m.sigmoid(y_pred)
    bce = _l._backend_binary_crossentropy(y_true, y_pred, from_logits=False)
    p_t = y_true * y_pred + (1 - y_true) * (1 - y_pred)
    focal_bce = _m.pow(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal_bce = (y_true * alpha + (1 - y_true) * (1 - alpha)) * focal_bce
    return _m.reduce_mean(focal_bce, axis=axis)


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    """Categorical crossentropy scaled by ``alpha * (1 - p) ** gamma``."""
    _check_axis(axis)
    y_true, y_pred = _pair(y_true, y_pred)
    _l.warn_single_class("categorical_focal_crossentropy", y_pred.shape)
    if label_smoothing:
        n = float(y_true.shape[-1])
        y_true = y_true * (1.0 - label_smoothing) + (label_smoothing / n)
    if from_logits:
        y_pred = _nn.softmax(y_pred, axis=axis)
    output = y_pred / _m.reduce_sum(y_pred, axis=axis, keepdims=True)
    output = _a.clip_by_value(output, epsilon(), 1.0 - epsilon())
    cce = -y_true * _m.log(output)
    focal = _m.pow(1.0 - output, gamma) * alpha * cce
    return _m.reduce_sum(focal, axis=axis)


def dice(y_true, y_pred, axis=None):
    """1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred) + epsilon)."""
    y_true, y_pred = _pair(y_true, y_pred)
    inter = _m.reduce_sum(y_true * y_pred, axis=axis)
    d = (2.0 * inter) / (_m.reduce_sum(y_true, axis=axis) + _m.reduce_sum(y_pred, axis=axis)
                         + epsilon())
    return 1 - d


def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """1 - TP / (TP + alpha * FP + beta * FN + epsilon)."""
    y_true, y_pred = _pair(y_true, y_pred)
    inter = _m.reduce_sum(y_true * y_pred, axis=axis)
    fp = _m.reduce_sum((1 - y_pred) * y_true, axis=axis)
    fn = _m.reduce_sum(y_pred * (1 - y_true), axis=axis)
    return 1 - inter / (inter + fp * alpha + fn * beta + epsilon())


def categorical_generalized_cross_entropy(y_true, y_pred, q):
    """(1 - p ** q) / q with p the predicted probability of the (sparse) true class."""
    y_pred = _t(y_pred)
    onehot = _a.one_hot(_m.cast(_t(y_true), "int32"), int(y_pred.shape[-1]),
                        dtype=y_pred.dtype)
    p = _m.reduce_sum(y_pred * onehot, axis=-1)
    return (1 - _m.pow(p, q)) / q


def _build_pos_neg_masks(query_labels, key_labels, remove_diagonal=True):
    if len(query_labels.shape) == 1:
        query_labels = _a.reshape(query_labels, (-1, 1))
    if len(key_labels.shape) == 1:
        key_labels = _a.reshape(key_labels, (-1, 1))
    positive = _m.equal(query_labels, _a.transpose(key_labels))
    negative = _m.logical_not(positive)
    if remove_diagonal:
        n, k = int(query_labels.shape[0]), int(key_labels.shape[0])
        off_diag = _m.logical_not(_m.cast(_a.eye(n, k), "bool"))
        positive = _m.logical_and(positive, off_diag)
    return positive, negative


def circle(y_true, y_pred, ref_labels=None, ref_embeddings=None, remove_diagonal=True,
           gamma=80, margin=0.4):
    """Circle loss (Sun et al., 2020) of L2-normalized embeddings with integer labels."""
    y_pred = _t(y_pred)
    y_true = _m.cast(_t(y_true), "int32")
    ref_embeddings = y_pred if ref_embeddings is None else _t(ref_embeddings)
    ref_labels = y_true if ref_labels is None else _m.cast(_t(ref_labels), "int32")
    optim_pos, optim_neg = margin, 1 + margin
    delta_pos, delta_neg = margin, 1 - margin
    dist = _m.maximum(1 - _la.matmul(y_pred, _a.transpose(ref_embeddings)), 0.0)
    pos_mask, neg_mask = _build_pos_neg_masks(y_true, ref_labels, remove_diagonal)
    pos_f, neg_f = _m.cast(pos_mask, dist.dtype), _m.cast(neg_mask, dist.dtype)
    pos_w = _m.maximum((optim_pos + dist) * pos_f, 0.0)
    neg_w = _m.maximum((optim_neg - dist) * neg_f, 0.0)
    pos_wd = -1 * gamma * pos_w * (delta_pos - dist)
    neg_wd = gamma * neg_w * (delta_neg - dist)
    ninf = _a.fill(dist.shape, float("-inf"))
    p_loss = _m.reduce_logsumexp(_a.where(pos_mask, pos_wd, ninf), axis=1)
    n_loss = _m.reduce_logsumexp(_a.where(neg_mask, neg_wd, ninf), axis=1)
    return _nn.softplus(p_loss + n_loss)


# -- classes ------------------------------------------------------------------------------
class _Configured(LossFunctionWrapper):
    """A wrapper whose config is the ``Loss`` config plus the named arguments (Keras 3)."""
    _fn = None
    _defaults: dict = {}
    _config_keys: tuple = ()
    _default_name = None

    def __init__(self, *args, reduction="sum_over_batch_size", name=None, dtype=None,
                 **kwargs):
        kw = dict(self._defaults)
        for k, v in zip(self._defaults, args):
            kw[k] = v
        for k, v in kwargs.items():
            if k not in kw:
                raise TypeError(f"{type(self).__name__}.__init__() got an unexpected keyword "
                                f"argument '{k}'")
            kw[k] = v
        super().__init__(type(self)._fn, reduction=reduction,
                         name=name or self._default_name, dtype=dtype, **kw)
        for k, v in kw.items():
            setattr(self, k, v)

    def get_config(self):
        return {**Loss.get_config(self), **{k: self._fn_kwargs[k] for k in self._config_keys}}


def _cls(cls_name, fn, default_name, config_keys=None, **defaults):
    cls = type(cls_name, (_Configured,), {
        "_fn": staticmethod(fn), "_defaults": defaults, "_default_name": default_name,
        "_config_keys": tuple(defaults) if config_keys is None else config_keys})
    cls.__doc__ = f"Keras 3's ``{cls_name}`` loss: the reduced ``{fn.__name__}``."
    return cls


Hinge = _cls("Hinge", hinge, "hinge")
SquaredHinge = _cls("SquaredHinge", squared_hinge, "squared_hinge")
CategoricalHinge = _cls("CategoricalHinge", categorical_hinge, "categorical_hinge")
Poisson = _cls("Poisson", poisson, "poisson")
CosineSimilarity = _cls("CosineSimilarity", cosine_similarity, "cosine_similarity", (),
                        axis=-1)
BinaryFocalCrossentropy = _cls(
    "BinaryFocalCrossentropy", binary_focal_crossentropy, "binary_focal_crossentropy",
    ("from_logits", "label_smoothing", "axis", "apply_class_balancing", "alpha", "gamma"),
    apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
    label_smoothing=0.0, axis=-1)
CategoricalFocalCrossentropy = _cls(
    "CategoricalFocalCrossentropy", categorical_focal_crossentropy,
    "categorical_focal_crossentropy",
    ("from_logits", "label_smoothing", "axis", "alpha", "gamma"),
    alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1)
Dice = _cls("Dice", dice, "dice", axis=None)
Tversky = _cls("Tversky", tversky, "tversky", alpha=0.5, beta=0.5, axis=None)


class CategoricalGeneralizedCrossEntropy(_Configured):
    """Keras 3's noise-robust ``(1 - p ** q) / q`` loss for sparse labels."""
    _fn = staticmethod(categorical_generalized_cross_entropy)
    _defaults = {"q": 0.5}
    _config_keys = ("q",)
    _default_name = "categorical_generalized_cross_entropy"

    def __init__(self, q=0.5, reduction="sum_over_batch_size", name=None, dtype=None):
        if not 0 < q < 1:
            raise ValueError("q must be in the interval (0, 1)")
        super().__init__(q, reduction=reduction, name=name, dtype=dtype)


class Circle(_Configured):
    """Keras 3's ``Circle`` metric-learning loss; anchors without any pair are masked out."""
    _fn = staticmethod(circle)
    _defaults = {"gamma": 80.0, "margin": 0.4, "remove_diagonal": True}
    _config_keys = ("gamma", "margin", "remove_diagonal")
    _default_name = "circle"

    def __init__(self, gamma=80.0, margin=0.4, remove_diagonal=True,
                 reduction="sum_over_batch_size", name=None, dtype=None):
        super().__init__(gamma, margin, remove_diagonal, reduction=reduction, name=name,
                         dtype=dtype)

    def __call__(self, y_true, y_pred, sample_weight=None):
        y_pred = _t(y_pred, self._dtype)
        y_true = _t(y_true, self._dtype)
        losses = self.call(y_true, y_pred)
        # Note: Keras attaches the mask `loss > 0` to the values; applied here as weights.
        mask = _m.greater(losses, 0.0)
        if self.reduction in ("mean", "sum_over_batch_size"):
            total = _m.cast(int(losses.shape[0]), self._dtype)
            valid = _m.reduce_sum(_m.cast(mask, self._dtype))
            fmask = _a.where(mask, _a.fill(losses.shape, 1.0) * _m.divide_no_nan(total, valid),
                             _a.zeros_like(losses))
        else:
            fmask = _m.cast(mask, self._dtype)
        if sample_weight is not None:
            sw = _t(sample_weight, self._dtype)
            fmask, sw = squeeze_or_expand_to_same_rank(fmask, sw)
            fmask = sw * fmask
        return _l.reduce_weighted_values(losses, sample_weight=fmask,
                                         reduction=self.reduction, dtype=self._dtype)


class Reduction:
    """The legacy reduction names (``tf.keras.losses.Reduction``)."""
    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"

    @classmethod
    def all(cls):
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)

    @classmethod
    def validate(cls, key):
        if key not in cls.all():
            raise ValueError(f'Invalid Reduction Key: {key}. Expected keys are "{cls.all()}"')


# -- registry: get / serialize / deserialize ----------------------------------------------------
_l._BY_NAME.update({
    "hinge": hinge, "squared_hinge": squared_hinge, "categorical_hinge": categorical_hinge,
    "poisson": poisson, "cosine_similarity": cosine_similarity,
    "binary_focal_crossentropy": binary_focal_crossentropy,
    "categorical_focal_crossentropy": categorical_focal_crossentropy, "dice": dice,
    "tversky": tversky, "circle": circle, "ctc": _ctc.ctc,
    "categorical_generalized_cross_entropy": categorical_generalized_cross_entropy})
_l.Hinge = Hinge
_l._CLASSES.update({c.__name__: c for c in (
    Hinge, SquaredHinge, CategoricalHinge, Poisson, CosineSimilarity, BinaryFocalCrossentropy,
    CategoricalFocalCrossentropy, Dice, Tversky, CategoricalGeneralizedCrossEntropy,
    Circle, _ctc.CTC)})


def _all_objects():
    return {**_l._CLASSES, **_l._BY_NAME}


def _deserialize(config, table, kind, custom_objects=None):
    """Keras' ``deserialize`` against the ``table`` of a module's objects."""
    from ._serialization import deserialize_keras_object
    objects = {**table, **(custom_objects or {})}
    if isinstance(config, str):
        obj = objects.get(config)
        if obj is None:
            raise ValueError(f"Could not interpret {kind} identifier: {config}")
        return obj() if isinstance(obj, type) else obj
    if isinstance(config, dict) and config.get("class_name") == "function" and \
            config.get("config") in objects:
        return objects[config["config"]]
    # Bare class names resolve among the module's objects, as Keras' `module_objects` do.
    return deserialize_keras_object(config, custom_objects=objects)


def _serialize(obj, table):
    from ._serialization import serialize_keras_object
    if callable(obj) and not isinstance(obj, type) and \
            table.get(getattr(obj, "__name__", None)) is obj:
        # Note: Keras writes its own functions as plain builtins.
        return {"module": "builtins", "class_name": "function", "config": obj.__name__,
                "registered_name": "function"}
    return serialize_keras_object(obj)


def deserialize(name, custom_objects=None):
    """A loss from a name or a ``serialize`` config."""
    return _deserialize(name, _all_objects(), "loss", custom_objects)


def serialize(loss):
    """The Keras config dict of a loss object or function."""
    return _serialize(loss, _all_objects())


def _get(identifier, table, deserialize, kind):
    """Keras' ``get``: an instance from a name, a config dict or a class; a callable as is."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = table.get(identifier)
    else:
        obj = identifier
    if callable(obj):
        return obj() if isinstance(obj, type) else obj
    raise ValueError(f"Could not interpret {kind} identifier: {identifier}")


def get(identifier):
    """A loss function or instance from a name, a config dict, a class or a callable."""
    return _get(identifier, _all_objects(), deserialize, "loss")

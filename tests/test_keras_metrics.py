"""tf.keras.metrics against real tf.keras: results over several updates, weights, configs."""
from __future__ import annotations

import os
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
real_tf = pytest.importorskip("tensorflow")

import tftape as tf  # noqa: E402

RNG = np.random.default_rng(5)


def _close(a, b, tol=1e-5):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def _binary(shape):
    return RNG.integers(0, 2, shape).astype(np.float32)


def _unit(shape):
    return RNG.uniform(0, 1, shape).astype(np.float32)


def _normal(shape):
    return RNG.standard_normal(shape).astype(np.float32)


def _positive(shape):
    return RNG.uniform(0.1, 3.0, shape).astype(np.float32)


def _onehot(shape):
    return np.eye(shape[-1], dtype=np.float32)[RNG.integers(0, shape[-1], shape[:-1])]


def _probs(shape):
    p = RNG.uniform(0.05, 1.0, shape).astype(np.float32)
    return p / p.sum(-1, keepdims=True)


def _sparse(shape):
    return RNG.integers(0, shape[-1], shape[:-1] + (1,))


def _labels3(shape):
    return RNG.integers(0, 3, shape)


# name: (kwargs, y_true maker, y_pred maker, shape)
CASES = {
    "TruePositives": ({}, _binary, _unit, (8,)),
    "FalsePositives": ({"thresholds": [0.15, 0.5, 0.85]}, _binary, _unit, (8, 3)),
    "TrueNegatives": ({"thresholds": 0.3}, _binary, _unit, (8, 2)),
    "FalseNegatives": ({}, _binary, _unit, (8, 1)),
    "Precision": ({}, _binary, _unit, (8, 3)),
    "Precision/top_k": ({"top_k": 2}, _binary, _unit, (8, 4)),
    "Precision/class_id": ({"class_id": 1, "thresholds": [0.3, 0.6]}, _binary, _unit,
                           (8, 3)),
    "Recall": ({}, _binary, _unit, (8,)),
    "Recall/top_k": ({"top_k": 1, "class_id": 2}, _binary, _unit, (8, 4)),
    "AUC": ({}, _binary, _unit, (16,)),
    "AUC/PR": ({"curve": "PR", "num_thresholds": 50}, _binary, _unit, (16, 2)),
    "AUC/PR_majoring": ({"curve": "PR", "summation_method": "majoring"}, _binary, _unit,
                        (16,)),
    "AUC/PRGAIN": ({"curve": "PRGAIN", "summation_method": "minoring"}, _binary, _unit,
                   (16,)),
    "AUC/multi_label": ({"multi_label": True, "num_labels": 3}, _binary, _unit, (16, 3)),
    "AUC/multi_label_lazy": ({"multi_label": True, "curve": "PR"}, _binary, _unit, (16, 3)),
    "AUC/logits": ({"from_logits": True, "thresholds": [0.2, 0.4, 0.9]}, _binary, _normal,
                   (16,)),
    "AUC/label_weights": ({"label_weights": [0.2, 0.8]}, _binary, _unit, (16, 2)),
    "SensitivityAtSpecificity": ({"specificity": 0.6}, _binary, _unit, (16,)),
    "SpecificityAtSensitivity": ({"sensitivity": 0.4, "num_thresholds": 20}, _binary, _unit,
                                 (16,)),
    "PrecisionAtRecall": ({"recall": 0.5, "class_id": 0}, _binary, _unit, (16, 2)),
    "RecallAtPrecision": ({"precision": 0.5}, _binary, _unit, (16,)),
    "TopKCategoricalAccuracy": ({"k": 2}, _onehot, _unit, (8, 5)),
    "SparseTopKCategoricalAccuracy": ({"k": 3}, _sparse, _unit, (8, 5)),
    "Hinge": ({}, _binary, _normal, (8, 3)),
    "SquaredHinge": ({}, _binary, _normal, (8, 3)),
    "CategoricalHinge": ({}, _onehot, _normal, (8, 3)),
    "KLDivergence": ({}, _probs, _probs, (8, 3)),
    "Poisson": ({}, _positive, _positive, (8, 3)),
    "LogCoshError": ({}, _normal, _normal, (8, 3)),
    "MeanAbsolutePercentageError": ({}, _positive, _normal, (8, 3)),
    "MeanSquaredLogarithmicError": ({}, _positive, _positive, (8, 3)),
    "CosineSimilarity": ({"axis": -1}, _normal, _normal, (8, 3)),
    "PearsonCorrelation": ({}, _normal, _normal, (8, 4)),
    "ConcordanceCorrelation": ({"axis": -1}, _normal, _normal, (8, 4)),
    "R2Score": ({}, _normal, _normal, (8, 3)),
    "R2Score/variance_weighted": ({"class_aggregation": "variance_weighted_average"},
                                  _normal, _normal, (8, 3)),
    "R2Score/raw": ({"class_aggregation": None, "num_regressors": 2}, _normal, _normal,
                    (8, 3)),
    "F1Score": ({}, _onehot, _unit, (8, 3)),
    "F1Score/micro": ({"average": "micro", "threshold": 0.5}, _binary, _unit, (8, 3)),
    "FBetaScore": ({"beta": 2.0, "average": "weighted"}, _binary, _unit, (8, 3)),
    "FBetaScore/macro": ({"beta": 0.5, "average": "macro", "threshold": 0.4}, _binary,
                         _unit, (8, 3)),
    "MeanIoU": ({"num_classes": 3}, _labels3, _labels3, (12,)),
    "MeanIoU/ignore": ({"num_classes": 3, "ignore_class": 0, "dtype": "float32"}, _labels3,
                       _labels3, (4, 3)),
    "IoU": ({"num_classes": 3, "target_class_ids": [0, 2]}, _labels3, _labels3, (12,)),
    "BinaryIoU": ({"target_class_ids": [1], "threshold": 0.3}, _binary, _unit, (12,)),
    "OneHotIoU": ({"num_classes": 4, "target_class_ids": [1, 3]}, _onehot, _unit, (12, 4)),
    "OneHotMeanIoU": ({"num_classes": 4}, _onehot, _unit, (12, 4)),
    "MeanSquaredError": ({}, _normal, _normal, (8, 3)),
    "BinaryAccuracy": ({"threshold": 0.7}, _binary, _unit, (8, 3)),
}


def _make(lib, key):
    kwargs = CASES[key][0]
    return getattr(lib.keras.metrics, key.split("/")[0])(**kwargs)


def _weights(key, shape):
    name = key.split("/")[0]
    if "IoU" in name:   # integer confusion matrix: integer weights, one per label
        return RNG.integers(0, 3, shape[:-1] if "OneHot" in name else shape
                            ).astype(np.float32)
    return RNG.uniform(0, 2, (shape[0],)).astype(np.float32)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("key", sorted(CASES))
def test_metric_matches(key, weighted):
    _, yt, yp, shape = CASES[key]
    batches = []
    for _ in range(3):
        sw = _weights(key, shape) if weighted else None
        batches.append((yt(shape), yp(shape), sw))
    ours, theirs = _make(tf, key), _make(real_tf, key)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for y_true, y_pred, sw in batches:
            ours.update_state(y_true, y_pred, sample_weight=sw)
            theirs.update_state(y_true, y_pred, sample_weight=sw)
            _close(ours.result(), theirs.result(), 1e-4)
        assert str(np.asarray(ours.result()).dtype) == str(np.asarray(theirs.result()).dtype)
    ours.reset_state()
    theirs.reset_state()
    y_true, y_pred, sw = batches[0]
    ours.update_state(y_true, y_pred)
    theirs.update_state(y_true, y_pred)
    _close(ours.result(), theirs.result(), 1e-4)
    assert [v.shape for v in ours.variables] == [tuple(v.shape) for v in theirs.variables]


def _config(m):
    cfg = dict(m.get_config())
    cfg.pop("name")
    if cfg.get("label_weights") is not None:
        cfg["label_weights"] = np.asarray(cfg["label_weights"]).tolist()
    return cfg


@pytest.mark.parametrize("key", sorted(CASES))
def test_metric_config(key):
    ours, theirs = _make(tf, key), _make(real_tf, key)
    assert _config(ours) == _config(theirs)
    assert ours.dtype == theirs.dtype
    back = type(ours).from_config(ours.get_config())
    assert _config(back) == _config(ours)
    s_ours, s_theirs = tf.keras.metrics.serialize(ours), real_tf.keras.metrics.serialize(theirs)
    assert s_ours["class_name"] == s_theirs["class_name"]
    assert _config(tf.keras.metrics.deserialize(s_ours)) == _config(ours)


def test_default_names():
    tf.keras.backend.clear_session()
    real_tf.keras.backend.clear_session()
    for name in ["Precision", "Recall", "AUC", "TruePositives", "F1Score", "R2Score",
                 "TopKCategoricalAccuracy", "Hinge", "LogCoshError", "BinaryIoU"]:
        for _ in range(2):
            assert (getattr(tf.keras.metrics, name)().name
                    == getattr(real_tf.keras.metrics, name)().name)
    assert tf.keras.metrics.MeanIoU(2).name == real_tf.keras.metrics.MeanIoU(2).name


FUNCTIONS = {
    "top_k_categorical_accuracy": (_onehot, _unit, {"k": 2}, (6, 5)),
    "sparse_top_k_categorical_accuracy": (lambda s: RNG.integers(0, 5, s[:-1]), _unit,
                                          {"k": 2}, (6, 5)),
    "hinge": (_binary, _normal, {}, (4, 3)), "squared_hinge": (_binary, _normal, {}, (4, 3)),
    "categorical_hinge": (_onehot, _normal, {}, (4, 3)),
    "poisson": (_positive, _positive, {}, (4, 3)), "kld": (_probs, _probs, {}, (4, 3)),
    "logcosh": (_normal, _normal, {}, (4, 3)), "mape": (_positive, _normal, {}, (4, 3)),
    "msle": (_positive, _positive, {}, (4, 3)), "huber": (_normal, _normal, {}, (4, 3)),
    "pearson_correlation": (_normal, _normal, {}, (4, 5)),
    "concordance_correlation": (_normal, _normal, {"axis": 0}, (4, 5)),
    "binary_focal_crossentropy": (_binary, _unit, {"gamma": 2.5}, (4, 3)),
    "categorical_focal_crossentropy": (_onehot, _probs, {}, (4, 3)),
}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_metric_function_matches(name):
    yt, yp, kw, shape = FUNCTIONS[name]
    y_true, y_pred = yt(shape), yp(shape)
    a = getattr(tf.keras.metrics, name)(y_true, y_pred, **kw)
    b = getattr(real_tf.keras.metrics, name)(y_true, y_pred, **kw)
    _close(a, b, 1e-4)
    assert str(np.asarray(a).dtype) == str(np.asarray(b).dtype)


def test_sparse_top_k_from_sorted_ids():
    y_true = np.array([2, 0, 4])
    ids = np.array([[1, 2, 3], [3, 4, 0], [1, 0, 2]])
    for k in (1, 2, 3):
        _close(tf.keras.metrics.sparse_top_k_categorical_accuracy(y_true, ids, k=k,
                                                                  from_sorted_ids=True),
               real_tf.keras.metrics.sparse_top_k_categorical_accuracy(
                   y_true, ids, k=k, from_sorted_ids=True))
    m = tf.keras.metrics.SparseTopKCategoricalAccuracy(k=2, from_sorted_ids=True)
    r = real_tf.keras.metrics.SparseTopKCategoricalAccuracy(k=2, from_sorted_ids=True)
    assert _config(m) == _config(r)


@pytest.mark.parametrize("build", [
    lambda lib: lib.keras.metrics.Precision(thresholds=1.5),
    lambda lib: lib.keras.metrics.AUC(curve="bogus"),
    lambda lib: lib.keras.metrics.AUC(summation_method="bogus"),
    lambda lib: lib.keras.metrics.AUC(num_thresholds=1),
    lambda lib: lib.keras.metrics.AUC(num_labels=3),
    lambda lib: lib.keras.metrics.SensitivityAtSpecificity(1.5),
    lambda lib: lib.keras.metrics.RecallAtPrecision(-0.1),
    lambda lib: lib.keras.metrics.PrecisionAtRecall(0.5, num_thresholds=0),
    lambda lib: lib.keras.metrics.F1Score(average="bogus"),
    lambda lib: lib.keras.metrics.FBetaScore(beta=1),
    lambda lib: lib.keras.metrics.FBetaScore(beta=-1.0),
    lambda lib: lib.keras.metrics.F1Score(threshold=2.0),
    lambda lib: lib.keras.metrics.R2Score(class_aggregation="bogus"),
    lambda lib: lib.keras.metrics.R2Score(num_regressors=-1),
    lambda lib: lib.keras.metrics.IoU(3, target_class_ids=[3]),
    lambda lib: lib.keras.metrics.get("no_such_metric"),
])
def test_bad_arguments_raise_like_keras(build):
    with pytest.raises(ValueError):
        build(real_tf)
    with pytest.raises(ValueError):
        build(tf)


@pytest.mark.parametrize("update", [
    lambda lib: lib.keras.metrics.Precision(class_id=1).update_state([1, 0], [0.3, 0.6]),
    lambda lib: lib.keras.metrics.F1Score().update_state([1, 0], [0.3, 0.6]),
    lambda lib: lib.keras.metrics.R2Score().update_state(np.zeros((2, 2, 2)),
                                                        np.zeros((2, 2, 2))),
    lambda lib: lib.keras.metrics.AUC(multi_label=True).update_state(
        np.zeros((2, 2, 2)), np.zeros((2, 2, 2))),
])
def test_bad_inputs_raise_like_keras(update):
    with pytest.raises(ValueError):
        update(real_tf)
    with pytest.raises(ValueError):
        update(tf)


def test_get():
    for ident in ["auc", "AUC", "precision", "recall", "mse", "mape", "msle", "bce",
                  "top_k_categorical_accuracy", "f1_score", "mean_io_u", "r2_score",
                  "TruePositives", "log_cosh_error", "hinge", "kl_divergence"]:
        if ident == "mean_io_u":
            continue   # needs num_classes
        assert (type(tf.keras.metrics.get(ident)).__name__
                == type(real_tf.keras.metrics.get(ident)).__name__), ident
    assert tf.keras.metrics.get(None) is None
    assert tf.keras.metrics.get(tf.keras.metrics.hinge) is tf.keras.metrics.hinge
    assert isinstance(tf.keras.metrics.get(tf.keras.metrics.AUC), tf.keras.metrics.AUC)
    m = tf.keras.metrics.get({"class_name": "Precision", "config": {"thresholds": 0.3}})
    assert m.thresholds == [0.3]


def test_custom_loop_with_tf_function():
    y_true = _binary((10,))
    y_pred = _unit((10,))
    ours = [tf.keras.metrics.Precision(), tf.keras.metrics.AUC(), tf.keras.metrics.Recall()]
    theirs = [real_tf.keras.metrics.Precision(), real_tf.keras.metrics.AUC(),
              real_tf.keras.metrics.Recall()]

    @tf.function
    def step(a, b):
        for m in ours:
            m.update_state(a, b)

    for _ in range(2):
        step(y_true, y_pred)
        for m in theirs:
            m.update_state(y_true, y_pred)
    for a, b in zip(ours, theirs):
        _close(a.result(), b.result())


@pytest.mark.parametrize("metric", [
    "Precision", "Recall", "AUC", "TruePositives", "F1Score", "R2Score", "MeanIoU",
    "TopKCategoricalAccuracy", "Hinge", "CosineSimilarity", "SparseTopKCategoricalAccuracy",
    "auc", "precision"])
def test_metrics_in_fit_and_evaluate(metric):
    x = RNG.standard_normal((12, 3)).astype(np.float32)
    sparse = metric in ("MeanIoU", "SparseTopKCategoricalAccuracy")
    y = (RNG.integers(0, 3, (12,)) if sparse
         else np.eye(3, dtype=np.float32)[RNG.integers(0, 3, (12,))])
    init = [RNG.standard_normal((3, 3)).astype(np.float32) * 0.3, np.zeros(3, np.float32)]
    kwargs = {"MeanIoU": {"num_classes": 3, "sparse_y_pred": False},
              "TopKCategoricalAccuracy": {"k": 2},
              "SparseTopKCategoricalAccuracy": {"k": 2}}.get(metric, {})
    logs = []
    for lib in (tf, real_tf):
        lib.keras.backend.clear_session()
        m = lib.keras.Sequential([lib.keras.Input(shape=(3,)),
                                  lib.keras.layers.Dense(3, activation="softmax")])
        m.set_weights(init)
        spec = metric if metric.islower() else getattr(lib.keras.metrics, metric)(**kwargs)
        m.compile(optimizer=lib.keras.optimizers.SGD(0.1),
                  loss="sparse_categorical_crossentropy" if sparse else "mse",
                  metrics=[spec])
        hist = m.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0).history
        logs.append((hist, m.evaluate(x, y, verbose=0, return_dict=True)))
    (h0, e0), (h1, e1) = logs
    assert sorted(h0) == sorted(h1) and sorted(e0) == sorted(e1)
    for k in h0:
        _close(h0[k], h1[k], 1e-4)
    for k in e0:
        _close(e0[k], e1[k], 1e-4)


@settings(deadline=None, max_examples=12)
@given(st.integers(1, 12), st.integers(1, 4),
       st.sampled_from(["Precision", "Recall", "AUC", "TrueNegatives", "FalsePositives"]))
def test_confusion_metrics_hypothesis(n, labels, name):
    y_true = _binary((n, labels))
    y_pred = _unit((n, labels))
    sw = _unit((n,))
    a = getattr(tf.keras.metrics, name)()
    b = getattr(real_tf.keras.metrics, name)()
    a.update_state(y_true, y_pred, sample_weight=sw)
    b.update_state(y_true, y_pred, sample_weight=sw)
    _close(a.result(), b.result(), 1e-4)


@pytest.mark.parametrize("name", ["Precision", "Mean", "AUC"])
def test_stateless_api(name):
    y_true, y_pred = _binary((6,)), _unit((6,))
    args = (y_pred,) if name == "Mean" else (y_true, y_pred)
    ours, theirs = getattr(tf.keras.metrics, name)(), getattr(real_tf.keras.metrics, name)()
    state_o = ours.stateless_reset_state()
    state_t = theirs.stateless_reset_state()
    for _ in range(2):
        state_o = ours.stateless_update_state(state_o, *args)
        state_t = theirs.stateless_update_state(state_t, *args)
    for a, b in zip(state_o, state_t):
        _close(a, b)
    _close(ours.stateless_result(state_o), theirs.stateless_result(state_t))
    _close(ours.result(), theirs.result())   # the variables themselves are untouched
    with pytest.raises(ValueError):
        ours.stateless_result(state_o[:1])
    with pytest.raises(ValueError):
        theirs.stateless_result(state_t[:1])


@pytest.mark.parametrize("dtype", ["float64", "float16"])
@pytest.mark.parametrize("key", ["Precision", "AUC", "AUC/label_weights", "TruePositives",
                                 "SensitivityAtSpecificity", "F1Score", "R2Score", "Hinge",
                                 "MeanIoU", "PearsonCorrelation", "MeanSquaredError"])
def test_metric_dtypes(key, dtype):
    kwargs, yt, yp, shape = CASES[key]
    y_true, y_pred = yt(shape).astype(np.float64), yp(shape).astype(np.float64)
    if "IoU" in key:
        y_true, y_pred = y_true.astype(np.int64), y_pred.astype(np.int64)
    ours = getattr(tf.keras.metrics, key.split("/")[0])(dtype=dtype, **kwargs)
    theirs = getattr(real_tf.keras.metrics, key.split("/")[0])(dtype=dtype, **kwargs)
    ours.update_state(y_true, y_pred)
    theirs.update_state(y_true, y_pred)
    a, b = np.asarray(ours.result()), np.asarray(theirs.result())
    assert a.dtype == b.dtype
    np.testing.assert_allclose(a, b, rtol=2e-3, atol=2e-3, equal_nan=True)
    assert [v.dtype for v in ours.variables] == [v.dtype for v in theirs.variables]


def test_mean_metric_wrapper_config():
    def diff(y_true, y_pred):
        return y_true - y_pred

    ours = tf.keras.metrics.MeanMetricWrapper(diff, name="diff")
    theirs = real_tf.keras.metrics.MeanMetricWrapper(diff, name="diff")
    a, b = ours.get_config(), theirs.get_config()
    assert sorted(a) == sorted(b)
    assert a["fn"]["config"] == b["fn"]["config"] == "diff"
    y_true, y_pred = _normal((4, 3)), _normal((4, 3))
    ours.update_state(y_true, y_pred)
    theirs.update_state(y_true, y_pred)
    _close(ours.result(), theirs.result())
    assert "fn" not in tf.keras.metrics.Accuracy().get_config()


@pytest.mark.parametrize("name", ["AUC", "Precision", "TruePositives", "Recall"])
def test_shape_mismatch_raises_like_keras(name):
    y_true, y_pred = _binary((2, 3)), _unit((2, 4))
    with pytest.raises(Exception) as theirs:
        getattr(real_tf.keras.metrics, name)().update_state(y_true, y_pred)
    with pytest.raises(Exception) as ours:
        getattr(tf.keras.metrics, name)().update_state(y_true, y_pred)
    assert ours.type.__name__ == theirs.type.__name__
    assert str(ours.value).split("[Op:")[0].split("}}")[-1] == \
        str(theirs.value).split("[Op:")[0].split("}}")[-1]


def test_deserialize_names_give_instances():
    for ident in ["precision", "AUC", "Hinge", "r2_score"]:
        ours, theirs = tf.keras.metrics.deserialize(ident), real_tf.keras.metrics.deserialize(ident)
        assert type(ours).__name__ == type(theirs).__name__
    with pytest.raises(ValueError):
        tf.keras.metrics.deserialize("no_such_metric")


@settings(deadline=None, max_examples=15)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=3),
       st.sampled_from(["Hinge", "SquaredHinge", "Poisson", "LogCoshError", "KLDivergence",
                        "CosineSimilarity", "MeanAbsolutePercentageError",
                        "MeanSquaredLogarithmicError", "CategoricalHinge"]),
       st.booleans())
def test_mean_wrappers_hypothesis(shape, name, weighted):
    kwargs, yt, yp, _ = CASES[name]
    shape = tuple(shape)
    # A rank-1 input reduces to one value, which per-sample weights cannot weight (both
    # libraries raise; see test_weights_on_rank_1_values_raise).
    sw = _unit(shape[:1]) if weighted and len(shape) > 1 else None
    a = getattr(tf.keras.metrics, name)(**kwargs)
    b = getattr(real_tf.keras.metrics, name)(**kwargs)
    for _ in range(2):
        y_true, y_pred = yt(shape), yp(shape)
        a.update_state(y_true, y_pred, sample_weight=sw)
        b.update_state(y_true, y_pred, sample_weight=sw)
    _close(a.result(), b.result(), 1e-4)


@settings(deadline=None, max_examples=10)
@given(st.integers(1, 10), st.integers(2, 5), st.integers(1, 5))
def test_top_k_and_iou_hypothesis(n, classes, k):
    y_sparse = RNG.integers(0, classes, (n,))
    y_pred = _unit((n, classes))
    for name, kw, y_true in [("SparseTopKCategoricalAccuracy", {"k": k}, y_sparse),
                             ("TopKCategoricalAccuracy", {"k": k},
                              np.eye(classes, dtype=np.float32)[y_sparse]),
                             ("OneHotMeanIoU", {"num_classes": classes},
                              np.eye(classes, dtype=np.float32)[y_sparse])]:
        a = getattr(tf.keras.metrics, name)(**kw)
        b = getattr(real_tf.keras.metrics, name)(**kw)
        a.update_state(y_true, y_pred)
        b.update_state(y_true, y_pred)
        _close(a.result(), b.result(), 1e-5)


def test_weights_on_rank_1_values_raise():
    errors = []
    for lib in (real_tf, tf):
        with pytest.raises(Exception) as e:
            lib.keras.metrics.Hinge().update_state(np.ones(2), np.ones(2) * 0.3,
                                                    sample_weight=np.ones(2))
        errors.append(e.type.__name__)
    assert errors == ["InvalidArgumentError"] * 2

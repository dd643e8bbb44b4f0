"""tf.keras.losses against real tf.keras: values, reductions, sample weights, configs."""
from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
real_tf = pytest.importorskip("tensorflow")

import tftape as tf  # noqa: E402

RNG = np.random.default_rng(3)


def _close(a, b, tol=1e-5):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def _probs(shape):
    p = RNG.uniform(0.05, 1.0, shape).astype(np.float32)
    return p / p.sum(-1, keepdims=True)


def _onehot(shape):
    return np.eye(shape[-1], dtype=np.float32)[RNG.integers(0, shape[-1], shape[:-1])]


def _binary(shape):
    return RNG.integers(0, 2, shape).astype(np.float32)


def _normal(shape):
    return RNG.standard_normal(shape).astype(np.float32)


def _positive(shape):
    return RNG.uniform(0.1, 3.0, shape).astype(np.float32)


# name: (kwargs, y_true maker, y_pred maker)
CASES = {
    "MeanSquaredError": ({}, _normal, _normal),
    "MeanAbsoluteError": ({}, _normal, _normal),
    "MeanAbsolutePercentageError": ({}, _positive, _normal),
    "MeanSquaredLogarithmicError": ({}, _positive, _positive),
    "Huber": ({"delta": 0.7}, _normal, _normal),
    "LogCosh": ({}, _normal, _normal),
    "Hinge": ({}, _binary, _normal),
    "SquaredHinge": ({}, _binary, _normal),
    "CategoricalHinge": ({}, _onehot, _normal),
    "KLDivergence": ({}, _probs, _probs),
    "Poisson": ({}, _positive, _positive),
    "CosineSimilarity": ({"axis": -1}, _normal, _normal),
    "BinaryCrossentropy": ({"label_smoothing": 0.1}, _binary,
                           lambda s: RNG.uniform(0.05, 0.95, s).astype(np.float32)),
    "CategoricalCrossentropy": ({"from_logits": True}, _onehot, _normal),
    "BinaryFocalCrossentropy": ({"gamma": 1.5, "apply_class_balancing": True,
                                 "from_logits": True}, _binary, _normal),
    "CategoricalFocalCrossentropy": ({"alpha": 0.5, "label_smoothing": 0.2}, _onehot, _probs),
    "Dice": ({}, _binary, lambda s: RNG.uniform(0, 1, s).astype(np.float32)),
    "Tversky": ({"alpha": 0.3, "beta": 0.7}, _binary,
                lambda s: RNG.uniform(0, 1, s).astype(np.float32)),
}
REDUCTIONS = ["sum_over_batch_size", "sum", None, "none", "mean",
              "mean_with_sample_weight"]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("name", sorted(CASES))
def test_loss_class_matches(name, weighted, reduction):
    kwargs, yt, yp = CASES[name]
    shape = (5, 4)
    y_true, y_pred = yt(shape), yp(shape)
    sw = RNG.uniform(0, 2, (5,)).astype(np.float32) if weighted else None
    ours = getattr(tf.keras.losses, name)(reduction=reduction, **kwargs)
    theirs = getattr(real_tf.keras.losses, name)(reduction=reduction, **kwargs)
    _close(ours(y_true, y_pred, sample_weight=sw), theirs(y_true, y_pred, sample_weight=sw),
           1e-4)
    assert ours.get_config() == theirs.get_config()
    assert ours.name == theirs.name
    back = type(ours).from_config(ours.get_config())
    assert back.get_config() == ours.get_config()


@pytest.mark.parametrize("name", sorted(CASES))
def test_loss_serialize_roundtrip(name):
    kwargs = CASES[name][0]
    ours = tf.keras.losses.serialize(getattr(tf.keras.losses, name)(**kwargs))
    theirs = real_tf.keras.losses.serialize(getattr(real_tf.keras.losses, name)(**kwargs))
    assert ours["class_name"] == theirs["class_name"]
    assert ours["config"] == theirs["config"]
    back = tf.keras.losses.deserialize(ours)
    assert type(back).__name__ == name and back.get_config() == ours["config"]


FUNCTIONS = {
    "hinge": (_binary, _normal, {}), "squared_hinge": (_binary, _normal, {}),
    "categorical_hinge": (_onehot, _normal, {}), "poisson": (_positive, _positive, {}),
    "cosine_similarity": (_normal, _normal, {"axis": 0}),
    "binary_focal_crossentropy": (_binary, _normal, {"from_logits": True, "gamma": 3.0}),
    "categorical_focal_crossentropy": (_onehot, _normal, {"from_logits": True}),
    "dice": (_binary, _positive, {"axis": (1,)}), "tversky": (_binary, _positive, {}),
    "kld": (_probs, _probs, {}), "logcosh": (_normal, _normal, {}),
    "huber": (_normal, _normal, {"delta": 2.0}), "mape": (_positive, _normal, {}),
    "msle": (_positive, _positive, {}), "mse": (_normal, _normal, {}),
    "mae": (_normal, _normal, {}),
}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_loss_function_matches(name):
    yt, yp, kw = FUNCTIONS[name]
    for shape in [(3, 4), (2, 3, 5)]:
        y_true, y_pred = yt(shape), yp(shape)
        _close(getattr(tf.keras.losses, name)(y_true, y_pred, **kw),
               getattr(real_tf.keras.losses, name)(y_true, y_pred, **kw), 1e-4)


def test_hinge_keeps_non_binary_labels():
    y_true = np.array([[-1.0, 1.0], [1.0, -1.0]], np.float32)
    y_pred = _normal((2, 2))
    _close(tf.keras.losses.hinge(y_true, y_pred), real_tf.keras.losses.hinge(y_true, y_pred))


def test_categorical_generalized_cross_entropy():
    y_true = np.array([0, 1, 0, 1])
    y_pred = _probs((4, 2))
    for q in (0.2, 0.7):
        ours = tf.keras.losses.CategoricalGeneralizedCrossEntropy(q=q)
        theirs = real_tf.keras.losses.CategoricalGeneralizedCrossEntropy(q=q)
        _close(ours(y_true, y_pred), theirs(y_true, y_pred))
        assert ours.get_config() == theirs.get_config()
    with pytest.raises(ValueError):
        tf.keras.losses.CategoricalGeneralizedCrossEntropy(q=1.5)


def test_get_and_reduction():
    for ident in ["mse", "hinge", "poisson", "cosine_similarity", "dice"]:
        assert tf.keras.losses.get(ident).__name__ == real_tf.keras.losses.get(ident).__name__
    for ident in ["Poisson", "SquaredHinge", "MeanSquaredError"]:
        assert type(tf.keras.losses.get(ident)).__name__ == ident
    assert tf.keras.losses.get(None) is None
    with pytest.raises(ValueError):
        tf.keras.losses.get("no_such_loss")
    with pytest.raises(ValueError):
        real_tf.keras.losses.get("no_such_loss")
    R, RR = tf.keras.losses.Reduction, real_tf.keras.losses.Reduction
    assert R.all() == RR.all() and R.SUM == RR.SUM
    with pytest.raises(ValueError):
        R.validate("bogus")
    assert tf.keras.losses.Poisson(dtype="float64").dtype == "float64"


def test_bad_reduction_and_kwargs():
    with pytest.raises(ValueError):
        tf.keras.losses.Poisson(reduction="bogus")
    with pytest.raises(ValueError):
        real_tf.keras.losses.Poisson(reduction="bogus")
    with pytest.raises(TypeError):
        tf.keras.losses.Dice(bogus=1)
    with pytest.raises(ValueError):
        tf.keras.losses.categorical_focal_crossentropy(_onehot((2, 3)), _probs((2, 3)),
                                                      axis=True)


@settings(deadline=None, max_examples=15)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=3),
       st.sampled_from(["Hinge", "SquaredHinge", "Poisson", "CosineSimilarity",
                        "CategoricalHinge", "BinaryFocalCrossentropy", "Dice", "Tversky"]))
def test_loss_shapes_hypothesis(shape, name):
    kwargs, yt, yp = CASES[name]
    shape = tuple(shape)
    y_true, y_pred = yt(shape), yp(shape)
    for red in ("none", "sum_over_batch_size"):
        _close(getattr(tf.keras.losses, name)(reduction=red, **kwargs)(y_true, y_pred),
               getattr(real_tf.keras.losses, name)(reduction=red, **kwargs)(y_true, y_pred),
               1e-4)


def test_new_losses_in_fit():
    x = RNG.standard_normal((8, 3)).astype(np.float32)
    y = RNG.integers(0, 2, (8, 1)).astype(np.float32)
    init = [RNG.standard_normal((3, 1)).astype(np.float32) * 0.3, np.zeros(1, np.float32)]
    for name in ["SquaredHinge", "BinaryFocalCrossentropy", "Poisson"]:
        hist = []
        for lib in (tf, real_tf):
            act = "softplus" if name == "Poisson" else "sigmoid"
            m = lib.keras.Sequential([lib.keras.Input(shape=(3,)),
                                      lib.keras.layers.Dense(1, activation=act)])
            m.set_weights(init)
            m.compile(optimizer=lib.keras.optimizers.SGD(0.1),
                      loss=getattr(lib.keras.losses, name)())
            hist.append(m.fit(x, y, epochs=2, batch_size=4, shuffle=False,
                              verbose=0).history["loss"])
        _close(hist[0], hist[1], 1e-4)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("labels", [[0, 1, 0, 1, 2, 2], [0, 1, 2, 3, 0, 0]])
def test_circle_matches(labels, weighted, reduction):
    emb = _normal((6, 4))
    emb = emb / np.linalg.norm(emb, axis=1, keepdims=True)
    y_true = np.array(labels)
    sw = RNG.uniform(0, 2, (6,)).astype(np.float32) if weighted else None
    kw = {"gamma": 40.0, "margin": 0.3}
    ours = tf.keras.losses.Circle(reduction=reduction, **kw)
    theirs = real_tf.keras.losses.Circle(reduction=reduction, **kw)
    _close(ours(y_true, emb, sample_weight=sw), theirs(y_true, emb, sample_weight=sw), 1e-4)
    assert ours.get_config() == theirs.get_config()
    _close(tf.keras.losses.circle(y_true, emb, remove_diagonal=False),
           real_tf.keras.losses.circle(y_true, emb, remove_diagonal=False), 1e-4)


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", None])
def test_ctc_matches(reduction):
    y_true = np.array([[1, 2, 2, 0], [3, 0, 0, 0], [1, 1, 0, 0], [4, 3, 2, 1]])
    logits = _normal((4, 9, 5))
    sw = RNG.uniform(0, 2, (4,)).astype(np.float32)
    ours = tf.keras.losses.CTC(reduction=reduction)
    theirs = real_tf.keras.losses.CTC(reduction=reduction)
    _close(ours(y_true, logits), theirs(y_true, logits), 1e-4)
    _close(ours(y_true, logits, sample_weight=sw), theirs(y_true, logits, sample_weight=sw),
           1e-4)
    assert ours.get_config() == theirs.get_config()
    x, rx = tf.Variable(logits), real_tf.Variable(logits)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.keras.losses.ctc(y_true, x))
    with real_tf.GradientTape() as rtape:
        rloss = real_tf.reduce_sum(real_tf.keras.losses.ctc(y_true, rx))
    _close(loss, rloss, 1e-4)
    _close(tape.gradient(loss, x), rtape.gradient(rloss, rx), 1e-4)


def test_ctc_bad_shapes():
    for y_true, y_pred in [(np.zeros((2,)), np.zeros((2, 3, 4))),
                           (np.zeros((2, 3)), np.zeros((2, 3)))]:
        with pytest.raises(ValueError):
            real_tf.keras.losses.ctc(y_true, y_pred)
        with pytest.raises(ValueError):
            tf.keras.losses.ctc(y_true, y_pred)


@pytest.mark.parametrize("dtype", ["float64", "float16"])
@pytest.mark.parametrize("name", ["Poisson", "SquaredHinge", "CosineSimilarity", "Dice",
                                  "BinaryFocalCrossentropy", "CategoricalHinge"])
def test_loss_dtype(name, dtype):
    kwargs, yt, yp = CASES[name]
    y_true, y_pred = yt((4, 3)), yp((4, 3))
    ours = getattr(tf.keras.losses, name)(dtype=dtype, **kwargs)
    theirs = getattr(real_tf.keras.losses, name)(dtype=dtype, **kwargs)
    a, b = np.asarray(ours(y_true, y_pred)), np.asarray(theirs(y_true, y_pred))
    assert a.dtype == b.dtype and ours.dtype == theirs.dtype
    np.testing.assert_allclose(a, b, rtol=5e-3, atol=5e-3)


@pytest.mark.parametrize("loss", ["poisson", "squared_hinge", "categorical_hinge",
                                  "cosine_similarity", "binary_focal_crossentropy"])
def test_loss_by_name_in_compile(loss):
    x = RNG.standard_normal((8, 3)).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[RNG.integers(0, 3, (8,))]
    init = [RNG.standard_normal((3, 3)).astype(np.float32) * 0.3, np.zeros(3, np.float32)]
    hist = []
    for lib in (tf, real_tf):
        # Note: sigmoid, not softmax: Keras' binary crossentropy takes a softmax output's
        # logits as if from a sigmoid (its `_keras_logits` shortcut), which tftape does not.
        m = lib.keras.Sequential([lib.keras.Input(shape=(3,)),
                                  lib.keras.layers.Dense(3, activation="sigmoid")])
        m.set_weights(init)
        m.compile(optimizer=lib.keras.optimizers.SGD(0.1), loss=loss)
        hist.append(m.fit(x, y, epochs=2, batch_size=4, shuffle=False,
                          verbose=0).history["loss"])
    _close(hist[0], hist[1], 1e-4)


@pytest.mark.parametrize("name", ["poisson", "mse", "squared_hinge", "dice", "kld"])
def test_serialize_loss_functions(name):
    ours = tf.keras.losses.serialize(getattr(tf.keras.losses, name))
    theirs = real_tf.keras.losses.serialize(getattr(real_tf.keras.losses, name))
    assert ours == theirs
    assert tf.keras.losses.deserialize(ours) is getattr(tf.keras.losses, name)
    assert tf.keras.losses.deserialize(name) is tf.keras.losses.get(name)


def test_deserialize_class_name_gives_instance():
    for ident in ["Poisson", "CosineSimilarity", "Dice"]:
        ours, theirs = tf.keras.losses.deserialize(ident), real_tf.keras.losses.deserialize(ident)
        assert type(ours).__name__ == type(theirs).__name__ == ident
    with pytest.raises(ValueError):
        tf.keras.losses.deserialize("no_such_loss")

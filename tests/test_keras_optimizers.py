"""tf.keras optimizers, schedules, losses and metrics against real tf.keras."""
from __future__ import annotations

import os
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
real_tf = pytest.importorskip("tensorflow")

import tftape as tf  # noqa: E402

RNG = np.random.default_rng(1)


def _close(a, b, tol=1e-5):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=tol, atol=tol)


# -- optimizers ----------------------------------------------------------------------------
OPTIMIZERS = [
    ("SGD", {"learning_rate": 0.1}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9}),
    ("SGD", {"learning_rate": 0.05, "momentum": 0.5, "nesterov": True}),
    ("Adam", {}),
    ("Adam", {"learning_rate": 0.01, "amsgrad": True}),
    ("AdamW", {"learning_rate": 0.01, "weight_decay": 0.1}),
    ("RMSprop", {}),
    ("RMSprop", {"momentum": 0.5, "centered": True}),
    ("Adagrad", {"learning_rate": 0.1}),
    ("SGD", {"learning_rate": 0.1, "clipnorm": 0.5}),
    ("Adam", {"clipvalue": 0.1}),
    ("SGD", {"learning_rate": 0.1, "global_clipnorm": 0.3}),
    ("Adadelta", {"learning_rate": 1.0}),
    ("Adadelta", {"learning_rate": 0.5, "rho": 0.8, "epsilon": 1e-5}),
    ("Adamax", {"learning_rate": 0.1}),
    ("Adamax", {"learning_rate": 0.05, "beta_1": 0.5, "beta_2": 0.9, "clipnorm": 0.5}),
    ("Nadam", {"learning_rate": 0.1}),
    ("Nadam", {"learning_rate": 0.01, "beta_1": 0.8, "weight_decay": 0.1}),
    ("Ftrl", {"learning_rate": 0.1}),
    ("Ftrl", {"learning_rate": 0.1, "learning_rate_power": -0.3,
              "initial_accumulator_value": 0.5, "l1_regularization_strength": 0.1,
              "l2_regularization_strength": 0.2, "l2_shrinkage_regularization_strength": 0.05,
              "beta": 0.3}),
    ("Lion", {"learning_rate": 0.1}),
    ("Lion", {"learning_rate": 0.05, "beta_1": 0.5, "beta_2": 0.9}),
    ("Adafactor", {}),
    ("Adafactor", {"learning_rate": 0.5, "relative_step": False, "clip_threshold": 0.5,
                   "beta_2_decay": -0.5}),
]
MORE = ["Adadelta", "Adamax", "Nadam", "Ftrl", "Lion", "Adafactor"]


@pytest.mark.parametrize("cls,kw", OPTIMIZERS)
def test_optimizer_steps_match(cls, kw):
    init = [RNG.standard_normal((3, 2)).astype(np.float32),
            RNG.standard_normal((2,)).astype(np.float32)]
    grads = [[RNG.standard_normal(w.shape).astype(np.float32) for w in init]
             for _ in range(4)]
    results = []
    for lib in (tf, real_tf):
        vs = [lib.Variable(w) for w in init]
        opt = getattr(lib.keras.optimizers, cls)(**kw)
        for g in grads:
            opt.apply_gradients(zip([lib.constant(x) for x in g], vs))
        results.append(([v.numpy() for v in vs], int(opt.iterations.numpy()),
                        len(opt.variables)))
    for a, b in zip(results[0][0], results[1][0]):
        _close(a, b)
    assert results[0][1:] == results[1][1:]


@pytest.mark.parametrize("cls,kw", [c for c in OPTIMIZERS if c[0] in MORE])
def test_more_optimizers_state_and_config_match(cls, kw):
    # Slots (their order, paths and values) and configs equal TF's after several steps on
    # a matrix, a vector and a scalar.
    init = [RNG.standard_normal((4, 3)).astype(np.float32),
            RNG.standard_normal((3,)).astype(np.float32), np.float32(0.7)]
    grads = [[RNG.standard_normal(np.shape(w)).astype(np.float32) for w in init]
             for _ in range(5)]
    got = []
    for lib in (tf, real_tf):
        lib.keras.backend.clear_session()
        vs = [lib.Variable(w) for w in init]
        opt = getattr(lib.keras.optimizers, cls)(**kw)
        for g in grads:
            opt.apply_gradients(zip([lib.constant(x) for x in g], vs))
        got.append(([v.numpy() for v in vs], [np.asarray(v.numpy()) for v in opt.variables],
                    [(v.path, tuple(v.shape)) for v in opt.variables], opt.get_config()))
    (ours_v, ours_s, ours_p, ours_c), (tf_v, tf_s, tf_p, tf_c) = got
    for a, b in zip(ours_v + ours_s, tf_v + tf_s, strict=True):
        _close(a, b)
    assert [s for _, s in ours_p] == [s for _, s in tf_p]
    assert ours_c == tf_c
    again = getattr(tf.keras.optimizers, cls).from_config(ours_c)
    assert again.get_config() == ours_c
    assert type(tf.keras.optimizers.get(cls.lower())).__name__ == cls


def test_more_optimizers_slot_paths_match():
    for lib in (tf, real_tf):
        lib.keras.backend.clear_session()
    got = []
    for lib in (tf, real_tf):
        m = lib.keras.Sequential([lib.keras.Input(shape=(2,)), lib.keras.layers.Dense(1)])
        paths = []
        for cls in MORE:
            opt = getattr(lib.keras.optimizers, cls)()
            opt.apply_gradients(zip([lib.zeros_like(v) for v in m.trainable_variables],
                                    m.trainable_variables))
            paths.append([v.path for v in opt.variables])
        got.append(paths)
    assert got[0] == got[1]


@pytest.mark.parametrize("cls", ["Nadam", "Adamax", "Lion", "Ftrl"])
def test_more_optimizers_train_a_model_and_save(tmp_path, cls):
    pytest.importorskip("h5py")
    x = RNG.random((8, 2), dtype=np.float32)
    y = x.sum(axis=1, keepdims=True)
    for writer, reader in ((tf, real_tf), (real_tf, tf)):
        k = writer.keras
        k.backend.clear_session()
        m = k.Sequential([k.Input(shape=(2,)), k.layers.Dense(1)])
        m.compile(optimizer=getattr(k.optimizers, cls)(0.05), loss="mse")
        m.fit(x, y, epochs=2, batch_size=4, verbose=0)
        path = str(tmp_path / f"{writer.__name__}.keras")
        m.save(path)
        loaded = reader.keras.models.load_model(path)
        assert type(loaded.optimizer).__name__ == cls
        for a, b in zip(loaded.optimizer.variables, m.optimizer.variables, strict=True):
            np.testing.assert_array_equal(np.asarray(a.numpy()), np.asarray(b.numpy()))


def test_lion_and_ftrl_argument_errors():
    for make in (lambda lib: lib.keras.optimizers.Lion(beta_1=0.0),
                 lambda lib: lib.keras.optimizers.Ftrl(learning_rate_power=0.5),
                 lambda lib: lib.keras.optimizers.Ftrl(initial_accumulator_value=-1.0),
                 lambda lib: lib.keras.optimizers.Ftrl(l1_regularization_strength=-1.0)):
        errors = []
        for lib in (tf, real_tf):
            with pytest.raises(Exception) as info:
                make(lib)
            errors.append((type(info.value).__name__, str(info.value)))
        assert errors[0] == errors[1]


def test_optimizer_variables_paths_and_lr():
    for lib in (tf, real_tf):
        lib.keras.backend.clear_session()
    got = []
    for lib in (tf, real_tf):
        m = lib.keras.Sequential([lib.keras.Input(shape=(2,)), lib.keras.layers.Dense(1)])
        opt = lib.keras.optimizers.Adam(0.5)
        opt.build(m.trainable_variables)
        got.append(([v.path for v in opt.variables], opt.name, float(opt.learning_rate.numpy()),
                    repr(opt.iterations)))
        opt.learning_rate = 0.25
        got.append(float(opt.learning_rate.numpy()))
    assert got[:2] == got[2:]


def test_optimizer_none_gradient_warns_and_all_none_raises():
    v1, v2 = tf.Variable(1.0), tf.Variable(2.0)
    opt = tf.keras.optimizers.SGD(0.1)
    with pytest.warns(UserWarning, match="Gradients do not exist"):
        opt.apply_gradients([(tf.constant(1.0), v1), (None, v2)])
    assert float(v1.numpy()) == pytest.approx(0.9) and float(v2.numpy()) == 2.0
    with pytest.raises(ValueError, match="No gradients provided"):
        opt.apply_gradients([(None, v1)])
    with pytest.raises(ValueError, match="momentum"):
        tf.keras.optimizers.SGD(momentum=2)


@pytest.mark.parametrize("make", [
    lambda lib: lib.keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5),
    lambda lib: lib.keras.optimizers.schedules.ExponentialDecay(0.1, 3, 0.5, staircase=True),
    lambda lib: lib.keras.optimizers.schedules.PiecewiseConstantDecay([2, 5], [1.0, 0.5, 0.1]),
])
def test_schedules_and_scheduled_sgd(make):
    for step in (0, 1, 2, 3, 5, 6, 40):
        a, b = make(tf)(step), make(real_tf)(step)
        assert a.dtype.name == b.dtype.name
        _close(a, b, 1e-6)
    res = []
    for lib in (tf, real_tf):
        v = lib.Variable([1.0, -2.0])
        opt = lib.keras.optimizers.SGD(make(lib))
        for _ in range(7):
            opt.apply_gradients([(lib.constant([0.5, 1.5]), v)])
        res.append(v.numpy())
    _close(*res)


# -- losses ------------------------------------------------------------------------------------
LOSSES = [("MeanSquaredError", {}), ("MeanAbsoluteError", {}), ("Huber", {}),
          ("Huber", {"delta": 0.3}), ("BinaryCrossentropy", {}),
          ("BinaryCrossentropy", {"from_logits": True}),
          ("BinaryCrossentropy", {"label_smoothing": 0.2}),
          ("CategoricalCrossentropy", {}), ("CategoricalCrossentropy", {"from_logits": True}),
          ("CategoricalCrossentropy", {"label_smoothing": 0.1})]


@settings(deadline=None, max_examples=15)
@given(case=st.sampled_from(LOSSES), batch=st.integers(1, 5), classes=st.integers(1, 4),
       weighted=st.booleans(), reduction=st.sampled_from(["sum_over_batch_size", "sum",
                                                          "none"]))
def test_loss_classes_match(case, batch, classes, weighted, reduction):
    name, kw = case
    rng = np.random.default_rng(batch * 10 + classes)
    y_true = (rng.random((batch, classes)) > 0.5).astype(np.float32)
    y_pred = rng.random((batch, classes)).astype(np.float32) * 0.98 + 0.01
    sw = rng.random((batch,)).astype(np.float32) if weighted else None
    a = getattr(tf.keras.losses, name)(reduction=reduction, **kw)(y_true, y_pred, sw)
    b = getattr(real_tf.keras.losses, name)(reduction=reduction, **kw)(y_true, y_pred, sw)
    assert a.dtype.name == b.dtype.name and tuple(a.shape) == tuple(b.shape)
    _close(a, b, 1e-5)


@settings(deadline=None, max_examples=10)
@given(batch=st.integers(1, 6), classes=st.integers(2, 5), logits=st.booleans(),
       keepdim=st.booleans())
def test_sparse_categorical_crossentropy_matches(batch, classes, logits, keepdim):
    rng = np.random.default_rng(batch + 7 * classes)
    labels = rng.integers(0, classes, (batch, 1) if keepdim else (batch,))
    pred = rng.random((batch, classes)).astype(np.float32)
    if not logits:
        pred = pred / pred.sum(-1, keepdims=True)
    a = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=logits)(labels, pred)
    b = real_tf.keras.losses.SparseCategoricalCrossentropy(from_logits=logits)(labels, pred)
    _close(a, b)
    fa = tf.keras.losses.sparse_categorical_crossentropy(labels, pred, from_logits=logits)
    fb = real_tf.keras.losses.sparse_categorical_crossentropy(labels, pred, from_logits=logits)
    assert tuple(fa.shape) == tuple(fb.shape)
    _close(fa, fb)


@pytest.mark.parametrize("fn", ["huber", "binary_crossentropy", "categorical_crossentropy",
                                "mse", "mae", "msle", "mape", "logcosh", "kld", "hinge"])
def test_loss_functions_match(fn):
    y_true = (RNG.random((4, 3)) > 0.5).astype(np.float32)
    y_pred = RNG.random((4, 3)).astype(np.float32)
    a = getattr(tf.keras.losses, fn)(y_true, y_pred)
    b = getattr(real_tf.keras.losses, fn)(y_true, y_pred)
    assert tuple(a.shape) == tuple(b.shape)
    _close(a, b)


def test_public_names_match():
    for mod in ("losses", "metrics", "optimizers", "activations", "initializers"):
        ours = getattr(tf.keras, mod)
        theirs = getattr(real_tf.keras, mod)
        public = [n for n in dir(ours) if not n.startswith("_") and callable(getattr(ours, n))
                  and getattr(getattr(ours, n), "__module__", "").startswith("tftape.keras")]
        missing = [n for n in public if not hasattr(theirs, n)]
        assert not missing, (mod, missing)


def test_loss_names_and_shape_errors():
    for name in ("MeanSquaredError", "Huber", "BinaryCrossentropy",
                 "SparseCategoricalCrossentropy"):
        assert getattr(tf.keras.losses, name)().name == getattr(real_tf.keras.losses, name)().name
    for lib in (tf, real_tf):
        with pytest.raises(ValueError):
            lib.keras.losses.CategoricalCrossentropy()(np.ones((2, 3)), np.ones((2, 4)))


# -- metrics -----------------------------------------------------------------------------------
def _metric_cases(rng):
    yb = (rng.random((6, 1)) > 0.5).astype(np.float32)
    pb = rng.random((6, 1)).astype(np.float32)
    ys = rng.integers(0, 3, (6,))
    pc = rng.random((6, 3)).astype(np.float32)
    yc = np.eye(3, dtype=np.float32)[ys]
    return [("BinaryAccuracy", (yb, pb)), ("SparseCategoricalAccuracy", (ys, pc)),
            ("CategoricalAccuracy", (yc, pc)), ("Accuracy", (ys, pc.argmax(-1))),
            ("MeanSquaredError", (yc, pc)), ("MeanAbsoluteError", (yc, pc))]


@pytest.mark.parametrize("idx", range(6))
@pytest.mark.parametrize("weighted", [False, True])
def test_metrics_update_result_reset(idx, weighted):
    rng = np.random.default_rng(idx)
    name, (yt, yp) = _metric_cases(rng)[idx]
    sw = rng.random((6,)).astype(np.float32) if weighted else None
    out = []
    for lib in (tf, real_tf):
        m = getattr(lib.keras.metrics, name)()
        m.update_state(yt[:3], yp[:3], None if sw is None else sw[:3])
        r1 = float(m.result())
        m.update_state(yt[3:], yp[3:], None if sw is None else sw[3:])
        r2 = float(m.result())
        m.reset_state()
        r3 = float(m.result())
        out.append((m.name, r1, r2, r3, [v.path for v in m.variables], repr(m)))
    assert out[0][0] == out[1][0] and out[0][4:] == out[1][4:]
    _close(out[0][1:4], out[1][1:4])


def test_mean_metric():
    out = []
    for lib in (tf, real_tf):
        m = lib.keras.metrics.Mean()
        m.update_state([1.0, 2.0, 6.0])
        m.update_state(4.0, sample_weight=2.0)
        out.append((float(m.result()), m.result().dtype.name, repr(m)))
    assert out[0] == out[1]

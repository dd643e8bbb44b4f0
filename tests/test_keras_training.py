"""tf.keras training: custom loops, fit/evaluate/predict, saving, against real tf.keras."""
from __future__ import annotations

import os
import warnings

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
real_tf = pytest.importorskip("tensorflow")

import tftape as tf  # noqa: E402

RNG = np.random.default_rng(1)


def _close(a, b, tol=1e-5):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=tol, atol=tol)


# -- gradients through models and custom loops ---------------------------------------------------
def test_custom_training_loop_matches():
    init = [RNG.standard_normal((4, 5)).astype(np.float32), np.zeros(5, np.float32),
            RNG.standard_normal((5, 3)).astype(np.float32), np.zeros(3, np.float32)]
    x = RNG.standard_normal((6, 4)).astype(np.float32)
    y = RNG.integers(0, 3, (6,))
    hist = []
    for lib in (tf, real_tf):
        m = lib.keras.Sequential([lib.keras.Input(shape=(4,)),
                                  lib.keras.layers.Dense(5, activation="tanh"),
                                  lib.keras.layers.Dense(3)])
        m.set_weights(init)
        loss_fn = lib.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        opt = lib.keras.optimizers.Adam(0.05)
        acc = lib.keras.metrics.SparseCategoricalAccuracy()
        losses = []
        for _ in range(4):
            with lib.GradientTape() as tape:
                logits = m(x, training=True)
                loss = loss_fn(y, logits)
            grads = tape.gradient(loss, m.trainable_variables)
            opt.apply_gradients(zip(grads, m.trainable_variables))
            acc.update_state(y, logits)
            losses.append(float(loss))
        hist.append((losses, [g.numpy() for g in grads], m.get_weights(), float(acc.result())))
    _close(hist[0][0], hist[1][0])
    for a, b in zip(hist[0][1] + hist[0][2], hist[1][1] + hist[1][2]):
        _close(a, b, 1e-4)
    _close(hist[0][3], hist[1][3])


# -- fit / evaluate / predict ----------------------------------------------------------------
def _compiled(lib, opt, metrics, loss="mse"):
    m = lib.keras.Sequential([lib.keras.Input(shape=(3,)),
                              lib.keras.layers.Dense(4, activation="relu"),
                              lib.keras.layers.BatchNormalization(),
                              lib.keras.layers.Dense(2)])
    m.compile(optimizer=getattr(lib.keras.optimizers, opt)(), loss=loss, metrics=metrics)
    return m


@pytest.mark.parametrize("opt,metrics,loss", [("SGD", ["mae"], "mse"),
                                              ("RMSprop", ["mse", "mae"], "huber")])
def test_fit_evaluate_predict_match(opt, metrics, loss):
    x = RNG.standard_normal((37, 3)).astype(np.float32)
    y = RNG.standard_normal((37, 2)).astype(np.float32)
    res = []
    init = None
    for lib in (tf, real_tf):
        m = _compiled(lib, opt, metrics, loss)
        if init is None:
            init = [RNG.standard_normal(tuple(w.shape)).astype(np.float32) * 0.5
                    for w in m.weights]
            init[-3] = np.abs(init[-3]) + 0.5  # moving variance > 0
        m.set_weights(init)
        h = m.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False,
                  validation_data=(x[:10], y[:10]))
        ev = m.evaluate(x, y, batch_size=16, verbose=0)
        pr = m.predict(x[:5], verbose=0)
        res.append((h.history, h.epoch, h.params, ev, pr, m.get_weights(),
                    int(m.optimizer.iterations.numpy())))
    (ha, ea, pa, eva, pra, wa, ia), (hb, eb, pb, evb, prb, wb, ib) = res
    assert sorted(ha) == sorted(hb) and ea == eb and pa == pb and ia == ib
    for k in hb:
        _close(ha[k], hb[k], 1e-4)
    _close(eva, evb, 1e-4)
    assert isinstance(pra, np.ndarray) and pra.dtype == prb.dtype and pra.shape == prb.shape
    _close(pra, prb, 1e-4)
    for a, b in zip(wa, wb):
        _close(a, b, 1e-4)


def test_fit_functional_with_accuracy_and_progbar(capsys):
    x = RNG.standard_normal((20, 4)).astype(np.float32)
    y = RNG.integers(0, 3, (20,))
    inp = tf.keras.Input(shape=(4,))
    out = tf.keras.layers.Dense(3)(tf.keras.layers.Dense(6, activation="relu")(inp))
    m = tf.keras.Model(inp, out)
    m.compile("adam", tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
    h = m.fit(x, y, epochs=2, batch_size=8, verbose=1)
    text = capsys.readouterr().out
    assert "Epoch 1/2" in text and "Epoch 2/2" in text and "3/3" in text
    assert " - accuracy: " in text and " - loss: " in text
    assert sorted(h.history) == ["accuracy", "loss"] and len(h.history["loss"]) == 2
    r = m.evaluate(x, y, verbose=0)
    assert isinstance(r, list) and len(r) == 2 and 0 <= r[1] <= 1
    h = m.fit(x, y, epochs=1, batch_size=8, verbose=2)
    line = capsys.readouterr().out
    assert line.startswith("3/3 - ") and "step - accuracy:" in line


@pytest.mark.parametrize("metrics", [["accuracy"], ["accuracy", "sparse_categorical_crossentropy"]])
def test_fit_builds_metrics_without_running_the_model(metrics):
    """Compile metrics are built from the prediction's shape (a trace), not from running the
    model eagerly, which would compile a kernel per op for nothing; the history is TF's."""
    x = RNG.standard_normal((24, 4)).astype(np.float32)
    y = RNG.integers(0, 3, (24,)).astype(np.int32)
    init = [RNG.standard_normal((4, 3)).astype(np.float32), np.zeros(3, np.float32)]
    hist = []
    for lib in (tf, real_tf):
        inp = lib.keras.Input(shape=(4,))
        m = lib.keras.Model(inp, lib.keras.layers.Dense(3)(inp))
        m.compile("sgd", lib.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=list(metrics))
        m.set_weights(init)
        if lib is tf:
            tf.config.experimental.reset_cache_stats()
        h = m.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False)
        if lib is tf:
            assert tf.config.experimental.get_cache_stats()["op_kernels"]["compiles"] == 0
        hist.append(h.history)
    assert sorted(hist[0]) == sorted(hist[1])
    for k in hist[1]:
        _close(hist[0][k], hist[1][k], 1e-4)


def test_custom_train_step_and_subclassed_model():
    class M(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.d = tf.keras.layers.Dense(1, kernel_initializer="ones")
            self.steps = tf.keras.metrics.Sum(name="seen")

        def call(self, x):
            return self.d(x)

        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(self(x, training=True) - y))
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
            return {"l": loss}
    m = M()
    m.compile(tf.keras.optimizers.SGD(0.1))
    x = np.ones((4, 2), np.float32)
    y = np.zeros((4, 1), np.float32)
    h = m.fit(x, y, batch_size=4, epochs=3, verbose=0)
    assert len(h.history["l"]) == 3 and h.history["l"][0] > h.history["l"][-1]
    assert [v.path for v in m.variables] == ["m/dense/kernel", "m/dense/bias"] or \
        len(m.trainable_variables) == 2


def test_save_load_weights_roundtrip(tmp_path):
    m = _compiled(tf, "SGD", None)
    x = RNG.standard_normal((5, 3)).astype(np.float32)
    before = m.predict(x, verbose=0)
    path = str(tmp_path / "w.weights.h5")
    m.save_weights(path)
    m2 = _compiled(tf, "SGD", None)
    m2.load_weights(path)
    _close(m2.predict(x, verbose=0), before, 1e-6)
    with pytest.raises(ValueError, match="weights.h5"):
        m.save_weights(str(tmp_path / "w.npz"))


def test_fit_requires_compile():
    for lib in (tf, real_tf):
        m = lib.keras.Sequential([lib.keras.Input(shape=(1,)), lib.keras.layers.Dense(1)])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises((ValueError, RuntimeError)):
                m.fit(np.ones((2, 1)), np.ones((2, 1)), verbose=0)

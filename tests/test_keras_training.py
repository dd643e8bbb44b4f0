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


def _two_output_model(lib, kind, init):
    inp = lib.keras.Input(shape=(4,))
    cls = lib.keras.layers.Dense(3, name="cls")(inp)
    reg = lib.keras.layers.Dense(1, name="reg")(inp)
    m = lib.keras.Model(inp, {"reg": reg, "cls": cls} if kind == "dict" else [cls, reg])
    m.set_weights(init)
    return m


MULTI_OUTPUT_CASES = {
    "dict losses, metrics and weights": ("dict", lambda k: dict(
        loss={"cls": k.losses.SparseCategoricalCrossentropy(from_logits=True), "reg": "mse"},
        metrics={"cls": ["accuracy"], "reg": ["mae"]}, loss_weights={"cls": 1.0, "reg": 0.5})),
    "list losses, nested metric lists": ("list", lambda k: dict(
        loss=["sparse_categorical_crossentropy", "mse"], metrics=[["accuracy"], ["mae", "mse"]],
        loss_weights=[1.0, 0.5])),
    "one loss for every output": ("list", lambda k: dict(loss="mse", metrics=["mae", "mse"])),
    "an output without a loss": ("list", lambda k: dict(
        loss={"cls": "sparse_categorical_crossentropy", "reg": None}, metrics={"reg": "mae"})),
    "dict outputs, list losses": ("dict", lambda k: dict(
        loss=["sparse_categorical_crossentropy", "mae"], metrics=["accuracy", None])),
    "dict losses in another order": ("dict", lambda k: dict(
        loss={"reg": "mae", "cls": "sparse_categorical_crossentropy"})),
    "fewer losses than outputs": ("list", lambda k: dict(
        loss=["sparse_categorical_crossentropy"], metrics=[None, "mae"])),
}


@pytest.mark.parametrize("case", sorted(MULTI_OUTPUT_CASES))
def test_fit_evaluate_with_several_outputs(case):
    """Keras 3's multi-output compile: per-output losses (tracked as ``<output>_loss``),
    loss weights, metrics reported as ``<output>_<metric>``, evaluate's order."""
    kind, args = MULTI_OUTPUT_CASES[case]
    rng = np.random.default_rng(3)
    x = rng.standard_normal((24, 4)).astype(np.float32)
    y = rng.integers(0, 3, (24,)).astype(np.int32)
    init = [rng.standard_normal((4, 3)).astype(np.float32), np.zeros(3, np.float32),
            rng.standard_normal((4, 1)).astype(np.float32), np.zeros(1, np.float32)]
    y_cls = np.eye(3, dtype=np.float32)[y] if case == "one loss for every output" else y
    targets = {"cls": y_cls, "reg": x[:, :1]}
    res = []
    for lib in (tf, real_tf):
        m = _two_output_model(lib, kind, init)
        m.compile("sgd", **args(lib.keras))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # Keras: no gradient for an output without loss
            h = m.fit(x, targets if kind == "dict" else [y_cls, x[:, :1]], batch_size=8,
                      epochs=2, verbose=0, shuffle=False)
        ev = m.evaluate(x, targets, verbose=0, return_dict=False)
        res.append((h.history, ev, m.get_weights()))
    (ha, eva, wa), (hb, evb, wb) = res
    assert sorted(ha) == sorted(hb)
    for k in hb:
        _close(ha[k], hb[k], 1e-4)
    _close(eva, evb, 1e-4)
    for a, b in zip(wa, wb):
        _close(a, b, 1e-4)


@pytest.mark.parametrize("opt", ["SGD", "Adam", "AdamW"])
@pytest.mark.parametrize("run_eagerly", [False, True])
def test_fit_leaves_variables_without_gradient_alone_and_warns(opt, run_eagerly):
    """An output without a loss: TF's gradients of its layer's variables are None, so Keras
    warns (once per trace) and the optimizer leaves them alone; AdamW's decay and Adam's
    moments would move them under a zero gradient."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((16, 4)).astype(np.float32)
    y = rng.integers(0, 3, (16,)).astype(np.int32)
    init = [rng.standard_normal((4, 3)).astype(np.float32), np.zeros(3, np.float32),
            rng.standard_normal((4, 1)).astype(np.float32), np.full(1, 0.5, np.float32)]
    res = []
    for lib in (tf, real_tf):
        m = _two_output_model(lib, "list", init)
        m.compile(getattr(lib.keras.optimizers, opt)(0.05),
                  loss=["sparse_categorical_crossentropy", None], run_eagerly=run_eagerly)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            m.fit(x, [y, x[:, :1]], batch_size=8, epochs=2, verbose=0, shuffle=False)
        msgs = sorted({str(w.message) for w in caught if "Gradients do not exist" in
                       str(w.message)})
        res.append((msgs, m.get_weights()))
    assert res[0][0] == res[1][0] == [
        "Gradients do not exist for variables ['reg/kernel', 'reg/bias'] when minimizing the "
        "loss. If using `model.compile()`, did you forget to provide a `loss` argument?"]
    for a, b in zip(res[0][1], res[1][1]):
        _close(a, b, 1e-4)
    np.testing.assert_array_equal(res[0][1][2], init[2])
    np.testing.assert_array_equal(res[0][1][3], init[3])


@pytest.mark.parametrize("bad,error", [(dict(loss=["mse", "mae", "mse"]), KeyError),
                                       (dict(loss={"nope": "mse"}), ValueError),
                                       (dict(loss="mse", metrics=["mae"]), ValueError)])
def test_several_outputs_reject_mismatched_compile_arguments(bad, error):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((8, 4)).astype(np.float32)
    init = [rng.standard_normal((4, 3)).astype(np.float32), np.zeros(3, np.float32),
            rng.standard_normal((4, 1)).astype(np.float32), np.zeros(1, np.float32)]
    for lib in (tf, real_tf):
        m = _two_output_model(lib, "list", init)
        m.compile("sgd", **bad)
        with pytest.raises(error):
            m.fit(x, [np.zeros((8, 3), np.float32), x[:, :1]], batch_size=8, verbose=0)


def test_dict_data_for_a_list_of_named_inputs():
    """TF's functional-API guide: a model on a list of named Inputs, fed a dict by name."""
    rng = np.random.default_rng(5)
    data = {"tags": rng.standard_normal((16, 3)).astype(np.float32),
            "title": rng.standard_normal((16, 2)).astype(np.float32)}
    y = {"priority": rng.random((16, 1)).astype(np.float32)}
    res = []
    for lib in (tf, real_tf):
        title = lib.keras.Input(shape=(2,), name="title")
        tags = lib.keras.Input(shape=(3,), name="tags")
        out = lib.keras.layers.Dense(1, name="priority")(
            lib.keras.layers.concatenate([title, tags]))
        m = lib.keras.Model([title, tags], {"priority": out})
        m.set_weights([np.arange(5, dtype=np.float32).reshape(5, 1) / 5, np.ones(1, np.float32)])
        m.compile("sgd", loss={"priority": "mse"})
        h = m.fit(data, y, batch_size=4, epochs=1, verbose=0, shuffle=False)
        res.append((m(data)["priority"].numpy(), h.history["loss"]))
    for a, b in zip(*res):
        _close(a, b, 1e-5)


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

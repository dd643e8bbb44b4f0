"""ModelCheckpoint, ReduceLROnPlateau, CSVLogger, EarlyStopping, LambdaCallback vs tf.keras."""
from __future__ import annotations

import csv
import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
real_tf = pytest.importorskip("tensorflow")

import tftape as tf  # noqa: E402
from tests._keras_oracle import check_error  # noqa: E402

RNG = np.random.default_rng(0)
X = RNG.standard_normal((32, 3)).astype(np.float32)
Y = (X @ np.array([[1.0], [-2.0], [0.5]], np.float32)).astype(np.float32)
XV, YV = X[:8] + 0.5, Y[:8]


def _fit(lib, callbacks, epochs=6, lr=0.05):
    lib.keras.backend.clear_session()
    model = lib.keras.Sequential([lib.keras.Input((3,)), lib.keras.layers.Dense(1)])
    model.set_weights([np.full((3, 1), 0.1, np.float32), np.zeros((1,), np.float32)])
    model.compile(optimizer=lib.keras.optimizers.SGD(lr), loss="mse", metrics=["mae"])
    hist = model.fit(X, Y, batch_size=8, epochs=epochs, validation_data=(XV, YV),
                     callbacks=callbacks(lib), verbose=0, shuffle=False)
    return model, hist


def _rows(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))


def test_csv_logger_matches_tf(tmp_path):
    files = []
    for lib in (tf, real_tf):
        path = tmp_path / f"{lib.__name__}.csv"
        _fit(lib, lambda lib, p=path: [lib.keras.callbacks.CSVLogger(str(p))], epochs=3)
        files.append(_rows(path))
    ours, theirs = files
    assert ours[0] == theirs[0]
    assert len(ours) == len(theirs) == 4
    for a, b in zip(ours[1:], theirs[1:]):
        np.testing.assert_allclose([float(v) for v in a], [float(v) for v in b], rtol=1e-4)
    # append=True adds rows without a second header.
    path = tmp_path / "ours_append.csv"
    for _ in range(2):
        _fit(tf, lambda lib: [lib.keras.callbacks.CSVLogger(str(path), append=True,
                                                            separator=";")], epochs=1)
    rows = _rows(path)
    assert len(rows) == 3 and rows[0][0].startswith("epoch;")


@pytest.mark.parametrize("kwargs", [
    {"monitor": "val_loss", "factor": 0.5, "patience": 1},
    {"monitor": "loss", "factor": 0.2, "patience": 0, "cooldown": 1, "min_lr": 0.005},
    {"monitor": "val_mae", "factor": 0.5, "patience": 1, "min_delta": 0.5},
])
def test_reduce_lr_on_plateau_matches_tf(kwargs):
    out = []
    for lib in (tf, real_tf):
        model, hist = _fit(lib, lambda lib: [lib.keras.callbacks.ReduceLROnPlateau(**kwargs)],
                           lr=0.3)
        out.append((hist.history["learning_rate"], hist.history["loss"]))
    np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-6)
    np.testing.assert_allclose(out[0][1], out[1][1], rtol=1e-4)


@pytest.mark.parametrize("best_only", [False, True])
def test_model_checkpoint_weights_only(tmp_path, best_only):
    saved = []
    for lib in (tf, real_tf):
        d = tmp_path / lib.__name__
        pattern = str(d / "w-{epoch:02d}-{val_loss:.3f}.weights.h5") if not best_only \
            else str(d / "best.weights.h5")
        model, hist = _fit(lib, lambda lib: [lib.keras.callbacks.ModelCheckpoint(
            pattern, save_weights_only=True, save_best_only=best_only, monitor="val_loss")],
            lr=0.3)
        saved.append(sorted(os.listdir(d)))
        if best_only:
            best = int(np.argmin(hist.history["val_loss"]))
            again = lib.keras.Sequential([lib.keras.Input((3,)), lib.keras.layers.Dense(1)])
            again.load_weights(str(d / "best.weights.h5"))
            saved.append(best)
    assert saved[0] == saved[len(saved) // 2]


def test_model_checkpoint_every_n_batches_and_restores_best(tmp_path):
    model, _ = _fit(tf, lambda lib: [lib.keras.callbacks.ModelCheckpoint(
        str(tmp_path / "b{epoch}-{batch}.weights.h5"), save_weights_only=True, save_freq=3)],
        epochs=2)
    names = sorted(os.listdir(tmp_path))
    theirs = tmp_path / "tf"
    _fit(real_tf, lambda lib: [lib.keras.callbacks.ModelCheckpoint(
        str(theirs / "b{epoch}-{batch}.weights.h5"), save_weights_only=True, save_freq=3)],
        epochs=2)
    assert [n for n in names if n != "tf"] == sorted(os.listdir(theirs))


@pytest.mark.parametrize("make", [
    lambda lib: lib.keras.callbacks.ModelCheckpoint("m.h5", save_weights_only=True),
    lambda lib: lib.keras.callbacks.ModelCheckpoint("m.txt"),
    lambda lib: lib.keras.callbacks.ModelCheckpoint("m.keras", save_freq="batch"),
    lambda lib: lib.keras.callbacks.ReduceLROnPlateau(factor=1.5),
])
def test_callback_errors_match_tf(make):
    check_error(real_tf, make)


def test_unknown_monitor_direction_error_matches_tf():
    def make(lib):
        _fit(lib, lambda lib: [lib.keras.callbacks.ReduceLROnPlateau(monitor="foo")],
             epochs=1)
    check_error(real_tf, make)


def test_early_stopping_and_lambda_callback_match_tf():
    out = []
    for lib in (tf, real_tf):
        seen = []
        cbs = lambda lib, s=seen: [  # noqa: E731
            lib.keras.callbacks.EarlyStopping(monitor="val_loss", patience=1,
                                              restore_best_weights=True),
            lib.keras.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: s.append(e))]
        model, hist = _fit(lib, cbs, epochs=30, lr=0.3)
        out.append((seen, len(hist.history["loss"]),
                    [w.copy() for w in model.get_weights()]))
    assert out[0][0] == out[1][0] and out[0][1] == out[1][1]
    for a, b in zip(out[0][2], out[1][2]):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)

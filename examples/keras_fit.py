"""Training with Keras' fit: compile, fit with validation and a callback, evaluate, predict.

A small regression problem (y = 3 sin(x0) + x1^2 + noise) with a Sequential model.

    python -m tftape examples/keras_fit.py [--out DIR]

Draws the training and validation loss curves to DIR/keras_fit_loss.png (DIR defaults to
examples/output/; a CSV file instead without matplotlib). Set TFTAPE_EXAMPLES_FAST=1 for a
short run (fewer epochs).
"""
import os

import numpy as np
import tensorflow as tf
from _figures import output_dir, save_figure

out = output_dir(__doc__.split("\n")[0])
FAST = os.environ.get("TFTAPE_EXAMPLES_FAST") == "1"

tf.keras.utils.set_random_seed(42)
rng = np.random.default_rng(42)
x = rng.uniform(-2, 2, size=(2048, 2)).astype("float32")
y = (3 * np.sin(x[:, 0]) + x[:, 1] ** 2 + 0.05 * rng.standard_normal(2048)).astype("float32")
x_train, y_train, x_test, y_test = x[:1536], y[:1536], x[1536:], y[1536:]

model = tf.keras.Sequential([
    tf.keras.Input(shape=(2,)),
    tf.keras.layers.Dense(64, activation="relu"),
    tf.keras.layers.Dense(64, activation="relu"),
    tf.keras.layers.Dense(1),
])
model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=3e-3), loss="mse",
              metrics=["mae"])
model.summary()

history = model.fit(
    x_train, y_train, batch_size=64, epochs=3 if FAST else 30, validation_split=0.2,
    verbose=2,
    callbacks=[tf.keras.callbacks.EarlyStopping(monitor="val_loss", patience=5,
                                                restore_best_weights=True)])
losses = history.history["loss"]
print(f"{len(losses)} epochs: loss {losses[0]:.4f} -> {losses[-1]:.4f}")
assert losses[-1] < losses[0], "the loss should go down"

test_loss, test_mae = model.evaluate(x_test, y_test, verbose=0)
print(f"test mse {test_loss:.4f}, test mae {test_mae:.4f}")
probe = np.array([[0.0, 0.0], [1.0, 1.0], [-1.0, 2.0]], dtype="float32")
print("predictions:", np.round(model.predict(probe, verbose=0)[:, 0], 2))
print("targets:    ", np.round(3 * np.sin(probe[:, 0]) + probe[:, 1] ** 2, 2))


def draw_loss(plt):
    epochs = range(1, len(losses) + 1)
    plt.plot(epochs, losses, label="training loss (mse)")
    plt.plot(epochs, history.history["val_loss"], label="validation loss (mse)")
    plt.xlabel("epoch")
    plt.yscale("log")
    plt.legend()
    plt.title("Keras fit: y = 3 sin(x0) + x1^2")


save_figure(out, "keras_fit_loss", draw_loss,
            {"epoch": np.arange(1, len(losses) + 1), "loss": losses,
             "val_loss": history.history["val_loss"]})

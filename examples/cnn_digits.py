"""A small CNN that reads digits: Conv2D, max pooling, dropout and fit on images it draws itself.

Each image is a 16x16 digit from a 5x7 pixel font, scaled, shifted and blurred by noise, so the
script needs no download. The model reaches well over 90 % test accuracy in a few epochs.

    python -m tftape examples/cnn_digits.py

Set TFTAPE_EXAMPLES_FAST=1 for a short run (fewer images and epochs).
"""
import os
import time

import numpy as np
import tensorflow as tf

FAST = os.environ.get("TFTAPE_EXAMPLES_FAST") == "1"

FONT = {  # 5 columns x 7 rows per digit
    0: ["01110", "10001", "10011", "10101", "11001", "10001", "01110"],
    1: ["00100", "01100", "00100", "00100", "00100", "00100", "01110"],
    2: ["01110", "10001", "00001", "00010", "00100", "01000", "11111"],
    3: ["11111", "00010", "00100", "00010", "00001", "10001", "01110"],
    4: ["00010", "00110", "01010", "10010", "11111", "00010", "00010"],
    5: ["11111", "10000", "11110", "00001", "00001", "10001", "01110"],
    6: ["00110", "01000", "10000", "11110", "10001", "10001", "01110"],
    7: ["11111", "00001", "00010", "00100", "01000", "01000", "01000"],
    8: ["01110", "10001", "10001", "01110", "10001", "10001", "01110"],
    9: ["01110", "10001", "10001", "01111", "00001", "00010", "01100"],
}
GLYPHS = {d: np.array([[int(c) for c in row] for row in rows], np.float32)
          for d, rows in FONT.items()}


def draw(digit, rng):
    """One 16x16 image of ``digit``: scaled 1x or 2x, placed at random, with noise."""
    glyph = GLYPHS[digit]
    if rng.random() < 0.5:
        glyph = np.kron(glyph, np.ones((2, 2), np.float32))[:14, :10]
    h, w = glyph.shape
    img = np.zeros((16, 16), np.float32)
    top, left = rng.integers(0, 16 - h + 1), rng.integers(0, 16 - w + 1)
    img[top:top + h, left:left + w] = glyph * rng.uniform(0.6, 1.0)
    img += rng.normal(0.0, 0.15, img.shape).astype(np.float32)
    return np.clip(img, 0.0, 1.0)


def make_data(n, rng):
    y = rng.integers(0, 10, n)
    x = np.stack([draw(int(d), rng) for d in y])[..., None]
    return x, y.astype("int32")


tf.keras.utils.set_random_seed(7)
rng = np.random.default_rng(7)
n_train = 1000 if FAST else 6000
x_train, y_train = make_data(n_train, rng)
x_test, y_test = make_data(500 if FAST else 1000, rng)

model = tf.keras.Sequential([
    tf.keras.Input(shape=(16, 16, 1)),
    tf.keras.layers.Conv2D(16, 3, padding="same", activation="relu"),
    tf.keras.layers.MaxPooling2D(),
    tf.keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
    tf.keras.layers.MaxPooling2D(),
    tf.keras.layers.Flatten(),
    tf.keras.layers.Dropout(0.2),
    tf.keras.layers.Dense(10),
])
model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=3e-3),
              loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
model.summary()

epochs = 4 if FAST else 8
start = time.perf_counter()
# Batches of 50 divide the data evenly, so every step has the same shape.
history = model.fit(x_train, y_train, batch_size=50, epochs=epochs, validation_split=0.1,
                    verbose=2)
seconds = time.perf_counter() - start
loss, accuracy = model.evaluate(x_test, y_test, batch_size=50, verbose=0)
print(f"fit: {epochs} epochs in {seconds:.2f} s; test loss {loss:.3f}, accuracy {accuracy:.3f}")

logits = model.predict(x_test[:8], verbose=0)
print("predicted:", np.argmax(logits, axis=-1).tolist())
print("true:     ", y_test[:8].tolist())

losses = history.history["loss"]
assert losses[-1] < losses[0], losses
assert accuracy > (0.5 if FAST else 0.9), accuracy

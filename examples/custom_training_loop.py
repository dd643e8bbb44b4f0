"""A custom training loop: a Keras model, tf.GradientTape, an optimizer and tf.function.

Fits a small MLP to classify points of two interleaved spirals, with a hand-written loop over
mini-batches, a compiled training step and Keras metrics.

    python -m tftape examples/custom_training_loop.py

Set TFTAPE_EXAMPLES_FAST=1 for a short run (fewer epochs).
"""
import os

import numpy as np
import tensorflow as tf

FAST = os.environ.get("TFTAPE_EXAMPLES_FAST") == "1"
EPOCHS = 3 if FAST else 40
BATCH = 64

tf.keras.utils.set_random_seed(0)


def spirals(n, noise=0.1, seed=0):
    """Two interleaved spirals: n points each, labels 0 and 1."""
    rng = np.random.default_rng(seed)
    t = np.sqrt(rng.random(n)) * 3 * np.pi
    a = np.stack([t * np.cos(t), t * np.sin(t)], axis=1) / (3 * np.pi)
    x = np.concatenate([a, -a]) + noise * rng.standard_normal((2 * n, 2)) / 3
    y = np.concatenate([np.zeros(n), np.ones(n)])
    order = rng.permutation(2 * n)
    return x[order].astype("float32"), y[order].astype("int64")


x_train, y_train = spirals(512)
x_test, y_test = spirals(128, seed=1)

model = tf.keras.Sequential([
    tf.keras.Input(shape=(2,)),
    tf.keras.layers.Dense(64, activation="relu"),
    tf.keras.layers.Dense(64, activation="relu"),
    tf.keras.layers.Dense(2),
])
loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
optimizer = tf.keras.optimizers.Adam(learning_rate=0.01)
train_loss = tf.keras.metrics.Mean(name="train_loss")
train_acc = tf.keras.metrics.SparseCategoricalAccuracy(name="train_accuracy")
test_acc = tf.keras.metrics.SparseCategoricalAccuracy(name="test_accuracy")


@tf.function
def train_step(x, y):
    with tf.GradientTape() as tape:
        logits = model(x, training=True)
        loss = loss_fn(y, logits)
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    train_loss.update_state(loss)
    train_acc.update_state(y, logits)
    return loss


@tf.function
def test_step(x, y):
    test_acc.update_state(y, model(x, training=False))


first_loss = None
for epoch in range(EPOCHS):
    for metric in (train_loss, train_acc, test_acc):
        metric.reset_state()
    order = np.random.permutation(len(x_train))
    for start in range(0, len(x_train), BATCH):
        idx = order[start:start + BATCH]
        train_step(tf.constant(x_train[idx]), tf.constant(y_train[idx]))
    test_step(tf.constant(x_test), tf.constant(y_test))
    if first_loss is None:
        first_loss = float(train_loss.result())
    if epoch % 10 == 0 or epoch == EPOCHS - 1:
        print(f"epoch {epoch + 1:2d}: loss {float(train_loss.result()):.4f}, "
              f"accuracy {float(train_acc.result()):.3f}, "
              f"test accuracy {float(test_acc.result()):.3f}")

print("optimizer steps:", int(optimizer.iterations))
print("traced train_step", train_step.experimental_get_tracing_count(), "time(s)")
assert float(train_loss.result()) < first_loss, "the loss should go down"

"""A custom training loop: a Keras model, tf.GradientTape, an optimizer and tf.function.

Fits a small MLP to classify points of two interleaved spirals, with a hand-written loop over
mini-batches, a compiled training step and Keras metrics.

    python -m tftape examples/custom_training_loop.py [--out DIR]

Draws the loss and accuracy curves and the learned decision boundary to
DIR/custom_training_loop_curves.png and DIR/custom_training_loop_boundary.png (DIR defaults to
examples/output/; CSV files instead without matplotlib). Set TFTAPE_EXAMPLES_FAST=1 for a
short run (fewer epochs).
"""
import os

import numpy as np
import tensorflow as tf
from _figures import output_dir, save_figure

out = output_dir(__doc__.split("\n")[0])
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


history = {"epoch": [], "loss": [], "accuracy": [], "test_accuracy": []}
for epoch in range(EPOCHS):
    for metric in (train_loss, train_acc, test_acc):
        metric.reset_state()
    order = np.random.permutation(len(x_train))
    for start in range(0, len(x_train), BATCH):
        idx = order[start:start + BATCH]
        train_step(tf.constant(x_train[idx]), tf.constant(y_train[idx]))
    test_step(tf.constant(x_test), tf.constant(y_test))
    for key, value in zip(history, (epoch + 1, train_loss.result(), train_acc.result(),
                                    test_acc.result())):
        history[key].append(float(value))
    if epoch % 10 == 0 or epoch == EPOCHS - 1:
        print(f"epoch {epoch + 1:2d}: loss {float(train_loss.result()):.4f}, "
              f"accuracy {float(train_acc.result()):.3f}, "
              f"test accuracy {float(test_acc.result()):.3f}")

print("optimizer steps:", int(optimizer.iterations))
print("traced train_step", train_step.experimental_get_tracing_count(), "time(s)")
assert history["loss"][-1] < history["loss"][0], "the loss should go down"


def draw_curves(plt):
    plt.plot(history["epoch"], history["loss"], label="training loss")
    plt.plot(history["epoch"], history["accuracy"], label="training accuracy")
    plt.plot(history["epoch"], history["test_accuracy"], label="test accuracy")
    plt.xlabel("epoch")
    plt.legend()
    plt.title("custom training loop: two spirals")


save_figure(out, "custom_training_loop_curves", draw_curves, history)

# The decision boundary: the model's probability of class 1 on a grid.
g0, g1 = np.meshgrid(np.linspace(-1.2, 1.2, 121), np.linspace(-1.2, 1.2, 121))
grid = np.stack([g0.ravel(), g1.ravel()], axis=1).astype("float32")
p1 = tf.nn.softmax(model(tf.constant(grid)))[:, 1].numpy()


def draw_boundary(plt):
    plt.contourf(g0, g1, p1.reshape(g0.shape), levels=20, cmap="RdBu_r", alpha=0.6)
    plt.contour(g0, g1, p1.reshape(g0.shape), levels=[0.5], colors="k")
    plt.scatter(x_test[:, 0], x_test[:, 1], c=y_test, cmap="RdBu_r", s=8, edgecolors="k",
                linewidths=0.3)
    plt.gca().set_aspect("equal")
    plt.title("decision boundary (p = 0.5) and test points")


save_figure(out, "custom_training_loop_boundary", draw_boundary,
            {"x0": grid[:, 0], "x1": grid[:, 1], "p1": p1})

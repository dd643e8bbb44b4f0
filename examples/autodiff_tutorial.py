"""The automatic-differentiation tutorial, as TF 2 users write it.

Run it through tftape with `tensorflow` aliased (nothing in this file mentions tftape):

    python -m tftape examples/autodiff_tutorial.py
"""
import numpy as np
import tensorflow as tf

print(tf.__version__)

# Gradient tapes
x = tf.ones((2, 2))
with tf.GradientTape() as t:
    t.watch(x)
    y = tf.reduce_sum(x)
    z = tf.multiply(y, y)
dz_dx = t.gradient(z, x)
print(dz_dx)

# Persistent tapes: several gradients of one recording
x = tf.constant(3.)
with tf.GradientTape(persistent=True) as t:
    t.watch(x)
    y = x * x
    z = y * y
print(t.gradient(z, x), t.gradient(z, y), t.gradient(y, x))
del t


# Recording control flow: the tape records what ran
def f(x, y):
    output = 1.
    for i in range(y):
        if 1 < i < 5:
            output = tf.multiply(output, x)
    return output


def grad(x, y):
    with tf.GradientTape() as t:
        t.watch(x)
        out = f(x, y)
    return t.gradient(out, x)


x = tf.convert_to_tensor(2.)
print(grad(x, 6), grad(x, 5), grad(x, 4))

# Higher-order gradients
x = tf.Variable(1.)
with tf.GradientTape() as t:
    with tf.GradientTape() as t2:
        y = x * x * x
    dy_dx = t2.gradient(y, x)
d2y_dx2 = t.gradient(dy_dx, x)
print("dy/dx =", dy_dx.numpy(), " d2y/dx2 =", d2y_dx2.numpy())

# tanh and its derivative on a grid
w = tf.linspace(-10.0, 10.0, 129)
with tf.GradientTape() as g:
    g.watch(w)
    L = tf.math.tanh(w)
print(g.gradient(L, w)[62:67])

# TF's strict dtype rules: float32 + int32 is an error, with TF's exception and message
try:
    tf.constant(2.0) + tf.constant(40)
except tf.errors.InvalidArgumentError as e:
    print("error, as TensorFlow raises it:", type(e).__name__, "-", e)

# Fitting a line with a persistent tape and assign_sub
x_train = np.array([-1.0, 0.0, 1.0, 2.0, 3.0, 4.0], dtype=float)
y_train = np.array([-3.0, -1.0, 1.0, 3.0, 5.0, 7.0], dtype=float)
w = tf.Variable(0.5)
b = tf.Variable(0.25)
for _ in range(500):
    with tf.GradientTape(persistent=True) as tape:
        pred_y = w * x_train + b
        loss = tf.abs(y_train - pred_y)
    w.assign_sub(tape.gradient(loss, w) * 0.001)
    b.assign_sub(tape.gradient(loss, b) * 0.001)
print(f"fitted y = {w.numpy():.4f}x {b.numpy():+.4f} (the data lie on y = 2x - 1)")
print("done: tapes, persistent and nested tapes, control flow and a fitted line")

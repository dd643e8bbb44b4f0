"""Automatic differentiation and gradient tape (TF 2 advanced tutorial), as a script.

Seed tutorial 001: gradient tapes, persistent tapes, recording control flow and
higher-order gradients. Run it unchanged with tftape standing in for TensorFlow:

    python -m tftape examples/autodiff_gradient_tape.py
"""
import tensorflow as tf

print(tf.__version__)

# -- Gradient tapes ----------------------------------------------------------------------------
x = tf.ones((2, 2))
with tf.GradientTape() as t:
    t.watch(x)
    print(type(t).__name__)
    y = tf.reduce_sum(x)  # 4
    print(y)
    z = tf.multiply(y, y)  # z = y^2 = 16
    print(z)
dz_dx = t.gradient(z, x)
print(dz_dx)
for i in [0, 1]:
    for j in [0, 1]:
        assert dz_dx[i][j].numpy() == 8.0

# The gradient with respect to an intermediate value
x = tf.ones((2, 2))
with tf.GradientTape() as t:
    t.watch(x)
    y = tf.reduce_sum(x)
    z = tf.multiply(y, y)
dz_dy = t.gradient(z, y)
assert dz_dy.numpy() == 8.0
print(dz_dy)

# A persistent tape allows several gradient calls
x = tf.constant(3.)
with tf.GradientTape(persistent=True) as t:
    t.watch(x)
    y = x * x
    z = y * y
dz_dx = t.gradient(z, x)  # z = x^4 => 4x^3
print(dz_dx)
dz_dy = t.gradient(z, y)
print(dz_dy)
dy_dx = t.gradient(y, x)
print(dy_dx)
del t


# -- Recording control flow: the tape records the operations that ran ---------------------------
def f(x, y):
    output = 1.
    for i in range(y):
        if 1 < i < 5:
            output = tf.multiply(output, x)
            print(i, ':', output)
    return output


def grad(x, y):
    with tf.GradientTape() as t:
        t.watch(x)
        out = f(x, y)
    return t.gradient(out, x)


x = tf.convert_to_tensor(2.)
print(x)
assert grad(x, 6).numpy() == 12.  # x^3 => 3x^2
assert grad(x, 5).numpy() == 12.
assert grad(x, 4).numpy() == 4.  # x^2 => 2x

# -- Higher-order gradients: a tape inside a tape ------------------------------------------------
x = tf.Variable(1.)
with tf.GradientTape() as t:
    with tf.GradientTape() as t2:
        y = x * x * x
    dy_dx = t2.gradient(y, x)
d2y_dx2 = t.gradient(dy_dx, x)
assert dy_dx.numpy() == 3.0
assert d2y_dx2.numpy() == 6.0
print(dy_dx, d2y_dx2)

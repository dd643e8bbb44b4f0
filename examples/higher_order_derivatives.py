"""Higher-order derivatives with nested tapes, jacobians, Hessians and forward mode.

    python -m tftape examples/higher_order_derivatives.py
"""
import numpy as np
import tensorflow as tf

# d^n/dx^n of x^5 at x = 2 by nesting tapes: 80, 160, 240, 240, 120
x = tf.Variable(2.0)
with tf.GradientTape() as t5:
    with tf.GradientTape() as t4:
        with tf.GradientTape() as t3:
            with tf.GradientTape() as t2:
                with tf.GradientTape() as t1:
                    y = x ** 5
                d1 = t1.gradient(y, x)
            d2 = t2.gradient(d1, x)
        d3 = t3.gradient(d2, x)
    d4 = t4.gradient(d3, x)
d5 = t5.gradient(d4, x)
print("derivatives of x^5 at 2:", [float(d) for d in (d1, d2, d3, d4, d5)])

# The second derivative of tanh, 1 - tanh^2 differentiated again: -2 tanh (1 - tanh^2)
w = tf.constant([-1.0, 0.0, 0.5, 2.0])
with tf.GradientTape() as outer:
    outer.watch(w)
    with tf.GradientTape() as inner:
        inner.watch(w)
        L = tf.math.tanh(w)
    dL = inner.gradient(L, w)
d2L = outer.gradient(dL, w)
t = np.tanh(w.numpy())
np.testing.assert_allclose(d2L.numpy(), -2 * t * (1 - t ** 2), rtol=1e-5, atol=1e-6)
print("tanh'' =", np.round(d2L.numpy(), 5) + 0.0)   # + 0.0: no negative zeros

# A Jacobian and a Hessian: f(v) = [v0 * v1, sin(v0), v1^2]
v = tf.Variable([1.0, 2.0])
with tf.GradientTape() as tape:
    f = tf.stack([v[0] * v[1], tf.sin(v[0]), v[1] ** 2])
print("jacobian:\n", np.round(tape.jacobian(f, v).numpy(), 5))

# The Hessian of g(v) = v0^2 v1 + v1^3 is [[2 v1, 2 v0], [2 v0, 6 v1]]
with tf.GradientTape() as t2:
    with tf.GradientTape() as t1:
        g = v[0] ** 2 * v[1] + v[1] ** 3
    grad = t1.gradient(g, v)
hessian = t2.jacobian(grad, v)
print("hessian:\n", hessian.numpy())

# Per-example gradients with batch_jacobian: y_i = x_i^3, dy_i/dx_i = 3 x_i^2 (a diagonal)
xs = tf.constant([[1.0, 2.0], [3.0, 4.0]])
with tf.GradientTape() as tape:
    tape.watch(xs)
    ys = xs ** 3
print("batch jacobian:\n", tape.batch_jacobian(ys, xs).numpy())

# Forward mode: a Jacobian-vector product without a tape
primal = tf.constant([1.0, 2.0])
tangent = tf.constant([1.0, 0.0])
with tf.autodiff.ForwardAccumulator(primal, tangent) as acc:
    out = tf.reduce_sum(primal ** 2 * tf.constant([3.0, 1.0]))
print("jvp:", float(acc.jvp(out)))   # d/dp0 of 3 p0^2 + p1^2 at p0 = 1 is 6

# A Hessian-vector product: forward mode over a reverse-mode gradient
with tf.autodiff.ForwardAccumulator(primal, tangent) as acc:
    with tf.GradientTape() as tape:
        tape.watch(primal)
        y = tf.reduce_sum(primal ** 3)
    g = tape.gradient(y, primal)
print("hvp:", acc.jvp(g).numpy())    # the Hessian diag(6 p) times [1, 0] = [6, 0]

"""TensorFlow basics and automatic differentiation (from tensorflow.org/guide), as a script.

Seed tutorial 004: sensitivities of small functions with tf.GradientTape, which values a tape
watches, gradients of vector targets, persistent tapes and the gradient of tanh on a grid
(the plot itself is made by examples/tanh_gradient.py).

    python -m tftape examples/tf_guide_basics.py
"""
import numpy as np
import tensorflow as tf

print(tf.__version__)

# The sensitivity of L(w) = 4w + w^3 at w = 1: dL/dw = 4 + 3w^2 = 7
w = tf.Variable(1.0)
with tf.GradientTape() as g:
    L = 4 * w + w ** 3
gradL_w = g.gradient(L, w)
print('gradient of L w.r.t. w at w = 1 is', gradL_w)

# L(w1, w2) = w1 + w2^2 at (1, 2): the gradient is (1, 2 w2) = (1, 4)
w1 = tf.Variable(1.0)
w2 = tf.Variable(2.0)
with tf.GradientTape() as g:
    L = w1 + w2 ** 2
gradL_w1, gradL_w2 = g.gradient(L, [w1, w2])
print('gradL_w1 = ', gradL_w1.numpy(), '; gradL_w2 = ', gradL_w2.numpy())

# What the tape differentiates with respect to: `gradient` is None for what it did not watch
w1 = tf.Variable(1.0, name='w1')                    # an independent variable
c1 = tf.constant(-2.0, name='c1')                   # a constant is not a variable
c2 = tf.Variable(-1.0, name='c2', trainable=False)  # not trainable: not watched
c3 = tf.Variable(1.0, name='c3') + 1.0              # variable + tensor is a tensor
alpha = tf.Variable(0., name='alpha')               # a variable that L does not use
with tf.GradientTape() as g:
    L = (w1 + c1) ** 2 + (c2 ** 3) + 4 * c3
grad = g.gradient(L, [w1, c1, c2, c3, alpha])
for dw in grad:
    print(dw)

# watch() makes the tape record a tensor: L(w) = w^4 at w = -3 has dL/dw = 4w^3 = -108
w = tf.constant(-3.0)
with tf.GradientTape() as g:
    g.watch(w)
    L = w ** 4
print(g.gradient(L, w))

# A vector variable: L = w[0]^2 + w[1]^2 at (1, -3)
w = tf.Variable([1, -3.0])
with tf.GradientTape() as g:
    L = tf.math.reduce_sum(w ** 2)
print(w.numpy())
print(L.numpy())
print(g.gradient(L, w))  # (2w[0], 2w[1]) = (2, -6)

# A list target: the gradient of the sum of its elements
w = tf.Variable(-1.)
with tf.GradientTape() as g:
    L = [2 * w, w ** 4]
print([L[i].numpy() for i in range(2)])  # [-2, 1]
print(g.gradient(L, w))  # 2 + 4w^3 = -2

# persistent=True keeps the tape for several gradient calls
w1 = tf.Variable([1, -3.0])
with tf.GradientTape(persistent=True) as g:
    w2 = 2 * w1
    L = w2 ** 2
print(w1.numpy())
print(w2.numpy())
print(g.gradient(w2, w1))  # [2, 2]
print(g.gradient(L, w2))
del g  # release the resources

# The sensitivity of tanh on a grid (plotted by examples/tanh_gradient.py)
w = tf.linspace(-10.0, 10.0, 129)  # a tf.Tensor, not a tf.Variable
with tf.GradientTape() as g:
    g.watch(w)
    L = tf.math.tanh(w)
gradL_w = g.gradient(L, w)
print(w.shape, L.dtype, gradL_w.dtype)
print(np.round(gradL_w.numpy()[60:69], 4))
print("the gradient peaks at w =", float(w[int(tf.argmax(gradL_w))]))

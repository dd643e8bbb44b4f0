"""Tensors revisited, variables, operations and gradient tapes (course slides), as a script.

Seed tutorial 002: tf.Variable and tf.constant creation, operations and operator
overloading, eager evaluation, broadcasting, NumPy compatibility, variables in Keras layers,
casting, fitting a line with GradientTape and assign_sub, a Keras training step, gradients of
higher-rank tensors, persistent tapes and higher-order gradients.

    python -m tftape examples/tensors_variables_gradients.py

Set TFTAPE_EXAMPLES_FAST=1 to shorten the training loops.
"""
import os
import random

import numpy as np
import tensorflow as tf

FAST = os.environ.get("TFTAPE_EXAMPLES_FAST") == "1"

# -- Some types of tensors ---------------------------------------------------------------------
print(repr(tf.Variable("Hello", tf.string)))
print(repr(tf.constant([1, 2, 3, 4, 5, 6])))
print(tf.add([1, 2], [3, 4]))

# -- Variables of a built-in Keras layer (initial values are random: print names and shapes) ----
model = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=(1,))])
print([(v.path, tuple(v.shape), v.dtype) for v in model.variables])

# -- Creating tensors with tf.Variable ---------------------------------------------------------
print(repr(tf.Variable(initial_value=[1, 2])))
print(repr(tf.Variable([1, 2], dtype=tf.float32)))
print(repr(tf.Variable([1, 2], tf.float32)))   # the 2nd argument is `trainable`: int32!
print(repr(tf.Variable([1, 2, 3, 4])))
try:
    tf.Variable([1, 2, 3, 4], shape=(2, 2))
except ValueError as ex:
    print("ValueError:", ex)
print(repr(tf.Variable([[1, 2], [3, 4]])))
print(repr(tf.Variable([1, 2, 3, 4], shape=tf.TensorShape(None))))
mammal = tf.Variable("Elephant", dtype=tf.string)
its_complicated = tf.Variable(4 + 3j, dtype=tf.complex64)
first_primes = tf.Variable([2, 3, 5, 7, 11], dtype=tf.int32)
linear_squares = tf.Variable([[4, 9], [16, 25]], dtype=tf.int32)
for var in (mammal, its_complicated, first_primes, linear_squares):
    print(repr(var))

# -- tf.constant -------------------------------------------------------------------------------
print(tf.constant([1, 2, 3]))
print(tf.constant([1, 2, 3, 4, 5, 6], shape=(2, 3)))
print(tf.constant(-1.0, shape=[2, 3]))

# -- Applying operations; operator overloading -------------------------------------------------
print(tf.add([1, 2], [3, 4]))
print(tf.square(5))
print(tf.reduce_sum([1, 2, 3]))
print(tf.square(2) + tf.square(3))

# -- Eager execution: evaluate at once, broadcasting, operators --------------------------------
x = 2
x_squared = tf.square(x)
print("hello, {}".format(x_squared))
a = tf.constant([[1, 2], [3, 4]])
print(tf.add(a, 1))
print(a ** 2)

# -- NumPy compatibility -----------------------------------------------------------------------
a = tf.constant(5)
b = tf.constant(3)
print(np.multiply(a, b))
ndarray = np.ones([3, 3])
tensor = tf.multiply(ndarray, 3)
print(tensor)
print(repr(tensor.numpy()))

# -- Evaluating variables ----------------------------------------------------------------------
v = tf.Variable(0.0)
print(repr(v + 1))
print(repr(v.assign_add(1)))
print(v.read_value().numpy())


# -- Variables of a custom layer ---------------------------------------------------------------
class MyLayer(tf.keras.layers.Layer):

    def __init__(self):
        super(MyLayer, self).__init__()
        self.my_var = tf.Variable(100)
        self.my_other_var_list = [tf.Variable(x) for x in range(2)]


m = MyLayer()
print([variable.numpy() for variable in m.variables])

# -- Change data types -------------------------------------------------------------------------
tensor = tf.constant([1, 2, 3])
print(tensor)
tensor = tf.cast(tensor, dtype=tf.float32)
print(tensor.dtype)

# -- Fitting a line with GradientTape ------------------------------------------------------------
x_train = np.array([-1.0, 0.0, 1.0, 2.0, 3.0, 4.0], dtype=float)
y_train = np.array([-3.0, -1.0, 1.0, 3.0, 5.0, 7.0], dtype=float)
random.seed(0)
w = tf.Variable(random.random(), trainable=True)
b = tf.Variable(random.random(), trainable=True)


def simple_loss(real_y, pred_y):
    return tf.abs(real_y - pred_y)


LEARNING_RATE = 0.001


def fit_data(real_x, real_y):
    with tf.GradientTape(persistent=True) as tape:
        # Make prediction
        pred_y = w * real_x + b
        # Calculate loss
        reg_loss = simple_loss(real_y, pred_y)

    # Calculate gradients
    w_gradient = tape.gradient(reg_loss, w)
    b_gradient = tape.gradient(reg_loss, b)

    # Update variables
    w.assign_sub(w_gradient * LEARNING_RATE)
    b.assign_sub(b_gradient * LEARNING_RATE)


for _ in range(20 if FAST else 500):
    fit_data(x_train, y_train)
print(f'y ≈ {w.numpy():.4f}x + {b.numpy():.4f}')

# -- A Keras training step with GradientTape (synthetic "images": 8x8, 3 classes) ---------------
rng = np.random.default_rng(0)
images = rng.random((64, 8, 8)).astype("float32")
labels = (images.mean(axis=(1, 2)) * 3).astype("int64").clip(0, 2)
model = tf.keras.Sequential([
    tf.keras.Input(shape=(8, 8)),
    tf.keras.layers.Flatten(),
    tf.keras.layers.Dense(16, activation="relu"),
    tf.keras.layers.Dense(3),
])
loss_object = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
optimizer = tf.keras.optimizers.Adam(learning_rate=0.01)
loss_history = []


def train_step(images, labels):
    with tf.GradientTape() as tape:
        logits = model(images, training=True)
        loss_value = loss_object(labels, logits)

    loss_history.append(loss_value.numpy().mean())
    grads = tape.gradient(loss_value, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))


for _ in range(3 if FAST else 30):
    train_step(images, labels)
print("the loss went down:", bool(loss_history[-1] < loss_history[0]))

# -- Gradient computation -----------------------------------------------------------------------
w = tf.Variable([[1.0]])
with tf.GradientTape() as tape:
    loss = w * w
print(tape.gradient(loss, w))

# Gradients of higher-rank tensors
x = tf.ones((2, 2))
with tf.GradientTape() as t:
    t.watch(x)
    y = tf.reduce_sum(x)
    z = tf.square(y)
dz_dx = t.gradient(z, x)  # derivative of z with respect to the original input tensor x
print(dz_dx)

# persistent=True
x = tf.constant(3.0)
with tf.GradientTape(persistent=True) as t:
    t.watch(x)
    y = x * x
    z = y * y
dz_dx = t.gradient(z, x)  # 108.0 (4 * x^3 at x = 3)
dy_dx = t.gradient(y, x)  # 6.0
del t  # drop the reference to the tape
print(dz_dx, dy_dx)

# Higher-order gradients: the inner gradient inside the outer tape...
x = tf.Variable(1.0)
with tf.GradientTape() as tape_2:
    with tf.GradientTape() as tape_1:
        y = x * x * x
        dy_dx = tape_1.gradient(y, x)
    d2y_dx2 = tape_2.gradient(dy_dx, x)
assert dy_dx.numpy() == 3.0
assert d2y_dx2.numpy() == 6.0

# ...or outside the inner tape's block
with tf.GradientTape() as tape_2:
    with tf.GradientTape() as tape_1:
        y = x * x * x
    dy_dx = tape_1.gradient(y, x)
d2y_dx2 = tape_2.gradient(dy_dx, x)
assert dy_dx.numpy() == 3.0
assert d2y_dx2.numpy() == 6.0
print(dy_dx, d2y_dx2)

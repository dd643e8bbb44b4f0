"""Data-science lecture notes: reductions, stack/concat, matmul shapes, tf.Variable, tnp and
tf.GradientTape, as a script.

Seed tutorial 003. Run it unchanged with tftape standing in for TensorFlow:

    python -m tftape examples/stack_concat_variables_tape.py
"""
import numpy as np
import tensorflow as tf

print(tf.config.experimental.list_physical_devices('CPU'))

# -- max, min, sum, mean -----------------------------------------------------------------------
a = tf.constant([1.0, 2.0, 3.0, 4.0])
print(repr(a))
print(repr(max(a)), repr(min(a)))           # Python's max/min iterate over the tensor
try:
    mean(a)  # noqa: F821  (there is no built-in mean)
except NameError as ex:
    print("NameError:", ex)
print(repr(tf.reduce_mean(a)))
print(repr(tf.reduce_mean(tf.constant([1, 2, 3, 4]))))   # int32: the mean truncates to 2

# -- stack: a new axis; concat: an existing axis -------------------------------------------------
a = tf.reshape(tf.constant(range(2 * 3 * 4 * 5)), (2, 3, 4, 5))
b = -a
for axis in (0, 1, 2, 3, -1):
    print("stack axis", axis, tf.stack([a, b], axis=axis).shape)

a = tf.reshape(tf.constant(range(2 * 3 * 4)), (2, 3, 4))
b = -a
c = 2 * a
for axis in (0, 1, -1):
    print("concat axis", axis, tf.concat([a, b, c], axis=axis).shape)
for axis in (0, 1, 2, -1):
    print("stack axis", axis, tf.stack([a, b, c], axis=axis).shape)

a = tf.reshape(tf.constant(range(2 * 3 * 4)), (2, 3, 4))
b = tf.reshape(-tf.constant(range(4 * 3 * 4)), (4, 3, 4))
print(a.shape, b.shape, tf.concat([a, b], axis=0).shape)
for axis in (1, 2):
    try:
        tf.concat([a, b], axis=axis)
    except tf.errors.InvalidArgumentError as ex:
        print(type(ex).__name__ + ":", ex)

# -- (2,2) @ (2,): NumPy treats a vector as a row or a column; TF does not ---------------------
print(np.array([[1, 0], [0, 1]]) @ np.array([77, -88]))
print(np.array([77, -88]) @ np.array([[1, 0], [0, 1]]))
print(np.array([77, -88]).reshape(1, 2) @ np.array([[1, 0], [0, 1]]))
try:
    np.array([77, -88]).reshape(2, 1) @ np.array([[1, 0], [0, 1]])
except ValueError as ex:
    print("ValueError:", ex)

I = tf.constant([[1.0, 0.0], [0.0, 1.0]])  # noqa: E741
x = tf.constant([77.0, -88.0])
for expr in (lambda: x @ I, lambda: I @ x):
    try:
        expr()
    except tf.errors.InvalidArgumentError as ex:
        print(type(ex).__name__ + ":", ex)
print(repr(tf.reshape(x, -1)))
print(repr(I @ tf.reshape(x, (2, 1))))
print(repr(tf.reshape(x, (1, 2)) @ I))
try:
    tf.reshape(x, (2, 1)) @ I
except tf.errors.InvalidArgumentError as ex:
    print(type(ex).__name__ + ":", ex)

# -- tf.Variable ---------------------------------------------------------------------------------
print(repr(tf.Variable([1, 2, 3, 4])))
print(repr(tf.Variable([1.0, 2.0, 3.0, 4.0])))
_a = tf.Variable([1, 2, 3, 4])
print(type(_a).__name__)
print(repr(tf.Variable(tf.constant([1, 2, 3, 4]))))
print(repr(tf.Variable(np.array([1, 2, 3, 4]))))            # int64, from NumPy
print(type(tf.constant([1, 2, 3, 4])).__name__, type(tf.Variable(np.array([1, 2, 3, 4]))).__name__)

a = tf.Variable([1, 2, 3, 4])
print(repr(a[0]), repr(a[:2]), type(a[:2]).__name__)

# Operations on variables give tensors
a = tf.Variable([1, 2, 3, 4])
b = -a
print(type(a).__name__, type(b).__name__, repr(a + b), type(a + b).__name__)
a = tf.Variable([1, 2, 3, 4])
b = tf.Variable([-1, -2, -3, -4])
print(repr(a + b), type(a + b).__name__)

try:
    tf.Variable([1, 2]) + tf.Variable([3.14, 3.14])
except tf.errors.InvalidArgumentError as ex:
    print(type(ex).__name__ + ":", ex)
print(repr(tf.Variable([1.0, 2.0]) + tf.Variable([3.14, 3.14])))

# concat and stack of variables give tensors
a = tf.Variable([[1, 2], [3, 4]])
b = tf.Variable([[-1, -2], [-3, -4]])
print(repr(tf.concat([a, b], axis=0)))
print(repr(tf.stack([a, b], axis=0)))
print(type(tf.stack([a, b], axis=0)).__name__)

# A variable is updated in place: the Python object stays the same
a = tf.Variable([1, 2, 3, 4])
before = id(a)
a.assign_add([-1, -2, -3, -4])
print(id(a) == before, repr(a))


# -- Derivatives: from finite differences to GradientTape -----------------------------------------
def f(x):
    return 3 * x ** 2


def d(f, x):
    return (f(x + 0.000000001) - f(x)) / 0.000000001


print(round(d(f, 2), 4), round(d(lambda x: 3 * x ** 2, 2), 4))

x = tf.Variable(2.0)   # the value to differentiate with respect to
a = tf.constant(3.0)
mytape = tf.GradientTape()
mytape.__enter__()     # start recording
y = a * x ** 2         # y = ax^2 = 3x^2
mytape.__exit__(None, None, None)   # stop recording
print(repr(mytape.gradient(y, x)))   # dy/dx = 6x = 12

x = tf.Variable(2.0)
mytape = tf.GradientTape()
mytape.__enter__()
a = x / 2 * 3          # a = (3/2)x
y = a * x ** 2         # y = (3/2)x^3
mytape.__exit__(None, None, None)
print(repr(mytape.gradient(y, x)))   # (9/2)x^2 = 18

x = tf.Variable(2.0)
a = (x / 2) * 3        # computed before the tape opened: a constant for the tape
mytape = tf.GradientTape()
mytape.__enter__()
y = a * x ** 2
mytape.__exit__(None, None, None)
print(repr(mytape.gradient(y, x)))   # 12

x = tf.Variable(2.0)
a = (x / 2) * 3
with tf.GradientTape() as mytape:
    y = a * x ** 2
print(repr(mytape.gradient(y, x)))

x = tf.Variable(2.0)
with tf.GradientTape() as myname:
    a = x / 2 * 3
    y = a * x ** 2
print(repr(myname.gradient(y, x)))
try:
    myname.gradient(y, x)   # a non-persistent tape computes one set of gradients
except RuntimeError as ex:
    print("RuntimeError:", ex)

with tf.GradientTape(persistent=True) as myname:
    a = x / 2 * 3
    y = a * x ** 2
print(repr(myname.gradient(y, x)), repr(myname.gradient(y, x)))

# watch: constants are not recorded unless watched
x = tf.constant(2.0)
with tf.GradientTape(persistent=True) as myname:
    a = x / 2 * 3
    y = a * x ** 2
print(myname.gradient(y, x))
with tf.GradientTape(persistent=True) as myname:
    myname.watch(x)
    a = x / 2 * 3
    y = a * x ** 2
print(myname.gradient(y, x))

x = tf.Variable(2.0)
with tf.GradientTape(persistent=True, watch_accessed_variables=False) as myname:
    a = x / 2 * 3
    y = a * x ** 2
print(myname.gradient(y, x))
with tf.GradientTape(persistent=True, watch_accessed_variables=False) as myname:
    myname.watch(x)
    a = x / 2 * 3
    y = a * x ** 2
print(repr(myname.gradient(y, x)))

# -- tnp: NumPy behaviour (promotion, methods) for the rest of the program -----------------------
import tensorflow.experimental.numpy as tnp  # noqa: E402
tnp.experimental_enable_numpy_behavior()
print(repr(tf.Variable([1, 2]) + tf.Variable([3.14, 3.14])))   # promoted to float64
try:
    tf.Variable([1, 2, 3, 4]).reshape(2, 2)
except AttributeError as ex:
    print("AttributeError:", ex)
print(repr(tf.constant([1, 2, 3, 4]).reshape(2, 2)))

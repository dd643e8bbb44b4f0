"""TensorFlow basics (Hands-on Machine Learning, 2nd ed., chapter 12), as a script.

Seed tutorial 000: tensors and operations, indexing, NumPy interop, TF's strict dtypes,
strings, ragged and sparse tensors, sets, variables, TensorArray and GradientTape.
Run it unchanged with tftape standing in for TensorFlow:

    python -m tftape examples/tensorflow_basics.py

(It also runs under real TensorFlow: `python examples/tensorflow_basics.py`.)
"""
import numpy as np
import tensorflow as tf
from tensorflow import keras

np.random.seed(42)
tf.random.set_seed(42)

# -- Tensors and operations --------------------------------------------------------------------
print(repr(tf.constant([[1., 2., 3.], [4., 5., 6.]])))   # matrix
print(repr(tf.constant(42)))                              # scalar
t = tf.constant([[1., 2., 3.], [4., 5., 6.]])
print(t.shape, t.dtype)

# Indexing: like NumPy, with `...` and tf.newaxis
a = np.arange(12).reshape(3, 4)
print(a[1, ...], a[..., 1])
print(repr(t[:, 1:]))
print(t[:, 1], t[..., 1], t[..., 1, tf.newaxis], t[:, 1, np.newaxis])

# Ops and operators
print(repr(t + 10))
print(repr(tf.square(t)))
print(repr(t @ tf.transpose(t)))          # @ is matrix multiplication
print(repr(tf.matmul(t, tf.transpose(t))))

# keras.backend
K = keras.backend
print(K.square(K.transpose(t)), tf.square(tf.transpose(t)))

# -- From/to NumPy -----------------------------------------------------------------------------
a = np.array([2., 4., 5.])
print(repr(tf.constant(a)))               # float64: NumPy keeps its dtype
print(repr(t.numpy()))
print(repr(np.array(t)))
print(repr(tf.square(a)))
print(repr(np.square(t)))

# -- Conflicting types: TF never converts dtypes silently ----------------------------------------
print(np.array([2.0]).dtype, tf.constant([2.0]).dtype)
print(np.array([2.0]) + np.array([30]))
try:
    tf.constant(2.0) + tf.constant(40)
except tf.errors.InvalidArgumentError as ex:
    print(ex)
try:
    tf.constant(2.0) + tf.constant(40., dtype=tf.float64)
except tf.errors.InvalidArgumentError as ex:
    print(ex)
t2 = tf.constant(40., dtype=tf.float64)
print(repr(tf.constant(2.0) + tf.cast(t2, tf.float32)))

# -- Strings -----------------------------------------------------------------------------------
print(repr(tf.constant("hello world, 팀")))
print(repr(tf.constant(["café", "파이썬"])))
print(ord(" "), ord("A"), ord("통"), chr(65), chr(233), chr(53685))
u = tf.constant([ord(c) for c in "caféx통"])
print(repr(u))
p = tf.constant(["Café", "Coffee", "咖啡", "커피"])
print(repr(p))
print(repr(tf.strings.length(p, unit="UTF8_CHAR")))
r = tf.strings.unicode_decode(p, "UTF8")
print(r)

# -- Ragged tensors ----------------------------------------------------------------------------
print(r[1])
print(r[1:3])
print(r[2:])
try:
    x = tf.constant([[65, 66], [], [67]])
except ValueError as ex:
    print("Error:", ex)
r2 = tf.ragged.constant([[65, 66], [], [67]])
print(tf.concat([r, r2], axis=0))
print(repr(tf.concat([r, r2], axis=0).to_tensor()))   # a dense tensor, zero-padded
r3 = tf.ragged.constant([[68, 69, 70], [71], [], [72, 73]])
print(tf.concat([r, r3], axis=1))
print(repr(tf.strings.unicode_encode(r3, "UTF-8")))
print(repr(r.to_tensor()))

# -- Sparse tensors ----------------------------------------------------------------------------
s = tf.SparseTensor(indices=[[0, 1], [1, 0], [2, 3]], values=[1., 2., 3.], dense_shape=[3, 4])
print(s)
print(repr(tf.sparse.to_dense(s)))
s2 = s * 2.0
print(repr(tf.sparse.to_dense(s2) + 1))
try:
    s3 = s + 1.
except TypeError as ex:
    print(ex)
s4 = tf.constant([[10., 20.], [30., 40.], [50., 60.], [70., 80.]])
print(repr(tf.sparse.sparse_dense_matmul(s, s4)))
s5 = tf.SparseTensor(indices=[[0, 2], [0, 1]], values=[1., 2.], dense_shape=[3, 4])
print(s5)
try:
    tf.sparse.to_dense(s5)
except tf.errors.InvalidArgumentError as ex:
    print(ex)
s6 = tf.sparse.reorder(s5)
print(repr(tf.sparse.to_dense(s6)))

# -- Sets --------------------------------------------------------------------------------------
set1 = tf.constant([[2, 3, 5, 7], [7, 9, 0, 0]])
set2 = tf.constant([[4, 5, 6], [9, 10, 0]])
print(repr(tf.sparse.to_dense(tf.sets.union(set1, set2))))
print(repr(tf.sparse.to_dense(tf.sets.difference(set1, set2))))
print(repr(tf.sparse.to_dense(tf.sets.intersection(set1, set2))))

# -- Variables ---------------------------------------------------------------------------------
t = tf.constant([1, 2, 3])
print(t)
try:
    t[0] = 7                               # tensors are immutable
except TypeError as ex:
    print(ex)
t2 = tf.Variable([1, 2, 3])
try:
    t2[1] = 7
except TypeError as ex:
    print(ex)
print(repr(t2[2].assign(7)))
print(repr(t2.assign([7, 8, 9])))
print(repr(t2.assign_sub([1, 1, 1])))
print(repr(t2.assign_add([1, 1, 1])))
v = tf.Variable([[1., 2., 3.], [4., 5., 6.]])
print(repr(v.assign(2 * v)))
print(repr(v[0, 1].assign(42)))
print(repr(v[:, 2].assign([77., 88.])))
try:
    v[1] = [7., 8., 9.]
except TypeError as ex:
    print(ex)
print(repr(v.scatter_nd_update(indices=[[0, 0], [1, 2]], updates=[100., 200.])))
sparse_delta = tf.IndexedSlices(values=[[1., 2., 3.], [4., 5., 6.]], indices=[1, 0])
print(repr(v.scatter_update(sparse_delta)))

# -- Tensor arrays -----------------------------------------------------------------------------
array = tf.TensorArray(dtype=tf.float32, size=3)
array = array.write(0, tf.constant([1., 2.]))
array = array.write(1, tf.constant([3., 10.]))
array = array.write(2, tf.constant([5., 7.]))
print(repr(array.stack()))
print(repr(array.read(1)))
mean, variance = tf.nn.moments(array.stack(), axes=0)
print(repr(mean))
print(repr(variance))


# -- Computing gradients with autodiff ---------------------------------------------------------
def f(w1, w2):
    return 3 * w1 ** 2 + 2 * w1 * w2


w1, w2 = 5, 3
eps = 1e-6
print(round((f(w1 + eps, w2) - f(w1, w2)) / eps, 3), round((f(w1, w2 + eps) - f(w1, w2)) / eps, 3))

w1, w2 = tf.Variable(5.), tf.Variable(3.)
with tf.GradientTape() as tape:
    z = f(w1, w2)
gradients = tape.gradient(z, [w1, w2])
print(gradients)

with tf.GradientTape() as tape:
    z = f(w1, w2)
dz_dw1 = tape.gradient(z, w1)              # a non-persistent tape is erased after one call
try:
    dz_dw2 = tape.gradient(z, w2)
except RuntimeError as ex:
    print(ex)

with tf.GradientTape(persistent=True) as tape:
    z = f(w1, w2)
dz_dw1 = tape.gradient(z, w1)
dz_dw2 = tape.gradient(z, w2)              # works now
del tape
print(dz_dw1, dz_dw2)

c1, c2 = tf.constant(5.), tf.constant(3.)
with tf.GradientTape() as tape:
    z = f(c1, c2)
print(tape.gradient(z, [c1, c2]))          # constants are not watched: [None, None]

with tf.GradientTape() as tape:
    tape.watch(c1)
    tape.watch(c2)
    z = f(c1, c2)
print(tape.gradient(z, [c1, c2]))

with tf.GradientTape() as tape:
    z1 = f(w1, w2 + 2.)
    z2 = f(w1, w2 + 5.)
    z3 = f(w1, w2 + 7.)
print(tape.gradient([z1, z2, z3], [w1, w2]))   # the gradients of the sum

with tf.GradientTape(persistent=True) as tape:
    z1 = f(w1, w2 + 2.)
    z2 = f(w1, w2 + 5.)
    z3 = f(w1, w2 + 7.)
print(tf.reduce_sum(tf.stack([tape.gradient(z, [w1, w2]) for z in (z1, z2, z3)]), axis=0))
del tape

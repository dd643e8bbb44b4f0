"""Pooling whose windows tile the input (window == stride): values and gradients against real
TensorFlow, with ties (TF's 1-D/2-D max pooling gradient goes to a window's first maximum, the
3-D one to every maximum)."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

real_tf = pytest.importorskip("tensorflow")
import tftape as tf  # noqa: E402


def _pool_and_grad(lib, fn, x, k, padding, seed):
    xt = lib.constant(x)
    w = lib.constant(np.random.default_rng(seed).standard_normal(1).astype(x.dtype)[0] + 2)
    with lib.GradientTape() as tape:
        tape.watch(xt)
        y = getattr(lib.nn, fn)(xt, k, k, padding)
        loss = lib.reduce_sum(y * y * w)
    return y.numpy(), tape.gradient(loss, xt).numpy()


@settings(deadline=None, max_examples=40)
@given(st.sampled_from(["max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d",
                        "avg_pool3d"]),
       st.integers(1, 3), st.sampled_from(["SAME", "VALID"]),
       st.sampled_from(["float32", "float64", "float16"]), st.integers(0, 2 ** 31))
def test_tiled_pooling_matches_tf(fn, k, padding, dtype, seed):
    rng = np.random.default_rng(seed)
    n = int(fn[-2])
    if n == 3:
        dtype = "float32"   # TF's 3-D pooling kernels take no other float on the CPU
    shape = (2,) + tuple(rng.integers(k, 3 * k + 2, n)) + (3,)
    # Small integers: many ties inside a window, as after a ReLU.
    x = rng.integers(-2, 3, shape).astype(dtype)
    ours, theirs = (_pool_and_grad(lib, fn, x, k, padding, seed) for lib in (tf, real_tf))
    tol = 1e-2 if dtype == "float16" else 1e-6
    for a, b in zip(ours, theirs):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", ["int32", "int64", "uint8"])
def test_tiled_max_pool_integers(dtype):
    x = np.arange(2 * 5 * 6 * 2).reshape(2, 5, 6, 2)[:, ::-1].astype(dtype)
    for padding in ("SAME", "VALID"):
        a = tf.nn.max_pool2d(tf.constant(x), 2, 2, padding)
        b = real_tf.nn.max_pool2d(real_tf.constant(x), 2, 2, padding)
        assert a.dtype.name == b.dtype.name
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_tiled_max_pool_forward_mode_and_second_order():
    x = np.array([[[[5.], [5.], [1.], [7.]], [[5.], [2.], [7.], [0.]]]], np.float32)
    xt = tf.constant(x)
    tangent = tf.constant(np.arange(8, dtype=np.float32).reshape(x.shape))
    with tf.autodiff.ForwardAccumulator(xt, tangent) as acc:
        y = tf.nn.max_pool2d(xt, 2, 2, "VALID")
    # The first maximum of each window carries the tangent: (0, 0) and (0, 3).
    np.testing.assert_array_equal(acc.jvp(y).numpy().ravel(), [0.0, 3.0])
    with tf.GradientTape() as outer:
        outer.watch(xt)
        with tf.GradientTape() as inner:
            inner.watch(xt)
            z = tf.reduce_sum(tf.nn.max_pool2d(xt, 2, 2, "VALID") ** 2)
        g = inner.gradient(z, xt)
    np.testing.assert_array_equal(g.numpy().ravel(), [10, 0, 0, 14, 0, 0, 0, 0])
    np.testing.assert_array_equal(outer.gradient(g, xt).numpy().ravel(),
                                  [2, 0, 0, 2, 0, 0, 0, 0])


@pytest.mark.parametrize("layer", ["MaxPooling1D", "MaxPooling2D", "MaxPooling3D",
                                   "AveragePooling1D", "AveragePooling2D", "AveragePooling3D"])
@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_keras_pooling_layers_tiled(layer, padding, data_format):
    n = int(layer[-2])
    rng = np.random.default_rng(n)
    x = rng.integers(0, 3, (2,) + (5,) * n + (3,)).astype(np.float32)
    if data_format == "channels_first":
        x = np.moveaxis(x, -1, 1).copy()
    res = []
    for lib in (tf, real_tf):
        lay = getattr(lib.keras.layers, layer)(pool_size=2, padding=padding,
                                                 data_format=data_format)
        xt = lib.constant(x)
        with lib.GradientTape() as tape:
            tape.watch(xt)
            y = lay(xt)
            loss = lib.reduce_sum(y * y)
        res.append((y.numpy(), tape.gradient(loss, xt).numpy()))
    for a, b in zip(*res):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)

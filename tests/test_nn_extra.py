"""Oracle tests for the rest of tf.nn: atrous/separable convolutions, depthwise backprops,
morphology, max_pool_with_argmax, space_to_batch, approx top-k, CTC, isotonic regression,
candidate sampling losses and sparse embedding lookups."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tftape as tf
from oracle import assert_same, real_tf

TF = real_tf()
RNG = np.random.RandomState(0)


def _flat(x):
    if isinstance(x, (list, tuple)):
        return [y for v in x for y in _flat(v)]
    if hasattr(x, "indices") and hasattr(x, "dense_shape"):
        return [x.indices, x.values, x.dense_shape]
    return [x]


def both(name, *args, rtol=1e-5, atol=1e-5, **kw):
    """Calls ``tf.nn.<name>`` in tftape and TF; same values, dtypes and shapes, or the same
    exception type."""
    mod = name.split(".") if "." in name else ["nn", name]
    ours_fn, tf_fn = tf, TF
    for m in mod:
        ours_fn, tf_fn = getattr(ours_fn, m), getattr(tf_fn, m)
    try:
        theirs = tf_fn(*args, **kw)
    except Exception as e:  # noqa: BLE001
        with pytest.raises(Exception) as info:  # noqa: PT011 - the type name is compared
            ours_fn(*args, **kw)
        assert type(info.value).__name__ == type(e).__name__, (info.value, e)
        return None
    ours = ours_fn(*args, **kw)
    fo, ft = _flat(ours), _flat(theirs)
    assert len(fo) == len(ft)
    for a, b in zip(fo, ft):
        assert_same(a, b, rtol=rtol, atol=atol)
    return ours


def grads(name, args, wrt, rtol=1e-4, atol=1e-4, pick=lambda r: r, **kw):
    """The gradients of ``sum(output * weights)`` w.r.t. the arguments at ``wrt``."""
    out = {}
    for lib in (tf, TF):
        xs = [lib.constant(a) if i in wrt else a for i, a in enumerate(args)]
        with lib.GradientTape() as tape:
            for i in wrt:
                tape.watch(xs[i])
            ns = lib.random if name.endswith("sampler") else lib.nn
            y = pick(getattr(ns, name)(*xs, **kw))
            w = np.cos(np.arange(int(np.prod(y.shape)))).reshape(y.shape).astype(
                y.dtype.as_numpy_dtype)
            loss = lib.reduce_sum(y * w)
        out[lib] = tape.gradient(loss, [xs[i] for i in wrt])
    for a, b in zip(out[tf], out[TF]):
        assert (a is None) == (b is None)
        if a is not None:
            assert_same(a, b, rtol=rtol, atol=atol)


def rand(*shape, dtype="float32"):
    return RNG.randn(*shape).astype(dtype)


# -- convolutions ---------------------------------------------------------------------------------
@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("rate", [1, 2, 3])
def test_atrous_conv2d(padding, rate):
    x, f = rand(2, 8, 7, 3), rand(3, 2, 3, 2)
    out = both("atrous_conv2d", x, f, rate, padding)
    grads("atrous_conv2d", [x, f, rate, padding], [0, 1])
    y = rand(*out.shape)
    both("atrous_conv2d_transpose", y, f, x.shape, rate, padding)
    grads("atrous_conv2d_transpose", [y, f, x.shape, rate, padding], [0, 1])


def test_atrous_errors():
    x, f = rand(1, 5, 5, 1), rand(2, 2, 1, 1)
    both("atrous_conv2d", x, f, 0, "SAME")
    both("atrous_conv2d_transpose", x, f, x.shape, 0, "SAME")
    both("atrous_conv2d_transpose", x, f, x.shape, 1, "FULL")


@settings(deadline=None, max_examples=8)
@given(st.integers(4, 9), st.integers(4, 9), st.integers(1, 3), st.integers(1, 2),
       st.integers(1, 2), st.sampled_from(["SAME", "VALID"]))
def test_separable_conv2d(h, w, c, mult, stride, padding):
    x, dw, pw = rand(2, h, w, c), rand(3, 3, c, mult), rand(1, 1, c * mult, 3)
    st_ = [1, stride, stride, 1]
    both("separable_conv2d", x, dw, pw, st_, padding, rtol=1e-4, atol=1e-4)
    grads("separable_conv2d", [x, dw, pw, st_, padding], [0, 1, 2])


@settings(deadline=None, max_examples=10)
@given(st.integers(4, 9), st.integers(4, 9), st.integers(1, 3), st.integers(1, 2),
       st.integers(1, 2), st.sampled_from(["SAME", "VALID"]),
       st.sampled_from(["float32", "float64"]))
def test_depthwise_backprops(h, w, c, mult, stride, padding, dtype):
    x, f = rand(2, h, w, c, dtype=dtype), rand(3, 2, c, mult, dtype=dtype)
    st_ = [1, stride, stride, 1]
    dy = rand(*TF.nn.depthwise_conv2d(x, f, st_, padding).shape, dtype=dtype)
    both("depthwise_conv2d_backprop_input", x.shape, f, dy, st_, padding, rtol=1e-4, atol=1e-4)
    both("depthwise_conv2d_backprop_filter", x, f.shape, dy, st_, padding, rtol=1e-4,
         atol=1e-4)


# -- morphology and max pooling with argmax -------------------------------------------------------
MORPH = [([1, 1, 1, 1], [1, 1, 1, 1]), ([1, 2, 2, 1], [1, 1, 1, 1]),
         ([1, 1, 2, 1], [1, 2, 1, 1]), ([1, 2, 1, 1], [1, 2, 2, 1])]


@pytest.mark.parametrize("fn", ["dilation2d", "erosion2d"])
@pytest.mark.parametrize("strides,rates", MORPH)
@pytest.mark.parametrize("padding", ["SAME", "VALID"])
def test_morphology(fn, strides, rates, padding):
    x, f = rand(2, 7, 6, 3), rand(2, 3, 3)
    both(fn, x, f, strides, padding, "NHWC", rates)
    if strides == rates:
        grads(fn, [x, f, strides, padding, "NHWC", rates], [0, 1])


@pytest.mark.parametrize("fn", ["dilation2d", "erosion2d"])
def test_morphology_ties_and_ints(fn):
    x = np.zeros((1, 4, 4, 1), np.float32)
    f = np.zeros((2, 2, 1), np.float32)
    grads(fn, [x, f, [1, 1, 1, 1], "VALID", "NHWC", [1, 1, 1, 1]], [0, 1])
    both(fn, np.arange(16).reshape(1, 4, 4, 1), np.ones((2, 2, 1), np.int64),
         [1, 1, 1, 1], "SAME", "NHWC", [1, 1, 1, 1])


def test_morphology_errors():
    x, f = rand(1, 4, 4, 2), rand(2, 2, 3)
    both("dilation2d", x, f, [1, 1, 1, 1], "SAME", "NHWC", [1, 1, 1, 1])
    both("dilation2d", x, rand(2, 2, 2), [1, 1, 1, 1], "SAME", "NCHW", [1, 1, 1, 1])


@pytest.mark.parametrize("ksize,strides", [(2, 2), (3, 2), ([2, 3], [1, 2]), (3, 1)])
@pytest.mark.parametrize("padding", ["SAME", "VALID"])
def test_max_pool_with_argmax(ksize, strides, padding):
    x = rand(2, 7, 6, 3)
    for batch_index in (False, True):
        both("max_pool_with_argmax", x, ksize, strides, padding,
             include_batch_in_index=batch_index)
    if ksize == 3:
        grads("max_pool_with_argmax", [x, ksize, strides, padding], [0], pick=lambda r: r[0])


def test_max_pool_with_argmax_dtypes_and_ties():
    x = np.zeros((1, 4, 4, 2), np.float64)
    both("max_pool_with_argmax", x, 2, 2, "VALID", output_dtype="int32")
    grads("max_pool_with_argmax", [x.astype(np.float32), 2, 2, "VALID"], [0],
          pick=lambda r: r[0])
    both("max_pool_with_argmax", np.arange(32).reshape(1, 4, 4, 2), 2, 1, "SAME")
    both("max_pool_with_argmax", rand(1, 4, 4, 2), 2, 2, "SAME", data_format="NCHW")
    assert both("max_pool_with_argmax", rand(1, 4, 4, 2), 2, 2, "SAME").output.shape == \
        (1, 2, 2, 2)


# -- space_to_batch -------------------------------------------------------------------------------
@settings(deadline=None, max_examples=10)
@given(st.lists(st.integers(1, 3), min_size=1, max_size=3), st.integers(0, 2 ** 31),
       st.integers(0, 2))
def test_space_to_batch(block, seed, extra):
    r = np.random.RandomState(seed)
    pads = [[int(r.randint(0, 3)), 0] for _ in block]
    shape = [2]
    for k, p in zip(block, pads):
        n = int(r.randint(1, 3)) * k
        p[1] = (n - p[0]) % k
        shape.append(n)
    shape += [2] * extra
    x = r.randn(*shape).astype(np.float32)
    both("space_to_batch", x, block, pads)
    if seed % 3 == 0:
        grads("space_to_batch", [x, block, pads], [0])


def test_space_to_batch_errors():
    x = np.arange(12).reshape(1, 4, 3)
    both("space_to_batch", x, [2], [[1, 1]])
    both("space_to_batch", x, [2], [[1, 0]])
    both("space_to_batch", x, [0], [[0, 0]])
    both("space_to_batch", x, [2], [[-2, 0]])
    both("space_to_batch", x, [2, 2, 2], [[0, 0]] * 3)


# -- approx top-k, batch norm ---------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float16", "float32", "bfloat16"])
@pytest.mark.parametrize("k", [1, 3, 10])
def test_approx_max_k(dtype, k):
    x = TF.cast(rand(3, 10), dtype).numpy()
    both("approx_max_k", x, k)
    x = np.array([[1, 2, 2, 0, 2, 1]], np.float32)
    both("approx_max_k", x, 2)


def test_approx_k_values_and_errors():
    x = rand(4, 6)
    v, i = tf.nn.approx_min_k(x, 2)
    np.testing.assert_array_equal(i.numpy(), np.argsort(x, axis=-1, kind="stable")[:, :2])
    np.testing.assert_array_equal(v.numpy(), np.sort(x, axis=-1)[:, :2])
    v, i = tf.nn.approx_max_k(x, 3, reduction_dimension=0)
    np.testing.assert_array_equal(v.numpy(), -np.sort(-x, axis=0)[:3])
    both("approx_max_k", np.arange(4, dtype=np.int32), 2)
    both("approx_max_k", x, 7)
    grads("approx_max_k", [x, 3], [0], pick=lambda r: r[0])


@pytest.mark.parametrize("scale", [True, False])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_batch_norm_with_global_normalization(scale, dtype):
    x = rand(2, 3, 4, dtype=dtype)
    m, b, g = rand(4, dtype=dtype), rand(4, dtype=dtype), rand(4, dtype=dtype)
    v = np.abs(rand(4, dtype=dtype))
    both("batch_norm_with_global_normalization", x, m, v, b, g, 1e-3, scale)
    grads("batch_norm_with_global_normalization", [x, m, v, b, g, 1e-3, scale],
          [0, 1, 2, 3, 4])

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


# -- CTC ------------------------------------------------------------------------------------------
def _ctc_case(seed, n_t=6, b=3, c=5, n_l=3):
    r = np.random.RandomState(seed)
    logits = r.randn(n_t, b, c).astype(np.float32)
    label_length = r.randint(0, n_l + 1, b)
    logit_length = np.maximum(r.randint(1, n_t + 1, b), 2 * label_length)
    labels = r.randint(1, c, (b, n_l))
    labels[np.arange(n_l)[None] >= label_length[:, None]] = 0
    return labels, logits, label_length, np.minimum(logit_length, n_t)


@settings(deadline=None, max_examples=15)
@given(st.integers(0, 2 ** 31), st.sampled_from([None, 0, 2, -1]), st.booleans())
def test_ctc_loss(seed, blank_index, time_major):
    labels, logits, label_length, logit_length = _ctc_case(seed)
    if blank_index not in (None, 0):
        labels = np.where(labels == (blank_index % 5), 0, labels)
    if not time_major:
        logits = logits.transpose(1, 0, 2)
    kw = dict(logits_time_major=time_major, blank_index=blank_index)
    both("ctc_loss", labels, logits, label_length, logit_length, rtol=1e-4, atol=1e-4, **kw)
    if seed % 3 == 0:
        grads("ctc_loss", [labels, logits, label_length, logit_length], [1], **kw)


def test_ctc_loss_sparse_labels_and_errors():
    labels, logits, label_length, logit_length = _ctc_case(1)
    labels = np.array([[1, 2, 0], [3, 0, 0], [2, 2, 4]])
    logit_length = np.array([6, 4, 5])
    for lib in (tf, TF):
        sp = lib.sparse.from_dense(labels.astype(np.int32))
        out = lib.nn.ctc_loss(sp, logits, None, logit_length, blank_index=0)
        if lib is tf:
            ours = out
    assert_same(ours, out, rtol=1e-4)
    both("ctc_loss", labels, logits.astype(np.float64), label_length, logit_length)
    both("ctc_loss", labels, logits, None, logit_length)
    with pytest.raises(ValueError):
        tf.nn.ctc_loss(tf.sparse.from_dense(labels), logits, None, logit_length)
    labels[1] = 0
    for lib in (tf, TF):
        with pytest.raises(lib.errors.InvalidArgumentError):
            lib.nn.ctc_loss(lib.sparse.from_dense(labels.astype(np.int32)), logits, None,
                            logit_length, blank_index=0)
    # An alignment that cannot fit (two equal labels need three steps): TF's loss is its
    # large finite stand-in for log(0), tftape's is inf (docs/ops.md).
    args = (np.array([[1, 1]]), np.zeros((2, 1, 3), np.float32), [2], [2])
    assert np.isinf(tf.nn.ctc_loss(*args).numpy()[0]) and TF.nn.ctc_loss(*args).numpy()[0] > 100


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("merge", [True, False])
@pytest.mark.parametrize("blank_index", [None, 0, 2, -2])
def test_ctc_greedy_decoder(seed, merge, blank_index):
    r = np.random.RandomState(seed)
    logits = r.randn(7, 3, 4).astype(np.float32)
    logits[2:4] = logits[1]                                  # runs of repeated labels
    both("ctc_greedy_decoder", logits, [7, 4, 0], merge_repeated=merge,
         blank_index=blank_index)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("beam_width,top_paths", [(1, 1), (4, 3), (10, 2)])
def test_ctc_beam_search_decoder(seed, beam_width, top_paths):
    r = np.random.RandomState(seed)
    logits = r.randn(6, 3, 5).astype(np.float32)
    both("ctc_beam_search_decoder", logits, [6, 3, 2], beam_width=beam_width,
         top_paths=top_paths, rtol=1e-5, atol=1e-5)


def test_ctc_decoder_errors():
    logits = rand(4, 2, 3)
    both("ctc_greedy_decoder", logits, [5, 2])
    both("ctc_greedy_decoder", logits, [4])
    both("ctc_beam_search_decoder", logits, [4, 0], beam_width=4, top_paths=3)


@settings(deadline=None, max_examples=20)
@given(st.integers(0, 2 ** 31), st.sampled_from(["int32", "int64"]))
def test_collapse_repeated_and_unique_labels(seed, dtype):
    r = np.random.RandomState(seed)
    labels = r.randint(0, 3, (3, 6)).astype(dtype)
    lengths = r.randint(1, 7, 3).astype(dtype)
    both("collapse_repeated", labels, lengths)
    both("ctc_unique_labels", labels)
    assert type(tf.nn.ctc_unique_labels(labels)) is type(TF.nn.ctc_unique_labels(labels))


# -- sparse embedding lookups ---------------------------------------------------------------------
def _sparse_ids(lib, seed, rank=2, negative=False):
    r = np.random.RandomState(seed)
    shape = [4, 3] if rank == 2 else [2, 2, 3]
    mask = r.rand(*shape) < 0.5
    idx = np.argwhere(mask)
    ids = r.randint(-1 if negative else 0, 5, len(idx))
    w = r.rand(len(idx)).astype(np.float32) - (0.2 if negative else 0)
    return (lib.sparse.SparseTensor(idx, lib.constant(ids, lib.int64), shape),
            lib.sparse.SparseTensor(idx, w, shape))


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("combiner", ["mean", "sqrtn", "sum"])
@pytest.mark.parametrize("weighted", [False, True])
def test_embedding_lookup_sparse(seed, combiner, weighted):
    params = rand(5, 3)
    res = {}
    for lib in (tf, TF):
        ids, w = _sparse_ids(lib, seed)
        res[lib] = lib.nn.embedding_lookup_sparse(params, ids, w if weighted else None,
                                                  combiner=combiner)
        if seed == 0:
            res[(lib, "n")] = lib.nn.embedding_lookup_sparse(params, ids, None, max_norm=1.5)
    assert_same(res[tf], res[TF], rtol=1e-5)
    if seed == 0:
        assert_same(res[(tf, "n")], res[(TF, "n")], rtol=1e-5)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("combiner", ["mean", "sqrtn", "sum"])
@pytest.mark.parametrize("default_id", [None, 4])
@pytest.mark.parametrize("rank", [2, 3])
def test_safe_embedding_lookup_sparse(seed, combiner, default_id, rank):
    params = rand(5, 3)
    res = {}
    for lib in (tf, TF):
        ids, w = _sparse_ids(lib, seed, rank, negative=True)
        res[lib] = lib.nn.safe_embedding_lookup_sparse(params, ids, w, combiner=combiner,
                                                       default_id=default_id)
        res[(lib, 1)] = lib.nn.safe_embedding_lookup_sparse([params], ids, None,
                                                             combiner=combiner)
    assert_same(res[tf], res[TF], rtol=1e-5)
    assert_same(res[(tf, 1)], res[(TF, 1)], rtol=1e-5)


def test_embedding_lookup_sparse_gradient_and_errors():
    params = rand(5, 3)
    out = {}
    for lib in (tf, TF):
        ids, w = _sparse_ids(lib, 0)
        p = lib.constant(params)
        with lib.GradientTape() as tape:
            tape.watch(p)
            y = lib.reduce_sum(lib.nn.embedding_lookup_sparse(p, ids, w, combiner="sqrtn") *
                               np.arange(3.))
        g = tape.gradient(y, p)
        out[lib] = lib.convert_to_tensor(g)
    assert_same(out[tf], out[TF], rtol=1e-5)
    with pytest.raises(ValueError):
        tf.nn.embedding_lookup_sparse(params, _sparse_ids(tf, 0)[0], None, combiner="max")
    with pytest.raises(ValueError):
        TF.nn.embedding_lookup_sparse(params, _sparse_ids(TF, 0)[0], None, combiner="max")

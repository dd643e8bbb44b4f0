"""Activation, EinsumDense, RMSNormalization, adaptive pooling, SpectralNormalization,
ReversibleEmbedding and GroupQueryAttention layers against real tf.keras (Keras 3)."""
from __future__ import annotations

import copy
import os

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
real_tf = pytest.importorskip("tensorflow")

import tftape as tf  # noqa: E402
from tests._keras_oracle import check_error, check_layer, check_output_shape, \
    check_training, close, same_weights  # noqa: E402

RNG = np.random.default_rng(0)


@pytest.fixture(autouse=True)
def _fresh_names():
    # Weight paths carry auto-generated layer names: both libraries count from zero.
    tf.keras.backend.clear_session()
    real_tf.keras.backend.clear_session()


def _x(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


# -- activation layers -------------------------------------------------------------------------
@pytest.mark.parametrize("name,kwargs", [
    ("ELU", {}), ("ELU", {"alpha": 0.5}), ("LeakyReLU", {}), ("LeakyReLU", {"negative_slope": 0.1}),
    ("ThresholdedReLU", {}), ("ThresholdedReLU", {"theta": 0.3}), ("Identity", {}),
    ("ActivityRegularization", {"l1": 0.1, "l2": 0.2}),
])
@pytest.mark.parametrize("shape", [(4,), (2, 3, 4)])
def test_activation_layers_match_tf(name, kwargs, shape):
    ours, _, ya, yb = check_layer(real_tf, name, (), kwargs, _x(*shape), weights=False)
    assert tuple(ours.compute_output_shape(shape)) == tuple(yb.shape)


@pytest.mark.parametrize("kwargs,shape", [
    ({}, (2, 5)), ({}, (2, 3, 4)), ({"shared_axes": [1]}, (2, 3, 4)),
    ({"shared_axes": 2}, (2, 3, 4)), ({"shared_axes": [1, 2]}, (2, 3, 4, 2)),
    ({"alpha_initializer": "ones", "alpha_regularizer": "l2"}, (3, 4)),
])
def test_prelu_matches_tf(kwargs, shape):
    ours, theirs, _, _ = check_layer(real_tf, "PReLU", (), kwargs, _x(*shape))
    assert [w.path for w in ours.weights] == [w.path for w in theirs.weights]
    close(sum(float(v) for v in ours.losses), sum(float(v) for v in theirs.losses))


def test_prelu_trains_as_tf():
    def build(lib):
        k = lib.keras
        return k.Sequential([k.Input((4,)), k.layers.Dense(3), k.layers.PReLU(),
                             k.layers.Dense(1)])
    check_training(real_tf, build, _x(8, 4), _x(8, 1))


@pytest.mark.parametrize("shape", [(1, 3), (2, 4), (3, 2, 2)])
def test_activity_regularization_losses_match_tf(shape):
    x = _x(*shape)
    for make in (lambda lib: lib.keras.layers.ActivityRegularization(0.1, 0.2),
                 lambda lib: lib.keras.layers.Dense(2, activity_regularizer="l2",
                                                    kernel_initializer="ones")):
        a, b = make(tf), make(real_tf)
        a(x), b(x)
        a(x), b(x)      # each outermost call starts its losses afresh
        assert len(a.losses) == len(b.losses) == 1
        close(a.losses[0], b.losses[0])


def test_activity_regularization_in_training_matches_tf():
    def build(lib):
        k = lib.keras
        return k.Sequential([k.Input((3,)), k.layers.Dense(4),
                             k.layers.ActivityRegularization(l1=0.01, l2=0.05),
                             k.layers.Dense(1)])
    check_training(real_tf, build, _x(8, 3), _x(8, 1), steps=4)


def test_activation_layers_keep_masks():
    x = np.array([[1, 2, 0]])
    for name in ("ELU", "LeakyReLU", "Identity", "PReLU"):
        emb = tf.keras.layers.Embedding(4, 2, mask_zero=True)
        y = getattr(tf.keras.layers, name)()(emb(x))
        assert tf.keras.layers.Masking.__name__ and y is not None
        from tftape.keras._layer_utils import get_mask
        assert get_mask(y).numpy().tolist() == [[True, True, False]]


@pytest.mark.parametrize("make", [
    lambda lib: lib.keras.layers.LeakyReLU(negative_slope=-1),
    lambda lib: lib.keras.layers.LeakyReLU(negative_slope=None),
    lambda lib: lib.keras.layers.ThresholdedReLU(theta=-1.0),
    lambda lib: lib.keras.layers.ThresholdedReLU(theta=None),
    lambda lib: lib.keras.layers.PReLU()(np.zeros((2, 3), "float32")) and
    lib.keras.layers.PReLU()(np.zeros((2, 3), "float32")),
])
def test_activation_errors_match_tf(make):
    try:
        make(real_tf)
    except Exception as e:  # noqa: BLE001
        check_error(real_tf, make, type(e))


# -- EinsumDense -------------------------------------------------------------------------------
EINSUM_CASES = [
    ("ab,bc->ac", 4, None, (3, 5)),
    ("ab,bc->ac", 4, "c", (3, 5)),
    ("abc,cd->abd", (None, 4), "d", (2, 3, 5)),
    ("abc,cde->abde", (None, 2, 3), "de", (2, 3, 5)),
    ("...b,bc->...c", 4, "c", (2, 3, 5)),
    ("abc,bcd->ad", 4, "d", (2, 3, 5)),
    ("ab...,bc->ac...", 4, "c", (2, 5, 3)),
    ("abcd,cde->abe", (3, 6), "be", (2, 3, 4, 5)),
]


@pytest.mark.parametrize("eq,out,bias,shape", EINSUM_CASES)
def test_einsum_dense_matches_tf(eq, out, bias, shape):
    kw = {"bias_axes": bias, "activation": "tanh" if bias else None}
    ours, theirs, _, yb = check_layer(real_tf, "EinsumDense", (eq, out), kw, _x(*shape))
    assert tuple(ours.compute_output_shape(shape)) == tuple(theirs.compute_output_shape(shape))
    assert [(w.path, tuple(w.shape)) for w in ours.weights] == \
        [(w.path, tuple(w.shape)) for w in theirs.weights]
    check_output_shape(real_tf, "EinsumDense", (None,) + shape[1:], (eq, out), kw)


@pytest.mark.parametrize("make", [
    lambda lib: lib.keras.layers.EinsumDense("ab->b", 3)(np.zeros((2, 3), "float32")),
    lambda lib: lib.keras.layers.EinsumDense("ab,bc->ac", 4, bias_axes="x")(
        np.zeros((2, 3), "float32")),
    lambda lib: lib.keras.layers.EinsumDense("ab,bcd->ac", 4)(np.zeros((2, 3), "float32")),
    lambda lib: lib.keras.layers.EinsumDense("ab,bc->acx", (4, 2))(
        np.zeros((2, 3), "float32")),
    lambda lib: lib.keras.layers.EinsumDense("abc,cd->abd", (5, 4))(
        np.zeros((2, 3, 3), "float32")),
])
def test_einsum_dense_errors_match_tf(make):
    check_error(real_tf, make, ValueError)


def test_einsum_dense_trains_as_tf():
    def build(lib):
        k = lib.keras
        return k.Sequential([k.Input((3, 4)),
                             k.layers.EinsumDense("abc,cd->abd", (3, 2), bias_axes="d",
                                                  activation="relu"),
                             k.layers.Flatten(), k.layers.Dense(1)])
    check_training(real_tf, build, _x(8, 3, 4), _x(8, 1))


# -- RMSNormalization --------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs,shape", [
    ({}, (2, 5)), ({"epsilon": 1e-3}, (2, 3, 4)), ({"axis": [1, 2]}, (2, 3, 4)),
    ({"axis": 2}, (2, 3, 4)), ({"axis": [-2, -1]}, (3, 2, 5)),
])
def test_rms_normalization_matches_tf(kwargs, shape):
    ours, theirs, _, yb = check_layer(real_tf, "RMSNormalization", (), kwargs, _x(*shape))
    assert [w.path for w in ours.weights] == [w.path for w in theirs.weights]
    assert ours.get_config() == {**theirs.get_config(), "name": ours.name}


@pytest.mark.parametrize("axis", [1, [-1, 1]])
def test_rms_normalization_scale_not_broadcastable_raises_as_tf(axis):
    # Keras multiplies by a scale of the normalized axes' shape, which only broadcasts
    # when those are the trailing axes.
    x = _x(2, 3, 4)
    with pytest.raises(real_tf.errors.InvalidArgumentError):
        real_tf.keras.layers.RMSNormalization(axis=axis)(x)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.keras.layers.RMSNormalization(axis=axis)(x)


def test_rms_normalization_trains_as_tf():
    def build(lib):
        k = lib.keras
        return k.Sequential([k.Input((5,)), k.layers.Dense(4), k.layers.RMSNormalization(),
                             k.layers.Dense(1)])
    check_training(real_tf, build, _x(8, 5), _x(8, 1))


# -- adaptive pooling --------------------------------------------------------------------------
ADAPTIVE = [f"Adaptive{kind}Pooling{n}D" for kind in ("Average", "Max") for n in (1, 2, 3)]


@settings(max_examples=12, deadline=None)
@given(name=st.sampled_from(ADAPTIVE), size=st.integers(2, 9), out=st.integers(2, 6),
       channels_first=st.booleans(), data=st.data())
def test_adaptive_pooling_matches_tf(name, size, out, channels_first, data):
    # Note: Keras' TF kernels crash when a pooling window is longer than the input
    # (out=1 with tiny inputs), so outputs start at 2.
    rank = int(name[-2])
    sizes = tuple(data.draw(st.integers(max(2, out // 2 + 1), 8)) for _ in range(rank - 1))
    spatial = (size,) + sizes
    df = "channels_first" if channels_first else "channels_last"
    shape = (2, 3) + spatial if channels_first else (2,) + spatial + (3,)
    ours, _, _, yb = check_layer(real_tf, name, (out,), {"data_format": df}, _x(*shape),
                                 weights=False)
    assert tuple(ours.compute_output_shape(shape)) == tuple(yb.shape)


@pytest.mark.parametrize("name", ADAPTIVE)
def test_adaptive_pooling_tuple_sizes_and_shapes(name):
    rank = int(name[-2])
    out = tuple(range(2, 2 + rank))
    check_layer(real_tf, name, (out,), {}, _x(*((2,) + (7,) * rank + (2,))), weights=False)
    check_output_shape(real_tf, name, (None,) + (6,) * rank + (3,), (out,))


@pytest.mark.parametrize("make,exc", [
    (lambda lib: lib.keras.layers.AdaptiveAveragePooling1D((2, 3)), ValueError),
    (lambda lib: lib.keras.layers.AdaptiveMaxPooling1D("a"), TypeError),
    (lambda lib: lib.keras.layers.AdaptiveAveragePooling2D((2, 3, 4)), TypeError),
    (lambda lib: lib.keras.layers.AdaptiveMaxPooling3D((2, 3)), TypeError),
    (lambda lib: lib.keras.layers.AdaptiveMaxPooling2D(2, data_format="nhwc"), ValueError),
])
def test_adaptive_pooling_errors_match_tf(make, exc):
    check_error(real_tf, make, exc)


def test_adaptive_pooling_trains_as_tf():
    def build(lib):
        k = lib.keras
        return k.Sequential([k.Input((7, 5, 2)), k.layers.Conv2D(3, 2),
                             k.layers.AdaptiveMaxPooling2D((3, 2)),
                             k.layers.AdaptiveAveragePooling2D(2),
                             k.layers.Flatten(), k.layers.Dense(1)])
    check_training(real_tf, build, _x(4, 7, 5, 2), _x(4, 1))


# -- SpectralNormalization ---------------------------------------------------------------------
@pytest.mark.parametrize("inner,shape,iterations", [
    (lambda lib: lib.keras.layers.Dense(3), (2, 4), 1),
    (lambda lib: lib.keras.layers.Dense(2, use_bias=False), (3, 2, 5), 3),
    (lambda lib: lib.keras.layers.Conv2D(2, 2), (2, 5, 5, 3), 2),
    (lambda lib: lib.keras.layers.Conv1D(3, 2), (2, 6, 2), 1),
])
def test_spectral_normalization_matches_tf(inner, shape, iterations):
    x = _x(*shape)
    a = tf.keras.layers.SpectralNormalization(inner(tf), power_iterations=iterations)
    b = real_tf.keras.layers.SpectralNormalization(inner(real_tf), power_iterations=iterations)
    a(x), b(x)
    assert [(w.path, tuple(w.shape), w.trainable) for w in a.weights] == \
        [(w.path, tuple(w.shape), w.trainable) for w in b.weights]
    same_weights(a, b)
    for training in (False, True, True, False):
        close(a(x, training=training), b(x, training=training))
        for u, w in zip(a.get_weights(), b.get_weights()):
            close(u, w)
    assert a.get_config() == b.get_config()
    again = tf.keras.layers.SpectralNormalization.from_config(a.get_config()).get_config()
    want = a.get_config()
    want["layer"].pop("build_config")      # the rebuilt inner layer is not built yet
    assert again == want
    assert tuple(a.compute_output_shape(shape)) == tuple(b.compute_output_shape(shape))


def test_spectral_normalization_embedding_and_zero_kernel():
    ids = np.array([[1, 2], [0, 3]])
    a = tf.keras.layers.SpectralNormalization(tf.keras.layers.Embedding(4, 3))
    b = real_tf.keras.layers.SpectralNormalization(real_tf.keras.layers.Embedding(4, 3))
    a(ids), b(ids)
    same_weights(a, b)
    close(a(ids, training=True), b(ids, training=True))
    for lib, layer in ((tf, a), (real_tf, b)):       # an all-zero kernel is left as it is
        layer.layer.embeddings.assign(np.zeros((4, 3), "float32"))
        u = layer.vector_u.numpy()
        layer(ids, training=True)
        assert not layer.layer.embeddings.numpy().any()
        np.testing.assert_array_equal(layer.vector_u.numpy(), u)


@pytest.mark.parametrize("make,exc", [
    (lambda lib: lib.keras.layers.SpectralNormalization(lib.keras.layers.Dense(2),
                                                        power_iterations=0), ValueError),
    (lambda lib: lib.keras.layers.SpectralNormalization("dense"), ValueError),
    (lambda lib: lib.keras.layers.SpectralNormalization(lib.keras.layers.Flatten())(
        np.zeros((2, 3), "float32")), ValueError),
])
def test_spectral_normalization_errors_match_tf(make, exc):
    check_error(real_tf, make, exc)


def test_spectral_normalization_trains_as_tf():
    def build(lib):
        k = lib.keras
        return k.Sequential([k.Input((4,)),
                             k.layers.SpectralNormalization(k.layers.Dense(3)),
                             k.layers.Dense(1)])
    check_training(real_tf, build, _x(8, 4), _x(8, 1))


# -- ReversibleEmbedding -----------------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [
    {}, {"tie_weights": False}, {"logit_soft_cap": 2.0}, {"mask_zero": True},
    {"tie_weights": False, "logit_soft_cap": 0.5, "reverse_dtype": "float32"},
])
def test_reversible_embedding_matches_tf(kwargs):
    ids = np.array([[1, 2, 0], [3, 0, 4]])
    h = _x(2, 3, 4)
    a = tf.keras.layers.ReversibleEmbedding(5, 4, **kwargs)
    b = real_tf.keras.layers.ReversibleEmbedding(5, 4, **kwargs)
    a(ids), b(ids)
    assert [(w.path, tuple(w.shape)) for w in a.weights] == \
        [(w.path, tuple(w.shape)) for w in b.weights]
    same_weights(a, b)
    close(a(ids), b(ids))
    ya, yb = a(h, reverse=True), b(h, reverse=True)
    assert ya.dtype.name == yb.dtype.name
    close(ya, yb)
    close(a(h[0], reverse=True), b(h[0], reverse=True))
    assert a.get_config() == b.get_config()
    assert type(a).from_config(a.get_config()).get_config() == a.get_config()
    assert list(a.compute_output_shape((2, 3), reverse=False)) == \
        list(b.compute_output_shape((2, 3), reverse=False))
    assert list(a.compute_output_shape((2, 3, 4), reverse=True)) == \
        list(b.compute_output_shape((2, 3, 4), reverse=True))


def test_reversible_embedding_trains_as_tf():
    ids = np.array([[1, 2, 0], [3, 0, 4], [2, 2, 1], [4, 1, 3]])

    def build(lib):
        k = lib.keras
        emb = k.layers.ReversibleEmbedding(5, 4)
        inp = k.Input((3,), dtype="int32")
        h = k.layers.Dense(4, activation="tanh")(emb(inp))
        return k.Model(inp, emb(h, reverse=True))
    check_training(real_tf, build, ids, _x(4, 3, 5))


# -- GroupQueryAttention -----------------------------------------------------------------------
GQA_CASES = [
    ((4, 4, 2), {}), ((3, 6, 2), {"use_bias": False}),
    ((4, 4, 1), {"use_gate": True, "dropout": 0.5}), ((4, 4, 2), {"sliding_window": 2}),
]


@pytest.mark.parametrize("args,kwargs", GQA_CASES)
def test_group_query_attention_matches_tf(args, kwargs):
    q, v, k = _x(2, 3, 8), _x(2, 5, 8), _x(2, 5, 6)
    # The weights are replaced below: constant initializers spare a JAX compile per shape.
    kwargs = {**kwargs, "kernel_initializer": "zeros"}
    a = tf.keras.layers.GroupQueryAttention(*args, **kwargs)
    b = real_tf.keras.layers.GroupQueryAttention(*args, **kwargs)
    a(q, v, k), b(q, v, k)
    assert [(w.path, tuple(w.shape)) for w in a.weights] == \
        [(w.path, tuple(w.shape)) for w in b.weights]
    same_weights(a, b)
    close(a(q, v, k), b(q, v, k))
    oa, sa = a(q, v, k, return_attention_scores=True)
    ob, sb = b(q, v, k, return_attention_scores=True)
    close(oa, ob), close(sa, sb)
    close(a(q, v, k, use_causal_mask=True), b(q, v, k, use_causal_mask=True))
    mask = RNG.random((2, 3, 5)) > 0.3
    mask[:, :, 0] = True
    close(a(q, v, k, attention_mask=mask), b(q, v, k, attention_mask=mask))
    vm = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], bool)
    close(a(q, v, k, value_mask=vm, key_mask=vm), b(q, v, k, value_mask=vm, key_mask=vm))
    assert a.get_config() == b.get_config()
    again = type(a).from_config(a.get_config())
    assert {**again.get_config(), "name": None} == {**a.get_config(), "name": None}


def test_group_query_attention_self_attention_and_shapes():
    q = _x(2, 4, 6)
    a = tf.keras.layers.GroupQueryAttention(3, 2, 1)
    b = real_tf.keras.layers.GroupQueryAttention(3, 2, 1)
    a(q, q), b(q, q)
    same_weights(a, b)
    close(a(q, q), b(q, q))
    assert tuple(a.compute_output_shape((2, 4, 6), (2, 4, 6))) == \
        tuple(b.compute_output_shape((2, 4, 6), (2, 4, 6)))


@pytest.mark.parametrize("make,exc", [
    (lambda lib: lib.keras.layers.GroupQueryAttention(4, 4, 3), ValueError),
    (lambda lib: lib.keras.layers.GroupQueryAttention(4, 4, 2, sliding_window=0), ValueError),
    (lambda lib: lib.keras.layers.GroupQueryAttention(4, 4, 2).compute_output_shape(
        (2, 3, 8), (2, 3, 6)), ValueError),
    (lambda lib: lib.keras.layers.GroupQueryAttention(4, 4, 2).compute_output_shape(
        (2, 3, 8), (2, 3, 8), (2, 4, 8)), ValueError),
])
def test_group_query_attention_errors_match_tf(make, exc):
    check_error(real_tf, make, exc)


def test_group_query_attention_trains_as_tf():
    def build(lib):
        k = lib.keras
        inp = k.Input((4, 6))
        h = k.layers.GroupQueryAttention(3, 4, 2, kernel_initializer="ones")(inp, inp)
        return k.Model(inp, k.layers.Dense(1)(k.layers.Flatten()(h)))
    check_training(real_tf, build, _x(4, 4, 6), _x(4, 1))


# -- serialize / deserialize -------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda lib: lib.keras.layers.Dense(3, activation="relu"),
    lambda lib: lib.keras.layers.EinsumDense("ab,bc->ac", 4, bias_axes="c"),
    lambda lib: lib.keras.layers.GroupQueryAttention(4, 4, 2),
    lambda lib: lib.keras.layers.SpectralNormalization(lib.keras.layers.Dense(2)),
    lambda lib: lib.keras.layers.LeakyReLU(0.1),
    lambda lib: lib.keras.layers.AdaptiveMaxPooling2D((2, 3)),
])
def test_layers_serialize_deserialize_both_ways(make):
    ours, theirs = tf.keras.layers.serialize(make(tf)), real_tf.keras.layers.serialize(
        make(real_tf))
    assert ours == theirs
    for lib, cfg in ((tf, theirs), (real_tf, ours)):
        layer = lib.keras.layers.deserialize(copy.deepcopy(cfg))   # Keras pops from it
        assert type(layer).__name__ in (cfg["class_name"], "GroupedQueryAttention")
        assert lib.keras.layers.serialize(layer) == cfg


def test_layers_serialize_built_layer_and_deserialize_errors():
    x = _x(2, 3)
    a, b = tf.keras.layers.Dense(2), real_tf.keras.layers.Dense(2)
    a(x), b(x)
    assert tf.keras.layers.serialize(a) == real_tf.keras.layers.serialize(b)
    again = tf.keras.layers.deserialize(tf.keras.layers.serialize(a))
    assert again.built and [tuple(w.shape) for w in again.weights] == [(3, 2), (2,)]
    check_error(real_tf, lambda lib: lib.keras.layers.deserialize(
        lib.keras.layers.serialize(lib.keras.layers.Dense(2))["config"] and
        {"class_name": "NoSuchLayer", "config": {}, "module": "keras.layers",
         "registered_name": None}), ValueError)
    check_error(real_tf, lambda lib: lib.keras.layers.deserialize(
        lib.keras.initializers.serialize(lib.keras.initializers.Ones())), ValueError)

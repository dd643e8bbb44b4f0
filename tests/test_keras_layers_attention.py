"""Normalization and attention layers against real tf.keras (Keras 3) as the oracle."""
from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
real_tf = pytest.importorskip("tensorflow")

import tftape as tf  # noqa: E402
from tests._keras_oracle import check_error, check_layer, check_output_shape, close, \
    same_weights, check_training  # noqa: E402

RNG = np.random.default_rng(0)


def _x(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("name,args,kwargs,shape", [
    ("GroupNormalization", (), {"groups": 2}, (2, 6)),
    ("GroupNormalization", (), {"groups": 3, "epsilon": 1e-5}, (2, 4, 5, 6)),
    ("GroupNormalization", (), {"groups": -1, "center": False}, (2, 3, 4)),
    ("GroupNormalization", (), {"groups": 2, "axis": 1}, (2, 4, 3)),
    ("UnitNormalization", (), {}, (3, 4)),
    ("UnitNormalization", (), {"axis": [1, 2]}, (2, 3, 4)),
])
def test_norm_matches_tf(name, args, kwargs, shape):
    ours, _, _, yb = check_layer(real_tf, name, args, kwargs, _x(*shape),
                                 weights=name == "GroupNormalization")
    assert tuple(ours.compute_output_shape(shape)) == tuple(yb.shape)


@pytest.mark.parametrize("make", [
    lambda lib: lib.keras.layers.GroupNormalization(groups=0),
    lambda lib: lib.keras.layers.GroupNormalization(groups=4)(np.zeros((2, 6), "float32")),
    lambda lib: lib.keras.layers.GroupNormalization(groups=8)(np.zeros((2, 6), "float32")),
    lambda lib: lib.keras.layers.UnitNormalization(axis="x"),
    lambda lib: lib.keras.layers.Attention(score_mode="sum"),
    lambda lib: lib.keras.layers.Attention()(np.zeros((2, 3, 4), "float32")),
    lambda lib: lib.keras.layers.MultiHeadAttention(0, 2),
    lambda lib: lib.keras.layers.MultiHeadAttention(2, 2, value_dim=-1),
])
def test_errors_match_tf(make):
    exc = None
    try:
        make(real_tf)
    except Exception as e:  # noqa: BLE001
        exc = type(e)
    check_error(real_tf, make, exc)


@pytest.mark.parametrize("name,kwargs", [
    ("Attention", {}), ("Attention", {"use_scale": True}),
    ("Attention", {"score_mode": "concat"}), ("Attention", {"score_mode": "concat",
                                                            "use_scale": True}),
    ("AdditiveAttention", {}), ("AdditiveAttention", {"use_scale": False}),
])
@pytest.mark.parametrize("with_key", [False, True])
def test_attention_matches_tf(name, kwargs, with_key):
    xs = [_x(2, 3, 4), _x(2, 5, 4)] + ([_x(2, 5, 4)] if with_key else [])
    ours, _, _, yb = check_layer(real_tf, name, (), kwargs, xs)
    assert tuple(ours.compute_output_shape([x.shape for x in xs])) == tuple(yb.shape)


@pytest.mark.parametrize("name", ["Attention", "AdditiveAttention"])
def test_attention_masks_scores_and_causal(name):
    q, v = _x(2, 4, 3), _x(2, 4, 3)
    qm = np.array([[1, 1, 1, 0], [1, 1, 0, 0]], bool)
    vm = np.array([[1, 0, 1, 1], [1, 1, 1, 0]], bool)
    a, b = getattr(tf.keras.layers, name)(), getattr(real_tf.keras.layers, name)()
    b([q, v]), a([q, v])
    same_weights(a, b)
    for kw in ({"mask": [qm, vm]}, {"use_causal_mask": True},
               {"mask": [qm, vm], "use_causal_mask": True, "return_attention_scores": True}):
        ya, yb = a([q, v], **kw), b([q, v], **kw)
        for u, w in zip(ya if isinstance(ya, tuple) else [ya],
                        yb if isinstance(yb, tuple) else [yb]):
            close(u, w)


MHA_CASES = [
    ({"num_heads": 2, "key_dim": 3}, (2, 4, 5), (2, 6, 5), None),
    ({"num_heads": 1, "key_dim": 2, "value_dim": 3, "output_shape": 4}, (2, 3, 5),
     (2, 4, 6), (2, 4, 2)),
    ({"num_heads": 3, "key_dim": 2, "use_bias": False}, (1, 5, 4), (1, 5, 4), None),
]


@pytest.mark.parametrize("kwargs,qs,vs,ks", MHA_CASES)
def test_multi_head_attention_matches_tf(kwargs, qs, vs, ks):
    q, v = _x(*qs), _x(*vs)
    k = None if ks is None else _x(*ks)
    made = []
    for lib in (tf, real_tf):
        lib.keras.backend.clear_session()
        made.append(lib.keras.layers.MultiHeadAttention(**kwargs))
    a, b = made
    assert a.get_config() == b.get_config()
    b(q, v, k), a(q, v, k)
    assert [(w.path, tuple(w.shape)) for w in a.weights] == \
        [(w.path, tuple(w.shape)) for w in b.weights]
    same_weights(a, b)
    close(a(q, v, k), b(q, v, k))
    assert a.get_config() == b.get_config()
    oa, sa = a(q, v, k, return_attention_scores=True)
    ob, sb = b(q, v, k, return_attention_scores=True)
    close(oa, ob)
    close(sa, sb)
    again = tf.keras.layers.MultiHeadAttention.from_config(a.get_config())
    assert again.get_config()["num_heads"] == kwargs["num_heads"]


def test_multi_head_attention_masks():
    q = _x(2, 4, 6)
    made = [lib.keras.layers.MultiHeadAttention(2, 3) for lib in (tf, real_tf)]
    made[1](q, q), made[0](q, q)
    same_weights(*made)
    am = RNG.integers(0, 2, (2, 4, 4)).astype(bool)
    am[:, :, 0] = True
    for kw in ({"attention_mask": am}, {"use_causal_mask": True},
               {"attention_mask": am, "use_causal_mask": True}):
        close(made[0](q, q, **kw), made[1](q, q, **kw))
    # Keras masks of the query/value (from Embedding) join the attention mask.
    ids = np.array([[1, 2, 3, 0], [4, 5, 0, 0]], "int32")
    outs = []
    for lib, mha in zip((tf, real_tf), made):
        emb = lib.keras.layers.Embedding(8, 6, mask_zero=True,
                                         embeddings_initializer="ones")
        e = emb(ids)
        outs.append(mha(e, e))
    close(outs[0], outs[1])


def test_multi_head_attention_functional_shape():
    shapes = []
    for lib in (tf, real_tf):
        q = lib.keras.Input((4, 6))
        v = lib.keras.Input((5, 6))
        shapes.append(tuple(lib.keras.layers.MultiHeadAttention(2, 3)(q, v).shape))
    assert shapes[0] == shapes[1]


def _transformer(lib):
    L = lib.keras.layers
    inp = lib.keras.Input((5, 4))
    h = L.MultiHeadAttention(2, 3)(inp, inp)
    h = L.LayerNormalization()(L.Add()([inp, h]))
    h = L.GroupNormalization(2)(h)
    a = L.Attention(use_scale=True)([h, inp])
    h = L.Concatenate()([h, a, L.AdditiveAttention()([h, inp])])
    h = L.UnitNormalization()(L.GlobalAveragePooling1D()(h))
    return lib.keras.Model(inp, L.Dense(1)(h))


def _bn_model(lib):
    L = lib.keras.layers
    return lib.keras.Sequential([lib.keras.Input((4,)), L.Dense(5), L.BatchNormalization(),
                                 L.Dense(1)])


@pytest.mark.parametrize("build", [_transformer, _bn_model])
def test_training_losses_match_tf(build):
    check_training(real_tf, build, _x(8, 5, 4) if build is _transformer else _x(8, 4),
                   _x(8, 1), steps=3, tol=1e-4)

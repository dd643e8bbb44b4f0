"""Reshaping, merge, masking and noise layers against real tf.keras (Keras 3)."""
from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
real_tf = pytest.importorskip("tensorflow")

import tftape as tf  # noqa: E402
from tests._keras_oracle import check_error, check_layer, check_output_shape, close, \
    check_training  # noqa: E402

RNG = np.random.default_rng(0)


def _x(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


RESHAPE_CASES = [
    ("Permute", ((2, 1),), {}, (2, 3, 4)),
    ("Permute", ((3, 1, 2),), {}, (2, 3, 4, 5)),
    ("RepeatVector", (3,), {}, (2, 4)),
    ("Cropping1D", (), {}, (2, 5, 3)),
    ("Cropping1D", ((2, 0),), {}, (2, 5, 3)),
    ("Cropping2D", (((1, 0), (2, 1)),), {}, (2, 5, 6, 3)),
    ("Cropping2D", (1,), {"data_format": "channels_first"}, (2, 3, 5, 6)),
    ("Cropping3D", (), {}, (1, 4, 5, 3, 2)),
    ("Cropping3D", ((1, 0, 2),), {}, (1, 4, 5, 6, 2)),
    ("ZeroPadding1D", (), {}, (2, 3, 2)),
    ("ZeroPadding1D", ((2, 0),), {}, (2, 3, 2)),
    ("ZeroPadding2D", (((1, 0), (2, 1)),), {}, (1, 3, 4, 2)),
    ("ZeroPadding2D", (2,), {"data_format": "channels_first"}, (1, 2, 3, 4)),
    ("ZeroPadding3D", (), {}, (1, 2, 3, 2, 2)),
    ("UpSampling1D", (3,), {}, (2, 3, 2)),
    ("UpSampling2D", (), {}, (1, 3, 4, 2)),
    ("UpSampling2D", ((2, 3),), {"interpolation": "bilinear"}, (1, 3, 4, 2)),
    ("UpSampling2D", ((3, 1),), {"data_format": "channels_first"}, (1, 2, 3, 4)),
    ("UpSampling3D", ((1, 2, 2),), {}, (1, 2, 3, 2, 2)),
    ("Masking", (), {}, (2, 4, 3)),
    ("Masking", (0.5,), {}, (2, 4, 3)),
    ("GaussianNoise", (0.3,), {"seed": 1}, (2, 4)),
    ("GaussianDropout", (0.3,), {}, (2, 4)),
    ("AlphaDropout", (0.2,), {"noise_shape": (None, 1)}, (2, 4)),
    ("SpatialDropout1D", (0.5,), {}, (2, 4, 3)),
    ("SpatialDropout2D", (0.5,), {}, (2, 4, 3, 2)),
    ("SpatialDropout3D", (0.5,), {"seed": 3}, (2, 4, 3, 2, 2)),
]


@pytest.mark.parametrize("name,args,kwargs,shape", RESHAPE_CASES)
def test_layer_matches_tf(name, args, kwargs, shape):
    x = _x(*shape)
    if name == "Masking":
        x[0, 1] = args[0] if args else 0.0
    ours, _, _, yb = check_layer(real_tf, name, args, kwargs, x, weights=False)
    assert tuple(ours.compute_output_shape(shape)) == tuple(yb.shape)
    check_output_shape(real_tf, name, (None,) + shape[1:], args, kwargs)


def test_masking_mask_matches_tf():
    x = _x(2, 4, 3)
    x[0, 1] = 0.0
    x[1, 3] = 0.0
    a = tf.keras.layers.Masking()
    b = real_tf.keras.layers.Masking()
    close(a.compute_mask(x), b.compute_mask(x))
    pooled = [lib.keras.layers.GlobalAveragePooling1D()(m(x)) for lib, m in ((tf, a),
                                                                           (real_tf, b))]
    close(pooled[0], pooled[1])


@pytest.mark.parametrize("name,args,kwargs", [
    ("GaussianNoise", (0.5,), {}), ("GaussianDropout", (0.4,), {}),
    ("AlphaDropout", (0.4,), {}), ("SpatialDropout1D", (0.5,), {}),
])
def test_noise_layers_statistics(name, args, kwargs):
    shape = (64, 32, 8) if name == "SpatialDropout1D" else (256, 64)
    x = np.ones(shape, "float32")
    layer = getattr(tf.keras.layers, name)(*args, **kwargs)
    close(layer(x), x)
    y = layer(x, training=True).numpy()
    assert not np.allclose(y, x)
    ref = getattr(real_tf.keras.layers, name)(*args, **kwargs)(x, training=True).numpy()
    # Different random streams: compare the moments, not the draws.
    tol = 0.2 if name.startswith("Spatial") else 0.05
    assert abs(y.mean() - ref.mean()) < tol and abs(y.std() - ref.std()) < 2 * tol
    if name == "SpatialDropout1D":
        assert np.all((y == 0).all(axis=1) | (y != 0).all(axis=1))


@pytest.mark.parametrize("axes,normalize,s1,s2", [
    (1, False, (2, 3), (2, 3)),
    (-1, True, (2, 3), (2, 3)),
    ((2, 2), False, (2, 4, 3), (2, 5, 3)),
    ((1, 2), False, (2, 3, 4), (2, 5, 3)),
    (2, True, (2, 4, 3), (2, 5, 3)),
])
def test_dot_matches_tf(axes, normalize, s1, s2):
    xs = [_x(*s1), _x(*s2)]
    ours, _, ya, yb = check_layer(real_tf, "Dot", (axes,), {"normalize": normalize}, xs,
                                  weights=False)
    assert tuple(ours.compute_output_shape([s1, s2])) == tuple(yb.shape)
    outs = [lib.keras.layers.dot([lib.keras.Input(s1[1:]), lib.keras.Input(s2[1:])],
                                 axes=axes).shape for lib in (tf, real_tf)]
    assert tuple(outs[0]) == tuple(outs[1])


@pytest.mark.parametrize("fn", ["subtract", "multiply", "average", "maximum", "minimum"])
def test_functional_merge_helpers(fn):
    xs = [_x(2, 3), _x(2, 3)]
    close(getattr(tf.keras.layers, fn)(xs), getattr(real_tf.keras.layers, fn)(xs))


@pytest.mark.parametrize("make", [
    lambda lib: lib.keras.layers.Permute((1, 3)),
    lambda lib: lib.keras.layers.RepeatVector(0),
    lambda lib: lib.keras.layers.RepeatVector(2.0),
    lambda lib: lib.keras.layers.RepeatVector(2)(np.zeros((2, 3, 4), "float32")),
    lambda lib: lib.keras.layers.Cropping1D((3, 3))(np.zeros((2, 5, 1), "float32")),
    lambda lib: lib.keras.layers.Cropping2D(((1, 2), (3, 3)))(np.zeros((1, 5, 6, 1),
                                                                        "float32")),
    lambda lib: lib.keras.layers.Cropping2D((1, 2, 3)),
    lambda lib: lib.keras.layers.Cropping2D(-1),
    lambda lib: lib.keras.layers.ZeroPadding3D((1, 2)),
    lambda lib: lib.keras.layers.UpSampling1D(0),
    lambda lib: lib.keras.layers.UpSampling1D(2.0),
    lambda lib: lib.keras.layers.GaussianNoise(2.0),
    lambda lib: lib.keras.layers.Dot((1, 2, 3)),
    lambda lib: lib.keras.layers.Dot("x"),
    lambda lib: lib.keras.layers.Dot(1)([np.zeros((2, 3), "float32"),
                                        np.zeros((2, 4), "float32")]),
    lambda lib: lib.keras.layers.SpatialDropout2D(0.5)(np.zeros((2, 3, 4), "float32")),
])
def test_errors_match_tf(make):
    exc = None
    try:
        make(real_tf)
    except Exception as e:  # noqa: BLE001
        exc = type(e)
    check_error(real_tf, make, exc)


def _model(lib):
    L = lib.keras.layers
    a = lib.keras.Input((6, 2))
    b = lib.keras.Input((6, 2))
    h = L.ZeroPadding1D(1)(a)
    h = L.Cropping1D((1, 1))(h)
    h = L.UpSampling1D(2)(h)
    h = L.Permute((2, 1))(h)
    g = L.Permute((2, 1))(L.UpSampling1D(2)(b))
    d = L.Dot(axes=2)([h, g])
    m = L.Flatten()(L.multiply([h, g]))
    s = L.Flatten()(L.subtract([h, g]))
    out = L.Dense(1)(L.Concatenate()([L.Flatten()(d), m, s,
                                      L.Flatten()(L.RepeatVector(2)(L.Flatten()(h)))]))
    return lib.keras.Model([a, b], out)


def test_functional_graph_training_matches_tf():
    x = [_x(8, 6, 2), _x(8, 6, 2)]
    check_training(real_tf, _model, x, _x(8, 1), steps=3, tol=1e-4)

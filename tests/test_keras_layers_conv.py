"""Convolution and pooling layers against real tf.keras (Keras 3) as the oracle."""
from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
real_tf = pytest.importorskip("tensorflow")

from tests._keras_oracle import check_error, check_layer, check_output_shape, \
    check_training  # noqa: E402

RNG = np.random.default_rng(0)
# Layers that predate this file; their get_config is handled with the other existing layers.
_NO_CONFIG_YET = {"Conv2D", "MaxPooling2D", "AveragePooling2D"}


def _x(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


CONV_CASES = [
    ("Conv1D", (3, 2), {}, (2, 7, 4)),
    ("Conv1D", (4, 3), {"strides": 2, "padding": "same", "activation": "relu"}, (2, 9, 3)),
    ("Conv1D", (2, 3), {"padding": "causal", "dilation_rate": 2}, (1, 8, 2)),
    ("Conv1D", (4, 2), {"groups": 2, "use_bias": False}, (2, 6, 4)),
    ("Conv2D", (3, (2, 3)), {"padding": "same", "strides": (2, 1)}, (2, 5, 6, 2)),
    ("Conv3D", (2, 2), {}, (1, 4, 5, 3, 2)),
    ("Conv3D", (3, (1, 2, 3)), {"padding": "same", "dilation_rate": (1, 2, 1)},
     (1, 4, 5, 6, 2)),
    ("Conv1DTranspose", (3, 3), {"strides": 2}, (2, 5, 4)),
    ("Conv1DTranspose", (3, 3), {"strides": 2, "padding": "same"}, (2, 5, 4)),
    ("Conv2DTranspose", (2, 3), {"strides": 2, "padding": "same"}, (2, 4, 5, 3)),
    ("Conv2DTranspose", (2, (3, 2)), {"strides": (2, 3), "output_padding": (1, 2)},
     (1, 4, 3, 2)),
    ("Conv2DTranspose", (2, 4), {"strides": 2, "padding": "same"}, (1, 3, 3, 2)),
    ("Conv3DTranspose", (2, 2), {"strides": 2}, (1, 2, 3, 2, 3)),
    ("DepthwiseConv2D", (3,), {"depth_multiplier": 2}, (2, 5, 5, 3)),
    ("DepthwiseConv2D", ((2, 3),), {"padding": "same", "strides": 2}, (1, 6, 5, 2)),
    ("DepthwiseConv1D", (3,), {"depth_multiplier": 3}, (2, 6, 2)),
    ("SeparableConv2D", (4, 3), {"depth_multiplier": 2, "padding": "same"}, (2, 5, 5, 3)),
    ("SeparableConv1D", (3, 2), {"activation": "tanh", "strides": 2}, (2, 8, 3)),
]


@pytest.mark.parametrize("name,args,kwargs,shape", CONV_CASES)
def test_conv_layer_matches_tf(name, args, kwargs, shape):
    ours, _, ya, yb = check_layer(real_tf, name, args, kwargs, _x(*shape), tol=1e-4,
                                  config=name not in _NO_CONFIG_YET)
    assert tuple(ours.compute_output_shape(shape)) == tuple(yb.shape)


@pytest.mark.parametrize("name,args,kwargs,shape", CONV_CASES[::3])
def test_conv_functional_output_shape(name, args, kwargs, shape):
    check_output_shape(real_tf, name, (None,) + shape[1:], args, kwargs)


@pytest.mark.parametrize("name,args,kwargs,shape", [
    ("Conv1D", (3, 2), {}, (2, 7, 4)),
    ("Conv2D", (3, 3), {"padding": "same", "strides": 2}, (2, 5, 6, 2)),
    ("Conv2DTranspose", (3, 3), {"strides": 2}, (1, 4, 5, 2)),
    ("DepthwiseConv2D", (2,), {"depth_multiplier": 2}, (1, 4, 4, 3)),
    ("SeparableConv1D", (2, 3), {}, (2, 6, 3)),
])
def test_conv_channels_first_matches_tf_channels_last(name, args, kwargs, shape):
    # TF's CPU kernels reject channels_first convolutions, so the oracle is TF's
    # channels_last result with the axes moved.
    import tftape as tf
    x = _x(*shape)
    theirs = getattr(real_tf.keras.layers, name)(*args, **kwargs)
    ours = getattr(tf.keras.layers, name)(*args, data_format="channels_first", **kwargs)
    yb = theirs(x)
    ya = ours(np.moveaxis(x, -1, 1))
    ws = [w.numpy() for w in theirs.weights]
    ours.set_weights(ws)
    ya = ours(np.moveaxis(x, -1, 1))
    np.testing.assert_allclose(np.moveaxis(ya.numpy(), 1, -1), yb.numpy(), rtol=1e-4,
                               atol=1e-4)
    assert ours.data_format == "channels_first"


POOL_CASES = [
    ("MaxPooling1D", {}, (2, 7, 3)),
    ("MaxPooling1D", {"pool_size": 3, "strides": 2, "padding": "same"}, (2, 8, 3)),
    ("AveragePooling1D", {"pool_size": 3, "padding": "same"}, (2, 7, 2)),
    ("AveragePooling1D", {"pool_size": 2, "strides": 1}, (2, 5, 2)),
    ("MaxPooling2D", {"pool_size": (2, 3)}, (1, 5, 7, 2)),
    ("AveragePooling2D", {"pool_size": 2, "padding": "same", "strides": 1}, (1, 3, 4, 2)),
    ("MaxPooling3D", {}, (1, 4, 5, 4, 2)),
    ("MaxPooling3D", {"pool_size": 3, "strides": (1, 2, 1)}, (1, 4, 5, 4, 2)),
    ("AveragePooling3D", {"pool_size": (2, 1, 2), "padding": "same"}, (1, 3, 3, 3, 2)),
    ("GlobalAveragePooling1D", {}, (2, 5, 3)),
    ("GlobalAveragePooling1D", {"keepdims": True}, (2, 5, 3)),
    ("GlobalMaxPooling1D", {"data_format": "channels_first"}, (2, 5, 3)),
    ("GlobalAveragePooling2D", {"keepdims": True}, (2, 3, 4, 2)),
    ("GlobalMaxPooling2D", {}, (2, 3, 4, 2)),
    ("GlobalAveragePooling3D", {"data_format": "channels_first"}, (1, 2, 3, 4, 2)),
    ("GlobalMaxPooling3D", {"keepdims": True}, (1, 2, 3, 4, 2)),
]


@pytest.mark.parametrize("name,kwargs,shape", POOL_CASES)
def test_pooling_matches_tf(name, kwargs, shape):
    ours, _, ya, yb = check_layer(real_tf, name, (), kwargs, _x(*shape), weights=False,
                                  config=name not in _NO_CONFIG_YET)
    assert tuple(ours.compute_output_shape(shape)) == tuple(yb.shape)
    check_output_shape(real_tf, name, (None,) + shape[1:], (), kwargs)


@pytest.mark.parametrize("make", [
    lambda lib: lib.keras.layers.Conv2D(2, 2)(np.zeros((2, 3, 4), "float32")),
    lambda lib: lib.keras.layers.Conv1D(2, 2)(np.zeros((2, 3), "float32")),
    lambda lib: lib.keras.layers.MaxPooling2D()(np.zeros((2, 3, 4), "float32")),
    lambda lib: lib.keras.layers.GlobalMaxPooling1D()(np.zeros((2, 3, 4, 5), "float32")),
    lambda lib: lib.keras.layers.Conv2D(2, (2, 2, 2)),
    lambda lib: lib.keras.layers.Conv3D(0, 2),
    lambda lib: lib.keras.layers.Conv1D(3, 2, groups=2),
    lambda lib: lib.keras.layers.Conv1D(4, 2, groups=2)(np.zeros((1, 4, 3), "float32")),
    lambda lib: lib.keras.layers.Conv1D(2, 2, strides=2, dilation_rate=2),
    lambda lib: lib.keras.layers.Conv2DTranspose(2, 2, strides=2, output_padding=2),
    lambda lib: lib.keras.layers.MaxPooling1D(pool_size=(2, 2)),
    lambda lib: lib.keras.layers.Conv1D(2, 2, data_format="nchw"),
])
def test_conv_errors_match_tf(make):
    check_error(real_tf, make)


def test_average_pooling_needs_pool_size():
    import tftape as tf
    for lib in (tf, real_tf):
        with pytest.raises(TypeError, match="pool_size"):
            lib.keras.layers.AveragePooling1D()


def test_conv_bad_padding_message():
    import tftape as tf
    with pytest.raises(ValueError, match="The `padding` argument must be a list/tuple or "
                                         "one of .*Received: full"):
        tf.keras.layers.Conv1D(2, 2, padding="full")


def _cnn(lib):
    L = lib.keras.layers
    return lib.keras.Sequential([
        lib.keras.Input((8, 8, 1)), L.Conv2D(4, 3, activation="relu"), L.MaxPooling2D(),
        L.SeparableConv2D(4, 2, padding="same"), L.Conv2DTranspose(2, 2, strides=2),
        L.DepthwiseConv2D(2), L.GlobalAveragePooling2D(), L.Dense(1)])


def _cnn1d(lib):
    L = lib.keras.layers
    return lib.keras.Sequential([
        lib.keras.Input((10, 2)), L.Conv1D(3, 3, padding="causal", activation="tanh"),
        L.AveragePooling1D(2), L.Conv1DTranspose(2, 2), L.GlobalMaxPooling1D(), L.Dense(1)])


@pytest.mark.parametrize("build,shape", [(_cnn, (6, 8, 8, 1)), (_cnn1d, (6, 10, 2))])
def test_conv_training_losses_match_tf(build, shape):
    x = _x(*shape)
    y = _x(shape[0], 1)
    check_training(real_tf, build, x, y, steps=3, tol=1e-4)

"""tf.keras layers, variables and summaries against real tf.keras (Keras 3) as the oracle."""
from __future__ import annotations

import io
import os

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
real_tf = pytest.importorskip("tensorflow")

import tftape as tf  # noqa: E402

RNG = np.random.default_rng(0)


def _same_weights(ours, theirs, seed=0):
    """Gives both layers the same random weights (after both are built)."""
    rng = np.random.default_rng(seed)
    ws = [rng.standard_normal(tuple(w.shape)).astype(np.float32) for w in theirs.weights]
    theirs.set_weights(ws)
    ours.set_weights(ws)


def _close(a, b, tol=1e-5):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=tol, atol=tol)


# -- Dense ----------------------------------------------------------------------------------
@settings(deadline=None, max_examples=15)
@given(batch=st.integers(1, 5), din=st.integers(1, 6), units=st.integers(1, 5),
       act=st.sampled_from([None, "relu", "sigmoid", "tanh", "softmax", "elu", "selu",
                            "softplus", "swish", "gelu", "linear"]),
       bias=st.booleans())
def test_dense_matches(batch, din, units, act, bias):
    x = RNG.standard_normal((batch, din)).astype(np.float32)
    a = tf.keras.layers.Dense(units, activation=act, use_bias=bias)
    b = real_tf.keras.layers.Dense(units, activation=act, use_bias=bias)
    a.build((None, din))
    b.build((None, din))
    _same_weights(a, b)
    ya, yb = a(x), b(x)
    assert type(ya).__name__ == "EagerTensor"
    assert ya.dtype.name == yb.dtype.name and tuple(ya.shape) == tuple(yb.shape)
    _close(ya, yb)


def test_dense_rank3_and_float64_input_autocast():
    x = RNG.standard_normal((2, 3, 4))
    a, b = tf.keras.layers.Dense(2), real_tf.keras.layers.Dense(2)
    a.build((None, 3, 4))
    b.build((None, 3, 4))
    _same_weights(a, b)
    ya, yb = a(x), b(x)
    assert ya.dtype.name == yb.dtype.name == "float32"
    _close(ya, yb)


def test_dense_weights_names_paths_and_build():
    for lib in (tf, real_tf):
        lib.keras.backend.clear_session()
    out = []
    for lib in (tf, real_tf):
        d = lib.keras.layers.Dense(3)
        row = [repr(d), d.variables, d.built]
        d.build((None, 4))
        row += [d.built, [(v.name, v.path, tuple(v.shape), str(v.dtype), v.trainable)
                          for v in d.variables], repr(d)]
        out.append(row)
    assert out[0] == out[1]


def test_dense_bad_units():
    for lib in (tf, real_tf):
        with pytest.raises(ValueError, match="units"):
            lib.keras.layers.Dense(0)


def test_variable_repr_and_value():
    for lib in (tf, real_tf):
        lib.keras.backend.clear_session()
    reprs = []
    for lib in (tf, real_tf):
        d = lib.keras.layers.Dense(2, kernel_initializer="ones")
        d.build((None, 1))
        reprs.append((repr(d.kernel), repr(d.bias), str(d.kernel.dtype), d.kernel.numpy().tolist()))
    assert reprs[0] == reprs[1]


# -- custom layers and tracking ------------------------------------------------------------
def _custom_layers(lib):
    class Linear(lib.keras.layers.Layer):
        def __init__(self, units):
            super().__init__()
            self.units = units

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="ones")
            self.b = self.add_weight(shape=(self.units,), initializer="zeros",
                                     trainable=False)

        def call(self, x):
            return lib.matmul(x, self.w) + self.b

    class Outer(lib.keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.plain = lib.Variable(1.0)
            self.inner = [Linear(2), Linear(3)]
            self.by_name = {"z": Linear(1)}

        def call(self, x):
            return self.by_name["z"](self.inner[1](self.inner[0](x)))
    return Linear, Outer


def test_custom_layer_tracking():
    for lib in (tf, real_tf):
        lib.keras.backend.clear_session()
    got = []
    for lib in (tf, real_tf):
        _, Outer = _custom_layers(lib)
        o = Outer()
        y = o(np.ones((2, 4), np.float32))
        got.append((y.numpy().tolist(), [v.path for v in o.weights],
                    [v.path for v in o.trainable_weights],
                    [v.path for v in o.non_trainable_variables], o.name,
                    [type(x).__name__ for x in o._flatten_layers(include_self=False)]))
    assert got[0] == got[1]


def test_trainable_flag_freezes_weights():
    got = []
    for lib in (tf, real_tf):
        d = lib.keras.layers.Dense(2)
        d.build((None, 3))
        d.trainable = False
        got.append((len(d.trainable_weights), len(d.non_trainable_weights),
                    [v.trainable for v in d.weights]))
    assert got[0] == got[1]


def test_training_argument_reaches_nested_layers():
    class M(tf.keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.drop = tf.keras.layers.Dropout(0.999, seed=1)

        def call(self, x):
            return self.drop(x)
    m = M()
    x = np.ones((4, 50), np.float32)
    np.testing.assert_array_equal(m(x).numpy(), x)
    y = m(x, training=True).numpy()
    assert set(np.unique(y).tolist()) <= {0.0, np.float32(1 / (1 - 0.999))}
    assert (y == 0).sum() > 150


# -- other layers --------------------------------------------------------------------------
@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("strides", [1, 2])
def test_conv2d_matches(padding, strides):
    x = RNG.standard_normal((2, 7, 6, 3)).astype(np.float32)
    a = tf.keras.layers.Conv2D(4, (3, 2), strides=strides, padding=padding, activation="relu")
    b = real_tf.keras.layers.Conv2D(4, (3, 2), strides=strides, padding=padding,
                                    activation="relu")
    a.build(x.shape)
    b.build(x.shape)
    _same_weights(a, b)
    _close(a(x), b(x))
    assert a.compute_output_shape((None, 7, 6, 3)) == b.compute_output_shape((None, 7, 6, 3))


@pytest.mark.parametrize("pool,strides,padding", [(2, None, "valid"), (3, 1, "same"),
                                                  ((2, 3), 2, "valid"), (2, 2, "same")])
def test_maxpooling2d_matches(pool, strides, padding):
    x = RNG.standard_normal((2, 7, 6, 3)).astype(np.float32)
    a = tf.keras.layers.MaxPooling2D(pool, strides, padding)(x)
    b = real_tf.keras.layers.MaxPooling2D(pool, strides, padding)(x)
    _close(a, b)


def test_batchnorm_train_and_inference():
    x = RNG.standard_normal((8, 5)).astype(np.float32) * 3 + 1
    a, b = tf.keras.layers.BatchNormalization(), real_tf.keras.layers.BatchNormalization()
    for training in (True, True, False):
        _close(a(x, training=training), b(x, training=training))
    for va, vb in zip(a.weights, b.weights):
        assert va.path.split("/")[-1] == vb.path.split("/")[-1]
        _close(va.numpy(), vb.numpy())
    assert [v.trainable for v in a.weights] == [v.trainable for v in b.weights]


def test_batchnorm_axis1_and_layernorm():
    x = RNG.standard_normal((4, 3, 5)).astype(np.float32)
    _close(tf.keras.layers.BatchNormalization(axis=1)(x, training=True),
           real_tf.keras.layers.BatchNormalization(axis=1)(x, training=True))
    for axis in (-1, [1, 2], 1):
        _close(tf.keras.layers.LayerNormalization(axis=axis)(x),
               real_tf.keras.layers.LayerNormalization(axis=axis)(x))


def test_embedding_flatten_activation_relu():
    ids = np.array([[0, 3, 1], [2, 2, 4]])
    a = tf.keras.layers.Embedding(5, 3)
    b = real_tf.keras.layers.Embedding(5, 3)
    a.build(None)
    b.build(None)
    _same_weights(a, b)
    _close(a(ids), b(ids))
    x = RNG.standard_normal((2, 3, 4)).astype(np.float32)
    _close(tf.keras.layers.Flatten()(x), real_tf.keras.layers.Flatten()(x))
    _close(tf.keras.layers.Activation("tanh")(x), real_tf.keras.layers.Activation("tanh")(x))
    for kw in ({}, {"max_value": 0.5}, {"negative_slope": 0.1}, {"threshold": 0.2}):
        _close(tf.keras.layers.ReLU(**kw)(x), real_tf.keras.layers.ReLU(**kw)(x))


def test_embedding_out_of_range_raises():
    e = tf.keras.layers.Embedding(3, 2)
    with pytest.raises(tf.errors.InvalidArgumentError):
        e(np.array([[5]]))
    with pytest.raises(real_tf.errors.InvalidArgumentError):
        real_tf.keras.layers.Embedding(3, 2)(np.array([[5]]))


def test_dropout_inference_identity_and_rate_validation():
    x = np.ones((3, 4), np.float32)
    np.testing.assert_array_equal(tf.keras.layers.Dropout(0.5)(x).numpy(), x)
    for lib in (tf, real_tf):
        with pytest.raises(ValueError, match="rate"):
            lib.keras.layers.Dropout(1.5)


@pytest.mark.parametrize("name", ["glorot_uniform", "he_normal", "random_normal", "zeros",
                                  "ones", "glorot_normal", "he_uniform", "truncated_normal"])
def test_initializers_statistics_and_seed(name):
    cls = {"glorot_uniform": "GlorotUniform", "he_normal": "HeNormal",
           "random_normal": "RandomNormal", "zeros": "Zeros", "ones": "Ones",
           "glorot_normal": "GlorotNormal", "he_uniform": "HeUniform",
           "truncated_normal": "TruncatedNormal"}[name]
    kw = {} if name in ("zeros", "ones") else {"seed": 3}
    a = getattr(tf.keras.initializers, cls)(**kw)((200, 100))
    b = getattr(real_tf.keras.initializers, cls)(**kw)((200, 100))
    assert a.dtype.name == b.dtype.name and tuple(a.shape) == tuple(b.shape)
    # Same distribution (bit streams differ): compare moments.
    assert abs(float(np.std(a)) - float(np.std(b))) <= 0.05 * float(np.std(b)) + 1e-6
    assert abs(float(np.mean(a)) - float(np.mean(b))) < 0.01 + 1e-6
    if kw:
        again = getattr(tf.keras.initializers, cls)(**kw)((200, 100))
        np.testing.assert_array_equal(a.numpy(), again.numpy())


# -- models, paths and summaries -------------------------------------------------------------
def _models(lib):
    seq = lib.keras.Sequential([lib.keras.Input(shape=(4,)),
                                lib.keras.layers.Dense(8, activation="relu"),
                                lib.keras.layers.Dropout(0.5),
                                lib.keras.layers.BatchNormalization(),
                                lib.keras.layers.Dense(2)])
    inp = lib.keras.Input(shape=(6, 6, 1))
    h = lib.keras.layers.Conv2D(2, 3)(inp)
    h = lib.keras.layers.MaxPooling2D()(h)
    h = lib.keras.layers.Flatten()(h)
    fn = lib.keras.Model(inp, lib.keras.layers.Dense(3)(h))
    legacy = lib.keras.Sequential([lib.keras.layers.Dense(1, input_shape=(1,))])
    return seq, fn, legacy


def _summary_text(model):
    buf = io.StringIO()
    model.summary(print_fn=lambda s, **k: buf.write(s))
    return buf.getvalue()


def test_model_paths_layers_and_summaries():
    for lib in (tf, real_tf):
        lib.keras.backend.clear_session()
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, theirs = _models(tf), _models(real_tf)
    for a, b in zip(ours, theirs):
        assert a.name == b.name
        assert [v.path for v in a.variables] == [v.path for v in b.variables]
        assert [v.path for v in a.trainable_variables] == [v.path for v in b.trainable_variables]
        assert [lyr.name for lyr in a.layers] == [lyr.name for lyr in b.layers]
        assert repr(a).split(" name=")[1] == repr(b).split(" name=")[1]
        assert _summary_text(a) == _summary_text(b)


def test_functional_model_call_matches():
    for lib in (tf, real_tf):
        lib.keras.backend.clear_session()
    ours, theirs = _models(tf), _models(real_tf)
    x = RNG.standard_normal((2, 6, 6, 1)).astype(np.float32)
    ours[1].set_weights(theirs[1].get_weights())
    _close(ours[1](x), theirs[1](x))
    with pytest.raises(ValueError, match="incompatible"):
        ours[1](np.ones((2, 5, 5, 1), np.float32))


def test_keras_module_identity_and_backend():
    from tftape import keras
    assert keras is tf.keras
    assert tf.keras.backend.floatx() == real_tf.keras.backend.floatx()
    assert tf.keras.backend.epsilon() == real_tf.keras.backend.epsilon()
    t = [[1.0, 2.0], [3.0, 4.0]]
    _close(tf.keras.backend.square(tf.keras.backend.transpose(tf.constant(t))),
           real_tf.keras.backend.square(real_tf.keras.backend.transpose(real_tf.constant(t))))

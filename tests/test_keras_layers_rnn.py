"""RNN layers, cells and wrappers against real tf.keras (Keras 3) as the oracle."""
from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
real_tf = pytest.importorskip("tensorflow")

import tftape as tf  # noqa: E402
from tests._keras_oracle import check_error, check_layer, check_output_shape, close, \
    same_weights, check_training  # noqa: E402

RNG = np.random.default_rng(0)


def _x(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


RNN_CASES = [
    ("SimpleRNN", (4,), {}),
    ("SimpleRNN", (3,), {"return_sequences": True, "activation": "relu"}),
    ("SimpleRNN", (3,), {"return_state": True, "go_backwards": True}),
    ("LSTM", (4,), {}),
    ("LSTM", (3,), {"return_sequences": True, "return_state": True}),
    ("LSTM", (2,), {"go_backwards": True, "unit_forget_bias": False, "use_bias": False}),
    ("GRU", (4,), {}),
    ("GRU", (3,), {"reset_after": False, "return_sequences": True}),
    ("GRU", (2,), {"return_state": True, "go_backwards": True, "return_sequences": True}),
]


@pytest.mark.parametrize("name,args,kwargs", RNN_CASES)
def test_rnn_layer_matches_tf(name, args, kwargs):
    x = _x(2, 5, 3)
    ours, theirs, _, yb = check_layer(real_tf, name, args, kwargs, x, tol=1e-5)
    shapes = ours.compute_output_shape((2, 5, 3))
    ys = yb if isinstance(yb, (list, tuple)) else [yb]
    shapes = shapes if isinstance(shapes, list) else [shapes]
    assert [tuple(s) for s in shapes] == [tuple(y.shape) for y in ys]
    assert [v.path for v in ours.weights] == [v.path for v in theirs.weights] or \
        [v.path.split("/", 1)[1] for v in ours.weights] == \
        [v.path.split("/", 1)[1] for v in theirs.weights]


@pytest.mark.parametrize("name,args,kwargs", RNN_CASES[::2])
def test_rnn_functional_output_shape(name, args, kwargs):
    check_output_shape(real_tf, name, (None, 6, 3), args, kwargs)


@settings(deadline=None, max_examples=8)
@given(batch=st.integers(1, 3), steps=st.integers(1, 6), feat=st.integers(1, 4),
       units=st.integers(1, 4), kind=st.sampled_from(["SimpleRNN", "LSTM", "GRU"]))
def test_rnn_shapes_hypothesis(batch, steps, feat, units, kind):
    check_layer(real_tf, kind, (units,), {"return_sequences": True}, _x(batch, steps, feat),
                tol=1e-5, config=False)


@pytest.mark.parametrize("cell", ["SimpleRNNCell", "LSTMCell", "GRUCell"])
def test_cells_and_rnn_of_cell(cell):
    x = _x(3, 4, 2)
    a = tf.keras.layers.RNN(getattr(tf.keras.layers, cell)(3), return_sequences=True)
    b = real_tf.keras.layers.RNN(getattr(real_tf.keras.layers, cell)(3), return_sequences=True)
    b(x)
    a(x)
    same_weights(a, b)
    close(a(x), b(x))
    ca, cb = a.get_config(), b.get_config()
    for c in (ca, cb):
        c.pop("name")
        c["cell"]["config"].pop("name")
    assert ca == cb
    again = tf.keras.layers.RNN.from_config(a.get_config())
    assert type(again.cell).__name__ == cell
    # A cell called alone on one step gives TF's step.
    ca_, cb_ = a.cell, b.cell
    states = [np.full((3, 3), 0.1, "float32")] * (2 if cell == "LSTMCell" else 1)
    oa, sa = ca_(x[:, 0], states)
    ob, sb = cb_(x[:, 0], states)
    close(oa, ob)
    for u, v in zip(sa, sb):
        close(u, v)


@pytest.mark.parametrize("name", ["SimpleRNN", "LSTM", "GRU"])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_rnn_masking_from_embedding(name, return_sequences):
    ids = np.array([[3, 1, 4, 0, 0], [2, 7, 1, 8, 0], [5, 0, 0, 0, 0]], "int32")
    layers = []
    for lib in (tf, real_tf):
        emb = lib.keras.layers.Embedding(10, 3, mask_zero=True)
        rnn = getattr(lib.keras.layers, name)(4, return_sequences=return_sequences)
        rnn(emb(ids))
        layers.append((emb, rnn))
    same_weights(layers[0][0], layers[1][0], seed=1)
    same_weights(layers[0][1], layers[1][1], seed=2)
    outs = [rnn(emb(ids)) for emb, rnn in layers]
    close(outs[0], outs[1])


def test_masking_layer_and_initial_state():
    x = _x(2, 4, 3)
    x[0, 2:] = 0.0
    outs = []
    for lib in (tf, real_tf):
        inp = lib.keras.Input((4, 3))
        h = lib.keras.layers.Masking(0.0)(inp)
        h = lib.keras.layers.LSTM(2, return_sequences=True)(h)
        model = lib.keras.Model(inp, h)
        outs.append(model)
    same_weights(outs[0], outs[1])
    close(outs[0](x), outs[1](x))
    s0 = [np.full((2, 2), 0.3, "float32"), np.full((2, 2), -0.2, "float32")]
    a, b = tf.keras.layers.LSTM(2), real_tf.keras.layers.LSTM(2)
    a(x), b(x)
    same_weights(a, b)
    close(a(x, initial_state=s0), b(x, initial_state=s0))


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
@pytest.mark.parametrize("inner", ["LSTM", "GRU"])
def test_bidirectional_matches_tf(merge_mode, inner):
    x = _x(2, 5, 3)
    made = []
    for lib in (tf, real_tf):
        lib.keras.backend.clear_session()
        layer = getattr(lib.keras.layers, inner)(3, return_sequences=True)
        made.append(lib.keras.layers.Bidirectional(layer, merge_mode=merge_mode))
    a, b = made
    ca, cb = a.get_config(), b.get_config()
    assert ca == cb
    yb = b(x)
    a(x)
    assert [v.path for v in a.weights] == [v.path for v in b.weights]
    same_weights(a, b)
    ya, yb = a(x), b(x)
    for u, v in zip(ya if merge_mode is None else [ya], yb if merge_mode is None else [yb]):
        assert tuple(u.shape) == tuple(v.shape)
        close(u, v)
    again = tf.keras.layers.Bidirectional.from_config(ca)
    assert again.get_config() == ca


def test_bidirectional_return_state_and_functional():
    x = _x(2, 4, 3)
    for merge in ("concat", None):
        outs = []
        for lib in (tf, real_tf):
            layer = lib.keras.layers.Bidirectional(
                lib.keras.layers.LSTM(2, return_state=True), merge_mode=merge)
            layer(x)
            outs.append(layer)
        same_weights(*outs)
        ya, yb = outs[0](x), outs[1](x)
        assert len(ya) == len(yb)
        for u, v in zip(ya, yb):
            close(u, v)
    shapes = []
    for lib in (tf, real_tf):
        layer = lib.keras.layers.Bidirectional(lib.keras.layers.LSTM(2, return_sequences=True,
                                                                     return_state=True))
        shapes.append([tuple(k.shape) for k in layer(lib.keras.Input((4, 3)))])
    assert shapes[0] == shapes[1]


def test_time_distributed_matches_tf():
    x = _x(2, 3, 4)
    made = []
    for lib in (tf, real_tf):
        lib.keras.backend.clear_session()
        made.append(lib.keras.layers.TimeDistributed(lib.keras.layers.Dense(2)))
    a, b = made
    assert a.get_config() == b.get_config()
    b(x), a(x)
    assert [v.path for v in a.weights] == [v.path for v in b.weights]
    same_weights(a, b)
    close(a(x), b(x))
    ta = tf.keras.layers.TimeDistributed(tf.keras.layers.Conv1D(2, 2))
    tb = real_tf.keras.layers.TimeDistributed(real_tf.keras.layers.Conv1D(2, 2))
    x4 = _x(2, 3, 5, 2)
    ta(x4), tb(x4)
    same_weights(ta, tb)
    close(ta(x4), tb(x4), 1e-4)
    kts = [lib.keras.layers.TimeDistributed(lib.keras.layers.Dense(3))(
        lib.keras.Input((5, 4))).shape for lib in (tf, real_tf)]
    assert tuple(kts[0]) == tuple(kts[1])


@pytest.mark.parametrize("make", [
    lambda lib: lib.keras.layers.LSTM(3)(np.zeros((2, 3), "float32")),
    lambda lib: lib.keras.layers.GRU(0),
    lambda lib: lib.keras.layers.Bidirectional(lib.keras.layers.LSTM(2), merge_mode="x"),
    lambda lib: lib.keras.layers.Bidirectional(3),
    lambda lib: lib.keras.layers.TimeDistributed("dense"),
    lambda lib: lib.keras.layers.RNN(3),
])
def test_rnn_errors_match_tf(make):
    check_error(real_tf, make)


def test_rnn_dropout_trains_and_is_off_in_inference():
    x = _x(4, 5, 3)
    layer = tf.keras.layers.LSTM(3, dropout=0.5, recurrent_dropout=0.5, seed=1)
    y0 = layer(x)
    close(layer(x, training=False), y0)
    assert not np.allclose(layer(x, training=True).numpy(), y0.numpy())


def _seq_model(name, lib, **kw):
    L = lib.keras.layers
    return lib.keras.Sequential([lib.keras.Input((6, 3)), getattr(L, name)(4, **kw),
                                 L.Dense(1)])


def _bidi_model(lib):
    L = lib.keras.layers
    return lib.keras.Sequential([
        lib.keras.Input((6,), dtype="int32"), L.Embedding(8, 3, mask_zero=True),
        L.Bidirectional(L.GRU(3, return_sequences=True)), L.TimeDistributed(L.Dense(2)),
        L.LSTM(2), L.Dense(1)])


@pytest.mark.parametrize("build", [
    lambda lib: _seq_model("SimpleRNN", lib),
    lambda lib: _seq_model("LSTM", lib, return_sequences=False),
    lambda lib: _seq_model("GRU", lib, go_backwards=True),
])
def test_rnn_training_losses_match_tf(build):
    check_training(real_tf, build, _x(8, 6, 3), _x(8, 1), steps=3, tol=1e-4)


def test_masked_bidirectional_training_losses_match_tf():
    ids = RNG.integers(1, 8, (8, 6)).astype("int32")
    ids[:3, 4:] = 0
    check_training(real_tf, _bidi_model, ids, _x(8, 1), steps=3, tol=1e-4)


@pytest.mark.parametrize("name", ["LSTM", "GRU", "SimpleRNN"])
def test_rnn_gradients_match_tf_tape_and_tf_function(name):
    x = _x(2, 4, 3)
    made = []
    for lib in (tf, real_tf):
        layer = getattr(lib.keras.layers, name)(3, return_sequences=True)
        layer(x)
        made.append(layer)
    same_weights(*made)
    grads = []
    for lib, layer in zip((tf, real_tf), made):
        with lib.GradientTape() as tape:
            loss = lib.reduce_sum(layer(x) ** 2)
        grads.append(tape.gradient(loss, layer.trainable_variables))
    for a, b in zip(*grads):
        close(a, b, 1e-4)
    step = tf.function(lambda t: made[0](t))
    close(step(x), made[1](x))

"""Functional models (``keras.Model(inputs, outputs)``) against Keras 3 in TensorFlow 2.21:
``get_config`` with ``inbound_nodes``, ``from_config``, and ``.keras`` files both ways."""
import json
import os
import subprocess
import sys
import textwrap
import zipfile

import numpy as np
import pytest

import tftape
from tests.oracle import real_tf

pytest.importorskip("h5py")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RNG = np.random.default_rng(0)


def _multi_io_shared(k):
    a, b = k.Input((3,), name="a"), k.Input((2,))
    y = k.layers.Dropout(0.5)(k.layers.Dense(4)(a), training=False)
    c = k.layers.Concatenate()([y, b])
    shared = k.layers.Dense(2)
    o1 = shared(c)
    o2 = k.layers.Add()([o1, shared(k.layers.Dense(6, activation="relu")(c))])
    return k.Model([a, b], [o1, o2])


def _nested(k):
    inp, inner_in = k.Input((3,)), k.Input((4,))
    inner = k.Model(inner_in, k.layers.Dense(2)(inner_in), name="inner")
    x = inner(k.layers.Dense(4)(inp))
    return k.Model(inp, k.layers.BatchNormalization()(x, training=True), name="outer")


def _masks_and_defaults(k):
    inp = k.Input((3, 4))
    x = k.layers.Softmax()(inp)
    x = k.layers.GaussianNoise(0.1)(x)
    x = k.layers.GlobalAveragePooling1D()(x)
    return k.Model(inp, k.layers.Dense(2)(k.layers.Dropout(0.2)(x)))


def _dict_io(k):
    a, b = k.Input((2,), name="x1"), k.Input((2,), name="x2")
    s = k.layers.Dense(3)(k.layers.Add()([a, b]))
    return k.Model({"x2": b, "x1": a}, {"out": s, "diff": k.layers.Subtract()([a, b])})


def _list_of_one(k):
    inp = k.Input((3,), name="only")
    return k.Model([inp], [k.layers.Dense(2, activation="tanh")(inp)])


def _unused_input_and_reuse(k):
    a, b = k.Input((3,)), k.Input((5,))
    d = k.layers.Dense(3)
    return k.Model([a, b], d(d(d(a))))


def _sequential_inside_and_conv1d(k):
    inp = k.Input((5, 3))
    x = k.layers.LSTM(4, return_sequences=True)(inp)
    x = k.layers.Conv1D(2, 3)(x)
    seq = k.Sequential([k.Input((6,)), k.layers.Dense(4), k.layers.Dense(2)])
    return k.Model(inp, seq(k.layers.Flatten()(x)))


def _keras_ops(k):
    # Operators on KerasTensors are keras.ops nodes (Add, GetItem...), not model.layers.
    a, b = k.Input((3,)), k.Input((3,))
    s = a + b
    h = k.layers.Dense(3)((2.0 * (s - 1.0))[:, :2] / 4.0)
    return k.Model([a, b], [h, -s[..., 0], k.layers.Add()([a, b])])


def _int_input_named(k):
    a = k.Input((5,), dtype="int32")
    x = k.layers.Flatten()(k.layers.Embedding(10, 4, name="emb")(a))
    return k.Model(inputs=a, outputs=[x, k.layers.Dense(1)(x)], name="mine", trainable=False)


TOPOLOGIES = {"multi_io_shared": _multi_io_shared, "nested": _nested,
              "masks_and_defaults": _masks_and_defaults, "dict_io": _dict_io,
              "list_of_one": _list_of_one, "unused_input_and_reuse": _unused_input_and_reuse,
              "sequential_inside_and_conv1d": _sequential_inside_and_conv1d,
              "keras_ops": _keras_ops, "int_input_named": _int_input_named}
INPUTS = {"multi_io_shared": [RNG.random((5, 3), dtype=np.float32),
                              RNG.random((5, 2), dtype=np.float32)],
          "nested": RNG.random((5, 3), dtype=np.float32),
          "masks_and_defaults": RNG.random((5, 3, 4), dtype=np.float32),
          "dict_io": {"x1": RNG.random((5, 2), dtype=np.float32),
                      "x2": RNG.random((5, 2), dtype=np.float32)},
          "list_of_one": [RNG.random((5, 3), dtype=np.float32)],
          "unused_input_and_reuse": [RNG.random((5, 3), dtype=np.float32),
                                     RNG.random((5, 5), dtype=np.float32)],
          "sequential_inside_and_conv1d": RNG.random((5, 5, 3), dtype=np.float32),
          "keras_ops": [RNG.random((5, 3), dtype=np.float32),
                        RNG.random((5, 3), dtype=np.float32)],
          "int_input_named": RNG.integers(0, 10, (5, 5)).astype(np.int32)}


def _build(mod, topology):
    mod.keras.backend.clear_session()   # auto-generated names count per session
    return TOPOLOGIES[topology](mod.keras)


def _flat(y):
    if isinstance(y, dict):
        return [np.asarray(y[k]) for k in sorted(y)]
    if isinstance(y, (list, tuple)):
        return [np.asarray(v) for v in y]
    return [np.asarray(y)]


def _assert_close(a, b, rtol=1e-5, atol=1e-6):
    a, b = _flat(a), _flat(b)
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_allclose(x, y, rtol=rtol, atol=atol)


def _weights(model):
    return [np.asarray(w) for w in model.get_weights()]


@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_get_config_matches_tf(topology):
    tf = real_tf()
    ours, theirs = _build(tftape, topology).get_config(), _build(tf, topology).get_config()
    assert ours == theirs
    assert ours["layers"] and "inbound_nodes" in ours["layers"][-1]


@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_from_config_rebuilds_the_model(topology):
    k = tftape.keras
    model = _build(tftape, topology)
    config = model.get_config()
    again = k.Model.from_config(config)
    assert type(again) is type(model)
    assert again.get_config() == config
    assert [lyr.name for lyr in again.layers] == [lyr.name for lyr in model.layers]
    tf = real_tf()
    assert [lyr.name for lyr in model.layers] == \
        [lyr.name for lyr in _build(tf, topology).layers]
    again.set_weights(model.get_weights())
    x = INPUTS[topology]
    _assert_close(again.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    # JSON-decoded configs (lists for tuples) rebuild the same model.
    assert k.Model.from_config(json.loads(json.dumps(config))).get_config() == config


@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_keras_file_both_ways(tmp_path, topology):
    tf = real_tf()
    x = INPUTS[topology]
    for writer, reader in ((tftape, tf), (tf, tftape), (tftape, tftape)):
        model = _build(writer, topology)
        path = str(tmp_path / f"{writer.__name__}-{reader.__name__}.keras")
        model.save(path)
        assert sorted(zipfile.ZipFile(path).namelist()) == ["config.json", "metadata.json",
                                                              "model.weights.h5"]
        loaded = reader.keras.models.load_model(path)
        assert type(loaded).__name__ == "Functional"
        _assert_close(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
        for a, b in zip(_weights(loaded), _weights(model), strict=True):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("topology", ["multi_io_shared", "nested",
                                      "sequential_inside_and_conv1d", "keras_ops"])
def test_config_json_and_weights_layout_match_tf(tmp_path, topology):
    tf = real_tf()
    import h5py
    import io

    def strip(x):    # Keras 3 marks shared objects with an id that differs per process
        if isinstance(x, dict):
            return {k: strip(v) for k, v in x.items() if k != "shared_object_id"}
        if isinstance(x, list):
            return [strip(v) for v in x]
        return x
    got = []
    for mod in (tftape, tf):
        path = str(tmp_path / f"{mod.__name__}.keras")
        _build(mod, topology).save(path)
        z = zipfile.ZipFile(path)
        items = []
        with h5py.File(io.BytesIO(z.read("model.weights.h5")), "r") as f:
            f.visititems(lambda n, o: items.append((n, getattr(o, "shape", None),
                                                    dict(o.attrs))))
        got.append((strip(json.loads(z.read("config.json"))), items))
    assert got[0] == got[1]


def _fit(mod, topology, optimizer):
    model = _build(mod, topology)
    model.compile(optimizer=optimizer, loss="mse")
    x = INPUTS[topology]
    y = model.predict(x, verbose=0)
    y = {k: v + 0.5 for k, v in y.items()} if isinstance(y, dict) else \
        [v + 0.5 for v in y] if isinstance(y, list) else y + 0.5
    model.fit(x, y, epochs=2, batch_size=5, verbose=0)
    return model


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "rmsprop"])
@pytest.mark.parametrize("topology", ["nested", "masks_and_defaults"])
def test_optimizer_state_survives_fit_and_save(tmp_path, topology, optimizer):
    tf = real_tf()
    x = INPUTS[topology]
    for writer, reader in ((tftape, tf), (tf, tftape)):
        model = _fit(writer, topology, optimizer)
        path = str(tmp_path / f"{writer.__name__}.keras")
        model.save(path)
        loaded = reader.keras.models.load_model(path)
        _assert_close(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
        assert type(loaded.optimizer).__name__ == type(model.optimizer).__name__
        ours = [np.asarray(v.numpy()) for v in loaded.optimizer.variables]
        theirs = [np.asarray(v.numpy()) for v in model.optimizer.variables]
        assert len(ours) == len(theirs) >= 2
        for a, b in zip(ours, theirs):
            np.testing.assert_array_equal(a, b)


def test_round_trip_in_fresh_processes(tmp_path):
    # tftape writes, a fresh tftape process and a fresh TF process read.
    model = _fit(tftape, "unused_input_and_reuse", "adam")
    path = str(tmp_path / "m.keras")
    model.save(path)
    for i, x in enumerate(INPUTS["unused_input_and_reuse"]):
        np.save(tmp_path / f"x{i}.npy", x)
    for module in ("tftape", "tensorflow"):
        code = textwrap.dedent(f"""
            import numpy as np, {module} as tf
            m = tf.keras.models.load_model({path!r})
            xs = [np.load({str(tmp_path)!r} + f'/x{{i}}.npy') for i in range(2)]
            np.save({str(tmp_path / module)!r}, m.predict(xs, verbose=0))
        """)
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                       env=dict(os.environ, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL="3"))
        _assert_close(np.load(tmp_path / f"{module}.npy"),
                      model.predict(INPUTS["unused_input_and_reuse"], verbose=0))


def test_training_argument_of_the_model_overrides_the_recorded_one():
    tf = real_tf()
    x = np.ones((1, 100), np.float32)
    for mod in (tftape, tf):
        k = mod.keras
        inp = k.Input((100,))
        frozen = k.Model(inp, k.layers.Dropout(0.5)(inp, training=False))
        assert np.all(np.asarray(frozen(x)) == 1.0)
        assert np.any(np.asarray(frozen(x, training=True)) != 1.0)


CUSTOM = textwrap.dedent("""
    class Plain(keras.layers.Layer):
        def call(self, x):
            return x + 1.0
""")


def test_unknown_custom_layer_needs_custom_objects(tmp_path):
    tf = real_tf()
    got = []
    for mod, keras in ((tftape, tftape.keras), (tf, __import__("keras"))):
        ns = {"keras": keras}
        exec(CUSTOM, ns)
        k = mod.keras
        k.backend.clear_session()
        inp = k.Input((3,))
        model = k.Model(inp, k.layers.Dense(2)(ns["Plain"]()(inp)))
        path = str(tmp_path / f"{mod.__name__}.keras")
        model.save(path)
        with pytest.raises(TypeError) as info:
            k.models.load_model(path)
        message = str(info.value)
        # The full configs printed differ in details (Keras adds `shared_object_id`s).
        got.append((message.split("\n\n")[0], message.split("Exception encountered: ")[1]
                    .split(" Full object config")[0]))
        loaded = k.models.load_model(path, custom_objects={"Plain": ns["Plain"]})
        x = np.ones((2, 3), np.float32)
        _assert_close(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert got[0] == got[1]
    assert "Could not locate class 'Plain'" in got[0][1]


def test_inputs_must_be_keras_tensors():
    tf = real_tf()
    got = []
    for mod in (tftape, tf):
        k = mod.keras
        inp = k.Input((3,))
        try:
            k.Model(inp, np.ones((2, 3), np.float32))
        except Exception as e:  # noqa: BLE001 - the type is what we compare
            got.append(type(e).__name__)
    assert got == ["ValueError", "ValueError"]

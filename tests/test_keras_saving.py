"""Keras saving against Keras 3 in TensorFlow 2.21: configs, .keras and .weights.h5 files
exchanged both ways, custom objects, and errors."""
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

CONFIG_CASES = [
    ("layers", "Dense(3)"),
    ("layers", "Dense(3, activation='relu', use_bias=False, kernel_initializer='ones', "
               "kernel_regularizer='l2', bias_constraint='non_neg')"),
    ("layers", "Dropout(0.3, seed=2)"), ("layers", "Flatten()"), ("layers", "Reshape((2, 3))"),
    ("layers", "Activation('tanh')"), ("layers", "ReLU(max_value=6.0)"),
    ("layers", "Softmax(axis=1)"), ("layers", "Embedding(10, 4, mask_zero=True)"),
    ("layers", "Add()"), ("layers", "Subtract()"), ("layers", "Multiply()"),
    ("layers", "Maximum()"), ("layers", "Minimum()"), ("layers", "Average()"),
    ("layers", "Concatenate(axis=1)"), ("layers", "Conv2D(4, 3, strides=2, padding='same')"),
    ("layers", "MaxPooling2D(pool_size=3)"), ("layers", "AveragePooling2D(pool_size=(2, 2))"),
    ("layers", "GlobalAveragePooling2D(keepdims=True)"),
    ("layers", "BatchNormalization(momentum=0.9)"), ("layers", "LayerNormalization(axis=1)"),
    ("layers", "InputLayer(shape=(3,))"),
    ("losses", "MeanSquaredError()"), ("losses", "MeanAbsoluteError(reduction='sum')"),
    ("losses", "BinaryCrossentropy(from_logits=True)"), ("losses", "CategoricalCrossentropy()"),
    ("losses", "SparseCategoricalCrossentropy(from_logits=True)"), ("losses", "Huber()"),
    ("losses", "Hinge()"), ("losses", "KLDivergence()"), ("losses", "LogCosh()"),
    ("losses", "MeanAbsolutePercentageError()"), ("losses", "MeanSquaredLogarithmicError()"),
    ("metrics", "Mean()"), ("metrics", "Sum()"), ("metrics", "Accuracy()"),
    ("metrics", "BinaryAccuracy(threshold=0.3)"), ("metrics", "CategoricalAccuracy()"),
    ("metrics", "SparseCategoricalAccuracy()"), ("metrics", "MeanSquaredError()"),
    ("metrics", "MeanAbsoluteError()"), ("metrics", "RootMeanSquaredError()"),
    ("metrics", "BinaryCrossentropy()"), ("metrics", "CategoricalCrossentropy()"),
    ("metrics", "SparseCategoricalCrossentropy()"),
    ("optimizers", "SGD(0.1, momentum=0.9)"), ("optimizers", "Adam(clipnorm=1.0)"),
    ("optimizers", "AdamW()"), ("optimizers", "RMSprop()"), ("optimizers", "Adagrad()"),
    ("initializers", "GlorotUniform()"), ("initializers", "HeNormal(seed=1)"),
    ("initializers", "Constant(2.0)"), ("initializers", "RandomNormal(stddev=2.0)"),
    ("regularizers", "L2(0.1)"), ("regularizers", "L1L2(0.1, 0.2)"),
    ("constraints", "MaxNorm(3)"), ("constraints", "NonNeg()"),
]


def _make(tf, module, expr):
    ns = dict(vars(getattr(tf.keras, module)))
    return eval(expr, {}, ns)


@pytest.mark.parametrize("module,expr", CONFIG_CASES)
def test_get_config_matches_tf_keras(module, expr):
    tf = real_tf()
    for m in (tftape, tf):   # auto-generated names (sgd_3) count per session
        m.keras.backend.clear_session()
    assert _make(tftape, module, expr).get_config() == _make(tf, module, expr).get_config()


@pytest.mark.parametrize("module,expr", CONFIG_CASES)
def test_from_config_round_trip(module, expr):
    obj = _make(tftape, module, expr)
    cls = type(obj)
    config = obj.get_config()
    again = cls.from_config(config).get_config()
    if module in ("layers", "metrics", "optimizers"):
        config.pop("name", None), again.pop("name", None)
    assert again == config


# Arguments for the layers that need some; wrappers and abstract classes are covered elsewhere.
_LAYER_ARGS = {
    "Dense": (3,), "EinsumDense": ("ab,bc->ac", 4), "Embedding": (10, 4),
    "Conv1D": (2, 3), "Conv2D": (2, 3), "Conv3D": (2, 3), "Conv1DTranspose": (2, 3),
    "Conv2DTranspose": (2, 3), "Conv3DTranspose": (2, 3), "SeparableConv1D": (2, 3),
    "SeparableConv2D": (2, 3), "DepthwiseConv1D": (3,), "DepthwiseConv2D": (3,),
    "ConvLSTM1D": (2, 3), "ConvLSTM2D": (2, 3), "ConvLSTM3D": (2, 3),
    "LSTM": (3,), "GRU": (3,), "SimpleRNN": (3,), "LSTMCell": (3,), "GRUCell": (3,),
    "SimpleRNNCell": (3,), "Reshape": ((2, 3),), "Permute": ((2, 1),), "RepeatVector": (3,),
    "Dropout": (0.2,), "SpatialDropout1D": (0.2,), "SpatialDropout2D": (0.2,),
    "SpatialDropout3D": (0.2,), "GaussianNoise": (0.1,), "GaussianDropout": (0.1,),
    "AlphaDropout": (0.1,), "Activation": ("relu",), "MultiHeadAttention": (2, 4),
    "CategoryEncoding": (4,), "Hashing": (4,), "HashedCrossing": (4,), "Resizing": (4, 4),
    "CenterCrop": (2, 2), "RandomCrop": (2, 2, 1), "RandomRotation": (0.1,),
    "RandomZoom": (0.1,), "RandomTranslation": (0.1, 0.1), "Rescaling": (0.5,),
    "Dot": (1,), "Discretization": ([0.0, 1.0],), "RandomContrast": (0.1,),
    "RandomBrightness": (0.1,), "Pipeline": ([],), "RandomPosterization": (4,),
    "RandomColorDegeneration": (0.5,), "RandomSaturation": (0.5,), "RandomHue": (0.5,),
    "Dot": (1,), "GroupQueryAttention": (4, 4, 2), "ReversibleEmbedding": (10, 4),
    "Hashing": (3,), "HashedCrossing": (3,),
}
for _pool in ("MaxPooling", "AveragePooling", "MaxPool", "AvgPool"):
    for _nd in "123":
        _LAYER_ARGS[f"{_pool}{_nd}D"] = (2,)
for _pool in ("AdaptiveAveragePooling", "AdaptiveMaxPooling"):
    for _nd in "123":
        _LAYER_ARGS[f"{_pool}{_nd}D"] = (2,)
for _alias, _name in (("Convolution", "Conv"), ("SeparableConvolution", "SeparableConv")):
    for _nd in "123":
        _LAYER_ARGS[f"{_alias}{_nd}D"] = (2, 3)
        _LAYER_ARGS[f"{_alias}{_nd}DTranspose"] = (2, 3)
_NOT_PLAIN_LAYERS = {"Bidirectional", "TimeDistributed", "RNN", "Wrapper", "Lambda",
                     "StackedRNNCells", "Input", "InputSpec", "Layer", "InputLayer",
                     "KerasTensor", "SpectralNormalization"}
EVERY_LAYER = sorted(
    name for name, obj in vars(tftape.keras.layers).items()
    if isinstance(obj, type) and not name.startswith("_") and name not in _NOT_PLAIN_LAYERS)


@pytest.mark.parametrize("name", EVERY_LAYER)
def test_every_layer_config_matches_tf_keras(name):
    """Each layer tftape has, built with typical arguments: the config Keras 3 writes, and
    from_config giving it back."""
    tf = real_tf()
    args = _LAYER_ARGS.get(name, ())
    want = getattr(tf.keras.layers, name)(*args).get_config()
    ours = getattr(tftape.keras.layers, name)(*args)
    got = ours.get_config()
    want.pop("name"), got.pop("name")
    assert json.loads(json.dumps(got)) == json.loads(json.dumps(want))
    again = type(ours).from_config(ours.get_config()).get_config()
    again.pop("name")
    assert again == got


def _models(tf):
    k = tf.keras
    seq = k.Sequential([k.Input((3,)), k.layers.Dense(4, activation="relu"),
                        k.layers.Dropout(0.2), k.layers.BatchNormalization(),
                        k.layers.Dense(2, kernel_regularizer="l2")])
    return {"sequential": seq}


def _fit(tf, model, optimizer="adam", loss="mse"):
    model.compile(optimizer=optimizer, loss=loss, metrics=["mae"])
    rng = np.random.default_rng(0)
    model.fit(rng.random((16, 3), dtype=np.float32), rng.random((16, 2), dtype=np.float32),
              epochs=2, batch_size=8, verbose=0)
    return model


X = np.random.default_rng(1).random((6, 3), dtype=np.float32)


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "rmsprop", "adagrad", "adamw"])
def test_keras_file_both_ways(tmp_path, optimizer):
    tf = real_tf()
    for writer, reader in ((tftape, tf), (tf, tftape)):
        model = _fit(writer, _models(writer)["sequential"], optimizer)
        path = str(tmp_path / f"{writer.__name__}.keras")
        model.save(path)
        assert sorted(zipfile.ZipFile(path).namelist()) == ["config.json", "metadata.json",
                                                              "model.weights.h5"]
        loaded = reader.keras.models.load_model(path)
        np.testing.assert_allclose(loaded.predict(X, verbose=0), model.predict(X, verbose=0),
                                   rtol=1e-5, atol=1e-6)
        assert [np.asarray(v.numpy()).tolist() for v in loaded.optimizer.variables] == \
            [np.asarray(v.numpy()).tolist() for v in model.optimizer.variables]
        assert type(loaded.optimizer).__name__ == type(model.optimizer).__name__


def test_config_json_matches_tf(tmp_path):
    tf = real_tf()
    configs = []
    for mod in (tftape, tf):
        mod.keras.backend.clear_session()
        model = _fit(mod, _models(mod)["sequential"])
        path = str(tmp_path / f"{mod.__name__}.keras")
        model.save(path)
        configs.append(json.loads(zipfile.ZipFile(path).read("config.json")))

    def strip(x):    # Keras 3 marks shared objects with an id that differs per process
        if isinstance(x, dict):
            return {k: strip(v) for k, v in x.items() if k != "shared_object_id"}
        if isinstance(x, list):
            return [strip(v) for v in x]
        return x
    ours, theirs = strip(configs[0]), strip(configs[1])
    theirs["config"]["layers"][0]["config"]["name"] = ours["config"]["layers"][0]["config"][
        "name"]
    assert ours == theirs


def test_weights_h5_layout_and_values_both_ways(tmp_path):
    tf = real_tf()
    import h5py

    def items(p):
        out = []
        with h5py.File(p) as f:
            f.visititems(lambda n, o: out.append((n, getattr(o, "shape", None),
                                                  dict(o.attrs))))
        return out
    for mod in (tftape, tf):   # auto-generated names count per session
        mod.keras.backend.clear_session()
    ours = _fit(tftape, _models(tftape)["sequential"])
    theirs = _fit(tf, _models(tf)["sequential"])
    ours.save_weights(str(tmp_path / "ours.weights.h5"))
    ours_before = ours.predict(X, verbose=0)
    theirs.save_weights(str(tmp_path / "tf.weights.h5"))
    assert items(tmp_path / "ours.weights.h5") == items(tmp_path / "tf.weights.h5")
    # each loads the other's file and then predicts the same
    ours.load_weights(str(tmp_path / "tf.weights.h5"))
    np.testing.assert_allclose(ours.predict(X, verbose=0), theirs.predict(X, verbose=0),
                               rtol=1e-5, atol=1e-6)
    fresh = _fit(tf, _models(tf)["sequential"])
    fresh.load_weights(str(tmp_path / "ours.weights.h5"))
    np.testing.assert_allclose(fresh.predict(X, verbose=0), ours_before,
                               rtol=1e-5, atol=1e-6)


CUSTOM = textwrap.dedent("""
    @keras.saving.register_keras_serializable(package="Test")
    class Scale(keras.layers.Layer):
        def __init__(self, k=2.0, **kwargs):
            super().__init__(**kwargs)
            self.k = k
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")
        def call(self, x):
            return x * self.w * self.k
        def get_config(self):
            return {**super().get_config(), "k": self.k}

    class Plain(keras.layers.Layer):
        def __init__(self, k=1.0, **kwargs):
            super().__init__(**kwargs)
            self.k = k
        def call(self, x):
            return x + self.k
        def get_config(self):
            return {**super().get_config(), "k": self.k}
""")


def _custom(tf):
    # TF 2.21's tf.keras has no `saving`; the Keras 3 package behind it does.
    keras = tftape.keras if tf is tftape else __import__("keras")
    ns = {"keras": keras}
    exec(CUSTOM, ns)
    return ns["Scale"], ns["Plain"]


def test_custom_objects_registered_and_passed(tmp_path):
    Scale, Plain = _custom(tftape)
    k = tftape.keras
    model = k.Sequential([k.Input((3,)), Scale(3.0), Plain(0.5), k.layers.Dense(1)])
    model.layers[0].w.assign([1.0, 2.0, 3.0])
    path = str(tmp_path / "c.keras")
    model.save(path)
    with pytest.raises(TypeError, match="Could not locate class 'Plain'"):
        k.models.load_model(path)
    loaded = k.models.load_model(path, custom_objects={"Plain": Plain})
    assert type(loaded.layers[0]) is Scale and loaded.layers[0].k == 3.0
    np.testing.assert_allclose(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    with k.saving.custom_object_scope({"Plain": Plain}):
        assert type(k.models.load_model(path).layers[1]) is Plain
    assert k.saving.get_registered_name(Scale) == "Test>Scale"
    config = json.loads(zipfile.ZipFile(path).read("config.json"))
    assert config["config"]["layers"][1]["registered_name"] == "Test>Scale"


def test_custom_layer_file_loads_in_tf(tmp_path):
    tf = real_tf()
    Scale, Plain = _custom(tftape)
    TScale, TPlain = _custom(tf)
    k = tftape.keras
    model = k.Sequential([k.Input((3,)), Scale(3.0), Plain(0.5)])
    model.save(str(tmp_path / "c.keras"))
    loaded = tf.keras.models.load_model(str(tmp_path / "c.keras"),
                                        custom_objects={"Plain": TPlain})
    np.testing.assert_allclose(loaded.predict(X, verbose=0), model.predict(X, verbose=0))


def test_round_trip_in_a_fresh_process(tmp_path):
    path = str(tmp_path / "m.keras")
    model = _fit(tftape, _models(tftape)["sequential"])
    model.save(path)
    np.save(tmp_path / "x.npy", X)
    code = textwrap.dedent(f"""
        import numpy as np, tftape as tf
        m = tf.keras.models.load_model({path!r})
        np.save({str(tmp_path / 'y.npy')!r}, m.predict(np.load({str(tmp_path / 'x.npy')!r}),
                verbose=0))
    """)
    subprocess.run([sys.executable, "-c", code], env=dict(os.environ, PYTHONPATH=ROOT),
                   check=True, capture_output=True)
    np.testing.assert_allclose(np.load(tmp_path / "y.npy"), model.predict(X, verbose=0),
                               rtol=1e-6)


ERROR_CASES = [
    "m.load_weights(D + '/nonexist.weights.h5')",
    "m.load_weights(D + '/x.h6')",
    "m.save_weights(D + '/x.h5')",
    "m.save(D + '/x.h6')",
    "tf.keras.models.load_model(D + '/nonexist.keras')",
    "tf.keras.models.load_model(D + '/garbage.keras')",
    "m.load_weights(D + '/garbage.weights.h5')",
    "wider.load_weights(D + '/m.weights.h5')",
    "deeper.load_weights(D + '/m.weights.h5')",
]


@pytest.mark.parametrize("expr", ERROR_CASES)
def test_errors_match_tf(tmp_path, expr):
    tf = real_tf()
    got = []
    for mod in (tftape, tf):
        d = str(tmp_path / mod.__name__)
        os.makedirs(d)
        k = mod.keras
        k.backend.clear_session()
        m = k.Sequential([k.Input((3,)), k.layers.Dense(4), k.layers.Dense(1)])
        m.save_weights(d + "/m.weights.h5")
        open(d + "/garbage.keras", "wb").write(b"not a zip")
        open(d + "/garbage.weights.h5", "wb").write(b"not h5")
        wider = k.Sequential([k.Input((3,)), k.layers.Dense(5), k.layers.Dense(1)])
        deeper = k.Sequential([k.Input((3,)), k.layers.Dense(4), k.layers.Dense(1),
                               k.layers.Dense(2)])
        try:
            eval(expr, {"tf": mod, "m": m, "D": d, "wider": wider, "deeper": deeper})
            got.append(("ok",))
        except Exception as e:  # noqa: BLE001 - type and message are compared
            msg = str(e).replace(d, "<D>")
            # Variable reprs print their random initial values: compare up to them.
            got.append((type(e).__name__, msg.split(", value=")[0]))
    assert got[0] == got[1]


def test_missing_h5py_gives_a_clear_import_error(tmp_path, monkeypatch):
    import builtins
    real_import = builtins.__import__

    def fake_import(name, *a, **k):
        if name == "h5py":
            raise ImportError("No module named 'h5py'")
        return real_import(name, *a, **k)
    monkeypatch.setattr(builtins, "__import__", fake_import)
    k = tftape.keras
    m = k.Sequential([k.Input((3,)), k.layers.Dense(1)])
    with pytest.raises(ImportError, match=r"pip install 'tftape\[saving\]'"):
        m.save_weights(str(tmp_path / "m.weights.h5"))
    assert not os.listdir(tmp_path)


def test_compiled_but_untrained_model_both_ways(tmp_path):
    # The optimizer is saved unbuilt (2 variables) and rebuilt on load: Keras skips its state.
    tf = real_tf()
    for writer, reader in ((tftape, tf), (tf, tftape), (tftape, tftape)):
        k = writer.keras
        model = k.Sequential([k.Input((3,)), k.layers.Dense(2)])
        model.compile(optimizer="adam", loss="mse")
        path = str(tmp_path / f"{writer.__name__}-{reader.__name__}.keras")
        model.save(path)
        loaded = reader.keras.models.load_model(path)
        # (One framework's matrix product against the other's: a last-bit difference near 0.)
        np.testing.assert_allclose(loaded.predict(X, verbose=0), model.predict(X, verbose=0),
                                   rtol=1e-6, atol=1e-7)

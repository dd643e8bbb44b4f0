"""tf.saved_model.save / load: restored functions and signatures behave as TensorFlow's.

The same model code runs under real TensorFlow and tftape; each saves and loads its own
SavedModel (the formats differ by design, see docs/saving.md) and the loaded objects must give
the same outputs, signature dicts, restored variables and errors. Loading also works in a fresh
process that never defines the model's class.
"""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tftape
from tests.oracle import real_tf

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

MODEL = textwrap.dedent("""
    class Model(tf.Module):
        def __init__(self):
            super().__init__()
            self.v = tf.Variable([[1.0, 2.0], [3.0, -4.0]])
            self.count = tf.Variable(0)
            self.scales = [tf.Variable(0.5), tf.Variable(2.0)]

        @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
        def __call__(self, x):
            self.count.assign_add(1)
            y = tf.matmul(x, self.v) * self.scales[1]
            if tf.reduce_sum(y) > 0:
                y = y * self.scales[0]
            return {"y": y, "total": tf.reduce_sum(y, axis=1)}

        @tf.function(input_signature=[tf.TensorSpec([None], tf.int32, name="ids"),
                                      tf.TensorSpec([], tf.int32)])
        def pair(self, ids, k):
            return ids * k, tf.shape(ids)[0] + k

        @tf.function
        def plain(self, x):
            return x + self.v[0, 0]
""")


_CLASSES = {}


def _model(tf):
    # AutoGraph reads the source of the functions it converts: define them in a real file.
    if tf.__name__ not in _CLASSES:
        import importlib.util
        import tempfile
        path = os.path.join(tempfile.mkdtemp(), f"sm_model_{tf.__name__}.py")
        with open(path, "w") as f:
            f.write(f"import {tf.__name__} as tf\n" + MODEL)
        spec = importlib.util.spec_from_file_location(f"sm_model_{tf.__name__}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _CLASSES[tf.__name__] = module.Model
    m = _CLASSES[tf.__name__]()
    m.plain(tf.constant([1.0, 2.0, 3.0]))        # traces one concrete function
    return m


def _save_and_load(tf, d, signatures="call"):
    m = _model(tf)
    sig = {"call": m.__call__, "concrete": m.pair.get_concrete_function(),
           "dict": {"serving_default": m.__call__, "pairs": m.pair}}[signatures]
    tf.saved_model.save(m, str(d), signatures=sig)
    return tf.saved_model.load(str(d))


def _np(x):
    if isinstance(x, dict):
        return {k: _np(v) for k, v in sorted(x.items())}
    if isinstance(x, (list, tuple)):
        return [_np(v) for v in x]
    return (np.asarray(x.numpy()).tolist(), x.dtype.name)


CALLS = [
    "loaded(tf.ones((3, 2)))",
    "loaded(tf.constant([[1.0, -2.0]]))",
    "loaded(np.ones((1, 2), np.float32))",
    "loaded.pair(tf.constant([1, 2, 3]), tf.constant(4))",
    "loaded.pair(ids=tf.constant([5]), k=tf.constant(2))",
    "loaded.plain(tf.constant([1.0, 2.0, 3.0]))",
    "[loaded(tf.ones((1, 2))), loaded.count][1]",
    "loaded.v",
    "loaded.scales",
    "loaded.signatures['serving_default'](x=tf.ones((2, 2)))",
]


@pytest.mark.parametrize("expr", CALLS)
def test_restored_functions_match_tf(tmp_path, expr):
    tf = real_tf()
    got = []
    for mod in (tftape, tf):
        loaded = _save_and_load(mod, tmp_path / mod.__name__)
        got.append(_np(eval(expr, {"tf": mod, "np": np, "loaded": loaded})))
    assert got[0] == got[1]


@pytest.mark.parametrize("kind", ["concrete", "dict"])
def test_signatures_match_tf(tmp_path, kind):
    tf = real_tf()
    got = []
    for mod in (tftape, tf):
        loaded = _save_and_load(mod, tmp_path / mod.__name__, kind)
        key = "pairs" if kind == "dict" else "serving_default"
        out = loaded.signatures[key](ids=mod.constant([1, 2]), k=mod.constant(3))
        got.append((sorted(loaded.signatures), _np(out)))
    assert got[0] == got[1]


ERRORS = [
    "loaded(tf.ones((3, 3)))",
    "loaded(tf.ones((3,)))",
    "loaded(tf.ones((3, 2), tf.float64))",
    "loaded(tf.ones((3, 2)), tf.ones((3, 2)))",
    "loaded.pair(tf.constant([1.0]), tf.constant(2))",
    "loaded.signatures['serving_default'](tf.ones((2, 2)))",
]


@pytest.mark.parametrize("expr", ERRORS)
def test_errors_have_tf_types(tmp_path, expr):
    tf = real_tf()
    got = []
    for mod in (tftape, tf):
        loaded = _save_and_load(mod, tmp_path / mod.__name__)
        try:
            out = eval(expr, {"tf": mod, "loaded": loaded})
            got.append(("ok", _np(out)))
        except Exception as e:  # noqa: BLE001 - the type and message are compared
            got.append((type(e).__name__, str(e)))
    assert got[0] == got[1]


def test_missing_directory(tmp_path):
    tf = real_tf()
    kinds = []
    for mod in (tftape, tf):
        with pytest.raises(OSError, match="SavedModel file does not exist at") as e:
            mod.saved_model.load(str(tmp_path / "nope"))
        kinds.append(type(e.value))
    assert kinds[0] is kinds[1]


def test_variables_are_a_tf_checkpoint(tmp_path):
    tf = real_tf()
    tftape.saved_model.save(_model(tftape), str(tmp_path / "m"))
    reader = tf.train.load_checkpoint(str(tmp_path / "m" / "variables" / "variables"))
    np.testing.assert_array_equal(reader.get_tensor("v/.ATTRIBUTES/VARIABLE_VALUE"),
                                  [[1.0, 2.0], [3.0, -4.0]])


def test_load_in_a_fresh_process_without_the_code(tmp_path):
    m = _model(tftape)
    tftape.saved_model.save(m, str(tmp_path / "m"), signatures=m.__call__)
    code = textwrap.dedent(f"""
        import numpy as np, tftape as tf
        loaded = tf.saved_model.load({str(tmp_path / 'm')!r})
        out = loaded.signatures["serving_default"](x=tf.constant([[1.0, 1.0], [2.0, 0.5]]))
        print(sorted(out), out["y"].numpy().tolist(), int(loaded.count.numpy()),
              loaded.pair(tf.constant([1, 2]), tf.constant(3))[1].numpy())
    """)
    out = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, PYTHONPATH=ROOT),
                         capture_output=True, text=True, check=True).stdout
    ref = m(tftape.constant([[1.0, 1.0], [2.0, 0.5]]))
    assert out.split() == (f"['total', 'y'] {ref['y'].numpy().tolist()} 1 5".split())


@settings(max_examples=8, deadline=None)
@given(rows=st.integers(1, 6))
def test_symbolic_batch_dimension(tmp_path_factory, rows):
    d = tmp_path_factory.mktemp("sm")
    m = _model(tftape)
    tftape.saved_model.save(m, str(d))
    loaded = tftape.saved_model.load(str(d))
    x = np.arange(rows * 2, dtype=np.float32).reshape(rows, 2)
    assert _np(loaded(x)) == _np(m(x))


def test_empty_symbolic_dimension_is_a_clear_error(tmp_path):
    tftape.saved_model.save(_model(tftape), str(tmp_path))
    loaded = tftape.saved_model.load(str(tmp_path))
    with pytest.raises(ValueError, match="cannot take an empty dimension"):
        loaded(np.zeros((0, 2), np.float32))

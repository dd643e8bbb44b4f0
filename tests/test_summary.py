"""tf.summary and keras.callbacks.TensorBoard: event files as real TF writes them.

Each case runs the same calls with tftape and with real TensorFlow (which needs the
`tensorboard` package for its summary functions), then reads both log folders back with
TensorBoard's own event-file reader and compares every event: step, tag, plugin, description,
tensor dtype, shape and values (images decoded from PNG).
"""
import glob
import os
import re

import numpy as np
import pytest

import tftape as tf

rtf = pytest.importorskip("tensorflow")
pytest.importorskip("tensorboard")
from tensorboard.backend.event_processing import event_file_loader  # noqa: E402
from tensorboard.util import tensor_util  # noqa: E402

IMG = np.linspace(0, 1, 2 * 3 * 4 * 3, dtype=np.float32).reshape(2, 3, 4, 3)
CASES = {
    "scalar_float": lambda m: m.summary.scalar("loss", 0.5, step=1),
    "scalar_int_and_description": lambda m: m.summary.scalar("n", 3, step=7, description="d"),
    "scalar_tensor_f64": lambda m: m.summary.scalar("x", m.constant(1.0 / 3, m.float64), step=2),
    "scalar_variable_step": lambda m: m.summary.scalar("v", m.Variable(2.5),
                                                       step=m.constant(5, m.int64)),
    "scalar_numpy": lambda m: m.summary.scalar("np", np.float64(np.pi), step=0),
    "histogram": lambda m: m.summary.histogram("h", [1.0, 2.0, 2.5, 10.0], step=1),
    "histogram_buckets": lambda m: m.summary.histogram("h", np.arange(100) ** 2, step=3,
                                                       buckets=7),
    "histogram_single_value": lambda m: m.summary.histogram("h", [4.0, 4.0, 4.0], step=1),
    "histogram_empty": lambda m: m.summary.histogram("h", np.zeros((0,), np.float32), step=1),
    "histogram_2d_tensor": lambda m: m.summary.histogram(
        "w", m.constant(np.linspace(-3, 5, 60).reshape(6, 10), m.float32), step=4),
    "histogram_one_bucket": lambda m: m.summary.histogram("h", [1, 5, 9], step=1, buckets=1),
    "text": lambda m: m.summary.text("t", "hello", step=1),
    "text_matrix": lambda m: m.summary.text("t", [["a", "ü"], ["c", "d"]], step=2),
    "image_float": lambda m: m.summary.image("img", IMG, step=1),
    "image_uint8_gray": lambda m: m.summary.image(
        "g", (np.arange(2 * 5 * 3).reshape(2, 5, 3, 1) * 7).astype(np.uint8), step=1),
    "image_max_outputs": lambda m: m.summary.image("img", np.concatenate([IMG] * 3), step=1,
                                                   max_outputs=4),
    "image_rgba": lambda m: m.summary.image("a", np.ones((1, 2, 2, 4), np.float32) * 0.3,
                                            step=1),
}


def read_events(logdir):
    """Every event after the file-version header, as comparable tuples."""
    files = sorted(glob.glob(os.path.join(str(logdir), "**", "events.out.tfevents.*"),
                             recursive=True))
    out = []
    for path in files:
        events = list(event_file_loader.EventFileLoader(path).Load())
        assert events[0].file_version == "brain.Event:2"
        for e in events[1:]:
            for v in e.summary.value:
                value = tensor_util.make_ndarray(v.tensor)
                if v.metadata.plugin_data.plugin_name == "images":   # decode the PNGs
                    value = [value[:2].tolist()] + [rtf.io.decode_png(p).numpy().tolist()
                                                    for p in value[2:]]
                else:
                    value = (value.dtype.str, value.shape, value.tolist())
                out.append((os.path.relpath(os.path.dirname(path), str(logdir)), e.step, v.tag,
                            v.metadata.plugin_data.plugin_name,
                            v.metadata.summary_description, v.tensor.dtype, value))
    return out


def run_both(tmp_path, fn):
    results = []
    for m, name in ((tf, "ours"), (rtf, "theirs")):
        writer = m.summary.create_file_writer(str(tmp_path / name))
        with writer.as_default():
            r = fn(m)
        writer.close()
        results.append((r, read_events(tmp_path / name)))
    return results


@pytest.mark.parametrize("case", sorted(CASES))
def test_events_match_tf(tmp_path, case):
    (ours, ours_events), (theirs, theirs_events) = run_both(tmp_path, CASES[case])
    assert bool(ours) is bool(theirs) is True
    assert ours_events == theirs_events
    assert len(ours_events) == 1


def test_event_file_name_and_header(tmp_path):
    for m, name in ((tf, "ours"), (rtf, "theirs")):
        m.summary.create_file_writer(str(tmp_path / name)).flush()
    ours, = os.listdir(tmp_path / "ours")
    theirs, = os.listdir(tmp_path / "theirs")
    assert ours.split(".")[:3] == theirs.split(".")[:3] == ["events", "out", "tfevents"]
    assert ours.endswith(".v2") and theirs.endswith(".v2")
    header, = event_file_loader.EventFileLoader(str(tmp_path / "ours" / ours)).Load()
    assert header.file_version == "brain.Event:2"
    assert header.source_metadata.writer == "tensorflow.core.util.events_writer"


def _steps_and_scopes(m):
    m.summary.experimental.set_step(3)
    m.summary.scalar("a", 1.0)
    with m.name_scope("train"):
        m.summary.scalar("b", 2.0)
        m.summary.histogram("c", [1.0, 2.0])
    m.summary.experimental.set_step(None)
    with m.summary.record_if(False):
        m.summary.scalar("skipped", 1.0, step=1)
    m.summary.text("t", "x", step=9)
    return True


def test_default_step_name_scope_and_record_if(tmp_path):
    (_, ours), (_, theirs) = run_both(tmp_path, _steps_and_scopes)
    assert ours == theirs
    assert [(e[1], e[2]) for e in ours] == [(3, "a"), (3, "train/b"), (3, "train/c"), (9, "t")]


def test_as_default_step_and_get_step(tmp_path):
    for m in (tf, rtf):
        w = m.summary.create_file_writer(str(tmp_path / m.__name__))
        assert m.summary.experimental.get_step() is None
        with w.as_default(step=4):
            assert int(m.summary.experimental.get_step()) == 4
        assert m.summary.experimental.get_step() is None
    assert read_events(tmp_path / "tftape") == read_events(tmp_path / "tensorflow") == []


def test_no_default_writer_returns_false():
    for m in (tf, rtf):
        r = m.summary.scalar("x", 1.0, step=1)
        assert r.dtype == m.bool and not bool(r)
    assert repr(tf.summary.scalar("x", 1.0, step=1)) == repr(rtf.summary.scalar("x", 1.0, step=1))


def test_missing_step_raises_tf_message(tmp_path):
    msgs = []
    for m in (tf, rtf):
        with m.summary.create_file_writer(str(tmp_path / m.__name__)).as_default():
            with pytest.raises(ValueError) as e:
                m.summary.scalar("x", 1.0)
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1]


def test_flush_writes_queued_events(tmp_path):
    w = tf.summary.create_file_writer(str(tmp_path), max_queue=100, flush_millis=10 ** 6)
    w.set_as_default()
    try:
        tf.summary.scalar("q", 1.0, step=1)
        assert read_events(tmp_path) == []
        tf.summary.flush()
        assert [e[2] for e in read_events(tmp_path)] == ["q"]
    finally:
        w.close()
        tf.summary._writer._state.writers.clear()


def _fit(m, logdir, **kw):
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (32, 2)).astype("float32")
    y = (x[:, :1] * 2 - x[:, 1:] + 0.5).astype("float32")
    model = m.keras.Sequential([m.keras.Input((2,)),
                                m.keras.layers.Dense(1, kernel_initializer="ones")])
    model.compile(optimizer=m.keras.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    model.fit(x, y, epochs=3, batch_size=8, validation_split=0.25, verbose=0, shuffle=False,
              callbacks=[m.keras.callbacks.TensorBoard(str(logdir), **kw)])


def _scalars(events):
    return [(run, step, tag, value[2]) for run, step, tag, plugin, _, _, value in events
            if plugin == "scalars"]


@pytest.mark.parametrize("kw", [{}, {"update_freq": 2}, {"histogram_freq": 1}],
                         ids=["epoch", "batches", "histograms"])
def test_keras_tensorboard_callback(tmp_path, kw):
    _fit(tf, tmp_path / "ours", **kw)
    _fit(rtf, tmp_path / "theirs", **kw)
    ours, theirs = read_events(tmp_path / "ours"), read_events(tmp_path / "theirs")
    so, st = _scalars(ours), _scalars(theirs)
    assert [s[:3] for s in so] == [s[:3] for s in st]
    np.testing.assert_allclose([s[3] for s in so], [s[3] for s in st], rtol=1e-5, atol=1e-6)
    # Note: Keras also writes the model's config (plugin graph_keras_model); tftape does not.
    def hist(events):  # weight paths without the model/layer counters (sequential_3/dense_3)
        return [(e[0], e[1], re.sub(r"_\d+/", "/", e[2]), e[6][:2]) for e in events
                if e[3] == "histograms"]
    assert hist(ours) == hist(theirs)
    for o, t in zip(*([e for e in ev if e[3] == "histograms"] for ev in (ours, theirs))):
        np.testing.assert_allclose(o[6][2], t[6][2], rtol=1e-5, atol=1e-6)  # float noise
    assert bool(hist(ours)) is ("histogram_freq" in kw)

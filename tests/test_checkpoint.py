"""tf.train.Checkpoint / CheckpointManager / readers against real TensorFlow 2.21.

Files are exchanged both ways (tftape writes, TF reads; TF writes, tftape reads), the object
graphs and checkpoint keys are compared, and errors match TF's types and messages.
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

# Each structure is built the same way with `tf` bound to tftape or to TensorFlow.
STRUCTURES = {
    "flat": "ck = tf.train.Checkpoint(step=tf.Variable(1), w=tf.Variable([[1., 2.], [3., 4.]]))",
    "module": textwrap.dedent("""
        class M(tf.Module):
            def __init__(self):
                super().__init__()
                self.z = tf.Variable(1.5, name="zz/yy")
                self.a = [1, 2]
                self.d = {"b": tf.Variable(1), "a": tf.Variable(2.0), "a.b/c": tf.Variable(3)}
                self.t = (tf.Variable(np.int64(5)),)
                self.c = tf.constant(3)
                self.e = []
        ck = tf.train.Checkpoint(m=M(), s=tf.Variable([b"ab", b"c"]))"""),
    "nested": textwrap.dedent("""
        class Inner(tf.Module):
            def __init__(self):
                super().__init__()
                self.v = tf.Variable(np.arange(6, dtype=np.float64).reshape(2, 3))
        class Outer(tf.Module):
            def __init__(self):
                super().__init__()
                self.inner = Inner()
                self.again = self.inner
                self.layers = [Inner(), {"x": Inner()}]
        ck = tf.train.Checkpoint(outer=Outer(), flag=tf.Variable([True, False]))"""),
}


def _build(tf, name):
    ns = {"tf": tf, "np": np}
    exec(STRUCTURES[name], ns)
    return ns["ck"]


def _graph_text(tf_real, prefix):
    from tensorflow.core.protobuf import trackable_object_graph_pb2 as pb
    g = pb.TrackableObjectGraph()
    g.ParseFromString(tf_real.train.load_checkpoint(prefix).get_tensor(
        "_CHECKPOINTABLE_OBJECT_GRAPH"))
    return str(g)


def _perturb(ck):
    for v in _vars(ck):
        if v.dtype == "string" or getattr(v.dtype, "name", "") == "string":
            v.assign(np.full(v.shape, b"?", dtype=object))
        else:
            v.assign(np.zeros(v.shape, v.dtype.as_numpy_dtype))


def _vars(ck):
    from tftape.train import _graph
    return [o for o in _graph.SavedGraph(ck).objects
            if _graph.is_variable(o) and o is not ck._save_counter]


@pytest.mark.parametrize("name", sorted(STRUCTURES))
def test_same_keys_and_object_graph_as_tf(tmp_path, name):
    tf = real_tf()
    ours = _build(tftape, name).save(str(tmp_path / "ours" / "ckpt"))
    theirs = _build(tf, name).save(str(tmp_path / "tf" / "ckpt"))
    assert os.path.basename(ours) == os.path.basename(theirs) == "ckpt-1"
    assert tftape.train.list_variables(ours) == tf.train.list_variables(theirs)
    assert _graph_text(tf, ours) == _graph_text(tf, theirs)
    assert open(tmp_path / "ours" / "checkpoint").read() == \
        open(tmp_path / "tf" / "checkpoint").read()
    # TF reads every value tftape wrote, and the same keys read the same.
    r_ours, r_tf = tf.train.load_checkpoint(ours), tf.train.load_checkpoint(theirs)
    assert r_ours.get_variable_to_dtype_map() == r_tf.get_variable_to_dtype_map()
    for key in r_tf.get_variable_to_shape_map():
        if key != "_CHECKPOINTABLE_OBJECT_GRAPH":
            np.testing.assert_array_equal(r_ours.get_tensor(key), r_tf.get_tensor(key))


@pytest.mark.parametrize("name", sorted(STRUCTURES))
def test_tf_restores_ours_and_we_restore_tfs(tmp_path, name):
    tf = real_tf()
    ours = _build(tftape, name).save(str(tmp_path / "ours" / "ckpt"))
    theirs = _build(tf, name).save(str(tmp_path / "tf" / "ckpt"))
    # TF restores the tftape checkpoint into fresh objects, every value consumed.
    _build(tf, name).restore(ours).assert_consumed()
    # tftape restores TF's checkpoint into perturbed objects and gets the values back.
    ck = _build(tftape, name)
    want = [np.asarray(v.numpy()) for v in _vars(ck)]
    _perturb(ck)
    ck.restore(theirs).assert_consumed()
    for v, w in zip(_vars(ck), want):
        np.testing.assert_array_equal(np.asarray(v.numpy()), w)
    assert int(ck.save_counter.numpy()) == 1


def test_round_trip_in_a_fresh_process(tmp_path):
    code = textwrap.dedent(f"""
        import numpy as np, tftape as tf, sys
        {STRUCTURES['nested']!r}
        ns = {{"tf": tf, "np": np}}
        exec({STRUCTURES['nested']!r}, ns)
        ck = ns["ck"]
        ck.outer.inner.v.assign(ck.outer.inner.v * 7)
        ck.outer.layers[1]["x"].v.assign([[9., 9., 9.], [8., 8., 8.]])
        if sys.argv[1] == "save":
            ck.save({str(tmp_path / "ckpt")!r})
        else:
            ck.outer.inner.v.assign(tf.zeros((2, 3), tf.float64))
            ck.outer.layers[1]["x"].v.assign(tf.zeros((2, 3), tf.float64))
            ck.restore(tf.train.latest_checkpoint({str(tmp_path)!r})).assert_consumed()
            print(ck.outer.inner.v.numpy().tolist(), ck.outer.layers[1]["x"].v.numpy().tolist(),
                  int(ck.save_counter))
    """)
    env = dict(os.environ, PYTHONPATH=ROOT)
    for mode in ("save", "load"):
        out = subprocess.run([sys.executable, "-c", code, mode], env=env, capture_output=True,
                             text=True, check=True).stdout
    assert out.strip() == ("[[0.0, 7.0, 14.0], [21.0, 28.0, 35.0]] "
                           "[[9.0, 9.0, 9.0], [8.0, 8.0, 8.0]] 1")


_DTYPES = ["float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64",
           "uint8", "uint16", "uint32", "uint64", "bool", "complex64", "complex128", "string"]


@settings(max_examples=25, deadline=None)
@given(dtype=st.sampled_from(_DTYPES),
       shape=st.lists(st.integers(0, 4), min_size=0, max_size=3),
       seed=st.integers(0, 2 ** 16))
def test_tensor_bundle_dtypes_and_shapes_read_by_tf(tmp_path_factory, dtype, shape, seed):
    tf = real_tf()
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    if dtype == "string":
        value = np.array([bytes(rng.integers(0, 256, rng.integers(0, 5), dtype=np.uint8))
                          for _ in range(n)], dtype=object).reshape(shape)
    else:
        value = (rng.standard_normal(n) * 50).astype(tftape.as_dtype(dtype).as_numpy_dtype) \
            .reshape(shape)
    d = tmp_path_factory.mktemp("b")
    ours = tftape.train.Checkpoint(v=tftape.Variable(value)).write(str(d / "ours"))
    got = tf.train.load_checkpoint(ours).get_tensor("v/.ATTRIBUTES/VARIABLE_VALUE")
    assert tf.train.load_checkpoint(ours).get_variable_to_dtype_map()[
        "v/.ATTRIBUTES/VARIABLE_VALUE"].name == dtype
    np.testing.assert_array_equal(np.asarray(got).reshape(shape), value)
    theirs = tf.train.Checkpoint(v=tf.Variable(value)).write(str(d / "theirs"))
    back = tftape.train.load_checkpoint(theirs).get_tensor("v/.ATTRIBUTES/VARIABLE_VALUE")
    np.testing.assert_array_equal(np.asarray(back).reshape(shape), value)


def test_large_tensor_checksum(tmp_path):
    tf = real_tf()
    value = np.random.default_rng(0).standard_normal((700, 900)).astype(np.float32)
    p = tftape.train.Checkpoint(v=tftape.Variable(value)).write(str(tmp_path / "big"))
    np.testing.assert_array_equal(
        tf.train.load_checkpoint(p).get_tensor("v/.ATTRIBUTES/VARIABLE_VALUE"), value)


# -- deferred restoration ---------------------------------------------------------------------
def _train_steps(tf, model, opt, n):
    losses = []
    x = tf.constant(np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3))
    for _ in range(n):
        with tf.GradientTape() as t:
            loss = tf.reduce_mean(tf.square(model(x) - 1.0))
        grads = t.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        losses.append(float(loss))
    return losses


@pytest.mark.parametrize("opt_name", ["Adam", "SGD", "RMSprop", "Adagrad"])
def test_deferred_restore_of_slots_and_lazily_built_layers(tmp_path, opt_name):
    tf = tftape
    kw = {"momentum": 0.9} if opt_name in ("SGD", "RMSprop") else {}
    model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(4),
                                 tf.keras.layers.Dense(1)])
    opt = getattr(tf.keras.optimizers, opt_name)(0.05, **kw)
    _train_steps(tf, model, opt, 3)
    path = tf.train.Checkpoint(model=model, optimizer=opt).save(str(tmp_path / "ck"))
    want = _train_steps(tf, model, opt, 3)
    # A fresh model without Input (built on first call) and an unbuilt optimizer.
    model2 = tf.keras.Sequential([tf.keras.layers.Dense(4), tf.keras.layers.Dense(1)])
    opt2 = getattr(tf.keras.optimizers, opt_name)(0.05, **kw)
    status = tf.train.Checkpoint(model=model2, optimizer=opt2).restore(path)
    with pytest.raises(AssertionError, match="Unresolved object in checkpoint"):
        status.assert_consumed()
    status.assert_existing_objects_matched()
    # The restored run compiles its own step programs; XLA may fuse them differently from the
    # programs the first model had cached, so the last float32 digit may differ.
    np.testing.assert_allclose(_train_steps(tf, model2, opt2, 3), want, rtol=1e-6)
    status.assert_consumed()
    assert int(opt2.iterations.numpy()) == 6


def test_deferred_restore_of_module_attribute(tmp_path):
    tf = tftape
    m = tf.Module()
    m.v = tf.Variable([1.0, 2.0])
    p = tf.train.Checkpoint(m=m).write(str(tmp_path / "w"))
    m2 = tf.Module()
    st_ = tf.train.Checkpoint(m=m2).read(p)
    m2.v = tf.Variable([0.0, 0.0])           # created after restore: restored on assignment
    np.testing.assert_array_equal(m2.v.numpy(), [1.0, 2.0])
    st_.assert_consumed()


# -- CheckpointManager and state files ----------------------------------------------------------
@pytest.mark.parametrize("max_to_keep", [1, 2, None])
def test_manager_matches_tf(tmp_path, max_to_keep):
    tf = real_tf()
    results = []
    for mod, d in ((tftape, tmp_path / "ours"), (tf, tmp_path / "tf")):
        ck = mod.train.Checkpoint(v=mod.Variable(1.0))
        mgr = mod.train.CheckpointManager(ck, str(d), max_to_keep=max_to_keep)
        paths = [mgr.save() for _ in range(3)] + [mgr.save(checkpoint_number=10),
                                                  mgr.save(checkpoint_number=mod.Variable(12))]
        again = mod.train.CheckpointManager(ck, str(d), max_to_keep=max_to_keep)
        state = mod.train.get_checkpoint_state(str(d))
        results.append((
            [os.path.relpath(p, d) for p in paths],
            [os.path.relpath(p, d) for p in mgr.checkpoints],
            os.path.relpath(mgr.latest_checkpoint, d),
            [os.path.relpath(p, d) for p in again.checkpoints],
            sorted(os.listdir(d)),
            os.path.relpath(mod.train.latest_checkpoint(str(d)), d),
            os.path.relpath(state.model_checkpoint_path, d),
            [os.path.relpath(p, d) for p in state.all_model_checkpoint_paths],
            int(ck.save_counter.numpy())))
    assert results[0] == results[1]


def test_latest_checkpoint_absent(tmp_path):
    tf = real_tf()
    for mod in (tftape, tf):
        assert mod.train.latest_checkpoint(str(tmp_path)) is None
        assert mod.train.latest_checkpoint(str(tmp_path / "missing")) is None


def test_failed_save_leaves_nothing_behind(tmp_path, monkeypatch):
    from tftape.train import _table
    ck = tftape.train.Checkpoint(v=tftape.Variable(1.0))
    first = ck.save(str(tmp_path / "ckpt"))

    def boom(items):
        raise OSError("disk full")
    monkeypatch.setattr(_table, "build", boom)
    with pytest.raises(OSError, match="disk full"):
        ck.save(str(tmp_path / "ckpt"))
    assert sorted(os.listdir(tmp_path)) == ["checkpoint", "ckpt-1.data-00000-of-00001",
                                            "ckpt-1.index"]
    assert tftape.train.latest_checkpoint(str(tmp_path)) == first


# -- errors ---------------------------------------------------------------------------------------
def _outcome(fn):
    try:
        r = fn()
        return ("ok", type(r).__name__)
    except Exception as e:  # noqa: BLE001 - the type and message are what we compare
        return ("err", type(e).__name__, str(e))


ERROR_CASES = [
    "tf.train.load_checkpoint(D + '/nonexist/ck')",
    "tf.train.list_variables(D + '/nonexist')",
    "tf.train.list_variables(D + '/empty')",
    "tf.train.load_checkpoint(P).get_tensor('nope')",
    "tf.train.load_checkpoint(P).has_tensor('nope')",
    "tf.train.Checkpoint(v=tf.Variable([1., 2., 3.])).restore(P)",
    "tf.train.Checkpoint(v=tf.Variable([1., 2.])).restore(D + '/nope-1')",
    "tf.train.Checkpoint(v=tf.Variable([1., 2.])).read(D + '/nope-1')",
    "tf.train.Checkpoint(v=tf.Variable([1., 2.])).restore(P).assert_consumed()",
    "tf.train.Checkpoint(v=tf.Variable([1., 2.])).restore(P).assert_existing_objects_matched()",
    "tf.train.Checkpoint(v=tf.Variable([1., 2.]), x=tf.Variable(1.), w=tf.Variable(3))"
    ".restore(P).assert_consumed()",
    "tf.train.Checkpoint(x=tf.Variable(1.)).restore(P).assert_existing_objects_matched()",
    "tf.train.Checkpoint(v=tf.Variable([1., 2.]), w=tf.Variable(3)).restore(P)"
    ".assert_consumed()",
    "tf.train.Checkpoint(v=tf.Variable([1., 2.])).restore(None).assert_consumed()",
    "tf.train.Checkpoint(v=tf.Variable([1., 2.])).restore(None).expect_partial()",
    "tf.train.Checkpoint(v=3)",
    "tf.train.load_checkpoint(C + '/bad-data').get_tensor('v/.ATTRIBUTES/VARIABLE_VALUE')",
    "tf.train.load_checkpoint(C + '/bad-index')",
    "tf.train.load_checkpoint(C + '/short-index')",
]


def _error_fixture(mod, d):
    os.makedirs(d + "/empty", exist_ok=True)
    p = mod.train.Checkpoint(v=mod.Variable([1., 2.]), w=mod.Variable(3)).write(d + "/ck")
    c = d + "/c"
    os.makedirs(c, exist_ok=True)
    raw_i = open(p + ".index", "rb").read()
    raw_d = open(p + ".data-00000-of-00001", "rb").read()
    for name in ("bad-data", "bad-index", "short-index"):
        open(f"{c}/{name}.data-00000-of-00001", "wb").write(
            bytes([raw_d[0] ^ 0xFF]) + raw_d[1:] if name == "bad-data" else raw_d)
    open(f"{c}/bad-data.index", "wb").write(raw_i)
    open(f"{c}/bad-index.index", "wb").write(raw_i[:10] + bytes([raw_i[10] ^ 0xFF])
                                             + raw_i[11:])
    open(f"{c}/short-index.index", "wb").write(b"garbage")
    return p, c


@pytest.mark.parametrize("expr", ERROR_CASES)
def test_errors_match_tf(tmp_path, expr):
    tf = real_tf()
    got = []
    for mod, d in ((tftape, str(tmp_path / "ours")), (tf, str(tmp_path / "tf"))):
        p, c = _error_fixture(mod, d)
        out = _outcome(lambda: eval(expr, {"tf": mod, "P": p, "D": d, "C": c}))
        got.append(tuple(_unordered(x.replace(d, "<D>")) for x in out))
    assert got[0] == got[1]


def _unordered(msg):
    # TF lists unmatched objects in the order of an identity set: compare them as a set.
    head, sep, tail = msg.partition("unmatched objects: [")
    return head + sep + str(sorted(tail.rstrip("]").lstrip("<").split(", <"))) if sep else msg


@pytest.mark.parametrize("which", ["dtype", "data"])
def test_restore_errors_match_tf(tmp_path, which):
    # TF prefixes these messages with its internal function name; type and body must match.
    tf = real_tf()
    got = []
    for mod, d in ((tftape, str(tmp_path / "ours")), (tf, str(tmp_path / "tf"))):
        p, c = _error_fixture(mod, d)
        if which == "dtype":
            fn = lambda: mod.train.Checkpoint(w=mod.Variable(3.0)).restore(p)  # noqa: E731
        else:
            fn = lambda: mod.train.Checkpoint(  # noqa: E731
                v=mod.Variable([1., 2.]), w=mod.Variable(3)).restore(c + "/bad-data")
        kind, name, msg = _outcome(fn)
        got.append((name, msg.split("}} ")[-1].replace(d, "<D>")))
    assert got[0] == got[1]

"""tf.distribute against real TensorFlow and against the single-device run.

Several devices need ``XLA_FLAGS=--xla_force_host_platform_device_count=N`` before JAX
starts its backend, so those checks run in subprocesses. Real TF gets the same number of
logical CPU devices, and both print the same snippets.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

real_tf = pytest.importorskip("tensorflow")

import tftape as tf  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _subprocess(code: str, devices: int, module: str = "tftape") -> str:
    env = dict(os.environ)
    env["XLA_FLAGS"] = f"--xla_force_host_platform_device_count={devices}"
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    prelude = "import tftape as tf\n" if module == "tftape" else textwrap.dedent(f"""
        import tensorflow as tf
        _c = tf.config.list_physical_devices("CPU")
        tf.config.set_logical_device_configuration(
            _c[0], [tf.config.LogicalDeviceConfiguration()] * {devices})
        """)
    src = "import numpy as np\n" + prelude + textwrap.dedent(code)
    r = subprocess.run([sys.executable, "-c", src], capture_output=True, text=True, env=env,
                       timeout=300, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-3000:]
    return r.stdout


# -- reprs and values against TF (2 replicas) ------------------------------------------------------
SNIPPETS = """
s = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
print(s.num_replicas_in_sync)
with s.scope():
    v = tf.Variable(1.0)
    print(repr(v))
    print(tf.distribute.in_cross_replica_context(), tf.distribute.get_replica_context())
    print(type(tf.distribute.get_strategy()).__name__)
print(type(tf.distribute.get_strategy()).__name__)
ds = tf.data.Dataset.range(8).map(lambda x: tf.cast(x, tf.float32)).batch(4)
dd = s.experimental_distribute_dataset(ds)
print(dd.element_spec)
for b in dd:
    print(repr(b))
    r = s.run(lambda x: tf.reduce_sum(x) * 2, args=(b,))
    print(repr(r))
    print(s.reduce(tf.distribute.ReduceOp.SUM, r, axis=None))
    print(s.reduce("MEAN", r, axis=None))
    print(s.reduce("SUM", b, axis=0), s.reduce("MEAN", b, axis=0))
    print(s.experimental_local_results(r))
print(repr(s.run(lambda: tf.distribute.get_replica_context().replica_id_in_sync_group)))
print(s.run(lambda: tf.constant(3.0)))
print(s.run(lambda: tf.distribute.get_replica_context().all_reduce("SUM", tf.constant(2.0))))
print(s.run(lambda x: x + 1, args=(tf.constant([1, 2]),)))
for op in ["SUM", "MEAN"]:
    try:
        print(s.reduce(op, tf.constant(3.0), axis=None))
    except Exception as e:
        print(type(e).__name__, e)
ds2 = tf.data.Dataset.from_tensor_slices((np.arange(8.0).reshape(4, 2), np.arange(4))).batch(4)
for x, y in s.experimental_distribute_dataset(ds2):
    print(repr(x)); print(repr(y))
    out = s.run(lambda a, b: {"s": tf.reduce_sum(a, axis=1), "y": b * 2}, args=(x, y))
    print(sorted(out), repr(out["s"]), repr(out["y"]))
"""


def test_reprs_and_values_match_tf_two_replicas():
    want = _subprocess(SNIPPETS, 2, "tensorflow")
    got = _subprocess(SNIPPETS, 2)
    assert got == want


# -- numerics against the single-device run (8 replicas) -----------------------------------------
TRAINING = """
import json
GB = 32
rng = np.random.default_rng(0)
X = rng.normal(size=(128, 5)).astype(np.float32)
Y = (X @ rng.normal(size=(5, 1)).astype(np.float32) + 0.1).astype(np.float32)

def custom_loop(strategy, use_function):
    tf.keras.utils.set_random_seed(1)
    with strategy.scope():
        model = tf.keras.Sequential([tf.keras.Input((5,)),
                                     tf.keras.layers.Dense(16, activation="relu"),
                                     tf.keras.layers.Dense(1)])
        opt = tf.keras.optimizers.Adam(0.01)
    ds = tf.data.Dataset.from_tensor_slices((X, Y)).batch(GB)
    dist = strategy.experimental_distribute_dataset(ds)

    def step(inputs):
        x, y = inputs
        with tf.GradientTape() as tape:
            per_example = tf.reduce_sum(tf.square(model(x, training=True) - y), axis=1)
            loss = tf.nn.compute_average_loss(per_example, global_batch_size=GB)
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    def dist_step(inputs):
        return strategy.reduce("SUM", strategy.run(step, args=(inputs,)), axis=None)
    if use_function:
        dist_step = tf.function(dist_step)
    losses = [float(dist_step(b)) for _ in range(3) for b in dist]
    return losses, [w.numpy().tolist() for w in model.weights]

def keras_fit(strategy):
    tf.keras.utils.set_random_seed(1)
    with strategy.scope():
        model = tf.keras.Sequential([tf.keras.Input((5,)),
                                     tf.keras.layers.Dense(16, activation="relu"),
                                     tf.keras.layers.Dense(1)])
        model.compile(optimizer=tf.keras.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
    h = model.fit(tf.data.Dataset.from_tensor_slices((X, Y)).batch(GB), epochs=3, verbose=0)
    sharded = len(model.weights[0]._value.sharding.device_set)
    return h.history, [w.numpy().tolist() for w in model.weights], sharded

one = tf.distribute.get_strategy()
many = tf.distribute.MirroredStrategy()
out = {"n": many.num_replicas_in_sync,
       "loop1": custom_loop(one, False), "loopN": custom_loop(many, False),
       "loopN_fn": custom_loop(many, True),
       "fit1": keras_fit(one), "fitN": keras_fit(many)}
print(json.dumps(out))
"""


def _close(a, b, tol=1e-5):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and np.allclose(a, b, atol=tol, rtol=tol)


def test_mirrored_training_equals_single_device():
    out = json.loads(_subprocess(TRAINING, 8).strip().splitlines()[-1])
    assert out["n"] == 8
    base_losses, base_w = out["loop1"]
    for key in ("loopN", "loopN_fn"):
        losses, w = out[key]
        assert _close(losses, base_losses), (key, losses, base_losses)
        assert all(_close(p, q) for p, q in zip(w, base_w)), key
    h1, w1, _ = out["fit1"]
    hN, wN, devices = out["fitN"]
    assert devices == 8
    for k in h1:
        assert _close(h1[k], hN[k]), k
    assert all(_close(p, q) for p, q in zip(w1, wN))


UNEVEN = """
s = tf.distribute.MirroredStrategy()
ds = s.experimental_distribute_dataset(tf.data.Dataset.range(10).batch(4))
for b in ds:
    print([v.numpy().tolist() for v in b.values])
    print(s.reduce("SUM", s.run(lambda x: tf.reduce_sum(x), args=(b,)), axis=None).numpy())
ids = s.run(lambda: tf.distribute.get_replica_context().replica_id_in_sync_group)
print([int(v) for v in ids.values])
"""


def test_uneven_batches_split_like_tf():
    # 4 replicas: batches of 4, 4 and 2 rows (the last split 1, 1, 0, 0 as TF does).
    want = _subprocess(UNEVEN.replace("MirroredStrategy()", "MirroredStrategy("
                                      "['/cpu:0', '/cpu:1', '/cpu:2', '/cpu:3'])"), 4,
                       "tensorflow")
    got = _subprocess(UNEVEN, 4)
    assert got == want


# -- single device, in process ------------------------------------------------------------------
EXPRS = [
    "type(tf.distribute.get_strategy()).__name__",
    "tf.distribute.get_strategy().num_replicas_in_sync",
    "tf.distribute.has_strategy(), tf.distribute.in_cross_replica_context()",
    "tf.distribute.get_replica_context().num_replicas_in_sync",
    "tf.distribute.get_replica_context().replica_id_in_sync_group",
    "tf.distribute.ReduceOp.SUM, tf.distribute.ReduceOp.MEAN",
    "str(tf.distribute.ReduceOp.SUM)",
    "tf.distribute.get_strategy().reduce('SUM', tf.constant([1.0, 2.0]), axis=0)",
    "tf.distribute.get_strategy().reduce('MEAN', tf.constant([1.0, 2.0]), axis=0)",
    "tf.distribute.get_strategy().reduce('SUM', tf.constant([1.0, 2.0]), axis=None)",
    "tf.distribute.get_strategy().run(lambda x: x * 2, args=(tf.constant(2),))",
    "tf.distribute.OneDeviceStrategy('/cpu:0').num_replicas_in_sync",
    "tf.distribute.OneDeviceStrategy('/cpu:0').run(lambda: tf.constant(1.5))",
    "tf.distribute.InputContext(2, 1, 4).get_per_replica_batch_size(64)",
    "str(tf.distribute.InputContext(2, 1, 4))",
    "tf.distribute.InputContext(2, 1, 3).get_per_replica_batch_size(64)",
    "tf.distribute.MirroredStrategy(['/cpu:0', '/cpu:0'])",
]


def _eval(mod, expr):
    try:
        return ("ok", repr(eval(expr, {"tf": mod, "np": np})))
    except Exception as e:  # noqa: BLE001
        return ("err", type(e).__name__)


@pytest.mark.parametrize("expr", EXPRS)
def test_expr(expr):
    assert _eval(tf, expr) == _eval(real_tf, expr)


def test_scope_creates_mirrored_variables_single_device():
    s = tf.distribute.MirroredStrategy()
    with s.scope():
        v = tf.Variable([1.0, 2.0])
        assert tf.distribute.get_replica_context() is None
        assert tf.distribute.get_strategy() is s
    assert type(v).__name__ == "MirroredVariable"
    assert repr(v).startswith("MirroredVariable:{\n  0: <tf.Variable 'Variable:0' shape=(2,)")
    v.assign_add([1.0, 1.0])
    assert v.numpy().tolist() == [2.0, 3.0]
    assert tf.distribute.get_strategy() is not s


def test_tf_config_resolver(monkeypatch):
    cfg = {"cluster": {"chief": ["c:1"], "worker": ["a:1", "b:2"]},
           "task": {"type": "worker", "index": 1}}
    monkeypatch.setenv("TF_CONFIG", json.dumps(cfg))
    mine = tf.distribute.cluster_resolver.TFConfigClusterResolver()
    theirs = real_tf.distribute.cluster_resolver.TFConfigClusterResolver()
    assert (mine.task_type, mine.task_id) == (theirs.task_type, theirs.task_id)
    assert mine.cluster_spec().as_dict() == theirs.cluster_spec().as_dict()
    assert mine.master() == theirs.master()
    from tftape.distribute._cluster import _process_id, _workers
    assert _workers(mine) == ["c:1", "a:1", "b:2"] and _process_id(mine) == 2


def test_multi_worker_without_tf_config_is_local(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    s = tf.distribute.MultiWorkerMirroredStrategy()
    assert s.num_replicas_in_sync == len(__import__("jax").devices())
    assert s.cluster_resolver.task_type is None

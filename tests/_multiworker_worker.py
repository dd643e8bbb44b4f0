"""One worker of a local multi-worker cluster, for tests/test_multiworker.py and
benchmarks/bench_multiworker.py.

Usage: ``python tests/_multiworker_worker.py MODE INDEX PORT0,PORT1,... [OUT_DIR]``

The environment must hold ``XLA_FLAGS`` (virtual CPU devices) before JAX starts; this
script builds ``TF_CONFIG`` from the ports (loopback only) and creates
``MultiWorkerMirroredStrategy`` first thing. Each mode prints one JSON line prefixed with
``RESULT `` on stdout. Modes:

* ``train``: a custom GradientTape loop in ``tf.function`` and Keras ``fit``/``evaluate``;
  prints the trained weights and losses; writes a checkpoint to ``OUT_DIR``.
* ``shard``: what each worker reads under the DATA, FILE and OFF auto-shard policies and
  the ``InputContext`` of ``distribute_datasets_from_function`` (TFRecord files in OUT_DIR).
* ``die``: all-reduces in a loop; worker ``$MW_DIE_INDEX`` (default 1) exits abruptly
  after 2 steps.
* ``bench``: times a training step (``OUT_DIR`` = steps).

``train_custom`` and ``train_keras`` also run without a cluster (the single-process result).
"""
from __future__ import annotations

import json
import os
import sys
import time

import numpy as np

GLOBAL_BATCH = 16
STEPS = 4


def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(GLOBAL_BATCH * STEPS, 5)).astype(np.float32)
    y = (x @ rng.normal(size=(5, 1)) + 0.1).astype(np.float32)
    return x, y


def _model(tf):
    init = tf.keras.initializers.GlorotUniform(seed=1)
    return tf.keras.Sequential([
        tf.keras.Input((5,)),
        tf.keras.layers.Dense(4, activation="tanh", kernel_initializer=init),
        tf.keras.layers.Dense(1, kernel_initializer=tf.keras.initializers.GlorotUniform(seed=2)),
    ])


def train_custom(tf, strategy):
    x, y = data()
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(GLOBAL_BATCH, drop_remainder=True)
    with strategy.scope():
        model = _model(tf)
        opt = tf.keras.optimizers.SGD(0.1, momentum=0.5)
    mse = tf.keras.losses.MeanSquaredError(reduction="none")

    def step(xb, yb):
        with tf.GradientTape() as tape:
            loss = tf.nn.compute_average_loss(mse(yb, model(xb, training=True)),
                                              global_batch_size=GLOBAL_BATCH)
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    @tf.function
    def dist_step(batch):
        return strategy.reduce("SUM", strategy.run(step, args=batch), axis=None)

    losses = []
    for _ in range(2):
        for batch in strategy.experimental_distribute_dataset(ds):
            losses.append(float(dist_step(batch)))
    return model, {"losses": losses,
                   "weights": [np.asarray(v.numpy()).tolist() for v in model.weights]}


def train_keras(tf, strategy):
    x, y = data()
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(GLOBAL_BATCH, drop_remainder=True)
    with strategy.scope():
        model = _model(tf)
        model.compile(optimizer=tf.keras.optimizers.SGD(0.1), loss="mse")
    hist = model.fit(ds, epochs=2, verbose=0)
    ev = model.evaluate(ds, verbose=0)
    return model, {"losses": [float(v) for v in hist.history["loss"]], "eval": float(ev),
                   "weights": [np.asarray(v.numpy()).tolist() for v in model.weights]}


def _result(obj):
    print("RESULT " + json.dumps(obj), flush=True)


def mode_train(tf, strategy, out_dir):
    model, custom = train_custom(tf, strategy)
    ckpt = tf.train.Checkpoint(model=model)
    saved = ckpt.save(os.path.join(out_dir, "ckpt"))
    _, keras = train_keras(tf, strategy)
    with strategy.scope():   # unseeded: every worker must start from the chief's value
        fresh = tf.Variable(np.random.default_rng().normal(size=3).astype(np.float32))
    _result({"custom": custom, "keras": keras, "saved": saved,
             "fresh": np.asarray(fresh.numpy()).tolist(),
             "replicas": strategy.num_replicas_in_sync,
             "should_checkpoint": strategy.extended.should_checkpoint})


def _rows(tf, strategy, dist):
    """The first column of each global step's rows that this worker contributed."""
    steps = []
    for batch in dist:
        shards = batch.stacked._v.addressable_shards
        local = [np.asarray(s.data).ravel().tolist() for s in shards]
        steps.append(sorted(v for part in local for v in part))
    return steps


def mode_shard(tf, strategy, out_dir):
    from tftape.data.experimental import AutoShardPolicy
    n_files, per_file = 4, 8
    files = []
    for f in range(n_files):
        path = os.path.join(out_dir, f"part-{f}.tfrecord")
        files.append(path)
        if strategy._worker_index == 0 and not os.path.exists(path):
            with tf.io.TFRecordWriter(path + ".tmp") as w:
                for r in range(per_file):
                    w.write(str(f * 100 + r).encode())
            os.replace(path + ".tmp", path)
    deadline = time.monotonic() + 30
    while not all(os.path.exists(p) for p in files) and time.monotonic() < deadline:
        time.sleep(0.05)
    out = {}
    for name in ("DATA", "FILE", "OFF", "AUTO"):
        opts = tf.data.Options()
        opts.experimental_distribute.auto_shard_policy = getattr(AutoShardPolicy, name)
        ds = tf.data.TFRecordDataset(files).map(
            lambda s: tf.strings.to_number(s, tf.float32)).batch(8, drop_remainder=True)
        ds = ds.with_options(opts)
        out[name] = _rows(tf, strategy, strategy.experimental_distribute_dataset(ds))
    contexts = []

    def dataset_fn(ctx):
        contexts.append([ctx.num_input_pipelines, ctx.input_pipeline_id,
                         ctx.num_replicas_in_sync, ctx.get_per_replica_batch_size(8)])
        base = tf.data.Dataset.range(32).map(lambda i: tf.cast(i, tf.float32))
        return base.shard(ctx.num_input_pipelines, ctx.input_pipeline_id).batch(
            ctx.get_per_replica_batch_size(8))
    out["fn"] = _rows(tf, strategy, strategy.distribute_datasets_from_function(dataset_fn))
    out["contexts"] = contexts
    # A step over the FILE-sharded stream: the sum of every worker's rows.
    opts = tf.data.Options()
    opts.experimental_distribute.auto_shard_policy = AutoShardPolicy.FILE
    ds = tf.data.TFRecordDataset(files).map(
        lambda s: tf.strings.to_number(s, tf.float32)).batch(8, drop_remainder=True)
    sums = []
    for b in strategy.experimental_distribute_dataset(ds.with_options(opts)):
        sums.append(float(strategy.reduce("SUM", strategy.run(tf.reduce_sum, args=(b,)),
                                          axis=None)))
    out["file_sums"] = sums
    _result(out)


def mode_die(tf, strategy, out_dir):
    with strategy.scope():
        v = tf.Variable(1.0)
    victim = int(os.environ.get("MW_DIE_INDEX", "1"))
    for i in range(10_000):
        if strategy._worker_index == victim and i == 2:
            print(f"worker {victim} exits now", flush=True)
            os._exit(7)
        r = strategy.run(lambda: tf.distribute.get_replica_context().all_reduce("SUM", v * 1.0))
        print("step", i, float(strategy.reduce("SUM", r, axis=None)), flush=True)
        time.sleep(0.05)
    _result({"finished": True})


def mode_bench(tf, strategy, out_dir):
    steps = int(out_dir or 20)
    gb = 256
    rng = np.random.default_rng(0)
    x = rng.normal(size=(gb, 64)).astype(np.float32)
    y = rng.integers(0, 10, gb).astype(np.int64)
    with strategy.scope():
        model = tf.keras.Sequential([tf.keras.Input((64,)),
                                     tf.keras.layers.Dense(256, activation="relu"),
                                     tf.keras.layers.Dense(10)])
        opt = tf.keras.optimizers.SGD(0.01)
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction="none")

    def step(xb, yb):
        with tf.GradientTape() as tape:
            loss = tf.nn.compute_average_loss(loss_fn(yb, model(xb, training=True)),
                                              global_batch_size=gb)
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    @tf.function
    def dist_step(batch):
        return strategy.reduce("SUM", strategy.run(step, args=batch), axis=None)

    ds = tf.data.Dataset.from_tensors((x, y))
    opts = tf.data.Options()
    opts.experimental_distribute.auto_shard_policy = \
        tf.data.experimental.AutoShardPolicy.DATA
    batch = next(iter(strategy.experimental_distribute_dataset(ds.with_options(opts))))
    for _ in range(3):
        float(dist_step(batch))
    t = time.perf_counter()
    for _ in range(steps):
        loss = dist_step(batch)
    float(loss)
    _result({"step_ms": (time.perf_counter() - t) / steps * 1e3, "global_batch": gb,
             "replicas": strategy.num_replicas_in_sync})


def main(argv):
    mode, index, ports = argv[1], int(argv[2]), [int(p) for p in argv[3].split(",")]
    out_dir = argv[4] if len(argv) > 4 else ""
    if len(ports) > 1:
        os.environ["TF_CONFIG"] = json.dumps({
            "cluster": {"worker": [f"127.0.0.1:{p}" for p in ports]},
            "task": {"type": "worker", "index": index}})
    import tftape as tf
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    globals()["mode_" + mode](tf, strategy, out_dir)


if __name__ == "__main__":
    main(sys.argv)

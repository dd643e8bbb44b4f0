"""Data-parallel MLP training step: MirroredStrategy on 8 virtual CPU devices vs one device.

Run: ``.venv/bin/python benchmarks/bench_distribute.py [devices]`` (default 8). The script
sets ``XLA_FLAGS=--xla_force_host_platform_device_count=N`` before JAX starts, then times a
``tf.function`` step (``strategy.run`` of a GradientTape step + ``optimizer.apply_gradients``,
``strategy.reduce`` of the loss) for the default strategy (one device) and for
``MirroredStrategy`` over all N devices, at several global batch sizes, and checks that both
give the same loss. Scaling = one-device time / N-device time.

Virtual CPU devices share the host's cores: on a 2-core machine 8 "devices" cannot run 8x
faster, so the number to read here is the overhead of the SPMD step (shard_map + psum of the
gradients), not a speed-up. On several GPUs the same code runs one replica per GPU.
"""
from __future__ import annotations

import os
import sys
import time

N_DEV = int(sys.argv[1]) if len(sys.argv) > 1 else 8
os.environ["XLA_FLAGS"] = f"--xla_force_host_platform_device_count={N_DEV}"
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

import tftape as tf  # noqa: E402


def make_step(strategy, gb, d_in=256, hidden=512):
    tf.keras.utils.set_random_seed(0)
    with strategy.scope():
        model = tf.keras.Sequential([tf.keras.Input((d_in,)),
                                     tf.keras.layers.Dense(hidden, activation="relu"),
                                     tf.keras.layers.Dense(hidden, activation="relu"),
                                     tf.keras.layers.Dense(10)])
        opt = tf.keras.optimizers.SGD(0.01)
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(
        from_logits=True, reduction="none")

    def step(x, y):
        with tf.GradientTape() as tape:
            loss = tf.nn.compute_average_loss(loss_fn(y, model(x, training=True)),
                                              global_batch_size=gb)
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    @tf.function
    def dist_step(batch):
        return strategy.reduce("SUM", strategy.run(step, args=batch), axis=None)

    rng = np.random.default_rng(0)
    x = rng.normal(size=(gb, d_in)).astype(np.float32)
    y = rng.integers(0, 10, gb).astype(np.int64)
    ds = tf.data.Dataset.from_tensors((x, y))
    batch = next(iter(strategy.experimental_distribute_dataset(ds)))
    return lambda: dist_step(batch)


def time_step(fn, n=20):
    float(fn())
    float(fn())
    t = time.perf_counter()
    for _ in range(n):
        out = fn()
    float(out)
    return (time.perf_counter() - t) / n


def main():
    one = tf.distribute.get_strategy()
    many = tf.distribute.MirroredStrategy()
    print(f"devices: {many.num_replicas_in_sync} x {many.mesh.devices.flat[0].platform}")
    print(f"{'global batch':>12s} {'1 device ms':>12s} {f'{N_DEV} devices ms':>14s} "
          f"{'scaling':>8s} {'same loss':>9s}")
    for gb in (64, 512, 2048):
        f1, fn = make_step(one, gb), make_step(many, gb)
        l1, ln = float(f1()), float(fn())
        t1, tn = time_step(f1), time_step(fn)
        print(f"{gb:12d} {t1 * 1e3:12.2f} {tn * 1e3:14.2f} {t1 / tn:8.2f} "
              f"{abs(l1 - ln) < 1e-4 * max(1, abs(l1))!s:>9s}")


if __name__ == "__main__":
    main()

"""Keras: one MLP ``fit`` epoch (and a custom GradientTape step) vs real tf.keras.

Run: ``.venv/bin/python benchmarks/bench_keras.py``. Prints seconds per epoch for tftape and
real TensorFlow and their ratio (compile time excluded: both are warmed up first).
"""
from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks._harness import per_call, real_tf  # noqa: E402

N, D, H, C, BATCH = 4096, 32, 128, 10, 64


def _model(lib):
    m = lib.keras.Sequential([lib.keras.Input(shape=(D,)),
                              lib.keras.layers.Dense(H, activation="relu"),
                              lib.keras.layers.Dense(H, activation="relu"),
                              lib.keras.layers.Dense(C)])
    m.compile(optimizer=lib.keras.optimizers.Adam(1e-3),
              loss=lib.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
    return m


def bench(lib):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((N, D)).astype(np.float32)
    y = rng.integers(0, C, (N,))
    m = _model(lib)
    m.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)  # compile / trace
    epoch = per_call(lambda: m.fit(x, y, batch_size=BATCH, epochs=1, verbose=0),
                     min_time=2.0, repeat=3, warmup=1)
    xb, yb = lib.constant(x[:BATCH]), lib.constant(y[:BATCH])
    loss_fn = lib.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    opt = lib.keras.optimizers.Adam(1e-3)

    def eager_step():
        with lib.GradientTape() as tape:
            loss = loss_fn(yb, m(xb, training=True))
        grads = tape.gradient(loss, m.trainable_variables)
        opt.apply_gradients(zip(grads, m.trainable_variables))
    step = per_call(eager_step, min_time=1.0, repeat=3)
    return epoch, step


def main():
    import tftape
    ours = bench(tftape)
    print(f"tftape : fit epoch ({N // BATCH} steps) {ours[0] * 1e3:8.1f} ms   "
          f"eager tape step {ours[1] * 1e3:7.2f} ms")
    tf = real_tf()
    if tf is None:
        return
    theirs = bench(tf)
    print(f"TF     : fit epoch ({N // BATCH} steps) {theirs[0] * 1e3:8.1f} ms   "
          f"eager tape step {theirs[1] * 1e3:7.2f} ms")
    print(f"ratio (TF / tftape): fit {theirs[0] / ours[0]:.2f}x   "
          f"eager step {theirs[1] / ours[1]:.2f}x")


if __name__ == "__main__":
    main()

"""tf.data throughput: ``from_tensor_slices -> shuffle -> batch`` (and with a map), tftape vs
real tf.data.

Run: ``.venv/bin/python benchmarks/bench_data.py``. Prints elements per second for one epoch
over 60,000 MNIST-sized rows (784 float32 + an int label), batch 128, a full-size shuffle
buffer and a 1,000-element one, consuming each batch as a Tensor.

tftape keeps pipeline elements on the host as NumPy and gathers each batch of an in-memory
source with one NumPy ``take`` per component (the shuffle permutes indices, not rows), then
makes the batch's device arrays. A per-element ``map`` costs one cached ``tf.function`` call
per element, so map-before-batch pipelines run well below TF's C++ kernels.
"""
from __future__ import annotations

import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks._harness import real_tf  # noqa: E402

N, D, BATCH = 60_000, 784, 128


def epoch_rate(tf, make, epochs=2):
    ds = make(tf)
    for _ in ds.take(2):
        pass
    best = 0.0
    for _ in range(epochs):
        t = time.perf_counter()
        n = 0
        for x, y in ds:
            n += int(x.shape[0])
        best = max(best, n / (time.perf_counter() - t))
    return best


def main():
    rng = np.random.default_rng(0)
    x = rng.random((N, D), dtype=np.float32)
    y = rng.integers(0, 10, N).astype(np.int64)
    pipelines = {
        "slices>shuffle(60000)>batch": lambda tf: tf.data.Dataset.from_tensor_slices(
            (x, y)).shuffle(N, seed=1).batch(BATCH),
        "slices>shuffle(1000)>batch": lambda tf: tf.data.Dataset.from_tensor_slices(
            (x, y)).shuffle(1000, seed=1).batch(BATCH),
        "slices>shuffle>batch>prefetch": lambda tf: tf.data.Dataset.from_tensor_slices(
            (x, y)).shuffle(N, seed=1).batch(BATCH).prefetch(tf.data.AUTOTUNE),
        "slices>batch>map(x/255)": lambda tf: tf.data.Dataset.from_tensor_slices(
            (x, y)).batch(BATCH).map(lambda a, b: (a * (1 / 255.0), b)),
        "slices[:6000]>map(x/255)>batch": lambda tf: tf.data.Dataset.from_tensor_slices(
            (x[:6000], y[:6000])).map(lambda a, b: (a * (1 / 255.0), b)).batch(BATCH),
    }
    import tftape
    rtf = real_tf()
    print(f"{'pipeline':34s} {'tftape el/s':>12s} {'tf.data el/s':>13s} {'ratio':>6s}")
    for name, make in pipelines.items():
        ours = epoch_rate(tftape, make)
        theirs = epoch_rate(rtf, make) if rtf is not None else float("nan")
        print(f"{name:34s} {ours:12,.0f} {theirs:13,.0f} {ours / theirs:6.2f}")


if __name__ == "__main__":
    main()

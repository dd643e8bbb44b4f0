"""Soak test (not run in CI): many eager steps and tf.function calls with changing shapes.

    python scripts/soak.py [--steps 10000] [--every 1000]

Each step runs an eager GradientTape training step (MLP, batch size cycling through 200
values), a tf.function call on an input of a new length (cycling through 300 lengths), and
appends an unread metric computed from the gradients. The resident memory (RSS) is printed
every ``--every`` steps with the cache sizes and compile counts: it must level off, since
every compiled-program cache is a bounded LRU and unread values are computed in batches.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import tftape as tf  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=10_000)
    ap.add_argument("--every", type=int, default=1_000)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    sizes = [784, 128, 10]
    params = []
    for i, o in zip(sizes[:-1], sizes[1:]):
        params.append(tf.Variable((rng.normal(size=(i, o)) * np.sqrt(2 / i)).astype(np.float32)))
        params.append(tf.Variable(np.zeros(o, np.float32)))

    @tf.function
    def norm(v):
        return tf.sqrt(tf.reduce_sum(v * v))

    metrics = []
    start = time.perf_counter()
    print(f"{'step':>6} {'rss MB':>8} {'s':>7}  cache sizes (segments, kernels, plans, pending,"
          f" shapes)  xla compiles")
    for step in range(1, args.steps + 1):
        b = 8 + (step * 37) % 200
        xb = tf.constant(rng.normal(size=(b, 784)).astype(np.float32))
        yb = tf.constant(rng.integers(0, 10, size=b).astype(np.int32))
        with tf.GradientTape() as tape:
            h = tf.nn.relu(tf.matmul(xb, params[0]) + params[1])
            logits = tf.matmul(h, params[2]) + params[3]
            loss = tf.reduce_mean(
                tf.nn.sparse_softmax_cross_entropy_with_logits(labels=yb, logits=logits))
        grads = tape.gradient(loss, params)
        metrics.append(tf.add_n([tf.reduce_sum(g * g) for g in grads]))   # never read
        for p, g in zip(params, grads):
            p.assign_sub(0.01 * g)
        norm(tf.constant(rng.normal(size=1 + (step * 7) % 300).astype(np.float32)))
        if step % args.every == 0:
            s = tf.config.experimental.get_cache_stats()
            sz = [s[k]["size"] for k in ("tape_segments", "op_kernels", "tape_plans",
                                          "pending_programs", "shape_inference")]
            print(f"{step:>6} {rss_mb():>8.0f} {time.perf_counter() - start:>7.1f}  {sz}"
                  f"  {s['xla']['compiles']}", flush=True)
    print(f"last metric {float(metrics[-1].numpy()):.4f}, first {float(metrics[0].numpy()):.4f}")


if __name__ == "__main__":
    main()

"""The cost of runtime checks in compiled code (gather bounds, asserts, ...).

    python benchmarks/bench_checks.py --baseline DIR [--rounds 5]

``DIR`` holds a tftape tree without the checks (e.g. ``git archive <commit> | tar -x -C DIR``).
Each round runs every workload in a fresh process, once for each tree, alternating, so a slow
stretch of a shared machine hits both alike; the table gives the median ratio of the rounds.

Workloads:
  1. seed tape step: ``3*w1**2 + 2*w1*w2``, ``tape.gradient``         (no checks: <= 5% cost)
  2. MLP 784-256-256-10 eager training step, batch 128               (no checks: <= 5% cost)
  3. the same MLP step inside tf.function                             (no checks: <= 5% cost)
  4. an embedding lookup (tf.gather) + MLP step inside tf.function   (one check: its cost)
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from _harness import per_call, table  # noqa: E402

import numpy as np  # noqa: E402


def _mlp_params(tf, rng, sizes):
    params = []
    for i, o in zip(sizes[:-1], sizes[1:]):
        params.append(tf.Variable((rng.normal(size=(i, o)) * np.sqrt(2 / i)).astype(np.float32)))
        params.append(tf.Variable(np.zeros(o, np.float32)))
    return params


def _mlp_loss(tf, params, h, yb):
    for j in range(0, len(params) - 2, 2):
        h = tf.nn.relu(tf.matmul(h, params[j]) + params[j + 1])
    logits = tf.matmul(h, params[-2]) + params[-1]
    return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=yb,
                                                                          logits=logits))


def workloads(tf):
    from bench_tape import mlp, seed_step
    rng = np.random.default_rng(0)
    params = _mlp_params(tf, rng, [784, 256, 256, 10])
    xb = tf.constant(rng.normal(size=(128, 784)).astype(np.float32))
    yb = tf.constant(rng.integers(0, 10, size=128).astype(np.int32))

    @tf.function
    def fn_step(x, y):
        with tf.GradientTape() as tape:
            loss = _mlp_loss(tf, params, x, y)
        for p, g in zip(params, tape.gradient(loss, params)):
            p.assign_sub(0.01 * g)
        return loss

    table_ = tf.Variable(rng.normal(size=(1000, 784)).astype(np.float32))
    ids = tf.constant(rng.integers(0, 1000, size=128).astype(np.int32))
    emb_params = _mlp_params(tf, rng, [784, 256, 256, 10])

    @tf.function
    def emb_step(i, y):
        with tf.GradientTape() as tape:
            loss = _mlp_loss(tf, emb_params, tf.gather(table_, i), y)
        for p, g in zip(emb_params, tape.gradient(loss, emb_params)):
            p.assign_sub(0.01 * g)
        return loss

    return {"seed tape step": seed_step(tf), "MLP step (eager)": mlp(tf),
            "MLP step (tf.function)": lambda: fn_step(xb, yb).numpy(),
            "gather + MLP step (tf.function)": lambda: emb_step(ids, yb).numpy()}


def worker():
    import tftape as tf
    out = {name: per_call(fn, min_time=0.4) for name, fn in workloads(tf).items()}
    print(json.dumps(out))


def main():
    args = sys.argv[1:]
    if "--worker" in args:
        return worker()
    baseline = args[args.index("--baseline") + 1] if "--baseline" in args else None
    rounds = int(args[args.index("--rounds") + 1]) if "--rounds" in args else 5
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    trees = {"checks": here}
    if baseline:
        trees["baseline"] = os.path.abspath(baseline)
    samples = {k: [] for k in trees}
    for _ in range(rounds):
        for k, path in trees.items():
            env = dict(os.environ, PYTHONPATH=path, TF_CPP_MIN_LOG_LEVEL="3")
            res = subprocess.run([sys.executable, os.path.abspath(__file__), "--worker"],
                                 env=env, capture_output=True, text=True, check=True)
            samples[k].append(json.loads(res.stdout.strip().splitlines()[-1]))
    rows = []
    for name in samples["checks"][0]:
        ours = statistics.median(s[name] for s in samples["checks"])
        row = [name, f"{ours * 1e6:9.1f} us"]
        if baseline:
            base = statistics.median(s[name] for s in samples["baseline"])
            r = statistics.median(a[name] / b[name] for a, b in
                                  zip(samples["checks"], samples["baseline"]))
            row += [f"{base * 1e6:9.1f} us", f"{(r - 1) * 100:+.1f}%"]
        rows.append(row)
    headers = ["workload", "with checks"] + (["baseline", "cost"] if baseline else [])
    print(table(rows, headers))


if __name__ == "__main__":
    main()

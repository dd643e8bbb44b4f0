"""A tf.function MLP training step: tftape vs real TensorFlow vs a hand-written jitted JAX step.

    .venv/bin/python benchmarks/bench_function.py [--steps 300] [--batch 64] [--hidden 128]

Each contender runs the same model (784 -> hidden -> hidden -> 10, ReLU, softmax cross
entropy, SGD) from the same initial weights; the script prints the median time per step
after warm-up, and checks that the three losses agree after the timed steps.
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np


def _data(batch, hidden, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, 784)).astype(np.float32)
    y = rng.integers(0, 10, batch).astype(np.int32)
    sizes = [(784, hidden), (hidden, hidden), (hidden, 10)]
    ws = [(rng.standard_normal(s) * np.sqrt(2.0 / s[0])).astype(np.float32) for s in sizes]
    bs = [np.zeros(s[1], np.float32) for s in sizes]
    return x, y, ws, bs


def _time(step, steps, warmup=10):
    for _ in range(warmup):
        step()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _tf_step(lib, x, y, ws, bs, lr=0.01):
    params = [lib.Variable(w) for w in ws] + [lib.Variable(b) for b in bs]
    xs, ys = lib.constant(x), lib.constant(y)

    @lib.function
    def step():
        with lib.GradientTape() as tape:
            h = xs
            for i in range(3):
                h = lib.matmul(h, params[i]) + params[3 + i]
                if i < 2:
                    h = lib.nn.relu(h)
            loss = lib.reduce_mean(lib.nn.sparse_softmax_cross_entropy_with_logits(
                labels=ys, logits=h))
        grads = tape.gradient(loss, params)
        for p, g in zip(params, grads):
            p.assign_sub(lr * g)
        return loss

    def run():
        return step().numpy()
    return run


def _jax_step(x, y, ws, bs, lr=0.01):
    import jax
    import jax.numpy as jnp

    def loss_fn(params, x, y):
        h = x
        for i in range(3):
            h = h @ params[i] + params[3 + i]
            if i < 2:
                h = jax.nn.relu(h)
        logp = jax.nn.log_softmax(h)
        return -jnp.mean(jnp.take_along_axis(logp, y[:, None], axis=1))

    @jax.jit
    def step(params, x, y):
        loss, g = jax.value_and_grad(loss_fn)(params, x, y)
        return [p - lr * gi for p, gi in zip(params, g)], loss

    state = {"p": [jnp.asarray(a) for a in ws + bs]}
    xs, ys = jnp.asarray(x), jnp.asarray(y)

    def run():
        state["p"], loss = step(state["p"], xs, ys)
        return np.asarray(loss)
    return run


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--hidden", type=int, default=128)
    a = ap.parse_args()
    x, y, ws, bs = _data(a.batch, a.hidden)
    import tftape
    runs = {"tftape tf.function": _tf_step(tftape, x, y, ws, bs),
            "hand-written jax.jit": _jax_step(x, y, ws, bs)}
    try:
        import tensorflow as real_tf
        runs["TensorFlow tf.function"] = _tf_step(real_tf, x, y, ws, bs)
    except ImportError:
        print("(real TensorFlow not installed: skipped)")
    losses = {}
    print(f"MLP 784-{a.hidden}-{a.hidden}-10, batch {a.batch}, median of {a.steps} steps")
    for name, run in runs.items():
        t = _time(run, a.steps)
        losses[name] = float(run())
        print(f"  {name:26s} {t * 1e6:9.1f} us/step   loss after {a.steps + 11} steps "
              f"{losses[name]:.6f}")
    vals = list(losses.values())
    ok = np.allclose(vals, vals[0], rtol=1e-3)
    print("losses agree" if ok else f"LOSSES DIFFER: {losses}")


if __name__ == "__main__":
    main()

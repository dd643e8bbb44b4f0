"""A tf.function MLP training step: tftape vs real TensorFlow vs a hand-written jitted JAX step.

    .venv/bin/python benchmarks/bench_function.py [--steps 300] [--batch 64] [--hidden 128]
    .venv/bin/python benchmarks/bench_function.py --signature [--sizes 32,64,128]

Each contender runs the same model (784 -> hidden -> hidden -> 10, ReLU, softmax cross
entropy, SGD) from the same initial weights; the script prints the median time per step
after warm-up, and checks that the three losses agree after the timed steps.

``--signature``: the step takes the batch as arguments under
``input_signature=[TensorSpec([None, 784]), TensorSpec([None], int32)]`` and is called with
several batch sizes; per size, tftape's step time against the hand-written ``jax.jit`` step
(interleaved rounds, the median of round-by-round ratios), and the number of traces of
tftape and of TensorFlow (TF traces once for all sizes).
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


def _tf_signature_step(lib, ws, bs, lr=0.01, signature=True):
    """The MLP step of ``lib`` with the batch as arguments under a None-batch signature."""
    params = [lib.Variable(w) for w in ws] + [lib.Variable(b) for b in bs]
    sig = [lib.TensorSpec([None, 784], lib.float32), lib.TensorSpec([None], lib.int32)]

    @lib.function(input_signature=sig if signature else None)
    def step(x, y):
        with lib.GradientTape() as tape:
            h = x
            for i in range(3):
                h = lib.matmul(h, params[i]) + params[3 + i]
                if i < 2:
                    h = lib.nn.relu(h)
            loss = lib.reduce_mean(lib.nn.sparse_softmax_cross_entropy_with_logits(
                labels=y, logits=h))
        grads = tape.gradient(loss, params)
        for p, g in zip(params, grads):
            p.assign_sub(lr * g)
        return loss
    return step


def _jax_batch_step(ws, bs, lr=0.01):
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

    def run(x, y):
        state["p"], loss = step(state["p"], x, y)
        return loss
    return run


def signature_main(sizes, hidden):
    """Per batch size: tftape's step / jax.jit's step, and the traces of tftape and TF."""
    import jax.numpy as jnp

    import tftape
    from _harness import interleaved, ratio, real_tf, table
    _, _, ws, bs = _data(1, hidden)
    ours = _tf_signature_step(tftape, ws, bs)
    exact = _tf_signature_step(tftape, ws, bs, signature=False)   # one trace per size
    theirs = _jax_batch_step(ws, bs)
    tf = real_tf()
    ref = _tf_signature_step(tf, ws, bs) if tf is not None else None
    rows = []
    for n in sizes:
        x, y, _, _ = _data(n, hidden, seed=n)
        tx, ty = tftape.constant(x), tftape.constant(y)
        jx, jy = jnp.asarray(x), jnp.asarray(y)
        if ref is not None:
            ref(tf.constant(x), tf.constant(y))
        samples = interleaved({
            "tftape": lambda: ours(tx, ty).numpy(),
            "exact": lambda: exact(tx, ty).numpy(),
            "jax": lambda: np.asarray(theirs(jx, jy))})
        med = {k: statistics.median(v) for k, v in samples.items()}
        rows.append([n, f"{med['tftape'] * 1e6:.1f} us", f"{med['exact'] * 1e6:.1f} us",
                     f"{med['jax'] * 1e6:.1f} us",
                     f"{ratio(samples['tftape'], samples['jax']):.3f}x",
                     f"{ratio(samples['tftape'], samples['exact']):.3f}x"])
    print(f"MLP 784-{hidden}-{hidden}-10 under input_signature [None, 784], per step:")
    print(table(rows, ["batch", "tftape", "tftape per-size trace", "jax.jit",
                       "tftape / jax.jit", "tftape / per-size trace"]))
    print(f"traces: tftape {ours.experimental_get_tracing_count()}"
          + (f", TensorFlow {ref.experimental_get_tracing_count()}" if ref is not None else ""))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--signature", action="store_true")
    ap.add_argument("--sizes", default="32,64,128")
    a = ap.parse_args()
    if a.signature:
        signature_main([int(n) for n in a.sizes.split(",")], a.hidden)
        return
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

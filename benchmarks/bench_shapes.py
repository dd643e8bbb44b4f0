"""Training steps whose input shapes change every step, against real TF eager and raw JAX.

    python benchmarks/bench_shapes.py [--quick]

Each workload runs one sequence of shapes, the same for every framework: 50 sizes, each
seen once or twice (75 steps; --quick: 20 sizes, 30 steps), in a random order. The figure is
the whole run's wall time per step, compilations included (each framework starts the run
with nothing compiled for these shapes). Targets from the project's issue #20:
  1. seed-style tape step, batch size in [16, 256]                         (TF/tftape >= 2)
  2. MLP 784-256-256-10 training step, batch size in [16, 256]            (TF/tftape >= 2)
  3. text classification: embedding 5000x64, mean over the sequence, dense; batches of 32
     sequences padded to their longest, lengths in [5, 200]              (TF/tftape >= 2)
Raw JAX is a ``jax.jit`` of the same step (one compilation per shape).
"""
from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from _harness import real_tf, table  # noqa: E402

import numpy as np  # noqa: E402


def schedule(lo, hi, n_values, seed=0):
    """``n_values`` sizes in [lo, hi], each once, half of them twice, shuffled."""
    rng = np.random.default_rng(seed)
    values = rng.choice(np.arange(lo, hi + 1), size=n_values, replace=False)
    seq = list(values) + list(rng.choice(values, size=n_values // 2, replace=False))
    rng.shuffle(seq)
    return [int(v) for v in seq]


# -- the steps, written once for tftape and TF ---------------------------------------------------
def seed_step(tf):
    w1, w2 = tf.Variable(5.0), tf.Variable(3.0)
    rng = np.random.default_rng(1)

    def step(b):
        x = tf.constant(rng.normal(size=b).astype(np.float32))
        with tf.GradientTape() as tape:
            z = tf.reduce_mean(3 * (w1 * x) ** 2 + 2 * w1 * w2 * x)
        g = tape.gradient(z, [w1, w2])
        return float(g[0].numpy())
    return step


def mlp_step(tf):
    rng = np.random.default_rng(0)
    sizes = [784, 256, 256, 10]
    params = []
    for i, o in zip(sizes[:-1], sizes[1:]):
        params.append(tf.Variable((rng.normal(size=(i, o)) * np.sqrt(2 / i)).astype(np.float32)))
        params.append(tf.Variable(np.zeros(o, np.float32)))

    def step(b):
        xb = tf.constant(rng.normal(size=(b, 784)).astype(np.float32))
        yb = tf.constant(rng.integers(0, 10, size=b).astype(np.int32))
        with tf.GradientTape() as tape:
            h = xb
            for j in range(0, len(params) - 2, 2):
                h = tf.nn.relu(tf.matmul(h, params[j]) + params[j + 1])
            logits = tf.matmul(h, params[-2]) + params[-1]
            loss = tf.reduce_mean(
                tf.nn.sparse_softmax_cross_entropy_with_logits(labels=yb, logits=logits))
        grads = tape.gradient(loss, params)
        for p, g in zip(params, grads):
            p.assign_sub(0.01 * g)
        return float(loss.numpy())
    return step


def text_step(tf, vocab=5000, dim=64, batch=32):
    rng = np.random.default_rng(2)
    emb = tf.Variable((rng.normal(size=(vocab, dim)) * 0.1).astype(np.float32))
    w = tf.Variable((rng.normal(size=(dim, 2)) * 0.1).astype(np.float32))
    b = tf.Variable(np.zeros(2, np.float32))

    def step(length):
        lens = rng.integers(1, length + 1, size=batch)
        lens[0] = length
        ids = np.zeros((batch, length), np.int32)          # padded with token 0
        for i, n in enumerate(lens):
            ids[i, :n] = rng.integers(1, vocab, size=n)
        labels = tf.constant(rng.integers(0, 2, size=batch).astype(np.int32))
        ids = tf.constant(ids)
        with tf.GradientTape() as tape:
            e = tf.gather(emb, ids)                       # [batch, length, dim]
            pooled = tf.reduce_mean(e, axis=1)
            logits = tf.matmul(pooled, w) + b
            loss = tf.reduce_mean(
                tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
        g_emb, g_w, g_b = tape.gradient(loss, [emb, w, b])
        emb.scatter_sub(tf.IndexedSlices(0.1 * g_emb.values, g_emb.indices))
        w.assign_sub(0.1 * g_w)
        b.assign_sub(0.1 * g_b)
        return float(loss.numpy())
    return step


# -- raw JAX: the same steps under jax.jit ----------------------------------------------------------
def jax_seed():
    import jax
    import jax.numpy as jnp
    rng = np.random.default_rng(1)
    f = jax.jit(jax.grad(lambda w, x: jnp.mean(3 * (w[0] * x) ** 2 + 2 * w[0] * w[1] * x)))
    w = (jnp.float32(5.0), jnp.float32(3.0))
    return lambda b: float(f(w, rng.normal(size=b).astype(np.float32))[0])


def jax_mlp():
    import jax
    import jax.numpy as jnp
    rng = np.random.default_rng(0)
    sizes = [784, 256, 256, 10]
    ps = []
    for i, o in zip(sizes[:-1], sizes[1:]):
        ps += [jnp.asarray((rng.normal(size=(i, o)) * np.sqrt(2 / i)).astype(np.float32)),
               jnp.zeros(o, jnp.float32)]

    def loss_fn(ps, xb, yb):
        h = xb
        for j in range(0, len(ps) - 2, 2):
            h = jax.nn.relu(h @ ps[j] + ps[j + 1])
        lp = jax.nn.log_softmax(h @ ps[-2] + ps[-1])
        return -jnp.mean(jnp.take_along_axis(lp, yb[:, None], 1))

    @jax.jit
    def update(ps, xb, yb):
        loss, g = jax.value_and_grad(loss_fn)(ps, xb, yb)
        return [p - 0.01 * gi for p, gi in zip(ps, g)], loss
    state = {"p": ps}

    def step(b):
        xb = rng.normal(size=(b, 784)).astype(np.float32)
        yb = rng.integers(0, 10, size=b).astype(np.int32)
        state["p"], loss = update(state["p"], xb, yb)
        return float(loss)
    return step


def jax_text(vocab=5000, dim=64, batch=32):
    import jax
    import jax.numpy as jnp
    rng = np.random.default_rng(2)
    ps = [jnp.asarray((rng.normal(size=(vocab, dim)) * 0.1).astype(np.float32)),
          jnp.asarray((rng.normal(size=(dim, 2)) * 0.1).astype(np.float32)),
          jnp.zeros(2, jnp.float32)]

    def loss_fn(ps, ids, labels):
        logits = jnp.mean(ps[0][ids], axis=1) @ ps[1] + ps[2]
        lp = jax.nn.log_softmax(logits)
        return -jnp.mean(jnp.take_along_axis(lp, labels[:, None], 1))

    @jax.jit
    def update(ps, ids, labels):
        loss, g = jax.value_and_grad(loss_fn)(ps, ids, labels)
        return [p - 0.1 * gi for p, gi in zip(ps, g)], loss
    state = {"p": ps}

    def step(length):
        ids = rng.integers(0, vocab, size=(batch, length)).astype(np.int32)
        labels = rng.integers(0, 2, size=batch).astype(np.int32)
        state["p"], loss = update(state["p"], ids, labels)
        return float(loss)
    return step


def run(step, sizes) -> float:
    """Seconds per step over the whole sequence."""
    t = time.perf_counter()
    for s in sizes:
        step(s)
    return (time.perf_counter() - t) / len(sizes)


def main():
    quick = "--quick" in sys.argv
    n_values = 20 if quick else 50
    import tftape
    rtf = real_tf()
    rows = []
    workloads = [("seed step, batch 16-256", seed_step, jax_seed, (16, 256)),
                 ("MLP step, batch 16-256", mlp_step, jax_mlp, (16, 256)),
                 ("text step, length 5-200", text_step, jax_text, (5, 200))]
    for name, make, make_jax, (lo, hi) in workloads:
        sizes = schedule(lo, hi, n_values)
        tftape.config.experimental.reset_cache_stats()
        ours = run(make(tftape), sizes)
        compiles = tftape.config.experimental.get_cache_stats()["xla"]["compiles"]
        theirs = run(make(rtf), sizes) if rtf else None
        jx = run(make_jax(), sizes)
        rows.append([name, len(sizes), f"{ours * 1e3:.2f} ms", compiles,
                     f"{theirs * 1e3:.2f} ms" if rtf else "-",
                     f"{theirs / ours:.1f}x" if rtf else "-", f"{jx * 1e3:.2f} ms",
                     f"{jx / ours:.1f}x", "TF/tftape >= 2"])
    print(table(rows, ["workload", "steps", "tftape", "XLA compiles", "TF eager",
                       "TF/tftape", "jitted JAX", "JAX/tftape", "target"]))


if __name__ == "__main__":
    main()

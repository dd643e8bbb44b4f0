"""GradientTape benchmarks against real TF eager and a hand-written jitted JAX step.

    python benchmarks/bench_tape.py [--quick]

Workloads (targets from the project's issue):
  1. seed step: open a tape, ``3*w1**2 + 2*w1*w2`` on two Variables, ``gradient``  (>= 6x TF)
  2. seed linear-regression loop: 500 steps, persistent tape, two gradients,
     ``assign_sub``                                                              (>= 10x TF)
  3. nested tapes: d2/dx2 of sum(tanh(x)**3), 1,000 elements                    (>= 8x TF)
  4. ``tape.jacobian`` of tanh(W @ x), W 64x64                         (within 3x jax.jacrev)
  5. MLP 784-256-256-10 custom training loop, batch 128, eager code
                                                  (>= 2x TF eager, within 1.5x jitted JAX)
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from _harness import interleaved, ratio, real_tf, table  # noqa: E402

import statistics  # noqa: E402
import numpy as np  # noqa: E402


def seed_step(tf):
    w1, w2 = tf.Variable(5.0), tf.Variable(3.0)

    def step():
        with tf.GradientTape() as tape:
            z = 3 * w1 ** 2 + 2 * w1 * w2
        g = tape.gradient(z, [w1, w2])
        return g[0].numpy()
    return step


def linreg_loop(tf, steps=500):
    x_train = np.array([-1.0, 0.0, 1.0, 2.0, 3.0, 4.0])
    y_train = np.array([-3.0, -1.0, 1.0, 3.0, 5.0, 7.0])

    def run():
        w = tf.Variable(0.5)
        b = tf.Variable(0.25)
        for _ in range(steps):
            with tf.GradientTape(persistent=True) as tape:
                pred_y = w * x_train + b
                loss = tf.abs(y_train - pred_y)
            w_grad = tape.gradient(loss, w)
            b_grad = tape.gradient(loss, b)
            w.assign_sub(w_grad * 0.001)
            b.assign_sub(b_grad * 0.001)
        return float(w.numpy())
    return run


def nested(tf):
    x = tf.constant(np.linspace(-2, 2, 1000).astype(np.float32))

    def step():
        with tf.GradientTape() as t2:
            t2.watch(x)
            with tf.GradientTape() as t1:
                t1.watch(x)
                y = tf.reduce_sum(tf.tanh(x) ** 3)
            dy = t1.gradient(y, x)
        d2 = t2.gradient(dy, x)
        return d2.numpy()
    return step


def jacobian(tf):
    rng = np.random.default_rng(0)
    W = tf.constant(rng.normal(size=(64, 64)).astype(np.float32) / 8)
    x = tf.Variable(rng.normal(size=(64, 1)).astype(np.float32))

    def step():
        with tf.GradientTape() as t:
            y = tf.tanh(tf.matmul(W, x))
        return t.jacobian(y, x).numpy()
    return step


def mlp(tf, batch=128):
    rng = np.random.default_rng(0)
    sizes = [784, 256, 256, 10]
    params = []
    for i, o in zip(sizes[:-1], sizes[1:]):
        params.append(tf.Variable((rng.normal(size=(i, o)) * np.sqrt(2 / i)).astype(np.float32)))
        params.append(tf.Variable(np.zeros(o, np.float32)))
    xb = tf.constant(rng.normal(size=(batch, 784)).astype(np.float32))
    yb = tf.constant(rng.integers(0, 10, size=batch).astype(np.int32))

    def step():
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


# -- hand-written JAX equivalents ------------------------------------------------------------
def jax_seed():
    import jax
    f = jax.jit(jax.value_and_grad(lambda w: 3 * w[0] ** 2 + 2 * w[0] * w[1]))
    w = (np.float32(5.0), np.float32(3.0))
    return lambda: f(w)[1][0].block_until_ready()


def jax_nested():
    import jax
    import jax.numpy as jnp
    x = jnp.asarray(np.linspace(-2, 2, 1000).astype(np.float32))
    g = jax.grad(lambda x: jnp.sum(jnp.tanh(x) ** 3))
    h = jax.jit(jax.grad(lambda x: jnp.sum(g(x))))
    return lambda: h(x).block_until_ready()


def jax_jacobian():
    import jax
    import jax.numpy as jnp
    rng = np.random.default_rng(0)
    W = jnp.asarray(rng.normal(size=(64, 64)).astype(np.float32) / 8)
    x = jnp.asarray(rng.normal(size=(64, 1)).astype(np.float32))
    j = jax.jit(jax.jacrev(lambda x: jnp.tanh(W @ x)))
    return lambda: j(x).block_until_ready()


def jax_mlp(batch=128):
    import jax
    import jax.numpy as jnp
    rng = np.random.default_rng(0)
    sizes = [784, 256, 256, 10]
    params = []
    for i, o in zip(sizes[:-1], sizes[1:]):
        params += [jnp.asarray(rng.normal(size=(i, o)).astype(np.float32)),
                   jnp.zeros(o, jnp.float32)]
    xb = jnp.asarray(rng.normal(size=(batch, 784)).astype(np.float32))
    yb = jnp.asarray(rng.integers(0, 10, size=batch))

    def loss_fn(ps):
        h = xb
        for j in range(0, len(ps) - 2, 2):
            h = jax.nn.relu(h @ ps[j] + ps[j + 1])
        logits = h @ ps[-2] + ps[-1]
        lp = jax.nn.log_softmax(logits)
        return -jnp.mean(jnp.take_along_axis(lp, yb[:, None], 1))

    @jax.jit
    def step(ps):
        loss, g = jax.value_and_grad(loss_fn)(ps)
        return [p - 0.01 * gi for p, gi in zip(ps, g)], loss
    state = {"p": params}

    def run():
        state["p"], loss = step(state["p"])
        return float(loss)
    return run


def main():
    quick = "--quick" in sys.argv
    import tftape
    rtf = real_tf()
    rows = []

    def measure(name, make, jax_fn=None, target=""):
        # tftape, TF and JAX take turns, round by round (see ``_harness.interleaved``): the
        # ratios are medians of per-round ratios, robust to a shared machine's slow stretches.
        fns = {"ours": make(tftape)}
        if rtf:
            fns["tf"] = make(rtf)
        if jax_fn:
            fns["jax"] = jax_fn()
        s = interleaved(fns, rounds=5 if quick else 9, batch_time=0.04 if quick else 0.08)
        med = {k: statistics.median(v) for k, v in s.items()}
        rows.append([name, fmt_time(med["ours"]),
                     fmt_time(med["tf"]) if rtf else "-",
                     f"{ratio(s['tf'], s['ours']):.1f}x" if rtf else "-",
                     fmt_time(med["jax"]) if jax_fn else "-",
                     f"{ratio(s['ours'], s['jax']):.2f}x" if jax_fn else "-", target])

    measure("seed tape step", seed_step, jax_seed, "TF/tftape >= 6")
    measure("linreg 500 steps", lambda tf: linreg_loop(tf), None, "TF/tftape >= 10")
    measure("nested d2/dx2, n=1000", nested, jax_nested, "TF/tftape >= 8")
    measure("jacobian tanh(Wx) 64", jacobian, jax_jacobian, "tftape/jax <= 3")
    measure("MLP step b=128", mlp, jax_mlp, "TF/tftape >= 2, tftape/jax <= 1.5")
    print(table(rows, ["workload", "tftape", "TF eager", "TF/tftape", "jitted JAX",
                       "tftape/JAX", "target"]))
    from tftape._autodiff.lowering import SEGMENT_CACHE
    print("segment cache:", SEGMENT_CACHE.info())


def fmt_time(s: float) -> str:
    return f"{s * 1e3:.1f} ms" if s >= 1e-2 else f"{s * 1e6:.0f} us"


if __name__ == "__main__":
    main()

"""Eager op dispatch: ``a + b`` and ``tf.matmul`` on 2x2 float32, per op.

Compares tftape with raw ``jax.numpy`` eager calls and, when installed, real TF eager,
in one run. Target: tftape at most 1.3x raw JAX.

    python benchmarks/bench_dispatch.py
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from _harness import fmt_us, per_call, real_tf, table  # noqa: E402


def main():
    import numpy as np
    import jax
    import jax.numpy as jnp
    import tftape as tf

    x = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32)
    ja, jb = jnp.asarray(x), jnp.asarray(x + 1)
    ta, tb = tf.constant(x), tf.constant(x + 1)
    results = {}
    results["a + b"] = {
        "jax": per_call(lambda: (ja + jb).block_until_ready()),
        "tftape": per_call(lambda: (ta + tb)._v.block_until_ready()),
    }
    results["tf.matmul"] = {
        "jax": per_call(lambda: jnp.matmul(ja, jb).block_until_ready()),
        "tftape": per_call(lambda: tf.matmul(ta, tb)._v.block_until_ready()),
    }
    rtf = real_tf()
    if rtf is not None:
        ra, rb = rtf.constant(x), rtf.constant(x + 1)
        results["a + b"]["tf"] = per_call(lambda: (ra + rb).numpy())
        results["tf.matmul"]["tf"] = per_call(lambda: rtf.matmul(ra, rb).numpy())
    rows = []
    for name, r in results.items():
        row = [name, fmt_us(r["tftape"]), fmt_us(r["jax"]), f"{r['tftape'] / r['jax']:.2f}x"]
        if "tf" in r:
            row += [fmt_us(r["tf"]), f"{r['tf'] / r['tftape']:.2f}x"]
        rows.append(row)
    headers = ["op (2x2 float32)", "tftape", "raw jax", "tftape/jax"]
    if rtf is not None:
        headers += ["TF eager", "TF/tftape"]
    print(table(rows, headers))
    print(f"jax {jax.__version__}, backend {jax.default_backend()}")


if __name__ == "__main__":
    main()

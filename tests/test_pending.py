"""Deferred forward ops on a recording tape (PendingTensor), against real TF.

Ops a tape records run lazily: their values come from ``tape.gradient``'s fused program or,
when read earlier, from running the pending ops. Whatever the order of reads, values,
gradients, reprs and errors must be TF's.
"""
import gc
import weakref

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tftape as tf
from tftape._core import pending
from tftape._core.tensor import PendingTensor
from oracle import assert_same, real_tf

rtf = real_tf()


def both(fn):
    return fn(tf), fn(rtf)


def error_of(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - compared with TF's
        return e
    raise AssertionError("no error raised")


def assert_all_same(ours, theirs, rtol=1e-6):
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        if b is None:
            assert a is None
        else:
            assert_same(a, b, rtol=rtol, atol=1e-6)


def test_ops_on_watched_values_are_deferred():
    w = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = w * w + 1.0
        assert type(y) is PendingTensor
        # Shape and dtype are known without computing the value.
        assert y.shape == tf.TensorShape([]) and y.dtype is tf.float32 and y.ndim == 0
        assert type(y).__name__ == "EagerTensor" and isinstance(y, tf.Tensor)
    g = tape.gradient(y, w)
    # Filled in by the fused gradient (computed on the host: held there until read).
    assert type(y) is not PendingTensor or y._pend[0].vals is not None
    assert float(y) == 5.0 and float(g) == 4.0


def test_constants_and_unwatched_ops_run_at_once():
    w = tf.Variable(2.0, trainable=False)
    with tf.GradientTape():
        a = tf.constant(3.0) * 2.0
        b = w * 3.0
    assert type(a) is not PendingTensor and type(b) is not PendingTensor


@pytest.mark.parametrize("when", ["inside", "after_exit", "after_gradient", "never"])
def test_values_read_at_any_point(when):
    def run(m):
        w = m.Variable([1.0, -2.0, 3.0])
        b = m.Variable(0.5)
        seen = []
        with m.GradientTape() as tape:
            h = m.tanh(w * 2.0 + b)
            side = m.reduce_max(w) * 3.0          # not on the gradient path
            loss = m.reduce_sum(h * h)
            if when == "inside":
                seen += [h.numpy(), side.numpy(), repr(loss)]
        if when == "after_exit":
            seen += [h.numpy(), str(side)]
        g = tape.gradient(loss, [w, b])
        if when in ("after_gradient", "inside", "after_exit"):
            seen += [h.numpy(), side.numpy(), loss.numpy()]
        return seen, g
    (s1, g1), (s2, g2) = both(run)
    assert len(s1) == len(s2)
    for a, b in zip(s1, s2):
        if isinstance(b, str):
            assert a == b
        else:
            np.testing.assert_allclose(a, b, rtol=1e-6)
    assert_all_same(g1, g2)


def test_persistent_tape_two_gradients_and_reads_between():
    def run(m):
        x = m.constant([[1.0, 2.0], [3.0, 4.0]])
        w = m.Variable([[0.5], [-1.0]])
        with m.GradientTape(persistent=True) as tape:
            tape.watch(x)
            y = m.matmul(x, w)
            z = m.reduce_sum(y ** 2)
        gw = tape.gradient(z, w)
        mid = y.numpy()
        gx = tape.gradient(z, x)
        gy = tape.gradient(z, y)
        return [gw, gx, gy, mid, z]
    ours, theirs = both(run)
    np.testing.assert_allclose(ours[3], theirs[3])
    assert_all_same(ours[:3] + ours[4:], theirs[:3] + theirs[4:])


def test_gradient_with_respect_to_pending_intermediate():
    def run(m):
        w = m.Variable([1.0, 2.0])
        with m.GradientTape(persistent=True) as tape:
            h = m.exp(w) * 2.0
            tape.watch(h)
            y = m.reduce_sum(m.sin(h))
        return [tape.gradient(y, h), tape.gradient(y, w)]
    assert_all_same(*both(run))


def test_shape_errors_are_raised_when_the_op_is_called():
    def run(m):
        w = m.Variable([1.0, 2.0, 3.0])
        with m.GradientTape():
            y = w * 2.0
            return y + m.constant([1.0, 2.0])
    ours, theirs = error_of(lambda: run(tf)), error_of(lambda: run(rtf))
    assert type(ours).__name__ == type(theirs).__name__ == "InvalidArgumentError"
    assert str(ours) == str(theirs)


def test_dtype_errors_are_raised_when_the_op_is_called():
    def run(m):
        w = m.Variable([1.0, 2.0])
        with m.GradientTape():
            return (w * 2.0) + m.constant([1, 2])
    ours, theirs = error_of(lambda: run(tf)), error_of(lambda: run(rtf))
    assert type(ours).__name__ == type(theirs).__name__
    assert str(ours) == str(theirs)


def test_long_chains_are_bounded_and_correct():
    def run(m):
        w = m.Variable(1.0)
        with m.GradientTape() as tape:
            acc = w * 1.0
            for i in range(3 * pending.MAX_DEPTH):
                acc = acc * 1.01 + 0.001 * i
        return [acc, tape.gradient(acc, w)]
    assert_all_same(*both(run), rtol=1e-5)


def test_value_accumulated_over_steps_without_reads():
    w = tf.Variable(0.5)
    total = tf.constant(0.0)
    expected = 0.0
    for step in range(2 * pending.MAX_DEPTH):
        with tf.GradientTape() as tape:
            loss = w * w
            total = total + loss     # recorded: total derives from w, never read in the loop
        g = tape.gradient(loss, w)
        expected += 0.25
    assert float(g) == 1.0
    np.testing.assert_allclose(float(total), expected, rtol=1e-6)


def test_nested_tapes_defer_the_inner_gradient():
    def run(m, read_inner):
        x = m.constant(np.linspace(-2, 2, 7).astype(np.float32))
        with m.GradientTape() as t2:
            t2.watch(x)
            with m.GradientTape() as t1:
                t1.watch(x)
                y = m.reduce_sum(m.tanh(x) ** 3)
            dy = t1.gradient(y, x)
            inner = dy.numpy() if read_inner else None
        d2 = t2.gradient(dy, x)
        return [d2, dy, y], inner
    for read_inner in (False, True):
        (a, ia), (b, ib) = run(tf, read_inner), run(rtf, read_inner)
        assert_all_same(a, b, rtol=1e-5)
        if read_inner:
            np.testing.assert_allclose(ia, ib, rtol=1e-5)


def test_forward_accumulator_sees_values():
    def run(m):
        x = m.constant([1.0, 2.0])
        with m.autodiff.ForwardAccumulator(x, m.constant([1.0, 0.0])) as acc:
            with m.GradientTape() as tape:
                tape.watch(x)
                y = m.reduce_sum(m.sin(x) * x)
            g = tape.gradient(y, x)
        return [y, g, acc.jvp(y)]
    assert_all_same(*both(run))


def test_pending_nodes_are_released_after_gradient():
    w = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        h = w * w
        y = tf.reduce_sum(h)           # y's pending node refers to h
    ref = weakref.ref(h)
    del h
    tape.gradient(y, w)
    del tape
    gc.collect()
    assert ref() is None                # y (still alive) no longer holds its inputs
    assert float(y) == 5.0


def test_repeated_reads_compile_one_program():
    w = tf.Variable([1.0, 2.0, 3.0])
    pending.clear()
    for _ in range(pending._COMPILE_AFTER + 2):
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(tf.exp(w) * 2.0)
            value = y.numpy()
        tape.gradient(y, w)
    assert len(pending._PROGRAMS) == 1
    np.testing.assert_allclose(value, np.sum(np.exp([1.0, 2.0, 3.0]) * 2.0), rtol=1e-6)


_UNARY = ["tanh", "sin", "exp", "abs", "square", "sigmoid", "relu", "softplus", "negative"]
_BINARY = ["add", "subtract", "multiply", "maximum", "minimum"]


def _fn(m, name):
    return getattr(m.nn, name) if name in ("relu", "softplus") else \
        getattr(m.math, name) if name == "sigmoid" else getattr(m, name)


@pytest.mark.filterwarnings("ignore:5 out of the last 5 calls")
@settings(max_examples=40, deadline=None)
@given(ops=st.lists(st.tuples(st.sampled_from(_UNARY + _BINARY), st.booleans()), min_size=1,
                    max_size=8),
       n=st.integers(1, 4), seed=st.integers(0, 2 ** 16))
def test_random_chains_with_random_reads(ops, n, seed):
    vals = np.random.default_rng(seed).normal(size=n).astype(np.float32)

    def run(m):
        w = m.Variable(vals)
        reads = []
        with m.GradientTape() as tape:
            h = w * 1.0
            for name, read in ops:
                h = _fn(m, name)(h) if name in _UNARY else _fn(m, name)(h, w)
                if read:
                    reads.append(h.numpy())
            y = m.reduce_sum(h)
        g = tape.gradient(y, w)
        return reads, [y, g, h]
    (r1, o1), (r2, o2) = both(run)
    # Deferred execution gives the values of running every op at once (the tape off)...
    from tftape._core.registry import REGISTRY
    lazy = {n: o.lazy for n, o in REGISTRY.items()}
    try:
        for o in REGISTRY.values():
            o.lazy = False
        r0, o0 = run(tf)
    finally:
        for n, o in REGISTRY.items():
            o.lazy = lazy[n]
    # (One fused program against per-op kernels: XLA may round a fused chain differently in
    # the last bit, which saturating ops and their derivatives amplify in absolute terms.)
    for a, b in zip(r1, r0):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    for a, b, atol in zip(o1, o0, (1e-6, 1e-5, 1e-6)):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=atol)
    # ... and TF's (XLA's tanh and exp differ from TF's in the last bits; chains of
    # saturating ops amplify that in absolute terms only).
    for a, b in zip(r1, r2):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=1e-5)
    for a, b in zip(o1, o2):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=2e-5, atol=1e-5)


@pytest.mark.parametrize("order", [("w", "b"), ("b", "w"), ("w", "b", "wb"), ("wb", "b", "c")])
def test_persistent_tape_repeated_gradients_over_steps(order):
    """Later gradients of one persistent tape come from the first call's program once the
    pattern is learned; every value stays TF's, step after step, as variables change."""
    x_train = np.array([-1.0, 0.0, 1.0, 2.0, 3.0, 4.0])
    y_train = np.array([-3.0, -1.0, 1.0, 3.0, 5.0, 7.0])

    def run(m):
        w, b, c = m.Variable(0.5), m.Variable(0.25), m.Variable(2.0)
        out = []
        for _ in range(6):
            with m.GradientTape(persistent=True) as tape:
                loss = m.abs(y_train - (w * x_train + b)) * c
            src = {"w": w, "b": b, "c": c, "wb": [w, b]}
            grads = [tape.gradient(loss, src[k]) for k in order]
            out += [g for gs in grads for g in (gs if isinstance(gs, list) else [gs])]
            w.assign_sub(grads[0][0] * 0.01 if isinstance(grads[0], list) else
                         m.reduce_sum(grads[0]) * 0.01)
        return out + [w, b]
    assert_all_same(*both(run), rtol=1e-5)


def test_stashed_gradients_are_dropped_when_the_tape_records_more():
    def run(m):
        w, b = m.Variable(1.5), m.Variable(-0.5)
        out = []
        for _ in range(4):
            with m.GradientTape(persistent=True) as tape:
                y = w * w + b
            out.append(tape.gradient(y, w))
            with tape:
                z = y * b          # recorded after the first gradient
            out += [tape.gradient(y, b), tape.gradient(z, b), tape.gradient(z, w)]
            with tape:
                tape.reset()
                y2 = w * 3.0
            out.append(tape.gradient(y2, w))
        return out
    assert_all_same(*both(run))


def test_reset_outside_the_context_raises_like_tf():
    for m in (tf, rtf):
        tape = m.GradientTape()
        with pytest.raises(ValueError, match="Tape is not recording."):
            tape.reset()


@pytest.mark.parametrize("env,inline", [("1", True), ("", False)])
def test_sync_cpu_switch(env, inline):
    """TFTAPE_SYNC_CPU=1 runs CPU computations inline (as TF's eager ops); else JAX's default."""
    import os
    import subprocess
    import sys
    code = ("import tftape as tf, jax\nfrom jax._src import xla_bridge as xb\n"
            "print(tf.constant(2.0) * 3.0, xb._CPU_ENABLE_ASYNC_DISPATCH.value)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "TFTAPE_SYNC_CPU": env}, check=True).stdout
    assert out.split() == ["tf.Tensor(6.0,", "shape=(),", "dtype=float32)", str(not inline)]

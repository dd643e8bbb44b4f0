"""Reading values on the host (``numpy()``, ``float()``, ``np.asarray``) while JAX still
computes them on its worker thread: the read polls briefly, then blocks (``tensor.to_host``).

Whatever the timing, the values read must be TF's, and a long computation must stop the
polling for the reads that follow.
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import jax
import jax.numpy as jnp

import tftape as tf
from tftape._core import tensor as _tensor
from oracle import assert_same, real_tf

rtf = real_tf()


@jax.jit
def _slow(x):
    # Long enough (tens of milliseconds on a CPU) to be still running when read.
    for _ in range(6):
        x = jnp.tanh(x @ x) * 0.5
    return x


def _running():
    """A tensor whose value is still being computed, or None when JAX ran it inline."""
    x = jnp.full((700, 700), 0.001, jnp.float32)
    jax.block_until_ready(_slow(x))   # compiled
    v = _slow(x)
    return (tf.convert_to_tensor(v), v) if not v.is_ready() else None


@pytest.fixture(autouse=True)
def _fresh_polling():
    _tensor._skip[0] = 0
    yield
    _tensor._skip[0] = 0


def test_long_computation_read_blocks_and_pauses_polling():
    got = _running()
    if got is None:
        pytest.skip("JAX runs CPU computations inline here (TFTAPE_SYNC_CPU)")
    t, v = got
    a = t.numpy()
    np.testing.assert_array_equal(a, np.asarray(v))
    assert _tensor._skip[0] == _tensor._PAUSE
    got = _running()
    if got is not None:       # the next read of a running computation blocks at once
        got[0].numpy()
        assert _tensor._skip[0] == _tensor._PAUSE - 1


def test_ready_values_leave_polling_on():
    t = tf.constant([1.0, 2.0])
    t._v.block_until_ready()
    assert t.numpy().tolist() == [1.0, 2.0]
    assert _tensor._skip[0] == 0


def test_polling_resumes_after_the_pause():
    _tensor._skip[0] = 2
    for _ in range(3):
        got = _running()
        if got is None:
            pytest.skip("JAX runs CPU computations inline here (TFTAPE_SYNC_CPU)")
        got[0].numpy()
    # Two reads blocked at once; the third polled again, timed out and paused anew.
    assert _tensor._skip[0] == _tensor._PAUSE


@pytest.mark.parametrize("read", [
    lambda m, t: t.numpy(),
    lambda m, t: np.asarray(t),
    lambda m, t: np.array(t, dtype=np.float64),
    lambda m, t: float(m.reduce_sum(t)),
    lambda m, t: repr(t),
    lambda m, t: str(t),
    lambda m, t: bool(m.reduce_all(t > -10.0)),
    lambda m, t: t.numpy().tolist(),
])
def test_reads_of_running_computations_match_tf(read):
    x = (np.arange(64) % 5 - 2).astype(np.float32).reshape(8, 8)   # exact in float32

    def step(m):
        w = m.Variable(x)
        with m.GradientTape() as tape:
            y = m.reduce_sum(m.matmul(w, w) ** 2 * 3.0 + w)
        return tape.gradient(y, w)
    r_ours, r_tf = read(tf, step(tf)), read(rtf, step(rtf))
    if isinstance(r_tf, (str, bool, list)):
        assert r_ours == r_tf
    else:
        np.testing.assert_allclose(np.asarray(r_ours), np.asarray(r_tf), rtol=1e-6)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 300), dtype=st.sampled_from(["float32", "float64", "int32", "int64"]),
       skip=st.integers(0, 3))
def test_values_read_whatever_the_polling_state(n, dtype, skip):
    _tensor._skip[0] = skip
    data = (np.arange(n) % 7 - 3).astype(dtype)
    ours = tf.reduce_sum(tf.reshape(tf.constant(data), [n, 1]), axis=1)
    theirs = rtf.reduce_sum(rtf.reshape(rtf.constant(data), [n, 1]), axis=1)
    assert_same(ours, theirs)

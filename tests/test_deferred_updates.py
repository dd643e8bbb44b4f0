"""Deferred variable updates and ops on gradients, against real TF.

``tape.gradient`` returns its results as pending-but-ready tensors: an op applied to one
outside a tape is deferred, and ``v.assign_sub(lr * g)`` leaves ``v`` holding the pending
result until something reads a variable, when every deferred update runs as one program.
None of that may show: values, dtypes, reprs and errors are TF's whatever the order of reads
and writes.
"""
import copy
import threading

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tftape as tf
from tftape import _variables
from tftape._core import pending
from tftape._core.tensor import PendingTensor
from oracle import assert_same, real_tf

rtf = real_tf()


def grads_of(t, vs, scale=1.0):
    """Gradients of ``sum(scale * v**2)`` (so ``2*scale*v``) w.r.t. variables ``vs``."""
    with t.GradientTape() as tape:
        loss = t.add_n([t.reduce_sum(scale * v * v) for v in vs])
    return tape.gradient(loss, vs)


def make_vars(t, seed=0, shapes=((3, 2), (2,), ())):
    rng = np.random.default_rng(seed)
    return [t.Variable(rng.normal(size=s).astype(np.float32)) for s in shapes]


def sgd_step(t, vs, lr=0.1):
    for v, g in zip(vs, grads_of(t, vs)):
        v.assign_sub(lr * g)


def test_gradients_are_ready_pending_and_updates_deferred():
    vs = make_vars(tf)
    gs = grads_of(tf, vs)
    assert all(type(g) is PendingTensor for g in gs)
    assert type(gs[0]).__name__ == "EagerTensor"
    for v, g in zip(vs, gs):
        v.assign_sub(0.1 * g)
    assert all("_pending" in v.__dict__ for v in vs)
    vs[1].numpy()          # one read runs every deferred update
    assert not any("_pending" in v.__dict__ for v in vs)
    assert not _variables._DIRTY


@pytest.mark.parametrize("read", ["numpy", "repr", "value", "tape", "function", "operator",
                                  "convert", "deepcopy"])
def test_sgd_steps_match_tf(read):
    def run(t):
        vs = make_vars(t)
        out = []
        for _ in range(4):
            sgd_step(t, vs)
            v = vs[0]
            if read == "numpy":
                out.append(v.numpy())
            elif read == "repr":
                out.append(repr(v).replace("ResourceVariable", "Variable"))
            elif read == "value":
                out.append(v.value().numpy())
            elif read == "tape":
                with t.GradientTape() as tape:
                    y = t.reduce_sum(v * 3.0)
                out.append(tape.gradient(y, v).numpy())
                out.append(y.numpy())
            elif read == "function":
                out.append(t.function(lambda: v * 2.0)().numpy())
            elif read == "operator":
                out.append((v + 1.0).numpy())
            elif read == "convert":
                out.append(np.asarray(v))
            elif read == "deepcopy":
                out.append(copy.deepcopy(v).numpy())
        return out + [v.numpy() for v in vs]

    ours, theirs = run(tf), run(rtf)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        if isinstance(b, str):
            assert a == b
        else:
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


def test_direct_assignment_after_a_deferred_update_stands():
    for t in (tf, rtf):
        vs = make_vars(t)
        g = grads_of(t, vs)
        vs[0].assign_sub(0.5 * g[0])
        vs[0].assign(np.full((3, 2), 7.0, np.float32))
        vs[1].assign_add(g[1])
        assert vs[1].numpy().shape == (2,)   # runs vs[1]'s update, not the stale vs[0] one
        np.testing.assert_array_equal(vs[0].numpy(), np.full((3, 2), 7.0, np.float32))


def test_assign_of_a_pending_value_and_update_chains():
    def run(t):
        vs = make_vars(t)
        g = grads_of(t, vs, scale=0.5)
        vs[0].assign(g[0] * 2.0 + 1.0)
        vs[0].assign_add(g[0])            # reads the deferred value: runs it first
        vs[1].assign_sub(t.sqrt(t.abs(g[1])))
        vs[2].assign_add(t.reduce_sum(g[0]) * g[2])
        r = vs[2].assign_sub(g[2] / 4.0)  # the returned view reads after the update
        return [r.numpy()] + [v.numpy() for v in vs]

    for a, b in zip(run(tf), run(rtf)):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


def test_ops_on_gradients_match_tf():
    def run(t):
        vs = make_vars(t, shapes=((4,), (2, 4)))
        g0, g1 = grads_of(t, vs)
        return [g0 * 2.0, g1 - g0, t.reduce_mean(g1, axis=0), t.nn.relu(g0), t.cast(g0, t.int32),
                t.matmul(g1, t.reshape(g0, (4, 1))), t.concat([g0, g1[0]], 0), g0 > 0.5]

    for a, b in zip(run(tf), run(rtf)):
        assert_same(a, b)


def test_errors_on_gradients_are_raised_at_once():
    for t in (tf, rtf):
        g = grads_of(t, make_vars(t, shapes=((3,),)))[0]
        with pytest.raises(t.errors.InvalidArgumentError):
            g + t.constant([1.0, 2.0])
        with pytest.raises(t.errors.InvalidArgumentError):
            g + t.constant([1, 2, 3])
        v = t.Variable([1.0, 2.0])
        with pytest.raises((ValueError, t.errors.InvalidArgumentError)):
            v.assign_sub(g)


def test_dead_intermediates_are_not_returned_but_stay_computable():
    vs = make_vars(tf, shapes=((5,),))
    expect = 2.0 * vs[0].numpy()               # the gradient of sum(v*v)
    g = grads_of(tf, vs)[0]
    a = g * 2.0
    node_a = a._pend[0]
    b = a + 1.0
    del a
    kept = g * 3.0
    c = kept - 1.0
    np.testing.assert_allclose(b.numpy(), expect * 2.0 + 1.0, rtol=1e-6)
    assert node_a.vals is None and node_a.args      # no one could read it: not written out
    c.numpy()
    assert type(kept) is PendingTensor and kept._pend[0].vals is not None  # still referenced
    np.testing.assert_allclose(kept.numpy(), expect * 3.0, rtol=1e-6)
    # A node left out is computed on demand should a reference turn up after all.
    late = PendingTensor.__new__(PendingTensor)
    late._dtype, late._pend = tf.float32, (node_a, 0, (5,))
    np.testing.assert_allclose(late.numpy(), expect * 2.0, rtol=1e-6)


def test_a_step_of_updates_runs_as_one_compiled_program():
    vs = make_vars(tf, seed=3)
    for _ in range(pending._COMPILE_AFTER + 1):
        sgd_step(tf, vs)
        vs[0].numpy()
    before = len(pending._PROGRAMS)
    for _ in range(3):
        sgd_step(tf, vs)
        vs[0].numpy()
    assert len(pending._PROGRAMS) == before      # the same program every step


def test_many_variables_flush_in_bounded_batches():
    n = _variables._DIRTY_MAX + 10
    vs = [tf.Variable(float(i)) for i in range(n)]
    g = grads_of(tf, [tf.Variable(1.0)])[0]      # 2.0
    for v in vs:
        v.assign_add(g)
        assert len(_variables._DIRTY) <= _variables._DIRTY_MAX
    np.testing.assert_allclose([v.numpy() for v in vs], np.arange(n) + 2.0)


def test_updates_from_several_threads():
    vs = make_vars(tf, shapes=((8,),) * 4)
    expect = [v.numpy() for v in vs]
    for _ in range(5):
        expect = [e - 0.1 * 2 * e for e in expect]
    errors = []

    def worker(v):
        try:
            for _ in range(5):
                g = grads_of(tf, [v])[0]
                v.assign_sub(0.1 * g)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(v,)) for v in vs]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    for v, e in zip(vs, expect):
        np.testing.assert_allclose(v.numpy(), e, rtol=1e-5)


def test_update_inside_the_tape_context_is_not_deferred():
    for t in (tf, rtf):
        v = t.Variable([1.0, 2.0])
        with t.GradientTape(persistent=True) as tape:
            y = t.reduce_sum(v * v)
            g = tape.gradient(y, v)
            v.assign_sub(0.25 * g)
            z = t.reduce_sum(v * 1.0)
        assert "_pending" not in v.__dict__
        np.testing.assert_allclose(z.numpy(), 1.5)
        np.testing.assert_allclose(tape.gradient(z, v).numpy(), [1.0, 1.0])


def test_tf_function_assigning_a_variable_with_a_pending_update():
    def run(t):
        v = t.Variable([1.0, -2.0])
        f = t.function(lambda x: v.assign_add(x))
        g = grads_of(t, [v])[0]
        v.assign_sub(0.5 * g)                 # pending
        out = [f(t.constant([10.0, 10.0])).numpy()]
        v.assign_sub(0.5 * grads_of(t, [v])[0])
        out.append(f(t.constant([1.0, 1.0])).numpy())
        return out + [v.numpy()]

    for a, b in zip(run(tf), run(rtf)):
        np.testing.assert_allclose(a, b, rtol=1e-6)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["sub", "add", "assign", "read", "grad_read",
                                           "direct"]),
                          st.integers(0, 2), st.floats(-2, 2, width=32)),
                min_size=1, max_size=12))
def test_random_update_sequences_match_tf(program):
    def run(t):
        vs = make_vars(t, shapes=((2, 3), (3,), ()))
        out = []
        for kind, i, c in program:
            v = vs[i]
            g = grads_of(t, [v], scale=0.25)[0]
            if kind == "sub":
                v.assign_sub(c * g)
            elif kind == "add":
                v.assign_add(g * c + 1.0)
            elif kind == "assign":
                v.assign(g - c)
            elif kind == "read":
                out.append(v.numpy())
            elif kind == "grad_read":
                out.append(g.numpy())
            else:
                v.assign(np.full(v.shape, c, np.float32))
        return out + [v.numpy() for v in vs]

    for a, b in zip(run(tf), run(rtf)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


class _SlowArray:
    """Stands for a result still being computed: not ready on the first look."""

    def __init__(self, value):
        self.value = np.asarray(value)
        self.looks = 0

    def is_ready(self):
        self.looks += 1
        return self.looks > 1

    def __array__(self, dtype=None, copy=None):
        return self.value


def test_a_host_read_that_must_wait_dispatches_waiting_updates_first():
    from tftape._core.tensor import to_host
    vs = make_vars(tf, seed=5)
    expect = [v.numpy() * (1 - 0.1 * 2) for v in vs]
    sgd_step(tf, vs)
    assert _variables._DIRTY
    ready_now = _SlowArray([1.0])
    ready_now.looks = 1                                  # ready at once: nothing dispatched
    np.testing.assert_array_equal(to_host(ready_now), [1.0])
    assert _variables._DIRTY
    np.testing.assert_array_equal(to_host(_SlowArray([2.0])), [2.0])
    assert not _variables._DIRTY                         # dispatched while the read waited
    assert not any("_pending" in v.__dict__ for v in vs)
    for v, e in zip(vs, expect):
        np.testing.assert_allclose(v.numpy(), e, rtol=1e-6)

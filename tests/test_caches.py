"""Bounded compiled-program caches, their counters, unread pending values and threads.

Every cache of compiled programs is a bounded LRU whose size ``tf.config.experimental``
sets and whose counters it reports. Results computed while entries are evicted, compiled
quickly (a new shape) or fully optimized (a recurring one), op by op or fused, must all be
real TensorFlow's.
"""
import gc
import threading
import weakref

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tftape as tf
from tftape._core import compiled, lru, pending, registry
from tftape._autodiff import lowering
from oracle import assert_same, real_tf

rtf = real_tf()
exp = tf.config.experimental


@pytest.fixture
def limits():
    """Restores the cache sizes and the optimization threshold a test changes."""
    saved = exp.get_cache_limits()
    after = compiled.get_optimize_after()
    yield
    exp.set_cache_limits(saved)
    compiled.set_optimize_after(after)
    exp.set_host_execution(True)


@pytest.fixture
def compile_all():
    """New shapes compiled at once (no NumPy host tier), for tests of the compiled tiers."""
    exp.set_host_execution(False)
    yield
    exp.set_host_execution(True)


# -- the LRU itself ------------------------------------------------------------------------------
def test_lru_keeps_the_most_recently_used_and_counts():
    dropped = []
    c = lru.LRUCache("test_lru_unit", 3, register=False, on_evict=lambda k, v: dropped.append(k))
    for i in range(5):
        c.put(i, i * 10)
    assert len(c) == 3 and dropped == [0, 1]
    assert c.get(2) == 20            # 2 becomes the most recent
    c.put(5, 50)                     # evicts 3, not 2
    assert dropped == [0, 1, 3] and 2 in c and 3 not in c
    assert c.get(3) is None
    s = c.stats()
    assert (s["hits"], s["misses"], s["evictions"], s["size"]) == (1, 1, 3, 3)
    c.set_maxsize(1)
    assert len(c) == 1 and 5 in c and c.stats()["evictions"] == 5
    c.reset_stats()
    assert c.stats()["evictions"] == 0


@pytest.mark.parametrize("bad", [0, -1, 1.5, "8", True])
def test_set_cache_limits_rejects_bad_sizes(bad, limits):
    with pytest.raises(ValueError, match="A cache size must be a positive integer or None"):
        exp.set_cache_limits(tape_segments=bad)


def test_limits_set_before_a_cache_exists_apply_when_it_is_created(limits):
    exp.set_cache_limits(test_lru_later=7)
    c = lru.LRUCache("test_lru_later", 100)
    assert c.maxsize == 7 and exp.get_cache_limits()["test_lru_later"] == 7
    exp.set_cache_limits({"test_lru_later": None})
    assert c.maxsize is None


def test_stats_list_every_cache():
    stats = exp.get_cache_stats()
    for name in ("op_kernels", "tape_segments", "tape_plans", "pending_programs",
                 "shape_inference", "xla"):
        assert name in stats
    host = stats.pop("host")
    assert set(host) == {"runs", "seconds", "traces"} and min(host.values()) >= 0
    for name, s in stats.items():
        assert s["compiles"] >= 0 and s["compile_seconds"] >= 0.0
        if name != "xla":
            assert set(s) == {"size", "maxsize", "hits", "misses", "evictions", "compiles",
                              "compile_seconds"}


# -- bounds hold, results stay TF's under eviction ----------------------------------------------
def test_op_kernels_bounded_under_many_static_keys(limits):
    exp.set_cache_limits(op_kernels=6)
    exp.reset_cache_stats()
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    perms = [(0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0)]
    for _ in range(2):
        for p in perms:
            assert_same(tf.transpose(x, p), rtf.transpose(x, p))
            assert_same(tf.reduce_sum(x, axis=p[0]), rtf.reduce_sum(x, axis=p[0]))
    total = sum(len(o._kernels) for o in registry.REGISTRY.values() if not o.host)
    assert len(registry.KERNELS) <= 6 and total <= 6
    s = exp.get_cache_stats()["op_kernels"]
    assert s["evictions"] > 0 and s["misses"] > 6 and s["size"] <= 6


def _chain_gradient(m, depth, x0):
    x = m.Variable(x0)
    with m.GradientTape() as t:
        y = x
        for i in range(depth):
            y = m.sin(y) * 1.5 if i % 2 else y * y + 0.25
    return t.gradient(y, x)


@pytest.mark.filterwarnings("ignore:5 out of the last 5")
def test_tape_segments_bounded_and_gradients_equal_tf_under_eviction(limits):
    exp.set_cache_limits(tape_segments=3, tape_plans=3)
    exp.reset_cache_stats()
    for rep in range(2):          # the second pass recompiles what was evicted
        for depth in range(1, 9):
            assert_same(_chain_gradient(tf, depth, 0.3), _chain_gradient(rtf, depth, 0.3),
                        rtol=1e-5)
            assert len(lowering.SEGMENT_CACHE) <= 3 and len(lowering._PLANS) <= 3
    s = exp.get_cache_stats()["tape_segments"]
    assert s["evictions"] >= 13 and s["misses"] >= 16 and s["size"] == 3


def test_shape_inference_and_pending_programs_bounded(limits):
    exp.set_cache_limits(shape_inference=5, pending_programs=2)
    for n in range(1, 30):
        x = tf.Variable(np.ones(n, np.float32))
        with tf.GradientTape() as t:
            y = tf.reduce_sum(tf.exp(x) * 2.0)
        g = t.gradient(y, x)
        for _ in range(4):          # a recurring update structure is compiled
            x.assign_sub(0.5 * g)
            x.numpy()
        assert len(pending._AVALS) <= 5 and len(pending._PROGRAMS) <= 2
    np.testing.assert_allclose(x.numpy(), 1.0 - 4 * 0.5 * 2 * np.e * np.ones(29), rtol=1e-6)


@pytest.mark.parametrize("host", [True, False])
def test_counters_move_on_new_shapes_only(host):
    exp.clear_caches()              # no shape buckets from an earlier test of this structure
    exp.set_host_execution(host)
    w = tf.Variable(np.ones((3, 4), np.float32))

    def step(batch):
        xb = tf.constant(np.full((batch, 3), 0.5, np.float32))
        with tf.GradientTape() as t:
            loss = tf.reduce_mean(tf.tanh(tf.matmul(xb, w)))
        return t.gradient(loss, w)

    step(101)
    exp.reset_cache_stats()
    for _ in range(5):
        step(101)                   # seen: cached plans and programs
    s = exp.get_cache_stats()
    assert s["tape_plans"]["hits"] == 5 and s["tape_plans"]["misses"] == 0
    assert s["tape_segments"]["hits"] == 5
    fixed = s["tape_segments"]["compiles"]
    assert fixed <= 1               # at most the optimized compile once the shape recurred
    runs = s["host"]["runs"]
    step(57)                        # a new batch size: run with NumPy, or compiled
    s = exp.get_cache_stats()
    exp.set_host_execution(True)
    if host:
        assert s["tape_segments"]["compiles"] == fixed and s["host"]["runs"] > runs
        return
    assert s["tape_segments"]["compiles"] == fixed + 1
    assert s["tape_segments"]["compile_seconds"] > 0.0
    assert s["xla"]["compiles"] >= s["tape_segments"]["compiles"]


# -- quick and optimized compiles, op by op and fused: the same results ---------------------------
def _mlp_step(m, batch, seed=0):
    rng = np.random.default_rng(seed)
    w1 = m.Variable(rng.normal(size=(7, 5)).astype(np.float32))
    b1 = m.Variable(np.zeros(5, np.float32))
    w2 = m.Variable(rng.normal(size=(5, 3)).astype(np.float32))
    xb = rng.normal(size=(batch, 7)).astype(np.float32)
    yb = rng.integers(0, 3, size=batch).astype(np.int32)
    with m.GradientTape() as t:
        h = m.nn.relu(m.matmul(xb, w1) + b1)
        loss = m.reduce_mean(m.nn.sparse_softmax_cross_entropy_with_logits(
            labels=yb, logits=m.matmul(h, w2)))
    return [loss] + t.gradient(loss, [w1, b1, w2])


@settings(max_examples=8, deadline=None)
@given(batch=st.integers(1, 40), optimize_after=st.sampled_from([1, 2, 3, 100]))
def test_quick_and_optimized_compiles_equal_tf(batch, optimize_after):
    saved = compiled.get_optimize_after()
    compiled.set_optimize_after(optimize_after)
    try:
        theirs = _mlp_step(rtf, batch)
        for _ in range(3):          # first sightings and recurring ones
            for a, b in zip(_mlp_step(tf, batch), theirs):
                assert_same(a, b, rtol=2e-5, atol=1e-6)
    finally:
        compiled.set_optimize_after(saved)


@pytest.mark.parametrize("n", [1, 6, 33])
def test_pending_op_by_op_and_compiled_equal(n):
    pending.clear()
    x = tf.Variable(np.linspace(-1, 1, n).astype(np.float32))
    vals = []
    for _ in range(5):              # op by op twice, then one compiled program
        with tf.GradientTape() as t:
            y = tf.reduce_sum(tf.sin(x) ** 2)
        g = t.gradient(y, x)
        u = tf.sqrt(g * g + 1.0) - tf.exp(g)      # deferred: ops on a gradient outside a tape
        vals.append(u.numpy())
    assert pending._PROGRAMS.stats()["misses"] >= 3
    xr = rtf.Variable(np.linspace(-1, 1, n).astype(np.float32))
    with rtf.GradientTape() as t:
        y = rtf.reduce_sum(rtf.sin(xr) ** 2)
    g = t.gradient(y, xr)
    expect = (rtf.sqrt(g * g + 1.0) - rtf.exp(g)).numpy()
    for v in vals:
        np.testing.assert_allclose(v, expect, rtol=1e-6, atol=1e-6)


def test_set_optimize_after_rejects_bad_values():
    with pytest.raises(ValueError, match="optimize_after must be a positive integer"):
        exp.set_optimize_after(0)


# -- unread pending values are bounded ----------------------------------------------------------
@pytest.mark.reliability
@pytest.mark.parametrize("bound", [64, 256])
def test_unread_metrics_do_not_pin_gradients(bound, monkeypatch):
    monkeypatch.setattr(pending, "MAX_UNREAD", bound)
    w = tf.Variable(np.ones((64, 64), np.float32))
    metrics = []
    grads_alive = []
    for _ in range(400):
        with tf.GradientTape() as t:
            loss = tf.reduce_sum(tf.tanh(w) ** 2)
        (g,) = t.gradient(loss, [w])
        grads_alive.append(weakref.ref(g._pend[0]))       # the step's gradient values
        metrics.append(tf.reduce_sum(g * g))              # deferred, never read in the loop
        del g
        w.assign_sub(0.001 * tf.ones_like(w))
    gc.collect()
    # Without the bound all 400 steps' gradients stay alive.
    alive = sum(r() is not None for r in grads_alive)
    assert alive <= bound // 2, alive
    holding = sum(1 for m in metrics if type(m).__name__ == "PendingTensor" and
                  m._pend[0].args)
    assert holding <= bound // 2
    # Reading them now still gives TF's values.
    wr = rtf.Variable(np.ones((64, 64), np.float32))
    for i in (0, 199, 399):
        wr.assign(np.ones((64, 64), np.float32) - 0.001 * i)
        with rtf.GradientTape() as t:
            loss = rtf.reduce_sum(rtf.tanh(wr) ** 2)
        gr = t.gradient(loss, wr)
        assert_same(metrics[i], rtf.reduce_sum(gr * gr), rtol=2e-5)


# -- threads -------------------------------------------------------------------------------------
def _train(m, seed, steps, out):
    rng = np.random.default_rng(seed)
    w = m.Variable(rng.normal(size=(6, 3)).astype(np.float32))
    b = m.Variable(np.zeros(3, np.float32))
    c = m.Variable(0.0)
    for i in range(steps):
        xb = rng.normal(size=(4 + i % 3, 6)).astype(np.float32)
        with m.GradientTape() as t:
            loss = m.reduce_mean(m.square(m.tanh(m.matmul(xb, w) + b)))
        gw, gb = t.gradient(loss, [w, b])
        w.assign_sub(0.1 * gw)
        b.assign_sub(0.1 * gb)
        c.assign(float(i))            # a plain assignment between deferred updates
        c.assign_add(loss)            # from a (filled) pending value
        out.setdefault("reads", []).append(w[0, 0])
    out["final"] = [w.numpy(), b.numpy(), c.numpy()]
    out["vars"] = (w, b, c)


@pytest.mark.reliability
def test_threads_train_read_and_assign_like_a_serial_run():
    n, steps = 4, 25
    serial = []
    for k in range(n):
        out = {}
        _train(tf, k, steps, out)
        serial.append(out["final"])
    outs = [{} for _ in range(n)]
    errors = []
    stop = threading.Event()

    def trainer(k):
        try:
            _train(tf, k, steps, outs[k])
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    def reader():
        # Reads other threads' variables while their updates are deferred (a flush from
        # another thread) and their pending reads.
        try:
            while not stop.is_set():
                for o in outs:
                    for r in list(o.get("reads", ()))[-3:]:
                        float(r.numpy())
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=trainer, args=(k,)) for k in range(n)]
    readers = [threading.Thread(target=reader) for _ in range(2)]
    for t in readers + threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    for t in readers:
        t.join()
    assert not errors, errors
    for k in range(n):
        for a, b in zip(outs[k]["final"], serial[k]):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.reliability
def test_threads_share_caches_with_tiny_limits(limits):
    exp.set_cache_limits(tape_segments=2, tape_plans=2, op_kernels=4, shape_inference=3,
                         pending_programs=1)
    results = {}
    errors = []

    def work(k):
        try:
            results[k] = [_chain_gradient(tf, 1 + (k + i) % 5, 0.1 * k).numpy()
                          for i in range(10)]
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for k in range(4):
        for i, v in enumerate(results[k]):
            want = _chain_gradient(rtf, 1 + (k + i) % 5, 0.1 * k).numpy()
            np.testing.assert_allclose(v, want, rtol=1e-5)
    assert len(lowering.SEGMENT_CACHE) <= 2 and len(registry.KERNELS) <= 4


# -- shape buckets -------------------------------------------------------------------------------
def _bucketed_kernels():
    return [o._kernels[()] for o in list(lowering.SEGMENT_CACHE._d.values())
            if type(o._kernels.get(())).__name__ == "BucketedFused"]


def _steps(m, kind, sizes, seed=0):
    """One tape step per size with the same recorded structure; returns every gradient and
    every forward value read after it."""
    rng = np.random.default_rng(seed)
    w = m.Variable(rng.normal(size=(6, 4)).astype(np.float32))
    b = m.Variable(rng.normal(size=4).astype(np.float32))
    emb = m.Variable(rng.normal(size=(11, 6)).astype(np.float32))
    out = []
    for n in sizes:
        x = rng.normal(size=(n, 6)).astype(np.float32)
        ids = rng.integers(0, 11, size=(3, n)).astype(np.int32)
        lab = rng.integers(0, 4, size=n).astype(np.int32)
        with m.GradientTape() as t:
            if kind == "mlp":
                logits = m.matmul(m.nn.relu(m.matmul(x, w)), m.transpose(w)) @ w + b
                loss = m.reduce_mean(m.nn.sparse_softmax_cross_entropy_with_logits(
                    labels=lab, logits=logits))
                extra = logits
            elif kind == "vector":       # a target with the padded axis: summed by gradient
                extra = m.tanh(m.matmul(x, w)) * b
                loss = extra
            elif kind == "reductions":
                h = m.matmul(x, w)
                extra = m.reduce_max(h, axis=0) - m.reduce_min(h, axis=0)
                loss = m.reduce_sum(extra) + m.reduce_mean(h) + m.reduce_sum(m.nn.softmax(h))
            elif kind == "contract":     # the padded axis is contracted
                h = m.matmul(x, w)
                extra = m.matmul(h, h, transpose_a=True)
                loss = m.reduce_sum(extra * 0.01)
            elif kind == "text":         # embedding, mean over the sequence, dense
                e = m.gather(emb, ids)                  # [3, n, 6]
                extra = m.reduce_mean(e, axis=1)        # [3, 6]
                loss = m.reduce_mean(m.square(m.matmul(extra, w) + b))
            else:                        # no padding rule: cumsum over the padded axis
                h = m.math.cumsum(m.matmul(x, w), axis=0)
                extra = h
                loss = m.reduce_sum(h * h)
        grads = t.gradient(loss, [w, b, emb])
        out.append((grads, extra, loss))
    return out


@pytest.mark.parametrize("host", [False, True], ids=["compiled", "host"])
@pytest.mark.parametrize("kind", ["mlp", "vector", "reductions", "contract", "text", "norule"])
def test_bucketed_gradients_and_values_equal_tf(kind, host, limits):
    sizes = [9, 5, 13, 2, 7, 7, 1, 30, 12]
    exp.set_host_execution(host)
    lowering.SEGMENT_CACHE.clear()      # only this kind's programs below
    ours, theirs = _steps(tf, kind, sizes), _steps(rtf, kind, sizes)
    for (ga, xa, la), (gb, xb, lb) in zip(ours, theirs):
        for a, b in zip(ga, gb):
            if b is None:
                assert a is None
            elif hasattr(b, "indices"):      # an embedding's IndexedSlices
                assert_same(a.indices, b.indices)
                assert_same(a.values, b.values, rtol=2e-5, atol=2e-5)
            else:
                assert_same(a, b, rtol=2e-5, atol=2e-5)
        assert_same(xa, xb, rtol=2e-5, atol=2e-5)
        assert_same(la, lb, rtol=2e-5, atol=2e-5)
    ks = [k for k in _bucketed_kernels() if k.dyn is not None]
    if host:
        return                          # new sizes ran with NumPy: no bucket compiled yet
    if kind == "norule":
        assert all(k.off for k in ks)
    else:
        assert any(not k.off for k in ks)


def test_buckets_bound_compilations(compile_all):
    exp.reset_cache_stats()
    sizes = list(range(20, 120, 3))             # 34 batch sizes
    _steps(tf, "mlp", sizes, seed=3)
    assert exp.get_cache_stats()["tape_segments"]["compiles"] <= 5


@settings(max_examples=6, deadline=None)
@given(sizes=st.lists(st.integers(1, 64), min_size=2, max_size=5))
def test_bucketed_mlp_equals_tf_hypothesis(sizes):
    exp.set_host_execution(False)
    try:
        _bucketed_mlp_equals_tf(sizes)
    finally:
        exp.set_host_execution(True)


def _bucketed_mlp_equals_tf(sizes):
    for (ga, xa, la), (gb, xb, lb) in zip(_steps(tf, "mlp", sizes), _steps(rtf, "mlp", sizes)):
        for a, b in zip(ga[:2], gb[:2]):
            assert_same(a, b, rtol=5e-5, atol=5e-5)
        assert_same(la, lb, rtol=5e-5, atol=5e-5)


# -- shape rules agree with tracing ---------------------------------------------------------------
_RULE_CASES = [
    ("add", [(3, 1, 4), (5, 1)], ()), ("multiply", [(2, 3), ()], ()),
    ("tanh", [(7, 2)], ()), ("matmul", [(4, 6), (6, 3)], None),
    ("batch_matmul", [(2, 4, 6), (6, 3)], None),
    ("reduce_sum", [(3, 4, 5)], {"axis": (1,), "keepdims": False}),
    ("reduce_mean", [(3, 4, 5)], {"axis": (0, 2), "keepdims": True}),
    ("reduce_max", [(3, 4)], {"axis": None, "keepdims": False}),
    ("softmax", [(3, 4)], {"axis": -1}),
]


@pytest.mark.parametrize("name,shapes,static", _RULE_CASES)
@settings(max_examples=5, deadline=None)
@given(scale=st.integers(1, 4))
def test_shape_rules_equal_eval_shape(name, shapes, static, scale):
    from tftape._core import shape_rules
    o = registry.REGISTRY[name]
    if static is None:
        static = {"ta": False, "tb": False}
    static = dict(static)
    key = tuple(static.items())
    shapes = [tuple(d * scale if d > 1 else d for d in s) for s in shapes]
    in_key = [(s, np.dtype(np.float32)) for s in shapes]
    cache = lru.LRUCache("test_rules", 64, register=False)
    import jax
    import functools
    fn = functools.partial(o.impl, **static) if static else o.impl
    out = jax.eval_shape(fn, *[jax.ShapeDtypeStruct(s, d) for s, d in in_key])
    shape_rules.learn(o, key, in_key, registry._BY_NP[out.dtype], cache)
    got = shape_rules.infer(o, key, static, in_key, cache)
    assert got == (((tuple(out.shape), registry._BY_NP[out.dtype]),), False)


def test_background_compile_switches_to_the_optimized_program(limits, compile_all):
    compiled.set_optimize_after(2)
    t = compiled.Tiered(lambda x: (x * 2.0 + 1.0).sum(), "test_background")
    import jax.numpy as jnp
    x = jnp.arange(37.0)
    assert float(t(x)) == float(t(x)) == 37.0 * 36.0 + 37.0   # quick program; queued
    compiled.wait_for_background()
    assert (37,) in {k[0] for k in t.done}
    assert float(t(x)) == 37.0 * 36.0 + 37.0 and t.last == ((37,),)


# -- eager reshapes of new shapes: on the host, no kernel compiled -----------------------------
@pytest.mark.parametrize("dtype", ["float32", "bfloat16", "int64", "bool", "complex64",
                                   "uint8"])
def test_reshape_of_a_new_shape_compiles_nothing(dtype, monkeypatch):
    from tftape._core import host
    from tftape._ops import shape_ops
    shape_ops._HOST_RENT.clear()
    monkeypatch.setattr(host, "compile_estimate", lambda cache: 10.0)
    rng = np.random.default_rng(0)
    x = rng.integers(0, 5, (3, 7, 5)).astype(np.float64)
    ours, theirs = tf.cast(tf.constant(x), dtype), rtf.cast(rtf.constant(x), dtype)
    ours.numpy()
    # Note: op kernels' own count (the process-wide "xla" count also sees optimized programs
    # that earlier tests queued for the background compiler).
    compiled.wait_for_background()
    exp.reset_cache_stats()
    for target in ([21, 5], [-1], [5, 3, -1], [105, 1]):
        for _ in range(2):
            assert_same(tf.reshape(ours, target), rtf.reshape(theirs, target))
    assert exp.get_cache_stats()["op_kernels"]["compiles"] == 0
    # Once the time spent on the host would have paid for compiling, the compiled kernel
    # serves (it does not wait for its input).
    monkeypatch.setattr(host, "compile_estimate", lambda cache: 0.0)
    assert_same(tf.reshape(ours, [21, 5]), rtf.reshape(theirs, [21, 5]))
    assert exp.get_cache_stats()["op_kernels"]["compiles"] == 1


def test_reshape_on_a_tape_is_recorded_not_done_on_the_host():
    from tftape._ops import shape_ops
    shape_ops._HOST_RENT.clear()
    x = tf.constant(np.arange(6, dtype=np.float32))
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.reduce_sum(tf.reshape(x, [2, 3]) ** 2)
    np.testing.assert_array_equal(t.gradient(y, x).numpy(), 2 * np.arange(6))

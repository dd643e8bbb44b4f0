"""The host tier (``tftape/_core/host.py``): new input shapes run with NumPy, no compilation.

Two kinds of check. The interpreter itself against XLA: each JAX program below is run by
``host.Program`` and by ``jax.jit`` on the same inputs (values, dtypes, shapes), at several
sizes so the symbolic trace is exercised. And the tier as users meet it, against real TF:
eager ops and GradientTape steps over changing shapes give TF's values and dtypes while
compiling nothing, until a shape has recurred enough that compiling it pays.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tftape as tf
from tftape._core import host

from oracle import assert_same, real_tf

rtf = real_tf()

exp = tf.config.experimental

pytestmark = pytest.mark.skipif(jax.default_backend() != "cpu", reason="CPU-only tier")


def _check(fn, *args, rtol=2e-6, atol=1e-6):
    ref = jax.jit(fn)(*args)
    got = host.Program(fn).run([jnp.asarray(a) for a in args])
    ref_l, ref_tree = jax.tree_util.tree_flatten(ref)
    got_l, got_tree = jax.tree_util.tree_flatten(got)
    assert got_tree == ref_tree
    for g, r in zip(got_l, ref_l):
        assert g.dtype == r.dtype and g.shape == r.shape, (g.dtype, r.dtype, g.shape, r.shape)
        if jnp.issubdtype(r.dtype, jnp.inexact):
            np.testing.assert_allclose(np.asarray(g), np.asarray(r), rtol=rtol, atol=atol)
        else:
            np.testing.assert_array_equal(np.asarray(g), np.asarray(r))


RNG = np.random.default_rng(0)


def _f32(*shape):
    return RNG.normal(size=shape).astype(np.float32)


UNARY = [jnp.exp, jnp.log1p, jnp.expm1, jnp.tanh, jax.nn.sigmoid, jnp.sin, jnp.cos, jnp.arctan,
         jnp.sinh, jnp.arcsinh, jnp.sqrt, jax.lax.rsqrt, jnp.cbrt, jnp.abs, jnp.sign, jnp.floor,
         jnp.ceil, jnp.round, lambda x: jax.lax.round(x, jax.lax.RoundingMethod.AWAY_FROM_ZERO),
         jnp.square, lambda x: x ** 3, lambda x: x ** -2, jnp.isfinite, jax.nn.relu,
         jax.nn.softplus, jax.nn.gelu, lambda x: jnp.clip(x, -0.5, 0.5), jnp.negative,
         lambda x: jnp.log(jnp.abs(x) + 1e-3), lambda x: jnp.arccosh(jnp.abs(x) + 1.0)]


@pytest.mark.parametrize("fn", UNARY, ids=lambda f: getattr(f, "__name__", "lambda"))
def test_unary_ops_and_their_gradients_match_xla(fn):
    x = _f32(5, 7) * 2
    _check(fn, x)
    _check(jax.grad(lambda x: jnp.sum(fn(x).astype(jnp.float32) * x)), x, rtol=1e-5,
           atol=1e-5)


BINARY = [jnp.add, jnp.subtract, jnp.multiply, jnp.divide, jnp.maximum, jnp.minimum,
          jnp.arctan2, lambda a, b: jnp.power(jnp.abs(a), b), jnp.nextafter,
          lambda a, b: jnp.where(a > b, a, b), jnp.less, jnp.greater_equal, jnp.equal,
          lambda a, b: jnp.fmod(a, b + 3.0)]


@pytest.mark.parametrize("fn", BINARY, ids=lambda f: getattr(f, "__name__", "lambda"))
def test_binary_ops_with_broadcasting_match_xla(fn):
    _check(fn, _f32(4, 1, 3), _f32(5, 3))


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.int64, np.uint8, np.uint32])
def test_integer_arithmetic_truncates_as_xla(dtype):
    info = np.iinfo(dtype)
    a = RNG.integers(max(info.min, -100), min(info.max, 100), (50,)).astype(dtype)
    b = RNG.integers(1, 9, (50,)).astype(dtype)
    if info.min < 0:
        b = b * np.where(RNG.random(50) < 0.5, -1, 1).astype(dtype)
    _check(lambda a, b: (jax.lax.div(a, b), jax.lax.rem(a, b), a * b, a - b,
                         jnp.bitwise_xor(a, b), a >> 2, a << 1), a, b)


def test_integer_division_by_zero_is_left_to_xla():
    a, b = np.array([3, -3], np.int32), np.array([0, 2], np.int32)
    with pytest.raises(host.Unsupported):
        host.Program(jax.lax.div)([jnp.asarray(a), jnp.asarray(b)])


@pytest.mark.parametrize("to", [np.int32, np.uint8, np.float64, np.bool_, np.complex64])
def test_conversions_match_xla(to):
    x = (_f32(20) * 50).astype(np.float32)
    if to is np.uint8:
        x = np.abs(x)
    _check(lambda x: x.astype(to), x)


def test_float_to_int_out_of_range_is_left_to_xla():
    x = jnp.asarray(np.array([1e10, np.nan], np.float32))
    with pytest.raises(host.Unsupported):
        host.Program(lambda x: x.astype(jnp.int32))([x])


@pytest.mark.parametrize("case", [
    (lambda a, b: a @ b, (3, 4), (4, 5)),
    (lambda a, b: a @ b, (2, 3, 4), (2, 4, 5)),
    (lambda a, b: a @ b, (2, 3, 4), (4, 5)),
    (lambda a, b: jnp.einsum("bij,bkj->bik", a, b), (2, 3, 4), (2, 5, 4)),
    (lambda a, b: jnp.einsum("ij,kj->ik", a, b), (3, 4), (5, 4)),
    (lambda a, b: jnp.tensordot(a, b, axes=([0, 2], [1, 0])), (4, 3, 5), (5, 4, 2)),
    (lambda a, b: jnp.dot(a, b), (6,), (6,)),
])
def test_dot_general_matches_xla(case):
    fn, sa, sb = case
    _check(fn, _f32(*sa), _f32(*sb), rtol=1e-5, atol=1e-5)
    ia = RNG.integers(-5, 5, sa).astype(np.int32)
    ib = RNG.integers(-5, 5, sb).astype(np.int32)
    _check(fn, ia, ib)


@pytest.mark.parametrize("fn", [
    lambda x: (jnp.sum(x, 0), jnp.max(x, 1), jnp.min(x), jnp.prod(x, 2), jnp.mean(x, (0, 2))),
    lambda x: (jnp.argmax(x, 1), jnp.argmin(x, 0), jnp.all(x > 0, 1), jnp.any(x > 2, 0)),
    lambda x: (jnp.cumsum(x, 1), jnp.cumprod(x, 0), jax.lax.cummax(x, 2),
               jax.lax.cumsum(x, 0, reverse=True)),
    lambda x: (jnp.sort(x, axis=1), jnp.argsort(x, axis=2)),
    lambda x: (jnp.transpose(x, (2, 0, 1)), x.reshape(6, -1), x[:, ::2, 1:], x[::-1],
               jnp.flip(x, (0, 2))),
    lambda x: (jnp.concatenate([x, x * 2], 1), jnp.pad(x, ((1, 2), (0, 0), (3, 0))),
               jnp.split(x, 2, axis=0), jnp.expand_dims(x, 1)[:, 0], jnp.squeeze(x[:1], 0)),
    lambda x: (jax.lax.dynamic_slice(x, (1, 2, 0), (1, 3, 2)),
               jax.lax.dynamic_update_slice(x, jnp.ones((1, 2, 5), x.dtype), (1, 3, 0))),
    lambda x: (jax.nn.softmax(x, -1), jax.nn.log_softmax(x, 1), jax.nn.logsumexp(x, 0)),
    lambda x: jnp.where(x > 0, jnp.broadcast_to(x[:1], x.shape), jnp.zeros_like(x)),
    lambda x: jnp.arange(x.shape[1])[None, :, None] * x,
], ids=["reduce", "arg_reduce", "cumulative", "sort", "layout", "join", "dynamic", "softmax",
        "where", "iota"])
def test_structural_ops_match_xla(fn):
    _check(fn, _f32(2, 6, 5))


@pytest.mark.parametrize("case", [
    (lambda x, i: jnp.take(x, i, axis=0), (7, 5), 50),
    (lambda x, i: jnp.take(x, i, axis=1), (6,), 4),
    (lambda x, i: x[i, :, 1], (6,), 50),
    (lambda x, i: jnp.take_along_axis(x, i, axis=1), (50, 2, 3), 4),
    (lambda x, i: jnp.zeros_like(x).at[i].add(1.0), (30,), 50),
    (lambda x, i: x.at[i].add(x[:30]), (30,), 50),
    (lambda x, i: x.at[:, i].set(0.0), (3,), 4),
    (lambda x, i: x.at[i, 1:3].mul(2.0), (10,), 50),
    (lambda x, i: x.at[i].min(-5.0), (10,), 50),
    (lambda x, i: jax.grad(lambda x: jnp.sum(jnp.take(x, i, axis=0) ** 2))(x), (9, 4), 50),
    (lambda x, i: jax.grad(lambda x: jnp.sum(jnp.take_along_axis(x, i, axis=1) ** 2))(x),
     (50, 2, 3), 4),
])
def test_gather_and_scatter_match_xla(case):
    fn, ishape, hi = case
    _check(fn, _f32(50, 4, 3), RNG.integers(0, hi, ishape).astype(np.int32))


def test_control_flow_matches_xla():
    def f(x, n):
        def body(c):
            i, acc = c
            return i + 1, acc * 0.5 + jnp.sin(x)
        _, acc = jax.lax.while_loop(lambda c: c[0] < n, body, (0, x))
        return jax.lax.cond(n > 3, lambda a: a * 2, lambda a: a - 1, acc)
    x = _f32(4, 3)
    for n in (2, 7):
        _check(f, x, np.int32(n))


def test_custom_gradients_match_xla():
    @jax.custom_vjp
    def clip_grad(x):
        return x

    clip_grad.defvjp(lambda x: (x, None), lambda _, g: (jnp.clip(g, -0.1, 0.1),))
    _check(jax.grad(lambda x: jnp.sum(clip_grad(x) ** 2)), _f32(8))
    _check(jax.grad(lambda x: jnp.sum(jax.nn.relu(x) * jax.nn.silu(x))), _f32(8))


def test_unsupported_primitives_raise_unsupported():
    k = jnp.asarray(_f32(1, 1, 3, 3))
    with pytest.raises(host.Unsupported):
        host.Program(lambda x: jax.lax.conv(x, k, (1, 1), "SAME"))([jnp.asarray(
            _f32(1, 1, 5, 5))])
    with pytest.raises(host.Unsupported):
        host.Program(lambda x: x.astype(jnp.bfloat16) * 2)([jnp.asarray(_f32(3))])


# -- one symbolic trace serves every size -------------------------------------------------------
def _mlp_step(w1, b1, w2, x, y):
    def loss(params):
        w1, b1, w2 = params
        h = jax.nn.relu(x @ w1 + b1)
        lp = jax.nn.log_softmax(h @ w2)
        return -jnp.mean(jnp.take_along_axis(lp, y[:, None], 1))
    return jax.value_and_grad(loss)((w1, b1, w2))


@settings(max_examples=12, deadline=None)
@given(st.lists(st.integers(2, 70), min_size=3, max_size=6))
def test_changing_batch_sizes_reuse_one_symbolic_trace(batches):
    w1, b1, w2 = _f32(12, 16), _f32(16), _f32(16, 3)
    prog = host.Program(_mlp_step)
    exp.reset_cache_stats()
    distinct = []
    for b in batches:
        x = _f32(b, 12)
        y = RNG.integers(0, 3, b).astype(np.int32)
        args = [jnp.asarray(a) for a in (w1, b1, w2, x, y)]
        got = jax.tree_util.tree_leaves(prog.run(args))
        ref = jax.tree_util.tree_leaves(jax.jit(_mlp_step)(*args))
        for g, r in zip(got, ref):
            assert g.shape == r.shape and g.dtype == r.dtype
            np.testing.assert_allclose(np.asarray(g), np.asarray(r), rtol=2e-5, atol=2e-6)
        if b not in distinct:
            distinct.append(b)
    # The first size traced as it is, the second (and any later) symbolically, once.
    assert exp.get_cache_stats()["host"]["traces"] == min(len(distinct), 2)


def test_sizes_that_were_equal_stay_tied_in_the_symbolic_trace():
    prog = host.Program(lambda a, b: a @ b)      # (n, k) @ (k, m): k must stay tied
    for n, k in ((3, 4), (5, 6), (7, 9)):
        a, b = _f32(n, k), _f32(k, n)
        np.testing.assert_allclose(np.asarray(prog.run([jnp.asarray(a), jnp.asarray(b)])),
                                   a @ b, rtol=1e-5)


# -- as users meet it: TF's results, nothing compiled ------------------------------------------
@pytest.fixture
def fresh():
    """Nothing compiled or rented yet (and the tier on, whatever the test before did)."""
    tf.config.experimental.set_host_execution(True)
    exp.clear_caches()
    exp.reset_cache_stats()
    yield
    tf.config.experimental.set_host_execution(True)


@pytest.mark.parametrize("op", ["exp", "tanh", "sigmoid", "log1p", "softplus", "square", "abs",
                                "floor", "round", "sqrt", "rsqrt", "sin", "atan"])
def test_eager_ops_on_new_shapes_give_tfs_values_and_compile_nothing(fresh, op):
    fn = {"sigmoid": "math.sigmoid", "softplus": "math.softplus", "log1p": "math.log1p",
          "rsqrt": "math.rsqrt", "atan": "math.atan"}.get(op, op)

    def get(m):
        for part in fn.split("."):
            m = getattr(m, part)
        return m
    for shape in [(3,), (2, 5), (7, 1, 4), (40,)]:
        x = np.abs(RNG.normal(size=shape)).astype(np.float32) + 0.1
        ours, theirs = get(tf)(tf.constant(x)), get(rtf)(rtf.constant(x))
        assert_same(ours, theirs, rtol=2e-6, atol=1e-7)
    assert exp.get_cache_stats()["op_kernels"]["compiles"] == 0
    assert exp.get_cache_stats()["host"]["runs"] >= 4


def _tape_step(tf, w, x):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.nn.relu(tf.matmul(x, w)) ** 2)
    return loss, tape.gradient(loss, w)


def test_tape_steps_over_changing_batches_match_tf_without_compiling(fresh):
    w0 = RNG.normal(size=(6, 4)).astype(np.float32)
    w, rw = tf.Variable(w0), rtf.Variable(w0)
    for b in (5, 9, 17, 9, 33):
        x = RNG.normal(size=(b, 6)).astype(np.float32)
        (l1, g1), (l2, g2) = _tape_step(tf, w, tf.constant(x)), _tape_step(rtf, rw,
                                                                          rtf.constant(x))
        assert_same(l1, l2, rtol=1e-5)
        assert_same(g1, g2, rtol=1e-5)
    assert exp.get_cache_stats()["tape_segments"]["compiles"] == 0


def test_a_new_shape_runs_on_the_host_until_it_recurs_or_would_have_paid_for_compiling(
        fresh, monkeypatch):
    def compiles():
        return exp.get_cache_stats()["op_kernels"]["compiles"]
    monkeypatch.setattr(host, "compile_estimate", lambda cache: 10.0)
    for shape in [(3, 4), (4, 5)]:
        y = tf.constant(np.arange(np.prod(shape), dtype=np.float32).reshape(shape) / 7)
        before = compiles()
        for _ in range(host.HOST_CALLS):
            np.testing.assert_allclose(tf.exp(y).numpy(), np.exp(y.numpy()), rtol=1e-6)
        assert compiles() == before                  # met once or twice: the host
        np.testing.assert_allclose(tf.exp(y).numpy(), np.exp(y.numpy()), rtol=1e-6)
        assert compiles() == before + 1              # it recurs: compiled
    z = tf.constant(np.ones((6, 2), np.float32))
    tf.exp(z).numpy()
    before = compiles()
    monkeypatch.setattr(host, "compile_estimate", lambda cache: 0.0)
    tf.exp(z).numpy()                                # host time already worth a compile
    assert compiles() == before + 1


def test_turned_off_every_new_shape_compiles(fresh):
    tf.config.experimental.set_host_execution(False)
    assert tf.config.experimental.get_host_execution() is False
    for n in (3, 4, 5):
        tf.exp(tf.ones([n])).numpy()
    assert exp.get_cache_stats()["op_kernels"]["compiles"] == 3
    assert exp.get_cache_stats()["host"]["runs"] == 0


def test_bad_input_still_gets_tfs_errors_on_the_host(fresh):
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(tf.errors.InvalidArgumentError) as ours:
        tf.gather(x, [0, 5])
    with pytest.raises(rtf.errors.InvalidArgumentError) as theirs:
        rtf.gather(rtf.constant([[1.0, 2.0], [3.0, 4.0]]), [0, 5])
    assert str(ours.value) == str(theirs.value)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.constant([1, 2]) + tf.constant([1.0, 2.0])


def test_inputs_left_to_xla_leave_the_tier_on_for_the_next_ones(fresh):
    tiny = np.array([1e-45, 1.0, -3e-42], np.float32)      # subnormals: XLA reads them as 0
    ours, theirs = tf.math.multiply(tf.constant(tiny), 1e30), rtf.math.multiply(
        rtf.constant(tiny), 1e30)
    assert_same(ours, theirs, rtol=0, atol=0)
    runs = exp.get_cache_stats()["host"]["runs"]
    x = np.array([2.0, 3.0, 4.0, 5.0], np.float32)        # (that shape was compiled)
    assert_same(tf.math.multiply(tf.constant(x), 1e30), rtf.math.multiply(rtf.constant(x),
                                                                          1e30))
    assert exp.get_cache_stats()["host"]["runs"] == runs + 1

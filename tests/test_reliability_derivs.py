"""Derivatives of derivatives at kinks and special points, against real TensorFlow.

TF's gradient functions are built from TF ops, so a second derivative (or a forward-mode JVP,
which TF computes by transposing the gradient) follows TF's rules again: ``abs`` has slope 0
at 0, a tie of ``maximum`` goes wholly to its first input, ``x ** y`` has no exponent
gradient at x <= 0. Each case runs eagerly under nested tapes, with a persistent outer tape,
inside ``tf.function``, through ``jacobian`` and through ``ForwardAccumulator``.
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tftape as tf
from oracle import real_tf

pytestmark = [pytest.mark.reliability,
              pytest.mark.filterwarnings("ignore:.*triggered a new compilation")]

TF = real_tf()

# Each function is multiplied by x (or combined with it) so that TF's second derivative is
# connected: a rule such as MaximumGrad is a select, whose own gradient w.r.t. x is None.
CASES = {
    "abs": lambda m, x: m.abs(x) * x,
    "relu": lambda m, x: m.nn.relu(x) * x,
    "relu6": lambda m, x: m.nn.relu6(x) * x,
    "leaky_relu": lambda m, x: m.nn.leaky_relu(x, 0.2) * x,
    "elu": lambda m, x: m.nn.elu(x) * x,
    "elu_alone": lambda m, x: m.nn.elu(x),
    "selu": lambda m, x: m.nn.selu(x) * x,
    "selu_alone": lambda m, x: m.nn.selu(x),
    "softplus": lambda m, x: m.nn.softplus(x) * x,
    "maximum_tie": lambda m, x: m.maximum(x, m.zeros_like(x)) * x,
    "minimum_tie": lambda m, x: m.minimum(x, m.zeros_like(x)) * x,
    "maximum_self": lambda m, x: m.maximum(x, x * 1.0) * x,
    "clip_low": lambda m, x: m.clip_by_value(x, 0.0, 1.0) * x,
    "clip_high": lambda m, x: m.clip_by_value(x, -1.0, 0.0) * x,
    "sign": lambda m, x: m.sign(x) * x * x,
    "floor": lambda m, x: m.floor(x) * x * x,
    "round": lambda m, x: m.round(x) * x * x,
    "sqrt": lambda m, x: m.sqrt(x * x + 1.0) * m.sqrt(m.abs(x)),
    "sqrt_times": lambda m, x: m.sqrt(m.abs(x)) * x,
    "rsqrt": lambda m, x: m.math.rsqrt(x * x + 1.0) * x,
    "reciprocal": lambda m, x: m.math.reciprocal(x + 3.0) * x,
    "where": lambda m, x: m.where(x > 0, x * x, -x) * x,
    "pow_base": lambda m, x: m.pow(x - 1.0, 3.0) * x,
    "pow_base_frac": lambda m, x: m.pow(m.abs(x), 0.5) * x,
    "pow_exponent_neg_base": lambda m, x: m.pow(m.constant(-2.0), x) + x * x,
    "pow_self": lambda m, x: m.pow(x, x),
    "reduce_max_ties": lambda m, x: m.reduce_max(m.stack([x, x, 0.5 * x])) * x,
    "reduce_min_ties": lambda m, x: m.reduce_min(m.stack([x, x, 0.5 * x])) * x,
    "sort": lambda m, x: m.reduce_sum(m.sort(m.stack([x, 0.0 * x, x * x]))
                                      * m.constant([1.0, 2.0, 3.0])) * x,
    "top_k": lambda m, x: m.reduce_sum(m.math.top_k(m.stack([x, 0.0 * x, x * x]), k=2).values
                                       * m.constant([1.0, 2.0])) * x,
    "norm": lambda m, x: m.norm(m.stack([x, x])) * x,
    "segment_max": lambda m, x: m.reduce_sum(
        m.math.segment_max(m.stack([x, 0.0 * x, x * x]), m.constant([0, 0, 1]))) * x,
}
POINTS = [0.0, -1.0, 1.0, 0.5, 6.0, -2.5]


def _second(m, f, x0, mode):
    """(first, second) derivative of f at x0 (a scalar), computed in ``mode``."""
    x = m.constant(x0, m.float32)
    if mode == "forward":
        with m.autodiff.ForwardAccumulator(x, m.constant(1.0)) as acc:
            y = f(m, x)
        with m.autodiff.ForwardAccumulator(x, m.constant(1.0)) as outer:
            with m.GradientTape() as t:
                t.watch(x)
                y2 = f(m, x)
            g = t.gradient(y2, x)
        return acc.jvp(y), outer.jvp(g)
    if mode == "jacobian":
        with m.GradientTape() as t2:
            t2.watch(x)
            with m.GradientTape() as t1:
                t1.watch(x)
                y = f(m, x)
            g = t1.gradient(y, x)
        return g, t2.jacobian(g, x)

    def run(x):
        with m.GradientTape(persistent=mode == "persistent") as t2:
            t2.watch(x)
            with m.GradientTape() as t1:
                t1.watch(x)
                y = f(m, x)
            g = t1.gradient(y, x)
        return g, t2.gradient(g, x)
    if mode == "function":
        run = m.function(run)
    return run(x)


def _close(got, want):
    if want is None:
        assert got is None
        return
    assert got is not None
    np.testing.assert_allclose(np.float64(got.numpy()), np.float64(want.numpy()),
                               rtol=2e-6, atol=1e-6, equal_nan=True)


@pytest.mark.parametrize("mode", ["eager", "persistent", "function", "jacobian", "forward"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_second_derivative_matches_tf(name, mode):
    f = CASES[name]
    for x0 in POINTS:
        want = _second(TF, f, x0, mode)
        assert want[1] is not None, "the case must give TF a connected second derivative"
        got = _second(tf, f, x0, mode)
        for g, w in zip(got, want):
            _close(g, w)


# The reported cases, exactly.
@pytest.mark.parametrize("fn,want", [
    (lambda m, x: m.abs(x) * x, 0.0),
    (lambda m, x: m.nn.relu(x) * x, 0.0),
    (lambda m, x: m.maximum(x, 0.0) * x, 2.0),
    (lambda m, x: m.minimum(x, 0.0) * x, 2.0),
    (lambda m, x: m.clip_by_value(x, 0.0, 1.0) * x, 2.0),
])
def test_reported_second_derivatives_at_zero(fn, want):
    got = _second(tf, fn, 0.0, "eager")[1]
    assert float(got) == want == float(_second(TF, fn, 0.0, "eager")[1])


@pytest.mark.parametrize("fn", [lambda m, x: m.abs(x), lambda m, x: m.nn.relu(x),
                                lambda m, x: m.nn.relu6(x), lambda m, x: m.nn.selu(x),
                                lambda m, x: m.maximum(x, 0.0), lambda m, x: m.sqrt(x),
                                lambda m, x: m.clip_by_value(x, 0.0, 1.0)])
@pytest.mark.parametrize("x0", [0.0, 1.0, -1.0])
def test_forward_accumulator_jvp_at_kinks(fn, x0):
    def jvp(m):
        x = m.constant(x0)
        with m.autodiff.ForwardAccumulator(x, m.constant(1.0)) as acc:
            y = fn(m, x)
        return acc.jvp(y)
    _close(jvp(tf), jvp(TF))


@pytest.mark.parametrize("x0,y0", [(-2.0, 3.0), (-2.0, 2.0), (-0.5, 1.0), (0.0, 2.0),
                                   (0.0, 0.5), (2.0, 0.5), (-1.0, -1.0)])
def test_pow_gradients_with_negative_or_zero_base(x0, y0):
    def grads(m):
        x, y = m.constant(x0), m.constant(y0)
        with m.GradientTape(persistent=True) as t2:
            t2.watch([x, y])
            with m.GradientTape() as t1:
                t1.watch([x, y])
                z = m.pow(x, y)
            gx, gy = t1.gradient(z, [x, y])
        return [gx, gy] + t2.gradient(gx, [x, y]) + t2.gradient(gy, [x, y])
    for g, w in zip(grads(tf), grads(TF)):
        _close(g, w)


@pytest.mark.parametrize("name", ["abs", "relu", "relu6", "elu_alone", "selu_alone",
                                  "maximum_tie", "minimum_tie", "clip_low", "sqrt_times",
                                  "pow_base_frac", "softplus", "reduce_max_ties"])
@settings(max_examples=15, deadline=None)
@given(x0=st.one_of(st.sampled_from([0.0, -0.0, 1.0, -1.0, 6.0]),
                    st.floats(-2.0 ** -10, 2.0 ** -10, width=32),
                    st.floats(-8.0, 8.0, width=32)))
def test_second_derivative_near_kinks(name, x0):
    f = CASES[name]
    want = _second(TF, f, x0, "eager")
    got = _second(tf, f, x0, "eager")
    for g, w in zip(got, want):
        _close(g, w)


# -- exception types: TF's, never JAX's ------------------------------------------------------
from _oracle import compare  # noqa: E402


_OG_SETUP = """
x = tf.constant([1., 2., 3.])
def grad(og, f=lambda x: x * x):
    with tf.GradientTape() as t:
        t.watch(x)
        y = f(x)
    return t.gradient(y, x, output_gradients=og)
"""


@pytest.mark.parametrize("expr", [
    "grad(tf.constant(2.0))",
    "grad(tf.constant([2.0]))",
    "grad([2.0, 3.0, 4.0])",
    "grad(tf.constant([2.0, 3.0]))",
    "grad(tf.constant([2.0, 3.0]), tf.sin)",
    "grad(tf.constant([1, 2, 3]))",
    "grad(tf.constant([1., 2., 3.], tf.float64))",
    "grad(tf.constant(2.), tf.reduce_sum)",
    "grad([tf.ones([3]), tf.ones([3])])",
])
def test_output_gradients_broadcast_or_raise_tf_errors(expr):
    compare(TF, tf, _OG_SETUP, expr)


@pytest.mark.parametrize("expr", [
    "grad(tf.ones([3, 3]), tf.exp)",
    "grad(tf.constant([2.0, 3.0]), tf.reduce_sum)",
    "grad(tf.ones([1, 3]), lambda x: tf.matmul(tf.reshape(x, [1, 3]), tf.ones([3, 2])))",
])
def test_output_gradients_of_a_wrong_shape_raise_tf_type(expr):
    # TF's message names whichever gradient op fails first (or TF broadcasts to a gradient
    # of the wrong shape); the type is TF's InvalidArgumentError or its result.
    want = __import__("_oracle").run(TF, _OG_SETUP, expr)
    got = __import__("_oracle").run(tf, _OG_SETUP, expr)
    assert got[0] == "err" and got[1] == "InvalidArgumentError", got
    assert want[0] == "ok" or want[1] == "InvalidArgumentError"


def test_output_gradients_inside_function():
    @tf.function
    def f(og):
        x = tf.constant([1., 2., 3.])
        with tf.GradientTape() as t:
            t.watch(x)
            y = x * x
        return t.gradient(y, x, output_gradients=og)
    assert f(tf.constant(2.0)).numpy().tolist() == [4., 8., 12.]
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Incompatible shapes: \[2\] vs"):
        f(tf.constant([1., 2.]))


_VAR_SETUP = """
v = tf.Variable([1., 2., 3., 4.])
m = tf.Variable([[1., 2.], [3., 4.]])
"""


@pytest.mark.parametrize("expr", [
    "v[0:2].assign([1., 2., 3.])", "v[0:2].assign(5.)", "v[0:2].assign([5.])",
    "v[0].assign([1., 2.])", "v[0].assign([7.])", "v[0].assign([[7.]])",
    "m[0].assign([1., 2., 3.])", "m[0].assign([[1., 2.]])", "m[0].assign([[[5., 6.]]])",
    "m[0].assign([[5.], [6.]])", "m[:, 0].assign([7., 8.])", "m[:, 0].assign([7., 8., 9.])",
    "m[:, 0].assign([[5., 6.]])", "m[0, 0].assign([5., 6.])", "m[0:1].assign([5.])",
    "v[::2].assign([9., 9.])", "v[::2].assign([9., 9., 9.])", "v[7].assign(1.)",
    "v.assign([1., 2.])", "v.assign_add([1., 2.])",
    "v.scatter_nd_update([[0], [1]], [1., 2., 3.])", "v.scatter_nd_add([[0], [1]], [1., 2., 3.])",
    "v.scatter_nd_max([[9]], [1.])", "m.scatter_nd_update([[0]], [[1., 2., 3.]])",
    "m.scatter_nd_update([[0, 1]], [[5.]])", "v.scatter_nd_update([[0, 1]], [5.])",
    "m.scatter_nd_update([[1]], [[5., 6.]])",
    "v.scatter_update(tf.IndexedSlices(tf.constant([[1., 2.]]), tf.constant([0])))",
    "v.scatter_add(tf.IndexedSlices(tf.constant(5.), tf.constant([0, 1])))",
    "m.scatter_max(tf.IndexedSlices(tf.constant([[1., 2.]]), tf.constant([0, 1])))",
    "m.scatter_min(tf.IndexedSlices(tf.constant([[1., 2.]]), tf.constant([5])))",
    "v.scatter_update(tf.IndexedSlices(tf.constant([1., 2.]), tf.constant([0])))",
])
def test_variable_update_shape_errors_match_tf(expr):
    compare(TF, tf, _VAR_SETUP, expr)


_OPT_SETUP = """
def step(name, g, **kw):
    v = tf.Variable([1., 2., 3.])
    opt = getattr(tf.keras.optimizers, name)(0.1, **kw)
    opt.apply_gradients([(g, v)])
    return v.shape
"""


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
@pytest.mark.parametrize("grad", ["[1., 2.]", "[[1.], [2.], [3.]]", "1.", "[1., 2., 3.]"])
def test_optimizer_gradient_shape_errors_match_tf(name, grad):
    compare(TF, tf, _OPT_SETUP, f"step({name!r}, tf.constant({grad}))")


@pytest.mark.parametrize("name", ["SGD", "RMSprop"])
def test_optimizer_with_momentum_gradient_shape_errors_match_tf(name):
    compare(TF, tf, _OPT_SETUP, f"step({name!r}, tf.constant([1., 2.]), momentum=0.5)")


# -- tf.custom_gradient: one call of f, programs keyed on what grad_fn closes over ----------
_CG_SETUP = """
calls = []
@tf.custom_gradient
def scaled(x, scale=1.0):
    calls.append(1)
    return x * 1.0, lambda dy: dy * scale
@tf.custom_gradient
def scaled2(x, scale):
    calls.append(1)
    return x * 1.0, lambda dy: (dy * scale, None)
def make(s):
    @tf.custom_gradient
    def f(x):
        return tf.identity(x), lambda dy: dy * s
    return f
def grad_t(fn, *args, **kw):
    x = tf.constant(1.0)
    with tf.GradientTape() as t:
        t.watch(x)
        y = fn(x, *args, **kw)
    return t.gradient(y, x)
def grad(fn, *args, **kw):
    return float(grad_t(fn, *args, **kw))
@tf.function
def in_function(s):
    return grad_t(scaled2, s)
@tf.function
def in_function_kw(s):
    return grad_t(scaled, scale=s)
"""


@pytest.mark.parametrize("expr", [
    "[grad(scaled, scale=s) for s in (2.0, 3.0, 5.0)], len(calls)",
    "[grad(scaled2, s) for s in (2.0, 3.0, 5.0)], len(calls)",
    "[grad(scaled2, tf.constant(s)) for s in (2.0, 3.0)], len(calls)",
    "[grad(make(s)) for s in (2.0, 3.0, 5.0)]",
    "grad(scaled, 2.0)",
    "grad(scaled2, scale=2.0)",
    "[float(in_function(s)) for s in (2., 3.)], len(calls)",
    "[float(in_function(tf.constant(s))) for s in (2., 3.)], len(calls)",
])
def test_custom_gradient_keys_and_single_call(expr):
    compare(TF, tf, _CG_SETUP, expr)


def test_custom_gradient_keywords_inside_function_raise_tf_error():
    # (TF's tf.function adds its own "in user code" frame text to the message.)
    compare(TF, tf, _CG_SETUP, "in_function_kw(2.0)", message=False)


def _masked_grads(m):
    @m.custom_gradient
    def masked(x):
        mask = m.cast(m.random.uniform(m.shape(x)) > 0.5, x.dtype)
        return x * mask, lambda dy: dy * mask
    x = m.ones([64])
    out = []
    for _ in range(3):
        with m.GradientTape() as t:
            t.watch(x)
            y = masked(x)
        out.append(bool(m.reduce_all(m.equal(t.gradient(y, x), y))))
    return out


def test_custom_gradient_random_mask_agrees_with_its_gradient():
    assert _masked_grads(tf) == _masked_grads(TF) == [True] * 3


def _closure_and_variables(m):
    out = []

    @m.custom_gradient
    def sq(x):
        return x * x, lambda dy: dy * 2.0 * x
    for x0 in (3.0, -1.0):
        x = m.constant(x0)
        with m.GradientTape() as t2:
            t2.watch(x)
            with m.GradientTape() as t1:
                t1.watch(x)
                y = sq(x)
            g = t1.gradient(y, x)
        out += [float(g), float(t2.gradient(g, x))]
        with m.autodiff.ForwardAccumulator(x, m.constant(1.0)) as acc:
            y = sq(x)
        out.append(float(acc.jvp(y)))
    w = m.Variable(2.0)

    @m.custom_gradient
    def withvar(x):
        def grad(dy, variables=None):
            return dy * w * 10.0, [dy * x * 100.0]
        return x * w, grad
    for val in (2.0, 4.0):
        w.assign(val)
        x = m.constant(3.0)
        with m.GradientTape() as t:
            t.watch(x)
            y = withvar(x)
        out += [float(a) for a in t.gradient(y, [x, w])]
    return out


def test_custom_gradient_closures_variables_second_order_and_jvp():
    assert _closure_and_variables(tf) == _closure_and_variables(TF)


def test_custom_gradient_variable_swap_is_invisible_to_other_threads():
    import threading
    w = tf.Variable(1.0)

    @tf.custom_gradient
    def f(x):
        def grad(dy, variables=None):
            return dy * w, [dy]
        return x * w, grad
    seen, stop = [], []

    def reader():
        while not stop:
            seen.append(float(w.numpy()))
    th = threading.Thread(target=reader)
    th.start()
    try:
        for i in range(30):
            x = tf.constant(float(i))
            with tf.GradientTape() as t:
                t.watch(x)
                y = f(x) * x
            t.gradient(y, [x, w])
    finally:
        stop.append(1)
        th.join()
    assert seen and set(seen) == {1.0}


def test_custom_gradient_program_not_shared_across_functions_with_same_code():
    # Two closures of the same code over different tensors: each call's own tensor.
    def make(s):
        k = tf.constant(s)

        @tf.custom_gradient
        def f(x):
            return x * 1.0, lambda dy: dy * k
        return f
    got = []
    for s in (2.0, 7.0, -1.0):
        x = tf.constant(1.0)
        with tf.GradientTape() as t:
            t.watch(x)
            y = make(s)(x)
        got.append(float(t.gradient(y, x)))
    assert got == [2.0, 7.0, -1.0]


def test_strategy_run_program_keys_hold_their_objects():
    from tftape._core.keys import Ident, closure_key
    a, b = [1], [1]
    assert Ident(a) != Ident(b) and Ident(a) == Ident(a)

    def make(s):
        return lambda: s
    assert closure_key(make(2.0))[0] != closure_key(make(3.0))[0]
    assert closure_key(make(2.0))[0] == closure_key(make(2.0))[0]
    strategy = tf.distribute.MirroredStrategy()
    outs = []
    for s in (2.0, 3.0):
        def fn(x, s=s):
            return x * s
        outs.append(float(strategy.run(fn, args=(tf.constant(1.0),))))
    k = tf.constant(5.0)
    outs.append(float(strategy.run(lambda x: x * k, args=(tf.constant(1.0),))))
    k = tf.constant(6.0)
    outs.append(float(strategy.run(lambda x: x * k, args=(tf.constant(1.0),))))
    assert outs == [2.0, 3.0, 5.0, 6.0]


# -- options that used to be ignored silently ------------------------------------------------
_DS_SETUP = """
ds = tf.data.Dataset.from_tensor_slices([1., 0., 2., 0., 4.])
f = lambda x: tf.debugging.check_numerics(1. / x, "bad")
def vals(d):
    return [float(v) for v in d]
"""


@pytest.mark.parametrize("expr", [
    "vals(ds.map(f).ignore_errors())",
    "vals(ds.map(f).map(lambda y: y * 2).ignore_errors())",
    "vals(ds.map(f).filter(lambda y: y > 0.3).ignore_errors())",
    "vals(ds.map(f).ignore_errors().take(2))",
    "vals(ds.map(f).ignore_errors().batch(2).unbatch())",
])
def test_ignore_errors_skips_failed_elements(expr):
    compare(TF, tf, _DS_SETUP, expr)


@pytest.mark.parametrize("kw", [{"use_ema": True}, {"gradient_accumulation_steps": 2}])
@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop"])
def test_unsupported_optimizer_options_raise(name, kw):
    with pytest.raises(NotImplementedError):
        getattr(tf.keras.optimizers, name)(0.1, **kw)


def _recompute(m, in_function):
    w = m.Variable([[0.5, -1.0], [2.0, 0.3]])
    calls = []

    def block(x):
        calls.append(1)
        return m.nn.relu(m.matmul(x, w)) * m.sin(x)
    rb = m.recompute_grad(block)

    def step(x):
        with m.GradientTape() as t:
            t.watch(x)
            y = m.reduce_sum(rb(x) ** 2)
        return [y] + t.gradient(y, [x, w])
    if in_function:
        step = m.function(step)
    out = step(m.constant([[1.0, 2.0], [-1.0, 0.5]]))
    return [np.round(o.numpy(), 5).tolist() for o in out], len(calls)


@pytest.mark.parametrize("in_function", [False, True])
def test_recompute_grad_runs_f_again_in_the_backward_pass(in_function):
    assert _recompute(tf, in_function) == _recompute(TF, in_function)

"""GradientTape against real TF: API paths, nested tapes, jacobians, edge-point gradients."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tftape as tf
from oracle import assert_same, outcome, real_tf

rtf = real_tf()


def both(fn):
    """Runs ``fn(module)`` with tftape and with TF; returns both results."""
    return fn(tf), fn(rtf)


def assert_struct_same(a, b):
    if b is None:
        assert a is None
    elif isinstance(b, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b):
            assert_struct_same(x, y)
    elif isinstance(b, dict):
        assert a.keys() == b.keys()
        for k in b:
            assert_struct_same(a[k], b[k])
    else:
        assert_same(a, b, rtol=1e-5)


def f_seed(w1, w2):
    return 3 * w1 ** 2 + 2 * w1 * w2


@pytest.mark.parametrize("structure", ["single", "list", "tuple", "dict", "nested"])
def test_sources_structures(structure):
    def run(m):
        w1, w2 = m.Variable(5.), m.Variable(3.)
        with m.GradientTape() as tape:
            z = f_seed(w1, w2)
        src = {"single": w1, "list": [w1, w2], "tuple": (w1, w2), "dict": {"b": w2, "a": w1},
               "nested": [w1, {"x": (w2, w1)}]}[structure]
        return tape.gradient(z, src)
    assert_struct_same(*both(run))


def test_list_of_targets_is_summed():
    def run(m):
        w1, w2 = m.Variable(5.), m.Variable(3.)
        with m.GradientTape() as tape:
            zs = [f_seed(w1, w2 + 2.), f_seed(w1, w2 + 5.), f_seed(w1, w2 + 7.)]
        return tape.gradient(zs, [w1, w2])
    assert_struct_same(*both(run))


def test_unconnected_none_and_zero():
    def run(m, mode):
        w1 = m.Variable(1.0)
        c1 = m.constant(-2.0)
        c2 = m.Variable(-1.0, trainable=False)
        c3 = m.Variable(1.0) + 1.0
        alpha = m.Variable(0.)
        with m.GradientTape() as g:
            L = (w1 + c1) ** 2 + (c2 ** 3) + 4 * c3
        return g.gradient(L, [w1, c1, c2, c3, alpha], unconnected_gradients=mode)
    for mode in ("none", "zero"):
        ours = run(tf, getattr(tf.UnconnectedGradients, mode.upper()))
        theirs = run(rtf, getattr(rtf.UnconnectedGradients, mode.upper()))
        assert_struct_same(ours, theirs)


def test_non_persistent_second_call_raises():
    for m in (tf, rtf):
        x = m.Variable(2.0)
        with m.GradientTape() as t:
            y = x * x
        t.gradient(y, x)
        with pytest.raises(RuntimeError, match="A non-persistent GradientTape can only be used "
                                               "to compute one set of gradients"):
            t.gradient(y, x)


def test_persistent_many_gradients_and_intermediates():
    def run(m):
        x = m.constant(3.0)
        with m.GradientTape(persistent=True) as t:
            t.watch(x)
            y = x * x
            z = y * y
        return [t.gradient(z, x), t.gradient(z, y), t.gradient(y, x), t.gradient(y, y)]
    assert_struct_same(*both(run))


def test_watch_rules():
    def run(m):
        x, w = m.Variable(2.0), m.Variable(5.0)
        c = m.constant(4.0)
        with m.GradientTape(watch_accessed_variables=False, persistent=True) as tape:
            tape.watch(x)
            y = x ** 2 + c
            z = w ** 3
        return [tape.gradient(y, x), tape.gradient(z, w), tape.gradient(y, c),
                [v.numpy() for v in tape.watched_variables()]]
    ours, theirs = both(run)
    assert_struct_same(ours[:3], theirs[:3])
    assert ours[3] == theirs[3]


def test_watched_variables_order_and_trainable():
    def run(m):
        a, b = m.Variable(1.0), m.Variable(2.0)
        frozen = m.Variable(3.0, trainable=False)
        with m.GradientTape() as t:
            _ = b * a * frozen
        return [float(v.numpy()) for v in t.watched_variables()]
    assert run(tf) == run(rtf)


def test_watch_non_tensor_raises():
    with pytest.raises(ValueError):
        with tf.GradientTape() as t:
            t.watch(3.0)


def test_stop_recording_and_reset():
    def run(m):
        x = m.Variable(3.0)
        with m.GradientTape(persistent=True) as t:
            y = x * x
            with t.stop_recording():
                z = y * x
            w = x * 2.0
        r1 = [t.gradient(z, x), t.gradient(w, x)]
        with m.GradientTape() as t2:
            a = x * x
            t2.reset()
            b = x * 3.0
        return r1 + [t2.gradient(b, x)]
    assert_struct_same(*both(run))


def test_manual_enter_exit():
    def run(m):
        x = m.Variable(2.0)
        a = (x / 2) * 3
        tape = m.GradientTape()
        assert tape.__enter__() is tape
        y = a * x ** 2
        tape.__exit__(None, None, None)
        _ = y * 5.0  # not recorded
        return tape.gradient(y, x)
    assert_struct_same(*both(run))


def test_public_methods_match():
    names = lambda t: [n for n in dir(t) if not n.startswith("_")]  # noqa: E731
    assert names(tf.GradientTape()) == names(rtf.GradientTape())


@pytest.mark.parametrize("inner_inside", [True, False])
def test_nested_second_order(inner_inside):
    def run(m):
        x = m.Variable(1.0)
        with m.GradientTape() as t2:
            with m.GradientTape() as t1:
                y = x * x * x
                if inner_inside:
                    dy = t1.gradient(y, x)
            if not inner_inside:
                dy = t1.gradient(y, x)
        return [dy, t2.gradient(dy, x)]
    assert_struct_same(*both(run))


def test_third_order_and_watched_constant():
    def run(m):
        x = m.constant(0.7)
        with m.GradientTape() as t3:
            t3.watch(x)
            with m.GradientTape() as t2:
                t2.watch(x)
                with m.GradientTape() as t1:
                    t1.watch(x)
                    y = m.tanh(x) * x ** 3
                d1 = t1.gradient(y, x)
            d2 = t2.gradient(d1, x)
        d3 = t3.gradient(d2, x)
        return [d1, d2, d3]
    assert_struct_same(*both(run))


def test_gradient_inside_own_persistent_context():
    def run(m):
        x = np.array([-1.0, 0.0, 1.0, 2.0])
        y = np.array([-3.0, -1.0, 1.0, 3.0])
        w, b = m.Variable(0.5), m.Variable(0.25)
        for _ in range(5):
            with m.GradientTape(persistent=True) as tape:
                loss = m.abs(y - (w * x + b))
                gw = tape.gradient(loss, w)
                gb = tape.gradient(loss, b)
                w.assign_sub(gw * 0.01)
                b.assign_sub(gb * 0.01)
        return [w.read_value(), b.read_value()]
    assert_struct_same(*both(run))


def test_python_control_flow_recorded_as_run():
    def run(m, n):
        x = m.convert_to_tensor(2.)
        with m.GradientTape() as t:
            t.watch(x)
            out = 1.
            for i in range(n):
                if 1 < i < 5:
                    out = m.multiply(out, x)
        return t.gradient(out, x)
    for n in (6, 5, 4):
        ours, theirs = run(tf, n), run(rtf, n)
        assert_struct_same(ours, theirs)


def test_variable_assigned_inside_tape():
    def run(m):
        v = m.Variable(2.0)
        with m.GradientTape() as t:
            a = v * v
            v.assign(3.0)
            b = v * a
        return t.gradient(b, v)
    assert_struct_same(*both(run))


def test_output_gradients():
    def run(m):
        x = m.Variable([1.0, 2.0, 3.0])
        with m.GradientTape() as t:
            y = x * x
        return t.gradient(y, x, output_gradients=m.constant([1.0, 0.5, -1.0]))
    assert_struct_same(*both(run))


def test_integer_source_gives_none():
    def run(m):
        x = m.constant(3)
        with m.GradientTape() as t:
            t.watch(x)
            y = x * x
        return t.gradient(y, x)
    assert run(tf) is None and run(rtf) is None


def test_stop_gradient_and_custom_gradient():
    def run(m):
        @m.custom_gradient
        def clip_grad(x):
            def grad(dy):
                return m.clip_by_value(dy, -0.5, 0.5)
            return m.identity(x), grad
        x = m.constant([1.0, 2.0])
        with m.GradientTape(persistent=True) as t:
            t.watch(x)
            y = m.reduce_sum(clip_grad(x) * 10.0)
            z = m.reduce_sum(m.stop_gradient(x * x) + x)
        return [t.gradient(y, x), t.gradient(z, x)]
    assert_struct_same(*both(run))


def test_custom_gradient_log1pexp():
    def run(m):
        @m.custom_gradient
        def log1pexp(x):
            e = m.exp(x)
            return m.math.log(1 + e), lambda dy: dy * (1 - 1 / (1 + e))
        x = m.constant(100.)
        with m.GradientTape() as t:
            t.watch(x)
            y = log1pexp(x)
        return t.gradient(y, x)
    assert_struct_same(*both(run))


def test_jacobian_and_batch_jacobian():
    rng = np.random.default_rng(0)
    W = rng.normal(size=(4, 3)).astype(np.float32)
    xb = rng.normal(size=(5, 4)).astype(np.float32)
    x0 = rng.normal(size=(3, 1)).astype(np.float32)

    def run(m):
        x = m.Variable(x0)
        b = m.constant(xb)
        with m.GradientTape(persistent=True) as t:
            t.watch(b)
            y = m.tanh(m.matmul(m.constant(W), x))
            z = m.sin(m.matmul(b, m.constant(W))) * 2.0
        return [t.jacobian(y, x), t.jacobian(y, [x]), t.batch_jacobian(z, b),
                t.jacobian(z, x, unconnected_gradients=m.UnconnectedGradients.ZERO)]
    assert_struct_same(*both(run))


def test_forward_accumulator():
    def run(m):
        x = m.constant([1.0, 2.0])
        v = m.Variable(3.0)
        with m.autodiff.ForwardAccumulator([x, v], [m.constant([1.0, 0.0]), m.constant(1.0)]) as acc:
            y = m.reduce_sum(m.sin(x) * v)
        return acc.jvp(y)
    assert_struct_same(*both(run))


def test_hessian_vector_product_forward_over_backward():
    def run(m):
        x = m.constant([0.5, -1.0, 2.0])
        with m.autodiff.ForwardAccumulator(x, m.constant([1.0, 1.0, 0.0])) as acc:
            with m.GradientTape() as t:
                t.watch(x)
                y = m.reduce_sum(x ** 3)
            g = t.gradient(y, x)
        return acc.jvp(g)
    assert_struct_same(*both(run))


def test_repr():
    assert repr(tf.GradientTape()).startswith("<tensorflow.python.eager.backprop.GradientTape object at 0x")


# -- TF's gradient at edge points (kinks and ties) ------------------------------------------------
EDGE_CASES = {
    "abs": lambda m, x: m.abs(x),
    "maximum_tie": lambda m, x: m.maximum(x, m.constant([0.0, 1.0, -1.0])),
    "minimum_tie": lambda m, x: m.minimum(x, m.constant([0.0, 1.0, -1.0])),
    "relu": lambda m, x: m.nn.relu(x),
    "relu6": lambda m, x: m.nn.relu6(x * 6.0),
    "sqrt": lambda m, x: m.sqrt(m.abs(x)),
    "pow0": lambda m, x: x ** 2.0,
    "clip": lambda m, x: m.clip_by_value(x, -1.0, 1.0),
    "reduce_max_tie": lambda m, x: m.reduce_max(m.stack([x, x])),
    "sort": lambda m, x: m.sort(m.concat([x, x], 0)) * m.range(6, dtype=m.float32),
    "top_k": lambda m, x: m.math.top_k(m.concat([x, x], 0), k=3).values,
}


@pytest.mark.parametrize("name", sorted(EDGE_CASES))
def test_gradient_at_edge_points(name):
    def run(m):
        x = m.constant([0.0, 1.0, -1.0])
        with m.GradientTape() as t:
            t.watch(x)
            y = m.reduce_sum(EDGE_CASES[name](m, x))
        return t.gradient(y, x)
    assert_struct_same(*both(run))


@settings(deadline=None, max_examples=25)
@given(st.lists(st.floats(-3, 3, width=32), min_size=1, max_size=6),
       st.sampled_from(["tanh", "sigmoid", "exp", "square", "sin", "softplus"]))
def test_random_elementwise_chains(values, fn):
    def run(m):
        x = m.Variable(np.array(values, np.float32))
        with m.GradientTape() as t:
            y = m.reduce_sum(getattr(m.math, fn)(x) * x + 2.0 * x)
        return t.gradient(y, x)
    ours, theirs = both(run)
    assert_same(ours, theirs, rtol=2e-4, atol=1e-4)


def test_training_loop_memory_flat_and_cache_hits():
    from tftape._autodiff.lowering import SEGMENT_CACHE
    w = tf.Variable(1.0)
    before = SEGMENT_CACHE.info()
    for _ in range(300):
        with tf.GradientTape() as t:
            loss = (w * 3.0 - 1.0) ** 2
        w.assign_sub(0.01 * t.gradient(loss, w))
        assert not t._nodes and not t._tracked  # released after gradient
    after = SEGMENT_CACHE.info()
    assert after["misses"] - before["misses"] <= 1
    assert after["hits"] - before["hits"] >= 299


def test_tape_is_thread_local():
    import threading
    x = tf.Variable(2.0)
    result = {}
    with tf.GradientTape() as t:
        def other():
            result["y"] = x * x  # recorded on no tape: other thread
        th = threading.Thread(target=other)
        th.start()
        th.join()
        z = x * 3.0
    assert t.gradient(result["y"], x) is None
    assert float(tf.GradientTape().__class__ is tf.GradientTape)
    del z


def test_gather_gradient_wrt_variable():
    def run(m):
        v = m.Variable([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
        with m.GradientTape() as t:
            y = m.reduce_sum(m.gather(v, [2, 0, 2]))
        g = t.gradient(y, v)
        return m.convert_to_tensor(g)
    assert_struct_same(*both(run))


@pytest.mark.parametrize("dense_too", [False, True])
def test_gather_gradient_type_matches_tf(dense_too):
    def run(m):
        v = m.Variable([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
        w = m.Variable(2.0)
        with m.GradientTape() as t:
            y = m.reduce_sum(m.gather(v, [[2], [0]]) * w)
            if dense_too:
                y += m.reduce_sum(v)
        gv, gw = t.gradient(y, [v, w])
        return type(gv).__name__, m.convert_to_tensor(gv), gw
    ours, theirs = run(tf), run(rtf)
    assert ours[0] == theirs[0]
    assert_same(ours[1], theirs[1])
    assert_same(ours[2], theirs[2])
    if not dense_too:
        v = tf.Variable([[1.0], [2.0]])
        with tf.GradientTape() as t:
            y = tf.reduce_sum(tf.gather(v, [1, 1]))
        g = t.gradient(y, v)
        assert g.indices.numpy().tolist() == [1, 1] and g.values.shape == (2, 1)
        assert g.dense_shape.numpy().tolist() == [2, 1]


def test_composite_sources_and_targets():
    def run(m):
        r = m.ragged.constant([[1., 2.], [3.]])
        with m.GradientTape(persistent=True) as t:
            t.watch(r)
            y = r * r
            z = m.reduce_sum(y)
        g1, g2 = t.gradient(y, r), t.gradient(z, [r])[0]
        return type(g1).__name__, g1.to_list(), g2.to_list()
    assert run(tf) == run(rtf)
    for m in (tf, rtf):
        s = m.SparseTensor([[0, 1]], [2.], [2, 2])
        with m.GradientTape() as t:
            t.watch(s)
            y = m.sparse.reduce_sum(s * 3.)
        with pytest.raises(ValueError, match="Type SparseTensor is not supported as a gradient "
                                             "source or gradient target."):
            t.gradient(y, s)


def test_retracing_warning_after_five_new_segments_at_one_line():
    import warnings
    from tftape._autodiff import lowering
    lowering.SEGMENT_CACHE.clear()  # programs compiled by earlier tests would be hits
    lowering._PLANS.clear()
    x = tf.Variable(1.0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for i in range(5):
            with tf.GradientTape() as t:
                y = x
                for _ in range(i + 1):
                    y = y * 2.0
            t.gradient(y, x)
    msgs = [w for w in caught if "triggered a new compilation" in str(w.message)]
    assert len(msgs) == 1 and msgs[0].filename == __file__


def test_equal_constants_are_distinct_tensors_on_a_tape():
    def run(m):
        a, b = m.constant([1.0, 2.0]), m.constant([1.0, 2.0])
        c, d = m.constant(3.0), m.constant(3.0)
        with m.GradientTape() as t:
            t.watch([a, c])
            y = m.reduce_sum(a * b) + c * d
        return t.gradient(y, [a, b, c, d])
    assert_struct_same(*both(run))


def test_gradient_inside_context_logs_as_tf(caplog):
    from tftape._autodiff import tape as _tape
    _tape._WARNED_INSIDE.clear()
    x = tf.constant(2.0)
    with caplog.at_level("WARNING", logger="tftape"):
        with tf.GradientTape() as t:      # non-persistent: TF stops recording, says nothing
            t.watch(x)
            y = x * x
            assert float(t.gradient(y, x)) == 4.0
            z = y * x
        assert not caplog.records
        with pytest.raises(RuntimeError, match="non-persistent GradientTape"):
            t.gradient(z, x)
        for _ in range(2):                # persistent: TF's warning, once per process
            with tf.GradientTape(persistent=True) as p:
                p.watch(x)
                y = x * x
                assert float(p.gradient(y, x)) == 4.0
    assert [r.getMessage() for r in caplog.records] == [_tape._INSIDE_MSG]
    assert "persistent tape inside its context is significantly less efficient" in \
        _tape._INSIDE_MSG


def test_none_in_output_gradients_raises_as_tf():
    def run(m):
        x = m.constant([1.0, 2.0])
        with m.GradientTape() as t:
            t.watch(x)
            a, b = x * 2.0, x * x
        try:
            t.gradient([a, b], x, output_gradients=[None, m.constant([1.0, -1.0])])
        except Exception as e:  # noqa: BLE001 - compared with TF's
            return type(e).__name__, str(e)
    assert run(tf) == run(rtf)


@pytest.mark.parametrize("kind", ["gradient", "jacobian"])
def test_watched_variables_after_non_persistent_gradient(kind):
    def run(m):
        v = m.Variable(2.0, trainable=False, name="frozen")
        w = m.Variable(3.0, name="w")
        with m.GradientTape() as t:
            y = v * w
        getattr(t, kind)(y, w)
        return [x.name for x in t.watched_variables()]
    assert run(tf) == run(rtf)


def _custom_with_variables(m, scale):
    v = m.Variable(2.0)
    u = m.Variable([1.0, -1.0])

    @m.custom_gradient
    def f(x):
        y = x * v + m.reduce_sum(u)

        def grad(dy, variables=None):
            return dy * scale, [dy * w * 3.0 for w in variables]
        return y, grad
    return v, u, f


def test_custom_gradient_with_variables():
    def run(m):
        v, u, f = _custom_with_variables(m, 10.0)
        x = m.constant(3.0)
        with m.GradientTape() as t:
            t.watch(x)
            y = f(x) * 2.0
        return t.gradient(y, [x, v, u])
    assert_struct_same(*both(run))


@pytest.mark.parametrize("traced", [False, True])
def test_custom_gradient_grad_fn_without_variables_raises(traced):
    def run(m):
        v = m.Variable(2.0)

        @m.custom_gradient
        def f(x):
            return x * v, lambda dy: dy

        def g(x):
            with m.GradientTape() as t:
                t.watch(x)
                y = f(x)
            return t.gradient(y, x)
        try:
            (m.function(g) if traced else g)(m.constant(3.0))
        except TypeError as e:
            # Inside a tf.function, TF frames the error ("in user code: ..."): its last line.
            return str(e).strip().splitlines()[-1].strip()
    ours = run(tf)
    assert "@tf.custom_gradient grad_fn must accept keyword argument 'variables'" in ours
    assert ours == run(rtf)


@pytest.mark.parametrize("tape_inside", [True, False])
def test_custom_gradient_inside_tf_function(tape_inside):
    def run(m):
        @m.custom_gradient
        def f(x):
            return {"a": x * 2.0, "b": m.sin(x)}, lambda da, db: da * 10.0 + db

        @m.function
        def inner(x):
            with m.GradientTape() as t:
                t.watch(x)
                out = f(x)
                y = out["a"] * out["b"]
            return out["a"], t.gradient(y, x)

        @m.function
        def plain(x):
            out = f(x)
            return out["a"] * out["b"]
        x = m.constant([0.5, 2.0])
        if tape_inside:
            return inner(x)
        with m.GradientTape() as t:
            t.watch(x)
            y = plain(x)
        return y, t.gradient(y, x)
    assert_struct_same(*both(run))


def test_custom_gradient_with_variables_over_training_steps():
    # The op's function and vjp read the variables' values as arguments, never the values
    # they held when the op was first made (a cached segment must not keep them).
    def run(m):
        v = m.Variable(2.0)
        x = m.Variable(3.0)

        @m.custom_gradient
        def f(x):
            def grad(dy, variables=None):
                return dy * v, [dy * x]
            return x * v, grad
        out = []
        for _ in range(6):
            with m.GradientTape() as t:
                y = f(x) * f(x)
            gx, gv = t.gradient(y, [x, v])
            out.append([y, gx, gv])
            v.assign_add(1.0)
            x.assign_sub(0.001 * gx)
        return out
    assert_struct_same(*both(run))


@pytest.mark.parametrize("tape_inside", [True, False])
def test_custom_gradient_with_variables_inside_tf_function(tape_inside):
    def run(m):
        v, u, f = _custom_with_variables(m, 10.0)

        @m.function
        def inner(x):
            with m.GradientTape() as t:
                t.watch(x)
                y = f(x) * 2.0
            return y, t.gradient(y, [x, v, u])

        @m.function
        def plain(x):
            return f(x) * 2.0
        out = []
        for step in range(3):
            x = m.constant(3.0 + step)
            if tape_inside:
                out.append(inner(x))
            else:
                with m.GradientTape() as t:
                    t.watch(x)
                    y = plain(x)
                out.append([y, t.gradient(y, [x, v, u])])
            v.assign_add(0.5)
        return out
    assert_struct_same(*both(run))

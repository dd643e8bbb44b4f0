"""tf.function against real TensorFlow: outputs, retracing counts, variables, tapes, prints."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

real_tf = pytest.importorskip("tensorflow")
import tftape as tf  # noqa: E402


_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))   # this checkout


def _run_both(body: str):
    """Runs ``body`` (which uses ``tf``) under both libraries; returns their stdout."""
    outs = []
    for mod in ("tensorflow", "tftape"):
        code = f"import {mod} as tf\n" + textwrap.dedent(body)
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           timeout=120, env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin",
                                             "PYTHONPATH": _ROOT,
                                             "JAX_PLATFORMS": "cpu", "PYTHONUNBUFFERED": "1"})
        assert r.returncode == 0, r.stderr[-2000:]
        outs.append((r.stdout, r.stderr))
    return outs


def _same(a, b):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)
    assert a.dtype.name == b.dtype.name
    assert tuple(a.shape) == tuple(b.shape)


# -- retracing -----------------------------------------------------------------------------
CALLS = [
    [1, 2, 1.0, True, 1],
    ["t1", "t2", "t1"],
    ["a12", "a13", "f12", "a123"],
    ["n12f", "n32f", "n12i"],
    [[1, 2], [1, 2], (1, 2), [1, 3]],
    [{"a": 1}, {"a": 1}, {"a": 2}],
]


def _arg(lib, x):
    table = {"t1": lambda: lib.constant(1), "t2": lambda: lib.constant(2),
             "a12": lambda: lib.constant([1, 2]), "a13": lambda: lib.constant([1, 3]),
             "f12": lambda: lib.constant([1.0, 2.0]), "a123": lambda: lib.constant([1, 2, 3]),
             "n12f": lambda: np.array([1.0, 2.0]), "n32f": lambda: np.array([3.0, 2.0]),
             "n12i": lambda: np.array([1, 2])}
    return table[x]() if isinstance(x, str) else x


@pytest.mark.parametrize("calls", CALLS)
def test_tracing_count_matches_tf(calls):
    counts = []
    for lib in (real_tf, tf):
        f = lib.function(lambda x: x)
        seq = []
        for c in calls:
            f(_arg(lib, c))
            seq.append(f.experimental_get_tracing_count())
        counts.append(seq)
    assert counts[0] == counts[1]


@pytest.mark.parametrize("shapes", [[[1], [2], [3]], [[1], [2], [3, 1], [3, 2]],
                                    [[2, 2], [2, 3], [4, 3]]])
def test_reduce_retracing_count(shapes):
    counts = []
    for lib in (real_tf, tf):
        f = lib.function(lambda x: x + 1, reduce_retracing=True)
        for s in shapes:
            f(lib.zeros(s))
        counts.append(f.experimental_get_tracing_count())
    assert counts[0] == counts[1]


def test_input_signature():
    res = []
    for lib in (real_tf, tf):
        f = lib.function(lambda x: x * 2,
                         input_signature=[lib.TensorSpec(shape=[None], dtype=lib.int32)])
        a = f([1, 2])
        b = f(lib.constant([1, 2, 3]))
        errs = []
        for bad in (lib.constant([1.0]), lib.constant([[1]]), 1):
            with pytest.raises(TypeError) as ei:
                f(bad)
            errs.append(str(ei.value))
        res.append((a, b, f.experimental_get_tracing_count(), errs))
    _same(res[0][0], res[1][0])
    _same(res[0][1], res[1][1])
    assert res[0][2] == res[1][2] == 1
    assert res[0][3] == res[1][3]


def test_kwargs_and_defaults_share_trace():
    counts = []
    for lib in (real_tf, tf):
        @lib.function
        def k(a, b=2):
            return a * b
        r = [k(lib.constant(1), b=3), k(lib.constant(1), 3), k(a=lib.constant(1), b=3)]
        counts.append((k.experimental_get_tracing_count(), [int(x) for x in r]))
    assert counts[0] == counts[1]


# -- values ------------------------------------------------------------------------------------
@settings(deadline=None, max_examples=20)
@given(shape=st.lists(st.integers(1, 4), min_size=0, max_size=3),
       dtype=st.sampled_from(["float32", "float64", "int32", "int64"]))
def test_outputs_match_tf(shape, dtype):
    x = np.arange(int(np.prod(shape)) if shape else 1).reshape(shape).astype(dtype)

    def body(lib):
        @lib.function
        def f(a):
            return {"s": lib.reduce_sum(a * a), "m": [a + 1, lib.shape(a)], "n": None, "k": 3}
        return f(lib.constant(x))
    r, t = body(real_tf), body(tf)
    assert r["n"] is None and t["n"] is None
    _same(r["s"], t["s"])
    _same(r["m"][0], t["m"][0])
    _same(r["m"][1], t["m"][1])
    _same(r["k"], t["k"])


def test_return_non_tensor_raises_type_error():
    for lib in (real_tf, tf):
        f = lib.function(lambda: object)
        with pytest.raises(TypeError, match="To be compatible with tf.function"):
            f()


def test_executing_eagerly_inside():
    for lib in (real_tf, tf):
        f = lib.function(lambda: lib.executing_eagerly())
        assert not bool(f())
        assert lib.executing_eagerly()


# -- variables ---------------------------------------------------------------------------------
def test_variable_updates_and_reuse_for_other_variables():
    res = []
    for lib in (real_tf, tf):
        @lib.function
        def f(v):
            v.assign_add(1.0)
            return v.read_value()
        a, b = lib.Variable(1.0), lib.Variable(5.0)
        out = [float(f(a)), float(f(b)), float(f(a))]
        res.append((out, float(a.numpy()), float(b.numpy()),
                    f.experimental_get_tracing_count()))
    assert res[0] == res[1]


def test_closure_variable_changes_are_seen():
    res = []
    for lib in (real_tf, tf):
        v = lib.Variable([1.0, 2.0])
        f = lib.function(lambda x: v * x)
        a = f(lib.constant(2.0))
        v.assign([3.0, 4.0])
        b = f(lib.constant(2.0))
        res.append((a, b, f.experimental_get_tracing_count()))
    _same(res[0][0], res[1][0])
    _same(res[0][1], res[1][1])
    assert res[0][2] == res[1][2]


def test_variable_creation_first_call_only():
    res = []
    for lib in (real_tf, tf):
        class M(lib.Module):
            def __init__(self):
                super().__init__()
                self.v = None

            @lib.function
            def __call__(self, x):
                if self.v is None:
                    self.v = lib.Variable(lib.ones_like(x) * 2)
                self.v.assign_add(x)
                return self.v * x
        m = M()
        out = [m(lib.constant(1.0)), m(lib.constant(3.0))]
        res.append(([float(o) for o in out], float(m.v.numpy()),
                    m.__call__.experimental_get_tracing_count()))
    assert res[0] == res[1]


def test_variable_creation_every_call_raises():
    msgs = []
    for lib in (real_tf, tf):
        @lib.function
        def f(x):
            v = lib.Variable(1.0)
            return v + x
        with pytest.raises(ValueError) as ei:
            f(1.0)
        msgs.append(str(ei.value).split("\n\n")[-1])
        assert f.experimental_get_tracing_count() == 1
    assert msgs[0] == msgs[1]


# -- tapes -------------------------------------------------------------------------------------
@settings(deadline=None, max_examples=10)
@given(w0=st.floats(-3, 3), x0=st.floats(-3, 3))
def test_tape_inside_function_matches_eager_and_tf(w0, x0):
    results = []
    for lib, compiled in ((real_tf, True), (tf, True), (tf, False)):
        w = lib.Variable(w0)

        def step(x):
            with lib.GradientTape() as tape:
                y = lib.sin(w * x) + w * w
            g = tape.gradient(y, w)
            w.assign_sub(0.1 * g)
            return y, g
        f = lib.function(step) if compiled else step
        out = [f(lib.constant(x0)) for _ in range(2)]
        results.append([float(t) for pair in out for t in pair] + [float(w.numpy())])
    np.testing.assert_allclose(results[0], results[1], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(results[1], results[2], rtol=1e-6, atol=1e-6)


def test_tape_around_function_call():
    res = []
    for lib in (real_tf, tf):
        v = lib.Variable(2.0)
        f = lib.function(lambda x: v * v * x)
        with lib.GradientTape() as t:
            y = f(lib.constant(3.0))
        res.append(float(t.gradient(y, v)))
    assert res[0] == res[1]


def test_nested_functions():
    res = []
    for lib in (real_tf, tf):
        v = lib.Variable(1.0)
        inner = lib.function(lambda x: v.assign_add(x) * 2)

        @lib.function
        def outer(x):
            return inner(x) + inner(x * 2)
        out = outer(lib.constant(1.0))
        res.append((float(out), float(v.numpy()), inner.experimental_get_tracing_count()))
    assert res[0] == res[1]


# -- printing ----------------------------------------------------------------------------------
def test_print_at_trace_tf_print_every_call():
    tf_out, tape_out = _run_both("""
        import sys
        @tf.function
        def f(x):
            print("trace")
            tf.print("call", x, output_stream=sys.stdout)
            return x + 1
        for i in range(3):
            f(tf.constant(i))
        f(tf.constant([1, 2]))
    """)
    assert tf_out[0] == tape_out[0]


def test_run_functions_eagerly():
    for lib in (real_tf, tf):
        seen = []
        f = lib.function(lambda x: seen.append(lib.executing_eagerly()) or x)
        lib.config.run_functions_eagerly(True)
        try:
            f(lib.constant(1))
            f(lib.constant(1))
        finally:
            lib.config.run_functions_eagerly(False)
        assert seen == [True, True]


def test_string_ops_fall_back_to_eager_with_warning():
    @tf.function
    def f(s):
        return s
    with pytest.warns(UserWarning, match="tf.cond"):
        r = f(tf.constant("ab"))
    assert r.numpy() == b"ab"


def test_concrete_function():
    res = []
    for lib in (real_tf, tf):
        f = lib.function(lambda x: x + 1)
        c = f.get_concrete_function(lib.TensorSpec([None], lib.float32))
        out = c(lib.constant([1.0, 2.0]))
        with pytest.raises(lib.errors.InvalidArgumentError):
            c(lib.constant([1, 2]))
        res.append((out, f.experimental_get_tracing_count()))
    _same(res[0][0], res[1][0])
    assert res[0][1] == res[1][1]


def test_tensor_spec():
    for lib in (real_tf, tf):
        s = lib.TensorSpec([None, 3], lib.float32)
        assert s.is_compatible_with(lib.zeros([2, 3]))
        assert not s.is_compatible_with(lib.zeros([2, 4]))
    assert repr(tf.TensorSpec([None, 3])) == repr(real_tf.TensorSpec([None, 3]))
    assert repr(tf.TensorSpec([2], name="x")) == repr(real_tf.TensorSpec([2], name="x"))
    assert repr(tf.TensorSpec.from_tensor(tf.constant([1, 2]))) == \
        repr(real_tf.TensorSpec.from_tensor(real_tf.constant([1, 2])))


def test_asserts_inside_function():
    for lib in (real_tf, tf):
        @lib.function
        def f(x):
            lib.debugging.assert_equal(x, 2)
            return x * 2
        assert int(f(lib.constant(2))) == 4
        with pytest.raises(lib.errors.InvalidArgumentError):
            f(lib.constant(3))


@pytest.mark.parametrize("fn,args", [
    ("assert_equal", ([1, 2], [1, 3])), ("assert_less", ([1, 2], [1, 3])),
    ("assert_positive", ([1, -2],)), ("assert_non_negative", ([1, -2],)),
    ("assert_greater_equal", ([[1, 2]], [[2, 2]])),
])
def test_debugging_messages(fn, args):
    msgs = []
    for lib in (real_tf, tf):
        with pytest.raises(lib.errors.InvalidArgumentError) as ei:
            getattr(lib.debugging, fn)(*[lib.constant(a) for a in args])
        msgs.append(str(ei.value))
    assert msgs[0] == msgs[1]


def test_py_function_traced():
    for lib in (real_tf, tf):
        @lib.function
        def f(x):
            return lib.py_function(lambda a: a.numpy() * 2, [x], lib.int32) + 1
        assert int(f(lib.constant(4))) == 9

"""tf.function tracing against real TensorFlow: trace counts, prints, shapes and graph reprs.

Each scenario is a script run with ``tf`` bound to TensorFlow and to tftape in this process;
its stdout (Python prints made while tracing, values printed after calls) and tracing counts
must be the same, up to object addresses.
"""
import contextlib
import importlib
import io
import logging
import re
import textwrap

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

real_tf = pytest.importorskip("tensorflow")
import tftape as tf  # noqa: E402
_programs = importlib.import_module("tftape._function._programs")

_ADDR = re.compile(r"0x[0-9a-fA-F]+")


def _run(mod, body: str) -> str:
    out = io.StringIO()
    ns = {"tf": mod, "np": np}
    with contextlib.redirect_stdout(out):
        exec(textwrap.dedent(body), ns)  # noqa: S102 - the scenario under test
    return _ADDR.sub("0x?", out.getvalue())


def _compare(body: str):
    want = _run(real_tf, body)
    got = _run(tf, body)
    assert got == want, f"\nTF:\n{want}\ntftape:\n{got}"
    return got


SCENARIOS = {
    "batch sizes retrace per shape": """
        @tf.function
        def f(x):
            print("trace", x, x.shape)
            y = x * 2.0 + 1.0
            print(y, tf.shape(x))
            return y
        for n in [2, 3, 2, 4, 3]:
            print(f(tf.ones([n, 3])).shape)
        print(f.experimental_get_tracing_count())
    """,
    "input_signature with a None dim traces once": """
        @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
        def f(x):
            print("trace", x, x.shape, x.name)
            a = x + 1.0
            b = x + 1.0
            c = tf.matmul(x, tf.ones([3, 2]))
            print(a, b, c, tf.shape(x), tf.reduce_sum(c, axis=1))
            return c, tf.shape(x)
        for n in [1, 4, 7, 4]:
            c, s = f(tf.ones([n, 3]))
            print(c.shape, s.numpy(), float(tf.reduce_sum(c)))
        print(f.experimental_get_tracing_count())
    """,
    "two inputs sharing an unknown batch size": """
        @tf.function(input_signature=[tf.TensorSpec([None, 4]), tf.TensorSpec([None], tf.int32)])
        def f(x, y):
            print("trace", x, y)
            loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=x)
            return tf.reduce_mean(loss), tf.size(y)
        for n in [2, 5, 3]:
            l, s = f(tf.reshape(tf.range(4.0 * n), [n, 4]), tf.zeros([n], tf.int32))
            print(round(float(l), 5), int(s))
        print(f.experimental_get_tracing_count())
    """,
    "reduce_retracing relaxes to None": """
        @tf.function(reduce_retracing=True)
        def f(x):
            print("trace", x)
            return tf.reduce_sum(x * x)
        for n in [2, 3, 4, 5, 2]:
            print(float(f(tf.range(float(n)))))
        print(f.experimental_get_tracing_count())
    """,
    "reduce_retracing per dimension": """
        @tf.function(reduce_retracing=True)
        def f(x):
            print("trace", x)
            return tf.reshape(x, [-1])
        for s in [[2, 3], [4, 3], [5, 3], [5, 2], [1, 1]]:
            print(f(tf.ones(s)).shape)
        print(f.experimental_get_tracing_count())
    """,
    "python scalars key the trace by value": """
        @tf.function
        def f(x, n):
            print("trace", x, n)
            return x * n
        for n in [2, 3, 2, 2.0, True, 3]:
            print(f(tf.constant(1.5), n).numpy())
        print(f.experimental_get_tracing_count())
    """,
    "nested structures name their placeholders": """
        @tf.function
        def f(x, y):
            print("trace", x, y)
            return x + y[0] + y[1]["a"]
        x = tf.ones([2])
        print(f(x, [tf.ones([2]), {"a": tf.ones([2]), "b": tf.ones([1])}]).numpy())
        print(f(x, [tf.ones([2]), {"a": tf.ones([2]), "b": tf.ones([1])}]).numpy())
        print(f(x, (tf.ones([2]), {"a": tf.ones([2]), "b": tf.ones([1])})).numpy())
        print(f.experimental_get_tracing_count())
    """,
    "keyword arguments": """
        @tf.function
        def f(x, scale=None, shift=0.0):
            print("trace", x, scale, shift)
            return x * scale + shift
        print(f(tf.ones([2]), scale=tf.constant(2.0)).numpy())
        print(f(x=tf.ones([2]), scale=tf.constant(3.0)).numpy())
        print(f(tf.ones([2]), shift=1.0, scale=tf.constant(2.0)).numpy())
        print(f.experimental_get_tracing_count())
    """,
    "op output names": """
        @tf.function
        def f(x):
            for t in [x + 1, x - 1, x * 2, x / 2, x // 2, x % 2, -x, x ** 2, tf.reduce_sum(x),
                      tf.reduce_mean(x), tf.nn.relu(x), tf.reshape(x, [-1]), tf.matmul(x, x),
                      tf.exp(x), tf.cast(x, tf.int32), tf.concat([x, x], 0), x[0],
                      tf.transpose(x), tf.maximum(x, 1.0), x > 1, tf.zeros_like(x), tf.ones([2]),
                      tf.identity(x), tf.stack([x, x]), tf.size(x), tf.rank(x), tf.shape(x),
                      tf.argmax(x, 1), tf.tanh(x), x + 1]:
                print(t)
            return x
        f(tf.ones([2, 2]))
    """,
    "get_concrete_function with a TensorSpec": """
        @tf.function
        def f(x):
            print("trace", x)
            return x * 2.0
        cf = f.get_concrete_function(tf.TensorSpec([None, 2], tf.float32))
        print(cf.structured_input_signature)
        print(cf.structured_outputs)
        for n in [1, 3, 6]:
            print(cf(tf.ones([n, 2])).shape, f(tf.ones([n, 2])).shape)
        print(f.experimental_get_tracing_count())
    """,
    "concrete function of an input_signature": """
        @tf.function(input_signature=[tf.TensorSpec([None], tf.int32, name="v")])
        def f(x):
            print("trace", x)
            return tf.reduce_max(x)
        cf = f.get_concrete_function()
        print(cf.structured_input_signature, cf.structured_outputs)
        print([op.name for op in cf.graph.get_operations() if op.type != "Const"])
        print(cf(tf.constant([3, 9, 2])).numpy(), f(tf.constant([1])).numpy())
        print(f.experimental_get_tracing_count())
    """,
    "variables under a relaxed signature": """
        v = tf.Variable(0.0)
        @tf.function(input_signature=[tf.TensorSpec([None])])
        def f(x):
            print("trace", x)
            v.assign_add(tf.reduce_sum(x))
            return v.read_value()
        for n in [1, 2, 3]:
            print(f(tf.ones([n])).numpy())
        print(f.experimental_get_tracing_count())
    """,
    "tf.print at every call, print once per trace": """
        @tf.function
        def f(x):
            print("trace")
            tf.print("value", x, output_stream="file:///dev/null")
            return x + 1
        for n in [1, 2, 2]:
            print(f(tf.range(n)).numpy())
        print(f.experimental_get_tracing_count())
    """,
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario(name):
    _compare(SCENARIOS[name])


def test_relaxed_trace_prints_shape_once():
    out = _compare(SCENARIOS["input_signature with a None dim traces once"])
    assert out.count("trace") == 1
    assert 'Tensor("x:0", shape=(None, 3), dtype=float32)' in out


# -- errors while tracing ----------------------------------------------------------------------
ERRORS = {
    "bool of a symbolic tensor without AutoGraph": """
        def g(x):
            if x > 0:
                return x
            return -x
        tf.function(g, autograph=False)(tf.constant(1))
    """,
    "numpy inside a function": """
        @tf.function
        def h(x):
            return x.numpy()
        h(tf.constant(1))
    """,
    "variable created on the second call": """
        @tf.function
        def k(x):
            v = tf.Variable(x)
            return v
        k(tf.constant(1.0))
        k(tf.constant(2.0))
    """,
}


def _error(mod, body, path):
    path.write_text(textwrap.dedent(body))
    try:
        # A real file: both libraries quote the user's source lines ("in user code:").
        exec(compile(path.read_text(), str(path), "exec"), {"tf": mod})  # noqa: S102
    except Exception as e:  # noqa: BLE001 - the exception is the result compared
        return type(e).__name__, str(e)
    return None


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_trace_errors(name, tmp_path):
    want = _error(real_tf, ERRORS[name], tmp_path / "case.py")
    assert want is not None
    assert _error(tf, ERRORS[name], tmp_path / "case.py") == want


# -- TF's retracing warning ------------------------------------------------------------------
class _Capture(logging.Handler):
    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        self.messages.append(_ADDR.sub("0x?", record.getMessage()))


def _warnings(mod, sizes):
    h = _Capture()
    logger = logging.getLogger("tensorflow")
    logger.addHandler(h)
    try:
        ns = {}
        # A fresh code object: TF counts retracing per code object, across tf.functions.
        exec("def f(x):\n    return x + 1\n", ns)  # noqa: S102
        f = mod.function(ns["f"])
        for n in sizes:
            f(mod.ones([n]))
    finally:
        logger.removeHandler(h)
    return [m for m in h.messages if "retracing" in m]


def test_retracing_warning_recreated_function():
    """tf.function re-created in a loop: one code object, so the calls count together."""
    def run(mod):
        h = _Capture()
        logging.getLogger("tensorflow").addHandler(h)
        try:
            for i in range(7):
                mod.function(lambda x: x * 2)(mod.constant(float(i)))
        finally:
            logging.getLogger("tensorflow").removeHandler(h)
        return [re.sub(r"<function .*?>", "<f>", m) for m in h.messages if "retracing" in m]
    assert run(tf) == run(real_tf)


@pytest.mark.parametrize("sizes", [[1, 2, 3, 4], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5, 6, 7, 8],
                                   [1, 2, 3, 4, 5, 1, 1, 1, 1, 1, 1, 1, 6, 7, 8, 9, 10],
                                   [1, 1, 2, 2, 3, 3, 4, 4, 5], [1, 2, 1, 3, 1, 4, 1, 5, 6, 7]])
def test_retracing_warning(sizes):
    want = _warnings(real_tf, sizes)
    got = _warnings(tf, sizes)
    assert got == want


# -- bounded program cache ---------------------------------------------------------------------
def test_program_cache_is_bounded():
    cache = _programs.PROGRAMS
    old = cache.maxsize
    cache.set_maxsize(8)
    try:
        @tf.function(reduce_retracing=True)
        def f(x):
            return x * 2.0
        for n in range(1, 30):
            np.testing.assert_array_equal(f(tf.ones([n])).numpy(), np.full([n], 2.0, np.float32))
        assert f.experimental_get_tracing_count() == 2
        assert len(cache) <= 8
        assert "tf.function" in __import__("tftape._core.lru", fromlist=["caches"]).caches()
    finally:
        cache.set_maxsize(old)


def test_eager_fallback_prints_once(capsys):
    @tf.function
    def f(x):
        print("side effect")
        return tf.strings.length(tf.strings.as_string(x))
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f(tf.constant(1))
    assert capsys.readouterr().out.count("side effect") == 1


def test_gradient_through_relaxed_trace():
    @tf.function(input_signature=[tf.TensorSpec([None])])
    def f(x):
        return tf.reduce_sum(x * x)

    @real_tf.function(input_signature=[real_tf.TensorSpec([None])])
    def g(x):
        return real_tf.reduce_sum(x * x)
    for n in [2, 5]:
        x, rx = tf.Variable(tf.range(float(n))), real_tf.Variable(real_tf.range(float(n)))
        with tf.GradientTape() as t:
            y = f(x)
        with real_tf.GradientTape() as rt:
            ry = g(rx)
        np.testing.assert_allclose(t.gradient(y, x).numpy(), rt.gradient(ry, rx).numpy())
        assert float(y) == float(ry)


# -- signatures over shapes and dtypes ------------------------------------------------------------
_DTYPES = ["float32", "float64", "int32"]


@st.composite
def _signature(draw):
    rank = draw(st.integers(1, 3))
    known = [draw(st.integers(1, 4)) for _ in range(rank)]
    unknown = [draw(st.booleans()) for _ in range(rank)]
    dtype = draw(st.sampled_from(_DTYPES))
    calls = [[draw(st.integers(1, 5)) if u else k for k, u in zip(known, unknown)]
             for _ in range(3)]
    return [None if u else k for k, u in zip(known, unknown)], dtype, calls


def _signature_run(mod, dims, dtype, calls):
    lines = []

    @mod.function(input_signature=[mod.TensorSpec(dims, getattr(mod, dtype))])
    def f(x):
        lines.append(str(x))
        y = x * 2 + 1
        lines.append(str(y))
        return y, mod.reduce_sum(x, axis=0), mod.shape(x)
    results = []
    for shape in calls:
        x = mod.reshape(mod.cast(mod.range(int(np.prod(shape))), getattr(mod, dtype)), shape)
        results.append([np.asarray(r.numpy()) for r in f(x)])
    return lines, results, f.experimental_get_tracing_count()


@settings(max_examples=12, deadline=None)
@given(_signature())
def test_signature_shapes_dtypes(sig):
    dims, dtype, calls = sig
    want = _signature_run(real_tf, dims, dtype, calls)
    got = _signature_run(tf, dims, dtype, calls)
    assert got[0] == want[0]
    assert got[2] == want[2] == 1
    for a, b in zip(got[1], want[1]):
        for x, y in zip(a, b):
            assert x.dtype == y.dtype and x.shape == y.shape
            np.testing.assert_allclose(x, y, rtol=1e-6)


_BINARY_APIS = ["add", "subtract", "multiply", "maximum", "squared_difference", "floordiv",
                "pow", "equal", "not_equal", "less", "greater_equal", "logical_and"]


def _shape_error(lib, api, sa, sb):
    dtype = lib.bool if api.startswith("logical") else lib.float32

    @lib.function
    def f(x, y):
        return getattr(lib.math, api)(x, y)
    try:
        f(lib.zeros(sa, dtype), lib.zeros(sb, dtype))
    except Exception as e:  # noqa: BLE001 - compared with TF's
        # The node's name is the Python wrapper's (``Add`` or ``add``); the rest is the op's.
        return type(e).__name__, re.sub(r"\{\{node \w+\}\}", "{{node N}}",
                                        str(e).strip().splitlines()[-1].strip())
    return None


@pytest.mark.parametrize("api", _BINARY_APIS)
@pytest.mark.parametrize("sa,sb", [([3], [2]), ([2, 3], [4, 3]), ([2, 1, 3], [5, 2])])
def test_incompatible_shapes_while_tracing_raise_tfs_value_error(api, sa, sb):
    """TF finds a broadcasting mismatch when it builds the graph: ValueError, not the eager
    kernel's InvalidArgumentError."""
    got = _shape_error(tf, api, sa, sb)
    assert got is not None and got == _shape_error(real_tf, api, sa, sb)

"""tf.TensorArray against real TensorFlow (the oracle)."""
import re

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

real_tf = pytest.importorskip("tensorflow")
import tftape as tf  # noqa: E402


def run(fn, mod):
    try:
        return ("ok", to_py(fn(mod)))
    except Exception as e:  # noqa: BLE001 - the exception is what we compare
        return ("err", type(e).__name__, str(e))


def to_py(x):
    # A TensorShape first: tftape's is also a tuple (the array API's shape type).
    if hasattr(x, "as_list") or hasattr(x, "is_fully_defined"):
        return ("shape", repr(x))
    if isinstance(x, (tuple, list)):
        return tuple(to_py(i) for i in x)
    if type(x).__name__ == "TensorArray":
        return "TensorArray"
    if hasattr(x, "numpy") and hasattr(x, "dtype"):
        a = np.asarray(x.numpy())
        return ("tensor", x.dtype.name, a.shape, a)
    return x


def same(a, b):
    if isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape, (a, b)
        if a.dtype.kind == "f":
            np.testing.assert_allclose(a, b, rtol=1e-6)  # 1-ulp differences in reductions
        else:
            np.testing.assert_array_equal(a, b)
    elif isinstance(a, tuple):
        assert isinstance(b, tuple) and len(a) == len(b), (a, b)
        for x, y in zip(a, b):
            same(x, y)
    else:
        assert a == b, (a, b)


def check(fn):
    same(run(fn, tf), run(fn, real_tf))


def TA(m, *a, **k):
    return m.TensorArray(*a, **k)


def _read_twice(m, clear):
    ta = TA(m, m.float32, size=2, clear_after_read=clear).write(0, 1.)
    first = ta.read(0)
    return first, ta.read(0)


def _seed(m):
    ta = TA(m, dtype=m.float32, size=3)
    ta = ta.write(0, m.constant([1., 2.]))
    ta = ta.write(1, m.constant([3., 10.]))
    ta = ta.write(2, m.constant([5., 7.]))
    return ta.read(1), ta.stack()


def _closed(m):
    ta = TA(m, m.float32, size=1).write(0, 1.)
    ta.close()
    return ta.size()


CASES = {
    "seed_read_stack": _seed,
    "size": lambda m: (TA(m, m.float32, size=3).size(), TA(m, m.float32, size=m.constant(2)).size()),
    "dtype": lambda m: (str(TA(m, "float32", size=2).dtype), str(TA(m, m.int32, size=2).dtype)),
    "no_size": lambda m: TA(m, m.float32),
    "write_twice": lambda m: TA(m, m.float32, size=2).write(0, 1.).write(0, 2.).stack(),
    "write_oob": lambda m: TA(m, m.float32, size=2).write(2, 1.),
    "write_negative": lambda m: TA(m, m.float32, size=2).write(-1, 1.),
    "write_dtype": lambda m: TA(m, m.float32, size=2).write(0, m.constant(1)),
    "write_python_int": lambda m: TA(m, m.float32, size=2).write(0, 1).read(0),
    "write_shape": lambda m: TA(m, m.float32, size=2).write(0, [1., 2.]).write(1, [1.]),
    "element_shape_mismatch": lambda m: TA(m, m.float32, size=2, element_shape=[3]).write(0, [1.]),
    "element_shape": lambda m: (TA(m, m.float32, size=2, element_shape=[3]).element_shape,
                                TA(m, m.float32, size=2).element_shape,
                                TA(m, m.float32, size=2).write(0, [1., 2.]).element_shape),
    "no_infer_shape": lambda m: TA(m, m.float32, size=2, infer_shape=False).write(0, [1., 2.])
    .write(1, [1.]).read(1),
    "no_infer_stack": lambda m: TA(m, m.float32, size=2, infer_shape=False).write(0, [1., 2.])
    .write(1, [1.]).stack(),
    "dynamic": lambda m: TA(m, m.float32, size=0, dynamic_size=True).write(3, 1.).stack(),
    "dynamic_size": lambda m: (TA(m, m.float32, size=0, dynamic_size=True).write(3, 1.).size(),
                               TA(m, m.float32, size=3).dynamic_size),
    "read_oob": lambda m: TA(m, m.float32, size=2).read(2),
    "read_negative": lambda m: TA(m, m.float32, size=2).read(-1),
    "read_unwritten": lambda m: TA(m, m.float32, size=2).read(0),
    "read_unwritten_known_shape": lambda m: TA(m, m.float32, size=2, element_shape=[2]).read(0),
    "read_twice_cleared": lambda m: _read_twice(m, None),
    "read_twice_kept": lambda m: _read_twice(m, False),
    "tensor_index": lambda m: TA(m, m.float32, size=2).write(m.constant(1), 5.)
    .read(m.constant(1)),
    "stack_empty": lambda m: TA(m, m.float32, size=0).stack(),
    "stack_empty_shape": lambda m: TA(m, m.float32, size=0, element_shape=[2, 3]).stack(),
    "stack_unwritten": lambda m: TA(m, m.float32, size=2).stack(),
    "stack_partial": lambda m: TA(m, m.float32, size=3).write(1, [1., 2.]).stack(),
    "strings": lambda m: TA(m, m.string, size=2).write(0, "a").stack(),
    "gather": lambda m: TA(m, m.float32, size=3).unstack([1., 2., 3.]).gather([2, 0]),
    "gather_tensor": lambda m: TA(m, m.float32, size=3).unstack([1., 2., 3.])
    .gather(m.constant([1])),
    "gather_oob": lambda m: TA(m, m.float32, size=3).unstack([1., 2., 3.]).gather([5]),
    "unstack_too_many": lambda m: TA(m, m.float32, size=2).unstack([1., 2., 3.]),
    "unstack_dynamic": lambda m: TA(m, m.float32, size=2, dynamic_size=True)
    .unstack([1., 2., 3.]).size(),
    "unstack_fewer": lambda m: TA(m, m.float32, size=5).unstack([1., 2., 3.]).size(),
    "scatter": lambda m: TA(m, m.float32, size=4).scatter([3, 1], m.constant([[1., 2.],
                                                                             [3., 4.]])).stack(),
    "scatter_oob": lambda m: TA(m, m.float32, size=2).scatter([3, 1], m.constant([[1., 2.],
                                                                                [3., 4.]])),
    "concat": lambda m: TA(m, m.float32, size=2, infer_shape=False).write(0, [1., 2.])
    .write(1, [3.]).concat(),
    "concat_scalars": lambda m: TA(m, m.float32, size=2).write(0, 1.).write(1, 2.).concat(),
    "split": lambda m: (lambda ta: (ta.read(0), ta.read(1)))(
        TA(m, m.float32, size=2).split([1., 2., 3.], [2, 1])),
    "split_bad_sum": lambda m: TA(m, m.float32, size=2).split([1., 2., 3.], [2, 2]),
    "split_bad_count": lambda m: TA(m, m.float32, size=3).split([1., 2., 3.], [2, 1]),
    "split_scalar": lambda m: TA(m, m.float32, size=1).split(1., [1]),
    "split_lengths_rank": lambda m: TA(m, m.float32, size=1).split([1.], [[1]]),
    "identity": lambda m: (lambda ta: ta.identity().size())(TA(m, m.float32, size=4)),
    "close": _closed,
    "flow_handle": lambda m: (TA(m, m.float32, size=3).flow, TA(m, m.float32, size=3).handle),
    "grad": lambda m: TA(m, m.float32, size=2).grad("x"),
    "spec": lambda m: (repr(m.TensorArraySpec([2], m.float32)), repr(m.TensorArraySpec()),
                       repr(m.TensorArraySpec(None, m.int32, True, False))),
    "moments": lambda m: m.nn.moments(TA(m, m.float32, size=3).write(0, [1., 2.])
                                      .write(1, [0., 0.]).write(2, [5., 7.]).stack(), axes=0),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_case(name):
    check(CASES[name])


def test_repr_and_type():
    ta = tf.TensorArray(tf.float32, size=3)
    assert re.fullmatch(r"<tensorflow\.python\.ops\.tensor_array_ops\.TensorArray object at "
                        r"0x[0-9a-f]+>", repr(ta))
    assert type(ta).__name__ == "TensorArray"
    assert ta.write(0, 1.) is ta  # eager writes mutate in place and return the array


@settings(deadline=None, max_examples=25)
@given(st.integers(0, 5), st.lists(st.integers(0, 3), max_size=3),
       st.sampled_from(["float32", "int32", "float64"]), st.booleans())
def test_hyp_write_stack_concat(n, elem, dtype, dynamic):
    vals = np.arange(n * int(np.prod(elem))).reshape([n] + elem).astype(dtype)

    def fn(m):
        ta = m.TensorArray(getattr(m, dtype), size=0 if dynamic else n, dynamic_size=dynamic)
        for i in range(n):
            ta = ta.write(i, vals[i])
        out = [ta.size(), ta.stack(), ta.gather(list(range(n))[::-1])]
        if elem and n:
            out.append(ta.concat())
        return out

    check(fn)
    check(lambda m: m.TensorArray(getattr(m, dtype), size=n).unstack(vals).stack())


def _grad(m):
    v = m.Variable([1., 2., 3.])
    with m.GradientTape() as tape:
        ta = m.TensorArray(m.float32, size=3, clear_after_read=False)
        for i in range(3):
            ta = ta.write(i, v[i] * v)
        ta2 = m.TensorArray(m.float32, size=3).unstack(v * 2.)
        y = m.reduce_sum(ta.stack() ** 2) + m.reduce_sum(ta.read(1)) + \
            m.reduce_sum(ta2.gather([0, 2]) ** 2) + m.reduce_sum(ta.concat())
    return tape.gradient(y, v).numpy()


def test_gradient_matches_tf():
    np.testing.assert_allclose(_grad(tf), _grad(real_tf), rtol=1e-6)


# -- inside tf.function: TF's graph-mode TensorArray -------------------------------------------
import warnings  # noqa: E402

from tftape._function import autograph  # noqa: E402
from tftape._function._fallback import TracingFallbackWarning  # noqa: E402


def run_traced(program, args, mod, expect_fallback=False):
    """``mod.function(program(mod))(*args)`` as comparable Python data.

    For tftape, the call must not fall back to eager execution (unless ``expect_fallback``),
    and a second call with the same shapes must reuse the trace.
    """
    margs = [mod.constant(a) for a in args]
    if mod is real_tf:
        return run(lambda m: mod.function(program(mod))(*margs), mod)
    traces = []
    converted = autograph.convert(program(mod))

    def counted(*a):
        traces.append(1)  # the Python function runs once per trace
        return converted(*a)
    f = mod.function(counted, autograph=False)
    with warnings.catch_warnings():
        warnings.simplefilter("default" if expect_fallback else "error", TracingFallbackWarning)
        if expect_fallback:
            with pytest.warns(TracingFallbackWarning):
                out = run(lambda m: f(*margs), mod)
            return out
        out = run(lambda m: f(*margs), mod)
        again = run(lambda m: f(*margs), mod)
    same(out, again)
    if out[0] == "ok":
        assert len(traces) == 1 and f.experimental_get_tracing_count() == 1, traces
    return out


def check_traced(program, *args, expect_fallback=False):
    ours = run_traced(program, args, tf, expect_fallback)
    theirs = run_traced(program, args, real_tf)
    if theirs[0] == "err" and ours[0] == "err":
        # TF raises most of these when the graph runs ("Graph execution error: ... <message>
        # [[{{node ...}}]]"); tftape raises the same class with TF's message while tracing.
        assert ours[1] == theirs[1], (ours, theirs)
        last = ours[2].strip().splitlines()[-1].strip()
        assert last in theirs[2], (ours, theirs)
        return
    same(ours, theirs)


def _elem(m, x, i, dtype):
    # Note: with no rows, x[i] is not taken (tftape's indexing rejects a traced index into an
    # empty axis while tracing the body that never runs).
    v = x[i] if x.shape[0] else m.reduce_sum(x, 0) + m.cast(i, x.dtype)
    if dtype == "bool":
        return v > 0
    return m.cast(v * 3 + 1, getattr(m, dtype))


def _size_args(m, x, size):
    if size == "static":
        return {"size": x.shape[0]}
    if size == "shape":
        return {"size": m.shape(x)[0]}
    return {"size": 0, "dynamic_size": True}


def _results(m, ta, vector):
    n = ta.size()
    out = [ta.stack(), n, ta.gather([0])]
    if vector:
        out.append(ta.concat())
    return out


def _loop_program(loop, size, dtype):
    def program(m):
        def f(x):
            ta = m.TensorArray(getattr(m, dtype), **_size_args(m, x, size))
            n = m.shape(x)[0]
            if loop == "for_range":
                for i in m.range(n):
                    ta = ta.write(i, _elem(m, x, i, dtype))
            elif loop == "while":
                i = m.constant(0)
                while i < n:
                    ta = ta.write(i, _elem(m, x, i, dtype))
                    i += 1
            elif loop == "while_loop":
                _, ta = m.while_loop(lambda i, ta: i < n,
                                     lambda i, ta: (i + 1, ta.write(i, _elem(m, x, i, dtype))),
                                     [0, ta])
            elif loop == "while_loop_max":
                _, ta = m.while_loop(lambda i, ta: True,
                                     lambda i, ta: (i + 1, ta.write(i, _elem(m, x, i, dtype))),
                                     [0, ta], maximum_iterations=n)
            elif loop == "foldl":
                ta, _ = m.foldl(lambda c, e: (c[0].write(c[1], _elem(m, x, c[1], dtype)),
                                              c[1] + 1), x, initializer=(ta, 0))
            return _results(m, ta, x.shape.rank > 1)
        return f
    return program


LOOPS = ["for_range", "while", "while_loop", "while_loop_max", "foldl"]


@pytest.mark.parametrize("loop", LOOPS)
@pytest.mark.parametrize("size", ["static", "shape", "dynamic"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64", "bool"])
def test_traced_loop_write_stack(loop, size, dtype):
    x = np.arange(12, dtype=np.float32).reshape(4, 3) - 5.
    check_traced(_loop_program(loop, size, dtype), x)


@pytest.mark.parametrize("loop", LOOPS)
def test_traced_loop_scalars_and_empty(loop):
    check_traced(_loop_program(loop, "shape", "float32"), np.array([1., -2., 3.], np.float32))
    check_traced(_loop_program(loop, "static", "int32"), np.zeros([0, 2], np.float32))


def _rnn(m):
    def f(x, w):
        n = m.shape(x)[0]
        inputs = m.TensorArray(m.float32, size=n).unstack(x)
        outputs = m.TensorArray(m.float32, size=n)
        h = m.zeros([x.shape[1]])
        for i in m.range(n):
            h = m.tanh(inputs.read(i) * w + h)
            outputs = outputs.write(i, h)
        return outputs.stack(), outputs.read(n - 1), h
    return f


def _write_read_back(m):
    def f(x):
        ta = m.TensorArray(m.float32, size=3, element_shape=[2], clear_after_read=True)
        ta = ta.write(0, x)
        i = m.constant(1)
        while i < 3:
            ta = ta.write(i, ta.read(i - 1) * 2.)  # graph mode: reads never clear
            i += 1
        return ta.stack(), ta.read(0), ta.gather([2, 0]), ta.concat()
    return f


def _append(m):
    def f(x):
        ta = m.TensorArray(m.float32, size=0, dynamic_size=True)
        for i in m.range(m.shape(x)[0]):
            ta = ta.write(ta.size(), x[i] * 2.)
            ta = ta.write(ta.size(), -x[i])
        return ta.stack(), ta.size()
    return f


def _counter_var(m):
    def f(x):
        ta = m.TensorArray(m.int32, size=0, dynamic_size=True)
        j = 0
        for i in m.range(m.shape(x)[0]):
            ta = ta.write(j, x[i])
            j += 1
        return ta.stack(), ta.size(), j
    return f


def _cond_write(m):
    def f(x):
        ta = m.TensorArray(m.float32, size=3)
        for i in m.range(3):
            if x[i] > 0:
                ta = ta.write(i, x[i] * 2.)
        return ta.stack()
    return f


def _cond_top(m):
    def f(x):
        ta = m.TensorArray(m.float32, size=2)
        if m.reduce_sum(x) > 0:
            ta = ta.write(0, x)
        else:
            ta = ta.write(1, x * 2.)
        return ta.stack()
    return f


def _nested(m):
    def f(x):
        outer = m.TensorArray(m.float32, size=2)
        for i in m.range(2):
            inner = m.TensorArray(m.float32, size=0, dynamic_size=True)
            for j in m.range(m.shape(x)[0]):
                inner = inner.write(j, x[j] * m.cast(i + 1, m.float32))
            outer = outer.write(i, inner.stack())
        return outer.stack()
    return f


def _traced_index_top(m):
    def f(x, i):
        ta = m.TensorArray(m.float32, size=3)
        ta = ta.write(i, x)
        return ta.stack(), ta.read(i), ta.read(0)
    return f


def _scatter_split(m):
    def f(x):
        a = m.TensorArray(m.float32, size=4).scatter([3, 1], x)
        b = m.TensorArray(m.float32, size=2).split(m.reshape(x, [-1]), [2, 2])
        c = m.TensorArray(m.float32, size=2, infer_shape=False).split(m.reshape(x, [-1]),
                                                                     [1, 3])
        return a.stack(), b.stack(), c.read(1), c.concat(), a.size(), b.size()
    return f


def _map_read(m):
    def f(x):
        ta = m.TensorArray(m.float32, size=3).unstack(x)
        return m.map_fn(lambda i: ta.read(i) * 2., m.range(3), fn_output_signature=m.float32)
    return f


def _unwritten(m):
    def f(x):
        ta = m.TensorArray(m.float32, size=4)
        for i in m.range(2):
            ta = ta.write(i, x)
        return ta.stack(), ta.read(3)
    return f


def _no_assign(m):
    def f(x):
        ta = m.TensorArray(m.float32, size=2)
        ta.write(0, x)  # graph mode: the returned array is dropped, so is the write
        return ta.stack()
    return f


X32 = np.array([[1., 2.], [-3., 4.], [5., -6.]], np.float32)

TRACED = {
    "rnn": (_rnn, (X32, np.array([0.5, -1.], np.float32))),
    "write_read_back": (_write_read_back, (np.array([1., 2.], np.float32),)),
    "append": (_append, (X32,)),
    "counter_var": (_counter_var, (np.array([1, 5, 2, 7], np.int32),)),
    "cond_write": (_cond_write, (np.array([1., -1., 2.], np.float32),)),
    "cond_top_true": (_cond_top, (np.array([1., 2.], np.float32),)),
    "cond_top_false": (_cond_top, (np.array([-1., -2.], np.float32),)),
    "nested": (_nested, (X32,)),
    "traced_index": (_traced_index_top, (np.array([1., 2.], np.float32), np.int32(2))),
    "scatter_split": (_scatter_split, (np.array([[1., 2.], [3., 4.]], np.float32),)),
    "map_read": (_map_read, (X32,)),
    "unwritten": (_unwritten, (np.array([1., 2.], np.float32),)),
    "no_assign": (_no_assign, (np.array([1., 2.], np.float32),)),
}


@pytest.mark.parametrize("name", sorted(TRACED))
def test_traced(name):
    program, args = TRACED[name]
    check_traced(program, *args)


def _fn(body):
    return lambda m: lambda x: body(m, x)


ERRORS = {
    # dtype and element shape are checked while tracing, with TF's messages
    "dtype": lambda m, x: m.TensorArray(m.float32, size=2).write(0, m.cast(x, m.int32)).stack(),
    "dtype_loop": lambda m, x: m.while_loop(
        lambda i, ta: i < 2, lambda i, ta: (i + 1, ta.write(i, m.cast(x, m.int32))),
        [0, m.TensorArray(m.float32, size=2)])[1].stack(),
    "shape": lambda m, x: m.TensorArray(m.float32, size=2).write(0, x).write(1, x[:1]).stack(),
    "element_shape": lambda m, x: m.TensorArray(m.float32, size=2, element_shape=[3])
    .write(0, x).stack(),
    "shape_loop": lambda m, x: m.while_loop(
        lambda i, ta: i < 2, lambda i, ta: (i + 1, ta.write(i, x)),
        [0, m.TensorArray(m.float32, size=2, element_shape=[5])])[1].stack(),
    # out of range (static indices), read back unwritten slots, empty stacks
    "write_oob": lambda m, x: m.TensorArray(m.float32, size=2).write(2, x).stack(),
    "write_negative": lambda m, x: m.TensorArray(m.float32, size=2).write(-1, x).stack(),
    "read_oob": lambda m, x: m.TensorArray(m.float32, size=2).write(0, x).read(2),
    "read_negative": lambda m, x: m.TensorArray(m.float32, size=2).write(0, x).read(-1),
    "dynamic_write_past": lambda m, x: m.TensorArray(m.float32, size=1, dynamic_size=True)
    .write(3, x).stack(),
    "read_unwritten": lambda m, x: m.TensorArray(m.float32, size=3).write(0, x).read(1),
    "read_unwritten_unknown": lambda m, x: m.TensorArray(m.float32, size=2).read(0),
    "stack_empty": lambda m, x: m.TensorArray(m.float32, size=0).stack(),
    "stack_empty_shape": lambda m, x: m.TensorArray(m.float32, size=0, element_shape=[2, 3])
    .stack(),
    "stack_empty_partial": lambda m, x: m.TensorArray(m.float32, size=0,
                                                      element_shape=[None, 2]).stack(),
    "stack_unwritten_unknown": lambda m, x: m.TensorArray(m.float32, size=2).stack(),
    "stack_unwritten_known": lambda m, x: m.TensorArray(m.float32, size=2, element_shape=[2])
    .stack(),
    "gather_oob": lambda m, x: m.TensorArray(m.float32, size=2).unstack([x, x]).gather([5]),
    "unstack_too_many": lambda m, x: m.TensorArray(m.float32, size=1).unstack([x, x]).stack(),
    "unstack_dynamic": lambda m, x: (lambda ta: (ta.stack(), ta.size()))(
        m.TensorArray(m.float32, size=1, dynamic_size=True).unstack([x, x, x])),
    "concat_scalars": lambda m, x: m.TensorArray(m.float32, size=2).write(0, x[0])
    .write(1, x[1]).concat(),
    "split_bad": lambda m, x: m.TensorArray(m.float32, size=2).split(x, [1, 2]).concat(),
    "read_twice": lambda m, x: (lambda ta: (ta.read(0), ta.read(0)))(
        m.TensorArray(m.float32, size=1).write(0, x)),
    "write_twice": lambda m, x: m.TensorArray(m.float32, size=1).write(0, x).write(0, -x)
    .stack(),
    "python_values": lambda m, x: m.TensorArray(m.float32, size=2).write(0, 1).write(1, 2.5)
    .stack(),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_traced_semantics(name):
    check_traced(_fn(ERRORS[name]), np.array([1., 2.], np.float32))


def _conv(m, fn):
    """TF's AutoGraph converts the functions a tf.function calls; tftape's converts the
    decorated function only, so the helpers are converted here."""
    return autograph.convert(fn) if m is tf else fn


def _grad_program(m, name):
    def fwd(x, w):
        if name in LOOPS:
            size = "dynamic" if name == "while_loop_max" else "shape"
            out = _conv(m, _loop_program(name, size, "float32")(m))(x * w[0])[0]
            return m.reduce_sum(out ** 2)
        if name == "rnn":
            stacked, last, h = _conv(m, _rnn(m))(x, w)
            return m.reduce_sum(stacked ** 2) + m.reduce_sum(last) + m.reduce_sum(h * 3.)
        if name == "write_read_back":
            s, r0, g, c = _conv(m, _write_read_back(m))(x[0] * w)
            return m.reduce_sum(s * 2.) + m.reduce_sum(g ** 2) + m.reduce_sum(c)
        if name == "append":
            s, _ = _conv(m, _append(m))(x * w)
            return m.reduce_sum(m.sin(s))
        if name == "nested":
            return m.reduce_sum(_conv(m, _nested(m))(x * w) ** 3)
        if name == "cond_write":
            return m.reduce_sum(_conv(m, _cond_write(m))(x[:, 0] * w[1]) ** 2)
        raise KeyError(name)
    return fwd


@pytest.mark.parametrize("name", LOOPS + ["rnn", "write_read_back", "append", "nested",
                                          "cond_write"])
def test_traced_gradient_matches_tf(name):
    def grads(m):
        f = m.function(_grad_program(m, name))
        x = m.Variable(X32)
        w = m.Variable([0.5, -1.])
        with m.GradientTape() as tape:
            y = f(x, w)
        return [g.numpy() for g in tape.gradient(y, [x, w])]
    with warnings.catch_warnings():
        warnings.simplefilter("error", TracingFallbackWarning)
        # each case is a new tf.function: its first tape segment always compiles
        warnings.filterwarnings("ignore", message=".*triggered a new compilation")
        ours = grads(tf)
    for a, b in zip(ours, grads(real_tf)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def _data_dependent(m):
    def f(x):
        ta = m.TensorArray(m.float32, size=0, dynamic_size=True)
        i = m.constant(0)
        while m.reduce_sum(x) > m.cast(i, m.float32):
            ta = ta.write(i, x)
            i += 1
        return ta.stack()
    return f


def _runtime_size(m):
    def f(x, n):
        ta = m.TensorArray(m.float32, size=n)
        for i in m.range(n):
            ta = ta.write(i, x)
        return ta.stack()
    return f


@pytest.mark.parametrize("program,args", [
    (_data_dependent, (np.array([1., 2.], np.float32),)),
    (_runtime_size, (np.array([1., 2.], np.float32), np.int32(3))),
])
def test_traced_fallback(program, args):
    """No bound on the length at trace time: the function runs eagerly (one warning)."""
    check_traced(program, *args, expect_fallback=True)


@settings(deadline=None, max_examples=20)
@given(st.integers(0, 4), st.lists(st.integers(1, 3), max_size=2),
       st.sampled_from(["float32", "int32", "float64"]),
       st.sampled_from(["static", "shape", "dynamic"]), st.sampled_from(LOOPS[:3]))
def test_hyp_traced_shapes(n, elem, dtype, size, loop):
    x = np.arange(n * int(np.prod(elem))).reshape([n] + elem).astype(np.float32) - 2
    check_traced(_loop_program(loop, size, dtype), x)


def _oob_in_loop(op):
    def program(m):
        def f(x, k):
            ta = m.TensorArray(m.float32, size=3).unstack(x)
            s = m.zeros([2])
            for i in m.range(3):
                if op == "write":
                    ta = ta.write(i + k, x[i])
                else:
                    s = s + ta.read(i * k)
            return ta.stack(), s
        return f
    return program


@pytest.mark.parametrize("op", ["write", "read"])
@pytest.mark.parametrize("k", [0, 1, 2])
def test_traced_index_checked_at_run_time(op, k):
    """A traced index out of range inside a loop raises TF's error after the call."""
    check_traced(_oob_in_loop(op), X32, np.int32(k))


def _assert_in(where):
    def program(m):
        def f(x):
            s = m.constant(0.)
            if where == "loop":
                for i in m.range(3):
                    m.debugging.assert_less(x[i], 2.)
                    s += x[i]
            else:
                if m.reduce_sum(x) > 0:
                    m.debugging.assert_less(x, 2.)
                    s = m.reduce_sum(x)
            return s
        return f
    return program


@pytest.mark.parametrize("where", ["loop", "cond"])
@pytest.mark.parametrize("x", [[1., 1., 1.], [1., 3., 1.], [-1., -3., -1.]])
def test_assert_in_control_flow_checked(where, x):
    """Checks inside loop bodies and tf.cond branches run (the class is TF's; the data
    formatting of graph-mode assertion messages differs)."""
    args = (np.array(x, np.float32),)
    ours = run_traced(_assert_in(where), args, tf)
    theirs = run_traced(_assert_in(where), args, real_tf)
    if theirs[0] == "ok":
        same(ours, theirs)
    else:
        assert ours[:2] == theirs[:2], (ours, theirs)

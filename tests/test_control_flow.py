"""tf.cond / while_loop / case / switch_case / map_fn / scan / folds / vectorized_map and
AutoGraph-converted Python control flow, eagerly and inside tf.function, against real TF."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

real_tf = pytest.importorskip("tensorflow")
import tftape as tf  # noqa: E402


def _np(x):
    if isinstance(x, (list, tuple)):
        return [_np(i) for i in x]
    return (np.asarray(x), x.dtype.name) if hasattr(x, "dtype") else x


def _check(program, *args, compiled=(False, True)):
    """Runs ``program(lib)(*args)`` with both libraries, eagerly and in tf.function."""
    for c in compiled:
        outs = []
        for lib in (real_tf, tf):
            f = program(lib)
            if c:
                f = lib.function(f)
            outs.append(_np(f(*[lib.constant(a) for a in args])))
        a, b = outs
        _assert_same(a, b)


def _assert_same(a, b):
    if isinstance(a, list):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _assert_same(x, y)
    elif isinstance(a, tuple) and len(a) == 2 and isinstance(a[0], np.ndarray):
        np.testing.assert_allclose(a[0], b[0], rtol=1e-5, atol=1e-6)
        assert a[1] == b[1] and a[0].shape == b[0].shape
    else:
        assert a == b


PROGRAMS = {
    "cond": lambda lib: lambda x: lib.cond(lib.reduce_sum(x) > 0, lambda: x * 2, lambda: -x),
    "cond_tuple": lambda lib: lambda x: lib.cond(x[0] > 0, lambda: (x, x[0]),
                                                 lambda: (x + 1, x[1])),
    "while": lambda lib: lambda n: lib.while_loop(lambda i, s: i < n,
                                                  lambda i, s: (i + 1, s + i), [0, 0]),
    "while_max": lambda lib: lambda n: lib.while_loop(lambda i: i < n, lambda i: [i + 1],
                                                      [lib.constant(0)], maximum_iterations=3),
    "switch": lambda lib: lambda i: lib.switch_case(i, [lambda: lib.constant(1.0),
                                                        lambda: lib.constant(2.0)],
                                                    default=lambda: lib.constant(-1.0)),
    "case": lambda lib: lambda i: lib.case([(i > 5, lambda: lib.constant(5)),
                                            (i > 2, lambda: lib.constant(2))],
                                           default=lambda: lib.constant(0)),
    "map_fn": lambda lib: lambda x: lib.map_fn(lambda e: e * e + 1, x),
    "map_fn_tuple": lambda lib: lambda x: lib.map_fn(lambda e: (e[0], e[1] * 2), (x, x),
                                                     fn_output_signature=(x.dtype, x.dtype)),
    "scan": lambda lib: lambda x: lib.scan(lambda a, e: a + e, x),
    "scan_init_rev": lambda lib: lambda x: lib.scan(lambda a, e: a * 2 + e, x,
                                                    initializer=lib.constant(1, x.dtype),
                                                    reverse=True),
    "foldl": lambda lib: lambda x: lib.foldl(lambda a, e: a * 2 + e, x),
    "foldr": lambda lib: lambda x: lib.foldr(lambda a, e: a * 2 + e, x,
                                             initializer=lib.constant(3, x.dtype)),
    "vmap": lambda lib: lambda x: lib.vectorized_map(lambda e: lib.reduce_sum(e * e), x),
}


@pytest.mark.parametrize("name,arg", [
    ("cond", [1, 2]), ("cond", [-1, -2]), ("cond_tuple", [1, 2]), ("cond_tuple", [-1, 2]),
    ("while", 5), ("while", 0), ("while_max", 10), ("while_max", 2),
    ("switch", 0), ("switch", 1), ("switch", 7), ("case", 7), ("case", 3), ("case", 1),
    ("map_fn", [1.0, 2.0, 3.0]), ("map_fn_tuple", [1, 2]), ("scan", [1, 2, 3]),
    ("scan_init_rev", [1, 2, 3]), ("foldl", [1, 2, 3]), ("foldr", [1, 2, 3]),
    ("vmap", [[1.0, 2.0], [3.0, 4.0]]),
])
def test_control_flow_ops(name, arg):
    _check(PROGRAMS[name], arg)


@settings(deadline=None, max_examples=15)
@given(xs=st.lists(st.integers(-5, 5), min_size=1, max_size=6))
def test_scan_fold_hypothesis(xs):
    for name in ("scan", "foldl", "foldr", "map_fn"):
        _check(PROGRAMS[name], np.array(xs, np.int32 if name != "map_fn" else np.float32),
               compiled=(True,))


def test_cond_variable_assignment_in_branches():
    res = []
    for lib in (real_tf, tf):
        a, b = lib.Variable(0), lib.Variable(10)

        @lib.function
        def f(x):
            return lib.cond(x > 0, lambda: a.assign_add(x).read_value(),
                            lambda: b.assign_sub(x).read_value())
        out = [int(f(lib.constant(v))) for v in (3, -2, 4)]
        res.append((out, int(a.numpy()), int(b.numpy())))
    assert res[0] == res[1]


def test_while_loop_variable_updates():
    res = []
    for lib in (real_tf, tf):
        v = lib.Variable(1.0)

        @lib.function
        def f(n):
            def body(i):
                v.assign(v * 2.0)
                return (i + 1,)
            return lib.while_loop(lambda i: i < n, body, [0])
        f(lib.constant(4))
        res.append(float(v.numpy()))
    assert res[0] == res[1] == 16.0


def test_cond_structure_mismatch_raises():
    for lib in (real_tf, tf):
        @lib.function
        def f(x):
            return lib.cond(x > 0, lambda: x, lambda: 1.0)
        with pytest.raises(TypeError, match="must have the same number, type, and overall"):
            f(lib.constant(1))


def test_cond_argument_errors():
    for lib in (real_tf, tf):
        with pytest.raises(TypeError, match="'true_fn' argument required"):
            lib.cond(lib.constant(True), None, lambda: 1)
        with pytest.raises(TypeError, match="must be a Tensor"):
            lib.switch_case(1, [lambda: 1])


def test_eager_cond_returns_python_value():
    assert tf.cond(True, lambda: 1, lambda: 2) == real_tf.cond(True, lambda: 1, lambda: 2)
    assert tf.cond(tf.constant(True), lambda: [1], lambda: [2]) == [1]


# -- AutoGraph ---------------------------------------------------------------------------------
def prog_if_return(lib):
    def f(x):
        if lib.reduce_sum(x) > 0:
            return x * x
        else:
            return -x // 2
    return f


def prog_if_assign(lib):
    def f(x):
        y = x
        if x > 0 and x < 10:
            y = x + 1
        elif not x < -5:
            y = x - 1
        else:
            y = x * 3
        return y
    return f


def prog_early_return(lib):
    def f(x):
        if x > 0:
            return x * 10
        x = x * 2
        return x
    return f


def prog_while(lib):
    def f(n):
        s = 0
        i = 0
        while i < n:
            s += i * i
            i += 1
        return s
    return f


def prog_for_range(lib):
    def f(n):
        s = lib.constant(0.0)
        for i in lib.range(n):
            s += lib.cast(i, lib.float32)
        for j in range(3):
            s = s * 2.0
        return s
    return f


def prog_for_tensor(lib):
    def f(x):
        acc = lib.zeros([2])
        for row in x:
            acc += row * row
        return acc
    return f


def prog_fizzbuzz_count(lib):
    def f(n):
        fizz = 0
        for i in lib.range(1, n + 1):
            if i % 15 == 0:
                fizz += 100
            elif i % 3 == 0:
                fizz += 1
        return fizz
    return f


@pytest.mark.parametrize("prog,arg", [
    (prog_if_return, [1, 2]), (prog_if_return, [-3, -1]), (prog_if_assign, 3),
    (prog_if_assign, 30), (prog_if_assign, -2), (prog_if_assign, -9), (prog_early_return, 4),
    (prog_early_return, -4), (prog_while, 6), (prog_while, 0), (prog_for_range, 5),
    (prog_for_tensor, [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), (prog_fizzbuzz_count, 31),
])
def test_autograph(prog, arg):
    _check(prog, arg)


def test_autograph_variable_loop():
    res = []
    for lib in (real_tf, tf):
        v = lib.Variable(0)

        @lib.function
        def f(n):
            for i in lib.range(n):
                if i % 2 == 0:
                    v.assign_add(i)
            return v.read_value()
        res.append((int(f(lib.constant(6))), int(f(lib.constant(3))), int(v.numpy())))
    assert res[0] == res[1]


def test_autograph_tf_print_in_loop(capfd):
    @tf.function
    def f(n):
        for i in tf.range(n):
            tf.print("i", i)
    f(tf.constant(3))
    err = capfd.readouterr().err
    assert err.splitlines() == ["i 0", "i 1", "i 2"]


def test_unconverted_form_falls_back_with_warning():
    @tf.function
    def f(x):
        while x > 0:
            x = x - 1
            if x == 3:
                break
        return x
    with pytest.warns(UserWarning, match="tf.while_loop"):
        r = f(tf.constant(6))
    assert int(r) == 3

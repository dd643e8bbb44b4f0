"""No silent wrong answers inside compiled code: every argument check tftape makes eagerly
also holds inside tf.function, under a recording GradientTape and after deferred variable
updates, with TF's exception type, message and variable state (real TF 2.21 is the oracle).
"""
from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tftape
from tests.oracle import real_tf

pytestmark = pytest.mark.reliability

_FRAME = re.compile(r'  File "([^"]+)", line (\d+), in (\S+)\n\n')
_TAIL = re.compile(r"\n\t \[\[\{\{node (\S+)\}\}\]\] \[Op:(__\w+?)_\d+\]$")


def _norm(msg: str):
    """A message with what legitimately differs taken out: the function's counter."""
    head = re.match(r"Graph execution error:\n\nDetected at node (\S+) defined at \(most "
                    r"recent call last\):\n", msg)
    tail = _TAIL.search(msg)
    if head is None or tail is None:
        return ("eager", re.sub(r" name: $", "", msg))
    body = msg[head.end():tail.start()]
    frames = list(_FRAME.finditer(body))
    core = body[frames[-1].end():] if frames else body
    # Note: inside a converted loop the enclosing frame's line is the loop statement's in TF
    # and the body's here: lines are compared for the innermost frame only.
    names = [(f.group(1), f.group(3)) for f in frames[:-1]] + [f.groups() for f in frames[-1:]]
    return ("graph", head.group(1), names, core, tail.group(1), tail.group(2))


def _outcome(tf, scenario):
    """(kind, value or (error type, normalized message), variable values) of a scenario."""
    state = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            out = scenario(tf, state)
            res = ("ok", np.asarray(out))
        except Exception as e:  # noqa: BLE001 - the error is the result compared
            res = ("err", type(e).__name__, _norm(str(e)))
    return res, {k: np.asarray(v.numpy()).tolist() for k, v in state.items()}


def _compare(scenario):
    # one call site for both, so the frames TF and tftape report match
    want, got = [_outcome(m, scenario) for m in (real_tf(), tftape)]
    if want[0][0] == "ok":
        assert got[0][0] == "ok", (want, got)
        np.testing.assert_allclose(got[0][1], want[0][1], equal_nan=True)
        assert got[1] == want[1]
    else:
        assert got == want, f"\nTF:     {want}\ntftape: {got}"
    return want


# -- each check, four ways -----------------------------------------------------------------
# op(tf, x, i): the op under test; x is a float tensor, i its index-like argument.
def _gather(tf, x, i):
    return tf.gather(x, i)


def _gather_axis1(tf, x, i):
    return tf.gather(tf.reshape(x, [2, 3]), i, axis=1)


def _gather_nd(tf, x, i):
    return tf.gather_nd(tf.reshape(x, [2, 3]), i)


def _scatter_update(tf, x, i):
    return tf.tensor_scatter_nd_update(x, i, tf.ones([len(i)]))


def _scatter_add(tf, x, i):
    return tf.tensor_scatter_nd_add(x, i, tf.ones([len(i)]))


def _scatter_nd(tf, x, i):
    return tf.scatter_nd(i, tf.ones([len(i)]), [6]) + x


def _getitem(tf, x, i):
    return x[i]


def _embedding(tf, x, i):
    return tf.nn.embedding_lookup(tf.reshape(x, [3, 2]), i)


def _check_numerics(tf, x, i):
    return tf.debugging.check_numerics(x / tf.cast(i, x.dtype), "divided")


def _floordiv(tf, x, i):
    return tf.cast(x, tf.int32) // i


def _floormod(tf, x, i):
    return tf.math.floormod(tf.cast(x, tf.int32), i)


def _assert_positive(tf, x, i):
    tf.debugging.assert_positive(i)
    return x


def _assert_equal(tf, x, i):
    tf.debugging.assert_equal(i, tf.zeros_like(i), message="i must be zero")
    return x


def _assert(tf, x, i):
    tf.Assert(tf.reduce_all(i < 3), ["i too large", i])
    return x


_X = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
# (op, a bad argument, a good argument)
CASES = [
    (_gather, [0, 7], [5, 0]),
    (_gather, [[1, -1], [0, 0]], [[1, 2]]),
    (_gather, 6, 5),
    (_gather_axis1, [[0, 3], [1, 1]], [2, 0]),
    (_gather_nd, [[0, 5]], [[1, 2], [0, 0]]),
    (_gather_nd, [[1, 1], [2, 0]], [[1]]),
    (_scatter_update, [[2], [9]], [[5]]),
    (_scatter_update, [[7], [0], [9], [1]], [[5], [0]]),
    (_gather_nd, [[0, 5], [1, 0], [2, 2], [0, 0]], [[1, 1]]),
    (_scatter_add, [[-1]], [[0], [0]]),
    (_scatter_nd, [[6]], [[3]]),
    (_getitem, 6, 5),
    (_getitem, -7, -6),
    (_embedding, [3], [2, 0]),
    (_check_numerics, [1, 0, 1, 1, 1, 1], [1, 2, 1, 1, 1, 1]),
    (_floordiv, [1, 1, 0, 1, 1, 1], [1, 2, 3, 1, 1, 1]),
    (_floormod, [0, 1, 1, 1, 1, 1], [1, 2, 3, 1, 1, 1]),
    (_assert_positive, [1, -2, 3, 4], [1, 2]),
    (_assert_equal, [0, 1], [0, 0]),
    (_assert, [1, 5, 2, 1], [0]),
]
_IDS = [f"{c[0].__name__[1:]}-{k}" for k, c in enumerate(CASES)]


def _eager(op, arg):
    def scenario(tf, state):
        return op(tf, tf.constant(_X), tf.constant(arg))
    return scenario


def _in_function(op, arg):
    def scenario(tf, state):
        v = state["v"] = tf.Variable(0.0)
        w = state["w"] = tf.Variable(0.0)

        @tf.function
        def f(x, i):
            v.assign_add(1.0)          # before the failing op: TF runs it
            y = op(tf, x, i)
            w.assign(tf.reduce_sum(tf.cast(y, tf.float32)))   # depends on it: TF does not
            return y
        f(tf.constant(_X), tf.constant(arg))
        return f(tf.constant(_X), tf.constant(arg))   # a second call reuses the trace
    return scenario


def _under_tape(op, arg):
    def scenario(tf, state):
        w = state["w"] = tf.Variable(_X)
        with tf.GradientTape() as tape:
            y = op(tf, w * 2.0, tf.constant(arg))
            loss = tf.reduce_sum(tf.cast(y, tf.float32))
        state["g"] = tf.convert_to_tensor(tape.gradient(loss, w)) \
            if y.dtype.is_floating else w
        return loss
    return scenario


def _function_under_tape(op, arg):
    def scenario(tf, state):
        w = state["w"] = tf.Variable(_X)

        @tf.function
        def f(x, i):
            return op(tf, x, i)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.cast(f(w * 2.0, tf.constant(arg)), tf.float32))
        g = tape.gradient(loss, w)
        return g if g is not None else loss
    return scenario


def _after_deferred_update(op, arg):
    def scenario(tf, state):
        w = state["w"] = tf.Variable(_X)
        for _ in range(4):   # the update program is compiled after a few steps
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(w * w)
            w.assign_sub(0.01 * tape.gradient(loss, w))
        return op(tf, w.read_value(), tf.constant(arg))
    return scenario


MODES = {"eager": _eager, "function": _in_function, "tape": _under_tape,
         "function_on_tape": _function_under_tape, "deferred": _after_deferred_update}


_ASSERTS = (_assert_positive, _assert_equal, _assert)


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("op,bad,good", CASES, ids=_IDS)
def test_bad_argument_raises_as_tf(op, bad, good, mode):
    if op in _ASSERTS and mode.startswith("function"):
        return _compare_assert(MODES[mode](op, bad))
    want = _compare(MODES[mode](op, bad))
    assert want[0][0] == "err"          # the case does exercise a failing check


def _compare_assert(scenario):
    """Asserts inside tf.function: TF's type, message and state, without TF's graph framing
    and graph tensor names (a documented difference, docs/differences.md)."""
    want, got = [_outcome(m, scenario) for m in (real_tf(), tftape)]
    assert want[0][0] == got[0][0] == "err" and want[0][1] == got[0][1]
    tf_core = re.sub(r" \([\w/]+:\d+\)", "", want[0][2][3])
    assert got[0][2] == ("eager", tf_core)
    assert got[1] == want[1]


@pytest.mark.parametrize("mode", ["function", "tape", "deferred"])
@pytest.mark.parametrize("op,bad,good", CASES, ids=_IDS)
def test_good_argument_runs_as_tf(op, bad, good, mode):
    want = _compare(MODES[mode](op, good))
    assert want[0][0] == "ok"


# -- variables when an op inside a function fails -------------------------------------------
def _state_fail_then_independent_assign(tf, state):
    v = state["v"] = tf.Variable(0.0)
    p = tf.constant([1.0, 2.0, 3.0])

    @tf.function
    def f(i):
        x = tf.gather(p, i)
        v.assign_add(10.0)
        return x
    return f(tf.constant([7]))


def _state_fail_then_dependent_assign(tf, state):
    v = state["v"] = tf.Variable(5.0)
    p = tf.constant([1.0, 2.0, 3.0])

    @tf.function
    def f(i):
        x = tf.gather(p, i)
        v.assign(tf.reduce_sum(x))
        return x
    return f(tf.constant([7]))


def _state_assign_assert_assign(tf, state):
    v = state["v"] = tf.Variable(0.0)
    w = state["w"] = tf.Variable(0.0)

    @tf.function
    def f(x):
        v.assign_add(1.0)
        tf.debugging.assert_positive(x)
        w.assign_add(1.0)
        return x
    return f(tf.constant(-1.0))


def _state_assign_check_numerics_assign(tf, state):
    v = state["v"] = tf.Variable(0.0)
    w = state["w"] = tf.Variable(0.0)

    @tf.function
    def f(x):
        v.assign_add(1.0)
        y = tf.debugging.check_numerics(x * 2.0, "m")
        w.assign_add(y)
        return y
    return f(tf.constant(np.nan, tf.float32))


def _state_assigned_twice(tf, state):
    v = state["v"] = tf.Variable(1.0)
    w = state["w"] = tf.Variable(0.0)
    p = tf.constant([1.0, 2.0, 3.0])

    @tf.function
    def f(i):
        v.assign_add(1.0)
        w.assign(3.0)
        x = tf.gather(p, i)
        w.assign_add(4.0)
        v.assign_add(tf.reduce_sum(x))
        w.assign_add(tf.reduce_sum(x))
        return x
    return f(tf.constant([0, 9]))


def _state_scatter_into_variable(tf, state):
    v = state["v"] = tf.Variable([1.0, 2.0, 3.0])

    @tf.function
    def f(i):
        v.assign_add([1.0, 1.0, 1.0])
        v.scatter_nd_update(i, [5.0])
        return v.read_value()
    return f(tf.constant([[7]]))


def _state_gather_variable_then_assign(tf, state):
    v = state["v"] = tf.Variable([1.0, 2.0, 3.0])
    w = state["w"] = tf.Variable(0.0)

    @tf.function
    def f(i):
        x = tf.gather(v, i)
        v.assign_add([1.0, 1.0, 1.0])     # ordered after the read of v: TF does not run it
        w.assign_add(1.0)                 # another variable: TF runs it
        return x
    return f(tf.constant([7]))


def _state_training_step(tf, state):
    w = state["w"] = tf.Variable([[0.5, -0.5], [1.0, 2.0], [0.0, 1.0]])
    step = state["step"] = tf.Variable(0)

    @tf.function
    def train(ids):
        step.assign_add(1)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.gather(w, ids) ** 2)
        g = tf.convert_to_tensor(tape.gradient(loss, w))
        w.assign_sub(0.1 * g)
        return loss
    train(tf.constant([0, 1]))
    return train(tf.constant([2, 3]))


def _state_nested_function(tf, state):
    v = state["v"] = tf.Variable(0.0)
    p = tf.constant([1.0, 2.0, 3.0])

    @tf.function
    def inner(i):
        v.assign_add(1.0)
        return tf.gather(p, i)

    @tf.function
    def outer(i):
        return inner(i) * 2.0
    return outer(tf.constant([3]))


def _state_check_in_loop(tf, state):
    v = state["v"] = tf.Variable(0.0)
    p = tf.constant([1.0, 2.0, 3.0])

    @tf.function
    def f(n):
        s = tf.constant(0.0)
        for k in tf.range(n):
            s += tf.gather(p, k)
        v.assign_add(1.0)
        return s
    return f(tf.constant(5))


STATE_CASES = [_state_fail_then_independent_assign, _state_fail_then_dependent_assign,
               _state_assign_assert_assign, _state_assign_check_numerics_assign,
               _state_assigned_twice, _state_scatter_into_variable,
               _state_gather_variable_then_assign, _state_training_step,
               _state_nested_function, _state_check_in_loop]


@pytest.mark.parametrize("scenario", STATE_CASES, ids=lambda f: f.__name__[7:])
def test_variables_after_a_failing_function_are_tfs(scenario):
    if scenario is _state_assign_assert_assign:
        return _compare_assert(scenario)
    want = _compare(scenario)
    assert want[0][0] == "err"


# -- hypothesis: indices and shapes ----------------------------------------------------------
@st.composite
def _gather_args(draw):
    shape = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    axis = draw(st.integers(0, len(shape) - 1))
    n = shape[axis]
    ishape = draw(st.lists(st.integers(0, 3), min_size=0, max_size=2))
    idx = draw(st.lists(st.integers(-2, n + 2), min_size=int(np.prod(ishape)),
                        max_size=int(np.prod(ishape))))
    return shape, axis, np.asarray(idx, np.int32).reshape(ishape)


def _run_gather(tf, shape, axis, idx):
    @tf.function
    def f(p, i):
        return tf.gather(p, i, axis=axis)
    p = tf.reshape(tf.range(float(np.prod(shape))), shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return ("ok", f(p, tf.constant(idx)).numpy())
        except Exception as e:  # noqa: BLE001 - compared
            return ("err", type(e).__name__, _norm(str(e))[3:])


@settings(max_examples=25, deadline=None)
@given(_gather_args())
def test_gather_in_function_matches_tf(args):
    shape, axis, idx = args
    want, got = [_run_gather(m, shape, axis, idx) for m in (real_tf(), tftape)]
    assert got[0] == want[0], (want, got)
    if want[0] == "ok":
        np.testing.assert_array_equal(got[1], want[1])
    else:
        assert got == want


@st.composite
def _nd_args(draw):
    shape = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    k = draw(st.integers(1, len(shape)))
    rows = draw(st.integers(1, 4))
    idx = [[draw(st.integers(-1, shape[j] + 1)) for j in range(k)] for _ in range(rows)]
    return shape, np.asarray(idx, np.int32)


def _run_nd(tf, shape, idx, kind):
    @tf.function
    def f(p, i):
        if kind == "gather_nd":
            return tf.gather_nd(p, i)
        return tf.tensor_scatter_nd_add(p, i, tf.ones([len(idx)] + shape[idx.shape[1]:]))
    p = tf.reshape(tf.range(float(np.prod(shape))), shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return ("ok", f(p, tf.constant(idx)).numpy())
        except Exception as e:  # noqa: BLE001 - compared
            return ("err", type(e).__name__, _norm(str(e))[3:])


@settings(max_examples=20, deadline=None)
@given(_nd_args(), st.sampled_from(["gather_nd", "scatter"]))
def test_nd_indices_in_function_match_tf(args, kind):
    shape, idx = args
    want, got = [_run_nd(m, shape, idx, kind) for m in (real_tf(), tftape)]
    assert got[0] == want[0], (want, got)
    if want[0] == "ok":
        np.testing.assert_array_equal(got[1], want[1])
    else:
        assert got == want


# -- no cost without checks -------------------------------------------------------------------
def test_programs_without_checks_get_no_extra_outputs():
    tf = tftape
    v = tf.Variable([1.0, 2.0])

    @tf.function
    def plain(x):
        v.assign_add(x)
        return x * 2.0

    @tf.function
    def checked(x, i):
        v.assign_add(x)
        return tf.gather(x, i) * 2.0
    x = tf.constant([1.0, 2.0])
    plain(x)
    checked(x, tf.constant([1, 0]))
    cf_plain = plain.get_concrete_function(x)
    cf_checked = checked.get_concrete_function(x, tf.constant([1, 0]))
    assert cf_plain._checks == [] and cf_plain._fail_plan == []
    # one output and the variable's new value; checked adds a flag and two scalars
    assert len(cf_plain._traced.jaxpr.outvars) == 2
    assert len(cf_checked._traced.jaxpr.outvars) == 2 + 3
    assert [tuple(a.shape) for a in cf_checked._traced.out_avals[1:]] == [(), (), ()]

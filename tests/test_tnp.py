"""tf.experimental.numpy against real TF's tnp: values, dtypes, shapes and exception types.

NumPy behaviour is process-wide in TF, so TF's side of those cases runs in a subprocess;
ours is switched on for the test and restored after (``tnp._disable_numpy_behavior``).
"""
from __future__ import annotations

import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tftape as tf
import tftape.experimental.numpy as tnp
from oracle import assert_same, real_tf

import _tnp_cases as C

# Its module fixture runs real TF in a subprocess once: keep the module on one xdist worker
# (`--dist loadgroup`).
pytestmark = pytest.mark.xdist_group("tnp")

rtf = real_tf()
import tensorflow.experimental.numpy as rtnp  # noqa: E402

HERE = os.path.dirname(__file__)


def _mismatch(expr, ours, theirs):
    return f"{expr}: ours={ours!r}\ntheirs={theirs!r}"


@pytest.mark.parametrize("expr", C.TNP_CASES)
def test_tnp_matches_tf(expr):
    ours = C.run(tf, tnp, expr)
    theirs = C.run(rtf, rtnp, expr)
    assert C.same(ours, theirs), _mismatch(expr, ours, theirs)


_TF_SCRIPT = """
import os, pickle, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
sys.path.insert(0, {here!r})
import tensorflow as tf
import tensorflow.experimental.numpy as tnp
import _tnp_cases as C
tnp.experimental_enable_numpy_behavior()
out = [C.run(tf, tnp, e) for e in C.BEHAVIOR_CASES]
tnp.experimental_enable_numpy_behavior(prefer_float32=True)
out32 = [C.run(tf, tnp, e) for e in C.PREFER32_CASES]
sys.stdout.buffer.write(pickle.dumps((out, out32)))
"""


@pytest.fixture(scope="module")
def tf_numpy_results():
    """TF's results with numpy behaviour on (one subprocess: the switch is process-wide)."""
    r = subprocess.run([sys.executable, "-c", _TF_SCRIPT.format(here=HERE)],
                       capture_output=True, timeout=300)
    assert r.returncode == 0, r.stderr.decode()[-3000:]
    out, out32 = pickle.loads(r.stdout)
    return dict(zip(C.BEHAVIOR_CASES, out)), dict(zip(C.PREFER32_CASES, out32))


@pytest.fixture
def tf_behavior(tf_numpy_results):
    return tf_numpy_results[0]


@pytest.fixture
def tf_prefer32(tf_numpy_results):
    return tf_numpy_results[1]


@pytest.fixture
def numpy_behavior():
    def enable(**kw):
        tnp.experimental_enable_numpy_behavior(**kw)
    yield enable
    tnp._disable_numpy_behavior()


@pytest.mark.parametrize("expr", C.BEHAVIOR_CASES)
def test_numpy_behavior_matches_tf(expr, tf_behavior, numpy_behavior):
    numpy_behavior()
    ours = C.run(tf, tnp, expr)
    assert C.same(ours, tf_behavior[expr]), _mismatch(expr, ours, tf_behavior[expr])


@pytest.mark.parametrize("expr", C.PREFER32_CASES)
def test_prefer_float32_matches_tf(expr, tf_prefer32, numpy_behavior):
    numpy_behavior(prefer_float32=True)
    ours = C.run(tf, tnp, expr)
    assert C.same(ours, tf_prefer32[expr]), _mismatch(expr, ours, tf_prefer32[expr])


def test_behavior_is_restored_after_disable(numpy_behavior):
    numpy_behavior()
    assert hasattr(tf.constant(1), "T")
    tnp._disable_numpy_behavior()
    with pytest.raises(AttributeError):
        tf.constant([1]).reshape(1)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.constant([1, 2]) + tf.constant([0.5, 0.5])


def test_unsupported_promotion_modes_raise(numpy_behavior):
    with pytest.raises(ValueError, match="does not exist"):
        tnp.experimental_enable_numpy_behavior(dtype_conversion_mode="bogus")
    with pytest.raises(NotImplementedError):
        tnp.experimental_enable_numpy_behavior(dtype_conversion_mode="all")


def test_import_forms_are_one_module():
    import tftape.experimental.numpy as a
    from tftape.experimental import numpy as b
    assert a is b is tf.experimental.numpy
    assert a.random is tf.experimental.numpy.random
    assert tnp.ndarray is tf.Tensor


def test_missing_attribute_messages_match_tf():
    for name in ("reshape", "T", "astype", "sum"):
        with pytest.raises(AttributeError) as ours:
            getattr(tf.constant([1]), name)
        with pytest.raises(AttributeError) as theirs:
            getattr(rtf.constant([1]), name)
        assert str(ours.value) == str(theirs.value)


# -- gradients and tf.function ----------------------------------------------------------------------
GRAD_CASES = [
    "tnp.sum(tnp.sin(x) * x)", "tnp.mean(tnp.exp(x))", "tnp.sum(tnp.matmul(x, tnp.transpose(x)))",
    "tnp.sum(tnp.cumsum(x, axis=1) ** 2)", "tnp.prod(tnp.clip(x, 0.5, 2.5))",
    "tnp.sum(tnp.where(x > 1, x, 2 * x))", "tnp.var(x)", "tnp.sum(tnp.take(x, [0, 2], axis=1))",
    "tnp.sum(tnp.concatenate([x, tnp.square(x)]))", "tnp.std(tnp.reshape(x, [-1]))",
    "tnp.amax(x)", "tnp.sum(tnp.sort(x, axis=1) * tnp.arange(3.))", "tnp.sum(tnp.cbrt(x + 1))",
]


@pytest.mark.parametrize("expr", GRAD_CASES)
def test_gradients_match_tf(expr):
    def grad(lib, np_lib):
        x = lib.Variable([[0.5, 1.5, 2.0], [1.0, -0.5, 3.0]], dtype=lib.float64)
        with lib.GradientTape() as g:
            y = eval(expr, {"tnp": np_lib, "x": x})
        return y, g.gradient(y, x)
    oy, og = grad(tf, tnp)
    ty, tg = grad(rtf, rtnp)
    assert_same(oy, ty)
    assert_same(og, tg)


def test_tnp_inside_tf_function():
    @tf.function
    def f(x):
        return tnp.sum(tnp.square(x), axis=0) + tnp.mean(x)
    x = tnp.asarray([[1., 2.], [3., 4.]])
    assert_same(f(x), rtnp.sum(rtnp.square(rtnp.asarray([[1., 2.], [3., 4.]])), axis=0) + 2.5)


# -- hypothesis: promotion and reductions over dtypes and shapes ---------------------------------------
_DT = ["int8", "int16", "int32", "int64", "uint8", "float16", "float32", "float64", "bool"]


@settings(deadline=None, max_examples=25)
@given(st.sampled_from(_DT), st.sampled_from(_DT),
       st.lists(st.integers(1, 3), min_size=0, max_size=3),
       st.sampled_from(["add", "subtract", "multiply", "maximum", "true_divide", "less"]))
def test_binary_promotion_hypothesis(d1, d2, shape, fn):
    a = np.arange(1, 1 + int(np.prod(shape))).reshape(shape) % 5 + 1
    x1, x2 = a.astype(d1), (a[::-1] if a.ndim else a).astype(d2)
    if fn == "subtract" and "bool" in (d1, d2) and d1 == d2:
        fn = "add"
    o = _outcome(lambda: getattr(tnp, fn)(x1, x2))
    t = _outcome(lambda: getattr(rtnp, fn)(x1, x2))
    assert C.same(o, t), (fn, d1, d2, o, t)


def _outcome(f):
    try:
        return C.normalize(f())
    except Exception as e:  # noqa: BLE001
        return ("error", type(e).__name__, str(e))


@settings(deadline=None, max_examples=25)
@given(st.sampled_from(_DT), st.lists(st.integers(1, 3), min_size=1, max_size=3),
       st.sampled_from(["sum", "prod", "mean", "amax", "amin", "cumsum", "std", "argmax"]),
       st.booleans())
def test_reduction_hypothesis(dt, shape, fn, use_axis):
    a = (np.arange(int(np.prod(shape))).reshape(shape) % 4).astype(dt)
    kw = {"axis": len(shape) - 1} if use_axis else {}
    o = _outcome(lambda: getattr(tnp, fn)(a, **kw))
    t = _outcome(lambda: getattr(rtnp, fn)(a, **kw))
    assert C.same(o, t), (fn, dt, shape, o, t)


def test_interop_with_jax():
    import jax
    import jax.numpy as jnp
    t = tnp.asarray([1., 2., 3.])
    assert isinstance(jnp.asarray(t), jax.Array)
    assert float(jax.grad(lambda x: jnp.sum(x ** 2))(jnp.asarray(t))[1]) == 4.0
    back = tf.convert_to_tensor(jnp.arange(3))
    assert back.dtype == tf.int64
    np.testing.assert_array_equal(back.numpy(), [0, 1, 2])

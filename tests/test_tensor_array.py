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
    if isinstance(x, (tuple, list)):
        return tuple(to_py(i) for i in x)
    if type(x).__name__ == "TensorArray":
        return "TensorArray"
    if hasattr(x, "numpy") and hasattr(x, "dtype"):
        a = np.asarray(x.numpy())
        return ("tensor", x.dtype.name, a.shape, a)
    if hasattr(x, "as_list") or hasattr(x, "is_fully_defined"):
        return ("shape", repr(x))
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

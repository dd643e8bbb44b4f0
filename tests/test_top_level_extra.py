"""Oracle tests for the less common top-level ``tf.*`` ops and utilities against real TF."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from test_ops_math import assert_same, check_expr, real_tf, tf  # noqa: F401

pytestmark = pytest.mark.filterwarnings("ignore:.*triggered a new compilation")

ARRAY_CASES = """
tf.unique_with_counts([1, 2, 1, 3, 3, 3])
tf.unique_with_counts([1, 2, 1, 3], out_idx=tf.int64)
tf.unique_with_counts(tf.constant([2.5, -1.0, 2.5]))
tf.unique_with_counts(['a', 'b', 'a'])[2]
tf.unique_with_counts(tf.constant([], tf.int32))
tf.unique_with_counts([[1, 2]])
tf.histogram_fixed_width([-1.0, 0.0, 1.5, 2.0, 5.0, 15], [0.0, 5.0], nbins=5)
tf.histogram_fixed_width([1, 2, 7, -3, 4], [0, 5], nbins=3)
tf.histogram_fixed_width(tf.constant([[1., 2.], [3., 9.]], tf.float64), [0., 10.], nbins=4, dtype=tf.int64)
tf.histogram_fixed_width([1., 2., 7.], [5., 0.], nbins=5)
tf.histogram_fixed_width([1., 2., 7.], [0., 5.], nbins=0)
tf.histogram_fixed_width([1., 2., 7.], [0., 5., 3.], nbins=3)
tf.histogram_fixed_width([1., 2.], [0, 5], nbins=3)
tf.histogram_fixed_width_bins([-1.0, 0.0, 1.5, 2.0, 5.0, 15], [0.0, 5.0], nbins=5)
tf.histogram_fixed_width_bins([[0.5, 1.5], [2.5, 9.0]], [0.0, 3.0], nbins=3)
tf.histogram_fixed_width_bins([1, 2, 7], [0, 5], nbins=3)
tf.unravel_index([1, 7, 23], [2, 3, 4])
tf.unravel_index(5, [2, 3])
tf.unravel_index(tf.constant([0, 5], tf.int64), tf.constant([2, 3], tf.int64))
tf.unravel_index(-1, [2, 3])
tf.unravel_index([1, 30], [2, 3, 4])
tf.unravel_index([1, 2], [2, 0])
tf.unravel_index([[1, 2]], [2, 3])
tf.unravel_index([1., 2.], [2., 3.])
tf.reverse_sequence([[1, 2, 3], [4, 5, 6]], [2, 3], seq_axis=1)
tf.reverse_sequence([[1, 2, 3], [4, 5, 6]], [0, 1], seq_axis=1)
tf.reverse_sequence(tf.reshape(tf.range(24.), [2, 3, 4]), [3, 1, 2, 0], seq_axis=1, batch_axis=2)
tf.reverse_sequence(tf.reshape(tf.range(24), [2, 3, 4]), tf.constant([1, 2, 3], tf.int64), seq_axis=0, batch_axis=1)
tf.reverse_sequence([['a', 'b'], ['c', 'd']], [2, 1], seq_axis=1)
tf.reverse_sequence([[1, 2, 3], [4, 5, 6]], [2, 5], seq_axis=1)
tf.reverse_sequence([[1, 2, 3], [4, 5, 6]], [2, -1], seq_axis=1)
tf.reverse_sequence([[1, 2, 3], [4, 5, 6]], [2, 1, 1], seq_axis=1)
tf.reverse_sequence([[1, 2, 3], [4, 5, 6]], [2, 1], seq_axis=1, batch_axis=1)
tf.reverse_sequence([[1, 2, 3], [4, 5, 6]], [2, 1])
tf.dynamic_partition([10, 20, 30, 40], [0, 1, 0, 1], 2)[0]
tf.dynamic_partition([10, 20, 30, 40], [2, 1, 2, 2], 3)[2]
tf.dynamic_partition([10, 20, 30, 40], [2, 1, 2, 2], 3)[0]
tf.dynamic_partition(tf.reshape(tf.range(12.), [2, 2, 3]), [[1, 0], [0, 0]], 2)[0]
tf.dynamic_partition(['a', 'b', 'c'], [1, 0, 1], 2)[1]
tf.dynamic_partition([1, 2, 3], [0, 2, 1], 2)
tf.dynamic_partition([1, 2, 3], [0, 1], 2)
tf.dynamic_stitch([[0, 2], [1]], [[1., 2.], [3.]])
tf.dynamic_stitch([[0, 3], [1]], [[1, 2], [3]])
tf.dynamic_stitch([[0, 1], [1]], [[1, 2], [3]])
tf.dynamic_stitch([[[0], [2]], [1, 3]], [[[1., 1.], [2., 2.]], [[3., 3.], [4., 4.]]])
tf.dynamic_stitch([6, [4, 1]], [[61, 62], [[41, 42], [11, 12]]])
tf.dynamic_stitch([[0, 1], [2]], [['a', 'b'], ['c']])
tf.dynamic_stitch([[0, -1], [1]], [[1, 2], [3]])
tf.dynamic_stitch([[0, 2], [1]], [[1, 2], [3, 4]])
tf.dynamic_stitch([[0, 2], [1]], [[1, 2], [3.]])
tf.identity_n([1, [2., 3.]])[1]
tf.parallel_stack([1, 2])
tf.realdiv(3., 2.)
tf.realdiv(tf.constant([1., 2.], tf.float64), [4., 8.])
tf.realdiv(tf.constant([1 + 1j]), [2.])
tf.realdiv(3, 2)
tf.realdiv(3., 2)
tf.space_to_batch(tf.reshape(tf.range(16.), [1, 4, 4, 1]), [2, 2], [[0, 0], [0, 0]])
tf.space_to_batch(tf.reshape(tf.range(18), [2, 3, 3, 1]), [2, 2], [[1, 0], [0, 1]])
tf.space_to_batch_nd(tf.reshape(tf.range(24.), [2, 6, 2]), [3], [[1, 2]])
tf.space_to_batch_nd(tf.reshape(tf.range(48.), [1, 4, 6, 2]), [2, 3], [[0, 0], [0, 0]])
tf.space_to_batch(tf.ones([1, 3, 3, 1]), [2, 2], [[0, 0], [0, 0]])
tf.space_to_batch(tf.ones([1, 3, 3, 1]), [2, 2], [[0, -1], [0, 0]])
tf.space_to_batch(tf.ones([1, 4, 4, 1]), [2, 0], [[0, 0], [0, 0]])
tf.space_to_batch(tf.ones([1, 4, 4, 1]), [2, 2], [[0, 0]])
tf.batch_to_space(tf.ones([4, 2, 2, 1]), [2, 2], [[0, -1], [0, 0]])
tf.reverse_sequence([[1, 2, 3], [4, 5, 6]], tf.constant([2, 5]), seq_axis=1)
tf.dynamic_stitch([[0, 2], [1]], [[1, 2], tf.constant([3.])])
tf.dynamic_stitch([[0, 2], [1]], [tf.constant([1, 2]), tf.constant([3.])])
tf.dynamic_stitch([[0, 2], [1]], [[1., 2], [3]])
tf.reverse_sequence(tf.constant([[1, 2, 3], [4, 5, 6]]), tf.constant([2, 5]), seq_axis=1)
tf.batch_to_space(tf.reshape(tf.range(16.), [4, 2, 2, 1]), [2, 2], [[0, 0], [0, 1]])
tf.batch_to_space(tf.reshape(tf.range(24), [6, 2, 2]), [3], [[1, 2]])
tf.batch_to_space(tf.reshape(tf.range(16.), [4, 2, 2, 1]), 2, [[0, 0], [1, 0]])
tf.batch_to_space(tf.ones([3, 1, 1, 1]), [2, 2], [[0, 0], [0, 0]])
tf.batch_to_space(tf.ones([4, 1, 1, 1]), [2, 2], [[0, 3], [0, 0]])
tf.required_space_to_batch_paddings([3, 5], [2, 2])[0]
tf.required_space_to_batch_paddings([3, 5], [2, 2])[1]
tf.required_space_to_batch_paddings([3, 5], [2, 3], [[1, 0], [0, 1]])[0]
tf.required_space_to_batch_paddings([3, 5], [2, 3], [[1, 0], [0, 1]])[1]
tf.required_space_to_batch_paddings([7], [4], [[2, 2]])[0]
"""


@pytest.mark.parametrize("src", [s for s in ARRAY_CASES.strip().splitlines()])
def test_array_ops(src):
    check_expr(src, message=True)


def _both(fn):
    return fn(tf), fn(real_tf)


@pytest.mark.parametrize("case", ["unique_with_counts", "dynamic_partition", "identity_n",
                                  "required_space_to_batch_paddings"])
def test_structures(case):
    """Multi-output ops give TF's structure (namedtuple fields, list lengths) and every output."""
    calls = {
        "unique_with_counts": lambda t: t.unique_with_counts([3, 1, 3, 2]),
        "dynamic_partition": lambda t: t.dynamic_partition([[1, 2], [3, 4], [5, 6]], [2, 0, 2], 3),
        "identity_n": lambda t: t.identity_n([1, [2.5], [[True]]]),
        "required_space_to_batch_paddings": lambda t: t.required_space_to_batch_paddings(
            [4, 7], [3, 2]),
    }
    ours, theirs = _both(calls[case])
    assert type(ours).__name__ == type(theirs).__name__
    assert getattr(ours, "_fields", None) == getattr(theirs, "_fields", None)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert_same(a, b)


@settings(deadline=None, max_examples=20)
@given(st.integers(1, 3), st.lists(st.integers(1, 3), min_size=1, max_size=2), st.integers(1, 2),
       st.data())
def test_space_batch_roundtrip(batch, blocks, extra, data):
    """space_to_batch_nd and batch_to_space over random shapes, blocks and paddings."""
    pads = [[data.draw(st.integers(0, 2)), data.draw(st.integers(0, 2))] for _ in blocks]
    # Padded sizes are multiples of the block, and no size is negative.
    spatial = [(data.draw(st.integers(1, 3)) + -(-(p0 + p1) // b)) * b - p0 - p1
               for b, (p0, p1) in zip(blocks, pads)]
    shape = [batch] + spatial + [extra]
    x = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    ours = tf.space_to_batch_nd(x, blocks, pads)
    theirs = real_tf.space_to_batch_nd(x, blocks, pads)
    assert_same(ours, theirs)
    assert_same(tf.batch_to_space(ours, blocks, pads),
                real_tf.batch_to_space(theirs, blocks, pads))


@settings(deadline=None, max_examples=15)
@given(st.lists(st.floats(-10, 20, width=32), min_size=8, max_size=8),
       st.floats(-5, 5), st.floats(0.5, 10), st.sampled_from([1, 4, 7]),
       st.sampled_from(["float32", "float64"]))
def test_histograms(values, lo, width, nbins, dtype):
    v = np.asarray(values, dtype)
    rng = np.asarray([lo, lo + width], dtype)
    assert_same(tf.histogram_fixed_width(v, rng, nbins), real_tf.histogram_fixed_width(v, rng, nbins))
    assert_same(tf.histogram_fixed_width_bins(v, rng, nbins),
                real_tf.histogram_fixed_width_bins(v, rng, nbins))


@settings(deadline=None, max_examples=15)
@given(st.lists(st.integers(0, 4), min_size=6, max_size=6), st.integers(1, 2))
def test_partition_stitch(parts, extra):
    """dynamic_stitch(partition indices, dynamic_partition(data)) gives the data back, as TF."""
    n = 5
    data = np.arange(len(parts) * extra, dtype=np.float32).reshape(len(parts), extra)
    ours = tf.dynamic_partition(data, parts, n)
    theirs = real_tf.dynamic_partition(data, parts, n)
    for a, b in zip(ours, theirs):
        assert_same(a, b)
    idx = tf.dynamic_partition(np.arange(len(parts), dtype=np.int32), parts, n)
    tidx = real_tf.dynamic_partition(np.arange(len(parts), dtype=np.int32), parts, n)
    if len(parts):
        assert_same(tf.dynamic_stitch(idx, ours), real_tf.dynamic_stitch(tidx, theirs))


@settings(deadline=None, max_examples=15)
@given(st.lists(st.integers(0, 5), min_size=1, max_size=4), st.integers(2, 5), st.data())
def test_reverse_sequence_random(lens, n, data):
    lens = [min(v, n) for v in lens]
    x = np.arange(len(lens) * n * 2).reshape(len(lens), n, 2)
    assert_same(tf.reverse_sequence(x, lens, seq_axis=1, batch_axis=0),
                real_tf.reverse_sequence(x, lens, seq_axis=1, batch_axis=0))


def _grad(lib, fn, x):
    x = lib.constant(x)
    with lib.GradientTape() as tape:
        tape.watch(x)
        y = fn(lib, x)
        w = lib.reshape(lib.cast(lib.range(1, lib.size(y) + 1), y.dtype), lib.shape(y))
        loss = lib.reduce_sum(y * w)
    return tape.gradient(loss, x)


GRAD_CASES = {
    "reverse_sequence": lambda t, x: t.reverse_sequence(x, [2, 3], seq_axis=1),
    "space_to_batch": lambda t, x: t.space_to_batch(t.reshape(x, [1, 2, 3, 1]), [2, 1],
                                                    [[1, 1], [0, 0]]),
    "batch_to_space": lambda t, x: t.batch_to_space(t.reshape(x, [2, 1, 3, 1]), [2, 1],
                                                    [[0, 1], [0, 0]]),
    "dynamic_partition": lambda t, x: t.dynamic_partition(x, [[1, 0, 1], [0, 0, 1]], 2)[1],
    "dynamic_stitch": lambda t, x: t.dynamic_stitch([[1, 0, 3], [2, 4, 5]], [x[0], x[1]]),
    "identity_n": lambda t, x: t.identity_n([x, x * 2.])[1],
    "realdiv": lambda t, x: t.realdiv(x, x + 4.),
}


@pytest.mark.parametrize("name", sorted(GRAD_CASES))
def test_gradients(name):
    x = np.arange(6, dtype=np.float32).reshape(2, 3) / 7 + 0.5
    assert_same(_grad(tf, GRAD_CASES[name], x), _grad(real_tf, GRAD_CASES[name], x))


FUNCTION_CASES = {
    "parallel_stack": lambda t, x: t.parallel_stack([x, x * 2.]),
    "reverse_sequence": lambda t, x: t.reverse_sequence(x, [1, 3], seq_axis=1),
    "unravel_index": lambda t, x: t.unravel_index(t.cast(x[0] * 7., t.int32), [3, 3]),
    "space_to_batch_nd": lambda t, x: t.space_to_batch_nd(t.reshape(x, [1, 2, 3]), [2],
                                                          [[0, 0]]),
    "histogram_fixed_width": lambda t, x: t.histogram_fixed_width(x, [0., 2.], nbins=4),
    "identity_n": lambda t, x: t.identity_n([x, x])[0],
}


@pytest.mark.parametrize("name", sorted(FUNCTION_CASES))
def test_in_function(name):
    x = np.arange(6, dtype=np.float32).reshape(2, 3) / 5
    fn = FUNCTION_CASES[name]
    assert_same(tf.function(lambda v: fn(tf, v))(x), real_tf.function(lambda v: fn(real_tf, v))(x))


# -- aliases, initializers, specs and utilities ---------------------------------------------------
@pytest.mark.parametrize("ns,names", [
    ("initializers", ["Constant", "GlorotUniform", "Zeros", "RandomNormal", "get", "serialize"]),
    ("losses", ["MeanSquaredError", "BinaryCrossentropy", "mse", "get"]),
    ("metrics", ["Mean", "Accuracy", "AUC", "get"]),
    ("optimizers", ["Adam", "SGD", "schedules", "get"]),
])
def test_keras_namespace_aliases(ns, names):
    """TF 2's tf.initializers / losses / metrics / optimizers are Keras's namespaces."""
    ours, theirs = getattr(tf, ns), getattr(real_tf, ns)
    assert ours is getattr(tf.keras, ns)
    for n in names:
        assert hasattr(theirs, n)
        assert getattr(ours, n) is getattr(getattr(tf.keras, ns), n)


ASSERT_CASES = """
tf.assert_greater([3, 4], [1, 2])
tf.assert_greater([3, 1], [1, 2])
tf.assert_greater([3., 4.], 3.)
tf.assert_less([1, 2], [3, 4])
tf.assert_less([1, 5], 4)
tf.assert_rank([[1, 2]], 2)
tf.assert_rank([[1, 2]], 1)
tf.assert_rank(3., 0)
"""


@pytest.mark.parametrize("src", ASSERT_CASES.strip().splitlines())
def test_assert_aliases(src):
    exp = got = None
    try:
        eval(src, {"tf": real_tf})  # noqa: S307 - test expressions
    except Exception as e:  # noqa: BLE001
        exp = type(e).__name__
    try:
        eval(src, {"tf": tf})  # noqa: S307
    except Exception as e:  # noqa: BLE001
        got = type(e).__name__
    assert got == exp, src


INIT_CASES = [
    ("zeros_initializer", (), ([2, 3],), {}),
    ("zeros_initializer", (), ([2],), {"dtype": "int64"}),
    ("zeros_initializer", (), ([2],), {"dtype": "bool"}),
    ("ones_initializer", (), ((3,),), {}),
    ("ones_initializer", (), ([2, 2],), {"dtype": "float64"}),
    ("ones_initializer", (), ([2],), {"dtype": "string"}),
    ("constant_initializer", (3,), ([2, 2],), {}),
    ("constant_initializer", (3,), ([2, 2],), {"dtype": "float32"}),
    ("constant_initializer", ([1, 2, 3, 4],), ([2, 2],), {"dtype": "float64"}),
    ("constant_initializer", ([1, 2, 3],), ([2, 2],), {}),
    ("constant_initializer", (2.5,), ([3],), {"partition_shape": [1]}),
    ("zeros_initializer", (), ([3],), {"bad": 1}),
    ("random_normal_initializer", (0., 1., 3), ([2],), {"dtype": "int32"}),
    ("random_uniform_initializer", (0., 1., 3), ([2],), {"dtype": "bool"}),
]


@pytest.mark.parametrize("name,args,call_args,kw", INIT_CASES)
def test_initializers(name, args, call_args, kw):
    def run(lib):
        try:
            kwargs = {k: (getattr(lib, v) if k == "dtype" else v) for k, v in kw.items()}
            return getattr(lib, name)(*args)(*call_args, **kwargs), None
        except Exception as e:  # noqa: BLE001
            return None, type(e).__name__
    (ours, oe), (theirs, te) = run(tf), run(real_tf)
    assert oe == te, (oe, te)
    if te is None:
        assert_same(ours, theirs)


@pytest.mark.parametrize("name,args,dtype,lo,hi", [
    ("random_uniform_initializer", (-2., 3.), "float32", -2., 3.),
    ("random_uniform_initializer", (0, 10), "int32", 0, 10),
    ("random_uniform_initializer", (), "float64", -0.05, 0.05),
    ("random_normal_initializer", (5., 0.5), "float32", 1., 9.),
    ("random_normal_initializer", (), "float16", -1., 1.),
])
def test_random_initializers(name, args, dtype, lo, hi):
    """Shape, dtype and range as TF's; a seed makes every call give the same values."""
    ours_seeded = getattr(tf, name)(*args, seed=7)
    theirs = getattr(real_tf, name)(*args, seed=7)([50, 4], getattr(real_tf, dtype))
    a = ours_seeded([50, 4], getattr(tf, dtype))
    assert (a.dtype.name, tuple(a.shape)) == (theirs.dtype.name, tuple(theirs.shape))
    v = a.numpy().astype(np.float64)
    assert v.min() >= lo and v.max() <= hi
    np.testing.assert_array_equal(a.numpy(), ours_seeded([50, 4], getattr(tf, dtype)).numpy())
    unseeded = getattr(tf, name)(*args)
    assert not np.array_equal(unseeded([50, 4], getattr(tf, dtype)).numpy(),
                              unseeded([50, 4], getattr(tf, dtype)).numpy())
    cfg = getattr(tf, name)(*args, seed=7).get_config()
    assert cfg == getattr(real_tf, name)(*args, seed=7).get_config()
    assert type(getattr(tf, name).from_config(cfg)) is getattr(tf, name)


def test_initializer_configs():
    for name, args in [("constant_initializer", ([1, 2],)), ("zeros_initializer", ()),
                       ("ones_initializer", ())]:
        assert getattr(tf, name)(*args).get_config() == getattr(real_tf, name)(*args).get_config()
    with pytest.raises(TypeError):
        tf.constant_initializer(object())
    with pytest.raises(TypeError):
        real_tf.constant_initializer(object())


DEVICE_STRINGS = ["", "/job:worker/replica:0/task:1/device:GPU:2", "/cpu:0", "/GPU:*",
                  "/job:ps", "/task:3/device:TPU:1", "gpu:1", "/job:a/device:CPU:0/device:GPU:0",
                  "/foo:1", "/job:a/CPU"]


@pytest.mark.parametrize("spec", DEVICE_STRINGS)
def test_device_spec_strings(spec):
    def run(lib):
        try:
            d = lib.DeviceSpec.from_string(spec)
            return (d.to_string(), repr(d), d.job, d.replica, d.task, d.device_type,
                    d.device_index), None
        except Exception as e:  # noqa: BLE001
            return None, (type(e).__name__, str(e))
    assert run(tf) == run(real_tf)


def test_device_spec_merge_replace():
    for lib in (tf, real_tf):
        a = lib.DeviceSpec(job="ps", task=1, device_type="cpu")
        b = lib.DeviceSpec(replica=2, device_type="GPU", device_index=0)
        got = (a.make_merged_spec(b).to_string(), b.make_merged_spec(a).to_string(),
               a.replace(job="w", device_index=3).to_string(), a == lib.DeviceSpec.from_string(
                   a.to_string()), hash(a) == hash(lib.DeviceSpec(job="ps", task=1,
                                                                   device_type="CPU")))
        if lib is tf:
            ours = got
    assert ours == got


def _spec_values(lib):
    return [1, 1.5, [1, 2], np.ones((2, 3), np.float16), lib.constant([1, 2]), "a", True, None,
            lib.ragged.constant([[1], [2, 3]]), lib.sparse.from_dense([[1., 0.], [0., 2.]]),
            (1, 2), lib.Variable(1.), lib.Variable([1, 2], trainable=False),
            lib.IndexedSlices(lib.ones([2, 2]), lib.constant([0, 1]), lib.constant([3, 2])),
            {"a": 1}, object()]


@pytest.mark.parametrize("i", range(16))
def test_type_spec_from_value(i):
    def run(lib):
        try:
            return repr(lib.type_spec_from_value(_spec_values(lib)[i])), None
        except Exception as e:  # noqa: BLE001
            return None, type(e).__name__
    (ours, oe), (theirs, te) = run(tf), run(real_tf)
    assert oe == te
    if te is None and i != 15:
        assert ours == theirs


def test_specs():
    for lib in (tf, real_tf):
        a = lib.IndexedSlicesSpec([None, 3], lib.float64, lib.int32)
        b = lib.IndexedSlicesSpec([2, 3], lib.float64, lib.int32)
        got = (repr(a), repr(lib.IndexedSlicesSpec()), a == lib.IndexedSlicesSpec(
            [None, 3], lib.float64, lib.int32), a == b, a.is_compatible_with(b),
            b.is_compatible_with(lib.IndexedSlicesSpec([2, 3])), a.value_type.__name__,
            hash(a) == hash(lib.IndexedSlicesSpec([None, 3], lib.float64, lib.int32)),
            repr(lib.NoneTensorSpec()), lib.NoneTensorSpec() == lib.NoneTensorSpec(),
            lib.NoneTensorSpec().is_compatible_with(None))
        if lib is tf:
            ours = got
    assert ours == got


def test_scopes_and_tracing():
    for lib in (tf, real_tf):
        seen = [lib.get_current_name_scope(), lib.inside_function(),
                lib.is_symbolic_tensor(lib.constant(1)), lib.is_symbolic_tensor(1.0)]
        with lib.name_scope("outer"):
            with lib.name_scope("inner"):
                seen.append(lib.get_current_name_scope())
            seen.append(lib.get_current_name_scope())

        @lib.function
        def f(x):
            seen.extend([lib.inside_function(), lib.is_symbolic_tensor(x)])
            with lib.init_scope():
                seen.append(lib.inside_function())
            return x
        f(lib.constant(1.0))
        if lib is tf:
            ours, seen = seen, None
    assert ours == seen


def test_timestamp():
    a = tf.timestamp()
    b = real_tf.timestamp()
    assert a.dtype.name == b.dtype.name == "float64" and a.shape == b.shape == ()
    assert abs(float(a) - float(b)) < 60
    f = tf.function(lambda: tf.timestamp())
    t1 = float(f())
    import time
    time.sleep(0.01)
    assert float(f()) > t1   # read when the function runs, not when traced


@pytest.mark.parametrize("fn", ["round", "floor", "sign"])
def test_grad_pass_through(fn):
    def run(lib):
        x = lib.Variable([0.7, -1.2, 2.5])
        with lib.GradientTape() as tape:
            y = lib.grad_pass_through(getattr(lib.math, fn))(x * 3.0)
            loss = lib.reduce_sum(y * y)
        return y, tape.gradient(loss, x)
    for a, b in zip(run(tf), run(real_tf)):
        assert_same(a, b)


def test_gradient_registry():
    for lib in (tf, real_tf):
        outcome = []
        for op_type in (object(), "AddV2", f"TftapeTestOp{id(lib)}"):
            try:
                lib.RegisterGradient(op_type)(lambda op, g: g)
                outcome.append(None)
            except Exception as e:  # noqa: BLE001
                outcome.append(type(e).__name__)
        for op_type in (f"TftapeTestOp{id(lib)}", f"TftapeNoGrad{id(lib)}", 3):
            try:
                lib.no_gradient(op_type)
                outcome.append(None)
            except Exception as e:  # noqa: BLE001
                outcome.append(type(e).__name__)
        if lib is tf:
            ours = outcome
    assert ours == outcome == [None if False else "TypeError", "KeyError", None, "KeyError", None,
                               "TypeError"]
    assert tf.AggregationMethod.ADD_N == real_tf.AggregationMethod.ADD_N
    assert tf.AggregationMethod.DEFAULT == real_tf.AggregationMethod.DEFAULT
    assert tf.AggregationMethod.EXPERIMENTAL_TREE == real_tf.AggregationMethod.EXPERIMENTAL_TREE
    assert tf.AggregationMethod.EXPERIMENTAL_ACCUMULATE_N == \
        real_tf.AggregationMethod.EXPERIMENTAL_ACCUMULATE_N


def _sparse(lib, indices, values, shape):
    return lib.sparse.SparseTensor(indices, values, shape)


EDIT_CASES = [
    (([[0, 0], [0, 1], [1, 0]], ["a", "b", "c"], [2, 3]), ([[0, 0], [1, 0], [1, 1]],
                                                          ["a", "c", "d"], [2, 2])),
    (([[0, 0, 0], [1, 0, 0]], ["a", "b"], [2, 1, 1]), ([[0, 1, 0], [1, 0, 0]], ["a", "b"],
                                                       [2, 2, 1])),
    (([[0, 0], [0, 1], [0, 2]], [1, 2, 3], [1, 3]), ([[0, 0], [0, 1], [0, 2], [0, 3]],
                                                     [3, 2, 1, 0], [1, 4])),
    (([[0, 0]], [1], [1, 1]), ([[0, 0]], ["x"], [1, 1])),
    (([[0, 0]], [1], [1, 1]), (np.zeros([0, 2], np.int64), np.zeros([0], np.int32), [1, 1])),
]


@pytest.mark.parametrize("case", range(len(EDIT_CASES)))
@pytest.mark.parametrize("normalize", [True, False])
def test_edit_distance(case, normalize):
    def run(lib):
        h, t = EDIT_CASES[case]
        try:
            return lib.edit_distance(_sparse(lib, *h), _sparse(lib, *t), normalize=normalize), None
        except Exception as e:  # noqa: BLE001
            return None, (type(e).__name__, str(e))
    (ours, oe), (theirs, te) = run(tf), run(real_tf)
    assert oe == te
    if te is None:
        assert_same(ours, theirs)


@settings(deadline=None, max_examples=15)
@given(st.lists(st.lists(st.integers(0, 3), max_size=5), min_size=1, max_size=3),
       st.lists(st.lists(st.integers(0, 3), max_size=5), min_size=1, max_size=3))
def test_edit_distance_random(hyp, truth):
    def sparse(lib, seqs):
        idx = [[i, j] for i, s in enumerate(seqs) for j in range(len(s))]
        vals = [v for s in seqs for v in s]
        return lib.sparse.SparseTensor(np.asarray(idx, np.int64).reshape(-1, 2),
                                       np.asarray(vals, np.int32),
                                       [len(seqs), max([len(s) for s in seqs] + [1])])
    assert_same(tf.edit_distance(sparse(tf, hyp), sparse(tf, truth)),
                real_tf.edit_distance(sparse(real_tf, hyp), sparse(real_tf, truth)))


def test_edit_distance_errors():
    for lib in (tf, real_tf):
        with pytest.raises(TypeError):
            lib.edit_distance(_sparse(lib, [[0, 0]], [1], [1, 1]), lib.constant([1]))
        with pytest.raises(TypeError):
            lib.edit_distance([1], _sparse(lib, [[0, 0]], [1], [1, 1]))


MORE_CASES = """
tf.approx_top_k(tf.constant([[1., 5., 3.], [4., 0., 9.]]), 2)[0]
tf.approx_top_k(tf.constant([[1., 5., 3.], [4., 0., 9.]]), 2)[1]
tf.approx_top_k(tf.constant([1., 5., 3.], tf.float16), 3)[1]
tf.approx_top_k(tf.constant([[1, 5, 3]]), 2)
tf.approx_top_k(tf.constant([[1., 5., 3.]]), 2, is_max_k=False)
tf.approx_top_k(tf.constant([[1., 5., 3.]]), 5)
tf.approx_top_k(tf.constant([[[1., 5., 3.]]]), 2, reduction_dimension=2)
tf.guarantee_const([1, 2])
tf.guarantee_const(tf.constant([[1.5]]))
tf.tuple([tf.constant(1), tf.constant([2.])])[1]
"""


@pytest.mark.parametrize("src", MORE_CASES.strip().splitlines())
def test_more(src):
    check_expr(src)


def test_tuple():
    a = tf.constant(1)
    ours = tf.tuple([a, None])
    theirs = real_tf.tuple([real_tf.constant(1), None])
    assert type(ours) is type(theirs) and ours[1] is theirs[1] is None and ours[0] is a
    f = tf.function(lambda x: tf.tuple([x * 2, None])[0])
    g = real_tf.function(lambda x: real_tf.tuple([x * 2, None])[0])
    assert_same(f(tf.constant(3.)), g(real_tf.constant(3.)))


FP_ROWS = [np.array([1, 2, 3], np.int32), np.arange(6, dtype=np.int64).reshape(2, 3),
           np.linspace(-1, 1, 60).astype(np.float32).reshape(2, 30), np.array([[True, False]]),
           np.array([[b"a", b"bc"], [b"d", b""]], object)]


@pytest.mark.parametrize("i", range(len(FP_ROWS)))
def test_fingerprint(i):
    assert_same(tf.fingerprint(FP_ROWS[i]), real_tf.fingerprint(FP_ROWS[i]))


@settings(deadline=None, max_examples=25)
@given(st.lists(st.binary(max_size=300), min_size=1, max_size=4))
def test_fingerprint_strings(strings):
    """Every FarmHash length class (0-16, 17-32, 33-64, longer, 64-byte blocks)."""
    x = np.array(strings, object)
    assert_same(tf.fingerprint(x), real_tf.fingerprint(x))


FILL_CASES = """
tf.fingerprint(tf.constant(1))
tf.fingerprint(tf.constant([1]), method='x')
tf.ragged_fill_empty_rows([0, 0, 2, 2], [1, 2, 3, 4], 4, -1)[0]
tf.ragged_fill_empty_rows([0, 0, 2, 2], [1, 2, 3, 4], 4, -1)[1]
tf.ragged_fill_empty_rows([0, 0, 2, 2], [1., 2., 3., 4.], 4, -1.)[2]
tf.ragged_fill_empty_rows([0, 0, 2, 2], [1, 2, 3, 4], 4, -1)[3]
tf.ragged_fill_empty_rows(tf.constant([1, 3], tf.int64), ['a', 'b'], 5, 'z')[1]
tf.ragged_fill_empty_rows(tf.constant([], tf.int64), tf.constant([], tf.float32), 3, 7.)[1]
tf.ragged_fill_empty_rows(tf.constant([1, 3], tf.int64), [[1, 2], [3, 4]], 5, 0)
tf.ragged_fill_empty_rows(tf.constant([1, 3], tf.int64), [1, 2], 2, 0)
tf.ragged_fill_empty_rows_grad(tf.constant([0, 2], tf.int64), [1., 2., 3.])[0]
tf.ragged_fill_empty_rows_grad(tf.constant([0, 2], tf.int64), [1., 2., 3., 4.])[1]
"""


@pytest.mark.parametrize("src", FILL_CASES.strip().splitlines())
def test_fill_empty_rows(src):
    check_expr(src, message=True)


def test_fill_empty_rows_gradient():
    def run(lib):
        v, d = lib.constant([1., 2., 3.]), lib.constant(0.5)
        with lib.GradientTape() as tape:
            tape.watch([v, d])
            out = lib.ragged_fill_empty_rows([0, 2, 2], v, 5, d).output_values
            loss = lib.reduce_sum(out * lib.range(1., 7.))
        return tape.gradient(loss, [v, d])
    for a, b in zip(run(tf), run(real_tf)):
        assert_same(a, b)


def test_nondifferentiable_batch_function():
    def run(lib):
        @lib.nondifferentiable_batch_function(1, 4, 100)
        def f(x, y):
            return x * 2 + y
        return f(lib.constant([[1.], [2.]]), lib.constant([[0.5], [1.]]))
    assert_same(run(tf), run(real_tf))


# -- tf.gradients / tf.hessians -------------------------------------------------------------------
def test_gradients_eager_raises():
    for lib in (tf, real_tf):
        for fn in (lib.gradients, lib.hessians):
            with pytest.raises(RuntimeError, match="tf.gradients is not supported when eager"):
                fn(lib.constant(1.), lib.constant(2.))


SYMBOLIC = {
    "elementwise": lambda t, x, w: t.gradients(t.sin(x) * x + t.exp(x / 4.), x),
    "matmul": lambda t, x, w: t.gradients(t.reduce_sum(t.matmul(t.reshape(x, [2, 3]), w)),
                                          [x, w]),
    "two_ys": lambda t, x, w: t.gradients([t.reduce_sum(x * x), t.reduce_mean(x)], x),
    "grad_ys": lambda t, x, w: t.gradients(x * 3., x, grad_ys=x + 1.),
    "unconnected": lambda t, x, w: t.gradients(x * 2., [x, w])[1] is None,
    "unconnected_zero": lambda t, x, w: t.gradients(
        x * 2., [x, w], unconnected_gradients=t.UnconnectedGradients.ZERO)[1],
    "stop_gradients": lambda t, x, w: t.gradients(x * x + t.sin(x) * 2., x,
                                                  stop_gradients=[x * x]),
    "intermediate": lambda t, x, w: t.gradients(t.square(t.tanh(x * 2.)), t.tanh(x * 2.)),
    "softmax": lambda t, x, w: t.gradients(t.nn.softmax(x)[0] * 5., x),
    "cond": lambda t, x, w: t.gradients(t.cond(x[0] > 0, lambda: x * x, lambda: -x), x),
    "hessian": lambda t, x, w: t.hessians(t.reduce_sum(x ** 3 * t.reduce_sum(x)), x),
    "hessian_two": lambda t, x, w: t.hessians(t.reduce_sum(t.matmul(
        t.reshape(x, [2, 3]), w) ** 2), [x, w]),
}


@pytest.mark.parametrize("name", sorted(SYMBOLIC))
def test_symbolic_gradients_in_function(name):
    x = np.array([0.5, -1.0, 2.0, 0.3, 1.5, -0.7], np.float32)
    w = np.arange(12, dtype=np.float32).reshape(3, 4) / 10

    def run(lib):
        return lib.function(lambda a, b: SYMBOLIC[name](lib, a, b))(lib.constant(x),
                                                                    lib.constant(w))
    ours, theirs = run(tf), run(real_tf)
    ours = ours if isinstance(ours, list) else [ours]
    theirs = theirs if isinstance(theirs, list) else [theirs]
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        if isinstance(b, (bool, np.bool_)) or b is None:
            assert bool(a) == bool(b)
        else:
            assert_same(a, b, rtol=2e-5)


def test_symbolic_gradients_of_variables():
    def run(lib):
        v = lib.Variable([1., 2., 3.])

        @lib.function
        def f():
            y = lib.reduce_sum(v * v * 3. + lib.sin(v))
            return lib.gradients(y, v)
        return f()
    for a, b in zip(run(tf), run(real_tf)):
        assert_same(a, b, rtol=2e-5)


PROTO_CASES = [
    ((1.0,), {}), (([1., 2.],), {}), ((5,), {"shape": [2, 2]}), (([1, 2, 3],), {"dtype": "int64"}),
    ((["a", "b"],), {}), ((True,), {}), (([1 + 2j],), {}), ((np.float16(1.5),), {}),
    (([[1, 2], [3, 4]],), {"dtype": "float32"}), (([1, 2, 3],), {"shape": [2]}),
    (([1, 2],), {"shape": [4]}), ((np.array([1, 2], np.uint32),), {}),
    ((np.array(3, np.int8),), {}), (([1.5, 2.5],), {"dtype": "int32"}),
    ((b'xy\x00"\n',), {}), ((["a\x00", b"b\x00\x00"],), {}), (([[]],), {}),
    ((np.uint64(7),), {}), (([0.1, 1e20, -3.25],), {"shape": [5]}),
    ((np.array([0.1, 2.5]),), {}), ((0.1,), {"dtype": "float64"}), ((np.complex64(1 - 2j),), {}),
    ((np.array([[1, 2]], np.int64),), {}), ((None,), {}),
    (([1, 2],), {"shape": [2], "verify_shape": True}),
    (([1, 2],), {"shape": [1, 2], "verify_shape": True}), ((np.array([True, False]),), {}),
    (([-5, 3],), {"shape": [3]}), (([2 ** 40],), {}), ((np.array([1.5], np.float16),), {"shape": [3]}),
]


@pytest.mark.parametrize("i", range(len(PROTO_CASES)))
def test_make_tensor_proto(i):
    """Text format, serialized bytes and make_ndarray's value, or the exception, as TF's."""
    args, kw = PROTO_CASES[i]

    def run(lib):
        kwargs = {k: (getattr(lib, v) if k == "dtype" else v) for k, v in kw.items()}
        try:
            p = lib.make_tensor_proto(*args, **kwargs)
            a = lib.make_ndarray(p)
            return str(p), p.SerializeToString(), a.dtype, a.shape, a.tolist(), p.dtype
        except Exception as e:  # noqa: BLE001
            return type(e).__name__, str(e)
    assert run(tf) == run(real_tf)


def test_make_ndarray_of_tensor_raises():
    for lib in (tf, real_tf):
        with pytest.raises(AttributeError):
            lib.make_ndarray(lib.constant(1))


SQRTM_CASES = """
tf.matrix_square_root([[4., 1.], [0., 9.]])
tf.matrix_square_root(tf.constant([[2., 1., 0.], [1., 3., 1.], [0., 1., 4.]], tf.float64))
tf.matrix_square_root(tf.reshape(tf.constant([5., 1., 1., 5., 3., 0., 0., 2.]), [2, 2, 2]))
tf.matrix_square_root(tf.constant([[1 + 1j, 0.5], [0.2, 2 - 1j]], tf.complex64))
tf.matrix_square_root(tf.zeros([0, 0]))
tf.matrix_square_root([[-4., 0.], [0., 9.]])
tf.matrix_square_root([[4., 1., 2.], [0., 9., 1.]])
tf.matrix_square_root([4., 1.])
tf.matrix_square_root([[4, 1], [0, 9]])
tf.matrix_square_root(tf.constant([[4., 1.], [0., 9.]], tf.float16))
"""


@pytest.mark.parametrize("src", SQRTM_CASES.strip().splitlines())
def test_matrix_square_root(src):
    check_expr(src, rtol=1e-4, message=True)


def test_matrix_square_root_gradient():
    a = np.array([[[5., 1., 0.5], [1., 4., 1.], [0.5, 1., 3.]],
                  [[2., 0.3, 0.], [0.1, 3., 0.2], [0., 0.4, 6.]]], np.float64)

    def run(lib):
        x = lib.constant(a)
        with lib.GradientTape() as tape:
            tape.watch(x)
            y = lib.matrix_square_root(x)
            loss = lib.reduce_sum(y * lib.reshape(lib.range(18, dtype=lib.float64), [2, 3, 3]))
        return tape.gradient(loss, x)
    assert_same(run(tf), run(real_tf), rtol=1e-6)


@pytest.mark.parametrize("name", ["qint8", "quint8", "qint16", "quint16", "qint32", "resource",
                                  "variant"])
def test_extra_dtypes(name):
    def props(lib):
        d = getattr(lib, name)
        row = [d.name, d.as_datatype_enum, repr(d), str(d), d.is_quantized, d.is_numpy_compatible,
               d.is_integer, d.is_floating, d.is_unsigned, d.is_bool, d.is_complex, d.size,
               d.base_dtype is d, d.real_dtype is d, lib.as_dtype(name) is d,
               lib.as_dtype(d.as_datatype_enum) is d, d == name, d != lib.int8]
        for attr in ("as_numpy_dtype", "min", "max"):
            try:
                row.append(repr(getattr(d, attr)))
            except Exception as e:  # noqa: BLE001
                row.append((type(e).__name__, str(e) if attr != "as_numpy_dtype" else ""))
        if d.is_quantized:
            row.append(lib.as_dtype(d.as_numpy_dtype) is d)
        return row
    assert props(tf) == props(real_tf)


@pytest.mark.parametrize("fn", ["assert_equal", "assert_none_equal", "assert_less",
                                "assert_less_equal", "assert_greater", "assert_greater_equal"])
@pytest.mark.parametrize("x,y", [([1, 2], [1, 2, 3]), ([[1, 2]], [[1], [2], [3]]),
                                 ([[1., 2.], [3., 4.]], [1., 2., 3.]), ([1, 2], [[3, 4]])])
def test_binary_asserts_on_shapes_that_do_not_broadcast(fn, x, y):
    """Shapes that do not broadcast fail in the comparison op, with its message (TF)."""
    check_expr(f"tf.debugging.{fn}(tf.constant({x}), tf.constant({y}))", message=True)

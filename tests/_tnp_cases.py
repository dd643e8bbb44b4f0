"""Expressions evaluated with both tftape and real TF (``tf``, ``tnp``, ``np`` bound to each).

Shared by tests/test_tnp.py in-process and by its numpy-behaviour subprocess, so both sides
normalise results the same way.
"""
from __future__ import annotations

import numpy as np

SETUP = """
i32 = tf.constant([[1, -2, 3], [4, 5, -6]])
f32 = tf.constant([[1.5, -2., 3.], [0.5, 5., -6.]])
i64 = tnp.asarray([[1, 2, 3], [4, 5, 6]])
f64 = tnp.asarray([[1.5, 2.25, -3.], [4., 0.5, 6.]])
b = tf.constant([[True, False, True], [False, False, True]])
u8 = tf.constant([1, 2, 3], tf.uint8)
i8 = tf.constant([1, -2, 3], tf.int8)
f16 = tf.constant([1.5, 2.5], tf.float16)
c64 = tf.constant([1+2j, -3j], tf.complex64)
v = tf.Variable([1.0, 2.0])
vi = tf.Variable([1, 2])
sq = tnp.asarray([[2., 1.], [1., 3.]])
"""


def normalize(x, depth=0):
    """A picklable, comparable description of a result."""
    name = type(x).__name__
    if hasattr(x, "dtype") and hasattr(x, "numpy") and hasattr(x, "shape") and \
            not isinstance(x, np.ndarray):
        a = np.asarray(x.numpy())
        return ("tensor", x.dtype.name, tuple(x.shape), a)
    if name == "TensorShape":
        return ("shape", tuple(x.as_list()) if x.rank is not None else None)
    if isinstance(x, (list, tuple)) and depth < 3:
        return (type(x).__name__, tuple(normalize(i, depth + 1) for i in x))
    if isinstance(x, np.ndarray):
        return ("ndarray", x.dtype.name, x)
    if isinstance(x, np.generic):
        return ("npscalar", x.dtype.name, x.item())
    if isinstance(x, np.dtype) or (isinstance(x, type) and issubclass(x, np.generic)):
        return ("npdtype", np.dtype(x).name)
    if isinstance(x, (bool, int, float, complex, str, bytes, type(None))):
        return ("py", type(x).__name__, x)
    if name == "DType":
        return ("dtype", x.name)
    return ("other", name, repr(x))


_ENVS: dict = {}


def run(tf, tnp, expr: str):
    # The inputs are immutable (no case assigns), so each library builds them once.
    env = _ENVS.get(id(tf))
    if env is None:
        env = _ENVS[id(tf)] = {"tf": tf, "tnp": tnp, "np": np}
        exec(SETUP, env)
    env = dict(env)
    try:
        return normalize(eval(expr, env))
    except Exception as e:  # noqa: BLE001 - the exception type is what we compare
        return ("error", type(e).__name__, str(e))


def same(ours, theirs) -> bool:
    if ours[0] != theirs[0]:
        return False
    kind = ours[0]
    if kind == "tensor":
        if ours[1:3] != theirs[1:3]:
            return False
        a, b = ours[3], theirs[3]
        if a.dtype.kind in "OSUbiu":
            return bool(np.array_equal(a, b))
        return bool(np.allclose(a.astype(np.complex128), b.astype(np.complex128), rtol=1e-5,
                                atol=1e-6, equal_nan=True))
    if kind in ("list", "tuple"):
        return len(ours[1]) == len(theirs[1]) and all(
            same(a, b) for a, b in zip(ours[1], theirs[1]))
    if kind == "ndarray":
        return ours[1] == theirs[1] and np.array_equal(ours[2], theirs[2])
    if kind == "error":
        return ours[1] == theirs[1]
    if kind == "py" and ours[1] == "float":
        return np.isclose(ours[2], theirs[2])
    return ours == theirs


# Expressions for the default (TF) behaviour.
TNP_CASES = [
    # creation and dtype inference
    "tnp.asarray([1, 2, 3])", "tnp.asarray([1.5, 2])", "tnp.asarray([True, False])",
    "tnp.asarray([])", "tnp.asarray([[1, 2], [3, 4]], dtype=tnp.float32)",
    "tnp.asarray(i32)", "tnp.asarray(i32, dtype=tnp.int64)", "tnp.asarray(np.array([1, 2], np.int16))",
    "tnp.asarray(3)", "tnp.asarray(2.5)", "tnp.asarray(1+2j)", "tnp.asarray('abc')",
    "tnp.asarray([1, 2**40])", "tnp.asarray(v)", "tnp.asarray([i32[0, 0], 2])",
    "tnp.array([1, 2], ndmin=3)", "tnp.array(f32, dtype=tnp.float64)",
    "tnp.array([1, 2], dtype=tf.float32)", "tnp.asanyarray([1])", "tnp.ascontiguousarray(3)",
    "tnp.zeros(3)", "tnp.zeros((2, 2), dtype=tnp.int32)", "tnp.ones(2)", "tnp.ones([2], tnp.int8)",
    "tnp.empty((1, 2))", "tnp.zeros_like(i32)", "tnp.zeros_like([1.5])", "tnp.ones_like(f32)",
    "tnp.ones_like([1, 2], dtype=tnp.float32)", "tnp.empty_like(b)",
    "tnp.full((2, 2), 3)", "tnp.full(3, 2.5)", "tnp.full((2,), 7, dtype=tnp.int8)",
    "tnp.full_like(f32, 2)", "tnp.full_like(i32, 2.7)",
    "tnp.eye(3)", "tnp.eye(2, 3, k=1)", "tnp.eye(3, k=-1, dtype=tnp.int32)", "tnp.identity(2)",
    "tnp.arange(5)", "tnp.arange(1.0, 3)", "tnp.arange(0, 10, 3)", "tnp.arange(5, 1, -1)",
    "tnp.arange(3, dtype=tnp.float32)", "tnp.arange(5, 1)", "tnp.arange(0, 1, 0.25)",
    "tnp.arange(1, 2, 0)",
    "tnp.linspace(0, 1, 5)", "tnp.linspace(0, 1, 4, endpoint=False)",
    "tnp.linspace(0, 10, 3, retstep=True)", "tnp.linspace(0., 1., 3, dtype=tnp.float32)",
    "tnp.logspace(0, 2, 3)", "tnp.geomspace(1, 100, 3)",
    "tnp.tri(3)", "tnp.tri(2, 3, k=1, dtype=tnp.int32)", "tnp.tril(sq)", "tnp.triu(i32)",
    "tnp.triu(i32, k=1)", "tnp.tril([1, 2])", "tnp.diag([1, 2])", "tnp.diag(i32)",
    "tnp.diag(i32, k=1)", "tnp.diagflat([[1, 2]])", "tnp.diagonal(i32)", "tnp.vander([1, 2, 3])",
    "tnp.copy(f32)", "tnp.diag_indices(2)",
    # elementwise unary
    "tnp.sqrt(f32)", "tnp.exp(f64)", "tnp.log(tnp.abs(f32))", "tnp.sin(f16)", "tnp.cos(f64)",
    "tnp.tanh(f32)", "tnp.arctan(f32)", "tnp.abs(i32)", "tnp.abs(f32)", "tnp.absolute(f64)",
    "tnp.fabs(f32)", "tnp.negative(i32)", "tnp.negative([1, 2])", "tnp.square(i32)",
    "tnp.square(f16)", "tnp.reciprocal(f32)", "tnp.positive(i32)", "tnp.ceil(f32)",
    "tnp.floor(f64)", "tnp.conj(c64)", "tnp.real(c64)", "tnp.imag(c64)", "tnp.imag(f32)",
    "tnp.sign(i32)", "tnp.sign(f32)", "tnp.signbit(f32)", "tnp.signbit(i32)", "tnp.angle(c64)",
    "tnp.angle(f32)", "tnp.angle(f32, deg=True)", "tnp.cbrt(f32)", "tnp.exp2(f32)",
    "tnp.expm1(f32)", "tnp.log1p(tnp.abs(f32))", "tnp.log2(tnp.abs(f64))",
    "tnp.log10(tnp.abs(f32))", "tnp.fix(f32)", "tnp.sinc(f32)", "tnp.deg2rad(f32)",
    "tnp.rad2deg(f32)", "tnp.isnan(f32)", "tnp.isfinite(f64)", "tnp.isinf(f32)",
    "tnp.isinf(i32)", "tnp.isneginf(tnp.asarray([-np.inf, 1.]))", "tnp.isposinf(f32)",
    "tnp.iscomplex(c64)", "tnp.isreal(c64)", "tnp.iscomplexobj(c64)", "tnp.isrealobj(f32)",
    "tnp.sqrt(i32)", "tnp.sin([1, 2])", "tnp.arcsin(f32 / 10)", "tnp.arccosh(f32 * 0 + 2)",
    "tnp.arcsinh(f32)", "tnp.arctanh(f32 / 10)", "tnp.sinh(f32)", "tnp.cosh(f32)", "tnp.tan(f32)",
    "tnp.arccos(f32 / 10)", "tnp.around(f64, 1)", "tnp.round(f32)", "tnp.around(i32)",
    "tnp.bitwise_not(i32)", "tnp.bitwise_not(b)",
    # binary with promotion
    "tnp.add(i32, f32)", "tnp.add(i32, 2.5)", "tnp.add(f32, 2.5)", "tnp.add(i32, [1, 2, 3])",
    "tnp.add(i8, 1000)", "tnp.add(b, b)", "tnp.add(u8, i8)", "tnp.add(i32, i64)",
    "tnp.add(f16, 1)", "tnp.add(f16, f32[0, :2])", "tnp.add(c64, 1.5)", "tnp.add(v, 1)",
    "tnp.subtract(i64, f32)", "tnp.subtract(3, i32)", "tnp.multiply(b, b)",
    "tnp.multiply(i32, 0.5)", "tnp.true_divide(i32, 2)", "tnp.divide(i32, i32)",
    "tnp.divide(b, b)", "tnp.divide(f32, 2)", "tnp.floor_divide(i32, 4)",
    "tnp.floor_divide(f32, 2)", "tnp.floor_divide(tnp.asarray([1]), 0)", "tnp.mod(i32, 4)",
    "tnp.mod(f32, 4)", "tnp.remainder(-7, i32)", "tnp.divmod(i32, 3)", "tnp.maximum(i32, f32)",
    "tnp.maximum(i32, 0)", "tnp.minimum(b, b)", "tnp.minimum(f32, 1)", "tnp.power(i32, 2)",
    "tnp.power(f32, 2)", "tnp.power(i32, 0.5)", "tnp.float_power(f32, 2)",
    "tnp.arctan2(f32, i32)", "tnp.hypot(f32, f32)", "tnp.nextafter(f32, 0.)",
    "tnp.heaviside(f32, 0.5)", "tnp.logaddexp(f32, f32)", "tnp.logaddexp2(f64, 1.)",
    "tnp.kron([1, 2], [1, 10])", "tnp.outer([1, 2], [1., 3.])", "tnp.polyval([1, 2, 3], f32)",
    "tnp.gcd(i32, 4)", "tnp.lcm(i32, 4)", "tnp.bitwise_and(i32, 3)", "tnp.bitwise_or(b, b)",
    "tnp.bitwise_xor(i32, i64)", "tnp.clip(f32, -1, 2)", "tnp.clip(i32, 0, 2.5)",
    "tnp.clip(i32, None, 2)", "tnp.clip(f32, 0, None)", "tnp.clip(i32, None, None)",
    "tnp.isclose(f32, 1.5)", "tnp.allclose(f32, f32)", "tnp.allclose(f32, f64)",
    # comparisons and logic
    "tnp.equal(i32, f32)", "tnp.not_equal(i32, 1)", "tnp.greater(i32, 1.5)",
    "tnp.greater_equal(f32, i64)", "tnp.less(b, b)", "tnp.less_equal(i32, 3)",
    "tnp.array_equal(i32, i32)", "tnp.array_equal(i32, f32)", "tnp.array_equal([1, 2], [1])",
    "tnp.logical_and(i32, b)", "tnp.logical_or(f32, 0)", "tnp.logical_xor(b, True)",
    "tnp.logical_not(i32)",
    # reductions
    "tnp.sum(i32)", "tnp.sum(i32, axis=0)", "tnp.sum(f32, axis=1, keepdims=True)",
    "tnp.sum(b)", "tnp.sum(u8)", "tnp.sum(i8)", "tnp.sum(f16)", "tnp.sum(i32, dtype=tnp.float32)",
    "tnp.sum(b, dtype=tnp.bool_)", "tnp.sum([1.5, 2])", "tnp.sum(i32, axis=(0, 1))",
    "tnp.sum(i32, axis=2)", "tnp.prod(i32)", "tnp.prod(f32, axis=0)", "tnp.prod(b)",
    "tnp.mean(i32)", "tnp.mean(f32, axis=0)", "tnp.mean(b)", "tnp.mean(i32, dtype=tnp.float32)",
    "tnp.amax(i32)", "tnp.amax(f32, axis=1)", "tnp.max(b)", "tnp.amin(i32, axis=0, keepdims=True)",
    "tnp.min(f64)", "tnp.max(tnp.asarray([]))", "tnp.amin(tnp.zeros((0, 2), tnp.int32), axis=0)", "tnp.all(i32)", "tnp.all(b, axis=0)",
    "tnp.any(f32)", "tnp.any(b, axis=1, keepdims=True)", "tnp.var(i32)", "tnp.var(f32, axis=0)",
    "tnp.var(f32, ddof=1)", "tnp.var(i32, axis=1, ddof=1)", "tnp.std(i32)",
    "tnp.std(f32, axis=1)", "tnp.ptp(i32)", "tnp.ptp(f32, axis=0)", "tnp.count_nonzero(i32)",
    "tnp.count_nonzero(b, axis=0)", "tnp.argmax(i32)", "tnp.argmax(f32, axis=1)",
    "tnp.argmin(i32, axis=0)", "tnp.argmax(b)", "tnp.cumsum(i32)", "tnp.cumsum(i32, axis=1)",
    "tnp.cumsum(f32, axis=0)", "tnp.cumsum(b)", "tnp.cumprod(i8)", "tnp.cumprod(f32, axis=1)",
    "tnp.average(i32)", "tnp.average(f32, axis=0)", "tnp.average(i32, weights=[[1, 2, 3], [1, 1, 1]])",
    "tnp.average(f32, axis=1, weights=[1., 0., 1.])", "tnp.average(i32, returned=True)",
    "tnp.nansum(tnp.asarray([1., np.nan]))", "tnp.nanprod(tnp.asarray([2., np.nan]))",
    "tnp.nanmean(tnp.asarray([1., np.nan, 3.]))", "tnp.nanmean(i32)", "tnp.trace(i32)",
    "tnp.trace(sq, dtype=tnp.int32)", "tnp.diff(i32)", "tnp.diff(f32, n=2)",
    "tnp.diff(i32, axis=0)", "tnp.diff(b)",
    # products
    "tnp.matmul(i32, tnp.transpose(f32))", "tnp.matmul([1, 2], [[1], [2]])",
    "tnp.matmul([1, 2], [3, 4])", "tnp.matmul(sq, [1, 2])", "tnp.dot(i32, [1, 2, 3])",
    "tnp.dot(2, i32)", "tnp.dot([1, 2], [3., 4.])", "tnp.vdot(c64, c64)",
    "tnp.inner([1, 2], [3, 4])", "tnp.inner(i32, f32)", "tnp.tensordot(i32, f32, axes=([1], [1]))",
    "tnp.tensordot(sq, sq)", "tnp.tensordot(sq, sq, axes=1)", "tnp.cross([1, 2, 3], [4, 5, 6])",
    "tnp.einsum('ij,kj->ik', i32, f32)", "tnp.einsum('ii', sq)",
    # shapes
    "tnp.reshape(i32, (3, 2))", "tnp.reshape(i32, -1)", "tnp.reshape(i32, (3, 2), order='F')",
    "tnp.reshape(i32, (4, 2))", "tnp.ravel(i32)", "tnp.flatten(f32)", "tnp.transpose(i32)",
    "tnp.transpose(tnp.ones((2, 3, 4)), (2, 0, 1))", "tnp.swapaxes(i32, 0, 1)",
    "tnp.moveaxis(tnp.ones((2, 3, 4)), 0, -1)", "tnp.moveaxis(tnp.ones((2, 3, 4)), [0, 1], [2, 0])",
    "tnp.expand_dims(i32, 1)", "tnp.squeeze(tnp.ones((1, 2, 1)))",
    "tnp.squeeze(tnp.ones((1, 2, 1)), axis=0)", "tnp.broadcast_to(2, (2, 2))",
    "tnp.broadcast_to([1, 2], (3, 2))", "tnp.broadcast_arrays([1, 2], [[1], [2]])",
    "tnp.atleast_1d(3)", "tnp.atleast_2d([1, 2])", "tnp.atleast_3d([1, 2])",
    "tnp.atleast_3d(i32)", "tnp.atleast_1d(1, [2])", "tnp.shape(i32)", "tnp.shape([[1, 2]])",
    "tnp.ndim(i32)", "tnp.ndim(3)", "tnp.size(i32)", "tnp.size(3)", "tnp.isscalar(3)",
    "tnp.isscalar(i32)", "tnp.isscalar(tf.constant(3))",
    # joining and splitting
    "tnp.concatenate([i32, f32])", "tnp.concatenate([i32, f32], axis=1)",
    "tnp.concatenate([[1], [2.5]])", "tnp.concatenate([])", "tnp.stack([i32, f32])",
    "tnp.stack([[1, 2], [3, 4]], axis=1)", "tnp.stack(i32, axis=1)", "tnp.hstack([[1], [2, 3]])",
    "tnp.hstack([i32, f32])", "tnp.vstack([[1, 2], [3, 4]])", "tnp.vstack([i32, [1, 2, 3]])",
    "tnp.dstack([[1, 2], [3, 4]])", "tnp.append([1, 2], [[3]])", "tnp.append(i32, i32, axis=0)",
    "tnp.split(tnp.arange(6), 3)", "tnp.split(tnp.arange(6), [1, 4])", "tnp.split(i32, 3, axis=1)",
    "tnp.split(tnp.arange(6), 4)", "tnp.hsplit(i32, 3)", "tnp.vsplit(i32, 2)",
    "tnp.hsplit(tnp.arange(4), 2)", "tnp.dsplit(tnp.ones((1, 1, 4)), 2)",
    "tnp.tile([1, 2], 2)", "tnp.tile(i32, (2, 1))", "tnp.tile(3, (2, 2))",
    "tnp.repeat([1, 2], 2)", "tnp.repeat(i32, [1, 2], axis=0)", "tnp.repeat(i32, 2, axis=1)",
    "tnp.repeat(3, 4)", "tnp.pad(i32, 1, 'constant')", "tnp.pad([1, 2], (1, 2), 'reflect')",
    "tnp.pad(i32, ((0, 1), (1, 0)), 'symmetric')", "tnp.pad([1, 2], 1, 'constant', constant_values=9)",
    "tnp.pad([1, 2], 1, 'edge')",
    # indexing helpers
    "tnp.take([1, 2, 3], [0, 2])", "tnp.take(i32, 5)", "tnp.take(i32, [0, 1], axis=1)",
    "tnp.take(i32, [-1, 7], axis=1, mode='wrap')", "tnp.take(i32, 0, mode='raise')",
    "tnp.take_along_axis(i32, tnp.asarray([[0], [1]]), axis=1)",
    "tnp.where(b, i32, f32)", "tnp.where(b, 1, 2.5)", "tnp.where(b)", "tnp.where([1, 0, 2])",
    "tnp.where(b, 1)", "tnp.nonzero(i32 > 1)", "tnp.nonzero(3)",
    "tnp.select([b, tnp.logical_not(b)], [i32, f32])", "tnp.select([b], [1], default=2.5)",
    "tnp.compress([True, False], i32)", "tnp.compress([False, True, True], i32, axis=1)",
    "tnp.ix_([0, 1], [2, 1])", "tnp.flip(i32)", "tnp.flip(i32, 1)", "tnp.flipud(i32)",
    "tnp.fliplr(i32)", "tnp.roll(tnp.arange(5), 2)", "tnp.roll(i32, 1, axis=1)",
    "tnp.roll(i32, -1)", "tnp.rot90(i32)", "tnp.rot90(i32, 2)", "tnp.sort([3, 1, 2])",
    "tnp.sort(f32, axis=0)", "tnp.sort(i32, axis=None)", "tnp.argsort([3, 1, 2])",
    "tnp.argsort(f32, axis=0)", "tnp.meshgrid([1, 2], [3, 4, 5])",
    "tnp.meshgrid([1, 2], [3., 4.], indexing='ij')",
    # dtype utilities
    "tnp.result_type(1, 2.0)", "tnp.result_type(i32, 2.0)", "tnp.result_type(i32, f32)",
    "tnp.result_type(tnp.int8, tnp.uint8)", "tnp.result_type(b, 1)", "tnp.result_type()",
    "tnp.promote_types(tnp.int32, tnp.float32)", "tnp.promote_types(tf.int8, tf.uint8)",
    "tnp.finfo(tnp.float32).eps", "tnp.finfo(tf.float64).max", "tnp.iinfo(tnp.int8).max",
    "tnp.issubdtype(tnp.float32, tnp.inexact)", "tnp.float32", "tnp.int_", "tnp.float_",
    "tnp.pi", "tnp.e", "tnp.inf", "tnp.newaxis", "tnp.ndarray.__name__",
    # random dtypes and shapes
    "tnp.random.uniform(size=(2, 3)).shape", "tnp.random.uniform(size=(2,)).dtype",
    "tnp.random.randn(2, 3).dtype", "tnp.random.randn(2, 3).shape",
    "tnp.random.standard_normal(size=4).shape", "tnp.random.rand(3).dtype",
    "tnp.random.random((2,)).dtype", "tnp.random.randint(0, 5, size=(2,)).dtype",
    "tnp.random.randint(5, size=3, dtype=tnp.int32).dtype",
    "tnp.random.randint(5, dtype=tnp.float32)", "tnp.random.poisson(3., size=(2,)).dtype",
    "tnp.random.seed(3)", "tnp.random.seed('a')",
    # Tensor methods need numpy behaviour
    "i32.reshape(3, 2)", "i32.T", "i32.astype(tnp.float32)", "i32.tolist()", "i32.ravel()",
    "v.reshape(2, 1)", "i32.sum()",
]

# Expressions under tnp.experimental_enable_numpy_behavior() (run in a subprocess for TF).
BEHAVIOR_CASES = [
    "tf.constant([1, 2]) + 0.5", "tf.constant([1, 2]) + tf.constant([0.5, 0.5])",
    "tf.Variable([1, 2]) + tf.Variable([3.14, 3.14])", "i32 + f32", "f32 + 2.5", "2.5 * i32",
    "i8 + 1000", "i8 + tf.constant(1)", "u8 - i8", "i32 / i32", "i32 // 2.0", "i32 % 1.5",
    "i32 ** 0.5", "b + i32", "i32 < 1.5", "i32 == 1.5", "i32 != 1.5", "f32 >= i32",
    "i32 + [1, 2, 3]", "[1, 2, 3] + i32", "i32 + np.float32(0.5)", "np.float32(0.5) + i32",
    "i32 + np.array([1.5, 2, 3])", "f32 + np.float64(1)", "vi + 0.5", "0.5 + vi", "v * i32",
    "tf.constant([1, 2]) @ tf.constant([1., 2.])", "i32 @ tnp.transpose(f32)",
    "tf.add(i32, f32)", "tf.math.maximum(i32, f32)", "i32 & b", "b | b", "i32 ^ 3",
    "-i32", "abs(i32)", "c64 + 1.5", "f16 + 1.5", "f16 + f32[0, :2]",
    # methods
    "i32.reshape(3, 2)", "i32.reshape((3, 2))", "i32.reshape([-1])", "i32.reshape(3, 2, order='F')",
    "i32.T", "i32.transpose()", "i32.transpose((1, 0))", "i32.ravel()", "i32.flatten()",
    "i32.astype(np.float32)", "i32.astype(tf.float64)", "i32.astype('float16')",
    "i32.tolist()", "f32.tolist()", "i32.clip(0, 2)", "f32.clip(0, 2.5)", "i32.size",
    "i32.ndim", "i32.data", "i32.max()", "i32.min(axis=0)", "i32.mean()", "f32.mean(axis=1)",
    "round(f32)", "+i32", "i32.sum()", "tf.Variable([1, 2]).reshape(2, 1)", "v.T",
    "tf.constant(1.5).dtype",
    # numpy-style indexing
    "i32[0, [1, 0]]", "i32[[0, 1], [2, 0]]", "i32[b]", "i32[[True, False]]",
    "i32[:, [2, 0]]", "i32[[1]]", "i32[np.array([1, 0])]", "i32[tf.constant([1, 0])]",
    "i32[..., [0]]", "i32[None, [1, 0]]", "i32[[[0, 1], [1, 0]]]", "i32[0, 1]", "i32[1:, ::-1]",
    "i32[5]", "i32[[5]]", "i32[:, [3]]", "i32[0, [-1, -3]]", "i32[tf.constant([[True, False, True], [False, False, False]])]",
    # tnp functions see prefer_float32=False defaults here too
    "tnp.asarray([1.5])", "tnp.sqrt(i32)", "tnp.around(f32, 1)", "tnp.sqrt([1, 4])",
    "tnp.asarray(2.5) + 1",
]

PREFER32_CASES = [
    "tnp.asarray([1.5])", "tnp.asarray(2.5)", "tnp.add(i32, 2.5)", "tnp.zeros(2)", "tnp.ones(2)",
    "tnp.sqrt(i32)", "tnp.mean(i32)", "tnp.arange(0., 1., 0.5)", "tnp.linspace(0, 1, 3)",
    "i32 + 0.5", "tnp.result_type(1.5)", "tnp.random.uniform(size=(2,)).dtype",
    "tnp.asarray(1+2j)", "tnp.eye(2)", "tnp.full((2,), 1.5)", "tnp.average(i32)",
]

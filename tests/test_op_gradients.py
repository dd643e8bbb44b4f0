"""tf.GradientTape gradients of tftape ops against real TensorFlow's, at kinks, ties and random points."""
import numpy as np
import pytest

from test_ops_math import real_tf, tf

pytestmark = pytest.mark.filterwarnings("ignore:.*triggered a new compilation")


def _grads(lib, fn, args, wrt, weights):
    xs = [lib.constant(a) for a in args]
    with lib.GradientTape() as tape:
        for i in wrt:
            tape.watch(xs[i])
        out = fn(lib, *xs)
        outs = out if isinstance(out, (tuple, list)) else [out]
        loss = lib.add_n([lib.reduce_sum(lib.cast(o, lib.float64) * w)
                          for o, w in zip(outs, weights) if o.dtype.is_floating])
    return tape.gradient(loss, [xs[i] for i in wrt])


def check_grad(fn, *args, wrt=(0,), rtol=1e-4, seed=0):
    """The gradient of sum(w * fn(args)) (fixed random w) agrees with TF's."""
    rng = np.random.default_rng(seed)
    out = fn(real_tf, *[real_tf.constant(a) for a in args])
    outs = out if isinstance(out, (tuple, list)) else [out]
    weights = [rng.uniform(0.5, 1.5, tuple(o.shape)) for o in outs]
    exp = _grads(real_tf, fn, args, wrt, weights)
    got = _grads(tf, fn, args, wrt, weights)
    for g, e in zip(got, exp):
        if e is None:
            assert g is None
            continue
        e = real_tf.convert_to_tensor(e)
        assert g.dtype.name == e.dtype.name and tuple(g.shape) == tuple(e.shape)
        np.testing.assert_allclose(np.asarray(g.numpy(), np.float64),
                                   np.asarray(e.numpy(), np.float64), rtol=rtol, atol=rtol)


# -- TF's gradient at kinks and ties (where JAX's differs) --------------------------------------
EDGE = {
    "abs at 0": (lambda t, x: t.abs(x), [np.array([-1., 0., 2.], np.float32)], (0,)),
    "maximum ties": (lambda t, x, y: t.maximum(x, y),
                     [np.array([1., 2., 3.], np.float32), np.array([1., 0., 3.], np.float32)],
                     (0, 1)),
    "minimum ties": (lambda t, x, y: t.minimum(x, y),
                     [np.array([1., 2., 3.], np.float32), np.array([1., 0., 3.], np.float32)],
                     (0, 1)),
    "maximum broadcast tie": (lambda t, x, y: t.maximum(x, y),
                              [np.array([[1., 2.], [1., 0.]], np.float32),
                               np.array([1.], np.float32)], (0, 1)),
    "relu at 0": (lambda t, x: t.nn.relu(x), [np.array([-1., 0., 2.], np.float32)], (0,)),
    "relu6 at 0 and 6": (lambda t, x: t.nn.relu6(x), [np.array([-1., 0., 3., 6., 7.],
                                                               np.float32)], (0,)),
    "sqrt at 0": (lambda t, x: t.sqrt(x), [np.array([0., 4.], np.float32)], (0,)),
    "pow at 0": (lambda t, x, y: t.pow(x, y), [np.array([0., 0., 2.], np.float32),
                                               np.array([2., 0.5, 3.], np.float32)], (0, 1)),
    "pow base 0 exponent 0": (lambda t, x, y: t.pow(x, y), [np.array([0.], np.float32),
                                                            np.array([0.], np.float32)], (0, 1)),
    "clip at bounds": (lambda t, x: t.clip_by_value(x, 1., 3.),
                       [np.array([0., 1., 2., 3., 4.], np.float32)], (0,)),
    "clip tensor bounds": (lambda t, x, lo, hi: t.clip_by_value(x, lo, hi),
                           [np.array([0., 1., 2., 3., 4.], np.float32),
                            np.array([1., 1., 1., 1., 1.], np.float32),
                            np.array([3., 3., 3., 3., 3.], np.float32)], (0, 1, 2)),
    "reduce_max ties": (lambda t, x: t.reduce_max(x, axis=1),
                        [np.array([[1., 3., 3.], [2., 2., 2.]], np.float32)], (0,)),
    "reduce_min ties": (lambda t, x: t.reduce_min(x), [np.array([1., 1., 3.], np.float32)],
                        (0,)),
    "sort ties": (lambda t, x: t.sort(x), [np.array([2., 1., 2., 1.], np.float32)], (0,)),
    "sort descending ties": (lambda t, x: t.sort(x, direction="DESCENDING"),
                             [np.array([2., 1., 2., 1.], np.float32)], (0,)),
    "top_k ties": (lambda t, x: t.math.top_k(x, 2).values,
                   [np.array([3., 1., 3., 2.], np.float32)], (0,)),
    "max_pool ties": (lambda t, x: t.nn.max_pool2d(x, 2, 2, "VALID"),
                                  [np.ones((1, 2, 2, 1), np.float32)], (0,)),
    "norm": (lambda t, x: t.linalg.norm(x), [np.array([0., 3., 4.], np.float32)], (0,)),
    "leaky_relu at 0": (lambda t, x: t.nn.leaky_relu(x), [np.array([-1., 0., 1.], np.float32)],
                        (0,)),
    "elu at 0": (lambda t, x: t.nn.elu(x), [np.array([-1., 0., 1.], np.float32)], (0,)),
    "floormod": (lambda t, x, y: t.math.floormod(x, y),
                 [np.array([5., -5.], np.float32), np.array([3., 3.], np.float32)], (0, 1)),
    "sign": (lambda t, x: t.sign(x) * x, [np.array([-1., 0., 1.], np.float32)], (0,)),
    "reduce_logsumexp -inf": (lambda t, x: t.reduce_logsumexp(x),
                              [np.array([-np.inf, 0.], np.float32)], (0,)),
    "divide_no_nan at 0": (lambda t, x, y: t.math.divide_no_nan(x, y),
                           [np.array([1., 2.], np.float32), np.array([0., 2.], np.float32)],
                           (0, 1)),
    # TF's SqrtGrad, RsqrtGrad and ReciprocalGrad give 0 where the incoming gradient is 0,
    # even at a singular point: the "safe sqrt" idiom where(x > 0, sqrt(x), 0).
    "masked sqrt at 0": (lambda t, x: t.where(x > 0, t.sqrt(x), t.zeros_like(x)),
                         [np.array([0., 1., 4.], np.float32)], (0,)),
    "masked rsqrt at 0": (lambda t, x: t.where(x > 0, t.math.rsqrt(x), t.zeros_like(x)),
                          [np.array([0., 1., 4.], np.float32)], (0,)),
    "masked reciprocal at 0": (lambda t, x: t.where(x != 0, t.math.reciprocal(x),
                                                    t.zeros_like(x)),
                               [np.array([0., -2., 4.], np.float32)], (0,)),
    "rsqrt and reciprocal at 0": (lambda t, x: t.math.rsqrt(x) + t.math.reciprocal(x),
                                  [np.array([0., 1.], np.float32)], (0,)),
    "xlogy at x = 0": (lambda t, x, y: t.math.xlogy(x, y),
                       [np.array([0., 0., 1., 2.], np.float32),
                        np.array([0., 2., 0., 3.], np.float32)], (0, 1)),
    "xdivy at x = 0": (lambda t, x, y: t.math.xdivy(x, y),
                       [np.array([0., 0., 1., 2.], np.float32),
                        np.array([0., 2., 0., 3.], np.float32)], (0, 1)),
    "xlogy broadcast": (lambda t, x, y: t.math.xlogy(x, y),
                        [np.array([[0.], [1.5]], np.float32),
                         np.array([0.5, 2., 0.], np.float32)], (0, 1)),
}


@pytest.mark.parametrize("name", ["sqrt", "rsqrt", "reciprocal", "xlogy", "xdivy"])
def test_second_derivatives_of_tf_rule_ops(name):
    def run(m):
        x = m.constant([0.5, 1.5, 3.0], m.float64)
        with m.GradientTape() as t2:
            t2.watch(x)
            with m.GradientTape() as t1:
                t1.watch(x)
                if name in ("xlogy", "xdivy"):
                    y = getattr(m.math, name)(x, x + 1.0)
                else:
                    y = getattr(m.math, name)(x)
                y = m.reduce_sum(y)
            g = t1.gradient(y, x)
        return g, t2.gradient(g, x)
    ours, theirs = run(tf), run(real_tf)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-10)


@pytest.mark.parametrize("case", sorted(EDGE))
def test_tf_gradient_at_edge_points(case):
    fn, args, wrt = EDGE[case]
    check_grad(fn, *args, wrt=wrt)


# -- random points, every differentiable op family --------------------------------------------
R = np.random.default_rng(7)
A = R.uniform(0.5, 2., (3, 4)).astype(np.float64)
B = R.uniform(0.5, 2., (3, 4)).astype(np.float64)
SQ = (R.standard_normal((3, 3)) + 3 * np.eye(3)).astype(np.float64)
SPD = SQ @ SQ.T
IMG = R.standard_normal((1, 5, 5, 2)).astype(np.float32)
KER = R.standard_normal((3, 3, 2, 3)).astype(np.float32)

UNARY = ["abs", "negative", "sign", "square", "sqrt", "rsqrt", "exp", "expm1", "log", "log1p",
         "reciprocal", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh",
         "asinh", "acosh", "atanh", "sigmoid", "softplus", "softsign", "erf", "erfc", "lgamma",
         "digamma", "log_sigmoid", "erfinv", "ndtri", "bessel_i0e", "bessel_i1e"]
BINARY = ["add", "subtract", "multiply", "divide", "pow", "maximum", "minimum",
          "squared_difference", "divide_no_nan", "atan2", "xlogy", "xdivy", "xlog1py",
          "multiply_no_nan", "floormod"]


@pytest.mark.parametrize("name", UNARY)
def test_unary_gradients(name):
    x = A / 2.5 if name in ("asin", "acos", "atanh", "erfinv", "ndtri") else A
    if name == "acosh":
        x = A + 1
    check_grad(lambda t, v: getattr(t.math, name)(v), x)


@pytest.mark.parametrize("name", BINARY)
def test_binary_gradients(name):
    check_grad(lambda t, x, y: getattr(t.math, name)(x, y), A, B[0], wrt=(0, 1))


GRAD_CASES = {
    "reduce_sum": (lambda t, x: t.reduce_sum(x, 1), [A]),
    "reduce_mean": (lambda t, x: t.reduce_mean(x, [0, 1], keepdims=True), [A]),
    "reduce_prod": (lambda t, x: t.reduce_prod(x, 0), [A]),
    "reduce_max": (lambda t, x: t.reduce_max(x, 0), [A]),
    "reduce_std": (lambda t, x: t.math.reduce_std(x, 1), [A]),
    "reduce_variance": (lambda t, x: t.math.reduce_variance(x), [A]),
    "reduce_logsumexp": (lambda t, x: t.reduce_logsumexp(x, 1), [A]),
    "reduce_euclidean_norm": (lambda t, x: t.math.reduce_euclidean_norm(x, 1), [A]),
    "cumsum": (lambda t, x: t.math.cumsum(x, 1, exclusive=True, reverse=True), [A]),
    "cumprod": (lambda t, x: t.math.cumprod(x, 1), [A]),
    "cumulative_logsumexp": (lambda t, x: t.math.cumulative_logsumexp(x, 1), [A]),
    "segment_sum": (lambda t, x: t.math.segment_sum(x, [0, 0, 1]), [A]),
    "segment_mean": (lambda t, x: t.math.segment_mean(x, [0, 0, 1]), [A]),
    "segment_max": (lambda t, x: t.math.segment_max(x, [0, 0, 1]), [A]),
    "unsorted_segment_sum": (lambda t, x: t.math.unsorted_segment_sum(x, [1, 0, 1], 3), [A]),
    "reshape": (lambda t, x: t.reshape(x, [2, 6]), [A]),
    "transpose": (lambda t, x: t.transpose(x), [A]),
    "concat": (lambda t, x, y: t.concat([x, y], 1), [A, B]),
    "stack": (lambda t, x, y: t.stack([x, y], 1), [A, B]),
    "unstack": (lambda t, x: t.unstack(x, axis=1), [A]),
    "split": (lambda t, x: t.split(x, [1, 3], 1), [A]),
    "squeeze": (lambda t, x: t.squeeze(t.expand_dims(x, 0)), [A]),
    "tile": (lambda t, x: t.tile(x, [2, 1]), [A]),
    "pad": (lambda t, x: t.pad(x, [[1, 0], [2, 1]]), [A]),
    "pad reflect": (lambda t, x: t.pad(x, [[1, 1], [2, 1]], "REFLECT"), [A]),
    "reverse": (lambda t, x: t.reverse(x, [1]), [A]),
    "slice": (lambda t, x: t.slice(x, [1, 1], [2, 2]), [A]),
    "strided_slice": (lambda t, x: x[::-1, 1::2], [A]),
    "getitem newaxis": (lambda t, x: x[..., 1, None], [A]),
    "gather": (lambda t, x: t.gather(x, [2, 0, 2], axis=1), [A]),
    "gather batch_dims": (lambda t, x: t.gather(x, [[0, 1], [2, 2], [3, 0]], axis=1,
                                                batch_dims=1), [A]),
    "gather_nd": (lambda t, x: t.gather_nd(x, [[0, 1], [2, 3], [0, 1]]), [A]),
    "tensor_scatter_nd_update": (lambda t, x, u: t.tensor_scatter_nd_update(x, [[1], [2]], u),
                                 [A, B[:2]]),
    "tensor_scatter_nd_add": (lambda t, x, u: t.tensor_scatter_nd_add(x, [[1], [1]], u),
                              [A, B[:2]]),
    "scatter_nd": (lambda t, u: t.scatter_nd([[1], [3]], u, [5, 4]), [B[:2]]),
    "where": (lambda t, x, y: t.where(x > 1., x, y), [A, B]),
    "boolean_mask": (lambda t, x: t.boolean_mask(x, x > 1.), [A]),
    "broadcast_to": (lambda t, x: t.broadcast_to(x[0], [2, 4]), [A]),
    "roll": (lambda t, x: t.roll(x, 1, 1), [A]),
    "repeat": (lambda t, x: t.repeat(x, [1, 2, 0], axis=0), [A]),
    "linspace": (lambda t, x, y: t.linspace(x[0, 0], y[0, 0], 4), [A, B]),
    "clip_by_norm": (lambda t, x: t.clip_by_norm(x, 1.), [A]),
    "sort": (lambda t, x: t.sort(x, 1), [A]),
    "top_k": (lambda t, x: t.math.top_k(x, 2).values, [A]),
    "einsum": (lambda t, x, y: t.einsum("ij,kj->ik", x, y), [A, B]),
    "tensordot": (lambda t, x, y: t.tensordot(x, y, [[1], [1]]), [A, B]),
    "matmul": (lambda t, x, y: t.matmul(x, y, transpose_b=True), [A, B]),
    "matmul batch broadcast": (lambda t, x, y: t.matmul(t.reshape(x, [3, 2, 2]), y[:2, :2]),
                               [A, B]),
    "matvec": (lambda t, x, y: t.linalg.matvec(x, y[0]), [A, B]),
    "inv": (lambda t, x: t.linalg.inv(x), [SQ]),
    "det": (lambda t, x: t.linalg.det(x), [SQ]),
    "slogdet": (lambda t, x: t.linalg.slogdet(x).log_abs_determinant, [SQ]),
    "solve": (lambda t, x, y: t.linalg.solve(x, y), [SQ, A[:, :2]]),
    "cholesky": (lambda t, x: t.linalg.cholesky(x), [SPD]),
    "logdet": (lambda t, x: t.linalg.logdet(x), [SPD]),
    "eigvalsh": (lambda t, x: t.linalg.eigvalsh(x), [SPD]),
    "svd values": (lambda t, x: t.linalg.svd(x, compute_uv=False), [A]),
    "triangular_solve": (lambda t, x, y: t.linalg.triangular_solve(x, y), [SQ, A[:, :2]]),
    "trace": (lambda t, x: t.linalg.trace(x), [SQ]),
    "diag_part": (lambda t, x: t.linalg.diag_part(x, k=1), [A]),
    "diag": (lambda t, x: t.linalg.diag(x[0]), [A]),
    "band_part": (lambda t, x: t.linalg.band_part(x, 1, 0), [A]),
    "set_diag": (lambda t, x, d: t.linalg.set_diag(x, d[0, :3]), [A, B]),
    "norm fro": (lambda t, x: t.linalg.norm(x, ord="fro", axis=[0, 1]), [A]),
    "norm 1 axis": (lambda t, x: t.linalg.norm(x, ord=1, axis=1), [A]),
    "norm 2 matrix": (lambda t, x: t.linalg.norm(x, ord=2, axis=[0, 1]), [A]),
    "cross": (lambda t, x, y: t.linalg.cross(x[:, :3], y[:, :3]), [A, B]),
    "relu": (lambda t, x: t.nn.relu(x - 1), [A]),
    "relu6": (lambda t, x: t.nn.relu6(x * 4), [A]),
    "elu": (lambda t, x: t.nn.elu(x - 1), [A]),
    "selu": (lambda t, x: t.nn.selu(x - 1), [A]),
    "gelu": (lambda t, x: t.nn.gelu(x - 1), [A]),
    "gelu approximate": (lambda t, x: t.nn.gelu(x - 1, approximate=True), [A]),
    "silu": (lambda t, x: t.nn.silu(x - 1), [A]),
    "leaky_relu": (lambda t, x: t.nn.leaky_relu(x - 1, 0.3), [A]),
    "softmax": (lambda t, x: t.nn.softmax(x, 0), [A]),
    "log_softmax": (lambda t, x: t.nn.log_softmax(x), [A]),
    "softmax_ce": (lambda t, y, x: t.nn.softmax_cross_entropy_with_logits(
        t.nn.softmax(y), x), [B, A]),
    "sparse_softmax_ce": (lambda t, x: t.nn.sparse_softmax_cross_entropy_with_logits(
        [0, 3, 1], x), [A]),
    "sigmoid_ce": (lambda t, y, x: t.nn.sigmoid_cross_entropy_with_logits(y / 2, x - 1), [B, A]),
    "weighted_ce": (lambda t, y, x: t.nn.weighted_cross_entropy_with_logits(y / 2, x, 2.),
                    [B, A]),
    "moments": (lambda t, x: t.nn.moments(x, [0]), [A]),
    "l2_loss": (lambda t, x: t.nn.l2_loss(x), [A]),
    "l2_normalize": (lambda t, x: t.nn.l2_normalize(x, 1), [A]),
    "bias_add": (lambda t, x, b: t.nn.bias_add(x, b[0]), [A, B]),
    "batch_normalization": (lambda t, x, m, v: t.nn.batch_normalization(
        x, m[0], v[0], m[1], v[1], 1e-3), [A, B, B]),
    "embedding_lookup": (lambda t, x: t.nn.embedding_lookup(x, [2, 0, 2]), [A]),
    "conv2d": (lambda t, x, k: t.nn.conv2d(x, k, 1, "SAME"), [IMG, KER]),
    "conv2d strided valid": (lambda t, x, k: t.nn.conv2d(x, k, 2, "VALID"), [IMG, KER]),
    "conv2d_transpose": (lambda t, x, k: t.nn.conv2d_transpose(x, k[:, :, :, :2], [1, 10, 10, 2],
                                                               2, "SAME"), [IMG, KER]),
    "depthwise_conv2d": (lambda t, x, k: t.nn.depthwise_conv2d(x, k[:, :, :, :2], [1, 1, 1, 1],
                                                               "SAME"), [IMG, KER]),
    "max_pool2d": (lambda t, x: t.nn.max_pool2d(x, 2, 2, "SAME"), [IMG]),
    "avg_pool2d": (lambda t, x: t.nn.avg_pool2d(x, 3, 2, "SAME"), [IMG]),
    "cast": (lambda t, x: t.cast(x, t.float32), [A]),
    "complex abs": (lambda t, x, y: t.abs(t.complex(x, y)), [A, B]),
    "identity": (lambda t, x: t.identity(x), [A]),
}


@pytest.mark.parametrize("case", sorted(GRAD_CASES))
def test_gradients(case):
    fn, args = GRAD_CASES[case]
    check_grad(fn, *args, wrt=tuple(range(len(args))), rtol=2e-3 if args[0] is IMG else 1e-5)

"""Oracle tests for matmul's rank rules and tf.linalg against real TensorFlow."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from test_ops_math import check, check_expr, real_tf, tf

MATMUL_MESSAGES = """
tf.matmul(tf.ones((2, 2)), tf.ones((2,)))
tf.matmul(tf.ones((2,)), tf.ones((2, 2)))
tf.matmul(tf.ones((2, 1)), tf.ones((2, 2)))
tf.matmul(tf.ones((3,)), tf.ones((3,)))
tf.matmul(tf.ones((2, 3, 3)), tf.ones((2, 2, 3)))
tf.matmul(tf.ones((2, 3, 3)), tf.ones((3, 3, 3)))
tf.matmul(tf.ones((3, 3), tf.float16), tf.ones((3, 3), tf.float32))
tf.matmul(tf.ones((2, 3)), tf.ones((2, 3)), transpose_a=True, transpose_b=True)
tf.constant([[1., 0.], [0., 1.]]) @ tf.constant([77., -88.])
""".strip().splitlines()

LINALG_CASES = """
tf.matmul(tf.ones((2, 1, 3, 3)), tf.ones((3, 3, 3)))
tf.matmul(tf.ones((3, 3)), tf.ones((2, 3, 3)))
tf.matmul(tf.ones((3, 3), tf.int32), tf.ones((2, 3, 3), tf.int32))
tf.matmul(tf.ones((3, 3), tf.bool), tf.ones((3, 3), tf.bool))
tf.matmul(tf.ones((3, 4)), tf.ones((5, 3)), transpose_a=True, transpose_b=True)
tf.matmul(tf.constant([[1 + 2j, 3j]]), tf.constant([[1 + 2j, 3j]]), adjoint_b=True)
tf.matmul([[1., 2.]], [[3.], [4.]])
tf.linalg.matvec(tf.ones((2, 3)), tf.ones((3,)))
tf.linalg.matvec(tf.ones((2, 3)), tf.ones((2,)), transpose_a=True)
tf.linalg.matvec(tf.ones((2, 3)), tf.ones((2,)))
tf.linalg.inv(tf.constant([[1., 2.], [3., 4.]]))
tf.linalg.inv(tf.constant([[1., 2.], [3., 4.]]), adjoint=True)
tf.linalg.inv(tf.ones((2, 3)))
tf.linalg.inv(tf.ones((3,)))
tf.linalg.inv(tf.constant([[1, 2], [3, 4]]))
tf.linalg.inv(tf.constant([[1., 2.], [2., 4.]]))
tf.linalg.det(tf.constant([[1., 2.], [3., 4.]]))
tf.linalg.det(tf.ones((2, 3)))
tf.linalg.det(tf.ones((0, 0)))
tf.linalg.det(tf.ones((2, 0, 0)))
tf.linalg.slogdet(tf.constant([[1., 2.], [3., 4.]]))
tf.linalg.slogdet(tf.constant([[1, 2], [3, 4]]))
tf.linalg.logdet(tf.constant([[2., 1.], [1., 2.]]))
tf.linalg.cholesky(tf.constant([[4., 2.], [2., 3.]]))
tf.linalg.cholesky(tf.ones((2, 3)))
tf.linalg.cholesky(tf.ones((2, 2), tf.int32))
tf.linalg.solve(tf.constant([[1., 2.], [3., 4.]]), tf.constant([[1.], [2.]]))
tf.linalg.solve(tf.constant([[1., 2.], [3., 4.]]), tf.ones((2, 1)), adjoint=True)
tf.linalg.solve(tf.ones((3, 3)), tf.ones((3,)))
tf.linalg.solve(tf.ones((3, 2)), tf.ones((3, 1)))
tf.linalg.solve(tf.constant([[1., 2.], [2., 4.]]), tf.ones((2, 1)))
tf.linalg.solve(tf.ones((3, 3)), tf.ones((3, 1), tf.float64))
tf.linalg.solve(tf.constant([[1., 2.], [3., 4.]]), tf.ones((3, 1)))
tf.linalg.triangular_solve(tf.constant([[2., 0.], [1., 2.]]), tf.constant([[1.], [2.]]))
tf.linalg.triangular_solve(tf.constant([[2., 0.], [1., 2.]]), tf.constant([[1.], [2.]]), lower=False)
tf.linalg.triangular_solve(tf.constant([[2., 0.], [1., 2.]]), tf.constant([[1.], [2.]]), adjoint=True)
tf.linalg.cholesky_solve(tf.constant([[2., 0.], [1., 2.]]), tf.constant([[1.], [2.]]))
tf.linalg.qr(tf.ones((3,)))
tf.linalg.svd(tf.ones((3,)))
tf.linalg.svd(tf.constant([[3., 0.], [0., 4.], [0., 0.]]), compute_uv=False)
tf.linalg.eigh(tf.ones((3, 2)))
tf.linalg.eigvalsh(tf.constant([[2., 1.], [1., 2.]]))
tf.linalg.eigvalsh(tf.constant([[2., 100.], [1., 2.]]))
tf.linalg.eigvals(tf.constant([[2., 1.], [1., 2.]]))
tf.linalg.band_part(tf.ones((3,)), 1, 1)
tf.linalg.band_part(tf.ones((3, 3)), 5, 1)
tf.linalg.band_part(tf.ones((3, 3)), 1, 5)
tf.linalg.band_part(tf.ones((3, 4)), -1, 1)
tf.linalg.band_part(tf.ones((3, 3), tf.int32), 0, 0)
tf.linalg.band_part(tf.ones((3, 3), tf.bool), 0, 0)
tf.linalg.diag(tf.ones((3,)), k=1)
tf.linalg.diag(tf.ones((3,)), num_rows=4)
tf.linalg.diag(tf.ones((3,)), k=-1, num_rows=5, padding_value=9)
tf.linalg.diag(tf.constant(1.))
tf.linalg.diag(tf.reshape(tf.range(6), (2, 3)))
tf.linalg.diag_part(tf.reshape(tf.range(12.), (3, 4)), k=1)
tf.linalg.diag_part(tf.reshape(tf.range(12.), (3, 4)), k=-1)
tf.linalg.diag_part(tf.reshape(tf.range(12.), (3, 4)), k=5)
tf.linalg.diag_part(tf.reshape(tf.range(12.), (3, 4)), k=-3)
tf.linalg.diag_part(tf.constant([2., 1.]))
tf.linalg.set_diag(tf.zeros((3, 4)), tf.ones((3,)))
tf.linalg.set_diag(tf.zeros((3, 4)), tf.ones((4,)))
tf.linalg.set_diag(tf.zeros((3, 4)), tf.ones((3,)), k=1)
tf.linalg.trace(tf.reshape(tf.range(12.), (3, 4)))
tf.linalg.trace(tf.reshape(tf.range(24), (2, 3, 4)))
tf.linalg.adjoint(tf.constant([[1 + 2j, 3j]]))
tf.linalg.adjoint(tf.ones((3,)))
tf.linalg.matrix_transpose(tf.ones((2, 3, 4)))
tf.linalg.cross(tf.constant([1., 2., 3.]), tf.constant([4., 5., 6.]))
tf.linalg.cross(tf.constant([1., 2.]), tf.constant([4., 5.]))
tf.linalg.cross(tf.ones((2, 3)), tf.ones((3, 3)))
tf.linalg.pinv(tf.constant([[1., 2.], [2., 4.]]))
tf.linalg.lstsq(tf.constant([[1., 2.], [2., 3.], [4., 5.]]), tf.constant([[1.], [2.], [3.]]))
tf.linalg.expm(tf.constant([[0., 1.], [-1., 0.]]))
tf.linalg.matrix_rank(tf.constant([[2., 1.], [4., 2.]]))
tf.linalg.norm(tf.constant([[3., 4.]]), ord='fro', axis=[0, 1])
tf.linalg.norm(tf.constant([[3., 4.]]), ord=2, axis=[0, 1])
tf.linalg.norm(tf.constant([[3., 4.]]), ord=np.inf, axis=[0, 1])
tf.linalg.norm(tf.constant([[3., 4.]]), ord=1, axis=[0, 1])
tf.linalg.norm(tf.constant([[3., 4.]]), ord=np.inf)
tf.linalg.norm(tf.constant([[3., 4.]]), ord=1, axis=1, keepdims=True)
tf.linalg.norm(tf.constant([[3., 4.]]), ord=0.5, axis=1)
tf.linalg.norm(tf.constant([[3., 4.]]), ord='fro')
tf.linalg.norm(tf.constant([[3., 4.]]), ord='nuc', axis=[0, 1])
tf.linalg.norm(tf.constant([[3., 4.]]), axis=[0, 1, 2])
tf.linalg.norm(tf.constant([3, 4]))
tf.linalg.norm(tf.constant([3 + 4j]))
tf.linalg.norm(tf.reshape(tf.range(24.), (2, 3, 4)), ord=2, axis=[0, 2])
tf.linalg.global_norm([tf.constant([3.]), tf.constant([4.])])
tf.linalg.l2_normalize(tf.constant([3., 4.]))
tf.linalg.eye(2, dtype=tf.int32)
tf.linalg.einsum('ij->j', tf.ones((2, 3)))
tf.linalg.tensordot(tf.ones((2, 3)), tf.ones((3, 2)), 1)
""".strip().splitlines()


@pytest.mark.parametrize("src", MATMUL_MESSAGES)
def test_matmul_rank_rules_and_messages(src):
    check_expr(src, message=True)


@pytest.mark.parametrize("src", LINALG_CASES)
def test_linalg_cases(src):
    check_expr(src, rtol=1e-5)


@settings(deadline=None, max_examples=25)
@given(st.lists(st.integers(1, 3), max_size=2), st.lists(st.integers(1, 3), max_size=2),
       st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.booleans(), st.booleans(),
       st.sampled_from(["float32", "float64", "int32", "complex64"]), st.integers(0, 2 ** 31))
def test_matmul_hypothesis(ba, bb, m, k, n, ta, tb, dtype, seed):
    rng = np.random.default_rng(seed)
    ka = k if seed % 7 else k + 1  # sometimes incompatible
    a_shape = tuple(ba) + ((ka, m) if ta else (m, ka))
    b_shape = tuple(bb) + ((n, k) if tb else (k, n))
    a = rng.integers(-3, 4, a_shape).astype(dtype)
    b = rng.integers(-3, 4, b_shape).astype(dtype)
    err = check("matmul", a, b, transpose_a=ta, transpose_b=tb, rtol=1e-4)
    if isinstance(err, Exception):
        check("matmul", a, b, transpose_a=ta, transpose_b=tb, message=True)


def _rand(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    if dtype.startswith("complex"):
        x = x + 1j * rng.standard_normal(shape)
    return x.astype(dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64", "complex64", "complex128"])
@pytest.mark.parametrize("batch", [(), (2,), (2, 3)])
def test_decompositions_reconstruct(dtype, batch):
    """Factor outputs are unique only up to signs: compare invariants with TF's."""
    tol = 1e-4 if dtype in ("float32", "complex64") else 1e-9
    a = _rand(batch + (4, 3), dtype, 1)
    sq = _rand(batch + (3, 3), dtype, 2)
    herm = sq @ np.conj(np.swapaxes(sq, -1, -2)) + 3 * np.eye(3, dtype=dtype)
    q, r = tf.linalg.qr(tf.constant(a))
    np.testing.assert_allclose((q @ r).numpy(), a, rtol=tol, atol=tol)
    eq, er = real_tf.linalg.qr(real_tf.constant(a))
    assert q.shape == tuple(eq.shape) and r.shape == tuple(er.shape)
    np.testing.assert_allclose(np.abs(r.numpy()), np.abs(er.numpy()), rtol=tol, atol=tol)
    s, u, v = tf.linalg.svd(tf.constant(a))
    es, eu, ev = real_tf.linalg.svd(real_tf.constant(a))
    assert s.dtype.name == es.dtype.name and u.shape == tuple(eu.shape) and \
        v.shape == tuple(ev.shape)
    np.testing.assert_allclose(s.numpy(), es.numpy(), rtol=tol, atol=tol)
    recon = u.numpy() @ (s.numpy()[..., None] * np.conj(np.swapaxes(v.numpy(), -1, -2)))
    np.testing.assert_allclose(recon, a, rtol=tol * 10, atol=tol * 10)
    e, w = tf.linalg.eigh(tf.constant(herm))
    ee, ew = real_tf.linalg.eigh(real_tf.constant(herm))
    assert e.dtype.name == ee.dtype.name
    np.testing.assert_allclose(e.numpy(), ee.numpy(), rtol=tol * 10, atol=tol * 10)
    np.testing.assert_allclose(np.abs(w.numpy()), np.abs(ew.numpy()), rtol=1e-3, atol=1e-3)
    for name in ("inv", "det", "cholesky", "logdet"):
        check("linalg." + name, herm, rtol=tol * 10)
    check("linalg.slogdet", sq, rtol=tol * 10)
    check("linalg.solve", sq, a[..., :3, :2], rtol=tol * 100)

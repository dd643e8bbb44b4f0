"""Oracle tests for tf.linalg's LU, sqrtm/logm, tridiagonal, banded and tensor-diagonal
functions, and tf.math's approx_max_k/approx_min_k, sobol_sample and tf.math.special."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from test_ops_math import check, check_expr, real_tf, tf

F = ["float32", "float64", "complex64", "complex128"]


def _mat(rng, shape, dtype, shift=0.):
    x = rng.standard_normal(shape)
    if dtype.startswith("complex"):
        x = x + 1j * rng.standard_normal(shape)
    if shift:
        x = x + shift * np.eye(shape[-1])
    return x.astype(dtype)


def _tol(dtype):
    return 2e-4 if dtype in ("float32", "complex64") else 1e-9


# lu itself meets every dtype in test_lu_pivots; the functions built on it are dtype-generic.
@pytest.mark.parametrize("dtype,batch,n", [("float32", (), 4), ("float64", (2,), 3),
                                            ("complex128", (2, 1), 2)])
def test_lu_family(dtype, batch, n):
    rng = np.random.default_rng(n)
    a = _mat(rng, tuple(batch) + (n, n), dtype)
    b = _mat(rng, tuple(batch) + (n, 2), dtype)
    tol = _tol(dtype) * 10
    check("linalg.lu", a, rtol=tol)
    for lib in (tf, real_tf):
        lu, p = lib.linalg.lu(a)
        if lib is tf:
            ours = (tf.linalg.lu_reconstruct(lu, p), tf.linalg.lu_solve(lu, p, b),
                    tf.linalg.lu_matrix_inverse(lu, p))
        else:
            theirs = (real_tf.linalg.lu_reconstruct(lu, p), real_tf.linalg.lu_solve(lu, p, b),
                      real_tf.linalg.lu_matrix_inverse(lu, p))
    for o, t in zip(ours, theirs):
        assert o.dtype.name == t.dtype.name and tuple(o.shape) == tuple(t.shape)
        np.testing.assert_allclose(o.numpy(), t.numpy(), rtol=tol * 10, atol=tol * 10)
    if n == 2:  # the index dtype is independent of the matrix's
        check("linalg.lu", a, output_idx_type="int64", rtol=tol)


@settings(deadline=None, max_examples=4)
@given(st.sampled_from(F), st.integers(1, 5), st.integers(0, 2 ** 31))
def test_lu_pivots(dtype, n, seed):
    # The pivots (and so lu) follow TF's: for complex, the largest modulus.
    a = _mat(np.random.default_rng(seed), (2, n, n), dtype)
    check("linalg.lu", a, rtol=_tol(dtype) * 10)


LU_ERRORS = """
tf.linalg.lu([[1., 2.], [2., 4.]])
tf.linalg.lu(tf.ones((2, 3)))
tf.linalg.lu(tf.ones((3,)))
tf.linalg.lu(tf.ones((2, 2), tf.int32))
tf.linalg.lu(tf.ones((2, 2), tf.float16))
tf.linalg.lu_solve(*tf.linalg.lu([[1., 2.], [3., 4.]]), [1., 2.])
tf.linalg.lu_solve(*tf.linalg.lu([[1., 2.], [3., 4.]]), tf.ones((3, 1)))
tf.linalg.lu_solve(tf.ones((2, 2)), tf.constant([[0, 1]]), tf.ones((2, 1)))
tf.linalg.lu_reconstruct(tf.ones((2,)), tf.constant([0, 1]))
tf.linalg.lu_reconstruct(tf.ones((2, 3)), tf.constant([0, 1]))
tf.linalg.lu_solve(*tf.linalg.lu(tf.constant([[[1., 2.], [3., 4.]], [[2., 0.], [1., 1.]]])), tf.ones((2, 1)))
tf.linalg.lu_solve(*tf.linalg.lu(tf.constant([[1., 2.], [3., 4.]])), tf.ones((3, 2, 1)))
tf.linalg.sqrtm(tf.ones((2, 3)))
tf.linalg.sqrtm(tf.ones((2,)))
tf.linalg.sqrtm(tf.ones((2, 2), tf.int32))
tf.linalg.sqrtm(tf.constant([[-1., 0.], [0., 4.]]))
tf.linalg.sqrtm(tf.constant([[4., 1.], [0., 9.]]))
tf.linalg.sqrtm(tf.constant([[0., -1.], [1., 0.]], tf.float64))
tf.linalg.logm(tf.ones((2, 3), tf.complex64))
tf.linalg.logm(tf.ones((2, 2)))
tf.linalg.logm(tf.constant([[1., 2.], [3., 4.]], tf.complex64))
tf.linalg.normalize([3., 4.])
tf.linalg.normalize([[3., 4.], [1., 0.]], axis=1, ord=1)
tf.linalg.normalize([[3., 4.], [1., 2.]], axis=[-2, -1], ord="fro")
tf.linalg.normalize([[3., 4.], [1., 2.]], axis=0, ord=np.inf)
tf.linalg.normalize([1, 2])
tf.linalg.normalize(tf.constant([3 + 4j, 1j]))
tf.linalg.tensor_diag([[1, 2], [3, 4]])
tf.linalg.tensor_diag([1., 2., 3.])
tf.linalg.tensor_diag(tf.constant(3.))
tf.linalg.tensor_diag(tf.ones((2,), tf.bool))
tf.linalg.tensor_diag_part(tf.reshape(tf.range(16), (2, 2, 2, 2)))
tf.linalg.tensor_diag_part(tf.reshape(tf.range(9.), (3, 3)))
tf.linalg.tensor_diag_part(tf.ones((2, 3)))
tf.linalg.tensor_diag_part(tf.ones((2, 3, 4)))
tf.linalg.tensor_diag_part(tf.constant(1.))
""".strip().splitlines()


@pytest.mark.parametrize("src", LU_ERRORS)
def test_cases(src):
    check_expr(src, rtol=1e-5)


@settings(deadline=None, max_examples=5)
@given(st.sampled_from(F), st.lists(st.integers(1, 2), max_size=1), st.integers(1, 4),
       st.integers(0, 2 ** 31))
def test_sqrtm(dtype, batch, n, seed):
    rng = np.random.default_rng(seed)
    x = _mat(rng, tuple(batch) + (n, n), dtype)
    # A positive definite (or, complex, any) matrix has a principal root TF and tftape share.
    a = x @ np.conj(np.swapaxes(x, -1, -2)) + np.eye(n).astype(dtype) \
        if dtype.startswith("float") else x + 3 * np.eye(n).astype(dtype)
    check("linalg.sqrtm", a, rtol=_tol(dtype) * 20)


@settings(deadline=None, max_examples=4)
@given(st.sampled_from(["complex64", "complex128"]), st.lists(st.integers(1, 2), max_size=1),
       st.integers(1, 4), st.integers(0, 2 ** 31))
def test_logm(dtype, batch, n, seed):
    rng = np.random.default_rng(seed)
    a = _mat(rng, tuple(batch) + (n, n), dtype) + 3 * np.eye(n).astype(dtype)
    check("linalg.logm", a, rtol=_tol(dtype) * 20)


@pytest.mark.parametrize("fmt", ["compact", "sequence", "matrix"])
@pytest.mark.parametrize("dtype", ["float32", "complex128"])
def test_tridiagonal(fmt, dtype):
    rng = np.random.default_rng(1)
    # Unbatched diagonals are met in TRI_CASES, test_gradients and test_in_function.
    for batch in [(2,)]:
        m = 4
        d = _mat(rng, batch + (3, m), dtype)
        d[..., 1, :] += 4
        rhs = _mat(rng, batch + (m, 2), dtype)
        if fmt == "compact":
            diags = d
        elif fmt == "sequence":
            diags = [d[..., 0, :], d[..., 1, :], d[..., 2, :]]
        else:
            dense = np.zeros(batch + (m, m), dtype)
            i = np.arange(m)
            dense[..., i, i] = d[..., 1, :]
            dense[..., i[:-1], i[1:]] = d[..., 0, :-1]
            dense[..., i[1:], i[:-1]] = d[..., 2, 1:]
            dense += np.triu(np.ones((m, m)), 2).astype(dtype)   # ignored entries
            diags = dense
        tol = _tol(dtype) * 10
        if fmt == "sequence":
            _check_sequence(diags, rhs, tol)
            continue
        check("linalg.tridiagonal_matmul", diags, rhs, diagonals_format=fmt, rtol=tol)
        check("linalg.tridiagonal_solve", diags, rhs, diagonals_format=fmt, rtol=tol)
        check("linalg.tridiagonal_solve", diags, rhs[..., 0], diagonals_format=fmt, rtol=tol)
        check("linalg.tridiagonal_solve", diags, np.swapaxes(rhs, -1, -2),
              diagonals_format=fmt, transpose_rhs=True, conjugate_rhs=True, rtol=tol)
        check("linalg.tridiagonal_solve", diags, rhs, diagonals_format=fmt,
              partial_pivoting=False, rtol=tol)


def _check_sequence(diags, rhs, tol):
    # TF reads the diagonals' static shapes, so they must be tensors.
    for fn in ("tridiagonal_matmul", "tridiagonal_solve"):
        o = getattr(tf.linalg, fn)([tf.constant(d) for d in diags], tf.constant(rhs),
                                   diagonals_format="sequence")
        t = getattr(real_tf.linalg, fn)([real_tf.constant(d) for d in diags],
                                        real_tf.constant(rhs),
                                        diagonals_format="sequence")
        assert o.dtype.name == t.dtype.name and tuple(o.shape) == tuple(t.shape)
        np.testing.assert_allclose(o.numpy(), t.numpy(), rtol=tol, atol=tol)


TRI_CASES = """
tf.linalg.tridiagonal_matmul(tf.ones((3, 4)), tf.ones((3, 2)))
tf.linalg.tridiagonal_matmul(tf.ones((3, 4), tf.int32), tf.ones((4, 2), tf.int32))
tf.linalg.tridiagonal_matmul(tf.ones((3, 4)), tf.ones((4, 2)), diagonals_format="bad")
tf.linalg.tridiagonal_matmul(tf.ones((3, 4)), tf.ones((4, 2), tf.float64))
tf.linalg.tridiagonal_matmul(tf.ones((3, 4)), tf.ones((4, 2)), diagonals_format="matrix")
tf.linalg.tridiagonal_solve(tf.constant([[1., 1., 0], [0., 0., 3.], [0., 1., 1.]]), tf.ones((3, 1)))
tf.linalg.tridiagonal_solve(tf.constant([[1., 1., 0], [0., 0., 3.], [0., 1., 1.]]), tf.ones((3, 1)), partial_pivoting=False)
tf.linalg.tridiagonal_solve(tf.ones((3, 3)), tf.ones((4, 1)))
tf.linalg.tridiagonal_solve(tf.ones((2, 3)), tf.ones((3, 1)))
tf.linalg.tridiagonal_solve(tf.ones((3,)), tf.ones((3, 1)))
tf.linalg.tridiagonal_solve(tf.ones((3, 3)), tf.ones((2, 3, 1)))
tf.linalg.tridiagonal_solve(tf.ones((3, 3)), tf.ones((3, 1)), perturb_singular=True, partial_pivoting=False)
tf.linalg.tridiagonal_solve([tf.ones((2,)), tf.ones((3,)), tf.ones((2,))], tf.ones((3, 1)), diagonals_format="sequence")
tf.linalg.tridiagonal_solve([tf.ones((1,)), tf.ones((3,)), tf.ones((2,))], tf.ones((3, 1)), diagonals_format="sequence")
tf.linalg.tridiagonal_solve([tf.ones((3,)), tf.ones((3,))], tf.ones((3, 1)), diagonals_format="sequence")
tf.linalg.tridiagonal_solve(tf.ones((3, 4)), tf.ones((3, 1)), diagonals_format="matrix")
tf.linalg.tridiagonal_solve(tf.ones((3, 3)), tf.ones((3, 1)), diagonals_format="bad")
tf.linalg.banded_triangular_solve(tf.constant([[1., 2., 3.], [4., 5., 6.]]), tf.ones((3, 1)))
tf.linalg.banded_triangular_solve(tf.constant([[1., 2., 3.], [4., 5., 6.]]), tf.ones((3, 1)), lower=False)
tf.linalg.banded_triangular_solve(tf.ones((2, 3), tf.int32), tf.ones((3, 1), tf.int32))
tf.linalg.banded_triangular_solve(tf.ones((2, 3)), tf.ones((4, 1)))
tf.linalg.banded_triangular_solve(tf.ones((2, 2, 3)), tf.ones((3, 3, 1)))
tf.linalg.banded_triangular_solve(tf.ones((4, 3)), tf.ones((3, 1)))
tf.linalg.banded_triangular_solve(tf.constant([[0., 2., 3.]]), tf.ones((3, 1)))
tf.linalg.eigh_tridiagonal([1., 2., 3.], [0.5, 0.5])
tf.linalg.eigh_tridiagonal([1., 2., 3.], [0.5, 0.5], select="i", select_range=[1, 2])
tf.linalg.eigh_tridiagonal(tf.constant([1., 2., 3.]), tf.constant([0.5, 0.5]), select="v", select_range=tf.constant([1.5, 5.]))
tf.linalg.eigh_tridiagonal(tf.constant([1., 2., 3.], tf.float64), tf.constant([0.5j, 0.5], tf.complex128))
tf.linalg.eigh_tridiagonal(tf.constant([1., 2., 3.], tf.complex128), tf.constant([0.5j, 0.5], tf.complex128))
tf.linalg.eigh_tridiagonal([1, 2], [1])
tf.linalg.eigh_tridiagonal([4.], [])
tf.linalg.eigh_tridiagonal([1., 2.], [1.], select="x")
""".strip().splitlines()


@pytest.mark.parametrize("src", TRI_CASES)
def test_tri_cases(src):
    check_expr(src, rtol=1e-5)


@settings(deadline=None, max_examples=5)
@given(st.sampled_from(["float32", "float64", "complex64", "complex128"]), st.integers(1, 4),
       st.integers(1, 5), st.booleans(), st.booleans(), st.lists(st.integers(1, 2), max_size=1),
       st.integers(0, 2 ** 31))
def test_banded_triangular_solve(dtype, k, m, lower, adjoint, batch, seed):
    rng = np.random.default_rng(seed)
    bands = _mat(rng, tuple(batch) + (k, m), dtype)
    bands[..., 0 if lower else -1, :] += 4
    rhs = _mat(rng, (m, 2), dtype)
    check("linalg.banded_triangular_solve", bands, rhs, lower=lower, adjoint=adjoint,
          rtol=_tol(dtype) * 10)


@settings(deadline=None, max_examples=3)
@given(st.sampled_from(["float32", "float64", "complex128"]), st.integers(2, 5),
       st.integers(0, 2 ** 31))
def test_eigh_tridiagonal(dtype, n, seed):
    rng = np.random.default_rng(seed)
    a = _mat(rng, (n,), dtype)
    if dtype.startswith("complex"):
        a = a.real.astype(dtype)
    b = _mat(rng, (n - 1,), dtype)
    check("linalg.eigh_tridiagonal", a, b, rtol=1e-4 if dtype == "float32" else 1e-8)
    w, v = tf.linalg.eigh_tridiagonal(a, b, eigvals_only=False)
    tw, tv = real_tf.linalg.eigh_tridiagonal(a, b, eigvals_only=False)
    assert w.dtype.name == tw.dtype.name and v.dtype.name == tv.dtype.name
    # Eigenvectors agree up to a phase: compare |v^H tv|, which is the identity.
    overlap = np.abs(np.conj(v.numpy()).T @ tv.numpy())
    np.testing.assert_allclose(overlap, np.eye(n), atol=1e-3)


@pytest.mark.parametrize("fn,args", [
    ("sqrtm", [np.array([[2., 1.], [1., 3.]])]),
    ("tridiagonal_matmul", [np.arange(12.).reshape(3, 4) / 3, np.ones((4, 2))]),
    ("tridiagonal_solve", [np.array([[1., 1., 0.], [2., 3., 3.], [0., 1., 1.]]),
                           np.ones((3, 1))]),
    ("banded_triangular_solve", [np.array([[1., 2., 3.], [4., 5., 6.]]), np.ones((3, 1))]),
    ("lu_solve", None),
    ("tensor_diag", [np.array([1., 2.])]),
    ("tensor_diag_part", [np.arange(4.).reshape(2, 2)]),
    ("normalize", [np.array([[3., 4.], [1., 2.]])]),
])
def test_gradients(fn, args):
    def run(lib):
        if fn == "lu_solve":
            a = lib.Variable(np.array([[2., 1.], [1., 3.]]))
            b = lib.Variable(np.array([[1.], [2.]]))
            with lib.GradientTape() as g:
                lu, p = real_tf.linalg.lu(a.numpy()) if lib is real_tf else tf.linalg.lu(a.numpy())
                lu = lib.constant(lu.numpy())
                p = lib.constant(p.numpy())
                y = lib.reduce_sum(lib.linalg.lu_solve(lu * a / a, p, b) ** 2)
            return [x.numpy() for x in g.gradient(y, [a, b])]
        vs = [lib.Variable(x) for x in args]
        with lib.GradientTape() as g:
            y = getattr(lib.linalg, fn)(*vs)
            if isinstance(y, tuple):
                y = y[0] * 2 + y[1]
            y = lib.reduce_sum(y * y)
        return [x.numpy() for x in g.gradient(y, vs)]
    for o, t in zip(run(tf), run(real_tf)):
        np.testing.assert_allclose(o, t, rtol=1e-6, atol=1e-8)


def test_in_function():
    f = tf.function(lambda a, b: tf.linalg.tridiagonal_solve(a, b))
    d = np.array([[1., 1., 0.], [2., 3., 3.], [0., 1., 1.]])
    np.testing.assert_allclose(f(tf.constant(d), tf.constant(np.ones((3, 1)))).numpy(),
                               real_tf.linalg.tridiagonal_solve(real_tf.constant(d),
                                                                real_tf.constant(np.ones((3, 1)))
                                                                ).numpy())
    g = tf.function(lambda a: tf.linalg.sqrtm(a))
    a = np.array([[2., 1.], [1., 3.]])
    np.testing.assert_allclose(g(a).numpy(), real_tf.linalg.sqrtm(a).numpy())

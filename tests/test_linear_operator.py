"""Oracle tests for tf.linalg.LinearOperator and its subclasses: each operator is built in both
libraries from the same random inputs (with batch dimensions) and every method is compared."""
import numpy as np
import pytest

from test_ops_math import real_tf, tf

RNG = np.random.default_rng(0)
A = RNG.standard_normal((2, 3, 3)).astype("float32") + 3 * np.eye(3, dtype="float32")
SPD = (A @ np.swapaxes(A, -1, -2) + np.eye(3, dtype="float32")).astype("float32")
D = (RNG.standard_normal((2, 3)) + 3).astype("float32")
C = (RNG.standard_normal((2, 3)) + 1j * RNG.standard_normal((2, 3)) + 3).astype("complex64")
AC = (RNG.standard_normal((3, 3)) + 1j * RNG.standard_normal((3, 3)) + 3 * np.eye(3)) \
    .astype("complex128")
SPEC3 = (RNG.standard_normal((2, 2, 2)) + 3).astype("complex64")


def _full(L, m=A, **kw):
    return L.linalg.LinearOperatorFullMatrix(m, **kw)


OPERATORS = {
    "full": lambda L: _full(L),
    "full_complex": lambda L: _full(L, AC),
    "full_spd": lambda L: _full(L, SPD, is_self_adjoint=True, is_positive_definite=True),
    "full_rect": lambda L: _full(L, A[:, :, :2]),
    "diag": lambda L: L.linalg.LinearOperatorDiag(D),
    "diag_complex": lambda L: L.linalg.LinearOperatorDiag(C),
    "identity": lambda L: L.linalg.LinearOperatorIdentity(3, batch_shape=[2]),
    "identity_f64": lambda L: L.linalg.LinearOperatorIdentity(3, dtype=L.float64),
    "scaled_identity": lambda L: L.linalg.LinearOperatorScaledIdentity(3, D[:, 0]),
    "lower_triangular": lambda L: L.linalg.LinearOperatorLowerTriangular(A),
    "zeros": lambda L: L.linalg.LinearOperatorZeros(3, batch_shape=[2]),
    "zeros_rect": lambda L: L.linalg.LinearOperatorZeros(3, 2, is_square=False,
                                                         is_self_adjoint=False),
    "composition": lambda L: L.linalg.LinearOperatorComposition(
        [_full(L), L.linalg.LinearOperatorDiag(D)]),
    "adjoint": lambda L: L.linalg.LinearOperatorAdjoint(_full(L)),
    "adjoint_complex": lambda L: L.linalg.LinearOperatorAdjoint(_full(L, AC)),
    "inversion": lambda L: L.linalg.LinearOperatorInversion(_full(L)),
    "block_diag": lambda L: L.linalg.LinearOperatorBlockDiag(
        [_full(L), L.linalg.LinearOperatorDiag(D[:, :2])]),
    "block_lower_triangular": lambda L: L.linalg.LinearOperatorBlockLowerTriangular(
        [[_full(L)], [_full(L, A[:, :2, :]), L.linalg.LinearOperatorDiag(D[:, :2])]]),
    "kronecker": lambda L: L.linalg.LinearOperatorKronecker(
        [_full(L), _full(L, A[:, :2, :2])]),
    "permutation": lambda L: L.linalg.LinearOperatorPermutation([[2, 0, 1], [1, 0, 2]]),
    "permutation_f64": lambda L: L.linalg.LinearOperatorPermutation([0, 2, 1],
                                                                    dtype=L.float64),
    "householder": lambda L: L.linalg.LinearOperatorHouseholder(D),
    "low_rank_update": lambda L: L.linalg.LinearOperatorLowRankUpdate(
        _full(L), A[:, :, :2], diag_update=D[:, :2]),
    "low_rank_update_spd": lambda L: L.linalg.LinearOperatorLowRankUpdate(
        _full(L, SPD, is_self_adjoint=True, is_positive_definite=True), A[:, :, :1]),
    "toeplitz": lambda L: L.linalg.LinearOperatorToeplitz(D + 3, D[::-1]),
    "tridiag": lambda L: L.linalg.LinearOperatorTridiag(np.stack([D, D + 3, D], -2)),
    "tridiag_matrix": lambda L: L.linalg.LinearOperatorTridiag(A, diagonals_format="matrix"),
    "circulant": lambda L: L.linalg.LinearOperatorCirculant(C),
    "circulant_real": lambda L: L.linalg.LinearOperatorCirculant(
        (np.abs(D) + 3).astype("complex64"), input_output_dtype=L.float32),
    "circulant_2d": lambda L: L.linalg.LinearOperatorCirculant2D((A + 3).astype("complex64")),
    "circulant_3d": lambda L: L.linalg.LinearOperatorCirculant3D(SPEC3),
}


def _same(a, b, tol=2e-4):
    if isinstance(b, Exception):
        assert isinstance(a, Exception), ("TF raised", b, "tftape returned", a)
        assert type(a).__name__ == type(b).__name__, (a, b)
        return
    assert not isinstance(a, Exception), ("tftape raised", a, "TF returned", b)
    if isinstance(b, real_tf.Tensor):
        assert a.dtype.name == b.dtype.name, (a.dtype, b.dtype)
        assert tuple(a.shape) == tuple(b.shape), (a.shape, b.shape)
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=tol, atol=tol)
    else:
        assert a == b, (a, b)


def _run(fn):
    try:
        return fn()
    except Exception as e:  # noqa: BLE001 - the type is compared
        return e


@pytest.fixture(params=sorted(OPERATORS), scope="module")
def pair(request):
    mk = OPERATORS[request.param]
    return mk(tf), mk(real_tf)


def test_properties(pair):
    o, t = pair
    assert type(o).__name__ == type(t).__name__
    assert o.dtype.name == t.dtype.name
    assert tuple(o.shape) == tuple(t.shape)
    assert tuple(o.batch_shape) == tuple(t.batch_shape)
    assert o.domain_dimension == t.domain_dimension
    assert o.range_dimension == t.range_dimension
    assert o.tensor_rank == t.tensor_rank
    for hint in ("is_non_singular", "is_self_adjoint", "is_positive_definite", "is_square"):
        assert getattr(o, hint) == getattr(t, hint), hint
    for m in ("shape_tensor", "batch_shape_tensor", "domain_dimension_tensor",
              "range_dimension_tensor", "tensor_rank_tensor"):
        _same(getattr(o, m)(), getattr(t, m)())
    assert o.name == t.name
    assert sorted(o.parameters) == sorted(t.parameters)


@pytest.mark.parametrize("method", ["to_dense", "determinant", "log_abs_determinant", "trace",
                                    "diag_part", "eigvals", "cond"])
def test_reductions(pair, method):
    o, t = pair
    _same(_run(getattr(o, method)), _run(getattr(t, method)), tol=1e-3)


@pytest.mark.parametrize("adjoint", [False, True])
@pytest.mark.parametrize("adjoint_arg", [False, True])
@pytest.mark.parametrize("method", ["matmul", "solve"])
def test_products(pair, method, adjoint, adjoint_arg):
    o, t = pair
    rows = t.shape[-2] if (method == "matmul") == adjoint else t.shape[-1]
    shape = tuple(t.batch_shape) + ((2, rows) if adjoint_arg else (rows, 2))
    x = RNG.standard_normal(shape)
    if t.dtype.is_complex:
        x = x + 1j * RNG.standard_normal(shape)
    x = x.astype(t.dtype.as_numpy_dtype)
    _same(_run(lambda: getattr(o, method)(x, adjoint=adjoint, adjoint_arg=adjoint_arg)),
          _run(lambda: getattr(t, method)(x, adjoint=adjoint, adjoint_arg=adjoint_arg)),
          tol=2e-3)


@pytest.mark.parametrize("method", ["matvec", "solvevec"])
def test_vector_products(pair, method):
    o, t = pair
    for adjoint in (False, True):
        n = t.shape[-2] if (method == "matvec") == adjoint else t.shape[-1]
        x = RNG.standard_normal((n,)).astype(t.dtype.as_numpy_dtype)
        _same(_run(lambda x=x, adj=adjoint: getattr(o, method)(x, adjoint=adj)),
              _run(lambda x=x, adj=adjoint: getattr(t, method)(x, adjoint=adj)), tol=2e-3)


def test_derived_operators(pair):
    o, t = pair
    for m in ("adjoint", "inverse", "cholesky"):
        ro, rt = _run(getattr(o, m)), _run(getattr(t, m))
        if isinstance(rt, Exception):
            _same(ro, rt)
            continue
        assert type(ro).__name__ == type(rt).__name__, (m, ro, rt)
        _same(ro.to_dense(), rt.to_dense(), tol=2e-3)
    _same(o.H.to_dense(), t.H.to_dense())


def test_add_to_tensor_and_operators(pair):
    o, t = pair
    x = RNG.standard_normal(tuple(t.shape)).astype(t.dtype.as_numpy_dtype)
    # A Tensor, as documented (TF's LinearOperatorZeros.add_to_tensor fails on NumPy input).
    _same(_run(lambda: o.add_to_tensor(tf.constant(x))),
          _run(lambda: t.add_to_tensor(real_tf.constant(x))))
    if t.is_square:
        prod_o, prod_t = _run(lambda: o @ o), _run(lambda: t @ t)
        _same(prod_o.to_dense(), prod_t.to_dense(), tol=1e-2)
    # Wrong dtype: TypeError; wrong dimension: ValueError.
    bad = np.ones(tuple(t.shape)[-1:] + (1,), np.int32)
    _same(_run(lambda: o.matmul(bad)), _run(lambda: t.matmul(bad)))
    bad = np.ones((t.shape[-1] + 1, 1), t.dtype.as_numpy_dtype)
    _same(_run(lambda: o.matmul(bad)), _run(lambda: t.matmul(bad)))


ERRORS = """
L.linalg.LinearOperatorFullMatrix(np.ones((2, 3), np.float32)).determinant()
L.linalg.LinearOperatorFullMatrix(np.ones((2, 3), np.float32)).solve(np.ones((2, 1), np.float32))
L.linalg.LinearOperatorFullMatrix(np.ones((2, 3), np.float32)).inverse()
L.linalg.LinearOperatorFullMatrix(np.ones((3,), np.float32))
L.linalg.LinearOperatorFullMatrix(np.ones((2, 2), np.int32))
L.linalg.LinearOperatorFullMatrix(np.ones((2, 2), np.float32), is_positive_definite=True, is_non_singular=False)
L.linalg.LinearOperatorFullMatrix(np.ones((2, 2), np.float32), is_non_singular=True, is_square=False)
L.linalg.LinearOperatorFullMatrix(np.ones((2, 2), np.float32), is_self_adjoint=True, is_square=False)
L.linalg.LinearOperatorFullMatrix(np.ones((2, 2), np.float32), is_square=False).is_square
L.linalg.LinearOperatorFullMatrix(np.eye(2, dtype=np.float32)).cholesky()
L.linalg.LinearOperatorFullMatrix(np.eye(2, dtype=np.float32)).eigvals()
L.linalg.LinearOperatorDiag(np.float32(1.))
L.linalg.LinearOperatorDiag(np.ones(2, np.float32), is_self_adjoint=False)
L.linalg.LinearOperatorIdentity(2, is_self_adjoint=False)
L.linalg.LinearOperatorIdentity(-1)
L.linalg.LinearOperatorZeros(2, 3)
L.linalg.LinearOperatorZeros(2, is_non_singular=True)
L.linalg.LinearOperatorZeros(2).solve(np.ones((2, 1), np.float32))
L.linalg.LinearOperatorZeros(2).inverse()
L.linalg.LinearOperatorPermutation([0., 1.])
L.linalg.LinearOperatorHouseholder(np.ones(2, np.float32), is_self_adjoint=False)
L.linalg.LinearOperatorComposition([])
L.linalg.LinearOperatorComposition([L.linalg.LinearOperatorDiag(np.ones(2, np.float32)), L.linalg.LinearOperatorDiag(np.ones(2))])
L.linalg.LinearOperatorComposition([L.linalg.LinearOperatorDiag(np.ones(2, np.float32)), L.linalg.LinearOperatorDiag(np.ones(3, np.float32))])
L.linalg.LinearOperatorBlockLowerTriangular([[L.linalg.LinearOperatorDiag(np.ones(2, np.float32))], []])
L.linalg.LinearOperatorTridiag(np.ones((3, 3), np.float32), diagonals_format="bad")
L.linalg.LinearOperatorInversion(L.linalg.LinearOperatorZeros(2))
L.linalg.LinearOperatorDiag(np.ones(2, np.float32)) @ L.linalg.LinearOperatorDiag(np.ones(3, np.float32))
""".strip().splitlines()


@pytest.mark.parametrize("src", ERRORS)
def test_errors(src):
    got = _run(lambda: eval(src, {"L": tf, "np": np}))  # noqa: S307 - test expressions
    exp = _run(lambda: eval(src, {"L": real_tf, "np": np}))  # noqa: S307
    if isinstance(exp, Exception):
        _same(got, exp)
        assert str(got) == str(exp), (src, got, exp)
    else:
        assert not isinstance(got, Exception), (src, got)


def test_gradient_through_operator():
    def run(lib):
        m = lib.Variable(A)
        d = lib.Variable(D)
        with lib.GradientTape() as g:
            op = lib.linalg.LinearOperatorComposition(
                [lib.linalg.LinearOperatorFullMatrix(m), lib.linalg.LinearOperatorDiag(d)])
            y = lib.reduce_sum(op.solvevec(np.ones((2, 3), np.float32))) + \
                lib.reduce_sum(op.log_abs_determinant())
        return [v.numpy() for v in g.gradient(y, [m, d])]
    for o, t in zip(run(tf), run(real_tf)):
        np.testing.assert_allclose(o, t, rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("with_preconditioner", [False, True])
def test_conjugate_gradient(with_preconditioner):
    # Its own generator: the iteration count is compared exactly, so the right-hand side
    # must not depend on which tests ran before on this worker.
    rhs = np.random.default_rng(11).standard_normal((2, 3)).astype("float32")

    def run(lib):
        op = lib.linalg.LinearOperatorFullMatrix(SPD, is_self_adjoint=True,
                                                 is_positive_definite=True)
        pre = lib.linalg.LinearOperatorDiag(1. / np.diagonal(SPD, axis1=-2, axis2=-1),
                                            is_positive_definite=True) \
            if with_preconditioner else None
        return lib.linalg.experimental.conjugate_gradient(op, lib.constant(rhs),
                                                          preconditioner=pre, tol=1e-6)
    o, t = run(tf), run(real_tf)
    assert type(o).__name__ == type(t).__name__ and o._fields == t._fields
    assert int(o.i) == int(t.i)
    for a, b in zip(o[1:], t[1:]):
        _same(a, b, tol=1e-3)
    with pytest.raises(ValueError, match="self-adjoint, positive definite"):
        tf.linalg.experimental.conjugate_gradient(tf.linalg.LinearOperatorFullMatrix(A), rhs)


PAIRS = {
    "diag@diag": lambda L: L.linalg.LinearOperatorDiag(D) @ L.linalg.LinearOperatorDiag(D + 1),
    "diag\\diag": lambda L: L.linalg.LinearOperatorDiag(D).solve(
        L.linalg.LinearOperatorDiag(D + 1)),
    "diag@scaled": lambda L: L.linalg.LinearOperatorDiag(D[0]) @
    L.linalg.LinearOperatorScaledIdentity(3, np.float32(2.)),
    "scaled\\diag": lambda L: L.linalg.LinearOperatorScaledIdentity(3, np.float32(2.)).solve(
        L.linalg.LinearOperatorDiag(D)),
    "scaled@scaled": lambda L: L.linalg.LinearOperatorScaledIdentity(3, D[:, 0]) @
    L.linalg.LinearOperatorScaledIdentity(3, D[:, 1]),
    "diag@tril": lambda L: L.linalg.LinearOperatorDiag(D) @
    L.linalg.LinearOperatorLowerTriangular(A),
    "diag\\tril": lambda L: L.linalg.LinearOperatorDiag(D).solve(
        L.linalg.LinearOperatorLowerTriangular(A)),
    "tril@diag": lambda L: L.linalg.LinearOperatorLowerTriangular(A) @
    L.linalg.LinearOperatorDiag(D),  # TF broadcasts the batch of diagonals wrongly: raises
    "tril@diag_unbatched": lambda L: L.linalg.LinearOperatorLowerTriangular(A) @
    L.linalg.LinearOperatorDiag(D[0]),
    "identity@full": lambda L: L.linalg.LinearOperatorIdentity(3) @ _full(L),
    "full@identity": lambda L: _full(L) @ L.linalg.LinearOperatorIdentity(3),
    "full\\identity": lambda L: _full(L).solve(L.linalg.LinearOperatorIdentity(3)),
    "full\\full": lambda L: _full(L).solve(_full(L, SPD)),
    "inversion\\full": lambda L: L.linalg.LinearOperatorInversion(_full(L)).solve(_full(L)),
    "zeros@full": lambda L: L.linalg.LinearOperatorZeros(3) @ _full(L),
    "full@zeros": lambda L: _full(L) @ L.linalg.LinearOperatorZeros(3),
    "blockdiag@blockdiag": lambda L: OPERATORS["block_diag"](L) @ OPERATORS["block_diag"](L),
    "circulant\\circulant": lambda L: OPERATORS["circulant"](L).solve(OPERATORS["circulant"](L)),
    "circulant3d@adjoint": lambda L: OPERATORS["circulant_3d"](L) @
    OPERATORS["circulant_3d"](L).adjoint(),
}


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_operator_products(name):
    # Products and solves of two operators: TF's result type, hints and values.
    o, t = _run(lambda: PAIRS[name](tf)), _run(lambda: PAIRS[name](real_tf))
    if isinstance(t, Exception):
        _same(o, t)
        return
    assert type(o).__name__ == type(t).__name__, (o, t)
    for hint in ("is_non_singular", "is_self_adjoint", "is_positive_definite", "is_square"):
        assert getattr(o, hint) == getattr(t, hint), hint
    _same(o.to_dense(), t.to_dense(), tol=2e-3)


def test_batch_slicing_is_not_supported():
    # TF slices the batch dimensions (`op[0]`); tftape says plainly that it does not.
    op = OPERATORS["full"](tf)
    with pytest.raises(NotImplementedError, match="Batch slicing of LinearOperatorFullMatrix"):
        op[0]
    assert "batch slicing" in tf.linalg.LinearOperatorDiag.__tftape_partial__

"""Matrix functions and decompositions (``tf.linalg``): inverses, solves, factorisations."""
from __future__ import annotations

from collections import namedtuple

import numpy as np
import jax
import jax.numpy as jnp

from .._core import dtypes as _d
from .._core.errors import InvalidArgumentError, kernel_error
from .._core.registry import check_dtype, convert_inputs, execute, op
from .._core.tensor import Tensor, vshape
from ._util import host, is_concrete, tensor, fmt_shape

_to_tensor = tensor

# TF's linalg kernels: half/float/double/complex (bfloat16 is not among them).
LINALG = (_d.float16, _d.float32, _d.float64, _d.complex64, _d.complex128)
LINALG_NO_HALF = (_d.float32, _d.float64, _d.complex64, _d.complex128)

Qr = namedtuple("Qr", ["q", "r"])
LogMatrixDeterminant = namedtuple("LogMatrixDeterminant", ["sign", "log_abs_determinant"])


def _h(x):
    """The conjugate transpose of the innermost two dimensions."""
    x = jnp.swapaxes(x, -1, -2)
    return jnp.conj(x) if jnp.iscomplexobj(x) else x


def _square_input(o, t: Tensor, square=True):
    check_dtype(o, t)
    shp = vshape(t)
    if len(shp) < 2:
        raise kernel_error(o.tf_name, f"Input tensor 0 must have rank >= 2, got {len(shp)}")
    if square and shp[-1] != shp[-2]:
        raise kernel_error(o.tf_name, "Input matrix must be square.")
    return t


def _singular(t: Tensor) -> bool:
    """Whether some matrix of a concrete batch has an exactly zero LU pivot (TF's test)."""
    if not is_concrete(t) or t._v.size == 0:
        return False
    return _singular_host(host(t))


def _singular_host(a: np.ndarray) -> bool:
    """``_singular`` for a host array: LAPACK's partially pivoted LU (getrf, as XLA's on CPU)
    through NumPy's slogdet, whose sign is 0 exactly when a pivot is; nothing is compiled."""
    a = a.astype(np.complex128 if np.iscomplexobj(a) else np.float64)
    return bool(np.any(np.linalg.slogdet(a)[0] == 0))


# -- inverses and determinants ------------------------------------------------------------------
_inv = op("inv", "MatrixInverse", lambda x, adjoint: jnp.linalg.inv(_h(x) if adjoint else x),
          dtypes=LINALG, signature="input:T -> output:T")


def inv(input, adjoint=False, name=None) -> Tensor:  # noqa: A002
    """The inverse of each square matrix (raises if one is singular).

    >>> import tftape as tf
    >>> tf.linalg.inv(tf.constant([[2., 0.], [0., 4.]]))
    <tf.Tensor: shape=(2, 2), dtype=float32, numpy=
    array([[0.5 , 0.  ],
           [0.  , 0.25]], dtype=float32)>
    """
    t = _square_input(_inv, tensor(input))
    if _singular(t):
        raise kernel_error("MatrixInverse", "Input is not invertible.")
    return execute(_inv, (t,), (bool(adjoint),), {"adjoint": bool(adjoint)})


_det = op("det", "MatrixDeterminant", jnp.linalg.det, dtypes=LINALG,
          signature="input:T -> output:T")


def det(input, name=None) -> Tensor:  # noqa: A002
    """The determinant of each square matrix."""
    t = _square_input(_det, tensor(input))
    if vshape(t)[-1] == 0:
        from .array_ops import ones
        return ones(vshape(t)[:-2], t._dtype)
    return execute(_det, (t,))


def _slogdet_impl(x):
    s, l = jnp.linalg.slogdet(x)
    return s.astype(x.dtype), l.astype(x.dtype)


_slogdet = op("slogdet", "LogMatrixDeterminant", _slogdet_impl, dtypes=LINALG,
              signature="input:T -> sign:T, log_abs_determinant:T")


def slogdet(input, name=None):  # noqa: A002
    """The sign and log of the absolute determinant of each square matrix."""
    t = _square_input(_slogdet, tensor(input))
    return LogMatrixDeterminant(*execute(_slogdet, (t,)))


def logdet(matrix, name=None) -> Tensor:
    """log(det(matrix)) of Hermitian positive definite matrices, through a Cholesky factor."""
    from . import math_ops as m
    from .linalg_ops import diag_part
    c = cholesky(matrix)
    return 2.0 * m.reduce_sum(m.log(m.real(diag_part(c))), -1)


# -- factorisations ----------------------------------------------------------------------------
_cholesky = op("cholesky", "Cholesky", lambda x: jnp.linalg.cholesky(x), dtypes=LINALG,
               signature="input:T -> output:T")


def cholesky(input, name=None) -> Tensor:  # noqa: A002
    """The lower Cholesky factor of each Hermitian positive definite matrix."""
    t = _square_input(_cholesky, tensor(input))
    return execute(_cholesky, (t,))


_qr = op("qr", "Qr", lambda x, full: tuple(jnp.linalg.qr(x, mode="complete" if full else
                                                        "reduced")),
         dtypes=LINALG, signature="input:T -> q:T, r:T")


def qr(input, full_matrices=False, name=None):  # noqa: A002
    """The QR decomposition ``Qr(q, r)`` of each matrix."""
    t = _square_input(_qr, tensor(input), square=False)
    f = bool(full_matrices)
    return Qr(*execute(_qr, (t,), (f,), {"full": f}))


def _svd_impl(x, full, uv):
    # Singular values are real (float64 for complex128 input), as in TF.
    if not uv:
        return jnp.linalg.svd(x, compute_uv=False)
    u, s, vh = jnp.linalg.svd(x, full_matrices=full)
    # TF returns v, not v^H.
    return s, u, _h(vh)


_svd = op("svd", "Svd", _svd_impl, dtypes=LINALG, signature="input:T -> s:T, u:T, v:T")


def svd(tensor, full_matrices=False, compute_uv=True, name=None):  # noqa: F811
    """Singular values ``s`` and, with ``compute_uv``, ``(s, u, v)`` with a = u diag(s) v^H."""
    t = _square_input(_svd, _to_tensor(tensor), square=False)
    f, uv = bool(full_matrices), bool(compute_uv)
    return execute(_svd, (t,), (f, uv), {"full": f, "uv": uv})


def _eigh_impl(x, vectors):
    # TF reads only the lower triangle; building the Hermitian matrix from it gives TF's
    # gradient (the lower triangle of G + G^H, diagonal halved).
    low = jnp.tril(x, -1)
    x = low + _h(low) + jnp.tril(jnp.triu(x))
    w, v = jnp.linalg.eigh(x, symmetrize_input=False)
    return (w.astype(x.dtype), v) if vectors else w.astype(x.dtype)


_eigh = op("eigh", "SelfAdjointEigV2", _eigh_impl, dtypes=LINALG,
           signature="input:T -> e:T, v:T")


def eigh(tensor, name=None):  # noqa: F811
    """Eigenvalues (ascending) and eigenvectors of each Hermitian matrix (lower triangle used)."""
    t = _square_input(_eigh, _to_tensor(tensor))
    return execute(_eigh, (t,), (True,), {"vectors": True})


def eigvalsh(tensor, name=None) -> Tensor:  # noqa: F811
    """Eigenvalues (ascending) of each Hermitian matrix."""
    t = _square_input(_eigh, _to_tensor(tensor))
    return execute(_eigh, (t,), (False,), {"vectors": False})


_COMPLEX_OF = {_d.float32: np.complex64, _d.float64: np.complex128,
               _d.complex64: np.complex64, _d.complex128: np.complex128}


def _eig_host(t: Tensor, vectors: bool):
    # Note: JAX's general eigensolver runs on the host CPU only; so does this.
    a = host(t)
    w, v = np.linalg.eig(a)
    ct = _COMPLEX_OF[t._dtype]
    from .._core.tensor import make
    cd = _d.as_dtype(np.dtype(ct))
    w = make(jnp.asarray(w.astype(ct)), cd)
    return (w, make(jnp.asarray(v.astype(ct)), cd)) if vectors else w


def eig(tensor, name=None):  # noqa: F811
    """Eigenvalues and eigenvectors of general square matrices (complex results)."""
    t = _square_input(_eigh, _to_tensor(tensor))
    return _eig_host(t, True)


def eigvals(tensor, name=None) -> Tensor:  # noqa: F811
    """Eigenvalues of general square matrices (complex)."""
    t = _square_input(_eigh, _to_tensor(tensor))
    return _eig_host(t, False)


# -- solves ----------------------------------------------------------------------------------
_solve = op("solve", "MatrixSolve", lambda a, b, adjoint: jnp.linalg.solve(
    _h(a) if adjoint else a, b), dtypes=LINALG, signature="matrix:T, rhs:T -> output:T")


def solve(matrix, rhs, adjoint=False, name=None) -> Tensor:
    """Solves ``matrix @ x = rhs`` for each square matrix."""
    a, b = convert_inputs(_solve, (matrix, rhs))
    sa, sb = vshape(a), vshape(b)
    if len(sa) != len(sb):
        raise kernel_error("MatrixSolve", "All input tensors must have the same rank.")
    if len(sa) < 2:
        raise kernel_error("MatrixSolve", f"Input tensor 0 must have rank >= 2, got {len(sa)}")
    if sa[-1] != sa[-2]:
        raise kernel_error("MatrixSolve", "First input (lhs) must be a square matrix.")
    if sa[-2] != sb[-2]:
        raise kernel_error("MatrixSolve", "Input matrix and rhs are incompatible.")
    if sa[:-2] != sb[:-2]:
        raise kernel_error("MatrixSolve", "All input tensors must have the same outer "
                                          "dimensions.")
    if _singular(a):
        raise kernel_error("MatrixSolve", "Input matrix is not invertible.")
    return execute(_solve, (a, b), (bool(adjoint),), {"adjoint": bool(adjoint)})


_trisolve = op("triangular_solve", "MatrixTriangularSolve",
               lambda a, b, lower, adjoint: jax.lax.linalg.triangular_solve(
                   a, b, left_side=True, lower=lower, transpose_a=adjoint,
                   conjugate_a=adjoint and jnp.iscomplexobj(a)),
               dtypes=LINALG, signature="matrix:T, rhs:T -> output:T")


def triangular_solve(matrix, rhs, lower=True, adjoint=False, name=None) -> Tensor:
    """Solves ``matrix @ x = rhs`` for triangular ``matrix`` (only its triangle is read)."""
    a, b = convert_inputs(_trisolve, (matrix, rhs))
    if a.ndim < 2 or b.ndim < 2:
        raise kernel_error("MatrixTriangularSolve", f"Input tensor 0 must have rank >= 2, "
                                                    f"got {min(a.ndim, b.ndim)}")
    if vshape(a)[-1] != vshape(a)[-2]:
        raise kernel_error("MatrixTriangularSolve", f"Input matrix must be square.")
    batch = np.broadcast_shapes(vshape(a)[:-2], vshape(b)[:-2])
    from .array_ops import broadcast_to
    a = broadcast_to(a, batch + vshape(a)[-2:])
    b = broadcast_to(b, batch + vshape(b)[-2:])
    return execute(_trisolve, (a, b), (bool(lower), bool(adjoint)),
                   {"lower": bool(lower), "adjoint": bool(adjoint)})


def cholesky_solve(chol, rhs, name=None) -> Tensor:
    """Solves ``A x = rhs`` given the Cholesky factor of A."""
    y = triangular_solve(chol, rhs, lower=True, adjoint=False)
    return triangular_solve(chol, y, lower=True, adjoint=True)


def lstsq(matrix, rhs, l2_regularizer=0.0, fast=True, name=None) -> Tensor:
    """Least-squares solutions of ``matrix @ x = rhs`` (normal equations, as TF's fast path)."""
    from .linalg_ops import matmul
    a, b = convert_inputs(_solve, (matrix, rhs))
    n = vshape(a)[-1]
    from .array_ops import eye
    gram = matmul(a, a, adjoint_a=True)
    if l2_regularizer:
        gram = gram + tensor(l2_regularizer, a.dtype) * eye(n, dtype=a.dtype)
    return cholesky_solve(cholesky(gram), matmul(a, b, adjoint_a=True))


_pinv = op("pinv", "Pinv", lambda x, rcond: jnp.linalg.pinv(x, rtol=rcond), dtypes=LINALG)


def pinv(a, rcond=None, validate_args=False, name=None) -> Tensor:
    """The Moore-Penrose pseudo-inverse (singular values below ``rcond * max(s)`` dropped)."""
    t = _square_input(_pinv, tensor(a), square=False)
    if rcond is None:
        rcond = 10. * max(vshape(t)[-2:]) * float(np.finfo(t._dtype.real_dtype._np).eps)
    return execute(_pinv, (t,), (float(rcond),), {"rcond": float(rcond)})


def matrix_rank(a, tol=None, validate_args=False, name=None) -> Tensor:
    """The number of singular values above ``tol`` (int32)."""
    from . import math_ops as m
    t = tensor(a)
    s = svd(t, compute_uv=False)
    if tol is None:
        eps = float(np.finfo(t._dtype.real_dtype._np).eps)
        tol = m.reduce_max(s, -1, keepdims=True) * tensor(eps * max(vshape(t)[-2:]), s.dtype)
    else:
        tol = tensor(tol, s.dtype)
    return m.reduce_sum(m.cast(m.greater(s, tol), _d.int32), -1)


_expm = op("expm", "MatrixExponential", jax.scipy.linalg.expm, dtypes=LINALG)


def expm(input, name=None) -> Tensor:  # noqa: A002
    """The matrix exponential of each square matrix."""
    t = _square_input(_expm, tensor(input))
    return execute(_expm, (t,))


_cross = op("cross", "Cross", lambda a, b: jnp.cross(a, b), dtypes=_d.REAL)


def cross(a, b, name=None) -> Tensor:
    """The cross product of 3-element vectors in the innermost dimension."""
    x, y = convert_inputs(_cross, (a, b))
    if vshape(x) != vshape(y):
        raise kernel_error("Cross", f"Both inputs must be of same shape: "
                                    f"{fmt_shape(vshape(x))} vs. {fmt_shape(vshape(y))}")
    if x.ndim < 1 or vshape(x)[-1] != 3:
        from .._core.errors import FailedPreconditionError
        raise kernel_error("Cross", "Cross-products are only defined for 3-element vectors.",
                           FailedPreconditionError)
    return execute(_cross, (x, y))


def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None) -> Tensor:  # noqa: A002,F811
    """Vector and matrix norms (``euclidean``/``fro``, 1, 2, inf and positive p), as TF.

    >>> import tftape as tf
    >>> tf.linalg.norm(tf.constant([3., 4.]))
    <tf.Tensor: shape=(), dtype=float32, numpy=5.0>
    """
    from . import math_ops as m
    from .array_ops import squeeze
    from .._core.convert import to_static
    axis = to_static(axis)
    is_matrix = isinstance(axis, (tuple, list)) and len(axis) == 2
    if is_matrix:
        axis = tuple(axis)
        if not isinstance(axis[0], int) or not isinstance(axis[1], int) or axis[0] == axis[1]:
            raise ValueError(f"'axis' must be None, an integer, or a tuple of 2 unique integers, "
                             f"got {axis}")
        supported = ["euclidean", "fro", 1, 2, np.inf]
        if ord not in supported:
            raise ValueError(f"'ord' must be a supported matrix norm in {supported}, got {ord}")
    else:
        if not (isinstance(axis, int) or axis is None):
            raise ValueError(f"'axis' must be None, an integer, or a tuple of 2 unique "
                             f"integers, got {axis}")
        supported = ["euclidean", 1, 2, np.inf]
        if (not np.isreal(ord) or ord <= 0) and ord not in supported:
            raise ValueError(f"'ord' must be a supported vector norm, got {ord}")
        if axis is not None:
            axis = (axis,)
    t = _to_tensor(tensor)
    if ord in ("fro", "euclidean", 2, 2.0) and not (is_matrix and ord in (2, 2.0)):
        result = m.sqrt(m.reduce_sum(t * m.conj(t), axis, keepdims=True))
    elif ord in (2, 2.0):
        from .array_ops import expand_dims, transpose
        nd = t.ndim
        pos = [a % nd for a in axis]
        before = [i for i in range(nd) if i not in pos] + pos
        after = [before.index(i) for i in range(nd)]
        s = svd(transpose(t, before), compute_uv=False)
        result = transpose(expand_dims(m.reduce_max(m.abs(s), -1, keepdims=True), -1), after)
    else:
        result = m.abs(t)
        if ord == 1:
            result = m.reduce_sum(result, None if axis is None else axis[0], keepdims=True)
            if is_matrix:
                result = m.reduce_max(result, axis[-1], keepdims=True)
        elif ord == np.inf:
            if is_matrix:
                result = m.reduce_sum(result, axis[1], keepdims=True)
            result = m.reduce_max(result, None if axis is None else axis[0], keepdims=True)
        else:
            result = m.pow(m.reduce_sum(m.pow(result, ord), axis, keepdims=True), 1.0 / ord)
    if not keepdims:
        result = squeeze(result, axis)
    return result

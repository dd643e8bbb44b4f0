"""More of ``tf.linalg``: LU, matrix square root and logarithm, tridiagonal and banded systems."""
from __future__ import annotations

from collections import namedtuple

import numpy as np
import jax
import jax.numpy as jnp

from .._core import dtypes as _d
from .._core.errors import InvalidArgumentError, kernel_error
from .._core.registry import check_dtype, convert_inputs, execute, op
from .._core.tensor import Tensor, vshape
from ._util import fmt_shape, host, is_concrete, tensor
from .matrix_ops import LINALG, _singular, _singular_host

Lu = namedtuple("Lu", ["lu", "p"])

_DIAG_TYPES = (_d.bfloat16, _d.float16, _d.float32, _d.float64, _d.int32, _d.int64,
               _d.complex64, _d.complex128)


def _square(o, t: Tensor, what="Input tensor must have rank >= 2, got"):
    check_dtype(o, t)
    if t.ndim < 2:
        raise kernel_error(o.tf_name, f"{what} {t.ndim}")
    if vshape(t)[-1] != vshape(t)[-2]:
        raise kernel_error(o.tf_name, "Input matrix must be square.")
    return t


# -- LU ---------------------------------------------------------------------------------------
def _lu_modulus_one(a):
    n = a.shape[-1]
    r = jnp.arange(n)

    def step(k, state):
        a, perm = state
        i = jnp.argmax(jnp.where(r >= k, jnp.abs(a[:, k]), -1.))
        row_k, row_i = a[k], a[i]
        a = a.at[k].set(row_i).at[i].set(row_k)
        pk, pi = perm[k], perm[i]
        perm = perm.at[k].set(pi).at[i].set(pk)
        below = r > k
        l = jnp.where(below, a[:, k] / a[k, k], 0)
        a = a - l[:, None] * jnp.where(r[None, :] > k, a[k][None, :], 0)
        a = a.at[:, k].set(jnp.where(below, l, a[:, k]))
        return a, perm
    return jax.lax.fori_loop(0, n, step, (a, r))


def _lu_impl(x, idx):
    if jnp.iscomplexobj(x) and x.shape[-1]:
        # Note: TF (Eigen) pivots on the modulus |z|; JAX's LU (LAPACK) on |re| + |im|.
        flat = x.reshape((-1,) + x.shape[-2:])
        lu, perm = jax.vmap(_lu_modulus_one)(flat)
        return lu.reshape(x.shape), perm.reshape(x.shape[:-1]).astype(idx)
    lu, _, perm = jax.lax.linalg.lu(x)
    return lu, perm.astype(idx)


_lu = op("lu", "Lu", _lu_impl, dtypes=LINALG, no_kernel=(_d.float16,),
         signature="input:T -> lu:T, p:output_idx_type")


def lu(input, output_idx_type=_d.int32, name=None):  # noqa: A002
    """The LU decomposition ``Lu(lu, p)`` with partial pivoting: ``input[p] = L @ U``.

    ``lu`` holds ``L`` (unit diagonal, not stored) below the diagonal and ``U`` on and above it.

    >>> import tftape as tf
    >>> tf.linalg.lu([[1., 2.], [3., 4.]]).p
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([1, 0], dtype=int32)>
    """
    # Note: TF registers no gradient for Lu (it raises LookupError); tftape gives JAX's.
    t = _square(_lu, tensor(input))
    if _singular(t):
        raise kernel_error("Lu", "Input is not invertible.")
    idx = _d.as_dtype(output_idx_type)
    return Lu(*execute(_lu, (t,), (idx.name,), {"idx": idx._np}))


def _lu_checks(lower_upper: Tensor, perm: Tensor):
    if lower_upper.ndim < 2:
        raise ValueError("Input `lower_upper` must have at least 2 dimensions.")
    if lower_upper.ndim != perm.ndim + 1:
        raise ValueError("`rank(lower_upper)` must equal `rank(perm) + 1`")
    if vshape(lower_upper)[-2] != vshape(lower_upper)[-1]:
        raise ValueError("`lower_upper` must be square.")


def _unit_lower(lower_upper: Tensor) -> Tensor:
    from .array_ops import ones
    from .linalg_ops import band_part, set_diag
    return set_diag(band_part(lower_upper, -1, 0),
                    ones(vshape(lower_upper)[:-1], dtype=lower_upper.dtype))


def lu_solve(lower_upper, perm, rhs, validate_args=False, name=None) -> Tensor:
    """Solves ``A @ x = rhs`` given ``lu(A)``.

    >>> import tftape as tf
    >>> tf.linalg.lu_solve(*tf.linalg.lu([[2., 0.], [0., 4.]]), [[2.], [2.]])
    <tf.Tensor: shape=(2, 1), dtype=float32, numpy=
    array([[1. ],
           [0.5]], dtype=float32)>
    """
    from .array_ops import broadcast_to, gather
    from .matrix_ops import triangular_solve
    lu_t = tensor(lower_upper)
    p = tensor(perm)
    b = tensor(rhs, lu_t.dtype) if not isinstance(rhs, Tensor) else rhs
    _lu_checks(lu_t, p)
    if b.ndim < 2:
        raise ValueError("Input `rhs` must have at least 2 dimensions.")
    if vshape(lu_t)[-1] != vshape(b)[-2]:
        raise ValueError("`lower_upper.shape[-1]` must equal `rhs.shape[-1]`.")
    if b.ndim == 2 and p.ndim == 1:
        permuted = gather(b, p, axis=-2)
    else:
        batch = tuple(np.broadcast_shapes(vshape(b)[:-2], vshape(p)[:-1]))
        b = broadcast_to(b, batch + vshape(b)[-2:])
        p = broadcast_to(p, batch + vshape(p)[-1:])
        permuted = gather(b, p, axis=-2, batch_dims=len(batch))
    return triangular_solve(lu_t, triangular_solve(_unit_lower(lu_t), permuted), lower=False)


def lu_matrix_inverse(lower_upper, perm, validate_args=False, name=None) -> Tensor:
    """The inverse of ``A`` given ``lu(A)``."""
    from .array_ops import eye
    lu_t = tensor(lower_upper)
    p = tensor(perm)
    _lu_checks(lu_t, p)
    s = vshape(lu_t)
    return lu_solve(lu_t, p, eye(s[-1], batch_shape=list(s[:-2]), dtype=lu_t.dtype))


def lu_reconstruct(lower_upper, perm, validate_args=False, name=None) -> Tensor:
    """``A`` rebuilt from ``lu(A)``: ``(L @ U)`` with its rows put back in order."""
    from .array_ops import argsort, gather
    from .linalg_ops import band_part, matmul
    lu_t = tensor(lower_upper)
    p = tensor(perm)
    _lu_checks(lu_t, p)
    x = matmul(_unit_lower(lu_t), band_part(lu_t, 0, -1))
    # The inverse permutation of each batch member (TF maps invert_permutation over them).
    inv = argsort(p, axis=-1)
    return gather(x, inv, axis=-2, batch_dims=p.ndim - 1)


# -- matrix functions ----------------------------------------------------------------------
def _sqrtm_one(a):
    s = jax.scipy.linalg.sqrtm(a)
    if jnp.iscomplexobj(a):
        return s.astype(a.dtype)
    # Note: TF's real square root (a real Schur form) is NaN where a real eigenvalue is
    # negative; the principal complex root then has a sizeable imaginary part.
    re = jnp.real(s).astype(a.dtype)
    scale = jnp.maximum(jnp.max(jnp.abs(re)), jnp.finfo(a.dtype).tiny)
    bad = jnp.max(jnp.abs(jnp.imag(s))) > jnp.sqrt(jnp.finfo(a.dtype).eps) * scale * 10
    return jnp.where(bad, jnp.nan, re)


def _batched(fn, x):
    if x.shape[-1] == 0:
        return x
    flat = x.reshape((-1,) + x.shape[-2:])
    return jax.vmap(fn)(flat).reshape(x.shape)


def _sqrtm_impl(x):
    return _batched(_sqrtm_one, x)


def _sqrtm_bwd(res, g):
    # TF's rule: with R = sqrtm(A), dA = R dR + dR R, so the gradient solves a Sylvester
    # equation R^T X + X R^T = g (written in JAX's convention, transposes without conjugates).
    _, r = res
    rt = jnp.swapaxes(r, -1, -2)

    def one(rt1, g1):
        return jax.scipy.linalg.solve_sylvester(rt1, rt1, g1).astype(g1.dtype)
    if r.shape[-1] == 0:
        return (g,)
    flat = jax.vmap(one)(rt.reshape((-1,) + r.shape[-2:]), g.reshape((-1,) + r.shape[-2:]))
    return (flat.reshape(g.shape),)


_sqrtm = op("sqrtm", "MatrixSquareRoot", _sqrtm_impl, dtypes=LINALG, no_kernel=(_d.float16,),
            tf_grad=(None, _sqrtm_bwd), signature="input:T -> output:T")


def sqrtm(input, name=None) -> Tensor:  # noqa: A002
    """The principal square root of each square matrix (NaN for a real matrix with a negative
    real eigenvalue, as TF).

    >>> import tftape as tf
    >>> tf.linalg.sqrtm([[4., 0.], [0., 9.]])
    <tf.Tensor: shape=(2, 2), dtype=float32, numpy=
    array([[2., 0.],
           [0., 3.]], dtype=float32)>
    """
    t = _square(_sqrtm, tensor(input))
    return execute(_sqrtm, (t,))


def _logm_one(a):
    # Note: the principal logarithm through an eigendecomposition (TF uses Eigen's Schur-Pade
    # method); equal up to rounding for the diagonalizable matrices it is used on.
    w, v = jnp.linalg.eig(a)
    return (v @ (jnp.log(w)[:, None] * jnp.linalg.inv(v))).astype(a.dtype)


_logm = op("logm", "MatrixLogarithm", lambda x: _batched(_logm_one, x),
           dtypes=(_d.complex64, _d.complex128), signature="input:T -> output:T")


def logm(input, name=None) -> Tensor:  # noqa: A002
    """The principal logarithm of each square complex matrix.

    >>> import tftape as tf
    >>> tf.linalg.logm(tf.constant([[1.]], tf.complex64))
    <tf.Tensor: shape=(1, 1), dtype=complex64, numpy=array([[0.+0.j]], dtype=complex64)>
    """
    # Note: TF registers no gradient for MatrixLogarithm; tftape gives JAX's.
    t = _square(_logm, tensor(input))
    return execute(_logm, (t,))


def normalize(tensor, ord="euclidean", axis=None, name=None):  # noqa: A002,F811
    """``(tensor / norm, norm)``, the norm kept with its reduced dimensions.

    >>> import tftape as tf
    >>> tf.linalg.normalize([3., 4.])[0]
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([0.6, 0.8], dtype=float32)>
    """
    from .matrix_ops import norm
    from .math_ops import cast, divide
    from ._util import tensor as _t
    t = _t(tensor)
    n = norm(t, ord=ord, axis=axis, keepdims=True)
    n = cast(n, t.dtype)
    return divide(t, n), n


# -- tensor diagonals (rank k <-> rank 2k) ----------------------------------------------------
_tensor_diag = op("tensor_diag", "Diag", lambda x: jnp.diag(x.reshape(-1)).reshape(
    x.shape + x.shape), dtypes=_DIAG_TYPES, signature="diagonal:T -> output:T")


def tensor_diag(diagonal, name=None) -> Tensor:
    """The rank-2k tensor with ``diagonal`` (rank k) on its diagonal: ``out[i, j] = d[i]``
    where ``i == j``."""
    t = tensor(diagonal)
    check_dtype(_tensor_diag, t)
    if t.ndim < 1:
        raise kernel_error("Diag", f"Input must be at least rank 1, got {t.ndim}")
    return execute(_tensor_diag, (t,))


def _tensor_diag_part_impl(x):
    k = x.ndim // 2
    n = int(np.prod(x.shape[:k], dtype=np.int64))
    return jnp.diagonal(x.reshape(n, n)).reshape(x.shape[:k])


_tensor_diag_part = op("tensor_diag_part", "DiagPart", _tensor_diag_part_impl,
                       dtypes=_DIAG_TYPES, signature="input:T -> diagonal:T")


def tensor_diag_part(input, name=None) -> Tensor:  # noqa: A002
    """The diagonal of a rank-2k tensor: ``out[i] = input[i, i]``."""
    t = tensor(input)
    check_dtype(_tensor_diag_part, t)
    s = vshape(t)
    if t.ndim % 2:
        raise kernel_error("DiagPart", f"The rank of the tensor should be                      "
                                       f"                    even and positive, got shape "
                                       f"{fmt_shape(s)}")
    k = t.ndim // 2
    for i in range(k):
        if s[i] != s[i + k]:
            raise kernel_error("DiagPart", f"Invalid shape {fmt_shape(s)}: dimensions {i} and "
                                           f"{i + k} do not match.")
    return execute(_tensor_diag_part, (t,))


# -- tridiagonal and banded systems ------------------------------------------------------
_TRI_TYPES = (_d.float32, _d.float64, _d.complex64, _d.complex128)


def _tri_dense(sup, main, sub):
    """The [..., M, M] matrix of three [..., M] diagonals (sup[-1] and sub[0] unused)."""
    m = main.shape[-1]
    i = jnp.arange(m)
    a = jnp.zeros(main.shape + (m,), main.dtype)
    a = a.at[..., i, i].set(main)
    if m > 1:
        a = a.at[..., i[:-1], i[1:]].set(sup[..., :-1])
        a = a.at[..., i[1:], i[:-1]].set(sub[..., 1:])
    return a


def _tri_matmul_impl(sup, main, sub, rhs):
    a = _tri_dense(sup[..., 0, :], main[..., 0, :], sub[..., 0, :])
    return jnp.matmul(a, rhs, precision=jax.lax.Precision.HIGHEST)


_tri_matmul = op("tridiagonal_matmul", "TridiagonalMatMul", _tri_matmul_impl, dtypes=_TRI_TYPES,
                 signature="superdiag:T, maindiag:T, subdiag:T, rhs:T -> output:T")


def _matrix_diags(d: Tensor, what: str):
    """The (super, main, sub) diagonals of square matrices, each [..., M] (TF pads the
    superdiagonal on the right and the subdiagonal on the left)."""
    from .array_ops import pad
    from .linalg_ops import diag_part
    s = vshape(d)
    if s[-1] != s[-2]:
        raise ValueError(f"Expected last two dimensions of diagonals to be same, got {s[-1]} "
                         f"and {s[-2]}")
    nd = d.ndim
    main = diag_part(d)
    if s[-1] < 2:
        return main, main * 0, main * 0
    sup = pad(diag_part(d, k=1), [[0, 0]] * (nd - 2) + [[0, 1]])
    sub = pad(diag_part(d, k=-1), [[0, 0]] * (nd - 2) + [[1, 0]])
    return sup, main, sub


def tridiagonal_matmul(diagonals, rhs, diagonals_format="compact", name=None) -> Tensor:
    """The product of tridiagonal matrices (given by their diagonals) with ``rhs``.

    >>> import tftape as tf
    >>> tf.linalg.tridiagonal_matmul(tf.ones((3, 3)), tf.ones((3, 1)))
    <tf.Tensor: shape=(3, 1), dtype=float32, numpy=
    array([[2.],
           [3.],
           [2.]], dtype=float32)>
    """
    from .array_ops import expand_dims
    if diagonals_format == "compact":
        d = tensor(diagonals)
        sup, main, sub = d[..., 0, :], d[..., 1, :], d[..., 2, :]
    elif diagonals_format == "sequence":
        sup, main, sub = (tensor(x) for x in diagonals)
    elif diagonals_format == "matrix":
        sup, main, sub = _matrix_diags(tensor(diagonals), "diagonals")
    else:
        raise ValueError(f"Unrecognized diagonals_format: {diagonals_format}")
    sup, main, sub = (expand_dims(x, -2) for x in (sup, main, sub))
    ts = convert_inputs(_tri_matmul, (sup, main, sub, rhs))
    r = vshape(ts[3])
    if len(r) < 2:
        raise kernel_error("TridiagonalMatMul", f"Input must have rank >= 2, but got {len(r)}")
    want = r[:-2] + (1, r[-2])
    for t, what in zip(ts[:3], ("superdiagonal", "maindiagonal", "subdiagonal")):
        if vshape(t) != want:
            raise kernel_error("TridiagonalMatMul", f"Invalid {what} shape.")
    return execute(_tri_matmul, ts)


def _thomas(a, b):
    """Gaussian elimination without pivoting on a tridiagonal matrix (TF's
    ``partial_pivoting=False``): a zero pivot gives NaN, not an error."""
    sup = jnp.diagonal(a, 1, -2, -1)
    main = jnp.diagonal(a, 0, -2, -1)
    sub = jnp.diagonal(a, -1, -2, -1)
    m = main.shape[-1]
    x = b
    c = [None] * m
    d = [None] * m
    c_prev = None
    d_prev = None
    for i in range(m):
        den = main[..., i] if i == 0 else main[..., i] - sub[..., i - 1] * c_prev
        den = den[..., None]
        rhs = b[..., i, :] if i == 0 else b[..., i, :] - sub[..., i - 1, None] * d_prev
        c_prev = (sup[..., i, None] / den)[..., 0] if i < m - 1 else None
        d_prev = rhs / den
        c[i], d[i] = c_prev, d_prev
    out = [None] * m
    out[m - 1] = d[m - 1]
    for i in range(m - 2, -1, -1):
        out[i] = d[i] - c[i][..., None] * out[i + 1]
    return jnp.stack(out, -2) if m else x


def _tri_solve_impl(diags, rhs, pivoting):
    a = _tri_dense(diags[..., 0, :], diags[..., 1, :], diags[..., 2, :])
    if not pivoting:
        return _thomas(a, rhs)
    return jnp.linalg.solve(a, rhs)


_tri_solve = op("tridiagonal_solve", "TridiagonalSolve", _tri_solve_impl, dtypes=_TRI_TYPES,
                signature="diagonals:T, rhs:T -> output:T")


def _tri_singular(diags: Tensor) -> bool:
    if not is_concrete(diags) or diags._v.size == 0:
        return False
    d = host(diags)
    a = np.asarray(_tri_dense(d[..., 0, :], d[..., 1, :], d[..., 2, :]))
    return _singular_host(a)


def tridiagonal_solve(diagonals, rhs, diagonals_format="compact", transpose_rhs=False,
                      conjugate_rhs=False, name=None, partial_pivoting=True,
                      perturb_singular=False) -> Tensor:
    """Solves tridiagonal systems ``A @ x = rhs`` (``A`` given by its diagonals).

    >>> import tftape as tf
    >>> tf.linalg.tridiagonal_solve(tf.constant([[1., 1., 0.], [2., 2., 2.], [0., 1., 1.]]),
    ...                             tf.constant([3., 4., 3.]))
    <tf.Tensor: shape=(3,), dtype=float32, numpy=array([1., 1., 1.], dtype=float32)>
    """
    from .array_ops import expand_dims, pad, squeeze, stack
    from .linalg_ops import matrix_transpose
    from .math_ops import conj
    if perturb_singular and not partial_pivoting:
        raise ValueError("partial_pivoting must be True if perturb_singular is.")
    if diagonals_format == "sequence":
        if not isinstance(diagonals, (tuple, list)) or len(diagonals) != 3:
            raise ValueError("Expected diagonals to be a sequence of length 3.")
        sup, main, sub = (tensor(x) for x in diagonals)
        if vshape(sub)[:-1] != vshape(main)[:-1] or vshape(sup)[:-1] != vshape(main)[:-1]:
            raise ValueError(f"Tensors representing the three diagonals must have the same "
                             f"shape,except for the last dimension, got {sub.shape}, "
                             f"{main.shape}, {sup.shape}")
        m = vshape(main)[-1]

        def fit(t, what, padding):
            n = vshape(t)[-1]
            if not n or n == m:
                return t
            if n == m - 1:
                return pad(t, [[0, 0]] * (t.ndim - 1) + [padding])
            raise ValueError(f"Expected {what} to be have length {m} or {m - 1}, got {n}.")
        sub = fit(sub, "subdiagonal", [1, 0])
        sup = fit(sup, "superdiagonal", [0, 1])
        d = stack([sup, main, sub], axis=-2)
    elif diagonals_format == "matrix":
        d = stack(list(_matrix_diags(tensor(diagonals), "diagonals")), axis=-2)
    elif diagonals_format == "compact":
        d = tensor(diagonals)
    else:
        raise ValueError(f"Unrecognized diagonals_format: {diagonals_format}")
    b = tensor(rhs, d.dtype) if not isinstance(rhs, Tensor) else rhs
    dr, rr = d.ndim, b.ndim
    if dr < 2:
        raise ValueError(f"Expected diagonals to have rank at least 2, got {dr}")
    if rr != dr and rr != dr - 1:
        raise ValueError(f"Expected the rank of rhs to be {dr - 1} or {dr}, got {rr}")
    if vshape(d)[:-2] != vshape(b)[:dr - 2]:
        raise ValueError(f"Batch shapes {d.shape[:-2]} and {b.shape[:dr - 2]} are "
                         f"incompatible")
    if vshape(d)[-2] != 3:
        raise ValueError(f"Expected 3 diagonals got {vshape(d)[-2]}")
    vector = rr == dr - 1
    if vector:
        if conjugate_rhs:
            b = conj(b)
        b = expand_dims(b, -1)
    elif transpose_rhs:
        b = matrix_transpose(b, conjugate=conjugate_rhs)
    elif conjugate_rhs:
        b = conj(b)
    if vshape(d)[-1] != vshape(b)[-2]:
        raise ValueError(f"Expected number of left-hand sided and right-hand sides to be "
                         f"equal, got {vshape(d)[-1]} and {vshape(b)[-2]}")
    d, b = convert_inputs(_tri_solve, (d, b))
    piv = bool(partial_pivoting)
    if piv and _tri_singular(d):
        raise kernel_error("TridiagonalSolve", "The matrix is not invertible.")
    out = execute(_tri_solve, (d, b), (piv,), {"pivoting": piv})
    return squeeze(out, -1) if vector else out


def _banded_dense(bands, m, lower):
    """The [..., M, M] triangular matrix of [..., K, M] bands (LEFT_RIGHT alignment)."""
    k = bands.shape[-2]
    i = jnp.arange(m)
    a = jnp.zeros(bands.shape[:-2] + (m, m), bands.dtype)
    for r in range(min(k, m)):
        if lower:       # row r: the r-th subdiagonal, padded on the left
            a = a.at[..., i[r:], i[:m - r]].set(bands[..., r, r:])
        else:           # row k-1-r: the r-th superdiagonal, padded on the right
            a = a.at[..., i[:m - r], i[r:]].set(bands[..., k - 1 - r, :m - r])
    return a


def _banded_impl(bands, rhs, lower, adjoint):
    a = _banded_dense(bands, bands.shape[-1], lower)
    batch = jnp.broadcast_shapes(a.shape[:-2], rhs.shape[:-2])
    a = jnp.broadcast_to(a, batch + a.shape[-2:])
    rhs = jnp.broadcast_to(rhs, batch + rhs.shape[-2:])
    return jax.lax.linalg.triangular_solve(a, rhs, left_side=True, lower=lower,
                                           transpose_a=adjoint,
                                           conjugate_a=adjoint and jnp.iscomplexobj(a))


_banded = op("banded_triangular_solve", "BandedTriangularSolve", _banded_impl, dtypes=LINALG,
             signature="matrix:T, rhs:T -> output:T")


def banded_triangular_solve(bands, rhs, lower=True, adjoint=False, name=None) -> Tensor:
    """Solves ``A @ x = rhs`` for banded triangular ``A`` given by its ``[..., K, M]`` bands
    (the diagonal on top when ``lower``, at the bottom otherwise)."""
    a, b = convert_inputs(_banded, (bands, rhs))
    sa, sb = vshape(a), vshape(b)
    if len(sa) < 2 or len(sb) < 2:
        raise kernel_error("BandedTriangularSolve", f"In[0] ndims must be >= 2: {len(sa)}"
                           if len(sa) < 2 else f"In[1] ndims must be >= 2: {len(sb)}")
    try:
        np.broadcast_shapes(sa[:-2], sb[:-2])
    except ValueError:
        raise kernel_error("BandedTriangularSolve", f"In[0] and In[1] must have compatible "
                                                    f"batch dimensions: {fmt_shape(sa)} vs. "
                                                    f"{fmt_shape(sb)}") from None
    if sa[-1] != sb[-2]:
        raise kernel_error("BandedTriangularSolve", f"In[0] mismatch In[1] shape: {sa[-1]} vs. "
                                                    f"{sb[-2]}: {fmt_shape(sa)} "
                                                    f"{fmt_shape(sb)} {int(bool(lower))} "
                                                    f"{int(bool(adjoint))}")
    if is_concrete(a) and sa[-1] and sa[-2]:
        v = host(a)
        d = v[..., 0, :] if lower else v[..., -1, :]
        if np.any(d == 0):
            raise kernel_error("BandedTriangularSolve", "Input matrix is not invertible.")
    return execute(_banded, (a, b), (bool(lower), bool(adjoint)),
                   {"lower": bool(lower), "adjoint": bool(adjoint)})


# -- eigenvalues of tridiagonal Hermitian matrices ------------------------------------------
def eigh_tridiagonal(alpha, beta, eigvals_only=True, select="a", select_range=None, tol=None,
                     name=None):
    """Eigenvalues (ascending; and eigenvectors) of the Hermitian tridiagonal matrix with
    diagonal ``alpha`` and first superdiagonal ``beta``.

    >>> import tftape as tf
    >>> tf.linalg.eigh_tridiagonal([2., 2.], [1.])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 3.], dtype=float32)>
    """
    # Note: TF bisects Sturm sequences and finds vectors by inverse iteration; tftape forms
    # the dense matrix and runs eigh. Values agree to rounding; vectors up to their sign.
    from .._core.convert import to_static
    from .array_ops import gather
    from .math_ops import conj, real
    from .linalg_ops import diag
    from .matrix_ops import eigh, eigvalsh
    a = tensor(alpha)
    if not (a.dtype.is_floating or a.dtype.is_complex):
        raise ValueError(f"data type {a.dtype.as_numpy_dtype} not inexact")
    n = vshape(a)[0]
    if n <= 1:
        return real(a)
    b = tensor(beta)
    if a.dtype != b.dtype:
        raise ValueError("'alpha' and 'beta' must have the same type.")
    if select not in ("a", "i", "v"):
        raise ValueError("'select must have a value in {'a', 'i', 'v'}.")
    mat = diag(a) + diag(b, k=1) + diag(conj(b), k=-1)
    if eigvals_only:
        w = real(eigvalsh(mat))
        v = None
    else:
        w, v = eigh(mat)
        w = real(w)
    if select == "i":
        lo, hi = (int(to_static(x)) for x in select_range)
        if lo > hi:
            raise InvalidArgumentError(None, None, "Got empty index range in select_range.")
        w = w[lo:hi + 1]
        v = None if v is None else v[:, lo:hi + 1]
    elif select == "v":
        lo, hi = (float(to_static(x)) for x in select_range)
        if lo >= hi:
            raise InvalidArgumentError(None, None, "Got empty interval in select_range.")
        keep = np.nonzero((host(w) > lo) & (host(w) <= hi))[0].astype(np.int32)
        w = gather(w, keep)
        v = None if v is None else gather(v, keep, axis=1)
    return w if eigvals_only else (w, v)

"""``tf.linalg``."""
# ruff: noqa: F401
from .._ops.linalg_ops import (
    adjoint as adjoint, band_part as band_part, diag as diag, diag_part as diag_part,
    einsum as einsum, matmul as matmul, matrix_transpose as matrix_transpose, matvec as matvec,
    set_diag as set_diag, tensordot as tensordot, trace as trace)
from .._ops.matrix_ops import (
    cholesky as cholesky, cholesky_solve as cholesky_solve, cross as cross, det as det,
    eig as eig, eigh as eigh, eigvals as eigvals, eigvalsh as eigvalsh, expm as expm, inv as inv,
    logdet as logdet, lstsq as lstsq, matrix_rank as matrix_rank, pinv as pinv, qr as qr,
    norm as norm, slogdet as slogdet, solve as solve, svd as svd,
    triangular_solve as triangular_solve)
from .._ops.array_ops import eye as eye, global_norm as global_norm
from .._ops.nn_ops import l2_normalize as l2_normalize
from .._ops.linalg_extra import (
    banded_triangular_solve as banded_triangular_solve, eigh_tridiagonal as eigh_tridiagonal,
    logm as logm, lu as lu, lu_matrix_inverse as lu_matrix_inverse,
    lu_reconstruct as lu_reconstruct, lu_solve as lu_solve, normalize as normalize,
    sqrtm as sqrtm, tensor_diag as tensor_diag, tensor_diag_part as tensor_diag_part,
    tridiagonal_matmul as tridiagonal_matmul, tridiagonal_solve as tridiagonal_solve)
from .._ops.linear_operator import LinearOperator as LinearOperator
from .._ops.linear_operator_basic import (
    LinearOperatorDiag as LinearOperatorDiag,
    LinearOperatorFullMatrix as LinearOperatorFullMatrix,
    LinearOperatorIdentity as LinearOperatorIdentity,
    LinearOperatorLowerTriangular as LinearOperatorLowerTriangular,
    LinearOperatorScaledIdentity as LinearOperatorScaledIdentity,
    LinearOperatorZeros as LinearOperatorZeros)
from .._ops.linear_operator_combined import (
    LinearOperatorAdjoint as LinearOperatorAdjoint,
    LinearOperatorBlockDiag as LinearOperatorBlockDiag,
    LinearOperatorBlockLowerTriangular as LinearOperatorBlockLowerTriangular,
    LinearOperatorComposition as LinearOperatorComposition,
    LinearOperatorInversion as LinearOperatorInversion,
    LinearOperatorKronecker as LinearOperatorKronecker)
from .._ops.linear_operator_structured import (
    LinearOperatorCirculant as LinearOperatorCirculant,
    LinearOperatorCirculant2D as LinearOperatorCirculant2D,
    LinearOperatorCirculant3D as LinearOperatorCirculant3D,
    LinearOperatorHouseholder as LinearOperatorHouseholder,
    LinearOperatorLowRankUpdate as LinearOperatorLowRankUpdate,
    LinearOperatorPermutation as LinearOperatorPermutation,
    LinearOperatorToeplitz as LinearOperatorToeplitz,
    LinearOperatorTridiag as LinearOperatorTridiag)
from . import experimental as experimental

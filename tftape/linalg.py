"""``tf.linalg``."""
# ruff: noqa: F401
from ._ops.linalg_ops import (
    adjoint as adjoint, band_part as band_part, diag as diag, diag_part as diag_part,
    einsum as einsum, matmul as matmul, matrix_transpose as matrix_transpose, matvec as matvec,
    norm as norm, set_diag as set_diag, tensordot as tensordot, trace as trace)
from ._ops.matrix_ops import (
    cholesky as cholesky, cholesky_solve as cholesky_solve, cross as cross, det as det,
    eig as eig, eigh as eigh, eigvals as eigvals, eigvalsh as eigvalsh, expm as expm, inv as inv,
    logdet as logdet, lstsq as lstsq, matrix_rank as matrix_rank, pinv as pinv, qr as qr,
    slogdet as slogdet, solve as solve, svd as svd, triangular_solve as triangular_solve)
from ._ops.array_ops import eye as eye, global_norm as global_norm
from ._ops.nn_ops import l2_normalize as l2_normalize

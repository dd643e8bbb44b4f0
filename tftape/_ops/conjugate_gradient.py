"""``tf.linalg.experimental.conjugate_gradient``: solves with a self-adjoint positive definite
LinearOperator by (preconditioned) conjugate gradients."""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from .._core.tensor import vshape
from ._util import tensor
from . import array_ops as ao
from . import math_ops as mo
from . import matrix_ops as mx
from .linear_operator import _tensor


CGState = namedtuple("CGState", ["i", "x", "r", "p", "gamma"])


def conjugate_gradient(operator, rhs, preconditioner=None, x=None, tol=1e-5, max_iter=20,
                       name="conjugate_gradient"):
    """Solves ``operator @ x = rhs`` for a Hermitian positive definite ``operator`` by
    (preconditioned) conjugate gradients; returns ``CGState(i, x, r, p, gamma)``."""
    if not (operator.is_self_adjoint and operator.is_positive_definite):
        raise ValueError("Expected a self-adjoint, positive definite operator.")
    rhs = _tensor(rhs, operator.dtype)
    batch = tuple(np.broadcast_shapes(vshape(rhs)[:-1], operator.batch_shape))
    if preconditioner is not None:
        batch = tuple(np.broadcast_shapes(batch, preconditioner.batch_shape))
    r0 = ao.broadcast_to(rhs, batch + vshape(rhs)[-1:])
    tol = tensor(tol, rhs.dtype.real_dtype) * mx.norm(r0, axis=-1)
    if x is None:
        x = ao.zeros(batch + vshape(rhs)[-1:], dtype=rhs.dtype)
    else:
        x = _tensor(x, operator.dtype)
        r0 = rhs - operator.matvec(x)
    p0 = r0 if preconditioner is None else preconditioner.matvec(r0)
    gamma0 = mo.reduce_sum(mo.conj(r0) * p0, -1)
    i = 0
    state = CGState(tensor(np.int32(0)), x, r0, p0, gamma0)
    while i < max_iter and bool(mo.reduce_any(mo.greater(mx.norm(state.r, axis=-1),
                                                         tol)).numpy()):
        z = operator.matvec(state.p)
        alpha = state.gamma / mo.reduce_sum(mo.conj(state.p) * z, -1)
        x = state.x + ao.expand_dims(alpha, -1) * state.p
        r = state.r - ao.expand_dims(alpha, -1) * z
        q = r if preconditioner is None else preconditioner.matvec(r)
        gamma = mo.reduce_sum(mo.conj(r) * q, -1)
        beta = gamma / state.gamma
        p = q + ao.expand_dims(beta, -1) * state.p
        i += 1
        state = CGState(tensor(np.int32(i)), x, r, p, gamma)
    return state

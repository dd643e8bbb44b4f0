"""``tf.matrix_square_root`` (``tf.linalg.sqrtm``) with TF's gradient."""
from __future__ import annotations

import jax
import jax.numpy as jnp

from .._core import dtypes as _d
from .._core.errors import InvalidArgumentError, NotFoundError, kernel_error
from .._core.registry import Op, execute
from .._core.tensor import Tensor
from ._util import tensor


def _sqrtm_impl(x):
    from jax.scipy.linalg import sqrtm
    m = x.shape[-1]
    if m == 0:
        return x
    y = jax.vmap(sqrtm)(x.reshape((-1, m, m))).reshape(x.shape)
    if jnp.issubdtype(x.dtype, jnp.complexfloating):
        return y.astype(x.dtype)
    # Note: TF's real Schur method gives NaN where the square root is not real (a negative
    # eigenvalue); JAX's complex result is reduced to its real part otherwise.
    scale = jnp.max(jnp.abs(y), axis=(-2, -1), keepdims=True)
    bad = jnp.any(jnp.abs(y.imag) > 1e-4 * (scale + 1e-30), axis=(-2, -1), keepdims=True)
    return jnp.where(bad, jnp.nan, y.real).astype(x.dtype)


def _sqrtm_bwd(res, g):
    # TF's _MatrixSquareRootGrad: solve the Sylvester equation R dR + dR R = dA through
    # Kronecker products.
    (_,), r = res
    m = r.shape[-1]
    eye = jnp.broadcast_to(jnp.eye(m, dtype=r.dtype), r.shape)

    def kron(b1, b2):
        return (b1[..., :, None, :, None] * b2[..., None, :, None, :]).reshape(
            r.shape[:-2] + (m * m, m * m))
    ksum = kron(eye, jnp.swapaxes(r, -1, -2)) + kron(r, eye)
    vec = jnp.swapaxes(g, -1, -2).reshape(r.shape[:-2] + (m * m, 1))
    d = jnp.linalg.solve(ksum, vec).reshape(r.shape)
    return (jnp.swapaxes(d, -1, -2),)


_sqrtm = Op("matrix_square_root", "MatrixSquareRoot", _sqrtm_impl,
            dtypes=(_d.float64, _d.float32, _d.float16, _d.complex64, _d.complex128),
            tf_grad=(None, _sqrtm_bwd))


def matrix_square_root(input, name=None) -> Tensor:  # noqa: A002
    """The principal square root of each square matrix in ``input``.

    >>> import tftape as tf
    >>> tf.matrix_square_root([[4.0, 0.0], [0.0, 9.0]]).numpy().tolist()
    [[2.0, 0.0], [0.0, 3.0]]
    """
    t = tensor(input)
    if t.dtype not in _sqrtm.dtypes:
        raise InvalidArgumentError(None, None, (
            f"Value for attr 'T' of {_d.TF_TYPE_NAMES[t.dtype]} is not in the list of allowed "
            "values: double, float, half, complex64, complex128\n\t; NodeDef: {{node "
            "MatrixSquareRoot}}; Op<name=MatrixSquareRoot; signature=input:T -> output:T; "
            "attr=T:type,allowed=[DT_DOUBLE, DT_FLOAT, DT_HALF, DT_COMPLEX64, DT_COMPLEX128]> "
            "[Op:MatrixSquareRoot]"))
    if t.dtype is _d.float16:
        raise NotFoundError(None, None, (
            "Could not find device for node: {{node MatrixSquareRoot}} = MatrixSquareRoot[T="
            "DT_HALF]\nAll kernels registered for op MatrixSquareRoot:\n  device='CPU'; T in "
            "[DT_COMPLEX128]\n  device='CPU'; T in [DT_COMPLEX64]\n  device='CPU'; T in "
            "[DT_DOUBLE]\n  device='CPU'; T in [DT_FLOAT]\n [Op:MatrixSquareRoot] name: "))
    if t.ndim < 2:
        raise kernel_error("MatrixSquareRoot", f"Input tensor 0 must have rank >= 2, got "
                                               f"{t.ndim}", name=None)
    if t.shape[-1] != t.shape[-2]:
        raise kernel_error("MatrixSquareRoot", "Input matrix must be square.", name=None)
    return execute(_sqrtm, (t,))

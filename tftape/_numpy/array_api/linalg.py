"""The array API ``linalg`` extension on tftape tensors."""
from __future__ import annotations

import collections

import jax.numpy as jnp

from ._common import call
from ._manip import matrix_transpose as matrix_transpose  # noqa: F401

EighResult = collections.namedtuple("EighResult", ["eigenvalues", "eigenvectors"])
QRResult = collections.namedtuple("QRResult", ["Q", "R"])
SlogdetResult = collections.namedtuple("SlogdetResult", ["sign", "logabsdet"])
SVDResult = collections.namedtuple("SVDResult", ["U", "S", "Vh"])

L = jnp.linalg


def _unary(name, jfn, **fixed):
    def f(x, /, **kw):
        return call("linalg." + name, jfn, x, **kw, **fixed)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"``linalg.{name}`` (array API)."
    return f


def cholesky(x, /, *, upper=False):
    return call("linalg.cholesky", L.cholesky, x, upper=upper)


det = _unary("det", L.det)
inv = _unary("inv", L.inv)
eigvalsh = _unary("eigvalsh", L.eigvalsh)
svdvals = _unary("svdvals", L.svdvals)


def _tuple(out):
    return tuple(out)


def eigh(x, /):
    return EighResult(*call("linalg.eigh", L.eigh, x, _post=_tuple))


def qr(x, /, *, mode="reduced"):
    return QRResult(*call("linalg.qr", L.qr, x, mode=mode, _post=_tuple))


def slogdet(x, /):
    return SlogdetResult(*call("linalg.slogdet", L.slogdet, x, _post=_tuple))


def svd(x, /, *, full_matrices=True):
    return SVDResult(*call("linalg.svd", L.svd, x, full_matrices=full_matrices, _post=_tuple))


def cross(x1, x2, /, *, axis=-1):
    return call("linalg.cross", L.cross, x1, x2, axis=axis)


def diagonal(x, /, *, offset=0):
    return call("linalg.diagonal", L.diagonal, x, offset=offset)


def matmul(x1, x2, /):
    return call("matmul", jnp.matmul, x1, x2)


def matrix_norm(x, /, *, keepdims=False, ord="fro"):  # noqa: A002
    return call("linalg.matrix_norm", L.matrix_norm, x, keepdims=keepdims, ord=ord)


def matrix_power(x, n, /):
    return call("linalg.matrix_power", L.matrix_power, x, n)


def matrix_rank(x, /, *, rtol=None):
    return call("linalg.matrix_rank", L.matrix_rank, x, rtol=rtol, _diff=False)


def outer(x1, x2, /):
    return call("linalg.outer", L.outer, x1, x2)


def pinv(x, /, *, rtol=None):
    return call("linalg.pinv", L.pinv, x, rtol=rtol)


def solve(x1, x2, /):
    return call("linalg.solve", L.solve, x1, x2)


def tensordot(x1, x2, /, *, axes=2):
    if isinstance(axes, (list, tuple)):
        axes = tuple(tuple(a) if isinstance(a, (list, tuple)) else a for a in axes)
    return call("tensordot", jnp.tensordot, x1, x2, axes=axes)


def trace(x, /, *, offset=0, dtype=None):
    from ._common import np_dtype
    return call("linalg.trace", L.trace, x, offset=offset, dtype=np_dtype(dtype))


def vecdot(x1, x2, /, *, axis=-1):
    return call("vecdot", jnp.vecdot, x1, x2, axis=axis)


def vector_norm(x, /, *, axis=None, keepdims=False, ord=2):  # noqa: A002
    axis = tuple(axis) if isinstance(axis, list) else axis
    return call("linalg.vector_norm", L.vector_norm, x, axis=axis, keepdims=keepdims, ord=ord)

"""``tf.linalg`` LinearOperators with a structure of their own: permutation, Householder
reflection, low-rank update, Toeplitz, tridiagonal and circulant (1-D, 2-D, 3-D)."""
from __future__ import annotations

import numpy as np

from .._core import dtypes as _d
from .._core.tensor import Tensor, vshape
from ._util import tensor
from . import array_ops as ao
from . import linalg_ops as lo
from . import math_ops as mo
from . import matrix_ops as mx
from .linalg_extra import tridiagonal_matmul, tridiagonal_solve
from .linear_operator import LinearOperator, _adj, _bcast, _commuting_hints, _tensor
from .linear_operator_basic import LinearOperatorDiag


class LinearOperatorPermutation(LinearOperator):
    """The permutation matrix ``P`` with ``P[i, perm[i]] = 1``: ``P @ x == x[perm]``."""

    def __init__(self, perm, dtype=_d.float32, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name="LinearOperatorPermutation"):
        params = dict(perm=perm, dtype=dtype, is_non_singular=is_non_singular,
                      is_self_adjoint=is_self_adjoint,
                      is_positive_definite=is_positive_definite, is_square=is_square, name=name)
        self._perm = _tensor(perm, hint=_d.int32)
        if self._perm.ndim < 1:
            raise ValueError(f"Argument `perm` must have at least 1 dimension. "
                             f"Received: {self._perm}.")
        if not self._perm.dtype.is_integer:
            raise TypeError(f"Argument `perm` must be integer dtype. Received: {self._perm}.")
        if is_non_singular is False:
            raise ValueError("A Permutation operator is always non-singular.")
        if is_square is False:
            raise ValueError("A Permutation operator is always square.")
        super().__init__(dtype, None, is_non_singular, is_self_adjoint, is_positive_definite,
                         True, name, params)

    @property
    def perm(self):
        return self._perm

    def _shape(self):
        s = vshape(self._perm)
        return s + (s[-1],)

    def _to_dense(self):
        n = vshape(self._perm)[-1]
        eq = mo.equal(ao.expand_dims(self._perm, -1), ao.range(n, dtype=self._perm.dtype))
        return mo.cast(eq, self.dtype)

    def _determinant(self):
        # The sign of the permutation: (-1) ** (n - number of cycles).
        p = np.asarray(self._perm.numpy())
        flat = p.reshape(-1, p.shape[-1])
        signs = []
        for row in flat:
            seen = np.zeros(row.size, bool)
            cycles = 0
            for i in range(row.size):
                if not seen[i]:
                    cycles += 1
                    j = i
                    while not seen[j]:
                        seen[j] = True
                        j = row[j]
            signs.append((-1.) ** (row.size - cycles))
        return tensor(np.asarray(signs).reshape(p.shape[:-1]), self.dtype)

    def _log_abs_determinant(self):
        return ao.zeros(vshape(self._perm)[:-1], dtype=self.dtype)


class LinearOperatorHouseholder(LinearOperator):
    """The reflection ``I - 2 v v^H / (v^H v)`` about the hyperplane orthogonal to ``v``."""

    def __init__(self, reflection_axis, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name="LinearOperatorHouseholder"):
        params = dict(reflection_axis=reflection_axis, is_non_singular=is_non_singular,
                      is_self_adjoint=is_self_adjoint,
                      is_positive_definite=is_positive_definite, is_square=is_square, name=name)
        self._v = _tensor(reflection_axis, hint=_d.float32)
        if is_self_adjoint is False:
            raise ValueError("A Householder operator is always self adjoint.")
        if is_non_singular is False:
            raise ValueError("A Householder operator is always non-singular.")
        if is_square is False:
            raise ValueError("A Householder operator is always square.")
        if is_positive_definite is True:
            raise ValueError("A Householder operator is always non-positive definite.")
        super().__init__(self._v.dtype, None, is_non_singular, True, False, True, name, params)

    @property
    def reflection_axis(self):
        return self._v

    def _shape(self):
        s = vshape(self._v)
        return s + (s[-1],)

    def _to_dense(self):
        v = self._v
        n = vshape(v)[-1]
        norm2 = mo.reduce_sum(mo.conj(v) * v, -1, keepdims=True)
        outer = ao.expand_dims(v, -1) * ao.expand_dims(mo.conj(v), -2)
        return ao.eye(n, dtype=self.dtype) - tensor(2, self.dtype) * outer / \
            ao.expand_dims(norm2, -1)

    def _determinant(self):
        return -ao.ones(vshape(self._v)[:-1], dtype=self.dtype)

    def _log_abs_determinant(self):
        return ao.zeros(vshape(self._v)[:-1], dtype=self.dtype)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        # A reflection is its own inverse.
        return self._matmul(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def _linop_inverse(self):
        return self


class LinearOperatorLowRankUpdate(LinearOperator):
    """``L + U D V^H``: a base operator plus a low-rank update (``V = U`` by default,
    ``D = I`` without ``diag_update``)."""

    def __init__(self, base_operator, u, diag_update=None, v=None, is_diag_update_positive=None,
                 is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name="LinearOperatorLowRankUpdate"):
        params = dict(base_operator=base_operator, u=u, diag_update=diag_update, v=v,
                      is_diag_update_positive=is_diag_update_positive,
                      is_non_singular=is_non_singular, is_self_adjoint=is_self_adjoint,
                      is_positive_definite=is_positive_definite, is_square=is_square,
                      name=name)
        dt = base_operator.dtype
        self._base = base_operator
        self._u = _tensor(u, dt)
        self._v = self._u if v is None else _tensor(v, dt)
        self._diag_update = None if diag_update is None else _tensor(diag_update, dt)
        self._is_diag_update_positive = is_diag_update_positive
        self._use_v = v is not None
        if v is None and base_operator.is_self_adjoint:
            is_self_adjoint = True if is_self_adjoint is None else is_self_adjoint
            if base_operator.is_positive_definite and (
                    diag_update is None or is_diag_update_positive):
                is_positive_definite = True if is_positive_definite is None else \
                    is_positive_definite
        r = vshape(self._u)[-1]
        self._diag_operator = LinearOperatorDiag(
            self._diag_update if self._diag_update is not None else ao.ones([r], dtype=dt),
            is_positive_definite=is_diag_update_positive or None)
        super().__init__(dt, None, is_non_singular, is_self_adjoint, is_positive_definite,
                         is_square, name, params)

    @property
    def base_operator(self):
        return self._base

    @property
    def u(self):
        return self._u

    @property
    def v(self):
        return self._v

    @property
    def diag_update(self):
        return self._diag_update

    @property
    def diag_operator(self):
        return self._diag_operator

    @property
    def is_diag_update_positive(self):
        return self._is_diag_update_positive

    def _shape(self):
        s = self._base._shape()
        batch = tuple(np.broadcast_shapes(s[:-2], vshape(self._u)[:-2], vshape(self._v)[:-2]))
        return batch + s[-2:]

    def _to_dense(self):
        ud = self._u if self._diag_update is None else \
            self._u * ao.expand_dims(self._diag_update, -2)
        return self._base.to_dense() + lo.matmul(ud, self._v, adjoint_b=True)


class LinearOperatorToeplitz(LinearOperator):
    """The Toeplitz matrix with first column ``col`` and first row ``row`` (``row[0]`` is
    ignored)."""

    def __init__(self, col, row, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name="LinearOperatorToeplitz"):
        params = dict(col=col, row=row, is_non_singular=is_non_singular,
                      is_self_adjoint=is_self_adjoint,
                      is_positive_definite=is_positive_definite, is_square=is_square, name=name)
        self._col = _tensor(col, hint=_d.float32)
        self._row = _tensor(row, self._col.dtype)
        super().__init__(self._col.dtype, None, is_non_singular, is_self_adjoint,
                         is_positive_definite, True if is_square is None else is_square, name,
                         params)

    @property
    def col(self):
        return self._col

    @property
    def row(self):
        return self._row

    def _shape(self):
        n = vshape(self._col)[-1]
        return tuple(np.broadcast_shapes(vshape(self._col)[:-1], vshape(self._row)[:-1])) + \
            (n, n)

    def _to_dense(self):
        n = vshape(self._col)[-1]
        batch = self._shape()[:-2]
        col = ao.broadcast_to(self._col, batch + (n,))
        row = ao.broadcast_to(self._row, batch + (n,))
        v = ao.concat([ao.reverse(row[..., 1:], [-1]), col], -1)
        idx = (n - 1) + np.arange(n)[:, None] - np.arange(n)[None, :]
        return ao.gather(v, tensor(idx.astype(np.int32)), axis=-1, batch_dims=0)


class LinearOperatorTridiag(LinearOperator):
    """A square tridiagonal operator given by its diagonals (``compact``: ``[..., 3, N]``;
    ``sequence``: ``[super, main, sub]``; ``matrix``: ``[..., N, N]``)."""

    def __init__(self, diagonals, diagonals_format="compact", is_non_singular=None,
                 is_self_adjoint=None, is_positive_definite=None, is_square=None,
                 name="LinearOperatorTridiag"):
        params = dict(diagonals=diagonals, diagonals_format=diagonals_format,
                      is_non_singular=is_non_singular, is_self_adjoint=is_self_adjoint,
                      is_positive_definite=is_positive_definite, is_square=is_square, name=name)
        if diagonals_format not in ("compact", "matrix", "sequence"):
            raise ValueError(f"Argument `diagonals_format` must be one of compact, matrix, or "
                             f"sequence. Received : {diagonals_format}.")
        if diagonals_format == "sequence":
            self._diagonals = [_tensor(d, hint=_d.float32) for d in diagonals]
            dt = self._diagonals[0].dtype
        else:
            self._diagonals = _tensor(diagonals, hint=_d.float32)
            dt = self._diagonals.dtype
        self._format = diagonals_format
        super().__init__(dt, None, is_non_singular, is_self_adjoint, is_positive_definite,
                         True if is_square is None else is_square, name, params)

    @property
    def diagonals(self):
        return self._diagonals

    @property
    def diagonals_format(self):
        return self._format

    def _shape(self):
        if self._format == "matrix":
            return vshape(self._diagonals)
        if self._format == "compact":
            s = vshape(self._diagonals)
            return s[:-2] + (s[-1], s[-1])
        s = tuple(np.broadcast_shapes(*[vshape(d) for d in self._diagonals]))
        return s + (s[-1],)

    def _to_dense(self):
        if self._format == "matrix":
            # As TF: the matrix as given (entries off the three diagonals included), while
            # matmul and solve read only the three diagonals.
            return self._diagonals
        if self._format == "compact":
            sup, main, sub = (self._diagonals[..., i, :] for i in range(3))
        else:
            sup, main, sub = self._diagonals
        out = lo.diag(main)
        if vshape(main)[-1] > 1:
            out = out + lo.diag(sup[..., :-1], k=1) + lo.diag(sub[..., 1:], k=-1)
        return out

    def _adjoint_diagonals(self):
        d = self._diagonals
        if self._format == "matrix":
            return _adj(d)
        conj = mo.conj if self.dtype.is_complex else (lambda x: x)
        if self._format == "sequence":
            sup, main, sub = (conj(x) for x in reversed(d))
            return [ao.roll(sup, -1, -1), main, ao.roll(sub, 1, -1)]
        sup, main, sub = (conj(d[..., i, :]) for i in range(3))
        return ao.stack([ao.roll(sub, -1, -1), main, ao.roll(sup, 1, -1)], axis=-2)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        d = self._adjoint_diagonals() if adjoint else self._diagonals
        x = _adj(x) if adjoint_arg else x
        return tridiagonal_matmul(d, x, diagonals_format=self._format)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        d = self._adjoint_diagonals() if adjoint else self._diagonals
        k = self._shape()[-1]
        batch = tuple(np.broadcast_shapes(self._shape()[:-2], vshape(rhs)[:-2]))
        rhs = ao.broadcast_to(rhs, batch + vshape(rhs)[-2:])
        if self._format == "matrix":
            d = ao.broadcast_to(d, batch + (k, k))
        elif self._format == "compact":
            d = ao.broadcast_to(d, batch + (3, k))
        else:
            d = [ao.broadcast_to(x, batch + (k,)) for x in d]
        return tridiagonal_solve(d, rhs, diagonals_format=self._format,
                                 transpose_rhs=adjoint_arg, conjugate_rhs=adjoint_arg)

    def _diag_part(self):
        if self._format == "matrix":
            return lo.diag_part(self._diagonals)
        if self._format == "sequence":
            return ao.broadcast_to(self._diagonals[1], self._shape()[:-1])
        return self._diagonals[..., 1, :]


def _dft(n: int) -> np.ndarray:
    k = np.arange(n)
    return np.exp(-2j * np.pi * np.outer(k, k) / n)


class _BaseCirculant(LinearOperator):
    _block_depth = 1

    def __init__(self, spectrum, input_output_dtype=_d.complex64, is_non_singular=None,
                 is_self_adjoint=None, is_positive_definite=None, is_square=True, name=None):
        params = dict(spectrum=spectrum, input_output_dtype=input_output_dtype,
                      is_non_singular=is_non_singular, is_self_adjoint=is_self_adjoint,
                      is_positive_definite=is_positive_definite, is_square=is_square, name=name)
        s = _tensor(spectrum, hint=_d.complex64)
        allowed = (_d.float16, _d.float32, _d.float64, _d.complex64, _d.complex128)
        if s.dtype not in allowed:
            raise TypeError(f"Argument spectrum must have dtype {allowed}.  Found: {s.dtype}")
        cdt = s.dtype if s.dtype.is_complex else (
            _d.complex128 if s.dtype == _d.float64 else _d.complex64)
        self._spectrum = s
        self._cspec = mo.cast(s, cdt)
        if s.ndim < self._block_depth:
            raise ValueError(f"Argument spectrum must have at least {self._block_depth} "
                             f"dimensions.")
        super().__init__(input_output_dtype, None, is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square, name, params)

    @property
    def spectrum(self):
        return self._spectrum

    @property
    def block_depth(self):
        return self._block_depth

    def _block_shape(self):
        return vshape(self._spectrum)[-self._block_depth:]

    def _shape(self):
        n = int(np.prod(self._block_shape()))
        return vshape(self._spectrum)[:-self._block_depth] + (n, n)

    def _to_dense(self):
        return self._dense(complex_out=False)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        # The solve runs in the spectrum's complex dtype and keeps the real part at the end
        # (as TF's ifft(fft(rhs) / spectrum)), which for a real io dtype is not a solve
        # against the real part of the matrix.
        rhs = _adj(rhs) if adjoint_arg else rhs
        dense = self._dense(complex_out=True)
        cdt = dense.dtype
        batch = tuple(np.broadcast_shapes(vshape(dense)[:-2], vshape(rhs)[:-2]))
        dense = _adj(dense) if adjoint else dense
        out = mx.solve(_bcast(dense, batch), _bcast(mo.cast(rhs, cdt), batch))
        return mo.cast(out if self.dtype.is_complex else mo.real(out), self.dtype)

    def _dense(self, complex_out):
        # A = F^H diag(spectrum) F / N with F the (multi-dimensional) DFT matrix, so that
        # A @ x == ifft(spectrum * fft(x)) as in TF.
        f = np.ones((1, 1), np.complex128)
        for n in self._block_shape():
            f = np.kron(f, _dft(n))
        nn = f.shape[0]
        cdt = self._cspec.dtype
        batch = vshape(self._spectrum)[:-self._block_depth]
        spec = ao.reshape(self._cspec, batch + (nn,))
        fh = tensor((f.conj().T / nn).astype(cdt.as_numpy_dtype))
        dense = lo.matmul(fh * ao.expand_dims(spec, -2), tensor(f.astype(cdt.as_numpy_dtype)))
        if complex_out:
            return dense
        if self.dtype.is_complex:
            return mo.cast(dense, self.dtype)
        return mo.cast(mo.real(dense), self.dtype)

    def _flat_spectrum(self):
        return ao.reshape(self._cspec, vshape(self._spectrum)[:-self._block_depth] + (-1,))

    def cond(self, name="cond") -> Tensor:
        """The condition number, from the moduli of the spectrum (as TF)."""
        vals = mo.abs(self._flat_spectrum())
        return mo.reduce_max(vals, -1) / mo.reduce_min(vals, -1)

    def _like(self, spectrum, **kw):
        # TF rebuilds the same class; the input/output dtype is left at its default
        # (complex64) unless given, as TF does for adjoints and products.
        return type(self)(spectrum, **kw)

    def _linop_adjoint(self):
        s = self._spectrum
        return self._like(mo.conj(s) if s.dtype.is_complex else s,
                          is_non_singular=self.is_non_singular,
                          is_self_adjoint=self.is_self_adjoint,
                          is_positive_definite=self.is_positive_definite, is_square=True)

    def _linop_inverse(self):
        return self._like(1. / self._spectrum, is_non_singular=self.is_non_singular,
                          is_self_adjoint=self.is_self_adjoint,
                          is_positive_definite=self.is_positive_definite, is_square=True,
                          input_output_dtype=self.dtype)

    def _linop_matmul(self, left, right):
        if not (isinstance(right, _BaseCirculant) and isinstance(left, type(right))):
            return super()._linop_matmul(left, right)
        return left._like(left.spectrum * right.spectrum, **_commuting_hints(left, right))

    def _linop_solve(self, left, right):
        if not (isinstance(right, _BaseCirculant) and isinstance(left, type(right))):
            return super()._linop_solve(left, right)
        return left._like(right.spectrum / left.spectrum, **_commuting_hints(left, right))

    def convolution_kernel(self, name="convolution_kernel"):
        """The kernel ``ifft(spectrum)`` (the first column of each circulant block)."""
        d = self._to_dense()
        return ao.reshape(d[..., :, 0], vshape(self._spectrum))

    def _determinant(self):
        d = mo.reduce_prod(ao.reshape(self._cspec, vshape(self._spectrum)[:-self._block_depth]
                                      + (-1,)), -1)
        return mo.cast(d if self.dtype.is_complex else mo.real(d), self.dtype)

    def _log_abs_determinant(self):
        d = mo.reduce_sum(mo.log(mo.abs(ao.reshape(
            self._cspec, vshape(self._spectrum)[:-self._block_depth] + (-1,)))), -1)
        return mo.cast(d, self.dtype)


class LinearOperatorCirculant(_BaseCirculant):
    """A circulant operator given by its spectrum: ``A @ x == ifft(spectrum * fft(x))``."""

    def __init__(self, spectrum, input_output_dtype=_d.complex64, is_non_singular=None,
                 is_self_adjoint=None, is_positive_definite=None, is_square=True,
                 name="LinearOperatorCirculant"):
        super().__init__(spectrum, input_output_dtype, is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square, name)


class LinearOperatorCirculant2D(_BaseCirculant):
    """A block circulant operator with circulant blocks (2-D spectrum)."""
    _block_depth = 2

    def __init__(self, spectrum, input_output_dtype=_d.complex64, is_non_singular=None,
                 is_self_adjoint=None, is_positive_definite=None, is_square=True,
                 name="LinearOperatorCirculant2D"):
        super().__init__(spectrum, input_output_dtype, is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square, name)


class LinearOperatorCirculant3D(_BaseCirculant):
    """A doubly nested block circulant operator (3-D spectrum)."""
    _block_depth = 3

    def __init__(self, spectrum, input_output_dtype=_d.complex64, is_non_singular=None,
                 is_self_adjoint=None, is_positive_definite=None, is_square=True,
                 name="LinearOperatorCirculant3D"):
        super().__init__(spectrum, input_output_dtype, is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square, name)

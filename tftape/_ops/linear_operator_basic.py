"""``tf.linalg`` LinearOperators held as a matrix or a diagonal: full matrix, diagonal, lower
triangular, identity, scaled identity and zeros."""
from __future__ import annotations

import numpy as np

from .._core import dtypes as _d
from .._core.tensor import Tensor, vshape
from ._util import tensor
from . import array_ops as ao
from . import linalg_ops as lo
from . import math_ops as mo
from . import matrix_ops as mx
from .linear_operator import (_HOOKS, LinearOperator, _adj, _commuting_hints, _ns_hint,
                              _sa_hint, _tensor)


def _hint(value, given):
    return given if given is not None else value


class LinearOperatorFullMatrix(LinearOperator):
    """A LinearOperator holding a dense ``[..., M, N]`` matrix."""

    def __init__(self, matrix, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name="LinearOperatorFullMatrix"):
        params = dict(matrix=matrix, is_non_singular=is_non_singular,
                      is_self_adjoint=is_self_adjoint,
                      is_positive_definite=is_positive_definite, is_square=is_square, name=name)
        self._matrix = _tensor(matrix, hint=_d.float32)
        allowed = (_d.float16, _d.float32, _d.float64, _d.complex64, _d.complex128)
        if self._matrix.dtype not in allowed:
            raise TypeError(f"Argument `matrix` must have dtype in {list(allowed)!r}. "
                            f"Received: {self._matrix.dtype}.")
        if self._matrix.ndim < 2:
            raise ValueError(f"Argument `matrix` must have at least 2 dimensions. "
                             f"Received: {self._matrix}.")
        super().__init__(self._matrix.dtype, None, is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square, name, params)

    @property
    def matrix(self):
        return self._matrix

    def _shape(self):
        return vshape(self._matrix)

    def _to_dense(self):
        return self._matrix

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return lo.matmul(self._matrix, x, adjoint_a=adjoint, adjoint_b=adjoint_arg)


class LinearOperatorDiag(LinearOperator):
    """A square diagonal operator given by its ``[..., N]`` diagonal."""

    def __init__(self, diag, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name="LinearOperatorDiag"):
        params = dict(diag=diag, is_non_singular=is_non_singular,
                      is_self_adjoint=is_self_adjoint,
                      is_positive_definite=is_positive_definite, is_square=is_square, name=name)
        self._diag = _tensor(diag, hint=_d.float32)
        if self._diag.ndim < 1:
            raise ValueError(f"Argument diag must have at least 1 dimension.  Found: "
                             f"{self._diag!s}")
        if not self._diag.dtype.is_complex:
            if is_self_adjoint is False:
                raise ValueError("A real diagonal operator is always self adjoint.")
            is_self_adjoint = True
        if is_square is False:
            raise ValueError("Only square diagonal operators currently supported.")
        super().__init__(self._diag.dtype, None, is_non_singular, is_self_adjoint,
                         is_positive_definite, True, name, params)

    @property
    def diag(self):
        return self._diag

    def _shape(self):
        s = vshape(self._diag)
        return s + (s[-1],)

    def _to_dense(self):
        return lo.diag(self._diag)

    def _dg(self, adjoint):
        return mo.conj(self._diag) if adjoint and self.dtype.is_complex else self._diag

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        x = _adj(x) if adjoint_arg else x
        return ao.expand_dims(self._dg(adjoint), -1) * x

    def _matvec(self, x, adjoint=False):
        return self._dg(adjoint) * x

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        rhs = _adj(rhs) if adjoint_arg else rhs
        return rhs / ao.expand_dims(self._dg(adjoint), -1)

    def _determinant(self):
        return mo.reduce_prod(self._diag, -1)

    def _log_abs_determinant(self):
        out = mo.reduce_sum(mo.log(mo.abs(self._diag)), -1)
        return mo.cast(out, self.dtype) if self.dtype.is_complex else out

    def _diag_part(self):
        return self._diag

    def _trace(self):
        return mo.reduce_sum(self._diag, -1)

    def _eigvals(self):
        return mo.real(self._diag) if self.dtype.is_complex else self._diag

    def _linop_adjoint(self):
        return LinearOperatorDiag(mo.conj(self._diag), is_non_singular=self.is_non_singular,
                                  is_self_adjoint=self.is_self_adjoint,
                                  is_positive_definite=self.is_positive_definite, is_square=True)

    def _linop_matmul(self, left, right):
        if isinstance(right, LinearOperatorDiag):
            return LinearOperatorDiag(left.diag * right.diag, **_commuting_hints(left, right))
        if isinstance(right, LinearOperatorScaledIdentity):
            return LinearOperatorDiag(left.diag * right.multiplier,
                                      **_commuting_hints(left, right))
        if isinstance(right, LinearOperatorLowerTriangular):
            hints = dict(_commuting_hints(left, right), is_positive_definite=None)
            return LinearOperatorLowerTriangular(
                ao.expand_dims(left.diag, -1) * right.to_dense(), **hints)
        return super()._linop_matmul(left, right)

    def _linop_solve(self, left, right):
        if isinstance(right, LinearOperatorDiag):
            return LinearOperatorDiag(right.diag / left.diag, **_commuting_hints(left, right))
        if isinstance(right, LinearOperatorScaledIdentity):
            return LinearOperatorDiag(right.multiplier / left.diag,
                                      **_commuting_hints(left, right))
        if isinstance(right, LinearOperatorLowerTriangular):
            hints = dict(_commuting_hints(left, right), is_positive_definite=None)
            return LinearOperatorLowerTriangular(
                right.to_dense() / ao.expand_dims(left.diag, -1), **hints)
        return super()._linop_solve(left, right)

    def _linop_inverse(self):
        return LinearOperatorDiag(1. / self._diag, is_non_singular=self.is_non_singular,
                                  is_self_adjoint=self.is_self_adjoint,
                                  is_positive_definite=self.is_positive_definite, is_square=True)


class LinearOperatorLowerTriangular(LinearOperator):
    """A square lower-triangular operator; only the lower triangle of ``tril`` is read."""

    def __init__(self, tril, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None,
                 name="LinearOperatorLowerTriangular"):
        params = dict(tril=tril, is_non_singular=is_non_singular,
                      is_self_adjoint=is_self_adjoint,
                      is_positive_definite=is_positive_definite, is_square=is_square, name=name)
        if is_square is False:
            raise ValueError("Only square lower triangular operators supported at this time.")
        self._tril = _tensor(tril, hint=_d.float32)
        if self._tril.ndim < 2:
            raise ValueError(f"Argument tril must have at least 2 dimensions.  Found: "
                             f"{self._tril}")
        super().__init__(self._tril.dtype, None, is_non_singular, is_self_adjoint,
                         is_positive_definite, True, name, params)

    @property
    def tril(self):
        return self._tril

    def _shape(self):
        return vshape(self._tril)

    def _to_dense(self):
        return lo.band_part(self._tril, -1, 0)

    def _diag_part(self):
        return lo.diag_part(self._tril)

    def _determinant(self):
        return mo.reduce_prod(self._diag_part(), -1)

    def _log_abs_determinant(self):
        out = mo.reduce_sum(mo.log(mo.abs(self._diag_part())), -1)
        return mo.cast(out, self.dtype) if self.dtype.is_complex else out

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        rhs = _adj(rhs) if adjoint_arg else rhs
        return mx.triangular_solve(self._to_dense(), rhs, lower=True, adjoint=adjoint)

    def _linop_matmul(self, left, right):
        if isinstance(right, LinearOperatorDiag):
            return LinearOperatorLowerTriangular(
                # As TF: the diagonal broadcasts against the dense matrix as is (so a batch
                # of diagonals meets the rows' axis, and mismatched batches raise).
                left.to_dense() * right.diag, is_non_singular=_ns_hint(
                    right, left), is_self_adjoint=_sa_hint(right, left), is_square=True)
        return super()._linop_matmul(left, right)


class BaseLinearOperatorIdentity(LinearOperator):
    """Shared parts of the identity and scaled identity operators."""

    def _init_shape(self, num_rows, batch_shape):
        from .._core.convert import to_static
        n = to_static(num_rows)
        if np.ndim(n) != 0:
            raise ValueError(f"Argument num_rows must be a 0-D Tensor.  Found: {num_rows}")
        n = int(n)
        if n < 0:
            raise ValueError(f"Argument num_rows must be non-negative.  Found: {n}")
        self._num_rows = n
        if batch_shape is not None:
            b = np.asarray(to_static(batch_shape)).reshape(-1)
            if np.any(b < 0):
                raise ValueError(f"Argument batch_shape must be non-negative.  Found: "
                                 f"{batch_shape}")
            self._batch = tuple(int(i) for i in b)
        else:
            self._batch = ()


class LinearOperatorIdentity(BaseLinearOperatorIdentity):
    """The ``[N, N]`` identity (optionally batched by ``batch_shape``)."""

    def __init__(self, num_rows, batch_shape=None, dtype=None, is_non_singular=True,
                 is_self_adjoint=True, is_positive_definite=True, is_square=True,
                 assert_proper_shapes=False, name="LinearOperatorIdentity"):
        params = dict(num_rows=num_rows, batch_shape=batch_shape, dtype=dtype,
                      is_non_singular=is_non_singular, is_self_adjoint=is_self_adjoint,
                      is_positive_definite=is_positive_definite, is_square=is_square,
                      assert_proper_shapes=assert_proper_shapes, name=name)
        if not is_self_adjoint:
            raise ValueError("An identity operator is always self adjoint.")
        if not is_non_singular:
            raise ValueError("An identity operator is always non-singular.")
        if not is_positive_definite:
            raise ValueError("An identity operator is always positive-definite.")
        if not is_square:
            raise ValueError("An identity operator is always square.")
        self._init_shape(num_rows, batch_shape)
        super().__init__(dtype or _d.float32, None, is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square, name, params)

    def _shape(self):
        return self._batch + (self._num_rows, self._num_rows)

    def _to_dense(self):
        return ao.eye(self._num_rows, batch_shape=list(self._batch), dtype=self.dtype)

    def _bcast(self, x):
        if not self._batch:
            return x
        batch = tuple(np.broadcast_shapes(self._batch, vshape(x)[:-2]))
        return ao.broadcast_to(x, batch + vshape(x)[-2:])

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return self._bcast(_adj(x) if adjoint_arg else x)

    def _matvec(self, x, adjoint=False):
        if not self._batch:
            return x
        batch = tuple(np.broadcast_shapes(self._batch, vshape(x)[:-1]))
        return ao.broadcast_to(x, batch + vshape(x)[-1:])

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._matmul(rhs, adjoint_arg=adjoint_arg)

    def _solvevec(self, rhs, adjoint=False):
        return self._matvec(rhs)

    def _determinant(self):
        return ao.ones(self._batch, dtype=self.dtype)

    def _log_abs_determinant(self):
        return ao.zeros(self._batch, dtype=self.dtype)

    def _diag_part(self):
        return ao.ones(self._batch + (self._num_rows,), dtype=self.dtype)

    def _trace(self):
        return ao.fill(list(self._batch), tensor(self._num_rows, self.dtype))

    def _eigvals(self):
        return self._diag_part()

    def _add_to_tensor(self, x):
        return lo.set_diag(x, lo.diag_part(x) + tensor(1, self.dtype))

    def add_to_tensor(self, mat, name="add_to_tensor") -> Tensor:
        """``I + mat``."""
        mat = _tensor(mat)
        self._check_input_dtype(mat)
        return self._add_to_tensor(mat)

    def _linop_adjoint(self):
        return self

    def _linop_inverse(self):
        return self

    def _linop_cholesky(self):
        return self

    def _linop_matmul(self, left, right):
        return right

    def _linop_solve(self, left, right):
        return right


class LinearOperatorScaledIdentity(BaseLinearOperatorIdentity):
    """``multiplier * I`` with a ``multiplier`` per batch member."""

    def __init__(self, num_rows, multiplier, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=True, assert_proper_shapes=False,
                 name="LinearOperatorScaledIdentity"):
        params = dict(num_rows=num_rows, multiplier=multiplier,
                      is_non_singular=is_non_singular, is_self_adjoint=is_self_adjoint,
                      is_positive_definite=is_positive_definite, is_square=is_square,
                      assert_proper_shapes=assert_proper_shapes, name=name)
        if not is_square:
            raise ValueError("A ScaledIdentity operator is always square.")
        self._multiplier = _tensor(multiplier, hint=_d.float32)
        if not self._multiplier.dtype.is_complex:
            if is_self_adjoint is False:
                raise ValueError("A real diagonal operator is always self adjoint.")
            is_self_adjoint = True
        self._init_shape(num_rows, vshape(self._multiplier))
        super().__init__(self._multiplier.dtype, None, is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square, name, params)

    @property
    def multiplier(self):
        return self._multiplier

    def _shape(self):
        return self._batch + (self._num_rows, self._num_rows)

    def _m(self, adjoint=False):
        return mo.conj(self._multiplier) if adjoint and self.dtype.is_complex else \
            self._multiplier

    def _to_dense(self):
        return ao.expand_dims(ao.expand_dims(self._multiplier, -1), -1) * \
            ao.eye(self._num_rows, dtype=self.dtype)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        x = _adj(x) if adjoint_arg else x
        return ao.expand_dims(ao.expand_dims(self._m(adjoint), -1), -1) * x

    def _matvec(self, x, adjoint=False):
        return ao.expand_dims(self._m(adjoint), -1) * x

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        rhs = _adj(rhs) if adjoint_arg else rhs
        return rhs / ao.expand_dims(ao.expand_dims(self._m(adjoint), -1), -1)

    def _determinant(self):
        return self._multiplier ** tensor(self._num_rows, self.dtype)

    def _log_abs_determinant(self):
        out = tensor(float(self._num_rows), self.dtype.real_dtype) * mo.log(
            mo.abs(self._multiplier))
        return mo.cast(out, self.dtype) if self.dtype.is_complex else out

    def _diag_part(self):
        return ao.expand_dims(self._multiplier, -1) * ao.ones([self._num_rows], self.dtype)

    def _trace(self):
        return self._multiplier * tensor(self._num_rows, self.dtype)

    def _eigvals(self):
        d = self._diag_part()
        return mo.real(d) if self.dtype.is_complex else d

    def _add_to_tensor(self, x):
        return lo.set_diag(x, lo.diag_part(x) + ao.expand_dims(self._multiplier, -1))

    def add_to_tensor(self, mat, name="add_to_tensor") -> Tensor:
        """``multiplier * I + mat``."""
        mat = _tensor(mat)
        self._check_input_dtype(mat)
        return self._add_to_tensor(mat)

    def _linop_adjoint(self):
        return LinearOperatorScaledIdentity(self._num_rows, mo.conj(self._multiplier),
                                            is_non_singular=self.is_non_singular,
                                            is_self_adjoint=self.is_self_adjoint,
                                            is_positive_definite=self.is_positive_definite)

    def _linop_inverse(self):
        return LinearOperatorScaledIdentity(self._num_rows, 1. / self._multiplier,
                                            is_non_singular=self.is_non_singular,
                                            is_self_adjoint=self.is_self_adjoint,
                                            is_positive_definite=self.is_positive_definite)

    def _linop_matmul(self, left, right):
        if isinstance(right, LinearOperatorScaledIdentity):
            return LinearOperatorScaledIdentity(left.domain_dimension,
                                                left.multiplier * right.multiplier,
                                                **_commuting_hints(left, right))
        if isinstance(right, LinearOperatorDiag):
            # As TF: the multiplier broadcasts against the diagonal as is.
            return LinearOperatorDiag(right.diag * left.multiplier,
                                      **_commuting_hints(left, right))
        return super()._linop_matmul(left, right)

    def _linop_solve(self, left, right):
        if isinstance(right, LinearOperatorScaledIdentity):
            return LinearOperatorScaledIdentity(left.domain_dimension,
                                                right.multiplier / left.multiplier,
                                                **_commuting_hints(left, right))
        if isinstance(right, LinearOperatorDiag):
            return LinearOperatorDiag(right.diag / left.multiplier,
                                      **_commuting_hints(left, right))
        return super()._linop_solve(left, right)


class LinearOperatorZeros(LinearOperator):
    """The ``[M, N]`` zero matrix (optionally batched)."""

    def __init__(self, num_rows, num_columns=None, batch_shape=None, dtype=None,
                 is_non_singular=False, is_self_adjoint=True, is_positive_definite=False,
                 is_square=True, assert_proper_shapes=False, name="LinearOperatorZeros"):
        from .._core.convert import to_static
        params = dict(num_rows=num_rows, num_columns=num_columns, batch_shape=batch_shape,
                      dtype=dtype, is_non_singular=is_non_singular,
                      is_self_adjoint=is_self_adjoint,
                      is_positive_definite=is_positive_definite, is_square=is_square,
                      assert_proper_shapes=assert_proper_shapes, name=name)
        if is_non_singular:
            raise ValueError("A zero operator is always singular.")
        if is_positive_definite:
            raise ValueError("A zero operator is always not positive-definite.")
        super().__init__(dtype or _d.float32, None, is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square, name, params)
        self._rows = int(to_static(num_rows))
        self._cols = self._rows if num_columns is None else int(to_static(num_columns))
        self._batch = () if batch_shape is None else tuple(
            int(i) for i in np.asarray(to_static(batch_shape)).reshape(-1))
        if is_square and self._rows != self._cols:
            raise ValueError(f"LinearOperatorZeros initialized as is_square=True, but got "
                             f"num_rows({self._rows}) != num_columns({self._cols})")

    def _shape(self):
        return self._batch + (self._rows, self._cols)

    def _to_dense(self):
        return ao.zeros(self._shape(), dtype=self.dtype)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        x = _adj(x) if adjoint_arg else x
        rows = self._cols if adjoint else self._rows
        batch = tuple(np.broadcast_shapes(self._batch, vshape(x)[:-2]))
        return ao.zeros(batch + (rows, vshape(x)[-1]), dtype=self.dtype)

    def _matvec(self, x, adjoint=False):
        rows = self._cols if adjoint else self._rows
        batch = tuple(np.broadcast_shapes(self._batch, vshape(x)[:-1]))
        return ao.zeros(batch + (rows,), dtype=self.dtype)

    def _determinant(self):
        return ao.zeros(self._batch, dtype=self.dtype)

    def _log_abs_determinant(self):
        return mo.log(self._determinant())

    def _diag_part(self):
        return ao.zeros(self._batch + (min(self._rows, self._cols),), dtype=self.dtype)

    def _trace(self):
        return ao.zeros(self._batch, dtype=self.dtype)

    def _eigvals(self):
        return self._diag_part()

    def _add_to_tensor(self, x):
        return x + self._to_dense()

    def add_to_tensor(self, mat, name="add_to_tensor") -> Tensor:
        """``0 + mat``."""
        mat = _tensor(mat)
        self._check_input_dtype(mat)
        return self._add_to_tensor(mat)

    def _linop_matmul(self, left, right):
        if not left.is_square or not right.is_square:
            raise ValueError("Matmul with non-square `LinearOperator`s or non-square "
                             "`LinearOperatorZeros` not supported at this time.")
        return left


_HOOKS.update(identity=LinearOperatorIdentity, zeros=LinearOperatorZeros,
              lower_triangular=LinearOperatorLowerTriangular)

"""``tf.linalg`` LinearOperators built from others (composition, adjoint, inverse, blocks,
Kronecker, low-rank update) and the structured ones (permutation, Householder, Toeplitz,
tridiagonal, circulant)."""
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
from .linear_operator import (LinearOperator, LinearOperatorDiag, LinearOperatorFullMatrix, _adj,
                              _commuting_hints, _ns_hint, _tensor)


def _bcast(x: Tensor, batch: tuple) -> Tensor:
    if vshape(x)[:-2] == batch:
        return x
    return ao.broadcast_to(x, batch + vshape(x)[-2:])


def _batch_of(ops) -> tuple:
    return tuple(np.broadcast_shapes(*[o._shape()[:-2] for o in ops]))


def _check_ops(operators, what="operators"):
    ops = list(operators)
    if not ops:
        raise ValueError(f"Expected a non-empty list of {what}. Found: {ops}")
    dt = ops[0].dtype
    for o in ops:
        if o.dtype != dt:
            found = "   ".join(str((o.name, o.dtype)) for o in ops)
            raise TypeError(f"Expected all operators to have the same dtype.  Found {found}")
    return ops


class LinearOperatorComposition(LinearOperator):
    """The product ``A1 @ A2 @ ... @ An`` of operators."""

    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name=None):
        params = dict(operators=operators, is_non_singular=is_non_singular,
                      is_self_adjoint=is_self_adjoint,
                      is_positive_definite=is_positive_definite, is_square=is_square, name=name)
        self._operators = _check_ops(operators)
        if all(o.is_non_singular for o in self._operators):
            if is_non_singular is False:
                raise ValueError("The composition of non-singular operators is always "
                                 "non-singular.")
            is_non_singular = True
        name = name or "_o_".join(o.name for o in self._operators)
        super().__init__(self._operators[0].dtype, None, is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square, name, params)

    @property
    def operators(self):
        return list(self._operators)

    def _shape(self):
        return _batch_of(self._operators) + (self._operators[0].range_dimension,
                                             self._operators[-1].domain_dimension)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        ops = self._operators[::-1] if not adjoint else self._operators
        out = ops[0].matmul(x, adjoint=adjoint, adjoint_arg=adjoint_arg)
        for o in ops[1:]:
            out = o.matmul(out, adjoint=adjoint)
        return out

    def _determinant(self):
        if all(o.is_square for o in self._operators):
            out = self._operators[0].determinant()
            for o in self._operators[1:]:
                out = out * o.determinant()
            return out
        return super()._determinant()

    def _log_abs_determinant(self):
        if all(o.is_square for o in self._operators):
            out = self._operators[0].log_abs_determinant()
            for o in self._operators[1:]:
                out = out + o.log_abs_determinant()
            return out
        return super()._log_abs_determinant()

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        ops = self._operators if not adjoint else self._operators[::-1]
        out = ops[0].solve(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)
        for o in ops[1:]:
            out = o.solve(out, adjoint=adjoint)
        return out


class LinearOperatorAdjoint(LinearOperator):
    """The adjoint ``A^H`` of an operator."""

    def __init__(self, operator, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name=None):
        params = dict(operator=operator, is_non_singular=is_non_singular,
                      is_self_adjoint=is_self_adjoint,
                      is_positive_definite=is_positive_definite, is_square=is_square, name=name)
        self._operator = operator
        for hint, value in (("is_non_singular", is_non_singular),
                            ("is_self_adjoint", is_self_adjoint),
                            ("is_positive_definite", is_positive_definite),
                            ("is_square", is_square)):
            own = getattr(operator, hint)
            if own is not None and value is not None and own != value:
                raise ValueError(f"An operator is {'non-singular' if hint == 'is_non_singular' else hint[3:].replace('_', ' ')} if and only if its adjoint is "
                                 f"{'non-singular' if hint == 'is_non_singular' else hint[3:].replace('_', ' ')}.")
        is_non_singular = operator.is_non_singular if is_non_singular is None else \
            is_non_singular
        is_self_adjoint = operator.is_self_adjoint if is_self_adjoint is None else \
            is_self_adjoint
        is_positive_definite = operator.is_positive_definite if is_positive_definite is None \
            else is_positive_definite
        is_square = operator.is_square if is_square is None else is_square
        super().__init__(operator.dtype, None, is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square, name or operator.name + "_adjoint",
                         params)

    @property
    def operator(self):
        return self._operator

    def _shape(self):
        s = self._operator._shape()
        return s[:-2] + (s[-1], s[-2])

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return self._operator.matmul(x, adjoint=not adjoint, adjoint_arg=adjoint_arg)

    def _matvec(self, x, adjoint=False):
        return self._operator.matvec(x, adjoint=not adjoint)

    def _to_dense(self):
        return _adj(self._operator.to_dense())

    def _determinant(self):
        d = self._operator.determinant()
        return mo.conj(d) if self.dtype.is_complex else d

    def _log_abs_determinant(self):
        return self._operator.log_abs_determinant()

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._operator.solve(rhs, adjoint=not adjoint, adjoint_arg=adjoint_arg)

    def _diag_part(self):
        d = self._operator.diag_part()
        return mo.conj(d) if self.dtype.is_complex else d

    def _linop_adjoint(self):
        return self._operator


class LinearOperatorInversion(LinearOperator):
    """The inverse ``A^{-1}`` of a non-singular operator (matmul solves, solve multiplies)."""

    def __init__(self, operator, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name=None):
        params = dict(operator=operator, is_non_singular=is_non_singular,
                      is_self_adjoint=is_self_adjoint,
                      is_positive_definite=is_positive_definite, is_square=is_square, name=name)
        self._operator = operator
        if operator.is_non_singular is False or is_non_singular is False:
            raise ValueError(f"Argument `is_non_singular` or argument `operator` must have "
                             f"supplied hint `is_non_singular` equal to `True` or `None`. "
                             f"Found `operator.is_non_singular`: {operator.is_non_singular}, "
                             f"`is_non_singular`: {is_non_singular}.")
        if operator.is_square is False or is_square is False:
            raise ValueError(f"Argument `is_square` or argument `operator` must have "
                             f"supplied hint `is_square` equal to `True` or `None`. "
                             f"Found `operator.is_square`: {operator.is_square}, "
                             f"`is_square`: {is_square}.")
        pick = lambda own, given: own if given is None else given  # noqa: E731
        super().__init__(operator.dtype, None, pick(operator.is_non_singular, is_non_singular),
                         pick(operator.is_self_adjoint, is_self_adjoint),
                         pick(operator.is_positive_definite, is_positive_definite),
                         pick(operator.is_square, is_square),
                         name or operator.name + "_inv", params)

    @property
    def operator(self):
        return self._operator

    def _shape(self):
        return self._operator._shape()

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return self._operator.solve(x, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def _matvec(self, x, adjoint=False):
        return self._operator.solvevec(x, adjoint=adjoint)

    def _eigvals(self):
        return 1. / self._operator.eigvals()

    def cond(self, name="cond") -> Tensor:
        """The condition number, that of the inverted operator (as TF)."""
        return self._operator.cond()

    def _determinant(self):
        return 1. / self._operator.determinant()

    def _log_abs_determinant(self):
        return -1. * self._operator.log_abs_determinant()

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._operator.matmul(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def _solvevec(self, rhs, adjoint=False):
        return self._operator.matvec(rhs, adjoint=adjoint)

    def _linop_inverse(self):
        return self._operator

    def _linop_solve(self, left, right):
        return left.operator.matmul(right)


def _block_rows(rows, batch, dtype):
    """The dense matrix of a grid of blocks (None: a zero block), each broadcast to
    ``batch``."""
    out = []
    heights = [next(b for b in r if b is not None)[1] for r in rows]
    widths = [None] * max(len(r) for r in rows)
    for r in rows:
        for j, b in enumerate(r):
            if b is not None:
                widths[j] = vshape(b[0])[-1]
    for r, h in zip(rows, heights):
        parts = [(_bcast(b[0], batch) if b is not None else
                  ao.zeros(batch + (h, widths[j]), dtype=dtype)) for j, b in enumerate(r)]
        out.append(ao.concat(parts, -1) if len(parts) > 1 else parts[0])
    return ao.concat(out, -2) if len(out) > 1 else out[0]


class _FactorWise:
    """Operators built from a list of square factors (block-diagonal, Kronecker): their
    adjoint, inverse and Cholesky factor are the same kind of operator over the factors'."""

    @property
    def operators(self):
        return list(self._operators)

    def _factorwise(self, method, **hints):
        return type(self)([getattr(o, method)() for o in self._operators], is_square=True,
                          **hints)

    def _linop_adjoint(self):
        return self._factorwise("adjoint", is_non_singular=self.is_non_singular,
                                is_self_adjoint=self.is_self_adjoint,
                                is_positive_definite=self.is_positive_definite)

    def _linop_inverse(self):
        return self._factorwise("inverse", is_non_singular=self.is_non_singular,
                                is_self_adjoint=self.is_self_adjoint,
                                is_positive_definite=self.is_positive_definite)

    def _linop_cholesky(self):
        return self._factorwise("cholesky", is_non_singular=True)


class LinearOperatorBlockDiag(_FactorWise, LinearOperator):
    """The block-diagonal operator ``diag(A1, ..., An)`` of square operators."""

    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=True, name=None):
        params = dict(operators=operators, is_non_singular=is_non_singular,
                      is_self_adjoint=is_self_adjoint,
                      is_positive_definite=is_positive_definite, is_square=is_square, name=name)
        self._operators = _check_ops(operators)
        if all(o.is_non_singular for o in self._operators):
            is_non_singular = True if is_non_singular is None else is_non_singular
        if all(o.is_self_adjoint for o in self._operators):
            is_self_adjoint = True if is_self_adjoint is None else is_self_adjoint
        if all(o.is_positive_definite for o in self._operators):
            is_positive_definite = True if is_positive_definite is None else \
                is_positive_definite
        super().__init__(self._operators[0].dtype, None, is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square,
                         name or "_ds_".join(o.name for o in self._operators), params)

    def _linop_matmul(self, left, right):
        if isinstance(right, LinearOperatorBlockDiag):
            return LinearOperatorBlockDiag(
                [a.matmul(b) for a, b in zip(left.operators, right.operators)],
                is_non_singular=_ns_hint(left, right), is_square=True)
        return super()._linop_matmul(left, right)

    def _linop_solve(self, left, right):
        if isinstance(right, LinearOperatorBlockDiag):
            return LinearOperatorBlockDiag(
                [a.solve(b) for a, b in zip(left.operators, right.operators)],
                is_non_singular=_ns_hint(left, right), is_square=True)
        return super()._linop_solve(left, right)

    def _shape(self):
        return _batch_of(self._operators) + (
            sum(o.range_dimension for o in self._operators),
            sum(o.domain_dimension for o in self._operators))

    def _to_dense(self):
        batch = _batch_of(self._operators)
        n = len(self._operators)
        rows = [[(o.to_dense(), o.range_dimension) if i == j else None for j in range(n)]
                for i, o in enumerate(self._operators)]
        # Zero blocks take their height from the row's operator and width from the column's.
        out = []
        for i, o in enumerate(self._operators):
            parts = []
            for j, p in enumerate(self._operators):
                if i == j:
                    parts.append(_bcast(o.to_dense(), batch))
                else:
                    parts.append(ao.zeros(batch + (o.range_dimension, p.domain_dimension),
                                          dtype=self.dtype))
            out.append(ao.concat(parts, -1) if n > 1 else parts[0])
        del rows
        return ao.concat(out, -2) if n > 1 else out[0]

    def _split(self, x, axis, adjoint):
        sizes = [o.range_dimension if adjoint else o.domain_dimension for o in self._operators]
        return ao.split(x, sizes, axis=axis) if len(sizes) > 1 else [x]

    def matmul(self, x, adjoint=False, adjoint_arg=False, name="matmul"):
        """``A @ x``, block by block."""
        return super().matmul(x, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def matvec(self, x, adjoint=False, name="matvec"):
        """``A @ x`` for vectors, block by block."""
        return super().matvec(x, adjoint=adjoint)

    def solve(self, rhs, adjoint=False, adjoint_arg=False, name="solve"):
        """Solves block by block."""
        return super().solve(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def solvevec(self, rhs, adjoint=False, name="solve"):
        """Solves ``A x = rhs`` for vectors, block by block."""
        return super().solvevec(rhs, adjoint=adjoint)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        x = _adj(x) if adjoint_arg else x
        parts = self._split(x, -2, adjoint)
        batch = tuple(np.broadcast_shapes(_batch_of(self._operators), vshape(x)[:-2]))
        outs = [_bcast(o.matmul(p, adjoint=adjoint), batch)
                for o, p in zip(self._operators, parts)]
        return ao.concat(outs, -2) if len(outs) > 1 else outs[0]

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        rhs = _adj(rhs) if adjoint_arg else rhs
        parts = self._split(rhs, -2, not adjoint)
        batch = tuple(np.broadcast_shapes(_batch_of(self._operators), vshape(rhs)[:-2]))
        outs = [_bcast(o.solve(p, adjoint=adjoint), batch)
                for o, p in zip(self._operators, parts)]
        return ao.concat(outs, -2) if len(outs) > 1 else outs[0]

    def _determinant(self):
        out = self._operators[0].determinant()
        for o in self._operators[1:]:
            out = out * o.determinant()
        return out

    def _log_abs_determinant(self):
        out = self._operators[0].log_abs_determinant()
        for o in self._operators[1:]:
            out = out + o.log_abs_determinant()
        return out


class LinearOperatorBlockLowerTriangular(LinearOperator):
    """A square block lower-triangular operator; ``operators[i]`` holds row ``i``'s
    ``i + 1`` blocks."""

    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None,
                 name="LinearOperatorBlockLowerTriangular"):
        params = dict(operators=operators, is_non_singular=is_non_singular,
                      is_self_adjoint=is_self_adjoint,
                      is_positive_definite=is_positive_definite, is_square=is_square, name=name)
        rows = [list(r) for r in operators]
        if not rows:
            raise ValueError(f"Expected a non-empty list of operators. Found: {rows}")
        for i, r in enumerate(rows):
            if not r and i:
                # TF indexes the empty row before checking its length.
                raise IndexError("list index out of range")
            if len(r) != i + 1:
                raise ValueError(f"Argument `operators[{i}]` must contain `{i + 1}` blocks. "
                                 f"Found: {len(r)} blocks.")
        _check_ops([o for r in rows for o in r])
        self._operators = rows
        if all(r[-1].is_non_singular for r in rows):
            is_non_singular = True if is_non_singular is None else is_non_singular
        super().__init__(rows[0][0].dtype, None, is_non_singular, is_self_adjoint,
                         is_positive_definite, True if is_square is None else is_square,
                         name, params)

    @property
    def operators(self):
        return [list(r) for r in self._operators]

    def _all(self):
        return [o for r in self._operators for o in r]

    def _linop_inverse(self):
        # As TF, recursively: [[A, 0], [B, C]]^-1 == [[A^-1, 0], [-C^-1 B A^-1, C^-1]]. The
        # off-diagonal blocks of the result are LinearOperatorFullMatrix.
        hints = dict(is_non_singular=self.is_non_singular, is_self_adjoint=self.is_self_adjoint,
                     is_positive_definite=self.is_positive_definite, is_square=True)
        rows = self._operators
        if len(rows) == 1:
            return LinearOperatorBlockLowerTriangular([[rows[0][0].inverse()]], **hints)
        upper = LinearOperatorBlockLowerTriangular(rows[:-1]).inverse().operators
        bottom = rows[-1]
        c_inv = bottom[-1].inverse()
        new_row = []
        for i in range(len(rows) - 1):
            acc = None
            for j in range(i, len(rows) - 1):
                term = bottom[j].matmul(upper[j][i].to_dense())
                acc = term if acc is None else acc + term
            new_row.append(LinearOperatorFullMatrix(-c_inv.matmul(acc)))
        new_row.append(c_inv)
        return LinearOperatorBlockLowerTriangular(upper + [new_row], **hints)

    def _shape(self):
        n = sum(r[-1].domain_dimension for r in self._operators)
        return _batch_of(self._all()) + (n, n)

    def _to_dense(self):
        batch = _batch_of(self._all())
        widths = [r[-1].domain_dimension for r in self._operators]
        out = []
        for i, r in enumerate(self._operators):
            h = r[-1].range_dimension
            parts = [_bcast(o.to_dense(), batch) for o in r] + [
                ao.zeros(batch + (h, w), dtype=self.dtype) for w in widths[i + 1:]]
            out.append(ao.concat(parts, -1) if len(parts) > 1 else parts[0])
        return ao.concat(out, -2) if len(out) > 1 else out[0]

    def matmul(self, x, adjoint=False, adjoint_arg=False, name="matmul"):
        """``A @ x``."""
        return super().matmul(x, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def matvec(self, x, adjoint=False, name="matvec"):
        """``A @ x`` for vectors."""
        return super().matvec(x, adjoint=adjoint)

    def solve(self, rhs, adjoint=False, adjoint_arg=False, name="solve"):
        """Solves ``A x = rhs``."""
        return super().solve(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def solvevec(self, rhs, adjoint=False, name="solve"):
        """Solves ``A x = rhs`` for vectors."""
        return super().solvevec(rhs, adjoint=adjoint)

    def _determinant(self):
        out = self._operators[0][0].determinant()
        for r in self._operators[1:]:
            out = out * r[-1].determinant()
        return out

    def _log_abs_determinant(self):
        out = self._operators[0][0].log_abs_determinant()
        for r in self._operators[1:]:
            out = out + r[-1].log_abs_determinant()
        return out


class LinearOperatorKronecker(_FactorWise, LinearOperator):
    """The Kronecker product ``A1 ⊗ A2 ⊗ ... ⊗ An``."""

    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name=None):
        params = dict(operators=operators, is_non_singular=is_non_singular,
                      is_self_adjoint=is_self_adjoint,
                      is_positive_definite=is_positive_definite, is_square=is_square, name=name)
        self._operators = _check_ops(operators)
        if all(o.is_non_singular for o in self._operators):
            is_non_singular = True if is_non_singular is None else is_non_singular
        if all(o.is_self_adjoint for o in self._operators):
            is_self_adjoint = True if is_self_adjoint is None else is_self_adjoint
        super().__init__(self._operators[0].dtype, None, is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square,
                         name or "_x_".join(o.name for o in self._operators), params)

    def _shape(self):
        return _batch_of(self._operators) + (
            int(np.prod([o.range_dimension for o in self._operators])),
            int(np.prod([o.domain_dimension for o in self._operators])))

    def _to_dense(self):
        out = self._operators[0].to_dense()
        for o in self._operators[1:]:
            b = o.to_dense()
            m, n = vshape(out)[-2:]
            p, q = vshape(b)[-2:]
            prod = ao.expand_dims(ao.expand_dims(out, -1), -3) * \
                ao.expand_dims(ao.expand_dims(b, -2), -4)
            batch = vshape(prod)[:-4]
            out = ao.reshape(prod, batch + (m * p, n * q))
        return out

    def _determinant(self):
        total = self.range_dimension
        out = None
        for o in self._operators:
            d = o.determinant() ** tensor(total // o.range_dimension, self.dtype)
            out = d if out is None else out * d
        return out

    def _log_abs_determinant(self):
        total = self.range_dimension
        out = None
        for o in self._operators:
            d = o.log_abs_determinant() * tensor(total // o.range_dimension, self.dtype)
            out = d if out is None else out + d
        return out

    def _trace(self):
        out = None
        for o in self._operators:
            t = o.trace()
            out = t if out is None else out * t
        return out


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


from .linear_operator import _HOOKS  # noqa: E402

_HOOKS.update(composition=LinearOperatorComposition, adjoint=LinearOperatorAdjoint,
              inversion=LinearOperatorInversion)


# -- tf.linalg.experimental.conjugate_gradient ------------------------------------------------
from collections import namedtuple  # noqa: E402

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

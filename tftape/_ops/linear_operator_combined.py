"""``tf.linalg`` LinearOperators built from others: composition, adjoint, inverse, block
diagonal, block lower triangular and Kronecker product."""
from __future__ import annotations

import numpy as np

from .._core.tensor import Tensor, vshape
from ._util import tensor
from . import array_ops as ao
from . import math_ops as mo
from .linear_operator import _HOOKS, LinearOperator, _adj, _bcast, _ns_hint
from .linear_operator_basic import LinearOperatorFullMatrix


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


_HOOKS.update(composition=LinearOperatorComposition, adjoint=LinearOperatorAdjoint,
              inversion=LinearOperatorInversion)

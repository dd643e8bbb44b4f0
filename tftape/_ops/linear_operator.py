"""``tf.linalg.LinearOperator``: the base class of every operator, and the helpers they share.

Each operator knows its shape and its dense matrix; the base class derives the rest (matmul,
solves, determinants, traces) from them with tftape's ops, so gradients flow through tapes.
Operators with structure override the derived methods with the cheaper formulas TF uses
(``linear_operator_basic``, ``linear_operator_combined``, ``linear_operator_structured``); the
values agree with TF's up to rounding.
"""
from __future__ import annotations

import numpy as np

from .._core import dtypes as _d
from .._core.tensor import Tensor, vshape
from .._core.shape import TensorShape
from ._util import tensor
from . import array_ops as ao
from . import linalg_ops as lo
from . import math_ops as mo
from . import matrix_ops as mx


def _tensor(x, dtype=None, hint=None) -> Tensor:
    if isinstance(x, Tensor):
        return x
    if dtype is None and hint is not None and not isinstance(x, (np.ndarray, np.generic)):
        from .._core.convert import convert_to_tensor
        return convert_to_tensor(x, dtype_hint=hint)
    return tensor(x, dtype)


# The operator classes the base class builds or tests for, set by the modules that define
# them (which subclass it), so no import runs in a circle.
_HOOKS: dict = {}


def _adj(x: Tensor) -> Tensor:
    return lo.adjoint(x)


def _ns_hint(a, b):
    if a.is_non_singular is False or b.is_non_singular is False:
        return False
    return a.is_non_singular and b.is_non_singular


def _sa_hint(a, b):
    if a.is_self_adjoint and b.is_self_adjoint:
        return True
    if {a.is_self_adjoint, b.is_self_adjoint} == {True, False}:
        return False
    return None


def _pd_hint(a, b):
    return True if (a.is_positive_definite is True and a.is_self_adjoint is True and
                    b.is_positive_definite is True and b.is_self_adjoint is True) else None


def _pair_hints(a, b):
    """TF's hints for the generic product (or solve) of two operators."""
    sq = None
    if a.is_square and b.is_square:
        sq = True
    elif a.is_square is False and b.is_square is False:
        sq = a.range_dimension == b.domain_dimension
    elif a.is_square is not None and b.is_square is not None and a.is_square != b.is_square:
        sq = False
    if sq:
        return dict(is_non_singular=_ns_hint(a, b), is_self_adjoint=None,
                    is_positive_definite=None, is_square=True)
    if sq is False:
        return dict(is_non_singular=False, is_self_adjoint=False, is_positive_definite=False,
                    is_square=False)
    return dict(is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                is_square=None)


def _commuting_hints(a, b):
    return dict(is_non_singular=_ns_hint(a, b), is_self_adjoint=_sa_hint(a, b),
                is_positive_definite=_pd_hint(a, b), is_square=True)


def _compatible(a, b):
    if a is not None and b is not None and a != b:
        raise ValueError(f"Dimensions {a} and {b} are not compatible")


def _bcast(x: Tensor, batch: tuple) -> Tensor:
    if vshape(x)[:-2] == batch:
        return x
    return ao.broadcast_to(x, batch + vshape(x)[-2:])


class LinearOperator:
    """A (batch of) linear operator(s) ``A`` of shape ``batch_shape + [M, N]``.

    >>> import tftape as tf
    >>> op = tf.linalg.LinearOperatorDiag([1., 2.])
    >>> op.matvec([3., 4.])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([3., 8.], dtype=float32)>
    """

    # Read by scripts/coverage_report.py: what TF has and tftape does not (subclasses too).
    __tftape_partial__ = "batch slicing (`operator[...]`) raises `NotImplementedError`"

    def __getitem__(self, slices):
        raise NotImplementedError(
            f"Batch slicing of {type(self).__name__} (`operator[...]`) is not supported by "
            f"tftape; slice the operator's parameters and build a new operator.")

    def __init__(self, dtype, graph_parents=None, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name=None, parameters=None):
        if is_positive_definite:
            if is_non_singular is False:
                raise ValueError("A positive definite matrix is always non-singular.")
            is_non_singular = True
        if is_non_singular:
            if is_square is False:
                raise ValueError("A non-singular matrix is always square.")
            is_square = True
        if is_self_adjoint:
            if is_square is False:
                raise ValueError("A self-adjoint matrix is always square.")
            is_square = True
        self._dtype = None if dtype is None else _d.as_dtype(dtype)
        self._is_non_singular = is_non_singular
        self._is_self_adjoint = is_self_adjoint
        self._is_positive_definite = is_positive_definite
        self._is_square_set_or_implied_by_hints = is_square
        self._name = name or type(self).__name__
        self._graph_parents = list(graph_parents or [])
        self._parameters = dict(parameters) if parameters is not None else None

    # -- properties ----------------------------------------------------------------------
    @property
    def parameters(self):
        return dict(self._parameters or {})

    @property
    def dtype(self):
        return self._dtype

    @property
    def name(self):
        return self._name

    @property
    def graph_parents(self):
        return list(self._graph_parents)

    @property
    def is_non_singular(self):
        return self._is_non_singular

    @property
    def is_self_adjoint(self):
        return self._is_self_adjoint

    @property
    def is_positive_definite(self):
        return self._is_positive_definite

    @property
    def is_square(self):
        auto = self.domain_dimension == self.range_dimension
        if self._is_square_set_or_implied_by_hints is False and auto:
            raise ValueError("User set is_square hint to False, but the operator was square.")
        if self._is_square_set_or_implied_by_hints is None:
            return auto
        return self._is_square_set_or_implied_by_hints

    def _shape(self) -> tuple:
        raise NotImplementedError("_shape is not implemented.")

    @property
    def shape(self) -> TensorShape:
        return TensorShape(list(self._shape()))

    def shape_tensor(self, name="shape_tensor") -> Tensor:
        return tensor(np.asarray(self._shape(), np.int32))

    @property
    def batch_shape(self) -> TensorShape:
        return TensorShape(list(self._shape()[:-2]))

    def batch_shape_tensor(self, name="batch_shape_tensor") -> Tensor:
        return tensor(np.asarray(self._shape()[:-2], np.int32))

    @property
    def tensor_rank(self, name="tensor_rank") -> int:
        return len(self._shape())

    def tensor_rank_tensor(self, name="tensor_rank_tensor") -> Tensor:
        return tensor(np.int32(len(self._shape())))

    @property
    def domain_dimension(self) -> int:
        return self._shape()[-1]

    def domain_dimension_tensor(self, name="domain_dimension_tensor") -> Tensor:
        return tensor(np.int32(self._shape()[-1]))

    @property
    def range_dimension(self) -> int:
        return self._shape()[-2]

    def range_dimension_tensor(self, name="range_dimension_tensor") -> Tensor:
        return tensor(np.int32(self._shape()[-2]))

    def __repr__(self):
        return (f"<tf.linalg.{type(self).__name__} '{self.name}' "
                f"batch_shape={tuple(self._shape()[:-2])} dtype={self.dtype.name}>")

    # -- assertions ------------------------------------------------------------------------
    def _check(self, ok, message):
        from .._core.errors import InvalidArgumentError
        if not bool(np.all(np.asarray(ok.numpy() if isinstance(ok, Tensor) else ok))):
            raise InvalidArgumentError(None, None, message)

    def assert_non_singular(self, name="assert_non_singular"):
        """Raises InvalidArgumentError if some batch member is (numerically) singular."""
        s = mx.svd(self.to_dense(), compute_uv=False)
        eps = float(np.finfo(self.dtype.real_dtype.as_numpy_dtype).eps)
        cond = mo.reduce_max(s, -1) / mo.reduce_min(s, -1)
        self._check(mo.less(cond, tensor(100. * max(self._shape()[-2:]) / eps, cond.dtype)),
                    "Singular matrix up to precision epsilon.")

    def assert_positive_definite(self, name="assert_positive_definite"):
        """Raises InvalidArgumentError unless self-adjoint positive definite (Cholesky)."""
        from .._core.errors import InvalidArgumentError
        try:
            c = mx.cholesky(self.to_dense())
        except InvalidArgumentError:
            raise InvalidArgumentError(None, None, "Cholesky decomposition was not "
                                                   "successful. The input might not be valid.")
        self._check(mo.logical_not(mo.reduce_any(mo.is_nan(mo.real(c)))),
                    "Cholesky decomposition was not successful. The input might not be valid.")

    def assert_self_adjoint(self, name="assert_self_adjoint"):
        """Raises InvalidArgumentError unless ``A == A^H``."""
        dense = self.to_dense()
        self._check(mo.equal(dense, _adj(dense)), "Matrix was not equal to its adjoint.")

    def _check_input_dtype(self, arg):
        if arg.dtype.base_dtype != self.dtype:
            raise TypeError(f"Expected argument to have dtype {self.dtype!r}.  Found: "
                            f"{arg.dtype!r} in tensor {arg}")

    # -- products ---------------------------------------------------------------------------
    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return lo.matmul(self.to_dense(), x, adjoint_a=adjoint, adjoint_b=adjoint_arg)

    def matmul(self, x, adjoint=False, adjoint_arg=False, name="matmul"):
        """``A @ x`` (``A^H`` with ``adjoint``, ``x^H`` with ``adjoint_arg``); an operator
        ``x`` gives a ``LinearOperatorComposition``."""
        if isinstance(x, LinearOperator):
            left = self.adjoint() if adjoint else self
            right = x.adjoint() if adjoint_arg else x
            if right.range_dimension != left.domain_dimension:
                raise ValueError(f"Operators are incompatible. Expected `x` to have dimension "
                                 f"{left.domain_dimension} but got {right.range_dimension}.")
            return self._linop_matmul(left, right)
        x = _tensor(x)
        self._check_input_dtype(x)
        _compatible(self._shape()[-2 if adjoint else -1], vshape(x)[-1 if adjoint_arg else -2])
        return self._matmul(x, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def __matmul__(self, other):
        return self.matmul(other)

    def _linop_matmul(self, left, right):
        # As TF: an identity on the right gives ``left``; a zero operator gives itself; any
        # other pair gives their composition.
        if isinstance(right, _HOOKS["identity"]):
            return left
        if isinstance(right, _HOOKS["zeros"]):
            if not right.is_square or not left.is_square:
                raise ValueError("Matmul with non-square `LinearOperator`s or non-square "
                                 "`LinearOperatorZeros` not supported at this time.")
            return right
        return _HOOKS["composition"]([left, right], **_pair_hints(left, right))

    def _linop_solve(self, left, right):
        # As TF: ``left^-1 @ right``; an identity on the right gives ``left``'s inverse.
        if isinstance(right, _HOOKS["identity"]):
            return left.inverse()
        return _HOOKS["composition"]([_HOOKS["inversion"](left), right],
                                     **_pair_hints(left, right))

    def _matvec(self, x, adjoint=False):
        return ao.squeeze(self.matmul(ao.expand_dims(x, -1), adjoint=adjoint), -1)

    def matvec(self, x, adjoint=False, name="matvec"):
        """``A @ x`` for a (batch of) vector(s) ``x``."""
        x = _tensor(x)
        self._check_input_dtype(x)
        _compatible(self._shape()[-2 if adjoint else -1], vshape(x)[-1])
        return self._matvec(x, adjoint=adjoint)

    # -- determinants and solves ----------------------------------------------------------
    def _determinant(self):
        return mx.det(self.to_dense())

    def determinant(self, name="det"):
        """The determinant of each batch member."""
        if self.is_square is False:
            raise NotImplementedError("Determinant not implemented for an operator that is "
                                      "expected to not be square.")
        return self._determinant()

    def _log_abs_determinant(self):
        # As TF, from slogdet: a complex operator gives a complex (zero-imaginary) result.
        return mx.slogdet(self.to_dense())[1]

    def log_abs_determinant(self, name="log_abs_det"):
        """log|det(A)| of each batch member."""
        if self.is_square is False:
            raise NotImplementedError("Determinant not implemented for an operator that is "
                                      "expected to not be square.")
        return self._log_abs_determinant()

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        if self.is_square is False:
            raise NotImplementedError("Solve is not yet implemented for non-square "
                                      "operators.")
        rhs = _adj(rhs) if adjoint_arg else rhs
        dense = self.to_dense()
        batch = tuple(np.broadcast_shapes(vshape(dense)[:-2], vshape(rhs)[:-2]))
        dense = ao.broadcast_to(dense, batch + vshape(dense)[-2:])
        rhs = ao.broadcast_to(rhs, batch + vshape(rhs)[-2:])
        if self.is_self_adjoint and self.is_positive_definite:
            return mx.cholesky_solve(mx.cholesky(dense), rhs)
        # The adjoint is taken first so that one solve kernel serves both directions.
        return mx.solve(_adj(dense) if adjoint else dense, rhs)

    def solve(self, rhs, adjoint=False, adjoint_arg=False, name="solve"):
        """Solves ``A @ x = rhs`` (``A^H`` with ``adjoint``, ``rhs^H`` with ``adjoint_arg``)."""
        if self.is_non_singular is False:
            raise NotImplementedError("Exact solve not implemented for an operator that is "
                                      "expected to be singular.")
        if self.is_square is False:
            raise NotImplementedError("Exact solve not implemented for an operator that is "
                                      "expected to not be square.")
        if isinstance(rhs, LinearOperator):
            left = self.adjoint() if adjoint else self
            right = rhs.adjoint() if adjoint_arg else rhs
            if right.range_dimension != left.domain_dimension:
                raise ValueError(f"Operators are incompatible. Expected `rhs` to have "
                                 f"dimension {left.domain_dimension} but got "
                                 f"{right.range_dimension}.")
            return self._linop_solve(left, right)
        rhs = _tensor(rhs)
        self._check_input_dtype(rhs)
        _compatible(self._shape()[-1 if adjoint else -2], vshape(rhs)[-1 if adjoint_arg else -2])
        return self._solve(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def _solvevec(self, rhs, adjoint=False):
        return ao.squeeze(self.solve(ao.expand_dims(rhs, -1), adjoint=adjoint), -1)

    def solvevec(self, rhs, adjoint=False, name="solve"):
        """Solves ``A @ x = rhs`` for a (batch of) vector(s) ``rhs``."""
        if self.is_non_singular is False:
            raise NotImplementedError("Exact solve not implemented for an operator that is "
                                      "expected to be singular.")
        if self.is_square is False:
            raise NotImplementedError("Exact solve not implemented for an operator that is "
                                      "expected to not be square.")
        rhs = _tensor(rhs)
        self._check_input_dtype(rhs)
        _compatible(self._shape()[-1 if adjoint else -2], vshape(rhs)[-1])
        return self._solvevec(rhs, adjoint=adjoint)

    # -- derived operators -----------------------------------------------------------------
    def _linop_adjoint(self):
        return _HOOKS["adjoint"](self, is_non_singular=self.is_non_singular,
                                     is_self_adjoint=self.is_self_adjoint,
                                     is_positive_definite=self.is_positive_definite,
                                     is_square=self.is_square)

    def adjoint(self, name="adjoint") -> "LinearOperator":
        """The operator ``A^H`` (``self`` when self-adjoint)."""
        if self.is_self_adjoint is True:
            return self
        return self._linop_adjoint()

    H = property(adjoint, None)

    def _linop_inverse(self):
        return _HOOKS["inversion"](self, is_non_singular=self.is_non_singular,
                                       is_self_adjoint=self.is_self_adjoint,
                                       is_positive_definite=self.is_positive_definite,
                                       is_square=self.is_square)

    def inverse(self, name="inverse") -> "LinearOperator":
        """The operator ``A^{-1}``."""
        if self.is_square is False:
            raise ValueError("Cannot take the Inverse: This operator represents a non square "
                             "matrix.")
        if self.is_non_singular is False:
            raise ValueError("Cannot take the Inverse: This operator represents a singular "
                             "matrix.")
        return self._linop_inverse()

    def cholesky(self, name="cholesky") -> "LinearOperator":
        """The lower Cholesky factor ``L`` (``A = L L^H``) as a LinearOperatorLowerTriangular."""
        if not (self.is_self_adjoint and self.is_positive_definite):
            raise ValueError("Cannot take the Cholesky decomposition: Not a positive definite "
                             "self adjoint matrix.")
        return self._linop_cholesky()

    def _linop_cholesky(self):
        return _HOOKS["lower_triangular"](mx.cholesky(self.to_dense()), is_non_singular=True,
                                          is_self_adjoint=False, is_square=True)

    # -- dense views ---------------------------------------------------------------------------
    def _to_dense(self):
        s = self._shape()
        eye = ao.eye(s[-1], batch_shape=list(s[:-2]), dtype=self.dtype)
        return self.matmul(eye)

    def to_dense(self, name="to_dense") -> Tensor:
        """The dense (batch) matrix."""
        return self._to_dense()

    def _diag_part(self):
        return lo.diag_part(self.to_dense())

    def diag_part(self, name="diag_part") -> Tensor:
        """The main diagonal of each batch member."""
        return self._diag_part()

    def _trace(self):
        return mo.reduce_sum(self.diag_part(), -1)

    def trace(self, name="trace") -> Tensor:
        """The sum of the main diagonal."""
        return self._trace()

    def _add_to_tensor(self, x):
        return self.to_dense() + x

    def add_to_tensor(self, x, name="add_to_tensor") -> Tensor:
        """``A + x`` as a dense tensor."""
        x = _tensor(x)
        self._check_input_dtype(x)
        return self._add_to_tensor(x)

    def _eigvals(self):
        return mx.eigvalsh(self.to_dense())

    def eigvals(self, name="eigvals") -> Tensor:
        """The eigenvalues (self-adjoint operators only)."""
        if not self.is_self_adjoint:
            raise NotImplementedError("Only self-adjoint matrices are supported.")
        return self._eigvals()

    def cond(self, name="cond") -> Tensor:
        """The condition number: the ratio of the largest to the smallest singular value."""
        if not self.is_self_adjoint:
            vals = mx.svd(self.to_dense(), compute_uv=False)
        else:
            vals = mo.abs(self._eigvals())
        return mo.reduce_max(vals, -1) / mo.reduce_min(vals, -1)

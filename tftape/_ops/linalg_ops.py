"""Matrix multiplication and linear algebra."""
from __future__ import annotations

import numpy as np
import jax.numpy as jnp

from .._core import dtypes as _d
from .._core.errors import kernel_error
from .._core.registry import convert_inputs, execute, execute_binary, op
from .._core.tensor import EagerTensor, PendingTensor, Tensor, vshape
from ._util import fmt_shape, tensor


_MATMUL_TYPES = _d.FLOATING + (_d.int32, _d.int64, _d.int8, _d.int16, _d.uint8, _d.uint16,
                               _d.uint32, _d.uint64) + _d.COMPLEX


def _matmul_impl(a, b, ta, tb):
    if ta:
        a = jnp.swapaxes(a, -1, -2)
    if tb:
        b = jnp.swapaxes(b, -1, -2)
    return jnp.matmul(a, b, preferred_element_type=a.dtype)


_matmul = op("matmul", "MatMul", _matmul_impl, dtypes=_MATMUL_TYPES,
             signature="a:T, b:T -> product:T")
_batch_matmul = op("batch_matmul", "BatchMatMulV2", _matmul_impl, dtypes=_MATMUL_TYPES,
                   signature="x:T, y:T -> output:T")


_MATMUL_SET = frozenset(_MATMUL_TYPES)
_NN_KEY = (False, False)
_NN_STATIC = {"ta": False, "tb": False}


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, output_type=None, grad_a=False, grad_b=False,
           name=None) -> Tensor:
    """Matrix product with TF's rank rules (both operands rank >= 2, batch dims broadcast).

    >>> import tftape as tf
    >>> tf.matmul([[1., 2.]], [[3.], [4.]])
    <tf.Tensor: shape=(1, 1), dtype=float32, numpy=array([[11.]], dtype=float32)>
    """
    # The common case first: two rank-2 tensors of one dtype, no flags.
    ta_, tb_ = type(a), type(b)
    if getattr(ta_, "_is_tf_variable", False):   # a Variable is read (what converting does)
        a = a.read_value()
        ta_ = type(a)
    if getattr(tb_, "_is_tf_variable", False):
        b = b.read_value()
        tb_ = type(b)
    if (ta_ is EagerTensor or ta_ is PendingTensor) and (tb_ is EagerTensor or
                                                         tb_ is PendingTensor) and \
            a._dtype is b._dtype and not (transpose_a or transpose_b or adjoint_a or adjoint_b):
        sa, sb = vshape(a), vshape(b)
        if len(sa) == 2 and len(sb) == 2 and sa[1] == sb[0] and a._dtype in _MATMUL_SET:
            return execute_binary(_matmul, a, b, _NN_KEY, _NN_STATIC)
    if hasattr(a, "_sparse_matmul"):
        return a._sparse_matmul(b, adjoint_a or transpose_a, adjoint_b or transpose_b)
    x, y = convert_inputs(_matmul, (a, b))
    sa, sb = vshape(x), vshape(y)
    batched = len(sa) > 2 or len(sb) > 2
    o = _batch_matmul if batched else _matmul
    if len(sa) != len(sb) and not batched:
        raise kernel_error("MatMul", f"In[0] and In[1] has different ndims: {fmt_shape(sa)} vs. "
                                     f"{fmt_shape(sb)}")
    if len(sa) < 2 or len(sb) < 2:
        if len(sa) != len(sb):
            raise kernel_error(o.tf_name, f"In[0] and In[1] has different ndims: {fmt_shape(sa)} "
                                          f"vs. {fmt_shape(sb)}")
        raise kernel_error(o.tf_name, f"In[0] and In[1] ndims must be == 2: {len(sa)}")
    ta, tb = bool(transpose_a or adjoint_a), bool(transpose_b or adjoint_b)
    k_a = sa[-2] if ta else sa[-1]
    k_b = sb[-1] if tb else sb[-2]
    if batched:
        try:
            np.broadcast_shapes(sa[:-2], sb[:-2])
        except ValueError:
            raise kernel_error(o.tf_name, f"In[0] and In[1] must have compatible batch "
                                          f"dimensions: {fmt_shape(sa)} vs. {fmt_shape(sb)}") from None
        if k_a != k_b:
            raise kernel_error(o.tf_name, f"Matrix size-incompatible: In[0]: {fmt_shape(sa)}, "
                                          f"In[1]: {fmt_shape(sb)}")
    elif k_a != k_b:
        raise kernel_error("MatMul", f"Matrix size-incompatible: In[0]: {fmt_shape(sa)}, In[1]: "
                                     f"{fmt_shape(sb)}")
    if adjoint_a and x.dtype.is_complex:
        from .math_ops import conj
        x = conj(x)
    if adjoint_b and y.dtype.is_complex:
        from .math_ops import conj
        y = conj(y)
    return execute(o, (x, y), (ta, tb), {"ta": ta, "tb": tb})


def matvec(a, b, transpose_a=False, adjoint_a=False, a_is_sparse=False, b_is_sparse=False,
           name=None) -> Tensor:
    """Matrix-vector product."""
    from .array_ops import expand_dims, squeeze
    return squeeze(matmul(a, expand_dims(b, -1), transpose_a=transpose_a, adjoint_a=adjoint_a),
                   -1)


def tensordot(a, b, axes, name=None) -> Tensor:
    """Sum of products over the given axes."""
    from .._core.convert import to_static
    x, y = convert_inputs(_tensordot, (a, b))
    ax = to_static(axes)
    if isinstance(ax, list):
        ax = tuple(tuple(v) if isinstance(v, list) else v for v in ax)
    if isinstance(ax, int):
        xa, ya = tuple(range(x.ndim - ax, x.ndim)), tuple(range(ax))
    else:
        xa, ya = ((ax[0],) if isinstance(ax[0], int) else ax[0]), \
            ((ax[1],) if isinstance(ax[1], int) else ax[1])
    ka = int(np.prod([vshape(x)[i] for i in xa], dtype=np.int64))
    kb = int(np.prod([vshape(y)[i] for i in ya], dtype=np.int64))
    if ka != kb:
        # TF reshapes both operands to matrices and multiplies them.
        m = int(np.prod(vshape(x), dtype=np.int64)) // max(ka, 1)
        n = int(np.prod(vshape(y), dtype=np.int64)) // max(kb, 1)
        raise kernel_error("MatMul", f"Matrix size-incompatible: In[0]: [{m},{ka}], In[1]: "
                                     f"[{kb},{n}]")
    return execute(_tensordot, (x, y), (ax,), {"axes": ax})


_tensordot = op("tensordot", "TensorDot", lambda a, b, axes: jnp.tensordot(a, b, axes))


def einsum(equation, *inputs, **kwargs) -> Tensor:
    """Einstein summation."""
    ts = convert_inputs(_einsum, inputs)
    eq = equation.replace(" ", "")
    _check_einsum(eq, ts)
    return execute(_einsum, ts, (eq,), {"equation": eq})


def _check_einsum(eq, ts):
    """TF's checks: output labels come from the inputs; a label's sizes agree (or are 1)."""
    lhs, _, out = eq.partition("->")
    terms = lhs.split(",")
    for c in out:
        if c.isalpha() and c not in lhs:
            raise ValueError(f"Output subscripts contain the label {c} not present in the input "
                             f"subscripts.")
    sizes = {}
    for t, term in zip(ts, terms):
        if "." in term:
            continue
        for axis, c in enumerate(term):
            if axis >= t.ndim:
                break
            n = vshape(t)[axis]
            if c in sizes and n != sizes[c] and 1 not in (n, sizes[c]):
                raise kernel_error("Einsum", f"Expected dimension {sizes[c]} at axis {axis} of "
                                             f"the input shaped {fmt_shape(vshape(t))} but got "
                                             f"dimension {n}", wrapped=f"Einsum_N_{len(ts)}")
            sizes.setdefault(c, n)


_einsum = op("einsum", "Einsum", lambda *xs, equation: jnp.einsum(
    equation, *xs, preferred_element_type=xs[0].dtype))


# -- diagonals, bands, transposes ---------------------------------------------------------------
def _diag_mask(rows, cols, k):
    i = jnp.arange(rows)[:, None]
    j = jnp.arange(cols)[None, :]
    return (j - i) == k, (i if k >= 0 else j)


def _diag_impl(d, pad, k, rows, cols):
    mask, idx = _diag_mask(rows, cols, k)
    n = d.shape[-1]
    vals = jnp.take(d, jnp.clip(idx, 0, max(n - 1, 0)), axis=-1) if n else \
        jnp.zeros(d.shape[:-1] + (rows, cols), d.dtype)
    # ``take`` with a (rows, cols) index gives [..., rows, cols] (broadcast against the mask).
    vals = jnp.broadcast_to(vals, d.shape[:-1] + (rows, cols))
    return jnp.where(mask, vals, pad)


_diag = op("diag", "MatrixDiagV3", _diag_impl, signature="diagonal:T -> output:T")


def diag(diagonal, name="diag", k=0, num_rows=-1, num_cols=-1, padding_value=0,
         align="RIGHT_LEFT") -> Tensor:
    """A (batch of) matrix with ``diagonal`` on its k-th diagonal and ``padding_value`` elsewhere.

    >>> import tftape as tf
    >>> tf.linalg.diag([1, 2])
    <tf.Tensor: shape=(2, 2), dtype=int32, numpy=
    array([[1, 0],
           [0, 2]], dtype=int32)>
    """
    from .._core.convert import to_static
    d = tensor(diagonal)
    if d.ndim < 1:
        raise kernel_error("MatrixDiagV3", f"diagonal must be at least 1-dim, received shape: "
                                           f"{fmt_shape(vshape(d))}", name=name)
    k = int(to_static(k))
    n = vshape(d)[-1]
    min_rows, min_cols = n - min(k, 0), n + max(k, 0)
    rows, cols = int(to_static(num_rows)), int(to_static(num_cols))
    if rows == -1 and cols == -1:
        rows = cols = max(min_rows, min_cols)
    elif rows == -1:
        rows = min_rows
    elif cols == -1:
        cols = min_cols
    if rows != min_rows and cols != min_cols:
        raise kernel_error("MatrixDiagV3", f"The number of diagonals provided in the input does "
                                           f"not match num_rows and num_cols.", name=name)
    pad = tensor(padding_value, d.dtype)
    return execute(_diag, (d, pad), (k, rows, cols), {"k": k, "rows": rows, "cols": cols})


_diag_part = op("diag_part", "MatrixDiagPartV3",
                lambda x, k: jnp.diagonal(x, offset=k, axis1=-2, axis2=-1),
                signature="input:T -> diagonal:T")


def diag_part(input, name="diag_part", k=0, padding_value=0, align="RIGHT_LEFT") -> Tensor:  # noqa: A002
    """The k-th diagonal of each innermost matrix."""
    from .._core.convert import to_static
    t = tensor(input)
    if t.ndim < 2:
        raise kernel_error("MatrixDiagPartV3", f"input must be at least 2-dim, received shape: "
                                               f"{fmt_shape(vshape(t))}", name=name)
    k = int(to_static(k))
    r, c = vshape(t)[-2:]
    if not ((-r < k < c) or k == 0):
        raise kernel_error("MatrixDiagPartV3", f"lower_diag_index is out of bound: {k}. It must "
                                               f"be between {-r} and {c}", name=name)
    return execute(_diag_part, (t,), (k,), {"k": k})


def _set_diag_impl(x, d, k):
    mask, idx = _diag_mask(x.shape[-2], x.shape[-1], k)
    n = d.shape[-1]
    vals = jnp.take(d, jnp.clip(idx, 0, max(n - 1, 0)), axis=-1)
    return jnp.where(mask, vals, x)


_set_diag = op("set_diag", "MatrixSetDiagV3", _set_diag_impl,
               signature="input:T, diagonal:T -> output:T")


def set_diag(input, diagonal, name="set_diag", k=0, align="RIGHT_LEFT") -> Tensor:  # noqa: A002
    """``input`` with its k-th diagonal replaced by ``diagonal``."""
    from .._core.convert import to_static
    x, d = convert_inputs(_set_diag, (input, diagonal))
    k = int(to_static(k))
    r, c = vshape(x)[-2:]
    n = min(r + min(k, 0), c - max(k, 0))
    if vshape(d) != vshape(x)[:-2] + (n,):
        raise kernel_error("MatrixSetDiagV3", f"Either first dimensions of diagonal don't match "
                                              f"input.shape[:-2], or diagonal.shape[:-1] is not "
                                              f"equal to the longests diagonal in range "
                                              f"[lower_diag_index:upper_diag_index].\nInput "
                                              f"shape: {fmt_shape(vshape(x))}\nDiagonal shape: "
                                              f"{fmt_shape(vshape(d))}\nExpected diagonal "
                                              f"shape: {fmt_shape(vshape(x)[:-2] + (n,))}",
                           name=name)
    return execute(_set_diag, (x, d), (k,), {"k": k})


def _band_impl(x, lower, upper):
    i = jnp.arange(x.shape[-2])[:, None]
    j = jnp.arange(x.shape[-1])[None, :]
    keep = ((lower < 0) | (i - j <= lower)) & ((upper < 0) | (j - i <= upper))
    return jnp.where(keep, x, jnp.zeros((), x.dtype))


_band = op("band_part", "MatrixBandPart", _band_impl,
           signature="input:T, num_lower:Tindex, num_upper:Tindex -> band:T")


def band_part(input, num_lower, num_upper, name=None) -> Tensor:  # noqa: A002
    """Keeps ``num_lower`` sub- and ``num_upper`` super-diagonals (negative: all) of each matrix."""
    from .._core.convert import to_static
    t = tensor(input)
    if t.ndim < 2:
        raise kernel_error("MatrixBandPart", f"input must be at least 2-dim, received shape: "
                                             f"{fmt_shape(vshape(t))}")
    lo, up = int(to_static(num_lower)), int(to_static(num_upper))
    r, c = vshape(t)[-2:]
    if lo > r:
        raise kernel_error("MatrixBandPart", f"num_lower must be negative or less or equal to "
                                             f"number of rows ({r}) got: {lo}")
    if up > c:
        raise kernel_error("MatrixBandPart", f"num_upper must be negative or less or equal to "
                                             f"number of columns ({c}) got: {up}")
    return execute(_band, (t,), (lo, up), {"lower": lo, "upper": up})


def trace(x, name=None) -> Tensor:
    """The sum of the main diagonal of each innermost matrix."""
    from .math_ops import reduce_sum
    return reduce_sum(diag_part(x), [-1])


def matrix_transpose(a, name="matrix_transpose", conjugate=False) -> Tensor:
    """Transposes the innermost two dimensions (conjugating if asked)."""
    from .array_ops import transpose
    t = tensor(a)
    if t.ndim < 2:
        raise ValueError(f"Argument `a` should be a (batch) matrix with rank >= 2.  Received "
                         f"`a` = {t.numpy()} with shape: {t.shape}")
    perm = list(range(t.ndim - 2)) + [t.ndim - 1, t.ndim - 2]
    return transpose(t, perm, conjugate=conjugate)


def adjoint(matrix, name=None) -> Tensor:
    """The conjugate transpose of the innermost two dimensions."""
    return matrix_transpose(matrix, conjugate=True)

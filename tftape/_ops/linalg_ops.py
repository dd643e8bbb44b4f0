"""Matrix multiplication and linear algebra."""
from __future__ import annotations

import numpy as np
import jax.numpy as jnp

from .._core import dtypes as _d
from .._core.errors import kernel_error
from .._core.registry import convert_inputs, execute, op
from .._core.tensor import EagerTensor, Tensor
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
    if type(a) is EagerTensor and type(b) is EagerTensor and a._dtype is b._dtype and not (
            transpose_a or transpose_b or adjoint_a or adjoint_b):
        sa, sb = a._v.shape, b._v.shape
        if len(sa) == 2 and len(sb) == 2 and sa[1] == sb[0] and a._dtype in _MATMUL_SET:
            return execute(_matmul, (a, b), _NN_KEY, _NN_STATIC)
    if hasattr(a, "_sparse_matmul"):
        return a._sparse_matmul(b, adjoint_a or transpose_a, adjoint_b or transpose_b)
    x, y = convert_inputs(_matmul, (a, b))
    sa, sb = x._v.shape, y._v.shape
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
    return execute(_tensordot, (x, y), (ax,), {"axes": ax})


_tensordot = op("tensordot", "TensorDot", lambda a, b, axes: jnp.tensordot(a, b, axes))


def einsum(equation, *inputs, **kwargs) -> Tensor:
    """Einstein summation."""
    ts = convert_inputs(_einsum, inputs)
    eq = equation.replace(" ", "")
    return execute(_einsum, ts, (eq,), {"equation": eq})


_einsum = op("einsum", "Einsum", lambda *xs, equation: jnp.einsum(
    equation, *xs, preferred_element_type=xs[0].dtype))

"""Running JAX NumPy functions as recorded tftape ops, and TF-NumPy's array conversion.

:func:`jcall` turns any ``jax.numpy`` function into a registry op: tensor arguments (found
anywhere in ``args``/``kwargs``) are the op's inputs, everything else is a static parameter of a
cached ``jax.jit`` kernel. So every TF-NumPy and array-API function records on GradientTapes
and traces inside ``tf.function`` like the TF ops do.
"""
from __future__ import annotations

import numpy as np
import jax
import jax.numpy as jnp

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._core.registry import Op, execute, wrap
from .._core.tensor import Tensor
from . import _config as cfg

_SLICE = "__slice__"


def _freeze(x):
    """Makes a static leaf hashable (slices and NumPy scalars are not, or compare oddly)."""
    if type(x) is slice:
        return (_SLICE, _freeze(x.start), _freeze(x.stop), _freeze(x.step))
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, _d.DType):
        return x._np
    return x


def _thaw(x):
    if type(x) is tuple and len(x) == 4 and x[0] == _SLICE:
        return slice(_thaw(x[1]), _thaw(x[2]), _thaw(x[3]))
    return x


class _Dyn:
    """Marks where a tensor input goes back into the argument tree."""

    __slots__ = ("i",)

    def __init__(self, i):
        self.i = i

    def __eq__(self, other):
        return type(other) is _Dyn and other.i == self.i

    def __hash__(self):
        return hash(("_Dyn", self.i))


def _is_leaf(x):
    return isinstance(x, Tensor) or type(x) is slice or x is None


def _impl_for(fn):
    def impl(*arrays, spec, post):
        treedef, leaves = spec
        leaves = [arrays[v.i] if type(v) is _Dyn else _thaw(v) for v in leaves]
        args, kwargs = jax.tree_util.tree_unflatten(treedef, leaves)
        out = fn(*args, **kwargs)
        if post is not None:
            out = post(out)
        if isinstance(out, (list, tuple)):
            return tuple(out)
        return out
    return impl


# NumPy-API calls made through ``jcall`` become ops lazily, on first use. They are kept here,
# not in the registry of TF ops, so the registry stays the same whatever has run.
_JCALL_OPS: dict = {}


def _op_for(name: str, fn, differentiable: bool) -> Op:
    key = "jnp." + name
    o = _JCALL_OPS.get(key)
    if o is not None and o.impl.__wrapped_fn__ is not fn:
        # Kernels and tape segments are cached by op name: one name, one function.
        raise RuntimeError(f"jcall: {name!r} is already bound to another function")
    if o is None:
        impl = _impl_for(fn)
        impl.__wrapped_fn__ = fn
        o = Op(key, name, impl, differentiable=differentiable)
        _JCALL_OPS[key] = o
    return o


def as_input(x) -> Tensor:
    """A tensor input of a jcall: Variables are read, NumPy/JAX arrays wrapped."""
    if isinstance(x, Tensor):
        return x
    return convert_to_tensor(x)


def jcall(name: str, fn, *args, _post=None, _diff=True, **kwargs):
    """Runs ``fn(*args, **kwargs)`` (a JAX function) as a recorded, jitted tftape op.

    Tensors, Variables, NumPy and JAX arrays in the arguments become op inputs; other values
    are static. ``_post`` (static, hashable) post-processes the JAX output inside the kernel.
    """
    leaves, treedef = jax.tree_util.tree_flatten((args, kwargs), is_leaf=_is_leaf)
    tensors = []
    spec_leaves = []
    for x in leaves:
        if isinstance(x, Tensor) or cfg._is_variable(x) or isinstance(x, (np.ndarray, jax.Array)):
            spec_leaves.append(_Dyn(len(tensors)))
            tensors.append(as_input(x))
        else:
            spec_leaves.append(_freeze(x))
    spec = (treedef, tuple(spec_leaves))
    o = _op_for(name, fn, _diff)
    static = {"spec": spec, "post": _post}
    return execute(o, tensors, (spec, _post), static)


# -- TF-NumPy conversion ------------------------------------------------------------------------
def _string_scalar(a):
    return isinstance(a, (str, bytes))


def cast(t: Tensor, dtype: _d.DType) -> Tensor:
    if t._dtype is dtype:
        return t
    from .._ops.math_ops import cast as tf_cast
    return tf_cast(t, dtype)


def array_internal(val, dtype: _d.DType | None = None, ndmin: int = 0) -> Tensor:
    """TF's ``_array_internal``: NumPy dtype inference for Python values, then a cast."""
    if cfg._is_variable(val):
        val = convert_to_tensor(val)
    if not isinstance(val, Tensor):
        if dtype is None:
            if _string_scalar(val):
                dtype = _d.string
            else:
                dtype = cfg.result_type(val)
        if isinstance(val, (list, tuple)) and _has_tensor(val):
            val = _stack_nested(val, dtype)
        t = convert_to_tensor(val, dtype_hint=dtype)
        t = cast(t, dtype)
    else:
        t = cast(val, dtype) if dtype is not None else val
    if ndmin > 32:
        raise ValueError(f"ndmin bigger than allowable number of dimensions: 32.")
    if ndmin and t._v.ndim < ndmin:
        from .._ops.array_ops import reshape
        t = reshape(t, (1,) * (ndmin - t._v.ndim) + tuple(t._v.shape))
    return t


def _has_tensor(val) -> bool:
    for v in val:
        if isinstance(v, (list, tuple)):
            if _has_tensor(v):
                return True
        elif isinstance(v, Tensor) or cfg._is_variable(v):
            return True
    return False


def _stack_nested(val, dtype):
    from .._ops.array_ops import stack
    items = [_stack_nested(v, dtype) if isinstance(v, (list, tuple))
             else cast(convert_to_tensor(v, dtype_hint=dtype), dtype) for v in val]
    return stack(items)


def asarray(a, dtype=None) -> Tensor:
    """Converts ``a`` to a tensor with NumPy's dtype inference (ints -> int64, floats ->
    float64 unless ``prefer_float32``).

    >>> import tftape.experimental.numpy as tnp
    >>> tnp.asarray([1, 2, 3])
    <tf.Tensor: shape=(3,), dtype=int64, numpy=array([1, 2, 3])>
    """
    dtype = cfg.to_dtype(dtype)
    if isinstance(a, Tensor) and (dtype is None or dtype is a._dtype):
        return a
    return array_internal(a, dtype)


def array(val, dtype=None, copy=True, ndmin=0) -> Tensor:
    """Like :func:`asarray`, with ``ndmin`` (tensors are immutable, so ``copy`` is moot).

    >>> import tftape.experimental.numpy as tnp
    >>> tnp.array([1, 2], ndmin=2).shape
    TensorShape([1, 2])
    """
    return array_internal(val, cfg.to_dtype(dtype), ndmin)


def promote(*arrays) -> list:
    """Converts the arguments to tensors of their NumPy result type."""
    dtype = cfg.result_type(*arrays)
    return [a if isinstance(a, Tensor) and a._dtype is dtype else array_internal(a, dtype)
            for a in arrays]


def astype(t: Tensor, dtype) -> Tensor:
    """``t.astype(dtype)`` as TF's tnp internals call it.

    Note: real TF calls the Tensor *method* here, which only exists once numpy behaviour is
    enabled; without it TF raises AttributeError, and so do we.
    """
    if not cfg.STATE["methods"]:
        raise AttributeError(
            f"{type(t).__name__} object has no attribute 'astype'. " + """
        If you are looking for numpy-related methods, please run the following:
        tf.experimental.numpy.experimental_enable_numpy_behavior()
      """)
    return cast(t, cfg.to_dtype(dtype))


def is_inexact(t: Tensor) -> bool:
    return t._dtype.is_floating or t._dtype.is_complex


def float_dtype() -> _d.DType:
    """``np_utils.result_type(float)``: float64 by default."""
    return cfg.result_type(float)


def wrap_np(v) -> Tensor:
    return wrap(jnp.asarray(v) if not isinstance(v, np.ndarray) or v.dtype.kind != "O" else v)

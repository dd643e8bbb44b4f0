"""Tensors made from a shape or a range: zeros, ones, fill, eye, range, linspace; identity."""
from __future__ import annotations

import numpy as np
import jax.numpy as jnp
from jax import lax

from .._core import dtypes as _d
from .._core.convert import filled, to_static
from .._core.errors import kernel_error
from .._core.graph_names import label
from .._core.registry import execute, op
from .._core.shape import TensorShape
from .._core.tensor import Tensor, make, make_string, vshape
from ._util import tensor


# -- creation ------------------------------------------------------------------------------------
def _dims(shape) -> tuple:
    s = to_static(shape)
    if isinstance(s, TensorShape):
        s = s.as_list()
    if isinstance(s, int):
        s = [s]
    return tuple(int(d) for d in s)


def _filled(shape, value, dtype):
    dt = _d.as_dtype(dtype)
    if getattr(shape, "_is_ragged_shape", False):   # a DynamicRaggedShape: a RaggedTensor
        return shape._filled(lambda inner: _filled(inner, value, dt))
    if dt is _d.string:
        return make_string(np.full(_dims(shape), value if value != 0 else b"", dtype=object))
    # Note: made on the host when eager (``jnp.full`` compiles a kernel per shape).
    return make(filled(_dims(shape), dt._np, value), dt)


def zeros(shape, dtype=_d.float32, name=None, layout=None) -> Tensor:
    """A tensor of zeros."""
    return label(_filled(shape, 0, dtype), "Const", "zeros")


def ones(shape, dtype=_d.float32, name=None, layout=None) -> Tensor:
    """A tensor of ones.

    >>> import tftape as tf
    >>> tf.ones([3])
    <tf.Tensor: shape=(3,), dtype=float32, numpy=array([1., 1., 1.], dtype=float32)>
    """
    return label(_filled(shape, 1, dtype), "Const", "ones")


def zeros_like(input, dtype=None, name=None, layout=None) -> Tensor:  # noqa: A002
    t = tensor(input)
    return label(_filled_like(t, 0, dtype or t.dtype), "ZerosLike", "zeros_like")


def ones_like(input, dtype=None, name=None, layout=None) -> Tensor:  # noqa: A002
    t = tensor(input)
    return label(_filled_like(t, 1, dtype or t.dtype), "OnesLike", "ones_like")


def _filled_like(t, value, dtype):
    dt = _d.as_dtype(dtype)
    if dt is _d.string or t._dtype is _d.string:
        return _filled(t.shape.as_list(), value, dt)
    # The array's own shape: symbolic sizes in a tf.function trace stay symbolic.
    return make(jnp.full(vshape(t), value, dtype=dt._np), dt)


_fill = op("fill", "Fill", lambda v, shape: jnp.broadcast_to(v, shape))


def fill(dims, value, name=None, layout=None) -> Tensor:
    """A tensor of shape ``dims`` filled with the scalar ``value`` (a RaggedTensor when
    ``dims`` is a ``DynamicRaggedShape``)."""
    if getattr(dims, "_is_ragged_shape", False):
        return dims._filled(lambda inner: fill(inner, value))
    v = tensor(value)
    d = _dims(dims)
    _check_dims("Fill", d)
    if v._dtype is _d.string:
        return make_string(np.full(d, v.numpy(), dtype=object))
    return execute(_fill, (v,), (d,), {"shape": d})


def _check_dims(op_name, dims, name=None):
    for x in dims:
        if x < 0:
            raise kernel_error(op_name, f"Dimension {x} must be >= 0", name=name)


def eye(num_rows, num_columns=None, batch_shape=None, dtype=_d.float32, name=None) -> Tensor:
    """An identity matrix (or a batch of them)."""
    dt = _d.as_dtype(dtype)
    _check_dims("Fill", [int(num_rows)] + ([] if num_columns is None else [int(num_columns)]),
                name="")
    m = jnp.eye(int(num_rows), None if num_columns is None else int(num_columns), dtype=dt._np)
    if batch_shape is not None:
        m = jnp.broadcast_to(m, _dims(batch_shape) + m.shape)
    return make(m, dt)


def range(start, limit=None, delta=1, dtype=None, name="range") -> Tensor:  # noqa: A001
    """Like Python's range, as a tensor (``tf.range``)."""
    if limit is None:
        start, limit = 0, start
    vals = [to_static(v) for v in (start, limit, delta)]
    if dtype is None:
        ts = [v for v in (start, limit, delta) if isinstance(v, Tensor)]
        if ts:
            order = [_d.int32, _d.int64, _d.float16, _d.bfloat16, _d.float32, _d.float64]
            dt = max((t.dtype for t in ts), key=order.index)
        elif any(isinstance(v, float) for v in vals):
            dt = _d.float32
        else:
            dt = _d.int32
    else:
        dt = _d.as_dtype(dtype)
    if vals[2] == 0:
        raise kernel_error("Range", "Requires delta != 0: 0")
    if (vals[2] > 0 and vals[0] > vals[1]) or (vals[2] < 0 and vals[0] < vals[1]):
        raise kernel_error("Range", f"Requires start <= limit when delta > 0: {vals[0]}/{vals[1]}"
                           if vals[2] > 0 else
                           f"Requires start >= limit when delta < 0: {vals[0]}/{vals[1]}")
    return make(jnp.asarray(np.arange(vals[0], vals[1], vals[2]).astype(dt._np)), dt)


def linspace(start, stop, num, name=None, axis=0) -> Tensor:
    """``num`` evenly spaced values from ``start`` to ``stop`` inclusive."""
    s = tensor(start)
    e = stop if isinstance(stop, Tensor) else tensor(stop, s.dtype)
    if s.dtype.is_integer:
        # TF computes integer endpoints in float64.
        from .cast_ops import cast
        s, e = cast(s, _d.float64), cast(e, _d.float64)
    n = int(to_static(num))
    return execute(_linspace, (s, e), (n, int(axis)), {"num": n, "axis": int(axis)})


_linspace = op("linspace", "LinSpace", lambda s, e, num, axis: jnp.linspace(
    s, e, num, axis=axis, dtype=s.dtype))


lin_space = linspace


def identity(input, name=None) -> Tensor:  # noqa: A002
    """Returns a tensor with the same value (a Variable is read)."""
    if hasattr(input, "_composite_identity"):
        return input._composite_identity()
    t = tensor(input)
    if t._dtype is _d.string:
        return t
    return execute(_identity, (t,))


_identity = op("identity", "Identity", lambda x: x)


def stop_gradient(input, name=None) -> Tensor:  # noqa: A002
    """Blocks gradients: the value passes, the tape records nothing."""
    t = tensor(input)
    if t._dtype is _d.string:
        return t
    return execute(_stop_gradient, (t,))


_stop_gradient = op("stop_gradient", "StopGradient", lax.stop_gradient, differentiable=False)

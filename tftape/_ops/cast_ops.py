"""Casts between dtypes: ``cast`` and ``bitcast``."""
from __future__ import annotations

import numpy as np
import jax.numpy as jnp
from jax import lax

from .._core import dtypes as _d
from .._core.errors import kernel_error
from .._core.registry import execute, op
from ._declare import dispatches
from .._core.convert import convert_to_tensor
from .._core.tensor import Tensor
from ._util import tensor


# -- cast --------------------------------------------------------------------------------------
def _cast_impl(x, dtype):
    if jnp.issubdtype(x.dtype, jnp.complexfloating) and not jnp.issubdtype(dtype, jnp.complexfloating):
        x = jnp.real(x)
    if dtype == np.bool_:
        return x != 0
    if jnp.issubdtype(x.dtype, jnp.floating) and jnp.issubdtype(dtype, jnp.integer) and \
            np.dtype(dtype) != np.uint64:
        # Note: TF converts floats with the CPU's truncating conversion to int32 (int64 for
        # uint32 and int64) and keeps the low bits, so in-range values wrap (-1.7 -> uint8 255,
        # 300. -> uint8 44) and NaN, infinities and values outside the wide type become its
        # minimum (inf -> int32 -2147483648, uint16 0); JAX saturates instead.
        wide = jnp.int64 if np.dtype(dtype).itemsize >= 4 and np.dtype(dtype) != np.int32 \
            else jnp.int32
        bound = float(2 ** (np.iinfo(wide).bits - 1))
        bad = ~jnp.isfinite(x) | (x >= bound) | (x < -bound)
        inner = jnp.where(bad, 0, x).astype(wide)
        return jnp.where(bad, np.iinfo(wide).min, inner).astype(wide).astype(dtype)
    return x.astype(dtype)


_cast = op("cast", "Cast", _cast_impl)


@dispatches("cast")
def cast(x, dtype, name=None):
    """Casts a tensor to ``dtype`` (floats truncate towards zero when cast to ints).

    >>> import tftape as tf
    >>> tf.cast(tf.constant([1.7, -1.7]), tf.int32)
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([ 1, -1], dtype=int32)>
    """
    dtype = _d.as_dtype(dtype)
    t = x if isinstance(x, Tensor) else convert_to_tensor(x)
    if t._dtype is dtype:
        return t
    if t._dtype is _d.string or dtype is _d.string:
        from .._core.errors import UnimplementedError
        raise kernel_error("Cast", f"Cast {t._dtype.name} to {dtype.name} is not supported",
                           UnimplementedError)
    return execute(_cast, (t,), (dtype._np,), {"dtype": dtype._np})


_bitcast = op("bitcast", "Bitcast", lambda x, dtype: lax.bitcast_convert_type(x, dtype),
              differentiable=False)


def bitcast(input, type, name=None) -> Tensor:  # noqa: A002
    """Reinterprets the bits as another dtype."""
    t = tensor(input)
    dt = _d.as_dtype(type)
    return execute(_bitcast, (t,), (dt._np,), {"dtype": dt._np})

"""Host-side helpers shared by the ragged modules: partition checks, TF's assert messages and
a differentiable row gather.

Row partitions (row_splits) are small integer vectors; they are checked and transformed on the
host with NumPy, while the values move through registry ops so tapes record them.
"""
from __future__ import annotations

import numpy as np
import jax.numpy as jnp

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._core.errors import InvalidArgumentError
from .._core.registry import execute, op
from .._core.tensor import Tensor, make, make_string

# Note: JAX's take clamps out-of-range indices; every index reaching this op was computed
# from validated row partitions, so it is always in range.
_take = op("ragged_take", "GatherV2", lambda v, i: jnp.take(v, i, axis=0))


def host(t) -> np.ndarray:
    """The NumPy value of a Tensor (object array for strings)."""
    return t._v if t._dtype is _d.string else np.asarray(t._v)


def take(values: Tensor, idx) -> Tensor:
    """values[idx] along axis 0, recorded on tapes (a gather; its gradient scatters back)."""
    idx = np.asarray(idx, dtype=np.int64)
    if values._dtype is _d.string:
        return make_string(values._v[idx])
    return execute(_take, (values, make(jnp.asarray(idx), _d.int64)))


def splits_tensor(arr, dtype: _d.DType) -> Tensor:
    return make(jnp.asarray(np.asarray(arr, dtype=dtype._np)), dtype)


def shape_dtype_str(x: np.ndarray, dtype: _d.DType) -> str:
    shp = "(" + ", ".join(str(d) for d in x.shape) + ("," if x.ndim == 1 else "") + ")"
    return f"shape={shp} dtype={dtype.name}"


def pretty(arr: np.ndarray, summarize: int = 3) -> str:
    """check_ops._pretty_print for a tensor value."""
    flat = np.asarray(arr).reshape(-1)
    lst = [str(x) for x in flat[:summarize]]
    if len(lst) < flat.size:
        lst.append("...")
    return str(lst)


def assert_non_negative(x: np.ndarray, dtype: _d.DType, message: str):
    """tf.debugging.assert_non_negative in eager mode, with TF's message."""
    if x.size and np.any(x < 0):
        raise InvalidArgumentError(None, None, "\n".join([
            f"{message}.  ", "Condition x >= 0 did not hold element-wise:",
            f"x ({shape_dtype_str(x, dtype)}) = ", pretty(x)]))


def assert_equal(x, y, message: str, summarize: int = 3):
    """tf.debugging.assert_equal in eager mode (x, y NumPy values), with TF's message."""
    x, y = np.asarray(x), np.asarray(y)
    test = np.equal(x, y) if x.shape == y.shape or x.ndim == 0 or y.ndim == 0 else None
    if test is not None and np.all(test):
        return
    data = [message] if message else []
    data.append("Condition x == y did not hold.")
    if x.shape == y.shape and x.ndim:
        bad = np.argwhere(~test)
        n = min(summarize, bad.shape[0])
        data += [f"Indices of first {n} different values:", str(bad[:n]),
                 "Corresponding x values:", str(x[~test].reshape(-1)[:n]),
                 "Corresponding y values:", str(y[~test].reshape(-1)[:n])]
    xf, yf = x.reshape(-1), y.reshape(-1)
    data += [f"First {min(xf.size, summarize)} elements of x:", str(xf[:summarize]),
             f"First {min(yf.size, summarize)} elements of y:", str(yf[:summarize])]
    raise InvalidArgumentError(None, None, "\n".join(data))


def convert_partition(x, name: str, dtype_hint=None, dtype=None) -> Tensor:
    """RowPartition._convert_row_partition: an int32/int64 tensor (int64 by default)."""
    if dtype is not None:
        dtype = _d.as_dtype(dtype)
    if isinstance(x, np.ndarray) and x.dtype == np.int32 and dtype is None:
        t = convert_to_tensor(x)
    else:
        t = convert_to_tensor(x, dtype=dtype, dtype_hint=dtype_hint or _d.int64)
    if t.dtype not in (_d.int32, _d.int64):
        raise ValueError(f"{name} must have dtype int32 or int64")
    return t


def check_rank1(t: Tensor):
    if t.ndim != 1:
        raise ValueError(f"Shape {t.shape} must have rank 1")


def lengths_to_splits(lengths: np.ndarray) -> np.ndarray:
    out = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=out[1:])
    return out


def rowids(splits: np.ndarray) -> np.ndarray:
    """value_rowids from row_splits."""
    return np.repeat(np.arange(len(splits) - 1, dtype=np.int64), np.diff(splits))


def ranges(starts: np.ndarray, limits: np.ndarray) -> np.ndarray:
    """Concatenation of range(starts[i], limits[i]) (ragged.range(...).values)."""
    lengths = np.maximum(np.asarray(limits) - np.asarray(starts), 0)
    if lengths.sum() == 0:
        return np.zeros(0, dtype=np.int64)
    rid = np.repeat(np.arange(len(lengths)), lengths)
    offs = np.arange(lengths.sum()) - np.repeat(lengths_to_splits(lengths)[:-1], lengths)
    return (np.asarray(starts)[rid] + offs).astype(np.int64)

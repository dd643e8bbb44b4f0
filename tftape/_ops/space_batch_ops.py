"""``tf.space_to_batch_nd`` and ``tf.batch_to_space`` (blocks of space moved into the batch)."""
from __future__ import annotations

import numpy as np
import jax.numpy as jnp

from .._core import dtypes as _d
from .._core.convert import to_static
from .._core.errors import kernel_error
from .._core.registry import Op, execute
from .._core.tensor import Tensor, make
from ._util import host, tensor


def _space_to_batch_impl(x, block, pads):
    m = len(block)
    x = jnp.pad(x, [(0, 0)] + [tuple(p) for p in pads] + [(0, 0)] * (x.ndim - 1 - m))
    b = x.shape[0]
    spatial = x.shape[1:1 + m]
    rest = x.shape[1 + m:]
    shape = [b]
    for s, k in zip(spatial, block):
        shape += [s // k, k]
    x = x.reshape(shape + list(rest))
    perm = [2 + 2 * i for i in range(m)] + [0] + [1 + 2 * i for i in range(m)] + \
        list(range(1 + 2 * m, 1 + 2 * m + len(rest)))
    x = x.transpose(perm)
    return x.reshape([b * int(np.prod(block))] + [s // k for s, k in zip(spatial, block)] +
                     list(rest))


def _batch_to_space_impl(x, block, crops):
    m = len(block)
    nb = int(np.prod(block))
    b = x.shape[0] // nb
    spatial = x.shape[1:1 + m]
    rest = x.shape[1 + m:]
    x = x.reshape(list(block) + [b] + list(spatial) + list(rest))
    perm = [m]
    for i in range(m):
        perm += [m + 1 + i, i]
    perm += list(range(2 * m + 1, 2 * m + 1 + len(rest)))
    x = x.transpose(perm)
    x = x.reshape([b] + [s * k for s, k in zip(spatial, block)] + list(rest))
    idx = (slice(None),) + tuple(slice(c0, s * k - c1) for (c0, c1), s, k in
                                 zip(crops, spatial, block))
    return x[idx]


_s2b = Op("space_to_batch_nd", "SpaceToBatchND", _space_to_batch_impl)
_b2s = Op("batch_to_space_nd", "BatchToSpaceND", _batch_to_space_impl)


def _static(x, dtype=_d.int32) -> np.ndarray:
    v = to_static(x)
    if isinstance(v, Tensor):
        v = host(v)
    return np.asarray(v, dtype=np.int64)


def _check_block(op_name, x, block, pads, what):
    def err(msg):
        return kernel_error(op_name, msg, name=None)
    if block.ndim != 1:
        raise err(f"block_shape must be one-dimensional, but got shape {list(block.shape)}")
    m = block.shape[0]
    if pads.shape != (m, 2):
        raise err(f"{what} should have shape [{m}, 2] instead of "
                  f"[{','.join(str(s) for s in pads.shape)}]")
    if x.ndim < 1 + m:
        raise err(f"input rank should be >= {1 + m} instead of {x.ndim}")
    for k, v in enumerate(block):
        if v < 1:
            raise err(f"All values in block_shape must be positive, got value, {v} at index {k}.")
    if np.any(pads < 0):
        raise err(f"{what.capitalize()} must be non-negative")


def space_to_batch_nd(input, block_shape, paddings, name=None) -> Tensor:  # noqa: A002
    """Zero-pads the spatial dimensions and moves blocks of them into the batch dimension.

    >>> import tftape as tf
    >>> tf.space_to_batch_nd(tf.ones([1, 4, 4, 1]), [2, 2], [[0, 0], [0, 0]]).shape
    TensorShape([4, 2, 2, 1])
    """
    x = tensor(input)
    block, pads = _static(block_shape), _static(paddings)
    _check_block("SpaceToBatchND", x, block, pads, "paddings")
    for k, (s, (p0, p1), b) in enumerate(zip(x.shape[1:], pads, block)):
        if (s + p0 + p1) % b:
            raise kernel_error("SpaceToBatchND", f"padded_shape[{k}]={s + p0 + p1} is not "
                                                 f"divisible by block_shape[{k}]={b}", name=None)
    bl, pd = tuple(int(b) for b in block), tuple((int(a), int(b)) for a, b in pads)
    return execute(_s2b, (x,), (bl, pd), {"block": bl, "pads": pd})


def space_to_batch(input, block_shape, paddings, name=None) -> Tensor:  # noqa: A002
    """TF 2's ``tf.space_to_batch``: ``space_to_batch_nd``."""
    return space_to_batch_nd(input, block_shape, paddings)


def batch_to_space(input, block_shape, crops, name=None) -> Tensor:  # noqa: A002
    """Moves blocks of the batch dimension back into the spatial ones, then crops them.

    >>> import tftape as tf
    >>> tf.batch_to_space(tf.reshape(tf.range(4), [4, 1, 1, 1]), [2, 2],
    ...                   [[0, 0], [0, 0]]).numpy().reshape(-1).tolist()
    [0, 1, 2, 3]
    """
    if isinstance(block_shape, int):
        block_shape = [block_shape, block_shape]
    x = tensor(input)
    block, crops_ = _static(block_shape), _static(crops)
    _check_block("BatchToSpaceND", x, block, crops_, "crops")
    nb = int(np.prod(block))
    if x.shape[0] % nb:
        raise kernel_error("BatchToSpaceND", f"Input batch dimension ({x.shape[0]}) is not "
                                             f"divisible by product of block sizes ({nb})",
                           name=None)
    for k, (s, (c0, c1), b) in enumerate(zip(x.shape[1:], crops_, block)):
        if s * b - c0 - c1 < 0:
            raise kernel_error("BatchToSpaceND", f"cropped_shape[{k}]={s * b - c0 - c1} must be "
                                                 "non-negative", name=None)
    bl, cr = tuple(int(b) for b in block), tuple((int(a), int(b)) for a, b in crops_)
    return execute(_b2s, (x,), (bl, cr), {"block": bl, "crops": cr})


def required_space_to_batch_paddings(input_shape, block_shape, base_paddings=None, name=None):
    """Paddings and crops that make ``input_shape`` divisible by ``block_shape``.

    >>> import tftape as tf
    >>> p, c = tf.required_space_to_batch_paddings([3, 5], [2, 2])
    >>> p.numpy().tolist(), c.numpy().tolist()
    ([[0, 1], [0, 1]], [[0, 1], [0, 1]])
    """
    shape = _static(input_shape).astype(np.int32)
    block = _static(block_shape).astype(np.int32)
    m = block.shape[0]
    base = np.zeros((m, 2), np.int32) if base_paddings is None else \
        _static(base_paddings).astype(np.int32)
    start, end = base[:, 0], base[:, 1]
    extra = (block - (shape + start + end) % block) % block
    pads = np.stack([start, end + extra], axis=1).astype(np.int32)
    crops = np.stack([np.zeros_like(extra), extra], axis=1).astype(np.int32)
    return make(jnp.asarray(pads), _d.int32), make(jnp.asarray(crops), _d.int32)

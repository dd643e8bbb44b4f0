"""Flips, rotations, crops and pads of images ([h, w, c] or [b, h, w, c])."""
from __future__ import annotations

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor, to_static
from .._core.tensor import Tensor, vshape
from .._ops import array_ops as _a
from .._ops import math_ops as _m
from .._ops import random_ops as _r
from ._common import check_at_least_3d, shape_str


def _batch(image):
    """(4-D image, whether the input was batched); TF's message for other ranks."""
    image = convert_to_tensor(image)
    nd = len(vshape(image))
    if nd == 3:
        return _a.expand_dims(image, 0), False
    if nd != 4:
        raise ValueError(f"'image' (shape {shape_str(image)}) must have either 3 or 4 "
                         "dimensions.")
    return image, True


def _rank_3_or_4(image, sep=" ") -> Tensor:
    image = convert_to_tensor(image)
    check_at_least_3d(image)
    if len(vshape(image)) not in (3, 4):
        raise ValueError(f"'image' (shape {shape_str(image)}){sep}must have either 3 or 4 "
                         "dimensions.")
    return image


def _flip(image, index):
    # Note: TF's message for flips lacks the space before "must".
    image = _rank_3_or_4(image, sep="")
    return _a.reverse(image, [index + (len(vshape(image)) == 4)])


def flip_left_right(image) -> Tensor:
    """Mirrors the width axis.

    >>> import tftape as tf
    >>> tf.image.flip_left_right([[[1], [2]]]).numpy().ravel().tolist()
    [2, 1]
    """
    return _flip(image, 1)


def flip_up_down(image) -> Tensor:
    """Mirrors the height axis."""
    return _flip(image, 0)


def _random_flip(image, index, seed):
    image = _rank_3_or_4(image)
    if len(vshape(image)) == 3:
        u = _r.uniform([], 0, 1.0, seed=seed)
        return _a.where(u < 0.5, _a.reverse(image, [index]), image)
    n = vshape(image)[0]
    u = _r.uniform([n], 0, 1.0, seed=seed)
    flips = _m.cast(_m.round(_a.reshape(u, [n, 1, 1, 1])), image.dtype)
    return flips * _a.reverse(image, [index + 1]) + (1 - flips) * image


def random_flip_left_right(image, seed=None) -> Tensor:
    """Flips the width axis with probability 1/2 (each image of a batch on its own)."""
    return _random_flip(image, 1, seed)


def random_flip_up_down(image, seed=None) -> Tensor:
    """Flips the height axis with probability 1/2 (each image of a batch on its own)."""
    return _random_flip(image, 0, seed)


def rot90(image, k=1, name=None) -> Tensor:
    """Rotates counter-clockwise by ``k`` quarter turns."""
    image = _rank_3_or_4(image)
    k = int(to_static(convert_to_tensor(k, dtype=_d.int32))) % 4
    b = int(len(vshape(image)) == 4)
    perm = [0, 2, 1, 3] if b else [1, 0, 2]
    if k == 1:
        return _a.transpose(_a.reverse(image, [1 + b]), perm)
    if k == 2:
        return _a.reverse(image, [b, 1 + b])
    if k == 3:
        return _a.reverse(_a.transpose(image, perm), [1 + b])
    return image


def transpose(image, name=None) -> Tensor:
    """Swaps height and width."""
    image = _rank_3_or_4(image)
    return _a.transpose(image, [0, 2, 1, 3] if len(vshape(image)) == 4 else [1, 0, 2])


def central_crop(image, central_fraction) -> Tensor:
    """Keeps the central ``central_fraction`` of height and width."""
    image = convert_to_tensor(image)
    if central_fraction <= 0.0 or central_fraction > 1.0:
        raise ValueError("central_fraction must be within (0, 1]")
    if central_fraction == 1.0:
        return image
    check_at_least_3d(image)
    s = vshape(image)
    if len(s) not in (3, 4):
        raise ValueError("`image` should either be a Tensor with rank = 3 or rank = 4. "
                         f"Had rank = {len(s)}.")
    h, w = s[-3], s[-2]
    sh = int((float(h) - float(h) * central_fraction) / 2)
    sw = int((float(w) - float(w) * central_fraction) / 2)
    begin = [sh, sw, 0]
    size = [h - 2 * sh, w - 2 * sw, -1]
    if len(s) == 4:
        begin, size = [0] + begin, [-1] + size
    return _a.slice(image, begin, size)


def _int(v):
    return int(to_static(v)) if not isinstance(v, int) else v


def crop_to_bounding_box(image, offset_height, offset_width, target_height,
                         target_width) -> Tensor:
    """The ``target_height`` x ``target_width`` window at the given offset."""
    image, batched = _batch(image)
    check_at_least_3d(image)
    oh, ow, th, tw = map(_int, (offset_height, offset_width, target_height, target_width))
    _, h, w, _ = vshape(image)
    for ok, msg in ((ow >= 0, "offset_width must be >= 0."),
                    (oh >= 0, "offset_height must be >= 0."),
                    (tw > 0, "target_width must be > 0."),
                    (th > 0, "target_height must be > 0."),
                    (w >= tw + ow, "width must be >= target + offset."),
                    (h >= th + oh, "height must be >= target + offset.")):
        if not ok:
            raise ValueError(msg)
    out = _a.slice(image, [0, oh, ow, 0], [-1, th, tw, -1])
    return out if batched else _a.squeeze(out, axis=[0])


def pad_to_bounding_box(image, offset_height, offset_width, target_height,
                        target_width) -> Tensor:
    """Zero-pads to ``target_height`` x ``target_width``, the image at the given offset."""
    image, batched = _batch(image)
    oh, ow, th, tw = map(_int, (offset_height, offset_width, target_height, target_width))
    _, h, w, _ = vshape(image)
    after_w, after_h = tw - ow - w, th - oh - h
    check_at_least_3d(image)
    for ok, msg in ((oh >= 0, "offset_height must be >= 0"),
                    (ow >= 0, "offset_width must be >= 0"),
                    (after_w >= 0, "width must be <= target - offset"),
                    (after_h >= 0, "height must be <= target - offset")):
        if not ok:
            raise ValueError(msg)
    out = _a.pad(image, [[0, 0], [oh, after_h], [ow, after_w], [0, 0]])
    return out if batched else _a.squeeze(out, axis=[0])


def resize_with_crop_or_pad(image, target_height, target_width) -> Tensor:
    """Centrally crops and/or zero-pads to the target size."""
    image, batched = _batch(image)
    check_at_least_3d(image)
    th, tw = _int(target_height), _int(target_width)
    if not tw > 0:
        raise ValueError("target_width must be > 0.")
    if not th > 0:
        raise ValueError("target_height must be > 0.")
    _, h, w, _ = vshape(image)
    dw, dh = tw - w, th - h
    cropped = crop_to_bounding_box(image, max(-dh // 2, 0), max(-dw // 2, 0), min(th, h),
                                   min(tw, w))
    out = pad_to_bounding_box(cropped, max(dh // 2, 0), max(dw // 2, 0), th, tw)
    return out if batched else _a.squeeze(out, axis=[0])


def random_crop(value, size, seed=None, name=None) -> Tensor:
    """A random window of shape ``size``."""
    from .._function.ops import Assert
    value = convert_to_tensor(value)
    size = convert_to_tensor(size, dtype=_d.int32)
    shape = _a.shape(value)
    Assert(_m.reduce_all(shape >= size), ["Need value.shape >= size, got ", shape, size],
           summarize=1000)
    limit = shape - size + 1
    offset = _r.uniform(_a.shape(shape), dtype=_d.int32, maxval=_d.int32.max,
                        seed=seed) % limit
    return _a.slice(value, offset, size)

"""Image preprocessing layers: ``Resizing``, ``CenterCrop`` and the random augmentations.

Each layer follows Keras 3's split: ``get_random_transformation`` draws the parameters and
``transform_images`` applies them, so a transformation can be replayed exactly. Random layers
are the identity (up to their dtype cast) unless called with ``training=True``.

Note: random draws come from JAX keys (a layer's ``SeedGenerator``), not TF's kernels: with
the same ``seed`` a layer repeats its own draws, but not TensorFlow's values.
"""
from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np

from .._core import dtypes as _d, errors as _errors
from .._core.convert import convert_to_tensor
from .._core.tensor import make
from .._image import _resize
from ._layer import Layer
from ._layer_utils import standardize_data_format
from ._rng import SeedGenerator, make_default_seed

_FILL_MODES = ("reflect", "wrap", "constant", "nearest")
_INTERPOLATIONS = ("nearest", "bilinear")


def _arr(x):
    return convert_to_tensor(x)._v


def _wrap(v):
    return make(v, _d._BY_NP[np.dtype(v.dtype)])


def _to_last(x, data_format):
    return jnp.moveaxis(x, -3, -1) if data_format == "channels_first" else x


def _from_last(x, data_format):
    return jnp.moveaxis(x, -1, -3) if data_format == "channels_first" else x


def _resize_last(images, height, width, interpolation="bilinear", antialias=False,
                 crop_to_aspect_ratio=False, pad_to_aspect_ratio=False, fill_value=0.0):
    """Keras' TF-backend ``image.resize`` on a channels-last JAX array (rank 3 or 4)."""
    unbatched = images.ndim == 3
    if unbatched:
        images = images[None]
    h, w = images.shape[1], images.shape[2]
    if crop_to_aspect_ratio:
        ch = max(min(h, int(np.float32(w * height) / np.float32(width))), 1)
        cw = max(min(w, int(np.float32(h * width) / np.float32(height))), 1)
        hs, ws = int((h - ch) / 2), int((w - cw) / 2)
        images = images[:, hs:hs + ch, ws:ws + cw, :]
    elif pad_to_aspect_ratio:
        ph = max(h, int(np.float32(w * height) / np.float32(width)))
        pw = max(w, int(np.float32(h * width) / np.float32(height)))
        hs, ws = int((ph - h) / 2), int((pw - w) / 2)
        if (hs or ws) and jnp.issubdtype(images.dtype, jnp.integer) and \
                isinstance(fill_value, float):
            # Note: Keras' TF backend builds the padding as fill_value in the image's dtype.
            raise TypeError(f"Cannot convert {fill_value} to EagerTensor of dtype "
                            f"{np.dtype(images.dtype).name}")
        images = jnp.pad(images, ((0, 0), (hs, hs), (ws, ws), (0, 0)),
                         constant_values=jnp.asarray(fill_value, images.dtype))
    method = {"bilinear": "bilinear", "nearest": "nearest", "bicubic": "bicubic",
              "area": "area", "lanczos3": "lanczos3", "lanczos5": "lanczos5",
              "gaussian": "gaussian", "mitchellcubic": "mitchellcubic"}[interpolation]
    out = _resize.resize(make(images, _d._BY_NP[np.dtype(images.dtype)]), (height, width),
                         method=method, antialias=antialias)._v
    return out[0] if unbatched else out


def _map_coordinate(c, n, fill_mode):
    """TF's ``MapCoordinate``: an input coordinate brought inside ``[0, n - 1]``."""
    if fill_mode == "constant":
        return c
    if n <= 1:
        return jnp.zeros_like(c)
    if fill_mode == "nearest":
        return jnp.clip(c, 0.0, n - 1.0)
    if fill_mode == "reflect":
        sz2 = 2 * n
        neg = sz2 * jnp.trunc(-c / sz2) + c
        neg = jnp.where(neg < -n, neg + sz2, -neg - 1)
        pos = c - sz2 * jnp.trunc(c / sz2)
        pos = jnp.where(pos >= n, sz2 - pos - 1, pos)
    else:   # wrap
        sz = n - 1
        neg = c + n * (jnp.trunc(-c / sz) + 1)
        pos = c - n * jnp.trunc(c / sz)
    out = jnp.where(c < 0, neg, jnp.where(c > n - 1, pos, c))
    return jnp.clip(out, 0.0, n - 1.0)


@functools.partial(jax.jit, static_argnames=("interpolation", "fill_mode"))
def _affine_transform(images, transform, interpolation, fill_mode, fill_value):
    """TF's ``ImageProjectiveTransformV3`` on channels-last rank-4 images: each row
    ``[a0, a1, a2, b0, b1, b2, c0, c1]`` maps output ``(x, y)`` to the input point
    ``((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)``, ``k = c0 x + c1 y + 1``."""
    # Note: not jax.scipy.ndimage.map_coordinates: TF maps the point inside the image first
    # and then reads each neighbour with the fill value outside, which differs at the edges.
    b, h, w, _ = images.shape
    ys, xs = jnp.meshgrid(jnp.arange(h, dtype=jnp.float32), jnp.arange(w, dtype=jnp.float32),
                          indexing="ij")
    t = transform.astype(jnp.float32)[:, :, None, None]
    proj = t[:, 6] * xs + t[:, 7] * ys + 1.0
    in_x = (t[:, 0] * xs + t[:, 1] * ys + t[:, 2]) / proj
    in_y = (t[:, 3] * xs + t[:, 4] * ys + t[:, 5]) / proj
    x = _map_coordinate(in_x, w, fill_mode)
    y = _map_coordinate(in_y, h, fill_mode)
    fill = jnp.asarray(fill_value, images.dtype)
    bi = jnp.arange(b)[:, None, None]

    def read(yi, xi):
        ok = (yi >= 0) & (yi < h) & (xi >= 0) & (xi < w)
        v = images[bi, jnp.clip(yi, 0, h - 1).astype(jnp.int32),
                   jnp.clip(xi, 0, w - 1).astype(jnp.int32)]
        return jnp.where(ok[..., None], v, fill).astype(jnp.float32)

    if interpolation == "nearest":
        # std::round: halves away from zero.
        out = read(jnp.sign(y) * jnp.floor(jnp.abs(y) + 0.5),
                   jnp.sign(x) * jnp.floor(jnp.abs(x) + 0.5))
    else:
        y0, x0 = jnp.floor(y), jnp.floor(x)
        y1, x1 = y0 + 1, x0 + 1
        wx0, wx1 = (x1 - x)[..., None], (x - x0)[..., None]
        top = wx0 * read(y0, x0) + wx1 * read(y0, x1)
        bottom = wx0 * read(y1, x0) + wx1 * read(y1, x1)
        out = (y1 - y)[..., None] * top + (y - y0)[..., None] * bottom
    out = jnp.where((proj == 0)[..., None], fill.astype(jnp.float32), out)
    return out.astype(images.dtype)


class _ImageLayer(Layer):
    """The shared frame: call = transform_images(get_random_transformation(...))."""

    def __init__(self, data_format=None, bounding_box_format=None, **kwargs):
        super().__init__(**kwargs)
        self.bounding_box_format = bounding_box_format
        self.data_format = standardize_data_format(data_format)

    def _maybe_build(self, args, kwargs):
        first = args[0] if args else None
        if isinstance(first, dict):    # {"images": ..., "bounding_boxes": {...}, ...}
            self._build_shapes = tuple(convert_to_tensor(first["images"]).shape)
            self.built = True
            return
        super()._maybe_build(args, kwargs)

    def get_config(self):
        config = {**super().get_config(), "data_format": self.data_format}
        if self.bounding_box_format is not None:
            config["bounding_box_format"] = self.bounding_box_format
        return config

    def _hw(self, shape):
        if self.data_format == "channels_first":
            return shape[-2], shape[-1]
        return shape[-3], shape[-2]

    def get_random_transformation(self, data, training=True, seed=None):
        return None

    def call(self, inputs, training=True):
        if isinstance(inputs, dict):
            return self._call_dict(dict(inputs), training)
        x = convert_to_tensor(inputs)
        transformation = self.get_random_transformation(x, training=training)
        return self.transform_images(x, transformation, training=training)

    def _call_dict(self, data, training):
        """``{"images", "labels", "segmentation_masks"}``: one transformation for all."""
        if "bounding_boxes" in data:
            if not self.bounding_box_format:
                raise ValueError("You passed an input with a 'bounding_boxes' key, but you "
                                 "didn't specify a bounding box format. Pass a "
                                 "`bounding_box_format` argument to your "
                                 f"{self.__class__.__name__} layer, e.g. "
                                 "`bounding_box_format='xyxy'`.")
            if not hasattr(self, "transform_bounding_boxes"):
                raise NotImplementedError(f"tftape's {self.__class__.__name__} does not "
                                          "transform `bounding_boxes` yet.")
        images = convert_to_tensor(data["images"])
        transformation = self.get_random_transformation(images, training=training)
        data["images"] = self.transform_images(images, transformation, training=training)
        if "bounding_boxes" in data:
            boxes = {k: convert_to_tensor(v) for k, v in data["bounding_boxes"].items()}
            data["bounding_boxes"] = self.transform_bounding_boxes(boxes, transformation,
                                                                   training=training)
        if "labels" in data:
            data["labels"] = self.transform_labels(convert_to_tensor(data["labels"]),
                                                   transformation, training=training)
        if "segmentation_masks" in data:
            data["segmentation_masks"] = self.transform_segmentation_masks(
                convert_to_tensor(data["segmentation_masks"]), transformation,
                training=training)
        return data

    def transform_labels(self, labels, transformation=None, training=True):
        return labels

    def transform_segmentation_masks(self, segmentation_masks, transformation=None,
                                     training=True):
        return self.transform_images(segmentation_masks, transformation, training=training)

    def _key(self, seed=None):
        return seed if seed is not None else self.generator.next()

    def _cast(self, x):
        x = convert_to_tensor(x)
        return make(x._v.astype(np.dtype(self.compute_dtype)), _d.as_dtype(self.compute_dtype))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


class Resizing(_ImageLayer):
    """Resizes images to ``(height, width)``; integer images stay integer (rounded).

    >>> import tftape as tf
    >>> tf.keras.layers.Resizing(2, 2)(tf.ones((1, 4, 4, 3))).shape
    TensorShape([1, 2, 2, 3])
    """

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0,
                 antialias=False, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height = height
        self.width = width
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio = pad_to_aspect_ratio
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.antialias = bool(antialias)

    def transform_segmentation_masks(self, segmentation_masks, transformation=None,
                                     training=True):
        return self._resize(segmentation_masks, "nearest")

    def transform_images(self, images, transformation=None, training=True):
        return self._resize(images, self.interpolation)

    def _resize(self, images, interpolation):
        if self.pad_to_aspect_ratio and self.crop_to_aspect_ratio:
            raise ValueError("Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can "
                             "be `True`.")
        x = _arr(images)
        out = _resize_last(_to_last(x, self.data_format), self.height, self.width,
                           interpolation, self.antialias, self.crop_to_aspect_ratio,
                           self.pad_to_aspect_ratio, self.fill_value)
        out = _from_last(out, self.data_format)
        if out.dtype != x.dtype:
            if jnp.issubdtype(x.dtype, jnp.integer):
                info = jnp.iinfo(x.dtype)
                out = jnp.clip(jnp.round(out), info.min, info.max)
            out = out.astype(x.dtype)
        return _wrap(out)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        if len(shape) in (3, 4):
            if self.data_format == "channels_first":
                shape[-2], shape[-1] = self.height, self.width
            else:
                shape[-3], shape[-2] = self.height, self.width
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format,
                "height": self.height, "width": self.width,
                "interpolation": self.interpolation,
                "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "pad_to_aspect_ratio": self.pad_to_aspect_ratio, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "antialias": self.antialias}


class CenterCrop(_ImageLayer):
    """Crops the central ``(height, width)`` region (resizing smaller images up).

    >>> import tftape as tf
    >>> tf.keras.layers.CenterCrop(2, 2)(tf.ones((4, 4, 1))).shape
    TensorShape([2, 2, 1])
    """

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height = height
        self.width = width

    def transform_images(self, images, transformation=None, training=True):
        x = _arr(self._cast(images))
        h, w = self._hw(x.shape)
        if h >= self.height and w >= self.width:
            hs, ws = (h - self.height) // 2, (w - self.width) // 2
            last = _to_last(x, self.data_format)
            out = last[..., hs:hs + self.height, ws:ws + self.width, :]
            return _wrap(_from_last(out, self.data_format))
        # Keras' smart_resize: crop to the target aspect ratio, then resize (bilinear).
        out = _resize_last(_to_last(x, self.data_format), self.height, self.width,
                           crop_to_aspect_ratio=True)
        return _wrap(_from_last(out, self.data_format).astype(x.dtype))

    compute_output_shape = Resizing.compute_output_shape

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format,
                "height": self.height, "width": self.width}


class _RandomLayer(_ImageLayer):
    def __init__(self, seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.seed = seed
        self.generator = SeedGenerator(seed)
        self._extra_variables.append(self.generator.state)

    def call(self, inputs, training=True):
        # Note: as in Keras 3, a random layer called outside fit() without `training`
        # augments (the call signature's default).
        return super().call(inputs, training=bool(training))


def _batch_size(shape):
    return shape[0] if len(shape) == 4 else 1


class RandomCrop(_RandomLayer):
    """Crops a random ``(height, width)`` window while training (center crop otherwise)."""

    def __init__(self, height, width, seed=None, data_format=None, name=None, **kwargs):
        # Note: Keras' RandomCrop draws a seed when given none, and its config records it.
        seed = seed or make_default_seed()
        super().__init__(seed=seed, data_format=data_format, name=name, **kwargs)
        self.height = height
        self.width = width

    def get_random_transformation(self, data, training=True, seed=None):
        h, w = self._hw(tuple(data.shape))
        if training and h > self.height and w > self.width:
            k1, k2 = jax.random.split(self._key(seed))
            hs = int(jax.random.uniform(k1, (), jnp.float32, 0, h - self.height + 1))
            ws = int(jax.random.uniform(k2, (), jnp.float32, 0, w - self.width + 1))
            return hs, ws
        ch = max(min(h, int(float(w * self.height) / self.width)), 1)
        cw = max(min(w, int(float(h * self.width) / self.height)), 1)
        return int(float(h - ch) / 2), int(float(w - cw) / 2)

    def transform_images(self, images, transformation, training=True):
        if not training:
            return convert_to_tensor(images)
        x = _to_last(_arr(self._cast(images)), self.data_format)
        hs, ws = transformation
        x = x[..., hs:hs + self.height, ws:ws + self.width, :]
        if x.shape[-3] != self.height or x.shape[-2] != self.width:
            x = _resize_last(x, self.height, self.width).astype(x.dtype)
        return _wrap(_from_last(x, self.data_format))

    def compute_output_shape(self, input_shape):
        return Resizing.compute_output_shape(self, input_shape)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format,
                "height": self.height, "width": self.width, "seed": self.seed}


class RandomFlip(_RandomLayer):
    """Flips images horizontally and/or vertically at random while training."""

    def __init__(self, mode="horizontal_and_vertical", seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.mode = mode

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        shape = tuple(data.shape)
        flips_shape = (1, 1, 1) if len(shape) == 3 else (shape[0], 1, 1, 1)
        return {"flips": jax.random.uniform(self._key(seed), flips_shape) <= 0.5,
                "input_shape": shape}

    def transform_images(self, images, transformation, training=True):
        x = _arr(self._cast(images))
        if not training or transformation is None:
            return _wrap(x)
        flips = jnp.asarray(_arr(transformation["flips"]))
        unbatched = x.ndim == 3
        if unbatched:
            x = x[None]
        h_axis, v_axis = (-2, -3) if self.data_format == "channels_last" else (-1, -2)
        if self.mode in ("horizontal", "horizontal_and_vertical"):
            x = jnp.where(flips, jnp.flip(x, h_axis), x)
        if self.mode in ("vertical", "horizontal_and_vertical"):
            x = jnp.where(flips, jnp.flip(x, v_axis), x)
        return _wrap(x[0] if unbatched else x)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format, "seed": self.seed,
                "mode": self.mode}


def _check_modes(fill_mode, interpolation):
    if fill_mode not in _FILL_MODES:
        raise NotImplementedError(f"Unknown `fill_mode` {fill_mode}. Expected of one "
                                  f"{_FILL_MODES}.")
    if interpolation not in _INTERPOLATIONS:
        raise NotImplementedError(f"Unknown `interpolation` {interpolation}. Expected of one "
                                  f"{_INTERPOLATIONS}.")


class _AffineLayer(_RandomLayer):
    def transform_images(self, images, transformation, training=True):
        return self._apply(images, self._matrix(images, transformation), training)

    def transform_segmentation_masks(self, segmentation_masks, transformation,
                                     training=True):
        # Keras samples masks with `nearest` and keeps their dtype.
        masks = convert_to_tensor(segmentation_masks)
        return self._apply(masks, self._matrix(masks, transformation), training, "nearest",
                           cast=False)

    def _apply(self, images, matrix, training, interpolation=None, cast=True):
        x = _arr(self._cast(images) if cast else images)
        if not training or matrix is None:
            return _wrap(x)
        unbatched = x.ndim == 3
        last = _to_last(x[None] if unbatched else x, self.data_format)
        m = jnp.asarray(_arr(matrix), jnp.float32)
        if m.ndim == 1:
            m = m[None]
        out = _affine_transform(last, m, interpolation or self.interpolation, self.fill_mode,
                                self.fill_value)
        out = _from_last(out.astype(x.dtype), self.data_format)
        return _wrap(out[0] if unbatched else out)


def _factor_pair(factor, error, open_low):
    def check(v):
        if v > 1.0 or (v <= -1.0 if open_low else v < -1.0):
            raise ValueError(error + f"Received: input_number={v}")
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2:
            raise ValueError(error + f"Received: {factor}")
        check(factor[0])
        check(factor[1])
        return tuple(sorted(factor))
    if isinstance(factor, (int, float)):
        check(factor)
        return -abs(factor), abs(factor)
    raise ValueError(error + f"Received: {factor}")


class RandomRotation(_AffineLayer):
    """Rotates images by a random angle in ``factor * 2pi`` while training."""

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        error = ("The `factor` argument should be a number (or a list of two numbers) in the "
                 f"range [-1, 1]. Received: factor={factor}")
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2 or factor[0] > 1.0 or factor[1] < -1.0:
                raise ValueError(error)
            lower, upper = sorted(factor)
        elif isinstance(factor, (int, float)):
            if factor < -1.0 or factor > 1.0:
                raise ValueError(error)
            lower, upper = max(-abs(factor), -1.0), abs(factor)
        else:
            raise ValueError(error)
        self.factor = (lower, upper)
        _check_modes(fill_mode, interpolation)
        self.fill_mode = fill_mode
        self.interpolation = interpolation
        self.fill_value = fill_value

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        shape = tuple(data.shape)
        batch = _batch_size(shape)
        h, w = self._hw(shape)
        angle = jax.random.uniform(self._key(seed), (batch,), jnp.float32,
                                   self.factor[0] * 360.0, self.factor[1] * 360.0)
        matrix = rotation_matrix(angle, h, w)
        if len(shape) == 3:
            matrix = matrix[0]
        return {"angle": angle, "rotation_matrix": matrix, "image_height": h,
                "image_width": w, "batch_size": batch}

    def _matrix(self, images, transformation):
        return None if transformation is None else transformation["rotation_matrix"]

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format,
                "factor": self.factor, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "interpolation": self.interpolation,
                "seed": self.seed}


def rotation_matrix(angle, height, width):
    """Keras' ``_compute_affine_matrix`` for a pure rotation (degrees) about the center."""
    a = angle * jnp.float32(math.pi / 180.0)
    cx, cy = 0.5 * (width - 1), 0.5 * (height - 1)
    cos, sin = jnp.cos(a), jnp.sin(a)
    a0, a1 = cos, -sin
    b0, b1 = sin, cos
    a2 = cx - cx * a0 - cy * a1
    b2 = cy - cx * b0 - cy * b1
    z = jnp.zeros_like(a)
    return jnp.stack([a0, a1, a2, b0, b1, b2, z, z], axis=1)


class RandomZoom(_AffineLayer):
    """Zooms in or out by a random factor per image while training."""

    _ERROR = ("The `height_factor` and `width_factor` arguments should be a number (or a "
              "list of two numbers) in the range (-1.0, 1.0]. ")

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = _factor_pair(height_factor, self._ERROR, True)
        self.width_factor = width_factor
        if width_factor is not None:
            self.width_lower, self.width_upper = _factor_pair(width_factor, self._ERROR, True)
        _check_modes(fill_mode, interpolation)
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.interpolation = interpolation

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        shape = tuple(data.shape)
        zshape = (shape[0], 1) if len(shape) == 4 else (1, 1)
        k1, k2 = jax.random.split(self._key(seed))
        hz = jax.random.uniform(k1, zshape, jnp.float32, 1.0 + self.height_lower,
                                1.0 + self.height_upper)
        wz = hz if self.width_factor is None else jax.random.uniform(
            k2, zshape, jnp.float32, 1.0 + self.width_lower, 1.0 + self.width_upper)
        return {"height_zoom": hz, "width_zoom": wz, "input_shape": shape}

    def _matrix(self, images, transformation):
        if transformation is None:
            return None
        zooms = jnp.concatenate([jnp.asarray(_arr(transformation["width_zoom"])),
                                 jnp.asarray(_arr(transformation["height_zoom"]))],
                                axis=1).astype(jnp.float32)
        h, w = self._hw(tuple(images.shape))
        x_off = (jnp.float32(w) - 1.0) / 2.0 * (1.0 - zooms[:, 0:1])
        y_off = (jnp.float32(h) - 1.0) / 2.0 * (1.0 - zooms[:, 1:])
        n = zooms.shape[0]
        return jnp.concatenate([zooms[:, 0:1], jnp.zeros((n, 1)), x_off, jnp.zeros((n, 1)),
                                zooms[:, 1:], y_off, jnp.zeros((n, 2))], axis=1)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format,
                "height_factor": self.height_factor, "width_factor": self.width_factor,
                "fill_mode": self.fill_mode, "interpolation": self.interpolation,
                "seed": self.seed, "fill_value": self.fill_value}


class RandomTranslation(_AffineLayer):
    """Shifts images by a random fraction of their height and width while training."""

    _ERROR = ("The `factor` argument should be a number (or a list of two numbers) in the "
              "range [-1.0, 1.0]. ")

    def __init__(self, height_factor, width_factor, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = _factor_pair(height_factor, self._ERROR, False)
        self.width_factor = width_factor
        self.width_lower, self.width_upper = _factor_pair(width_factor, self._ERROR, False)
        _check_modes(fill_mode, interpolation)
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.interpolation = interpolation

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        shape = tuple(data.shape)
        batch = _batch_size(shape)
        h, w = self._hw(shape)
        k1, k2 = jax.random.split(self._key(seed))
        ht = jax.random.uniform(k1, (batch, 1), jnp.float32, self.height_lower,
                                self.height_upper) * h
        wt = jax.random.uniform(k2, (batch, 1), jnp.float32, self.width_lower,
                                self.width_upper) * w
        return {"translations": jnp.concatenate([wt, ht], axis=1), "input_shape": shape}

    def _matrix(self, images, transformation):
        if transformation is None:
            return None
        t = jnp.asarray(_arr(transformation["translations"]), jnp.float32)
        n = t.shape[0]
        return jnp.concatenate([jnp.ones((n, 1)), jnp.zeros((n, 1)), -t[:, 0:1],
                                jnp.zeros((n, 1)), jnp.ones((n, 1)), -t[:, 1:],
                                jnp.zeros((n, 2))], axis=1)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format,
                "height_factor": self.height_factor, "width_factor": self.width_factor,
                "fill_mode": self.fill_mode, "interpolation": self.interpolation,
                "seed": self.seed, "fill_value": self.fill_value}


class _ColorLayer:
    """Layers that change colors only: boxes (like masks and labels) pass unchanged."""

    def transform_bounding_boxes(self, bounding_boxes, transformation, training=True):
        return bounding_boxes


def _bounded_factor(factor, bounds):
    error = ("The `factor` argument should be a number (or a list of two numbers) in the "
             f"range [{bounds[0]}, {bounds[1]}]. Received: factor={factor}")
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or factor[0] > bounds[1] or factor[1] < bounds[0]:
            raise ValueError(error)
        return tuple(sorted(factor))
    if isinstance(factor, (int, float)):
        if factor < bounds[0] or factor > bounds[1]:
            raise ValueError(error)
        return max(-abs(factor), bounds[0]), abs(factor)
    raise ValueError(error)


class RandomContrast(_ColorLayer, _RandomLayer):
    """Scales each image's deviation from its mean by a random factor while training."""

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.factor = _bounded_factor(factor, (0, 1))
        self.value_range = value_range

    def get_random_transformation(self, data, training=True, seed=None):
        shape = tuple(data.shape)
        if len(shape) not in (3, 4):
            raise ValueError("Expected the input image to be rank 3 or 4. Received "
                             f"inputs.shape={shape}")
        fshape = (1, 1, 1) if len(shape) == 3 else (shape[0], 1, 1, 1)
        if not training:
            return {"contrast_factor": jnp.zeros(fshape)}
        return {"contrast_factor": jax.random.uniform(
            self._key(seed), fshape, jnp.float32, 1.0 - self.factor[0], 1.0 + self.factor[1])}

    def transform_images(self, images, transformation, training=True):
        images = convert_to_tensor(images)
        if not training:
            return images
        x = images._v
        if not jnp.issubdtype(x.dtype, jnp.floating):
            # Note: Keras' TF backend subtracts the float mean from the integer image, which
            # TF refuses.
            raise _errors.InvalidArgumentError(
                None, None, f"cannot compute Sub as input #1(zero-based) was expected to be a "
                f"{images.dtype.name} tensor but is a float tensor [Op:Sub]")
        factor = jnp.asarray(_arr(transformation["contrast_factor"])).astype(x.dtype)
        h_axis, w_axis = (-2, -1) if self.data_format == "channels_first" else (-3, -2)
        mean = jnp.mean(jnp.mean(x, axis=h_axis, keepdims=True), axis=w_axis, keepdims=True)
        out = (x - mean) * factor + mean
        return _wrap(jnp.clip(out, self.value_range[0], self.value_range[1]).astype(x.dtype))

    def transform_segmentation_masks(self, segmentation_masks, transformation,
                                     training=True):
        return segmentation_masks

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format,
                "factor": self.factor, "value_range": self.value_range,
                "seed": self.seed}


class RandomBrightness(_ColorLayer, _RandomLayer):
    """Adds a random delta (a fraction of ``value_range``) to each image while training."""

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.factor = _bounded_factor(factor, (-1, 1))
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
            raise ValueError("The `value_range` argument should be a list of two numbers. "
                             f"Received: value_range={value_range}")
        self.value_range = sorted(value_range)

    def get_random_transformation(self, data, training=True, seed=None):
        shape = tuple(data.shape)
        if len(shape) not in (3, 4):
            raise ValueError("Expected the input image to be rank 3 or 4. Received "
                             f"inputs.shape={shape}")
        dshape = (1, 1, 1) if len(shape) == 3 else (shape[0], 1, 1, 1)
        if not training:
            return {"rgb_delta": jnp.zeros(dshape)}
        delta = jax.random.uniform(self._key(seed), dshape, jnp.float32, self.factor[0],
                                   self.factor[1])
        return {"rgb_delta": delta * (self.value_range[1] - self.value_range[0])}

    def transform_images(self, images, transformation, training=True):
        images = convert_to_tensor(images)
        if not training:
            return images
        x = images._v
        delta = jnp.asarray(_arr(transformation["rgb_delta"])).astype(x.dtype)
        return _wrap(jnp.clip(x + delta, self.value_range[0], self.value_range[1]
                              ).astype(x.dtype))

    def transform_segmentation_masks(self, segmentation_masks, transformation,
                                     training=True):
        return segmentation_masks

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format,
                "factor": self.factor, "value_range": self.value_range,
                "seed": self.seed}

"""Color preprocessing layers: ``AutoContrast``, ``RandomGrayscale``, ``RandomInvert``,
``Solarization``, ``RandomPosterization``, ``RandomColorDegeneration``, ``RandomSaturation``,
``RandomHue``; and ``Pipeline``."""
from __future__ import annotations

import jax
import jax.numpy as jnp

from .._core.convert import convert_to_tensor
from ._image_preprocessing import (_ColorLayer, _ImageLayer, _RandomLayer, _arr, _bounded_factor,
                                   _wrap)
from ._layer import Layer

_VALUE_RANGE_ERROR = "The `value_range` argument should be a list of two numbers. "


def _value_range(value_range):
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
        raise ValueError(_VALUE_RANGE_ERROR + f"Received: value_range={value_range}")
    return sorted(value_range)


def _to_range(x, original, target):
    """Keras' ``_transform_value_range`` (float32)."""
    if original[0] == target[0] and original[1] == target[1]:
        return x
    x = x.astype(jnp.float32)
    lo, hi = jnp.float32(original[0]), jnp.float32(original[1])
    tlo, thi = jnp.float32(target[0]), jnp.float32(target[1])
    return (x - lo) / (hi - lo) * (thi - tlo) + tlo


def _saturate_like(out, dtype):
    """A float result back in an integer image's dtype: rounded and clipped."""
    if out.dtype == dtype:
        return out
    if jnp.issubdtype(dtype, jnp.integer):
        info = jnp.iinfo(dtype)
        out = jnp.clip(jnp.round(out), info.min, info.max)
    return out.astype(dtype)


class AutoContrast(_ColorLayer, _ImageLayer):
    """Stretches each image's values to span ``value_range`` (per channel).

    >>> import tftape as tf
    >>> tf.keras.layers.AutoContrast()(tf.constant([[[10.0], [20.0]]])).numpy().ravel()
    array([  0., 255.], dtype=float32)
    """

    def __init__(self, value_range=(0, 255), **kwargs):
        super().__init__(**kwargs)
        self.value_range = _value_range(value_range)

    def transform_images(self, images, transformation=None, training=True):
        original = _arr(images)
        if not jnp.issubdtype(original.dtype, jnp.floating):
            original = original.astype(jnp.float32)
        unbatched = original.ndim == 3
        if unbatched:
            original = original[None]
        x = _to_range(original, self.value_range, (0, 255)).astype(jnp.float32)
        # Note: Keras reduces over axes (1, 2), whatever the data format.
        low = jnp.min(x, axis=(1, 2), keepdims=True)
        high = jnp.max(x, axis=(1, 2), keepdims=True)
        scale = 255.0 / (high - low)
        out = jnp.clip(x * scale + (-low * scale), 0.0, 255.0)
        out = _to_range(out, (0, 255), self.value_range)
        out = jnp.where(jnp.isnan(out), original.astype(out.dtype), out)
        # Keras compares with the image already cast to float32: the result stays float32.
        out = out.astype(jnp.float32)
        return _wrap(out[0] if unbatched else out)

    def transform_segmentation_masks(self, segmentation_masks, transformation=None,
                                     training=True):
        return segmentation_masks

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format,
                "value_range": self.value_range}


class RandomGrayscale(_ColorLayer, _RandomLayer):
    """Turns each image to grayscale (kept in 3 channels) with probability ``factor``."""

    def __init__(self, factor=0.5, data_format=None, seed=None, **kwargs):
        if factor < 0 or factor > 1:
            raise ValueError(f"`factor` should be between 0 and 1. Received: factor={factor}")
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = factor

    def get_random_transformation(self, images, training=True, seed=None):
        batch = images.shape[0] if len(images.shape) == 4 else 1
        values = jax.random.uniform(self._key(seed), (batch,))
        return (values < self.factor)[:, None, None, None]

    def transform_images(self, images, transformation, training=True):
        images = convert_to_tensor(images)
        if not training:
            return images
        x = images._v
        apply = jnp.asarray(_arr(transformation)) if transformation is not None else \
            self.get_random_transformation(x)
        axis = -1 if self.data_format == "channels_last" else -3
        if x.shape[axis] == 3:
            weights = jnp.asarray([0.2989, 0.5870, 0.1140], jnp.result_type(x.dtype, float))
            gray = jnp.expand_dims(jnp.tensordot(x.astype(weights.dtype), weights,
                                                 axes=((axis % x.ndim,), (0,))), axis)
            gray = gray.astype(x.dtype)
        else:
            gray = x
        return _wrap(jnp.where(apply, gray, x))

    def transform_segmentation_masks(self, segmentation_masks, transformation=None,
                                     training=True):
        return segmentation_masks

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class RandomInvert(_ColorLayer, _RandomLayer):
    """Inverts images (``value_range[1] - x``) with a random probability in ``factor``."""

    def __init__(self, factor=1.0, value_range=(0, 255), seed=None, data_format=None,
                 **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = _bounded_factor(factor, (0, 1))
        self.value_range = value_range

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        shape = tuple(data.shape)
        if len(shape) not in (3, 4):
            raise ValueError("Expected the input image to be rank 3 or 4. Received "
                             f"inputs.shape={shape}")
        batch = 1 if len(shape) == 3 else shape[0]
        k1, k2 = jax.random.split(self._key(seed))
        prob = jax.random.uniform(k1, (batch,), jnp.float32, self.factor[0], self.factor[1])
        threshold = jax.random.uniform(k2, (batch,))
        return {"apply_inversion": threshold < prob}

    def transform_images(self, images, transformation, training=True):
        if not training:
            return convert_to_tensor(images)
        x = _arr(self._cast(images))
        apply = jnp.asarray(_arr(transformation["apply_inversion"]))
        return _wrap(jnp.where(apply[:, None, None, None], self.value_range[1] - x, x))

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        return segmentation_masks

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format,
                "factor": self.factor, "value_range": self.value_range,
                "seed": self.seed}


class Solarization(_ColorLayer, _RandomLayer):
    """Adds a random amount to each image, then inverts values above a random threshold."""

    _FACTOR_ERROR = ("The `addition_factor` and `threshold_factor` arguments should be a "
                     "number (or a list of two numbers) in the range [0, 1]. ")

    def __init__(self, addition_factor=0.0, threshold_factor=0.0, value_range=(0, 255),
                 seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.addition_factor = self._factor(addition_factor, "addition_factor")
        self.threshold_factor = self._factor(threshold_factor, "threshold_factor")
        self.value_range = _value_range(value_range)

    def _factor(self, factor, name):
        def check(v):
            if v > 1.0 or v < 0:
                raise ValueError(self._FACTOR_ERROR + f"Received: input_number={v}")
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2:
                raise ValueError(self._FACTOR_ERROR + f"Received: {name}={factor}")
            check(factor[0])
            check(factor[1])
            return tuple(sorted(factor))
        if isinstance(factor, (int, float)):
            check(factor)
            return (0, factor)
        raise ValueError(self._FACTOR_ERROR + f"Received: {name}={factor}")

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        shape = tuple(data.shape)
        fshape = (shape[0], 1, 1, 1) if len(shape) == 4 else (1, 1, 1)
        k1, k2 = jax.random.split(self._key(seed))
        return {"additions": jax.random.uniform(k1, fshape, jnp.float32,
                                                self.addition_factor[0],
                                                self.addition_factor[1] * 255),
                "thresholds": jax.random.uniform(k2, fshape, jnp.float32,
                                                 self.threshold_factor[0],
                                                 self.threshold_factor[1] * 255)}

    def transform_images(self, images, transformation, training=True):
        x = _arr(self._cast(images))
        if not training or transformation is None:
            return _wrap(x)
        thresholds = jnp.asarray(_arr(transformation["thresholds"]))
        additions = jnp.asarray(_arr(transformation["additions"]))
        y = _to_range(x, self.value_range, (0, 255))
        y = jnp.clip(y + additions, 0, 255)
        y = jnp.where(y < thresholds, y, 255 - y)
        y = _to_range(y, (0, 255), self.value_range)
        return _wrap(_saturate_like(y, x.dtype))

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        return segmentation_masks

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format,
                "value_range": self.value_range,
                "addition_factor": self.addition_factor,
                "threshold_factor": self.threshold_factor, "seed": self.seed}


def _rank_batch(shape):
    if len(shape) not in (3, 4):
        raise ValueError("Expected the input image to be rank 3 or 4. Received: "
                         f"inputs.shape={shape}")
    return 1 if len(shape) == 3 else shape[0]


def _gray(x, data_format):
    """Keras' ``rgb_to_grayscale`` (one channel; a one-channel image is returned as is)."""
    axis = -1 if data_format == "channels_last" else -3
    if x.shape[axis] == 1:
        return x
    weights = jnp.asarray([0.2989, 0.5870, 0.1140], x.dtype)
    return jnp.expand_dims(jnp.tensordot(x, weights, axes=((axis % x.ndim,), (0,))), axis)


class RandomPosterization(_ColorLayer, _RandomLayer):
    """Keeps a random number (in ``factor``, 1 to 8) of the high bits of each value."""

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = _bounded_factor(factor, (1, 8))
        self.value_range = _value_range(value_range)

    def get_random_transformation(self, data, training=True, seed=None):
        batch = _rank_batch(tuple(data.shape))
        if self.factor[0] != self.factor[1]:
            factor = jax.random.randint(self._key(seed), (batch,), self.factor[0],
                                        self.factor[1]).astype(jnp.uint8)
        else:
            factor = jnp.full((batch,), self.factor[0], jnp.uint8)
        return {"shift_factor": jnp.uint8(8) - factor}

    def transform_images(self, images, transformation=None, training=True):
        if not training:
            return convert_to_tensor(images)
        shift = jnp.asarray(_arr(transformation["shift_factor"])).astype(jnp.uint8)
        shift = shift.reshape(shift.shape + (1, 1, 1))
        x = _to_range(_arr(self._cast(images)), self.value_range, (0, 255))
        x = x.astype(jnp.uint8)
        x = jnp.left_shift(jnp.right_shift(x, shift), shift).astype(jnp.float32)
        return _wrap(_to_range(x, (0, 255), self.value_range))

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        return segmentation_masks

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format,
                "factor": self.factor, "value_range": self.value_range,
                "seed": self.seed}


class RandomColorDegeneration(_ColorLayer, _RandomLayer):
    """Blends each image with its grayscale version by a random factor."""

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = _bounded_factor(factor, (-1, 1))
        self.value_range = _value_range(value_range)

    def get_random_transformation(self, data, training=True, seed=None):
        batch = _rank_batch(tuple(data.shape))
        return {"factor": jax.random.uniform(self._key(seed), (batch, 1, 1, 1), jnp.float32,
                                             self.factor[0], self.factor[1])}

    def transform_images(self, images, transformation=None, training=True):
        if not training:
            return convert_to_tensor(images)
        x = _arr(self._cast(images))
        factor = jnp.asarray(_arr(transformation["factor"])).astype(x.dtype)
        out = x + factor * (_gray(x, self.data_format) - x)
        return _wrap(jnp.clip(out, self.value_range[0], self.value_range[1]).astype(x.dtype))

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        return segmentation_masks

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format,
                "factor": self.factor, "value_range": self.value_range,
                "seed": self.seed}


def _hsv(x, data_format, to_hsv):
    """``tf.image.rgb_to_hsv`` / ``hsv_to_rgb`` on channels-last or channels-first images."""
    from .._image import _color
    fn = _color.rgb_to_hsv if to_hsv else _color.hsv_to_rgb
    if data_format == "channels_first":
        return jnp.moveaxis(fn(_wrap(jnp.moveaxis(x, -3, -1)))._v, -1, -3)
    return fn(_wrap(x))._v


class _HSVLayer(_ColorLayer, _RandomLayer):
    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = _bounded_factor(factor, self._BOUNDS)
        # Keras' RandomHue keeps `value_range` as given; RandomSaturation sorts it.
        self.value_range = value_range if self._BOUNDS == (0, 1) else _value_range(value_range)

    def transform_images(self, images, transformation=None, training=True):
        if not training:
            return convert_to_tensor(images)
        x = _arr(self._cast(images))
        unbatched = x.ndim == 3
        factor = jnp.asarray(_arr(transformation["factor"])).astype(x.dtype)
        out = self._adjust(x[None] if unbatched else x, factor)
        return _wrap(out[0] if unbatched else out)

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        return segmentation_masks

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format,
                "factor": self.factor, "value_range": self.value_range,
                "seed": self.seed}


class RandomSaturation(_HSVLayer):
    """Scales each image's saturation by a random factor."""

    _BOUNDS = (-1, 1)

    def get_random_transformation(self, data, training=True, seed=None):
        batch = _rank_batch(tuple(data.shape))
        f = jax.random.uniform(self._key(seed), (batch,), jnp.float32, self.factor[0],
                               self.factor[1])
        return {"factor": f / (1 - f + 1e-7)}

    def _adjust(self, x, factor):
        hsv = _hsv(x, self.data_format, True)
        c = 1 if self.data_format == "channels_first" else -1
        h, sat, v = (jnp.take(hsv, i, axis=c) for i in range(3))
        # Note: Keras clips the saturation to `value_range`, as it does.
        sat = jnp.clip(sat * factor.reshape(factor.shape + (1, 1)), self.value_range[0],
                       self.value_range[1])
        return _hsv(jnp.stack([h, sat, v], axis=c), self.data_format, False)


class RandomHue(_HSVLayer):
    """Shifts each image's hue by a random amount (up to ``factor / 2`` of a turn)."""

    _BOUNDS = (0, 1)

    def get_random_transformation(self, data, training=True, seed=None):
        batch = _rank_batch(tuple(data.shape))
        k1, k2 = jax.random.split(self._key(seed))
        invert = jnp.where(jax.random.uniform(k1, (batch,)) > 0.5, -1.0, 1.0)
        f = jax.random.uniform(k2, (batch,), jnp.float32, self.factor[0], self.factor[1])
        return {"factor": invert * f * 0.5}

    def _adjust(self, x, factor):
        x = _to_range(x, self.value_range, (0, 1))
        hsv = _hsv(x, self.data_format, True)
        c = 1 if self.data_format == "channels_first" else -1
        h, sat, v = (jnp.take(hsv, i, axis=c) for i in range(3))
        h = h + factor[:, None, None]
        h = jnp.where(h > 1.0, h - 1.0, h)
        h = jnp.where(h < 0.0, h + 1.0, h)
        out = jnp.clip(_hsv(jnp.stack([h, sat, v], axis=c), self.data_format, False), 0, 1)
        return _to_range(out, (0, 1), self.value_range).astype(jnp.float32)


class Pipeline(Layer):
    """Applies a list of layers in order (a plain layer, not a model).

    >>> import tftape as tf
    >>> pipe = tf.keras.layers.Pipeline([tf.keras.layers.Rescaling(2.0),
    ...                                  tf.keras.layers.Rescaling(0.5, offset=1.0)])
    >>> pipe(tf.constant([1.0, 2.0])).numpy()
    array([2., 3.], dtype=float32)
    """

    def __init__(self, layers, name=None):
        super().__init__(name=name)
        self._pipeline_layers = layers

    @property
    def layers(self):
        return self._pipeline_layers

    def call(self, inputs, training=True, mask=None):
        outputs = inputs
        for layer in self._pipeline_layers:
            kwargs = {}
            if layer._call_has_mask_arg:
                kwargs["mask"] = mask
            if layer._call_has_training_arg and training is not None:
                kwargs["training"] = training
            outputs = layer(inputs, **kwargs)
            inputs = outputs
            mask = getattr(outputs, "_keras_mask", None)
        return outputs

    def get_config(self):
        from ._rnn_layers import serialize_layer
        return {"layers": [serialize_layer(layer) for layer in self._pipeline_layers],
                "name": self.name}

    @classmethod
    def from_config(cls, config):
        from ._rnn_layers import deserialize_layer
        layers = config.get("layers")
        if not isinstance(layers, (list, tuple)):
            raise ValueError("`Pipeline` config must contain a `layers` key mapping to a list "
                             f"of serialized layers. Received config with layers={layers}.")
        return cls(**{**config, "layers": [deserialize_layer(x) for x in layers]})


"""Permute, RepeatVector, Cropping1D/2D/3D, ZeroPadding1D/2D/3D, UpSampling1D/2D/3D."""
from __future__ import annotations

import jax

from .._core.convert import convert_to_tensor
from .._core.tensor import make
from .._ops import array_ops as _a
from ._layer import Layer
from ._layer_utils import InputSpec, standardize_data_format, standardize_tuple

_ORD = ("1st", "2nd", "3rd")


class Permute(Layer):
    """Permutes the non-batch axes (``dims`` counts from 1).

    >>> import tftape as tf
    >>> tf.keras.layers.Permute((2, 1))(tf.ones((1, 2, 3))).shape
    TensorShape([1, 3, 2])
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError("Invalid permutation argument `dims` for Permute Layer. The set "
                             "of indices in `dims` must be consecutive and start from 1. "
                             f"Received dims={dims}")
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)
        self.built = True

    def call(self, inputs):
        return _a.transpose(convert_to_tensor(inputs), (0,) + self.dims)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self):
        return {**super().get_config(), "dims": self.dims}


class RepeatVector(Layer):
    """Repeats ``(batch, features)`` inputs ``n`` times: ``(batch, n, features)``."""

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(n, int) or isinstance(n, bool):
            raise TypeError(f"Expected an integer value for `n`, got {type(n)}.")
        if n <= 0:
            raise ValueError(f"Argument `n` should be a positive integer. Received: n={n}")
        self.n = n
        self.input_spec = InputSpec(ndim=2)
        self.built = True

    def call(self, inputs):
        x = convert_to_tensor(inputs)
        return _a.tile(_a.expand_dims(x, 1), [1, self.n, 1])

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self):
        return {**super().get_config(), "n": self.n}


def _pairs(value, rank, what, example):
    """An int, ``rank`` ints or ``rank`` pairs as ``rank`` (before, after) pairs."""
    if isinstance(value, int):
        if what == "cropping" and value < 0:
            raise ValueError(f"`cropping` cannot be negative. Received: cropping={value}.")
        return tuple((value, value) for _ in range(rank))
    if not hasattr(value, "__len__"):
        raise ValueError(example)
    if len(value) != rank:
        if rank == 2:
            raise ValueError(f"`{what}` should have two elements. Received: {what}={value}.")
        raise ValueError(f"`{what}` should have 3 elements. Received: {value}.")
    return tuple(standardize_tuple(v, 2, f"{_ORD[i]} entry of {what}", allow_zero=True)
                 for i, v in enumerate(value))


def _spatial_axes(rank, data_format):
    return list(range(2, 2 + rank)) if data_format == "channels_first" else \
        list(range(1, 1 + rank))


class _Spatial(Layer):
    rank = 2

    def _setup(self, data_format):
        self.data_format = standardize_data_format(data_format) if data_format != "_1d" \
            else None
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self.built = True

    def _axes(self):
        return _spatial_axes(self.rank, self.data_format or "channels_last")


class _Cropping(_Spatial):
    def __init__(self, cropping, data_format=None, **kwargs):
        super().__init__(**kwargs)
        if self.rank == 1:
            self.cropping = standardize_tuple(cropping, 2, "cropping", allow_zero=True)
            self._setup("_1d")
            return
        example = ("`cropping` should be either an int, a tuple of 2 ints "
                   "(symmetric_height_crop, symmetric_width_crop), or a tuple of 2 tuples of "
                   "2 ints ((top_crop, bottom_crop), (left_crop, right_crop)). "
                   f"Received: cropping={cropping}.")
        self.cropping = _pairs(cropping, self.rank, "cropping", example)
        self._setup(data_format)

    def _crops(self):
        return [self.cropping] if self.rank == 1 else list(self.cropping)

    def _check(self, shape, word):
        for ax, (lo, hi) in zip(self._axes(), self._crops()):
            if shape[ax] is not None and lo + hi >= shape[ax]:
                if self.rank == 1:
                    raise ValueError("`cropping` parameter of `Cropping1D` layer must be "
                                     f"smaller than the input length. Received: {word}="
                                     f"{shape}, cropping={self.cropping}")
                raise ValueError("Values in `cropping` argument should be smaller than the "
                                 "corresponding spatial dimension of the input. Received: "
                                 f"{word}={shape}, cropping={self.cropping}")

    def call(self, inputs):
        x = convert_to_tensor(inputs)
        self._check(tuple(x.shape), "inputs.shape")
        idx = [slice(None)] * x.ndim
        for ax, (lo, hi) in zip(self._axes(), self._crops()):
            idx[ax] = slice(lo, x.shape[ax] - hi)
        return x[tuple(idx)]

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        self._check(tuple(input_shape), "input_shape")
        for ax, (lo, hi) in zip(self._axes(), self._crops()):
            if shape[ax] is not None:
                shape[ax] -= lo + hi
        return tuple(shape)

    def get_config(self):
        cfg = {**super().get_config(), "cropping": self.cropping}
        if self.rank > 1:
            cfg["data_format"] = self.data_format
        return cfg


class Cropping1D(_Cropping):
    """Crops steps from the start and end of ``(batch, steps, features)`` inputs."""

    rank = 1

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(cropping, **kwargs)


class Cropping2D(_Cropping):
    rank = 2

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)


class Cropping3D(_Cropping):
    rank = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)


class _ZeroPadding(_Spatial):
    def __init__(self, padding, data_format=None, **kwargs):
        super().__init__(**kwargs)
        if self.rank == 1:
            self.padding = standardize_tuple(padding, 2, "padding", allow_zero=True)
        else:
            example = ("`padding` should be either an int, a tuple of 2 ints "
                       "(symmetric_height_crop, symmetric_width_crop), or a tuple of 2 tuples "
                       "of 2 ints ((top_crop, bottom_crop), (left_crop, right_crop)). "
                       f"Received: padding={padding}.")
            self.padding = _pairs(padding, self.rank, "padding", example)
        self._setup(data_format)

    def _pads(self):
        return [self.padding] if self.rank == 1 else list(self.padding)

    def call(self, inputs):
        x = convert_to_tensor(inputs)
        pads = [[0, 0] for _ in range(x.ndim)]
        for ax, p in zip(self._axes(), self._pads()):
            pads[ax] = list(p)
        return _a.pad(x, pads)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for ax, (lo, hi) in zip(self._axes(), self._pads()):
            if shape[ax] is not None:
                shape[ax] += lo + hi
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding,
                "data_format": self.data_format}


class ZeroPadding1D(_ZeroPadding):
    """Pads the steps axis with zeros."""

    rank = 1

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)

    def _setup(self, data_format):
        super()._setup(data_format)
        self.data_format = standardize_data_format(data_format)


class ZeroPadding2D(_ZeroPadding):
    rank = 2

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class ZeroPadding3D(_ZeroPadding):
    rank = 3

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class _UpSampling(_Spatial):
    interpolation = "nearest"

    def call(self, inputs):
        x = convert_to_tensor(inputs)
        sizes = (self.size,) if self.rank == 1 else self.size
        axes = self._axes()
        if self.interpolation != "nearest":
            shape = list(x.shape)
            for ax, s in zip(axes, sizes):
                shape[ax] *= s
            method = {"bilinear": "linear", "bicubic": "cubic"}.get(self.interpolation,
                                                                  self.interpolation)
            # Note: jax.image.resize samples at half-pixel centres, as tf.image.resize.
            return make(jax.image.resize(x._v, tuple(shape), method, antialias=False),
                        x.dtype)
        for ax, s in zip(axes, sizes):
            x = _a.repeat(x, s, axis=ax)
        return x

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        sizes = (self.size,) if self.rank == 1 else self.size
        for ax, s in zip(self._axes(), sizes):
            if shape[ax] is not None:
                shape[ax] *= s
        return tuple(shape)


class UpSampling1D(_UpSampling):
    """Repeats each step ``size`` times."""

    rank = 1

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(size, int) or isinstance(size, bool):
            raise TypeError(f"Expected an integer value for `size`, got {type(size)}.")
        if size <= 0:
            raise ValueError(f"Argument `size` should be a positive integer. Received: "
                             f"size={size}")
        self.size = size
        self._setup("_1d")

    def get_config(self):
        return {**super().get_config(), "size": self.size}


class UpSampling2D(_UpSampling):
    """Repeats rows and columns (``nearest``) or resizes (``bilinear``)."""

    rank = 2

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.size = standardize_tuple(size, 2, "size")
        self.interpolation = interpolation.lower()
        self._setup(data_format)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "data_format": self.data_format,
                "interpolation": self.interpolation}


class UpSampling3D(_UpSampling):
    rank = 3

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.size = standardize_tuple(size, 3, "size")
        self._setup(data_format)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "data_format": self.data_format}

"""The summary functions: ``scalar``, ``histogram``, ``image``, ``text`` and ``write``."""
from __future__ import annotations

import struct
import time
import zlib

import numpy as np

from . import _proto, _writer

_NO_STEP = ("No step set. Please specify one either through the `step` argument or through "
            "tf.summary.experimental.set_step()")
_record_if = [True]


def _host(x):
    """A NumPy value of a tensor, variable or Python value."""
    if hasattr(x, "numpy"):
        return np.asarray(x.numpy())
    if hasattr(x, "read_value"):
        return np.asarray(x.read_value().numpy())
    return np.asarray(x)


def _tag(name: str) -> str:
    from .._function.ops import name_scope
    return "".join(name_scope._stack) + name


def _constant_bool(value: bool):
    from .._ops.constant_op import constant
    return constant(bool(value))


def _should_record():
    cond = _record_if[-1]
    return bool(_host(cond() if callable(cond) else cond))


def write_value(tag: str, value: np.ndarray, plugin: str, step=None, description=None):
    """Writes one tensor summary to the default writer; a bool tensor: whether it wrote."""
    writer = _writer.default_writer()
    if writer is None or not _should_record():
        return _constant_bool(False)
    if step is None:
        step = _writer.get_step()
        if step is None:
            raise ValueError(_NO_STEP)
    step = int(_host(step))
    writer.write_event(_proto.event(time.time(), step, summary_values=[
        _proto.summary_value(_tag(tag), value, plugin, description)]))
    return _constant_bool(True)


def scalar(name: str, data, step=None, description: str | None = None):
    """Writes a scalar summary (the ``scalars`` plugin), as float32.

    Returns a bool tensor: True if a default writer took it.

    >>> import tftape as tf
    >>> tf.summary.scalar("loss", 0.5, step=1)  # no default writer
    <tf.Tensor: shape=(), dtype=bool, numpy=False>
    """
    if _writer.default_writer() is None:
        return _constant_bool(False)
    value = _host(data)
    if value.ndim != 0:
        raise ValueError(f"Expected scalar shape, saw shape: {value.shape}.")
    return write_value(name, value.astype(np.float32), "scalars", step, description)


def text(name: str, data, step=None, description: str | None = None):
    """Writes a string tensor of any shape (the ``text`` plugin)."""
    if _writer.default_writer() is None:
        return _constant_bool(False)
    value = _host(data)
    value = np.vectorize(lambda s: s if isinstance(s, bytes) else str(s).encode("utf-8"),
                         otypes=[object])(value) if value.size else value.astype(object)
    return write_value(name, value, "text", step, description)


def histogram_buckets(data, buckets: int | None = None) -> np.ndarray:
    """``[buckets, 3]`` rows of (left edge, right edge, count), float64, as TensorBoard's.

    Equal-width buckets from the minimum to the maximum; the maximum lands in the last one.
    """
    n = max(0, 30 if buckets is None else int(buckets))
    x = _host(data).astype(np.float64).ravel()
    if x.size == 0 or n == 0:
        return np.zeros((n, 3))
    lo, hi = x.min(), x.max()
    if hi - lo == 0:
        counts = np.zeros(n)
        counts[-1] = x.size
        edges = np.full(n, hi)
        return np.stack([edges, edges, counts], axis=1)
    width = (hi - lo) / n
    idx = np.minimum(np.floor((x - lo) / width).astype(np.int32), n - 1)
    counts = np.bincount(idx, minlength=n).astype(np.float64)
    edges = np.arange(n + 1) * ((hi - lo) / n) + lo   # TF's LinSpace: start + i * step
    edges[-1] = hi
    return np.stack([edges[:-1], edges[1:], counts], axis=1)


def histogram(name: str, data, step=None, buckets: int | None = None,
              description: str | None = None):
    """Writes a histogram of ``data`` (the ``histograms`` plugin), 30 buckets by default."""
    if _writer.default_writer() is None:
        return _constant_bool(False)
    return write_value(name, histogram_buckets(data, buckets), "histograms", step, description)


def _png(img: np.ndarray) -> bytes:
    """A PNG file of an ``[h, w, c]`` uint8 image (c = 1, 2, 3 or 4), unfiltered rows."""
    h, w, c = img.shape
    color = {1: 0, 2: 4, 3: 2, 4: 6}[c]   # gray, gray + alpha, RGB, RGBA

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    rows = b"".join(b"\x00" + img[i].tobytes() for i in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, color, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def _to_uint8(x: np.ndarray) -> np.ndarray:
    """tf.image.convert_image_dtype(x, tf.uint8, saturate=True)."""
    if x.dtype == np.uint8:
        return x
    if x.dtype.kind == "f":
        scaled = x * x.dtype.type(255.5)
        return np.clip(scaled, 0, 255).astype(np.uint8)
    if x.dtype.kind in "iu":   # scaled down by (max + 1) / 256, as TF does
        scale = (int(np.iinfo(x.dtype).max) + 1) // 256
        return (x // scale).astype(np.uint8) if scale > 1 else x.astype(np.uint8)
    if x.dtype == np.bool_:
        return x.astype(np.uint8) * 255
    raise TypeError(f"Unsupported image dtype: {x.dtype}")


def image(name: str, data, step=None, max_outputs: int = 3, description: str | None = None):
    """Writes up to ``max_outputs`` images of a ``[k, h, w, c]`` batch as PNG (``images``)."""
    if _writer.default_writer() is None:
        return _constant_bool(False)
    x = _host(data)
    if x.ndim != 4:
        raise ValueError(f"Shapes must be equal rank, but are {x.ndim} and 4")
    images = _to_uint8(x[:max(0, int(max_outputs))])
    value = np.array([str(x.shape[2]).encode(), str(x.shape[1]).encode()]
                     + [_png(im) for im in images], dtype=object)
    return write_value(name, value, "images", step, description)


def write(tag: str, tensor, step=None, metadata=None, name=None):
    """Writes a tensor summary with no plugin (``tf.summary.write``)."""
    value = _host(tensor() if callable(tensor) else tensor)
    if value.dtype.kind in "SUO":
        value = value.astype(object)
    plugin = ""
    if metadata is not None and hasattr(metadata, "plugin_data"):
        plugin = metadata.plugin_data.plugin_name
    return write_value(tag, value, plugin, step)

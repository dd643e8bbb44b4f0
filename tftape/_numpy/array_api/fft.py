"""The array API ``fft`` extension on tftape tensors."""
from __future__ import annotations

import jax.numpy as jnp

from ._common import call, check_device, np_dtype, place


def _fft1(name):
    jfn = getattr(jnp.fft, name)

    def f(x, /, *, n=None, axis=-1, norm="backward"):
        return call("fft." + name, jfn, x, n=n, axis=axis, norm=norm)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"``fft.{name}`` (array API)."
    return f


def _fftn(name):
    jfn = getattr(jnp.fft, name)

    def f(x, /, *, s=None, axes=None, norm="backward"):
        s = None if s is None else tuple(s)
        axes = None if axes is None else tuple(axes)
        return call("fft." + name, jfn, x, s=s, axes=axes, norm=norm)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"``fft.{name}`` (array API)."
    return f


fft = _fft1("fft")
ifft = _fft1("ifft")
rfft = _fft1("rfft")
irfft = _fft1("irfft")
hfft = _fft1("hfft")
ihfft = _fft1("ihfft")
fftn = _fftn("fftn")
ifftn = _fftn("ifftn")
rfftn = _fftn("rfftn")
irfftn = _fftn("irfftn")


def fftfreq(n, /, *, d=1.0, device=None, dtype=None):
    check_device(device)
    r = call("fft.fftfreq", jnp.fft.fftfreq, n, d=d, dtype=np_dtype(dtype))
    return place(r, device)


def rfftfreq(n, /, *, d=1.0, device=None, dtype=None):
    check_device(device)
    return place(call("fft.rfftfreq", jnp.fft.rfftfreq, n, d=d, dtype=np_dtype(dtype)), device)


def fftshift(x, /, *, axes=None):
    axes = tuple(axes) if isinstance(axes, list) else axes
    return call("fft.fftshift", jnp.fft.fftshift, x, axes=axes)


def ifftshift(x, /, *, axes=None):
    axes = tuple(axes) if isinstance(axes, list) else axes
    return call("fft.ifftshift", jnp.fft.ifftshift, x, axes=axes)

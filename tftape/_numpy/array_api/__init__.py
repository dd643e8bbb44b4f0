"""The Python array API standard (2024.12) namespace for tftape tensors.

``tensor.__array_namespace__()`` returns this module. Functions follow the *standard's* rules
(type promotion table, Python scalars as weak values, float64/int64 defaults), unlike the TF
API, whose ops never promote. Namespace functions return array objects whose operators
(``x + y``) follow the standard too; tensors made by ``tf.*`` keep TF's operators.

>>> import tftape as tf
>>> x = tf.constant([1, 2], dtype=tf.int8)
>>> xp = x.__array_namespace__()
>>> xp.add(x, xp.asarray([1, 2], dtype=xp.int16)).dtype
tf.int16
"""
from __future__ import annotations

import builtins as _builtins
import functools as _functools
import math as _math
import sys as _sys
import types as _types

import numpy as _np
import jax.numpy as _jnp

from ..._core import dtypes as _d
from ..._core.tensor import Tensor as _Tensor
from . import fft as fft, linalg as linalg  # noqa: F401
from . import _array
from ._array import ArrayAPITensor as _ArrayAPITensor, ns as _ns
from ._common import DTYPES as _DTYPES, call as _call, np_dtype as _np_dtype
from ._creation import (  # noqa: F401
    arange as arange, asarray as asarray, empty as empty, empty_like as empty_like, eye as eye,
    from_dlpack as from_dlpack, full as full, full_like as full_like, linspace as linspace,
    meshgrid as meshgrid, ones as ones, ones_like as ones_like, tril as tril, triu as triu,
    zeros as zeros, zeros_like as zeros_like)
from ._manip import (  # noqa: F401
    all as all, any as any, argmax as argmax, argmin as argmin, argsort as argsort,
    broadcast_arrays as broadcast_arrays, broadcast_shapes as broadcast_shapes,
    broadcast_to as broadcast_to, concat as concat, count_nonzero as count_nonzero,
    cumulative_prod as cumulative_prod, cumulative_sum as cumulative_sum, diff as diff,
    isin as isin, take_along_axis as take_along_axis, expand_dims as expand_dims, flip as flip,
    matrix_transpose as matrix_transpose, max as max, mean as mean, min as min,
    moveaxis as moveaxis, nonzero as nonzero, permute_dims as permute_dims, prod as prod,
    repeat as repeat, reshape as reshape, roll as roll, searchsorted as searchsorted,
    sort as sort, squeeze as squeeze, stack as stack, std as std, sum as sum, take as take,
    tile as tile, unique_all as unique_all, unique_counts as unique_counts,
    unique_inverse as unique_inverse, unique_values as unique_values, unstack as unstack,
    var as var, where as where)
from ._info import __array_namespace_info__ as __array_namespace_info__  # noqa: F401
from .linalg import matmul as matmul, tensordot as tensordot, vecdot as vecdot  # noqa: F401

__array_api_version__ = "2024.12"
_VERSIONS = ("2021.12", "2022.12", "2023.12", "2024.12")

e = _math.e
inf = _math.inf
nan = _math.nan
pi = _math.pi
newaxis = None

bool = _d.bool  # noqa: A001
int8, int16, int32, int64 = _d.int8, _d.int16, _d.int32, _d.int64
uint8, uint16, uint32, uint64 = _d.uint8, _d.uint16, _d.uint32, _d.uint64
float32, float64 = _d.float32, _d.float64
complex64, complex128 = _d.complex64, _d.complex128


def _namespace(api_version=None):
    if api_version is not None and api_version not in _VERSIONS:
        raise ValueError(f"Unrecognized array API version: {api_version!r}; this namespace "
                         f"implements {__array_api_version__}")
    import sys
    return sys.modules[__name__]


def _array_namespace(self, *, api_version=None):
    return _namespace(api_version)


_ArrayAPITensor.__array_namespace__ = _array_namespace
_array.NAMESPACE[0] = _sys.modules[__name__]


# -- elementwise ----------------------------------------------------------------------------------
def _elementwise(name, jfn, arity):
    if arity == 1:
        def f(x, /):
            return _call(name, jfn, x)
    else:
        def f(x1, x2, /):
            if not isinstance(x1, _Tensor) and not isinstance(x2, _Tensor):
                raise TypeError(f"{name}: at least one argument must be an array")
            return _call(name, jfn, x1, x2)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"``{name}`` elementwise, with the standard's type promotion."
    return f


_UNARY = dict(abs=_jnp.abs, acos=_jnp.acos, acosh=_jnp.acosh, asin=_jnp.asin,
              asinh=_jnp.asinh, atan=_jnp.atan, atanh=_jnp.atanh, bitwise_invert=_jnp.invert,
              ceil=_jnp.ceil, conj=_jnp.conj, cos=_jnp.cos, cosh=_jnp.cosh, exp=_jnp.exp,
              expm1=_jnp.expm1, floor=_jnp.floor, imag=_jnp.imag, isfinite=_jnp.isfinite,
              isinf=_jnp.isinf, isnan=_jnp.isnan, log=_jnp.log, log1p=_jnp.log1p,
              log2=_jnp.log2, log10=_jnp.log10, logical_not=_jnp.logical_not,
              negative=_jnp.negative, positive=_jnp.positive, real=_jnp.real,
              reciprocal=_jnp.reciprocal, sign=_jnp.sign,
              signbit=_jnp.signbit, sin=_jnp.sin, sinh=_jnp.sinh, square=_jnp.square,
              sqrt=_jnp.sqrt, tan=_jnp.tan, tanh=_jnp.tanh, trunc=_jnp.trunc)
_BINARY = dict(add=_jnp.add, atan2=_jnp.atan2, bitwise_and=_jnp.bitwise_and,
               bitwise_left_shift=_jnp.left_shift, bitwise_or=_jnp.bitwise_or,
               bitwise_right_shift=_jnp.right_shift, bitwise_xor=_jnp.bitwise_xor,
               copysign=_jnp.copysign, divide=_jnp.divide, equal=_jnp.equal,
               floor_divide=None, greater=_jnp.greater,
               greater_equal=_jnp.greater_equal, hypot=_jnp.hypot, less=_jnp.less,
               less_equal=_jnp.less_equal, logaddexp=_jnp.logaddexp,
               logical_and=_jnp.logical_and, logical_or=_jnp.logical_or,
               logical_xor=_jnp.logical_xor, maximum=_jnp.maximum, minimum=_jnp.minimum,
               multiply=_jnp.multiply, nextafter=_jnp.nextafter, not_equal=_jnp.not_equal,
               pow=_jnp.pow,
               remainder=None, subtract=_jnp.subtract)


# Note: JAX's float floor_divide gives NaN for inf // finite and loses zero signs, and its
# remainder keeps x1's zero sign; the standard follows IEEE division and x2's sign.
def _floor_divide(x1, x2):
    out = _jnp.floor_divide(x1, x2)
    if not _jnp.issubdtype(out.dtype, _jnp.floating):
        return out
    special = ~_jnp.isfinite(x1) | ~_jnp.isfinite(x2) | (x1 == 0)
    return _jnp.where(special, _jnp.floor(_jnp.true_divide(x1, x2)), out)


def _remainder(x1, x2):
    out = _jnp.remainder(x1, x2)
    if not _jnp.issubdtype(out.dtype, _jnp.floating):
        return out
    return _jnp.where((out == 0) & (x2 != 0), _jnp.copysign(_jnp.zeros_like(out), x2), out)


def _sign(x):
    # Note: JAX's sign(-0.0) is -0.0; the standard's is +0.
    out = _jnp.sign(x)
    return _jnp.where(out == 0, _jnp.zeros_like(out), out)


_BINARY.update(floor_divide=_floor_divide, remainder=_remainder)
_UNARY.update(sign=_sign)

def _annex_g(jfn, npfn):
    """``jfn`` with C99 Annex G's values (the standard's special cases) for complex inputs.

    Note: JAX's complex functions return NaN + NaN j for many non-finite inputs where the
    standard specifies values (``exp(-inf + inf j)`` is ``0 + 0j``). Arrays holding a
    non-finite complex value take NumPy's Annex G implementation through a host callback
    (``lax.cond``: finite arrays never leave the device); gradients flow through JAX's.
    """
    def f(x):
        out = jfn(x)
        if not _jnp.iscomplexobj(x):
            return out
        import jax

        def host(z):
            with _np.errstate(all="ignore"):
                return _np.asarray(npfn(_np.asarray(z)), dtype=out.dtype)

        def special(z):
            fixed = jax.pure_callback(host, jax.ShapeDtypeStruct(out.shape, out.dtype),
                                      jax.lax.stop_gradient(z))
            return _jnp.where(_jnp.isfinite(z), out, fixed)
        return jax.lax.cond(_jnp.all(_jnp.isfinite(x)), lambda z: out, special, x)
    f.__name__ = jfn.__name__
    return f


_NP_NAMES = {"acos": "arccos", "acosh": "arccosh", "asin": "arcsin", "asinh": "arcsinh",
             "atan": "arctan", "atanh": "arctanh"}
for _n in ("acos", "acosh", "asin", "asinh", "atan", "atanh", "cos", "cosh", "exp", "expm1",
           "log", "log1p", "log2", "log10", "sin", "sinh", "sqrt", "tan", "tanh"):
    # NumPy's complex expm1 lacks Annex G's values; exp(z) - 1 has them.
    _UNARY[_n] = _annex_g(_UNARY[_n], (lambda z: _np.exp(z) - 1) if _n == "expm1" else
                          getattr(_np, _NP_NAMES.get(_n, _n)))

for _n, _f in _UNARY.items():
    globals()[_n] = _elementwise(_n, _f, 1)
for _n, _f in _BINARY.items():
    globals()[_n] = _elementwise(_n, _f, 2)
del _n, _f


def round(x, /):  # noqa: A001
    return _call("round", _jnp.round, x)


def clip(x, /, min=None, max=None):  # noqa: A002
    """Clamps ``x`` to [min, max]; the result keeps ``x``'s dtype."""
    return _call("clip", _clip, x, min, max)


def _clip(x, lo, hi):
    out = x
    if lo is not None:
        out = _jnp.where(out < lo, _jnp.asarray(lo).astype(x.dtype), out)
    if hi is not None:
        out = _jnp.where(out > hi, _jnp.asarray(hi).astype(x.dtype), out)
    return _jnp.broadcast_to(out, _jnp.broadcast_shapes(
        x.shape, *[_jnp.shape(b) for b in (lo, hi) if b is not None]))


# -- data type functions --------------------------------------------------------------------------
def astype(x, dtype, /, *, copy=True, device=None):
    from ._creation import _astype
    from ._common import place
    if not copy and x.dtype == dtype:
        return place(x, device)
    return place(_call("astype", _astype, x, dtype=_np_dtype(dtype)), device)


def _dtype_of(x):
    if isinstance(x, _d.DType):
        return x
    if isinstance(x, _Tensor):
        return x._dtype
    raise TypeError(f"{x!r} is neither an array nor a dtype")


# The standard's promotion table (no mixed kinds): the dtypes reachable by promotion.
_INT_RANK = {"int8": 0, "int16": 1, "int32": 2, "int64": 3}
_UINT_TO_INT = {"uint8": "int16", "uint16": "int32", "uint32": "int64"}


def _promote2(a: _d.DType, b: _d.DType) -> _d.DType:
    if a is b:
        return a
    ka = "b" if a is _d.bool else a._kind
    kb = "b" if b is _d.bool else b._kind
    if ka == "b" or kb == "b":
        raise TypeError(f"{a.name} and {b.name} cannot be type promoted together")
    if ka in "fc" and kb in "fc":
        size = (a.size if ka == "f" else a.size // 2, b.size if kb == "f" else b.size // 2)
        bits = _builtins.max(size)
        if "c" in (ka, kb):
            return _d.complex64 if bits == 4 else _d.complex128
        return _d.float32 if bits == 4 else _d.float64
    if ka in "iu" and kb in "iu":
        if ka == kb:
            return a if a.size >= b.size else b
        s, u = (a, b) if ka == "i" else (b, a)
        if u is _d.uint64:
            raise TypeError(f"{a.name} and {b.name} cannot be type promoted together")
        wide = _d.as_dtype(_UINT_TO_INT[u.name])
        return s if s.size >= wide.size else wide
    raise TypeError(f"{a.name} and {b.name} cannot be type promoted together")


_SCALARS = (_builtins.bool, int, float, complex)


def result_type(*arrays_and_dtypes):
    """The dtype the standard's promotion table gives (mixed kinds raise TypeError).

    Python scalars (2024.12) are weak: they take the arrays' dtype when its kind can hold them.
    """
    typed = [x for x in arrays_and_dtypes if not isinstance(x, _SCALARS)]
    if not typed:
        raise ValueError("at least one array or dtype is required")
    out = _dtype_of(typed[0])
    for x in typed[1:]:
        out = _promote2(out, _dtype_of(x))
    for s in arrays_and_dtypes:
        if isinstance(s, _SCALARS):
            out = _weak(out, s)
    return out


def _weak(d, s):
    kind = "b" if d is _d.bool else d._kind
    if isinstance(s, _builtins.bool) or (isinstance(s, int) and kind != "b") or \
            (isinstance(s, float) and kind in "fc") or (isinstance(s, complex) and kind == "c"):
        return d
    if isinstance(s, complex):
        return _d.complex64 if d is _d.float32 else _d.complex128
    return _d.float64 if isinstance(s, float) else _d.int64


def can_cast(from_, to, /):
    try:
        return result_type(_dtype_of(from_), to) is to
    except TypeError:
        return False


def isdtype(dtype, kind):
    """Whether ``dtype`` is of ``kind`` (a dtype, a kind name, or a tuple of them)."""
    from ._info import _KINDS
    if not isinstance(dtype, _d.DType):
        raise TypeError(f"isdtype: {dtype!r} is not a dtype")
    if isinstance(kind, tuple):
        return _builtins.any(isdtype(dtype, k) for k in kind)
    if isinstance(kind, _d.DType):
        return dtype is kind
    if kind not in _KINDS:
        raise ValueError(f"isdtype: unknown kind {kind!r}")
    return dtype.name in _KINDS[kind]


class finfo_object:
    def __init__(self, dtype):
        f = _np.finfo(_np_dtype(dtype))
        self.bits = int(f.bits)
        self.eps = float(f.eps)
        self.max = float(f.max)
        self.min = float(f.min)
        self.smallest_normal = float(f.smallest_normal)
        self.dtype = _d._BY_NP[_np.dtype(f.dtype)]

    def __repr__(self):
        return f"finfo(bits={self.bits}, eps={self.eps}, max={self.max}, min={self.min}, " \
               f"smallest_normal={self.smallest_normal}, dtype={self.dtype!r})"


class iinfo_object:
    def __init__(self, dtype):
        i = _np.iinfo(_np_dtype(dtype))
        self.bits, self.max, self.min = int(i.bits), int(i.max), int(i.min)
        self.dtype = _d._BY_NP[_np.dtype(i.dtype)]

    def __repr__(self):
        return f"iinfo(bits={self.bits}, max={self.max}, min={self.min}, dtype={self.dtype!r})"


def finfo(type, /):  # noqa: A002
    return finfo_object(_dtype_of(type) if isinstance(type, _Tensor) else type)


def iinfo(type, /):  # noqa: A002
    return iinfo_object(_dtype_of(type) if isinstance(type, _Tensor) else type)


# -- every function returns the namespace's array objects ------------------------------------------
def _returning_arrays(f):
    def g(*args, **kwargs):
        return _ns(f(*args, **kwargs))
    _functools.update_wrapper(g, f)
    return g


def _wrap_module(mod, skip=()):
    for name, f in list(vars(mod).items()):
        if name.startswith("_") or name in skip or not isinstance(f, _types.FunctionType):
            continue
        setattr(mod, name, _returning_arrays(f))


_wrap_module(_sys.modules[__name__], skip=("result_type", "can_cast", "isdtype", "finfo",
                                           "iinfo", "broadcast_shapes"))
_wrap_module(linalg)
_wrap_module(fft)

"""``tf.experimental.numpy`` (``tnp``): NumPy's API on tftape tensors, with TF's semantics.

>>> import tftape.experimental.numpy as tnp
>>> tnp.asarray([1, 2, 3])
<tf.Tensor: shape=(3,), dtype=int64, numpy=array([1, 2, 3])>
"""
from __future__ import annotations

import numpy as _np

from ..._core.tensor import Tensor as ndarray  # noqa: F401 - TF: tnp.ndarray is tf.Tensor
from ..._numpy._behavior import (  # noqa: F401
    _disable_numpy_behavior as _disable_numpy_behavior,
    experimental_enable_numpy_behavior as experimental_enable_numpy_behavior)
from ..._numpy._config import (  # noqa: F401
    promote_types as promote_types, result_type as result_type)
from ..._numpy._base import array as array, asarray as asarray  # noqa: F401
from ..._numpy._math import (  # noqa: F401
    abs as abs, absolute as absolute, add as add, all as all, allclose as allclose,
    amax as amax, amin as amin, angle as angle, any as any, arccos as arccos,
    arccosh as arccosh, arcsin as arcsin, arcsinh as arcsinh, arctan as arctan,
    arctan2 as arctan2, arctanh as arctanh, argmax as argmax, argmin as argmin,
    array_equal as array_equal, average as average, bitwise_and as bitwise_and,
    bitwise_not as bitwise_not, bitwise_or as bitwise_or, bitwise_xor as bitwise_xor,
    cbrt as cbrt, ceil as ceil, clip as clip, conj as conj, conjugate as conjugate, cos as cos,
    cosh as cosh, count_nonzero as count_nonzero, cross as cross, cumprod as cumprod,
    cumsum as cumsum, deg2rad as deg2rad, diff as diff, divide as divide, divmod as divmod,
    dot as dot, e as e, einsum as einsum, equal as equal, exp as exp, exp2 as exp2,
    expm1 as expm1, fabs as fabs, fix as fix, float_power as float_power, floor as floor,
    floor_divide as floor_divide, gcd as gcd, greater as greater, greater_equal as greater_equal,
    heaviside as heaviside, hypot as hypot, imag as imag, inf as inf, inner as inner,
    isclose as isclose, iscomplex as iscomplex, iscomplexobj as iscomplexobj,
    isfinite as isfinite, isinf as isinf, isnan as isnan, isneginf as isneginf,
    isposinf as isposinf, isreal as isreal, isrealobj as isrealobj, kron as kron, lcm as lcm,
    less as less, less_equal as less_equal, log as log, log10 as log10, log1p as log1p,
    log2 as log2, logaddexp as logaddexp, logaddexp2 as logaddexp2, logical_and as logical_and,
    logical_not as logical_not, logical_or as logical_or, logical_xor as logical_xor,
    matmul as matmul, max as max, maximum as maximum, mean as mean, min as min,
    minimum as minimum, mod as mod, multiply as multiply, nanmean as nanmean,
    nanprod as nanprod, nansum as nansum, negative as negative, nextafter as nextafter,
    not_equal as not_equal, outer as outer, pi as pi, polyval as polyval, positive as positive,
    power as power, prod as prod, ptp as ptp, rad2deg as rad2deg, real as real,
    reciprocal as reciprocal, remainder as remainder, sign as sign, signbit as signbit,
    sin as sin, sinc as sinc, sinh as sinh, sqrt as sqrt, square as square, std as std,
    subtract as subtract, sum as sum, tan as tan, tanh as tanh, tensordot as tensordot,
    trace as trace, true_divide as true_divide, var as var, vdot as vdot)
from ..._numpy._array import (  # noqa: F401
    append as append, arange as arange, argsort as argsort, around as around,
    asanyarray as asanyarray, ascontiguousarray as ascontiguousarray, atleast_1d as atleast_1d,
    atleast_2d as atleast_2d, atleast_3d as atleast_3d, broadcast_arrays as broadcast_arrays,
    broadcast_to as broadcast_to, compress as compress, concatenate as concatenate,
    copy as copy, diag as diag, diag_indices as diag_indices, diagflat as diagflat,
    diagonal as diagonal, dsplit as dsplit, dstack as dstack, empty as empty,
    empty_like as empty_like, expand_dims as expand_dims, eye as eye, flatten as flatten,
    flip as flip, fliplr as fliplr, flipud as flipud, full as full, full_like as full_like,
    geomspace as geomspace, hsplit as hsplit, hstack as hstack, identity as identity,
    isscalar as isscalar, ix_ as ix_, linspace as linspace, logspace as logspace,
    meshgrid as meshgrid, moveaxis as moveaxis, ndim as ndim, newaxis as newaxis,
    nonzero as nonzero, ones as ones, ones_like as ones_like, pad as pad, ravel as ravel,
    repeat as repeat, reshape as reshape, roll as roll, rot90 as rot90, round as round,
    select as select, shape as shape, size as size, sort as sort, split as split,
    squeeze as squeeze, stack as stack, swapaxes as swapaxes, take as take,
    take_along_axis as take_along_axis, tile as tile, transpose as transpose, tri as tri,
    tril as tril, triu as triu, vander as vander, vsplit as vsplit, vstack as vstack,
    where as where, zeros as zeros, zeros_like as zeros_like)
from . import random as random  # noqa: F401

# NumPy's scalar types, as TF exports them (tnp.float32 is np.float32).
bool_ = _np.bool_
complex128 = _np.complex128
complex64 = _np.complex64
complex_ = _np.complex128
float16 = _np.float16
float32 = _np.float32
float64 = _np.float64
float_ = _np.float64
inexact = _np.inexact
int_ = _np.int_
int16 = _np.int16
int32 = _np.int32
int64 = _np.int64
int8 = _np.int8
object_ = _np.object_
string_ = _np.bytes_
uint16 = _np.uint16
uint32 = _np.uint32
uint64 = _np.uint64
uint8 = _np.uint8
unicode_ = _np.str_
iinfo = _np.iinfo
issubdtype = _np.issubdtype


def finfo(dtype):
    """``np.finfo`` of a NumPy or TF dtype (floats narrower than 64 bits as themselves)."""
    from ..._numpy._config import result_type_np
    return _np.finfo(result_type_np(dtype))

"""Shared helpers for the string ops: conversion to string tensors, TF's error messages,
ragged pass-through and elementwise host kernels."""
from __future__ import annotations

import numpy as np

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._core.errors import InvalidArgumentError, kernel_error, op_error
from .._core.registry import execute, op
from .._core.tensor import Tensor, make_string

_DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"


def is_ragged(x) -> bool:
    return getattr(type(x), "_is_composite_tensor", False) and hasattr(x, "flat_values")


def string_input(x, op_name: str, index: int = 0) -> Tensor:
    """Converts ``x`` to a string tensor; a non-string tensor gets TF's kernel dtype error."""
    t = x if isinstance(x, Tensor) else convert_to_tensor(x, dtype=_d.string)
    if t.dtype is not _d.string:
        raise op_error(op_name, f"cannot compute {op_name} as input #{index}(zero-based) was "
                                f"expected to be a string tensor but is a "
                                f"{_d.TF_TYPE_NAMES[t.dtype]} tensor")
    return t


def attr_error(op_name: str, attr: str, value: str, allowed, signature: str,
               attrs: str, name_suffix: bool = True):
    """TF's "Value for attr ... is not in the list of allowed values" message."""
    names = ", ".join(f'"{a}"' for a in allowed)
    msg = (f"Value for attr '{attr}' of \"{value}\" is not in the list of allowed values: "
           f"{names}\n\t; NodeDef: {{{{node {op_name}}}}}; Op<name={op_name}; "
           f"signature={signature}; {attrs}> [Op:{op_name}]")
    return InvalidArgumentError(None, None, msg + (" name: " if name_suffix else ""))


def kernel_msg(op_name: str, msg: str, name_suffix: bool = True, wrapped: str | None = None):
    """A kernel error; some TF string kernels omit the trailing `` name: ``."""
    if name_suffix:
        return kernel_error(op_name, msg, wrapped=wrapped)
    return InvalidArgumentError(None, None, f"{{{{function_node __wrapped__"
                                            f"{wrapped or op_name}_device_{_DEVICE}}}}} {msg} "
                                            f"[Op:{op_name}]")


def strings_of(arr: np.ndarray) -> np.ndarray:
    return arr if arr.dtype == object else arr.astype(object)


def map_bytes(fn, arr: np.ndarray, otype=object) -> np.ndarray:
    """Applies ``fn`` to each bytes element of an object array."""
    out = np.empty(arr.shape, dtype=otype)
    flat_in, flat_out = arr.reshape(-1), out.reshape(-1)
    for i, x in enumerate(flat_in):
        flat_out[i] = fn(x)
    return out


def host_op(name: str, tf_name: str, fn, otype=object):
    """Registers an elementwise host string op ``fn(bytes, **static) -> value``."""
    def impl(x, **static):
        return map_bytes(lambda b: fn(b, **static), x, otype)
    return op(name, tf_name, impl, host=True, differentiable=False)


def run(o, t: Tensor, **static):
    return execute(o, (t,), tuple(sorted(static.items())), static)


def ragged_map(x, fn):
    """Applies a Tensor -> Tensor string function to the flat values of a RaggedTensor."""
    return x.with_flat_values(fn(x.flat_values))


def new_string(arr) -> Tensor:
    return make_string(np.asarray(arr, dtype=object))

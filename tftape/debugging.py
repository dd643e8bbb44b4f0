"""``tf.debugging``: assertions (eager checks, or checks at every call inside tf.function)."""
# ruff: noqa: F401
from __future__ import annotations

import numpy as np

from ._function._asserts import compare as _compare, unary as _unary
from ._function.ops import Assert as Assert, ensure_shape as _ensure_shape


def assert_equal(x, y, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless ``x == y`` element-wise.

    >>> import tftape as tf
    >>> tf.debugging.assert_equal(tf.constant([1, 2]), [1, 2])
    """
    return _compare("equal", x, y, None, summarize, message)


def assert_none_equal(x, y, summarize=None, message=None, name=None):
    return _compare("not_equal", x, y, None, summarize, message)


def assert_less(x, y, message=None, summarize=None, name=None):
    return _compare("less", x, y, None, summarize, message)


def assert_less_equal(x, y, message=None, summarize=None, name=None):
    return _compare("less_equal", x, y, None, summarize, message)


def assert_greater(x, y, message=None, summarize=None, name=None):
    return _compare("greater", x, y, None, summarize, message)


def assert_greater_equal(x, y, message=None, summarize=None, name=None):
    return _compare("greater_equal", x, y, None, summarize, message)


def assert_positive(x, message=None, summarize=None, name=None):
    return _unary("less", "> 0", x, True, None, summarize, message)


def assert_negative(x, message=None, summarize=None, name=None):
    return _unary("less", "< 0", x, False, None, summarize, message)


def assert_non_negative(x, message=None, summarize=None, name=None):
    return _unary("less_equal", ">= 0", x, True, None, summarize, message)


def assert_non_positive(x, message=None, summarize=None, name=None):
    return _unary("less_equal", "<= 0", x, False, None, summarize, message)


def _t(x):
    from ._core.convert import convert_to_tensor
    if getattr(type(x), "_is_tf_variable", False):
        return x.read_value()
    return convert_to_tensor(x)


def assert_rank(x, rank, message=None, name=None):
    """Raises ValueError unless ``x`` has rank ``rank``."""
    t = _t(x)
    r = int(_t(rank).numpy())
    if t.ndim != r:
        prefix = f"{message}.  " if message else ""
        raise ValueError(f"{prefix}Tensor  must have rank {r}.  Received rank {t.ndim}, shape "
                         f"{t.shape}")


def assert_rank_at_least(x, rank, message=None, name=None):
    t = _t(x)
    r = int(_t(rank).numpy())
    if t.ndim < r:
        prefix = f"{message}.  " if message else ""
        raise ValueError(f"{prefix}Tensor  must have rank at least {r}.  Received rank "
                         f"{t.ndim}, shape {t.shape}")


def assert_type(tensor, tf_type, message=None, name=None):
    from ._core.dtypes import as_dtype
    dt = as_dtype(tf_type)
    if tensor.dtype is not dt:
        prefix = f"{message} " if message else ""
        raise TypeError(f"{prefix}tensor must be of type {dt!r}; got {tensor.dtype!r}")


def assert_scalar(tensor, message=None, name=None):
    t = _t(tensor)
    if t.ndim != 0:
        prefix = f"{message}  " if message else ""
        raise ValueError(f"{prefix}Expected scalar shape, saw shape: {t.shape}.")


def assert_shapes(shapes, data=None, summarize=None, message=None, name=None):
    """Checks each tensor's shape against symbolic dims (names must agree across tensors)."""
    sizes: dict = {}
    for x, spec in (shapes.items() if isinstance(shapes, dict) else shapes):
        t = _t(x)
        if len(spec) != t.ndim:
            raise ValueError(f"{message or ''}Specified by tensor {x!r} dimension 0. Tensor "
                             f"must have rank {len(spec)}.")
        for d, s in zip(t.shape.as_list(), spec):
            if isinstance(s, int):
                if s != d:
                    raise ValueError(f"{message or ''}Specified by tensor: wrong dimension.")
            elif s != "." and s is not None:
                if sizes.setdefault(s, d) != d:
                    raise ValueError(f"{message or ''}Specified by tensor: dimension "
                                     f"{s!r} mismatch.")


def check_numerics(tensor, message, name=None):
    """Raises InvalidArgumentError if ``tensor`` has NaN or Inf values."""
    from ._core.errors import InvalidArgumentError, kernel_error
    t = _t(tensor)
    if _traced(t):
        _check_numerics_traced(t, message)
        return t
    a = np.asarray(t._v)
    if np.isnan(a).any() or np.isinf(a).any():
        what = "NaN" if np.isnan(a).any() and not np.isinf(a).any() else \
            "Inf" if not np.isnan(a).any() else "Inf and NaN"
        raise kernel_error("CheckNumerics", f"{message} : Tensor had {what} values",
                           InvalidArgumentError, name or "")
    return t


def _traced(t) -> bool:
    import jax
    return isinstance(t._v, jax.core.Tracer)


def _check_numerics_traced(t, message):
    """CheckNumerics inside tf.function: a runtime check raised after the call."""
    import jax.numpy as jnp
    from ._core.checks import check
    from ._core.errors import InvalidArgumentError
    if not (t.dtype.is_floating or t.dtype.is_complex):
        return
    nan, inf = jnp.any(jnp.isnan(t._v)), jnp.any(jnp.isinf(t._v))

    def make_error(vals):
        what = "Inf and NaN" if vals[0] and vals[1] else "NaN" if vals[0] else "Inf"
        return InvalidArgumentError(None, None, f"{message} : Tensor had {what} values")
    check(jnp.logical_not(nan | inf), [nan, inf], make_error, "CheckNumerics", (t._v,))


def assert_all_finite(t, msg, name=None, x=None, message=None):
    return check_numerics(t if x is None else x, msg if message is None else message)


def is_numeric_tensor(tensor) -> bool:
    from ._core.tensor import Tensor
    return isinstance(tensor, Tensor) and tensor.dtype.name != "string"


def enable_check_numerics(stack_height_limit=30, path_length_limit=50):
    """Accepted for compatibility (no-op)."""


def disable_check_numerics():
    """Accepted for compatibility (no-op)."""


def set_log_device_placement(enabled):
    """Accepted for compatibility (no-op)."""


def assert_near(x, y, rtol=None, atol=None, message=None, summarize=None, name=None):
    from ._core.errors import InvalidArgumentError
    a, b = np.asarray(_t(x)), np.asarray(_t(y))
    eps = np.finfo(a.dtype).eps if a.dtype.kind == "f" else 0
    rtol = 10 * eps if rtol is None else rtol
    atol = 10 * eps if atol is None else atol
    if not np.all(np.abs(a - b) <= atol + rtol * np.abs(b)):
        raise InvalidArgumentError(None, None, f"{message or ''}\nx and y not equal to "
                                               f"tolerance rtol = {rtol}, atol = {atol}")


def ensure_shape(x, shape, name=None):
    return _ensure_shape(x, shape, name)


experimental = type("experimental", (), {
    "enable_dump_debug_info": staticmethod(lambda *a, **k: None),
    "disable_dump_debug_info": staticmethod(lambda *a, **k: None)})

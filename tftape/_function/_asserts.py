"""``tf.debugging.assert_*``: eager checks with TF's messages, runtime checks when traced."""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from .._core.convert import convert_to_tensor
from .._core.errors import InvalidArgumentError
from .._core.tensor import Tensor

_OPS = {"equal": ("==", jnp.equal), "not_equal": ("!=", jnp.not_equal),
        "less": ("<", jnp.less), "less_equal": ("<=", jnp.less_equal),
        "greater": (">", jnp.greater), "greater_equal": (">=", jnp.greater_equal)}


def _t(x, dtype=None):
    if getattr(type(x), "_is_tf_variable", False):
        return x.read_value()
    return x if isinstance(x, Tensor) else convert_to_tensor(x, dtype_hint=dtype)


def _symbolic(t) -> bool:
    return isinstance(t._v, jax.core.Tracer)


def _vals(a, n=3):
    """A tensor's first ``n`` values as TF's graph-mode Assert prints them."""
    flat = np.asarray(a).reshape(-1)
    more = "..." if flat.size > n else ""
    return "[" + " ".join(_num(x) for x in flat[:n]) + more + "]"


def _num(x) -> str:
    # TF's kernels print numbers as C++ does: %g for float32, round-trip digits for float64.
    if isinstance(x, (np.floating, float)):
        if np.asarray(x).dtype == np.float64:
            t = "%.15g" % x
            return t if float(t) == x else "%.17g" % x
        return "%g" % x
    return str(x)


def _pretty(d, summarize):
    if isinstance(d, Tensor):
        arr = d.numpy()
        if np.isscalar(arr):
            return str(arr)
        flat = arr.reshape(-1)
        lst = [str(x) for x in flat[:summarize]]
        if len(lst) < flat.size:
            lst.append("...")
        return str(lst)
    return str(d)


def _raise(data, summarize):
    raise InvalidArgumentError(None, None, "\n".join(_pretty(d, summarize) for d in data))


def compare(kind, x, y, data=None, summarize=None, message=None, unary=None):
    """The binary asserts; ``unary`` = (text, x) rewrites the message as TF's unary asserts."""
    sym, fn = _OPS[kind]
    x = _t(x)
    y = _t(y, x.dtype)
    if unary is None and y.dtype is not x.dtype:
        from .._core.registry import REGISTRY, dtype_error
        raise dtype_error(REGISTRY.get("equal") or _FakeOp("Equal"), 1, x.dtype, y.dtype)
    _check_broadcast(kind, x, y)
    test = fn(x._v, y._v)
    if _symbolic(x) or _symbolic(y):
        from ._capture import add_check

        def make_error(vals):
            xv, yv = vals
            text = [message] if message else []
            if unary is not None:
                text = [message or ""]   # TF's unary asserts always show the message
                text += [f"Condition x {unary[0]} did not hold element-wise:", "x = ",
                         _vals(xv if unary[1] is x else yv)]
            else:
                text += [f"Condition x {sym} y did not hold element-wise:", "x = ",
                         _vals(xv), "y = ", _vals(yv)]
            return InvalidArgumentError(None, None, "assertion failed: " + " ".join(
                t if t.startswith("[") and t.endswith("]") and t != "[]" else f"[{t}]"
                for t in text))
        add_check(jnp.all(test), [x._v, y._v], make_error)
        return None
    ok = bool(np.all(np.asarray(test)))
    if ok:
        return None
    summarize = 3 if summarize is None else (10 ** 9 if summarize < 0 else summarize)
    if data is None and unary is not None:
        t = unary[1]
        data = [message or "", f"Condition x {unary[0]} did not hold element-wise:",
                f"x (shape={t.shape} dtype={t.dtype.name}) = ", t]
        message = None
    if data is None:
        data = _msg_data(sym, x, y, summarize, np.asarray(test))
    if message is not None:
        data = [message] + list(data)
    _raise(data, summarize)


def _check_broadcast(kind, x, y):
    """Shapes that do not broadcast fail in the comparison op itself, as in TF (the assert
    runs ``tf.math.equal`` and friends first): that op's error, not a message of the assert."""
    xs, ys = tuple(x._v.shape), tuple(y._v.shape)
    if not all(type(d) is int for d in xs + ys):
        return
    try:
        np.broadcast_shapes(xs, ys)
    except ValueError:
        from .._ops import comparison_ops
        getattr(comparison_ops, kind)(x, y)
        raise


class _FakeOp:
    def __init__(self, n):
        self.tf_name = n


def _msg_data(sym, x, y, summarize, test):
    data = [f"Condition x {sym} y did not hold."]
    if summarize > 0:
        xa, ya = np.asarray(x.numpy()), np.asarray(y.numpy())
        if x.shape == y.shape and x.shape.as_list():
            mask = ~test
            idx = np.argwhere(mask)
            n = min(summarize, idx.shape[0])
            data += [f"Indices of first {n} different values:", idx[:n],
                     "Corresponding x values:", xa[mask].reshape(-1)[:n],
                     "Corresponding y values:", ya[mask].reshape(-1)[:n]]
        xf, yf = xa.reshape(-1), ya.reshape(-1)
        nx, ny = min(xf.size, summarize), min(yf.size, summarize)
        data += [f"First {nx} elements of x:", xf[:nx], f"First {ny} elements of y:", yf[:ny]]
    return data


def unary(kind, sym_text, x, zero_on_left, data=None, summarize=None, message=None):
    x = _t(x)
    zero = convert_to_tensor(0, dtype=x.dtype)
    a, b = (zero, x) if zero_on_left else (x, zero)
    return compare(kind, a, b, data, summarize, message, unary=(sym_text, x))

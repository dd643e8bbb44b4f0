"""``tf.print`` (to stderr by default, as TF)."""
from __future__ import annotations

import sys

import numpy as np

from .._core import dtypes as _d
from .._core.tensor import Tensor


def _fmt_array(a, summarize):
    if a.dtype == object:
        a = np.vectorize(lambda b: b.decode("utf-8", "replace") if isinstance(b, bytes) else b,
                         otypes=[object])(a) if a.size else a
        with np.printoptions(threshold=summarize * 2 if summarize > 0 else sys.maxsize,
                             edgeitems=summarize if summarize > 0 else 3,
                             formatter={"object": lambda x: '"%s"' % x}):
            return np.array2string(a, separator=" ") if a.ndim else str(a.item())
    if a.ndim == 0:
        return str(a.item()) if a.dtype != np.bool_ else str(bool(a)).lower()
    opts = dict(threshold=summarize * 2 if summarize > 0 else sys.maxsize,
                edgeitems=summarize if summarize > 0 else 3, separator=" ")
    if a.dtype == np.bool_:
        return np.array2string(a, formatter={"bool": lambda b: str(b).lower()}, **opts)
    return np.array2string(a, **opts)


def format_value(x, summarize=3) -> str:
    if isinstance(x, Tensor) or getattr(type(x), "_is_tf_variable", False):
        t = x.read_value() if not isinstance(x, Tensor) else x
        return _fmt_array(np.asarray(t.numpy() if t.dtype is not _d.string else t._v), summarize)
    if hasattr(x, "_tf_print_text"):
        return x._tf_print_text(summarize)
    if isinstance(x, (list, tuple)):
        inner = ", ".join(format_value(i, summarize) for i in x)
        return f"[{inner}]" if isinstance(x, list) else f"({inner})"
    if isinstance(x, dict):
        return "{" + ", ".join(f"{k!r}: {format_value(v, summarize)}" for k, v in x.items()) + "}"
    return str(x)


def print_(*inputs, output_stream=None, summarize=3, sep=" ", end="\n", name=None):
    """Prints tensors and Python values (``tf.print``); inside tf.function, at every call."""
    from .._core.registry import STATE
    if STATE.tracing:
        from .._function.function import defer_print
        return defer_print(inputs, output_stream, summarize, sep, end)
    text = sep.join(format_value(x, summarize) for x in inputs) + end
    stream = output_stream if output_stream is not None else sys.stderr
    if isinstance(stream, str):
        stream = {"stdout": sys.stdout, "stderr": sys.stderr}.get(stream, sys.stderr)
    if hasattr(stream, "write"):
        stream.write(text)
    elif callable(stream):
        stream(text.rstrip("\n"))
    return None

"""``tf.print`` (to stderr by default, as TF)."""
from __future__ import annotations

import sys

import jax
import numpy as np

from .._core import dtypes as _d
from .._core import nest as _nest
from .._core.tensor import Tensor, make


def _fmt_float(x, dtype) -> str:
    """TF's float text: the shorter precision when it round-trips, else the longer one."""
    if np.isnan(x):
        return "nan"
    if np.isinf(x):
        return "inf" if x > 0 else "-inf"
    if dtype == np.float64:
        short = "%.15g" % x
        return short if float(short) == x else "%.17g" % x
    if dtype == np.float32:
        short = "%.6g" % x
        return short if np.float32(short) == np.float32(x) else "%.9g" % x
    return "%.9g" % float(x)  # half and bfloat16 are widened to float first


def _fmt_scalar(x, dtype) -> str:
    if dtype == object:
        return '"%s"' % (x.decode("utf-8", "replace") if isinstance(x, bytes) else x)
    if dtype == np.bool_:
        return "1" if x else "0"
    if dtype.kind == "c":
        return "?"
    if dtype.kind == "f" or dtype.name == "bfloat16":
        return _fmt_float(x, dtype)
    return str(int(x))


def _fmt_array(a, summarize, depth=0):
    """TF's SummarizeValue layout: no padding, ``...`` past ``summarize`` items per dim."""
    if a.ndim == 0:
        return _fmt_scalar(a[()], a.dtype)
    n = a.shape[0]
    idx = list(range(n))
    if 0 < summarize < n and n > 2 * summarize:
        idx = idx[:summarize] + [None] + idx[-summarize:]
    if a.ndim == 1:
        return "[" + " ".join("..." if i is None else _fmt_scalar(a[i], a.dtype)
                              for i in idx) + "]"
    sep = "\n" * (a.ndim - 1) + " " * (depth + 1)
    return "[" + sep.join("..." if i is None else _fmt_array(a[i], summarize, depth + 1)
                          for i in idx) + "]"


def format_value(x, summarize=3) -> str:
    if isinstance(x, Tensor) or getattr(type(x), "_is_tf_variable", False):
        t = x.read_value() if not isinstance(x, Tensor) else x
        return _fmt_array(np.asarray(t.numpy() if t.dtype is not _d.string else t._v),
                          summarize)
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
        return defer_print(inputs, output_stream, summarize, sep, end)
    stream = output_stream if output_stream is not None else sys.stderr
    if not (stream is sys.stdout or stream is sys.stderr or callable(stream) or
            (isinstance(stream, str) and stream.startswith("file://"))):
        raise ValueError(f"Unsupported output stream, logging level, or file.{stream}. Supported "
                         f"streams are sys.stdout, sys.stderr, tf.logging.info, "
                         f"tf.logging.warning, tf.logging.error. File needs to be in the form of "
                         f"'file://<filepath>'.")
    x0 = inputs[0] if len(inputs) == 1 else None
    if isinstance(x0, Tensor) and x0.dtype is _d.string and x0.ndim == 0:
        # A lone string scalar is printed raw, without quotes (as TF).
        text = x0.numpy().decode("utf-8", "replace") + end
    else:
        text = sep.join(format_value(x, summarize) for x in inputs) + end
    if isinstance(stream, str):
        with open(stream[len("file://"):], "a") as f:
            f.write(text)
    elif callable(stream):
        stream(text.rstrip("\n"))
    else:
        stream.write(text)
    return None


# -- tf.print inside a trace ---------------------------------------------------------------
def defer_print(inputs, output_stream, summarize, sep, end):
    """``tf.print`` inside a traced function: prints at every call (``jax.debug.callback``)."""
    leaves = _nest.flatten(list(inputs))
    vals, dtypes, slots = [], [], []
    for x in leaves:
        if getattr(type(x), "_is_tf_variable", False):
            x = x.read_value()
        if isinstance(x, Tensor) and x._dtype is not _d.string and not _is_concrete_host(x):
            slots.append(len(vals))
            vals.append(x._v)
            dtypes.append(x._dtype)
        else:
            slots.append(None)

    def emit(*arrays):
        import jax.numpy as jnp
        flat = []
        for x, s in zip(leaves, slots):
            if s is None:
                flat.append(x)
            else:
                flat.append(make(jnp.asarray(arrays[s]), dtypes[s]))
        items = _nest.pack_sequence_as(list(inputs), flat)
        text = sep.join(format_value(x, summarize) for x in items) + end
        stream = output_stream if output_stream is not None else sys.stderr
        if isinstance(stream, str):
            stream = {"stdout": sys.stdout, "stderr": sys.stderr}.get(stream, sys.stderr)
        if hasattr(stream, "write"):
            stream.write(text)
        elif callable(stream):
            stream(text.rstrip("\n"))

    jax.debug.callback(emit, *vals, ordered=True)
    return None


def _is_concrete_host(t) -> bool:
    return not isinstance(t._v, jax.core.Tracer)

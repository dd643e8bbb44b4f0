"""Runtime checks inside compiled code: how an op's argument check reaches the caller.

Eagerly an op checks its arguments on the host and raises at once. Inside a traced region (a
``tf.function`` body) its arguments are tracers, so the op registers a *check* instead: a
boolean ``ok`` and a few small data arrays for the message. The compiled program returns them
beside its outputs and the caller raises TF's error after the call (``_function._checks``).
A program without checks gets no extra outputs.
"""
from __future__ import annotations

import os
import sys

# The registration function of the innermost traced region, installed by
# ``_function._capture`` (this layer cannot import it): ``sink(ok, data, make_error, info)``.
SINK: list = [None]

_PKG = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Info:
    """What a check knows beside its flag: the node it guards and how failing affects state.

    ``guards`` are the op's outputs (what ops after it depend on), ``resource`` the variable
    handle(s) the op reads (TF orders later updates of them after the op; once registered,
    ``[(handle, its value then)]``), ``stack`` the user's
    frames at trace time for TF's ``Detected at node ... defined at`` framing.
    """

    __slots__ = ("node", "guards", "resource", "stack")

    def __init__(self, node, guards, resource, stack):
        self.node = node
        self.guards = guards
        self.resource = resource
        self.stack = stack


def check(ok, data, make_error, node=None, guards=(), resource=None):
    """Registers a runtime check with the region being traced; returns its Info, or None.

    Args:
      ok: a boolean scalar array, True when the op's arguments are valid.
      data: small arrays the error message needs (e.g. the first bad index).
      make_error: ``make_error(host_data) -> OpError`` builds the exception (unframed).
      node: the TF node name the error names (``GatherV2``); None leaves it unframed.
      guards: the op's output arrays.
      resource: the variable handle the op reads, if any.
    """
    sink = SINK[0]
    if sink is None:
        return None
    info = Info(node, tuple(guards), resource, user_stack() if node else ())
    return info if sink(ok, list(data), make_error, info) else None


def user_stack() -> tuple:
    """The caller's frames outside tftape and JAX, outermost first: (file, line, function)."""
    out = []
    f = sys._getframe(1)
    while f is not None:
        fn = f.f_code.co_filename
        if not (fn.startswith(_PKG) or f"{os.sep}jax{os.sep}" in fn or
                f"{os.sep}jaxlib{os.sep}" in fn):
            out.append([fn, f.f_lineno, f.f_code.co_name])
        f = f.f_back
    out.reverse()
    # A block AutoGraph converted (a loop body) is named after the function it is in, as TF.
    for k in range(len(out) - 1, 0, -1):
        if out[k][2].startswith("ag__"):
            outer = next((o for o in reversed(out[:k]) if not o[2].startswith("ag__")), None)
            if outer is not None:
                out[k][2] = outer[2]
    return tuple(tuple(o) for o in out)


def framed(err, info, function_name: str):
    """``err`` as TF reports an op failing inside a function ("Graph execution error: ...")."""
    if info is None or info.node is None:
        return err
    frames = "".join(f'  File "{f}", line {n}, in {name}\n\n' for f, n, name in info.stack)
    text = (f"Graph execution error:\n\nDetected at node {info.node} defined at (most recent "
            f"call last):\n{frames}{err.message}\n\t [[{{{{node {info.node}}}}}]] "
            f"[Op:{function_name}]")
    return type(err)(None, None, text)


def first_bad(bad):
    """``(flat position of the first True in bad, any True)`` for a traced boolean array."""
    import jax.numpy as jnp
    flat = bad.reshape(-1)
    if flat.size == 0:
        return jnp.zeros((), jnp.int32), jnp.zeros((), bool)
    return jnp.argmax(flat).astype(jnp.int32), jnp.any(flat)

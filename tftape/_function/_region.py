"""Traced sub-regions (branches, loop bodies) with Variable state threaded through them.

Shared by ``tf.cond``/``tf.switch_case`` (``lax.switch``), ``tf.while_loop``
(``lax.while_loop``) and ``tf.scan``/``tf.map_fn`` (``lax.scan``).
"""
from __future__ import annotations

import jax

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._core.tensor import Tensor, make
from .._autodiff import nest as _nest
from . import _capture


class EagerOnly(Exception):
    """This region cannot be expressed with ``lax`` control flow; the tf.function runs eagerly."""


def is_symbolic(x) -> bool:
    return isinstance(getattr(x, "_v", None), jax.core.Tracer)


def to_tensor(x) -> Tensor:
    if isinstance(x, Tensor):
        return x
    if getattr(type(x), "_is_tf_variable", False):
        return x.read_value()
    return convert_to_tensor(x)


class Structure:
    """A nested structure of Tensors (and static leaves) and its flat array view."""

    def __init__(self, value, convert=True):
        self.value = value
        self.nested = _nest.is_nested(value)
        leaves = _nest.flatten(value) if self.nested else [value]
        self.kinds = []      # per leaf: dtype (traced) or ("static", value)
        self.arrays = []
        for x in leaves:
            if x is None or (not convert and not isinstance(x, Tensor)
                             and not getattr(type(x), "_is_tf_variable", False)):
                self.kinds.append(("static", x))
                continue
            try:
                t = to_tensor(x)
            except (TypeError, ValueError):
                self.kinds.append(("static", x))
                continue
            if t._dtype is _d.string:
                raise EagerOnly("string values in control flow")
            self.kinds.append(t._dtype)
            self.arrays.append(t._v)

    @property
    def dtypes(self):
        return [k for k in self.kinds if type(k) is not tuple]

    def avals(self):
        return [jax.core.ShapedArray(tuple(a.shape), a.dtype) for a in self.arrays]

    def signature(self):
        return tuple(("s", k[1]) if type(k) is tuple else (k, tuple(a.shape))
                     for k, a in zip(self.kinds, self._arrays_aligned()))

    def _arrays_aligned(self):
        it = iter(self.arrays)
        return [None if type(k) is tuple else next(it) for k in self.kinds]

    def rebuild(self, arrays):
        it = iter(arrays)
        leaves = [k[1] if type(k) is tuple else make(next(it), k) for k in self.kinds]
        return _nest.pack_sequence_as(self.value, leaves) if self.nested else leaves[0]


class Region:
    """One traced region: a jaxpr over (explicit inputs, captured variables)."""

    def __init__(self, fn, in_avals, convert_outputs=True):
        info = {}

        def body(*vals):
            out = fn(*vals)
            s = Structure(out, convert=convert_outputs)
            info["out"] = s
            return s.arrays
        self.traced = _capture.trace_region(body, in_avals, allow_creation=False)
        self.out: Structure = info["out"]
        self.fun = _capture.as_fun(self.traced)
        self.captured = [v for v, _ in self.traced.captured]
        self.assigned = self.traced.assigned
        self.n_out = len(self.traced.out_avals)

    def out_avals(self):
        return self.traced.out_avals


def read_vars(variables):
    """Current values of ``variables`` in the enclosing region (captured there if needed)."""
    return [v._value for v in variables]


def write_vars(variables, values):
    for v, x in zip(variables, values):
        v._value = x


def union(*lists):
    seen = {}
    for lst in lists:
        for v in lst:
            seen.setdefault(id(v), v)
    return list(seen.values())


def check_same(structs, what):
    """TF requires every branch to return the same structure and dtypes."""
    first = structs[0]
    for s in structs[1:]:
        if first.nested != s.nested or len(s.kinds) != len(first.kinds):
            raise_mismatch(first, s, what)
        for a, b in zip(first.kinds, s.kinds):
            if (type(a) is tuple) != (type(b) is tuple) or (type(a) is not tuple and a is not b):
                raise_mismatch(first, s, what)


def raise_mismatch(a, b, what):
    """``what`` is e.g. ("true_fn", "false_fn", "tf.cond")."""
    n1, n2, op = what
    raise TypeError(f"{n1} and {n2} arguments to {op} must have the same number, type, and "
                    f"overall structure of return values.\n\n{n1} output: {a.value}\n"
                    f"{n2} output: {b.value}\n\nError details:\nThe two structures don't "
                    f"have the same nested structure.")

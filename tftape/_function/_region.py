"""Traced sub-regions (branches, loop bodies) with Variable state threaded through them.

Shared by ``tf.cond``/``tf.switch_case`` (``lax.switch``), ``tf.while_loop``
(``lax.while_loop``) and ``tf.scan``/``tf.map_fn`` (``lax.scan``).
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._core.tensor import Tensor, make
from .._core import nest as _nest
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


def flatten_composites(leaves):
    """Expands ``__tf_flatten__`` composites (RaggedTensor, TensorArray inside tf.function, ...)
    into their components; returns (flat leaves, rebuild recipe)."""
    out = []
    recipe = []
    for x in leaves:
        if x is not None and not isinstance(x, Tensor) and hasattr(x, "__tf_flatten__"):
            meta, comps = x.__tf_flatten__()
            sub, sub_recipe = flatten_composites(list(comps))
            recipe.append(("C", type(x), meta, len(out), len(sub), sub_recipe))
            out.extend(sub)
        else:
            recipe.append(("L", len(out)))
            out.append(x)
    return out, recipe


def unflatten_composites(flat, recipe):
    res = []
    for r in recipe:
        if r[0] == "L":
            res.append(flat[r[1]])
        else:
            _, cls, meta, start, n, sub_recipe = r
            comps = unflatten_composites(flat[start:start + n], sub_recipe)
            res.append(cls.__tf_unflatten__(meta, tuple(comps)))
    return res


def _recipe_key(recipe):
    """The composite types and static metadata of a recipe (None where there are none)."""
    if all(r[0] == "L" for r in recipe):
        return None
    return tuple(("L",) if r[0] == "L" else (r[1], r[2], r[4], _recipe_key(r[5]))
                 for r in recipe)


def flat_count(value) -> int:
    """How many flat leaves ``value`` has once composites are expanded."""
    leaves = _nest.flatten(value) if _nest.is_nested(value) else [value]
    return len(flatten_composites(leaves)[0])


class Structure:
    """A nested structure of Tensors, composites (expanded into their components) and static
    leaves, and its flat array view."""

    def __init__(self, value, convert=True):
        self.value = value
        self.nested = _nest.is_nested(value)
        leaves = _nest.flatten(value) if self.nested else [value]
        leaves, self.recipe = flatten_composites(leaves)
        self.kinds = []      # per flat leaf: dtype (traced) or ("static", value)
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
    def composite_key(self):
        return _recipe_key(self.recipe)

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
        flat = [k[1] if type(k) is tuple else make(next(it), k) for k in self.kinds]
        leaves = unflatten_composites(flat, self.recipe)
        return _nest.pack_sequence_as(self.value, leaves) if self.nested else leaves[0]


class Region:
    """One traced region: a jaxpr over (explicit inputs, captured variables).

    Its outputs are the ``n_out`` arrays of the Python result, then the flags and data of the
    runtime checks registered inside (``tf.debugging.assert_*``, TensorArray index checks),
    then (from ``var_base``) the final values of the variables it assigns.
    """

    def __init__(self, fn, in_avals, convert_outputs=True):
        info = {}

        def body(*vals):
            out = fn(*vals)
            s = Structure(out, convert=convert_outputs)
            info["out"] = s
            extra, checks = [], []
            for ok, data, make_error in _capture.current_scope().checks:
                extra.append(jnp.all(ok))
                extra.extend(data)
                checks.append((len(data), make_error))
            info["checks"] = checks
            info["infos"] = list(_capture.current_scope().infos)
            return s.arrays + extra
        self.traced = _capture.trace_region(body, in_avals, allow_creation=False)
        self.out: Structure = info["out"]
        self.fun = _capture.as_fun(self.traced)
        self.captured = [v for v, _ in self.traced.captured]
        self.assigned = self.traced.assigned
        self.n_out = len(self.out.arrays)
        self.checks = info["checks"]
        self.infos = info["infos"]
        self.var_base = len(self.traced.out_avals)

    def out_avals(self):
        return self.traced.out_avals[:self.n_out]

    def check_avals(self):
        return self.traced.out_avals[self.n_out:self.var_base]


# -- runtime checks made inside a region -------------------------------------------------------
# A loop carries, per check, "every step passed so far" and the data of the first failing
# step; a tf.cond returns each branch's flags (passing for the branches not taken). After the
# region runs, the enclosing scope registers them (``_capture.add_check``), so a failing check
# inside a loop body or a branch raises TF's error after the tf.function call.
def check_init(regions):
    """Initial accumulators (passing flags, zero data) for the checks of ``regions``."""
    out = []
    for r in regions:
        avals = r.check_avals()
        k = 0
        for n_data, _ in r.checks:
            out.append(jnp.ones((), bool))
            out.extend(jnp.zeros(a.shape, a.dtype) for a in avals[k + 1:k + 1 + n_data])
            k += 1 + n_data
    return out


def check_step(r, outs, acc):
    """The accumulators after one step of region ``r`` whose outputs are ``outs``."""
    new = []
    pos, k = r.n_out, 0
    for n_data, _ in r.checks:
        ok_acc, ok = acc[k], outs[pos]
        first = jnp.logical_and(ok_acc, jnp.logical_not(ok))
        new.append(jnp.logical_and(ok_acc, ok))
        for d in range(n_data):
            new.append(jnp.where(first, outs[pos + 1 + d], acc[k + 1 + d]))
        pos += 1 + n_data
        k += 1 + n_data
    return new


def all_passed(r, acc):
    """Whether every check of region ``r`` passed, from its accumulators ``acc``."""
    flags, k = [], 0
    for n_data, _ in r.checks:
        flags.append(acc[k])
        k += 1 + n_data
    return jnp.all(jnp.stack(flags)) if flags else jnp.ones((), bool)


def emit_checks(regions, values, guards=(), prefix="", variables=()):
    """Registers the checks of ``regions`` (flags and data ``values``) in the current scope.

    ``guards`` are the region op's outputs: as for TF's While or If op, what depends on them
    does not run when a check inside fails; later updates of ``variables`` (those the op
    wrote) neither. ``prefix`` is TF's name scope of the op's body.
    """
    from .._core.checks import Info
    from ._capture import add_check
    k = 0
    guards = tuple(guards)
    for r in regions:
        for (n_data, make_error), info in zip(r.checks, r.infos):
            res = [v._handle() if hasattr(v, "_handle") else v for v in variables] or None
            outer = Info(None, guards, res, ()) if info is None else \
                Info(None if info.node is None else prefix + info.node, guards, res, info.stack)
            add_check(values[k], list(values[k + 1:k + 1 + n_data]), make_error, info=outer)
            k += 1 + n_data


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
        if s.composite_key != first.composite_key:
            if _tensor_arrays_differ(first.composite_key, s.composite_key):
                raise EagerOnly("branches return TensorArrays of different sizes or shapes")
            raise_mismatch(first, s, what)
        for a, b in zip(first.kinds, s.kinds):
            if (type(a) is tuple) != (type(b) is tuple) or (type(a) is not tuple and a is not b):
                raise_mismatch(first, s, what)


def _tensor_arrays_differ(a, b) -> bool:
    """Both keys have TensorArrays at the same places (their sizes or shapes differ)."""
    if a is None or b is None or len(a) != len(b):
        return False
    return all(x == y or (x[0] is y[0] and getattr(x[0], "__name__", "") == "TensorArray")
               for x, y in zip(a, b))


def raise_mismatch(a, b, what):
    """``what`` is e.g. ("true_fn", "false_fn", "tf.cond")."""
    n1, n2, op = what
    raise TypeError(f"{n1} and {n2} arguments to {op} must have the same number, type, and "
                    f"overall structure of return values.\n\n{n1} output: {a.value}\n"
                    f"{n2} output: {b.value}\n\nError details:\nThe two structures don't "
                    f"have the same nested structure.")

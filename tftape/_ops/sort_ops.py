"""Sorting and searching: sort, argsort, top_k, unique, searchsorted."""
from __future__ import annotations

import numpy as np
import jax
import jax.numpy as jnp
from jax import lax

from .._core import dtypes as _d
from .._core.convert import to_static
from .._core.errors import kernel_error
from .._core.registry import check_dtype, convert_inputs, execute, op
from .._core.tensor import Tensor, make, make_string, vshape
from ._util import REAL, host, tensor


# -- sorting and searching ---------------------------------------------------------------------
def _sort_impl(x, axis, descending):
    if descending:
        return -jnp.sort(-x, axis=axis) if jnp.issubdtype(x.dtype, jnp.floating) or \
            jnp.issubdtype(x.dtype, jnp.signedinteger) else jnp.flip(jnp.sort(x, axis), axis)
    return jnp.sort(x, axis=axis)


_sort = op("sort", "Sort", _sort_impl, dtypes=REAL)
_argsort = op("argsort", "ArgSort", lambda x, axis, descending, stable: (
    jnp.argsort(-x if descending else x, axis=axis, stable=True).astype(jnp.int32)),
    dtypes=REAL, differentiable=False)


def sort(values, axis=-1, direction="ASCENDING", name=None) -> Tensor:
    """Sorts along ``axis``."""
    t = tensor(values)
    check_dtype(_sort, t)
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ValueError(f"Argument `direction` should be one of ASCENDING, DESCENDING. "
                         f"Received: direction={direction}")
    ax = int(axis) % max(t.ndim, 1)
    return execute(_sort, (t,), (ax, direction == "DESCENDING"),
                   {"axis": ax, "descending": direction == "DESCENDING"})


def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None) -> Tensor:
    """The indices that sort ``values`` along ``axis`` (int32)."""
    t = tensor(values)
    check_dtype(_argsort, t)
    ax = int(axis) % max(t.ndim, 1)
    d = direction == "DESCENDING"
    return execute(_argsort, (t,), (ax, d, bool(stable)),
                   {"axis": ax, "descending": d, "stable": bool(stable)})


_top_k = op("top_k", "TopKV2", lambda x, k, sorted: lax.top_k(x, k), dtypes=REAL)


def top_k(input, k=1, sorted=True, index_type=_d.int32, name=None):  # noqa: A002
    """The ``k`` largest values of the last dimension and their indices."""
    t = tensor(input)
    kk = int(to_static(k))
    if kk < 0:
        raise kernel_error("TopKV2", f"Need k >= 0, got {kk}")
    if t.ndim == 0 or vshape(t)[-1] < kk:
        raise kernel_error("TopKV2", f"input must have at least k columns. Had "
                                     f"{vshape(t)[-1] if t.ndim else 0}, needed {kk}")
    vals, idx = execute(_top_k, (t,), (kk, True), {"k": kk, "sorted": True})
    from .cast_ops import cast
    return TopKV2(vals, cast(idx, index_type))


from collections import namedtuple as _nt  # noqa: E402
TopKV2 = _nt("TopKV2", ["values", "indices"])
UniqueOutput = _nt("Unique", ["y", "idx"])


def unique(x, out_idx=_d.int32, name=None):
    """Unique elements in order of first appearance, and each element's index into them."""
    t = tensor(x)
    if t.ndim != 1:
        raise kernel_error("Unique", "unique expects a 1D vector.")
    v = t.numpy() if t.dtype is _d.string else host(t)
    _, first, inv = np.unique(v, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank_ = np.empty_like(order)
    rank_[order] = np.arange(len(order))
    y = v[np.sort(first)]
    idx = rank_[inv.reshape(-1)].astype(_d.as_dtype(out_idx)._np)
    yt = make_string(np.asarray(y, dtype=object)) if t.dtype is _d.string else \
        make(jnp.asarray(y), t.dtype)
    return UniqueOutput(yt, make(jnp.asarray(idx), _d.as_dtype(out_idx)))


def _searchsorted_impl(s, v, side, out):
    flat_s = s.reshape(-1, s.shape[-1])
    flat_v = v.reshape(-1, v.shape[-1])
    r = jax.vmap(lambda a, b: jnp.searchsorted(a, b, side=side))(flat_s, flat_v)
    return r.reshape(v.shape).astype(out)


_searchsorted = op("searchsorted", "LowerBound", _searchsorted_impl, dtypes=REAL,
                   differentiable=False)


def searchsorted(sorted_sequence, values, side="left", out_type=_d.int32, name=None) -> Tensor:
    """Indices where ``values`` would be inserted to keep the innermost dimension sorted."""
    s, v = convert_inputs(_searchsorted, (sorted_sequence, values))
    out = _d.as_dtype(out_type)._np
    return execute(_searchsorted, (s, v), (side, out), {"side": side, "out": out})

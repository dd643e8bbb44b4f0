"""Segment reductions, sorted and unsorted."""
from __future__ import annotations

import numpy as np
import jax
import jax.numpy as jnp

from .._core.errors import kernel_error
from .._core.registry import execute, op
from .._core.tensor import vshape
from ._util import NUMERIC, fmt_shape, host, tensor


# -- segments ----------------------------------------------------------------------------------
def _seg_impl(kind):
    def impl(data, ids, num_segments):
        if kind == "sum":
            return jax.ops.segment_sum(data, ids, num_segments)
        if kind == "prod":
            return jax.ops.segment_prod(data, ids, num_segments)
        if kind in ("max", "min"):
            fn = jax.ops.segment_max if kind == "max" else jax.ops.segment_min
            r = fn(data, ids, num_segments)
            if jnp.issubdtype(data.dtype, jnp.floating):
                # Note: TF fills empty segments with the lowest/highest finite value, not inf.
                info = jnp.finfo(data.dtype)
                cnt = jax.ops.segment_sum(jnp.ones(ids.shape, jnp.int32), ids, num_segments)
                empty = (cnt == 0).reshape(cnt.shape + (1,) * (r.ndim - cnt.ndim))
                r = jnp.where(empty, info.min if kind == "max" else info.max, r)
            return r
        s = jax.ops.segment_sum(data, ids, num_segments)
        c = jax.ops.segment_sum(jnp.ones(ids.shape, data.dtype), ids, num_segments)
        c = c.reshape(c.shape + (1,) * (data.ndim - 1))
        return s / jnp.maximum(c, 1)
    return impl


_SEG_OPS = {k: op(f"segment_{k}", f"Segment{k.capitalize()}", _seg_impl(k), dtypes=NUMERIC)
            for k in ("sum", "mean", "max", "min", "prod")}
_USEG_OPS = {k: op(f"unsorted_segment_{k}", f"UnsortedSegment{k.capitalize()}", _seg_impl(k),
                   dtypes=NUMERIC) for k in ("sum", "mean", "max", "min", "prod")}


def _segment(kind, sorted_ids: bool):
    def f(data, segment_ids, num_segments=None, name=None):
        d = tensor(data)
        ids = tensor(segment_ids)
        o = (_SEG_OPS if sorted_ids else _USEG_OPS)[kind]
        ids_np = host(ids)
        if sorted_ids:
            if ids.ndim != 1 or ids_np.shape[0] != (vshape(d)[0] if d.ndim else 1):
                raise kernel_error(o.tf_name, "segment_ids should be the same size as dimension 0 "
                                              "of input.", name=None)
            n = int(ids_np.max()) + 1 if ids_np.size else 0
            if ids_np.size and np.any(np.diff(ids_np) < 0):
                raise kernel_error(o.tf_name, "segment ids are not increasing", name=None)
            if ids_np.size and ids_np.min() < 0:
                raise kernel_error(o.tf_name, f"Segment id {int(ids_np.min())} out of range [0, "
                                              f"{n}), possibly because 'segment_ids' input is "
                                              f"not sorted.", name=None)
        else:
            n = int(host(tensor(num_segments)))
            if vshape(d)[:ids.ndim] != ids_np.shape:
                raise kernel_error(o.tf_name, f"data.shape = {fmt_shape(vshape(d))} does not "
                                              f"start with segment_ids.shape = "
                                              f"{fmt_shape(ids_np.shape)}", name=None)
            bad = (ids_np >= n) | (ids_np < 0) if kind != "sum" else ids_np >= n
            if bad.any():
                pos = int(np.argmax(bad.reshape(-1)))
                raise kernel_error(o.tf_name, f"segment_ids[{pos}] = "
                                              f"{int(ids_np.reshape(-1)[pos])} is out of range "
                                              f"[0, {n})", name=None)
        if ids.ndim > 1:
            # Several id dimensions index the leading data dimensions together.
            from .shape_ops import reshape
            d = reshape(d, [-1] + d.shape.as_list()[ids.ndim:])
            ids = reshape(ids, [-1])
        out = execute(o, (d, ids), (n,), {"num_segments": n})
        if kind in ("max", "min") and sorted_ids:
            empty = np.bincount(ids_np.reshape(-1), minlength=n) == 0 if ids_np.size else \
                np.ones(n, bool)
            if empty.any():
                from .comparison_ops import where
                from .creation_ops import zeros_like
                mask = tensor(empty.reshape((n,) + (1,) * (d.ndim - 1)))
                out = where(mask, zeros_like(out), out)
        return out
    f.__name__ = f.__qualname__ = ("segment_" if sorted_ids else "unsorted_segment_") + kind
    f.__doc__ = f"Segment {kind} of ``data`` by ``segment_ids``."
    return f


segment_sum = _segment("sum", True)
segment_mean = _segment("mean", True)
segment_max = _segment("max", True)
segment_min = _segment("min", True)
segment_prod = _segment("prod", True)
unsorted_segment_sum = _segment("sum", False)
unsorted_segment_mean = _segment("mean", False)
unsorted_segment_max = _segment("max", False)
unsorted_segment_min = _segment("min", False)
unsorted_segment_prod = _segment("prod", False)

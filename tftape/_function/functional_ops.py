"""``tf.map_fn``, ``tf.scan``, ``tf.foldl``, ``tf.foldr`` and ``tf.vectorized_map``.

Eagerly they loop in Python over the first dimension. Inside a tf.function the function is
traced once and run with ``lax.scan`` (Variables it assigns ride along in the carry);
``vectorized_map`` is ``jax.vmap`` (falling back to ``map_fn`` where an op cannot batch).
"""
from __future__ import annotations

import jax

from .._core import dtypes as _d
from .._core.registry import STATE, tracing_scope
from .._core import nest as _nest
from ._graph_tensor_array import is_graph_tensor_array
from ._region import (EagerOnly, Region, Structure, check_init, check_step, emit_checks,
                      flat_count, read_vars, write_vars)


def _stack_structure(results):
    """Stacks a list of equally structured outputs along a new first axis."""
    from .._ops.array_ops import stack
    first = results[0]
    nested = _nest.is_nested(first)
    flats = [_nest.flatten(r) if nested else [r] for r in results]
    cols = []
    for i in range(len(flats[0])):
        col = [f[i] for f in flats]
        cols.append(None if col[0] is None else stack(col))
    return _nest.pack_sequence_as(first, cols) if nested else cols[0]


def _elements(elems):
    """(structure, flat tensors, length) of ``elems``; all leaves share the first dimension."""
    s = Structure(elems)
    if not s.arrays:
        raise ValueError("elems must be a Tensor or (possibly nested) sequence of Tensors. Got "
                         f"{elems}, which does not contain any Tensors.")
    lengths = {a.shape[0] if a.ndim else None for a in s.arrays}
    if None in lengths:
        raise ValueError("Elements in elems must be 1+ dimensional Tensors, not scalars")
    if len(lengths) != 1:
        raise ValueError("All elements in elems must have the same size in the first "
                         "dimension.")
    return s, lengths.pop()


def _slice(s: Structure, i):
    return s.rebuild([a[i] for a in s.arrays])


def _slicer(elems, xs: Structure):
    """``i -> element i of elems``. Eagerly, while a GradientTape (or a forward accumulator)
    is active, the elements come from ``tf.unstack``, a recorded op, so that gradients flow
    through ``map_fn``, ``scan`` and the folds as they do in TF's eager loop."""
    st = STATE
    if st.tracing or not (st.tapes or st.accumulators) or xs.composite_key is not None:
        return lambda i: _slice(xs, i)
    from .._ops.array_ops import unstack
    leaves = _nest.flatten(elems) if xs.nested else [elems]
    cols = [None if type(k) is tuple else unstack(x) for x, k in zip(leaves, xs.kinds)]

    def element(i):
        flat = [k[1] if c is None else c[i] for c, k in zip(cols, xs.kinds)]
        return _nest.pack_sequence_as(elems, flat) if xs.nested else flat[0]
    return element


def _elem_avals(s: Structure):
    return [jax.core.ShapedArray(tuple(a.shape[1:]), a.dtype) for a in s.arrays]


def _scan_traced(fn, carry: Structure, xs: Structure, reverse=False):
    """``lax.scan`` of ``fn(carry_value, x_value) -> (carry_value, y_value)``.

    Returns (final carry arrays, stacked y arrays, y Structure).
    """
    nc = len(carry.arrays)
    info = {}

    def body(*vals):
        c = carry.rebuild(vals[:nc])
        x = xs.rebuild(vals[nc:])
        new_c, y = fn(c, x)
        info["nc_leaves"] = flat_count(new_c)
        info["y"] = y
        info["y_struct"] = Structure(y)
        return [new_c, y]

    r = Region(body, carry.avals() + _elem_avals(xs))
    kinds = r.out.kinds[:info["nc_leaves"]]
    n_carry = sum(1 for k in kinds if type(k) is not tuple)
    if n_carry != nc:
        raise ValueError("The two structures don't have the same nested structure.")
    for a, b in zip(carry.avals(), r.out_avals()[:nc]):
        if a.shape != b.shape and carry.composite_key is not None:
            # Note: a TensorArray in the carry whose size changes from step to step.
            raise EagerOnly("a TensorArray in a scan carry changes its size")
    carried = r.assigned
    inv = [v for v in r.captured if id(v) not in {id(c) for c in carried}]
    inv_vals = read_vars(inv)
    var0 = read_vars(carried)

    def step(state, x):
        c, cv, ck = state
        env = {id(v): a for v, a in zip(carried, cv)}
        env.update({id(v): a for v, a in zip(inv, inv_vals)})
        outs = r.fun(*c, *x, *[env[id(v)] for v in r.captured])
        asg = {id(v): outs[r.var_base + j] for j, v in enumerate(r.assigned)}
        new_cv = [asg.get(id(v), env[id(v)]) for v in carried]
        return (list(outs[:nc]), new_cv, check_step(r, outs, ck)), list(outs[nc:r.n_out])

    (c_final, cv_final, ck_final), ys = jax.lax.scan(
        step, (list(carry.arrays), var0, check_init([r])), list(xs.arrays), reverse=reverse)
    write_vars(carried, cv_final)
    emit_checks([r], ck_final)
    if info["y_struct"].composite_key is not None:
        raise EagerOnly("composite tensors (TensorArrays, ragged) stacked by tf.scan/map_fn")
    return c_final, ys, info["y_struct"], info["y"]


def map_fn(fn, elems, dtype=None, parallel_iterations=None, back_prop=True, swap_memory=False,
           infer_shape=True, name=None, fn_output_signature=None):
    """Applies ``fn`` to each element of ``elems`` (unstacked on axis 0) and stacks the results.

    >>> import tftape as tf
    >>> tf.map_fn(lambda x: x * 2, tf.constant([1, 2, 3]))
    <tf.Tensor: shape=(3,), dtype=int32, numpy=array([2, 4, 6], dtype=int32)>
    """
    if not callable(fn):
        raise TypeError(f"The provided function {getattr(fn, '__name__', fn)} is not callable."
                        f"fn must be callable.")
    xs, n = _elements(elems)
    if not STATE.tracing:
        if n == 0:
            return _empty_like(xs, fn_output_signature or dtype)
        element = _slicer(elems, xs)
        return _stack_structure([fn(element(i)) for i in range(n)])
    empty = Structure([])
    _, ys, y_struct, _ = _scan_traced(lambda c, x: (c, fn(x)), empty, xs)
    return y_struct.rebuild(ys)


def _empty_like(xs, signature):
    from .._core import dtypes as _d
    from .._ops.array_ops import zeros
    dt = getattr(signature, "dtype", signature)
    dt = _d.as_dtype(dt) if dt is not None else xs.dtypes[0]
    return zeros([0], dt)


def scan(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False,
         infer_shape=True, reverse=False, name=None):
    """Accumulates ``fn(acc, x)`` over ``elems``, returning every accumulator, stacked.

    >>> import tftape as tf
    >>> tf.scan(lambda a, x: a + x, tf.constant([1, 2, 3]))
    <tf.Tensor: shape=(3,), dtype=int32, numpy=array([1, 3, 6], dtype=int32)>
    """
    if not callable(fn):
        raise TypeError(f"{fn} is not callable.")
    xs, n = _elements(elems)
    order = range(n - 1, -1, -1) if reverse else range(n)
    element = _slicer(elems, xs)
    if initializer is None:
        first = next(iter(order))
        acc = element(first)
        rest = list(order)[1:]
        head = [acc]
    else:
        acc = initializer
        rest = list(order)
        head = []
    if not STATE.tracing:
        outs = list(head)
        for i in rest:
            acc = fn(acc, element(i))
            outs.append(acc)
        if reverse:
            outs.reverse()
        return _stack_structure(outs)
    carry = Structure(acc)
    sub = _subset(xs, rest) if initializer is None else xs
    _, ys, y_struct, _ = _scan_acc(fn, carry, sub, reverse)
    result = y_struct.rebuild(ys)
    if initializer is None:
        from .._ops.array_ops import concat, expand_dims
        h = _nest.flatten(acc) if _nest.is_nested(acc) else [acc]
        r = _nest.flatten(result) if _nest.is_nested(result) else [result]
        joined = [concat([x, expand_dims(a, 0)] if reverse else [expand_dims(a, 0), x], 0)
                  for a, x in zip(h, r)]
        result = _nest.pack_sequence_as(acc, joined) if _nest.is_nested(acc) else joined[0]
    return result


def _scan_acc(fn, carry, xs, reverse):
    def step(c, x):
        new = fn(c, x)
        return new, new
    return _scan_traced(step, carry, xs, reverse=reverse)


def _subset(xs: Structure, idx):
    import jax.numpy as jnp
    sel = jnp.asarray(sorted(idx), jnp.int32)
    s = Structure.__new__(Structure)
    s.value, s.nested, s.kinds, s.recipe = xs.value, xs.nested, xs.kinds, xs.recipe
    s.arrays = [a[sel] for a in xs.arrays]
    return s


def _fold(fn, elems, initializer, reverse):
    if not callable(fn):
        raise TypeError(f"{fn} is not callable.")
    xs, n = _elements(elems)
    order = list(range(n - 1, -1, -1)) if reverse else list(range(n))
    element = _slicer(elems, xs)
    if initializer is None:
        acc = element(order[0])
        order = order[1:]
    else:
        acc = initializer
    if not STATE.tracing:
        for i in order:
            acc = fn(acc, element(i))
        return acc
    if any(is_graph_tensor_array(x) for x in _nest.flatten(acc)):
        return _fold_as_while(fn, xs, order, acc)
    carry = Structure(acc)
    sub = _subset(xs, order)

    def step(c, x):
        return fn(c, x), None
    c_final, _, _, _ = _scan_traced(step, carry, sub, reverse=reverse)
    return carry.rebuild(c_final)


def _fold_as_while(fn, xs, order, acc):
    """A fold whose accumulator holds TensorArrays: the while-loop lowering learns their
    element shapes and lengths (see ``control_flow._traced_while``)."""
    import jax.numpy as jnp
    from .._core.tensor import make
    from .control_flow import while_loop
    sel = jnp.asarray(order, jnp.int32)

    n = len(order)

    def body(i, a):
        if n == 0:  # traced, never run
            x = xs.rebuild([jnp.zeros(arr.shape[1:], arr.dtype) for arr in xs.arrays])
        else:
            k = sel[i._v]
            x = xs.rebuild([jax.lax.dynamic_index_in_dim(arr, k, keepdims=False)
                            for arr in xs.arrays])
        return i + 1, fn(a, x)
    _, out = while_loop(lambda i, a: i < n, body, [make(jnp.int32(0), _d.int32), acc])
    return out


def foldl(fn, elems, initializer=None, parallel_iterations=10, back_prop=True,
          swap_memory=False, name=None):
    """Folds ``fn(acc, x)`` over ``elems`` from the left; returns the final accumulator.

    >>> import tftape as tf
    >>> tf.foldl(lambda a, x: a + x, tf.constant([1, 2, 3]))
    <tf.Tensor: shape=(), dtype=int32, numpy=6>
    """
    return _fold(fn, elems, initializer, False)


def foldr(fn, elems, initializer=None, parallel_iterations=10, back_prop=True,
          swap_memory=False, name=None):
    """Folds ``fn(acc, x)`` over ``elems`` from the right."""
    return _fold(fn, elems, initializer, True)


def vectorized_map(fn, elems, fallback_to_while_loop=True, warn=True):
    """``fn`` applied to every element of ``elems`` at once (``jax.vmap``).

    >>> import tftape as tf
    >>> tf.vectorized_map(lambda x: x * x, tf.constant([1.0, 2.0]))
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 4.], dtype=float32)>
    """
    from ._fallback import _untraceable
    xs, n = _elements(elems)
    if not STATE.tracing and (STATE.tapes or STATE.accumulators):
        # A tape records eager ops one by one; the vmapped function would bypass it.
        return map_fn(fn, elems)
    info = {}

    def f(*arrays):
        out = fn(xs.rebuild(list(arrays)))
        s = Structure(out)
        info["s"] = s
        return s.arrays

    try:
        with tracing_scope():
            ys = jax.vmap(f)(*xs.arrays)
    except Exception as e:  # noqa: BLE001
        if not fallback_to_while_loop or not _untraceable(e):
            raise
        return map_fn(fn, elems)
    s = info["s"]
    return s.rebuild(ys)


__all__ = ["map_fn", "scan", "foldl", "foldr", "vectorized_map"]

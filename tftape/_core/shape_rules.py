"""Output shapes of common ops by rule, for pending values of a new input shape.

Deferring an op needs its output shape and dtype; ``jax.eval_shape`` traces the op for
that, which costs milliseconds, at every new input shape. For ops whose output shape
follows from their input shapes by a simple rule (elementwise broadcasting, matrix
products, reductions, row-wise losses, gathers), the shape is computed here and the dtype
taken from an earlier trace of the same op with the same input dtypes. Anything else, or
any doubt (a rule that raises), goes to ``eval_shape``.
"""
from __future__ import annotations

import numpy as np


def _broadcast(static, shapes):
    return tuple(np.broadcast_shapes(*shapes))


def _matmul(static, shapes):
    a, b = shapes
    if len(a) < 2 or len(b) < 2:
        return None
    m = a[-1] if static.get("ta") else a[-2]
    ka = a[-2] if static.get("ta") else a[-1]
    kb = b[-1] if static.get("tb") else b[-2]
    n = b[-2] if static.get("tb") else b[-1]
    if ka != kb:
        return None
    return tuple(np.broadcast_shapes(a[:-2], b[:-2])) + (m, n)


def _reduce(static, shapes):
    (x,) = shapes
    axis = static.get("axis")
    red = set(range(len(x))) if axis is None else {a % max(len(x), 1) for a in axis}
    if static.get("keepdims"):
        return tuple(1 if i in red else d for i, d in enumerate(x))
    return tuple(d for i, d in enumerate(x) if i not in red)


def _rowwise(static, shapes):
    labels, logits = shapes
    return tuple(logits[:-1]) if tuple(labels) == tuple(logits[:-1]) else None


def _same(static, shapes):
    return tuple(shapes[0])


def _gather(static, shapes):
    params, idx = shapes
    axis = static.get("axis")
    if static.get("batch_dims") != 0 or axis is None or not 0 <= axis < len(params):
        return None
    return tuple(params[:axis]) + tuple(idx) + tuple(params[axis + 1:])


_RULES = {"MatMul": _matmul, "BatchMatMulV2": _matmul, "Sum": _reduce, "Mean": _reduce,
          "Max": _reduce, "Min": _reduce, "Prod": _reduce,
          "SparseSoftmaxCrossEntropyWithLogits": _rowwise, "BiasAdd": _same,
          "Softmax": _same, "LogSoftmax": _same, "GatherV2": _gather}


def _rule(o):
    if o.elementwise:
        return _broadcast
    return _RULES.get(o.tf_name)


def learn(o, key, in_key, dtype, cache) -> None:
    """Notes the output dtype ``eval_shape`` gave for these input dtypes (``key``: the op's
    static parameters, as the kernels are keyed)."""
    if _rule(o) is not None:
        cache.put(("dtype", o, key, tuple(d for _, d in in_key)), dtype)


def infer(o, key, static, in_key, cache):
    """``((shape, dtype),), False`` for a single-output op with a rule whose dtype is known,
    else None."""
    rule = _rule(o)
    if rule is None:
        return None
    dtype = cache.get(("dtype", o, key, tuple(d for _, d in in_key)))
    if dtype is None:
        return None
    try:
        shape = rule(static or {}, [s for s, _ in in_key])
    except Exception:  # noqa: BLE001 - eval_shape decides (and raises what it raises)
        return None
    if shape is None:
        return None
    return ((tuple(int(d) for d in shape), dtype),), False

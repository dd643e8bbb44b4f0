"""Which strategy and replica context are current (thread-local, as in TF)."""
from __future__ import annotations

import enum
import threading

AXIS = "replica"   # the mesh axis replicas are laid out on


class ReduceOp(enum.Enum):
    """How values from several replicas are combined (``tf.distribute.ReduceOp``).

    >>> ReduceOp.SUM
    <ReduceOp.SUM: 'SUM'>
    """
    SUM = "SUM"
    MEAN = "MEAN"

    @staticmethod
    def from_variable_aggregation(aggregation):
        from .._variables import VariableAggregation
        if aggregation == VariableAggregation.SUM:
            return ReduceOp.SUM
        if aggregation == VariableAggregation.MEAN:
            return ReduceOp.MEAN
        raise ValueError(f"Could not convert from `tf.VariableAggregation` {aggregation} to "
                         f"`tf.distribute.ReduceOp` type")

    def __str__(self):
        return f"ReduceOp.{self.name}"


def as_reduce_op(op) -> ReduceOp:
    if isinstance(op, ReduceOp):
        return op
    if isinstance(op, str):
        return ReduceOp(op.upper())
    raise ValueError(f"Unsupported reduce op: {op!r}")


class _Local(threading.local):
    def __init__(self):
        self.strategies: list = []   # strategies whose scope() is active, innermost last
        self.replicas: list = []     # replica contexts of strategy.run, innermost last


LOCAL = _Local()
_DEFAULT = {}
# The default strategy's class and the default replica context's: set by ``_strategy``, which
# sits above this module (importing ``tftape.distribute`` imports it).
DEFAULT_CLASSES = {}


def default_strategy():
    s = _DEFAULT.get("s")
    if s is None:
        s = _DEFAULT["s"] = DEFAULT_CLASSES["strategy"]()
    return s


def get_strategy():
    """The strategy of the innermost ``scope()`` (or of ``strategy.run``), else the default.

    >>> import tftape as tf
    >>> type(tf.distribute.get_strategy()).__name__
    '_DefaultDistributionStrategy'
    """
    if LOCAL.replicas:
        return LOCAL.replicas[-1].strategy
    if LOCAL.strategies:
        return LOCAL.strategies[-1]
    return _DEFAULT.get("global") or default_strategy()


def has_strategy() -> bool:
    return get_strategy() is not default_strategy()


def in_cross_replica_context() -> bool:
    return not LOCAL.replicas and bool(LOCAL.strategies or _DEFAULT.get("global"))


def get_replica_context():
    """The replica context inside ``strategy.run``; None in a strategy's scope (cross-replica
    context); the default replica context otherwise."""
    if LOCAL.replicas:
        return LOCAL.replicas[-1]
    if LOCAL.strategies or _DEFAULT.get("global"):
        return None
    return DEFAULT_CLASSES["replica_context"](default_strategy())


def get_cross_replica_context():
    if LOCAL.replicas:
        return None
    return get_strategy()


def experimental_set_strategy(strategy):
    """Makes ``strategy`` current everywhere (outside any scope) until set back to None."""
    if strategy is None:
        _DEFAULT.pop("global", None)
    else:
        _DEFAULT["global"] = strategy


def spmd_replica_context():
    """The innermost replica context that runs inside ``shard_map`` (collectives work)."""
    for rc in reversed(LOCAL.replicas):
        if getattr(rc, "_spmd", False):
            return rc
    return None

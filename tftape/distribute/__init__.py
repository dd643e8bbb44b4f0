"""``tf.distribute``: strategies on JAX's multi-device machinery (``jax.sharding``,
``jax.shard_map``, ``jax.distributed``).

Loaded lazily by ``tftape/__init__.py`` on first use of ``tf.distribute``.
"""
# ruff: noqa: F401
from . import cluster_resolver as cluster_resolver
from . import experimental as experimental
from ._cluster import MultiWorkerMirroredStrategy as MultiWorkerMirroredStrategy
from ._context import ReduceOp as ReduceOp
from ._context import experimental_set_strategy as experimental_set_strategy
from ._context import get_replica_context as get_replica_context
from ._context import get_strategy as get_strategy
from ._context import has_strategy as has_strategy
from ._context import in_cross_replica_context as in_cross_replica_context
from ._input import DistributedDataset as DistributedDataset
from ._input import DistributedIterator as DistributedIterator
from ._input import InputContext as InputContext
from ._input import InputOptions as InputOptions
from ._strategy import MirroredStrategy as MirroredStrategy
from ._strategy import OneDeviceStrategy as OneDeviceStrategy
from ._replica import ReplicaContext as ReplicaContext
from ._strategy import Strategy as Strategy
from ._strategy import StrategyExtended as StrategyExtended
from ._values import DistributedValues as DistributedValues


class CrossDeviceOps:
    """Accepted for TF compatibility: XLA's collectives do the cross-device reduction."""

    def __init__(self, *args, **kwargs):
        self._args = args


class NcclAllReduce(CrossDeviceOps):
    pass


class HierarchicalCopyAllReduce(CrossDeviceOps):
    pass


class ReductionToOneDevice(CrossDeviceOps):
    pass

"""Strategies on JAX's multi-device machinery.

``MirroredStrategy`` lays its replicas on a 1-D ``jax.sharding.Mesh`` (axis ``"replica"``).
Variables made in its scope hold one replicated ``jax.Array``; distributed batches are global
arrays sharded along the batch axis. ``strategy.run(fn)`` traces ``fn`` once per input
signature on one replica's shapes (like ``tf.function``, variables become inputs and outputs)
and runs the trace under ``jax.shard_map``: each device computes its replica on its own rows;
``all_reduce`` (and the gradient sum of ``optimizer.apply_gradients``) are ``lax.psum``.
"""
from __future__ import annotations

import contextlib

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec as P

from . import _context as ctx
from ._context import AXIS, as_reduce_op
from ._replica import _DefaultReplicaContext, _LocalPerReplica, device_name, resolve_device
from ._values import MirroredVariable, PerReplica


# -- strategies -------------------------------------------------------------------------------------
class StrategyExtended:
    """``strategy.extended``: lower-level operations of a strategy."""

    def __init__(self, strategy):
        self._strategy = strategy
        self.experimental_enable_get_next_as_optional = False

    @property
    def worker_devices(self):
        return tuple(device_name(d) for d in self._strategy._devices)

    @property
    def parameter_devices(self):
        return self.worker_devices

    @property
    def experimental_between_graph(self):
        return False

    @property
    def should_checkpoint(self):
        return True

    @property
    def _in_multi_worker_mode(self):
        return False

    def reduce_to(self, reduce_op, value, destinations, options=None):
        return self._strategy.reduce(reduce_op, value, axis=None)

    def batch_reduce_to(self, reduce_op, value_destination_pairs, options=None):
        return [self.reduce_to(reduce_op, v, d) for v, d in value_destination_pairs]

    def update(self, var, fn, args=(), kwargs=None, group=True):
        args = tuple(a.local if isinstance(a, _LocalPerReplica) else a for a in args)
        return fn(var, *args, **(kwargs or {}))

    def colocate_vars_with(self, colocate_with_variable):
        return contextlib.nullcontext()

    def variable_created_in_scope(self, v) -> bool:
        return isinstance(v, MirroredVariable) and v._strategy is self._strategy


class Strategy:
    """A way to run computation on several devices (``tf.distribute.Strategy``)."""

    def __init__(self, devices):
        self._devices = list(devices)
        self._mesh = Mesh(np.array(self._devices, dtype=object), (AXIS,))
        self._replicated = NamedSharding(self._mesh, P())
        self._batch_sharding = NamedSharding(self._mesh, P(AXIS))
        self._cache: dict = {}
        self.extended = StrategyExtended(self)

    # -- basics ------------------------------------------------------------------------------------
    def _local_devices(self):
        """The replicas' devices this process drives (all of them on one host)."""
        pi = jax.process_index()
        return [d for d in self._devices if d.process_index == pi]

    @property
    def num_replicas_in_sync(self) -> int:
        return len(self._devices)

    @property
    def mesh(self):
        """The ``jax.sharding.Mesh`` the replicas are laid out on."""
        return self._mesh

    @property
    def cluster_resolver(self):
        return None

    def __repr__(self):
        cls = type(self)
        mod = getattr(cls, "_tf_module", "tensorflow.python.distribute.distribute_lib")
        return f"<{mod}.{cls.__name__} object at {hex(id(self))}>"

    # -- scope and variables -------------------------------------------------------------------------
    @contextlib.contextmanager
    def scope(self):
        """Variables created inside are replicated on every replica's device."""
        from .._variables import variable_creator_scope
        ctx.LOCAL.strategies.append(self)
        try:
            with variable_creator_scope(self._create_variable):
                yield self
        finally:
            ctx.LOCAL.strategies.pop()

    def _create_variable(self, next_creator, **kwargs):
        v = next_creator(**kwargs)
        if type(v).__name__ == "ResourceVariable":
            v.__class__ = MirroredVariable
            v._strategy = self
        self._replicate(v)
        return v

    def _replicate(self, v):
        from .._variables import settled_value
        val = settled_value(v)
        if val is None or isinstance(val, jax.core.Tracer) or getattr(val, "dtype", None) is \
                None or val.dtype.kind == "O":
            return
        if self.num_replicas_in_sync > 1:
            v.__dict__["_value"] = self._put_replicated(val)

    def _put_replicated(self, val):
        return jax.device_put(val, self._replicated)

    # -- data ------------------------------------------------------------------------------------------
    def experimental_distribute_dataset(self, dataset, options=None):
        """Splits each global batch of ``dataset`` between the replicas."""
        from ._input import DistributedDataset
        return DistributedDataset(self, dataset, options)

    def distribute_datasets_from_function(self, dataset_fn, options=None):
        """Each replica reads its own batches from ``dataset_fn(input_context)``."""
        from ._input import DistributedDatasetsFromFunction
        return DistributedDatasetsFromFunction(self, dataset_fn, options)

    experimental_distribute_datasets_from_function = distribute_datasets_from_function

    def experimental_distribute_values_from_function(self, value_fn):
        from ._input import ValueContext
        vals = [value_fn(ValueContext(i, self.num_replicas_in_sync))
                for i in range(self.num_replicas_in_sync)]
        if self.num_replicas_in_sync == 1:
            return vals[0]
        from ._input import per_replica_from_parts
        return _map_structure_n(lambda *xs: per_replica_from_parts(self, list(xs)), vals)

    # -- running ---------------------------------------------------------------------------------------
    def run(self, fn, args=(), kwargs=None, options=None):
        """Runs ``fn`` on every replica; returns a PerReplica value per output."""
        from ._run import run
        return run(self, fn, tuple(args), dict(kwargs or {}))

    def reduce(self, reduce_op, value, axis=None):
        """Combines a PerReplica value across replicas (and along ``axis`` if given).

        >>> import tftape as tf
        >>> s = tf.distribute.get_strategy()
        >>> s.reduce("SUM", tf.constant([1.0, 2.0]), axis=0)
        <tf.Tensor: shape=(), dtype=float32, numpy=3.0>
        """
        from ._run import reduce
        return reduce(self, as_reduce_op(reduce_op), value, axis)

    def experimental_local_results(self, value):
        if isinstance(value, PerReplica):
            return value.values
        return (value,)

    def gather(self, value, axis):
        from .._ops.array_ops import concat
        if isinstance(value, PerReplica):
            return concat(list(value.values), axis)
        return value

    def __deepcopy__(self, memo):
        return self


def _map_structure_n(fn, vals):
    from .._core import nest
    flats = [nest.flatten(v) for v in vals]
    out = [fn(*xs) for xs in zip(*flats)]
    return nest.pack_sequence_as(vals[0], out) if nest.is_nested(vals[0]) else out[0]


class _DefaultDistributionStrategy(Strategy):
    """The strategy in effect when none is: one replica on the default device."""

    def __init__(self):
        super().__init__([jax.local_devices()[0]])

    def scope(self):
        return contextlib.nullcontext(self)


class MirroredStrategy(Strategy):
    """Synchronous data parallelism over the local devices (``tf.distribute.MirroredStrategy``).

    Args:
      devices: TF device strings (``["/gpu:0", "/gpu:1"]``) or JAX devices; default: every
        local device of JAX's default backend.
      cross_device_ops: accepted (XLA's collectives do the all-reduce).

    >>> import tftape as tf
    >>> s = tf.distribute.MirroredStrategy()
    >>> s.num_replicas_in_sync >= 1
    True
    """

    _tf_module = "tensorflow.python.distribute.mirrored_strategy"

    def __init__(self, devices=None, cross_device_ops=None):
        if devices is None:
            devs = jax.local_devices()
        else:
            if isinstance(devices, (str, jax.Device)):
                devices = [devices]
            devs = [resolve_device(d) for d in devices]
            if len({id(d) for d in devs}) != len(devs):
                raise AssertionError(f"No duplicates allowed in `devices` argument: "
                                     f"{devices}")
        if not devs:
            raise ValueError("Got an empty `devices` list and unable to recognize any local "
                             "devices.")
        super().__init__(devs)
        self._cross_device_ops = cross_device_ops


class OneDeviceStrategy(Strategy):
    """Everything on one device (``tf.distribute.OneDeviceStrategy``)."""

    _tf_module = "tensorflow.python.distribute.one_device_strategy"

    def __init__(self, device):
        super().__init__([resolve_device(device)])


ctx.DEFAULT_CLASSES.update(strategy=_DefaultDistributionStrategy,
                           replica_context=_DefaultReplicaContext)

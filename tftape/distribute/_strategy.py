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
import re

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec as P

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._core.registry import Op, execute
from .._core.tensor import Tensor, make
from . import _context as ctx
from ._context import AXIS, ReduceOp, as_reduce_op
from ._values import MirroredVariable, PerReplica


# -- devices ---------------------------------------------------------------------------------------
_DEV = re.compile(r"(?:.*device:)?/?(?P<kind>[a-zA-Z]+):(?P<index>\d+)$")


def resolve_device(spec):
    """A JAX device for a TF device string (``"/gpu:1"``, ``"/job:.../device:CPU:0"``)."""
    if isinstance(spec, jax.Device):
        return spec
    m = _DEV.match(str(spec).strip())
    if m is None:
        raise ValueError(f"Cannot parse device string: {spec!r}")
    kind, index = m.group("kind").lower(), int(m.group("index"))
    platform = {"gpu": "gpu", "cpu": "cpu", "tpu": "tpu"}.get(kind, kind)
    try:
        devs = jax.local_devices(backend=platform)
    except RuntimeError:
        devs = []
    if not devs and platform == "gpu":  # ROCm and CUDA both answer to "/gpu"
        devs = [d for d in jax.local_devices() if d.platform in ("gpu", "cuda", "rocm")]
    if index >= len(devs):
        raise ValueError(f"Unknown attribute: '{spec}' in '{spec}'")
    return devs[index]


def device_name(d) -> str:
    kind = "GPU" if d.platform in ("gpu", "cuda", "rocm") else d.platform.upper()
    local = [x for x in jax.local_devices() if x.platform == d.platform]
    i = local.index(d) if d in local else d.id
    return f"/job:localhost/replica:0/task:0/device:{kind}:{i}"


# -- replica contexts --------------------------------------------------------------------------------
class ReplicaContext:
    """The context of one replica inside ``strategy.run`` (``tf.distribute.ReplicaContext``)."""

    _spmd = False

    def __init__(self, strategy, replica_id_in_sync_group=0):
        self.strategy = strategy
        self._replica_id = replica_id_in_sync_group

    @property
    def num_replicas_in_sync(self) -> int:
        return self.strategy.num_replicas_in_sync

    @property
    def replica_id_in_sync_group(self):
        rid = self._replica_id
        if isinstance(rid, Tensor):
            return rid
        return convert_to_tensor(rid, dtype=_d.int32)

    @property
    def devices(self):
        return (device_name(self.strategy._devices[0]),)

    def all_reduce(self, reduce_op, value, options=None):
        """Sums (or averages) ``value`` -- a nested structure of tensors -- over replicas."""
        op = as_reduce_op(reduce_op)
        return _map_tensors(lambda t: self._all_reduce_one(op, t), value)

    def _all_reduce_one(self, op, t):
        return t

    def all_gather(self, value, axis, options=None):
        return value

    def merge_call(self, merge_fn, args=(), kwargs=None):
        """Calls ``merge_fn(strategy, *args)`` in cross-replica context."""
        kwargs = kwargs or {}
        ctx.LOCAL.replicas.append(_MergeContext(self))
        try:
            args = _map_tensors(lambda t: _LocalPerReplica(t, self), args)
            kwargs = _map_tensors(lambda t: _LocalPerReplica(t, self), kwargs)
            return merge_fn(self.strategy, *args, **kwargs)
        finally:
            ctx.LOCAL.replicas.pop()

    def __enter__(self):
        ctx.LOCAL.replicas.append(self)
        return self

    def __exit__(self, *exc):
        ctx.LOCAL.replicas.pop()

    def __repr__(self):
        return (f"<tensorflow.python.distribute.distribute_lib.ReplicaContext object at "
                f"{hex(id(self))}>")


class _DefaultReplicaContext(ReplicaContext):
    @property
    def replica_id_in_sync_group(self):
        return 0

    def __repr__(self):
        return (f"<tensorflow.python.distribute.distribute_lib._DefaultReplicaContext object "
                f"at {hex(id(self))}>")


class _SpmdReplicaContext(ReplicaContext):
    """A replica context inside ``shard_map``: collectives are JAX collectives."""

    _spmd = True

    def __init__(self, strategy):
        super().__init__(strategy, None)

    @property
    def replica_id_in_sync_group(self):
        return make(jax.lax.axis_index(AXIS).astype(np.int32), _d.int32)

    def _all_reduce_one(self, op, t):
        f = jax.lax.psum if op is ReduceOp.SUM else jax.lax.pmean
        return make(f(t._v, AXIS), t.dtype)

    def all_gather(self, value, axis, options=None):
        def gather(t):
            g = jax.lax.all_gather(t._v, AXIS, axis=axis, tiled=True)
            return make(g, t.dtype)
        return _map_tensors(gather, value)


class _MergeContext:
    """Cross-replica context of ``merge_call``: ``strategy.reduce`` becomes a collective."""

    def __init__(self, replica):
        self.replica = replica
        self.strategy = replica.strategy


class _LocalPerReplica(PerReplica):
    """A replica's own value seen from ``merge_call`` (reduced with collectives)."""

    def __init__(self, t, replica):
        super().__init__([t])
        self._replica = replica

    @property
    def local(self):
        return self._cached[0]


def _map_tensors(fn, value):
    from .._core import nest
    leaves = nest.flatten(value)
    out = [fn(x) if isinstance(x, Tensor) else
           fn(convert_to_tensor(x)) if isinstance(x, (int, float, np.ndarray)) else x
           for x in leaves]
    return nest.pack_sequence_as(value, out) if nest.is_nested(value) else out[0]


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
            v.__dict__["_value"] = jax.device_put(val, self._replicated)

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

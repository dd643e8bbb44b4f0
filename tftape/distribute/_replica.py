"""Devices and replica contexts (``tf.distribute.ReplicaContext``): what a replica's code sees."""
from __future__ import annotations

import re

import jax
import numpy as np

from .._core import dtypes as _d, nest
from .._core.convert import convert_to_tensor
from .._core.tensor import Tensor, make
from . import _context as ctx
from ._context import AXIS, ReduceOp, as_reduce_op
from ._values import PerReplica


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
    leaves = nest.flatten(value)
    out = [fn(x) if isinstance(x, Tensor) else
           fn(convert_to_tensor(x)) if isinstance(x, (int, float, np.ndarray)) else x
           for x in leaves]
    return nest.pack_sequence_as(value, out) if nest.is_nested(value) else out[0]

"""Distributed values: ``PerReplica`` results and inputs, ``MirroredVariable``.

A PerReplica value over ``n`` replicas is, when the replicas' parts have the same shape, one
global ``jax.Array`` sharded over the strategy's mesh (``PartitionSpec("replica")``) in which
replica ``i`` owns rows ``i*k:(i+1)*k`` -- the layout ``jax.shard_map`` consumes and produces.
Parts of different shapes (an uneven last batch) are kept as a list of tensors.
"""
from __future__ import annotations

from .._core.tensor import Tensor, make
from .._variables import ResourceVariable


class DistributedValues:
    """Base class of values with one part per replica (``tf.distribute.DistributedValues``)."""

    _kind = "DistributedValues"

    def __init__(self, values):
        self._values = tuple(values)

    @property
    def values(self) -> tuple:
        return self._values

    def _text(self, fmt):
        body = ",\n".join(f"  {i}: {fmt(v)}" for i, v in enumerate(self.values))
        return f"{self._kind}:{{\n{body}\n}}"

    def __repr__(self):
        return self._text(repr)

    def __str__(self):
        return self._text(str)


class PerReplica(DistributedValues):
    """One value per replica (``tf.distribute.DistributedValues`` of kind PerReplica).

    Built either from per-replica tensors (``values``) or from a global tensor whose first
    dimension stacks the replicas' equal-sized parts (``stacked``, with ``squeeze`` when each
    part is one row that the replica sees without that dimension).
    """

    _kind = "PerReplica"

    def __init__(self, values=None, *, stacked: Tensor | None = None, n: int = 0,
                 squeeze: bool = False):
        self._stacked = stacked
        self._n = n if stacked is not None else len(values)
        self._squeeze = squeeze
        self._cached = None if values is None else tuple(values)

    @property
    def values(self) -> tuple:
        if self._cached is None:
            g = self._stacked
            k = g.shape[0] // self._n
            if self._squeeze:
                parts = _shard_rows(g, self._n)
                self._cached = tuple(make(p.reshape(p.shape[1:]), g.dtype) for p in parts)
            else:
                self._cached = tuple(make(p, g.dtype) for p in _shard_rows(g, self._n, k))
        return self._cached

    @property
    def stacked(self):
        """The global tensor (replica parts stacked on axis 0), or None if parts differ."""
        return self._stacked

    @property
    def squeezed(self) -> bool:
        return self._squeeze

    @property
    def num_replicas(self) -> int:
        return self._n

    # tf.function passes PerReplica arguments through as composites.
    def __tf_flatten__(self):
        if self._stacked is not None:
            return ("S", self._n, self._squeeze), (self._stacked,)
        return ("L", len(self._cached)), tuple(self._cached)

    @classmethod
    def __tf_unflatten__(cls, meta, comps):
        if meta[0] == "S":
            return cls(stacked=comps[0], n=meta[1], squeeze=meta[2])
        return cls(list(comps))


def _shard_rows(g: Tensor, n: int, k: int | None = None):
    """Per-replica parts of a stacked global tensor: device-local shards when possible."""
    v = g._v
    k = v.shape[0] // n if k is None else k
    shards = getattr(v, "addressable_shards", None)
    if shards is not None and len(shards) == n and all(
            s.data.shape[0] == k for s in shards):
        ordered = sorted(shards, key=lambda s: s.index[0].start or 0)
        return [s.data for s in ordered]
    return [v[i * k:(i + 1) * k] for i in range(n)]


class Mirrored(DistributedValues):
    _kind = "Mirrored"


class MirroredVariable(ResourceVariable):
    """A variable created under ``MirroredStrategy.scope()``: one value replicated on every
    device of the strategy's mesh (a ``jax.Array`` with a replicated ``NamedSharding``)."""

    _strategy = None

    @property
    def values(self) -> tuple:
        n = self._strategy.num_replicas_in_sync if self._strategy is not None else 1
        return tuple(_ReplicaView(self, i) for i in range(n))

    def __repr__(self):
        parts = ",\n".join(f"  {i}: {v!r}" for i, v in enumerate(self.values))
        return f"MirroredVariable:{{\n{parts}\n}}"

    def _get_on_device_or_primary(self):
        return self


class _ReplicaView:
    """How TF shows replica ``i``'s copy of a mirrored variable."""

    def __init__(self, var, i):
        self._var, self._i = var, i

    def __repr__(self):
        text = ResourceVariable.__repr__(self._var)
        if self._i:
            name = self._var.name[:-2] if self._var.name.endswith(":0") else self._var.name
            text = text.replace(f"'{self._var.name}'", f"'{name}/replica_{self._i}:0'", 1)
        return text

    def numpy(self):
        return self._var.numpy()

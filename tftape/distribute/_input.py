"""Distributed input: each global batch becomes PerReplica values sharded over the mesh.

A batch of ``B`` rows for ``n`` replicas is put on the devices with one ``jax.device_put``
to a ``NamedSharding(mesh, P("replica"))``: replica ``i`` receives rows ``i*B/n:(i+1)*B/n``
on its own device, as TF's ``experimental_distribute_dataset`` splits them. On several hosts
each process contributes its part of the global batch
(``jax.make_array_from_process_local_data``).
"""
from __future__ import annotations

import jax
import numpy as np

from .._core.tensor import Tensor, make
from ..data import _structure as st
from ..data._dataset import OwnedIterator
from ._values import PerReplica


class InputContext:
    """What ``distribute_datasets_from_function``'s ``dataset_fn`` is told about its pipeline."""

    def __init__(self, num_input_pipelines=1, input_pipeline_id=0, num_replicas_in_sync=1):
        self.num_input_pipelines = num_input_pipelines
        self.input_pipeline_id = input_pipeline_id
        self.num_replicas_in_sync = num_replicas_in_sync

    def get_per_replica_batch_size(self, global_batch_size):
        """``global_batch_size / num_replicas_in_sync`` (it must divide evenly)."""
        if global_batch_size % self.num_replicas_in_sync != 0:
            raise ValueError(f"The `global_batch_size` {global_batch_size} is not divisible by "
                             f"`num_replicas_in_sync` {self.num_replicas_in_sync}")
        return global_batch_size // self.num_replicas_in_sync

    def __str__(self):
        return (f"tf.distribute.InputContext(input pipeline id {self.input_pipeline_id}, total:"
                f" {self.num_input_pipelines})")


class ValueContext:
    def __init__(self, replica_id_in_sync_group=0, num_replicas_in_sync=1):
        self.replica_id_in_sync_group = replica_id_in_sync_group
        self.num_replicas_in_sync = num_replicas_in_sync


class InputOptions:
    def __init__(self, experimental_fetch_to_device=None,
                 experimental_replication_mode=None, experimental_place_dataset_on_device=False,
                 experimental_per_replica_buffer_size=1):
        self.experimental_fetch_to_device = experimental_fetch_to_device
        self.experimental_replication_mode = experimental_replication_mode
        self.experimental_place_dataset_on_device = experimental_place_dataset_on_device
        self.experimental_per_replica_buffer_size = experimental_per_replica_buffer_size


class PerReplicaSpec:
    """The element spec of a distributed dataset: one spec per replica."""

    def __init__(self, *specs):
        self._specs = specs

    def __eq__(self, other):
        return type(other) is PerReplicaSpec and other._specs == self._specs

    def __hash__(self):
        return hash(self._specs)

    def __repr__(self):
        return f"PerReplicaSpec({', '.join(repr(s) for s in self._specs)})"


def _replica_spec(spec):
    from .._function.specs import TensorSpec
    if isinstance(spec, TensorSpec) and spec.shape.rank:
        return TensorSpec([None] + spec.shape.as_list()[1:], spec.dtype)
    return spec


# -- placing one component -------------------------------------------------------------------------
def _split_sizes(b, n):
    """TF's split of ``b`` rows between ``n`` replicas: ceil(b/n) each until exhausted."""
    k = -(-b // n)
    sizes = []
    left = b
    for _ in range(n):
        sizes.append(min(k, left))
        left -= sizes[-1]
    return sizes


def place(strategy, comp, spec):
    """A PerReplica for one batched component (host NumPy or Tensor)."""
    n = strategy.num_replicas_in_sync
    arr = comp
    if isinstance(arr, Tensor):
        arr = arr._v
    dense = isinstance(arr, (np.ndarray, jax.Array)) and not (
        isinstance(arr, np.ndarray) and arr.dtype.kind == "O")
    if dense and arr.ndim >= 1 and arr.shape[0] % n == 0:
        g = _put(strategy, arr)
        return PerReplica(stacked=make(g, spec.dtype), n=n)
    # Uneven batches, strings and ragged values: one tensor per replica.
    user = st.to_user(comp, spec)
    if isinstance(user, Tensor) and user.shape.rank:
        sizes = _split_sizes(user.shape[0], n)
        parts, lo = [], 0
        for s in sizes:
            parts.append(user[lo:lo + s])
            lo += s
        return PerReplica(parts)
    return PerReplica([user] * n)


def _put(strategy, arr):
    workers = getattr(strategy, "_num_workers", 1)
    if workers > 1:
        b = arr.shape[0]
        w = strategy._worker_index
        local = np.asarray(arr[w * b // workers:(w + 1) * b // workers])
        return jax.make_array_from_process_local_data(strategy._batch_sharding, local,
                                                      tuple(arr.shape))
    return jax.device_put(arr, strategy._batch_sharding)


def _put_local(strategy, local):
    """A global batch from this worker's own rows (every worker gives as many)."""
    local = np.asarray(local)
    shape = (local.shape[0] * strategy._num_workers,) + local.shape[1:]
    return jax.make_array_from_process_local_data(strategy._batch_sharding, local, shape)


# -- auto-sharding between workers (tf.data.experimental.AutoShardPolicy) ----------------------------
def _policy(dataset):
    from ..data._options import AutoShardPolicy
    try:
        p = dataset.options().experimental_distribute.auto_shard_policy
    except AttributeError:
        p = None
    return AutoShardPolicy.AUTO if p is None else AutoShardPolicy(int(p))


def _shard_files(ds, num_workers, index):
    """``ds`` with its file source(s) restricted to files ``index::num_workers``, or None when
    no file source is found (what TF's FILE policy rewrites).

    File sources: ``TFRecordDataset(filenames)``, and ``flat_map``/``interleave`` over a
    dataset of file names (scalar strings) -- the latter's input is sharded.
    """
    import copy

    from .._function.specs import TensorSpec
    from ..data._readers import TFRecordDataset
    from ..data._mapping import _FlatMapDataset
    from ..data._selection import _ShardDataset
    from ..data._transforms import _UnaryDataset
    if isinstance(ds, TFRecordDataset):
        if len(ds._files) < num_workers:
            from .._core import errors
            raise errors.InvalidArgumentError(
                None, None, f"Cannot shard the dataset by FILE: it reads {len(ds._files)} "
                            f"file(s), fewer than the {num_workers} workers (use "
                            f"AutoShardPolicy.DATA, or write more files).")
        out = copy.copy(ds)
        out._files = ds._files[index::num_workers]
        return out
    if isinstance(ds, _FlatMapDataset):
        spec = ds._input.element_spec
        if isinstance(spec, TensorSpec) and spec.dtype.name == "string" and \
                spec.shape.rank == 0:
            out = copy.copy(ds)
            out._input = _ShardDataset(ds._input, num_workers, index)
            return out
    if isinstance(ds, _UnaryDataset):
        inner = _shard_files(ds._input, num_workers, index)
        if inner is None:
            return None
        out = copy.copy(ds)
        out._input = inner
        return out
    return None


def auto_shard(strategy, dataset):
    """``(dataset, mode)`` for this worker: mode ``"data"`` (every worker reads every global
    batch and keeps its slice of the rows) or ``"local"`` (the worker reads its own stream --
    its files under FILE, everything under OFF -- and gives ``B / num_workers`` rows of it
    per step)."""
    from ..data._options import AutoShardPolicy
    w, i = strategy._num_workers, strategy._worker_index
    policy = _policy(dataset)
    if policy == AutoShardPolicy.DATA:
        return dataset, "data"
    if policy in (AutoShardPolicy.OFF, AutoShardPolicy.HINT):
        return dataset, "local"
    if policy == AutoShardPolicy.FILE:
        sharded = _shard_files(dataset, w, i)
        if sharded is None:
            from .._core import errors
            raise errors.NotFoundError(
                None, None, "Found an unshardable source dataset: AutoShardPolicy.FILE needs "
                            "a file-reading source (TFRecordDataset, or flat_map/interleave "
                            "over file names); set AutoShardPolicy.DATA or OFF instead.")
        return sharded, "local"
    # AUTO: FILE when the dataset reads enough files, else DATA (as TF falls back).
    try:
        sharded = _shard_files(dataset, w, i)
    except Exception:  # noqa: BLE001 - too few files: TF falls back to DATA too
        sharded = None
    return (dataset, "data") if sharded is None else (sharded, "local")


def per_replica_from_parts(strategy, parts):
    """A PerReplica from one value per replica (stacked on the mesh when shapes agree)."""
    from .._core.convert import convert_to_tensor
    parts = [p if isinstance(p, Tensor) else convert_to_tensor(p) for p in parts]
    shapes = {tuple(p.shape) for p in parts}
    if len(shapes) == 1 and parts[0].dtype.name != "string":
        stacked = np.stack([np.asarray(p._v) for p in parts])
        g = jax.device_put(stacked, strategy._batch_sharding)
        return PerReplica(stacked=make(g, parts[0].dtype), n=len(parts), squeeze=True)
    return PerReplica(parts)


# -- datasets ----------------------------------------------------------------------------------------
class DistributedDataset:
    """``strategy.experimental_distribute_dataset(ds)``: iterate it for PerReplica batches."""

    def __init__(self, strategy, dataset, options=None):
        self._strategy = strategy
        self._dataset = dataset
        self._options = options
        self._mode = "data"
        if getattr(strategy, "_num_workers", 1) > 1 and \
                not isinstance(self, DistributedDatasetsFromFunction):
            self._dataset, self._mode = auto_shard(strategy, dataset)

    @property
    def element_spec(self):
        spec = self._dataset.element_spec
        n = self._strategy.num_replicas_in_sync
        if n == 1:
            return spec
        return st.map_structure(lambda s: PerReplicaSpec(*[_replica_spec(s)] * n), spec)

    def __iter__(self):
        if self._mode == "local":
            return _LocalStreamIterator(self._strategy, self._dataset)
        return DistributedIterator(self._strategy, self._dataset)

    def reduce(self, initial_state, reduce_func):
        state = initial_state
        for x in self:
            state = reduce_func(state, x)
        return state

    def __repr__(self):
        return (f"<tensorflow.python.distribute.input_lib.DistributedDataset object at "
                f"{hex(id(self))}>")


class DistributedIterator(OwnedIterator):
    """Yields each element with its components split between the replicas."""

    def __init__(self, strategy, dataset):
        super().__init__(dataset)
        self._strategy = strategy

    def __next__(self):
        flat = next(self._it)
        if self._strategy.num_replicas_in_sync == 1:
            return st.pack(self._structure,
                           [st.to_user(c, s) for c, s in zip(flat, self._specs)])
        return st.pack(self._structure, [place(self._strategy, c, s)
                                         for c, s in zip(flat, self._specs)])

    def get_next(self):
        try:
            return next(self)
        except StopIteration:
            from .._core.errors import OutOfRangeError
            raise OutOfRangeError(None, None, "End of sequence") from None

    def get_next_as_optional(self):
        from ..data._options import Optional
        try:
            return Optional.from_value(next(self))
        except StopIteration:
            return Optional.empty(self._structure)

    def __repr__(self):
        return (f"<tensorflow.python.distribute.input_lib.DistributedIterator object at "
                f"{hex(id(self))}>")


class _LocalStreamIterator(DistributedIterator):
    """Each worker's batches come from its own stream: a batch of ``B`` rows is split into
    ``num_workers`` chunks of ``B / num_workers``, one per step, and each step's global
    batch joins the workers' chunks (TF's rebatching of a FILE- or OFF-sharded dataset)."""

    def __init__(self, strategy, dataset):
        super().__init__(strategy, dataset)
        self._pending = []

    def __next__(self):
        st_ = self._strategy
        w = st_._num_workers
        if not self._pending:
            flat = next(self._it)
            hosts = [np.asarray(c._v) if isinstance(c, Tensor) else c for c in flat]
            for h in hosts:
                if not isinstance(h, np.ndarray) or h.dtype.kind == "O" or h.ndim < 1 or \
                        h.shape[0] % w or (h.shape[0] // w) % len(st_._local_devices()):
                    raise ValueError(
                        f"With several workers each batch must be dense and its size a "
                        f"multiple of num_workers x local replicas "
                        f"({w} x {len(st_._local_devices())}); got a component of shape "
                        f"{getattr(h, 'shape', None)} (batch with drop_remainder=True).")
            k = hosts[0].shape[0] // w
            self._pending = [[h[j * k:(j + 1) * k] for h in hosts] for j in range(w)]
        chunk = self._pending.pop(0)
        out = [PerReplica(stacked=make(_put_local(st_, c), s.dtype),
                          n=st_.num_replicas_in_sync) for c, s in zip(chunk, self._specs)]
        return st.pack(self._structure, out)


class DistributedDatasetsFromFunction(DistributedDataset):
    """Each replica pulls its own batch from the dataset ``dataset_fn`` builds."""

    def __init__(self, strategy, dataset_fn, options=None):
        ic = InputContext(getattr(strategy, "_num_workers", 1),
                          getattr(strategy, "_worker_index", 0),
                          strategy.num_replicas_in_sync)
        super().__init__(strategy, dataset_fn(ic), options)

    def __iter__(self):
        return _FromFunctionIterator(self._strategy, self._dataset)

    def __repr__(self):
        return (f"<tensorflow.python.distribute.input_lib.DistributedDatasetsFromFunction "
                f"object at {hex(id(self))}>")


class _FromFunctionIterator(DistributedIterator):
    def __next__(self):
        n = self._strategy.num_replicas_in_sync
        if n == 1:
            return super().__next__()
        workers = getattr(self._strategy, "_num_workers", 1)
        # Each worker's pipeline feeds its own replicas (its local devices).
        elems = [next(self._it) for _ in range(n // workers)]
        out = []
        for i, s in enumerate(self._specs):
            parts = [e[i] for e in elems]
            hosts = [np.asarray(p._v) if isinstance(p, Tensor) else p for p in parts]
            if all(isinstance(h, np.ndarray) and h.dtype.kind != "O" and h.ndim >= 1
                   for h in hosts) and len({h.shape for h in hosts}) == 1:
                local = np.concatenate(hosts)
                g = _put_local(self._strategy, local) if workers > 1 else \
                    jax.device_put(local, self._strategy._batch_sharding)
                out.append(PerReplica(stacked=make(g, s.dtype), n=n))
            elif workers > 1:
                raise ValueError("With several workers, distribute_datasets_from_function "
                                 "needs dense per-replica batches of one shape "
                                 "(drop_remainder=True).")
            else:
                out.append(PerReplica([st.to_user(p, s) for p in parts]))
        return st.pack(self._structure, out)


# -- Keras fit under a strategy ------------------------------------------------------------------
def shard_batch_like(variables, data):
    """Shards a Keras batch over the mesh its model's variables are replicated on.

    The train step is one ``jax.jit`` over the global batch: with the batch split on the
    mesh's ``"replica"`` axis and the weights replicated, XLA partitions it into data-parallel
    steps whose gradient is all-reduced -- the numerics of the single-device step.
    """
    from jax.sharding import NamedSharding, PartitionSpec as P
    from ._context import AXIS
    mesh = None
    from .._variables import settled_value
    for v in variables:
        sh = getattr(settled_value(v), "sharding", None)
        if isinstance(sh, NamedSharding) and AXIS in sh.mesh.axis_names and \
                sh.mesh.size > 1:
            mesh = sh.mesh
            break
    if mesh is None:
        return data
    n = mesh.shape[AXIS]
    sharding = NamedSharding(mesh, P(AXIS))

    def put(x):
        if isinstance(x, (tuple, list)):
            return type(x)(put(a) for a in x)
        if isinstance(x, dict):
            return {k: put(a) for k, a in x.items()}
        if isinstance(x, Tensor):
            x = x._v
        if isinstance(x, (np.ndarray, jax.Array)) and x.ndim and x.shape[0] % n == 0 and \
                getattr(x, "dtype", np.dtype("O")).kind != "O":
            return jax.device_put(x, sharding)
        return x
    return put(data)

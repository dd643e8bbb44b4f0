"""Several hosts: ``TF_CONFIG`` parsing and ``MultiWorkerMirroredStrategy``.

``MultiWorkerMirroredStrategy`` maps TF's cluster description onto ``jax.distributed``:
worker 0's address is the coordinator, the number of workers the number of processes and
the task index the process id. After ``jax.distributed.initialize`` every process sees the
devices of all hosts; the strategy's mesh spans them, so ``strategy.run`` all-reduces across
hosts through XLA's collectives (NCCL on GPUs).
"""
from __future__ import annotations

import json
import os

import jax

from ._strategy import Strategy


class ClusterSpec:
    """A cluster description (``tf.train.ClusterSpec``): job name -> task addresses."""

    def __init__(self, cluster):
        if isinstance(cluster, ClusterSpec):
            cluster = cluster.as_dict()
        self._cluster = {k: list(v.values()) if isinstance(v, dict) else list(v)
                         for k, v in dict(cluster).items()}

    def as_dict(self):
        return {k: list(v) for k, v in self._cluster.items()}

    @property
    def jobs(self):
        return list(self._cluster)

    def num_tasks(self, job_name):
        return len(self._cluster.get(job_name, []))

    def job_tasks(self, job_name):
        return list(self._cluster[job_name])

    def __bool__(self):
        return bool(self._cluster)

    def __eq__(self, other):
        return isinstance(other, ClusterSpec) and other.as_dict() == self.as_dict()

    def __repr__(self):
        return f"ClusterSpec({self.as_dict()!r})"


class TFConfigClusterResolver:
    """Reads the ``TF_CONFIG`` environment variable (``tf.distribute.cluster_resolver``).

    >>> import os, json
    >>> os.environ["TF_CONFIG"] = json.dumps({"cluster": {"worker": ["a:1", "b:2"]},
    ...                                       "task": {"type": "worker", "index": 1}})
    >>> r = TFConfigClusterResolver()
    >>> r.task_type, r.task_id, r.cluster_spec().num_tasks("worker")
    ('worker', 1, 2)
    >>> del os.environ["TF_CONFIG"]
    """

    def __init__(self, task_type=None, task_id=None, rpc_layer=None, environment=None):
        config = json.loads(os.environ.get("TF_CONFIG", "{}") or "{}")
        task = config.get("task", {})
        self._cluster = ClusterSpec(config.get("cluster", {}))
        self.task_type = task_type if task_type is not None else task.get("type")
        self.task_id = int(task_id if task_id is not None else task.get("index", 0) or 0)
        self.rpc_layer = rpc_layer if rpc_layer is not None else config.get("rpc_layer")
        self.environment = environment if environment is not None else \
            config.get("environment", "")

    def cluster_spec(self) -> ClusterSpec:
        return self._cluster

    def master(self, task_type=None, task_id=None, rpc_layer=None):
        task_type = task_type if task_type is not None else self.task_type
        task_id = task_id if task_id is not None else self.task_id
        if task_type is None or task_type not in self._cluster.jobs:
            return ""
        addr = self._cluster.job_tasks(task_type)[task_id]
        layer = rpc_layer or self.rpc_layer
        return f"{layer}://{addr}" if layer else addr

    def num_accelerators(self, task_type=None, task_id=None, config_proto=None):
        gpus = [d for d in jax.local_devices() if d.platform in ("gpu", "cuda", "rocm")]
        return {"GPU": len(gpus)} if gpus else {}


def _workers(resolver):
    spec = resolver.cluster_spec()
    hosts = []
    for job in ("chief", "worker"):
        if job in spec.jobs:
            hosts += spec.job_tasks(job)
    return hosts


def _process_id(resolver):
    spec = resolver.cluster_spec()
    n_chief = spec.num_tasks("chief") if "chief" in spec.jobs else 0
    if resolver.task_type == "chief":
        return resolver.task_id
    return n_chief + resolver.task_id


def initialize_from_tf_config(resolver):
    """Starts ``jax.distributed`` for the cluster in ``TF_CONFIG`` (once per process).

    Returns ``(num_workers, worker_index)``.
    """
    hosts = _workers(resolver)
    if len(hosts) <= 1:
        return 1, 0
    pid = _process_id(resolver)
    from jax._src import distributed
    if distributed.global_state.client is None:
        jax.distributed.initialize(coordinator_address=hosts[0], num_processes=len(hosts),
                                   process_id=pid)
    return len(hosts), pid


class MultiWorkerMirroredStrategy(Strategy):
    """Synchronous data parallelism over the devices of several hosts.

    Each host runs the same program with its own ``TF_CONFIG`` (``cluster.worker``: the
    hosts' ``address:port``; ``task.index``: this host). The first worker's address is
    ``jax.distributed``'s coordinator. Without ``TF_CONFIG`` it is MirroredStrategy over
    the local devices.
    """

    _tf_module = "tensorflow.python.distribute.collective_all_reduce_strategy"

    def __init__(self, cluster_resolver=None, communication_options=None):
        self._resolver = cluster_resolver or TFConfigClusterResolver()
        self._num_workers, self._worker_index = initialize_from_tf_config(self._resolver)
        super().__init__(jax.devices())
        self.extended._multi_worker = self._num_workers > 1

    @property
    def cluster_resolver(self):
        return self._resolver

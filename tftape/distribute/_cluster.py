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

from ._strategy import Strategy, StrategyExtended


class ClusterSpec:
    """A cluster description (``tf.train.ClusterSpec``): job name -> task addresses."""

    def __init__(self, cluster):
        if isinstance(cluster, ClusterSpec):
            cluster = cluster.as_dict()
        self._cluster = {k: list(v.values()) if isinstance(v, dict) else list(v)
                         for k, v in sorted(dict(cluster).items())}

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
        if task_id is None:
            task_id = task.get("index")
        self.task_id = None if task_id is None else int(task_id)
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
        addr = self._cluster.job_tasks(task_type)[task_id or 0]
        layer = rpc_layer or self.rpc_layer
        return f"{layer}://{addr}" if layer else addr

    def num_accelerators(self, task_type=None, task_id=None, config_proto=None):
        gpus = [d for d in jax.local_devices() if d.platform in ("gpu", "cuda", "rocm")]
        return {"GPU": len(gpus)} if gpus else {}


_ALLOWED_JOBS = ("chief", "worker", "evaluator", "ps", None)

# Seconds a worker waits for the others to join (``jax.distributed``'s initialization timeout)
# and after which a worker that stopped sending heartbeats is declared dead. Overridden by
# these environment variables, and the latter by ``CommunicationOptions(timeout_seconds=)``.
INIT_TIMEOUT_ENV = "TFTAPE_MWMS_INIT_TIMEOUT"
HEARTBEAT_TIMEOUT_ENV = "TFTAPE_MWMS_HEARTBEAT_TIMEOUT"
DEFAULT_INIT_TIMEOUT = 300
DEFAULT_HEARTBEAT_TIMEOUT = 100


def validate_cluster(resolver):
    """TF's checks of a multi-worker cluster (``multi_worker_util._validate_cluster_spec`` and
    ``CollectiveAllReduceExtended._initialize_multi_worker``), with TF's messages."""
    spec = resolver.cluster_spec()
    task_type, task_id = resolver.task_type, resolver.task_id
    if any(job not in _ALLOWED_JOBS for job in spec.jobs):
        raise ValueError(f"Disallowed task type found in cluster spec. Allowed types are "
                         f"{_ALLOWED_JOBS} and the cluster spec is {spec}.")
    if task_type is None or task_id is None:
        raise ValueError("When `cluster_spec` is given, you must also specify `task_type` and "
                         "`task_id`.")
    if task_type not in _ALLOWED_JOBS:
        raise ValueError(f"Unrecognized task_type: {task_type}, valid task types are: "
                         f"{_ALLOWED_JOBS}")
    if task_type not in spec.jobs and task_type != "evaluator":
        raise ValueError(f"`task_type` {task_type!r} not found in cluster_spec.")
    if spec.num_tasks("chief") > 1:
        raise ValueError("There must be at most one 'chief' job.")
    if spec.num_tasks("evaluator") > 1:
        raise ValueError("There must be at most one 'evaluator' job.")
    if task_type in spec.jobs and task_id >= spec.num_tasks(task_type):
        raise ValueError(f"The `task_id` {task_id} exceeds the maximum id of {task_type}.")
    if task_id < 0:
        from .._core import errors
        raise errors.InvalidArgumentError(
            None, None, f"Invalid device filter: /job:{task_type}/task:{task_id}")
    if not _workers(resolver):
        raise ValueError("No `worker`, `chief` or `evaluator` tasks can be found in "
                         "`cluster_spec`.")
    if task_type in ("evaluator", "ps"):
        raise NotImplementedError(
            f"MultiWorkerMirroredStrategy runs on the `chief` and `worker` tasks only; this "
            f"task is {task_type!r} (an evaluator or parameter server runs without it).")


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


def _timeout(env, default, override=None):
    if override:
        return max(1, round(float(override)))
    raw = os.environ.get(env)
    if raw:
        try:
            return max(1, round(float(raw)))
        except ValueError:
            raise ValueError(f"{env} must be a number of seconds, got {raw!r}") from None
    return default


def _wait_for_coordinator(address, timeout):
    """Blocks until ``address`` accepts TCP connections; raises TF's ``UnavailableError``
    after ``timeout`` seconds (JAX would abort the process instead)."""
    import socket
    import time
    host, _, port = address.rpartition(":")
    host = host.strip("[]")
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, int(port)), timeout=1.0):
                return
        except OSError as e:
            if time.monotonic() >= deadline:
                from .._core import errors
                raise errors.UnavailableError(
                    None, None,
                    f"Could not reach the coordinator (worker 0 of the cluster in TF_CONFIG) "
                    f"at {address} within {timeout} s ({e}). Start every worker with the same "
                    f"cluster, or raise the timeout with {INIT_TIMEOUT_ENV}.") from None
            time.sleep(0.2)


def initialize_from_tf_config(resolver, communication_options=None):
    """Starts ``jax.distributed`` for the cluster in ``TF_CONFIG`` (once per process).

    Returns ``(num_workers, worker_index)``.
    """
    spec = resolver.cluster_spec()
    if not spec:
        # No TF_CONFIG: a runtime the program started itself (jax.distributed.initialize()).
        from jax._src import distributed
        state = distributed.global_state
        if state.client is not None and (state.num_processes or 1) > 1:
            return state.num_processes, state.process_id
        return 1, 0
    validate_cluster(resolver)
    hosts = _workers(resolver)
    if len(hosts) <= 1:
        return 1, 0
    pid = _process_id(resolver)
    from jax._src import distributed
    if distributed.global_state.client is not None:
        if (distributed.global_state.num_processes, distributed.global_state.process_id) != \
                (len(hosts), pid):
            raise RuntimeError(
                f"jax.distributed is already initialized as process "
                f"{distributed.global_state.process_id} of "
                f"{distributed.global_state.num_processes}; TF_CONFIG asks for process {pid} "
                f"of {len(hosts)}.")
        return len(hosts), pid
    init_timeout = _timeout(INIT_TIMEOUT_ENV, DEFAULT_INIT_TIMEOUT)
    heartbeat = _timeout(HEARTBEAT_TIMEOUT_ENV, DEFAULT_HEARTBEAT_TIMEOUT,
                         getattr(communication_options, "timeout_seconds", None))
    if pid != 0:
        _wait_for_coordinator(hosts[0], init_timeout)
    try:
        jax.distributed.initialize(coordinator_address=hosts[0], num_processes=len(hosts),
                                   process_id=pid, initialization_timeout=init_timeout,
                                   heartbeat_timeout_seconds=heartbeat)
    except RuntimeError as e:
        if "before any JAX" in str(e) or "computations" in str(e):
            raise RuntimeError(
                "MultiWorkerMirroredStrategy must be created at program startup, before any "
                "tensor is computed: jax.distributed can no longer be initialized in this "
                f"process ({e})") from None
        raise
    return len(hosts), pid


class MultiWorkerMirroredStrategy(Strategy):
    """Synchronous data parallelism over the devices of several hosts.

    Each host runs the same program with its own ``TF_CONFIG`` (``cluster.worker``: the
    hosts' ``address:port``; ``task.index``: this host). The first worker's address (the
    chief's if there is a ``chief`` job) is ``jax.distributed``'s coordinator. Without
    ``TF_CONFIG`` it is MirroredStrategy over the local devices.

    Create it first thing in the program: ``jax.distributed`` must start before JAX runs
    anything. A worker that dies makes the others exit (``jax.distributed``'s heartbeat
    check) after ``communication_options.timeout_seconds`` (default 100 s, or
    ``$TFTAPE_MWMS_HEARTBEAT_TIMEOUT``); workers wait ``$TFTAPE_MWMS_INIT_TIMEOUT`` seconds
    (default 300) for the others to start.
    """

    _tf_module = "tensorflow.python.distribute.collective_all_reduce_strategy"

    def __init__(self, cluster_resolver=None, communication_options=None):
        self._resolver = cluster_resolver or TFConfigClusterResolver()
        self._communication_options = communication_options
        self._num_workers, self._worker_index = initialize_from_tf_config(
            self._resolver, communication_options)
        super().__init__(jax.devices())
        self.extended = _MultiWorkerExtended(self)
        self.extended._multi_worker = self._num_workers > 1

    @property
    def cluster_resolver(self):
        return self._resolver

    def _put_replicated(self, val):
        if self._num_workers == 1:
            return super()._put_replicated(val)
        # As TF does, every worker starts from the chief's initial value (random initializers
        # differ between processes unless seeded).
        import numpy as np
        from jax.experimental import multihost_utils
        if isinstance(val, jax.Array) and not val.is_fully_addressable:
            return val
        host = np.asarray(multihost_utils.broadcast_one_to_all(np.asarray(val)))
        return jax.make_array_from_process_local_data(self._replicated, host)

    @property
    def _is_chief(self):
        return self._worker_index == 0


class _MultiWorkerExtended(StrategyExtended):
    @property
    def _in_multi_worker_mode(self):
        return self._strategy._num_workers > 1

    @property
    def experimental_between_graph(self):
        return True

    @property
    def should_checkpoint(self):
        return self._strategy._is_chief

    @property
    def should_save_summary(self):
        return self._strategy._is_chief

    @property
    def _num_workers(self):
        return self._strategy._num_workers

"""MultiWorkerMirroredStrategy across local worker processes (loopback only).

Each test starts its workers (``tests/_multiworker_worker.py``, 2 virtual CPU devices each)
on free 127.0.0.1 ports, bounds them with timeouts and kills whatever is left. Results are
compared with the same training run in this process without a cluster.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import numpy as np
import pytest

import tftape as tf

pytestmark = pytest.mark.xdist_group("multiworker")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKER = os.path.join(ROOT, "tests", "_multiworker_worker.py")
sys.path.insert(0, os.path.join(ROOT, "tests"))
import _multiworker_worker as mw


def _free_ports(n):
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def _env(**extra):
    env = dict(os.environ)
    env.pop("TF_CONFIG", None)
    env.update(XLA_FLAGS="--xla_force_host_platform_device_count=2", JAX_PLATFORMS="cpu",
               PYTHONPATH=ROOT + os.pathsep + env.get("PYTHONPATH", ""),
               PYTHONUNBUFFERED="1", TF_CPP_MIN_LOG_LEVEL="3")
    env.update({k: str(v) for k, v in extra.items()})
    return env


def _start(mode, n, out_dir="", delays=None, **env):
    ports = ",".join(map(str, _free_ports(n)))
    procs = []
    for i in range(n):
        if delays and delays[i]:
            time.sleep(delays[i])
        procs.append(subprocess.Popen(
            [sys.executable, WORKER, mode, str(i), ports, out_dir], cwd=ROOT,
            env=_env(**env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=True))
    return procs


def _finish(procs, timeout):
    """(returncode, stdout, stderr, seconds) per worker; kills any still running at the end."""
    t0 = time.monotonic()
    out = []
    try:
        for p in procs:
            left = max(0.1, timeout - (time.monotonic() - t0))
            try:
                o, e = p.communicate(timeout=left)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                o, e = p.communicate()
                out.append((None, o, e, time.monotonic() - t0))
                continue
            out.append((p.returncode, o, e, time.monotonic() - t0))
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
    return out


def _result(stdout):
    lines = [ln for ln in stdout.splitlines() if ln.startswith("RESULT ")]
    assert lines, stdout[-2000:]
    return json.loads(lines[-1][len("RESULT "):])


def _close(a, b):
    np.testing.assert_allclose(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64),
                               rtol=2e-5, atol=2e-6)


# -- training matches one process ----------------------------------------------------------------
def test_two_workers_train_like_one_process(tmp_path):
    procs = _start("train", 2, str(tmp_path))
    default = tf.distribute.get_strategy()
    _, custom = mw.train_custom(tf, default)
    _, keras = mw.train_keras(tf, default)
    res = _finish(procs, 90)
    for rc, o, e, _ in res:
        assert rc == 0, e[-3000:]
    results = [_result(o) for _, o, _, _ in res]
    for r in results:
        assert r["replicas"] == 4
        _close(r["custom"]["losses"], custom["losses"])
        for a, b in zip(r["custom"]["weights"], custom["weights"]):
            _close(a, b)
        _close(r["keras"]["losses"], keras["losses"])
        _close(r["keras"]["eval"], keras["eval"])
        for a, b in zip(r["keras"]["weights"], keras["weights"]):
            _close(a, b)
    assert results[0]["fresh"] == results[1]["fresh"]
    # Only the chief writes checkpoints; every worker gets the same path back.
    assert [r["should_checkpoint"] for r in results] == [True, False]
    assert results[0]["saved"] == results[1]["saved"]
    assert sorted(os.listdir(tmp_path)) == ["checkpoint", "ckpt-1.data-00000-of-00001",
                                            "ckpt-1.index"]
    ckpt = tf.train.Checkpoint(model=mw._model(tf))
    ckpt.restore(results[0]["saved"]).assert_existing_objects_matched()


# -- input: auto-shard policies and InputContext; a worker that starts late ---------------------
def test_auto_shard_policies_input_context_and_late_worker(tmp_path):
    # Worker 1 starts 2 s after worker 0: it joins within the coordinator's timeout.
    procs = _start("shard", 2, str(tmp_path), delays=[0, 2], TFTAPE_MWMS_INIT_TIMEOUT=60)
    res = _finish(procs, 90)
    for rc, o, e, _ in res:
        assert rc == 0, e[-3000:]
    r0, r1 = (_result(o) for _, o, _, _ in res)
    files = [[f * 100 + k for k in range(8)] for f in range(4)]
    # DATA: every worker reads every global batch of 8 and keeps its 4 rows.
    assert r0["DATA"] == [b[:4] for b in files]
    assert r1["DATA"] == [b[4:] for b in files]
    # FILE: worker w reads files w, w+2; each batch of 8 is 2 steps of 4 rows.
    assert r0["FILE"] == [files[0][:4], files[0][4:], files[2][:4], files[2][4:]]
    assert r1["FILE"] == [files[1][:4], files[1][4:], files[3][:4], files[3][4:]]
    assert r0["AUTO"] == r0["FILE"] and r1["AUTO"] == r1["FILE"]
    # OFF: every worker reads everything.
    whole = [h for b in files for h in (b[:4], b[4:])]
    assert r0["OFF"] == whole and r1["OFF"] == whole
    # A step's reduction sums both workers' rows.
    assert r0["file_sums"] == r1["file_sums"] == [
        float(sum(a) + sum(b)) for a, b in zip(r0["FILE"], r1["FILE"])]
    # distribute_datasets_from_function: one pipeline per worker, its InputContext.
    assert r0["contexts"] == [[2, 0, 4, 2]] and r1["contexts"] == [[2, 1, 4, 2]]
    evens = [float(i) for i in range(0, 32, 2)]
    odds = [float(i) for i in range(1, 32, 2)]
    assert r0["fn"] == [evens[i:i + 4] for i in range(0, 16, 4)]
    assert r1["fn"] == [odds[i:i + 4] for i in range(0, 16, 4)]


# -- faults --------------------------------------------------------------------------------------
@pytest.mark.parametrize("victim", [1, 0], ids=["worker", "coordinator"])
def test_dead_worker_makes_the_others_fail_fast(victim):
    procs = _start("die", 2, TFTAPE_MWMS_HEARTBEAT_TIMEOUT=3, MW_DIE_INDEX=victim)
    res = _finish(procs, 45)
    rc_dead = res[victim][0]
    rc, o, e, t = res[1 - victim]
    assert rc_dead == 7
    assert rc not in (0, None), "the surviving worker did not stop"
    assert t < 30
    assert "RESULT" not in o
    assert "JAX distributed service detected fatal errors" in e, e[-2000:]


def test_unreachable_coordinator_raises_unavailable(monkeypatch):
    port, = _free_ports(1)
    monkeypatch.setenv("TF_CONFIG", json.dumps({
        "cluster": {"worker": [f"127.0.0.1:{port}", "127.0.0.1:1"]},
        "task": {"type": "worker", "index": 1}}))
    monkeypatch.setenv("TFTAPE_MWMS_INIT_TIMEOUT", "1")
    t = time.monotonic()
    with pytest.raises(tf.errors.UnavailableError, match="coordinator"):
        tf.distribute.MultiWorkerMirroredStrategy()
    assert time.monotonic() - t < 10


BAD_CONFIGS = {
    "not_json": "{not json",
    "index_too_big": {"cluster": {"worker": ["127.0.0.1:1", "127.0.0.1:2"]},
                      "task": {"type": "worker", "index": 5}},
    "no_task": {"cluster": {"worker": ["127.0.0.1:1", "127.0.0.1:2"]}},
    "task_type_missing_from_cluster": {"cluster": {"worker": ["127.0.0.1:1", "127.0.0.1:2"]},
                                       "task": {"type": "ps", "index": 0}},
    "two_chiefs": {"cluster": {"chief": ["127.0.0.1:1", "127.0.0.1:4"],
                               "worker": ["127.0.0.1:2"]},
                   "task": {"type": "worker", "index": 0}},
    "bad_job": {"cluster": {"worker": ["127.0.0.1:1"], "trainer": ["127.0.0.1:2"]},
                "task": {"type": "worker", "index": 0}},
}


@pytest.mark.parametrize("case", sorted(BAD_CONFIGS))
def test_wrong_tf_config_raises_like_tf(case, monkeypatch):
    real_tf = pytest.importorskip("tensorflow")
    cfg = BAD_CONFIGS[case]
    monkeypatch.setenv("TF_CONFIG", cfg if isinstance(cfg, str) else json.dumps(cfg))
    with pytest.raises(Exception) as theirs:
        real_tf.distribute.MultiWorkerMirroredStrategy()
    with pytest.raises(Exception) as mine:
        tf.distribute.MultiWorkerMirroredStrategy()
    assert type(mine.value).__name__ == type(theirs.value).__name__
    assert str(mine.value) == str(theirs.value)


def test_four_workers_train_like_one_process(tmp_path):
    """4 workers x 2 devices = 8 replicas (global batch 16: 2 rows per replica)."""
    procs = _start("train", 4, str(tmp_path))
    default = tf.distribute.get_strategy()
    _, custom = mw.train_custom(tf, default)
    _, keras = mw.train_keras(tf, default)
    res = _finish(procs, 120)
    for rc, o, e, _ in res:
        assert rc == 0, e[-3000:]
    results = [_result(o) for _, o, _, _ in res]
    for r in results:
        assert r["replicas"] == 8
        for a, b in zip(r["custom"]["weights"] + r["keras"]["weights"],
                        custom["weights"] + keras["weights"]):
            _close(a, b)
        _close(r["keras"]["eval"], keras["eval"])
    assert [r["should_checkpoint"] for r in results] == [True, False, False, False]

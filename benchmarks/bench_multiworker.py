"""MultiWorkerMirroredStrategy step time against the number of local worker processes.

Run: ``python benchmarks/bench_multiworker.py [max_workers] [devices_per_worker] [steps]``
(defaults 4, 1, 30). For each worker count 1, 2, 4, ... it starts that many processes of
``tests/_multiworker_worker.py bench`` on free 127.0.0.1 ports (``TF_CONFIG`` built from
them; 1 worker = no cluster), each with ``devices_per_worker`` virtual CPU devices, and
prints the mean time of a ``tf.function`` training step (``strategy.run`` of a GradientTape
step of a 64-256-10 MLP + ``strategy.reduce``, global batch 256) as the chief measured it.

The workers share this machine's cores and talk over loopback (gloo all-reduce of the
gradients): the figures show the cost of the cross-process step, not a speed-up.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKER = os.path.join(ROOT, "tests", "_multiworker_worker.py")


def _ports(n):
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def run(n_workers, devices, steps, timeout=300):
    env = dict(os.environ)
    env.pop("TF_CONFIG", None)
    env.update(XLA_FLAGS=f"--xla_force_host_platform_device_count={devices}",
               JAX_PLATFORMS="cpu", PYTHONPATH=ROOT + os.pathsep + env.get("PYTHONPATH", ""),
               TF_CPP_MIN_LOG_LEVEL="3")
    ports = ",".join(map(str, _ports(n_workers)))
    procs = [subprocess.Popen([sys.executable, WORKER, "bench", str(i), ports, str(steps)],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
             for i in range(n_workers)]
    t0 = time.monotonic()
    outs = []
    try:
        for p in procs:
            o, e = p.communicate(timeout=max(1, timeout - (time.monotonic() - t0)))
            if p.returncode:
                raise RuntimeError(f"worker failed:\n{e[-2000:]}")
            outs.append(o)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    line = [ln for ln in outs[0].splitlines() if ln.startswith("RESULT ")][-1]
    return json.loads(line[len("RESULT "):])


def main():
    max_workers = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    devices = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    steps = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    print(f"{'workers':>7} {'replicas':>8} {'step ms':>8}")
    n = 1
    while n <= max_workers:
        r = run(n, devices, steps)
        print(f"{n:>7} {r['replicas']:>8} {r['step_ms']:>8.2f}", flush=True)
        n *= 2


if __name__ == "__main__":
    main()

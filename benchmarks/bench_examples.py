"""The training examples as a user runs them: ``python -m tftape examples/X.py`` against real
TensorFlow running the same unchanged script (``python examples/X.py``).

    .venv/bin/python benchmarks/bench_examples.py [--rounds 3] [--fast] [NAME ...]

Each round runs every example once under each library, alternating, in fresh processes; the
table gives the median wall time of the whole process (imports, data, compilation, training,
evaluation) and, where the script prints it, of ``fit`` alone, and the ratios (TF / tftape:
above 1 means tftape is faster). ``--fast`` runs the scripts' short mode.
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = ["cnn_digits.py", "text_classification_lstm.py", "custom_training_loop.py",
            "keras_fit.py"]
_FIT = re.compile(r"fit: \d+ epochs in ([\d.]+) s")


def run(name: str, tftape: bool, fast: bool) -> tuple[float, float | None]:
    path = os.path.join("examples", name)
    cmd = [sys.executable, "-m", "tftape", path] if tftape else [sys.executable, path]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", MPLBACKEND="Agg")
    env.pop("TFTAPE_EXAMPLES_FAST", None)
    if fast:
        env["TFTAPE_EXAMPLES_FAST"] = "1"
    t0 = time.perf_counter()
    r = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{r.stderr[-3000:]}")
    m = _FIT.search(r.stdout)
    return wall, float(m.group(1)) if m else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("names", nargs="*", default=EXAMPLES)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--fast", action="store_true")
    a = ap.parse_args()
    from _harness import table
    rows = []
    for name in a.names:
        walls = {True: [], False: []}
        fits = {True: [], False: []}
        for _ in range(a.rounds):
            for lib in (True, False):
                wall, fit = run(name, lib, a.fast)
                walls[lib].append(wall)
                if fit is not None:
                    fits[lib].append(fit)
        w_ours, w_tf = statistics.median(walls[True]), statistics.median(walls[False])
        row = [name, f"{w_ours:.1f} s", f"{w_tf:.1f} s", f"{w_tf / w_ours:.2f}x"]
        if fits[True] and fits[False]:
            f_ours, f_tf = statistics.median(fits[True]), statistics.median(fits[False])
            row += [f"{f_ours:.1f} s", f"{f_tf:.1f} s", f"{f_tf / f_ours:.2f}x"]
        else:
            row += ["-", "-", "-"]
        rows.append(row)
        print(f"{name}: done", file=sys.stderr)
    print(f"median of {a.rounds} runs{' (fast mode)' if a.fast else ''}; ratio = TF / tftape")
    print(table(rows, ["example", "tftape process", "TF process", "ratio", "tftape fit",
                       "TF fit", "ratio"]))


if __name__ == "__main__":
    main()

"""The test suite's own setup: xdist groups keep a module on one worker.

The README's test command runs ``pytest -n 2 --dist loadgroup``; the docs, examples and
multi-worker modules are ``xdist_group``s whose module fixtures (every docs page, every example
script, TF in a subprocess) must run once, on one worker, not once per worker.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))

_GROUPED = '''
import os, time, pytest
pytestmark = pytest.mark.xdist_group("g")

@pytest.mark.parametrize("i", range(8))
def test_grouped(i):
    time.sleep(0.05)
    print("WORKER", os.environ.get("PYTEST_XDIST_WORKER"))
'''
_LOOSE = '''
import time, pytest

@pytest.mark.parametrize("i", range(8))
def test_loose(i):
    time.sleep(0.05)
'''


def test_an_xdist_group_runs_on_one_worker(tmp_path):
    pytest.importorskip("xdist")
    shutil.copy(os.path.join(HERE, "conftest.py"), tmp_path / "conftest.py")
    (tmp_path / "test_grouped.py").write_text(_GROUPED)
    (tmp_path / "test_loose.py").write_text(_LOOSE)
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rA", "-n", "2", "--dist",
                        "loadgroup", "-p", "no:cacheprovider", str(tmp_path)],
                       cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    workers = [line.split()[1] for line in r.stdout.splitlines() if line.startswith("WORKER")]
    assert len(workers) == 8 and len(set(workers)) == 1, workers

"""`import tftape` works from any working directory, the folder holding a clone included.

A `git clone` makes a `tftape/` folder without an `__init__.py`; run from its parent, that
folder is a namespace-package portion of `tftape`. A regular package found through a plain
sys.path entry (the editable install's .pth line) beats it; an import-hook finder does not.
"""
import importlib.util
import os
import pathlib
import subprocess
import sys
import sysconfig
import tomllib
import venv
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCRIPT = "import tftape as tf\nprint(tf.Variable(2.0).numpy(), tf.__file__)\n"
ALIASED = "import tensorflow as tf\nprint(tf.constant([1, 2]) + 1)\n"


def _clone_parent(tmp_path):
    """A folder holding a clone-like `tftape/` directory (no package on sys.path) and two scripts."""
    parent = tmp_path / "work"
    (parent / "tftape").mkdir(parents=True)
    (parent / "tftape" / "README.md").write_text((ROOT / "README.md").read_text())
    (parent / "tftape" / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
    (parent / "script.py").write_text(SCRIPT)
    (parent / "aliased.py").write_text(ALIASED)
    return parent


def _run(python, args, cwd, env):
    r = subprocess.run([python, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    return r.stdout


def _check(python, parent, env):
    out = _run(python, ["script.py"], parent, env)
    name, path = out.split()
    assert name == "2.0"
    assert pathlib.Path(path).resolve() == ROOT / "tftape" / "__init__.py"
    out = _run(python, ["-m", "tftape", "aliased.py"], parent, env)
    assert out.strip() == "tf.Tensor([2 3], shape=(2,), dtype=int32)"


def test_import_from_the_folder_holding_a_clone(tmp_path):
    """The installation this test session uses (in CI: the editable install) wins."""
    _check(sys.executable, _clone_parent(tmp_path), dict(os.environ))


@pytest.mark.skipif(importlib.util.find_spec("hatchling") is None, reason="needs hatchling")
def test_editable_install_is_a_plain_path_entry(tmp_path):
    """The build backend's editable wheel, installed into a fresh venv, beats the namespace portion."""
    backend = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["build-backend"]
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    build = f"import {backend} as b; print(b.build_editable({str(wheels)!r}))"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    pypath = os.environ.get("PYTHONPATH", "")
    wheel = _run(sys.executable, ["-c", build], ROOT, dict(env, PYTHONPATH=pypath)).split()[-1]
    with zipfile.ZipFile(wheels / wheel) as z:
        pths = [n for n in z.namelist() if n.endswith(".pth")]
        assert len(pths) == 1
        lines = z.read(pths[0]).decode().split()
    # Path lines only: an `import` line would install a finder that loses to the namespace portion.
    assert [pathlib.Path(p).resolve() for p in lines] == [ROOT]

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = pathlib.Path(_run(python, ["-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             tmp_path, env).strip())
    with zipfile.ZipFile(wheels / wheel) as z:
        z.extractall(site)
    # jax and numpy from this interpreter's site-packages (a path line: its .pth files stay unread).
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "zz_deps.pth").write_text("\n".join(sorted(deps)) + "\n")
    _check(str(python), _clone_parent(tmp_path), env)

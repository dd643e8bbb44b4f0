"""The example gallery: every script in examples/ runs unchanged under ``python -m tftape``.

Scripts whose output does not depend on random numbers are compared with real TensorFlow's
output, kept in ``examples/expected/<name>.out`` (regenerate them with real TF installed:
``python tests/test_examples.py --regenerate``); each file records the hash of the script it
came from, so an edited script without a regenerated output fails here. Floats are compared
with a tolerance (XLA and TF's kernels may differ in the last bits). The compared scripts run
as a user runs them; the training scripts (no recorded output) run in their fast mode
(``TFTAPE_EXAMPLES_FAST=1``) and write their figures to a temporary folder. Scripts run in
parallel subprocesses.
"""
from __future__ import annotations

import concurrent.futures
import hashlib
import os
import re
import subprocess
import sys

import numpy as np
import pytest

# The module-scoped fixture runs every example once: keep the module on one xdist worker
# (`--dist loadgroup`) so it is not run again on the other.
pytestmark = pytest.mark.xdist_group("examples")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")
EXPECTED = os.path.join(EXAMPLES, "expected")

# Deterministic scripts: their output must match TF 2.21's.
ORACLE = ["tensorflow_basics.py", "autodiff_gradient_tape.py", "tensors_variables_gradients.py",
          "stack_concat_variables_tape.py", "tf_guide_basics.py", "higher_order_derivatives.py",
          "text_processing.py", "sparse_ops.py", "autodiff_tutorial.py",
          "checkpoint_resume.py"]
# Scripts that draw random numbers (initializers, shuffling): they must run and check
# themselves (the loss goes down).
RANDOM = ["custom_training_loop.py", "keras_fit.py", "cnn_digits.py",
          "text_classification_lstm.py"]
# The seed tutorials (shared/seeds/*.txt), one script each.
SEEDS = {"000": "tensorflow_basics.py", "001": "autodiff_gradient_tape.py",
         "002": "tensors_variables_gradients.py", "003": "stack_concat_variables_tape.py",
         "004": "tf_guide_basics.py"}

_ENV = {k: v for k, v in os.environ.items() if k != "TFTAPE_EXAMPLES_FAST"}
_ENV.update(TF_ENABLE_ONEDNN_OPTS="0", TF_CPP_MIN_LOG_LEVEL="3", PYTHONHASHSEED="0",
            PYTHONIOENCODING="utf-8")
_FAST_ENV = dict(_ENV, TFTAPE_EXAMPLES_FAST="1")
# Figures of each script that draws (their CSV fallback has the same stem).
FIGURES = {"tanh_gradient.py": ["tanh_gradient"],
           "custom_training_loop.py": ["custom_training_loop_curves",
                                       "custom_training_loop_boundary"],
           "keras_fit.py": ["keras_fit_loss"]}
_NUM = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|nan|inf")
_ADDR = re.compile(r"0x[0-9a-fA-F]+")


def script_hash(name: str) -> str:
    with open(os.path.join(EXAMPLES, name), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


def _header(name: str) -> str:
    return (f"# TensorFlow 2.21 output of examples/{name} (sha256 {script_hash(name)}), "
            "TF_ENABLE_ONEDNN_OPTS=0\n")


ORACLE_CHECKED = "autodiff_gradient_tape.py"   # regenerated with real TF in every test run


def run_example(name: str, tftape: bool = True, args=(), pre: str = "", timeout=300):
    """Runs an example as a user would: ``python -m tftape examples/NAME`` (or with real TF).

    Scripts with figures or random numbers run in their fast mode (they have no recorded
    output)."""
    path = os.path.join("examples", name)
    if pre:  # code to run first in the same process (e.g. hide matplotlib)
        cmd = [sys.executable, "-c", f"{pre}\nimport sys\nfrom tftape.__main__ import main\n"
               f"sys.exit(main({[path, *args]!r}))"]
    elif tftape:
        cmd = [sys.executable, "-m", "tftape", path, *args]
    else:
        cmd = [sys.executable, path, *args]
    fast = name in FIGURES or name in RANDOM
    return subprocess.run(cmd, cwd=ROOT, env=_FAST_ENV if fast else _ENV,
                          capture_output=True, text=True, timeout=timeout)


def same_output(expected: str, got: str) -> str | None:
    """None if the outputs agree (numbers within float tolerance), else the first difference."""
    exp_lines = _ADDR.sub("0x", expected).splitlines()
    got_lines = _ADDR.sub("0x", got).splitlines()
    for i, (e, g) in enumerate(zip(exp_lines, got_lines)):
        if e == g:
            continue
        skel_e = re.sub(r"\s+", "", _NUM.sub("#", e))
        skel_g = re.sub(r"\s+", "", _NUM.sub("#", g))
        ne, ng = _NUM.findall(e), _NUM.findall(g)
        if skel_e == skel_g and len(ne) == len(ng) and np.allclose(
                np.array(ne, dtype=float), np.array(ng, dtype=float),
                rtol=1e-5, atol=1e-6, equal_nan=True):
            continue
        return f"line {i + 1}:\n  TF:     {e!r}\n  tftape: {g!r}"
    if len(exp_lines) != len(got_lines):
        return f"{len(exp_lines)} lines from TF, {len(got_lines)} from tftape"
    return None


def _has_matplotlib() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Every example run once under tftape (and one under real TF), two at a time."""
    out = tmp_path_factory.mktemp("examples")
    jobs = {n: (n, True, (), "") for n in ORACLE}
    no_mpl = "import sys; sys.modules['matplotlib'] = None"
    for n in FIGURES:
        # Without matplotlib (CSV files), and with it where the `examples` extra is installed.
        jobs[n] = (n, True, ("--out", str(out / n / "csv")), no_mpl)
        if _has_matplotlib():
            jobs[n + ":png"] = (n, True, ("--out", str(out / n / "png")), "")
    for n in RANDOM:
        jobs.setdefault(n, (n, True, (), ""))
    try:
        import tensorflow  # noqa: F401
        jobs["tf:" + ORACLE_CHECKED] = (ORACLE_CHECKED, False, (), "")
    except ImportError:
        pass
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        futures = {k: pool.submit(run_example, *job) for k, job in jobs.items()}
        results = {k: f.result() for k, f in futures.items()}
    results["out"] = out
    return results


def test_every_example_is_listed():
    scripts = sorted(f for f in os.listdir(EXAMPLES) if f.endswith(".py"))
    assert scripts == sorted(ORACLE + RANDOM + ["tanh_gradient.py", "_figures.py"])


def test_every_seed_tutorial_has_a_script():
    seeds_dir = os.path.join(ROOT, "..", "shared", "seeds")
    if os.path.isdir(seeds_dir):
        seeds = sorted(f.split("_")[0] for f in os.listdir(seeds_dir) if f.endswith(".txt"))
        assert seeds == sorted(SEEDS)
    for name in SEEDS.values():
        with open(os.path.join(EXAMPLES, name), encoding="utf-8") as f:
            src = f.read()
        assert "import tensorflow as tf" in src and "tftape" not in src.split('"""', 2)[2]


@pytest.mark.parametrize("name", ORACLE)
def test_example_matches_tensorflow(runs, name):
    r = runs[name]
    assert r.returncode == 0, r.stderr[-3000:]
    with open(os.path.join(EXPECTED, name[:-3] + ".out"), encoding="utf-8") as f:
        header, expected = f.readline(), f.read()
    assert header == _header(name), (
        f"examples/expected/{name[:-3]}.out is stale: regenerate it with real TensorFlow "
        "(python tests/test_examples.py --regenerate)")
    diff = same_output(expected, r.stdout)
    assert diff is None, diff


def test_readme_demo_prints_exactly_what_tf_prints(runs):
    """The README's demo: no tolerance, every digit as TF prints it."""
    r = runs["autodiff_tutorial.py"]
    assert r.returncode == 0, r.stderr[-3000:]
    with open(os.path.join(EXPECTED, "autodiff_tutorial.out"), encoding="utf-8") as f:
        f.readline()
        assert r.stdout == f.read()
    assert r.stdout.splitlines()[-1].startswith("done: ")


@pytest.mark.parametrize("name", RANDOM)
def test_random_example_runs(runs, name):
    r = runs[name]
    assert r.returncode == 0, r.stderr[-3000:]
    assert "loss" in r.stdout


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_figures_png(runs, name):
    if name + ":png" not in runs:
        pytest.skip("matplotlib is not installed (the `examples` extra)")
    r = runs[name + ":png"]
    assert r.returncode == 0, r.stderr[-3000:]
    for fig in FIGURES[name]:
        path = runs["out"] / name / "png" / (fig + ".png")
        assert f"Saving figure {path}" in r.stdout
        with open(path, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_figures_fall_back_to_csv(runs, name):
    # matplotlib made unimportable, as when the `examples` extra is not installed.
    r = runs[name]
    assert r.returncode == 0, r.stderr[-3000:]
    out = runs["out"] / name / "csv"
    assert sorted(os.listdir(out)) == sorted(fig + ".csv" for fig in FIGURES[name])
    for fig in FIGURES[name]:
        assert f"matplotlib is not installed (pip install -e '.[examples]'); wrote {out / fig}.csv" \
            in r.stdout


def test_tanh_csv_holds_tanh_and_its_gradient(runs):
    data = np.loadtxt(runs["out"] / "tanh_gradient.py" / "csv" / "tanh_gradient.csv",
                      delimiter=",", skiprows=1)
    w, L, grad = data.T
    assert data.shape == (129, 3)
    np.testing.assert_allclose(w, np.linspace(-10, 10, 129), rtol=1e-6)
    np.testing.assert_allclose(L, np.tanh(w), atol=1e-6)
    np.testing.assert_allclose(grad, 1 - np.tanh(w) ** 2, atol=1e-6)


def test_training_curves_csv(runs):
    out = runs["out"]
    loop = np.loadtxt(out / "custom_training_loop.py" / "csv" / "custom_training_loop_curves.csv",
                      delimiter=",", skiprows=1)
    assert loop.shape == (3, 4) and list(loop[:, 0]) == [1, 2, 3]   # three epochs (fast mode)
    assert loop[-1, 1] < loop[0, 1] and np.all((loop[:, 2:] >= 0) & (loop[:, 2:] <= 1))
    grid = np.loadtxt(out / "custom_training_loop.py" / "csv" /
                      "custom_training_loop_boundary.csv", delimiter=",", skiprows=1)
    assert grid.shape == (121 * 121, 3) and np.all((grid[:, 2] >= 0) & (grid[:, 2] <= 1))
    fit = np.loadtxt(out / "keras_fit.py" / "csv" / "keras_fit_loss.csv", delimiter=",",
                     skiprows=1)
    assert fit.shape[1] == 3 and fit[-1, 1] < fit[0, 1]


def test_same_output_tolerates_only_float_noise():
    a = "<tf.Tensor: numpy=array([4.6666665, 8.666667 ], dtype=float32)>"
    b = "<tf.Tensor: numpy=array([4.666667, 8.666667], dtype=float32)>"
    assert same_output(a, b) is None
    assert same_output(a, b.replace("4.666667", "4.7")) is not None
    assert same_output(a, b.replace("float32", "float64")) is not None
    assert same_output("x\ny", "x") is not None
    assert same_output("<obj at 0x7f00>", "<obj at 0xdead>") is None


def test_expected_output_is_real_tensorflow(runs):
    """One expected output regenerated with the oracle: the files are TF's, not tftape's."""
    if "tf:" + ORACLE_CHECKED not in runs:
        pytest.skip("TensorFlow (the oracle) is not installed")
    r = runs["tf:" + ORACLE_CHECKED]
    assert r.returncode == 0, r.stderr[-3000:]
    with open(os.path.join(EXPECTED, ORACLE_CHECKED[:-3] + ".out"), encoding="utf-8") as f:
        f.readline()
        assert f.read() == r.stdout


def regenerate(names=ORACLE):
    """Writes examples/expected/*.out from real TensorFlow (run with TF installed)."""
    import tensorflow  # noqa: F401  (fail early without the oracle)
    os.makedirs(EXPECTED, exist_ok=True)
    for name in names:
        r = run_example(name, tftape=False)
        if r.returncode != 0:
            raise SystemExit(f"{name} failed under TensorFlow:\n{r.stderr[-3000:]}")
        with open(os.path.join(EXPECTED, name[:-3] + ".out"), "w", encoding="utf-8") as f:
            f.write(_header(name) + r.stdout)
        print("wrote", f"examples/expected/{name[:-3]}.out")


if __name__ == "__main__":
    if sys.argv[1:] == ["--regenerate"]:
        regenerate()
    else:
        print("usage: python tests/test_examples.py --regenerate")

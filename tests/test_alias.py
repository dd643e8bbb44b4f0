"""``python -m tftape script.py`` and ``alias_tensorflow()``: TF scripts run on tftape."""
import os
import subprocess
import sys
import textwrap

import pytest

# Its module fixture runs real TF in a subprocess once: keep the module on one xdist worker
# (`--dist loadgroup`).
pytestmark = pytest.mark.xdist_group("alias")

real_tf = pytest.importorskip("tensorflow")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = {"PATH": "/usr/bin:/bin", "PYTHONPATH": ROOT, "JAX_PLATFORMS": "cpu",
       "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONUNBUFFERED": "1"}

SCRIPT = textwrap.dedent("""
    import sys
    import tensorflow as tf
    from tensorflow import keras
    import tensorflow.experimental.numpy as tnp
    import tensorflow.math
    from tensorflow.math import reduce_sum
    print(sys.argv[1:])
    print(tf.constant([1, 2]) * 2)
    print(reduce_sum(tf.constant([1, 2, 3])))
    @tf.function
    def f(x):
        if x > 0:
            return x * 2
        return -x
    print(f(tf.constant(3)), f(tf.constant(-3)))
    v = tf.Variable(2.0)
    with tf.GradientTape() as t:
        y = v * v
    print(t.gradient(y, v))
    print(callable(tnp.asarray))
""")


def _run(args, cwd):
    return subprocess.run(args, capture_output=True, text=True, cwd=cwd, env=ENV, timeout=120)


def test_python_m_tftape_matches_real_tf(tmp_path):
    p = tmp_path / "script.py"
    p.write_text(SCRIPT)
    ours = _run([sys.executable, "-m", "tftape", str(p), "a", "--b"], tmp_path)
    assert ours.returncode == 0, ours.stderr[-2000:]
    theirs = _run([sys.executable, str(p), "a", "--b"], tmp_path)
    assert theirs.returncode == 0, theirs.stderr[-2000:]
    assert ours.stdout == theirs.stdout


def test_script_never_imports_real_tensorflow(tmp_path):
    p = tmp_path / "s.py"
    p.write_text("import sys, tensorflow as tf\n"
                 "print(tf.__name__, [m for m in sys.modules if m.startswith('tensorflow.python')])\n")
    r = _run([sys.executable, "-m", "tftape", str(p)], tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "tftape []"


def test_alias_in_process(tmp_path):
    code = ("import tftape._alias as a; a.alias_tensorflow()\n"
            "import tensorflow as tf, tensorflow.nn as nn, tftape\n"
            "assert tf is tftape and nn is tftape.nn\n"
            "from tensorflow import keras\nassert keras is tftape.keras\nprint('ok')\n")
    r = _run([sys.executable, "-c", code], tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"


def test_missing_submodule_raises_module_not_found(tmp_path):
    code = ("import tftape._alias as a; a.alias_tensorflow()\n"
            "try:\n    import tensorflow.no_such_module\n"
            "except ModuleNotFoundError as e:\n    print(type(e).__name__)\n")
    r = _run([sys.executable, "-c", code], tmp_path)
    assert r.stdout.strip() == "ModuleNotFoundError", r.stderr


@pytest.mark.parametrize("argv,rc", [([], 2), (["--help"], 0), (["/no/such/file.py"], 2)])
def test_usage_and_exit_codes(tmp_path, argv, rc):
    r = _run([sys.executable, "-m", "tftape"] + argv, tmp_path)
    assert r.returncode == rc


def test_exceptions_and_exit_status_like_python(tmp_path):
    p = tmp_path / "bad.py"
    p.write_text("import tensorflow as tf\ntf.constant(1) + tf.constant(1.0)\n")
    ours = _run([sys.executable, "-m", "tftape", str(p)], tmp_path)
    theirs = _run([sys.executable, str(p)], tmp_path)
    assert ours.returncode == theirs.returncode == 1
    last = [r.stderr.strip().splitlines()[-1] for r in (ours, theirs)]
    assert last[0].split(":")[0].rsplit(".")[-1] == last[1].split(":")[0].rsplit(".")[-1]
    assert last[0].split(": ", 1)[1] == last[1].split(": ", 1)[1]


# Unknown attributes of public modules reached under the alias, as real TF reports them.
MISSING = ["tf.foo", "tf.strings.foo", "tf.math.foo", "tf.nn.foo", "tf.linalg.foo", "tf.random.foo",
           "tf.ragged.foo", "tf.sparse.foo", "tf.sets.foo", "tf.errors.foo", "tf.data.foo",
           "tf.distribute.foo", "tf.experimental.foo", "tf.experimental.numpy.foo",
           "tf.keras.foo", "tf.keras.layers.Foo", "tf.keras.losses.foo", "tf.keras.metrics.foo",
           "tf.keras.optimizers.foo", "tf.keras.callbacks.foo", "tf.keras.optimizers.schedules.foo",
           "strings.bar"]
# Note: TF names some modules differently once imported by their dotted path
# (`from tensorflow.keras import layers` makes tf.keras 'tensorflow.keras'); tftape follows
# the names of modules reached as attributes.
MISSING_SCRIPT = ("import tensorflow as tf\nfrom tensorflow import strings\n"
                  "for expr in {exprs!r}:\n"
                  "    try:\n        eval(expr)\n"
                  "    except AttributeError as e:\n        print(expr, '|', e, '|', e.name)\n")


@pytest.fixture(scope="module")
def missing_attribute_lines(tmp_path_factory):
    p = tmp_path_factory.mktemp("missing") / "missing.py"
    p.write_text(MISSING_SCRIPT.format(exprs=MISSING))
    runs = [_run(args, p.parent) for args in ([sys.executable, "-m", "tftape", str(p)],
                                              [sys.executable, str(p)])]
    for r in runs:
        assert r.returncode == 0, r.stderr[-2000:]
    return [dict(line.split(" | ", 1) for line in r.stdout.splitlines()) for r in runs]


@pytest.mark.parametrize("expr", MISSING)
def test_missing_attribute_names_tf_module(missing_attribute_lines, expr):
    ours, theirs = missing_attribute_lines
    assert ours[expr] == theirs[expr]


def test_missing_attribute_without_alias_names_tftape(tmp_path):
    code = ("import tftape as tf\n"
            "try:\n    tf.strings.foo\nexcept AttributeError as e:\n    print(e)\n")
    r = _run([sys.executable, "-c", code], tmp_path)
    assert r.stdout.strip() == "module 'tftape.strings' has no attribute 'foo'", r.stderr

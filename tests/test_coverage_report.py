"""The API coverage report (docs/coverage.md and the README totals) is current and correct.

The report is rebuilt from TF's installed package (the oracle) and tftape's namespaces; a
stale checked-in report fails here: run ``python scripts/coverage_report.py``.
"""
from __future__ import annotations

import importlib.util
import json
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_spec = importlib.util.spec_from_file_location(
    "coverage_report", os.path.join(ROOT, "scripts", "coverage_report.py"))
cr = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cr)

STALE = "is out of date: run `python scripts/coverage_report.py` and commit docs/coverage.md, " \
        "README.md and scripts/tf_api_2_21.json"


@pytest.fixture(scope="module")
def tf_api():
    return cr.load_tf_api(refresh=False)


@pytest.fixture(scope="module")
def built(tf_api):
    results = cr.tftape_results(tf_api)
    return results, cr.render_report(results, tf_api.get("tensorflow", cr.TF_VERSION)), \
        cr.render_readme_section(results)


def test_report_is_current(built):
    _, report, _ = built
    with open(cr.REPORT, encoding="utf-8") as f:
        assert f.read() == report, "docs/coverage.md " + STALE


def test_readme_totals_are_current(built):
    _, _, section = built
    with open(cr.README, encoding="utf-8") as f:
        readme = f.read()
    assert cr.update_readme(readme, section) == readme, "README.md's API coverage " + STALE


def test_snapshot_matches_installed_tensorflow():
    """The snapshot used without TF is TF 2.21's API as the package lists it."""
    pytest.importorskip("tensorflow")
    with open(cr.SNAPSHOT, encoding="utf-8") as f:
        snap = json.load(f)
    if cr.installed_versions() != (snap["tensorflow"], snap["keras"]):
        pytest.skip("another TensorFlow/Keras version than the snapshot's is installed")
    assert snap == json.loads(json.dumps(cr.tf_api_from_package())), "the TF API snapshot " + STALE
    assert snap["tensorflow"] == cr.TF_VERSION


def test_every_namespace_and_symbol_is_classified(tf_api, built):
    results, report, _ = built
    assert list(results) == list(cr.NAMESPACES)
    for ns, rows in results.items():
        assert set(rows) == set(tf_api["namespaces"][ns])
        for name, row in rows.items():
            assert row["status"] in ("implemented", "partial", "missing")
            assert f"| `{ns}.{name}` |" in report
    tot = cr.totals(results)
    assert sum(c["total"] for c in tot.values()) == sum(
        len(v) for v in tf_api["namespaces"].values())


@pytest.mark.parametrize("path, status", [
    ("tf.constant", "implemented"), ("tf.GradientTape", "implemented"),
    ("tf.math.reduce_sum", "implemented"), ("tf.sets.union", "implemented"),
    ("tf.raw_ops", "missing"),
])
def test_known_symbols(built, path, status):
    results, _, _ = built
    ns, name = path.rsplit(".", 1)
    assert results[ns][name]["status"] == status


def test_status_agrees_with_the_namespaces(built):
    """'missing' means the attribute is absent (or a stub); otherwise it exists."""
    import tftape
    results, _, _ = built
    for ns, rows in results.items():
        mod = cr._resolve(tftape, ns)
        for name, row in rows.items():
            present = hasattr(mod, name)
            if row["status"] == "missing":
                assert not present or "stub" in row["detail"] or "import" in row["detail"], \
                    f"{ns}.{name}"
            else:
                assert present, f"{ns}.{name}"


def test_registry_ops_are_named(built):
    results, _, _ = built
    assert results["tf.math"]["add"]["op"] == "AddV2"
    assert results["tf"]["matmul"]["op"] in ("MatMul", "BatchMatMulV2")


# -- the classification rules, on small stand-ins ------------------------------------------------
def _entry(fn_or_cls, kind="function"):
    sig = cr._signature(fn_or_cls)
    params = [n for n, k in sig if k in ("POSITIONAL_ONLY", "POSITIONAL_OR_KEYWORD",
                                         "KEYWORD_ONLY")]
    entry = {"kind": kind, "params": params}
    if kind == "class":
        entry["members"] = cr._own_members(fn_or_cls)
    return entry


def test_classify_arguments():
    def tf_fn(x, axis=None, keepdims=False, name=None):
        pass

    def full(x, axis=None, keepdims=False, name=None):
        pass

    def lacks(x, axis=None, name=None):
        pass

    def renamed(tensor_, axis=None, keepdims=False, name=None):
        pass

    def wrapper(*args, **kwargs):
        pass

    e = _entry(tf_fn)
    assert cr.classify(e, full, "f")["status"] == "implemented"
    r = cr.classify(e, lacks, "f")
    assert r["status"] == "partial" and "`keepdims`" in r["detail"]
    r = cr.classify(e, renamed, "f")
    assert r["status"] == "partial" and "`x` (named `tensor_`)" in r["detail"]
    r = cr.classify(e, wrapper, "f")
    assert r["status"] == "implemented" and "not checked" in r["detail"]
    assert cr.classify(e, cr._ABSENT, "f")["status"] == "missing"


def test_classify_stubs():
    def stub(x, name=None):
        """Not here."""
        raise NotImplementedError("tf.f is not supported")

    def partly(x, name=None):
        if x is None:
            raise NotImplementedError
        return x

    e = {"kind": "function", "params": ["x", "name"]}
    r = cr.classify(e, stub, "f")
    assert r["status"] == "missing" and "stub" in r["detail"]
    assert cr.classify(e, partly, "f")["status"] == "implemented"


def test_classify_classes_and_kwargs():
    class TFBase:
        def __init__(self, name=None, dtype=None):
            pass

    class TFLayer(TFBase):
        def __init__(self, units, activation=None, **kwargs):
            super().__init__(**kwargs)

        def call(self, x):
            pass

        def build(self, shape):
            pass

    class Base:
        def __init__(self, name=None, dtype=None, **kwargs):
            if kwargs:
                raise TypeError(f"unexpected {kwargs}")

    class Layer(Base):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)

        def call(self, x):
            pass

    class Wrapper:
        def __init__(self, name=None, **kwargs):
            self.fn_kwargs = kwargs  # handed to a wrapped function later

        def call(self, x):
            pass

        def build(self, shape):
            pass

    e = _entry(TFLayer, "class")
    e["params"] = ["units", "activation", "name", "dtype"]
    r = cr.classify(e, Layer, "L")
    # `name` and `dtype` reach Base through **kwargs; `activation` is rejected there.
    assert r["status"] == "partial"
    assert "missing arguments: `activation`" in r["detail"]
    assert "missing members: `build`" in r["detail"]
    r = cr.classify(e, Wrapper, "L")
    assert "not checked" in r["detail"] and "`units`" in r["detail"]
    assert r["status"] == "implemented"


def test_classify_declared_gaps():
    def fn(x, name=None):
        return x

    e = {"kind": "function", "params": ["x", "name"]}
    assert cr.classify(e, fn, "f")["status"] == "implemented"
    fn.__tftape_partial__ = "`x[...]` raises `NotImplementedError`"
    r = cr.classify(e, fn, "f")
    assert r["status"] == "partial" and "x[...]" in r["detail"]

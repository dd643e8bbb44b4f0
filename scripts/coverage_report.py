"""Builds ``docs/coverage.md``: tftape's coverage of TensorFlow 2.21's public API.

For every public symbol of TF's ``tf``, ``tf.math``, ``tf.linalg``, ``tf.nn``, ``tf.strings``,
``tf.ragged``, ``tf.sparse``, ``tf.sets``, ``tf.random`` and ``tf.keras.layers|losses|
optimizers|metrics`` the report says whether tftape has it at the same path and how far:

* **implemented**: the name exists and accepts every named argument of TF's signature (and, for
  a class, has every public member the TF class defines itself);
* **partial**: the name exists, but some of TF's arguments (or members) are missing — they are
  listed — or the object declares a known gap in a ``__tftape_partial__`` string (a behaviour
  that raises ``NotImplementedError``), which is quoted;
* **missing**: no such name, or a stub whose body only raises ``NotImplementedError``.

TF's symbols come from the real package when it is installed (and is the TF and Keras version
recorded in the snapshot ``scripts/tf_api_2_21.json``); otherwise from that snapshot. The op
registry (``tftape._core.registry.REGISTRY``) names the TF kernel behind each function.

Usage::

    python scripts/coverage_report.py           # rewrite docs/coverage.md and README totals
    python scripts/coverage_report.py --check   # exit 1 if either is out of date
    python scripts/coverage_report.py --refresh-snapshot   # also rewrite the TF API snapshot
"""
from __future__ import annotations

import argparse
import ast
import enum
import importlib
import inspect
import json
import os
import sys
import textwrap
import types

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPORT = os.path.join(ROOT, "docs", "coverage.md")
SNAPSHOT = os.path.join(ROOT, "scripts", "tf_api_2_21.json")
README = os.path.join(ROOT, "README.md")
README_START = "<!-- coverage:start -->"
README_END = "<!-- coverage:end -->"
TF_VERSION = "2.21.0"

NAMESPACES = ("tf", "tf.math", "tf.linalg", "tf.nn", "tf.strings", "tf.ragged", "tf.sparse",
              "tf.sets", "tf.random", "tf.keras.layers", "tf.keras.losses",
              "tf.keras.optimizers", "tf.keras.metrics")
_NAMED = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD,
          inspect.Parameter.KEYWORD_ONLY)
_MAX_LISTED = 8


# -- reading an API -----------------------------------------------------------------------------
def _resolve(root, ns: str):
    obj = root
    for part in ns.split(".")[1:]:
        obj = getattr(obj, part)
    return obj


def _kind(obj) -> str:
    if isinstance(obj, types.ModuleType):
        return "module"
    if isinstance(obj, type):
        return "class"
    return "function" if callable(obj) else "constant"


def _signature(obj):
    """The parameters of a callable as ``[(name, kind_name)]``, or None if not introspectable.

    A class whose own signature is ``(*args, **kwargs)`` is read through its ``__init__``, or
    else through the class it builds (TF's ``Variable`` is such a factory base class).
    """
    try:
        params = list(inspect.signature(obj).parameters.values())
    except (TypeError, ValueError):
        return None
    if isinstance(obj, type) and params and all(p.kind not in _NAMED for p in params):
        for cand in (obj.__init__, *(c.__init__ for c in obj.__subclasses__())):
            try:
                init = list(inspect.signature(cand).parameters.values())[1:]
            except (TypeError, ValueError):
                continue
            if any(p.kind in _NAMED for p in init):
                params = init
                break
    return [(p.name, p.kind.name) for p in params if p.name != "self"]


def _kwargs_use(fn) -> str:
    """How a function uses its ``**kwargs``: passed to ``super().__init__`` ("super"), rejected
    when non-empty ("strict", as Keras' ``Layer``), or kept for something else ("open")."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (TypeError, OSError, SyntaxError):
        return "open"
    fdef = next((n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))),
                None)
    if fdef is None or fdef.args.kwarg is None:
        return "open"
    kw = fdef.args.kwarg.arg
    for node in ast.walk(fdef):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "__init__"
                and any(k.arg is None and isinstance(k.value, ast.Name) and k.value.id == kw
                        for k in node.keywords)):
            return "super"
    for node in ast.walk(fdef):
        if (isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == kw
                and any(isinstance(b, ast.Raise) for b in node.body)):
            return "strict"
    return "open"


def _accepted(obj, sig):
    """Named parameters a callable accepts, and whether unnamed ones may be accepted too.

    A class's ``**kwargs`` handed to ``super().__init__`` is followed into the base class;
    ``**kwargs`` used otherwise (stored for a wrapped function) may accept anything.
    """
    have = {n for n, k in sig if k not in ("VAR_POSITIONAL", "VAR_KEYWORD")}
    if not any(k == "VAR_KEYWORD" for _, k in sig):
        return have, False
    if not isinstance(obj, type):
        return have, _kwargs_use(obj) == "open"
    owners = [c for c in obj.__mro__ if c is not object and "__init__" in vars(c)]
    for i, owner in enumerate(owners):
        init = vars(owner)["__init__"]
        try:
            params = list(inspect.signature(init).parameters.values())[1:]
        except (TypeError, ValueError):
            return have, True
        if i:
            have |= {p.name for p in params if p.kind in _NAMED}
        if not any(p.kind == inspect.Parameter.VAR_KEYWORD for p in params):
            return have, False
        use = _kwargs_use(init)
        if use != "super":
            return have, use == "open"
    return have, True


def _own_members(cls) -> list:
    """Public members a class defines itself (inherited ones are counted at their base)."""
    return sorted(k for k in vars(cls) if not k.startswith("_"))


def installed_versions():
    """``(tensorflow, keras)`` versions of the installed oracle, or None without TF."""
    try:
        import tensorflow as real_tf  # the oracle, only when installed
    except ImportError:
        return None
    import keras
    return real_tf.__version__, keras.__version__


def tf_api_from_package() -> dict:
    """Lists TF's public symbols, their parameters and class members from the installed TF."""
    import tensorflow as real_tf  # the oracle, only when installed
    import keras
    api = {}
    for ns in NAMESPACES:
        mod = _resolve(real_tf, ns)
        entries = {}
        for name in sorted(n for n in dir(mod) if not n.startswith("_")):
            obj = getattr(mod, name)
            kind = _kind(obj)
            entry = {"kind": kind}
            if kind in ("class", "function"):
                sig = None if isinstance(obj, enum.EnumMeta) else _signature(obj)
                entry["params"] = None if sig is None else [
                    n for n, k in sig if k in ("POSITIONAL_ONLY", "POSITIONAL_OR_KEYWORD",
                                               "KEYWORD_ONLY")]
            if kind == "class":
                entry["members"] = _own_members(obj)
            entries[name] = entry
        api[ns] = entries
    return {"tensorflow": real_tf.__version__, "keras": keras.__version__, "namespaces": api}


def load_snapshot():
    try:
        with open(SNAPSHOT, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        return None


def load_tf_api(refresh: bool = False) -> dict:
    """TF's API: from the installed package when it is the snapshot's TF and Keras version
    (``tf.keras`` is whichever Keras 3 is installed), else from the snapshot.

    ``refresh`` rewrites the snapshot from the installed package, whatever its version.
    """
    snap = load_snapshot()
    versions = installed_versions()
    if versions is None:
        if snap is None:
            raise SystemExit("neither TensorFlow nor the snapshot " + SNAPSHOT + " is available")
        return snap
    if snap is not None and not refresh and versions != (snap["tensorflow"], snap["keras"]):
        print(f"coverage_report: installed TensorFlow {versions[0]} / Keras {versions[1]} "
              f"differ from the snapshot's {snap['tensorflow']} / {snap['keras']}: using the "
              "snapshot (--refresh-snapshot to replace it)", file=sys.stderr)
        return snap
    api = tf_api_from_package()
    if refresh or snap is None:
        with open(SNAPSHOT, "w", encoding="utf-8") as f:
            json.dump(api, f, indent=1, sort_keys=True)
            f.write("\n")
    return api


# -- classifying tftape's symbols ---------------------------------------------------------------
def is_stub(obj) -> bool:
    """True if a function (or a class's ``__init__``) only raises ``NotImplementedError``."""
    fn = obj.__init__ if isinstance(obj, type) else obj
    fn = inspect.unwrap(fn) if callable(fn) else fn
    try:
        src = textwrap.dedent(inspect.getsource(fn))
    except (TypeError, OSError):
        return False
    try:
        tree = ast.parse(src)
    except SyntaxError:
        return False
    defs = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    if len(defs) != 1:
        return False
    body = [s for s in defs[0].body
            if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    if len(body) != 1 or not isinstance(body[0], ast.Raise) or body[0].exc is None:
        return False
    exc = body[0].exc
    exc = exc.func if isinstance(exc, ast.Call) else exc
    return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"


def _registry_op(obj, name: str):
    from tftape._core.registry import REGISTRY
    for key in (name, getattr(obj, "__name__", None)):
        o = REGISTRY.get(key) if key else None
        if o is not None:
            return o.tf_name
    return None


def classify(tf_entry: dict, obj, name: str) -> dict:
    """Status of one tftape object against TF's entry: implemented, partial or missing."""
    if obj is _ABSENT:
        return {"status": "missing", "detail": ""}
    kind = tf_entry["kind"]
    if kind not in ("class", "function"):
        return {"status": "implemented", "detail": ""}
    if is_stub(obj):
        return {"status": "missing", "detail": "stub: raises `NotImplementedError`"}
    notes = []
    tf_params = tf_entry.get("params")
    ours = _signature(obj)
    if tf_params and ours is not None:
        have, open_kwargs = _accepted(obj, ours)
        lacking = [p for p in tf_params if p not in have]
        if lacking and open_kwargs:
            # ``**kwargs`` kept for a wrapped function (Keras' metric and loss wrappers): what
            # it accepts cannot be read from the signature.
            notes.append(("", "through `**kwargs`, not checked: " + _listing(lacking)))
        elif lacking:
            notes.append(("args", "missing arguments: " + _renamed(lacking, tf_params, ours)))
    if kind == "class" and isinstance(obj, type):
        lacking = [m for m in tf_entry.get("members", ()) if not _has_member(obj, m)]
        if lacking:
            notes.append(("members", "missing members: " + _listing(lacking)))
    gap = getattr(obj, "__tftape_partial__", None)
    if isinstance(gap, str) and gap:
        notes.append(("behaviour", gap))
    status = "partial" if any(k for k, _ in notes) else "implemented"
    detail = "; ".join(text for _, text in notes)
    op = _registry_op(obj, name) if kind == "function" else None
    return {"status": status, "detail": detail, "op": op}


def _has_member(cls, name: str) -> bool:
    # A factory base class (tftape's ``Variable``) has its members on the class it builds.
    return hasattr(cls, name) or any(hasattr(c, name) for c in cls.__subclasses__())


def _renamed(lacking, tf_params, ours) -> str:
    """Lists missing arguments, naming tftape's positional argument where only the name differs."""
    positional = [n for n, k in ours if k in ("POSITIONAL_ONLY", "POSITIONAL_OR_KEYWORD")]
    parts = []
    for n in lacking:
        i = tf_params.index(n)
        if i < len(positional) and positional[i] not in tf_params + ["name"]:
            parts.append(f"`{n}` (named `{positional[i]}`)")
        else:
            parts.append(f"`{n}`")
    more = len(parts) - _MAX_LISTED
    return ", ".join(parts[:_MAX_LISTED]) + (f" and {more} more" if more > 0 else "")


def _listing(names) -> str:
    shown = ", ".join(f"`{n}`" for n in names[:_MAX_LISTED])
    more = len(names) - _MAX_LISTED
    return shown + (f" and {more} more" if more > 0 else "")


class _Absent:
    pass


_ABSENT = _Absent()


def tftape_results(tf_api: dict) -> dict:
    """Classifies every TF symbol against tftape's public namespaces."""
    import tftape
    results = {}
    for ns in NAMESPACES:
        try:
            mod = _resolve(tftape, ns)
        except AttributeError:
            mod = None
        rows = {}
        for name, entry in tf_api["namespaces"][ns].items():
            try:
                obj = getattr(mod, name) if mod is not None else _ABSENT
            except AttributeError:
                obj = _ABSENT
            except Exception as e:  # a lazy attribute that fails to load counts as missing
                obj = _ABSENT
                rows[name] = {"status": "missing", "detail": f"import fails: {type(e).__name__}"}
                continue
            rows[name] = dict(classify(entry, obj, name), kind=entry["kind"])
        results[ns] = rows
    return results


def registry_families() -> dict:
    """Registered ops per op family module (``tftape._ops.math_ops`` -> count)."""
    from tftape._core.registry import REGISTRY
    fam = {}
    for o in REGISTRY.values():
        mod = getattr(o.impl, "__module__", None) or "?"
        fam[mod] = fam.get(mod, 0) + 1
    return dict(sorted(fam.items()))


# -- rendering ----------------------------------------------------------------------------------
def totals(results: dict) -> dict:
    out = {}
    for ns, rows in results.items():
        c = {"implemented": 0, "partial": 0, "missing": 0}
        for r in rows.values():
            c[r["status"]] += 1
        c["total"] = len(rows)
        out[ns] = c
    return out


def _pct(c) -> str:
    return f"{100.0 * (c['implemented'] + c['partial']) / c['total']:.0f}%" if c["total"] else "-"


def summary_table(tot: dict) -> list:
    lines = ["| namespace | TF symbols | implemented | partial | missing | present |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    grand = {"implemented": 0, "partial": 0, "missing": 0, "total": 0}
    for ns, c in tot.items():
        lines.append(f"| `{ns}` | {c['total']} | {c['implemented']} | {c['partial']} | "
                     f"{c['missing']} | {_pct(c)} |")
        for k in grand:
            grand[k] += c[k]
    lines.append(f"| **all** | **{grand['total']}** | **{grand['implemented']}** | "
                 f"**{grand['partial']}** | **{grand['missing']}** | **{_pct(grand)}** |")
    return lines


def render_report(results: dict, tf_version: str) -> str:
    from tftape._core.registry import REGISTRY
    tot = totals(results)
    out = [
        "# API coverage against TensorFlow 2.21",
        "",
        "<!-- Generated by `python scripts/coverage_report.py`; do not edit by hand. "
        "tests/test_coverage_report.py fails when this file is out of date. -->",
        "",
        f"Every public symbol of TensorFlow {tf_version}'s namespaces below, checked against "
        "tftape's namespace of the same path:",
        "",
        "- **implemented**: the name exists and accepts every named argument of TF's "
        "signature (for a class, it also has every public member the TF class itself "
        "defines);",
        "- **partial**: the name exists, but some of TF's arguments or members are missing "
        "(listed), or a known gap in its behaviour is declared (quoted);",
        "- **missing**: no such name, or a stub that only raises `NotImplementedError`.",
        "",
        "Signatures are compared by name; an argument that exists but supports only some "
        "values is reported as present (the area guides and "
        "[Differences from TensorFlow](differences.md) list such limits). The *op* column "
        "names the TF kernel of the op registry entry behind a function, where there is one.",
        "",
        "Regenerate with `python scripts/coverage_report.py` (it reads the installed "
        "TensorFlow, or the snapshot `scripts/tf_api_2_21.json` without it).",
        "",
        "## Summary",
        "",
        *summary_table(tot),
        "",
        f"The op registry holds **{len(REGISTRY)}** ops:",
        "",
        "| op family | ops |",
        "| --- | ---: |",
    ]
    for mod, n in registry_families().items():
        out.append(f"| `{mod}` | {n} |")
    for ns, rows in results.items():
        c = tot[ns]
        out += ["", f"## `{ns}`", "",
                f"{c['implemented']} implemented, {c['partial']} partial, {c['missing']} "
                f"missing of {c['total']}.", "",
                "| symbol | kind | status | op | notes |", "| --- | --- | --- | --- | --- |"]
        for name, r in rows.items():
            op = f"`{r['op']}`" if r.get("op") else ""
            out.append(f"| `{ns}.{name}` | {r['kind']} | {r['status']} | {op} | "
                       f"{r['detail']} |")
    return "\n".join(out) + "\n"


def render_readme_section(results: dict) -> str:
    tot = totals(results)
    n_all = sum(c["total"] for c in tot.values())
    n_impl = sum(c["implemented"] for c in tot.values())
    n_part = sum(c["partial"] for c in tot.values())
    n_miss = sum(c["missing"] for c in tot.values())
    lines = [README_START,
             f"Of TensorFlow 2.21's {n_all} public symbols in the namespaces below, tftape "
             f"implements {n_impl}, {n_part} partially and lacks {n_miss} (generated by "
             "`python scripts/coverage_report.py`; per-symbol detail in "
             "[docs/coverage.md](docs/coverage.md)).",
             "",
             *summary_table(tot),
             README_END]
    return "\n".join(lines)


def update_readme(text: str, section: str) -> str:
    """Replaces the marked section of README.md (the rest of the file is left alone)."""
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < 0:
        raise SystemExit(f"README.md has no {README_START} ... {README_END} section")
    return text[:start] + section + text[end + len(README_END):]


def build(refresh_snapshot: bool = False):
    """Returns ``(report_text, readme_section)`` for the current tree."""
    sys.path.insert(0, ROOT)
    tf_api = load_tf_api(refresh_snapshot)
    results = tftape_results(tf_api)
    return render_report(results, tf_api.get("tensorflow", TF_VERSION)), \
        render_readme_section(results)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--check", action="store_true",
                   help="do not write; exit 1 if docs/coverage.md or README.md is stale")
    p.add_argument("--refresh-snapshot", action="store_true",
                   help="rewrite scripts/tf_api_2_21.json from the installed TensorFlow")
    args = p.parse_args(argv)
    report, section = build(refresh_snapshot=args.refresh_snapshot and not args.check)
    with open(README, encoding="utf-8") as f:
        readme = f.read()
    new_readme = update_readme(readme, section)
    try:
        with open(REPORT, encoding="utf-8") as f:
            old_report = f.read()
    except FileNotFoundError:
        old_report = ""
    if args.check:
        stale = [path for path, old, new in ((REPORT, old_report, report),
                                             (README, readme, new_readme)) if old != new]
        for path in stale:
            print(f"{os.path.relpath(path, ROOT)} is out of date: "
                  "run `python scripts/coverage_report.py`")
        return 1 if stale else 0
    with open(REPORT, "w", encoding="utf-8") as f:
        f.write(report)
    if new_readme != readme:
        with open(README, "w", encoding="utf-8") as f:
            f.write(new_readme)
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())

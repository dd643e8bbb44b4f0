"""The documentation's code runs: every ```python block of docs/**/*.md, page by page.

Each page's blocks run in order in one fresh namespace, in a fresh interpreter (a page may
alias ``tensorflow`` or switch on NumPy behaviour; nothing leaks into other pages or into this
process). A block that is not meant to run uses another fence (```text, ```bash) or is
preceded by a ``<!-- not tested: reason -->`` comment line. The site itself is built with
``mkdocs build --strict`` when MkDocs is installed (the `docs` extra); CI installs only the
`test` extra, so that test skips there.
"""
from __future__ import annotations

import concurrent.futures
import glob
import json
import os
import re
import subprocess
import sys

import pytest

# The module-scoped fixture runs every page once: keep the module on one xdist worker
# (`--dist loadgroup`) so it is not run again on the other.
pytestmark = pytest.mark.xdist_group("docs")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = os.path.join(ROOT, "docs")
_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([\w+-]*)(.*)$")
_SKIP = re.compile(r"^\s*<!--\s*not tested\b.*-->\s*$")
_PYTHON = {"python", "py", "python3", "pycon"}


def extract_blocks(text: str) -> list:
    """``[(first_line_number, code)]`` for each runnable python fence of a Markdown text."""
    blocks, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, lang = m.group(1), m.group(2), m.group(3).lower()
        prev = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        start, body = i + 1, []
        i += 1
        while i < len(lines) and not (lines[i].strip().startswith(fence[0] * len(fence))
                                      and lines[i].strip().strip(fence[0]) == ""):
            line = lines[i]
            body.append(line[len(indent):] if line.startswith(indent) else line.lstrip())
            i += 1
        i += 1  # the closing fence
        if lang in _PYTHON and not _SKIP.match(prev):
            blocks.append((start + 1, "\n".join(body) + "\n"))
    return blocks


def pages() -> list:
    return sorted(os.path.relpath(p, DOCS)
                  for p in glob.glob(os.path.join(DOCS, "**", "*.md"), recursive=True))


_DRIVER = r"""
import json, sys, traceback
page, blocks = json.loads(sys.stdin.read())
ns = {"__name__": "__main__"}
for line, code in blocks:
    try:
        exec(compile(code, f"docs/{page}:{line}", "exec"), ns)
    except BaseException:
        print(f"docs/{page}: the block at line {line} failed:", file=sys.stderr)
        traceback.print_exc()
        sys.exit(1)
"""


def run_page(page: str, timeout: int = 300):
    with open(os.path.join(DOCS, page), encoding="utf-8") as f:
        blocks = extract_blocks(f.read())
    if not blocks:
        return None
    env = dict(os.environ, PYTHONHASHSEED="0", TF_CPP_MIN_LOG_LEVEL="3", MPLBACKEND="Agg")
    return subprocess.run([sys.executable, "-c", _DRIVER], input=json.dumps([page, blocks]),
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def page_runs():
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        futures = {p: pool.submit(run_page, p) for p in pages_with_code()}
        return {p: f.result() for p, f in futures.items()}


def pages_with_code() -> list:
    out = []
    for p in pages():
        with open(os.path.join(DOCS, p), encoding="utf-8") as f:
            if extract_blocks(f.read()):
                out.append(p)
    return out


@pytest.mark.parametrize("page", pages_with_code())
def test_page_code_runs(page_runs, page):
    r = page_runs[page]
    assert r.returncode == 0, r.stderr[-4000:]


def test_the_guides_have_code():
    assert {"index.md", "examples.md", "getting-started.md", "autodiff.md"} <= set(
        pages_with_code())


def test_extract_blocks():
    text = "\n".join([
        "# t", "```python", "x = 1", "```", "```text", "not code", "```",
        "- item:", "", "    ```python", "    y = x + 1", "    ```",
        "<!-- not tested: needs a GPU -->", "```python", "raise SystemExit", "```",
        "````python", "z = '```'", "````", "```bash", "echo hi", "```"])
    assert extract_blocks(text) == [(3, "x = 1\n"), (11, "y = x + 1\n"), (18, "z = '```'\n")]


def test_failing_block_is_reported(tmp_path, monkeypatch):
    page = tmp_path / "bad.md"
    page.write_text("```python\nimport tftape as tf\n```\n\n```python\n1 / 0\n```\n")
    monkeypatch.setattr(sys.modules[__name__], "DOCS", str(tmp_path))
    r = run_page("bad.md")
    assert r.returncode == 1
    assert "docs/bad.md: the block at line 6 failed" in r.stderr
    assert "ZeroDivisionError" in r.stderr


def test_guides_are_in_the_nav():
    """Every page under docs/ is reachable from mkdocs.yml's nav.

    (That every nav entry exists is checked by the strict site build below.)
    """
    with open(os.path.join(ROOT, "mkdocs.yml"), encoding="utf-8") as f:
        cfg = f.read()
    nav = cfg[cfg.index("\nnav:"):]
    listed = set(re.findall(r":\s*([\w./-]+\.md)\s*$", nav, flags=re.M))
    assert set(pages()) <= listed, f"not in the nav: {sorted(set(pages()) - listed)}"
    assert {"index.md", "coverage.md", "examples.md", "differences.md"} <= listed


def test_site_builds_strict(tmp_path):
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    r = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
                        str(tmp_path / "site")], cwd=ROOT, capture_output=True, text=True,
                       timeout=600, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    assert r.returncode == 0, r.stderr[-4000:]
    assert (tmp_path / "site" / "index.html").exists()
    assert (tmp_path / "site" / "coverage.html").exists()
    api = (tmp_path / "site" / "api" / "math.html").read_text(encoding="utf-8")
    assert "reduce_sum" in api
    # Docstring examples render as code: every `>>>` inside a <pre> block (never a nested
    # blockquote), outputs like <tf.Tensor: ...> escaped and shown, highlighting by Pygments
    # at build time (no script from a CDN).
    examples = 0
    for page in sorted((tmp_path / "site" / "api").glob("*.html")):
        html = page.read_text(encoding="utf-8")
        outside = re.sub(r"<pre.*?</pre>", "", html, flags=re.S)
        assert "&gt;&gt;&gt;" not in outside and "<blockquote>" not in outside, page.name
        assert "<tf." not in html, page.name
        examples += len(re.findall(r'<div class="highlight"><pre>.*?&gt;&gt;&gt;', html, re.S))
        assert not re.search(r"<script[^>]+src=\"https?://", html), page.name
    assert examples > 100
    tf_page = (tmp_path / "site" / "api" / "tf.html").read_text(encoding="utf-8")
    assert 'id="tftape.float32"' not in tf_page and "unsigned integers" in tf_page  # one table
    assert "&lt;tf.Tensor: shape=(), dtype=int32, numpy=25&gt;" in re.sub(
        r"<span[^>]*>|</span>", "", (tmp_path / "site" / "api" / "math.html").read_text())


_API_NAMESPACES = ["", "math", "nn", "linalg", "random", "strings", "ragged", "sparse", "sets",
                   "signal", "image", "bitwise", "dtypes", "config", "data", "io",
                   "keras.activations", "debugging", "experimental.numpy",
                   "nest", "autodiff", "saved_model", "summary", "train", "errors"]


@pytest.mark.parametrize("namespace", _API_NAMESPACES)
def test_api_functions_are_found_where_they_are_published(namespace):
    """Each public function (and what it wraps) is the top-level function its ``__module__``
    and ``__qualname__`` name: the API reference (mkdocstrings inspects the objects and
    drops those it cannot place), ``help`` and pickling find it. A factory's nested
    function that keeps its ``<locals>`` name vanishes from the reference."""
    import inspect
    import types
    import tftape
    ns = tftape
    for part in filter(None, namespace.split(".")):
        ns = getattr(ns, part)
    lost = []
    for name in dir(ns):
        f = getattr(ns, name)
        if name.startswith("_") or not isinstance(f, types.FunctionType) or \
                not f.__module__.startswith("tftape"):
            continue
        for g in (f, inspect.unwrap(f)):
            home = sys.modules.get(g.__module__)
            if home is None or getattr(home, g.__qualname__, None) not in (f, g):
                lost.append(f"{name}: {g.__module__}.{g.__qualname__}")
                break
    assert not lost, lost

"""The ``checkpoint`` state file (a text ``CheckpointState`` proto) beside the checkpoints."""
from __future__ import annotations

import ast
import os
import re

_LINE = re.compile(r'^\s*(\w+)\s*:\s*(.*?)\s*$')


class CheckpointState:
    def __init__(self, model_checkpoint_path="", all_model_checkpoint_paths=(),
                 all_model_checkpoint_timestamps=(), last_preserved_timestamp=None):
        self.model_checkpoint_path = model_checkpoint_path
        self.all_model_checkpoint_paths = list(all_model_checkpoint_paths)
        self.all_model_checkpoint_timestamps = list(all_model_checkpoint_timestamps)
        self.last_preserved_timestamp = last_preserved_timestamp

    def __str__(self):
        lines = [f"model_checkpoint_path: {_quote(self.model_checkpoint_path)}"]
        lines += [f"all_model_checkpoint_paths: {_quote(p)}"
                  for p in self.all_model_checkpoint_paths]
        lines += [f"all_model_checkpoint_timestamps: {t!r}"
                  for t in self.all_model_checkpoint_timestamps]
        if self.last_preserved_timestamp is not None:
            lines.append(f"last_preserved_timestamp: {self.last_preserved_timestamp!r}")
        return "\n".join(lines) + "\n"


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _unquote(s: str) -> str:
    if len(s) < 2 or s[0] not in "\"'" or s[-1] != s[0]:
        raise ValueError(s)
    return ast.literal_eval(s)


def state_path(directory: str, latest_filename=None) -> str:
    return os.path.join(directory, latest_filename or "checkpoint")


def read(directory: str, latest_filename=None):
    """The parsed state file, with paths made absolute; ``None`` when absent or unreadable."""
    path = state_path(directory, latest_filename)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return None
    st = CheckpointState()
    try:
        for line in text.splitlines():
            if not line.strip():
                continue
            m = _LINE.match(line)
            if m is None:
                return None
            key, val = m.groups()
            if key == "model_checkpoint_path":
                st.model_checkpoint_path = _unquote(val)
            elif key == "all_model_checkpoint_paths":
                st.all_model_checkpoint_paths.append(_unquote(val))
            elif key == "all_model_checkpoint_timestamps":
                st.all_model_checkpoint_timestamps.append(float(val))
            elif key == "last_preserved_timestamp":
                st.last_preserved_timestamp = float(val)
    except (ValueError, SyntaxError):
        return None
    if not st.model_checkpoint_path:
        return None

    def absolute(p):
        return p if os.path.isabs(p) else os.path.join(directory, p)
    st.model_checkpoint_path = absolute(st.model_checkpoint_path)
    st.all_model_checkpoint_paths = [absolute(p) for p in st.all_model_checkpoint_paths]
    return st


def write(directory: str, latest: str, all_paths, timestamps=(), last_preserved=None):
    """Writes the state file atomically; paths inside ``directory`` are stored relative."""
    from .._core.process import is_writer
    if not is_writer():   # a non-chief worker of a multi-worker cluster: the chief writes
        return
    def rel(p):
        if os.path.dirname(os.path.abspath(p)) == os.path.abspath(directory):
            return os.path.basename(p)
        return p
    st = CheckpointState(rel(latest), [rel(p) for p in all_paths], timestamps, last_preserved)
    path = state_path(directory)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(str(st))
    os.replace(tmp, path)


def latest_checkpoint(checkpoint_dir, latest_filename=None):
    """The prefix of the newest checkpoint recorded in ``checkpoint_dir``, or ``None``."""
    st = read(os.fspath(checkpoint_dir), latest_filename)
    if st is None:
        return None
    prefix = st.model_checkpoint_path
    if os.path.isfile(prefix + ".index"):
        return prefix
    return None

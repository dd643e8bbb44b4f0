"""Shared oracle helpers for the ragged and strings tests: evaluate one expression with real
TensorFlow and with tftape and compare reprs, or exception types and messages."""
from __future__ import annotations

import numpy as np


def run(tf_mod, setup: str, expr: str):
    ns = {"tf": tf_mod, "np": np}
    exec(setup, ns)
    try:
        v = eval(expr, ns)
        return ("ok", _text(v))
    except Exception as e:  # noqa: BLE001 - the exception is the result compared
        return ("err", type(e).__name__, str(e))


def _text(v):
    if isinstance(v, (list, tuple)) and not hasattr(v, "as_list"):  # TensorShape: its repr
        return type(v).__name__ + "(" + ", ".join(_text(x) for x in v) + ")"
    return repr(v)


def compare(real_tf, tftape, setup: str, expr: str, message: bool = True):
    want = run(real_tf, setup, expr)
    got = run(tftape, setup, expr)
    if want[0] == "err" and not message:
        assert got[:2] == want[:2], (expr, want, got)
    else:
        assert got == want, f"{expr}\nTF:     {want}\ntftape: {got}"

"""Errors raised while tracing a tf.function: the user's own (any trace raises them again) and
TF's framing of them ("in user code:" with the user's frames)."""
from __future__ import annotations

from . import _capture


def _is_user_error(e) -> bool:
    """An error that tracing with concrete shapes would raise again (TF's own exceptions)."""
    from .._core.errors import OpError
    return isinstance(e, (OpError, _capture.VariableCreationError)) or \
        "tf.function only supports singleton" in str(e)


_WRAPPED = (ValueError, TypeError, AttributeError, NameError, IndexError, AssertionError,
            NotImplementedError, ZeroDivisionError, RuntimeError, UnboundLocalError)


def _in_user_code(e):
    """TF's framing of errors raised while tracing ("in user code:" + the user's frames)."""
    if type(e) not in _WRAPPED or getattr(e, "_tftape_in_user_code", False):
        return None
    import linecache
    import os
    import traceback
    pkg = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    lines = []
    for fr in traceback.extract_tb(e.__traceback__):
        f = os.path.abspath(fr.filename)
        if f.startswith(pkg + os.sep) or os.sep + "jax" + os.sep in f or \
                os.sep + "jaxlib" + os.sep in f or f.startswith(os.path.dirname(os.__file__)):
            continue
        src = linecache.getline(fr.filename, fr.lineno).strip()
        if not src:
            # Note: code without source (exec'd strings) is not converted by TF's AutoGraph,
            # so its frames are not framed either.
            continue
        lines.append(f'    File "{fr.filename}", line {fr.lineno}, in {fr.name}  *\n'
                     f'        {src}\n')
    if not lines:
        return None
    msg = f"{type(e).__name__}: {e}".replace("\n", "\n    ")
    text = "in user code:\n\n" + "".join(lines[-1:] if len(lines) > 8 else lines) + \
        f"\n    {msg}\n"
    try:
        w = type(e)(text)
    except Exception:  # noqa: BLE001
        return None
    w._tftape_in_user_code = True
    return w

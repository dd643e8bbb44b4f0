"""``python -m tftape script.py [args]``: run a TensorFlow script on tftape.

``import tensorflow`` (and ``tensorflow.*``, ``from tensorflow import keras``,
``import tensorflow.experimental.numpy as tnp``) resolve to tftape inside the script.
"""
from __future__ import annotations

import os
import runpy
import sys

_USAGE = ("usage: python -m tftape script.py [args ...]\n"
          "       python -m tftape -m module [args ...]\n"
          "       python -m tftape -c command [args ...]\n"
          "Runs a TensorFlow program with `import tensorflow` resolving to tftape.")


def main(argv=None) -> int:
    """Entry point of ``python -m tftape`` and the ``tftape`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(_USAGE, file=sys.stderr if not argv else sys.stdout)
        return 2 if not argv else 0
    from ._alias import alias_tensorflow
    alias_tensorflow()
    if argv[0] == "-m" and len(argv) > 1:
        sys.argv = [argv[1]] + argv[2:]
        sys.path.insert(0, os.getcwd())
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        return 0
    if argv[0] == "-c" and len(argv) > 1:
        sys.argv = ["-c"] + argv[2:]
        sys.path.insert(0, "")
        exec(compile(argv[1], "<string>", "exec"), {"__name__": "__main__"})  # noqa: S102
        return 0
    script = argv[0]
    if not os.path.exists(script):
        print(f"{sys.executable}: can't open file {script!r}: [Errno 2] No such file or "
              f"directory", file=sys.stderr)
        return 2
    sys.argv = argv
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    runpy.run_path(script, run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())

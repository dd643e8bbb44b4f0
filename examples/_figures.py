"""Where the examples write their figures, and what they write without matplotlib.

Figures go to ``examples/output/`` (git-ignored), or to the folder given by ``--out DIR``.
matplotlib comes with the ``examples`` extra (``pip install -e '.[examples]'``); without it
each figure's data is written as a CSV file next to where the PNG would be, and the script
says so.
"""
import argparse
import os

import numpy as np

OUTPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "output")


def output_dir(description, argv=None):
    """Parses ``--out DIR`` (default ``examples/output``), creates the folder and returns it."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", default=OUTPUT, help="output folder (default: examples/output)")
    out = parser.parse_args(argv).out
    os.makedirs(out, exist_ok=True)
    return out


def pyplot():
    """matplotlib.pyplot with a file-only backend, or None if matplotlib is not installed."""
    try:
        import matplotlib
        matplotlib.use("Agg")  # no display needed
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    return plt


def save_figure(out, name, draw, columns):
    """Draws ``OUT/NAME.png`` with ``draw(plt)``; without matplotlib writes ``OUT/NAME.csv``.

    ``columns`` maps column names to equal-length 1-D arrays: the data the figure shows.
    """
    plt = pyplot()
    if plt is None:
        path = os.path.join(out, name + ".csv")
        data = np.stack([np.asarray(c, dtype=float).ravel() for c in columns.values()], axis=1)
        np.savetxt(path, data, delimiter=",", header=",".join(columns), comments="", fmt="%.8g")
        print(f"matplotlib is not installed (pip install -e '.[examples]'); wrote {path}")
        return path
    plt.figure()
    draw(plt)
    path = os.path.join(out, name + ".png")
    plt.savefig(path, dpi=100)
    plt.close()
    print("Saving figure", path)
    return path

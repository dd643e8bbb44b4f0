"""Timing helpers shared by the benchmarks (not used by tests)."""
from __future__ import annotations

import statistics
import time


def _batch_size(fn, batch_time: float, warmup: int) -> int:
    """Calls of ``fn`` that take at least ``batch_time`` seconds (after ``warmup`` calls)."""
    for _ in range(warmup):
        fn()
    n = 1
    while True:
        t = time.perf_counter()
        for _ in range(n):
            fn()
        if time.perf_counter() - t >= batch_time or n >= 1 << 20:
            return n
        n *= 2


def _time_batch(fn, n: int) -> float:
    t = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t) / n


def per_call(fn, *, min_time=0.3, repeat=5, warmup=3) -> float:
    """Median seconds per call of ``fn()`` over ``repeat`` timed batches."""
    n = _batch_size(fn, min_time / repeat, warmup)
    return statistics.median(_time_batch(fn, n) for _ in range(repeat))


def interleaved(fns: dict, *, rounds=7, batch_time=0.06, warmup=3) -> dict:
    """Per-call seconds of each function, one sample per round: every round times a batch of
    each function in turn, so a slow stretch of a shared machine hits them all alike.

    Returns ``{name: [seconds per call, one per round]}``; compare two functions with
    :func:`ratio`, which pairs the samples round by round.
    """
    counts = {name: _batch_size(fn, batch_time, warmup) for name, fn in fns.items()}
    samples = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            samples[name].append(_time_batch(fn, counts[name]))
            # Let the worker threads the batch woke (TF's thread pools spin for a while
            # after their work) go idle before the next function's batch starts.
            time.sleep(0.02)
    return samples


def ratio(num: list, den: list) -> float:
    """The median of the round-by-round ratios of two :func:`interleaved` sample lists."""
    return statistics.median(a / b for a, b in zip(num, den))


def real_tf():
    """Real TensorFlow if it is installed (the comparison), else None."""
    try:
        import os
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tensorflow
        return tensorflow
    except ImportError:
        return None


def fmt_us(s: float) -> str:
    return f"{s * 1e6:9.2f} us"


def table(rows, headers):
    widths = [max(len(str(r[i])) for r in rows + [headers]) for i in range(len(headers))]
    line = " | ".join(h.ljust(w) for h, w in zip(headers, widths))
    out = [line, "-+-".join("-" * w for w in widths)]
    for r in rows:
        out.append(" | ".join(str(c).ljust(w) for c, w in zip(r, widths)))
    return "\n".join(out)

"""Shape buckets for fused gradient programs whose input shapes keep changing.

Each new input shape of a fused forward-and-backward program costs an XLA compilation
(100-400 ms on this CPU backend), far more than the step itself. Once a program has met a
second shape, the dimensions that changed (a batch size, a sequence length) are padded up
to a *bucket*: a size already compiled if it is at most ``MAX_WASTE`` times the real one,
else the next power of two. A loop whose batch size takes 50 values then compiles a few
programs instead of 50.

Padding must not change any result. Inputs are padded with copies of their last real entry
(edge padding), so padded entries hold finite values of the kind the ops expect; the real
sizes are runtime inputs of the program; and each op is replayed by a rule that knows which
of its axes are padded: elementwise ops and row-wise ops keep them, a reduction or a matrix
product over a padded axis masks the padded entries first (a mean divides by the real
count), and targets with padded axes seed their gradient with the mask. An op without a
rule makes the program run unpadded (one compilation per shape, as before).
"""
from __future__ import annotations

import time

import numpy as np

from .._core import host as _host

MAX_WASTE = 8          # a bucket at most this many times the real size ...
CHEAP_ELEMENTS = 4096  # ... unless the inputs hold at most this many elements
_MIN_BUCKET = 8


class Unsupported(Exception):
    """An op of the segment has no padding rule."""


def _merge(vals, axes_list):
    """The padded axes of a broadcasting result: inputs' padded axes aligned from the right."""
    nd = max(np.ndim(v) for v in vals)
    out: dict = {}
    for v, axes in zip(vals, axes_list):
        off = nd - np.ndim(v)
        for a, sym in axes.items():
            out.setdefault(a + off, sym)
    return out


def _mask(shape, axes, nv, drop=()):
    """A boolean mask, True on the real entries, for the padded ``axes`` not in ``drop``."""
    import jax.numpy as jnp
    from jax import lax
    m = None
    for a, sym in axes.items():
        if a in drop:
            continue
        k = lax.broadcasted_iota(jnp.int32, shape, a) < nv[sym]
        m = k if m is None else m & k
    return m


def _rule_elementwise(fn, static, vals, axes, nv):
    return fn(*vals), _merge(vals, axes)


def _rule_matmul(fn, static, vals, axes, nv):
    import jax.numpy as jnp
    a, b = vals
    ax_a, ax_b = axes
    ta, tb = static.get("ta"), static.get("tb")
    nd = max(a.ndim, b.ndim)
    # The contraction axes: padded entries must add nothing.
    ka = a.ndim - 1 if not ta else a.ndim - 2
    kb = b.ndim - 2 if not tb else b.ndim - 1
    if ka in ax_a:
        a = jnp.where(_mask(a.shape, {ka: ax_a[ka]}, nv), a, jnp.zeros((), a.dtype))
    if kb in ax_b:
        b = jnp.where(_mask(b.shape, {kb: ax_b[kb]}, nv), b, jnp.zeros((), b.dtype))
    out: dict = {}
    row = a.ndim - 2 if not ta else a.ndim - 1
    col = b.ndim - 1 if not tb else b.ndim - 2
    if row in ax_a:
        out[nd - 2] = ax_a[row]
    if col in ax_b:
        out[nd - 1] = ax_b[col]
    for x, ax in ((a, ax_a), (b, ax_b)):
        for d, sym in ax.items():
            if d < x.ndim - 2:
                out.setdefault(d + nd - x.ndim, sym)
    return fn(a, b), out


def _rule_reduce(kind):
    def rule(fn, static, vals, axes, nv):
        import jax.numpy as jnp
        (x,), (ax,) = vals, axes
        red = tuple(range(x.ndim)) if static.get("axis") is None else \
            tuple(a % max(x.ndim, 1) for a in static["axis"])
        keep = static.get("keepdims", False)
        hit = {a: s for a, s in ax.items() if a in red}
        if hit:
            if kind == "Mean" and not jnp.issubdtype(x.dtype, jnp.inexact):
                raise Unsupported(kind)
            fill = {"Sum": 0, "Mean": 0, "Max": -jnp.inf, "Min": jnp.inf}[kind]
            if kind in ("Max", "Min") and not jnp.issubdtype(x.dtype, jnp.floating):
                raise Unsupported(kind)
            x = jnp.where(_mask(x.shape, hit, nv), x, jnp.asarray(fill, x.dtype))
            if kind == "Mean":
                total = jnp.sum(x, axis=red, keepdims=keep, dtype=x.dtype)
                count = jnp.asarray(1, x.dtype)
                for a in red:
                    count = count * (nv[hit[a]].astype(x.dtype) if a in hit else x.shape[a])
                y = total / count
            else:
                y = fn(x)
        else:
            y = fn(x)
        if keep:
            out = {a: s for a, s in ax.items() if a not in red}
        else:
            out = {}
            for a, s in ax.items():
                if a not in red:
                    out[a - sum(1 for r in red if r < a)] = s
        return y, out
    return rule


def _rule_rowwise(fn, static, vals, axes, nv):
    """Cross entropies: (labels, logits) -> one loss per row (the class axis is last)."""
    lab, logits = vals
    last = logits.ndim - 1
    if last in axes[1] or (np.ndim(lab) == logits.ndim and last in axes[0]):
        raise Unsupported("class axis")
    if static and static.get("axis", -1) % logits.ndim != last:
        raise Unsupported("axis")
    out = {a: s for a, s in _merge(vals, axes).items() if a < last}
    return fn(lab, logits), out


def _rule_last_axis(fn, static, vals, axes, nv):
    """Softmax and log-softmax: fine while their axis is not padded."""
    (x,), (ax,) = vals, axes
    if static.get("axis", -1) % x.ndim in ax:
        raise Unsupported("softmax axis")
    return fn(x), dict(ax)


def _rule_gather(fn, static, vals, axes, nv):
    params, idx = vals
    if axes[0] or static.get("axis") != 0 or static.get("batch_dims") != 0:
        raise Unsupported("gather")
    return fn(params, idx), dict(axes[1])


_RULES = {"MatMul": _rule_matmul, "BatchMatMulV2": _rule_matmul,
          "Sum": _rule_reduce("Sum"), "Mean": _rule_reduce("Mean"),
          "Max": _rule_reduce("Max"), "Min": _rule_reduce("Min"),
          "SparseSoftmaxCrossEntropyWithLogits": _rule_rowwise,
          "SoftmaxCrossEntropyWithLogits": _rule_rowwise,
          "Softmax": _rule_last_axis, "LogSoftmax": _rule_last_axis,
          "GatherV2": _rule_gather, "BiasAdd": _rule_elementwise, "Cast": _rule_elementwise,
          "ReadVariableOp": _rule_elementwise}


def rule_for(o):
    """The padding rule of a recorded op, or None."""
    if getattr(o, "elementwise", False):
        return _rule_elementwise
    return _RULES.get(getattr(o, "tf_name", None))


def padded_replay(fns, statics, rules, wiring, tgt_refs):
    """The recorded forward on padded inputs: (sources, captured, their padded axes, real
    sizes) -> (targets, their padded axes, env, env's padded axes)."""

    def forward(src, cap, src_axes, cap_axes, nv):
        env, env_axes = [], []
        for fn, static, rule, in_refs in zip(fns, statics, rules, wiring):
            vals, axes = [], []
            for r in in_refs:
                if r[0] == "s":
                    vals.append(src[r[1]])
                    axes.append(src_axes[r[1]])
                elif r[0] == "c":
                    vals.append(cap[r[1]])
                    axes.append(cap_axes[r[1]])
                else:
                    vals.append(env[r[1]][r[2]])
                    axes.append(env_axes[r[1]][r[2]])
            if not any(axes):       # no padded input: any op is fine
                out, out_axes = fn(*vals), {}
            elif rule is None:
                raise Unsupported(fn)
            else:
                out, out_axes = rule(fn, static, vals, axes, nv)
            outs = tuple(out) if type(out) in (tuple, list) else (out,)
            env.append(outs)
            env_axes.append(tuple(out_axes if len(outs) == 1 else {} for _ in outs))
            if len(outs) > 1 and out_axes:
                raise Unsupported("multi-output")
        tgts = tuple(src[r[1]] if r[0] == "s" else env[r[1]][r[2]] for r in tgt_refs)
        tgt_axes = tuple(src_axes[r[1]] if r[0] == "s" else env_axes[r[1]][r[2]]
                         for r in tgt_refs)
        return tgts, tgt_axes, env, env_axes
    return forward


def bucket(n: int, used, cheap: bool = False, add: bool = True) -> int:
    """The padded size for real size ``n``: a compiled size within ``MAX_WASTE`` times (any
    compiled size when the step's inputs are ``cheap``: a few thousand elements, where a
    compilation costs more than any padding), else the next power of two (added to ``used``
    when ``add``)."""
    if n <= 1:
        return n
    best = None
    for b in used:
        if n <= b and (cheap or b <= MAX_WASTE * n) and (best is None or b < best):
            best = b
    if best is None:
        best = max(_MIN_BUCKET, 1 << (n - 1).bit_length())
        if add:
            used.add(best)
    return best


def pad_edge(x, axes_sizes: dict):
    """``x`` padded along ``{axis: new size}`` with copies of its last entry (on the host: a
    jitted pad would compile per shape)."""
    a = np.asarray(x)
    widths = [(0, axes_sizes.get(i, s) - s) for i, s in enumerate(a.shape)]
    return np.pad(a, widths, mode="edge")


def unpad(x, axes: dict, nv) -> np.ndarray:
    a = np.asarray(x)
    return a[tuple(slice(0, int(nv[axes[i]])) if i in axes else slice(None)
                   for i in range(a.ndim))]


class BucketedFused:
    """The kernel of a fused gradient op (see ``tape._build_fused_op``): ``exact`` (compiled
    per shape) while one input shape has been seen, shape buckets once the captured inputs'
    shapes vary. Returns what ``exact`` returns: the gradients, then the ``fill`` outputs."""

    __slots__ = ("exact", "impls", "wiring", "tgt_refs", "n_src", "n_cap", "fill", "base",
                 "dyn", "used", "program", "fill_axes", "off", "rent", "built")

    def __init__(self, exact, impls, wiring, tgt_refs, n_src, n_cap, fill):
        self.exact = exact
        self.impls = impls
        self.wiring = wiring
        self.tgt_refs = tgt_refs
        self.n_src = n_src
        self.n_cap = n_cap
        self.fill = fill
        self.base = None          # the first call's input shapes
        self.dyn = None           # {(input, axis): index of its real size}, once varying
        self.used: dict = {}      # (input, axis) -> bucket sizes compiled
        self.program = None
        self.fill_axes: list = []
        self.off = False
        self.rent: dict = {}      # bucketed shapes -> seconds spent running them with NumPy
        self.built: set = set()   # bucketed shapes compiled

    def __call__(self, *vals):
        if self.off:
            return self.exact(*vals)
        key = tuple([v.shape for v in vals])
        if self.base is None:
            self.base = key
        if key == self.base and self.dyn is None:
            return self.exact(*vals)
        if not self._track(key):
            return self.exact(*vals)
        try:
            return self._run_padded(vals, key)
        except Exception:  # noqa: BLE001 - no rule, or shapes padding cannot keep apart
            # (two changing sizes that must match): the exact program raises real errors.
            self.off = True
            self.program = None
            return self.exact(*vals)

    def _track(self, key) -> bool:
        """Adds the dimensions that differ from the first call's to ``dyn``; False when the
        shapes differ in a way buckets do not cover (a rank)."""
        base = self.base
        if len(key) != len(base):
            return False
        new = []
        for j, (s, b) in enumerate(zip(key, base)):
            if len(s) != len(b):
                return False
            for a, (n, m) in enumerate(zip(s, b)):
                if n != m:
                    if self.dyn is None or (j, a) not in self.dyn:
                        new.append((j, a))
        if new:
            dyn = dict(self.dyn or {})
            for d in new:
                dyn[d] = len(dyn)
            self.dyn = dyn
            self.program = None   # the real sizes it takes changed
        return self.dyn is not None

    def _run_padded(self, vals, key):
        dyn = self.dyn
        nv = [0] * len(dyn)
        sizes: dict = {}
        cheap = sum(int(np.prod(s)) for s in key) <= CHEAP_ELEMENTS
        used = self.used
        for (j, a), sym in dyn.items():
            nv[sym] = key[j][a]
            sizes.setdefault(j, {})[a] = bucket(key[j][a], used.get((j, a), ()), cheap,
                                                add=False)
        padded = tuple(sorted((j, a, n) for j, ax in sizes.items() for a, n in ax.items()))
        if padded not in self.built and self.exact.host is not None:
            # A bucket not compiled yet: run the exact program with NumPy (no compilation)
            # until the time spent so would have paid for compiling the bucket.
            spent = self.rent.get(padded, 0.0)
            if spent < _host.compile_estimate("tape_segments"):
                t = time.perf_counter()
                out = self.exact.on_host(vals)
                if out is not None:
                    if len(self.rent) >= 1024:
                        self.rent.clear()
                    self.rent[padded] = spent + time.perf_counter() - t
                    return out
        self.built.add(padded)
        for (j, a), sym in dyn.items():
            sizes[j][a] = bucket(key[j][a], used.setdefault((j, a), set()), cheap)
        args = list(vals)
        for j, ax in sizes.items():
            if any(key[j][a] != b for a, b in ax.items()):
                args[j] = _host.put(pad_edge(vals[j], ax))
        if self.program is None:
            self.program = self._build()
        outs = self.program(*args, _host.put(np.asarray(nv, np.int32)))
        n = self.n_src
        out_axes = [{a: sym for (j, a), sym in dyn.items() if j == i} for i in range(n)] + \
            self.fill_axes
        if not any(out_axes):
            return outs
        # Forward values (after the gradients) stay NumPy arrays until read (``_run_fused``).
        return tuple(v if not ax else _host.put(unpad(v, ax, nv)) if i < n else
                     unpad(v, ax, nv) for i, (v, ax) in enumerate(zip(outs, out_axes)))

    def _build(self):
        import jax
        import jax.numpy as jnp
        from .._core.compiled import Tiered
        from .node_fns import _conj, _node_fns
        fns = _node_fns(self.impls)
        statics = [st or {} for _, st in self.impls]
        rules = [rule_for(o) for o, _ in self.impls]
        forward = padded_replay(fns, statics, rules, self.wiring, self.tgt_refs)
        n_src, n_cap, fill, dyn = self.n_src, self.n_cap, self.fill, self.dyn
        in_axes = [{a: sym for (j, a), sym in dyn.items() if j == i}
                   for i in range(n_src + n_cap)]
        src_axes, cap_axes = in_axes[:n_src], in_axes[n_src:]
        fill_axes = self.fill_axes

        def padded_fn(*flat):
            nv = flat[-1]
            src, cap = flat[:n_src], flat[n_src:n_src + n_cap]
            info = []

            def f(s):
                tgts, tgt_axes, env, env_axes = forward(s, cap, src_axes, cap_axes, nv)
                info[:] = [tgt_axes, env_axes]
                return tgts, env
            primal, vjp, env = jax.vjp(f, tuple(src), has_aux=True)
            tgt_axes, env_axes = info
            cts = tuple(jnp.ones_like(p) if not ax else _mask(p.shape, ax, nv).astype(p.dtype)
                        for p, ax in zip(primal, tgt_axes))
            (g,) = vjp(cts)
            fill_axes[:] = [env_axes[k][p] for k, p in fill]
            return tuple(map(_conj, g)) + tuple(env[k][p] for k, p in fill)
        return Tiered(padded_fn, "tape_segments")

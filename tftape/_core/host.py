"""Running a compiled program's jaxpr with NumPy, for input shapes met too rarely to compile.

On the CPU backend an XLA compilation costs 20-400 ms, while TF eager runs the same step op by
op in a few milliseconds without compiling anything. A loop whose shapes keep changing (a batch
size, a sequence length) meets most shapes once or twice, so paying a compilation for each is
a loss however fast the program runs. This module is the tier below compilation: a program's
jaxpr (traced once; with the dimensions that change made symbolic, so one trace serves every
size) is evaluated primitive by primitive with NumPy, which needs no compilation at all.

Only the CPU backend uses it, only for the dtypes NumPy computes as XLA does, and only for the
primitives below: anything else raises :class:`Unsupported` and the caller compiles as before.
Callers (``compiled.Tiered``, the tape's shape buckets, ``registry`` kernels that meet many
shapes) decide when a shape has recurred enough to be worth compiling; see
docs/performance.md ("Changing shapes").
"""
from __future__ import annotations

import time
import weakref

import numpy as np

from . import lru

_SETTINGS = {"enabled": True, "max_elements": 1 << 22}
# An input shape met this many times runs here; from the next call it is compiled (a shape
# that recurs is a loop's), or sooner once its host time would have paid for compiling.
HOST_CALLS = 2
_STATS = lru.HOST     # runs, seconds, traces: read with the cache counters


class Unsupported(Exception):
    """The program uses a primitive, dtype or device this tier does not run."""


class Missing(Unsupported):
    """A primitive without a NumPy rule here: the program is never run here."""


class Rerun(Exception):
    """Raised while JAX traces an eager kernel for an input shape it has not compiled: the
    kernel has just been replaced by a :class:`HostFirst` (``registry``), which the caller
    calls instead."""


def set_enabled(enabled: bool) -> None:
    """Whether new input shapes run here until compiling them pays (else: compiled at once)."""
    _SETTINGS["enabled"] = bool(enabled)


def is_enabled() -> bool:
    return _SETTINGS["enabled"]


# What one compilation costs before a cache has measured any (this 2-core CPU, XLA's quick
# tier): a one-op kernel, a fused training step, a step's optimizer updates.
_FIRST_ESTIMATE = {"op_kernels": 0.02, "tape_segments": 0.15, "pending_programs": 0.08}


def compile_estimate(cache: str) -> float:
    """The seconds one compilation of cache ``cache``'s programs takes: its mean so far, else
    a typical figure for that kind of program."""
    c = lru.caches().get(cache)
    if c is not None and c.compiles:
        return c.compile_seconds / c.compiles
    return _FIRST_ESTIMATE.get(cache, 0.1)


_OK_DTYPES = frozenset(np.dtype(t) for t in (
    np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64,
    np.float32, np.float64, np.complex64, np.complex128))
_CPU: list = []   # [ArrayImpl, the default device] on the CPU backend, [None] elsewhere


def available() -> bool:
    """Whether this tier can run anything: on, and JAX's default backend is the CPU."""
    return _SETTINGS["enabled"] and _cpu() is not None


def _cpu():
    if not _CPU:
        import jax
        from jax._src.array import ArrayImpl
        _CPU.append((ArrayImpl, jax.local_devices()[0]) if jax.default_backend() == "cpu" else None)
    return _CPU[0]


def eligible(vals, any_dtype: bool = False) -> bool:
    """Whether arrays ``vals`` can be run here: concrete arrays on the CPU backend's default
    device, of NumPy-exact dtypes (any dtype for data movement alone: ``any_dtype``), not too
    large (a compiled program is faster for big work)."""
    cpu = _cpu()
    if cpu is None or not _SETTINGS["enabled"]:
        return False
    array, device = cpu
    total = 0
    for v in vals:
        if type(v) is not array or (v.dtype not in _OK_DTYPES and not any_dtype):
            return False
        s = v.sharding
        if getattr(s, "_device", None) is not device:
            return False
        total += v.size
    return total <= _SETTINGS["max_elements"]


def put(x: np.ndarray, user: bool = False):
    """NumPy array ``x`` on JAX's default device, uncommitted as ``jax.device_put(x)`` makes
    it: through JAX's batched transfer, about 10x cheaper than ``jax.device_put``'s dispatch
    (70 us on this CPU), which serves where a default device is set or JAX lacks the call.
    ``user``: data from outside (``tf.constant``), checked for subnormal values, which
    XLA's computations treat as zero: programs given such an array are left to XLA (values
    tftape computes are flushed to zero already)."""
    f = _PUT[0] if _PUT else _make_put()
    if type(x) is not np.ndarray:
        x = np.asarray(x)
    out = f(x if x.flags.c_contiguous else np.array(x, order="C"))
    if user and x.dtype.kind in "fc" and _subnormal(x):
        _SUBNORMAL[id(out)] = out
    return out


_SUBNORMAL = weakref.WeakValueDictionary()   # arrays known to hold subnormal values


def to_device(outs):
    """NumPy results as jax arrays on the default device."""
    f = _PUT[0] if _PUT else _make_put()
    return [f(x if x.flags.c_contiguous else np.array(x, order="C")) for x in outs]


def _make_put():
    import jax
    try:
        from jax._src import core
        from jax._src.interpreters import pxla
        device = jax.local_devices()[0]
        sharding = jax.sharding.SingleDeviceSharding(device)
        config = jax.config
        device_put = jax.device_put

        def fast(x):
            if config.jax_default_device is not None:
                return device_put(x)
            return pxla.batched_device_put(core.ShapedArray(x.shape, x.dtype), sharding,
                                           [x], [device], False)
        fast(np.zeros((2,), np.float32))
    except Exception:  # noqa: BLE001 - another JAX: its public call
        fast = jax.device_put
    _PUT.append(fast)
    return fast


_PUT: list = []


# -- the interpreter -------------------------------------------------------------------------------
def _dims(shape, env):
    """A shape whose symbolic dimensions are evaluated in ``env``."""
    if env is None:
        return shape
    return tuple(d if type(d) is int else int(d._evaluate(env)) for d in shape)


def _dim(d, env):
    return d if type(d) is int or env is None else int(d._evaluate(env))


def _read(v, env_vals):
    if type(v).__name__ == "Literal":
        return np.asarray(v.val, dtype=v.aval.dtype)
    return env_vals[v]


def evaluate(jaxpr, consts, args, env=None):
    """Evaluates ``jaxpr`` (a ``core.Jaxpr``) on NumPy ``args``; ``env`` binds the names of
    its symbolic dimensions to sizes. Returns the outputs as NumPy arrays."""
    vals: dict = {}
    for v, x in zip(jaxpr.constvars, consts):
        vals[v] = x
    for v, x in zip(jaxpr.invars, args):
        vals[v] = x
    for eqn in jaxpr.eqns:
        rule = _RULES.get(eqn.primitive.name)
        if rule is None:
            raise Missing(eqn.primitive.name)
        ins = [_read(v, vals) for v in eqn.invars]
        out = rule(eqn, ins, env)
        if eqn.primitive.multiple_results:
            for v, x in zip(eqn.outvars, out):
                vals[v] = _as(x, v.aval.dtype)
        else:
            vals[eqn.outvars[0]] = _as(out, eqn.outvars[0].aval.dtype)
    return [_read(v, vals) for v in jaxpr.outvars]


def _as(x, dtype):
    if type(x) is not np.ndarray:
        return np.asarray(x, dtype)
    return x if x.dtype == dtype else x.astype(dtype)


def _closed(closed, ins, env):
    return evaluate(closed.jaxpr, [np.asarray(c) for c in closed.consts], ins, env)


# Elementwise primitives: one NumPy function each.
def _unary(f):
    return lambda eqn, ins, env: f(ins[0])


def _binary(f):
    return lambda eqn, ins, env: f(ins[0], ins[1])


def _pow(eqn, ins, env):
    """``pow``: a square (a scalar exponent 2, which every implementation rounds once) is
    a product; anything else XLA's own kernel."""
    x, y = ins
    if x.dtype == y.dtype and x.dtype.kind == "f" and y.size:
        lo, hi = y.min(), y.max()
        if lo == hi and lo in (1.0, 2.0):
            out = x * x if lo == 2.0 else x
            return np.broadcast_to(out, tuple(_dims(eqn.outvars[0].aval.shape, env)))
    return _xla(eqn, ins, env)


def _xla(eqn, ins, env):
    """A transcendental function (``exp``, ``tanh``, ``pow``, ...) computed by XLA's own
    elementwise kernel, so its values are bit for bit those of the compiled program (NumPy's
    implementations differ from XLA's in the last place, which TF's printed values show).
    The inputs are flattened and cut into chunks of one of two fixed lengths (the last one
    padded), so two kernels per function and dtype serve every shape."""
    shape = tuple(_dims(eqn.outvars[0].aval.shape, env))
    n = int(np.prod(shape, dtype=np.int64))
    chunk = _SMALL_CHUNK if n <= 16 * _SMALL_CHUNK else _LARGE_CHUNK
    flat = [np.broadcast_to(x, shape).reshape(-1) for x in ins]
    fn = _elementwise_kernel(eqn.primitive, tuple(sorted(eqn.params.items())))
    parts = []
    for start in range(0, max(n, 1), chunk):
        args = []
        for f in flat:
            c = f[start:start + chunk]
            if len(c) < chunk:
                c = np.concatenate([c, np.zeros(chunk - len(c), f.dtype)])
            args.append(put(c))
        parts.append(fn(*args))
    out = np.concatenate([np.asarray(p) for p in parts]) if len(parts) > 1 else \
        np.asarray(parts[0])
    return out[:n].reshape(shape)


_SMALL_CHUNK = 4096
_LARGE_CHUNK = 1 << 18
_ELEMENTWISE: dict = {}


def _elementwise_kernel(prim, params):
    key = (prim, params)
    fn = _ELEMENTWISE.get(key)
    if fn is None:
        import jax
        kw = dict(params)
        fn = _ELEMENTWISE[key] = jax.jit(lambda *xs: prim.bind(*xs, **kw))
    return fn


def _int_guard(f, zero_ok=False):
    """Integer division and remainder: NumPy floors and gives 0 for x/0 where XLA truncates
    and defines x/0 otherwise; such inputs are left to XLA."""
    def rule(eqn, ins, env):
        a, b = ins
        if a.dtype.kind in "iu":
            if not np.all(b):
                raise Unsupported("integer division by zero")
            return f(a, b, True)
        return f(a, b, False)
    return rule


def _div(a, b, integer):
    if not integer:
        return np.divide(a, b)
    q = np.floor_divide(a, b)
    if a.dtype.kind == "i":
        q = q + ((np.remainder(a, b) != 0) & ((a < 0) != (b < 0))).astype(q.dtype)
    return q


def _rem(a, b, integer):
    return np.fmod(a, b)


def _round(eqn, ins, env):
    x = ins[0]
    if int(eqn.params["rounding_method"]) == 1:
        return np.rint(x)
    t = np.trunc(x)
    return t + np.where(np.abs(x - t) >= 0.5, np.sign(x), 0).astype(x.dtype)


def _integer_pow(eqn, ins, env):
    x, y = ins[0], eqn.params["y"]
    if x.dtype.kind in "iub":
        return np.power(x, y) if y >= 0 else _missing("negative integer power")
    # As XLA expands it: repeated squaring, then a reciprocal for a negative power.
    n, acc, base = abs(y), None, x
    while n:
        if n & 1:
            acc = base if acc is None else acc * base
        n >>= 1
        if n:
            base = base * base
    if acc is None:
        acc = np.ones_like(x)
    return np.reciprocal(acc) if y < 0 else acc


def _missing(what):
    raise Missing(what)


def _convert(eqn, ins, env):
    x = ins[0]
    to = np.dtype(eqn.params["new_dtype"])
    if to not in _OK_DTYPES:
        raise Missing(str(to))
    if x.dtype.kind == "c" and to.kind != "c":
        x = x.real
    if x.dtype.kind == "f" and to.kind in "iu":
        # XLA saturates and maps NaN to 0; NumPy's cast is undefined there.
        info = np.iinfo(to)
        if not (np.all(np.isfinite(x)) and np.all(x >= info.min) and np.all(x < info.max)):
            raise Unsupported("float to int out of range")
    if to.kind == "b":
        return x != 0
    return x.astype(to)


def _select_n(eqn, ins, env):
    pred, cases = ins[0], ins[1:]
    if len(cases) == 1:
        return cases[0]
    if pred.dtype == np.bool_:
        return np.where(pred, cases[1], cases[0])
    return np.choose(pred, cases)


def _clamp(eqn, ins, env):
    lo, x, hi = ins
    return np.minimum(np.maximum(x, lo), hi)


def _broadcast_in_dim(eqn, ins, env):
    x = ins[0]
    shape = _dims(eqn.params["shape"], env)
    bdims = eqn.params["broadcast_dimensions"]
    expanded = [1] * len(shape)
    for d, s in zip(bdims, x.shape):
        expanded[d] = s
    return np.broadcast_to(x.reshape(expanded), shape)


def _reshape(eqn, ins, env):
    if eqn.params.get("dimensions") is not None:
        raise Missing("reshape dimensions")
    return np.reshape(ins[0], _dims(eqn.params["new_sizes"], env))


def _dot_general(eqn, ins, env):
    a, b = ins
    (lc, rc), (lb, rb) = eqn.params["dimension_numbers"]
    out_t = eqn.params.get("preferred_element_type") or eqn.outvars[0].aval.dtype
    if (a.ndim == 2 and b.ndim == 2 and not lb and len(lc) == 1 and a.dtype == b.dtype
            and a.dtype.kind in "fc"):
        # A matrix product: BLAS takes either operand transposed as it is (no copies).
        return (a if lc[0] == 1 else a.T) @ (b if rc[0] == 0 else b.T)
    lf = [d for d in range(a.ndim) if d not in lc and d not in lb]
    rf = [d for d in range(b.ndim) if d not in rc and d not in rb]
    bshape = [a.shape[d] for d in lb]
    k = int(np.prod([a.shape[d] for d in lc], dtype=np.int64))
    lfs = [a.shape[d] for d in lf]
    rfs = [b.shape[d] for d in rf]
    nb = int(np.prod(bshape, dtype=np.int64))
    a2 = np.transpose(a, list(lb) + lf + list(lc)).reshape(
        nb, int(np.prod(lfs, dtype=np.int64)), k)
    b2 = np.transpose(b, list(rb) + list(rc) + rf).reshape(
        nb, k, int(np.prod(rfs, dtype=np.int64)))
    if a2.dtype != b2.dtype:
        raise Missing("mixed dot dtypes")
    if a2.dtype.kind in "iub" and np.dtype(out_t).kind in "iub":
        a2, b2 = a2.astype(out_t), b2.astype(out_t)
    out = np.matmul(a2, b2)
    return out.reshape(bshape + lfs + rfs)


def _reduce(f):
    def rule(eqn, ins, env):
        return f(ins[0], axis=tuple(eqn.params["axes"]))
    return rule


def _reduce_sum(eqn, ins, env):
    x = ins[0]
    return np.sum(x, axis=tuple(eqn.params["axes"]), dtype=x.dtype)


def _argminmax(f):
    def rule(eqn, ins, env):
        (axis,) = eqn.params["axes"]
        return f(ins[0], axis=axis).astype(eqn.params["index_dtype"])
    return rule


def _cumulative(f):
    def rule(eqn, ins, env):
        x, axis = ins[0], eqn.params["axis"]
        if eqn.params.get("reverse"):
            return np.flip(f(np.flip(x, axis), axis=axis), axis)
        return f(x, axis=axis)
    return rule


def _cumsum(x, axis):
    return np.cumsum(x, axis=axis, dtype=x.dtype)


def _cumprod(x, axis):
    return np.cumprod(x, axis=axis, dtype=x.dtype)


def _iota(eqn, ins, env):
    p = eqn.params
    shape = _dims(p["shape"], env)
    d = p["dimension"]
    r = np.arange(shape[d], dtype=p["dtype"])
    view = [1] * len(shape)
    view[d] = shape[d]
    return np.broadcast_to(r.reshape(view), shape)


def _pad(eqn, ins, env):
    x, v = ins
    cfg = eqn.params["padding_config"]
    if any(i != 0 for _, _, i in cfg):
        raise Missing("interior padding")
    cut = tuple(slice(-lo if lo < 0 else 0, x.shape[d] + hi if hi < 0 else None)
                for d, (lo, hi, _) in enumerate(cfg))
    x = x[cut]
    return np.pad(x, [(max(lo, 0), max(hi, 0)) for lo, hi, _ in cfg], constant_values=v)


def _slice(eqn, ins, env):
    p = eqn.params
    starts, limits = _dims(p["start_indices"], env), _dims(p["limit_indices"], env)
    strides = p["strides"] or (1,) * len(starts)
    return ins[0][tuple(slice(s, e, st) for s, e, st in zip(starts, limits, strides))]


def _starts(x, idx, sizes):
    return [int(min(max(int(i), 0), n - s)) for i, n, s in zip(idx, x.shape, sizes)]


def _dynamic_slice(eqn, ins, env):
    x, idx = ins[0], ins[1:]
    sizes = _dims(eqn.params["slice_sizes"], env)
    st = _starts(x, idx, sizes)
    return x[tuple(slice(s, s + n) for s, n in zip(st, sizes))]


def _dynamic_update_slice(eqn, ins, env):
    x, u, idx = ins[0], ins[1], ins[2:]
    st = _starts(x, idx, u.shape)
    out = np.array(x)
    out[tuple(slice(s, s + n) for s, n in zip(st, u.shape))] = u
    return out


def _concatenate(eqn, ins, env):
    return np.concatenate(ins, axis=eqn.params["dimension"])


def _split(eqn, ins, env):
    sizes = _dims(eqn.params["sizes"], env)
    return np.split(ins[0], np.cumsum(sizes)[:-1], axis=eqn.params["axis"])


def _squeeze(eqn, ins, env):
    return np.squeeze(ins[0], axis=tuple(eqn.params["dimensions"]))


def _transpose(eqn, ins, env):
    return np.transpose(ins[0], eqn.params["permutation"])


def _rev(eqn, ins, env):
    return np.flip(ins[0], axis=tuple(eqn.params["dimensions"]))


def _mode_ok(mode, x, starts, sizes):
    """Gather/scatter indices out of range: XLA clips, fills or drops them; tftape checks
    indices before they get here, so such programs are left to XLA."""
    for k, (d, s) in enumerate(sizes):
        col = starts[..., k]
        if col.size and (col.min() < 0 or col.max() > x.shape[d] - s):
            raise Unsupported("index out of range")


def _start(d, idx, smap, obd, ibd, batch):
    """Where operand dimension ``d``'s window starts for each index: from the index vector,
    from the index's own position along a batching dimension, or 0."""
    if d in smap:
        return idx[..., smap.index(d)].astype(np.int64)
    if d in obd:
        b = ibd[obd.index(d)]
        view = [1] * len(batch)
        view[b] = batch[b]
        return np.broadcast_to(np.arange(batch[b], dtype=np.int64).reshape(view), batch)
    return np.zeros(batch, np.int64)


def _whole_rows(x, idx, smap, collapsed, batching, window_dims, window_sizes) -> bool:
    """Whether a gather or scatter moves whole rows of ``x`` (first axis) by index."""
    nb = idx.ndim - 1
    return (tuple(smap) == (0,) and tuple(collapsed) == (0,) and not batching and
            tuple(window_dims) == tuple(range(nb, nb + x.ndim - 1)) and
            tuple(window_sizes) == x.shape[1:])


def _gather(eqn, ins, env):
    x, idx = ins
    p = eqn.params
    dn = p["dimension_numbers"]
    sizes = _dims(p["slice_sizes"], env)
    smap = dn.start_index_map
    _mode_ok(p["mode"], x, idx, [(d, sizes[d]) for d in smap])
    if _whole_rows(x, idx, smap, dn.collapsed_slice_dims, dn.operand_batching_dims,
                   dn.offset_dims, sizes[1:]):
        return np.take(x, idx[..., 0], axis=0)      # rows of a table (tf.gather, embeddings)
    obd = tuple(dn.operand_batching_dims)
    collapsed = set(dn.collapsed_slice_dims) | set(obd)
    window = [d for d in range(x.ndim) if d not in collapsed]
    nb = idx.ndim - 1
    g = x[_window_index(x, idx, smap, obd, dn.start_indices_batching_dims, window, sizes)]
    return np.moveaxis(g, list(range(nb, nb + len(window))), list(dn.offset_dims))


def _window_index(x, idx, smap, obd, ibd, window, sizes):
    """The index arrays that pick, for every index vector of ``idx``, the window of ``x``
    it starts (batch axes first, then the window's axes ``window`` of ``sizes``)."""
    batch = idx.shape[:-1]
    nb, nw = len(batch), len(window)
    index = []
    for d in range(x.ndim):
        start = _start(d, idx, smap, obd, ibd, batch).reshape(batch + (1,) * nw)
        if d not in window:
            index.append(start)
        else:
            view = [1] * (nb + nw)
            view[nb + window.index(d)] = sizes[d]
            index.append(start + np.arange(sizes[d]).reshape(view))
    return tuple(index)


def _scatter(ufunc):
    def rule(eqn, ins, env):
        x, idx, upd = ins
        p = eqn.params
        dn = p["dimension_numbers"]
        obd = tuple(dn.operand_batching_dims)
        inserted = set(dn.inserted_window_dims) | set(obd)
        window = [d for d in range(x.ndim) if d not in inserted]
        uwd = list(dn.update_window_dims)
        sdims = dn.scatter_dims_to_operand_dims
        wsizes = [upd.shape[a] for a in uwd]
        sizes = {d: (wsizes[window.index(d)] if d in window else 1) for d in range(x.ndim)}
        _mode_ok(p["mode"], x, idx, [(d, sizes[d]) for d in sdims])
        if _whole_rows(x, idx, sdims, dn.inserted_window_dims, obd, uwd,
                       [sizes[d] for d in range(1, x.ndim)]):
            out = np.array(x)
            if ufunc is None:
                out[idx[..., 0]] = upd
            else:
                ufunc.at(out, idx[..., 0], upd)
            return out
        nw = len(window)
        u = np.moveaxis(upd, uwd, list(range(upd.ndim - nw, upd.ndim)))
        index = _window_index(x, idx, sdims, obd, dn.scatter_indices_batching_dims, window,
                              sizes)
        out = np.array(x)
        if ufunc is None:
            out[index] = u
        else:
            ufunc.at(out, index, u)
        return out
    return rule


def _call(key):
    def rule(eqn, ins, env):
        return _closed(eqn.params[key], ins, env)
    return rule


def _custom_vjp(eqn, ins, env):
    return _closed(eqn.params["call_jaxpr"], ins, env)


def _remat(eqn, ins, env):
    return evaluate(eqn.params["jaxpr"], [], ins, env)


def _cond(eqn, ins, env):
    index, ops = ins[0], ins[1:]
    branches = eqn.params["branches"]
    i = int(np.clip(int(index), 0, len(branches) - 1))
    return _closed(branches[i], ops, env)


def _while(eqn, ins, env):
    p = eqn.params
    nc, nb = p["cond_nconsts"], p["body_nconsts"]
    cconsts, bconsts, carry = ins[:nc], ins[nc:nc + nb], list(ins[nc + nb:])
    cj, bj = p["cond_jaxpr"], p["body_jaxpr"]
    while bool(_closed(cj, list(cconsts) + carry, env)[0]):
        carry = [_as(c, v.aval.dtype) for c, v in
                 zip(_closed(bj, list(bconsts) + carry, env), bj.jaxpr.outvars)]
    return carry


def _dim_as_value(eqn, ins, env):
    return np.asarray(_dim(eqn.params["dim"], env))


def _sort(eqn, ins, env):
    p = eqn.params
    if p["num_keys"] != 1 or ins[0].dtype.kind == "c":
        raise Missing("sort")
    key = ins[0]
    if key.dtype.kind == "f" and np.any(key == 0):
        raise Unsupported("sort of signed zeros")
    perm = np.argsort(key, axis=p["dimension"], kind="stable")
    return [np.take_along_axis(x, perm, axis=p["dimension"]) for x in ins]


def _reduce_precision(eqn, ins, env):
    x = ins[0]
    fi = np.finfo(x.dtype)
    if eqn.params["exponent_bits"] == fi.nexp and eqn.params["mantissa_bits"] == fi.nmant:
        return x
    raise Missing("reduce_precision")


def _identity(eqn, ins, env):
    return ins if eqn.primitive.multiple_results else ins[0]


def _shift(f, logical=False):
    def rule(eqn, ins, env):
        a, b = ins
        bits = a.dtype.itemsize * 8
        if np.any(b < 0) or np.any(b >= bits):
            raise Unsupported("shift out of range")
        if logical:
            ua = a.view(np.dtype(f"u{a.dtype.itemsize}"))
            return f(ua, b.astype(ua.dtype)).view(a.dtype)
        return f(a, b)
    return rule


def _complex(eqn, ins, env):
    return ins[0] + 1j * ins[1]


def _max_min(f):
    def rule(eqn, ins, env):
        if ins[0].dtype.kind == "c":
            raise Missing("complex max/min")
        return f(ins[0], ins[1])
    return rule


_RULES = {
    "neg": _unary(np.negative), "sign": _unary(np.sign), "floor": _unary(np.floor),
    "ceil": _unary(np.ceil), "is_finite": _unary(np.isfinite), "exp": _xla,
    "exp2": _xla, "log": _xla, "log1p": _xla,
    "expm1": _xla, "tanh": _xla, "logistic": _xla,
    "sin": _xla, "cos": _xla, "tan": _xla,
    "asin": _xla, "acos": _xla, "atan": _xla,
    "sinh": _xla, "cosh": _xla, "asinh": _xla,
    "acosh": _xla, "atanh": _xla, "sqrt": _unary(np.sqrt),
    "rsqrt": _xla, "cbrt": _xla, "erf": _xla, "erfc": _xla, "erf_inv": _xla,
    "lgamma": _xla, "digamma": _xla,
    "abs": _unary(np.abs), "not": _unary(np.invert), "square": _unary(np.square),
    "real": _unary(np.real), "imag": _unary(np.imag), "conj": _unary(np.conj),
    "round": _round, "integer_pow": _integer_pow,
    "add": _binary(np.add), "add_any": _binary(np.add), "sub": _binary(np.subtract),
    "mul": _binary(np.multiply), "div": _int_guard(_div), "rem": _int_guard(_rem),
    "pow": _pow, "max": _max_min(np.maximum), "min": _max_min(np.minimum),
    "atan2": _xla, "nextafter": _binary(np.nextafter),
    "and": _binary(np.bitwise_and), "or": _binary(np.bitwise_or),
    "xor": _binary(np.bitwise_xor), "eq": _binary(np.equal), "ne": _binary(np.not_equal),
    "lt": _binary(np.less), "le": _binary(np.less_equal), "gt": _binary(np.greater),
    "ge": _binary(np.greater_equal), "complex": _complex,
    "shift_left": _shift(np.left_shift), "shift_right_arithmetic": _shift(np.right_shift),
    "shift_right_logical": _shift(np.right_shift, logical=True),
    "select_n": _select_n, "clamp": _clamp, "convert_element_type": _convert,
    "broadcast_in_dim": _broadcast_in_dim, "reshape": _reshape, "squeeze": _squeeze,
    "transpose": _transpose, "rev": _rev, "dot_general": _dot_general,
    "reduce_sum": _reduce_sum, "reduce_max": _reduce(np.max), "reduce_min": _reduce(np.min),
    "reduce_prod": _reduce(np.prod), "reduce_and": _reduce(np.all),
    "reduce_or": _reduce(np.any), "argmax": _argminmax(np.argmax),
    "argmin": _argminmax(np.argmin), "cumsum": _cumulative(_cumsum),
    "cumprod": _cumulative(_cumprod), "cummax": _cumulative(np.maximum.accumulate),
    "cummin": _cumulative(np.minimum.accumulate), "iota": _iota, "pad": _pad,
    "slice": _slice, "dynamic_slice": _dynamic_slice,
    "dynamic_update_slice": _dynamic_update_slice, "concatenate": _concatenate,
    "split": _split, "gather": _gather, "scatter-add": _scatter(np.add),
    "scatter_add": _scatter(np.add), "scatter": _scatter(None), "scatter-mul": _scatter(np.multiply),
    "scatter_mul": _scatter(np.multiply), "scatter-min": _scatter(np.minimum),
    "scatter_min": _scatter(np.minimum), "scatter-max": _scatter(np.maximum),
    "scatter_max": _scatter(np.maximum), "jit": _call("jaxpr"), "pjit": _call("jaxpr"),
    "closed_call": _call("call_jaxpr"), "custom_jvp_call": _call("call_jaxpr"),
    "custom_vjp_call": _custom_vjp, "custom_vjp_call_jaxpr": _call("fun_jaxpr"),
    "remat": _remat, "checkpoint": _remat, "cond": _cond, "while": _while,
    "dim_as_value": _dim_as_value, "sort": _sort, "reduce_precision": _reduce_precision,
    "copy": _identity, "copy_p": _identity, "device_put": _identity,
    "optimization_barrier": _identity, "stop_gradient": _identity,
}


def _flush(x):
    """``x`` with subnormal values flushed to (signed) zero, as XLA's CPU code and TF's
    kernels compute (flush-to-zero); NumPy keeps them."""
    if x.dtype.kind != "f" or not x.size:
        return x
    a = np.abs(x)
    tiny = np.finfo(x.dtype).tiny
    m = a < tiny
    if m.any():
        m &= a > 0
        if m.any():
            x = np.where(m, np.copysign(np.zeros((), x.dtype), x), x)
    return x


def _ftz(rule):
    def flushed(eqn, ins, env):
        return _flush(np.asarray(rule(eqn, ins, env)))
    return flushed


# Arithmetic whose result may be subnormal although its operands are not (the transcendental
# functions run on XLA's kernels, which flush themselves).
# (A sum of normal values is subnormal only when they nearly cancel at the bottom of the
# range; products, quotients and narrowing casts underflow from anywhere.)
for _name in ("mul", "div", "integer_pow", "pow", "dot_general", "convert_element_type",
              "cumprod", "reduce_prod"):
    _RULES[_name] = _ftz(_RULES[_name])


_SUB = {np.dtype(np.float32): (np.uint32, 0x7FFFFFFF, 0x7FFFFF),
        np.dtype(np.float64): (np.uint64, 0x7FFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFF)}


def _subnormal(x) -> bool:
    """Whether float array ``x`` holds a subnormal value (its bits: a zero exponent, a
    nonzero fraction)."""
    if x.dtype.kind == "c":
        return _subnormal(x.real) or _subnormal(x.imag)
    spec = _SUB.get(x.dtype)
    if spec is None or not x.size:
        return False
    uint, mag, top = spec
    bits = np.ascontiguousarray(x).view(uint) & uint(mag)
    return bool(((bits - uint(1)) < uint(top)).any())


# -- programs ------------------------------------------------------------------------------------
class Program:
    """``fn`` (a pure function of arrays) run with NumPy. A call's input shapes are traced as
    they are the first time; once inputs of the same ranks and dtypes come with other sizes,
    the dimensions that changed are traced as symbols (one per group of dimensions whose
    sizes were equal in every call), so later sizes reuse that one jaxpr. Raises
    :class:`Unsupported` for what it cannot run (then for good: ``dead``)."""

    __slots__ = ("fn", "exact", "sigs", "dead")

    def __init__(self, fn):
        self.fn = fn
        self.exact: dict = {}     # input key -> (closed jaxpr, output tree)
        self.sigs: dict = {}      # ranks and dtypes -> [keys met, symbolic trace or None]
        self.dead = False

    def run(self, vals, lazy_from=None):
        """``fn(*vals)`` on jax arrays ``vals``, its outputs on the default device (from
        flat output ``lazy_from`` on: left as NumPy arrays, for a caller that transfers them
        only if they are read)."""
        import jax
        start = time.perf_counter()
        outs, tree = self._eval(vals)
        if lazy_from is None:
            outs = to_device(outs)
        else:
            outs = to_device(outs[:lazy_from]) + outs[lazy_from:]
        out = jax.tree_util.tree_unflatten(tree, outs)
        _STATS["runs"] += 1
        _STATS["seconds"] += time.perf_counter() - start
        return out

    def __call__(self, vals):
        """The flat outputs of ``fn`` on jax arrays ``vals``, as NumPy arrays."""
        return self._eval(vals)[0]

    def _eval(self, vals):
        if self.dead:
            raise Unsupported("dead")
        key = tuple([(tuple(v.shape), v.dtype) for v in vals])
        (jaxpr, tree), env = self._jaxpr(key)
        if _SUBNORMAL:
            for v in vals:
                if _SUBNORMAL.get(id(v)) is v:
                    raise Unsupported("subnormal input")    # XLA treats them as zero
        args = [np.asarray(v) for v in vals]
        try:
            with np.errstate(all="ignore"):
                return evaluate(jaxpr.jaxpr, [np.asarray(c) for c in jaxpr.consts], args,
                                env), tree
        except Missing:
            self.dead = True
            raise
        except Unsupported:
            raise       # these inputs only (an index out of range, a division by zero)
        except Exception as e:  # noqa: BLE001 - an interpreter gap: XLA runs it instead
            self.dead = True
            raise Unsupported(repr(e)) from e

    def _jaxpr(self, key):
        sig = tuple([(len(s), d) for s, d in key])
        st = self.sigs.get(sig)
        if st is not None and st[1] is not None:
            env = _bind(st[1][0], key)
            if env is not None:
                return st[1][1], env
        hit = self.exact.get(key)
        if hit is not None:
            return hit, None
        if st is None:
            if len(self.sigs) >= 16:
                self.sigs.clear()
            self.sigs[sig] = st = [[key], None]
        else:
            seen = st[0]
            if key not in seen:
                seen.append(key)
                if len(seen) > 8:
                    del seen[1]
            made = self._trace_symbolic(seen)
            if made is not None:
                st[1] = made
                return made[1], _bind(made[0], key)
        made = self._trace([jax_spec(s, d) for s, d in key])
        if made is None:
            self.dead = True
            raise Unsupported("trace")
        if len(self.exact) >= 8:
            self.exact.clear()
        self.exact[key] = made
        return made, None

    def _trace(self, specs):
        import jax
        _STATS["traces"] += 1
        try:
            j, shapes = jax.make_jaxpr(self.fn, return_shape=True)(*specs)
        except Exception:  # noqa: BLE001 - for symbolic sizes: the function needs them concrete
            return None
        return j, jax.tree_util.tree_structure(shapes)

    def _trace_symbolic(self, keys):
        """The jaxpr with the dimensions whose sizes differ among ``keys`` (same ranks and
        dtypes) symbolic; None when tracing fails that way (a function that inspects a size)
        or a size that differs is 0 or 1 somewhere (which may change what the program does)."""
        from jax import export
        groups: dict = {}      # sizes across the keys -> symbol index
        pattern = []
        last = keys[-1]
        for j, (shape, dtype) in enumerate(last):
            row = []
            for ax in range(len(shape)):
                sizes = tuple(k[j][0][ax] for k in keys)
                if min(sizes) == max(sizes):
                    row.append(None)
                    continue
                if min(sizes) < 2:
                    return None
                row.append(groups.setdefault(sizes, len(groups)))
            pattern.append(tuple(row))
        if not groups:
            return None
        syms = export.symbolic_shape(", ".join(f"tftape_d{i}" for i in range(len(groups))))
        specs = [jax_spec(tuple(syms[g] if g is not None else n for n, g in zip(shape, row)),
                          dtype) for (shape, dtype), row in zip(last, pattern)]
        made = self._trace(specs)
        if made is None:
            return None
        where = {}
        for j, row in enumerate(pattern):
            for ax, g in enumerate(row):
                if g is not None:
                    where.setdefault(f"tftape_d{g}", (j, ax))
        statics = tuple((tuple(None if g is not None else n for n, g in zip(s, row)), d)
                        for (s, d), row in zip(last, pattern))
        return (statics, tuple(pattern), where), made


def jax_spec(shape, dtype):
    import jax
    return jax.ShapeDtypeStruct(shape, dtype)


def _bind(pattern, key):
    """``{symbol: size}`` for input ``key`` when it fits the symbolic trace, else None."""
    statics, groups, where = pattern
    if len(key) != len(statics):
        return None
    sizes: dict = {}
    for (shape, dtype), (st, dt), row in zip(key, statics, groups):
        if dtype != dt or len(shape) != len(st):
            return None
        for n, s, g in zip(shape, st, row):
            if g is None:
                if n != s:
                    return None
            else:
                if n < 2:
                    return None
                if sizes.setdefault(g, n) != n:
                    return None
    return {name: key[j][0][ax] for name, (j, ax) in where.items()}


_COMPILED = "compiled"


class HostFirst:
    """An eager op kernel: an input shape it has not compiled runs with NumPy for its first
    ``HOST_CALLS`` calls, or until the time spent so would have paid for compiling it (the
    ski-rental rule), then compiles (``jitted``). Installed in place of the op's first jitted kernel when JAX starts tracing
    that (``registry._compile``). Once the kernel has served 64 calls in a row on compiled
    shapes, ``jitted`` itself goes in its place: a kernel used at fixed shapes then costs
    nothing more per call (and compiles any later shape at once, as without this tier)."""

    __slots__ = ("jitted", "program", "rent", "op", "key", "lru", "streak")

    def __init__(self, jitted, fn, op, key, lru):
        self.jitted = jitted
        self.program = Program(fn)
        self.rent: dict = {}      # input shapes and dtypes -> [host calls, seconds] or compiled
        self.op = op              # the op, and this kernel's key in its kernel index
        self.key = key
        self.lru = lru
        self.streak = 0           # calls in a row on compiled shapes

    def install(self) -> None:
        self.streak = 0
        self.op._kernels[self.key] = self
        self.lru.put((self.op, self.key), self)

    def _uninstall(self) -> None:
        if self.op._kernels.get(self.key) is self:
            self.op._kernels[self.key] = self.jitted
            self.lru.put((self.op, self.key), self.jitted)

    def __call__(self, *vals):
        rent = self.rent
        key = tuple([(v.shape, v.dtype) for v in vals])
        st = rent.get(key)
        if st is not _COMPILED:
            self.streak = 0
            prog = self.program
            if st is None:
                if len(rent) >= 4096:
                    rent.clear()
                st = rent[key] = [0, 0.0]
            if (prog is not None and st[0] < HOST_CALLS and
                    st[1] < compile_estimate("op_kernels") and eligible(vals)):
                t = time.perf_counter()
                try:
                    out = prog.run(vals)
                except Unsupported:
                    if prog.dead:
                        self.program = None
                        self._uninstall()
                else:
                    st[0] += 1
                    st[1] += time.perf_counter() - t
                    return out
            rent[key] = _COMPILED
        else:
            self.streak += 1
            if self.streak >= 64:
                self._uninstall()
        return self.jitted(*vals)

    def __getattr__(self, name):
        return getattr(self.jitted, name)

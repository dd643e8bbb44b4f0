"""More of ``tf.random``: seed algebra (``fold_in``, ``split``, ``create_rng_state``),
stateless binomial/gamma/poisson/truncated normals, and the candidate samplers.

As for the other random ops, values come from JAX keys, not TF's Philox kernels: the same seed
gives reproducible values within tftape, with TF's shapes, dtypes, distributions and argument
checks. What is not random (``create_rng_state``, the samplers' expected counts, the second
word of ``fold_in``) matches TF exactly.
"""
from __future__ import annotations

import enum
from collections import namedtuple

import numpy as np
import jax
import jax.numpy as jnp

from .._core import dtypes as _d
from .._core.convert import to_static
from .._core.errors import InvalidArgumentError, kernel_error
from .._core.tensor import Tensor, make
from ._util import tensor
from .random_ops import _key, _shape, _stateless_key


class Algorithm(enum.Enum):
    """The RNG algorithms (``tf.random.Algorithm``)."""
    PHILOX = 1
    THREEFRY = 2
    AUTO_SELECT = 3


_ALG_NAMES = {"philox": Algorithm.PHILOX, "threefry": Algorithm.THREEFRY,
              "auto_select": Algorithm.AUTO_SELECT}


def _alg(alg) -> Algorithm:
    if isinstance(alg, Algorithm):
        return alg
    if isinstance(alg, str):
        a = _ALG_NAMES.get(alg.lower())
        if a is not None:
            return a
        raise ValueError(f"Argument `alg` got unsupported value {alg}. Supported values are "
                         f"['philox', 'threefry', 'auto_select'].")
    if isinstance(alg, (int, np.integer)):
        try:
            return Algorithm(int(alg))
        except ValueError:
            pass
    raise ValueError(f"Argument `alg` got unsupported value {alg}. Supported values are "
                     f"['philox', 'threefry', 'auto_select'].")


def create_rng_state(seed, alg) -> Tensor:
    """The int64 RNG state TF builds from an integer (or list) seed: size 3 for Philox and
    auto-select, 2 for ThreeFry; an integer is split into 64-bit words, least significant first.

    >>> import tftape as tf
    >>> tf.random.create_rng_state(5, "philox").numpy().tolist()
    [5, 0, 0]
    """
    size = 2 if _alg(alg) is Algorithm.THREEFRY else 3
    s = to_static(seed)
    if isinstance(s, (int, np.integer)):
        n, words = int(s), []
        for _ in range(size):
            words.append(n & (2 ** 64 - 1))
            n >>= 64
        v = np.array(words, np.uint64).view(np.int64)
    else:
        # Note: TF keeps a list's first ``size`` words and zero-pads it on the left.
        v = np.asarray(s, np.int64).reshape(-1)[:size]
        v = np.concatenate([np.zeros(size - v.size, np.int64), v])
    return make(jnp.asarray(v), _d.int64)


def _seed_tensor(seed):
    t = tensor(seed)
    o_name = "StatelessRandomGetKeyCounter"
    if t.dtype not in (_d.int32, _d.int64):
        raise InvalidArgumentError(
            None, None, f"Value for attr 'Tseed' of {t.dtype.name} is not in the list of "
                        f"allowed values: int32, int64\n\t; NodeDef: {{{{node {o_name}}}}}; "
                        f"Op<name={o_name}; signature=seed:Tseed -> key:uint64, counter:uint64; "
                        f"attr=Tseed:type,default=DT_INT64,allowed=[DT_INT32, DT_INT64]> "
                        f"[Op:{o_name}]")
    if tuple(t.shape) != (2,):
        raise kernel_error(o_name, f"seed must have shape [2], not "
                                   f"[{','.join(str(d) for d in t.shape)}]")
    return t


def _full_ints(seed, shape, dt):
    k = _stateless_key(seed)
    bits = jax.random.bits(k, shape, dtype=np.dtype(f"uint{dt.size * 8}"))
    return bits.view(dt._np)


def split(seed, num=2, alg="auto_select") -> Tensor:
    """``num`` new seeds (shape ``[num, 2]``, ``seed``'s dtype) derived from ``seed``."""
    t = _seed_tensor(seed)
    _alg(alg)
    n = int(to_static(num))
    return make(_full_ints(t.numpy(), (n, 2), t.dtype), t.dtype)


def fold_in(seed, data, alg="auto_select") -> Tensor:
    """A new seed from ``seed`` and an integer ``data``: ``[derived word, data]`` in
    ``data``'s dtype, as TF."""
    t = _seed_tensor(seed)
    _alg(alg)
    d = tensor(data)
    first = _full_ints(t.numpy(), (1,), d.dtype)
    return make(jnp.concatenate([first, jnp.reshape(d._v, (1,))]), d.dtype)


# -- stateless distributions ----------------------------------------------------------------------
def _attr_error(op_name, attr, dt, allowed):
    return InvalidArgumentError(
        None, None, f"Value for attr '{attr}' of {dt.name} is not in the list of allowed values: "
                    f"{allowed}\n\t; NodeDef: {{{{node {op_name}}}}}; [Op:{op_name}]")


_DIST_TYPES = (_d.float16, _d.float32, _d.float64, _d.int32, _d.int64)
_DIST_ALLOWED = "half, float, double, int32, int64"


def _ends_with(shape, bshape, op_name):
    if tuple(shape[len(shape) - len(bshape):]) != tuple(bshape) or len(bshape) > len(shape):
        raise kernel_error(op_name, "Shape passed in must end with broadcasted shape.")


def stateless_binomial(shape, seed, counts, probs, output_dtype=_d.int32, name=None) -> Tensor:
    """Binomial samples determined by ``seed``; ``counts`` and ``probs`` broadcast to
    ``shape``."""
    dt = _d.as_dtype(output_dtype)
    if dt not in _DIST_TYPES:
        raise _attr_error("StatelessRandomBinomial", "dtype", dt, _DIST_ALLOWED)
    shp = _shape(shape, "StatelessRandomBinomial")
    c = np.asarray(to_static(counts), np.float64)
    p = np.asarray(to_static(probs), np.float64)
    try:
        np.broadcast_to(np.broadcast_to(c, shp), shp)
        np.broadcast_to(p, shp)
    except ValueError:
        raise kernel_error("StatelessRandomBinomial", "Shape passed in must end with broadcasted "
                                                      "shape.") from None
    v = jax.random.binomial(_stateless_key(seed), jnp.asarray(c), jnp.asarray(p), shp)
    return make(v.astype(dt._np), dt)


def stateless_gamma(shape, seed, alpha, beta=None, dtype=_d.float32, name=None) -> Tensor:
    """Gamma(``alpha``, ``beta``) samples determined by ``seed``; ``shape`` ends with the
    broadcast shape of ``alpha`` and ``beta``."""
    dt = _d.as_dtype(dtype)
    if dt not in (_d.float16, _d.float32, _d.float64):
        raise _attr_error("StatelessRandomGammaV3", "dtype", dt, "half, float, double")
    shp = _shape(shape, "StatelessRandomGammaV3")
    a = np.asarray(to_static(alpha), dt._np)
    b = None if beta is None else np.asarray(to_static(beta), dt._np)
    bshape = np.broadcast_shapes(a.shape, () if b is None else b.shape)
    _ends_with(shp, bshape, "StatelessRandomGammaV3")
    v = jax.random.gamma(_stateless_key(seed), jnp.broadcast_to(jnp.asarray(a), shp), shp,
                         dtype=dt._np)
    if b is not None:
        v = v / jnp.asarray(b)
    return make(v.astype(dt._np), dt)


def stateless_poisson(shape, seed, lam, dtype=_d.int32, name=None) -> Tensor:
    """Poisson(``lam``) samples determined by ``seed``; ``shape`` ends with ``lam``'s shape."""
    dt = _d.as_dtype(dtype)
    if dt not in _DIST_TYPES:
        raise _attr_error("StatelessRandomPoisson", "dtype", dt, _DIST_ALLOWED)
    shp = _shape(shape, "StatelessRandomPoisson")
    lam_ = np.asarray(to_static(lam), np.float64)
    _ends_with(shp, lam_.shape, "StatelessRandomPoisson")
    v = jax.random.poisson(_stateless_key(seed), jnp.broadcast_to(jnp.asarray(lam_), shp), shp)
    return make(v.astype(dt._np), dt)


def stateless_parameterized_truncated_normal(shape, seed, means=0.0, stddevs=1.0, minvals=-2.0,
                                             maxvals=2.0, name=None) -> Tensor:
    """Normal(``means``, ``stddevs``) samples truncated to [``minvals``, ``maxvals``],
    determined by ``seed``."""
    shp = _shape(shape, "StatelessParameterizedTruncatedNormal")
    ts = [tensor(v) for v in (means, stddevs, minvals, maxvals)]
    dt = ts[0].dtype
    if dt not in (_d.float16, _d.float32, _d.float64):
        raise _attr_error("StatelessParameterizedTruncatedNormal", "dtype", dt,
                          "half, float, double")
    arrs = [jnp.asarray(t._v, dt._np) for t in ts]
    try:
        bshape = np.broadcast_shapes(*(a.shape for a in arrs))
    except ValueError:
        raise kernel_error("StatelessParameterizedTruncatedNormal",
                           "Shape passed in must end with broadcasted shape.") from None
    _ends_with(shp, bshape, "StatelessParameterizedTruncatedNormal")
    mu, sd, lo, hi = (jnp.broadcast_to(a, shp).astype(np.float64) for a in arrs)
    z = jax.random.truncated_normal(_stateless_key(seed), (lo - mu) / sd, (hi - mu) / sd, shp,
                                    dtype=np.float64)
    return make((mu + sd * z).astype(dt._np), dt)


# -- candidate samplers ---------------------------------------------------------------------------
def _sampler_tuple(name):
    return namedtuple(name, ["sampled_candidates", "true_expected_count",
                             "sampled_expected_count"])


UniformCandidateSampler = _sampler_tuple("UniformCandidateSampler")
LogUniformCandidateSampler = _sampler_tuple("LogUniformCandidateSampler")
FixedUnigramCandidateSampler = _sampler_tuple("FixedUnigramCandidateSampler")
LearnedUnigramCandidateSampler = _sampler_tuple("LearnedUnigramCandidateSampler")
AllCandidateSampler = _sampler_tuple("AllCandidateSampler")


def _true_classes(true_classes, num_true, op_name):
    t = true_classes if isinstance(true_classes, Tensor) else tensor(true_classes, _d.int64)
    if t.dtype is not _d.int64:
        from .._core.errors import InvalidArgumentError as _IAE
        kind = "float" if t.dtype.is_floating else t.dtype.name
        raise _IAE(None, None, f"cannot compute {op_name} as input #0(zero-based) was expected "
                               f"to be a int64 tensor but is a {kind} tensor [Op:{op_name}] "
                               f"name: ")
    v = np.asarray(t._v)
    if v.ndim != 2:
        raise kernel_error(op_name, "true_classes must be a matrix")
    if v.shape[1] != int(num_true):
        raise kernel_error(op_name, f"true_classes must have num_true columns, expected: "
                                    f"{v.shape[1]} was: {int(num_true)}")
    return v


def _expected(p, batch, tries):
    p = np.asarray(p, np.float64)
    if tries == batch:
        return p * batch
    return -np.expm1(tries * np.log1p(-p))


def _sample(op_name, cls, true_classes, num_true, num_sampled, unique, range_max, seed, probs,
            draw):
    """TF's ``RangeSampler::SampleBatchGetExpectedCountAvoid``: ``draw(key, n)`` draws ``n``
    candidates; with ``unique`` it draws until ``num_sampled`` distinct ones."""
    tc = _true_classes(true_classes, num_true, op_name)
    n = int(num_sampled)
    if unique and n > range_max:
        raise kernel_error(op_name, "Sampler's range is too small.")
    if tc.size and (tc.min() < 0 or tc.max() >= range_max):
        bad = tc[(tc < 0) | (tc >= range_max)][0]
        raise kernel_error(op_name, f"`true_candidate` out of range [0, {range_max}), "
                                    f"received {bad}")
    key = _key(seed)
    if not unique:
        out = np.asarray(draw(key, n), np.int64)
        tries = n
    else:
        out, seen, tries = [], set(), 0
        while len(out) < n:
            key, sub = jax.random.split(key)
            for c in np.asarray(draw(sub, 2 * n + 8), np.int64):
                tries += 1
                if int(c) not in seen:
                    seen.add(int(c))
                    out.append(int(c))
                    if len(out) == n:
                        break
        out = np.asarray(out, np.int64)
    true_e = _expected(probs(tc), n, tries).astype(np.float32)
    samp_e = _expected(probs(out), n, tries).astype(np.float32)
    return cls(make(jnp.asarray(out), _d.int64), make(jnp.asarray(true_e), _d.float32),
               make(jnp.asarray(samp_e), _d.float32))


def uniform_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max, seed=None,
                              name=None):
    """Samples ``num_sampled`` classes uniformly from [0, range_max) (distinct with
    ``unique``), with the expected counts of the true and sampled classes."""
    rm = int(range_max)
    return _sample("UniformCandidateSampler", UniformCandidateSampler, true_classes, num_true,
                   num_sampled, unique, rm, seed, lambda v: np.full(np.shape(v), 1.0 / rm),
                   lambda k, m: jax.random.randint(k, (m,), 0, rm))


def log_uniform_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max,
                                  seed=None, name=None):
    """Samples classes from the log-uniform (Zipfian) distribution
    ``P(k) = (log(k + 2) - log(k + 1)) / log(range_max + 1)``."""
    rm = int(range_max)
    log_range = np.log(rm + 1.0)

    def probs(v):
        v = np.asarray(v, np.float64)
        return (np.log(v + 2.0) - np.log(v + 1.0)) / log_range

    def draw(k, m):
        u = np.asarray(jax.random.uniform(k, (m,), dtype=np.float64))
        return np.minimum((np.exp(u * log_range)).astype(np.int64) - 1, rm - 1)

    return _sample("LogUniformCandidateSampler", LogUniformCandidateSampler, true_classes,
                   num_true, num_sampled, unique, rm, seed, probs, draw)


def _weighted(weights):
    w = np.asarray(weights, np.float64)
    total = w.sum()
    p = w / total

    def draw(k, m):
        return np.asarray(jax.random.choice(k, len(w), (m,), p=jnp.asarray(p)))
    return (lambda v: p[np.asarray(v, np.int64)]), draw


def fixed_unigram_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max,
                                    vocab_file="", distortion=1.0, num_reserved_ids=0,
                                    num_shards=1, shard=0, unigrams=(), seed=None, name=None):
    """Samples classes with probabilities proportional to ``unigrams ** distortion`` (or to the
    counts of ``vocab_file``, a CSV whose last column is the count); ``num_reserved_ids``
    leading ids get weight 0, and only this ``shard``'s ids (``id % num_shards``) are kept."""
    op_name = "FixedUnigramCandidateSampler"
    if vocab_file:
        with open(vocab_file) as f:
            counts = [float(line.rstrip("\n").split(",")[-1]) for line in f if line.strip()]
    else:
        counts = [float(u) for u in unigrams]
    w = [0.0] * int(num_reserved_ids) + [c ** float(distortion) for c in counts]
    ids = np.arange(len(w))
    keep = ids % int(num_shards) == int(shard)
    w = np.asarray(w)[keep]
    rm = int(range_max)
    if rm != len(w):
        raise kernel_error(op_name, f"range is {rm} must be equal to weights size  {len(w)}",
                           name=None)
    probs, draw = _weighted(w)
    return _sample(op_name, FixedUnigramCandidateSampler, true_classes, num_true, num_sampled,
                   unique, rm, seed, probs, draw)


_learned_state: dict = {}


def learned_unigram_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max,
                                      seed=None, name=None):
    """Samples classes by the counts of the true classes seen so far (each class starts at 1;
    the counts are updated after sampling and kept across calls with the same arguments, as
    TF's cached kernel keeps them)."""
    rm = int(range_max)
    state_key = (int(num_true), int(num_sampled), bool(unique), rm, seed)
    w = _learned_state.setdefault(state_key, np.ones(rm, np.float64))
    probs, draw = _weighted(w.copy())
    out = _sample("LearnedUnigramCandidateSampler", LearnedUnigramCandidateSampler, true_classes,
                  num_true, num_sampled, unique, rm, seed, probs, draw)
    np.add.at(w, np.asarray(tensor(true_classes)._v).reshape(-1), 1.0)
    return out


def all_candidate_sampler(true_classes, num_true, num_sampled, unique, seed=None, name=None):
    """Every class in [0, num_sampled), each with expected count 1 (for tests and small
    vocabularies)."""
    n = int(num_sampled)
    tc = _true_classes(true_classes, num_true, "AllCandidateSampler")
    if tc.size and (tc.min() < 0 or tc.max() >= n):
        bad = tc[(tc < 0) | (tc >= n)][0]
        raise kernel_error("AllCandidateSampler", f"`true_candidate` out of range [0, {n}), "
                                                  f"received {bad}")
    return AllCandidateSampler(make(jnp.arange(n, dtype=np.int64), _d.int64),
                               make(jnp.ones(tc.shape, np.float32), _d.float32),
                               make(jnp.ones((n,), np.float32), _d.float32))


ComputeAccidentalHits = namedtuple("ComputeAccidentalHits", ["indices", "ids", "weights"])


def compute_accidental_hits(true_classes, sampled_candidates, num_true, seed=None, name=None):
    """The (row, sampled position) pairs where a sampled candidate is one of the row's true
    classes, with weight ``-FLOAT_MAX`` (to add to the sampled logits).

    >>> import tftape as tf
    >>> h = tf.nn.compute_accidental_hits(tf.constant([[1, 2]], tf.int64),
    ...                                   tf.constant([2, 0], tf.int64), 2)
    >>> h.indices.numpy().tolist(), h.ids.numpy().tolist()
    ([0], [0])
    """
    tc = _true_classes(true_classes, num_true, "ComputeAccidentalHits")
    sc = np.asarray(tensor(sampled_candidates, _d.int64)._v).reshape(-1)
    # Note: TF maps each candidate value to its last position in the sample.
    pos = {int(c): j for j, c in enumerate(sc)}
    rows, ids = [], []
    for i, row in enumerate(tc):
        for c in row:
            j = pos.get(int(c))
            if j is not None:
                rows.append(i)
                ids.append(j)
    return ComputeAccidentalHits(
        make(jnp.asarray(np.asarray(rows, np.int32)), _d.int32),
        make(jnp.asarray(np.asarray(ids, np.int64)), _d.int64),
        make(jnp.full((len(rows),), np.finfo(np.float32).min, np.float32), _d.float32))


def stateless_shuffle(value, seed, alg="auto_select", name=None) -> Tensor:
    """``value`` permuted along its first dimension, determined by ``seed`` alone."""
    from .array_ops import gather
    t = tensor(value)
    _alg(alg)
    if t.ndim == 0:
        raise ValueError("input must be at least 1-D, got shape ()")
    perm = np.asarray(jax.random.permutation(_stateless_key(seed), t.shape[0]))
    return gather(t, perm)


# -- tf.nn.experimental ---------------------------------------------------------------------------
def _dropout_with(x, rate, noise_shape, uniform):
    from . import math_ops as m
    t = tensor(x)
    if not t.dtype.is_floating:
        raise ValueError(f"`x.dtype` must be a floating point tensor as `x` will be scaled. "
                         f"Received: x_dtype={t.dtype!r}")
    r = float(to_static(rate))
    if not 0 <= r < 1:
        raise ValueError(f"`rate` must be a scalar tensor or a float in the range [0, 1). "
                         f"Received: rate={rate}")
    if r == 0:
        return t
    shape = t.shape.as_list() if noise_shape is None else [
        int(d) if d is not None else s for d, s in zip(to_static(noise_shape), t.shape)]
    keep = m.greater_equal(uniform(shape, t.dtype), tensor(r, t.dtype))
    return m.multiply(t, m.cast(keep, t.dtype)) * tensor(1 / (1 - r), t.dtype)


def stateless_dropout(x, rate, seed, rng_alg=None, noise_shape=None, name=None) -> Tensor:
    """Dropout whose mask is determined by ``seed`` (shape [2]) alone."""
    from .random_ops import stateless_uniform
    if rng_alg is not None:
        _alg(rng_alg)
    return _dropout_with(x, rate, noise_shape,
                         lambda s, dt: stateless_uniform(s, seed=seed, dtype=dt))


def general_dropout(x, rate, uniform_sampler, noise_shape=None, name=None) -> Tensor:
    """Dropout with the mask drawn by ``uniform_sampler(shape=..., dtype=...)``."""
    return _dropout_with(x, rate, noise_shape,
                         lambda s, dt: tensor(uniform_sampler(shape=s, dtype=dt)))

"""Connectionist temporal classification: ``tf.nn.ctc_loss`` (dense labels),
``collapse_repeated`` and ``ctc_unique_labels``.

The loss runs the forward (alpha) recursion in log space with ``lax.scan``, each sequence
stopping at its ``logit_length``; its gradient is JAX's, which equals TF's
``softmax - posteriors`` (zero past each sequence's end).
"""
from __future__ import annotations

import numpy as np
import jax.numpy as jnp
from jax import lax

from .._core import dtypes as _d
from .._core.convert import to_static
from .._core.registry import convert_inputs, execute, op
from .._core.tensor import Tensor, make, vshape
from ._util import tensor


def _lse(*xs):
    """log(sum(exp(xs))) that is -inf (with zero, not NaN, gradients) when all are -inf."""
    x = jnp.stack(xs)
    m = jnp.max(x, axis=0)
    m_safe = jnp.where(jnp.isfinite(m), m, 0)
    s = jnp.sum(jnp.exp(x - m_safe), axis=0)
    pos = s > 0
    return jnp.where(pos, jnp.log(jnp.where(pos, s, 1)) + m_safe, -jnp.inf)


def _ctc_impl(labels, logits, label_length, logit_length):
    # logits: [T, B, C] with the blank at 0; labels: [B, L].
    n_t, b, _ = logits.shape
    n_l = labels.shape[1]
    n_s = 2 * n_l + 1
    logp = jax_log_softmax(logits)
    ext = jnp.zeros((b, n_s), labels.dtype).at[:, 1::2].set(labels)
    s_idx = jnp.arange(n_s)
    skip = (ext != 0) & (ext != jnp.pad(ext, ((0, 0), (2, 0)), constant_values=-1)[:, :-2])
    emit = jnp.take_along_axis(logp, jnp.broadcast_to(ext[None], (n_t, b, n_s)), axis=2)
    ninf = jnp.array(-jnp.inf, logp.dtype)
    alpha0 = jnp.where((s_idx[None] == 0) | ((s_idx[None] == 1) & (label_length[:, None] > 0)),
                       emit[0], ninf)
    alpha0 = jnp.where(logit_length[:, None] > 0, alpha0,
                       jnp.where(s_idx[None] == 0, 0.0, ninf).astype(logp.dtype))

    def step(alpha, inp):
        t, e = inp
        a1 = jnp.pad(alpha, ((0, 0), (1, 0)), constant_values=-jnp.inf)[:, :-1]
        a2 = jnp.pad(alpha, ((0, 0), (2, 0)), constant_values=-jnp.inf)[:, :-2]
        new = _lse(alpha, a1, jnp.where(skip, a2, ninf)) + e
        return jnp.where((t < logit_length)[:, None], new, alpha), None

    alpha, _ = lax.scan(step, alpha0, (jnp.arange(1, n_t), emit[1:]))
    end = 2 * label_length
    last = jnp.take_along_axis(alpha, end[:, None], axis=1)[:, 0]
    prev = jnp.take_along_axis(alpha, jnp.maximum(end - 1, 0)[:, None], axis=1)[:, 0]
    prev = jnp.where(label_length > 0, prev, ninf)
    return -_lse(last, prev)


def jax_log_softmax(x):
    return x - lax.stop_gradient(jnp.max(x, axis=-1, keepdims=True)) - jnp.log(
        jnp.sum(jnp.exp(x - lax.stop_gradient(jnp.max(x, axis=-1, keepdims=True))), axis=-1,
                keepdims=True))


_ctc_loss_dense = op("ctc_loss", "CTCLossV2", _ctc_impl,
                     dtypes=(_d.float32, _d.float64, _d.float16, _d.bfloat16))


def ctc_loss_dense(labels, logits, label_length, logit_length, logits_time_major=True,
                   blank_index=0) -> Tensor:
    """The CTC loss per sequence for dense ``labels`` [batch, max_label_length]."""
    from .array_ops import concat, transpose
    lg = tensor(logits)
    if lg.ndim != 3:
        raise ValueError(f"Shape must be rank 3 but is rank {lg.ndim}")
    if not logits_time_major:
        lg = transpose(lg, [1, 0, 2])
    n_classes = vshape(lg)[2]
    lb = np.asarray(to_static(labels)).astype(np.int32)
    if lb.ndim != 2:
        raise ValueError(f"Shape must be rank 2 but is rank {lb.ndim}")
    bi = int(blank_index) + (n_classes if int(blank_index) < 0 else 0)
    if bi != 0:
        # Note: as TF, the blank moves to class 0 and the labels below it shift up by one.
        lg = concat([lg[:, :, bi:bi + 1], lg[:, :, :bi], lg[:, :, bi + 1:]], axis=2)
        lb = np.where(lb < bi, lb + 1, lb)
    lab_len = np.asarray(to_static(label_length)).astype(np.int32).reshape(-1)
    log_len = np.asarray(to_static(logit_length)).astype(np.int32).reshape(-1)
    lb = np.where(np.arange(lb.shape[1])[None] < lab_len[:, None], lb, 0).astype(np.int32)
    (x,) = convert_inputs(_ctc_loss_dense, (lg,))
    if x.dtype is not _d.float32:
        # Note: TF's dense CTC mixes the logits with float32 constants and fails so.
        from .._core.errors import InvalidArgumentError
        kind = {"float64": "double", "float16": "half"}.get(x.dtype.name, x.dtype.name)
        raise InvalidArgumentError(None, None, f"cannot compute Mul as input #1(zero-based) "
                                               f"was expected to be a {kind} tensor but is a "
                                               f"float tensor [Op:Mul] name: ")
    args = (make(jnp.asarray(lb), _d.int32), x, make(jnp.asarray(lab_len), _d.int32),
            make(jnp.asarray(log_len), _d.int32))
    return execute(_ctc_loss_dense, args)


def collapse_repeated(labels, seq_length, name=None):
    """Merges runs of repeated labels in each row (within ``seq_length``); returns the
    collapsed labels (zero-padded to the new longest length) and the new lengths.

    >>> import tftape as tf
    >>> c, n = tf.nn.collapse_repeated([[1, 1, 2, 2, 1]], [5])
    >>> c.numpy().tolist(), n.numpy().tolist()
    ([[1, 2, 1]], [3])
    """
    lt, st = tensor(labels), tensor(seq_length)
    lb, sl = np.asarray(lt._v), np.asarray(st._v)
    keep = np.concatenate([np.ones_like(lb[:, :1], bool), lb[:, 1:] != lb[:, :-1]], axis=1)
    keep &= np.arange(lb.shape[1])[None] < sl[:, None]
    new_len = keep.sum(1).astype(np.int32)
    width = int(new_len.max()) if new_len.size else 0
    out = np.zeros((lb.shape[0], width), lb.dtype)
    for i in range(lb.shape[0]):
        out[i, :new_len[i]] = lb[i][keep[i]]
    return (make(jnp.asarray(out), lt.dtype),
            make(jnp.asarray(new_len.astype(st.dtype._np)), st.dtype))


def ctc_unique_labels(labels, name=None):
    """Per row, the unique labels in order of appearance (int64, zero-padded) and each label's
    index into them (int32).

    >>> import tftape as tf
    >>> u, i = tf.nn.ctc_unique_labels([[3, 4, 3]])
    >>> u.numpy().tolist(), i.numpy().tolist()
    ([[3, 4, 0]], [[0, 1, 0]])
    """
    lt = tensor(labels)
    lb = np.asarray(lt._v)
    ys, idxs = np.zeros(lb.shape, np.int64), np.zeros(lb.shape, np.int32)
    for i, row in enumerate(lb):
        seen: dict = {}
        for j, v in enumerate(row):
            idxs[i, j] = seen.setdefault(int(v), len(seen))
        ys[i, :len(seen)] = list(seen)
    return [make(jnp.asarray(ys), _d.int64), make(jnp.asarray(idxs), _d.int32)]

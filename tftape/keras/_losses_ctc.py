"""``tf.keras.losses.ctc`` / ``CTC``: connectionist temporal classification loss.

Keras 3 calls ``tf.nn.ctc_loss`` with dense labels padded with the blank class 0 and every
sequence using all ``T`` time steps. This runs the same forward (alpha) recursion in log
space, unrolled over the time steps with differentiable ops.
"""
from __future__ import annotations

from .._ops import array_ops as _a, linalg_ops as _la, math_ops as _m, nn_ops as _nn
from ._losses import Loss, LossFunctionWrapper, _t

# Note: a large finite "log 0" rather than -inf keeps gradients free of NaN; an impossible
# alignment gives a loss near 1e30 where TF gives inf.
_LOG_ZERO = -1e30


def _shift(x, n, fill):
    pad = _a.fill([int(x.shape[0]), n], fill)
    return _a.concat([_m.cast(pad, x.dtype), x[:, :-n]], axis=1)


def ctc(y_true, y_pred):
    """CTC loss of integer labels ``(batch, max_label_length)`` (0 pads and is the blank)
    against logits ``(batch, time, num_classes)``.

    >>> import numpy as np
    >>> round(float(ctc(np.array([[1, 2]]), np.zeros((1, 3, 3), np.float32))[0]), 4)
    1.6864
    """
    if len(y_true.shape) != 2:
        raise ValueError(f"Targets `y_true` are expected to be a tensor of shape "
                         f"`(batch_size, max_length)` in integer format. Received: "
                         f"y_true.shape={tuple(y_true.shape)}")
    if len(y_pred.shape) != 3:
        raise ValueError(f"Logits `y_pred` are expected to be a tensor of shape "
                         f"`(batch_size, max_length, num_classes)`. Received: "
                         f"y_pred.shape={tuple(y_pred.shape)}")
    y_pred = _t(y_pred)
    out_dtype = y_pred.dtype
    if y_pred.dtype.name != "float32":
        y_pred = _m.cast(y_pred, "float32")
    labels = _m.cast(_t(y_true), "int32")
    b, n_steps, n_classes = (int(d) for d in y_pred.shape)
    max_len = int(labels.shape[1])
    n_ext = 2 * max_len + 1
    label_length = _m.reduce_sum(_m.cast(_m.not_equal(labels, 0), "int32"), axis=-1)
    # The extended label sequence: blank, l1, blank, l2, ..., blank.
    ext = _a.reshape(_a.stack([_a.zeros_like(labels), labels], axis=2), [b, 2 * max_len])
    ext = _a.concat([ext, _a.zeros([b, 1], "int32")], axis=1)
    logp = _nn.log_softmax(y_pred, axis=-1)
    emit = _la.matmul(logp, _a.one_hot(ext, n_classes, dtype="float32"),
                      transpose_b=True)                                # (b, T, S)
    # A skip from s-2 is allowed onto a label that differs from the one two back.
    skip_ok = _m.logical_and(_m.not_equal(ext, 0),
                             _m.not_equal(ext, _shift(ext, 2, -1)))
    s_idx = _a.reshape(_a.range(n_ext), [1, n_ext])
    alpha = _a.where(_m.less(s_idx, 2), emit[:, 0, :],
                     _a.fill([b, n_ext], _LOG_ZERO))
    for t in range(1, n_steps):
        prev2 = _a.where(skip_ok, _shift(alpha, 2, _LOG_ZERO),
                         _a.fill([b, n_ext], _LOG_ZERO))
        both = _a.stack([alpha, _shift(alpha, 1, _LOG_ZERO), prev2], axis=0)
        alpha = emit[:, t, :] + _m.reduce_logsumexp(both, axis=0)
    last = 2 * label_length
    end1 = _m.reduce_sum(alpha * _a.one_hot(last, n_ext, dtype="float32"), axis=1)
    end2 = _m.reduce_sum(alpha * _a.one_hot(last - 1, n_ext, dtype="float32"), axis=1)
    end2 = _a.where(_m.greater(label_length, 0), end2, _a.fill([b], _LOG_ZERO))
    loss = -_m.reduce_logsumexp(_a.stack([end1, end2], axis=0), axis=0)
    return loss if out_dtype.name == "float32" else _m.cast(loss, out_dtype)


class CTC(LossFunctionWrapper):
    """Keras 3's ``CTC`` loss (reduction ``sum_over_batch_size``)."""

    def __init__(self, reduction="sum_over_batch_size", name="ctc", dtype=None):
        super().__init__(ctc, name=name, reduction=reduction, dtype=dtype)

    def get_config(self):
        return Loss.get_config(self)

"""The ``tf.nn`` functions that take or return SparseTensors: ``ctc_loss`` (sparse labels),
the CTC decoders and the sparse embedding lookups."""
from __future__ import annotations

import heapq

import numpy as np
import jax.numpy as jnp

from .._core import dtypes as _d
from .._core.convert import to_static
from .._core.tensor import Tensor, make
from .._ops import array_ops as _a, math_ops as _m
from .._ops._util import tensor
from .._ops.ctc_ops import ctc_loss_dense
from .._ops.nn_ops import embedding_lookup
from .sparse_tensor import SparseTensor


def _host(t) -> np.ndarray:
    return np.asarray(tensor(t)._v)


def ctc_loss(labels, logits, label_length, logit_length, logits_time_major=True, unique=None,
             blank_index=None, name=None) -> Tensor:
    """The CTC loss (negative log-likelihood) of each label sequence given ``logits``.

    ``labels`` are dense [batch, max_label_length] (with ``label_length``) or a SparseTensor;
    dense labels default to ``blank_index=0``, sparse ones need it given. ``unique`` (the
    output of ``ctc_unique_labels``) only speeds TF up and does not change the loss.

    >>> import tftape as tf
    >>> loss = tf.nn.ctc_loss([[1, 2]], tf.zeros((3, 1, 3)), [2], [3])
    >>> round(float(loss[0]), 4)
    1.6864
    """
    if isinstance(labels, SparseTensor):
        if blank_index is None:
            raise ValueError("Argument `blank_index` must be provided when `labels` is a "
                             "`SparseTensor`.")
        idx, vals = _host(labels.indices), _host(labels.values)
        shp = [int(d) for d in _host(labels.dense_shape)]
        dense = np.zeros(shp, np.int32)
        dense[idx[:, 0], idx[:, 1]] = vals
        lens = np.zeros(shp[0], np.int32)
        for r, c in idx:
            lens[r] = max(lens[r], c + 1)
        for i, n in enumerate(lens):
            if n == 0:
                # Note: TF's sparse-label kernel (CTCLoss) rejects empty label sequences.
                from .._core.errors import kernel_error
                raise kernel_error("CTCLoss", f"Labels length is zero in batch {i}")
        return ctc_loss_dense(dense, logits, lens, logit_length, logits_time_major, blank_index)
    if label_length is None:
        raise ValueError("Argument `label_length` must be provided when `labels` is dense.")
    return ctc_loss_dense(labels, logits, label_length, logit_length, logits_time_major,
                          0 if blank_index is None else blank_index)


def _decoded(rows, batch) -> SparseTensor:
    idx = [(b, j) for b, r in enumerate(rows) for j in range(len(r))]
    vals = [v for r in rows for v in r]
    width = max((len(r) for r in rows), default=0)
    return SparseTensor(make(jnp.asarray(np.asarray(idx, np.int64).reshape(-1, 2)), _d.int64),
                        make(jnp.asarray(np.asarray(vals, np.int64)), _d.int64),
                        make(jnp.asarray(np.asarray([batch, width], np.int64)), _d.int64))


def _seq_lengths(inputs, sequence_length, o_name="CTCGreedyDecoder"):
    x = tensor(inputs)
    if x.ndim != 3:
        raise ValueError(f"Shape must be rank 3 but is rank {x.ndim}")
    lens = _host(sequence_length).astype(np.int64).reshape(-1)
    t, b, _ = x.shape
    if len(lens) != b:
        from .._core.errors import kernel_error
        from .._core.errors import FailedPreconditionError
        raise kernel_error(o_name, f"len(sequence_length) != batch_size.  "
                                   f"len(sequence_length):  {len(lens)} batch_size: {b}",
                           cls=FailedPreconditionError, name=None)
    for i, n in enumerate(lens):
        if n > t:
            from .._core.errors import FailedPreconditionError, kernel_error
            raise kernel_error(o_name, f"sequence_length({i}) <= {t}",
                               cls=FailedPreconditionError, name=None)
    return x, lens


def ctc_greedy_decoder(inputs, sequence_length, merge_repeated=True, blank_index=None):
    """Best-path decoding of ``inputs`` [max_time, batch, num_classes]: the most likely class
    per step, repeats merged and blanks dropped. Returns ``([SparseTensor], neg_sum_logits)``.

    >>> import tftape as tf
    >>> lg = tf.one_hot([[1], [1], [2], [0]], 3)
    >>> (d,), _ = tf.nn.ctc_greedy_decoder(lg, [4], blank_index=0)
    >>> d.values.numpy().tolist()
    [1, 2]
    """
    x, lens = _seq_lengths(inputs, sequence_length)
    v = np.asarray(x._v)
    n_classes = v.shape[2]
    blank = n_classes - 1 if blank_index is None else int(blank_index) % n_classes
    rows, scores = [], []
    for b in range(v.shape[1]):
        out, prev, score = [], -1, 0.0
        for t in range(lens[b]):
            c = int(np.argmax(v[t, b]))
            score -= v[t, b, c]
            if c != blank and not (merge_repeated and c == prev):
                out.append(c)
            prev = c
        rows.append(out)
        scores.append(score)
    neg = make(jnp.asarray(np.asarray(scores, v.dtype).reshape(-1, 1)), x.dtype)
    return [_decoded(rows, v.shape[1])], neg


def _logsumexp(a, b):
    if a == -np.inf:
        return b
    if b == -np.inf:
        return a
    m = max(a, b)
    return m + np.log1p(np.exp(-abs(a - b)))


def ctc_beam_search_decoder(inputs, sequence_length, beam_width=100, top_paths=1):
    """Prefix beam search over ``inputs`` [max_time, batch, num_classes] (the blank is the last
    class; repeats are not merged). Returns ``(decoded, log_probabilities)``: ``top_paths``
    SparseTensors and their log-probabilities [batch, top_paths]."""
    x, lens = _seq_lengths(inputs, sequence_length, "CTCBeamSearchDecoder")
    v = np.asarray(x._v, np.float64)
    n_t, n_b, n_c = v.shape
    bw, tp = int(beam_width), int(top_paths)
    if tp > bw:
        raise ValueError(f"top_paths must be <= beam_width, got {tp} and {bw}")
    blank = n_c - 1
    paths = [[] for _ in range(tp)]
    logp_out = np.zeros((n_b, tp), np.float64)
    for b in range(n_b):
        # prefix -> [log P ending in blank, log P ending in a label]
        beams = {(): [0.0, -np.inf]}
        for t in range(lens[b]):
            row = v[t, b]
            m = row.max()
            lp = row - (m + np.log(np.exp(row - m).sum()))
            new: dict = {}

            def add(prefix, pb, pl):
                e = new.setdefault(prefix, [-np.inf, -np.inf])
                e[0], e[1] = _logsumexp(e[0], pb), _logsumexp(e[1], pl)

            for prefix, (pb, pl) in beams.items():
                total = _logsumexp(pb, pl)
                add(prefix, total + lp[blank], -np.inf)
                if prefix:
                    add(prefix, -np.inf, pl + lp[prefix[-1]])
                for c in range(n_c - 1):
                    prev = pb if prefix and prefix[-1] == c else total
                    add(prefix + (c,), -np.inf, prev + lp[c])
            beams = dict(heapq.nlargest(bw, new.items(),
                                        key=lambda kv: _logsumexp(kv[1][0], kv[1][1])))
        best = heapq.nlargest(tp, beams.items(), key=lambda kv: _logsumexp(kv[1][0], kv[1][1]))
        if len(best) < tp:
            from .._core.errors import kernel_error
            raise kernel_error("CTCBeamSearchDecoder", "Less leaves in the beam search than "
                                                       "requested.",
                               wrapped=f"CTCBeamSearchDecoder_top_paths_{tp}", name=None)
        for k in range(tp):
            prefix, (pb, pl) = best[k]
            paths[k].append(list(prefix))
            logp_out[b, k] = _logsumexp(pb, pl)
    decoded = [_decoded(paths[k], n_b) for k in range(tp)]
    return decoded, make(jnp.asarray(logp_out.astype(np.float32)), _d.float32)


# -- sparse embedding lookups ---------------------------------------------------------------------
_COMBINERS = ("mean", "sqrtn", "sum")


def _combine(params, rows, ids, weights, combiner, max_norm, n_rows):
    """``combiner`` over each row's embeddings (weighted when ``weights`` is given)."""
    emb = embedding_lookup(params, make(jnp.asarray(ids.astype(np.int64)), _d.int64),
                           max_norm=max_norm)
    seg = make(jnp.asarray(rows.astype(np.int64)), _d.int64)
    if weights is None:
        w = _a.ones([len(ids)], emb.dtype)
    else:
        w = _m.cast(weights, emb.dtype)
    emb = emb * _a.expand_dims(w, 1)
    total = _m.unsorted_segment_sum(emb, seg, n_rows)
    if combiner == "sum":
        return total
    if combiner == "mean":
        div = _m.unsorted_segment_sum(w, seg, n_rows)
    else:
        div = _m.sqrt(_m.unsorted_segment_sum(w * w, seg, n_rows))
    return _m.divide_no_nan(total, _a.expand_dims(div, 1))


def embedding_lookup_sparse(params, sp_ids, sp_weights, combiner=None, max_norm=None, name=None,
                            allow_fast_lookup=False) -> Tensor:
    """Combines (``"mean"``, ``"sqrtn"`` or ``"sum"``) the embeddings of each row's ids in
    ``sp_ids``, weighted by ``sp_weights`` if given. As TF, the result has one row per row
    index up to the largest one present.

    >>> import tftape as tf
    >>> ids = tf.sparse.SparseTensor([[0, 0], [0, 1]], tf.constant([0, 2], tf.int64), [1, 2])
    >>> tf.nn.embedding_lookup_sparse(tf.constant([[1.], [2.], [3.]]), ids, None).numpy()
    array([[2.]], dtype=float32)
    """
    combiner = "mean" if combiner is None else combiner
    if combiner not in _COMBINERS:
        raise ValueError(f"combiner must be one of 'mean', 'sqrtn' or 'sum', got {combiner}")
    if not isinstance(sp_ids, SparseTensor):
        raise TypeError(f"sp_ids must be SparseTensor, got {type(sp_ids)}")
    if sp_weights is not None and not isinstance(sp_weights, SparseTensor):
        raise TypeError(f"sp_weights must be either None or SparseTensor,got {type(sp_weights)}")
    rows = _host(sp_ids.indices)[:, 0]
    ids = _host(sp_ids.values)
    n_rows = int(rows.max()) + 1 if rows.size else 0
    w = None if sp_weights is None else tensor(sp_weights.values)
    return _combine(params, rows, ids, w, combiner, max_norm, n_rows)


def safe_embedding_lookup_sparse(embedding_weights, sparse_ids, sparse_weights=None,
                                 combiner="mean", default_id=None, max_norm=None, name=None,
                                 allow_fast_lookup=False) -> Tensor:
    """``embedding_lookup_sparse`` that drops invalid ids (< 0) and (unless ``combiner`` is
    ``"sum"``) non-positive weights, gives
    empty rows the embedding of ``default_id`` (or zeros), and accepts ids of any rank: the
    result has shape ``dense_shape[:-1] + [dim]``."""
    if combiner not in _COMBINERS:
        raise ValueError(f"combiner must be one of 'mean', 'sqrtn' or 'sum', got {combiner}")
    params = embedding_weights
    if isinstance(params, (list, tuple)):
        params = params[0] if len(params) == 1 else _a.concat(list(params), 0)
    p = tensor(params)
    idx = _host(sparse_ids.indices)
    ids = _host(sparse_ids.values)
    shape = [int(d) for d in _host(sparse_ids.dense_shape)]
    lead = shape[:-1]
    n_rows = int(np.prod(lead)) if lead else 1
    rows = np.ravel_multi_index(tuple(idx[:, :-1].T), lead) if len(idx) else \
        np.zeros(0, np.int64)
    keep = ids >= 0
    w = None
    if sparse_weights is not None:
        wv = tensor(sparse_weights.values)
        if combiner != "sum":
            # Note: as TF, non-positive weights are pruned except for the "sum" combiner.
            keep &= np.asarray(wv._v) > 0
        w = _a.gather(wv, np.nonzero(keep)[0])
    rows, ids = rows[keep], ids[keep]
    out = _combine(p, rows, ids, w, combiner, max_norm, n_rows)
    empty = np.ones(n_rows, bool)
    empty[rows] = False
    if default_id is not None:
        d = embedding_lookup(p, make(jnp.asarray(np.full(n_rows, int(default_id), np.int64)),
                                     _d.int64), max_norm=max_norm)
        out = _a.where(_a.expand_dims(make(jnp.asarray(empty), _d.bool), 1), d, out)
    return _a.reshape(out, lead + [int(p.shape[1])] + [int(s) for s in p.shape[2:]])

"""Neural-network ops (``tf.nn``)."""
from __future__ import annotations

import jax
import jax.numpy as jnp

from .._core import dtypes as _d
from .._core.errors import kernel_error
from .._core.registry import Op, check_dtype, convert_inputs, execute, op
from .._core.tensor import Tensor, vshape
from ._declare import unary
from ._util import FLOAT, REAL, fmt_shape, static_axis, tensor
from . import math_ops as m


def _relu_fwd(x):
    return jnp.maximum(x, 0).astype(x.dtype), x


def _relu_bwd(x, g):
    # Note: TF's ReluGrad passes the gradient only where x > 0 (0 at x == 0).
    return (jnp.where(x > 0, g, 0).astype(g.dtype),)


def _relu6_fwd(x):
    return jnp.clip(x, 0, 6).astype(x.dtype), x


def _relu6_bwd(x, g):
    # Note: TF's Relu6Grad passes the gradient only where 0 < x < 6.
    return (jnp.where((x > 0) & (x < 6), g, 0).astype(g.dtype),)


def _unary(name, tf_name, impl, dtypes, doc, **kw):
    """An activation: a unary op whose operand TF names ``features``."""
    return unary(name, tf_name, impl, dtypes, doc, arg="features",
                 signature="features:T -> activations:T", **kw)


relu = _unary("relu", "Relu", lambda x: jnp.maximum(x, 0).astype(x.dtype), REAL,
              "max(x, 0).", tf_grad=(_relu_fwd, _relu_bwd))
relu6 = _unary("relu6", "Relu6", lambda x: jnp.clip(x, 0, 6).astype(x.dtype), REAL,
               "min(max(x, 0), 6).", tf_grad=(_relu6_fwd, _relu6_bwd))
def _elu_bwd(res, g):
    # Note: TF's EluGrad works from the output: g * (y + 1) where y < 0, else g, so at 0 the
    # slope is 1 and the second derivative 0 (JAX's takes the exp branch there).
    _, y = res
    return (jnp.where(y < 0, g * (y + 1), g),)


_SELU_SCALE = 1.0507009873554804934193349852946
_SELU_SCALE_ALPHA = 1.7580993408473768599402175208123


def _selu_bwd(res, g):
    # Note: TF's SeluGrad: g * (y + scale * alpha) where y < 0, else g * scale (slope scale
    # at 0; JAX's is scale * alpha there).
    _, y = res
    sa = jnp.asarray(_SELU_SCALE_ALPHA, y.dtype)
    return (jnp.where(y < 0, g * (y + sa), g * jnp.asarray(_SELU_SCALE, y.dtype)),)


def _elu(x):
    # Note: TF's Elu kernel computes exp(x) - 1 (JAX: expm1), which is 0 for tiny negative x;
    # the second derivative there depends on it.
    return jnp.where(x < 0, jnp.exp(x) - 1, x)


def _selu(x):
    # TF's Selu kernel: scale * alpha * (exp(x) - 1) below 0, scale * x above.
    return jnp.where(x < 0, jnp.asarray(_SELU_SCALE_ALPHA, x.dtype) * (jnp.exp(x) - 1),
                     jnp.asarray(_SELU_SCALE, x.dtype) * x)


elu = _unary("elu", "Elu", _elu, FLOAT, "x if x > 0 else exp(x) - 1.",
             tf_grad=(None, _elu_bwd))
selu = _unary("selu", "Selu", _selu, FLOAT, "Scaled ELU.", tf_grad=(None, _selu_bwd))
_silu = op("silu", "Mul", lambda x, beta: x * jax.nn.sigmoid(beta * x), dtypes=_d.INEXACT)


def silu(features, beta=1.0, name=None) -> Tensor:
    """x * sigmoid(beta * x) (also ``tf.nn.swish``)."""
    t = tensor(features)
    check_dtype(_silu, t)
    return execute(_silu, (t,), (float(beta),), {"beta": float(beta)})


swish = silu
sigmoid = m.sigmoid
tanh = m.tanh
log_sigmoid = m.log_sigmoid


def softplus(features, name=None) -> Tensor:
    """log(exp(features) + 1)."""
    return m.softplus(features)


def softsign(features, name=None) -> Tensor:
    """features / (|features| + 1)."""
    return m.softsign(features)


def gelu(features, approximate=False, name=None) -> Tensor:
    """Gaussian error linear unit (exact by default, as TF)."""
    t = tensor(features)
    if not t.dtype.is_floating:
        raise ValueError(f"`features.dtype` must be a floating point tensor.Received:"
                         f"features.dtype={t.dtype}")
    return execute(_gelu, (t,), (bool(approximate),), {"approximate": bool(approximate)})


_gelu = op("gelu", "Gelu", lambda x, approximate: jax.nn.gelu(x, approximate=approximate),
           dtypes=FLOAT)


def leaky_relu(features, alpha=0.2, name=None) -> Tensor:
    """x if x > 0 else alpha * x (integer features are cast to float32 first, as TF)."""
    t = tensor(features)
    if t.dtype.is_integer:
        t = m.cast(t, _d.float32)
    check_dtype(_leaky, t)
    return execute(_leaky, (t,), (float(alpha),), {"alpha": float(alpha)})


_leaky = op("leaky_relu", "LeakyRelu",
            lambda x, alpha: jnp.where(x > 0, x, (alpha * x).astype(x.dtype)), dtypes=FLOAT)


def _axis_op(name, tf_name, fn):
    o = op(name, tf_name, lambda x, axis: fn(x, axis=axis), dtypes=FLOAT)

    def f(logits, axis=None, name=None) -> Tensor:
        t = tensor(logits)
        check_dtype(o, t)
        ax = -1 if axis is None else static_axis(axis)
        if t.ndim == 0:
            raise kernel_error(tf_name, "logits must have >= 1 dimension, got []")
        if not -t.ndim <= ax < t.ndim:
            from .._core.errors import InvalidArgumentError
            raise InvalidArgumentError(None, None, f"`dim` must be in the range [{-t.ndim}, "
                                                   f"{t.ndim}) where {t.ndim} is the number of "
                                                   f"dimensions in the input. Received: dim={ax}")
        return execute(o, (t,), (ax,), {"axis": ax})
    f.__name__ = f.__qualname__ = name
    return f


softmax = _axis_op("softmax", "Softmax", jax.nn.softmax)
log_softmax = _axis_op("log_softmax", "LogSoftmax", jax.nn.log_softmax)


def moments(x, axes, shift=None, keepdims=False, name=None):
    """Mean and (population) variance over ``axes``.

    >>> import tftape as tf
    >>> mean, var = tf.nn.moments(tf.constant([1., 2., 3.]), axes=[0])
    >>> float(mean), round(float(var), 4)
    (2.0, 0.6667)
    """
    t = tensor(x)
    mean = m.reduce_mean(t, axes, keepdims=True)
    from .array_ops import stop_gradient
    # TF stops the gradient through the mean inside the variance.
    var = m.reduce_mean(m.squared_difference(t, stop_gradient(mean)), axes, keepdims=True)
    if not keepdims:
        from .array_ops import squeeze
        ax = static_axis(axes)
        ax = (ax,) if isinstance(ax, int) else ax
        mean = squeeze(mean, ax)
        var = squeeze(var, ax)
    return mean, var


def l2_loss(t, name=None) -> Tensor:
    """sum(t ** 2) / 2."""
    x = tensor(t)
    check_dtype(_l2_loss, x)
    return execute(_l2_loss, (x,))


_l2_loss = op("l2_loss", "L2Loss", lambda x: jnp.sum(x * x) / 2, dtypes=FLOAT,
              signature="t:T -> output:T")


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None) -> Tensor:
    """x / sqrt(max(sum(x**2), epsilon)) along ``axis``."""
    t = tensor(x)
    axis = axis if axis is not None else dim
    if t.dtype.is_complex:
        # TF normalises the real and imaginary parts by the real norm.
        re, im = m.real(t), m.imag(t)
        ss = m.reduce_sum(m.square(re) + m.square(im), axis, keepdims=True)
        inv = m.rsqrt(m.maximum(ss, tensor(epsilon, ss.dtype)))
        return m.complex(re * inv, im * inv)
    ss = m.reduce_sum(m.square(t), axis, keepdims=True)
    return t * m.rsqrt(m.maximum(ss, tensor(epsilon, t.dtype)))


def bias_add(value, bias, data_format=None, name=None) -> Tensor:
    """Adds a 1-D bias to the last (or, for NCHW, the channel) dimension."""
    v, b = convert_inputs(_bias_add, (value, bias))
    if b.ndim != 1:
        raise kernel_error("BiasAdd", f"Biases must be 1D: {list(b.shape)}")
    cf = bool(data_format and data_format.startswith("NC"))
    c = vshape(v)[1] if cf else vshape(v)[-1]
    if c != vshape(b)[0]:
        raise kernel_error("BiasAdd", f"Must provide as many biases as the last dimension of the "
                                      f"input tensor: [{vshape(b)[0]}] vs. "
                                      f"{fmt_shape(vshape(v))}")
    return execute(_bias_add, (v, b), (cf,), {"channels_first": cf})


_bias_add = op("bias_add", "BiasAdd", lambda v, b, channels_first: v + (
    b.reshape((-1,) + (1,) * (v.ndim - 2)) if channels_first else b))


def _sce_impl(labels, logits, axis):
    return -jnp.sum(labels * jax.nn.log_softmax(logits, axis=axis), axis=axis)


_sce = op("softmax_cross_entropy_with_logits", "SoftmaxCrossEntropyWithLogits",
          _sce_impl, dtypes=FLOAT)


def softmax_cross_entropy_with_logits(labels, logits, axis=-1, name=None) -> Tensor:
    """Cross entropy between ``labels`` (a distribution) and softmax(``logits``)."""
    lg = tensor(logits)
    lb = tensor(labels, lg.dtype) if not isinstance(labels, Tensor) else labels
    if lb.dtype is not lg.dtype:
        lb = m.cast(lb, lg.dtype)
    if lb.shape != lg.shape:
        raise kernel_error("SoftmaxCrossEntropyWithLogits",
                           f"logits and labels must be broadcastable: logits_size="
                           f"{fmt_shape(vshape(lg))} labels_size={fmt_shape(vshape(lb))}")
    return execute(_sce, (lb, lg), (int(axis),), {"axis": int(axis)})


def _ssce_impl(labels, logits):
    lp = jax.nn.log_softmax(logits, axis=-1)
    # Note: a one-hot select, not ``take_along_axis``: the gather and its scatter-add
    # gradient take XLA's CPU compiler three times as long (each new batch size compiles).
    hot = labels[..., None] == jnp.arange(logits.shape[-1], dtype=labels.dtype)
    return -jnp.sum(jnp.where(hot, lp, 0), axis=-1)


# The labels' attr (Tlabels) for TF's "not in the list of allowed values" message; not an op.
_ssce_labels = Op("sparse_softmax_cross_entropy_labels", "SparseSoftmaxCrossEntropyWithLogits",
                  None, dtypes=(_d.int32, _d.int64),
                  signature="features:T, labels:Tlabels -> loss:T, backprop:T")
_ssce = op("sparse_softmax_cross_entropy_with_logits", "SparseSoftmaxCrossEntropyWithLogits",
           _ssce_impl)


def sparse_softmax_cross_entropy_with_logits(labels, logits, name=None) -> Tensor:
    """Cross entropy of integer class ``labels`` against softmax(``logits``)."""
    lb = tensor(labels)
    lg = tensor(logits)
    if lb.dtype not in (_d.int32, _d.int64):
        from .._core.registry import allowed_error
        raise allowed_error(_ssce_labels, lb.dtype, "Tlabels")
    if lg.ndim != lb.ndim + 1 or tuple(lg.shape[:-1]) != tuple(lb.shape):
        raise ValueError(f"`labels.shape.rank` must equal `logits.shape.rank - 1`. Received: "
                         f"labels.shape={lb.shape} of rank {lb.ndim} and logits.shape={lg.shape} "
                         f"of rank {lg.ndim}" if lg.ndim != lb.ndim + 1 else
                         f"`labels.shape` must equal `logits.shape` except for the last dimension. "
                         f"Received: labels.shape={lb.shape} and logits.shape={lg.shape}")
    import numpy as np
    from ._util import is_concrete
    # Labels are checked on the host only when concrete (not while a compiled step traces).
    lv = np.asarray(lb._v) if is_concrete(lb) else np.zeros(0, np.int64)
    n = vshape(lg)[-1]
    if lv.size and (lv.min() < 0 or lv.max() >= n):
        bad = int(lv[(lv < 0) | (lv >= n)].reshape(-1)[0])
        pos = int(np.argmax(((lv < 0) | (lv >= n)).reshape(-1)))
        raise kernel_error("SparseSoftmaxCrossEntropyWithLogits",
                           f"Received a label value of {bad} which is outside the valid range of "
                           f"[0, {n}).  Label values: {' '.join(str(int(v)) for v in lv.reshape(-1))}")
    return execute(_ssce, (lb, lg))


def _sig_ce(labels, logits):
    return jnp.maximum(logits, 0) - logits * labels + jnp.log1p(jnp.exp(-jnp.abs(logits)))


_sigce = op("sigmoid_cross_entropy_with_logits", "SigmoidCrossEntropyWithLogits", _sig_ce,
            dtypes=FLOAT)


def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None) -> Tensor:
    """Elementwise logistic loss of ``logits`` against ``labels`` in [0, 1]."""
    lg = tensor(logits)
    lb = tensor(labels, lg.dtype) if not isinstance(labels, Tensor) else labels
    if lb.shape != lg.shape:
        raise ValueError(f"`logits` and `labels` must have the same shape, received "
                         f"({lg.shape} vs {lb.shape}).")
    a, b = convert_inputs(_sigce, (lb, lg))
    return execute(_sigce, (a, b))


def dropout(x, rate, noise_shape=None, seed=None, name=None) -> Tensor:
    """Zeroes elements with probability ``rate`` and scales the rest by 1 / (1 - rate)."""
    from . import random_ops
    t = tensor(x)
    r = float(rate)
    if not 0 <= r < 1:
        raise ValueError(f"`rate` must be a scalar tensor or a float in the range [0, 1). "
                         f"Received: rate={rate}")
    if r == 0:
        return t
    shape = t.shape.as_list() if noise_shape is None else list(noise_shape)
    keep = random_ops.uniform(shape, dtype=t.dtype, seed=seed) >= r
    return m.multiply(t, m.cast(keep, t.dtype)) * tensor(1 / (1 - r), t.dtype)


def normalize_moments(counts, mean_ss, variance_ss, shift, name=None):
    divisor = m.reciprocal(counts)
    mean = m.multiply(mean_ss, divisor)
    var = m.subtract(m.multiply(variance_ss, divisor), m.square(mean))
    return mean, var


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None):
    """(x - mean) / sqrt(variance + eps) * scale + offset."""
    t = tensor(x)
    inv = m.rsqrt(tensor(variance) + tensor(variance_epsilon, t.dtype))
    if scale is not None:
        inv = inv * scale
    out = t * inv + ((tensor(offset) if offset is not None else tensor(0, t.dtype))
                     - tensor(mean) * inv)
    return out


def embedding_lookup(params, ids, max_norm=None, name=None) -> Tensor:
    """The rows of ``params`` at ``ids`` (a gather along axis 0)."""
    from .array_ops import concat, gather
    from .indexing_ops import _gather_checked
    if isinstance(params, (list, tuple)):
        params = params[0] if len(params) == 1 else concat(list(params), 0)
    if isinstance(params, Tensor):
        out = _gather_checked(params, tensor(ids), None, 0, node="embedding_lookup")
    else:
        out = gather(params, ids)
    if max_norm is not None:
        from .array_ops import clip_by_norm
        out = clip_by_norm(out, max_norm, axes=list(range(tensor(ids).ndim, out.ndim)))
    return out


def weighted_cross_entropy_with_logits(labels, logits, pos_weight, name=None) -> Tensor:
    """Sigmoid cross entropy where positive labels are weighted by ``pos_weight``."""
    lg = tensor(logits)
    z = tensor(labels, lg.dtype) if not isinstance(labels, Tensor) else labels
    q = tensor(pos_weight, lg.dtype) if not isinstance(pos_weight, Tensor) else pos_weight
    log_weight = 1 + (q - 1) * z
    return (1 - z) * lg + log_weight * (m.log1p(m.exp(-m.abs(lg))) + relu(-lg))


def log_poisson_loss(targets, log_input, compute_full_loss=False, name=None) -> Tensor:
    """exp(log_input) - log_input * targets (plus Stirling's term when asked)."""
    li = tensor(log_input)
    t = tensor(targets, li.dtype) if not isinstance(targets, Tensor) else targets
    result = m.exp(li) - li * t
    if compute_full_loss:
        import numpy as np
        from .array_ops import ones_like, where, zeros_like
        point_five = tensor(0.5, t.dtype)
        two_pi = tensor(2 * np.pi, t.dtype)
        stirling = t * m.log(t) - t + point_five * m.log(two_pi * t)
        cond = m.logical_and(m.greater_equal(t, zeros_like(t)), m.less_equal(t, ones_like(t)))
        result = result + where(cond, zeros_like(t), stirling)
    return result


def crelu(features, name=None, axis=-1) -> Tensor:
    """Concatenates relu(x) and relu(-x) along ``axis``."""
    from .array_ops import concat
    t = tensor(features)
    return relu(concat([t, -t], axis))


def zero_fraction(value, name=None) -> Tensor:
    """The fraction of zeros in ``value`` (float32)."""
    from .array_ops import zeros_like
    t = tensor(value)
    zero = m.equal(t, zeros_like(t))
    return m.reduce_mean(m.cast(zero, _d.float32))


def in_top_k(targets, predictions, k, name=None) -> Tensor:
    """Whether each target class is among the ``k`` largest predictions (ties count as in)."""
    p, tg = tensor(predictions), tensor(targets)
    return execute(_in_top_k, (p, tg), (int(k),), {"k": int(k)})


def _in_top_k_impl(v, tv, k):
    target = jnp.take_along_axis(v, jnp.clip(tv, 0, v.shape[1] - 1)[:, None].astype(jnp.int32), 1)
    n_greater = jnp.sum(v > target, axis=1)
    return (n_greater < k) & jnp.all(jnp.isfinite(v), axis=1) & (tv >= 0) & (tv < v.shape[1])


_in_top_k = op("in_top_k", "InTopKV2", _in_top_k_impl, differentiable=False)


def space_to_depth(input, block_size, data_format="NHWC", name=None) -> Tensor:  # noqa: A002
    """Moves ``block_size`` x ``block_size`` spatial blocks into the channel dimension."""
    from .array_ops import reshape, transpose
    t = tensor(input)
    n, h, w, c = t.shape.as_list()
    b = int(block_size)
    x = reshape(t, (n, h // b, b, w // b, b, c))
    return reshape(transpose(x, (0, 1, 3, 2, 4, 5)), (n, h // b, w // b, b * b * c))


def depth_to_space(input, block_size, data_format="NHWC", name=None) -> Tensor:  # noqa: A002
    """Moves channel data into ``block_size`` x ``block_size`` spatial blocks."""
    from .array_ops import reshape, transpose
    t = tensor(input)
    n, h, w, c = t.shape.as_list()
    b = int(block_size)
    x = reshape(t, (n, h, w, b, b, c // (b * b)))
    return reshape(transpose(x, (0, 1, 3, 2, 4, 5)), (n, h * b, w * b, c // (b * b)))


def compute_average_loss(per_example_loss, sample_weight=None, global_batch_size=None,
                         name=None) -> Tensor:
    """Sum of the (weighted) per-example losses divided by the global batch size."""
    from .array_ops import shape
    loss = tensor(per_example_loss)
    if sample_weight is not None:
        loss = loss * tensor(sample_weight, loss.dtype)
    if global_batch_size is None:
        global_batch_size = m.cast(shape(loss)[0], loss.dtype)
    return m.divide_no_nan(m.reduce_sum(loss), tensor(global_batch_size, loss.dtype)
                           if not isinstance(global_batch_size, Tensor) else global_batch_size)


def scale_regularization_loss(regularization_loss, name=None) -> Tensor:
    """The regularization loss scaled for the number of replicas (one here)."""
    return m.add_n([regularization_loss]) if isinstance(regularization_loss, (list, tuple)) \
        else tensor(regularization_loss)


def sufficient_statistics(x, axes, shift=None, keepdims=False, name=None):
    """(count, sum of x, sum of x**2, shift) over ``axes``."""
    import numpy as np
    t = tensor(x)
    ax = static_axis(axes)
    ax = (ax,) if isinstance(ax, int) else ax
    count = tensor(float(np.prod([t.shape[a] for a in ax])), t.dtype)
    return (count, m.reduce_sum(t, ax, keepdims), m.reduce_sum(m.square(t), ax, keepdims),
            None if shift is None else tensor(shift))


def weighted_moments(x, axes, frequency_weights, keepdims=False, name=None):
    """The frequency-weighted mean and variance over ``axes``."""
    t = tensor(x)
    w = tensor(frequency_weights, t.dtype) if not isinstance(frequency_weights, Tensor) \
        else frequency_weights
    from .array_ops import stop_gradient, zeros_like
    div = m.reciprocal(m.reduce_sum(w + zeros_like(t), axes, keepdims=True))
    mean = m.reduce_sum(w * t, axes, keepdims=True) * div
    var = m.reduce_sum(w * m.squared_difference(t, stop_gradient(mean)), axes, keepdims=True) * div
    if not keepdims:
        from .array_ops import squeeze
        ax = static_axis(axes)
        mean, var = squeeze(mean, ax), squeeze(var, ax)
    return mean, var


def local_response_normalization(input, depth_radius=5, bias=1, alpha=1, beta=0.5,  # noqa: A002
                                 name=None) -> Tensor:
    """x / (bias + alpha * sum of squares over a depth window) ** beta, along the last axis."""
    t = tensor(input)
    r = int(depth_radius)
    sq = m.square(t)
    from .array_ops import pad
    c = t.shape[-1]
    padded = pad(sq, [[0, 0]] * (t.ndim - 1) + [[r, r]])
    window = m.add_n([padded[..., i:i + c] for i in range(2 * r + 1)])
    return t / m.pow(tensor(bias, t.dtype) + tensor(alpha, t.dtype) * window,
                     tensor(beta, t.dtype))


lrn = local_response_normalization

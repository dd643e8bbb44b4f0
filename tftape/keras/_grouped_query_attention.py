"""GroupQueryAttention (Keras 3's ``GroupedQueryAttention`` class, which its configs name
``GroupQueryAttention``): query heads share fewer key/value heads."""
from __future__ import annotations

import math

import numpy as np

from .._core.convert import convert_to_tensor
from .._ops import array_ops as _a, linalg_ops as _la, math_ops as _m
from . import _naming, activations as _act, initializers as _init
from ._core_layers import Dropout
from ._einsum_dense import EinsumDense
from ._layer import Layer
from ._layer_utils import get_constraint, get_mask, get_regularizer, ser_constraint, \
    ser_initializer, ser_regularizer


class GroupQueryAttention(Layer):
    """Attention with ``num_query_heads`` query heads grouped over ``num_key_value_heads``
    key/value heads.

    >>> import tftape as tf
    >>> gqa = tf.keras.layers.GroupQueryAttention(4, num_query_heads=4, num_key_value_heads=2)
    >>> gqa(tf.ones((1, 3, 8)), tf.ones((1, 5, 8))).shape
    TensorShape([1, 3, 8])
    """

    def __init__(self, head_dim, num_query_heads, num_key_value_heads, dropout=0.0,
                 use_bias=True, sliding_window=None, flash_attention=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, use_gate=False, seed=None,
                 **kwargs):
        if kwargs.get("name") is None:     # auto-named after Keras' class
            kwargs["name"] = _naming.auto_name("GroupedQueryAttention")
        super().__init__(activity_regularizer=get_regularizer(activity_regularizer),
                         **kwargs)
        self.supports_masking = True
        self.head_dim = head_dim
        self.num_query_heads = num_query_heads
        self.num_key_value_heads = num_key_value_heads
        if num_query_heads % num_key_value_heads != 0:
            raise ValueError("`num_query_heads` must be divisible by `num_key_value_heads`.")
        self.num_repeats = num_query_heads // num_key_value_heads
        self.dropout = dropout
        self.use_bias = use_bias
        self.use_gate = use_gate
        if sliding_window is not None and (not isinstance(sliding_window, int)
                                           or sliding_window <= 0):
            raise ValueError("`sliding_window` must be `None` or a positive integer. "
                             f"Received: sliding_window={sliding_window}")
        self.sliding_window = sliding_window
        self._flash_attention = bool(flash_attention)
        if self._flash_attention and self.dropout > 0.0:
            raise ValueError("Dropout is not supported when flash attention is enabled. "
                             "Please set dropout to 0.0 to use flash attention.")
        self.kernel_initializer = _init.get(kernel_initializer)
        self.bias_initializer = _init.get(bias_initializer)
        self.kernel_regularizer = get_regularizer(kernel_regularizer)
        self.bias_regularizer = get_regularizer(bias_regularizer)
        self.kernel_constraint = get_constraint(kernel_constraint)
        self.bias_constraint = get_constraint(bias_constraint)
        self.seed = seed
        self._inverse_sqrt_head_dim = 1.0 / math.sqrt(float(self.head_dim))

    def _dense(self, equation, output_shape, bias_axes, name, activation=None):
        # Each projection gets its own initializer copy, as Keras does.
        ki = type(self.kernel_initializer).from_config(self.kernel_initializer.get_config())
        bi = type(self.bias_initializer).from_config(self.bias_initializer.get_config())
        return EinsumDense(equation, output_shape=output_shape,
                           bias_axes=bias_axes if self.use_bias else None,
                           activation=activation, name=name, kernel_initializer=ki,
                           bias_initializer=bi, kernel_regularizer=self.kernel_regularizer,
                           bias_regularizer=self.bias_regularizer,
                           activity_regularizer=self.activity_regularizer,
                           kernel_constraint=self.kernel_constraint,
                           bias_constraint=self.bias_constraint, dtype=self.dtype)

    def build(self, query_shape, value_shape=None, key_shape=None):
        value_shape = query_shape if value_shape is None else value_shape
        key_shape = value_shape if key_shape is None else key_shape
        self.feature_dim = query_shape[-1]
        q, kv, h = self.num_query_heads, self.num_key_value_heads, self.head_dim
        self._query_dense = self._dense("bqm,muh->bquh", (None, q, h), "uh", "query")
        self._query_dense.build(query_shape)
        self._key_dense = self._dense("bkm,mvh->bkvh", (None, kv, h), "vh", "key")
        self._key_dense.build(key_shape)
        if self.use_gate:
            self._gate_dense = self._dense("bqm,muh->bquh", (None, q, h), "uh", "gate",
                                           activation="sigmoid")
            self._gate_dense.build(query_shape)
        self._value_dense = self._dense("bkm,mvh->bkvh", (None, kv, h), "vh", "value")
        self._value_dense.build(value_shape)
        self._dropout_layer = Dropout(rate=self.dropout, dtype=self.dtype, seed=self.seed)
        self._output_dense = self._dense("bquh,uhm->bqm", (None, self.feature_dim), "m",
                                         "attention_output")
        self._output_dense.build((None, None, q, h))

    def _maybe_build(self, args, kwargs):
        # Keras builds from the query, value and key shapes, not just the first argument's.
        if self.built:
            return
        names = ("query", "value", "key")
        vals = list(args[:3]) + [kwargs.get(n) for n in names[len(args[:3]):]]
        shapes = [None if v is None else tuple(v.shape) for v in vals]
        self.build(*shapes)
        self._build_shapes_dict = {f"{n}_shape": s for n, s in zip(names, shapes)
                                   if s is not None}

    def _attention_mask(self, query, value, query_mask, value_mask, key_mask,
                        attention_mask, use_causal_mask):
        auto = None
        if query_mask is not None:
            auto = _a.expand_dims(_m.cast(query_mask, "bool"), -1)
        for m in (value_mask, key_mask):
            if m is not None:
                m = _a.expand_dims(_m.cast(m, "bool"), -2)
                auto = m if auto is None else _m.logical_and(auto, m)
        tq, tv = query.shape[1], value.shape[1]
        rows, cols = np.arange(tq)[:, None], np.arange(tv)[None, :]
        if use_causal_mask:
            causal = convert_to_tensor((rows >= cols)[None])
            auto = causal if auto is None else _m.logical_and(auto, causal)
        if self.sliding_window is not None:
            band = convert_to_tensor((np.abs(rows - cols) < self.sliding_window)[None])
            auto = band if auto is None else _m.logical_and(auto, band)
        if auto is not None:
            attention_mask = auto if attention_mask is None else _m.logical_and(
                _m.cast(attention_mask, "bool"), auto)
        elif attention_mask is not None:
            attention_mask = _m.cast(attention_mask, "bool")
        return attention_mask

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False):
        if key is None:
            key = value
        # Keras fills the *_mask arguments from the inputs' Keras masks.
        query_mask = get_mask(query) if query_mask is None else query_mask
        value_mask = get_mask(value) if value_mask is None else value_mask
        key_mask = get_mask(key) if key_mask is None else key_mask
        mask = self._attention_mask(query, value, query_mask, value_mask, key_mask,
                                    attention_mask, use_causal_mask)
        if self.use_gate:
            gate = self._gate_dense(query)
        q = self._query_dense(query)
        k = _a.repeat(self._key_dense(key), self.num_repeats, axis=2)
        v = _a.repeat(self._value_dense(value), self.num_repeats, axis=2)
        q = q * _m.cast(self._inverse_sqrt_head_dim, q.dtype)
        scores = _la.einsum("bquh,bkuh->buqk", q, k)
        if mask is not None:
            while mask.ndim < scores.ndim:
                mask = _a.expand_dims(mask, -3)
            big = -3e4 if scores.dtype.name == "float16" else -1e9
            scores = _a.where(mask, scores, _m.cast(big, scores.dtype))
        probs = _act.softmax(scores, axis=-1)
        if mask is not None and (return_attention_scores or self.dropout > 0.0):
            # Note: Keras' Softmax layer zeroes fully masked rows; its fused attention
            # (no dropout, no scores returned) leaves them uniform.
            probs = _a.where(mask, probs, _m.cast(0.0, probs.dtype))
        dropped = self._dropout_layer(probs, training=training) if self.dropout > 0.0 \
            else probs
        out = _la.einsum("buqk,bkuh->bquh", dropped, v)
        if self.use_gate:
            out = out * gate
        out = self._output_dense(out)
        if return_attention_scores:
            return out, probs
        return out

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        value_shape = query_shape if value_shape is None else value_shape
        key_shape = value_shape if key_shape is None else key_shape
        if query_shape[-1] != value_shape[-1]:
            raise ValueError("The last dimension of `query_shape` and `value_shape` must be "
                             f"equal, but are {query_shape[-1]}, {value_shape[-1]}. "
                             f"Received: query_shape={query_shape}, "
                             f"value_shape={value_shape}")
        if tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
            raise ValueError("All dimensions of `value` and `key`, except the last one, must "
                             f"be equal. Received: value_shape={value_shape} and "
                             f"key_shape={key_shape}")
        return tuple(query_shape)

    def get_config(self):
        return {**super().get_config(), "head_dim": self.head_dim,
                "num_query_heads": self.num_query_heads,
                "num_key_value_heads": self.num_key_value_heads,
                "use_bias": self.use_bias, "use_gate": self.use_gate,
                "sliding_window": self.sliding_window, "dropout": self.dropout,
                "kernel_initializer": ser_initializer(self.kernel_initializer),
                "bias_initializer": ser_initializer(self.bias_initializer),
                "kernel_regularizer": ser_regularizer(self.kernel_regularizer),
                "bias_regularizer": ser_regularizer(self.bias_regularizer),
                "activity_regularizer": ser_regularizer(self.activity_regularizer),
                "kernel_constraint": ser_constraint(self.kernel_constraint),
                "bias_constraint": ser_constraint(self.bias_constraint),
                "seed": self.seed}

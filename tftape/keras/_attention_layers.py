"""Attention (dot/concat scores), AdditiveAttention and MultiHeadAttention (Keras 3)."""
from __future__ import annotations

import math

from .._core.convert import convert_to_tensor
from .._ops.constant_op import constant as _constant
from .._ops import array_ops as _a, linalg_ops as _la, math_ops as _m
from . import activations as _act, initializers as _init
from ._core_layers import Dropout
from ._layer import Layer
from ._layer_utils import get_constraint, get_mask, get_regularizer, ser_constraint, \
    ser_initializer, ser_regularizer


def _masked_softmax(scores, mask):
    """Softmax over the last axis where ``mask`` is False contributes nothing."""
    if mask is not None:
        big = 65504.0 if scores.dtype.name == "float16" else 1.0e9
        scores = _a.where(_m.logical_not(mask), scores - big, scores)
    return _act.softmax(scores, axis=-1)


class Attention(Layer):
    """Dot-product (Luong-style) attention over ``[query, value]`` or ``[query, value, key]``.

    >>> import tftape as tf
    >>> q = tf.ones((1, 2, 3))
    >>> tf.keras.layers.Attention()([q, q]).shape
    TensorShape([1, 2, 3])
    """

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.use_scale = use_scale
        self.score_mode = score_mode
        self.dropout = dropout
        self.seed = seed
        if dropout > 0:
            self._dropout_layer = Dropout(dropout, seed=seed)
        if score_mode not in ["dot", "concat"]:
            raise ValueError("Invalid value for argument score_mode. Expected one of "
                             f"{{'dot', 'concat'}}. Received: score_mode={score_mode}")
        self.supports_masking = True

    def build(self, input_shape):
        self._validate_inputs(input_shape)
        self.scale = self.add_weight(name="scale", shape=(), initializer="ones") \
            if self.use_scale else None
        self.concat_score_weight = self.add_weight(
            name="concat_score_weight", shape=(), initializer="ones") \
            if self.score_mode == "concat" else None

    def _calculate_scores(self, query, key):
        if self.score_mode == "dot":
            scores = _la.matmul(query, key, transpose_b=True)
            if self.scale is not None:
                scores = scores * self.scale.read_value()
            return scores
        t = _a.expand_dims(query, -2) + _a.expand_dims(key, -3)
        if self.scale is not None:
            t = self.scale.read_value() * t
        return self.concat_score_weight.read_value() * _m.reduce_sum(_m.tanh(t), -1)

    def _validate_inputs(self, inputs, mask=None):
        name = self.__class__.__name__
        if not isinstance(inputs, list):
            raise ValueError(f"{name} layer must be called on a list of inputs, namely "
                             f"[query, value] or [query, value, key]. Received: "
                             f"inputs={inputs}.")
        if len(inputs) < 2 or len(inputs) > 3:
            raise ValueError(f"{name} layer accepts inputs list of length 2 or 3, namely "
                             "[query, value] or [query, value, key]. Received length: "
                             f"{len(inputs)}.")
        if mask is not None:
            if not isinstance(mask, list):
                raise ValueError(f"{name} layer mask must be a list, namely [query_mask, "
                                 f"value_mask]. Received: mask={mask}.")
            if len(mask) < 2 or len(mask) > 3:
                raise ValueError(f"{name} layer accepts mask list of length 2 or 3. "
                                 f"Received: inputs={inputs}, mask={mask}.")

    def call(self, inputs, mask=None, training=False, return_attention_scores=False,
             use_causal_mask=False):
        self._validate_inputs(inputs, mask)
        q = convert_to_tensor(inputs[0])
        v = convert_to_tensor(inputs[1])
        k = convert_to_tensor(inputs[2]) if len(inputs) > 2 else v
        q_mask = mask[0] if mask else None
        v_mask = mask[1] if mask else None
        scores = self._calculate_scores(q, k)
        scores_mask = None if v_mask is None else _a.expand_dims(_m.cast(v_mask, "bool"), -2)
        if use_causal_mask:
            tq, tv = scores.shape[-2], scores.shape[-1]
            causal = _a.reshape(_constant(
                [[j <= i for j in range(tv)] for i in range(tq)]), (1, tq, tv))
            scores_mask = causal if scores_mask is None else _m.logical_and(scores_mask,
                                                                            causal)
        weights = _masked_softmax(scores, scores_mask)
        if training and self.dropout > 0:
            weights = self._dropout_layer(weights, training=True)
        out = _la.matmul(weights, v)
        if q_mask is not None:
            out = _a.where(_a.expand_dims(_m.cast(q_mask, "bool"), -1), out,
                           _a.zeros_like(out))
        if return_attention_scores:
            return out, weights
        return out

    def compute_mask(self, inputs, mask=None):
        if mask is None or mask[0] is None:
            return None
        return convert_to_tensor(mask[0])

    def compute_output_shape(self, input_shape):
        return (*input_shape[0][:-1], input_shape[1][-1])

    def get_config(self):
        return {**super().get_config(), "use_scale": self.use_scale,
                "score_mode": self.score_mode, "dropout": self.dropout, "seed": self.seed}


class AdditiveAttention(Attention):
    """Additive (Bahdanau-style) attention: ``sum(scale * tanh(q + k))`` scores."""

    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape):
        self._validate_inputs(input_shape)
        self.scale = self.add_weight(name="scale", shape=(input_shape[0][-1],),
                                     initializer="glorot_uniform") if self.use_scale else None
        self.concat_score_weight = None

    def _calculate_scores(self, query, key):
        t = _m.tanh(_a.expand_dims(query, -2) + _a.expand_dims(key, -3))
        if self.scale is not None:
            t = self.scale.read_value() * t
        return _m.reduce_sum(t, -1)

    def get_config(self):
        cfg = super().get_config()
        del cfg["score_mode"]
        return cfg


class _Projection(Layer):
    """One of MultiHeadAttention's ``EinsumDense`` projections (kernel and bias only)."""

    def __init__(self, equation, kernel_shape, bias_shape, kernel_initializer,
                 bias_initializer, kernel_regularizer, bias_regularizer, kernel_constraint,
                 bias_constraint, name):
        super().__init__(name=name)
        self.equation = equation
        self.kernel_shape, self.bias_shape = kernel_shape, bias_shape
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer
        self.kernel_regularizer, self.bias_regularizer = kernel_regularizer, bias_regularizer
        self.kernel_constraint, self.bias_constraint = kernel_constraint, bias_constraint

    def build(self, input_shape=None):
        self.kernel = self.add_weight(name="kernel", shape=self.kernel_shape,
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = self.add_weight(name="bias", shape=self.bias_shape,
                                    initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) \
            if self.bias_shape is not None else None

    def call(self, x):
        y = _la.einsum(self.equation, x, self.kernel.read_value())
        return y + self.bias.read_value() if self.bias is not None else y


class MultiHeadAttention(Layer):
    """Multi-head attention over ``(batch, steps, features)`` query/value/key tensors.

    >>> import tftape as tf
    >>> mha = tf.keras.layers.MultiHeadAttention(num_heads=2, key_dim=3)
    >>> mha(tf.ones((1, 4, 5)), tf.ones((1, 6, 5))).shape
    TensorShape([1, 4, 5])
    """

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, attention_axes=None, sliding_window=None,
                 flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 use_gate=False, seed=None, **kwargs):
        if not isinstance(num_heads, int) or num_heads <= 0:
            raise ValueError("Received an invalid value for argument `num_heads`, expected "
                             f"a positive integer. Received: num_heads={num_heads}")
        if not isinstance(key_dim, int) or key_dim <= 0:
            raise ValueError("Received an invalid value for argument `key_dim`, expected a "
                             f"positive integer. Received: key_dim={key_dim}")
        if value_dim is not None and (not isinstance(value_dim, int) or value_dim <= 0):
            raise ValueError("Received an invalid value for argument `value_dim`, expected "
                             f"a positive integer or `None`. Received: value_dim={value_dim}")
        if use_gate:
            raise NotImplementedError("MultiHeadAttention(use_gate=True) is not supported "
                                      "by tftape.")
        super().__init__(**kwargs)
        self.supports_masking = True
        self._num_heads, self._key_dim = num_heads, key_dim
        self._value_dim = value_dim if value_dim else key_dim
        self._dropout, self._use_bias, self._use_gate = dropout, use_bias, use_gate
        if output_shape and isinstance(output_shape, int):
            output_shape = (output_shape,)
        self._output_shape = tuple(output_shape) if output_shape else output_shape
        if self._output_shape is not None and len(self._output_shape) != 1:
            raise NotImplementedError("tftape's MultiHeadAttention takes a 1-D output_shape.")
        self._flash_attention = flash_attention
        self._kernel_initializer = _init.get(kernel_initializer)
        self._bias_initializer = _init.get(bias_initializer)
        self._kernel_regularizer = get_regularizer(kernel_regularizer)
        self._bias_regularizer = get_regularizer(bias_regularizer)
        self._activity_regularizer = get_regularizer(activity_regularizer)
        self._kernel_constraint = get_constraint(kernel_constraint)
        self._bias_constraint = get_constraint(bias_constraint)
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        elif attention_axes and not isinstance(attention_axes, (list, tuple)):
            raise ValueError("`attention_axes` must be an int, list, or tuple."
                             f"Received: attention_axes={attention_axes}")
        self._attention_axes = attention_axes
        if sliding_window is not None and (not isinstance(sliding_window, int)
                                           or sliding_window <= 0):
            raise ValueError("`sliding_window` must be `None` or a positive integer. "
                             f"Received: sliding_window={sliding_window}")
        self._sliding_window = sliding_window
        self.seed = seed
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(key_dim))
        self._dropout_layer = Dropout(rate=dropout, seed=seed)

    num_heads = property(lambda self: self._num_heads)
    key_dim = property(lambda self: self._key_dim)
    value_dim = property(lambda self: self._value_dim)
    dropout = property(lambda self: self._dropout)
    use_bias = property(lambda self: self._use_bias)
    attention_axes = property(lambda self: self._attention_axes)

    def _proj(self, name, equation, kernel_shape, bias_shape):
        # Each projection gets its own initializer copy, as Keras does.
        ki = type(self._kernel_initializer).from_config(self._kernel_initializer.get_config())
        bi = type(self._bias_initializer).from_config(self._bias_initializer.get_config())
        return _Projection(equation, kernel_shape, bias_shape if self._use_bias else None,
                           ki, bi, self._kernel_regularizer, self._bias_regularizer,
                           self._kernel_constraint, self._bias_constraint, name)

    def build(self, query_shape, value_shape=None, key_shape=None):
        value_shape = query_shape if value_shape is None else value_shape
        key_shape = value_shape if key_shape is None else key_shape
        if tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
            raise ValueError("All dimensions of `value` and `key`, except the last one, must "
                             f"be equal. Received: value_shape={value_shape} and "
                             f"key_shape={key_shape}")
        if len(query_shape) != 3 or (self._attention_axes not in (None, (1,), (-2,))):
            raise NotImplementedError("tftape's MultiHeadAttention attends over the steps of "
                                      "rank-3 (batch, steps, features) inputs.")
        n, kd, vd = self._num_heads, self._key_dim, self._value_dim
        self._query_dense = self._proj("query", "abc,cde->abde", (query_shape[-1], n, kd),
                                       (n, kd))
        self._query_dense.build()
        self._key_dense = self._proj("key", "abc,cde->abde", (key_shape[-1], n, kd), (n, kd))
        self._key_dense.build()
        self._value_dense = self._proj("value", "abc,cde->abde", (value_shape[-1], n, vd),
                                       (n, vd))
        self._value_dense.build()
        out = self._output_shape[0] if self._output_shape else query_shape[-1]
        self._output_dense = self._proj("attention_output", "abcd,cde->abe", (n, vd, out),
                                        (out,))
        self._output_dense.build()
        if self._attention_axes is None:
            self._attention_axes = (1,)

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

    query_dense = property(lambda self: self._query_dense)
    key_dense = property(lambda self: self._key_dense)
    value_dense = property(lambda self: self._value_dense)
    output_dense = property(lambda self: self._output_dense)

    def _attention_mask(self, query, value, key, attention_mask, use_causal_mask):
        auto = None
        q_mask, v_mask, k_mask = get_mask(query), get_mask(value), get_mask(key)
        if q_mask is not None:
            auto = _a.expand_dims(_m.cast(q_mask, "bool"), -1)
        for m in (v_mask, k_mask):
            if m is not None:
                m = _a.expand_dims(_m.cast(m, "bool"), -2)
                auto = m if auto is None else _m.logical_and(auto, m)
        if use_causal_mask:
            tq, tv = query.shape[1], value.shape[1]
            causal = _constant([[[j <= i for j in range(tv)] for i in range(tq)]])
            auto = causal if auto is None else _m.logical_and(auto, causal)
        if attention_mask is not None:
            attention_mask = _m.cast(attention_mask, "bool")
        if auto is not None:
            attention_mask = auto if attention_mask is None else _m.logical_and(
                attention_mask, auto)
        return attention_mask

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False):
        key = value if key is None else key
        mask = self._attention_mask(query, value, key, attention_mask, use_causal_mask)
        q = self._query_dense(query) * self._inverse_sqrt_key_dim
        k = self._key_dense(key)
        v = self._value_dense(value)
        scores = _la.einsum("aecd,abcd->acbe", k, q)
        if mask is not None:
            mask = _a.expand_dims(mask, -3)
        weights = _masked_softmax(scores, mask)
        dropped = self._dropout_layer(weights, training=training) if self._dropout > 0 \
            else weights
        out = _la.einsum("acbe,aecd->abcd", dropped, v)
        out = self._output_dense(out)
        if return_attention_scores:
            return out, weights
        return out

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        out = self._output_shape[0] if self._output_shape else query_shape[-1]
        return tuple(query_shape[:-1]) + (out,)

    def get_config(self):
        return {**super().get_config(), "num_heads": self._num_heads,
                "key_dim": self._key_dim, "value_dim": self._value_dim,
                "dropout": self._dropout, "use_bias": self._use_bias,
                "use_gate": self._use_gate, "output_shape": self._output_shape,
                "attention_axes": self._attention_axes,
                "sliding_window": self._sliding_window,
                "kernel_initializer": ser_initializer(self._kernel_initializer),
                "bias_initializer": ser_initializer(self._bias_initializer),
                "kernel_regularizer": ser_regularizer(self._kernel_regularizer),
                "bias_regularizer": ser_regularizer(self._bias_regularizer),
                "activity_regularizer": ser_regularizer(self._activity_regularizer),
                "kernel_constraint": ser_constraint(self._kernel_constraint),
                "bias_constraint": ser_constraint(self._bias_constraint),
                "seed": self.seed}

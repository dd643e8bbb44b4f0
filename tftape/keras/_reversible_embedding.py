"""ReversibleEmbedding (Keras 3): an Embedding that also projects back to the vocabulary."""
from __future__ import annotations

from .._core.convert import convert_to_tensor
from .._ops import array_ops as _a, linalg_ops as _la, math_ops as _m
from ._core_layers import Embedding
from ._layer_utils import set_mask


class ReversibleEmbedding(Embedding):
    """Embeds token ids; ``reverse=True`` maps hidden states to logits over ``input_dim``
    (with the transposed embeddings when ``tie_weights``, else its own weights).

    >>> import tftape as tf
    >>> emb = tf.keras.layers.ReversibleEmbedding(10, 4)
    >>> emb(emb(tf.constant([[1, 2]])), reverse=True).shape
    TensorShape([1, 2, 10])
    """

    def __init__(self, input_dim, output_dim, tie_weights=True, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 reverse_dtype=None, logit_soft_cap=None, **kwargs):
        super().__init__(input_dim, output_dim, embeddings_initializer=embeddings_initializer,
                         embeddings_regularizer=embeddings_regularizer,
                         embeddings_constraint=embeddings_constraint, mask_zero=mask_zero,
                         **kwargs)
        self.tie_weights = tie_weights
        self.reverse_dtype = reverse_dtype
        self.logit_soft_cap = logit_soft_cap

    def build(self, input_shape=None):
        super().build(input_shape)
        if not self.tie_weights:
            self.reverse_embeddings = self.add_weight(
                shape=(self.output_dim, self.input_dim),
                initializer=self.embeddings_initializer, name="reverse_embeddings")

    def call(self, inputs, reverse=False):
        if not reverse:
            out = super().call(inputs)
            if self.mask_zero:
                set_mask(out, super().compute_mask(inputs))
            return out
        x = convert_to_tensor(inputs)
        if self.tie_weights:
            kernel = _a.transpose(self.embeddings.read_value())
        else:
            kernel = self.reverse_embeddings.read_value()
        if self.reverse_dtype is not None:
            x, kernel = _m.cast(x, self.reverse_dtype), _m.cast(kernel, self.reverse_dtype)
        logits = _la.matmul(x, kernel) if x.ndim == 2 else _la.tensordot(
            x, kernel, [[x.ndim - 1], [0]])
        if self.logit_soft_cap is not None:
            cap = self.logit_soft_cap
            logits = _m.tanh(logits / cap) * cap
        return logits

    def compute_mask(self, inputs, mask=None):
        return None     # the mask is set in call (not for reverse calls), as in Keras

    def compute_output_shape(self, input_shape, reverse=False):
        shape = list(input_shape)
        if reverse:
            shape[-1] = self.input_dim
        else:
            shape += [self.output_dim]
        return shape

    def get_config(self):
        return {**super().get_config(), "tie_weights": self.tie_weights,
                "reverse_dtype": self.reverse_dtype, "logit_soft_cap": self.logit_soft_cap}

"""``TextVectorization``: standardize, split, ngrams, then a ``StringLookup`` (mask '')."""
from __future__ import annotations

import numpy as np

from .._core.convert import convert_to_tensor
from .._core.tensor import Tensor
from .._ops import array_ops as _a
from .._strings import string_ops as _s, unicode_ops as _u
from ._layer import KerasTensor, Layer
from ._lookup_layers import StringLookup, _is_ragged, listify, validate_string_arg

_PUNCTUATION = r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']'


class TextVectorization(Layer):
    """Turns strings into token indices (or multi-hot, count, TF-IDF vectors).

    >>> import tftape as tf
    >>> layer = tf.keras.layers.TextVectorization(output_sequence_length=4)
    >>> layer.adapt(["The cat sat.", "The dog sat!", "a cat"])
    >>> layer.get_vocabulary()[:4]
    ['', '[UNK]', np.str_('the'), np.str_('sat')]
    >>> layer(["the cat ran"]).numpy()
    array([[2, 4, 1, 0]])
    """

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation",
                 split="whitespace", ngrams=None, output_mode="int",
                 output_sequence_length=None, pad_to_max_tokens=False, vocabulary=None,
                 idf_weights=None, sparse=False, ragged=False, encoding="utf-8", name=None,
                 **kwargs):
        if sparse:
            raise ValueError("`sparse=True` can only be used with the TensorFlow backend.")
        validate_string_arg(standardize, ("lower_and_strip_punctuation", "lower",
                                          "strip_punctuation"), self.__class__.__name__,
                            "standardize", allow_none=True, allow_callables=True)
        validate_string_arg(split, ("whitespace", "character"), self.__class__.__name__,
                            "split", allow_none=True, allow_callables=True)
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode == "tf-idf":
            output_mode = "tf_idf"
        validate_string_arg(output_mode, ("int", "one_hot", "multi_hot", "count", "tf_idf"),
                            self.__class__.__name__, "output_mode")
        if not (ngrams is None or isinstance(ngrams, int) or isinstance(ngrams, tuple)
                and all(isinstance(item, int) for item in ngrams)):
            raise ValueError("`ngrams` must be None, an integer, or a tuple of integers. "
                             f"Received: ngrams={ngrams}")
        if output_mode == "int" and not (isinstance(output_sequence_length, int)
                                         or output_sequence_length is None):
            raise ValueError("`output_sequence_length` must be either None or an integer "
                             "when `output_mode` is 'int'. Received: "
                             f"output_sequence_length={output_sequence_length}")
        if output_mode != "int" and output_sequence_length is not None:
            raise ValueError("`output_sequence_length` must not be set if `output_mode` is "
                             "not 'int'. Received "
                             f"output_sequence_length={output_sequence_length}.")
        if ragged and output_mode != "int":
            raise ValueError("`ragged` must not be true if `output_mode` is `'int'`. "
                             f"Received: ragged={ragged} and output_mode={output_mode}")
        self._max_tokens = max_tokens
        self._standardize = standardize
        self._split = split
        self._ngrams_arg = ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        self._ragged = ragged
        self._output_mode = output_mode
        self._output_sequence_length = output_sequence_length
        self._encoding = encoding
        has_input = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        vocabulary_size = kwargs.pop("vocabulary_size", None)
        super().__init__(name=name, **kwargs)
        self._lookup_layer = StringLookup(
            max_tokens=max_tokens, vocabulary=vocabulary, idf_weights=idf_weights,
            pad_to_max_tokens=pad_to_max_tokens, mask_token="", output_mode=output_mode,
            sparse=sparse, has_input_vocabulary=has_input, encoding=encoding,
            vocabulary_size=vocabulary_size)
        self.supports_jit = False      # host-side lookups: a model holding it runs eagerly

    @property
    def compute_dtype(self):
        return "string"

    @property
    def variable_dtype(self):
        return "string"

    def build(self, input_shape=None):
        pass

    def _maybe_build(self, args, kwargs):
        # Inputs may be Python strings or lists, which have no shape to record.
        self.built = True

    # -- vocabulary -----------------------------------------------------------------------------
    def adapt(self, data, batch_size=None, steps=None):
        """Learns the vocabulary from a list, array, tensor or ``tf.data.Dataset`` of text.

        Tokens are sorted by count, ties by the token itself (both descending); with
        ``max_tokens`` the most frequent are kept.
        """
        self.reset_state()
        if hasattr(data, "element_spec"):
            if steps is not None:
                data = data.take(steps)
            for batch in data:
                self.update_state(batch)
        elif hasattr(data, "__iter__") and not isinstance(
                data, (list, tuple, np.ndarray, Tensor)) and not _is_ragged(data):
            for i, batch in enumerate(data):
                if steps is not None and i >= steps:
                    break
                self.update_state(batch)
        else:
            data = _strings(data)
            if data.shape.rank == 1:
                data = _a.expand_dims(data, -1)
            self.update_state(data)
        self.finalize_state()

    def update_state(self, data):
        self._lookup_layer.update_state(self._preprocess(data))

    def finalize_state(self):
        self._lookup_layer.finalize_state()

    def reset_state(self):
        self._lookup_layer.reset_state()

    def get_vocabulary(self, include_special_tokens=True):
        """The vocabulary: '' (padding) and '[UNK]' first unless excluded."""
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self):
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Sets the vocabulary (and ``tf_idf`` weights) instead of adapting."""
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights=idf_weights)

    def save_own_variables(self, store):
        self._lookup_layer.save_own_variables(store)

    def load_own_variables(self, store):
        self._lookup_layer.load_own_variables(store)

    def save_assets(self, dir_path):
        self._lookup_layer.save_assets(dir_path)

    def load_assets(self, dir_path):
        self._lookup_layer.load_assets(dir_path)

    # -- call -----------------------------------------------------------------------------------
    def _preprocess(self, inputs):
        inputs = _strings(inputs)
        if self._standardize in ("lower", "lower_and_strip_punctuation"):
            inputs = _s.lower(inputs)
        if self._standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            inputs = _s.regex_replace(inputs, _PUNCTUATION, "")
        if callable(self._standardize):
            inputs = self._standardize(inputs)
        if self._split is not None:
            if inputs.shape.rank > 1:
                if inputs.shape[-1] != 1:
                    raise ValueError(
                        "When using `TextVectorization` to tokenize strings, the input rank "
                        "must be 1 or the last shape dimension must be 1. Received: "
                        f"inputs.shape={inputs.shape} with rank={inputs.shape.rank}")
                inputs = _a.squeeze(inputs, axis=-1)
            if self._split == "whitespace":
                inputs = _s.split(inputs)
            elif self._split == "character":
                inputs = _u.unicode_split(inputs, "UTF-8")
            elif callable(self._split):
                inputs = self._split(inputs)
        if self._ngrams is not None:
            inputs = _s.ngrams(inputs, ngram_width=self._ngrams, separator=" ")
        return inputs

    def call(self, inputs):
        inputs = self._preprocess(inputs)
        lookup = self._lookup_layer.call(inputs)
        if self._output_mode != "int":
            return lookup
        n = self._output_sequence_length
        if _is_ragged(lookup) and not self._ragged:
            rows = lookup.to_list()
            width = n if n is not None else max((len(r) for r in rows), default=0)
            out = np.zeros((len(rows), width), np.int64)
            for i, r in enumerate(rows):
                r = r[:width]
                out[i, :len(r)] = r
            return convert_to_tensor(out)
        if n is not None and not _is_ragged(lookup):
            arr = np.asarray(lookup.numpy())[..., :n]
            pad = [(0, 0)] * (arr.ndim - 1) + [(0, n - arr.shape[-1])]
            return convert_to_tensor(np.pad(arr, pad))
        if n is not None:       # ragged=True: rows truncated only
            rows = [r[:n] for r in lookup.to_list()]
            from .._ragged.ragged_factory import constant
            return constant(rows, dtype="int64")
        return lookup

    def compute_output_shape(self, input_shape):
        if self._output_mode == "int":
            return (input_shape[0], self._output_sequence_length)
        if self._split is None:
            if len(input_shape) <= 1:
                input_shape = tuple(input_shape) + (1,)
        else:
            input_shape = tuple(input_shape) + (None,)
        return self._lookup_layer.compute_output_shape(input_shape)

    def compute_output_spec(self, inputs, *args, **kwargs):
        dtype = "int64" if self._output_mode == "int" else "float32"
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype=dtype)

    def get_config(self):
        lookup = self._lookup_layer
        return {**super().get_config(), "max_tokens": lookup.max_tokens,
                "standardize": self._standardize, "split": self._split,
                "ngrams": self._ngrams_arg, "output_mode": self._output_mode,
                "output_sequence_length": self._output_sequence_length,
                "pad_to_max_tokens": lookup.pad_to_max_tokens, "sparse": lookup.sparse,
                "ragged": self._ragged, "vocabulary": listify(lookup.input_vocabulary),
                "idf_weights": listify(lookup.input_idf_weights), "encoding": self._encoding,
                "vocabulary_size": self.vocabulary_size()}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("ngrams"), list):
            config["ngrams"] = tuple(config["ngrams"])
        return super().from_config(config)


def _strings(x):
    if _is_ragged(x):
        return x
    if isinstance(x, np.ndarray) and x.dtype.kind in "US":
        x = x.astype(object)
    return convert_to_tensor(x, dtype="string")

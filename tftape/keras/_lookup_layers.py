"""``StringLookup`` and ``IntegerLookup``: Keras 3's ``IndexLookup`` over a Python dict.

Vocabularies live on the host (a dict from token to index), as Keras keeps them in a
``tf.lookup`` hash table on the CPU: lookups run eagerly with NumPy on the tokens' values.
"""
from __future__ import annotations

import collections

import numpy as np

from .._core import errors as _errors
from .._core.convert import convert_to_tensor
from .._core.tensor import Tensor
from ._layer import KerasTensor, Layer

_OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")
_INT64_MAX = np.iinfo(np.int64).max


def validate_string_arg(value, allowable_strings, caller_name, arg_name, allow_none=False,
                        allow_callables=False):
    """Keras' ``argument_validation.validate_string_arg``."""
    if allow_none and value is None:
        return
    if allow_callables and callable(value):
        return
    if isinstance(value, str) and value in allowable_strings:
        return
    raise ValueError(f"Unknown value for `{arg_name}` argument of {caller_name}. Allowed values "
                     f"are: {allowable_strings}. Received: {arg_name}={value}")


def listify(x):
    """Tensors and arrays in a config become lists (Keras' ``listify_tensors``)."""
    if isinstance(x, Tensor):
        x = x.numpy()
    if isinstance(x, np.ndarray):
        x = x.tolist()
    return x


def _is_ragged(x) -> bool:
    return type(x).__name__ == "RaggedTensor"


def _host(x, string: bool):
    """A NumPy array of ``x``'s values (bytes objects for strings)."""
    if isinstance(x, np.ndarray) and x.dtype.kind in "US":
        x = x.astype(object)
    t = convert_to_tensor(x)
    if not string and not t.dtype.is_integer:
        t = convert_to_tensor(np.asarray(t.numpy()).astype(np.int64))
    return np.asarray(t.numpy())


def encode_categorical(idx, rows, mode, depth, dtype, weights=None):
    """Keras' ``encode_categorical_inputs`` in NumPy.

    ``idx`` holds int64 indices; ``rows`` lists a ragged input's rows (else ``None``).
    Indices outside ``[0, depth)`` are dropped, as ``bincount`` with ``maxlength`` drops them.
    """
    np_dtype = np.dtype(dtype)

    def count(values):
        values = np.asarray(values, np.int64).ravel()
        values = values[(values >= 0) & (values < depth)]
        out = np.bincount(values, minlength=depth)[:depth]
        return (out > 0).astype(np_dtype) if mode == "multi_hot" else out.astype(np_dtype)

    if rows is not None:
        if mode == "one_hot":
            raise ValueError("When output_mode is not `'int'`, maximum supported output rank "
                             "is 2.")
        return np.stack([count(r) for r in rows]) if rows else np.zeros((0, depth), np_dtype)
    if idx.ndim == 0:
        idx = idx[None]
    if mode == "one_hot":
        if idx.ndim > 1 and idx.shape[-1] == 1:
            idx = idx[..., 0]
        out = (idx[..., None] == np.arange(depth)).astype(np_dtype)
        return out
    if idx.ndim > 2:
        raise ValueError(
            "When output_mode is not `'int'`, maximum supported output rank is 2. Received "
            f"output_mode {mode} and input shape {idx.shape}, which would result in output "
            f"rank {idx.ndim}.")
    if idx.ndim == 1:
        return count(idx)
    return np.stack([count(r) for r in idx]) if len(idx) else np.zeros((0, depth), np_dtype)


class IndexLookup(Layer):
    """Maps tokens to indices (or back, with ``invert=True``); the base of the lookups."""

    def __init__(self, max_tokens, num_oov_indices, mask_token, oov_token, vocabulary_dtype,
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 sparse=False, pad_to_max_tokens=False, name=None, oov_method="floormod",
                 salt=None, **kwargs):
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError("If set, `max_tokens` must be greater than 1. Received: "
                             f"max_tokens={max_tokens}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError("If pad_to_max_tokens is True, must set `max_tokens`. "
                             f"Received: max_tokens={max_tokens}")
        if num_oov_indices < 0:
            raise ValueError("`num_oov_indices` must be greater than or equal to 0. "
                             f"Received: num_oov_indices={num_oov_indices}")
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode == "tf-idf":
            output_mode = "tf_idf"
        validate_string_arg(output_mode, _OUTPUT_MODES, self.__class__.__name__,
                            "output_mode")
        if invert and output_mode != "int":
            raise ValueError("`output_mode` must be `'int'` when `invert` is true. "
                             f"Received: output_mode={output_mode}")
        if sparse and output_mode == "int":
            raise ValueError("`sparse` may only be true if `output_mode` is `'one_hot'`, "
                             "`'multi_hot'`, `'count'` or `'tf_idf'`. Received: "
                             f"sparse={sparse} and output_mode={output_mode}")
        if sparse:
            raise ValueError("`sparse=True` can only be used with the TensorFlow backend.")
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError("`idf_weights` should only be set if `output_mode` is "
                             f"`'tf_idf'`. Received: idf_weights={idf_weights} and "
                             f"output_mode={output_mode}")
        kwargs.pop("trainable", None)
        kwargs.pop("dtype", None)
        frozen = kwargs.pop("vocabulary_size", None)
        has_input = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        if kwargs:
            raise ValueError(f"Unrecognized keyword argument(s): {kwargs}")
        super().__init__(name=name)
        self.invert = invert
        self.max_tokens = max_tokens
        self.num_oov_indices = num_oov_indices
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.output_mode = output_mode
        self.sparse = sparse
        self.pad_to_max_tokens = pad_to_max_tokens
        self.vocabulary_dtype = vocabulary_dtype
        self.oov_method = oov_method
        self.salt = salt
        self._frozen_vocab_size = frozen
        self.input_vocabulary = vocabulary if not isinstance(vocabulary, str) else None
        self.input_idf_weights = idf_weights
        self._has_input_vocabulary = has_input
        self._tokens = []                  # learned tokens, in index order
        self._table = None                 # None until a vocabulary is set or adapted
        self.idf_weights = None
        if output_mode == "tf_idf" and has_input and idf_weights is None:
            raise ValueError("When specifying the `vocabulary` argument, in TF-IDF output "
                             "mode, the `idf_weights` argument must also be provided.")
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        self._reset_counts()
        self.supports_jit = False      # host-side lookups: a model holding it runs eagerly

    # -- tokens ---------------------------------------------------------------------------------
    @property
    def _string(self):
        return self.vocabulary_dtype == "string"

    def _key(self, token):
        """A token as the table stores it: bytes for strings, int for integers."""
        if self._string:
            if isinstance(token, str):
                return token.encode(getattr(self, "encoding", "utf-8"))
            return bytes(token)
        return int(token)

    def _out_token(self, key):
        if self._string:
            # Keras' vocabularies come out of a NumPy array: learned tokens are np.str_.
            return np.str_(key.decode(getattr(self, "encoding", "utf-8")))
        return np.int64(key)

    def _np_repr(self, key):
        """How NumPy 2 prints a token of the vocabulary array Keras builds."""
        return repr(self._out_token(key)) if self._string else f"np.int64({key})"

    @property
    def compute_dtype(self):
        return self.vocabulary_dtype

    @property
    def variable_dtype(self):
        return self.vocabulary_dtype

    def _oov_start_index(self):
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self):
        return self._oov_start_index() + self.num_oov_indices

    def vocabulary_size(self):
        """The vocabulary's size, with the mask and OOV indices."""
        return len(self._tokens) + self._token_start_index()

    def get_vocabulary(self, include_special_tokens=True):
        """The vocabulary, in index order (special tokens first unless excluded)."""
        vocab = [self.oov_token] * self._token_start_index() + [
            self._out_token(k) for k in self._tokens]
        if self.mask_token is not None and self.output_mode == "int":
            vocab[0] = self.mask_token
        if not include_special_tokens:
            vocab = vocab[self._token_start_index():]
        return vocab

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Sets the vocabulary (and, for ``tf_idf``, the IDF weights) directly."""
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError("`idf_weights` must be set if output_mode is 'tf_idf'.")
        elif idf_weights is not None:
            raise ValueError("`idf_weights` should only be set if output_mode is `'tf_idf'`. "
                             f"Received: output_mode={self.output_mode} and "
                             f"idf_weights={idf_weights}")
        if isinstance(vocabulary, str):
            import os
            if not os.path.exists(vocabulary):
                raise ValueError(f"Vocabulary file {vocabulary} does not exist.")
            if self.output_mode == "tf_idf":
                raise ValueError("output_mode `'tf_idf'` does not support loading a "
                                 "vocabulary from file.")
            with open(vocabulary, encoding="utf-8") as f:
                vocabulary = [line.rstrip("\n") for line in f]
            if not self._string:
                vocabulary = [int(v) for v in vocabulary]
        if isinstance(vocabulary, Tensor):
            vocabulary = vocabulary.numpy()
        vocabulary = [self._key(v) for v in (vocabulary.tolist() if isinstance(
            vocabulary, np.ndarray) and not self._string else list(vocabulary))]
        if isinstance(idf_weights, Tensor):
            idf_weights = idf_weights.numpy()
        if not vocabulary:
            raise ValueError(f"Cannot set an empty vocabulary. Received: "
                             f"vocabulary={np.array(vocabulary)}")
        oov_start, token_start = self._oov_start_index(), self._token_start_index()
        special = [self.mask_token] * oov_start + [self.oov_token] * self.num_oov_indices
        special_keys = [None if s is None else self._key(s) for s in special]
        found_special = vocabulary[:token_start] == special_keys
        tokens = vocabulary[token_start:] if found_special else vocabulary
        repeated = [t for t, c in collections.Counter(tokens).items() if c > 1]
        if repeated:
            raise ValueError("The passed vocabulary has at least one repeated term. Please "
                             "uniquify your dataset. The repeated terms are: "
                             f"[{', '.join(self._np_repr(t) for t in repeated)}]")
        if self.mask_token is not None and self._key(self.mask_token) in tokens:
            raise ValueError(
                "Found reserved mask token at unexpected location in `vocabulary`. Note that "
                "passed `vocabulary` does not need to include the OOV and mask tokens. Either "
                "remove all mask and OOV tokens, or include them only at the start of the "
                f"vocabulary in precisely this order: {special}. Received: "
                f"mask_token={self.mask_token} at vocabulary index "
                f"{[vocabulary.index(self._key(self.mask_token))]}")
        if self.oov_token is not None and self.invert and self._key(self.oov_token) in tokens:
            raise ValueError(
                "Found reserved OOV token at unexpected location in `vocabulary`. Note that "
                "passed `vocabulary` does not need to include the OOV and mask tokens. Either "
                "remove all mask and OOV tokens, or include them only at the start of the "
                f"vocabulary in precisely this order: {special}. Received: "
                f"oov_token={self.oov_token} at vocabulary index "
                f"{[vocabulary.index(self._key(self.oov_token))]}")
        new_size = token_start + len(tokens)
        if self.max_tokens is not None and new_size > self.max_tokens:
            raise ValueError("Attempted to set a vocabulary larger than the maximum vocab "
                             f"size. Received vocabulary size is {new_size}; `max_tokens` is "
                             f"{self.max_tokens}.")
        self._set_tokens(tokens)
        if self.output_mode == "tf_idf":
            idf = np.asarray(idf_weights, np.float32)
            if len(vocabulary) != len(idf):
                raise ValueError("`idf_weights` must be the same length as vocabulary. "
                                 f"len(idf_weights) is {len(idf)}; len(vocabulary) is "
                                 f"{len(vocabulary)}")
            front = 0 if found_special else token_start
            front_value = 0 if found_special else np.average(idf)
            back = (self.max_tokens - front - len(idf)) if (
                self.pad_to_max_tokens and self.max_tokens is not None) else 0
            self.idf_weights = np.pad(idf, (front, back), "constant",
                                      constant_values=(front_value, 0)).astype(np.float32)

    def _set_tokens(self, tokens):
        self._ensure_vocab_size_unchanged(self._token_start_index() + len(tokens))
        self._tokens = list(tokens)
        start = self._token_start_index()
        self._table = {t: i + start for i, t in enumerate(self._tokens)}
        self._frozen_vocab_size = self.vocabulary_size()

    def _ensure_vocab_size_unchanged(self, new_size):
        if self.output_mode == "int" or self.pad_to_max_tokens:
            return
        if self._frozen_vocab_size is not None and new_size != self._frozen_vocab_size:
            raise RuntimeError(
                f"When using `output_mode={self.output_mode}` and `pad_to_max_tokens=False`, "
                "the vocabulary size cannot be changed after the layer is called. Old vocab "
                f"size is {self._frozen_vocab_size}, new vocab size is {new_size}")

    # -- adapt ----------------------------------------------------------------------------------
    def _reset_counts(self):
        self._counts = collections.Counter()
        self._doc_counts = collections.Counter()
        self._num_documents = 0

    def reset_state(self):
        self._reset_counts()

    def adapt(self, data, steps=None):
        """Learns the vocabulary (tokens by count, ties by token, both descending)."""
        self.reset_state()
        if hasattr(data, "element_spec"):      # a tf.data.Dataset
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
            if not _is_ragged(data):
                arr = _host(data, self._string)
                if arr.ndim == 1:
                    arr = arr[:, None]
                data = arr
            self.update_state(data)
        self.finalize_state()

    def _rows(self, data):
        """The documents of ``data`` as lists of keys."""
        if _is_ragged(data):
            return [[self._key(v) for v in np.asarray(row).ravel()] for row in data.to_list()]
        arr = _host(data, self._string)
        if arr.ndim == 0:
            arr = arr[None]
        if arr.ndim == 1:
            arr = arr[None]
        return [[self._key(v) for v in row.ravel()] for row in arr]

    def update_state(self, data):
        if self._has_input_vocabulary:
            raise ValueError(f"Cannot adapt layer '{self.name}' after setting a static "
                             "vocabulary via `vocabulary` argument or `set_vocabulary()` "
                             "method.")
        rows = self._rows(data)
        for row in rows:
            self._counts.update(row)
        if self.output_mode == "tf_idf":
            for row in rows:
                self._doc_counts.update(set(row))
            self._num_documents += len(rows)

    def finalize_state(self):
        if self._has_input_vocabulary or not self._counts:
            self._frozen_vocab_size = self.vocabulary_size()
            return
        counts = dict(self._counts)
        for special in (self.mask_token, self.oov_token):
            if special is not None:
                counts.pop(self._key(special), None)
        # Note: Keras sorts with np.lexsort((tokens, counts))[::-1]: count, then the token
        # itself, both descending.
        tokens = sorted(counts, key=lambda t: (counts[t], t), reverse=True)
        if self.max_tokens:
            tokens = tokens[:self.max_tokens - self._token_start_index()]
        if not tokens:
            # Note: Keras builds its tf.lookup table from the (here empty) learned tokens.
            raise _errors.InvalidArgumentError(
                None, None,
                "keys and values cannot be empty tensors. [Op:LookupTableImportV2]")
        self._set_tokens(tokens)
        if self.output_mode == "tf_idf":
            docs = np.array([self._doc_counts[t] for t in tokens], np.float64)
            idf = np.log(1 + self._num_documents / (1 + docs)).astype(np.float32)
            idf = np.pad(idf, (self._token_start_index(), 0),
                         constant_values=np.mean(idf, dtype=np.float32))
            if self.pad_to_max_tokens and self.max_tokens is not None:
                idf = np.pad(idf, (0, self.max_tokens - idf.size))
            self.idf_weights = idf.astype(np.float32)
        self.reset_state()

    # -- call -----------------------------------------------------------------------------------
    def _lookup(self, arr):
        """Indices (or tokens, inverted) for a NumPy array of input values."""
        if self._table is None:
            # Note: Keras looks tokens up in a tf.lookup table that adapt() on data without
            # tokens leaves uninitialized.
            raise _errors.FailedPreconditionError(
                None, None, "Table not initialized. [Op:LookupTableFindV2]")
        flat = arr.ravel()
        if self.invert:
            size = self.vocabulary_size()
            start = self._token_start_index()
            oov = self._key(self.oov_token) if self.oov_token is not None else None
            vals = [self._tokens[int(i) - start] if start <= int(i) < size else oov
                    for i in flat]
            if self.mask_token is not None:
                mask = self._key(self.mask_token)
                vals = [mask if int(i) == 0 else v for i, v in zip(flat, vals)]
            if self._string:
                out = np.empty(len(vals), object)
                out[:] = vals
            else:
                out = np.array(vals, np.int64)
            return out.reshape(arr.shape)
        table = self._table
        keys = [self._key(v) for v in flat]
        out = np.array([table.get(k, -1) for k in keys], np.int64).reshape(arr.shape)
        missing = out == -1
        if self.mask_token is not None:
            mask_key = self._key(self.mask_token)
            is_mask = np.array([k == mask_key for k in keys], bool).reshape(arr.shape)
            out = np.where(is_mask, 0 if self.output_mode == "int" else _INT64_MAX, out)
            missing &= ~is_mask
        if missing.any():
            if self.num_oov_indices == 0:
                bad = ", ".join(repr(self._out_token(k)) if self._string else str(k)
                                for k, m in zip(keys, missing.ravel()) if m)
                raise _errors.InvalidArgumentError(
                    None, None,
                    "When `num_oov_indices=0` all inputs should be in vocabulary, found OOV "
                    f"values [{bad}], consider setting `num_oov_indices=1`.")
            if self.num_oov_indices == 1:
                oov = np.full(arr.shape, self._oov_start_index(), np.int64)
            elif not self._string and self.oov_method != "farmhash":
                oov = np.mod(arr.astype(np.int64), self.num_oov_indices) \
                    + self._oov_start_index()
            else:
                oov = self._hash_buckets(arr) + self._oov_start_index()
            out = np.where(missing, oov, out)
        return out

    def _hash_buckets(self, arr):
        from .. import strings as _strings
        bucket = getattr(_strings, "to_hash_bucket_fast", None)
        if bucket is None:
            raise NotImplementedError("Hashing out-of-vocabulary strings into several OOV "
                                      "indices needs `tf.strings.to_hash_bucket_fast`.")
        values = arr if self._string else np.char.mod("%d", arr).astype(object)
        return np.asarray(bucket(values, self.num_oov_indices).numpy(), np.int64)

    def call(self, inputs):
        if self.output_mode != "int" and not self.pad_to_max_tokens and \
                self._frozen_vocab_size is None:
            raise RuntimeError(
                f"When using `output_mode={self.output_mode}` and `pad_to_max_tokens=False`, "
                "you must set the layer's vocabulary before calling it. Either pass a "
                "`vocabulary` argument to the layer, or call `adapt` with some sample data.")
        if _is_ragged(inputs):
            flat = _host(inputs.flat_values, self._string and not self.invert)
            looked = self._lookup(flat)
            if self.output_mode == "int":
                return inputs.with_flat_values(convert_to_tensor(looked))
            splits = np.asarray(inputs.row_splits.numpy())
            rows = [looked[a:b] for a, b in zip(splits[:-1], splits[1:])]
            return self._encode(None, rows)
        arr = _host(inputs, self._string and not self.invert)
        looked = self._lookup(arr)
        if self.output_mode == "int":
            return convert_to_tensor(looked)
        return self._encode(looked, None)

    def _encode(self, idx, rows):
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        out = encode_categorical(idx, rows, mode, depth, np.int64)
        if self.output_mode == "tf_idf":
            out = out.astype(np.float32) * self.idf_weights
        return convert_to_tensor(out)

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        input_shape = tuple(input_shape)
        if self.output_mode == "one_hot":
            if len(input_shape) > 1 and input_shape[-1] == 1:
                return input_shape[:-1] + (depth,)
            return input_shape + (depth,)
        return input_shape[:-1] + (depth,)

    def compute_output_spec(self, inputs, *args, **kwargs):
        dtype = "int64" if self.output_mode == "int" else "float32"
        if self.invert:
            dtype = self.vocabulary_dtype
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype=dtype)

    def save_own_variables(self, store):
        if self.output_mode == "tf_idf":
            store["idf_weights"] = np.asarray(self.idf_weights)

    def load_own_variables(self, store):
        if self.output_mode == "tf_idf":
            self.idf_weights = np.asarray(store["idf_weights"], np.float32)

    def save_assets(self, dir_path):
        """Writes the vocabulary to ``dir_path/vocabulary.txt`` (one token a line)."""
        import os
        if self.input_vocabulary is not None:
            return
        with open(os.path.join(dir_path, "vocabulary.txt"), "w") as f:
            f.write("\n".join(str(w) for w in self.get_vocabulary(include_special_tokens=True)))

    def load_assets(self, dir_path):
        """Reads the vocabulary written by ``save_assets``."""
        import os
        if self.input_vocabulary is not None:
            return
        with open(os.path.join(dir_path, "vocabulary.txt")) as f:
            lines = f.read().splitlines()
        while lines and lines[-1] == "":
            lines.pop()
        values = [str(v) for v in lines] if self._string else [int(v) for v in lines]
        if self.output_mode == "tf_idf":
            self.set_vocabulary(values, idf_weights=self.idf_weights)
        else:
            self.set_vocabulary(values)

    def get_build_config(self):
        return {}

    def _maybe_build(self, args, kwargs):
        # Inputs may be Python strings or lists, which have no shape to record.
        self.built = True

    def build_from_config(self, config):
        self.built = True

    def get_config(self):
        return {**super().get_config(), "invert": self.invert, "max_tokens": self.max_tokens,
                "num_oov_indices": self.num_oov_indices, "oov_token": self.oov_token,
                "mask_token": self.mask_token, "output_mode": self.output_mode,
                "sparse": self.sparse, "pad_to_max_tokens": self.pad_to_max_tokens,
                "vocabulary_dtype": self.vocabulary_dtype,
                "idf_weights": listify(self.input_idf_weights),
                "vocabulary": listify(self.input_vocabulary),
                "vocabulary_size": self._frozen_vocab_size, "oov_method": self.oov_method,
                "salt": self.salt}


class StringLookup(IndexLookup):
    """Maps strings to integer indices from a vocabulary.

    >>> import tftape as tf
    >>> layer = tf.keras.layers.StringLookup(vocabulary=["a", "b", "c"])
    >>> layer(tf.constant([["a", "c"], ["d", "b"]])).numpy()
    array([[1, 3],
           [0, 2]])
    """

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]",
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 pad_to_max_tokens=False, sparse=False, encoding="utf-8", name=None, salt=None,
                 **kwargs):
        self.encoding = encoding
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=mask_token, oov_token=oov_token, vocabulary=vocabulary,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode,
                         pad_to_max_tokens=pad_to_max_tokens, sparse=sparse, name=name,
                         salt=salt, vocabulary_dtype="string", **kwargs)

    def get_config(self):
        config = super().get_config()
        del config["vocabulary_dtype"]
        return {**config, "encoding": self.encoding}


class IntegerLookup(IndexLookup):
    """Maps integers to contiguous indices from a vocabulary.

    >>> import tftape as tf
    >>> layer = tf.keras.layers.IntegerLookup(vocabulary=[12, 36, 1138, 42])
    >>> layer(tf.constant([[12, 1138], [42, 1000]])).numpy()
    array([[1, 3],
           [4, 0]])
    """

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1,
                 vocabulary=None, vocabulary_dtype="int64", idf_weights=None, invert=False,
                 output_mode="int", sparse=False, pad_to_max_tokens=False,
                 oov_method="floormod", salt=None, name=None, **kwargs):
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError("If `max_tokens` is set for `IntegerLookup`, it must be greater "
                             f"than 1. Received: max_tokens={max_tokens}")
        if num_oov_indices < 0:
            raise ValueError("The value of `num_oov_indices` argument for `IntegerLookup` "
                             f"must >= 0. Received: num_oov_indices={num_oov_indices}")
        if vocabulary_dtype != "int64":
            raise ValueError("Only `vocabulary_dtype='int64'` is supported at this time. "
                             f"Received: vocabulary_dtype={vocabulary_dtype}")
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=mask_token, oov_token=oov_token, vocabulary=vocabulary,
                         vocabulary_dtype=vocabulary_dtype, idf_weights=idf_weights,
                         invert=invert, output_mode=output_mode, sparse=sparse,
                         pad_to_max_tokens=pad_to_max_tokens, oov_method=oov_method,
                         salt=salt, name=name, **kwargs)

    def get_config(self):
        config = super().get_config()
        if config["oov_token"] is not None:
            config["oov_token"] = int(config["oov_token"])
        if config["mask_token"] is not None:
            config["mask_token"] = int(config["mask_token"])
        if config["vocabulary"] is not None:
            config["vocabulary"] = [int(v) for v in config["vocabulary"]]
        return config

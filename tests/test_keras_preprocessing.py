"""Keras preprocessing layers against tf.keras (Keras 3): lookups, TextVectorization, numeric
and image layers. Random image layers are checked by replaying one transformation in both
(exact random draws differ by design) and by their shapes, ranges and seeding."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tftape
from oracle import assert_same, outcome, real_tf

L = tftape.keras.layers

CORPUS = ["The cat sat on the mat.", "The dog sat!", "A cat, a dog; a bird?",
          "dog eat dog", "Zebra zebra ZEBRA", "the end", "cat"]
QUERIES = [["the cat ran"], ["a zebra, the dog and the cat", "bird"], ["", "mat mat mat"],
           "the cat"]


def _both(name, *args, **kwargs):
    tf = real_tf()
    return getattr(L, name)(*args, **kwargs), getattr(tf.keras.layers, name)(*args, **kwargs)


def _same_out(ours, theirs, x, **kw):
    tf = real_tf()
    want, err = outcome(lambda: theirs(x, **kw))
    if err is not None:
        with pytest.raises(Exception) as raised:
            ours(x, **kw)
        assert type(raised.value).__name__ == err
        return
    got = ours(x, **kw)
    if isinstance(want, tf.RaggedTensor):
        assert got.to_list() == want.to_list()
        return
    assert_same(got, want, rtol=1e-5, atol=1e-5)


# -- TextVectorization ---------------------------------------------------------------------------
TV_CASES = [
    {}, {"max_tokens": 6}, {"output_sequence_length": 5}, {"output_sequence_length": 2},
    {"ngrams": 2}, {"ngrams": (1, 3)}, {"output_mode": "multi_hot"},
    {"output_mode": "count", "ngrams": 2}, {"output_mode": "tf_idf"},
    {"output_mode": "tf_idf", "max_tokens": 5, "pad_to_max_tokens": True},
    {"output_mode": "multi_hot", "max_tokens": 12, "pad_to_max_tokens": True},
    {"standardize": "lower"}, {"standardize": None}, {"standardize": "strip_punctuation"},
    {"split": "character", "output_sequence_length": 8}, {"ragged": True},
    {"split": None, "output_mode": "multi_hot"},
]


@pytest.mark.parametrize("kwargs", TV_CASES, ids=str)
def test_text_vectorization_adapt_and_call(kwargs):
    ours, theirs = _both("TextVectorization", **kwargs)
    ours.adapt(CORPUS)
    theirs.adapt(CORPUS)
    assert ours.get_vocabulary() == theirs.get_vocabulary()
    assert ours.vocabulary_size() == theirs.vocabulary_size()
    assert ours.get_vocabulary(include_special_tokens=False) == \
        theirs.get_vocabulary(include_special_tokens=False)
    for q in QUERIES:
        if kwargs.get("split", "whitespace") is None and isinstance(q, str):
            continue
        _same_out(ours, theirs, q)


def test_text_vectorization_adapt_sources():
    tf = real_tf()
    data = np.array(CORPUS)
    for src_ours, src_tf in ((data, data), (tftape.constant(CORPUS), tf.constant(CORPUS)),
                             (tftape.data.Dataset.from_tensor_slices(CORPUS).batch(3),
                              tf.data.Dataset.from_tensor_slices(CORPUS).batch(3)),
                             (np.array(CORPUS)[:, None], np.array(CORPUS)[:, None])):
        ours, theirs = _both("TextVectorization", output_sequence_length=4)
        ours.adapt(src_ours)
        theirs.adapt(src_tf)
        assert ours.get_vocabulary() == theirs.get_vocabulary()
        _same_out(ours, theirs, np.array([["a dog"], ["the zebra"]]))


@settings(max_examples=20, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["a", "b", "c", "dd", "E", "f!", "g,g"]),
                         min_size=0, max_size=6).map(" ".join), min_size=1, max_size=8),
       st.sampled_from([None, 3, 5]), st.sampled_from(["int", "count", "multi_hot"]))
def test_text_vectorization_vocabulary_order_hypothesis(docs, max_tokens, mode):
    if max_tokens is not None and mode != "int":
        max_tokens += 1
    ours, theirs = _both("TextVectorization", max_tokens=max_tokens, output_mode=mode)
    ours.adapt(docs)
    theirs.adapt(docs)
    assert ours.get_vocabulary() == theirs.get_vocabulary()
    _same_out(ours, theirs, docs)


def test_text_vectorization_set_vocabulary_and_config():
    tf = real_tf()
    ours, theirs = _both("TextVectorization", vocabulary=["cat", "dog", "bird"],
                         output_sequence_length=3)
    assert ours.get_vocabulary() == theirs.get_vocabulary()
    _same_out(ours, theirs, ["dog cat fish", "bird"])
    assert ours.get_config() | {"name": 0} == theirs.get_config() | {"name": 0}
    again = L.TextVectorization.from_config(ours.get_config())
    assert again.get_vocabulary() == ours.get_vocabulary()
    ours.set_vocabulary(["x", "y"])
    theirs.set_vocabulary(["x", "y"])
    _same_out(ours, theirs, ["y x z"])
    ours, theirs = L.TextVectorization(), tf.keras.layers.TextVectorization()
    ours.adapt(CORPUS)
    theirs.adapt(CORPUS)
    a, b = ours.get_config(), theirs.get_config()
    assert a["vocabulary_size"] == b["vocabulary_size"] and a["vocabulary"] is None


@pytest.mark.parametrize("kwargs", [{"output_mode": "bogus"}, {"ngrams": [1, 2]},
                                    {"output_mode": "count", "output_sequence_length": 3},
                                    {"output_mode": "count", "ragged": True},
                                    {"split": "comma"}, {"standardize": "upper"}], ids=str)
def test_text_vectorization_argument_errors(kwargs):
    tf = real_tf()
    with pytest.raises(ValueError) as theirs:
        tf.keras.layers.TextVectorization(**kwargs)
    with pytest.raises(ValueError) as ours:
        L.TextVectorization(**kwargs)
    assert str(ours.value) == str(theirs.value)


def test_text_vectorization_tf_idf_needs_weights_and_rank_check():
    tf = real_tf()
    for mod in (tftape, tf):
        with pytest.raises(ValueError, match="idf_weights"):
            mod.keras.layers.TextVectorization(output_mode="tf_idf", vocabulary=["a"])
    ours, theirs = _both("TextVectorization", output_mode="tf_idf", vocabulary=["a", "b"],
                         idf_weights=[0.5, 2.0])
    _same_out(ours, theirs, ["a b b c"])
    ours, theirs = _both("TextVectorization")
    ours.adapt(CORPUS)
    with pytest.raises(ValueError, match="last shape dimension must be 1"):
        ours(np.array([["a", "b"]]))


# -- StringLookup / IntegerLookup -------------------------------------------------------------
STR_VOCAB = ["a", "b", "c", "d"]
STR_INPUTS = [np.array([["a", "c", "z"], ["d", "", "b"]]), np.array(["b", "q"]), np.array("c")]
LOOKUP_CASES = [
    {}, {"num_oov_indices": 0}, {"mask_token": ""}, {"oov_token": "<oov>"},
    {"output_mode": "one_hot"}, {"output_mode": "multi_hot"}, {"output_mode": "count"},
    {"output_mode": "multi_hot", "mask_token": ""},
    {"output_mode": "count", "max_tokens": 8, "pad_to_max_tokens": True},
    {"output_mode": "tf_idf", "idf_weights": [0.1, 0.2, 0.3, 0.4]},
]


@pytest.mark.parametrize("kwargs", LOOKUP_CASES, ids=str)
def test_string_lookup_vocabulary(kwargs):
    ours, theirs = _both("StringLookup", vocabulary=STR_VOCAB, **kwargs)
    assert ours.get_vocabulary() == theirs.get_vocabulary()
    assert ours.vocabulary_size() == theirs.vocabulary_size()
    for x in STR_INPUTS:
        if kwargs.get("num_oov_indices") == 0 and x.size > 1:
            continue
        if kwargs.get("output_mode") == "one_hot" and x.ndim > 1:
            continue
        _same_out(ours, theirs, x)
    got, want = ours.get_config(), theirs.get_config()
    got.pop("name"), want.pop("name")
    assert got == want


def test_string_lookup_invert_and_adapt_and_ragged():
    tf = real_tf()
    ours, theirs = _both("StringLookup", vocabulary=STR_VOCAB, invert=True)
    _same_out(ours, theirs, np.array([[1, 2, 0], [5, 4, 3]]))
    ours, theirs = _both("StringLookup", vocabulary=STR_VOCAB, invert=True, mask_token="[M]")
    _same_out(ours, theirs, np.array([[1, 2, 0], [6, 4, 3]]))
    data = np.array(["x", "y", "x", "z", "y", "x", "w", "[UNK]"])
    for kw in ({}, {"max_tokens": 3}, {"mask_token": "x"}, {"output_mode": "tf_idf"}):
        ours, theirs = _both("StringLookup", **kw)
        ours.adapt(data)
        theirs.adapt(data)
        assert ours.get_vocabulary() == theirs.get_vocabulary()
        _same_out(ours, theirs, np.array([["x", "w"], ["q", "z"]]))
    ours, theirs = _both("StringLookup", vocabulary=STR_VOCAB)
    got = ours(tftape.ragged.constant([["a", "b"], ["zz"]]))
    want = theirs(tf.ragged.constant([["a", "b"], ["zz"]]))
    assert got.to_list() == want.to_list()


def test_lookup_oov_zero_raises():
    tf = real_tf()
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.keras.layers.StringLookup(vocabulary=STR_VOCAB, num_oov_indices=0)(["zz"])
    with pytest.raises(tftape.errors.InvalidArgumentError, match="num_oov_indices=0"):
        L.StringLookup(vocabulary=STR_VOCAB, num_oov_indices=0)(["zz"])
    with pytest.raises(tftape.errors.InvalidArgumentError, match=r"found OOV values \[9\]"):
        L.IntegerLookup(vocabulary=[1, 2], num_oov_indices=0)([9])


@pytest.mark.parametrize("kwargs", [
    {}, {"num_oov_indices": 3}, {"mask_token": 0}, {"num_oov_indices": 2, "mask_token": 0},
    {"oov_token": -7}, {"output_mode": "multi_hot"}, {"output_mode": "count"},
    {"output_mode": "one_hot"}, {"invert": True}, {"invert": True, "mask_token": 0}], ids=str)
def test_integer_lookup(kwargs):
    ours, theirs = _both("IntegerLookup", vocabulary=[12, 36, 1138, 42], **kwargs)
    assert [int(v) for v in ours.get_vocabulary()] == [int(v) for v in theirs.get_vocabulary()]
    if kwargs.get("invert"):
        xs = [np.array([[1, 2, 0], [4, 3, 9]])]
    elif kwargs.get("output_mode") == "one_hot":
        xs = [np.array([12, 5, 42])]
    else:
        xs = [np.array([[12, 1138, 0], [42, 1000, -3]]), np.array([36, 7]),
              np.array([[5], [36]], np.int32)]
    for x in xs:
        _same_out(ours, theirs, x)
    got, want = ours.get_config(), theirs.get_config()
    got.pop("name"), want.pop("name")
    assert got == want


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=1, max_size=30), st.sampled_from([None, 3, 4]),
       st.sampled_from([None, 0]))
def test_integer_lookup_adapt_hypothesis(data, max_tokens, mask):
    ours, theirs = _both("IntegerLookup", max_tokens=max_tokens, mask_token=mask)
    err = outcome(lambda: theirs.adapt(np.array(data)))[1]
    assert outcome(lambda: ours.adapt(np.array(data)))[1] == err
    if err is not None:
        return
    assert [int(v) for v in ours.get_vocabulary()] == [int(v) for v in theirs.get_vocabulary()]
    _same_out(ours, theirs, np.arange(-1, 8)[None])


def test_lookup_argument_errors():
    tf = real_tf()
    cases = [("StringLookup", {"invert": True, "output_mode": "count"}),
             ("StringLookup", {"vocabulary": ["a", "a"]}),
             ("StringLookup", {"vocabulary": ["a", "b"], "max_tokens": 2}),
             ("IntegerLookup", {"max_tokens": 1}),
             ("IntegerLookup", {"num_oov_indices": -1}),
             ("StringLookup", {"idf_weights": [1.0]})]
    for name, kw in cases:
        with pytest.raises(ValueError) as theirs:
            getattr(tf.keras.layers, name)(**kw)
        with pytest.raises(ValueError) as ours:
            getattr(L, name)(**kw)
        assert str(ours.value) == str(theirs.value), name
    for mod in (tf, tftape):
        with pytest.raises(RuntimeError, match="must set the layer's vocabulary"):
            mod.keras.layers.StringLookup(output_mode="multi_hot")(["a"])


# -- CategoryEncoding / Discretization / Normalization / Rescaling ------------------------------
@pytest.mark.parametrize("mode", ["multi_hot", "count", "one_hot"])
@pytest.mark.parametrize("x", [[1, 2, 2], [[1, 2, 2], [0, 3, 3]], [[1], [3]], 2, [[5, 1]]],
                         ids=str)
def test_category_encoding(mode, x):
    ours, theirs = _both("CategoryEncoding", 4, output_mode=mode)
    _same_out(ours, theirs, np.array(x))


def test_category_encoding_weights_and_errors():
    tf = real_tf()
    ours, theirs = _both("CategoryEncoding", 4, output_mode="count")
    x, w = np.array([[1, 2, 2]]), np.array([[0.5, 1.0, 2.0]])
    assert_same(ours(x, count_weights=w), theirs(x, count_weights=w))
    with pytest.raises(tf.errors.InvalidArgumentError):
        theirs(np.array([[-1, 1]]))
    with pytest.raises(tftape.errors.InvalidArgumentError, match="must be non-negative"):
        ours(np.array([[-1, 1]]))
    assert_same(L.CategoryEncoding(3, dtype="int32")(np.array([0, 2])),
                tf.keras.layers.CategoryEncoding(3, dtype="int32")(np.array([0, 2])))


@settings(max_examples=20, deadline=None)
@given(st.lists(st.floats(-50, 50, width=32), min_size=1, max_size=60),
       st.sampled_from([2, 3, 5]), st.sampled_from(["int", "one_hot", "multi_hot", "count"]))
def test_discretization_adapt_hypothesis(data, num_bins, mode):
    ours, theirs = _both("Discretization", num_bins=num_bins, output_mode=mode)
    ours.adapt(np.array(data, np.float32))
    theirs.adapt(np.array(data, np.float32))
    assert ours.bin_boundaries == theirs.bin_boundaries
    _same_out(ours, theirs, np.array(data[:4], np.float32))


@pytest.mark.parametrize("x", [[[-1.5, 0.0, 1.0, 3.4, 0.5]], [[0, 1, 2]], [[0.0], [2.5]]],
                         ids=str)
def test_discretization_boundaries(x):
    ours, theirs = _both("Discretization", bin_boundaries=[0.0, 1.0, 2.0])
    _same_out(ours, theirs, np.array(x))


@pytest.mark.parametrize("axis", [-1, None, (1, 2), 1])
@pytest.mark.parametrize("invert", [False, True])
def test_normalization_adapt(axis, invert):
    rng = np.random.default_rng(0)
    data = rng.normal(3.0, 2.0, (8, 3, 4)).astype(np.float32)
    ours, theirs = _both("Normalization", axis=axis, invert=invert)
    ours.adapt(data)
    theirs.adapt(data)
    np.testing.assert_allclose(ours.mean.numpy(), theirs.mean.numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ours.variance.numpy(), theirs.variance.numpy(), rtol=1e-5,
                               atol=1e-5)
    _same_out(ours, theirs, data[:2])


def test_normalization_dataset_fixed_and_config():
    tf = real_tf()
    data = np.arange(24, dtype=np.float32).reshape(12, 2) ** 1.5
    ours, theirs = _both("Normalization")
    ours.adapt(tftape.data.Dataset.from_tensor_slices(data).batch(5))
    theirs.adapt(tf.data.Dataset.from_tensor_slices(data).batch(5))
    _same_out(ours, theirs, data)
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    ours, theirs = _both("Normalization", mean=[1.0, 2.0], variance=[4.0, 0.0])
    _same_out(ours, theirs, data)
    got, want = ours.get_config(), theirs.get_config()
    got.pop("name"), want.pop("name")
    assert got == want
    with pytest.raises(ValueError, match="both `mean` and `variance`"):
        L.Normalization(mean=1.0)


@pytest.mark.parametrize("scale,offset", [(1 / 255, 0.0), (2.0, -1.0), ([0.5, 1.0, 2.0], 1)])
def test_rescaling(scale, offset):
    ours, theirs = _both("Rescaling", scale, offset)
    for x in (np.arange(12, dtype=np.uint8).reshape(1, 2, 2, 3),
              np.linspace(0, 1, 12).reshape(2, 2, 3)):
        _same_out(ours, theirs, x)


# -- image layers ----------------------------------------------------------------------------
IMG = np.random.default_rng(1).uniform(0, 255, (2, 5, 7, 3)).astype(np.float32)


@pytest.mark.parametrize("kwargs", [
    {}, {"interpolation": "nearest"}, {"interpolation": "bicubic"},
    {"crop_to_aspect_ratio": True}, {"pad_to_aspect_ratio": True},
    {"pad_to_aspect_ratio": True, "fill_value": 7.0}, {"antialias": True},
    {"data_format": "channels_first"}], ids=str)
@pytest.mark.parametrize("size", [(4, 5), (10, 4)], ids=str)
def test_resizing(kwargs, size):
    ours, theirs = _both("Resizing", *size, **kwargs)
    _same_out(ours, theirs, IMG)
    # A uint8 image is resized in float32 and cast back: a value on a rounding boundary may
    # land one unit apart (the weighted sums are added in another order).
    x = IMG[0].astype(np.uint8)
    want, err = outcome(lambda: theirs(x))
    if err is not None:
        _same_out(ours, theirs, x)
        return
    got = ours(x)
    assert got.dtype.name == want.dtype.name and tuple(got.shape) == tuple(want.shape)
    np.testing.assert_allclose(got.numpy().astype(np.int64), want.numpy().astype(np.int64),
                               atol=1)


@pytest.mark.parametrize("size", [(3, 4), (5, 7), (10, 4), (2, 12)], ids=str)
def test_center_crop(size):
    ours, theirs = _both("CenterCrop", *size)
    for x in (IMG, IMG[0], IMG.astype(np.uint8)):
        _same_out(ours, theirs, x)


RANDOM_LAYERS = [("RandomFlip", ()), ("RandomFlip", ("horizontal",)),
                 ("RandomRotation", (0.2,)), ("RandomZoom", (0.3, 0.2)),
                 ("RandomTranslation", (0.2, 0.3)), ("RandomContrast", (0.5,)),
                 ("RandomBrightness", (0.2,)), ("RandomCrop", (4, 5))]


@pytest.mark.parametrize("name,args", RANDOM_LAYERS, ids=str)
def test_random_layers_inference_is_identity(name, args):
    ours, theirs = _both(name, *args)
    for x in (IMG, IMG[0].astype(np.uint8)):
        _same_out(ours, theirs, x, training=False)
        if name == "RandomContrast" and x.dtype == np.uint8:
            continue
        got, want = ours(x), theirs(x)     # no `training`: Keras 3 augments
        assert got.dtype.name == want.dtype.name and tuple(got.shape) == tuple(want.shape)


@pytest.mark.parametrize("name,args", RANDOM_LAYERS, ids=str)
def test_random_layers_training_shapes_ranges_seeds(name, args):
    tf = real_tf()
    ours = getattr(L, name)(*args, seed=3)
    theirs = getattr(tf.keras.layers, name)(*args, seed=3)
    for x in (IMG, IMG[0]):
        got, want = ours(x, training=True), theirs(x, training=True)
        assert got.dtype.name == want.dtype.name and tuple(got.shape) == tuple(want.shape)
        g = got.numpy()
        assert np.all(np.isfinite(g)) and g.min() >= -1e-3 and g.max() <= 255 + 1e-3
    same_seed = [getattr(L, name)(*args, seed=11)(IMG, training=True).numpy()
                 for _ in range(2)]
    np.testing.assert_array_equal(*same_seed)
    layer = getattr(L, name)(*args, seed=11)
    first, second = layer(IMG, training=True).numpy(), layer(IMG, training=True).numpy()
    if name != "RandomFlip":      # a flip may repeat by chance; the others draw reals
        assert not np.array_equal(first, second)


AFFINE = [("RandomRotation", (0.2,), {"fill_mode": "constant", "fill_value": 3.0}),
          ("RandomRotation", (0.2,), {"fill_mode": "nearest", "interpolation": "nearest"}),
          ("RandomRotation", (0.2,), {}), ("RandomZoom", (0.4,), {"fill_mode": "wrap"}),
          ("RandomZoom", (-0.5, 0.3), {}),
          ("RandomTranslation", (0.3, 0.2), {"fill_mode": "constant"}),
          ("RandomTranslation", (0.3, 0.2), {"data_format": "channels_first"}),
          ("RandomContrast", (0.5,), {}), ("RandomBrightness", (0.3,), {}),
          ("RandomFlip", (), {}), ("RandomFlip", ("vertical",), {})]


@pytest.mark.parametrize("name,args,kwargs", AFFINE, ids=str)
def test_random_layers_replay_transformation(name, args, kwargs):
    """TF's own random transformation, replayed through our transform_images."""
    tf = real_tf()
    theirs = getattr(tf.keras.layers, name)(*args, seed=5, **kwargs)
    ours = getattr(L, name)(*args, **kwargs)
    x = IMG if kwargs.get("data_format") is None else np.moveaxis(IMG, -1, 1).copy()
    t = theirs.get_random_transformation(tf.constant(x), training=True)
    if name in ("RandomRotation", "RandomZoom", "RandomTranslation"):
        t = {k: (np.asarray(v) if tf.is_tensor(v) else v) for k, v in t.items()}
    elif isinstance(t, dict):
        t = {k: (np.asarray(v) if tf.is_tensor(v) else v) for k, v in t.items()}
    want = theirs.transform_images(tf.constant(x), t, training=True)
    got = ours.transform_images(tftape.constant(x), t, training=True)
    assert_same(got, want, rtol=1e-4, atol=1e-3)


def test_random_contrast_integer_images_raise_like_tf():
    tf = real_tf()
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.keras.layers.RandomContrast(0.5)(IMG.astype(np.uint8), training=True)
    with pytest.raises(tftape.errors.InvalidArgumentError, match="Op:Sub"):
        L.RandomContrast(0.5)(IMG.astype(np.uint8), training=True)


@pytest.mark.parametrize("name,args", [("RandomRotation", (1.5,)), ("RandomZoom", (-1.0,)),
                                       ("RandomTranslation", (0.1, 2.0)),
                                       ("RandomContrast", (1.5,)), ("RandomBrightness", (2,))],
                         ids=str)
def test_random_layer_factor_errors(name, args):
    tf = real_tf()
    with pytest.raises(ValueError) as theirs:
        getattr(tf.keras.layers, name)(*args)
    with pytest.raises(ValueError) as ours:
        getattr(L, name)(*args)
    assert str(ours.value) == str(theirs.value)


def test_preprocessing_in_a_model():
    """Numeric and image layers inside a Sequential model, called and predicted."""
    tf = real_tf()
    outs = []
    for mod in (tftape, tf):
        k = mod.keras
        model = k.Sequential([k.Input((5, 7, 3)), k.layers.Rescaling(1 / 255.0),
                              k.layers.RandomFlip(), k.layers.CenterCrop(4, 4),
                              k.layers.Resizing(2, 3)])
        outs.append(model.predict(IMG, verbose=0))
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-5, atol=1e-6)


def test_text_vectorization_in_dataset_map_and_in_a_model():
    """The tutorial patterns: Dataset.map(vectorize), and a model that takes raw strings
    (Keras runs it uncompiled, as the layer does not support jit)."""
    tf = real_tf()
    texts = np.array(CORPUS)
    outs = []
    weights = np.random.default_rng(2).normal(size=(16, 2)).astype(np.float32)
    for mod in (tftape, tf):
        k = mod.keras
        vec = k.layers.TextVectorization(max_tokens=16, output_sequence_length=4)
        vec.adapt(texts)
        ds = mod.data.Dataset.from_tensor_slices((texts, np.arange(len(texts)))).batch(3)
        mapped = [x.numpy().tolist() for x, _ in ds.map(lambda x, y: (vec(x), y))]
        model = k.Sequential([k.Input((1,), dtype="string"), vec, k.layers.Embedding(16, 2)])
        model.layers[-1].set_weights([weights])
        outs.append((mapped, model.predict(mod.constant([["the dog"], ["zebra cat"]]),
                                           verbose=0)))
    assert outs[0][0] == outs[1][0]
    np.testing.assert_allclose(outs[0][1], outs[1][1], rtol=1e-6)


def test_keras_file_with_preprocessing_layers_both_ways(tmp_path):
    tf = real_tf()
    x = np.random.default_rng(0).normal(2, 3, (20, 3)).astype(np.float32)
    for writer, reader in ((tftape, tf), (tf, tftape)):
        k = writer.keras
        norm = k.layers.Normalization()
        norm.adapt(x)
        model = k.Sequential([k.Input((3,)), norm, k.layers.Rescaling(2.0, offset=1.0),
                              k.layers.Discretization([0.0, 1.0], output_mode="one_hot")])
        path = str(tmp_path / f"{writer.__name__}.keras")
        model.save(path)
        loaded = reader.keras.models.load_model(path)
        np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


@pytest.mark.parametrize("name,args", [("RandomRotation", (0.2,)), ("RandomZoom", (0.3,)),
                                       ("RandomTranslation", (0.2, 0.2)), ("RandomFlip", ()),
                                       ("RandomContrast", (0.4,)), ("RandomCrop", (3, 4)),
                                       ("Resizing", (3, 4)), ("CenterCrop", (3, 4))],
                         ids=str)
def test_segmentation_masks_and_labels(name, args):
    tf = real_tf()
    theirs = getattr(tf.keras.layers, name)(*args)
    ours = getattr(L, name)(*args)
    masks = np.random.default_rng(3).integers(0, 4, (2, 5, 7, 1)).astype(np.int32)
    t = theirs.get_random_transformation(tf.constant(IMG), training=True)
    if isinstance(t, dict):
        t = {k: (np.asarray(v) if tf.is_tensor(v) else v) for k, v in t.items()}
    elif isinstance(t, tuple):
        t = tuple(int(v) for v in t)
    want = theirs.transform_segmentation_masks(tf.constant(masks), t, training=True)
    got = ours.transform_segmentation_masks(tftape.constant(masks), t, training=True)
    assert_same(got, want)
    labels = np.array([1, 0])
    assert_same(ours.transform_labels(tftape.constant(labels), t),
                theirs.transform_labels(tf.constant(labels), t))
    out = ours({"images": IMG, "labels": labels, "segmentation_masks": masks},
               training=False)
    assert sorted(out) == ["images", "labels", "segmentation_masks"]
    assert tuple(out["images"].shape)[1:3] == tuple(out["segmentation_masks"].shape)[1:3]


@pytest.mark.parametrize("kwargs", [{}, {"output_mode": "tf_idf"}, {"max_tokens": 6}], ids=str)
def test_vocabulary_assets_and_idf_weights_both_ways(tmp_path, kwargs):
    tf = real_tf()
    for i, (writer, reader) in enumerate(((tftape, tf), (tf, tftape))):
        src = writer.keras.layers.TextVectorization(**kwargs)
        src.adapt(CORPUS)
        dst = reader.keras.layers.TextVectorization(**kwargs)
        store = {}
        src.save_own_variables(store)
        if store:
            dst.load_own_variables({k: np.asarray(v) for k, v in store.items()})
        folder = tmp_path / str(i)
        folder.mkdir()
        src.save_assets(str(folder))
        dst.load_assets(str(folder))
        assert dst.get_vocabulary() == src.get_vocabulary()
        np.testing.assert_allclose(np.asarray(dst(["the cat, the dog"])),
                                   np.asarray(src(["the cat, the dog"])), rtol=1e-6)


@pytest.mark.parametrize("value_range", [(0, 255), (0, 1)], ids=str)
def test_auto_contrast(value_range):
    ours, theirs = _both("AutoContrast", value_range=value_range)
    scale = 255.0 / value_range[1]
    for x in (IMG / scale, IMG[0] / scale, IMG.astype(np.uint8),
              np.full((1, 2, 2, 3), 7.0, np.float32)):
        _same_out(ours, theirs, x)


@pytest.mark.parametrize("name,args,kwargs", [
    ("RandomGrayscale", (0.5,), {}), ("RandomGrayscale", (1.0,), {}),
    ("RandomInvert", (0.8,), {}), ("RandomInvert", (), {"value_range": (0, 1)}),
    ("Solarization", (0.5, 0.5), {}), ("Solarization", (0.2, 0.8), {"value_range": (0, 1)}),
    ("RandomPosterization", (3,), {}), ("RandomPosterization", ((2, 6),), {}),
    ("RandomPosterization", (5,), {"value_range": (0, 1)}),
    ("RandomColorDegeneration", (0.7,), {}),
    ("RandomColorDegeneration", ((0.1, 0.9),), {"value_range": (0, 1)}),
    ("RandomSaturation", (0.6,), {}), ("RandomSaturation", ((0.2, 0.9),), {}),
    ("RandomHue", (0.8,), {}), ("RandomHue", (0.4,), {"value_range": (0, 1)}),
    ("RandomHue", (0.5,), {"data_format": "channels_first"})],
    ids=str)
def test_color_layers_replay_transformation(name, args, kwargs):
    tf = real_tf()
    theirs = getattr(tf.keras.layers, name)(*args, seed=4, **kwargs)
    ours = getattr(L, name)(*args, **kwargs)
    x = IMG if kwargs.get("value_range", (0, 255))[1] == 255 else IMG / 255.0
    if kwargs.get("data_format") == "channels_first":
        x = np.moveaxis(x, -1, 1).copy()
    t = theirs.get_random_transformation(tf.constant(x), training=True)
    t = {k: np.asarray(v) for k, v in t.items()} if isinstance(t, dict) else np.asarray(t)
    want = theirs.transform_images(tf.constant(x), t, training=True)
    got = ours.transform_images(tftape.constant(x), t, training=True)
    assert_same(got, want, rtol=1e-5, atol=1e-4)
    _same_out(ours, theirs, x, training=False)
    got = ours(x, training=True)
    assert got.dtype.name == "float32" and tuple(got.shape) == x.shape


def test_pipeline():
    tf = real_tf()
    made = []
    for mod in (tftape, tf):
        k = mod.keras.layers
        made.append(k.Pipeline([k.Rescaling(1 / 255.0), k.CenterCrop(3, 3),
                                k.RandomFlip(seed=1)]))
    ours, theirs = made
    _same_out(ours, theirs, IMG, training=False)
    got, want = ours.get_config(), theirs.get_config()
    got.pop("name"), want.pop("name")
    strip = lambda c: [{**layer, "config": {k: v for k, v in layer["config"].items()  # noqa
                                            if k != "name"}} for layer in c["layers"]]
    assert strip(got) == strip(want)
    again = L.Pipeline.from_config(ours.get_config())
    assert [type(layer).__name__ for layer in again.layers] == \
        ["Rescaling", "CenterCrop", "RandomFlip"]
    assert_same(again(IMG, training=False), theirs(IMG, training=False))


def test_bounding_box_format_config_and_color_layers_keep_boxes():
    tf = real_tf()
    boxes = {"boxes": np.array([[[1.0, 2.0, 4.0, 5.0]], [[0.0, 0.0, 3.0, 3.0]]], np.float32),
             "labels": np.array([[1], [2]], np.int32)}
    for name, args in (("RandomContrast", (0.3,)), ("RandomHue", (0.3,)),
                       ("Solarization", (0.3,))):
        ours, theirs = _both(name, *args, bounding_box_format="xyxy")
        got, want = ours.get_config(), theirs.get_config()
        got.pop("name"), want.pop("name")
        assert got == want and got["bounding_box_format"] == "xyxy"
        out = ours({"images": IMG, "bounding_boxes": boxes}, training=True)
        ref = theirs({"images": IMG, "bounding_boxes": boxes}, training=True)
        for key in ("boxes", "labels"):
            np.testing.assert_array_equal(np.asarray(out["bounding_boxes"][key]),
                                          np.asarray(ref["bounding_boxes"][key]))
    with pytest.raises(ValueError) as theirs_err:
        tf.keras.layers.RandomContrast(0.3)({"images": IMG, "bounding_boxes": boxes})
    with pytest.raises(ValueError) as ours_err:
        L.RandomContrast(0.3)({"images": IMG, "bounding_boxes": boxes})
    assert str(ours_err.value) in str(theirs_err.value)
    with pytest.raises(NotImplementedError):
        L.RandomFlip(bounding_box_format="xyxy")({"images": IMG, "bounding_boxes": boxes})


@pytest.mark.parametrize("name,args", [("RandomRotation", (0.2,)), ("RandomContrast", (0.3,)),
                                       ("RandomBrightness", ((-0.2, 0.1),)),
                                       ("RandomInvert", ()), ("Solarization", (0.2, 0.4)),
                                       ("RandomPosterization", (3,)), ("RandomHue", (0.4,)),
                                       ("Resizing", (2, 3)), ("AutoContrast", ())], ids=str)
def test_python_configs_match(name, args):
    """get_config as Python values (tuples stay tuples), not only after JSON."""
    ours, theirs = _both(name, *args)
    got, want = ours.get_config(), theirs.get_config()
    got.pop("name"), want.pop("name")
    assert got == want

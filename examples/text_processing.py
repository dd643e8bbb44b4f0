"""Text processing with tf.strings and RaggedTensor: tokenize, build a vocabulary, encode,
pad, count, and work with Unicode characters.

    python -m tftape examples/text_processing.py
"""
import tensorflow as tf

docs = tf.constant([
    "The quick brown fox jumps over the lazy dog.",
    "A dog is a friend!",
    "",
    "Café au lait, s'il vous plaît",
    "Quick, quick: the FOX is back",
])

# Normalize: lower case, keep letters, digits, spaces and apostrophes
clean = tf.strings.lower(docs)
clean = tf.strings.regex_replace(clean, r"[^a-z0-9' \x80-\xff]", " ")
print(repr(clean))

# Tokenize: one row of words per document, rows of different lengths
tokens = tf.strings.split(clean)
print(tokens)
print("words per document:", tokens.row_lengths().numpy())
print("longest document:", int(tf.reduce_max(tokens.row_lengths())), "words")
print("first two words of each document:", tokens[:, :2].to_list())

# A vocabulary from the word counts, most frequent first (ties by word)
words, idx = tf.unique(tokens.flat_values)
counts = tf.math.bincount(idx)
by_count = sorted(zip(counts.numpy().tolist(), words.numpy().tolist()), key=lambda p: (-p[0], p[1]))
vocab = [w for _, w in by_count]
print("vocabulary:", [w.decode() for w in vocab[:8]], "...", len(vocab), "words")

# Encode: map every word to its id with a ragged map over the flat values
table = {w: i + 1 for i, w in enumerate(vocab)}   # 0 is the padding id


def lookup(flat):
    return tf.constant([table[w] for w in flat.numpy().tolist()], dtype=tf.int64)


ids = tf.ragged.map_flat_values(lookup, tokens)
print(ids)

# Pad into a dense batch (for a model) and build the mask of real tokens
dense = ids.to_tensor(default_value=0)
mask = tf.sequence_mask(ids.row_lengths())
print(repr(dense))
print(mask.numpy().astype(int))

# Bag of words per document: how often does each id occur?
# (one-hot rows of the padded batch summed per document: column 0 counts the padding)
bow = tf.reduce_sum(tf.one_hot(dense, depth=len(vocab) + 1, dtype=tf.int32), axis=1)
print("bag-of-words shape:", bow.shape, "- 'quick' in doc 5:", int(bow[4, table[b"quick"]]))

# Ragged reductions: mean word length per document (empty documents give nan)
word_lengths = tf.ragged.map_flat_values(tf.strings.length, tokens)
print("mean word length:", tf.reduce_mean(tf.cast(word_lengths, tf.float32), axis=1).numpy())

# Join back into strings, and n-grams
print(repr(tf.strings.reduce_join(tokens, axis=1, separator=" ")))
print(tf.strings.ngrams(tokens, 2)[0].numpy()[:3])

# Unicode: characters versus bytes, code points as a ragged tensor
words = tf.constant(["café", "plaît", "naïve", "fox"])
print("bytes:", tf.strings.length(words).numpy(),
      "characters:", tf.strings.length(words, unit="UTF8_CHAR").numpy())
chars = tf.strings.unicode_split(words, "UTF-8")
print(chars)
codepoints = tf.strings.unicode_decode(words, "UTF-8")
print(codepoints)
print(repr(tf.strings.unicode_encode(codepoints[:, ::-1], "UTF-8")))   # reversed words

# Ragged arithmetic and concatenation work row by row
shifted = codepoints + 1
print(tf.strings.unicode_encode(shifted, "UTF-8").numpy())
print(tf.concat([codepoints[:2], tf.ragged.constant([[72, 105]])], axis=0))

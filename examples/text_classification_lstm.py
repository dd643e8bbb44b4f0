"""Text classification with an LSTM: TextVectorization, Embedding, LSTM and Dense.

A small synthetic sentiment corpus (built in code, deterministic) is vectorized with a
TextVectorization layer adapted on a tf.data.Dataset, then an Embedding + LSTM classifier is
trained with fit().

    python -m tftape examples/text_classification_lstm.py

Set TFTAPE_EXAMPLES_FAST=1 for a short run (fewer epochs).
"""
import os
import time

import numpy as np
import tensorflow as tf

FAST = os.environ.get("TFTAPE_EXAMPLES_FAST") == "1"
tf.keras.utils.set_random_seed(7)

# -- a synthetic corpus: templates filled with positive or negative words ---------------------
POSITIVE = ["great", "wonderful", "excellent", "lovely", "brilliant", "superb", "delightful"]
NEGATIVE = ["terrible", "awful", "boring", "dreadful", "horrible", "dull", "disappointing"]
SUBJECTS = ["the movie", "this film", "the plot", "the acting", "the soundtrack", "the ending"]
TEMPLATES = ["{s} was {w}.", "I thought {s} was really {w}!", "Honestly, {s} is {w}",
             "{s} felt {w} and {w2}", "What a {w} experience; {s} was {w2}."]

rng = np.random.default_rng(0)


def make_corpus(n):
    texts, labels = [], []
    for _ in range(n):
        label = int(rng.integers(2))
        words = POSITIVE if label else NEGATIVE
        template = TEMPLATES[rng.integers(len(TEMPLATES))]
        texts.append(template.format(s=SUBJECTS[rng.integers(len(SUBJECTS))],
                                     w=words[rng.integers(len(words))],
                                     w2=words[rng.integers(len(words))]))
        labels.append(label)
    return np.array(texts), np.array(labels, dtype="float32")


train_texts, train_labels = make_corpus(512)
test_texts, test_labels = make_corpus(128)
print("examples:", train_texts[:3].tolist(), train_labels[:3].tolist())

# -- vectorize: lowercase, strip punctuation, split, index by frequency ----------------------
vectorize = tf.keras.layers.TextVectorization(max_tokens=40, output_sequence_length=10)
vectorize.adapt(tf.data.Dataset.from_tensor_slices(train_texts).batch(64))
vocab = vectorize.get_vocabulary()
print("vocabulary size:", len(vocab))
print("most frequent tokens:", vocab[:8])
print("encoded:", vectorize(["The movie was GREAT!"]).numpy().tolist())

x_train = vectorize(train_texts)
x_test = vectorize(test_texts)

# -- the classifier ----------------------------------------------------------------------------
model = tf.keras.Sequential([
    tf.keras.Input(shape=(10,), dtype="int64"),
    tf.keras.layers.Embedding(len(vocab), 16, mask_zero=True),
    tf.keras.layers.LSTM(16),
    tf.keras.layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=1e-2),
              loss="binary_crossentropy", metrics=["accuracy"])
epochs = 3 if FAST else 8
start = time.perf_counter()
history = model.fit(x_train, train_labels, batch_size=32, epochs=epochs, verbose=0)
print(f"fit: {epochs} epochs in {time.perf_counter() - start:.2f} s")
losses = history.history["loss"]
for epoch, (loss, acc) in enumerate(zip(losses, history.history["accuracy"]), 1):
    print(f"epoch {epoch}: loss {loss:.4f}, accuracy {acc:.3f}")
assert losses[-1] < losses[0], "the loss should go down"

test_loss, test_acc = model.evaluate(x_test, test_labels, verbose=0)
print(f"test loss {test_loss:.4f}, test accuracy {test_acc:.3f}")
reviews = ["the acting was wonderful", "a dull and boring plot", "what a superb film"]
scores = model.predict(vectorize(reviews), verbose=0)[:, 0]
for review, score in zip(reviews, scores):
    print(f"{review!r}: {'positive' if score > 0.5 else 'negative'} ({score:.2f})")

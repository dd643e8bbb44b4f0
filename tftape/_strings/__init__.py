"""tf.strings: string and unicode ops on host NumPy object arrays of bytes."""

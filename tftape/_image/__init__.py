"""``tf.image``: resizing, flips, crops, colour adjustments and conversions."""

"""``tf.io``: files, CSV, TensorProto serialization, TFRecords and ``tf.train.Example``."""

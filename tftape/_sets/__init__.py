"""``tf.sets``: set operations along the last dimension, returning SparseTensors."""

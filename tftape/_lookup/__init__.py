"""``tf.lookup``: hash tables mapping keys (strings or integers) to values.

Tables live on the host: their contents are Python dicts and NumPy arrays, looked up on the
host for concrete keys. Under ``tf.function`` a static table with numeric keys and values is
looked up with JAX (a sorted key array and ``searchsorted``), so it compiles; anything else
(string values, mutable tables, hashing of OOV keys) makes the function run eagerly.
"""

"""Implementation of ``tf.experimental.numpy`` and the array API namespace.

The public modules are ``tftape.experimental.numpy`` (TF's ``tnp``) and the namespace returned
by ``Tensor.__array_namespace__()`` (``tftape._numpy.array_api``).
"""

"""SpectralNormalization (Keras 3): a wrapper that divides a layer's kernel by its largest
singular value, estimated by power iteration while training."""
from __future__ import annotations

from .._core.convert import convert_to_tensor
from .._ops import array_ops as _a, linalg_ops as _la, math_ops as _m
from . import initializers as _init
from ._layer_utils import InputSpec
from ._rnn_layers import Wrapper


def _l2_normalize(x, epsilon=1e-7):
    # keras.ops.normalize(x, axis=None): x * min(rsqrt(sum(x**2)), 1 / epsilon)
    inv = _m.minimum(_m.rsqrt(_m.reduce_sum(_m.square(x))), 1.0 / epsilon)
    return x * inv


class SpectralNormalization(Wrapper):
    """Spectral normalization of the ``kernel`` (or ``embeddings``) of ``layer``.

    >>> import tftape as tf
    >>> sn = tf.keras.layers.SpectralNormalization(tf.keras.layers.Dense(3))
    >>> sn(tf.ones((2, 4)), training=True).shape
    TensorShape([2, 3])
    """

    def __init__(self, layer, power_iterations=1, **kwargs):
        from ._layer import Layer
        if not isinstance(layer, Layer):
            raise ValueError(f"Layer {layer} supplied to Wrapper isn't a supported layer type. "
                             "Please ensure wrapped layer is a valid Keras layer.")
        super().__init__(layer, **kwargs)
        if power_iterations <= 0:
            raise ValueError("`power_iterations` should be greater than zero. Received: "
                             f"`power_iterations={power_iterations}`")
        self.power_iterations = power_iterations

    def build(self, input_shape):
        if not self.layer.built:
            self.layer.build(input_shape)
            self.layer.built = True
        self.input_spec = InputSpec(min_ndim=1, axes={-1: input_shape[-1]})
        if hasattr(self.layer, "kernel"):
            self.kernel = self.layer.kernel
        elif hasattr(self.layer, "embeddings"):
            self.kernel = self.layer.embeddings
        else:
            raise ValueError(f"{type(self.layer).__name__} object has no attribute 'kernel' "
                             "nor 'embeddings'")
        self.kernel_shape = tuple(self.kernel.shape)
        self.vector_u = self.add_weight(shape=(1, self.kernel_shape[-1]),
                                        initializer=_init.TruncatedNormal(stddev=0.02),
                                        trainable=False, name="vector_u",
                                        dtype=self.kernel.dtype)

    def call(self, inputs, training=False):
        x = convert_to_tensor(inputs)
        if training:
            kernel = self.kernel.read_value()
            u = self.vector_u.read_value()
            new_u, new_kernel = self.normalized_weights()
            # Note: Keras skips the update (ops.cond) for an all-zero kernel; a select keeps
            # it traceable.
            zero = _m.reduce_all(_m.equal(kernel, 0))
            self.vector_u.assign(_a.where(zero, u, new_u))
            new_kernel = _a.where(zero, kernel, new_kernel)
            # Note: TF's assign cuts the gradient path through the normalization; the
            # gradient reaches the kernel as if read after the assignment.
            self.kernel.assign(_a.stop_gradient(new_kernel) + (kernel - _a.stop_gradient(kernel)))
        out = self.layer(x)
        return _m.cast(out, x.dtype)

    def normalized_weights(self):
        """(new ``vector_u``, the kernel divided by its estimated spectral norm)."""
        kernel = self.kernel.read_value()
        weights = _a.reshape(kernel, [-1, self.kernel_shape[-1]])
        u = self.vector_u.read_value()
        for _ in range(self.power_iterations):
            v = _l2_normalize(_la.matmul(u, _a.transpose(weights)))
            u = _l2_normalize(_la.matmul(v, weights))
        u, v = _a.stop_gradient(u), _a.stop_gradient(v)
        sigma = _la.matmul(_la.matmul(v, weights), _a.transpose(u))
        new_kernel = _a.reshape(kernel / sigma, self.kernel_shape)
        return _m.cast(u, self.vector_u.dtype), _m.cast(new_kernel, self.kernel.dtype)

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self):
        return {**super().get_config(), "power_iterations": self.power_iterations}

"""Plot tanh and its gradient, computed with tf.GradientTape (from the seed tutorials).

    python -m tftape examples/tanh_gradient.py [--out DIR]

Writes DIR/tanh_gradient.png (DIR defaults to examples/output/). matplotlib is an optional
dependency of the examples (`pip install -e '.[examples]'`); without it the script writes the
data to DIR/tanh_gradient.csv instead and says so.
"""
import numpy as np
import tensorflow as tf
from _figures import output_dir, save_figure


def tanh_and_gradient(n=129):
    """tanh on [-10, 10] and its derivative 1 - tanh^2, by the tape."""
    w = tf.linspace(-10.0, 10.0, n)  # a tf.Tensor, not a tf.Variable: watch it
    with tf.GradientTape() as g:
        g.watch(w)
        L = tf.math.tanh(w)
    gradL_w = g.gradient(L, w)
    return w, L, gradL_w


def main(argv=None):
    out = output_dir(__doc__.split("\n")[0], argv)
    w, L, gradL_w = tanh_and_gradient()
    # The tape's gradient is tanh's derivative, 1 - tanh(w)^2.
    np.testing.assert_allclose(gradL_w.numpy(), 1 - np.tanh(w.numpy()) ** 2, atol=1e-6)
    print("max gradient", float(tf.reduce_max(gradL_w)), "at w =",
          float(w[int(tf.argmax(gradL_w))]))

    def draw(plt):
        plt.plot(w, L, label="L")
        plt.plot(w, gradL_w, label="gradL_w")
        plt.legend()
        plt.xlabel("w")
        plt.title("tanh and its gradient (tf.GradientTape)")
    return save_figure(out, "tanh_gradient", draw,
                       {"w": w.numpy(), "L": L.numpy(), "gradL_w": gradL_w.numpy()})


if __name__ == "__main__":
    main()

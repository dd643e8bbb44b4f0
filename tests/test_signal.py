"""Oracle tests for ``tf.signal`` against real TensorFlow (N-D FFTs against NumPy: TF's CPU
build registers no kernels for them)."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from test_ops_math import assert_same, check_expr, real_tf, tf  # noqa: F401

pytestmark = pytest.mark.filterwarnings("ignore:.*triggered a new compilation")

CASES = """
tf.signal.fft(tf.constant([1 + 2j, 3j, -1.5]))
tf.signal.fft(tf.complex(tf.reshape(tf.range(12.), [3, 4]), 1.))
tf.signal.ifft(tf.complex(tf.reshape(tf.range(12.), [3, 4]), -2.))
tf.signal.fft2d(tf.complex(tf.reshape(tf.range(24.), [2, 3, 4]), 0.5))
tf.signal.ifft2d(tf.complex(tf.reshape(tf.range(12.), [3, 4]), 0.5))
tf.signal.fft3d(tf.complex(tf.reshape(tf.range(24.), [2, 3, 4]), 0.))
tf.signal.fft(tf.range(3.))
tf.signal.fft([1., 2.])
tf.signal.rfft([1., 2., 3.])
tf.signal.rfft([1., 2., 3.], [5])
tf.signal.rfft(tf.constant([[1., 2., 3.], [0., 1., 0.]], tf.float64))
tf.signal.rfft([1, 2, 3])
tf.signal.rfft(tf.constant([1, 2, 3]))
tf.signal.irfft([1 + 2j, 3j, 1])
tf.signal.irfft(tf.constant([1 + 2j, 3j, 1]), [3])
tf.signal.irfft(tf.constant([1 + 2j, 3j, 1, 2], tf.complex64), [9])
tf.signal.irfft(tf.constant([1., 2.]))
tf.signal.rfft2d(tf.reshape(tf.range(12.), [3, 4]))
tf.signal.rfft2d(tf.reshape(tf.range(12.), [3, 4]), [2, 6])
tf.signal.irfft2d(tf.complex(tf.reshape(tf.range(12.), [3, 4]), 1.))
tf.signal.rfft3d(tf.reshape(tf.range(24.), [2, 3, 4]))
tf.signal.irfft3d(tf.complex(tf.reshape(tf.range(24.), [2, 3, 4]), 1.), [2, 3, 5])
tf.signal.fftshift([0, 1, 2, 3, 4, -5, -4, -3, -2, -1])
tf.signal.fftshift(tf.reshape(tf.range(12), [3, 4]))
tf.signal.fftshift(tf.reshape(tf.range(12), [3, 4]), axes=1)
tf.signal.ifftshift(tf.reshape(tf.range(15), [3, 5]))
tf.signal.ifftshift(tf.reshape(tf.range(15), [3, 5]), axes=-1)
tf.signal.frame(tf.range(10), 3, 2)
tf.signal.frame(tf.range(10), 3, 2, pad_end=True)
tf.signal.frame(tf.reshape(tf.range(24), [2, 12]), 5, 2)
tf.signal.frame(tf.reshape(tf.range(24), [6, 4]), 2, 1, axis=0)
tf.signal.frame(tf.reshape(tf.range(24), [2, 6, 2]), 3, 3, axis=1, pad_end=True)
tf.signal.frame(tf.range(3), 5, 1)
tf.signal.overlap_and_add(tf.ones([3, 4]), 2)
tf.signal.overlap_and_add(tf.reshape(tf.range(24.), [2, 3, 4]), 1)
tf.signal.hann_window(4)
tf.signal.hann_window(5, periodic=False)
tf.signal.hann_window(1)
tf.signal.hamming_window(6)
tf.signal.hamming_window(6, periodic=False, dtype=tf.float64)
tf.signal.hann_window(4, dtype=tf.int32)
tf.signal.kaiser_window(6)
tf.signal.kaiser_window(7, beta=4., dtype=tf.float64)
tf.signal.kaiser_window(1)
tf.signal.kaiser_bessel_derived_window(8)
tf.signal.vorbis_window(8)
tf.signal.vorbis_window(5, dtype=tf.float64)
tf.signal.stft(tf.sin(tf.range(200.) / 7.), 64, 32)
tf.signal.stft(tf.sin(tf.range(200.) / 7.), 50, 20, fft_length=64, pad_end=True)
tf.signal.stft(tf.reshape(tf.cos(tf.range(300.)), [3, 100]), 32, 16, window_fn=tf.signal.hamming_window)
tf.signal.inverse_stft(tf.signal.stft(tf.sin(tf.range(200.) / 7.), 64, 16), 64, 16)
tf.signal.inverse_stft(tf.signal.stft(tf.sin(tf.range(200.) / 7.), 64, 16), 64, 16, window_fn=tf.signal.inverse_stft_window_fn(16))
tf.signal.inverse_stft(tf.signal.stft(tf.sin(tf.range(120.)), 40, 10, fft_length=32), 40, 10, fft_length=32)
tf.signal.inverse_stft_window_fn(16)(64, tf.float32)
tf.signal.inverse_stft_window_fn(3, tf.signal.hamming_window)(8, tf.float64)
tf.signal.dct([1., 2., 3.])
tf.signal.dct(tf.reshape(tf.range(12.), [3, 4]), norm='ortho')
tf.signal.dct(tf.reshape(tf.range(12.), [3, 4]), type=1)
tf.signal.dct(tf.reshape(tf.range(12.), [3, 4]), type=3, norm='ortho')
tf.signal.dct(tf.reshape(tf.range(12.), [3, 4]), type=4)
tf.signal.dct(tf.reshape(tf.range(12.), [3, 4]), type=4, norm='ortho')
tf.signal.dct(tf.range(6., dtype=tf.float64), n=4)
tf.signal.dct(tf.range(6.), n=9, type=2)
tf.signal.dct([1., 2.], type=1, norm='ortho')
tf.signal.dct([1.], type=1)
tf.signal.dct([1., 2.], type=5)
tf.signal.dct([1., 2.], norm='x')
tf.signal.dct([1., 2.], n=0)
tf.signal.idct(tf.reshape(tf.range(12.), [3, 4]))
tf.signal.idct(tf.reshape(tf.range(12.), [3, 4]), norm='ortho')
tf.signal.idct(tf.reshape(tf.range(12.), [3, 4]), type=4, norm='ortho')
tf.signal.mdct(tf.sin(tf.range(64.) / 3.), 16)
tf.signal.mdct(tf.sin(tf.range(60.) / 3.), 16, pad_end=True, norm='ortho')
tf.signal.mdct(tf.sin(tf.range(64.) / 3.), 10)
tf.signal.inverse_mdct(tf.signal.mdct(tf.sin(tf.range(64.) / 3.), 16))
tf.signal.inverse_mdct(tf.signal.mdct(tf.sin(tf.range(64.) / 3.), 16, norm='ortho'), norm='ortho')
tf.signal.inverse_mdct(tf.signal.mdct(tf.sin(tf.range(64.) / 3.), 16, window_fn=tf.signal.kaiser_bessel_derived_window), window_fn=None)
tf.signal.linear_to_mel_weight_matrix()
tf.signal.linear_to_mel_weight_matrix(num_mel_bins=8, num_spectrogram_bins=33, sample_rate=16000, lower_edge_hertz=20., upper_edge_hertz=8000., dtype=tf.float64)
tf.signal.linear_to_mel_weight_matrix(num_mel_bins=0)
tf.signal.linear_to_mel_weight_matrix(lower_edge_hertz=-1.)
tf.signal.linear_to_mel_weight_matrix(lower_edge_hertz=500., upper_edge_hertz=400.)
tf.signal.linear_to_mel_weight_matrix(upper_edge_hertz=5000.)
tf.signal.linear_to_mel_weight_matrix(dtype=tf.int32)
tf.signal.mfccs_from_log_mel_spectrograms(tf.reshape(tf.sin(tf.range(40.)), [5, 8]))
tf.signal.mfccs_from_log_mel_spectrograms(tf.reshape(tf.cos(tf.range(40., dtype=tf.float64)), [2, 2, 10]))
"""

_TOL = {"stft": 2e-4, "inverse_stft": 2e-4, "mdct": 2e-4, "inverse_mdct": 2e-4, "dct": 2e-5,
        "idct": 2e-5, "mfccs": 2e-5, "fft": 2e-5, "rfft": 2e-5, "irfft": 2e-5, "kaiser": 2e-6}


def _tol(src):
    name = src.split("(")[0].split(".")[-1]
    for k, v in _TOL.items():
        if name.startswith(k) or k in name:
            return v
    return None


@pytest.mark.parametrize("src", CASES.strip().splitlines())
def test_signal(src):
    check_expr(src, rtol=_tol(src))


@settings(deadline=None, max_examples=20)
@given(st.lists(st.integers(1, 5), min_size=1, max_size=3), st.sampled_from(
    ["fft", "ifft", "rfft", "irfft"]), st.sampled_from([None, "ortho", "forward", "backward"]),
    st.data())
def test_fftnd_numpy(shape, kind, norm, data):
    """N-D FFTs over random shapes, axes, lengths and norms, against NumPy."""
    rng = np.random.default_rng(len(shape))
    x = rng.normal(size=shape)
    if kind != "rfft":
        x = x + 1j * rng.normal(size=shape)
    x = x.astype(np.float32 if kind == "rfft" else np.complex64)
    axes = data.draw(st.lists(st.integers(0, len(shape) - 1), min_size=1, max_size=len(shape),
                              unique=True))
    lengths = data.draw(st.lists(st.integers(1, 6), min_size=len(axes), max_size=len(axes)) |
                        st.none())
    if lengths is None and kind == "irfft" and shape[axes[-1]] == 1:
        lengths = [2] * len(axes)
    ours = getattr(tf.signal, kind + "nd")(x, fft_length=lengths, axes=axes, norm=norm)
    expected = getattr(np.fft, kind + "n")(x, s=lengths, axes=axes, norm=norm)
    assert ours.dtype.name == ("float32" if kind == "irfft" else "complex64")
    np.testing.assert_allclose(ours.numpy(), expected, rtol=2e-4)
    if lengths is not None:
        raw = getattr(tf, kind + "nd")(x, lengths, axes)
        np.testing.assert_allclose(raw.numpy(), getattr(np.fft, kind + "n")(x, s=lengths,
                                                                            axes=axes),
                                   rtol=2e-4, atol=2e-4)


def test_nd_dtype_errors():
    for kind, x in [("fft", [1., 2.]), ("rfft", tf.constant([1, 2]))]:
        with pytest.raises(tf.errors.InvalidArgumentError):
            getattr(tf, kind + "nd")(tf.constant(x), [2], [0])
        with pytest.raises(real_tf.errors.InvalidArgumentError):
            getattr(real_tf, kind + "nd")(real_tf.constant(x), [2], [0])


def _grad(lib, fn):
    x = lib.constant(np.sin(np.arange(64, dtype=np.float32) / 3.0))
    with lib.GradientTape() as tape:
        tape.watch(x)
        y = fn(lib, x)
        w = lib.reshape(lib.cast(lib.range(lib.size(y)), y.dtype), lib.shape(y))
        loss = lib.reduce_sum(lib.abs(y) * lib.cast(w, lib.abs(y).dtype) / 100.0)
    return tape.gradient(loss, x)


GRADS = {
    "stft": lambda t, x: t.signal.stft(x, 16, 8),
    "rfft": lambda t, x: t.signal.rfft(x),
    "fft": lambda t, x: t.signal.fft(t.complex(x, x * 0.5)),
    "frame": lambda t, x: t.signal.frame(x, 10, 3, pad_end=True),
    "overlap_and_add": lambda t, x: t.signal.overlap_and_add(t.reshape(x, [8, 8]), 5),
    "dct": lambda t, x: t.signal.dct(t.reshape(x, [4, 16]), norm="ortho"),
    "mdct": lambda t, x: t.signal.mdct(x, 16),
}


@pytest.mark.parametrize("name", sorted(GRADS))
def test_gradients(name):
    assert_same(_grad(tf, GRADS[name]), _grad(real_tf, GRADS[name]), rtol=5e-4)


def test_in_function():
    def fn(lib):
        return lib.function(lambda x: lib.signal.inverse_stft(lib.signal.stft(x, 32, 8), 32, 8))
    x = np.cos(np.arange(128, dtype=np.float32) / 5)
    assert_same(fn(tf)(x), fn(real_tf)(x), rtol=2e-4)

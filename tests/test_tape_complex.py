"""Gradients with complex sources, against real TF.

TF's gradient is the conjugate of JAX's vjp convention (for ``|z|**2`` TF gives ``2z``);
every lowering (fused, replayed for higher orders, per-op backward) must give TF's.
"""
import numpy as np
import pytest

import tftape as tf
from oracle import real_tf
from test_tape import assert_struct_same, both

rtf = real_tf()

Z = np.array([1.0 + 2.0j, 3.0 - 1.0j, -0.5 + 0.25j], np.complex64)
C = np.array([0.5 - 1.0j, 2.0 + 0.5j, 1.0j], np.complex64)

_FNS = {
    "abs2": lambda m, z: m.reduce_sum(m.abs(z) ** 2),
    "real_sq": lambda m, z: m.reduce_sum(m.math.real(z * z)),
    "imag_exp": lambda m, z: m.reduce_sum(m.math.imag(m.exp(z))),
    "real_times_const": lambda m, z: m.reduce_sum(m.math.real(z * m.constant(C))),
    "abs_matmul": lambda m, z: m.reduce_sum(
        m.abs(m.matmul(m.reshape(m.constant(np.outer(C, C)), [3, 3]), m.reshape(z, [3, 1])))),
    "conj_mix": lambda m, z: m.reduce_sum(m.math.real(m.math.conj(z) * z * m.constant(C))),
}


@pytest.mark.parametrize("read_first", [False, True])
@pytest.mark.parametrize("name", sorted(_FNS))
def test_complex_source_gradients(name, read_first):
    def run(m):
        z = m.constant(Z)
        with m.GradientTape() as t:
            t.watch(z)
            y = _FNS[name](m, z)
        if read_first:   # the forward value is computed before the gradient
            y.numpy()
        return t.gradient(y, z)
    assert_struct_same(*both(run))


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_complex_target_with_output_gradients(dtype):
    def run(m):
        z = m.constant(Z.astype(dtype))
        with m.GradientTape() as t:
            t.watch(z)
            y = z * m.constant(C.astype(dtype)) + m.exp(z)
        return t.gradient(y, z, output_gradients=m.constant((C * 2 - 1j).astype(dtype)))
    assert_struct_same(*both(run))


def test_complex_variable_and_persistent_tape():
    def run(m):
        v = m.Variable(Z)
        with m.GradientTape(persistent=True) as t:
            y = m.reduce_sum(m.abs(v * v))
            w = m.reduce_sum(m.math.real(v * m.constant(C)))
        return t.gradient(y, v), t.gradient(w, v), t.gradient([y, w], v)
    assert_struct_same(*both(run))


def test_real_source_through_complex_intermediates():
    def run(m):
        x = m.constant([0.5, -1.5, 2.0])
        with m.GradientTape() as t:
            t.watch(x)
            z = m.complex(x, 2.0 * x)
            y = m.reduce_sum(m.abs(z * z))
        return t.gradient(y, x)
    assert_struct_same(*both(run))


def test_complex_gradient_recorded_by_an_outer_tape():
    def run(m):
        z = m.constant(Z)
        with m.GradientTape() as outer:
            outer.watch(z)
            with m.GradientTape() as inner:
                inner.watch(z)
                y = m.reduce_sum(m.abs(z) ** 2)
            g = inner.gradient(y, z)
            s = m.reduce_sum(m.math.real(g * m.constant(C)))
        return g, outer.gradient(s, z)
    assert_struct_same(*both(run))

"""Gradients through ``tf.map_fn``, ``tf.scan``, ``tf.foldl``/``foldr`` and
``tf.vectorized_map`` run eagerly under a GradientTape, against real TF."""
import numpy as np
import pytest

import tftape as tf
from oracle import real_tf
from test_tape import assert_struct_same, both

rtf = real_tf()

X = np.array([0.5, -1.0, 2.0, 1.5], np.float32)
M = np.arange(8, dtype=np.float32).reshape(4, 2) / 4.0

_CASES = {
    "map_fn": lambda m, x, w: m.map_fn(lambda e: m.sin(e) * w, x),
    "map_fn tuple": lambda m, x, w: m.map_fn(lambda e: e[0] * e[1] + w, (x, x * 2.0),
                                             fn_output_signature=m.float32),
    "map_fn rows": lambda m, x, w: m.map_fn(lambda r: m.reduce_sum(r * r) * w,
                                            m.reshape(m.tile(x, [2]), [4, 2])),
    "scan": lambda m, x, w: m.scan(lambda a, e: a * e + w, x),
    "scan initializer": lambda m, x, w: m.scan(lambda a, e: a * m.cos(e) + w, x, initializer=w),
    "scan reverse": lambda m, x, w: m.scan(lambda a, e: a * e + w, x, reverse=True),
    "scan tuple acc": lambda m, x, w: m.scan(lambda a, e: (a[0] + e * w, a[1] * e), x,
                                             initializer=(w, m.constant(1.0)))[1],
    "foldl": lambda m, x, w: m.foldl(lambda a, e: a * e + w, x),
    "foldr": lambda m, x, w: m.foldr(lambda a, e: a * e + w, x, initializer=w),
    "vectorized_map": lambda m, x, w: m.vectorized_map(lambda e: m.exp(e) * w, x),
}


@pytest.mark.parametrize("name", sorted(_CASES))
def test_gradients_through_functional_ops(name):
    def run(m):
        x = m.constant(X)
        w = m.Variable(1.5)
        with m.GradientTape() as t:
            t.watch(x)
            y = m.reduce_sum(_CASES[name](m, x, w))
        return y, t.gradient(y, [x, w])
    assert_struct_same(*both(run))


def test_map_fn_jacobian_and_nested_tapes():
    def run(m):
        x = m.constant(X)
        with m.GradientTape() as t2:
            t2.watch(x)
            with m.GradientTape() as t1:
                t1.watch(x)
                y = m.reduce_sum(m.map_fn(lambda e: e ** 3, x))
            g = t1.gradient(y, x)
        return g, t2.gradient(g, x)
    assert_struct_same(*both(run))


def test_without_a_tape_values_unchanged():
    def run(m):
        x = m.constant(M)
        return (m.map_fn(lambda r: r * 2.0, x), m.scan(lambda a, r: a + r, x),
                m.foldl(lambda a, r: a * r, x))
    assert_struct_same(*both(run))

"""tf.strings hashing ops and unicode_script against real TensorFlow."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

real_tf = pytest.importorskip("tensorflow")

import tftape as tf  # noqa: E402
from tests._oracle import compare  # noqa: E402
from tftape._core import farmhash as _farmhash  # noqa: E402

SETUP = """
p = tf.constant(["Café", "Coffee", "咖啡", "커피", "", "a" * 100])
r = tf.ragged.constant([["a", "bb"], [], ["ccc"]])
"""

EXPRS = [
    'tf.strings.to_hash_bucket_fast(p, 10)',
    'tf.strings.to_hash_bucket_fast(p, 1)',
    'tf.strings.to_hash_bucket_fast(p, 2**62)',
    'tf.strings.to_hash_bucket_fast("abc", 7)',
    'tf.strings.to_hash_bucket_fast([["a", "b"], ["c", "d"]], 7)',
    'tf.strings.to_hash_bucket_fast(r, 5)',
    'tf.strings.to_hash_bucket_fast(p, 0)',
    'tf.strings.to_hash_bucket_fast(p, -3)',
    'tf.strings.to_hash_bucket_fast([1], 3)',
    'tf.strings.to_hash_bucket_fast(tf.constant([1.0]), 3)',
    'tf.strings.to_hash_bucket(p, 10)',
    'tf.strings.to_hash_bucket(p, 2**40)',
    'tf.strings.to_hash_bucket("abc", 7)',
    'tf.strings.to_hash_bucket(r, 5)',
    'tf.strings.to_hash_bucket(p, 0)',
    'tf.strings.to_hash_bucket(tf.constant([3]), 4)',
    'tf.strings.to_hash_bucket_strong(p, 10, [1, 2])',
    'tf.strings.to_hash_bucket_strong(p, 2**50, [2**40, -7])',
    'tf.strings.to_hash_bucket_strong("x", 3, (5, 6))',
    'tf.strings.to_hash_bucket_strong(r, 5, [0, 0])',
    'tf.strings.to_hash_bucket_strong(p, 10, [1])',
    'tf.strings.to_hash_bucket_strong(p, 10, [1, 2, 3])',
    'tf.strings.to_hash_bucket_strong(p, 10, None)',
    'tf.strings.to_hash_bucket_strong(p, 0, [1, 2])',
    'tf.strings.to_hash_bucket_strong(["a"], 3, None)',
    'tf.strings.to_hash_bucket_strong(p, 3, 5)',
    'tf.strings.to_hash_bucket_strong(p, 3, "ab")',
    'tf.strings.to_hash_bucket_strong(p, 3, [1.5, 2])',
    'tf.strings.to_hash_bucket_strong(p, 3, [2**63, 1])',
    'tf.strings.to_hash_bucket_strong(p, 3, [-2**63, 2**63 - 1])',
    'tf.strings.to_hash_bucket_strong(p, 3, ["a", 2])',
    'tf.strings.to_hash_bucket_strong(p, 3, [None, 2])',
    'tf.strings.unicode_script([ord("a"), 0x4E00, ord("!"), 0x0416, 0x3042, 0x0627])',
    'tf.strings.unicode_script([-1, 0x110000, 2**31 - 1, -2**31, 0xD800, 0xE000, 0x10FFFF])',
    'tf.strings.unicode_script(65)',
    'tf.strings.unicode_script([[65, 66], [0x0300, 0x1F600]])',
    'tf.strings.unicode_script(tf.zeros([0, 3], tf.int32))',
    'tf.strings.unicode_script(tf.ragged.constant([[65, 0x0915], []]))',
    'tf.strings.unicode_script(tf.constant([1.0]))',
    'tf.strings.unicode_script(tf.constant([1], tf.int64))',
    'tf.strings.unicode_script(tf.strings.unicode_decode(p, "UTF-8"))',
]


@pytest.mark.parametrize("expr", EXPRS)
def test_matches_tf(expr):
    compare(real_tf, tf, SETUP, expr)


_bytes = st.lists(st.binary(min_size=0, max_size=150), min_size=1, max_size=12)


@settings(max_examples=25, deadline=None)
@given(data=_bytes, buckets=st.integers(1, 2**63 - 1))
def test_hash_buckets_random_bytes(data, buckets):
    for ours, theirs, kw in [
        (tf.strings.to_hash_bucket_fast, real_tf.strings.to_hash_bucket_fast, {}),
        (tf.strings.to_hash_bucket, real_tf.strings.to_hash_bucket, {}),
        (tf.strings.to_hash_bucket_strong, real_tf.strings.to_hash_bucket_strong,
         {"key": [buckets, 12345]}),
    ]:
        got, want = ours(data, buckets, **kw), theirs(data, buckets, **kw)
        assert got.dtype.name == want.dtype.name == "int64"
        np.testing.assert_array_equal(got.numpy(), want.numpy())


@pytest.mark.parametrize("n", list(range(70)) + [127, 128, 129, 200, 1000])
def test_fingerprint64_every_length_branch(n):
    data = bytes((i * 37 + n) % 256 for i in range(n))
    want = real_tf.strings.to_hash_bucket_fast([data], 2**63 - 1).numpy()[0]
    assert _farmhash.fingerprint64(data) % (2**63 - 1) == want
    # The top bit: TF's bucket for 2**62 buckets tells the low 62 bits.
    want62 = real_tf.strings.to_hash_bucket_fast([data], 2**62).numpy()[0]
    assert _farmhash.fingerprint64(data) % 2**62 == want62


def test_fingerprint64_known_value():
    assert _farmhash.fingerprint64(b"") == 0x9ae16a3b2f90404f


def test_hash_ops_in_function():
    f = tf.function(lambda x: tf.strings.to_hash_bucket_fast(x, 11))
    g = real_tf.function(lambda x: real_tf.strings.to_hash_bucket_fast(x, 11))
    np.testing.assert_array_equal(f(tf.constant(["q", "rs"])).numpy(),
                                  g(real_tf.constant(["q", "rs"])).numpy())


def test_unicode_script_every_code_point():
    cps = np.arange(0x110000, dtype=np.int32)
    got = tf.strings.unicode_script(cps)
    want = real_tf.strings.unicode_script(cps)
    assert got.dtype.name == want.dtype.name == "int32"
    np.testing.assert_array_equal(got.numpy(), want.numpy())


@settings(max_examples=20, deadline=None)
@given(cps=st.lists(st.integers(-2**31, 2**31 - 1), min_size=0, max_size=20))
def test_unicode_script_random_ints(cps):
    x = np.asarray(cps, dtype=np.int32)
    np.testing.assert_array_equal(tf.strings.unicode_script(x).numpy(),
                                  real_tf.strings.unicode_script(x).numpy())


def test_unicode_script_in_function():
    f = tf.function(tf.strings.unicode_script)
    x = [65, 0x3042, 0x05D0, 0x10FFFF]
    np.testing.assert_array_equal(f(tf.constant(x)).numpy(),
                                  real_tf.strings.unicode_script(x).numpy())

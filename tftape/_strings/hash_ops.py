"""String hashing to buckets: ``to_hash_bucket`` (TF's Hash64), ``to_hash_bucket_fast``
(FarmHash Fingerprint64) and ``to_hash_bucket_strong`` (keyed SipHash-2-4)."""
from __future__ import annotations

import numpy as np

from .._core.errors import InvalidArgumentError, int_attr
from .._core.tensor import Tensor
from .._core import farmhash as _farmhash
from ._common import host_op, is_ragged, kernel_msg, run, string_input

_SIG = {
    "StringToHashBucket": "string_tensor:string -> output:int64; attr=num_buckets:int,min=1",
    "StringToHashBucketFast": "input:string -> output:int64; attr=num_buckets:int,min=1",
    "StringToHashBucketStrong": ("input:string -> output:int64; attr=num_buckets:int,min=1; "
                                 "attr=key:list(int)"),
}

_bucket = host_op("string_to_hash_bucket", "StringToHashBucket",
                  lambda b, n: _farmhash.hash64(b) % n, np.int64)
_bucket_fast = host_op("string_to_hash_bucket_fast", "StringToHashBucketFast",
                       lambda b, n: _farmhash.fingerprint64(b) % n, np.int64)
_bucket_strong = host_op("string_to_hash_bucket_strong", "StringToHashBucketStrong",
                         lambda b, n, key: _farmhash.siphash(key, b) % n, np.int64)


def _check_buckets(op_name: str, num_buckets) -> int:
    n = int(num_buckets)
    if n < 1:
        raise InvalidArgumentError(None, None, (
            f"Value for attr 'num_buckets' of {n} must be at least minimum 1\n\t; NodeDef: "
            f"{{{{node {op_name}}}}}; Op<name={op_name}; signature={_SIG[op_name]}> "
            f"[Op:{op_name}] name: "))
    return n


def to_hash_bucket(input, num_buckets: int, name=None):  # noqa: A002
    """Hashes each string with TF's legacy ``Hash64`` into ``num_buckets`` buckets.

    >>> import tftape as tf
    >>> tf.strings.to_hash_bucket(["Hello", "TF"], 3).numpy()
    array([2, 1])
    """
    if is_ragged(input):
        return input.with_flat_values(to_hash_bucket(input.flat_values, num_buckets))
    n = _check_buckets("StringToHashBucket", num_buckets)
    return run(_bucket, string_input(input, "StringToHashBucket"), n=n)


def to_hash_bucket_fast(input, num_buckets: int, name=None):  # noqa: A002
    """Hashes each string with FarmHash Fingerprint64 into ``num_buckets`` buckets.

    >>> import tftape as tf
    >>> tf.strings.to_hash_bucket_fast(["Hello", "TensorFlow", "2.x"], 3).numpy()
    array([0, 2, 2])
    """
    if is_ragged(input):
        return input.with_flat_values(to_hash_bucket_fast(input.flat_values, num_buckets))
    n = _check_buckets("StringToHashBucketFast", num_buckets)
    return run(_bucket_fast, string_input(input, "StringToHashBucketFast"), n=n)


def to_hash_bucket_strong(input, num_buckets: int, key, name=None):  # noqa: A002
    """Hashes each string with SipHash-2-4 keyed by ``key`` (two ints) into buckets.

    >>> import tftape as tf
    >>> tf.strings.to_hash_bucket_strong(["Hello", "TF"], 3, [1, 2]).numpy()
    array([2, 0])
    """
    if is_ragged(input):
        return input.with_flat_values(to_hash_bucket_strong(input.flat_values, num_buckets, key))
    if key is None and isinstance(input, Tensor):
        key = []  # Note: TF's eager fast path passes a None key on as an empty list.
    if not isinstance(key, (list, tuple)):
        raise TypeError(f"Expected list for 'key' argument to 'string_to_hash_bucket_strong' "
                        f"Op, not {key!r}.")
    n = _check_buckets("StringToHashBucketStrong", num_buckets)
    t = string_input(input, "StringToHashBucketStrong")
    if len(key) != 2:
        raise kernel_msg("StringToHashBucketStrong", "Key must have 2 elements")
    k0, k1 = (int_attr(k, "key") & (2**64 - 1) for k in key)
    return run(_bucket_strong, t, n=n, key=(k0, k1))

"""``tf.fingerprint``: FarmHash Fingerprint64 of each row, as TF's ``Fingerprint`` kernel."""
from __future__ import annotations

import struct

import numpy as np
import jax.numpy as jnp

from .._core import dtypes as _d
from .._core.farmhash import fingerprint64
from .._core.errors import kernel_error
from .._core.tensor import Tensor, make
from ._util import host, tensor

def fingerprint(data, method="farmhash64", name=None) -> Tensor:
    """An 8-byte FarmHash fingerprint of each row of ``data`` (``uint8 [rows, 8]``).

    >>> import tftape as tf
    >>> tf.fingerprint(tf.constant([""])).numpy().tolist()
    [[79, 64, 144, 47, 59, 106, 225, 154]]
    """
    t = tensor(data)
    m = method.numpy().decode() if isinstance(method, Tensor) else str(method)
    if t.ndim < 1:
        raise kernel_error("Fingerprint", "`data` should have at least one dimension: []",
                           name=None)
    if m != "farmhash64":
        raise kernel_error("Fingerprint", f"Unsupported fingerprint method: {m}", name=None)
    rows = t.shape[0]
    out = np.zeros((rows, 8), np.uint8)
    if t.dtype is _d.string:
        vals = t.numpy().reshape(rows, -1)
        for r in range(rows):
            fps = [fingerprint64(bytes(v)) for v in vals[r]]
            # A row of several strings: the fingerprint of their fingerprints, as TF's kernel.
            fp = fps[0] if len(fps) == 1 else fingerprint64(
                b"".join(struct.pack("<Q", f) for f in fps))
            out[r] = np.frombuffer(struct.pack("<Q", fp), np.uint8)
    else:
        flat = np.ascontiguousarray(host(t)).reshape(rows, -1)
        flat = flat.astype(flat.dtype.newbyteorder("<"))
        for r in range(rows):
            out[r] = np.frombuffer(struct.pack("<Q", fingerprint64(flat[r].tobytes())), np.uint8)
    return make(jnp.asarray(out), _d.uint8)

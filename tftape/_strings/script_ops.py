"""``tf.strings.unicode_script``: the ICU script code of each code point."""
from __future__ import annotations

import numpy as np

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._core.errors import op_error
from .._core.registry import op
from .._core.tensor import Tensor
from ._common import is_ragged, run

_TABLE = None


def _table():
    global _TABLE
    if _TABLE is None:
        from ._script_table import PAIRS
        pairs = np.asarray(PAIRS, dtype=np.int64).reshape(-1, 2)
        _TABLE = pairs[:, 0], pairs[:, 1].astype(np.int32)
    return _TABLE


def _scripts(x, **_):
    import jax.numpy as jnp
    starts, codes = _table()
    idx = jnp.searchsorted(jnp.asarray(starts, jnp.int32), x, side="right") - 1
    out = jnp.asarray(codes)[jnp.clip(idx, 0, len(codes) - 1)]
    # USCRIPT_INVALID_CODE (-1) outside [0, 0x10FFFF], as ICU's uscript_getScript.
    return jnp.where((x < 0) | (x > 0x10FFFF), jnp.int32(-1), out)


_unicode_script = op("unicode_script", "UnicodeScript", _scripts, differentiable=False)


def unicode_script(input, name=None):  # noqa: A002
    """The ICU ``UScriptCode`` of each int32 code point (-1 for an invalid one).

    The codes come from a range table of the Unicode Scripts data that TF 2.21's ICU uses
    (see scripts/gen_unicode_script_table.py).

    >>> import tftape as tf
    >>> tf.strings.unicode_script([ord("a"), 0x4E00, ord("!"), 0x0416]).numpy()
    array([25, 17,  0,  8], dtype=int32)
    """
    if is_ragged(input):
        return input.with_flat_values(unicode_script(input.flat_values))
    t = input if isinstance(input, Tensor) else convert_to_tensor(input, dtype=_d.int32)
    if t.dtype is not _d.int32:
        raise op_error("UnicodeScript", f"cannot compute UnicodeScript as input #0(zero-based) "
                                        f"was expected to be a int32 tensor but is a "
                                        f"{_d.TF_TYPE_NAMES[t.dtype]} tensor")
    return run(_unicode_script, t)

"""The array-API methods of Tensor: ``__array_namespace__``, ``to_device`` and ``mT``.

Tensor lives in ``_core``, below the namespace, so the namespace attaches them from here, as
``_ops.operators`` attaches the operators. They import the namespace when first called:
``import tftape`` does not load it.
"""
from __future__ import annotations

from .._core.tensor import Tensor


def __array_namespace__(self, *, api_version=None):
    """The Python array API namespace (standard 2023.12) for tftape tensors."""
    from .array_api import _namespace
    return _namespace(api_version)


def to_device(self, device, /, *, stream=None):
    """The tensor on ``device`` (a TF device string, a jax Device or None)."""
    from .array_api._common import _to_device
    return _to_device(self, device, stream)


def _matrix_transpose(self):
    """The matrix transpose of the last two axes (array API)."""
    from .array_api._manip import matrix_transpose
    return matrix_transpose(self)


Tensor.__array_namespace__ = __array_namespace__
Tensor.to_device = to_device
Tensor.mT = property(_matrix_transpose, doc=_matrix_transpose.__doc__)

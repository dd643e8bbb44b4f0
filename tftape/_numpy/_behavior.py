"""``tnp.experimental_enable_numpy_behavior``: NumPy methods, promotion and indexing on Tensor.

As in TF the switch is process-wide and one-way for users: it adds NumPy methods to
``tf.Tensor`` (``T``, ``reshape``, ``astype``, ...), makes Tensor *operators* (not the
``tf.*`` functions: ``tf.add`` stays strict, as in TF) promote their operands with NumPy's
rules, and gives ``Tensor.__getitem__`` NumPy's advanced indexing. Variables keep their own
``__getitem__`` and get no NumPy methods, but their operators promote too (they read first).
"""
from __future__ import annotations

import logging
import numbers

import numpy as np

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._core.tensor import Tensor
from . import _config as cfg
from ._base import cast, jcall

_MISSING = object()
_SAVED: dict = {}   # (class, attribute) -> original value, for _disable (tests)

_BINARY = ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and", "or",
           "xor")
_COMPARE = ("__lt__", "__le__", "__gt__", "__ge__", "__eq__", "__ne__")


def experimental_enable_numpy_behavior(prefer_float32=False, dtype_conversion_mode="legacy"):
    """Enables NumPy behaviour on Tensors, process-wide (as in TF).

    Adds NumPy methods to ``tf.Tensor`` (``T``, ``reshape``, ``ravel``, ``astype``, ...),
    switches Tensor operators to NumPy's type promotion and enables NumPy-style indexing.

    Args:
      prefer_float32: Python floats infer float32 instead of float64 in ``tnp`` functions.
      dtype_conversion_mode: 'legacy' (NumPy promotion), 'off', 'safe' or 'all'.

    >>> import tftape as tf
    >>> import tftape.experimental.numpy as tnp
    >>> tnp.experimental_enable_numpy_behavior()
    >>> tf.constant([1, 2]) + 0.5
    <tf.Tensor: shape=(2,), dtype=float64, numpy=array([1.5, 2.5])>
    >>> tnp._disable_numpy_behavior()
    """
    mode = cfg.check_mode(dtype_conversion_mode)
    if mode in ("safe", "all"):
        logging.getLogger("tensorflow").warning(
            "UserWarning: enabling the new type promotion must happen at the beginning of the "
            "program. Please ensure no TF APIs have been used yet.")
        # Note: TF's 'safe'/'all' modes introduce WeakTensor, which changes tf.constant and
        # every op; we do not have it, and a silently different promotion would be worse.
        raise NotImplementedError(
            f"dtype_conversion_mode={mode!r} (TF's WeakTensor auto dtype conversion) is not "
            "supported by tftape; use 'legacy' (the default) or 'off'.")
    cfg.STATE["mode"] = mode
    cfg.set_prefer_float32(prefer_float32)
    _enable_methods()
    _enable_operators()


def _disable_numpy_behavior():
    """Restores TF's default behaviour (not in TF's API; lets tests isolate the switch)."""
    for (cls, name), v in reversed(list(_SAVED.items())):
        if v is _MISSING:
            try:
                delattr(cls, name)
            except AttributeError:
                pass
        else:
            setattr(cls, name, v)
    _SAVED.clear()
    cfg.STATE.update(mode="off", prefer_float32=False, methods=False)


def _install(cls, name, value):
    if (cls, name) not in _SAVED:
        _SAVED[(cls, name)] = cls.__dict__.get(name, _MISSING)
    setattr(cls, name, value)


# -- NumPy methods ---------------------------------------------------------------------------
def _t(self):
    return self.transpose()


def _size(self):
    return np.prod(tuple(self._v.shape))


def _tolist(self):
    from .._ops._util import is_concrete
    if not is_concrete(self):
        raise ValueError("Symbolic Tensors do not support the tolist API.")
    return self._numpy().tolist()


def _astype(self, dtype, name=None):
    from .._ops.math_ops import cast as tf_cast
    return tf_cast(self, dtype)


def _enable_methods():
    from . import _array as A
    from . import _math as M
    if cfg.STATE["methods"]:
        return
    _install(Tensor, "T", property(_t))
    _install(Tensor, "size", property(_size))
    _install(Tensor, "tolist", _tolist)
    _install(Tensor, "transpose", A.transpose)
    _install(Tensor, "flatten", A.flatten)
    _install(Tensor, "reshape", A._reshape_method)
    _install(Tensor, "ravel", A.ravel)
    _install(Tensor, "clip", M.clip)
    _install(Tensor, "astype", _astype)
    _install(Tensor, "__round__", A.around)
    _install(Tensor, "max", M.amax)
    _install(Tensor, "mean", M.mean)
    _install(Tensor, "min", M.amin)
    _install(Tensor, "data", property(lambda self: self))
    _install(Tensor, "__getitem__", _numpy_getitem(Tensor.__getitem__))
    cfg.STATE["methods"] = True


# -- operators ---------------------------------------------------------------------------------
def _operand_dtype(x):
    """What TF's ``maybe_promote_tensors`` feeds NumPy for one operand, or None to not promote."""
    if isinstance(x, bool) or isinstance(x, numbers.Real) and not isinstance(x, np.generic):
        return x
    if isinstance(x, Tensor) or cfg._is_variable(x):
        return cfg._np_dtype(x.dtype)
    if isinstance(x, (np.ndarray, np.generic, complex)):
        return x
    return None


def _leaves(x, out):
    # TF flattens the operands with tf.nest first, so a list contributes its elements.
    if isinstance(x, (list, tuple)):
        for i in x:
            _leaves(i, out)
    else:
        out.append(_operand_dtype(x))
    return out


def promote_operands(x, y):
    """NumPy-style promotion of two operator operands (TF's ``maybe_promote_tensors``)."""
    if not cfg.numpy_style_promotion():
        return x, y
    leaves = _leaves([x, y], [])
    if any(d is None for d in leaves):
        return x, y
    if cfg.is_prefer_float32():
        leaves = [np.float32(d) if type(d) is float else d for d in leaves]
    dt = cfg.as_tf(cfg.canonicalize(np.result_type(*leaves)))

    def conv(v):
        if isinstance(v, Tensor):
            return cast(v, dt)
        if cfg._is_variable(v):
            return cast(convert_to_tensor(v), dt)
        return convert_to_tensor(v, dt)
    return conv(x), conv(y)


def _promoting(orig):
    def op(x, y):
        x, y = promote_operands(x, y)
        return orig(x, y)
    op.__name__ = getattr(orig, "__name__", "op")
    return op


def _matmul(x, y):
    if cfg.numpy_style_promotion() and _operand_dtype(y) is not None:
        from ._math import matmul
        return matmul(x, y)
    return _SAVED[(Tensor, "__matmul__")](x, y)


def _rmatmul(x, y):
    if cfg.numpy_style_promotion() and _operand_dtype(y) is not None:
        from ._math import matmul
        return matmul(y, x)
    return _SAVED[(Tensor, "__rmatmul__")](x, y)


def _reading(name):
    def op(self, *args):
        return getattr(Tensor, name)(convert_to_tensor(self), *args)
    op.__name__ = name
    return op


def _enable_operators():
    from .._variables import ResourceVariable
    if (Tensor, "__add__") in _SAVED:
        return
    names = [f % n for n in _BINARY for f in ("__%s__", "__r%s__")] + list(_COMPARE)
    for name in names:
        orig = Tensor.__dict__.get(name) or getattr(Tensor, name)
        _SAVED[(Tensor, name)] = Tensor.__dict__.get(name, _MISSING)
        if name == "__matmul__":
            setattr(Tensor, name, _matmul)
        elif name == "__rmatmul__":
            setattr(Tensor, name, _rmatmul)
        else:
            setattr(Tensor, name, _promoting(orig))
        if name in ResourceVariable.__dict__:
            _install(ResourceVariable, name, _reading(name))


# -- NumPy-style indexing ---------------------------------------------------------------------------
def _is_basic(k) -> bool:
    if k is None or k is Ellipsis or type(k) is slice:
        return True
    if isinstance(k, (bool, np.bool_)):
        return False
    if isinstance(k, (int, np.integer)):
        return True
    if isinstance(k, Tensor):
        return k._v.ndim == 0 and k._dtype.is_integer
    if isinstance(k, np.ndarray):
        return k.ndim == 0 and k.dtype.kind in "iu"
    return False


def _as_spec_tuple(key):
    """TF's ``_as_spec_tuple``: a list of indices is one index unless it holds slices/arrays."""
    if isinstance(key, (list, tuple)) and not isinstance(key, np.ndarray):
        for s in key:
            if s is None or s is Ellipsis or isinstance(s, (list, tuple, slice)) or \
                    (isinstance(s, (Tensor, np.ndarray)) and s.ndim != 0):
                return tuple(key)
    return (key,)


def _is_bool_mask(k) -> bool:
    return isinstance(k, bool) or (isinstance(k, Tensor) and k._dtype is _d.bool) or \
        (isinstance(k, np.ndarray) and k.dtype == np.bool_)


def _index(x, key):
    return x[key]


def _advanced(t: Tensor, key: tuple) -> Tensor:
    """NumPy advanced indexing; integer arrays are bounds-checked (JAX would clamp)."""
    from .._core.errors import InvalidArgumentError, kernel_error
    shape = tuple(t._v.shape)
    n_ell = sum(1 for k in key if k is Ellipsis)
    used = sum(1 for k in key if k is not None and k is not Ellipsis)
    out = []
    dim = 0
    for k in key:
        if k is Ellipsis:
            dim += len(shape) - used
            out.append(k)
            continue
        if k is None:
            out.append(k)
            continue
        if _is_basic(k):
            out.append(k.numpy().item() if isinstance(k, Tensor) else k)
            dim += 1
            continue
        arr = k.numpy() if isinstance(k, Tensor) else np.asarray(k)
        if arr.dtype == np.bool_:
            idx = np.nonzero(arr)
            out.extend(idx)
            dim += arr.ndim
            continue
        if arr.dtype.kind not in "iu":
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), numpy.newaxis "
                             "(`None`) and integer or boolean arrays are valid indices")
        n = shape[dim] if dim < len(shape) else 0
        bad = arr[(arr < -n) | (arr >= n)]
        if bad.size:
            pos = int(np.flatnonzero((arr.ravel() < -n) | (arr.ravel() >= n))[0])
            raise kernel_error("GatherV2", f"indices[{pos}] = {int(bad.ravel()[0])} is not in "
                               f"[0, {n})", InvalidArgumentError)
        out.append(arr)
        dim += 1
    if n_ell > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    if dim > len(shape):
        raise IndexError(f"too many indices for array: array is {len(shape)}-dimensional, "
                         f"but {dim} were indexed")
    return jcall("np_getitem", _index, t, tuple(out))


def _numpy_getitem(orig):
    def __getitem__(self, key):
        if _is_bool_mask(key):
            from .._ops.array_ops import boolean_mask
            return boolean_mask(self, key)
        spec = _as_spec_tuple(key) if not isinstance(key, tuple) else key
        if all(_is_basic(k) for k in spec):
            return orig(self, key)
        return _advanced(self, spec)
    return __getitem__

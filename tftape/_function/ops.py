"""Graph-building helpers that are (mostly) trivial under eager execution and JAX tracing.

``py_function``/``numpy_function`` run Python on the host (``jax.pure_callback`` when traced);
``Assert`` and ``ensure_shape`` check at every call; scopes and dependencies are no-ops, since
JAX orders effects itself.
"""
from __future__ import annotations

import contextlib
import logging

import jax
import numpy as np

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._core.errors import InvalidArgumentError, kernel_error
from .._core.registry import STATE
from .._core.shape import TensorShape
from .._core.tensor import Tensor, make
from .._core import nest as _nest
from . import _capture


def _symbolic(t) -> bool:
    return isinstance(getattr(t, "_v", None), jax.core.Tracer)


# -- scopes -------------------------------------------------------------------------------------
class name_scope(contextlib.AbstractContextManager):
    """A context naming the ops created in it (``tf.name_scope``); yields ``"name/"``.

    >>> import tftape as tf
    >>> with tf.name_scope("layer") as scope:
    ...     print(scope)
    layer/
    """

    _stack: list = []

    def __init__(self, name, default_name=None, values=None):
        if name is None and default_name is None:
            raise ValueError("name_scope requires a name")
        self._name = name if name is not None else default_name

    @property
    def name(self):
        return self._name

    def __enter__(self):
        prefix = "".join(name_scope._stack)
        name = self._name
        scope = name if name.endswith("/") else prefix + name + "/"
        name_scope._stack.append(scope[len(prefix):] if scope.startswith(prefix) else scope)
        return scope

    def __exit__(self, *exc):
        if name_scope._stack:
            name_scope._stack.pop()
        return None


@contextlib.contextmanager
def init_scope():
    """Lifts code out of the function being traced (``tf.init_scope``): runs it eagerly."""
    from .._core.registry import tracing_scope  # noqa: F401 - documents the counterpart
    st = STATE
    saved = st.tracing
    scopes = _capture._L.scopes
    saved_scopes = list(scopes)
    st.tracing = 0
    scopes.clear()
    try:
        yield
    finally:
        st.tracing = saved
        scopes.extend(saved_scopes)


@contextlib.contextmanager
def control_dependencies(control_inputs):
    """Orders ops after ``control_inputs``; JAX keeps program order already, so a no-op."""
    if control_inputs is not None and not isinstance(control_inputs, (list, tuple)):
        raise TypeError(f"Control input must be an Operation, a Tensor, or IndexedSlices: "
                        f"{control_inputs!r}")
    yield


def no_op(name=None):
    """Does nothing (``tf.no_op``); returns None under eager execution, as TF."""
    return None


def group(*inputs, name=None):
    """Groups ops (``tf.group``); returns None under eager execution, as TF."""
    return None


def get_logger():
    """TF's ``tensorflow`` logger (``tf.get_logger``)."""
    logger = logging.getLogger("tensorflow")
    if not logger.handlers:
        h = logging.StreamHandler()
        h.setFormatter(logging.Formatter("%(levelname)s:%(name)s:%(message)s"))
        logger.addHandler(h)
        logger.propagate = False
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.WARNING)
    return logger


_CONVERSION_FUNCTIONS: list = []


def register_tensor_conversion_function(base_type, conversion_func, priority=100):
    """Lets ``tf.convert_to_tensor`` accept ``base_type`` via ``conversion_func``.

    The class gains a ``__tf_tensor__`` hook (the protocol tftape's conversion uses).
    """
    if not callable(conversion_func):
        raise TypeError("conversion_func must be callable.")
    types = base_type if isinstance(base_type, tuple) else (base_type,)
    for t in types:
        if not isinstance(t, type):
            raise TypeError(f"base_type must be a type or a tuple of types: {base_type!r}")
        if t in (object, np.ndarray, np.generic) or issubclass(t, Tensor):
            raise TypeError(f"Cannot register conversions for Python numeric types and NumPy "
                            f"scalars and arrays: {t}")

        def hook(value, dtype=None, name=None, _f=conversion_func):
            out = _f(value, dtype=dtype, name=name, as_ref=False)
            return out if isinstance(out, Tensor) else convert_to_tensor(out, dtype=dtype)
        t.__tf_tensor__ = hook
    _CONVERSION_FUNCTIONS.append((base_type, conversion_func, priority))


# -- host Python --------------------------------------------------------------------------------
def _host_call(func, inp, Tout, as_tensors, name):
    inp = list(inp) if isinstance(inp, (list, tuple)) else [inp]
    ts = [convert_to_tensor(x) if not getattr(type(x), "_is_tf_variable", False)
          else x.read_value() for x in inp]
    single = Tout is not None and not isinstance(Tout, (list, tuple))
    touts = [] if Tout is None else ([Tout] if single else list(Tout))
    touts = [_d.as_dtype(getattr(t, "dtype", t)) for t in touts]

    def run_host(*arrays):
        args = [make(jax.numpy.asarray(a), t._dtype) if as_tensors and t._dtype is not _d.string
                else (a if not as_tensors else t) for a, t in zip(arrays, ts)]
        if not as_tensors:
            args = [np.asarray(a) for a in args]
        res = func(*args)
        flat = res if isinstance(res, (list, tuple)) else [res]
        if Tout is None:
            return []
        out = []
        for r, dt in zip(flat, touts):
            a = np.asarray(r.numpy() if isinstance(r, Tensor) else r)
            out.append(a.astype(dt._np) if dt is not _d.string else a)
        return out

    if not any(_symbolic(t) for t in ts):
        arrays = [t._v if t._dtype is _d.string else np.asarray(t._v) for t in ts]
        if as_tensors:
            res = func(*ts)
            if Tout is None:
                return None
            flat = res if isinstance(res, (list, tuple)) else [res]
            outs = [convert_to_tensor(r, dtype=dt) if not isinstance(r, Tensor) or
                    r.dtype is dt else r for r, dt in zip(flat, touts)]
        else:
            outs = [convert_to_tensor(a, dtype=dt) for a, dt in zip(run_host(*arrays), touts)]
        if Tout is None:
            return None
        return outs[0] if single else outs
    if any(t._dtype is _d.string for t in ts) or any(dt is _d.string for dt in touts):
        raise _capture._EagerOnly("string values in py_function")
    # Note: inside tf.function the shapes of the results are unknown to TF; JAX needs them,
    # so the function is probed once on zeros of the input shapes.
    with init_scope(), jax.ensure_compile_time_eval():
        probe = run_host(*[np.zeros(t._v.shape, t._v.dtype) for t in ts])
    shapes = [jax.ShapeDtypeStruct(np.shape(p), dt._np) for p, dt in zip(probe, touts)]
    outs = jax.pure_callback(lambda *a: tuple(run_host(*a)), tuple(shapes), *[t._v for t in ts])
    res = [make(o, dt) for o, dt in zip(outs, touts)]
    if Tout is None:
        return None
    return res[0] if single else res


def py_function(func=None, inp=None, Tout=None, name=None):
    """Runs ``func`` on eager Tensors on the host, even inside tf.function.

    >>> import tftape as tf
    >>> tf.py_function(lambda x: x * 2, [tf.constant(2)], tf.int32)
    <tf.Tensor: shape=(), dtype=int32, numpy=4>
    """
    if func is None:
        return lambda f: (lambda *a: py_function(f, list(a), Tout, name))
    return _host_call(func, inp, Tout, True, name)


def numpy_function(func=None, inp=None, Tout=None, stateful=True, name=None):
    """Runs ``func`` on NumPy arrays on the host, even inside tf.function."""
    if func is None:
        return lambda f: (lambda *a: numpy_function(f, list(a), Tout, stateful, name))
    return _host_call(func, inp, Tout, False, name)


# -- checks --------------------------------------------------------------------------------------
def ensure_shape(x, shape, name=None):
    """Returns ``x`` after checking that its shape is compatible with ``shape``.

    >>> import tftape as tf
    >>> tf.ensure_shape(tf.constant([1, 2]), [None])
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([1, 2], dtype=int32)>
    """
    t = x if isinstance(x, Tensor) else convert_to_tensor(x)
    want = TensorShape(shape)
    if not want.is_compatible_with(t.shape):
        got = "[" + ",".join(str(d) for d in t.shape.as_list()) + "]"
        exp = "[" + ",".join("?" if d is None else str(d) for d in want.as_list()) + "]" \
            if want.rank is not None else "<unknown>"
        if _symbolic(t):
            raise ValueError(f"Shape must be rank {want.rank} but is rank {t.ndim}" if
                             want.rank != t.ndim else
                             f"Dimension is not compatible: {t.shape} vs. {want}")
        raise kernel_error("EnsureShape", f"Shape of tensor input {got} is not compatible with "
                                          f"expected shape {exp}.", InvalidArgumentError, name or "")
    return t


def Assert(condition, data, summarize=None, name=None):  # noqa: N802 - TF's name
    """Raises InvalidArgumentError if ``condition`` is false, showing ``data``."""
    c = condition.read_value() if getattr(type(condition), "_is_tf_variable", False) \
        else condition
    c = c if isinstance(c, Tensor) else convert_to_tensor(c)
    n = 3 if summarize is None else summarize
    data = list(data)
    if not _symbolic(c):
        if not bool(np.all(np.asarray(c._v))):
            parts = []
            for d in data:
                if isinstance(d, Tensor):
                    a = np.asarray(d._v).reshape(-1)
                    parts.append(", ".join(str(x) for x in a[:n]) + (", ..." if a.size > n
                                                                      else ""))
                else:
                    parts.append(repr(d.encode() if isinstance(d, str) else d))
            head = f"Expected '{c!s}' to be true. Summarized data: "
            raise InvalidArgumentError(None, None, head + "\n".join(parts))
        return None
    tensors = [d for d in data if isinstance(d, Tensor) and d._dtype is not _d.string]

    def make_error(vals):
        it = iter(vals)
        parts = []
        for d in data:
            if isinstance(d, Tensor) and d._dtype is not _d.string:
                from ._asserts import _vals
                parts.append(_vals(next(it), n))
                continue
            else:
                s = d.numpy() if isinstance(d, Tensor) else d
                parts.append(f"[{s.decode() if isinstance(s, bytes) else s}]")
        return InvalidArgumentError(None, None, "assertion failed: " + " ".join(parts))
    _capture.add_check(jax.numpy.all(c._v), [t._v for t in tensors], make_error)
    return None


def assert_equal(x, y, data=None, summarize=None, message=None, name=None):
    """Asserts ``x == y`` element-wise (``tf.debugging.assert_equal``)."""
    from . import _asserts
    return _asserts.compare("equal", x, y, data, summarize, message)

"""User functions of tf.data transformations (``map``, ``filter``, ``flat_map``, ``reduce``).

TF traces such a function once, when the transformation is created, to learn its output
structure, and then runs the graph for every element. Here the function is converted with
AutoGraph and wrapped in a ``tf.function`` (one XLA call per element shape); its output spec
is learnt at creation by tracing it on the input spec (dimensions unknown in the spec are
probed with two sizes: those that follow them become ``None``). Functions JAX cannot trace
(string or ragged inputs, data-dependent shapes, Python control flow on tensor values) run
eagerly per element.
"""
from __future__ import annotations

import contextlib
import io

import numpy as np

from .._core import dtypes as _d
from .._core.tensor import Tensor
from . import _structure as st

# A map whose elements keep changing shape would compile once per shape: after this many
# distinct shapes the function runs eagerly instead.
_MAX_TRACES = 16


def _dummy(spec, n, fill=0):
    """A value ``fill`` matching ``spec`` with unknown dimensions of size ``n``."""
    if st.is_sparse_spec(spec):
        dims = [n if d is None else d for d in spec.shape.as_list()]
        return st.HostSparse(np.zeros((0, len(dims)), np.int64), _full([0], spec.dtype, fill),
                             dims)
    if st.is_ragged_spec(spec) and spec.ragged_rank > 0:
        dims = [n if d is None else d for d in spec.shape.as_list()]
        rows = dims[0]
        splits = []
        for _ in range(spec.ragged_rank):
            splits.append(np.arange(rows + 1, dtype=spec.row_splits_dtype._np) * n)
            rows = rows * n
        inner = dims[spec.ragged_rank + 1:]
        vals = _full([rows] + inner, spec.dtype, fill)
        return st.HostRagged(vals, splits)
    shape = spec.shape.as_list() if spec.shape.rank is not None else []
    return _full([n if d is None else d for d in shape], spec.dtype, fill)


def _full(shape, dtype, fill):
    if dtype is _d.string:
        a = np.empty(shape, dtype=object)
        a.fill(b"x " * fill)
        return a
    return np.full(shape, fill, dtype=dtype._np)


def _has_unknown(specs) -> bool:
    return any(s.shape.rank is None or None in s.shape.as_list() for s in specs)


def normalize_output(ret):
    """TF's rule: a list returned by a tf.data function becomes a tuple."""
    if isinstance(ret, list):
        return tuple(ret)
    return ret


class StructuredFunction:
    """A user function over dataset elements with a known output structure.

    Args:
      func: the user's function; called as ``func(*element)`` when the element is a tuple,
        else ``func(element)``.
      in_structure: the nested spec of the input elements.
      name: the transformation, for messages (``"Dataset.map()"``).
    """

    def __init__(self, func, in_structure, name="Dataset.map()"):
        from .._function import autograph
        self._func = func
        self._name = name
        self._in = in_structure
        self._in_flat = st.flatten(in_structure)
        self._converted = autograph.convert(func)
        self._jit = None
        self._eager = any(s.dtype is _d.string or not st.dense_spec(s) for s in self._in_flat)
        self.out_structure = None
        self._out_flat = None
        self._infer()

    # -- calling ------------------------------------------------------------------------------
    def _call_user(self, *flat_user):
        args = st.pack(self._in, flat_user)
        if type(args) is not tuple:
            args = (args,)
        return normalize_output(self._converted(*args))

    def call(self, flat_components):
        """Runs the function on one element (flat host components); returns its output."""
        users = [st.to_user(c, s) for c, s in zip(flat_components, self._in_flat)]
        if not self._eager:
            jit = self._jit
            if len(jit._cache) < _MAX_TRACES:
                return jit(*users)
            self._eager = True
        return self._call_user(*users)

    def call_flat(self, flat_components):
        """Like :meth:`call`, but returns the output's flat host components."""
        ret = self.call(flat_components)
        if self._out_flat is None:
            self._set_structure(ret)
        leaves = st.flatten(ret)
        if len(leaves) != len(self._out_flat):
            raise TypeError(f"Unsupported return value from function passed to {self._name}: "
                            f"{ret}.")
        return tuple(st.to_host(x) for x in leaves)

    # -- output structure -----------------------------------------------------------------------
    def _set_structure(self, ret):
        leaves = st.flatten(ret)
        try:
            specs = [st.spec_of(st.to_host(x)) for x in leaves]
        except (TypeError, ValueError) as e:
            raise TypeError(f"Unsupported return value from function passed to {self._name}: "
                            f"{ret}.") from e
        self.out_structure = st.pack(ret, specs)
        self._out_flat = specs

    def _infer(self):
        sizes = (2, 3) if _has_unknown(self._in_flat) else (2,)
        if not self._eager:
            try:
                self._infer_traced(sizes)
                return
            except Exception as e:  # noqa: BLE001
                from .._function._fallback import _untraceable
                if not (_untraceable(e) or isinstance(e, _NotTensor)):
                    raise
                self._eager = True
                self._jit = None
        try:
            # Eagerly, output shapes may follow input *values* (tf.fill([x], x)): probe two.
            self._infer_eager((2, 3))
        except Exception:  # noqa: BLE001
            # Zero-valued probes may be invalid input for the function (parsing "" as a
            # number): the structure is then learnt from the first element.
            self.out_structure = None
            self._out_flat = None

    def _probe(self, sizes, run):
        results = []
        for i, n in enumerate(sizes):
            # Python side effects (print) show once, as when TF traces the function.
            quiet = contextlib.redirect_stdout(io.StringIO()) if i else contextlib.nullcontext()
            with quiet:
                results.append(run(n))
        first = results[0]
        specs = [r[1] for r in results]
        flat = []
        for j, s in enumerate(specs[0]):
            merged = st.relax([sp[j] for sp in specs])
            flat.append(merged if merged is not None else s)
        self.out_structure = st.pack(first[0], flat)
        self._out_flat = flat

    def _infer_traced(self, sizes):
        from .._function.function import Function
        from .._function.specs import TensorSpec
        self._jit = Function(self._call_user, autograph=False,
                             name=getattr(self._func, "__name__", "fn").replace("<", "")
                             .replace(">", ""))

        def run(n):
            dummies = [TensorSpec(np.shape(_dummy(s, n)), s.dtype) for s in self._in_flat]
            cf = self._jit.get_concrete_function(*dummies)
            out = cf.structured_outputs
            leaves = st.flatten(out)
            for x in leaves:
                if not isinstance(x, Tensor):
                    raise _NotTensor()
            return out, [TensorSpec(x.shape, x.dtype) for x in leaves]
        self._probe(sizes, run)

    def _infer_eager(self, sizes):
        def run(n):
            users = [st.to_user(_dummy(s, n, n - 1), s) for s in self._in_flat]
            out = self._call_user(*users)
            leaves = st.flatten(out)
            return out, [st.spec_of(st.to_host(x)) for x in leaves]
        self._probe(sizes, run)


class _NotTensor(Exception):
    """A traced function returned a composite value: it runs eagerly instead."""

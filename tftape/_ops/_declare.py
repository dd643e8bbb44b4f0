"""One declaration per op: a kernel and the TF API function around it, in one call.

``op(...)`` (``_core.registry``) declares a kernel: its TF op name, dtypes, JAX impl and
gradient. TF's Python wrappers add more around the kernel, and each declaration here says
that too, so that adding an elementwise op is one line:

- ``unary`` and ``binary`` give the API function: TF's argument names, the eager fast paths
  (no conversion when the operands already are tensors of an allowed dtype), broadcasting
  checks, composite dispatch (RaggedTensor, SparseTensor ... implement the API themselves),
  a host path for string tensors (``strings=``) and a check of the operands on the host before
  the kernel runs (``check=``: integer division by zero, for example);
- ``dispatches`` gives a hand-written API function the same composite dispatch (``tf.add``
  concatenates strings, ``tf.cast`` takes a static dtype: their conversion rules are their own).

The API function keeps its kernel as ``fn.op``.
"""
from __future__ import annotations

import inspect
import sys

import numpy as np
import jax.numpy as jnp

from .._core import dtypes as _d
from .._core.graph_names import DEFAULT_NAMES as _GRAPH_NAMES
from .._core.registry import (Op, check_dtype, dt_name, convert_inputs, dispatch, execute,
                              execute_binary, has_composite, op, raise_invalid)
from .._core.convert import convert_to_tensor, _scalar
from .._core.methods import publish
from .._core.state import STATE
from .._core.tensor import EagerTensor, PendingTensor, Tensor, make, vshape
from ._util import fmt_shape, is_concrete, tensor


def check_broadcast(o: Op, sa, sb, a=None, b=None):
    """Raises when shapes ``sa`` and ``sb`` (of operands ``a`` and ``b``) do not broadcast:
    ``o``'s InvalidArgumentError eagerly, and TF's shape-inference ValueError while a
    tf.function traces (TF finds the mismatch when it builds the graph)."""
    for da, db in zip(reversed(sa), reversed(sb)):
        if da != db and da != 1 and db != 1:
            if STATE.tracing and a is not None:
                raise ValueError(_graph_shape_message(o, da, db, sa, sb, a, b))
            raise_invalid(o, f"Incompatible shapes: {fmt_shape(sa)} vs. {fmt_shape(sb)}")


def _graph_shape_message(o: Op, da, db, sa, sb, a, b) -> str:
    # TF's message names the node (``{{node Equal}} = Equal[T=DT_FLOAT, ...](x, y)``), its
    # inputs by their graph names, and the input shapes as ``[2,3]``.
    node = (_GRAPH_NAMES.get(o.tf_name, o.tf_name))
    dtypes = frozenset(o.dtypes or _d.ALL)
    attrs = [] if len(dtypes) == 1 else [f"T={dt_name(a._dtype)}"]
    if o.tf_name in ("Equal", "NotEqual"):
        attrs.append("incompatible_shape_error=true")
    inputs = ", ".join(_input_name(t) for t in (a, b))
    shapes = ", ".join("[" + ",".join("?" if d is None else str(d) for d in s) + "]"
                       for s in (sa, sb))
    return (f"Dimensions must be equal, but are {da} and {db} for '{{{{node {node}}}}} = "
            f"{o.tf_name}[{', '.join(attrs)}]({inputs})' with input shapes: {shapes}.")


def _input_name(t) -> str:
    name = getattr(t, "_name", None) or "Const"
    return name[:-2] if name.endswith(":0") else name


def dispatches(api_name: str, n: int = 1):
    """Decorates an API function so that composite values among its first ``n`` parameters
    implement it (``__tf_dispatch__``, see ``registry.dispatch``).

    The composite sees the ``n`` operands by position and every other argument by name,
    defaults included (``name`` left out): ``cast(rt, tf.float32)`` reaches it as
    ``args=(rt,), kwargs={"dtype": tf.float32}``.
    """
    def decorate(fn):
        sig = inspect.signature(fn)
        operands = list(sig.parameters)[:n]

        def api(*args, **kwargs):
            if has_composite(args) or (kwargs and has_composite(kwargs.values())):
                bound = sig.bind(*args, **kwargs)
                bound.apply_defaults()
                given = bound.arguments
                r = dispatch(api_name, api, tuple(given[p] for p in operands),
                             {k: v for k, v in given.items() if k not in operands and k != "name"})
                if r is not NotImplemented:
                    return r
            return fn(*args, **kwargs)
        # Note: named as ``fn`` without ``__wrapped__``, which would lead introspection (the
        # API reference, ``help``) to ``fn`` itself, often a factory's nested function.
        api.__signature__ = sig
        return publish(api, fn.__name__, fn.__module__, fn.__doc__)
    return decorate


def _renamed(fn, args: tuple[str, ...], public: str):
    """``fn`` (whose parameters are ``x[, y], name``) under TF's argument names ``args``."""
    params = [inspect.Parameter(a, inspect.Parameter.POSITIONAL_OR_KEYWORD) for a in args]
    params.append(inspect.Parameter("name", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                    default=None))
    sig = inspect.Signature(params)

    def api(*a, **kw):
        if kw:
            try:
                a = sig.bind(*a, **kw).args
            except TypeError as e:
                raise TypeError(f"{public}() {e}") from None
        return fn(*a)
    api.__signature__ = sig
    return api


def _finish(fn, o: Op, public: str, doc: str, args, default_args):
    if args != default_args:
        fn = _renamed(fn, args, public)
    # The declaring module (the caller of ``unary``/``binary``) is where the function lives.
    publish(fn, public, sys._getframe(2).f_globals["__name__"], doc)
    fn.op = o
    return fn


def unary(name: str, tf_name: str, impl, dtypes, doc: str = "", *, arg: str = "x",
          convert=None, public: str | None = None, **op_kw):
    """Declares an elementwise unary op and returns its API function ``fn(x, name=None)``.

    ``arg`` is TF's name for the operand. ``convert(o, operands)``: the conversion of
    operands that are not yet tensors of an allowed dtype, where it is not the default
    (``tf.logical_not`` wants bools). ``op_kw`` go to ``op`` (``tf_grad``, ...).
    """
    op_kw.setdefault("signature", f"{arg}:T -> y:T")
    o = op(name, tf_name, impl, dtypes=dtypes, elementwise=True, **op_kw)
    return _finish(_unary_api(o, convert), o, public or name, doc, (arg,), ("x",))


def _unary_api(o: Op, convert):
    ok = frozenset(o.dtypes or _d.ALL) - o.no_kernel

    def fn(x, name=None):
        tx = type(x)
        if (tx is EagerTensor or tx is PendingTensor) and x._dtype in ok:
            return execute(o, (x,))
        if has_composite((x,)):
            r = dispatch(o.name, fn, (x,), {})
            if r is not NotImplemented:
                return r
        if convert is not None:
            (t,) = convert(o, (x,))
        else:
            t = x if isinstance(x, Tensor) else tensor(x)
            check_dtype(o, t)
        return execute(o, (t,))
    return fn


def binary(name: str, tf_name: str, impl, dtypes, doc: str = "", *,
           args: tuple[str, str] = ("x", "y"), strings=None, check=None, convert=None,
           public: str | None = None, **op_kw):
    """Declares an elementwise binary op and returns its API function ``fn(x, y, name=None)``.

    ``args``: TF's names for the operands. ``strings``: a NumPy predicate computing the op on
    string tensors on the host (the kernel has no string form). ``check(o, y)``: a host check
    of the second operand before the kernel runs (integer division by zero); under
    tf.function it becomes a runtime check (see ``arithmetic_ops``). ``convert``: as for
    ``unary``. ``op_kw`` go to ``op``.
    """
    o = op(name, tf_name, impl, dtypes=dtypes, elementwise=True, **op_kw)
    fn = _binary_api(o, strings, convert or convert_inputs)
    if check is not None:
        fn = _checked(o, fn, check, public or o.name)
    return _finish(fn, o, public or o.name, doc, args, ("x", "y"))


def _binary_api(o: Op, strings, convert):
    # Note: no JAX array of strings exists, so string dtypes never take the kernel path.
    ok = frozenset(o.dtypes or _d.ALL) - o.no_kernel - {_d.string}
    ok_float = frozenset(d for d in ok if d.is_floating)
    numpy_fast = not o.lenient and convert is convert_inputs

    def fn(x, y, name=None):
        # The common cases first: two eager (or pending) tensors of one allowed dtype, and a
        # float tensor with a Python number (converted to its dtype, as the slow path does).
        # A Variable operand is read first (what converting it does).
        tx = type(x)
        if tx is not EagerTensor and getattr(tx, "_is_tf_variable", False):
            x = x.read_value()
            tx = type(x)
        if tx is EagerTensor or tx is PendingTensor:
            ty = type(y)
            if ty is not EagerTensor and getattr(ty, "_is_tf_variable", False):
                y = y.read_value()
                ty = type(y)
            if ty is EagerTensor or ty is PendingTensor:
                if x._dtype is y._dtype and x._dtype in ok:
                    sa, sb = vshape(x), vshape(y)
                    if sa != sb:
                        check_broadcast(o, sa, sb, x, y)
                    return execute_binary(o, x, y)
            elif (ty is float or ty is int) and x._dtype in ok_float:
                try:
                    b = _scalar(y, x._dtype)
                except (TypeError, ValueError):
                    pass
                else:
                    return execute_binary(o, x, b)
            elif ty is np.ndarray and numpy_fast and x._dtype in ok:
                # A NumPy operand (a training set): converted to the tensor's dtype, exactly
                # as ``convert_inputs`` would.
                b = convert_to_tensor(y, dtype=x._dtype)
                sa, sb = vshape(x), vshape(b)
                if sa != sb:
                    check_broadcast(o, sa, sb, x, b)
                return execute_binary(o, x, b)
        if has_composite((x, y)):
            r = dispatch(o.name, fn, (x, y), {})
            if r is not NotImplemented:
                return r
        a, b = convert(o, (x, y))
        sa, sb = vshape(a), vshape(b)
        if sa != sb:
            check_broadcast(o, sa, sb, a, b)
        if strings is not None and a._dtype is _d.string:
            return make(jnp.asarray(np.asarray(strings(a._v, b._v), dtype=bool)), _d.bool)
        return execute(o, (a, b))
    return fn


_FLOATING = frozenset(d for d in _d.ALL if d.is_floating)


def _checked(o: Op, raw, check, public: str):
    def fn(x, y, name=None):
        tx = type(x)
        if (tx is EagerTensor or tx is PendingTensor) and x._dtype in _FLOATING:
            return raw(x, y)  # the checks are for integer operands only
        if has_composite((x, y)):
            r = dispatch(o.name, fn, (x, y), {})
            if r is not NotImplemented:
                return r
        a, b = convert_inputs(o, (x, y))
        check(o, b)
        out = raw(a, b)
        if b._dtype.is_integer and not is_concrete(b):
            check.traced(o, b, out, public)
        return out
    return fn

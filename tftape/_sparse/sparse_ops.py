"""Conversions and arithmetic of SparseTensors: to_dense, from_dense, reorder, matmul, add.

Ops that move values are registry ops (pure JAX, so GradientTapes record them and gradients
reach ``values``); index bookkeeping is NumPy on the host, as TF's CPU kernels do it.
"""
from __future__ import annotations

import numpy as np
import jax
import jax.numpy as jnp

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._core.errors import kernel_error
from .._core.methods import attach
from .._core.registry import dtype_error, execute, op
from .._core.tensor import Tensor, make_string
from .._ops import array_ops
from .._ops._util import fmt_shape, is_concrete
from .sparse_tensor import _TRUEDIV, _UNARY_APIS, SparseTensor, convert_to_sparse


# -- helpers ------------------------------------------------------------------------------------
def host(t: Tensor) -> np.ndarray:
    return t._v if t._dtype is _d.string else np.asarray(t._v)


def shape_of(sp: SparseTensor) -> tuple:
    c = sp._host_cache()
    s = c.get("shape")
    if s is None:
        s = c["shape"] = tuple(int(d) for d in host(sp.dense_shape).tolist())
    return s


def host_indices(sp: SparseTensor) -> np.ndarray:
    c = sp._host_cache()
    h = c.get("indices")
    if h is None:
        h = c["indices"] = host(sp.indices)
    return h


def fmt_index(row) -> str:
    return "[" + ",".join(str(int(x)) for x in row) + "]"


def int64(a) -> Tensor:
    return convert_to_tensor(np.asarray(a, dtype=np.int64).reshape(np.shape(a)))


def take(values: Tensor, positions) -> Tensor:
    """``values[positions]`` through tf.gather, so a tape records it."""
    positions = np.asarray(positions, dtype=np.int64)
    if positions.size == values._v.shape[0] and np.array_equal(positions,
                                                               np.arange(positions.size)):
        return values
    return array_ops.gather(values, convert_to_tensor(positions))


def _idx_tuple(indices, rank):
    return tuple(indices[:, i] for i in range(rank))


# -- to_dense -------------------------------------------------------------------------------------
def _to_dense_impl(indices, values, default, shape, accumulate):
    if not shape:
        if values.shape[0] == 0:
            return default
        return jnp.sum(values) + default if accumulate else values[-1]
    out = jnp.full(shape, default, dtype=values.dtype)
    idx = _idx_tuple(indices, len(shape))
    # Note: JAX drops out-of-bounds scatter updates silently; indices are validated first.
    return out.at[idx].add(values) if accumulate else out.at[idx].set(values)


_to_dense_op = op("sparse_to_dense", "SparseToDense", _to_dense_impl)


def _validate(o_name: str, idx: np.ndarray, shape: tuple, ordered: bool):
    """TF's SparseToDense checks: bounds, then (if ``ordered``) strict lexicographic order."""
    n = idx.shape[0]
    if n == 0:
        return
    dims = np.asarray(shape, dtype=np.int64)
    oob = ((idx < 0) | (idx >= dims)).any(axis=1)
    first_oob = int(np.argmax(oob)) if oob.any() else n
    first_bad, kind = n, None
    if ordered and n > 1:
        prev, cur = idx[:-1], idx[1:]
        diff = cur != prev
        any_diff = diff.any(axis=1)
        first = np.argmax(diff, axis=1)
        rows = np.arange(n - 1)
        less = any_diff & (cur[rows, first] < prev[rows, first])
        equal = ~any_diff
        bad = less | equal
        if bad.any():
            first_bad = int(np.argmax(bad)) + 1
            kind = "order" if less[first_bad - 1] else "repeat"
    if first_oob <= first_bad and first_oob < n:
        raise kernel_error(o_name, f"indices[{first_oob}] = {fmt_index(idx[first_oob])} is out of "
                                   f"bounds: need 0 <= index < {fmt_shape(shape)}")
    if kind == "order":
        raise kernel_error(o_name, f"indices[{first_bad}] = {fmt_index(idx[first_bad])} is out of "
                                   f"order. Many sparse ops require sorted indices.\n    Use "
                                   f"`tf.sparse.reorder` to create a correctly ordered copy.\n\n")
    if kind == "repeat":
        raise kernel_error(o_name, f"indices[{first_bad}] = {fmt_index(idx[first_bad])} is "
                                   f"repeated")


def to_dense(sp_input, default_value=None, validate_indices=True, name=None) -> Tensor:
    """The dense tensor a SparseTensor represents (``tf.sparse.to_dense``).

    >>> import tftape as tf
    >>> s = tf.SparseTensor(indices=[[0, 1]], values=[5], dense_shape=[1, 3])
    >>> tf.sparse.to_dense(s).numpy()
    array([[0, 5, 0]], dtype=int32)
    """
    sp = convert_to_sparse(sp_input)
    values = sp.values
    dtype = values.dtype
    if default_value is None:
        default = convert_to_tensor(b"" if dtype is _d.string else 0, dtype=dtype) \
            if dtype is not _d.bool else convert_to_tensor(False)
    elif isinstance(default_value, Tensor):
        default = default_value
        if default.dtype is not dtype:
            raise dtype_error(_to_dense_op, 3, dtype, default.dtype)
    else:
        default = convert_to_tensor(default_value, dtype=dtype)
    return _dense(sp, values, default, bool(validate_indices))


def _dense(sp: SparseTensor, values: Tensor, default: Tensor, validate: bool,
           accumulate: bool = False) -> Tensor:
    if not is_concrete(sp.dense_shape):
        raise NotImplementedError("tf.sparse.to_dense needs a static dense_shape inside "
                                  "tf.function")
    shape = shape_of(sp)
    checked = sp._host_cache().setdefault("checked", set())
    if is_concrete(sp.indices) and ("to_dense", validate) not in checked:
        _validate("SparseToDense", host_indices(sp), shape, validate)
        checked.add(("to_dense", validate))
    if values.dtype is _d.string:
        out = np.full(shape, host(default)[()], dtype=object)
        idx = host(sp.indices)
        for i, v in zip(idx, host(values)):
            out[tuple(i)] = v
        return make_string(out)
    return execute(_to_dense_op, (sp.indices, values, default), (shape, accumulate),
                   {"shape": shape, "accumulate": accumulate})


# -- from_dense and reorder ----------------------------------------------------------------------
def from_dense(tensor, name=None) -> SparseTensor:
    """The non-zero entries of a dense tensor, in row-major order (``tf.sparse.from_dense``).

    >>> import tftape as tf
    >>> tf.sparse.from_dense([0, 3]).indices.numpy()
    array([[1]])
    """
    t = convert_to_tensor(tensor)
    if t.ndim == 0:
        raise kernel_error("Where", "WhereOp : Unhandled input dimensions: 0")
    v = host(t)
    nz = (v != b"") if t.dtype is _d.string else (v != 0)
    idx = np.argwhere(nz).astype(np.int64).reshape(-1, t.ndim)
    values = array_ops.gather_nd(t, int64(idx)) if t.dtype is not _d.string else \
        make_string(v[nz].astype(object))
    return SparseTensor(int64(idx), values, int64(list(v.shape)))


def reorder(sp_input, name=None) -> SparseTensor:
    """Sorts the entries into row-major (lexicographic) order (``tf.sparse.reorder``).

    >>> import tftape as tf
    >>> s = tf.SparseTensor(indices=[[1], [0]], values=[1, 2], dense_shape=[2])
    >>> tf.sparse.reorder(s).values.numpy()
    array([2, 1], dtype=int32)
    """
    sp = convert_to_sparse(sp_input)
    idx = host(sp.indices)
    perm = np.lexsort(idx.T[::-1]) if idx.shape[1] else np.arange(idx.shape[0])
    return SparseTensor(int64(idx[perm]), take(sp.values, perm), sp.dense_shape)


# -- sparse x dense matmul -------------------------------------------------------------------------
def _spmm_impl(indices, values, b, rows_out, adjoint_a, adjoint_b):
    rows, cols = indices[:, 0], indices[:, 1]
    if adjoint_a:
        rows, cols = cols, rows
        values = jnp.conj(values)
    if adjoint_b:
        b = jnp.conj(b.T)
    # Segment sums beat a BCOO product on CPU (benchmarks/bench_sparse.py).
    return jax.ops.segment_sum(values[:, None] * b[cols], rows, num_segments=rows_out)


_spmm_op = op("sparse_dense_matmul", "SparseTensorDenseMatMul", _spmm_impl,
              dtypes=_d.NUMERIC)


# TF registers SparseTensorDenseMatMul CPU kernels for these value types only (in this order).
_SPMM_KERNELS = (_d.bfloat16, _d.complex128, _d.complex64, _d.int32, _d.float64, _d.float32,
                 _d.float16)


def _spmm_no_kernel(dtype, adjoint_a, adjoint_b):
    from .._core.errors import NotFoundError
    enum = lambda d: "DT_" + {"float32": "FLOAT", "float64": "DOUBLE",  # noqa: E731
                              "float16": "HALF"}.get(d.name, d.name.upper())
    lines = "".join(f"\n  device='CPU'; T in [{enum(d)}]; Tindices in [{ti}]"
                    for d in _SPMM_KERNELS for ti in ("DT_INT32", "DT_INT64"))
    return NotFoundError(
        None, None,
        f"Could not find device for node: {{{{node SparseTensorDenseMatMul}}}} = "
        f"SparseTensorDenseMatMul[T={enum(dtype)}, Tindices=DT_INT64, "
        f"adjoint_a={str(bool(adjoint_a)).lower()}, adjoint_b={str(bool(adjoint_b)).lower()}]"
        f"\nAll kernels registered for op SparseTensorDenseMatMul:{lines}\n "
        f"[Op:SparseTensorDenseMatMul] name: ")


def sparse_dense_matmul(sp_a, b, adjoint_a=False, adjoint_b=False, name=None) -> Tensor:
    """``sp_a @ b`` for a rank-2 SparseTensor and a dense matrix (either may be the sparse one).

    >>> import tftape as tf
    >>> s = tf.SparseTensor(indices=[[0, 1]], values=[2.], dense_shape=[1, 2])
    >>> tf.sparse.sparse_dense_matmul(s, [[1.], [3.]]).numpy()
    array([[6.]], dtype=float32)
    """
    if isinstance(b, SparseTensor):
        if adjoint_a != adjoint_b:
            out = sparse_dense_matmul(b, sp_a, adjoint_a, adjoint_b)
        else:
            out = sparse_dense_matmul(b, sp_a, not adjoint_a, not adjoint_b)
        return array_ops.transpose(out)
    sp = convert_to_sparse(sp_a)
    bt = convert_to_tensor(b)
    o = _spmm_op
    if sp.values.dtype is not bt.dtype:
        raise dtype_error(o, 3, sp.values.dtype, bt.dtype)
    if bt.dtype not in _SPMM_KERNELS:
        raise _spmm_no_kernel(bt.dtype, adjoint_a, adjoint_b)
    a_shape = shape_of(sp)
    if len(a_shape) != 2:
        raise kernel_error(o.tf_name, "Tensor 'a_shape' must have 2 elements")
    if bt.ndim != 2:
        raise kernel_error(o.tf_name, "Tensor 'b' is not a matrix")
    adjoint_a, adjoint_b = bool(adjoint_a), bool(adjoint_b)
    out_rows = a_shape[1] if adjoint_a else a_shape[0]
    inner_left = a_shape[0] if adjoint_a else a_shape[1]
    inner_right = bt._v.shape[1] if adjoint_b else bt._v.shape[0]
    if inner_left != inner_right:
        raise kernel_error(o.tf_name, f"Cannot multiply A and B because inner dimension does not "
                                      f"match: {inner_left} vs. {inner_right}.  Did you forget a "
                                      f"transpose?  Dimensions of A: [{a_shape[0]}, {a_shape[1]})."
                                      f"  Dimensions of B: {fmt_shape(bt._v.shape)}")
    checked = sp._host_cache().setdefault("checked", set())
    if is_concrete(sp.indices) and (o.name, adjoint_a) not in checked:
        idx = host_indices(sp)
        li, ri = (1, 0) if adjoint_a else (0, 1)
        for col, bound, label in ((li, out_rows, "m"), (ri, inner_left, "k")):
            bad = (idx[:, col] < 0) | (idx[:, col] >= bound)
            if bad.any():
                i = int(np.argmax(bad))
                raise kernel_error(o.tf_name, f"{label} ({int(idx[i, col])}) from index[{i},{col}] "
                                              f"out of bounds (>={bound})")
        checked.add((o.name, adjoint_a))
    return execute(o, (sp.indices, sp.values, bt), (out_rows, adjoint_a, adjoint_b),
                   {"rows_out": out_rows, "adjoint_a": adjoint_a, "adjoint_b": adjoint_b})


# -- sparse (op) dense elementwise --------------------------------------------------------------
def _cwise_impl(indices, values, dense, shape, kind):
    d = jnp.broadcast_to(dense, shape)[_idx_tuple(indices, len(shape))]
    return values * d if kind == "mul" else values / d


_CWISE = {"mul": op("sparse_dense_cwise_mul", "SparseDenseCwiseMul",
                    lambda i, v, d, shape: _cwise_impl(i, v, d, shape, "mul")),
          "div": op("sparse_dense_cwise_div", "SparseDenseCwiseDiv",
                    lambda i, v, d, shape: _cwise_impl(i, v, d, shape, "div"))}


def _cwise(sp: SparseTensor, other, kind: str, dense_first: bool = False) -> SparseTensor:
    """``sp * y`` / ``sp / y``: ``y`` broadcasts to the dense shape; the result stays sparse."""
    o = _CWISE[kind]
    if dense_first:
        # ``dense * sp`` reaches the kernel unconverted: a dtype mismatch is a kernel error.
        y = other
        if y.dtype is not sp.dtype:
            raise dtype_error(o, 3, sp.dtype, y.dtype)
    else:
        try:
            y = convert_to_tensor(other, dtype=sp.dtype)
        except ValueError as e:
            if str(e).startswith("Tensor conversion requested"):
                raise ValueError(f"y: {e}") from None
            raise
    shape = shape_of(sp)
    ys = tuple(y._v.shape)
    ok = len(ys) <= len(shape) and all(a == b or a == 1 for a, b in
                                       zip(reversed(ys), reversed(shape)))
    if not ok:
        raise kernel_error(o.tf_name, f"SparseDenseBinaryOpShared broadcasts dense to sparse "
                                      f"only; got incompatible shapes: {fmt_shape(shape)} vs. "
                                      f"{fmt_shape(ys)}")
    if kind == "div" and is_concrete(y) and bool(np.any(host(y) == 0)):
        raise kernel_error(o.tf_name, "SparseDenseCwiseDiv cannot divide by zero,but input dense "
                                      "tensor contains zero ")
    vals = execute(o, (sp.indices, sp.values, y), (shape,), {"shape": shape})
    return SparseTensor(sp.indices, vals, sp.dense_shape)


# -- add ----------------------------------------------------------------------------------------
def _dense_add_impl(indices, values, dense):
    return dense.at[_idx_tuple(indices, dense.ndim)].add(values)


_dense_add_op = op("sparse_tensor_dense_add", "SparseTensorDenseAdd", _dense_add_impl)


def _merge_impl(a_vals, b_vals, ia, ib):
    zero = jnp.zeros((), a_vals.dtype)
    av = jnp.where(ia >= 0, a_vals[jnp.maximum(ia, 0)], zero) if a_vals.shape[0] else \
        jnp.zeros(ia.shape, a_vals.dtype)
    bv = jnp.where(ib >= 0, b_vals[jnp.maximum(ib, 0)], zero) if b_vals.shape[0] else \
        jnp.zeros(ib.shape, b_vals.dtype)
    return av + bv


_sparse_add_op = op("sparse_add", "SparseAdd", _merge_impl)
_SPARSE_CLASSES = (SparseTensor,)


def _merge(a_idx, b_idx):
    """TF's SparseAdd merge of two (assumed sorted) index lists: (a_pos, b_pos) per output."""
    i = j = 0
    na, nb = a_idx.shape[0], b_idx.shape[0]
    ia, ib = [], []
    a_rows = [tuple(r) for r in a_idx.tolist()]
    b_rows = [tuple(r) for r in b_idx.tolist()]
    while i < na and j < nb:
        ra, rb = a_rows[i], b_rows[j]
        if ra < rb:
            ia.append(i)
            ib.append(-1)
            i += 1
        elif ra > rb:
            ia.append(-1)
            ib.append(j)
            j += 1
        else:
            ia.append(i)
            ib.append(j)
            i += 1
            j += 1
    ia += list(range(i, na))
    ib += [-1] * (na - i)
    ia += [-1] * (nb - j)
    ib += list(range(j, nb))
    return np.asarray(ia, np.int64), np.asarray(ib, np.int64)


def add(a, b, threshold=0) -> "SparseTensor | Tensor":
    """Sparse + sparse (a SparseTensor) or sparse + dense (a dense Tensor); ``tf.sparse.add``.

    >>> import tftape as tf
    >>> s = tf.SparseTensor(indices=[[0]], values=[1.], dense_shape=[2])
    >>> tf.sparse.add(s, tf.ones([2])).numpy()
    array([2., 1.], dtype=float32)
    """
    if not any(isinstance(x, _SPARSE_CLASSES) for x in (a, b)):
        raise TypeError("At least one input should be SparseTensor; do you mean to use tf.add()?")
    if all(isinstance(x, _SPARSE_CLASSES) for x in (a, b)):
        return _add_sparse(a, b, threshold)
    if isinstance(b, _SPARSE_CLASSES):
        a, b = b, a
    o = _dense_add_op
    if isinstance(b, Tensor):
        d = b
        if d.dtype is not a.dtype:
            raise dtype_error(o, 3, a.dtype, d.dtype)
    else:
        d = convert_to_tensor(b, dtype_hint=a.dtype)
        if d.dtype is not a.dtype:
            raise dtype_error(o, 3, a.dtype, d.dtype)
    shape = shape_of(a)
    ds = tuple(d._v.shape)
    if len(ds) != len(shape):
        raise kernel_error(o.tf_name, f"Two operands have different ranks; received: "
                                      f"{len(shape)} and {len(ds)}")
    for k, (x, y) in enumerate(zip(shape, ds)):
        if x != y:
            raise kernel_error(o.tf_name, f"Dimension {k} does not equal (no broadcasting is "
                                          f"supported): sparse side {x} vs dense side {y}")
    if is_concrete(a.indices):
        _validate(o.tf_name, host(a.indices), shape, False)
    return execute(o, (a.indices, a.values, d))


def _add_sparse(a: SparseTensor, b: SparseTensor, threshold) -> SparseTensor:
    o = _sparse_add_op
    if b.dtype is not a.dtype:
        raise dtype_error(o, 4, a.dtype, b.dtype)
    thr = convert_to_tensor(threshold, dtype=a.dtype.real_dtype)
    ai, bi = host(a.indices), host(b.indices)
    if ai.shape[1] != bi.shape[1]:
        raise kernel_error(o.tf_name, f"Input indices must have the same dimension, got "
                                      f"{ai.shape[1]} and {bi.shape[1]}")
    sa, sb = shape_of(a), shape_of(b)
    for k, (x, y) in enumerate(zip(sa, sb)):
        if x != y:
            raise kernel_error(o.tf_name, f"Operands' shapes do not match: got {x} and {y} for "
                                          f"dimension {k}")
    ia, ib = _merge(ai, bi)
    t = float(np.abs(host(thr)))
    if t > 0:
        # TF drops only merged entries whose sum is below the threshold.
        both = (ia >= 0) & (ib >= 0)
        if both.any():
            sums = host(a.values)[ia[both]] + host(b.values)[ib[both]]
            keep = np.ones(ia.shape, bool)
            keep[np.flatnonzero(both)[np.abs(sums) < t]] = False
            ia, ib = ia[keep], ib[keep]
    out_idx = np.where((ia >= 0)[:, None], ai[np.maximum(ia, 0)] if ai.shape[0] else 0,
                       bi[np.maximum(ib, 0)] if bi.shape[0] else 0).reshape(-1, ai.shape[1])
    if a.dtype is _d.string:
        raise dtype_error(o, 1, _d.float32, _d.string)
    vals = execute(o, (a.values, b.values, int64(ia), int64(ib)))
    return SparseTensor(int64(out_idx), vals, a.dense_shape)


__all__ = ["to_dense", "from_dense", "reorder", "sparse_dense_matmul", "add"]


# -- SparseTensor's operators ---------------------------------------------------------------
def _sp_mul(self, other):
    return _cwise(self, other, "mul")

def _sp_truediv(self, other):
    y = convert_to_tensor(other, dtype=self.dtype)
    if self.dtype not in _TRUEDIV and not (self.dtype.is_floating or self.dtype.is_complex):
        raise TypeError(f"Invalid dtype {self.dtype!r} in __truediv__.")
    target = _TRUEDIV.get(self.dtype)
    sp = self
    if target is not None:
        from .._ops.math_ops import cast
        sp = self.with_values(cast(self._values, target))
        y = cast(y, target)
    return _cwise(sp, y, "div")

def _sp_div(self, other):
    return _cwise(self, other, "div")


def _sp_tf_dispatch(api_name, api_fn, args, kwargs):
    x = args[0] if args else None
    if api_name in _UNARY_APIS and isinstance(x, SparseTensor):
        return SparseTensor(x._indices, api_fn(x._values, *args[1:], **kwargs),
                            x._dense_shape)
    if api_name == "cast" and isinstance(x, SparseTensor):
        from .._ops.math_ops import cast
        return SparseTensor(x._indices, cast(x._values, kwargs["dtype"]), x._dense_shape)
    if api_name == "multiply" and len(args) == 2 and isinstance(args[1], SparseTensor) \
            and isinstance(x, Tensor):
        # ``dense * sp``: TF's Tensor.__mul__ hands a sparse right operand to
        # SparseDenseCwiseMul (math_ops._mul_dispatch). Python scalars are rejected.
        return _cwise(args[1], x, "mul", dense_first=True)
    return NotImplemented


attach(SparseTensor, "__mul__", _sp_mul)
attach(SparseTensor, "__truediv__", _sp_truediv)
attach(SparseTensor, "__div__", _sp_div)
attach(SparseTensor, "__tf_dispatch__", _sp_tf_dispatch, staticmethod)

"""``tf.sparse.SparseTensor``: (indices, values, dense_shape), with TF's reprs and operators.

The three components are ordinary Tensors, so values flowing through registry ops are recorded
by GradientTapes and may be tracers inside ``tf.function``. Index bookkeeping (sorting,
validation, slicing) runs on the host, as TF's CPU kernels do.
"""
from __future__ import annotations

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._core.shape import TensorShape
from .._core.type_spec import ShapeDtypeSpec
from .._core.tensor import Tensor

# TF's class path, shown in the conversion error TF raises for a SparseTensor operand.
_TF_CLASS = "<class 'tensorflow.python.framework.sparse_tensor.SparseTensor'>"

# TF registers these unary elementwise APIs for SparseTensor (sparse_ops._UNARY_OPS): they map
# over ``values``. Every other elementwise API rejects a SparseTensor, as in TF.
_UNARY_APIS = frozenset({"abs", "negative", "asinh", "sin", "tan", "atan", "asin", "atanh",
                         "sign", "square", "sqrt", "erf", "tanh", "bessel_i0e", "bessel_i1e"})

# ``sp / y`` casts integer values as TF's __truediv__ does (sparse_tensor._TRUEDIV_TABLE).
_TRUEDIV = {_d.uint8: _d.float32, _d.int8: _d.float32, _d.uint16: _d.float32,
            _d.int16: _d.float32, _d.uint32: _d.float64, _d.int32: _d.float64,
            _d.uint64: _d.float64, _d.int64: _d.float64}


def _component(value, dtype, name: str) -> Tensor:
    try:
        return convert_to_tensor(value, dtype=dtype)
    except ValueError as e:
        if str(e).startswith("Tensor conversion requested"):
            raise ValueError(f"{name}: {e}") from None
        raise


def _static_shape(dense_shape: Tensor) -> TensorShape:
    """TF's constant_value_as_shape: -1 entries are unknown dimensions."""
    from .._ops._util import is_concrete
    if not is_concrete(dense_shape):
        n = dense_shape._v.shape[0] if dense_shape._v.ndim == 1 else None
        return TensorShape(None if n is None else [None] * n)
    if dense_shape._v.ndim != 1:
        return TensorShape(None)
    return TensorShape([None if d < 0 else int(d) for d in dense_shape.numpy().tolist()])


def _check_compatible(a, b):
    if a is not None and b is not None and a != b:
        raise ValueError(f"Dimensions {a} and {b} are not compatible")


class SparseTensor:
    """A sparse tensor: ``values[i]`` sits at ``indices[i]`` of a ``dense_shape`` tensor.

    >>> import tftape as tf
    >>> s = tf.SparseTensor(indices=[[0, 1], [1, 0]], values=[1., 2.], dense_shape=[2, 2])
    >>> s.shape, s.dtype
    (TensorShape([2, 2]), tf.float32)
    """

    _is_composite_tensor = True

    def __init__(self, indices, values, dense_shape):
        indices = _component(indices, _d.int64, "indices")
        values = values if isinstance(values, Tensor) else _component(values, None, "values")
        dense_shape = _component(dense_shape, _d.int64, "dense_shape")
        self._indices = indices
        self._values = values
        self._dense_shape = dense_shape
        self._dense_shape_default = _static_shape(dense_shape)
        ishape = TensorShape(indices._v.shape).with_rank(2)
        vshape = TensorShape(values._v.shape).with_rank(1)
        dshape = TensorShape(dense_shape._v.shape).with_rank(1)
        _check_compatible(ishape[0], vshape[0])
        _check_compatible(ishape[1], dshape[0])

    def _host_cache(self) -> dict:
        """Host copies of indices/shape and passed checks, cached: the components never change."""
        c = self.__dict__.get("_cache")
        if c is None:
            c = self._cache = {}
        return c

    @classmethod
    def from_value(cls, sparse_tensor_value):
        if isinstance(sparse_tensor_value, SparseTensor):
            return sparse_tensor_value
        if not all(hasattr(sparse_tensor_value, a) for a in ("indices", "values", "dense_shape")):
            raise TypeError(f"Argument sparse_tensor_value={sparse_tensor_value} is neither a "
                            f"SparseTensorValue nor a SparseTensor.")
        v = sparse_tensor_value
        return cls(v.indices, v.values, v.dense_shape)

    # -- components -------------------------------------------------------------------------
    @property
    def indices(self) -> Tensor:
        return self._indices

    @property
    def values(self) -> Tensor:
        return self._values

    @property
    def dense_shape(self) -> Tensor:
        return self._dense_shape

    @property
    def dtype(self) -> _d.DType:
        return self._values.dtype

    @property
    def shape(self) -> TensorShape:
        return self._dense_shape_default

    def get_shape(self) -> TensorShape:
        return self._dense_shape_default

    def set_shape(self, shape):
        """Merges ``shape`` into the static shape (an assertion when eager)."""
        self._dense_shape_default = self._dense_shape_default.merge_with(TensorShape(shape))

    @property
    def _type_spec(self):
        return SparseTensorSpec(self.shape, self.dtype)

    def with_values(self, new_values) -> "SparseTensor":
        """The same indices and dense_shape with ``new_values`` (any dtype)."""
        return SparseTensor(self._indices, new_values, self._dense_shape)

    def consumers(self):
        return []

    def __repr__(self) -> str:
        # str(), not format(): Tensor.__format__ formats the NumPy value only.
        return (f"SparseTensor(indices={str(self._indices)}, values={str(self._values)}, "
                f"dense_shape={str(self._dense_shape)})")

    # -- operators (TF defines only *, / and Python 2's __div__ on SparseTensor) and TF API
    # dispatch (``__tf_dispatch__``): attached by sparse_ops, which implements them.
    def __tf_tensor__(self, dtype=None, name=None):
        # Note: TF has no dense conversion for SparseTensor; dense ops reject it with this error.
        raise ValueError(f"Attempt to convert a value ({self!r}) with an unsupported type "
                         f"({_TF_CLASS}) to a Tensor.")


class SparseTensorSpec(ShapeDtypeSpec):
    """The type of a SparseTensor: its dense shape and dtype (``tf.SparseTensorSpec``).

    >>> import tftape as tf
    >>> tf.SparseTensorSpec([3, 4], tf.float32)
    SparseTensorSpec(TensorShape([3, 4]), tf.float32)
    """

    __slots__ = ()

    def __init__(self, shape=None, dtype=_d.float32):
        self._shape = TensorShape(shape)
        self._dtype = _d.as_dtype(dtype)

    @property
    def value_type(self):
        return SparseTensor

    @classmethod
    def from_value(cls, value):
        if not isinstance(value, SparseTensor):
            raise TypeError(f"Expected SparseTensor or SparseTensorValue. Received: {value} of "
                            f"type {type(value).__name__}.")
        return cls(value.shape, value.dtype)

    def is_compatible_with(self, other) -> bool:
        if isinstance(other, SparseTensor):
            other = SparseTensorSpec.from_value(other)
        return isinstance(other, SparseTensorSpec) and self._dtype == other._dtype and \
            self._shape.is_compatible_with(other._shape)

    def __eq__(self, other):
        return type(other) is SparseTensorSpec and self._dtype == other._dtype and \
            self._shape == other._shape

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash((SparseTensorSpec, self._dtype, repr(self._shape)))

    def __repr__(self) -> str:
        return f"SparseTensorSpec({self._shape!r}, {self._dtype!r})"


def convert_to_sparse(sp) -> SparseTensor:
    """TF's ``_convert_to_sparse_tensor``: the argument must already be sparse."""
    if isinstance(sp, SparseTensor):
        return sp
    if all(hasattr(sp, a) for a in ("indices", "values", "dense_shape")) and \
            not isinstance(sp, Tensor):
        return SparseTensor.from_value(sp)
    raise TypeError("Input must be a SparseTensor.")

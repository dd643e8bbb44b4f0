"""TensorShape with unknown dimensions (layer 1: no JAX work here).

A ``TensorShape`` of known rank *is* a tuple of ints (``None`` for unknown dimensions), so
``x.shape`` serves TF code (``as_list``, ``rank``, ``merge_with``, TF's repr and equality) and
the array API standard, NumPy, JAX and hypothesis, which all want a tuple. The shape of unknown
rank is an instance of a private subclass that holds no elements and refuses ``len`` and
iteration, as TF does.
"""
from __future__ import annotations


def _dim(d):
    if d is None:
        return None
    if hasattr(d, "value") and not isinstance(d, int):  # Dimension-like
        return d.value
    try:
        v = d.__index__()
    except (AttributeError, TypeError):
        # A symbolic dimension (jax.export shape polymorphism, used by tf.saved_model) is a
        # dimension unknown until run time, as TF's None.
        if type(d).__name__ == "_DimExpr":
            return None
        raise TypeError(f"Dimension value must be integer or None or have an __index__ method, "
                        f"got value '{d!r}' with type '{type(d)}'") from None
    if v < 0:
        raise ValueError(f"Dimension {v} must be >= 0")
    return v


_tuple_new = tuple.__new__
_tuple_eq = tuple.__eq__
_tuple_getitem = tuple.__getitem__


class TensorShape(tuple):
    """The (possibly partially known) shape of a tensor: a tuple of ints and ``None``.

    >>> import tftape as tf
    >>> s = tf.TensorShape([2, None])
    >>> s, s.rank, s.as_list(), s == (2, None)
    (TensorShape([2, None]), 2, [2, None], True)
    """

    __slots__ = ()

    def __new__(cls, dims=None):
        if dims is None:
            return _tuple_new(_UnknownShape)
        if isinstance(dims, TensorShape):
            return dims
        if isinstance(dims, int) or hasattr(dims, "__index__") and not hasattr(dims, "__len__"):
            return _tuple_new(TensorShape, (_dim(dims),))
        return _tuple_new(TensorShape, [_dim(d) for d in dims])

    # -- properties -------------------------------------------------------
    @property
    def _dims(self):
        """The dimensions as a plain tuple, or None for an unknown rank."""
        return _tuple_new(tuple, self)

    @property
    def rank(self):
        return len(self)

    ndims = rank

    @property
    def dims(self):
        return list(self)

    def as_list(self):
        return list(self)

    def num_elements(self):
        if not self.is_fully_defined():
            return None
        n = 1
        for d in self:
            n *= d
        return n

    def is_fully_defined(self) -> bool:
        return not tuple.__contains__(self, None)

    def assert_is_fully_defined(self):
        if not self.is_fully_defined():
            raise ValueError(f"Shape {self} is not fully defined")

    # -- compatibility ---------------------------------------------------
    def is_compatible_with(self, other) -> bool:
        a, b = self._dims, as_shape(other)._dims
        if a is None or b is None:
            return True
        if len(a) != len(b):
            return False
        return all(x is None or y is None or x == y for x, y in zip(a, b))

    def assert_is_compatible_with(self, other):
        if not self.is_compatible_with(other):
            raise ValueError(f"Shapes {self} and {as_shape(other)} are incompatible")

    def merge_with(self, other) -> "TensorShape":
        other = as_shape(other)
        if self._dims is None:
            return other
        if other._dims is None:
            return self
        if not self.is_compatible_with(other):
            raise ValueError(f"Shapes {self} and {other} are not compatible")
        return TensorShape([a if a is not None else b for a, b in zip(self._dims, other._dims)])

    def most_specific_compatible_shape(self, other) -> "TensorShape":
        a, b = self._dims, as_shape(other)._dims
        if a is None or b is None or len(a) != len(b):
            return TensorShape(None)
        return TensorShape([x if x == y else None for x, y in zip(a, b)])

    def concatenate(self, other) -> "TensorShape":
        a, b = self._dims, as_shape(other)._dims
        if a is None or b is None:
            return TensorShape(None)
        return _tuple_new(TensorShape, a + b)

    def with_rank(self, rank):
        if self._dims is None:
            return TensorShape([None] * rank)
        if len(self._dims) != rank:
            raise ValueError(f"Shape {self} must have rank {rank}")
        return self

    def with_rank_at_least(self, rank):
        if self._dims is not None and len(self._dims) < rank:
            raise ValueError(f"Shape {self} must have rank at least {rank}")
        return self

    # -- python protocol (tuple's where TF agrees) -------------------------
    def __getitem__(self, key):
        if isinstance(key, slice):
            return _tuple_new(TensorShape, _tuple_getitem(self, key))
        return _tuple_getitem(self, key)

    def __bool__(self):
        # TF: any shape of known rank is truthy, even the scalar shape ``()``.
        return True

    def __eq__(self, other):
        t = type(other)
        if t is TensorShape or t is tuple:
            return _tuple_eq(self, other)
        try:
            other = as_shape(other)
        except (TypeError, ValueError):
            return NotImplemented
        return self._dims == other._dims

    def __ne__(self, other):
        r = self.__eq__(other)
        return r if r is NotImplemented else not r

    __hash__ = tuple.__hash__

    def __add__(self, other):
        return self.concatenate(other)

    def __radd__(self, other):
        return as_shape(other).concatenate(self)

    # TF's TensorShape does not repeat or order; a tuple would.
    def __mul__(self, other):
        return NotImplemented

    __rmul__ = __mul__

    def __lt__(self, other):
        return NotImplemented

    __le__ = __gt__ = __ge__ = __lt__

    def __reduce__(self):
        return TensorShape, (self.dims,)

    def __repr__(self):
        return f"TensorShape({list(self)})"

    def __str__(self):
        if len(self) == 1:
            return f"({self[0]},)"
        return "(" + ", ".join(str(d) for d in self) + ")"

    def as_proto(self):  # pragma: no cover - no protobufs here
        raise NotImplementedError("TensorShape.as_proto: tftape has no protocol buffers")


class _UnknownShape(TensorShape):
    """``TensorShape(None)``: no elements; ``len`` and iteration raise ValueError as in TF."""

    __slots__ = ()

    _dims = None
    rank = ndims = dims = None

    def as_list(self):
        raise ValueError("as_list() is not defined on an unknown TensorShape.")

    def is_fully_defined(self) -> bool:
        return False

    def __len__(self):
        raise ValueError("Cannot take the length of shape with unknown rank.")

    def __iter__(self):
        raise ValueError("Cannot iterate over a shape with unknown rank.")

    def __contains__(self, item):
        self.__iter__()

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return None
        # TF: a slice of an unknown shape has a known rank only for non-negative bounds.
        start = 0 if key.start is None else key.start
        if key.step is not None:
            raise ValueError("Steps are not yet handled")
        if key.stop is None or start < 0 or key.stop < 0:
            return TensorShape(None)
        return TensorShape([None] * (key.stop - start))

    def __bool__(self):
        return False

    def __eq__(self, other):
        try:
            return as_shape(other)._dims is None
        except (TypeError, ValueError):
            return NotImplemented

    def __hash__(self):
        return hash(None)

    def __reduce__(self):
        return TensorShape, (None,)

    def __repr__(self):
        return "TensorShape(None)"

    def __str__(self):
        return "<unknown>"


# The class users see is TensorShape either way.
_UnknownShape.__name__ = _UnknownShape.__qualname__ = "TensorShape"


def from_tuple(dims: tuple) -> TensorShape:
    """A TensorShape of a tuple of non-negative ints or None, unchecked (fast path)."""
    return _tuple_new(TensorShape, dims)


def as_shape(shape) -> TensorShape:
    if isinstance(shape, TensorShape):
        return shape
    return TensorShape(shape)


def unknown_shape(rank=None):
    return TensorShape(None if rank is None else [None] * rank)

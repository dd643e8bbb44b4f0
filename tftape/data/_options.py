"""``tf.data.Options``, ``tf.data.DatasetSpec`` and ``tf.experimental.Optional``."""
from __future__ import annotations

import enum

from .._core.shape import TensorShape


class AutoShardPolicy(enum.IntEnum):
    """How a distributed dataset is split between workers (``tf.data.experimental``)."""
    OFF = -1
    AUTO = 0
    FILE = 1
    DATA = 2
    HINT = 3


class _OptionGroup:
    """A group of options: unknown attributes are accepted and read back (None if unset)."""

    _defaults: dict = {}

    def __init__(self):
        object.__setattr__(self, "_values", dict(self._defaults))

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        v = self._values.get(name)
        if v is None and name in _GROUPS:
            v = _GROUPS[name]()
            self._values[name] = v
        return v

    def __setattr__(self, name, value):
        self._values[name] = value

    def merge(self, other):
        out = type(self)()
        out._values.update(self._values)
        for k, v in other._values.items():
            if isinstance(v, _OptionGroup) and isinstance(out._values.get(k), _OptionGroup):
                out._values[k] = out._values[k].merge(v)
            elif v is not None:
                out._values[k] = v
        return out

    def __eq__(self, other):
        return type(self) is type(other) and self._values == other._values

    def __repr__(self):
        cls = type(self)
        return f"<tensorflow.python.data.ops.options.{cls.__name__} object at {hex(id(self))}>"


class DistributeOptions(_OptionGroup):
    _defaults = {"auto_shard_policy": AutoShardPolicy.AUTO}


class OptimizationOptions(_OptionGroup):
    pass


class ThreadingOptions(_OptionGroup):
    pass


_GROUPS = {"experimental_distribute": DistributeOptions,
           "experimental_optimization": OptimizationOptions,
           "threading": ThreadingOptions,
           "experimental_threading": ThreadingOptions}


class Options(_OptionGroup):
    """Pipeline options (``tf.data.Options``); accepted and kept, most have no effect here.

    >>> import tftape as tf
    >>> o = tf.data.Options()
    >>> o.experimental_distribute.auto_shard_policy
    <AutoShardPolicy.AUTO: 0>
    """


class DatasetSpec:
    """The type of a dataset-valued element (``window``)."""

    def __init__(self, element_spec, dataset_shape=()):
        self._element_spec = element_spec
        self._dataset_shape = TensorShape(dataset_shape)

    @property
    def element_spec(self):
        return self._element_spec

    @property
    def shape(self):
        return self._dataset_shape

    def most_specific_common_supertype(self, others):
        return self if all(o == self for o in others) else None

    def __eq__(self, other):
        return type(other) is DatasetSpec and other._element_spec == self._element_spec

    def __hash__(self):
        return hash(repr(self))

    def __repr__(self):
        return f"DatasetSpec({self._element_spec!r}, {self._dataset_shape!r})"


class Optional:
    """A value that may be absent (``tf.experimental.Optional``)."""

    def __init__(self, value, spec):
        self._value = value
        self._spec = spec

    @staticmethod
    def from_value(value):
        return Optional(value, None)

    @staticmethod
    def empty(element_spec):
        return Optional(_EMPTY, element_spec)

    def has_value(self, name=None):
        from .._ops.constant_op import constant
        return constant(self._value is not _EMPTY)

    def get_value(self, name=None):
        if self._value is _EMPTY:
            from .._core.errors import InvalidArgumentError
            raise InvalidArgumentError(None, None, "The optional does not have a value.")
        return self._value

    def __repr__(self):
        return f"<tensorflow.python.data.ops.optional_ops._OptionalImpl object at " \
               f"{hex(id(self))}>"


_EMPTY = object()

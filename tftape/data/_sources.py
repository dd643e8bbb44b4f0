"""Datasets made from Python: from_generator, and the list of windows that window() yields."""
from __future__ import annotations

import numpy as np

from .._core import dtypes as _d
from .._core.shape import TensorShape
from .._core.methods import attach
from . import _structure as st
from ._dataset import Dataset, _wrapped_error
from ._transforms import _flatten_up_to


class _ListDataset(Dataset):
    """Elements given as a list of flat tuples (windows)."""

    def __init__(self, items, spec):
        self._items = items
        self._structure = spec

    def _cardinality(self):
        return len(self._items)

    def _iter(self):
        return iter(self._items)


class _GeneratorDataset(Dataset):
    def __init__(self, generator, output_types, output_shapes, args, output_signature):
        from .._function.specs import TensorSpec
        if not callable(generator):
            raise TypeError("`generator` must be a Python callable.")
        if output_signature is not None:
            if output_types is not None:
                raise TypeError("The `output_types` argument can not be used together with "
                                "the `output_signature` argument.")
            if output_shapes is not None:
                raise TypeError("The `output_shapes` argument can not be used together with "
                                "the `output_signature` argument.")
            for spec in st.flatten(output_signature):
                if not hasattr(spec, "dtype") or not hasattr(spec, "shape") or \
                        not hasattr(spec, "most_specific_common_supertype"):
                    raise TypeError(f"`output_signature` must contain objects that are "
                                    f"subclass of `tf.TypeSpec` but found {type(spec)} which "
                                    f"is not.")
            structure = output_signature
        else:
            if output_types is None:
                raise TypeError("To specify the output signature you need to provide either "
                                "the `output_signature` argument or the `output_types` "
                                "argument.")
            types = st.flatten(output_types)
            shapes = [None] * len(types) if output_shapes is None else \
                _flatten_up_to(output_types, output_shapes)
            structure = st.pack(output_types, [
                TensorSpec(TensorShape(sh) if sh is not None else TensorShape(None),
                           _d.as_dtype(t)) for t, sh in zip(types, shapes)])
        self._generator = generator
        self._args = args
        self._structure = structure

    def _iter(self):
        from .._core.convert import convert_to_tensor
        args = () if self._args is None else tuple(
            convert_to_tensor(a).numpy() for a in self._args)
        specs = self._flat_specs
        for value in self._generator(*args):
            if isinstance(value, list) and st.is_nested(self._structure):
                value = tuple(value)
            try:
                flat = _flatten_up_to(self._structure, value) \
                    if st.is_nested(self._structure) else [value]
            except (TypeError, KeyError, IndexError):
                raise _gen_error(f"TypeError: `generator` yielded an element that did not "
                                 f"match the expected structure. The expected structure was "
                                 f"{self._structure}, but the yielded element was "
                                 f"{value}.") from None
            if st.is_nested(self._structure) and not st.same_structure(self._structure, value):
                raise _gen_error(f"TypeError: `generator` yielded an element that did not "
                                 f"match the expected structure. The expected structure was "
                                 f"{self._structure}, but the yielded element was "
                                 f"{value}.")
            out = []
            for v, s in zip(flat, specs):
                try:
                    c = st.to_host(v, s.dtype) if st.dense_spec(s) else st.to_host(v)
                except (TypeError, ValueError):
                    raise _gen_error(f"TypeError: `generator` yielded an element that could "
                                     f"not be converted to the expected type. The expected "
                                     f"type was {s.dtype.name}, but the yielded element was "
                                     f"{v}.") from None
                if st.dense_spec(s) and not s.shape.is_compatible_with(np.shape(c)):
                    raise _gen_error(f"TypeError: `generator` yielded an element of shape "
                                     f"{np.shape(c)} where an element of shape {s.shape} was "
                                     f"expected.")
                out.append(c)
            yield tuple(out)

    def __repr__(self):
        return f"<_FlatMapDataset element_spec={self.element_spec!r}>"


def _gen_error(message):
    return _wrapped_error("IteratorGetNext", message)


# -- Dataset's methods (attached here: Dataset sits below this module) ------------------------
def _ds_from_generator(generator, output_types=None, output_shapes=None, args=None,
                   output_signature=None, name=None) -> "Dataset":
    """Elements produced by calling ``generator(*args)`` for each iteration."""
    return _GeneratorDataset(generator, output_types, output_shapes, args,
                             output_signature)


attach(Dataset, "from_generator", _ds_from_generator, staticmethod)

"""``keras.layers.Layer``: build/call, weights, tracking, training flag, symbolic calls.

Keras 3 rules kept here: only Keras variables made by ``add_weight`` (and sub-layers held in
attributes, lists and dicts) are tracked, never plain ``tf.Variable`` attributes; ``build``
runs inside the layer's name scope so weights get paths like ``sequential/dense/kernel``;
calling a layer on ``KerasTensor`` inputs records a node of the functional graph.
"""
from __future__ import annotations

import functools
import inspect
import math
import threading

import numpy as np

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor
from .._core.tensor import Tensor
from .. import _trackable
from .._ops import math_ops as _m
from . import _layer_utils as _utils, _naming
from ._serialization import register_ops
from ._variables import KerasVariable

_MISSING = object()


# -- nested structures (tf.nest-like, enough for layer arguments) ------------------------------
def flatten(x):
    if isinstance(x, (list, tuple)):
        return [a for v in x for a in flatten(v)]
    if isinstance(x, dict):
        return [a for k in sorted(x) for a in flatten(x[k])]
    return [x]


def map_structure(fn, x):
    if isinstance(x, list):
        return [map_structure(fn, v) for v in x]
    if isinstance(x, tuple):
        return tuple(map_structure(fn, v) for v in x)
    if isinstance(x, dict):
        return {k: map_structure(fn, v) for k, v in x.items()}
    return fn(x)


# -- call context: the `training` flag of the outermost call reaches nested layers ------------
class _Context(threading.local):
    def __init__(self):
        self.training = []


_CTX = _Context()


def _is_array_like(x) -> bool:
    return isinstance(x, (Tensor, np.ndarray)) or getattr(type(x), "_is_tf_variable", False)


# -- KerasTensor: the symbolic value of the functional API --------------------------------------
class KerasTensor:
    """A symbolic tensor (shape with ``None`` batch dims, dtype) flowing through layers."""

    def __init__(self, shape, dtype="float32", sparse=False, ragged=False, name=None,
                 record_history=None):
        self._shape = tuple(None if d is None else int(d) for d in shape)
        self._dtype = _d.as_dtype(dtype)
        self.sparse = sparse
        self.ragged = ragged
        self.name = name or _naming.auto_name("KerasTensor")
        self._keras_history = record_history

    @property
    def shape(self):
        return self._shape

    @property
    def dtype(self):
        from ._variables import _DTYPE_NAMES
        return _DTYPE_NAMES[self._dtype]

    @property
    def ndim(self):
        return len(self._shape)

    def __repr__(self):
        return (f"<KerasTensor shape={self._shape}, dtype={self._dtype.name}, "
                f"sparse={self.sparse}, ragged={self.ragged}, name={self.name}>")

    def __bool__(self):
        raise TypeError("A symbolic KerasTensor cannot be used as a boolean.")

    def __hash__(self):
        return id(self)

    def __array__(self, *a, **k):
        raise ValueError(
            "A KerasTensor cannot be used as input to a TensorFlow function. A KerasTensor "
            "is a symbolic placeholder for a shape and dtype, used when constructing Keras "
            "Functional models or Keras Functions. You can only use it as input to a Keras "
            "layer or a Keras operation (from the namespaces `keras.layers` and "
            "`keras.ops`). ")

    # A few operators build operation nodes, as keras.ops does on KerasTensors; a reversed
    # operator keeps its operands' order (`2 * x` is Multiply(2, x)).
    def _op(self, op, other=_MISSING, reverse=False):
        if other is _MISSING:
            return _OpLayer(op)(self)
        if reverse:
            return _OpLayer(op)(other, self)
        return _OpLayer(op)(self, other)

    def __add__(self, o):
        return self._op("Add", o)

    def __radd__(self, o):
        return self._op("Add", o, True)

    def __sub__(self, o):
        return self._op("Subtract", o)

    def __rsub__(self, o):
        return self._op("Subtract", o, True)

    def __mul__(self, o):
        return self._op("Multiply", o)

    def __rmul__(self, o):
        return self._op("Multiply", o, True)

    def __truediv__(self, o):
        return self._op("TrueDivide", o)

    def __rtruediv__(self, o):
        return self._op("TrueDivide", o, True)

    def __neg__(self):
        return self._op("Negative")

    def __getitem__(self, key):
        return self._op("GetItem", key)


class Node:
    """One call of a layer on symbolic inputs."""

    def __init__(self, layer, args, kwargs, outputs):
        self.operation = layer
        self.call_args = args
        self.call_kwargs = kwargs
        self.outputs = outputs
        self.input_tensors = [x for x in flatten((args, kwargs)) if isinstance(x, KerasTensor)]
        self.output_tensors = [x for x in flatten(outputs) if isinstance(x, KerasTensor)]
        index = len(layer._inbound_nodes)
        layer._inbound_nodes.append(self)
        for i, t in enumerate(self.output_tensors):
            t._keras_history = (layer, index, i)


def _shape_of(x):
    if isinstance(x, KerasTensor):
        return x.shape
    return tuple(x.shape)


class Layer:
    """The base class of all layers (``tf.keras.layers.Layer``).

    >>> import tftape as tf
    >>> class Scale(tf.keras.layers.Layer):
    ...     def build(self, input_shape):
    ...         self.w = self.add_weight(shape=(), initializer="ones")
    ...     def call(self, x):
    ...         return x * self.w
    >>> Scale()(tf.constant([2.0]))
    <tf.Tensor: shape=(1,), dtype=float32, numpy=array([2.], dtype=float32)>
    """

    _keras_module = "keras.layers"  # where Keras configs name the class

    _UNTRACKED = frozenset({"_inbound_nodes", "_functional", "_layers_by_depth", "optimizer",
                            "_compile_config", "_loss_tracker", "_compile_metrics",
                            "_metrics_list", "history", "_train_fn", "_eval_fn", "_pred_fn",
                            "_compiled_loss", "stop_training", "_output_layers",
                            "_input_layers", "_nodes", "_extra_variables",
                            "_trainable_variables", "_non_trainable_variables", "_losses"})

    def __new__(cls, *args, **kwargs):
        obj = object.__new__(cls)
        d = obj.__dict__
        d["_trainable_variables"] = []
        d["_non_trainable_variables"] = []
        d["_extra_variables"] = []
        d["_inbound_nodes"] = []
        d["_losses"] = []
        d["_super_called"] = False
        d["built"] = False
        d["_trainable"] = True
        d["_build_shapes"] = None
        return obj

    def __init__(self, *, activity_regularizer=None, trainable=True, dtype=None, autocast=True,
                 name=None, **kwargs):
        input_shape = kwargs.pop("input_shape", None)
        input_dim = kwargs.pop("input_dim", None)
        batch_input_shape = kwargs.pop("batch_input_shape", None)
        batch_size = kwargs.pop("batch_size", None)
        kwargs.pop("input_dtype", None)
        kwargs.pop("quantization_config", None)     # Dense/Embedding configs: unquantized
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments passed to "
                             f"{self.__class__.__name__}: {kwargs}")
        self._super_called = True
        if input_dim is not None and input_shape is None:
            input_shape = (input_dim,)
        if batch_input_shape is not None:
            input_shape = tuple(batch_input_shape)[1:]
            batch_size = tuple(batch_input_shape)[0]
        if input_shape is not None:
            import warnings
            warnings.warn("Do not pass an `input_shape`/`input_dim` argument to a layer. When "
                          "using Sequential models, prefer using an `Input(shape)` object as "
                          "the first layer in the model instead.", UserWarning, stacklevel=3)
        self._input_shape_arg = None if input_shape is None else tuple(input_shape)
        self._batch_size_arg = batch_size
        if name is not None and (not isinstance(name, str) or "/" in name):
            raise ValueError("Argument `name` must be a string and cannot contain character "
                             f"`/`. Received: name={name} (of type {type(name)})")
        self.name = name or _naming.auto_name(self.__class__.__name__)
        self._trainable = bool(trainable)
        self._dtype_name = _dtype_name(dtype)
        self.autocast = autocast
        self.activity_regularizer = activity_regularizer
        self.supports_masking = False
        self.input_spec = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        build = cls.__dict__.get("build")
        if build is not None and not getattr(build, "_keras_wrapped", False):
            cls.build = _wrap_build(build)
        call = cls.__dict__.get("call")
        if call is not None:
            params = inspect.signature(call).parameters
            cls._call_has_training_arg = "training" in params
            cls._call_has_mask_arg = "mask" in params
            p = params.get("training")
            cls._call_training_default = None if p is None or p.default is p.empty \
                else p.default

    _call_has_training_arg = False
    _call_has_mask_arg = False
    _call_training_default = None

    # -- dtypes ------------------------------------------------------------------------------
    @property
    def dtype(self):
        return self._dtype_name

    @property
    def compute_dtype(self):
        return self._dtype_name

    @property
    def variable_dtype(self):
        return self._dtype_name

    @property
    def input_dtype(self):
        return self._dtype_name

    @property
    def dtype_policy(self):
        return _DTypePolicy(self._dtype_name)

    # -- naming / scopes ----------------------------------------------------------------------
    def _open_name_scope(self):
        return _naming.name_scope(self.name, caller=self)

    @property
    def path(self):
        return self.name

    # -- weights -----------------------------------------------------------------------------
    def add_weight(self, shape=None, initializer=None, dtype=None, trainable=True,
                   autocast=True, regularizer=None, constraint=None, aggregation="none",
                   overwrite_with_gradient=False, name=None, **kwargs):
        """Creates a Keras variable tracked by this layer (its path includes the scopes)."""
        from . import initializers as _init, regularizers as _reg, constraints as _con
        if shape is None:
            shape = ()
        dtype = _dtype_name(dtype) if dtype is not None else self.variable_dtype
        if initializer is None:
            initializer = "glorot_uniform" if "float" in dtype else "zeros"
        initializer = _init.get(initializer)
        with self._open_name_scope():
            v = KerasVariable(initializer, shape=tuple(shape), dtype=dtype,
                              trainable=trainable and self._trainable, autocast=autocast,
                              name=name)
        v.regularizer = _reg.get(regularizer)
        v._constraint = _con.get(constraint)
        v.overwrite_with_gradient = overwrite_with_gradient
        (self._trainable_variables if trainable else self._non_trainable_variables).append(v)
        return v

    add_variable = add_weight

    def _sublayers(self):
        """Directly tracked sub-layers, in the order their attributes were set."""
        out = []
        seen = set()

        def visit(value):
            if isinstance(value, Layer):
                if id(value) not in seen and value is not self:
                    seen.add(id(value))
                    out.append(value)
            elif isinstance(value, (list, tuple)):
                for x in value:
                    visit(x)
            elif isinstance(value, dict):
                for x in value.values():
                    visit(x)
        for k, value in self.__dict__.items():
            if k in self._UNTRACKED:
                continue
            visit(value)
        return out

    def _flatten_layers(self, include_self=True, recursive=True):
        out = [self] if include_self else []
        seen = {id(self)}
        stack = list(self._sublayers())
        while stack:
            layer = stack.pop(0)
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            out.append(layer)
            if recursive:
                stack = layer._sublayers() + stack
        return out

    def _attr_variables(self):
        own = {id(v) for v in self._trainable_variables + self._non_trainable_variables}
        out = []

        def visit(value):
            if isinstance(value, KerasVariable) and id(value) not in own:
                own.add(id(value))
                out.append(value)
            elif isinstance(value, (list, tuple)):
                for x in value:
                    visit(x)
            elif isinstance(value, dict):
                for x in value.values():
                    visit(x)
        for k, value in self.__dict__.items():
            if k not in self._UNTRACKED:
                visit(value)
        return out

    def _own_weights(self):
        extra = self._attr_variables()
        return (self._trainable_variables + [v for v in extra if v.trainable]
                + self._non_trainable_variables + [v for v in extra if not v.trainable])

    @property
    def weights(self):
        """All weights: own weights, then each sub-layer's (each once)."""
        return self._unique(self._own_weights(), "weights")

    @property
    def variables(self):
        """Weights plus other state (seed-generator states), as Keras 3's ``variables``."""
        return self._unique(self._own_weights() + self._extra_variables, "variables")

    def _unique(self, own, attr):
        """``own`` then each sub-layer's ``attr`` list, each variable once, in order."""
        out, seen = [], set()
        for group in [own] + [getattr(layer, attr) for layer in self._sublayers()]:
            for v in group:
                if id(v) not in seen:
                    seen.add(id(v))
                    out.append(v)
        return out

    @property
    def trainable_weights(self):
        if not self._trainable:
            return []
        return [v for v in self.weights if v.trainable]

    @property
    def non_trainable_weights(self):
        if not self._trainable:
            return self.weights
        return [v for v in self.weights if not v.trainable]

    @property
    def trainable_variables(self):
        if not self._trainable:
            return []
        return [v for v in self.variables if v.trainable]

    @property
    def non_trainable_variables(self):
        if not self._trainable:
            return self.variables
        return [v for v in self.variables if not v.trainable]

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        value = bool(value)
        self._trainable = value
        for v in self._trainable_variables:
            v.trainable = value
        for layer in self._sublayers():
            layer.trainable = value

    def get_weights(self):
        """The values of ``layer.weights`` as NumPy arrays."""
        return [v.numpy() for v in self.weights]

    def set_weights(self, weights):
        """Assigns ``layer.weights`` from a list of arrays (shapes must match)."""
        layer_weights = self.weights
        if len(layer_weights) != len(weights):
            raise ValueError(f"You called `set_weights(weights)` on layer '{self.name}' with a "
                             f"weight list of length {len(weights)}, but the layer was "
                             f"expecting {len(layer_weights)} weights.")
        for variable, value in zip(layer_weights, weights):
            vshape = tuple(np.shape(value))
            if tuple(variable.shape) != vshape:
                raise ValueError(f"Layer {self.name} weight shape {tuple(variable.shape)} is "
                                 f"not compatible with provided weight shape {vshape}.")
            variable.assign(np.asarray(value))

    def count_params(self):
        if not self.built:
            raise ValueError(f"You tried to call `count_params` on layer '{self.name}', but "
                             f"the layer isn't built. You can build it manually via: "
                             f"`layer.build(input_shape)`.")
        return int(sum(math.prod(v.shape) for v in self.weights))

    @property
    def losses(self):
        """Losses added in ``call`` plus weight-regularization losses."""
        out = []
        for layer in self._flatten_layers():
            out.extend(layer._losses)
            for v in layer._own_weights():
                reg = getattr(v, "regularizer", None)
                if reg is not None and v.trainable:
                    out.append(reg(v))
        return out

    def add_loss(self, loss):
        self._losses.append(loss)

    # -- build / call ------------------------------------------------------------------------
    def build(self, input_shape=None):
        self._build_shapes = input_shape
        self.built = True

    build._keras_wrapped = True

    def call(self, *args, **kwargs):
        raise NotImplementedError(f"Layer {self.__class__.__name__} does not have a `call()` "
                                  f"method implemented.")

    def compute_output_shape(self, *args, **kwargs):
        raise NotImplementedError(f"Layer {self.__class__.__name__} should implement "
                                  f"`def compute_output_shape(self, input_shape)`.")

    def _convert_arg(self, x):
        if isinstance(x, np.ndarray) or (isinstance(x, Tensor)) or \
                getattr(type(x), "_is_tf_variable", False):
            t = x if isinstance(x, Tensor) else convert_to_tensor(
                x.read_value() if hasattr(x, "read_value") else x)
            if self.autocast and t.dtype.is_floating and t.dtype.name != self.compute_dtype \
                    and "float" in self.compute_dtype:
                t = _m.cast(t, self.compute_dtype)
            return t
        return x

    def __call__(self, *args, **kwargs):
        if not self._super_called:
            raise RuntimeError(f"You must call `super().__init__()` in the layer constructor "
                               f"of {self.__class__.__name__}.")
        flat = flatten((args, kwargs))
        if any(isinstance(x, KerasTensor) for x in flat):
            return self._symbolic_call(args, kwargs)
        args = map_structure(self._convert_arg, args)
        kwargs = {k: (map_structure(self._convert_arg, v) if k not in ("training", "mask")
                      else v) for k, v in kwargs.items()}
        first = args[0] if args else next(iter(kwargs.values()), None)
        if self.input_spec is not None:
            _utils.check_input_spec(self, first)
        previous_mask = _utils.input_mask(first) if kwargs.get("mask") is None \
            else kwargs["mask"]
        if self._call_has_mask_arg and previous_mask is not None:
            kwargs["mask"] = previous_mask
        if not self.built:
            with self._open_name_scope():
                self._maybe_build(args, kwargs)
        training = kwargs.get("training")
        ctx = _CTX.training
        if not ctx:
            # The outermost call starts the losses afresh (Keras 3's call context).
            for layer in self._flatten_layers():
                layer._losses.clear()
        if training is None:
            training = ctx[-1] if ctx else self._call_training_default
        if self._call_has_training_arg:
            if training is not None:
                kwargs["training"] = training
        else:
            kwargs.pop("training", None)
        ctx.append(training)
        try:
            with self._open_name_scope():
                out = self.call(*args, **kwargs)
        finally:
            ctx.pop()
        self.built = True
        if self.activity_regularizer is not None:
            self._add_activity_loss(out)
        if self.supports_masking:
            _utils.attach_mask(out, self.compute_mask(first, previous_mask))
        return out

    def _add_activity_loss(self, outputs):
        # Keras 3 divides each output's activity loss by its batch size.
        reg = _utils.get_regularizer(self.activity_regularizer)
        for out in flatten(outputs):
            if isinstance(out, Tensor):
                loss = convert_to_tensor(reg(out))
                if out.dtype.is_floating and loss.dtype != out.dtype:
                    loss = _m.cast(loss, out.dtype)     # L1L2(0, 0) gives a Python 0.0
                if out.ndim > 0:
                    loss = _m.divide_no_nan(loss, _m.cast(out.shape[0], loss.dtype))
                self.add_loss(loss)

    def compute_mask(self, inputs, previous_mask):
        return previous_mask

    def _maybe_build(self, args, kwargs):
        if self.built:
            return
        first = args[0] if args else next(iter(kwargs.values()), None)
        if first is None:
            shape = None
        elif isinstance(first, (list, tuple)):
            shape = [_shape_of(x) for x in first]
        elif isinstance(first, dict):
            shape = {k: _shape_of(v) for k, v in first.items()}
        else:
            shape = _shape_of(first)
        if type(self).build is not Layer.build:
            self.build(shape)
        else:
            # Built here, so that tracing the output shape (batch size 1) keeps `None` dims.
            self._build_shapes = shape
            self.built = True

    # -- symbolic calls (functional API) -----------------------------------------------------
    def _symbolic_call(self, args, kwargs):
        if self.input_spec is not None and args:
            _utils.check_input_spec(self, args[0])
        if not self.built:
            with self._open_name_scope():
                self._maybe_build(args, kwargs)
        outputs = self.compute_output_spec(*args, **kwargs)
        self.built = True
        Node(self, args, kwargs, outputs)
        return outputs

    def compute_output_spec(self, *args, **kwargs):
        """KerasTensor outputs: from ``compute_output_shape`` or by tracing ``call``."""
        first = args[0] if args else None
        try:
            if isinstance(first, KerasTensor) and len(
                    [a for a in flatten(args) if isinstance(a, KerasTensor)]) == 1:
                shape = self.compute_output_shape(first.shape)
                return map_structure_shapes(
                    lambda s: KerasTensor(s, dtype=self._out_dtype(first)), shape)
        except NotImplementedError:
            pass
        return _trace_output_spec(self, args, kwargs)

    def _out_dtype(self, x):
        return self.compute_dtype if x._dtype.is_floating else x._dtype.name

    # -- misc --------------------------------------------------------------------------------
    @property
    def input(self):
        if not self._inbound_nodes:
            raise AttributeError(f"Layer '{self.name}' has never been called and thus has no "
                                 f"defined input.")
        ts = self._inbound_nodes[0].input_tensors
        return ts[0] if len(ts) == 1 else ts

    @property
    def output(self):
        if not self._inbound_nodes:
            raise AttributeError(f"Layer '{self.name}' has never been called and thus has no "
                                 f"defined output.")
        return self._inbound_nodes[0].outputs

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable,
                "dtype": {"module": "keras", "class_name": "DTypePolicy",
                          "config": {"name": self._dtype_name}, "registered_name": None}}

    def get_build_config(self):
        """``{"input_shape": ...}`` once built (a ``.keras`` file rebuilds layers with it);
        ``{"shapes_dict": {"query_shape": ...}}`` for layers built from several inputs."""
        shapes_dict = self.__dict__.get("_build_shapes_dict")
        if shapes_dict is not None:
            return {"shapes_dict": shapes_dict}
        if self._build_shapes is not None:
            return {"input_shape": self._build_shapes}
        return None

    def build_from_config(self, config):
        shapes_dict = (config or {}).get("shapes_dict")
        if shapes_dict is not None and not self.built:
            self.build(**{k: _shape_tuples(v) for k, v in shapes_dict.items()})
            return
        shape = (config or {}).get("input_shape")
        if shape is not None and not self.built:
            self.build(_shape_tuples(shape))

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("dtype"), dict):
            config["dtype"] = config["dtype"]["config"]["name"]
        return cls(**config)

    def __repr__(self):
        return f"<{self.__class__.__name__} name={self.name}, built={self.built}>"


class _DTypePolicy:
    def __init__(self, name):
        self.name = name
        self.compute_dtype = name
        self.variable_dtype = name

    def __repr__(self):
        return f'<DTypePolicy "{self.name}">'


def _dtype_name(dtype):
    if dtype is None:
        from ._config import floatx
        return floatx()
    if isinstance(dtype, _DTypePolicy):
        return dtype.name
    if isinstance(dtype, dict):
        return dtype["config"]["name"]
    return _d.as_dtype(dtype).name


def _shape_tuples(shape):
    # JSON turns shape tuples into lists: a list of ints (or None) is one shape.
    if isinstance(shape, (list, tuple)) and all(d is None or isinstance(d, int) for d in shape):
        return tuple(shape)
    if isinstance(shape, dict):
        return {k: _shape_tuples(v) for k, v in shape.items()}
    return [_shape_tuples(s) for s in shape]


def _wrap_build(build):
    @functools.wraps(build)
    def build_wrapper(self, *args, **kwargs):
        with self._open_name_scope():
            build(self, *args, **kwargs)
        shapes = args[0] if args else next(iter(kwargs.values()), None)
        self._build_shapes = shapes
        self.built = True
        _trackable.children_changed(self)   # restores checkpointed values of new weights
    build_wrapper._keras_wrapped = True
    return build_wrapper


def map_structure_shapes(fn, shape):
    """Applies ``fn`` to each shape in a (nested) structure of shape tuples."""
    if isinstance(shape, (list, tuple)) and shape and all(
            isinstance(s, (list, tuple)) for s in shape):
        return type(shape)(map_structure_shapes(fn, s) for s in shape)
    if isinstance(shape, dict):
        return {k: map_structure_shapes(fn, v) for k, v in shape.items()}
    return fn(tuple(shape))


def _trace_output_spec(layer, args, kwargs):
    """Infers output shapes by tracing ``call`` with JAX (None dims traced as size 1)."""
    import jax
    from .._core.registry import tracing_scope
    from .._core.tensor import make

    kts = [x for x in flatten((args, kwargs)) if isinstance(x, KerasTensor)]
    batch_none = any(k.shape and k.shape[0] is None for k in kts)
    specs = [jax.ShapeDtypeStruct(tuple(1 if d is None else d for d in k.shape), k._dtype._np)
             for k in kts]
    saved = [(v, v._value) for v in layer.variables]
    saved_losses = [(x, list(x._losses)) for x in layer._flatten_layers()]

    def fn(*vals):
        it = iter(vals)
        table = {id(k): make(next(it), k._dtype) for k in kts}
        sub = lambda x: table[id(x)] if isinstance(x, KerasTensor) else x  # noqa: E731
        a = map_structure(sub, args)
        kw = map_structure(sub, kwargs)
        with tracing_scope():
            out = Layer.__call__(layer, *a, **kw)
        return map_structure(lambda t: convert_to_tensor(t)._v, out)

    try:
        out = jax.eval_shape(fn, *specs)
    finally:
        for v, val in saved:
            v._value = val
        for x, losses in saved_losses:
            x._losses[:] = losses

    def to_kt(s):
        shape = list(s.shape)
        if batch_none and shape:
            shape[0] = None
        return KerasTensor(shape, dtype=_d._BY_NP[np.dtype(s.dtype)].name)
    return map_structure(to_kt, out)


_KERAS_OPS = {"Add": lambda a, b: a + b, "Subtract": lambda a, b: a - b,
              "Multiply": lambda a, b: a * b, "TrueDivide": lambda a, b: a / b,
              "Negative": lambda a: -a, "GetItem": lambda a, key: a[key]}


class _OpLayer(Layer):
    """A ``keras.ops`` operation applied to KerasTensors (``x + 1``, ``x[:, 0]``).

    Its ``op`` is the Keras 3 class name (``Add``, ``GetItem``...), under which a functional
    model's config records it (module ``keras.src.ops.numpy``); it is not one of
    ``model.layers``, as in Keras.
    """

    def __init__(self, op, name=None):
        super().__init__(name=name or _naming.auto_name(op))
        self.op = op
        self.fn = _KERAS_OPS[op]
        self.built = True

    def __call__(self, *args, **kwargs):
        if self.op == "GetItem" and len(args) == 2 and isinstance(args[1], list):
            args = (args[0], tuple(args[1]))    # a config read from JSON has lists for tuples
        return super().__call__(*args, **kwargs)

    def call(self, *args):
        return self.fn(*args)

    def get_config(self):
        return {"name": self.name}

    def get_build_config(self):
        return None


class _OpFactory:
    """What deserialization finds for a ``keras.src.ops.numpy`` class name."""

    def __init__(self, op):
        self.op = op

    def from_config(self, config):
        return _OpLayer(self.op, name=config.get("name"))


register_ops(_KERAS_OPS, _OpFactory)

"""Models: subclassed ``Model``, the functional API (``Model(inputs, outputs)``), ``Sequential``.
"""
from __future__ import annotations

import numpy as np

from .._core.convert import convert_to_tensor
from .._core.tensor import Tensor
from .._ops import math_ops as _m
from ._core_layers import InputLayer
from ._layer import KerasTensor, Layer, flatten, map_structure
from ._saving import register_models
from ._trainer import Trainer


class Model(Trainer, Layer):
    """A layer with training, evaluation and saving (``tf.keras.Model``).

    ``Model(inputs, outputs)`` builds a functional model; subclasses define ``call``.

    >>> import tftape as tf
    >>> inp = tf.keras.Input(shape=(2,))
    >>> model = tf.keras.Model(inp, tf.keras.layers.Dense(1, kernel_initializer="ones")(inp))
    >>> model(tf.constant([[1.0, 2.0]]))
    <tf.Tensor: shape=(1, 1), dtype=float32, numpy=array([[3.]], dtype=float32)>
    """

    _keras_module = "keras"  # where Keras configs name the class

    def __new__(cls, *args, **kwargs):
        if cls is Model and (("inputs" in kwargs and "outputs" in kwargs) or len(args) == 2
                             or (len(args) == 1 and "outputs" in kwargs)):
            return Functional.__new__(Functional, *args, **kwargs)
        return super().__new__(cls)

    def __init__(self, *args, **kwargs):
        trainable = kwargs.pop("trainable", True)
        name = kwargs.pop("name", None)
        dtype = kwargs.pop("dtype", None)
        Layer.__init__(self, trainable=trainable, name=name, dtype=dtype, **kwargs)
        Trainer.__init__(self)

    @property
    def layers(self):
        return [lyr for lyr in self._sublayers()]

    def get_layer(self, name=None, index=None):
        if index is not None and name is not None:
            raise ValueError(f"Provide only a layer name or a layer index. Received: "
                             f"index={index}, name={name}.")
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError(f"Was asked to retrieve layer at index {index} but model "
                                 f"only has {len(self.layers)} layers.")
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}. Existing layers are: "
                         f"{[lyr.name for lyr in self.layers]}.")

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):
        """Prints Keras 3's summary table (plain text, no colors)."""
        from ._summary import print_summary
        print_summary(self, line_length, positions, print_fn, expand_nested, show_trainable,
                      layer_range)

    def save_weights(self, filepath, overwrite=True):
        from ._saving import save_weights
        save_weights(self, filepath, overwrite)

    def load_weights(self, filepath, skip_mismatch=False, **kwargs):
        from ._saving import load_weights
        load_weights(self, filepath, skip_mismatch)

    def save(self, filepath, overwrite=True, zipped=None, **kwargs):
        """Saves config, weights and optimizer state to a ``.keras`` file."""
        from ._saving import save_model
        save_model(self, filepath, overwrite, zipped, **kwargs)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        if cls is Model and "input_layers" in config and "output_layers" in config:
            from ._functional_config import functional_from_config
            return functional_from_config(Functional, config, custom_objects)
        return super().from_config(config)

    def get_compile_config(self):
        if not getattr(self, "compiled", False):
            return {}
        from ._serialization import serialize_keras_object
        config = dict(self._compile_config)
        config["optimizer"] = self.optimizer
        if config["jit_compile"] == "auto":
            config["jit_compile"] = False       # what Keras 3 records with the TF backend
        return serialize_keras_object(config)

    def compile_from_config(self, config):
        from ._serialization import deserialize_keras_object
        config = {k: deserialize_keras_object(v) if isinstance(v, dict) else v
                  for k, v in config.items()}
        self.compile(**config)
        if self.built:
            self.optimizer.build(self.trainable_variables)

    def build(self, input_shape=None):
        """Builds a subclassed model by calling it once on zeros of ``input_shape``."""
        if input_shape is not None and type(self).call is not Layer.call and \
                not isinstance(self, Functional):
            import jax.numpy as jnp
            from .._core.tensor import make
            from .._core import dtypes as _d
            shape = tuple(1 if d is None else d for d in tuple(input_shape))
            x = make(jnp.zeros(shape, jnp.float32), _d.float32)
            with self._open_name_scope():
                self.call(x)
        self._build_shapes = input_shape
        self.built = True


class Functional(Model):
    """A model defined by a graph of layer calls on ``KerasTensor``s."""

    _keras_module = "keras.src.models.functional"  # where Keras configs name the class

    _is_functional = True  # read by the config writer, which sits below this module

    def __new__(cls, *args, **kwargs):
        return Layer.__new__(cls)

    def __init__(self, inputs, outputs, name=None, **kwargs):
        trainable = kwargs.pop("trainable", True)
        Layer.__init__(self, name=name, trainable=trainable)
        Trainer.__init__(self)
        if isinstance(inputs, dict):
            self._input_names = list(inputs)
        for x in flatten(inputs) + flatten(outputs):
            if not isinstance(x, KerasTensor):
                raise ValueError(f"All `inputs` and `outputs` values must be KerasTensors. "
                                 f"Received: inputs={inputs} and outputs={outputs} including "
                                 f"invalid value {x} of type {type(x)}")
        self._inputs_struct = inputs
        self._outputs_struct = outputs
        flat_in = flatten(inputs)
        in_ids = {id(x) for x in flat_in}
        nodes, seen = [], set()

        def visit(kt):
            layer, ni, _ = kt._keras_history
            node = layer._inbound_nodes[ni]
            if id(node) in seen:
                return
            seen.add(id(node))
            for t in node.input_tensors:
                if id(t) not in in_ids:
                    visit(t)
            nodes.append(node)
        for x in flat_in:
            visit(x)
        for x in flatten(outputs):
            visit(x)
        self._nodes = nodes
        from ._functional_config import order_operations
        self._operations = order_operations(flat_in, flatten(outputs))
        self.built = True

    @property
    def layers(self):
        from ._layer import _OpLayer
        return [op for op in self._operations if not isinstance(op, _OpLayer)]

    @property
    def operations(self):
        return list(self._operations)

    @property
    def inputs(self):
        return flatten(self._inputs_struct)

    @property
    def outputs(self):
        return flatten(self._outputs_struct)

    @property
    def output_names(self):
        """The output layers' names, in the outputs' flattened order (a dict by its keys)."""
        return [kt._keras_history[0].name for kt in flatten(self._outputs_struct)]

    @property
    def input(self):
        return self._inputs_struct

    @property
    def output(self):
        return self._outputs_struct

    @property
    def input_shape(self):
        s = map_structure(lambda k: k.shape, self._inputs_struct)
        return s

    @property
    def output_shape(self):
        return map_structure(lambda k: k.shape, self._outputs_struct)

    def _standardize_inputs(self, inputs):
        specs = flatten(self._inputs_struct)
        if isinstance(inputs, dict) and isinstance(self._inputs_struct, dict):
            flat = [inputs[k] for k in sorted(self._inputs_struct)]
        elif isinstance(inputs, dict) and all(
                kt._keras_history[0].name in inputs for kt in specs):
            # A dict of data for a model built on a list of named Inputs: matched by name.
            flat = [inputs[kt._keras_history[0].name] for kt in specs]
        elif len(specs) == 1 and not (isinstance(inputs, (list, tuple)) and len(inputs) == 1
                                      and isinstance(self._inputs_struct, (list, tuple))):
            flat = [inputs]
        else:
            flat = flatten(inputs)
        if len(flat) != len(specs):
            raise ValueError(f'Layer "{self.name}" expects {len(specs)} input(s), but it '
                             f'received {len(flat)} input tensors. Inputs received: {inputs}')
        out = []
        for i, (x, kt) in enumerate(zip(flat, specs)):
            t = x if isinstance(x, Tensor) else convert_to_tensor(
                x.read_value() if hasattr(x, "read_value") else x)
            if t.dtype.is_floating and kt._dtype.is_floating and t.dtype is not kt._dtype:
                t = _m.cast(t, kt._dtype)
            shape = tuple(t.shape)
            spec = kt.shape
            if len(shape) != len(spec) or any(
                    a is not None and a != b for a, b in zip(spec, shape)):
                raise ValueError(f'Input {i} of layer "{self.name}" is incompatible with the '
                                 f'layer: expected shape={spec}, found shape={shape}')
            out.append(t)
        return out

    def call(self, inputs, training=None, mask=None):
        flat = self._standardize_inputs(inputs)
        values = {id(k): v for k, v in zip(flatten(self._inputs_struct), flat)}

        def look(x):
            return values[id(x)] if isinstance(x, KerasTensor) else x
        for node in self._nodes:
            layer = node.operation
            if isinstance(layer, InputLayer):
                continue
            args = map_structure(look, node.call_args)
            kwargs = map_structure(look, dict(node.call_kwargs))
            # Note: as in Keras 3, a model-level `training` overrides the one a layer was
            # called with when the model was built.
            if training is not None and layer._call_has_training_arg:
                kwargs["training"] = training
            out = layer(*args, **kwargs)
            for kt, v in zip(flatten(node.outputs), flatten(out)):
                values[id(kt)] = v
        return map_structure(look, self._outputs_struct)

    def compute_output_shape(self, input_shape):
        return map_structure(lambda k: k.shape, self._outputs_struct) if not isinstance(
            self._outputs_struct, KerasTensor) else self._outputs_struct.shape

    def get_config(self):
        from ._functional_config import functional_config
        return functional_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from ._functional_config import functional_from_config
        return functional_from_config(cls, config, custom_objects)

    def get_build_config(self):
        return {"input_shape": None}


class Sequential(Model):
    """A linear stack of layers (``tf.keras.Sequential``).

    >>> import tftape as tf
    >>> tf.keras.backend.clear_session()
    >>> model = tf.keras.Sequential([tf.keras.Input(shape=(3,)), tf.keras.layers.Dense(2)])
    >>> [v.path for v in model.variables]
    ['sequential/dense/kernel', 'sequential/dense/bias']
    """

    _keras_module = "keras"  # where Keras configs name the class

    def __new__(cls, *args, **kwargs):
        return Layer.__new__(cls)

    def __init__(self, layers=None, trainable=True, name=None):
        Layer.__init__(self, trainable=trainable, name=name)
        Trainer.__init__(self)
        self._functional = None
        self._layers = []
        if layers:
            for layer in layers:
                self.add(layer, rebuild=False)
            self._maybe_rebuild()

    def add(self, layer, rebuild=True):
        """Appends a layer (an ``Input`` tensor becomes the model's InputLayer)."""
        if not self._layers and getattr(layer, "_input_shape_arg", None) is not None:
            self.add(InputLayer(shape=layer._input_shape_arg,
                                batch_size=getattr(layer, "_batch_size_arg", None)),
                     rebuild=False)
        if isinstance(layer, KerasTensor) and layer._keras_history is not None:
            origin = layer._keras_history[0]
            if isinstance(origin, InputLayer):
                layer = origin
        if not isinstance(layer, Layer):
            raise ValueError(f"Only instances of `keras.Layer` can be added to a Sequential "
                             f"model. Received: {layer} (of type {type(layer)})")
        if any(lyr.name == layer.name for lyr in self._layers if lyr is not layer):
            raise ValueError(f"All layers added to a Sequential model should have unique "
                             f"names. Name '{layer.name}' is already the name of a layer in "
                             f"this model. Update the `name` argument to pass a unique name.")
        if isinstance(layer, InputLayer) and self._layers and \
                isinstance(self._layers[0], InputLayer):
            raise ValueError(f"Sequential model '{self.name}' has already been configured to "
                             f"use input shape {self._layers[0].batch_shape}. You cannot add "
                             f"a different Input layer to it.")
        self._layers.append(layer)
        self.built = False
        self._functional = None
        if rebuild:
            self._maybe_rebuild()

    def pop(self, rebuild=True):
        layer = self._layers.pop()
        self.built = False
        self._functional = None
        if rebuild:
            self._maybe_rebuild()
        return layer

    def _maybe_rebuild(self):
        self.built = False
        self._functional = None
        if self._layers and isinstance(self._layers[0], InputLayer) and len(self._layers) > 1:
            self.build(self._layers[0].batch_shape)

    def build(self, input_shape=None):
        if input_shape is None:
            return
        input_shape = tuple(input_shape)
        if not self._layers:
            raise ValueError(f"Sequential model {self.name} cannot be built because it has no "
                             f"layers. Call `model.add(layer)`.")
        if isinstance(self._layers[0], InputLayer):
            if tuple(self._layers[0].batch_shape) != input_shape:
                raise ValueError(f"Sequential model '{self.name}' has already been configured "
                                 f"to use input shape {self._layers[0].batch_shape}. You "
                                 f"cannot build it with input_shape {input_shape}")
        else:
            self._layers = [InputLayer(batch_shape=input_shape,
                                       dtype=self._layers[0].compute_dtype)] + self._layers
        with self._open_name_scope():
            inputs = self._layers[0].output
            x = inputs
            for layer in self._layers[1:]:
                x = layer(x)
            self._functional = Functional(inputs=inputs, outputs=x)
        self._build_shapes = input_shape
        self.built = True

    def _maybe_build(self, args, kwargs):
        if self.built:
            return
        first = args[0] if args else next(iter(kwargs.values()))
        shape = tuple(first.shape)
        # Note: Keras 3 builds with the first batch's concrete batch size; the batch dim is
        # left unknown here so later calls may use any batch size.
        self.build((None,) + shape[1:])

    def call(self, inputs, training=None, mask=None):
        if self._functional is not None:
            return self._functional.call(inputs, training=training, mask=mask)
        for layer in self.layers:
            kw = {"training": training} if layer._call_has_training_arg and \
                training is not None else {}
            inputs = layer(inputs, **kw)
        return inputs

    @property
    def layers(self):
        ls = self._layers
        if ls and isinstance(ls[0], InputLayer):
            return ls[1:]
        return ls[:]

    def _sublayers(self):
        return list(self._layers)

    def compute_output_shape(self, input_shape):
        if self._functional is not None:
            return self._functional.compute_output_shape(input_shape)
        for layer in self.layers:
            input_shape = layer.compute_output_shape(input_shape)
        return input_shape

    @property
    def input_shape(self):
        if self._functional is not None:
            return self._functional.input_shape
        raise AttributeError(f"Sequential model '{self.name}' has no defined input shape yet.")

    @property
    def output_shape(self):
        if self._functional is not None:
            return self._functional.output_shape
        raise AttributeError(f"Sequential model '{self.name}' has no defined output shape "
                             f"yet.")

    @property
    def inputs(self):
        if self._functional is not None:
            return self._functional.inputs
        raise AttributeError(f"Sequential model '{self.name}' has no defined inputs yet.")

    @property
    def outputs(self):
        if self._functional is not None:
            return self._functional.outputs
        raise AttributeError(f"Sequential model '{self.name}' has no defined outputs yet.")

    @property
    def input(self):
        return self.inputs[0]

    @property
    def output(self):
        return self.outputs[0]

    def get_config(self):
        from ._serialization import serialize_keras_object
        config = Layer.get_config(self)
        config["layers"] = [serialize_keras_object(lyr) for lyr in self._layers]
        if self._build_shapes is not None:
            config["build_input_shape"] = self._build_shapes
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from ._serialization import deserialize_keras_object
        from ._layer import _dtype_name
        layers = [deserialize_keras_object(c, custom_objects) for c in config["layers"]]
        model = cls(layers=layers, trainable=config.get("trainable", True),
                    name=config.get("name"))
        if config.get("dtype") is not None:
            model._dtype_name = _dtype_name(config["dtype"])
        shape = config.get("build_input_shape")
        if not model.built and shape is not None:
            model.build(tuple(shape))
        return model


def _np(x):
    return np.asarray(x)


register_models(Functional, Sequential)

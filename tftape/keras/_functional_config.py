"""Functional models as Keras 3 configs: layer order, ``inbound_nodes`` and ``from_config``.

A functional model's config lists its layers, each with the calls (``inbound_nodes``) made on
it inside the model; a call records its ``args`` and ``kwargs`` with each symbolic input
written as ``{"class_name": "__keras_tensor__", "config": {"shape", "dtype",
"keras_history": [layer_name, node_index, tensor_index]}}``. ``input_layers`` and
``output_layers`` hold such ``[layer_name, node_index, tensor_index]`` triples in the structure
of the model's inputs and outputs.
"""
from __future__ import annotations

from ._layer import KerasTensor, flatten, map_structure


def order_operations(inputs, outputs):
    """The model's layers in Keras 3's order: deepest (nearest the inputs) first.

    A node's depth is its distance from the outputs; a layer's depth is the largest of its
    nodes'. Layers of equal depth keep the order in which a depth-first walk from the outputs
    first meets them.
    """
    input_ids = {id(x) for x in inputs}
    first_seen, post_order, done = {}, [], set()

    def walk(kt):
        layer, index, _ = kt._keras_history
        node = layer._inbound_nodes[index]
        if id(node) in done:
            return
        first_seen.setdefault(id(layer), (len(first_seen), layer))
        if id(kt) not in input_ids:
            for t in node.input_tensors:
                walk(t)
        done.add(id(node))
        post_order.append(node)

    for x in outputs:
        walk(x)
    node_depth, layer_depth = {}, {}
    for node in reversed(post_order):     # from the outputs towards the inputs
        depth = max(node_depth.get(id(node), 0), layer_depth.get(id(node.operation), 0))
        node_depth[id(node)] = depth
        layer_depth[id(node.operation)] = depth
        for t in node.input_tensors:
            parent = t._keras_history[0]._inbound_nodes[t._keras_history[1]]
            node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    for x in inputs:                      # inputs that no output depends on
        layer = x._keras_history[0]
        if id(layer) not in layer_depth:
            layer_depth[id(layer)] = 0
            first_seen[id(layer)] = (-1, layer)
    layers = [layer for _, layer in first_seen.values()]
    return sorted(layers, key=lambda lyr: (-layer_depth[id(lyr)], first_seen[id(lyr)][0]))


def _recorded_kwargs(layer, node):
    """The keyword arguments Keras 3 records for a call, defaults it fills in included."""
    given = dict(node.call_kwargs)
    kwargs = dict(given)
    if layer._call_has_training_arg and "training" not in kwargs and \
            layer._call_training_default is not None:
        kwargs["training"] = layer._call_training_default
    # Note: Keras 3 records ``mask=None`` for layers taking a mask only when the call passed
    # no keyword arguments, except for nested functional models, which always get it.
    if layer._call_has_mask_arg and "mask" not in kwargs and (
            not given or getattr(layer, "_is_functional", False)):
        kwargs["mask"] = None
    return kwargs


def functional_config(model):
    """``model.get_config()`` of a functional model, as Keras 3 writes it."""
    from ._serialization import serialize_keras_object
    own = {id(n) for n in model._nodes}

    def history(kt):
        layer, index, tensor_index = kt._keras_history
        # Calls of the layer outside this model do not count.
        kept = sum(1 for n in layer._inbound_nodes[:index] if id(n) in own)
        return [layer.name, kept, tensor_index]

    def arg(x):
        if isinstance(x, KerasTensor):
            return {"class_name": "__keras_tensor__",
                    "config": {"shape": x.shape, "dtype": x.dtype, "keras_history": history(x)}}
        return serialize_keras_object(x)

    layers = []
    for layer in model.operations:     # keras.ops nodes included
        entry = serialize_keras_object(layer)
        entry["name"] = layer.name
        entry["inbound_nodes"] = [
            {"args": map_structure(arg, tuple(n.call_args)),
             "kwargs": map_structure(arg, _recorded_kwargs(layer, n))}
            for n in layer._inbound_nodes if id(n) in own and n.input_tensors]
        layers.append(entry)
    return {"name": model.name, "trainable": model.trainable, "layers": layers,
            "input_layers": map_structure(history, model._inputs_struct),
            "output_layers": map_structure(history, model._outputs_struct)}


def _is_triple(x):
    return isinstance(x, (list, tuple)) and len(x) == 3 and isinstance(x[0], str) and \
        isinstance(x[1], int) and isinstance(x[2], int)


def _map_triples(fn, x):
    if _is_triple(x):
        return fn(x)
    if isinstance(x, dict):
        return {k: _map_triples(fn, v) for k, v in x.items()}
    return [_map_triples(fn, v) for v in x]


def functional_from_config(cls, config, custom_objects=None):
    """Rebuilds a functional model: its layers, then their calls in dependency order."""
    from ._core_layers import InputLayer
    from ._serialization import deserialize_keras_object
    layers, pending, created = {}, {}, {}
    for entry in config["layers"]:
        layer = deserialize_keras_object(entry, custom_objects)
        name = entry.get("name", layer.name)
        layers[name] = layer
        pending[name] = list(entry.get("inbound_nodes", []))
        created[name] = [flatten(layer.output)] if isinstance(layer, InputLayer) else []

    class _NotReady(Exception):
        pass

    def tensor(x):
        if isinstance(x, dict) and x.get("class_name") == "__keras_tensor__":
            name, index, tensor_index = x["config"]["keras_history"]
            if name not in created:
                raise ValueError(f"Layer '{name}' is not in the model's `layers`. Full "
                                 f"config: {config}")
            if index >= len(created[name]):
                raise _NotReady
            return created[name][index][tensor_index]
        if isinstance(x, dict) and "class_name" in x:
            return deserialize_keras_object(x, custom_objects)
        if isinstance(x, dict):
            return {k: tensor(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return type(x)(tensor(v) for v in x)
        return x

    progress = True
    while progress and any(pending.values()):
        progress = False
        for name, nodes in pending.items():
            while nodes:
                try:
                    args = tensor(list(nodes[0].get("args", [])))
                    kwargs = tensor(dict(nodes[0].get("kwargs", {})))
                except _NotReady:
                    break
                out = layers[name](*args, **kwargs)
                created[name].append(flatten(out))
                nodes.pop(0)
                progress = True
    if any(pending.values()):
        stuck = [name for name, nodes in pending.items() if nodes]
        raise ValueError(f"Could not rebuild the calls of layers {stuck}: their inputs are "
                         f"never produced.")

    def lookup(triple):
        name, index, tensor_index = triple
        return created[name][index][tensor_index]
    inputs = _map_triples(lookup, config["input_layers"])
    outputs = _map_triples(lookup, config["output_layers"])
    model = cls(inputs=inputs, outputs=outputs, name=config.get("name"),
                trainable=config.get("trainable", True))
    return model

"""``tf.saved_model.save`` / ``load``: tf.functions as serialized StableHLO plus a checkpoint.

A SavedModel directory written here holds

- ``variables/variables.{index,data-00000-of-00001}``: a TF-format checkpoint of the object;
- ``tftape_functions/<n>.stablehlo``: each exported concrete function, lowered with
  ``jax.export`` (for CPU and CUDA) as a pure function of its inputs and the variables it
  reads, returning its outputs and the new values of the variables it assigns; unknown (None)
  dimensions of a signature become symbolic dimensions;
- ``tftape_saved_model.json``: the object tree, where each function hangs, its signature and
  output structure, and the checkpoint key of each variable it reads or writes.

Loading rebuilds the object tree (variables restored from the checkpoint) and restored
functions that run the StableHLO, so no Python code of the original model is needed.
# Note: this is not TensorFlow's SavedModel protobuf format (saved_model.pb + GraphDef):
# TensorFlow cannot load these directories, nor tftape TensorFlow's.
"""
from __future__ import annotations

import json
import os

import numpy as np

from ._core import dtypes as _d
from ._core.tensor import Tensor, make

_META = "tftape_saved_model.json"
_FUNCS = "tftape_functions"
_PLATFORMS = ("cpu", "cuda")


# -- saving ------------------------------------------------------------------------------------
def _functions_of(obj):
    """``(attribute name, bound tf.function)`` pairs of an object (instance and class)."""
    from ._function.function import Function
    out, seen = [], set()
    names = list(vars(obj)) if hasattr(obj, "__dict__") else []
    for klass in type(obj).__mro__:
        names += [k for k, v in vars(klass).items() if isinstance(v, Function)]
    for name in names:
        if name in seen:
            continue
        seen.add(name)
        try:
            v = getattr(obj, name)
        except Exception:  # noqa: BLE001 - properties may raise; they are not functions
            continue
        if isinstance(v, Function):
            out.append((name, v))
    return out


def _concrete_specs(fn):
    """The flat TensorSpec lists to export for one tf.function."""
    from ._function.specs import TensorSpec
    if fn.input_signature is not None:
        names = fn._param_names
        return [[TensorSpec(s.shape, s.dtype, s.name or (names[i] if i < len(names) else
                                                         f"arg_{i}"))
                 for i, s in enumerate(fn.input_signature)]]
    out = []
    for cf in fn._cache.values():
        specs = list(cf._input_specs[0])
        if all(isinstance(s, TensorSpec) for s in specs) and not cf._input_specs[1]:
            out.append(specs)
    return out


def _encode_tree(x):
    if isinstance(x, Tensor):
        return {"tensor": x.dtype.name}
    if isinstance(x, dict):
        return {"dict": [[k, _encode_tree(x[k])] for k in sorted(x)]}
    if isinstance(x, (list, tuple)):
        return {type(x).__name__: [_encode_tree(v) for v in x]}
    if x is None:
        return {"none": None}
    raise ValueError(f"tf.saved_model.save supports functions returning tensors, or lists, "
                     f"tuples and dicts of tensors; got {type(x).__name__}.")


def _leaves(x):
    if isinstance(x, Tensor):
        return [x]
    if isinstance(x, dict):
        return [t for k in sorted(x) for t in _leaves(x[k])]
    if isinstance(x, (list, tuple)):
        return [t for v in x for t in _leaves(v)]
    return []


def _export_one(fn, specs, keys_by_var, path):
    import jax
    from jax import export as jex
    from ._function import _capture
    sig = fn.input_signature
    spec_names = [sig[k].name if sig is not None and k < len(sig) else s.name
                  for k, s in enumerate(specs)]
    scope = jex.SymbolicScope()     # jax.export needs all symbolic dims in one scope
    names, dims = [], []
    for i, s in enumerate(specs):
        if s.shape.rank is None:
            raise ValueError(f"tf.saved_model.save needs a known rank for every input; "
                             f"{s} has an unknown rank.")
        parts = [f"d{i}_{j}" if d is None else str(d) for j, d in enumerate(s.shape.as_list())]
        dims.append(jex.symbolic_shape(", ".join(parts), scope=scope) if parts else ())
        names.append(s.name)
    avals = [jax.core.ShapedArray(tuple(sh), s.dtype.as_numpy_dtype)
             for sh, s in zip(dims, specs)]
    info = {}

    def body(*vals):
        out = fn(*[make(v, s.dtype) for v, s in zip(vals, specs)])
        info["tree"] = _encode_tree(out)
        return [t._v for t in _leaves(out)]
    traced = _capture.trace_region(body, avals, allow_creation=False, name=fn._name)
    captured = [v for v, _ in traced.captured]
    for v in captured + list(traced.assigned):
        if id(v) not in keys_by_var:
            raise ValueError(f"Tried to export a function which references an 'untracked' "
                             f"resource. TensorFlow objects (e.g. tf.Variable) captured by "
                             f"functions must be 'tracked' by assigning them to an attribute "
                             f"of a tracked object or assigned to an attribute of the main "
                             f"object directly. Trackable Python objects referring to this "
                             f"tensor (from gc.get_referrers, limited to two hops):\n{v!r}")
    f = _capture.as_fun(traced)
    in_specs = [jax.ShapeDtypeStruct(a.shape, a.dtype) for a in avals] + \
        [jax.ShapeDtypeStruct(tuple(v.shape), v.dtype.as_numpy_dtype) for v in captured]
    try:
        exported = jex.export(jax.jit(f), platforms=_PLATFORMS)(*in_specs)
    except Exception:  # noqa: BLE001 - a backend may not lower some op; keep the current one
        exported = jex.export(jax.jit(f))(*in_specs)
    record = {"path": path, "inputs": [
        {"name": n, "shape": s.shape.as_list(), "dtype": s.dtype.name,
         "spec_name": spec_names[k]} for k, (n, s) in enumerate(zip(names, specs))],
        "from_signature": fn.input_signature is not None,
        "captured": [keys_by_var[id(v)] for v in captured],
        "assigned": [keys_by_var[id(v)] for v in traced.assigned],
        "outputs": info["tree"]}
    return record, bytes(exported.serialize())


def save(obj, export_dir, signatures=None, options=None):
    """Saves ``obj``'s variables and tf.functions so they load without the Python code.

    >>> import tftape as tf, tempfile
    >>> class Scale(tf.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.k = tf.Variable(3.0)
    ...     @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    ...     def __call__(self, x):
    ...         return x * self.k
    >>> d = tempfile.mkdtemp()
    >>> tf.saved_model.save(Scale(), d)
    >>> tf.saved_model.load(d)(tf.constant([1.0, 2.0]))
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([3., 6.], dtype=float32)>
    """
    from .train import _graph
    from .train._checkpoint import write_objects
    from ._function._concrete import ConcreteFunction
    from ._function.function import Function
    export_dir = os.fspath(export_dir)
    g = _graph.SavedGraph(obj)
    keys_by_var = {id(o): g.key(i) for i, o in enumerate(g.objects) if _graph.is_variable(o)}
    nodes = []
    for i, o in enumerate(g.objects):
        kind = "variable" if _graph.is_variable(o) else "dict" if isinstance(o, dict) else \
            "list" if isinstance(o, (list, tuple)) else "object"
        node = {"kind": kind, "children": [[n, j] for n, j in g.refs[i]]}
        if kind == "variable":
            node["trainable"] = bool(o.trainable)
            node["name"] = o.name
        nodes.append(node)
    records, blobs = [], []
    for i, o in enumerate(g.objects):
        if _graph.is_variable(o) or isinstance(o, (list, tuple, dict)):
            continue
        for name, fn in _functions_of(o):
            for specs in _concrete_specs(fn):
                rec, blob = _export_one(fn, specs, keys_by_var, [i, name])
                records.append(rec)
                blobs.append(blob)
    sigs = {}
    if signatures is not None:
        if not isinstance(signatures, dict):
            signatures = {"serving_default": signatures}
        for key, s in signatures.items():
            if isinstance(s, ConcreteFunction):
                fn, specs = s._function, list(s._input_specs[0])
            elif isinstance(s, Function):
                if s.input_signature is None:
                    raise ValueError("Exporting an unsaved tf.function as a signature requires "
                                     "an input_signature or a concrete function "
                                     "(f.get_concrete_function(...)).")
                fn, specs = s, _concrete_specs(s)[0]
            else:
                raise ValueError(f"Expected a TensorFlow function for which to generate a "
                                 f"signature, but got {s}.")
            rec, blob = _export_one(fn, specs, keys_by_var, None)
            sigs[key] = len(records)
            records.append(rec)
            blobs.append(blob)
    os.makedirs(os.path.join(export_dir, _FUNCS), exist_ok=True)
    write_objects(obj, os.path.join(export_dir, "variables", "variables"))
    for n, blob in enumerate(blobs):
        with open(os.path.join(export_dir, _FUNCS, f"{n}.stablehlo"), "wb") as f:
            f.write(blob)
    meta = {"format": "tftape-saved-model", "version": 1, "nodes": nodes,
            "functions": records, "signatures": sigs}
    tmp = os.path.join(export_dir, _META + ".tmp")
    with open(tmp, "w") as f:
        json.dump(meta, f)
    os.replace(tmp, os.path.join(export_dir, _META))


# -- loading -----------------------------------------------------------------------------------
class _Loaded:
    """An object of a loaded SavedModel: its variables, children and restored functions."""

    def __init__(self):
        self.signatures = {}

    def __repr__(self):
        return f"<tftape.saved_model.load._UserObject object at {hex(id(self))}>"


def _decode_tree(spec, leaves):
    (kind, val), = spec.items()
    if kind == "tensor":
        return next(leaves)
    if kind == "dict":
        return {k: _decode_tree(v, leaves) for k, v in val}
    if kind in ("list", "tuple"):
        items = [_decode_tree(v, leaves) for v in val]
        return tuple(items) if kind == "tuple" else items
    return None


def _leaf_dtypes(spec):
    (kind, val), = spec.items()
    if kind == "tensor":
        return [_d.as_dtype(val)]
    if kind == "dict":
        return [t for _, v in val for t in _leaf_dtypes(v)]
    if kind in ("list", "tuple"):
        return [t for v in val for t in _leaf_dtypes(v)]
    return []


class _Concrete:
    def __init__(self, record, exported, variables):
        self.record = record
        self.exported = exported
        self.captured = [variables[k] for k in record["captured"]]
        self.assigned = [variables[k] for k in record["assigned"]]
        self.inputs = record["inputs"]
        self.out_dtypes = _leaf_dtypes(record["outputs"])

    def accepts(self, values):
        if len(values) != len(self.inputs):
            return False
        for v, spec in zip(values, self.inputs):
            if v.dtype.name != spec["dtype"] or len(v.shape) != len(spec["shape"]):
                return False
            if any(d is not None and d != n for d, n in zip(spec["shape"], v.shape)):
                return False
        return True

    def run(self, values):
        from ._function._capture import raw_value, set_raw_value
        for v, spec in zip(values, self.inputs):
            if any(d is None and n == 0 for d, n in zip(spec["shape"], v.shape)):
                # Note: jax.export's symbolic dimensions are >= 1 by construction.
                raise ValueError(f"A function restored from a tftape SavedModel cannot take "
                                 f"an empty dimension where its signature has None "
                                 f"(input {spec['name']!r}, shape {tuple(v.shape)}).")
        args = [v._v for v in values] + [raw_value(var) for var in self.captured]
        outs = self.exported.call(*args)
        n = len(outs) - len(self.assigned)
        for var, val in zip(self.assigned, outs[n:]):
            set_raw_value(var, val)
        leaves = iter(make(o, dt) for o, dt in zip(outs[:n], self.out_dtypes))
        return _decode_tree(self.record["outputs"], leaves)


def _convert(x, dtype_name):
    from ._core.convert import convert_to_tensor
    if isinstance(x, Tensor) or getattr(type(x), "_is_tf_variable", False):
        return convert_to_tensor(x)
    return convert_to_tensor(x, dtype=_d.as_dtype(dtype_name))


class _RestoredFunction:
    """A tf.function loaded from a SavedModel: runs the saved StableHLO for its signatures."""

    def __init__(self, name, concretes):
        self.__name__ = name
        self._concretes = concretes

    def _binding_error(self, why, args, kwargs):
        from ._function.specs import TensorSpec
        c = self._concretes[0]
        sig = ", ".join(f"{i['name']}: {_spec(i, 'spec_name')!r}" for i in c.inputs)
        return TypeError(f"Binding inputs to tf.function failed due to `{why}`. Received args: "
                         f"{tuple(args)!r} and kwargs: {kwargs!r} for signature: ({sig}).")

    def __call__(self, *args, **kwargs):
        first = self._concretes[0]
        single = len(self._concretes) == 1 and first.record.get("from_signature")
        if single and len(args) > len(first.inputs):
            raise self._binding_error("too many positional arguments", args, kwargs)
        if single:
            from ._function.specs import TensorSpec
            given = dict(zip([i["name"] for i in first.inputs], args), **kwargs)
            for i in first.inputs:
                v = given.get(i["name"])
                if v is None:
                    continue
                t = _convert(v, i["dtype"]) if not isinstance(v, Tensor) else v
                ok = t.dtype.name == i["dtype"] and len(t.shape) == len(i["shape"]) and all(
                    d is None or d == n for d, n in zip(i["shape"], t.shape))
                if not ok:
                    got = TensorSpec(tuple(t.shape), t.dtype, i["spec_name"])
                    raise self._binding_error(
                        f"Can not cast {got!r} to {_spec(i, 'spec_name')!r}", args, kwargs)
        names = [i["name"] for i in first.inputs]
        values = list(args)
        for n in names[len(args):]:
            if n in kwargs:
                values.append(kwargs.pop(n))
        if kwargs:
            raise TypeError(f"{self.__name__}() got an unexpected keyword argument "
                            f"'{next(iter(kwargs))}'")
        for c in self._concretes:
            try:
                tensors = [_convert(v, i["dtype"]) for v, i in zip(values, c.inputs)]
            except (TypeError, ValueError):
                continue
            if c.accepts(tensors):
                return c.run(tensors)
        options = "\n".join(
            f"  Option {k + 1}:\n" + "\n".join(
                f"    * TensorSpec(shape={tuple(i['shape'])}, dtype=tf.{i['dtype']}, "
                f"name={i['name']!r})" for i in c.inputs)
            for k, c in enumerate(self._concretes))
        got = "\n".join(f"    * {v!r}" for v in values)
        raise ValueError(f"Could not find matching concrete function to call loaded from the "
                         f"SavedModel. Got:\n  Positional arguments ({len(values)} total):\n"
                         f"{got}\n\n Expected these arguments to match one of the following "
                         f"{len(self._concretes)} option(s):\n\n{options}")


def _spec(record, name_key="name"):
    from ._function.specs import TensorSpec
    return TensorSpec(tuple(record["shape"]), _d.as_dtype(record["dtype"]), record[name_key])


class _SignatureFunction:
    """``loaded.signatures[key]``: keyword arguments in, a dict of named outputs out."""

    def __init__(self, concrete):
        self._c = concrete

    @property
    def structured_input_signature(self):
        from ._function.specs import TensorSpec
        return ((), {i["name"]: TensorSpec(i["shape"], _d.as_dtype(i["dtype"]), i["name"])
                     for i in self._c.inputs})

    def __call__(self, *args, **kwargs):
        names = [i["name"] for i in self._c.inputs]
        if len(args) > len(names):
            raise TypeError(f"signature_wrapper({', '.join(names)}) takes {len(names)} "
                            f"positional arguments but {len(args)} were given")
        kwargs = {**dict(zip(names, args)), **kwargs}
        missing = [n for n in names if n not in kwargs]
        if missing or len(kwargs) != len(names):
            raise TypeError(f"signature_wrapper(*, {', '.join(names)}) missing required "
                            f"arguments: {', '.join(missing) or '(none)'}; got "
                            f"{sorted(kwargs)}")
        tensors = [_convert(kwargs[i["name"]], i["dtype"]) for i in self._c.inputs]
        if not self._c.accepts(tensors):
            raise ValueError(f"Signature inputs {self._c.inputs} do not match the arguments "
                             f"{[(tuple(t.shape), t.dtype.name) for t in tensors]}")
        out = self._c.run(tensors)
        if isinstance(out, dict):
            return dict(out)
        if isinstance(out, (list, tuple)):
            return {f"output_{k}": v for k, v in enumerate(out)}
        return {"output_0": out}


def load(export_dir, tags=None, options=None):
    """Loads a SavedModel written by ``tftape.saved_model.save``."""
    from jax import export as jex
    from ._variables import Variable
    from .train._bundle import BundleReader
    export_dir = os.fspath(export_dir)
    meta_path = os.path.join(export_dir, _META)
    if not os.path.isfile(meta_path):
        if os.path.isfile(os.path.join(export_dir, "saved_model.pb")):
            raise NotImplementedError(
                f"{export_dir} is a TensorFlow SavedModel (saved_model.pb). tftape loads only "
                f"SavedModels written by tftape.saved_model.save; TensorFlow's GraphDef format "
                f"is not supported. Its variables load with tf.train.load_checkpoint("
                f"'{os.path.join(export_dir, 'variables', 'variables')}').")
        raise OSError(f"SavedModel file does not exist at: {export_dir}{os.sep}{{{_META}}}")
    with open(meta_path) as f:
        meta = json.load(f)
    reader = BundleReader(os.path.join(export_dir, "variables", "variables"))
    nodes = meta["nodes"]
    objs = []
    variables = {}
    from .train._graph import escape
    paths = {0: ()}
    for i, node in enumerate(nodes):
        for name, j in node["children"]:
            paths.setdefault(j, paths[i] + (name,))
    for i, node in enumerate(nodes):
        kind = node["kind"]
        if kind == "variable":
            key = "/".join(escape(p) for p in paths[i]) + "/.ATTRIBUTES/VARIABLE_VALUE"
            name = node["name"][:-2] if node["name"].endswith(":0") else node["name"]
            v = Variable(reader.read(key), trainable=node["trainable"], name=name)
            variables[key] = v
            objs.append(v)
        elif kind == "list":
            objs.append([])
        elif kind == "dict":
            objs.append({})
        else:
            objs.append(_Loaded())
    for i, node in enumerate(nodes):
        o = objs[i]
        for name, j in node["children"]:
            if isinstance(o, list):
                o.append(objs[j])
            elif isinstance(o, dict):
                o[name] = objs[j]
            elif isinstance(o, _Loaded):
                setattr(o, name, objs[j])
    by_path = {}
    concretes = []
    for n, rec in enumerate(meta["functions"]):
        with open(os.path.join(export_dir, _FUNCS, f"{n}.stablehlo"), "rb") as f:
            exported = jex.deserialize(bytearray(f.read()))
        c = _Concrete(rec, exported, variables)
        concretes.append(c)
        if rec["path"] is not None:
            by_path.setdefault(tuple(rec["path"]), []).append(c)
    for (i, name), cs in by_path.items():
        fn = _RestoredFunction(name, cs)
        o = objs[i]
        if name == "__call__":
            # Python looks __call__ up on the type: give this object its own subclass.
            o.__class__ = type("_UserObject", (type(o),), {
                "__call__": lambda self, *a, **k: type(self)._restored_call(*a, **k),
                "_restored_call": staticmethod(fn)})
        object.__setattr__(o, name, fn)
    root = objs[0]
    if isinstance(root, _Loaded):
        root.signatures = {k: _SignatureFunction(concretes[n])
                           for k, n in meta["signatures"].items()}
    return root

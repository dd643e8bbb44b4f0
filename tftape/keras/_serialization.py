"""Keras 3 object serialization: ``serialize_keras_object`` / ``deserialize_keras_object``,
the custom-object registry and ``custom_object_scope``.

A serialized object is ``{"module", "class_name", "config", "registered_name"}`` (plus
``build_config`` / ``compile_config`` for layers and models), as in a ``.keras`` file's
``config.json``; built-in classes resolve by their public Keras module, others through
``custom_objects``, a ``custom_object_scope`` or ``register_keras_serializable``.
"""
from __future__ import annotations

import inspect
import threading

_GLOBAL_CUSTOM_OBJECTS: dict = {}     # registered name -> class or function
_GLOBAL_CUSTOM_NAMES: dict = {}       # class or function -> registered name


class _Scopes(threading.local):
    def __init__(self):
        self.stack: list = []


_SCOPES = _Scopes()


def register_keras_serializable(package="Custom", name=None):
    """Decorator registering a class or function as ``package>name`` for deserialization.

    >>> import tftape as tf
    >>> @tf.keras.saving.register_keras_serializable(package="Doc")
    ... class Twice(tf.keras.layers.Layer):
    ...     def call(self, x):
    ...         return 2 * x
    >>> tf.keras.saving.get_registered_name(Twice)
    'Doc>Twice'
    """
    def decorator(arg):
        class_name = name if name is not None else arg.__name__
        registered_name = package + ">" + class_name
        if inspect.isclass(arg) and not hasattr(arg, "get_config"):
            raise ValueError("Cannot register a class that does not have a get_config() "
                             "method.")
        _GLOBAL_CUSTOM_OBJECTS[registered_name] = arg
        _GLOBAL_CUSTOM_NAMES[arg] = registered_name
        return arg
    return decorator


def get_registered_name(obj):
    return _GLOBAL_CUSTOM_NAMES.get(obj, getattr(obj, "__name__", None))


def _registered_name_of(obj):
    """The registered name of a class or function, or None when it is not registered."""
    return _GLOBAL_CUSTOM_NAMES.get(obj)


def get_registered_object(name, custom_objects=None, module_objects=None):
    for scope in reversed(_SCOPES.stack):
        if name in scope:
            return scope[name]
    if name in _GLOBAL_CUSTOM_OBJECTS:
        return _GLOBAL_CUSTOM_OBJECTS[name]
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if module_objects and name in module_objects:
        return module_objects[name]
    return None


def get_custom_objects():
    return _GLOBAL_CUSTOM_OBJECTS


class CustomObjectScope:
    """Makes ``custom_objects`` visible to deserialization inside a ``with`` block."""

    def __init__(self, custom_objects):
        self.custom_objects = dict(custom_objects or {})

    def __enter__(self):
        _SCOPES.stack.append(self.custom_objects)
        return self

    def __exit__(self, *exc):
        _SCOPES.stack.pop()


custom_object_scope = CustomObjectScope


# -- the public Keras module of each built-in class ---------------------------------------------
def _builtin_module(cls):
    if not cls.__module__.startswith("tftape."):
        return None
    return getattr(cls, "_keras_module", None)


# The public namespaces sit above this module; the package's ``__init__`` registers them once
# they are imported (deserialization runs only after that).
_NAMESPACES: dict = {}


def register_namespaces(namespaces: dict) -> None:
    """Names the public module (``keras.layers``...) that holds each built-in class."""
    _NAMESPACES.update(namespaces)


def _builtin_namespace(module):
    return _NAMESPACES.get(module)


# The built-in activations (serialized by their bare name) and the keras.ops operations
# (``keras.src.ops.numpy`` classes) are defined above this module too: keras/activations.py
# and keras/_layer.py register them when imported.
_FUNCTIONS: dict = {}
_OPS: list = []     # [(the operations' names, the factory of their layers)]


def register_functions(functions: dict) -> None:
    """Names the built-in functions that serialize as their bare name (``"relu"``)."""
    _FUNCTIONS.update(functions)


def register_ops(names, factory) -> None:
    """The keras.ops operations that deserialization rebuilds, and the factory of their layers."""
    _OPS[:] = [(names, factory)]


# -- serialization ---------------------------------------------------------------------------------
def serialize_keras_object(obj):
    """The JSON-compatible config of ``obj`` (Keras 3's format)."""
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, bytes):
        return {"class_name": "__bytes__", "config": {"value": obj.decode("utf-8")}}
    if isinstance(obj, (list, tuple)):
        out = [serialize_keras_object(x) for x in obj]
        return tuple(out) if isinstance(obj, tuple) else out
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    import numpy as np
    if isinstance(obj, np.ndarray) or hasattr(obj, "numpy"):
        arr = np.asarray(obj.numpy() if hasattr(obj, "numpy") else obj)
        if arr.ndim == 0:
            return arr.item()
        return {"class_name": "__numpy__", "config": {"value": arr.tolist(),
                                                        "dtype": str(arr.dtype)}}
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, slice):
        return {"class_name": "__slice__", "config": {"start": obj.start, "stop": obj.stop,
                                                      "step": obj.step}}
    if obj is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    if inspect.isfunction(obj) or inspect.isbuiltin(obj):
        if _FUNCTIONS.get(obj.__name__) is obj:
            return obj.__name__
        registered = _registered_name_of(obj)
        return {"module": obj.__module__, "class_name": "function",
                "config": obj.__name__, "registered_name": registered or obj.__name__}
    cls = type(obj)
    op = getattr(obj, "op", None) if type(obj).__name__ == "_OpLayer" else None
    if op is not None:      # a keras.ops operation on KerasTensors
        return {"module": "keras.src.ops.numpy", "class_name": op, "config": obj.get_config(),
                "registered_name": op}
    module = _builtin_module(cls)
    registered = _registered_name_of(cls)
    config = obj.get_config()
    out = {"module": module if module and registered is None else cls.__module__,
           "class_name": cls.__name__,
           "config": serialize_keras_object(config),
           "registered_name": None if module and registered is None
           else (registered or cls.__name__)}
    if module == "keras.src.models.functional" and registered is None:
        out["registered_name"] = "Functional"     # what Keras 3 writes for its private module
    build = getattr(obj, "get_build_config", None)
    if build is not None:
        bc = build()
        if bc is not None:
            out["build_config"] = serialize_keras_object(bc)
    compile_cfg = getattr(obj, "get_compile_config", None)
    if compile_cfg is not None:
        cc = compile_cfg()
        if cc is not None:
            out["compile_config"] = serialize_keras_object(cc)
    return out


def _locate(config, custom_objects):
    class_name = config.get("class_name")
    registered = config.get("registered_name")
    module = config.get("module")
    scopes = {}
    for s in _SCOPES.stack:
        scopes.update(s)
    scopes.update(custom_objects or {})
    for key in (registered, class_name):
        if key and key in scopes:
            return scopes[key]
    if registered and registered in _GLOBAL_CUSTOM_OBJECTS:
        return _GLOBAL_CUSTOM_OBJECTS[registered]
    if module == "keras.src.ops.numpy" and _OPS:
        names, factory = _OPS[0]
        if class_name in names:
            return factory(class_name)
    ns = _builtin_namespace(module) if module else None
    if ns is not None and class_name != "function":
        obj = getattr(ns, class_name, None)
        if obj is not None:
            return obj
    if module and module.startswith("keras") and class_name == "function":
        return _FUNCTIONS.get(config.get("config"))
    if class_name in _GLOBAL_CUSTOM_OBJECTS:
        return _GLOBAL_CUSTOM_OBJECTS[class_name]
    return None


def _class_path(cls):
    """Keras 3's module path of a built-in class (``keras.src.models.functional.Functional``)."""
    module = _builtin_module(cls) if isinstance(cls, type) else None
    if module is None:
        return f"{getattr(cls, '__module__', '')}.{getattr(cls, '__qualname__', cls)}"
    if module == "keras":
        module = "keras.src.models." + cls.__name__.lower()
    return f"{module}.{cls.__name__}"


def deserialize_keras_object(config, custom_objects=None, safe_mode=True, **kwargs):
    """Rebuilds an object from ``serialize_keras_object``'s output."""
    if config is None or isinstance(config, (bool, int, float)):
        return config
    if isinstance(config, str):
        obj = custom_objects.get(config) if custom_objects else None
        return obj if obj is not None else (get_registered_object(config) or config)
    if isinstance(config, (list, tuple)):
        return [deserialize_keras_object(x, custom_objects) for x in config]
    if not isinstance(config, dict):
        raise TypeError(f"Could not parse config: {config}")
    if "class_name" not in config or "config" not in config:
        return {k: deserialize_keras_object(v, custom_objects) if isinstance(v, dict) and
                "class_name" in v else v for k, v in config.items()}
    class_name, inner = config["class_name"], config["config"]
    if class_name == "__tuple__":
        return tuple(deserialize_keras_object(x, custom_objects) for x in inner["value"])
    if class_name == "__bytes__":
        return inner["value"].encode("utf-8")
    if class_name == "__slice__":
        return slice(inner["start"], inner["stop"], inner["step"])
    if class_name == "__ellipsis__":
        return Ellipsis
    if class_name == "__numpy__":
        import numpy as np
        return np.array(inner["value"], dtype=inner["dtype"])
    if class_name == "__lambda__":
        raise ValueError("Requested the deserialization of a `lambda` object, which is not "
                         "supported by tftape (it would run arbitrary code).")
    obj = _locate(config, custom_objects)
    module = config.get("module")
    if obj is None and class_name != "function" and _builtin_namespace(module) is not None:
        # Keras imports the public module and finds no such class in it.
        raise ValueError(f"Could not deserialize '{module}.{class_name}' because it is not a "
                         "KerasSaveable subclass")
    if obj is None:
        raise TypeError(f"Could not locate class '{class_name}'. Make sure custom classes "
                        f"and functions are decorated with "
                        f"`@keras.saving.register_keras_serializable()`. If they are already "
                        f"decorated, make sure they are all imported so that the decorator is "
                        f"run before trying to load them. Full object config: {config}")
    if class_name == "function":
        return obj
    with CustomObjectScope(custom_objects or {}):
        try:
            instance = obj.from_config(inner) if hasattr(obj, "from_config") else obj(**inner)
        except TypeError as e:
            # Keras 3 names the class whose config failed, and the inner error.
            raise TypeError(
                f"<class '{_class_path(obj)}'> could not be deserialized properly. Please "
                f"ensure that components that are Python object instances (layers, models, "
                f"etc.) returned by `get_config()` are explicitly deserialized in the model's "
                f"`from_config()` method.\n\nconfig={config}.\n\nException encountered: {e}"
            ) from e
        build_config = config.get("build_config")
        if build_config and not getattr(instance, "built", True) and \
                hasattr(instance, "build_from_config"):
            instance.build_from_config(build_config)
        compile_config = config.get("compile_config")
        if compile_config and hasattr(instance, "compile_from_config"):
            instance.compile_from_config(compile_config)
    return instance

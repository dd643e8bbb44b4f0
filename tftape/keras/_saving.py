"""Keras 3 files: ``model.save("m.keras")`` / ``load_model`` and ``.weights.h5``.

A ``.keras`` file is a zip of ``config.json`` (the serialized model), ``metadata.json`` and
``model.weights.h5``. The weights file is HDF5 laid out as Keras 3 does: each object with
variables owns a group ``<path>/vars`` holding datasets ``"0"``, ``"1"``... in the order of its
own variables; paths follow the model's structure (``layers/dense/vars``, ``optimizer/vars``;
layers inside lists are named by their class, ``dense``, ``dense_1``...). Files written by
Keras 3 load here, and Keras 3 loads ours. HDF5 needs ``h5py`` (``pip install tftape[saving]``).
"""
from __future__ import annotations

import datetime
import io
import json
import os
import re
import tempfile
import zipfile

import numpy as np

_KERAS_VERSION = "3.15.1"


def _h5py():
    try:
        import h5py
    except ImportError:
        raise ImportError("h5py must be installed to save or load Keras `.weights.h5` and "
                          "`.keras` files: pip install 'tftape[saving]' (or pip install "
                          "h5py).") from None
    return h5py


def _snake(name: str) -> str:
    # Note: a digit before a capital joins it, as Keras 3 names groups (Conv1D -> conv1d).
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", re.sub(r"\W+", "", name))
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()


# -- the model classes --------------------------------------------------------------------------
# They sit above this module (their methods save through it); keras/_model.py registers them.
_MODELS: list = []


def register_models(functional, sequential) -> None:
    """Names the Functional and Sequential classes, which saving and summaries test for."""
    _MODELS[:] = [functional, sequential]


def model_classes():
    """``(Functional, Sequential)``."""
    return tuple(_MODELS)


# -- the object walk shared by saving and loading ----------------------------------------------
def _kinds():
    from ._layer import Layer
    from .optimizers import Optimizer
    Functional, Sequential = model_classes()
    return Layer, Functional, Sequential, Optimizer


def _own_variables(obj):
    Layer, _, _, Optimizer = _kinds()
    if isinstance(obj, Optimizer):
        return list(obj.variables)
    if isinstance(obj, Layer):
        return list(obj._trainable_variables) + list(obj._non_trainable_variables)
    return []


def _is_trackable(obj):
    Layer, _, _, Optimizer = _kinds()
    return isinstance(obj, (Layer, Optimizer))


def _children(obj):
    """``(name, child)`` pairs in the order Keras 3 visits them."""
    Layer, Functional, Sequential, Optimizer = _kinds()
    if isinstance(obj, Optimizer):
        return []
    out = []
    if isinstance(obj, (Functional, Sequential)):
        out.append(("layers", obj.layers))
    skip = Layer._UNTRACKED
    for k in sorted(vars(obj)):
        v = vars(obj)[k]
        if k.startswith("_") or (k in skip and k != "optimizer") or v is obj:
            continue
        if _is_trackable(v) or (isinstance(v, (list, tuple, dict)) and any(
                _is_trackable(x) for x in (v.values() if isinstance(v, dict) else v))):
            out.append((k, v))
    return out


def _walk(obj, path, visit, seen):
    if id(obj) in seen:
        return
    seen.add(id(obj))
    visit(obj, path)
    for name, child in _children(obj):
        child_path = f"{path}/{name}" if path else name
        if _is_trackable(child):
            _walk(child, child_path, visit, seen)
        else:
            used = {}
            items = child.values() if isinstance(child, dict) else child
            for item in items:
                if not _is_trackable(item):
                    continue
                n = _snake(type(item).__name__)
                if n in used:
                    used[n] += 1
                    n = f"{n}_{used[n]}"
                else:
                    used[n] = 0
                _walk(item, f"{child_path}/{n}", visit, seen)


# -- weights files -----------------------------------------------------------------------------
def _write_weights(model, f):
    def visit(obj, path):
        group = f.create_group(f"{path}/vars" if path else "vars")
        group.attrs["name"] = getattr(obj, "name", "")
        for i, v in enumerate(_own_variables(obj)):
            group.create_dataset(str(i), data=np.asarray(v.numpy()))
    _walk(model, "", visit, set())


def _read_weights(model, f, skip_mismatch=False):
    failed = []

    def visit(obj, path):
        key = f"{path}/vars" if path else "vars"
        own = _own_variables(obj)
        group = f[key] if key in f else None
        n = len(group.keys()) if group is not None else 0
        try:
            if n != len(own) and isinstance(obj, _kinds()[3]):
                # Keras 3: an optimizer saved before (or after) building keeps its state.
                import warnings
                warnings.warn(f"Skipping variable loading for optimizer '{obj.name}', because "
                              f"it has {len(own)} variables whereas the saved optimizer has "
                              f"{n} variables. ", UserWarning, stacklevel=2)
                return
            if n != len(own):
                if skip_mismatch:
                    return
                raise ValueError(f"Layer '{obj.name}' expected {len(own)} variables, but "
                                 f"received {n} variables during loading. Expected: "
                                 f"{[v.name for v in own]}")
            for i, v in enumerate(own):
                value = np.asarray(group[str(i)])
                if tuple(value.shape) != tuple(v.shape):
                    if skip_mismatch:
                        continue
                    raise ValueError(f"The shape of the target variable and the shape of the "
                                     f"target value in `variable.assign(value)` must match. "
                                     f"variable.shape={tuple(v.shape)}, Received: "
                                     f"value.shape={tuple(value.shape)}. Target variable: {v!r}")
                v.assign(value)
        except Exception as e:  # noqa: BLE001 - gathered and reported together, as Keras does
            failed.append((obj, e))
    _walk(model, "", visit, set())
    if failed:
        obj, err = failed[0]
        raise ValueError(f"A total of {len(failed)} objects could not be loaded. Example error "
                         f"message for object {obj}:\n\n{err}\n\nList of objects that could "
                         f"not be loaded:\n[{', '.join(repr(o) for o, _ in failed)}]")


def _atomic_write(path, write):
    from .._core.process import is_writer
    if not is_writer():   # a non-chief worker of a multi-worker cluster: the chief writes
        return
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=os.path.basename(path))
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def save_weights(model, filepath, overwrite=True):
    """Writes the model's (and its optimizer's) variables to a ``.weights.h5`` file."""
    name = os.fspath(filepath)
    if not name.endswith(".weights.h5"):
        raise ValueError(f"The filename must end in `.weights.h5`. Received: "
                         f"filepath={filepath}")
    h5py = _h5py()
    if os.path.exists(name) and not overwrite:
        raise FileExistsError(f"{name} already exists.")

    def write(tmp):
        with h5py.File(tmp, "w") as f:
            _write_weights(model, f)
    _atomic_write(name, write)


def load_weights(model, filepath, skip_mismatch=False, **kwargs):
    """Loads a ``.weights.h5`` file (or the weights inside a ``.keras`` file)."""
    name = os.fspath(filepath)
    if name.endswith(".keras"):
        with zipfile.ZipFile(name) as z:
            data = z.read("model.weights.h5")
        with _h5py().File(io.BytesIO(data), "r") as f:
            _read_weights(model, f, skip_mismatch)
        return
    if not name.endswith(".weights.h5"):
        raise ValueError(f"File format not supported: filepath={filepath}. Keras 3 only "
                         f"supports V3 `.keras` files, `.weights.h5` files, legacy H5 format "
                         f"files (`.h5` extension), or Orbax checkpoints.")
    with _h5py().File(name, "r") as f:
        _read_weights(model, f, skip_mismatch)


# -- .keras files ------------------------------------------------------------------------------
def save_model(model, filepath, overwrite=True, zipped=None, **kwargs):
    """Writes ``config.json``, ``metadata.json`` and ``model.weights.h5`` into a zip."""
    from ._serialization import serialize_keras_object
    name = os.fspath(filepath)
    if not name.endswith(".keras"):
        raise ValueError(f"Invalid filepath extension for saving. Please add either a "
                         f"`.keras` extension for the native Keras format (recommended) or a "
                         f"`.h5` extension. Use `model.export(filepath)` if you want to export "
                         f"a SavedModel for use with TFLite/TFServing/etc. Received: "
                         f"filepath={filepath}.")
    h5py = _h5py()
    if os.path.exists(name) and not overwrite:
        raise FileExistsError(f"{name} already exists.")
    config = json.dumps(serialize_keras_object(model))
    meta = json.dumps({"keras_version": _KERAS_VERSION, "date_saved":
                       datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")})
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        _write_weights(model, f)

    def write(tmp):
        with zipfile.ZipFile(tmp, "w") as z:
            z.writestr("metadata.json", meta)
            z.writestr("config.json", config)
            z.writestr("model.weights.h5", buf.getvalue())
    _atomic_write(name, write)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Rebuilds a model from a ``.keras`` file: its config, then its weights."""
    from ._serialization import deserialize_keras_object
    name = os.fspath(filepath)
    if not name.endswith(".keras"):
        raise ValueError(f"File format not supported: filepath={filepath}. Keras 3 only "
                         f"supports V3 `.keras` files, `.weights.h5` files, legacy H5 format "
                         f"files (`.h5` extension), or Orbax checkpoints.")
    if not os.path.isfile(name) or not zipfile.is_zipfile(name):
        raise ValueError(f"File not found: filepath={filepath}. Please ensure the file is an "
                         f"accessible `.keras` zip file.")
    h5py = _h5py()
    with zipfile.ZipFile(name) as z:
        config = json.loads(z.read("config.json"))
        weights = z.read("model.weights.h5")
    if not compile:
        config.pop("compile_config", None)
    model = deserialize_keras_object(config, custom_objects=custom_objects,
                                     safe_mode=safe_mode)
    with h5py.File(io.BytesIO(weights), "r") as f:
        _read_weights(model, f)
    return model

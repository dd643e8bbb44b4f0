"""``save_weights`` / ``load_weights``.

# Note: Keras 3 writes ``.weights.h5`` (HDF5, needs h5py). tftape has no h5py dependency, so
# the file holds a NumPy ``.npz`` archive (one array per weight, keyed by its path) under
# whatever name is given; files are not interchangeable with real Keras.
"""
from __future__ import annotations

import os

import numpy as np


def _check_name(filepath):
    name = str(filepath)
    if not name.endswith(".weights.h5"):
        raise ValueError(f"The filename must end in `.weights.h5`. Received: "
                         f"filepath={filepath}")
    return name


def save_weights(model, filepath, overwrite=True):
    name = _check_name(filepath)
    if os.path.exists(name) and not overwrite:
        raise FileExistsError(f"{name} already exists.")
    arrays = {f"{i:05d}:{getattr(v, 'path', v.name)}": v.numpy()
              for i, v in enumerate(model.weights)}
    with open(name, "wb") as f:
        np.savez(f, **arrays)


def load_weights(model, filepath, skip_mismatch=False):
    name = str(filepath)
    if not name.endswith(".weights.h5"):
        raise ValueError(f"File format not supported: filepath={filepath}. Keras 3 only "
                         f"supports V3 `.keras` and `.weights.h5` files, or legacy V1/V2 `.h5` "
                         f"files.")
    with np.load(name) as data:
        keys = sorted(data.files)
        values = [data[k] for k in keys]
    weights = model.weights
    if len(values) != len(weights):
        raise ValueError(f"A total of {len(values)} objects could not be loaded. Layer "
                         f"'{model.name}' expected {len(weights)} variables, but received "
                         f"{len(values)} variables during loading.")
    for v, val in zip(weights, values):
        if tuple(v.shape) != tuple(val.shape):
            if skip_mismatch:
                continue
            raise ValueError(f"The shape of the target variable and the shape of the target "
                             f"value in `variable.assign(value)` must match. "
                             f"variable.shape={tuple(v.shape)}, Received: "
                             f"value.shape={tuple(val.shape)}. Target variable: {v}")
        v.assign(val)

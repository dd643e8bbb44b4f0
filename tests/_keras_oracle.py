"""Shared checks of tftape Keras layers against real tf.keras (same weights, same inputs)."""
from __future__ import annotations

import re

import numpy as np

import tftape as tf


def same_weights(ours, theirs, seed=0, scale=0.5):
    """Gives both built layers the same random weights (TF's order and shapes)."""
    rng = np.random.default_rng(seed)
    ws = [(rng.standard_normal(tuple(w.shape)) * scale).astype(w.dtype.name if hasattr(
        w.dtype, "name") else str(w.dtype)) for w in theirs.weights]
    theirs.set_weights(ws)
    ours.set_weights(ws)


def close(a, b, tol=1e-5):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=tol, atol=tol)


def _weight_rows(layer):
    return [(v.path.split("/")[-1], tuple(v.shape), v.trainable) for v in layer.weights]


def _clean_config(cfg):
    cfg = dict(cfg)
    cfg.pop("name", None)
    return cfg


def check_layer(real_tf, cls_name, args=(), kwargs=None, inputs=(), call_kwargs=None,
                tol=1e-5, config=True, weights=True):
    """Builds ``cls_name`` in both libraries, gives both the same weights and compares.

    Compares outputs (values, dtypes, shapes), ``compute_output_shape``, weight names,
    shapes and trainability, ``get_config`` and a ``from_config`` round trip.
    Returns both layers and outputs.
    """
    kwargs = kwargs or {}
    call_kwargs = call_kwargs or {}
    ours = getattr(tf.keras.layers, cls_name)(*args, **kwargs)
    theirs = getattr(real_tf.keras.layers, cls_name)(*args, **kwargs)
    xs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    one = not isinstance(inputs, (list, tuple))
    call_a = xs[0] if one else xs
    yb = theirs(call_a, **call_kwargs)
    ya = ours(call_a, **call_kwargs) if not weights else None
    if weights:
        if not ours.built:
            ours(call_a, **call_kwargs)
        assert _weight_rows(ours) == _weight_rows(theirs), (_weight_rows(ours),
                                                            _weight_rows(theirs))
        same_weights(ours, theirs)
        yb = theirs(call_a, **call_kwargs)
        ya = ours(call_a, **call_kwargs)
    flat_a = ya if isinstance(ya, (list, tuple)) else [ya]
    flat_b = yb if isinstance(yb, (list, tuple)) else [yb]
    assert len(flat_a) == len(flat_b)
    for a, b in zip(flat_a, flat_b):
        assert tuple(a.shape) == tuple(b.shape)
        assert a.dtype.name == b.dtype.name
        close(a, b, tol)
    if config:
        ca, cb = ours.get_config(), theirs.get_config()
        ca, cb = _clean_config(ca), _clean_config(cb)
        diff = {k: (ca.get(k), cb.get(k)) for k in set(ca) | set(cb) if ca.get(k) != cb.get(k)}
        assert not diff, diff
        again = type(ours).from_config(ca)
        assert _clean_config(again.get_config()) == _clean_config(ca)
    return ours, theirs, ya, yb


def check_output_shape(real_tf, cls_name, shape, args=(), kwargs=None):
    """``compute_output_shape`` and a functional (KerasTensor) call agree with TF."""
    kwargs = kwargs or {}
    outs = []
    for lib in (tf, real_tf):
        layer = getattr(lib.keras.layers, cls_name)(*args, **kwargs)
        kt = layer(lib.keras.Input(batch_shape=shape))
        kts = kt if isinstance(kt, (list, tuple)) else [kt]
        outs.append([tuple(k.shape) for k in kts])
    assert outs[0] == outs[1]


def check_error(real_tf, fn, exc=ValueError):
    """``fn(lib)`` raises the same exception type with the same message in both libraries."""
    msgs = []
    for lib in (real_tf, tf):
        lib.keras.backend.clear_session()
        try:
            fn(lib)
        except Exception as e:  # noqa: BLE001
            msgs.append((type(e), str(e)))
        else:
            msgs.append(None)
    assert msgs[0] is not None and msgs[0][0] is exc, msgs
    # Note: Keras re-raises errors from inside `call()` with the arguments appended; tftape
    # raises the inner error itself.
    inner = re.search("\x1b\\[1m(.*)\x1b\\[0m", msgs[0][1], re.S)
    if inner is not None:
        msgs[0] = (msgs[0][0], inner.group(1))
    assert msgs[1] == msgs[0], msgs


def train_losses(lib, build, x, y, loss="mse", steps=3, optimizer=("SGD", {"learning_rate":
                                                                              0.05}),
                 weights=None):
    """Losses of ``steps`` train_on_batch calls of ``build(lib)`` from ``weights``."""
    model = build(lib)
    if weights is not None:
        model.set_weights(weights)
    name, kw = optimizer
    model.compile(optimizer=getattr(lib.keras.optimizers, name)(**kw), loss=loss)
    return [float(model.train_on_batch(x, y)) for _ in range(steps)]


def check_training(real_tf, build, x, y, loss="mse", steps=3, tol=1e-4, **kw):
    """A few optimizer steps from the same weights give TF's losses."""
    ref = build(real_tf)
    rng = np.random.default_rng(1)
    ws = [(rng.standard_normal(tuple(w.shape)) * 0.3).astype(np.float32)
          if w.trainable else w.numpy() for w in ref.weights]
    lb = train_losses(real_tf, build, x, y, loss, steps, weights=ws, **kw)
    la = train_losses(tf, build, x, y, loss, steps, weights=ws, **kw)
    np.testing.assert_allclose(la, lb, rtol=tol, atol=tol)
    return la, lb

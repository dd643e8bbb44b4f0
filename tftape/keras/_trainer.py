"""compile / fit / evaluate / predict with compiled steps (Keras 3's "stateless call").

A train step is one ``jax.jit`` function of the values of every state variable (model,
optimizer, metrics) and a batch. While JAX traces it, each variable's value is swapped for
its tracer, and the ordinary eager code runs: the model call and loss go through tftape ops
(which run their JAX impls on tracers), ``jax.value_and_grad`` takes the gradients, the
optimizer and metrics assign new values. The new values are returned and written back.
"""
from __future__ import annotations

import math
import warnings

import jax
import numpy as np

from .._core import dtypes as _d
from .._core.convert import convert_to_tensor, filled
from .._core.compiled import jit as _jit
from .._core.registry import tracing_scope
from .._core.tensor import Tensor, make
from .._ops import math_ops as _m
from . import _losses, _losses_extra, _metrics, _metrics_extra  # noqa: F401 (it registers names)
from ._compile_utils import CompileLoss, CompileMetrics


# -- swapping variable values ------------------------------------------------------------------
class _Swap:
    """Temporarily gives ``variables`` the values ``values`` (tracers while JAX traces)."""

    def __init__(self, variables, values):
        self.vars = variables
        self.values = values

    def __enter__(self):
        self.saved = [v._value for v in self.vars]
        for v, x in zip(self.vars, self.values):
            v._value = x
        return self

    def current(self):
        return [v._value for v in self.vars]

    def __exit__(self, *exc):
        for v, x in zip(self.vars, self.saved):
            v._value = x


def _unique(vs):
    out, seen = [], set()
    for v in vs:
        if id(v) not in seen:
            seen.add(id(v))
            out.append(v)
    return out


# -- data --------------------------------------------------------------------------------------
def _to_numpy(x):
    if x is None:
        return None
    if isinstance(x, (list, tuple)):
        return type(x)(_to_numpy(v) for v in x)
    if isinstance(x, dict):
        return {k: _to_numpy(v) for k, v in x.items()}
    if isinstance(x, Tensor):
        return np.asarray(x._v) if x.dtype.name != "string" else x.numpy()
    if hasattr(x, "read_value"):
        return x.numpy()
    return np.asarray(x)


def _leaves(x):
    if isinstance(x, (list, tuple)):
        return [a for v in x for a in _leaves(v)]
    if isinstance(x, dict):
        return [a for k in sorted(x) for a in _leaves(x[k])]
    return [x]


def _slice(x, idx):
    if x is None:
        return None
    if isinstance(x, (list, tuple)):
        return type(x)(_slice(v, idx) for v in x)
    if isinstance(x, dict):
        return {k: _slice(v, idx) for k, v in x.items()}
    return x[idx]


def _as_tensors(x):
    if x is None:
        return None
    if isinstance(x, (list, tuple)):
        return type(x)(_as_tensors(v) for v in x)
    if isinstance(x, dict):
        return {k: _as_tensors(v) for k, v in x.items()}
    if isinstance(x, Tensor):
        return x
    from .._core import dtypes as _d
    import jax.numpy as jnp
    if isinstance(x, jax.Array) or isinstance(x, jax.core.Tracer):
        return make(x, _d._BY_NP[np.dtype(x.dtype)])
    arr = np.asarray(x)
    if arr.dtype.kind in "OSU":     # strings, for a model holding a TextVectorization
        from .._core.convert import convert_to_tensor
        return convert_to_tensor(arr.astype(object))
    return make(jnp.asarray(arr), _d._BY_NP[arr.dtype])


def _num_samples(x):
    return int(len(_leaves(x)[0]))


def _unpack(data):
    if isinstance(data, tuple):
        if len(data) == 1:
            return data[0], None, None
        if len(data) == 2:
            return data[0], data[1], None
        if len(data) == 3:
            return data
    return data, None, None


class _Batches:
    """Batches of NumPy arrays (``x, y, sample_weight``) or an iterable of batches."""

    def __init__(self, x, y=None, sample_weight=None, batch_size=None, shuffle=False,
                 steps=None):
        self.iterable = None
        if not isinstance(x, (np.ndarray, Tensor, list, tuple, dict)) and \
                not hasattr(x, "read_value") and hasattr(x, "__iter__"):
            if y is not None:
                raise ValueError("`y` argument is not supported when using dataset as input.")
            self.iterable = x
            self.steps = steps
            if steps is None and hasattr(x, "cardinality"):
                # A tf.data.Dataset of known length: the progress bar knows its steps.
                n = int(x.cardinality())
                self.steps = n if n >= 0 else None
            return
        self.x, self.y, self.sw = _to_numpy(x), _to_numpy(y), _to_numpy(sample_weight)
        self.n = _num_samples(self.x)
        self.batch_size = batch_size or 32
        self.shuffle = shuffle
        self.steps = steps if steps is not None else max(1, math.ceil(self.n / self.batch_size))

    def __iter__(self):
        if self.iterable is not None:
            for i, data in enumerate(self.iterable):
                if self.steps is not None and i >= self.steps:
                    break
                if not isinstance(data, tuple):
                    data = (data,)
                yield tuple(_to_numpy(d) for d in data)
            return
        idx = np.random.permutation(self.n) if self.shuffle else None
        for s in range(self.steps):
            lo = (s * self.batch_size) % max(self.n, 1)
            sl = slice(lo, min(lo + self.batch_size, self.n))
            sel = idx[sl] if idx is not None else sl
            data = (_slice(self.x, sel), _slice(self.y, sel), _slice(self.sw, sel))
            # Keras hands steps (x,), (x, y) or (x, y, sample_weight): no trailing Nones.
            while len(data) > 1 and data[-1] is None:
                data = data[:-1]
            yield data


def _place_batch(state, data):
    """Under a tf.distribute strategy (variables replicated on its mesh) the batch is split
    between the replicas' devices; unchanged elsewhere."""
    import sys
    dist = sys.modules.get("tftape.distribute._input")
    return data if dist is None else dist.shard_batch_like(state, data)


# -- the trainer mixin ----------------------------------------------------------------------------
class Trainer:
    """compile / fit / evaluate / predict for Model."""

    def __init__(self):
        self.compiled = False
        self.optimizer = None
        self.loss = None
        self._compiled_loss = None
        self._loss_tracker = None
        self._compile_metrics = None
        self._train_fn = self._eval_fn = self._pred_fn = None
        self.stop_training = False
        self.history = None

    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True):
        """Configures the model for training."""
        from . import optimizers as _opt
        self._compile_config = {"optimizer": optimizer, "loss": loss,
                                "loss_weights": loss_weights, "metrics": metrics,
                                "weighted_metrics": weighted_metrics,
                                "run_eagerly": run_eagerly,
                                "steps_per_execution": steps_per_execution,
                                "jit_compile": jit_compile}
        self.optimizer = _opt.get(optimizer)
        self.loss = loss
        self._compiled_loss = CompileLoss(loss, loss_weights) if loss is not None else None
        self._loss_tracker = _metrics.Mean(name="loss")
        self._compile_metrics = CompileMetrics(metrics) if metrics else None
        self.run_eagerly = run_eagerly
        self.compiled = True
        self._train_fn = self._eval_fn = self._pred_fn = None

    @property
    def metrics(self):
        out = []
        if self._loss_tracker is not None:
            out.append(self._loss_tracker)
        if self._compile_metrics is not None:
            out.append(self._compile_metrics)
        if self._compiled_loss is not None:
            out.extend(self._compiled_loss.metrics)   # per-output losses (several outputs)
        return out

    @property
    def metrics_names(self):
        return [m.name for m in self.metrics]

    def reset_metrics(self):
        for m in self.metrics:
            m.reset_state()

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        losses = []
        if self._compiled_loss is not None:
            losses.append(self._compiled_loss(y, y_pred, sample_weight))
        for extra in self.losses:
            losses.append(_m.cast(convert_to_tensor(extra), "float32"))
        if not losses:
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
        total = losses[0]
        for v in losses[1:]:
            total = total + v
        return total

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        if self._compile_metrics is not None:
            self._compile_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def get_metrics_result(self):
        logs = {}
        for m in self.metrics:
            r = m.result()
            if isinstance(r, dict):
                logs.update(r)
            else:
                logs[m.name] = r
        return logs

    def train_step(self, data):
        """One gradient step on a batch (override to customise ``fit``)."""
        x, y, sw = _unpack(data)
        from .._autodiff.tape import GradientTape
        with GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred, sw)
        tv = self.trainable_variables
        grads = tape.gradient(loss, tv)
        self.optimizer.apply_gradients(zip(grads, tv))
        self._loss_tracker.update_state(loss, sample_weight=float(_leaves(x)[0].shape[0]))
        return self.compute_metrics(x, y, y_pred, sw)

    def test_step(self, data):
        x, y, sw = _unpack(data)
        y_pred = self(x, training=False)
        loss = self.compute_loss(x, y, y_pred, sw, training=False)
        self._loss_tracker.update_state(loss, sample_weight=float(_leaves(x)[0].shape[0]))
        return self.compute_metrics(x, y, y_pred, sw)

    def predict_step(self, data):
        x, _, _ = _unpack(data)
        return self(x, training=False)

    # -- compiled steps ------------------------------------------------------------------------
    def _state_vars(self, with_optimizer):
        vs = list(self.variables)
        if with_optimizer:
            vs += self.optimizer.variables
        for m in self.metrics:
            vs += m.variables
        return _unique(vs)

    def _default_train(self, data):
        """The built-in train step as a pure JAX transform (one forward pass)."""
        x, y, sw = _unpack(data)
        tv = self.trainable_variables
        others = [v for v in self.variables if not any(v is t for t in tv)]

        cl = self._compiled_loss
        # The per-output loss trackers are updated after differentiation, from values the
        # loss function returns (updating them inside would leak JAX's tracers).
        tracked: list = []

        # Which trainable variables the loss reaches: their identity's backward pass runs
        # (JAX skips it for a variable the loss does not depend on, whose gradient TF leaves
        # None: the optimizer warns and leaves it alone instead of applying a zero).
        reached: set = set()
        marks = [_reach_mark(i, reached) for i in range(len(tv))]

        def loss_fn(tvals):
            tvals = [m(t) for m, t in zip(marks, tvals)]
            tracked.clear()
            if cl is not None:
                cl.defer = tracked
            try:
                with _Swap(tv + others, list(tvals) + [v._value for v in others]) as s:
                    y_pred = self(x, training=True)
                    loss = self.compute_loss(x, y, y_pred, sw)
                    current = s.current()
            finally:
                if cl is not None:
                    cl.defer = None
            # Trainable variables a layer assigned in its forward pass (SpectralNormalization's
            # kernel) keep that value, and the gradients apply to it, as in TF.
            new_tv = {i: val for i, (val, old) in enumerate(zip(current, tvals))
                      if val is not old}
            return loss._v, (_map_out(y_pred), _map_out(y_pred, _dtype_of),
                             current[len(tv):], new_tv, [v._v for _, v, _ in tracked])
        tvals = [v._value for v in tv]
        (loss_v, (yp, yp_dt, new_others, new_tv, values)), grads = _value_and_grad(loss_fn,
                                                                                   tvals)
        for (tracker, _, batch), v in zip(tracked, values):
            tracker.update_state(make(v, _d.float32), sample_weight=batch)
        for v, val in zip(others, new_others):
            v._value = val
        for i, val in new_tv.items():
            tv[i]._value = val
        loss = make(loss_v, _loss_dtype())
        y_pred = _remake(yp, yp_dt)
        gts = [make(g, v._dtype) if i in reached else None
               for i, (g, v) in enumerate(zip(grads, tv))]
        self.optimizer.apply_gradients(zip(gts, tv))
        self._loss_tracker.update_state(loss, sample_weight=float(_leaves(x)[0].shape[0]))
        return self.compute_metrics(x, y, y_pred, sw)

    def _make_step(self, kind):
        if kind == "train":
            if not self.optimizer.built:
                self.optimizer.build(self.trainable_variables)
            custom = type(self).train_step is not Trainer.train_step
            body = self.train_step if custom else self._default_train
        elif kind == "eval":
            body = self.test_step
        else:
            body = self.predict_step
        state = self._state_vars(kind == "train") if kind != "predict" else _unique(
            self.variables)

        def step(values, data):
            with tracing_scope(), _Swap(state, values) as s:
                out = body(_as_tensors(data))
                new = s.current()
            out = _map_out(out)
            return new, out
        # Keras 3 compiles a step only if every layer supports it (jit_compile="auto"):
        # the text and lookup layers (supports_jit = False) look tokens up on the host.
        jit = not getattr(self, "run_eagerly", False) and all(
            getattr(layer, "supports_jit", True) for layer in self._flatten_layers())
        fn = _jit(step) if jit else step

        def run(data):
            data = _place_batch(state, data)
            new, out = fn([v._value for v in state], data)
            for v, val in zip(state, new):
                v._value = val
            return out
        return run

    def _ensure_metrics_built(self, batch):
        """Builds the compiled loss and metrics (they create variables: per-output loss
        trackers, metric totals) before any step is traced."""
        loss, metrics = self._compiled_loss, self._compile_metrics
        if (loss is None or loss.built) and (metrics is None or metrics._built is not None):
            return
        x, y, _ = _unpack(batch)
        y_pred = self._prediction_like(x)
        names = getattr(self, "output_names", None)
        if loss is not None and not loss.built:
            loss.build(y_pred, names)
        if metrics is not None and metrics._built is None:
            metrics.build(_as_tensors(y), y_pred, names)

    def _prediction_like(self, x):
        """Zeros shaped like the model's prediction for ``x``, from tracing the model rather
        than running it (running it compiles a kernel per op at the batch's shapes, which
        the compiled steps then never use). Models that cannot be traced run eagerly."""
        state = _unique(self.variables)
        dtypes = []

        def call(values, data):
            with tracing_scope(), _Swap(state, values):
                out = self(_as_tensors(data), training=False)
            dtypes.append(_map_out(out, _dtype_of))
            return _map_out(out)
        try:
            shapes = jax.eval_shape(call, [v._value for v in state], x)
        except Exception:  # noqa: BLE001 - host-only layers (string lookups) or host data
            return self(_as_tensors(x), training=False)
        return _zeros_like(dtypes[0], shapes)

    def _ensure_built(self, batch):
        x = _unpack(batch)[0]
        if not self.built or not self.variables and type(self).call is not None:
            self(_as_tensors(_slice(x, slice(0, 1))), training=False)

    # -- fit / evaluate / predict ----------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None,
            validation_steps=None, validation_batch_size=None, validation_freq=1):
        """Trains for ``epochs`` epochs; returns a ``History``."""
        from .callbacks import CallbackList, History
        if not self.compiled:
            raise ValueError("You must call `compile()` before using the model.")
        if validation_split and validation_data is None:
            xs, ys = _to_numpy(x), _to_numpy(y)
            n = _num_samples(xs)
            split = int(n * (1.0 - validation_split))
            validation_data = (_slice(xs, slice(split, None)), _slice(ys, slice(split, None)))
            x, y = _slice(xs, slice(0, split)), _slice(ys, slice(0, split))
        batches = _Batches(x, y, sample_weight, batch_size, shuffle, steps_per_epoch)
        first = next(iter(_Batches(x, y, sample_weight, batch_size, False, 1)))
        self._ensure_built(first)
        self._ensure_metrics_built(first)
        if self._train_fn is None:
            self._train_fn = self._make_step("train")
        verbose = 1 if verbose == "auto" else verbose
        self.history = History()
        cbs = CallbackList(callbacks, add_history=False, add_progbar=verbose != 0,
                           model=self, verbose=verbose, epochs=epochs,
                           steps=batches.steps)
        cbs.append(self.history)
        self.stop_training = False
        cbs.on_train_begin()
        logs = {}
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            cbs.on_epoch_begin(epoch)
            step = -1
            for step, data in enumerate(batches):
                cbs.on_train_batch_begin(step)
                logs = _floats(self._train_fn(data))
                cbs.on_train_batch_end(step, logs)
                if self.stop_training:
                    break
            if batches.steps is None:
                batches.steps = step + 1
            epoch_logs = dict(logs)
            if validation_data is not None and (epoch + 1) % validation_freq == 0:
                vx, vy, vsw = _unpack(tuple(validation_data)) if isinstance(
                    validation_data, (tuple, list)) else (validation_data, None, None)
                val = self.evaluate(vx, vy, sample_weight=vsw,
                                    batch_size=validation_batch_size or batch_size,
                                    steps=validation_steps, verbose=0, return_dict=True,
                                    _internal=True)
                epoch_logs.update({"val_" + k: v for k, v in val.items()})
            cbs.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        cbs.on_train_end(logs)
        return self.history

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False, _internal=False, **kwargs):
        """Loss and metric values on the data (a scalar when there are no metrics)."""
        from .callbacks import CallbackList
        if not self.compiled:
            raise ValueError("You must call `compile()` before using the model.")
        batches = _Batches(x, y, sample_weight, batch_size, False, steps)
        first = next(iter(_Batches(x, y, sample_weight, batch_size, False, 1)))
        self._ensure_built(first)
        self._ensure_metrics_built(first)
        if self._eval_fn is None:
            self._eval_fn = self._make_step("eval")
        verbose = 1 if verbose == "auto" else verbose
        cbs = CallbackList(callbacks, add_progbar=verbose != 0 and not _internal, model=self,
                           verbose=verbose, epochs=1, steps=batches.steps)
        self.reset_metrics()
        cbs.on_test_begin()
        logs = {}
        for step, data in enumerate(batches):
            cbs.on_test_batch_begin(step)
            logs = _floats(self._eval_fn(data))
            cbs.on_test_batch_end(step, logs)
        cbs.on_test_end(logs)
        if return_dict:
            return logs
        return self._flatten_metrics_in_order(logs)

    def _flatten_metrics_in_order(self, logs):
        """Results in ``metrics_names`` order (loss first), as Keras 3 returns them."""
        names = []
        for m in self.metrics:
            if isinstance(m, CompileMetrics):
                names += m.order_names
            else:
                names.append(m.name)
        out = [logs[n] for n in names if n in logs]
        out += [logs[k] for k in sorted(logs) if k not in names]
        return out[0] if len(out) == 1 else out

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """Model outputs for ``x`` as NumPy arrays, computed batch by batch."""
        from .callbacks import CallbackList
        batches = _Batches(x, None, None, batch_size, False, steps)
        first = next(iter(_Batches(x, None, None, batch_size, False, 1)))
        self._ensure_built(first)
        if self._pred_fn is None:
            self._pred_fn = self._make_step("predict")
        verbose = 1 if verbose == "auto" else verbose
        cbs = CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose,
                           epochs=1, steps=batches.steps)
        cbs.on_predict_begin()
        outs = []
        for step, data in enumerate(batches):
            cbs.on_predict_batch_begin(step)
            outs.append(self._pred_fn(data))
            cbs.on_predict_batch_end(step, {"outputs": outs[-1]})
        cbs.on_predict_end()
        return _concat(outs)

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       return_dict=False):
        self._ensure_built((x,))
        self._ensure_metrics_built((x, y))
        if self._train_fn is None:
            self._train_fn = self._make_step("train")
        self.reset_metrics()
        data = tuple(d for d in (_to_numpy(x), _to_numpy(y), _to_numpy(sample_weight))
                     if d is not None)
        logs = _floats(self._train_fn(data))
        if return_dict:
            return logs
        return self._flatten_metrics_in_order(logs)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        return self.evaluate(x, y, sample_weight=sample_weight, batch_size=_num_samples(
            _to_numpy(x)), verbose=0, return_dict=return_dict)

    def predict_on_batch(self, x):
        return self.predict(x, batch_size=_num_samples(_to_numpy(x)), verbose=0)


def _loss_dtype():
    from .._core import dtypes as _d
    return _d.float32


def _reach_mark(i, reached: set):
    """The identity on trainable value ``i`` whose backward pass notes ``i`` in ``reached``."""
    @jax.custom_vjp
    def mark(x):
        return x

    def fwd(x):
        return x, None

    def bwd(_, g):
        reached.add(i)
        return (g,)
    mark.defvjp(fwd, bwd)
    return mark


def _value_and_grad(fn, tvals):
    return jax.value_and_grad(fn, has_aux=True)(tvals)


def _map_out(out, leaf=lambda t: t._v):
    if isinstance(out, dict):
        return {k: _map_out(v, leaf) for k, v in out.items()}
    if isinstance(out, (list, tuple)):
        return type(out)(_map_out(v, leaf) for v in out)
    if isinstance(out, Tensor):
        return leaf(out)
    return out


def _dtype_of(t):
    return t._dtype


def _remake(values, dtypes):
    """Tensors from the structures ``_map_out(out)`` and ``_map_out(out, _dtype_of)`` (the
    former's dicts may come back from JAX reordered: they are read by key)."""
    if isinstance(dtypes, dict):
        return {k: _remake(values[k], v) for k, v in dtypes.items()}
    if isinstance(dtypes, (list, tuple)):
        return type(dtypes)(_remake(v, d) for v, d in zip(values, dtypes))
    return make(values, dtypes) if isinstance(dtypes, _d.DType) else values


def _zeros_like(dtypes, shapes):
    """Zero tensors from a structure of dtypes (``_map_out(out, _dtype_of)``) and the
    matching structure of ``jax.ShapeDtypeStruct``."""
    return _remake(jax.tree_util.tree_map(lambda s: filled(s.shape, s.dtype), shapes), dtypes)


def _floats(logs):
    # Per-class metrics (F1Score(average=None), ...) stay arrays, as in Keras.
    return {k: float(a) if a.ndim == 0 else a
            for k, a in ((k, np.asarray(v)) for k, v in logs.items())}


def _concat(outs):
    first = outs[0]
    if isinstance(first, dict):
        return {k: _concat([o[k] for o in outs]) for k in first}
    if isinstance(first, (list, tuple)):
        return type(first)(_concat([o[i] for o in outs]) for i in range(len(first)))
    return np.concatenate([np.asarray(o) for o in outs], axis=0)


warnings.filterwarnings("default", category=UserWarning, module=__name__)

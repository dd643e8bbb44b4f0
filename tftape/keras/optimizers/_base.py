"""Keras 3 optimizers: state in Keras variables, one jitted update for all variables.

``apply_gradients`` reads every variable, gradient and slot, runs one cached ``jax.jit``
function that clips, decays and updates them all (the update rules copy Keras 3's
``update_step`` formulas), and assigns the results back. The same code runs inside a
compiled train step, where the reads are tracers.
"""
from __future__ import annotations

import warnings

import jax
import jax.numpy as jnp
import numpy as np

from ..._core.convert import convert_to_tensor
from ..._core.tensor import Tensor, make
from ... import _trackable
from .. import _naming
from .._variables import KerasVariable
from .schedules import LearningRateSchedule


def _read(v):
    return v.read_value()._v


def _write(v, arr):
    v.assign(make(arr, v._handle()._dtype), read_value=False)


class Optimizer:
    """Base class of Keras 3 optimizers."""

    _keras_module = "keras.optimizers"  # where Keras configs name the class

    _slot_names: tuple = ()

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        if sum(x is not None for x in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(f"Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can "
                             f"be set. Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                             f"global_clipnorm={global_clipnorm}")
        # Note: Keras 3's exponential moving average and gradient accumulation are not built;
        # they raise rather than being stored and silently ignored.
        if use_ema:
            raise NotImplementedError("`use_ema=True` (an exponential moving average of the "
                                      "weights) is not supported by tftape's optimizers.")
        if gradient_accumulation_steps is not None:
            raise NotImplementedError("`gradient_accumulation_steps` is not supported by "
                                      "tftape's optimizers.")
        self.name = name or _naming.auto_name(self.__class__.__name__)
        self.weight_decay = weight_decay
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, \
            global_clipnorm
        self.use_ema, self.ema_momentum = use_ema, ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.built = False
        self._var_index: dict = {}
        self._trainable_variables: list = []
        self._slots: list = []       # per variable: tuple of slot variables
        self._exclude_names: list = []
        self._exclude_ids: set = set()
        from .._config import floatx
        with _naming.name_scope(self.name, caller=self):
            self._iterations = KerasVariable(np.int64(0), dtype="int64", trainable=False,
                                             name="iteration")
            if isinstance(learning_rate, LearningRateSchedule) or callable(learning_rate):
                self._learning_rate = learning_rate
                self._variables = [self._iterations]
            else:
                self._learning_rate = KerasVariable(
                    np.asarray(float(learning_rate), dtype=floatx()), dtype=floatx(),
                    trainable=False, name="learning_rate")
                self._variables = [self._iterations, self._learning_rate]
        self._jitted = None

    # -- attributes ----------------------------------------------------------------------
    @property
    def iterations(self):
        return self._iterations

    @property
    def learning_rate(self):
        return self._get_current_learning_rate()

    @learning_rate.setter
    def learning_rate(self, value):
        if isinstance(self._learning_rate, KerasVariable):
            if isinstance(value, LearningRateSchedule):
                raise TypeError("This optimizer was created with a `learning_rate` that is a "
                                "fixed value. It cannot be changed to a LearningRateSchedule.")
            self._learning_rate.assign(value)
        else:
            self._learning_rate = value

    def _get_current_learning_rate(self):
        lr = self._learning_rate
        if isinstance(lr, LearningRateSchedule):
            return lr(self._iterations)
        if isinstance(lr, KerasVariable):
            return lr
        if callable(lr):
            return lr()
        return lr

    @property
    def variables(self):
        return list(self._variables)

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        if self.built:
            raise ValueError("`exclude_from_weight_decay()` can only be configured before the "
                             "optimizer is built.")
        self._exclude_ids = {id(v) for v in (var_list or [])}
        self._exclude_names = list(var_names or [])

    def _use_weight_decay(self, variable):
        if id(variable) in self._exclude_ids:
            return False
        return not any(n in variable.name for n in self._exclude_names)

    # -- building ---------------------------------------------------------------------------
    def _slot_initializers(self):
        return {}

    def build(self, var_list):
        """Creates the slot variables (momentums, ...) for ``var_list``."""
        if self.built:
            return
        from .. import initializers as _init
        inits = self._slot_initializers()
        with _naming.name_scope(self.name, caller=self):
            for v in var_list:
                self._var_index[id(v)] = len(self._trainable_variables)
                self._trainable_variables.append(v)
                slots = []
                for s in self._active_slots():
                    base = getattr(v, "path", None)
                    base = base.replace("/", "_") if base else \
                        str(v.name).replace("/", "_").replace(":", "_")
                    init = _init.get(inits.get(s, "zeros"))
                    sv = KerasVariable(init, shape=self._slot_shape(s, v), dtype=v.dtype.name,
                                       trainable=False, name=self._slot_name(s, v, base))
                    slots.append(sv)
                    self._variables.append(sv)
                self._slots.append(tuple(slots))
        self.built = True
        _trackable.children_changed(self)   # restores checkpointed slots (deferred restore)

    def _active_slots(self):
        return self._slot_names

    def _slot_shape(self, slot, variable):
        return tuple(variable.shape)

    def _slot_name(self, slot, variable, base):
        return f"{base}_{slot}"

    # -- applying ---------------------------------------------------------------------------
    def apply_gradients(self, grads_and_vars):
        """Applies ``(gradient, variable)`` pairs; returns the iteration variable."""
        grads, vars_ = zip(*list(grads_and_vars)) if grads_and_vars else ((), ())
        self.apply(_all_reduce_sum(list(grads)), list(vars_))
        return self._iterations

    def apply(self, grads, trainable_variables=None):
        if len(grads) == 0:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError("When passing `grads` without `variables`, the optimizer must "
                                 "already be built on a list of variables. Call "
                                 "`optimizer.build(trainable_variables)` first. ")
            trainable_variables = self._trainable_variables
        else:
            trainable_variables = list(trainable_variables)
            if not self.built:
                self.build(trainable_variables)
            for v in trainable_variables:
                if id(v) not in self._var_index:
                    raise ValueError(f"Unknown variable: {v}. This optimizer can only be "
                                     f"called for the variables it was originally built "
                                     f"with. When working with a new set of variables, you "
                                     f"should recreate a new optimizer instance.")
        pairs = [(g, v) for g, v in zip(grads, trainable_variables)]
        missing = [getattr(v, "path", None) or v.name for g, v in pairs if g is None]
        pairs = [(g, v) for g, v in pairs if g is not None]
        if not pairs:
            raise ValueError("No gradients provided for any variable.")
        if missing:
            warnings.warn(f"Gradients do not exist for variables {missing} when minimizing "
                          f"the loss. If using `model.compile()`, did you forget to provide "
                          f"a `loss` argument?")
        vars_ = [v for _, v in pairs]
        gvals = []
        for g, v in pairs:
            g = g if isinstance(g, Tensor) else convert_to_tensor(g)
            if tuple(g.shape) != tuple(v.shape):
                self._check_grad_shape(tuple(g.shape), tuple(v.shape),
                                       self._slots[self._var_index[id(v)]])
            gvals.append(g._v)
        if self.loss_scale_factor is not None:
            gvals = [g / self.loss_scale_factor for g in gvals]
        slots = [self._slots[self._var_index[id(v)]] for v in vars_]
        lr = self._get_current_learning_rate()
        lr_v = lr.read_value()._v if hasattr(lr, "read_value") else convert_to_tensor(lr)._v \
            if not isinstance(lr, Tensor) else lr._v
        wd = tuple(self.weight_decay is not None and self._use_weight_decay(v) for v in vars_)
        if self._jitted is None:
            self._jitted = jax.jit(self._apply_pure, static_argnums=(5,))
        new_vals, new_slots = self._jitted(
            [_read(v) for v in vars_], gvals, [[_read(s) for s in ss] for ss in slots],
            lr_v, _read(self._iterations), wd, self._step_inputs())
        for v, nv in zip(vars_, new_vals):
            _write(v, nv)
        for ss, ns in zip(slots, new_slots):
            for s, n in zip(ss, ns):
                _write(s, n)
        for v in vars_:
            c = getattr(v, "constraint", None)
            if c is not None:
                v.assign(c(v.read_value()))
        self._iterations.assign_add(np.int64(1), read_value=False)

    def _step_inputs(self):
        """Arrays shared by all variables' updates of one step (Nadam's ``u_product``)."""
        return ()

    def _apply_pure(self, vals, grads, slots, lr, iteration, wd_mask, step_inputs=()):
        self._step_values = step_inputs     # read by `_update` while this is traced
        grads = [g.astype(v.dtype) for g, v in zip(grads, vals)]
        grads = self._clip(grads)
        out_v, out_s = [], []
        for v, g, s, wd in zip(vals, grads, slots, wd_mask):
            lr_v = lr.astype(v.dtype)
            if wd:
                v = v - v * jnp.asarray(self.weight_decay, v.dtype) * lr_v
            nv, ns = self._update(v, g, list(s), lr_v, iteration)
            out_v.append(nv)
            out_s.append(ns)
        self._step_values = ()
        return out_v, out_s

    def _clip(self, grads):
        if self.clipnorm and self.clipnorm > 0:
            out = []
            for g in grads:
                l2 = jnp.sqrt(jnp.sum(g * g))
                out.append(jnp.where(l2 > self.clipnorm, g * self.clipnorm / l2, g)
                           .astype(g.dtype))
            return out
        if self.global_clipnorm and self.global_clipnorm > 0:
            norm = jnp.sqrt(sum(jnp.sum(g.astype(jnp.float32) ** 2) for g in grads))
            scale = self.global_clipnorm / jnp.maximum(norm, self.global_clipnorm)
            return [(g * scale).astype(g.dtype) for g in grads]
        if self.clipvalue and self.clipvalue > 0:
            return [jnp.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def _update(self, v, g, slots, lr, iteration):
        raise NotImplementedError

    # TF's errors for a gradient whose shape is not its variable's: those of the first op of
    # Keras's update step that fails (before any variable changes, as there).
    def _check_grad_shape(self, gs, vs, slots):
        raise _update_error("AssignSubVariableOp", vs, gs)

    def get_config(self):
        lr = self._learning_rate
        if isinstance(lr, KerasVariable):
            lr = float(lr.numpy())
        elif isinstance(lr, LearningRateSchedule):
            from .schedules import serialize
            lr = serialize(lr)
        return {"name": self.name, "learning_rate": lr, "weight_decay": self.weight_decay,
                "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm,
                "clipvalue": self.clipvalue, "use_ema": self.use_ema,
                "ema_momentum": self.ema_momentum,
                "ema_overwrite_frequency": self.ema_overwrite_frequency,
                "loss_scale_factor": self.loss_scale_factor,
                "gradient_accumulation_steps": self.gradient_accumulation_steps}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<keras.src.optimizers.{self.__class__.__name__.lower()}." \
               f"{self.__class__.__name__} object at {hex(id(self))}>"


def _update_error(op_name, vs, gs):
    from ..._core.errors import kernel_error
    return kernel_error(op_name, f"Cannot update variable with shape {_dims(vs)} using a Tensor "
                                 f"with shape {_dims(gs)}, shapes must be equal.")


def _dims(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"


def _broadcast_check(op_name, a, b, name=""):
    """The shape ``a op b`` gives, or TF's error of the op."""
    from ..._core.errors import kernel_error
    try:
        return tuple(np.broadcast_shapes(a, b))
    except ValueError:
        raise kernel_error(op_name, f"Incompatible shapes: {_dims(a)} vs. {_dims(b)}",
                           name=name) from None


def _assign_error(slot, vs, bs):
    return ValueError(f"Cannot assign value to variable ' {slot.path}:0': Shape mismatch.The "
                      f"variable shape {tuple(vs)}, and the assigned value shape {tuple(bs)} are "
                      f"incompatible.")


def _cast(x, like):
    return jnp.asarray(x, like.dtype)


class SGD(Optimizer):
    """Gradient descent with optional (Nesterov) momentum.

    >>> import tftape as tf
    >>> w = tf.Variable(1.0)
    >>> _ = SGD(0.1).apply_gradients([(tf.constant(2.0), w)])
    >>> float(w.numpy())
    0.800000011920929
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        if not isinstance(momentum, float) or momentum < 0 or momentum > 1:
            raise ValueError("`momentum` must be a float between [0, 1].")
        self.momentum = momentum
        self.nesterov = nesterov

    def _active_slots(self):
        return ("momentum",) if self.momentum != 0 else ()

    def _check_grad_shape(self, gs, vs, slots):
        if self.momentum == 0:
            raise _update_error("AssignSubVariableOp", vs, gs)
        b = _broadcast_check("Sub", vs, gs)   # m * momentum - g * lr
        if b != vs:
            raise _assign_error(slots[0], vs, b)

    def _update(self, v, g, slots, lr, iteration):
        if self.momentum != 0:
            (m,) = slots
            mom = _cast(self.momentum, v)
            m = m * mom - g * lr
            if self.nesterov:
                v = v + (m * mom - g * lr)
            else:
                v = v + m
            return v, [m]
        return v - g * lr, []

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class Adam(Optimizer):
    """Adam (Keras 3 formulas: ``alpha = lr * sqrt(1 - b2^t) / (1 - b1^t)``)."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, amsgrad

    def _active_slots(self):
        return ("momentum", "velocity") + (("velocity_hat",) if self.amsgrad else ())

    def _check_grad_shape(self, gs, vs, slots):
        b = _broadcast_check("Sub", gs, vs, name=None)   # m += (g - m) * (1 - beta_1)
        if b != vs:
            raise _update_error("AssignAddVariableOp", vs, b)

    def _update(self, v, g, slots, lr, iteration):
        m, vel = slots[0], slots[1]
        step = (iteration + 1).astype(v.dtype)
        b1p = jnp.power(_cast(self.beta_1, v), step)
        b2p = jnp.power(_cast(self.beta_2, v), step)
        alpha = lr * jnp.sqrt(1 - b2p) / (1 - b1p)
        m = m + (g - m) * _cast(1 - self.beta_1, v)
        vel = vel + (jnp.square(g) - vel) * _cast(1 - self.beta_2, v)
        new = [m, vel]
        denom_v = vel
        if self.amsgrad:
            vh = jnp.maximum(slots[2], vel)
            new.append(vh)
            denom_v = vh
        v = v - (m * alpha) / (jnp.sqrt(denom_v) + _cast(self.epsilon, v))
        return v, new

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay (``v -= v * weight_decay * lr`` before each step)."""

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, amsgrad=amsgrad, name=name,
                         weight_decay=weight_decay, clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        if self.weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: "
                             "weight_decay=None")


class RMSprop(Optimizer):
    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name,
                         **kwargs)
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered

    def _active_slots(self):
        return ("velocity",) + (("momentum",) if self.momentum > 0 else ()) + \
            (("average_gradient",) if self.centered else ())

    def _check_grad_shape(self, gs, vs, slots):
        b = _broadcast_check("AddV2", vs, gs)   # rho * velocity + (1 - rho) * g ** 2
        if b != vs:
            raise _assign_error(slots[0], vs, b)

    def _update(self, v, g, slots, lr, iteration):
        rho = _cast(self.rho, v)
        vel = slots[0]
        i = 1
        vel = rho * vel + _cast(1 - self.rho, v) * jnp.square(g)
        new = [vel]
        mom = None
        if self.momentum > 0:
            mom = slots[i]
            i += 1
        if self.centered:
            ag = slots[i]
            ag = rho * ag + _cast(1 - self.rho, v) * g
            denom = vel - jnp.square(ag) + _cast(self.epsilon, v)
        else:
            denom = vel + _cast(self.epsilon, v)
        inc = (lr * g) / jnp.sqrt(denom)
        if mom is not None:
            mom = _cast(self.momentum, v) * mom + inc
            new.append(mom)
            v = v - mom
        else:
            v = v - inc
        if self.centered:
            new.append(ag)
        return v, new

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}


class Adagrad(Optimizer):
    _slot_names = ("accumulator",)

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name,
                         **kwargs)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def _slot_initializers(self):
        from .. import initializers as _init
        return {"accumulator": _init.Constant(self.initial_accumulator_value)}

    def _check_grad_shape(self, gs, vs, slots):
        raise _update_error("AssignAddVariableOp", vs, gs)   # accumulator += g ** 2

    def _update(self, v, g, slots, lr, iteration):
        acc = slots[0] + jnp.square(g)
        return v - (lr * g) / jnp.sqrt(acc + _cast(self.epsilon, v)), [acc]

    def get_config(self):
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}


def _all_reduce_sum(grads):
    """Inside tf.distribute's ``strategy.run``, gradients are first summed across replicas
    (Keras 3's TF optimizer does the same); unchanged elsewhere."""
    import sys
    dist = sys.modules.get("tftape.distribute._run")
    return grads if dist is None else dist.aggregate_gradients(grads)

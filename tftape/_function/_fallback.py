"""A tf.function that JAX cannot trace runs eagerly: the errors that mean so, the one-time
``TracingFallbackWarning``, and the Python prints a failed trace already made."""
from __future__ import annotations

import warnings

import jax

from ._capture import _EagerOnly
from ._region import EagerOnly as _RegionEagerOnly


class TracingFallbackWarning(UserWarning):
    """A tf.function (or part of it) could not be traced by JAX and runs eagerly."""


# Exceptions that mean "this Python code cannot be staged by JAX" rather than a user error:
# the function then runs eagerly (TF's AutoGraph would have converted or staged it).
def _untraceable(e: BaseException) -> bool:
    from .._core.errors import OperatorNotAllowedInGraphError
    if isinstance(e, (jax.errors.ConcretizationTypeError, jax.errors.TracerArrayConversionError,
                      jax.errors.TracerBoolConversionError,
                      jax.errors.TracerIntegerConversionError, OperatorNotAllowedInGraphError,
                      _EagerOnly, _RegionEagerOnly, _RunsEagerly)):
        return True
    if isinstance(e, NotImplementedError) and "symbolic tf.Tensor" in str(e):
        return True
    if isinstance(e, TypeError) and "string tensors have no JAX representation" in str(e):
        return True
    return False


class _RunsEagerly(ValueError):
    """``get_concrete_function`` of a function that fell back to running eagerly."""


def _warn_fallback(name, reason):
    warnings.warn(
        f"tf.function {name!r} could not be traced into one XLA call ({reason}); it runs "
        f"eagerly instead. Tensor-dependent Python control flow that is not converted "
        f"automatically can be written with tf.cond / tf.while_loop; string ops always run "
        f"eagerly.", TracingFallbackWarning, stacklevel=4)


def _NotAllowed():
    from .._core.errors import OperatorNotAllowedInGraphError
    return OperatorNotAllowedInGraphError


def _reason(e) -> str:
    msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return f"{type(e).__name__}: {msg[:160]}"


class _PrintCounter:
    """Counts the Python ``print`` calls made meanwhile, dropping the first ``skip`` of them.

    A trace that failed already printed: the run that replaces it skips those prints, so
    each print of the function appears once, as in TF.
    """

    def __init__(self, skip=0):
        self.n = 0
        self.skip = skip

    def __enter__(self):
        import builtins
        self._orig = orig = builtins.print

        def counting_print(*a, **k):
            self.n += 1
            if self.skip > 0:
                self.skip -= 1
                return None
            return orig(*a, **k)
        builtins.print = counting_print
        return self

    def __exit__(self, *exc):
        import builtins
        builtins.print = self._orig


def _without_print(fn, args, kwargs, skip):
    """Runs ``fn`` eagerly, dropping its first ``skip`` Python ``print`` calls."""
    with _PrintCounter(skip):
        return fn(*args, **kwargs)

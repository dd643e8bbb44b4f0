"""TensorFlow's exception classes (``tf.errors``) and the message formats ops use."""
from __future__ import annotations

OK, CANCELLED, UNKNOWN, INVALID_ARGUMENT, DEADLINE_EXCEEDED, NOT_FOUND = 0, 1, 2, 3, 4, 5
ALREADY_EXISTS, PERMISSION_DENIED, RESOURCE_EXHAUSTED, FAILED_PRECONDITION = 6, 7, 8, 9
ABORTED, OUT_OF_RANGE, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS = 10, 11, 12, 13, 14, 15
UNAUTHENTICATED = 16


class OpError(Exception):
    """The base class of errors raised by ops, as ``tf.errors.OpError``."""

    def __init__(self, node_def, op, message, error_code=UNKNOWN, *args):
        super().__init__(message, *args)
        self._node_def = node_def
        self._op = op
        self._message = message
        self._error_code = error_code

    @property
    def message(self) -> str:
        return self._message

    @property
    def op(self):
        return self._op

    @property
    def node_def(self):
        return self._node_def

    @property
    def error_code(self) -> int:
        return self._error_code

    @property
    def experimental_payloads(self):
        return {}

    def __str__(self) -> str:
        return self._message

    def __reduce__(self):
        return _rebuild, (type(self).__name__, self._node_def, self._op, self._message)


# Uncaught errors print ``module.Class: message`` as the last traceback line; scripts and
# tools that compare against TF see TF's module path there.
_TF_MODULE = "tensorflow.python.framework.errors_impl"


def _make(name, code, doc):
    def __init__(self, node_def, op, message, *args):
        OpError.__init__(self, node_def, op, message, code, *args)
    return type(name, (OpError,), {"__init__": __init__, "__doc__": doc,
                                   "__module__": _TF_MODULE})


CancelledError = _make("CancelledError", CANCELLED, "An operation was cancelled.")
UnknownError = _make("UnknownError", UNKNOWN, "Unknown error.")
InvalidArgumentError = _make("InvalidArgumentError", INVALID_ARGUMENT,
                             "An operation received an invalid argument.")
DeadlineExceededError = _make("DeadlineExceededError", DEADLINE_EXCEEDED, "A deadline expired.")
NotFoundError = _make("NotFoundError", NOT_FOUND, "A requested entity was not found.")
AlreadyExistsError = _make("AlreadyExistsError", ALREADY_EXISTS, "An entity already exists.")
PermissionDeniedError = _make("PermissionDeniedError", PERMISSION_DENIED, "Permission denied.")
UnauthenticatedError = _make("UnauthenticatedError", UNAUTHENTICATED, "Unauthenticated.")
ResourceExhaustedError = _make("ResourceExhaustedError", RESOURCE_EXHAUSTED,
                               "Some resource has been exhausted.")
FailedPreconditionError = _make("FailedPreconditionError", FAILED_PRECONDITION,
                                "The system is not in a state to run the operation.")
AbortedError = _make("AbortedError", ABORTED, "The operation was aborted.")
OutOfRangeError = _make("OutOfRangeError", OUT_OF_RANGE, "Iterated past the valid range.")
UnimplementedError = _make("UnimplementedError", UNIMPLEMENTED, "The operation is not implemented.")
InternalError = _make("InternalError", INTERNAL, "An internal invariant was broken.")
UnavailableError = _make("UnavailableError", UNAVAILABLE, "The runtime is unavailable.")
DataLossError = _make("DataLossError", DATA_LOSS, "Unrecoverable data loss or corruption.")


OpError.__module__ = _TF_MODULE


def _rebuild(name, node_def, op, message):
    cls = globals()[name]
    return cls(node_def, op, message) if cls is not OpError else cls(node_def, op, message)


class InaccessibleTensorError(ValueError):
    pass


class OperatorNotAllowedInGraphError(TypeError):
    pass


_DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"


def kernel_error(op_name: str, message: str, cls=InvalidArgumentError, name: str = "",
                 wrapped: str | None = None):
    """An error as TF's eager kernels raise it (``{{function_node ...}} msg [Op:X] name: n``).

    ``name=None`` leaves out the `` name: `` suffix, as TF does for ops whose Python wrapper
    opens no name scope (``tf.gather``, ``tf.reshape``, ...).
    """
    fn = wrapped or op_name
    suffix = "" if name is None else f" name: {name}"
    text = f"{{{{function_node __wrapped__{fn}_device_{_DEVICE}}}}} {message} [Op:{op_name}]{suffix}"
    return cls(None, None, text)


def op_error(op_name: str, message: str, cls=InvalidArgumentError, name: str = ""):
    """An error raised before a kernel runs (type checks): ``msg [Op:X] name: n``."""
    return cls(None, None, f"{message} [Op:{op_name}] name: {name}")


def int_attr(value, arg: str) -> int:
    """An ``int`` attr as TF's op wrappers take it: ``int(value)``, a ``TypeError`` for what
    has no integer value (``None``, a string), an ``OverflowError`` outside int64."""
    if isinstance(value, (str, bytes)):
        raise TypeError(f"Expected int for argument '{arg}' not {value!r}.")
    try:
        out = int(value)
    except (TypeError, ValueError):
        raise TypeError(f"Expected int for argument '{arg}' not {value!r}.") from None
    if not -2**63 <= out < 2**63:
        raise OverflowError("int too big to convert")
    return out


def wrapped_kernel_error(op: str, message: str, cls=InvalidArgumentError):
    """TF's message for errors raised by dataset kernels (``IteratorGetNext``, ...)."""
    return cls(None, None, f"{{{{function_node __wrapped__{op}_output_types_1_device_/job:"
                           f"localhost/replica:0/task:0/device:CPU:0}}}} {message} "
                           f"[Op:{op}] name: ")

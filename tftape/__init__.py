"""tftape: TensorFlow's eager programming model on JAX.

``import tftape as tf`` gives TF 2.x's eager API (tensors, variables, GradientTape,
tf.function, ragged, sparse, strings, a Keras subset) running on JAX and XLA.
"""
import jax as _jax

# Note: TF has int64/float64; JAX needs x64 mode for them. Defaults still follow TF
# (Python float -> float32, int -> int32).
_jax.config.update("jax_enable_x64", True)


def _cpu_dispatch():
    # Note: JAX's CPU client hands each computation to a worker thread, and waking it costs
    # tens of microseconds on small machines -- more than a small program (a 1,000-element
    # second derivative: ~8 us inline, 40-80 us dispatched). TF's eager ops run inline.
    # TFTAPE_SYNC_CPU=1 makes tftape run CPU computations inline too (set before any JAX
    # backend exists): best for small tensors read at once; JAX's default, kept otherwise,
    # overlaps Python with larger computations (an MLP training step is ~30% faster).
    import os
    if os.environ.get("TFTAPE_SYNC_CPU", "") not in ("1", "true", "True"):
        return
    try:
        from jax._src import xla_bridge
        if not xla_bridge._backends:
            _jax.config.update("jax_cpu_enable_async_dispatch", False)
    except (ImportError, AttributeError):  # a JAX without the option: keep its default
        pass


_cpu_dispatch()

from ._core import dtypes as _dtypes_mod  # noqa: E402
from ._core import tensor as _tensor_mod  # noqa: E402

_tensor_mod._set_tracer_types()

from ._core.dtypes import (  # noqa: E402,F401
    DType as DType, as_dtype as as_dtype, bfloat16 as bfloat16, bool as bool,
    complex64 as complex64, complex128 as complex128, double as double, float16 as float16,
    float32 as float32, float64 as float64, half as half, int8 as int8, int16 as int16,
    int32 as int32, int64 as int64, string as string, uint8 as uint8, uint16 as uint16,
    uint32 as uint32, uint64 as uint64)
from ._core.dtypes_extra import (  # noqa: E402,F401
    qint8 as qint8, qint16 as qint16, qint32 as qint32, quint8 as quint8, quint16 as quint16,
    resource as resource, variant as variant)
from ._core.shape import TensorShape as TensorShape  # noqa: E402
from ._core.tensor import Tensor as Tensor  # noqa: E402
from ._core.convert import convert_to_tensor as convert_to_tensor  # noqa: E402
from ._core.device import device as device  # noqa: E402
from . import _ops  # noqa: E402,F401
from ._ops.constant_op import constant as constant  # noqa: E402
from ._numpy import tensor_methods as _tensor_methods  # noqa: E402,F401
from ._ops.math_ops import (  # noqa: E402,F401
    abs as abs, acos as acos, acosh as acosh, add as add, add_n as add_n, argmax as argmax,
    argmin as argmin, asin as asin, asinh as asinh, atan as atan, atan2 as atan2,
    atanh as atanh, cast as cast, complex as complex, cos as cos,
    cosh as cosh, cumsum as cumsum, divide as divide, equal as equal,
    exp as exp, floor as floor, greater as greater,
    greater_equal as greater_equal, less as less, less_equal as less_equal,
    logical_and as logical_and, logical_not as logical_not, logical_or as logical_or,
    maximum as maximum, minimum as minimum, multiply as multiply, negative as negative,
    not_equal as not_equal, pow as pow, reduce_all as reduce_all,
    reduce_any as reduce_any, reduce_logsumexp as reduce_logsumexp, reduce_max as reduce_max,
    reduce_mean as reduce_mean, reduce_min as reduce_min, reduce_prod as reduce_prod,
    reduce_sum as reduce_sum, round as round, saturate_cast as saturate_cast,
    sigmoid as sigmoid, sign as sign, sin as sin, sinh as sinh, sqrt as sqrt, square as square,
    subtract as subtract, tan as tan, tanh as tanh,
    truediv as truediv, truncatediv as truncatediv, truncatemod as truncatemod)
from ._ops.array_ops import (  # noqa: E402,F401
    boolean_mask as boolean_mask, broadcast_dynamic_shape as broadcast_dynamic_shape,
    broadcast_static_shape as broadcast_static_shape, broadcast_to as broadcast_to,
    clip_by_global_norm as clip_by_global_norm, clip_by_norm as clip_by_norm,
    clip_by_value as clip_by_value, concat as concat, expand_dims as expand_dims, eye as eye,
    fill as fill, gather as gather, gather_nd as gather_nd, identity as identity,
    linspace as linspace, meshgrid as meshgrid, one_hot as one_hot, ones as ones,
    ones_like as ones_like, pad as pad, range as range, rank as rank, repeat as repeat,
    reshape as reshape, reverse as reverse, roll as roll, scatter_nd as scatter_nd,
    searchsorted as searchsorted, sequence_mask as sequence_mask, shape as shape,
    shape_n as shape_n, size as size, slice as slice, sort as sort, argsort as argsort,
    split as split, squeeze as squeeze, stack as stack, stop_gradient as stop_gradient,
    strided_slice as strided_slice, tensor_scatter_nd_add as tensor_scatter_nd_add,
    tensor_scatter_nd_max as tensor_scatter_nd_max, tensor_scatter_nd_min as tensor_scatter_nd_min,
    tensor_scatter_nd_sub as tensor_scatter_nd_sub,
    tensor_scatter_nd_update as tensor_scatter_nd_update, tile as tile, transpose as transpose,
    unique as unique, unstack as unstack, where as where, zeros as zeros,
    zeros_like as zeros_like, bitcast as bitcast)
from ._ops.array_extra import (  # noqa: E402,F401
    dynamic_partition as dynamic_partition, dynamic_stitch as dynamic_stitch,
    histogram_fixed_width as histogram_fixed_width,
    histogram_fixed_width_bins as histogram_fixed_width_bins, identity_n as identity_n,
    parallel_stack as parallel_stack, realdiv as realdiv, reverse_sequence as reverse_sequence,
    tuple_ as tuple, guarantee_const as guarantee_const, approx_top_k as approx_top_k,
    ragged_fill_empty_rows as ragged_fill_empty_rows,
    ragged_fill_empty_rows_grad as ragged_fill_empty_rows_grad,
    nondifferentiable_batch_function as nondifferentiable_batch_function,
    unique_with_counts as unique_with_counts, unravel_index as unravel_index)
from ._ops.hash_ops import fingerprint as fingerprint  # noqa: E402,F401
from ._ops.matrix_sqrt_ops import matrix_square_root as matrix_square_root  # noqa: E402,F401
from ._ops.space_batch_ops import (  # noqa: E402,F401
    batch_to_space as batch_to_space, space_to_batch as space_to_batch,
    space_to_batch_nd as space_to_batch_nd,
    required_space_to_batch_paddings as required_space_to_batch_paddings)
from ._ops.signal_ops import (  # noqa: E402,F401
    raw_fftnd as fftnd, raw_ifftnd as ifftnd, raw_irfftnd as irfftnd, raw_rfftnd as rfftnd)
from ._ops.linalg_ops import (  # noqa: E402,F401
    einsum as einsum, matmul as matmul, tensordot as tensordot)
from ._ops.matrix_ops import eig as eig, eigvals as eigvals, norm as norm  # noqa: E402,F401
from ._ops.special_ops import scalar_mul as scalar_mul  # noqa: E402,F401
from ._ops.logging_ops import print_ as print  # noqa: E402,F401
from ._autodiff.tape import GradientTape as GradientTape  # noqa: E402
from ._autodiff.lowering import UnconnectedGradients as UnconnectedGradients  # noqa: E402
from ._ops.indexed_slices import IndexedSlices as IndexedSlices  # noqa: E402
from ._variables import (  # noqa: E402,F401
    Variable as Variable,
    variable_creator_scope as variable_creator_scope,
    VariableAggregation as VariableAggregation,
    VariableSynchronization as VariableSynchronization)
from ._module import Module as Module  # noqa: E402

from . import (  # noqa: E402,F401
    config as config, dtypes as dtypes, errors as errors, linalg as linalg, math as math,
    nn as nn, random as random, autodiff as autodiff, nest as nest)

__version__ = "2.21.0"
version = __version__
newaxis = None
Operation = object


def executing_eagerly() -> bool:
    """True outside tf.function (tracing sets it False), as in TF."""
    from ._core.registry import STATE
    return not STATE.tracing


def get_static_value(tensor, partial=False):
    from ._core.tensor import Tensor as _T
    if isinstance(tensor, _T):
        try:
            return tensor.numpy()
        except NotImplementedError:
            return None
    return tensor


def is_tensor(x) -> bool:
    return isinstance(x, Tensor) or getattr(type(x), "_is_tf_variable", False) or \
        hasattr(x, "_is_composite_tensor")


_LAZY = {
    "keras": ".keras",
    "experimental": ".experimental",
    "ragged": ".ragged",
    "sparse": ".sparse",
    "sets": ".sets",
    "strings": ".strings",
    "data": ".data",
    "distribute": ".distribute",
    "train": ".train",
    "compat": ".compat",
    "types": ".types",
    "summary": ".summary",
    "saved_model": ".saved_model",
    "image": ".image",
    "signal": ".signal",
    "bitwise": ".bitwise",
    "debugging": ".debugging",
    "io": ".io",
    "audio": ".audio",
    "feature_column": ".feature_column",
    "lookup": ".lookup",
    "autograph": ".autograph",
    "xla": ".xla",
    "tpu": ".tpu",
    "quantization": ".quantization",
    "test": ".test",
    # TF 2's tf.initializers, tf.losses, tf.metrics and tf.optimizers are Keras's namespaces.
    "initializers": ".keras.initializers",
    "losses": ".keras.losses",
    "metrics": ".keras.metrics",
    "optimizers": ".keras.optimizers",
}


def __getattr__(name):
    """Heavier public modules (keras, ragged, ...) load on first use, keeping import light."""
    import importlib
    mod = _LAZY.get(name)
    if mod is not None:
        try:
            m = importlib.import_module(mod, __name__)
        except ModuleNotFoundError as e:
            if e.name == __name__ + mod:
                raise AttributeError(f"module 'tensorflow' has no attribute '{name}'") from None
            raise
        globals()[name] = m
        return m
    for modname, attrs in _LAZY_ATTRS.items():
        if name in attrs:
            m = importlib.import_module(modname, __name__)
            v = getattr(m, attrs[name])
            globals()[name] = v
            return v
    raise AttributeError(f"module 'tensorflow' has no attribute '{name}'")


_LAZY_ATTRS = {
    ".ragged": {"RaggedTensor": "RaggedTensor", "RaggedTensorSpec": "RaggedTensorSpec"},
    ".sparse": {"SparseTensor": "SparseTensor", "SparseTensorSpec": "SparseTensorSpec"},
    "._tensor_array": {"TensorArray": "TensorArray", "TensorArraySpec": "TensorArraySpec"},
    "._function": {"function": "function", "TensorSpec": "TensorSpec", "cond": "cond",
                   "while_loop": "while_loop", "case": "case", "switch_case": "switch_case",
                   "map_fn": "map_fn", "vectorized_map": "vectorized_map", "scan": "scan",
                   "foldl": "foldl", "foldr": "foldr", "py_function": "py_function",
                   "numpy_function": "numpy_function", "init_scope": "init_scope",
                   "name_scope": "name_scope", "control_dependencies": "control_dependencies",
                   "no_op": "no_op", "group": "group", "ensure_shape": "ensure_shape",
                   "get_logger": "get_logger", "py_func": "py_function",
                   "TypeSpec": "TypeSpec", "OptionalSpec": "OptionalSpec",
                   "assert_equal": "assert_equal", "Assert": "Assert",
                   "register_tensor_conversion_function": "register_tensor_conversion_function"},
    "._alias": {"alias_tensorflow": "alias_tensorflow"},
    "._autodiff.custom": {"custom_gradient": "custom_gradient",
                          "recompute_grad": "recompute_grad"},
    ".strings": {"as_string": "as_string"},
    ".debugging": {"assert_greater": "assert_greater", "assert_less": "assert_less",
                   "assert_rank": "assert_rank"},
    "._ops.init_ops": {"constant_initializer": "Constant", "ones_initializer": "Ones",
                       "zeros_initializer": "Zeros", "random_normal_initializer": "RandomNormal",
                       "random_uniform_initializer": "RandomUniform"},
    "._io.tensor_proto": {"make_tensor_proto": "make_tensor_proto",
                          "make_ndarray": "make_ndarray"},
    "._toplevel": {n: n for n in (
        "AggregationMethod", "DeviceSpec", "IndexedSlicesSpec", "NoneTensorSpec",
        "RegisterGradient", "edit_distance", "get_current_name_scope", "gradients", "hessians", "grad_pass_through", "inside_function",
        "is_symbolic_tensor", "no_gradient", "timestamp", "type_spec_from_value")},
}

"""tf.function, control flow (``tf.cond``, ``tf.while_loop``, ...) and graph helpers.

Imported lazily by ``tftape/__init__.py`` (``_LAZY_ATTRS``).
"""
# ruff: noqa: F401
from .function import Function as Function, function as function
from .specs import OptionalSpec as OptionalSpec, TensorSpec as TensorSpec, TypeSpec as TypeSpec
from .control_flow import (case as case, cond as cond, switch_case as switch_case,
                           while_loop as while_loop)
from .functional_ops import (foldl as foldl, foldr as foldr, map_fn as map_fn, scan as scan,
                             vectorized_map as vectorized_map)
from .ops import (Assert as Assert, assert_equal as assert_equal,
                  control_dependencies as control_dependencies, ensure_shape as ensure_shape,
                  get_logger as get_logger, group as group, init_scope as init_scope,
                  name_scope as name_scope, no_op as no_op, numpy_function as numpy_function,
                  py_function as py_function,
                  register_tensor_conversion_function as register_tensor_conversion_function)

"""The ops of ``tf.math``, gathered from the modules that hold them.

Only re-exports, for the many callers that use ``math_ops.<op>``: binary arithmetic is in
``arithmetic_ops``, comparisons, logical and bitwise ops in ``comparison_ops``, unary math in
``unary_ops``, ``cast`` in ``cast_ops``, reductions in ``reduction_ops``, segment ops in
``segment_ops`` and ``saturate_cast`` in ``clip_ops``. Those modules import
each other directly, never this one.
"""
from .cast_ops import cast  # noqa: F401
from .arithmetic_ops import (subtract, multiply, maximum, minimum,  # noqa: F401
                             squared_difference, atan2, xlogy, xdivy,
                             multiply_no_nan, xlog1py, zeta, igamma, igammac,
                             polygamma, nextafter, truncatediv, truncatemod, add,
                             floordiv, floormod, mod, pow, truediv, divide_no_nan,
                             divide, div)
from .comparison_ops import (less, less_equal, greater, greater_equal, equal,  # noqa: F401
                             not_equal, logical_and, logical_or, logical_xor,
                             bitwise_and, bitwise_or, bitwise_xor, left_shift,
                             right_shift, logical_not, invert)
from .unary_ops import (negative, abs, sign, square, sqrt, rsqrt, exp, expm1, log,  # noqa: F401
                        log1p, reciprocal, sin, cos, tan, asin, acos, atan, sinh,
                        cosh, tanh, asinh, acosh, atanh, sigmoid, softplus,
                        softsign, erf, erfc, erfinv, lgamma, digamma, round, rint,
                        floor, ceil, is_nan, is_inf, is_finite, real, imag, conj,
                        angle, log_sigmoid, complex)
from .reduction_ops import (reduce_sum, reduce_prod, reduce_mean, reduce_max,  # noqa: F401
                            reduce_min, reduce_any, reduce_all, reduce_variance,
                            reduce_std, reduce_logsumexp, reduce_euclidean_norm,
                            argmax, argmin, cumsum, cumprod, count_nonzero,
                            accumulate_n, add_n)
from .segment_ops import (segment_sum, segment_mean, segment_max, segment_min,  # noqa: F401
                          segment_prod, unsorted_segment_sum, unsorted_segment_mean,
                          unsorted_segment_max, unsorted_segment_min,
                          unsorted_segment_prod)
from .clip_ops import saturate_cast  # noqa: F401

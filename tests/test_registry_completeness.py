"""Ties the op registry, tftape's public op namespaces and TensorFlow's API together."""
import inspect

import numpy as np

import pytest

from test_ops_math import real_tf, tf
from tftape._core.registry import REGISTRY

NAMESPACES = ["math", "linalg", "nn", "random", "bitwise"]

# Registry entries that implement a public name under another spelling, or that are kernels
# reached only through another public function (TF has the same split between ops and APIs).
INTERNAL = {
    "real_div": "truediv", "div": "truediv", "complex_abs": "abs", "string_add": "add",
    "batch_matmul": "matmul", "dynamic_strided_slice": "__getitem__", "conv": "convolution",
    "conv_transpose": "conv2d_transpose", "max_pool": "max_pool2d", "avg_pool": "avg_pool2d",
    "tensor_scatter_nd_mul": "Variable.scatter_mul", "tensor_scatter_nd_div": "Variable.scatter_div",
    "fill": "fill", "in_top_k": "in_top_k", "cumulative_logsumexp": "cumulative_logsumexp", "pow_const": "pow",
}


def _public(namespace):
    mod = tf if namespace == "" else getattr(tf, namespace)
    tf_mod = real_tf if namespace == "" else getattr(real_tf, namespace)
    return mod, tf_mod


def _names(mod):
    return sorted(n for n in dir(mod) if not n.startswith("_") and callable(getattr(mod, n)))


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_public_names_exist_in_tf(namespace):
    mod, tf_mod = _public(namespace)
    extra = [n for n in _names(mod) if not hasattr(tf_mod, n)]
    assert not extra, f"tf.{namespace} has no {extra}"


def _params(fn):
    try:
        return inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return None


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_signatures_compatible(namespace):
    """Every argument TF's function takes (by keyword or position) is accepted, in TF's order."""
    mod, tf_mod = _public(namespace)
    bad = []
    for n in _names(mod):
        ours, theirs = getattr(mod, n), getattr(tf_mod, n)
        if inspect.isclass(ours):
            continue
        p_ours, p_tf = _params(ours), _params(theirs)
        if p_ours is None or p_tf is None:
            continue
        if any(p.kind is p.VAR_KEYWORD for p in p_ours.values()):
            continue
        tf_pos = [k for k, p in p_tf.items() if p.kind in (p.POSITIONAL_ONLY,
                                                           p.POSITIONAL_OR_KEYWORD)]
        our_pos = [k for k, p in p_ours.items() if p.kind in (p.POSITIONAL_ONLY,
                                                              p.POSITIONAL_OR_KEYWORD)]
        missing = [k for k in p_tf if k not in p_ours and p_tf[k].kind not in
                   (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)]
        # The leading positional arguments must line up (callers pass them by position).
        required = [k for k in tf_pos if p_tf[k].default is inspect.Parameter.empty]
        misordered = our_pos[:len(required)] != required and \
            [k.rstrip("_") for k in our_pos[:len(required)]] != required
        if missing or misordered:
            bad.append((n, missing, our_pos[:len(required)], required))
    assert not bad, bad


_FAMILY_MODULES = ("tftape._ragged", "tftape._sparse", "tftape._strings", "tftape._sets",
                   "tftape._tensor_array", "tftape.keras", "tftape._numpy", "tftape._image")


def test_registry_ops_are_reachable():
    """Each registered op is a public function in some namespace (or a listed kernel)."""
    spaces = [tf] + [getattr(tf, ns) for ns in NAMESPACES]
    unreachable = []
    for name, o in REGISTRY.items():
        if name.startswith("resource_scatter_") or name in INTERNAL:
            continue
        # Kernels of the composite families (ragged, sparse, strings, sets) back functions
        # of their own namespaces under other names; their own tests cover them.
        if getattr(o.impl, "__module__", "").startswith(_FAMILY_MODULES):
            continue
        if not any(hasattr(ns, name) for ns in spaces):
            unreachable.append(name)
    assert not unreachable, unreachable


# Ops TF builds in Python from several kernels; tftape runs them as one kernel under this name.
COMPOSITE = {"LogSigmoid", "Variance", "Std", "LogSumExp", "UnsortedSegmentMean",
             "TensorScatterMul", "TensorScatterDiv", "Sort", "ArgSort", "Repeat", "TensorDot",
             "Gelu", "SigmoidCrossEntropyWithLogits", "Pinv"}


def test_registry_tf_names_are_tf_ops():
    """Each op's TF name (used in messages) is a real TF raw op, or a listed composite."""
    unknown = [(n, o.tf_name) for n, o in REGISTRY.items()
               if not hasattr(real_tf.raw_ops, o.tf_name) and o.tf_name not in COMPOSITE]
    assert not unknown, unknown


@pytest.mark.parametrize("name", sorted(n for n, o in REGISTRY.items() if o.dtypes))
def test_registry_dtypes_are_tf_dtypes(name):
    o = REGISTRY[name]
    for d in o.dtypes:
        assert real_tf.as_dtype(d.name).name == d.name
    assert o.no_kernel <= o.dtypes


BRIEF_OPS = {
    "": ["add", "subtract", "multiply", "divide", "truediv", "pow", "square", "sqrt",
         "exp", "abs", "negative", "sign", "maximum", "minimum", "round", "reduce_sum",
         "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "reduce_any", "reduce_all",
         "reduce_logsumexp", "argmax", "argmin", "cumsum", "reshape", "transpose",
         "concat", "stack", "unstack", "split", "squeeze", "expand_dims", "tile", "pad",
         "reverse", "slice", "strided_slice", "gather", "gather_nd", "scatter_nd",
         "tensor_scatter_nd_update", "tensor_scatter_nd_add", "tensor_scatter_nd_sub", "where",
         "boolean_mask", "one_hot", "range", "linspace", "fill", "zeros", "ones", "zeros_like",
         "ones_like", "eye", "cast", "bitcast", "identity", "shape", "rank", "size",
         "broadcast_to", "clip_by_value", "clip_by_norm", "sort", "argsort", "unique",
         "einsum", "tensordot", "meshgrid", "matmul", "equal", "not_equal", "less",
         "less_equal", "greater", "greater_equal", "logical_and", "logical_or", "logical_not",
         "complex", "sigmoid", "print", "roll", "repeat",
         "searchsorted"],
    "math": ["floordiv", "cumprod", "real", "imag", "conj", "floormod", "mod", "rsqrt", "expm1", "log", "log1p", "reciprocal", "sin", "cos",
             "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
             "softplus", "erf", "floor", "ceil", "is_nan", "is_inf", "is_finite",
             "divide_no_nan", "squared_difference", "logical_xor", "angle", "reduce_std",
             "reduce_variance", "count_nonzero", "segment_sum", "segment_mean", "segment_max",
             "segment_min", "unsorted_segment_sum", "top_k"],
    "linalg": ["matmul", "matvec", "inv", "det", "slogdet", "solve", "cholesky", "qr", "svd",
               "eigh", "norm", "trace", "diag", "diag_part", "band_part", "adjoint"],
    "nn": ["relu", "relu6", "elu", "selu", "gelu", "leaky_relu", "softmax", "log_softmax",
           "sigmoid_cross_entropy_with_logits", "softmax_cross_entropy_with_logits",
           "sparse_softmax_cross_entropy_with_logits", "moments", "l2_loss", "l2_normalize",
           "dropout", "bias_add", "conv2d", "max_pool2d", "avg_pool2d", "embedding_lookup"],
    "random": ["set_seed", "normal", "uniform", "truncated_normal", "categorical", "shuffle",
               "Generator"],
}


@pytest.mark.parametrize("namespace", sorted(BRIEF_OPS))
def test_required_ops_present(namespace):
    mod, tf_mod = _public(namespace)
    missing = [n for n in BRIEF_OPS[namespace] if not hasattr(mod, n)]
    assert not missing, missing
    assert all(hasattr(tf_mod, n) for n in BRIEF_OPS[namespace])


def _declared_ops():
    """The API functions declared in one line with their kernel (``_ops._declare``)."""
    out = []
    for namespace in ("math", "nn", "bitwise"):
        mod, tf_mod = _public(namespace)
        for n in _names(mod):
            o = getattr(getattr(mod, n), "op", None)
            if o is not None and o.elementwise and hasattr(tf_mod, n):
                out.append(pytest.param(namespace, n, id=f"{namespace}.{n}"))
    return out


_SAMPLES = {"float32": ([0.5, 2.0, 3.0], [1.5, 0.25, 2.0]), "int32": ([3, 1, 7], [2, 1, 3]),
            "bool": ([True, False, True], [True, True, False])}


@pytest.mark.parametrize("namespace,name", _declared_ops())
def test_declared_ops_take_tf_argument_names(namespace, name):
    """Each declared op takes its operands under TF's argument names, by keyword."""
    mod, tf_mod = _public(namespace)
    ours, theirs = getattr(mod, name), getattr(tf_mod, name)
    o = ours.op
    args = [k for k, p in inspect.signature(theirs).parameters.items()
            if k != "name" and p.default is inspect.Parameter.empty]
    dtype = next(d for d in _SAMPLES if o.dtypes is None or
                 any(dt.name == d for dt in o.dtypes if dt not in o.no_kernel))
    values = _SAMPLES[dtype][:len(args)]
    got = ours(**{k: tf.constant(v, getattr(tf, dtype)) for k, v in zip(args, values)})
    want = theirs(**{k: real_tf.constant(v, getattr(real_tf, dtype))
                     for k, v in zip(args, values)})
    assert got.dtype.name == want.dtype.name
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6, equal_nan=True)
    with pytest.raises(TypeError):
        ours(**{k + "_": tf.constant(v, getattr(tf, dtype)) for k, v in zip(args, values)})


_BY_KEYWORD = {
    "cast": lambda lib, r: lib.cast(x=r, dtype=lib.int32),
    "reduce_sum": lambda lib, r: lib.math.reduce_sum(input_tensor=r, axis=1),
    "reduce_max_keepdims": lambda lib, r: lib.reduce_max(r, keepdims=True, axis=1),
    "abs": lambda lib, r: lib.abs(x=-r),
    "add": lambda lib, r: lib.add(x=r, y=1.5),
    "truediv": lambda lib, r: lib.math.truediv(x=r, y=2.0),
    "zeta": lambda lib, r: lib.math.zeta(x=r + 1.0, q=1.0),
    "relu": lambda lib, r: lib.nn.relu(features=r - 2.0),
    "equal": lambda lib, r: lib.math.equal(x=r, y=2.0),
    "logical_not": lambda lib, r: lib.math.logical_not(x=lib.math.greater(r, 1.5)),
}


@pytest.mark.parametrize("call", sorted(_BY_KEYWORD))
def test_composite_operands_given_by_keyword_dispatch(call):
    """A RaggedTensor operand passed by keyword reaches the ragged implementation, as in TF."""
    fn = _BY_KEYWORD[call]
    rows = [[1.0, 2.0], [3.0], []]
    got = fn(tf, tf.ragged.constant(rows))
    want = fn(real_tf, real_tf.ragged.constant(rows))
    assert got.dtype.name == want.dtype.name
    assert type(got).__name__ == type(want).__name__
    listed = [x.to_list() if hasattr(x, "to_list") else x.numpy().tolist() for x in (got, want)]
    assert listed[0] == listed[1]

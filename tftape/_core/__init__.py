"""Layers 1-3: dtypes, shapes, errors, Tensor and the op registry."""

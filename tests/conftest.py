"""Test-session setup shared by every test module.

Real TensorFlow is the oracle. Its oneDNN kernels rename ops in error messages
(``__MklMatMul``), so it runs with them off, before any module imports it.
"""
import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

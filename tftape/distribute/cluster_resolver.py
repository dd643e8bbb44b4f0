"""``tf.distribute.cluster_resolver``."""
# ruff: noqa: F401
from ._cluster import ClusterSpec as ClusterSpec
from ._cluster import TFConfigClusterResolver as TFConfigClusterResolver

ClusterResolver = TFConfigClusterResolver
SimpleClusterResolver = TFConfigClusterResolver

"""``tf.saved_model``: save tf.functions and variables; load them without the Python code.

See ``tftape/_saved_model.py`` for the directory layout (StableHLO via ``jax.export`` plus a
TF-format checkpoint; not TensorFlow's SavedModel protobuf format).
"""
# ruff: noqa: F401
from ._saved_model import load as load, save as save

SERVING = "serve"
DEFAULT_SERVING_SIGNATURE_DEF_KEY = "serving_default"


class SaveOptions:
    """Accepted for compatibility; tftape's SavedModel has no options to tune."""

    def __init__(self, namespace_whitelist=None, save_debug_info=False, function_aliases=None,
                 experimental_io_device=None, experimental_variable_policy=None,
                 experimental_custom_gradients=True, experimental_image_format=False,
                 experimental_skip_saver=False, experimental_sharding_callback=None,
                 extra_tags=None):
        self.function_aliases = function_aliases


class LoadOptions:
    def __init__(self, allow_partial_checkpoint=False, experimental_io_device=None,
                 experimental_skip_checkpoint=False, experimental_variable_policy=None,
                 experimental_load_function_aliases=False):
        self.allow_partial_checkpoint = allow_partial_checkpoint

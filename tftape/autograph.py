"""``tf.autograph``: the conversion switches (tftape's AutoGraph is always the small one)."""
import types as _types

from ._function.autograph import do_not_convert as _do_not_convert

_VERBOSITY = [0]


def set_verbosity(level, alsologtostdout=False):
    """Accepted for compatibility; tftape's conversion logs nothing."""
    _VERBOSITY[0] = int(level)


def to_code(entity, recursive=True, experimental_optional_features=None):
    import inspect
    return inspect.getsource(entity)


experimental = _types.SimpleNamespace(do_not_convert=_do_not_convert,
                                      set_loop_options=lambda **kwargs: None,
                                      Feature=_types.SimpleNamespace(ALL="ALL"))

"""Which process of a multi-process (``jax.distributed``) program this is."""
from __future__ import annotations


def is_writer() -> bool:
    """False on the non-chief processes of a multi-worker cluster (``jax.distributed``
    started, process id > 0): only the chief writes checkpoints and saved models, since the
    variables hold the same values on every worker."""
    from jax._src import distributed
    state = distributed.global_state
    return state.client is None or (state.process_id or 0) == 0

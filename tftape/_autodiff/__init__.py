"""Layer 4: the tape, segment lowering to jax.vjp, jacobians."""

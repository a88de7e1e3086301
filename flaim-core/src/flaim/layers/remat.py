"""Gradient checkpointing, one switch for every family: ``grad_checkpointing=True`` recomputes each block's
activations in the backward pass (``nn.remat``); ``remat_policy`` names what it may keep instead."""

from __future__ import annotations

from typing import Any

import jax
from flax import linen as nn

# `jax.checkpoint_policies` that need no arguments; None: save nothing inside a block (jax's default).
REMAT_POLICIES = (
    "nothing_saveable",
    "everything_saveable",
    "dots_saveable",
    "dots_with_no_batch_dims_saveable",
)


def checkpointed(block: type[nn.Module], enabled: bool, policy: str | None = None) -> type[nn.Module]:
    """`block` wrapped in ``nn.remat`` when `enabled` (its ``training`` argument, the second, stays static).

    Args:
        block: a module class called as ``block(...)(x, training)``.
        enabled: the model's ``grad_checkpointing``.
        policy: the model's ``remat_policy``: one of `REMAT_POLICIES` or None.
    """
    if policy is not None and policy not in REMAT_POLICIES:
        raise ValueError(f"Unknown remat_policy {policy!r}; choose one of: None, {', '.join(REMAT_POLICIES)}.")
    if not enabled:
        return block
    saved: Any = None if policy is None else getattr(jax.checkpoint_policies, policy)
    return nn.remat(block, static_argnums=(2,), policy=saved)

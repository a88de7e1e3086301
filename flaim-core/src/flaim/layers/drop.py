"""Stochastic depth (drop path): drop whole residual branches per sample during training; the per-block rates."""

from __future__ import annotations

from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np
from flax import linen as nn


def drop_path_rates(rate: float, depths: Sequence[int]) -> list[tuple[float, ...]]:
    """timm's stochastic-depth schedule: rates rising linearly from 0 at the first block to `rate` at the last,
    over all stages' blocks in order, returned per stage.

    Args:
        rate: the model's ``drop_path_rate``.
        depths: blocks per stage (one entry for a single stack, as in ViT).
    """
    rates = np.linspace(0.0, rate, sum(depths)).tolist()
    starts = np.cumsum([0, *depths[:-1]]).tolist()
    return [tuple(rates[start : start + depth]) for start, depth in zip(starts, depths, strict=True)]


def drop_path(x: jax.Array, rate: float, key: jax.Array) -> jax.Array:
    """Zero each sample's branch with probability `rate`, scaling survivors by ``1 / (1 - rate)``."""
    if rate == 0.0:
        return x
    keep = 1.0 - rate
    mask = jax.random.bernoulli(key, keep, (x.shape[0],) + (1,) * (x.ndim - 1))
    return jnp.where(mask, x / keep, 0.0).astype(x.dtype)


class DropPath(nn.Module):
    """`drop_path` as a module; draws from the ``'dropout'`` rng stream when training."""

    rate: float = 0.0

    @nn.compact
    def __call__(self, x: jax.Array, training: bool) -> jax.Array:
        if not training or self.rate == 0.0:
            return x
        return drop_path(x, self.rate, self.make_rng("dropout"))

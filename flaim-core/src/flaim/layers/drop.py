"""Stochastic depth (drop path): drop whole residual branches per sample during training."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import linen as nn


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

"""Affine: a learnt per-channel ``alpha · x + beta`` (ResMLP's norm replacement)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from flax import linen as nn

from flaim.layers.init import ones, zeros
from flaim.layers.params import param


def affine(x: jax.Array, alpha: jax.Array, beta: jax.Array) -> jax.Array:
    """``alpha · x + beta`` over the channels (last axis) of `x`."""
    return x * alpha.astype(x.dtype) + beta.astype(x.dtype)


class Affine(nn.Module):
    """`affine` with learnt ``alpha`` (ones) and ``beta`` (zeros), as timm's ``Affine`` (whose (1, 1, C) tensors
    convert with ``reshape(-1)``)."""

    param_dtype: Any = jnp.float32

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        alpha = param(self, "alpha", ones, (x.shape[-1],), self.param_dtype)
        beta = param(self, "beta", zeros, (x.shape[-1],), self.param_dtype)
        return affine(x, alpha, beta)

"""LayerScale: a learnt per-channel gain on a residual branch (CaiT, DeiT-3, DINOv2)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from flax import linen as nn

from flaim.layers.init import constant
from flaim.layers.params import param


def layer_scale(x: jax.Array, gamma: jax.Array) -> jax.Array:
    """Scale the channels (last axis) of `x` by `gamma`."""
    return x * gamma.astype(x.dtype)


class LayerScale(nn.Module):
    """`layer_scale` with a learnt ``gamma`` initialised to `init_values`."""

    init_values: float = 1e-5
    param_dtype: Any = jnp.float32

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        gamma = param(self, "gamma", constant(self.init_values), (x.shape[-1],), self.param_dtype)
        return layer_scale(x, gamma)

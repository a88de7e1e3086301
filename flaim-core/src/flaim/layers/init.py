"""timm's initialisers as flax initialisers, so that a randomly initialised model starts where timm's does."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from flax import linen as nn

Initializer = Any  # (key, shape, dtype) -> array

# PyTorch's default for Linear / Conv weights (kaiming_uniform, a=√5): U(±1/√fan_in), fan_in from the kernel shape.
torch_default_kernel = nn.initializers.variance_scaling(1 / 3, "fan_in", "uniform")
# Kaiming normal, fan_out (timm's ResNet convs and PyTorch's `kaiming_normal_(mode='fan_out', nonlinearity='relu')`).
kaiming_fan_out = nn.initializers.variance_scaling(2.0, "fan_out", "normal")


def symmetric_uniform(bound: float) -> Initializer:
    """U(-bound, bound); ``symmetric_uniform(fan_in ** -0.5)`` is PyTorch's default bias (and Conv1d weight)."""

    def init(key: jax.Array, shape: tuple[int, ...], dtype: Any = jnp.float32) -> jax.Array:
        return jax.random.uniform(key, shape, dtype, -bound, bound)

    return init


def trunc_normal(std: float, bound: float = 2.0) -> Initializer:
    """timm's ``trunc_normal_(std=std, a=-bound, b=bound)``: a normal cut at ±`bound`, absolute as in timm (50 σ
    and more at the standard deviations timm uses, so the cut is a clip that practically never acts)."""

    def init(key: jax.Array, shape: tuple[int, ...], dtype: Any = jnp.float32) -> jax.Array:
        # clipped in units of std, then scaled: jit and eager then round alike (bit-identical init either way)
        return jnp.clip(jax.random.normal(key, shape, dtype), -bound / std, bound / std) * jnp.asarray(std, dtype)

    return init

"""BatchNorm with PyTorch's semantics: biased batch variance to normalise, unbiased variance in the running stats."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from flax import linen as nn

from flaim.layers.init import Initializer, ones, zeros


def batch_norm(
    x: jax.Array, mean: jax.Array, var: jax.Array, scale: jax.Array, bias: jax.Array, epsilon: float
) -> jax.Array:
    """Normalise the last axis of `x` with the given statistics and affine parameters, in at least float32.

    Centres before scaling, so that gradients through batch statistics do not cancel catastrophically.

    Args:
        x: features, channels last.
        mean: per-channel mean.
        var: per-channel (biased) variance.
        scale: per-channel gain (PyTorch ``weight``).
        bias: per-channel shift.
        epsilon: added to the variance.
    """
    f = _stats_dtype(x.dtype)
    mul = scale.astype(f) * jax.lax.rsqrt(var.astype(f) + epsilon)
    return ((x.astype(f) - mean.astype(f)) * mul + bias.astype(f)).astype(x.dtype)


def _stats_dtype(dtype: Any) -> Any:
    """Statistics and affine maths run in float32, or wider when the input is (e.g. float64 checks)."""
    return jnp.promote_types(dtype, jnp.float32)


class BatchNorm(nn.Module):
    """PyTorch ``BatchNorm2d`` over the last axis: params ``scale``/``bias``, batch_stats ``mean``/``var``.

    Training normalises with the batch mean and biased variance and, unless initialising, updates the running
    stats as PyTorch does: ``running = (1 - momentum) * running + momentum * batch`` with the unbiased variance.
    Inference uses the running stats. Training with one value per channel (batch 1 on a 1×1 map) is refused, as in
    PyTorch: its batch variance would be zero.
    """

    momentum: float = 0.1
    epsilon: float = 1e-5
    scale_init: Initializer = ones
    dtype: Any = None
    param_dtype: Any = jnp.float32

    @nn.compact
    def __call__(self, x: jax.Array, training: bool) -> jax.Array:
        features = x.shape[-1]
        scale = self.param("scale", self.scale_init, (features,), self.param_dtype)
        bias = self.param("bias", zeros, (features,), self.param_dtype)
        ra_mean = self.variable("batch_stats", "mean", zeros, None, (features,), self.param_dtype)
        ra_var = self.variable("batch_stats", "var", ones, None, (features,), self.param_dtype)
        x = x.astype(self.dtype or x.dtype)
        if not training:
            return batch_norm(x, ra_mean.value, ra_var.value, scale, bias, self.epsilon)
        if x.size <= features:  # shapes are static, so this is decided at trace time
            raise ValueError(
                f"BatchNorm in training mode needs more than one value per channel, got input shape {x.shape}: "
                f"train with a batch of at least 2 (or larger images), or use training=False."
            )
        axes = tuple(range(x.ndim - 1))
        xf = x.astype(_stats_dtype(x.dtype))
        mean = xf.mean(axes)
        var = jnp.square(xf - mean).mean(axes)
        if not self.is_initializing():
            n = x.size // features
            m = self.momentum
            ra_mean.value = ((1 - m) * ra_mean.value + m * mean).astype(ra_mean.value.dtype)
            ra_var.value = ((1 - m) * ra_var.value + m * var * (n / max(n - 1, 1))).astype(ra_var.value.dtype)
        return batch_norm(x, mean, var, scale, bias, self.epsilon)

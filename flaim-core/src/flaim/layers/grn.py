"""Global Response Normalization (ConvNeXt-V2, arXiv:2301.00808), as timm's `GlobalResponseNorm`."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from flax import linen as nn

from flaim.layers.init import zeros
from flaim.layers.params import param


def global_response_norm(x: jax.Array, scale: jax.Array, bias: jax.Array, eps: float = 1e-6) -> jax.Array:
    """``x + bias + scale * x * n`` where ``n`` is each channel's spatial L2 norm over its mean across channels.

    Args:
        x: NHWC feature map.
        scale: per-channel gain (timm ``weight``, initialised to zero).
        bias: per-channel shift (initialised to zero).
        eps: added to the mean norm.
    """
    xf = x.astype(jnp.float32)
    gx = jnp.sqrt(jnp.sum(xf * xf, axis=(1, 2), keepdims=True))
    nx = gx / (gx.mean(-1, keepdims=True) + eps)
    return (xf + (bias + scale * (xf * nx))).astype(x.dtype)


class GlobalResponseNorm(nn.Module):
    """`global_response_norm` with learnt ``scale`` and ``bias``, both initialised to zero (identity)."""

    eps: float = 1e-6
    dtype: Any = None
    param_dtype: Any = jnp.float32

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        scale = param(self, "scale", zeros, (x.shape[-1],), self.param_dtype)
        bias = param(self, "bias", zeros, (x.shape[-1],), self.param_dtype)
        return global_response_norm(x.astype(self.dtype or x.dtype), scale, bias, self.eps)

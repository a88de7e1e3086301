"""Channel norms for NHWC maps and token/pooled features: timm's LayerNorm(2d), RmsNorm(2d) and SimpleNorm(2d); and
`get_norm`, every norm layer by timm's name.

All normalise over the last axis, so one layer serves timm's channels-first ``*2d`` and channels-last variants.
Statistics are computed in float32 whatever the compute dtype.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import jax
import jax.numpy as jnp
from flax import linen as nn

from flaim.errors import check_choice
from flaim.layers.batchnorm import BatchNorm
from flaim.layers.init import Initializer, ones, zeros
from flaim.layers.params import param


def layer_norm(x: jax.Array, scale: jax.Array, bias: jax.Array, eps: float = 1e-6) -> jax.Array:
    """``(x - mean) / sqrt(var + eps) * scale + bias`` over the last axis (biased variance, as PyTorch).

    Args:
        x: features, channels last.
        scale: per-channel gain.
        bias: per-channel shift.
        eps: added to the variance.
    """
    xf = x.astype(jnp.float32)
    centred = xf - xf.mean(-1, keepdims=True)
    inv = jax.lax.rsqrt((centred * centred).mean(-1, keepdims=True) + eps)
    return (centred * inv * scale + bias).astype(x.dtype)


def rms_norm(x: jax.Array, scale: jax.Array, eps: float = 1e-6) -> jax.Array:
    """``x / sqrt(mean(x²) + eps) * scale`` over the last axis (timm `RmsNorm` / `RmsNorm2d`).

    Args:
        x: features, channels last.
        scale: per-channel gain.
        eps: added to the mean square.
    """
    xf = x.astype(jnp.float32)
    return (xf * jax.lax.rsqrt((xf * xf).mean(-1, keepdims=True) + eps) * scale).astype(x.dtype)


def simple_norm(x: jax.Array, scale: jax.Array, eps: float = 1e-6) -> jax.Array:
    """``x / sqrt(var(x) + eps) * scale`` over the last axis, unbiased variance, no centring (timm `SimpleNorm`).

    Args:
        x: features, channels last.
        scale: per-channel gain.
        eps: added to the variance.
    """
    xf = x.astype(jnp.float32)
    return (xf * jax.lax.rsqrt(jnp.var(xf, -1, keepdims=True, ddof=1) + eps) * scale).astype(x.dtype)


class LayerNorm(nn.Module):
    """`layer_norm` with learnt ``scale`` (ones) and ``bias`` (zeros)."""

    eps: float = 1e-6
    dtype: Any = None
    param_dtype: Any = jnp.float32

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        scale = param(self, "scale", ones, (x.shape[-1],), self.param_dtype)
        bias = param(self, "bias", zeros, (x.shape[-1],), self.param_dtype)
        return layer_norm(x.astype(self.dtype or x.dtype), scale, bias, self.eps)


class _ScaleNorm(nn.Module):
    """A norm of the last axis with a learnt ``scale`` (ones) and no shift; subclasses pick `normalize`."""

    eps: float = 1e-6
    dtype: Any = None
    param_dtype: Any = jnp.float32
    normalize: ClassVar[Callable[[jax.Array, jax.Array, float], jax.Array]]

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        scale = param(self, "scale", ones, (x.shape[-1],), self.param_dtype)
        return type(self).normalize(x.astype(self.dtype or x.dtype), scale, self.eps)


class RmsNorm(_ScaleNorm):
    """`rms_norm` with a learnt ``scale`` (ones)."""

    normalize = staticmethod(rms_norm)


class SimpleNorm(_ScaleNorm):
    """`simple_norm` with a learnt ``scale`` (ones)."""

    normalize = staticmethod(simple_norm)


class GroupNorm(nn.GroupNorm):
    """PyTorch ``GroupNorm``: 32 groups, eps 1e-5, two-pass variance (flax's ``nn.GroupNorm`` with PyTorch's
    defaults)."""

    num_groups: int | None = 32
    epsilon: float = 1e-5
    use_fast_variance: bool = False
    scale_init: Initializer = ones
    bias_init: Initializer = zeros


NORMS: dict[str, Callable[..., nn.Module]] = {
    "layernorm": LayerNorm,
    "rmsnorm": RmsNorm,
    "simplenorm": SimpleNorm,
    "batchnorm": BatchNorm,
    "groupnorm": GroupNorm,
}


def get_norm(norm: str | Callable[..., nn.Module]) -> Callable[..., nn.Module]:
    """The norm layer called `norm` in timm (a key of `NORMS`), or `norm` itself when it is a module constructor.

    Args:
        norm: ``'layernorm'``, ``'rmsnorm'``, ``'simplenorm'``, ``'batchnorm'``, ``'groupnorm'`` or a constructor.

    Raises:
        ValueError: for an unknown name, listing the known ones.
    """
    return norm if callable(norm) else check_choice("norm", norm, NORMS)

"""Depthwise 2-D convolution, exact and fast on every backend.

XLA's CPU backend lowers a grouped convolution with one channel per group (``feature_group_count == C``) to a
slow generic loop. On CPU the same sum is written as shift-and-add over the padded map, one multiply-add per kernel
tap, which XLA fuses into a single vectorised loop over channels; GPU and TPU keep `lax.conv_general_dilated`, which
their compilers handle well.

On CPU the result goes through `flaim.xla.fusion_barrier`: otherwise XLA's library fusions (YNNPACK) pull the taps
into the following norm/matmul and materialise every shifted copy of the map and every broadcast kernel row.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from flax import linen as nn

from flaim.layers.config import by_platform
from flaim.layers.init import Initializer, VarianceScaling, zeros
from flaim.xla import fusion_barrier


def depthwise_conv2d(x: jax.Array, kernel: jax.Array, bias: jax.Array | None = None, padding: int = 0) -> jax.Array:
    """Stride-1 depthwise convolution of an NHWC map, zero padding `padding` on each side, plus `bias`.

    Args:
        x: ``(B, H, W, C)`` input.
        kernel: ``(kh, kw, 1, C)`` weights (flax HWIO layout of a grouped conv; timm's ``(C, 1, kh, kw)`` transposed).
        bias: ``(C,)`` or None.
        padding: rows/columns of zeros added on each side (``kh // 2`` keeps the size for odd kernels).

    Returns:
        ``(B, H + 2 * padding - kh + 1, W + 2 * padding - kw + 1, C)``.
    """

    def grouped_conv(x: jax.Array, kernel: jax.Array) -> jax.Array:
        return jax.lax.conv_general_dilated(
            x,
            kernel,
            window_strides=(1, 1),
            padding=((padding, padding), (padding, padding)),
            dimension_numbers=("NHWC", "HWIO", "NHWC"),
            feature_group_count=x.shape[-1],
        )

    y = by_platform(lambda x, kernel: _shift_add(x, kernel[:, :, 0, :], padding), grouped_conv, x, kernel)
    return fusion_barrier(y if bias is None else y + bias)


def _shift_add(x: jax.Array, kernel: jax.Array, padding: int) -> jax.Array:
    kh, kw, _ = kernel.shape
    xp = jnp.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    h, w = xp.shape[1] - kh + 1, xp.shape[2] - kw + 1
    out = xp[:, :h, :w] * kernel[0, 0]
    for i in range(kh):
        for j in range(kw):
            if i or j:
                out = out + xp[:, i : i + h, j : j + w] * kernel[i, j]
    return out


class DepthwiseConv2d(nn.Module):
    """`depthwise_conv2d` with a learnt ``kernel`` ``(kh, kw, 1, C)`` and optional ``bias``, "same" size output."""

    kernel_size: int = 7
    use_bias: bool = True
    kernel_init: Initializer = VarianceScaling(1.0, "fan_in", "truncated_normal", in_axis=(0, 1, 2), out_axis=3)
    dtype: Any = None
    param_dtype: Any = jnp.float32

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        channels = x.shape[-1]
        kernel = self.param(
            "kernel", self.kernel_init, (self.kernel_size, self.kernel_size, 1, channels), self.param_dtype
        )
        bias = self.param("bias", zeros, (channels,), self.param_dtype) if self.use_bias else None
        dtype = self.dtype or x.dtype
        bias = None if bias is None else bias.astype(dtype)
        return depthwise_conv2d(x.astype(dtype), kernel.astype(dtype), bias, self.kernel_size // 2)

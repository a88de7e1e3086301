"""Channel attention as timm's resnets use it: Squeeze-and-Excitation (SE) and Efficient Channel Attention (ECA)."""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
from flax import linen as nn

from flaim.layers.dense import Dense
from flaim.layers.helpers import make_divisible
from flaim.layers.init import kaiming_fan_out, symmetric_uniform
from flaim.layers.params import param
from flaim.layers.pool import global_avg_pool


def se_channels(channels: int, rd_ratio: float = 1 / 16, divisor: int = 8) -> int:
    """The SE bottleneck width timm uses for `channels` (``make_divisible(c * ratio, 8, round_limit=0)``)."""
    return make_divisible(channels * rd_ratio, divisor, round_limit=0.0)


def eca_kernel_size(channels: int, gamma: float = 2, beta: float = 1) -> int:
    """ECA's adaptive 1-D kernel size for `channels`: the odd number nearest ``(log2(C) + beta) / gamma``, ≥ 3."""
    t = int(abs(math.log(channels, 2) + beta) / gamma)
    return max(t if t % 2 else t + 1, 3)


class SqueezeExcite(nn.Module):
    """SE: global average → 1×1 conv (``fc1``) → ReLU → 1×1 conv (``fc2``) → sigmoid gate on the input."""

    rd_channels: int
    dtype: Any = None
    param_dtype: Any = jnp.float32

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        # timm's ResNet init: its 1×1 convs kaiming fan_out, their biases at PyTorch's default U(±1/√fan_in)
        dense = {"dtype": self.dtype, "param_dtype": self.param_dtype, "kernel_init": kaiming_fan_out}
        channels = x.shape[-1]
        s = global_avg_pool(x)
        s = Dense(self.rd_channels, bias_init=symmetric_uniform(channels**-0.5), name="fc1", **dense)(s)
        s = Dense(channels, bias_init=symmetric_uniform(self.rd_channels**-0.5), name="fc2", **dense)(nn.relu(s))
        return x * jax.nn.sigmoid(s)[:, None, None, :].astype(x.dtype)


def channel_conv1d(s: jax.Array, kernel: jax.Array) -> jax.Array:
    """PyTorch ``Conv1d(1, 1, k, padding=k // 2, bias=False)`` across the channel axis of (B, C) input."""
    k = kernel.shape[0]
    padded = jnp.pad(s, ((0, 0), (k // 2, k // 2)))
    channels = s.shape[-1]
    return sum(kernel[j] * padded[:, j : j + channels] for j in range(k))


class EfficientChannelAttention(nn.Module):
    """ECA: global average → 1-D conv across channels (param ``kernel``, shape (k,)) → sigmoid gate."""

    kernel_size: int
    param_dtype: Any = jnp.float32

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        init = symmetric_uniform(self.kernel_size**-0.5)  # PyTorch's Conv1d default, which timm keeps
        kernel = param(self, "kernel", init, (self.kernel_size,), self.param_dtype)
        s = channel_conv1d(global_avg_pool(x), kernel.astype(x.dtype))
        return x * jax.nn.sigmoid(s)[:, None, None, :].astype(x.dtype)

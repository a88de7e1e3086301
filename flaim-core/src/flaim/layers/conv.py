"""2-D convolution with PyTorch's explicit padding, 1×1 convs as matrix products, and conv + BatchNorm + act
with the norm folded into the kernel at inference."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
from flax import linen as nn

from flaim.layers.batchnorm import BatchNorm

Activation = Callable[[jax.Array], jax.Array]


def get_padding(kernel_size: int, stride: int = 1, dilation: int = 1) -> int:
    """PyTorch's symmetric 'same-ish' padding for an odd kernel (timm's ``get_padding``)."""
    return ((stride - 1) + dilation * (kernel_size - 1)) // 2


def conv2d(
    x: jax.Array,
    kernel: jax.Array,
    bias: jax.Array | None = None,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    groups: int = 1,
) -> jax.Array:
    """PyTorch ``F.conv2d`` on NHWC input with an HWIO kernel and symmetric zero `padding`.

    An unpadded, ungrouped 1×1 conv runs as a matrix product over channels (a strided one subsamples first),
    which XLA schedules better than a convolution.

    Args:
        x: input, (B, H, W, C_in).
        kernel: (kh, kw, C_in // groups, C_out).
        bias: optional (C_out,).
        stride: spatial stride.
        padding: zeros added on every side, as in PyTorch.
        dilation: kernel dilation.
        groups: feature groups (``C_in`` for depthwise).
    """
    if kernel.shape[:2] == (1, 1) and groups == 1 and padding == 0:
        y = jnp.dot(x[:, ::stride, ::stride], kernel[0, 0])
    else:
        y = jax.lax.conv_general_dilated(
            x,
            kernel,
            window_strides=(stride, stride),
            padding=((padding, padding), (padding, padding)),
            rhs_dilation=(dilation, dilation),
            dimension_numbers=("NHWC", "HWIO", "NHWC"),
            feature_group_count=groups,
        )
    return y if bias is None else y + bias


class Conv2d(nn.Module):
    """`conv2d` as a module (params ``kernel`` HWIO, optional ``bias``), PyTorch padding by default.

    Calling it with ``fold=(mul, add)`` computes ``conv(x) * mul + add`` by scaling the kernel instead, which is
    how a following inference-mode norm is fused.
    """

    features: int
    kernel_size: int
    stride: int = 1
    padding: int | None = None  # None: get_padding(kernel_size, stride, dilation)
    dilation: int = 1
    groups: int = 1
    use_bias: bool = False
    dtype: Any = None
    param_dtype: Any = jnp.float32
    kernel_init: Callable[..., jax.Array] = nn.initializers.variance_scaling(2.0, "fan_out", "normal")

    @nn.compact
    def __call__(self, x: jax.Array, fold: tuple[jax.Array, jax.Array] | None = None) -> jax.Array:
        in_features = x.shape[-1]
        if in_features % self.groups:
            raise ValueError(f"{in_features} input channels are not divisible into {self.groups} groups.")
        k = self.kernel_size
        shape = (k, k, in_features // self.groups, self.features)
        kernel = self.param("kernel", self.kernel_init, shape, self.param_dtype)
        bias = self.param("bias", nn.initializers.zeros, (self.features,), self.param_dtype) if self.use_bias else None
        if fold is not None:
            mul, add = fold
            kernel = kernel.astype(mul.dtype) * mul
            bias = add if bias is None else bias.astype(mul.dtype) * mul + add
        dtype = self.dtype or x.dtype
        padding = get_padding(k, self.stride, self.dilation) if self.padding is None else self.padding
        return conv2d(
            x.astype(dtype),
            kernel.astype(dtype),
            None if bias is None else bias.astype(dtype),
            self.stride,
            padding,
            self.dilation,
            self.groups,
        )


class ConvNormAct(nn.Module):
    """Conv (``conv``, no bias) → norm (``norm``: PyTorch-parity BatchNorm, or GroupNorm) → optional activation.

    With BatchNorm, training (and init) runs the two layers one after the other, so batch statistics and
    gradients are exactly PyTorch's; inference folds the running stats into the conv kernel and bias: one conv,
    no norm pass. GroupNorm (``group_norm_groups`` groups) has nothing to fold.
    """

    features: int
    kernel_size: int
    stride: int = 1
    padding: int | None = None
    dilation: int = 1
    groups: int = 1
    act: Activation | None = nn.relu
    norm: str = "batchnorm"  # or "groupnorm"
    group_norm_groups: int = 32
    momentum: float = 0.1
    epsilon: float = 1e-5
    dtype: Any = None
    param_dtype: Any = jnp.float32

    @nn.compact
    def __call__(self, x: jax.Array, training: bool) -> jax.Array:
        conv = Conv2d(
            self.features,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            self.groups,
            dtype=self.dtype,
            param_dtype=self.param_dtype,
            name="conv",
        )
        dtypes = {"dtype": self.dtype, "param_dtype": self.param_dtype}
        if self.norm == "groupnorm":
            norm = nn.GroupNorm(
                self.group_norm_groups, epsilon=self.epsilon, use_fast_variance=False, name="norm", **dtypes
            )
            x = norm(conv(x))
        elif self.norm != "batchnorm":
            raise ValueError(f"Unknown norm {self.norm!r}; choose one of: 'batchnorm', 'groupnorm'.")
        elif training or self.is_initializing():
            x = BatchNorm(self.momentum, self.epsilon, name="norm", **dtypes)(conv(x), training)
        else:
            x = conv(x, fold=BatchNorm(self.momentum, self.epsilon, name="norm", **dtypes).folded())
        return x if self.act is None else self.act(x)

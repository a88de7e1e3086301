"""2-D convolution with PyTorch's explicit padding (dense convs as matrix products where XLA's CPU convolution is
slow), and conv + norm + activation."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
from flax import linen as nn

from flaim.layers.activations import Activation, get_act
from flaim.layers.batchnorm import BatchNorm
from flaim.layers.config import by_platform
from flaim.layers.dense import channel_matmul
from flaim.layers.depthwise import depthwise_conv2d
from flaim.layers.init import Initializer, kaiming_fan_out, ones, zeros
from flaim.layers.norm import get_norm
from flaim.layers.params import param


def get_padding(kernel_size: int, stride: int = 1, dilation: int = 1) -> int:
    """PyTorch's symmetric 'same-ish' padding for an odd kernel (timm's ``get_padding``)."""
    return ((stride - 1) + dilation * (kernel_size - 1)) // 2


# Below this many output positions (batch × height × width) a dense conv runs faster as one matrix product over
# gathered patches (im2col) than through XLA's CPU convolution: the late, small maps of a ResNet at small batch.
IM2COL_MAX_ROWS = 512


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

    Dense (ungrouped, undilated) convs that XLA's CPU backend handles poorly run as matrix products with the same
    sums: 1×1 convs over channels (a strided one subsamples first), non-overlapping ones (kernel = stride, no
    padding: patch embeddings, ConvNeXt downsampling) over patches, and convs with few output positions
    (`IM2COL_MAX_ROWS`) over gathered windows, the last on CPU only (`flaim.layers.config.by_platform`); each
    matrix product is a `channel_matmul`, for a faster kernel gradient. Stride-1 depthwise convs
    (``groups == C_in == C_out``) are `flaim.layers.depthwise.depthwise_conv2d`.

    Args:
        x: input, (B, H, W, C_in).
        kernel: (kh, kw, C_in // groups, C_out).
        bias: optional (C_out,).
        stride: spatial stride.
        padding: zeros added on every side, as in PyTorch.
        dilation: kernel dilation.
        groups: feature groups (``C_in`` for depthwise).
    """
    kh, kw = kernel.shape[:2]
    dense = groups == 1 and dilation == 1

    def xla_conv(x: jax.Array, kernel: jax.Array) -> jax.Array:
        return jax.lax.conv_general_dilated(
            x,
            kernel,
            window_strides=(stride, stride),
            padding=((padding, padding), (padding, padding)),
            rhs_dilation=(dilation, dilation),
            dimension_numbers=("NHWC", "HWIO", "NHWC"),
            feature_group_count=groups,
        )

    if groups > 1 and groups == x.shape[-1] == kernel.shape[-1] and stride == 1 and dilation == 1:
        return depthwise_conv2d(x, kernel, bias, padding)  # XLA's CPU grouped conv is a slow generic loop
    if dense and padding == 0 and (kh, kw) in ((1, 1), (stride, stride)):
        y = _patch_matmul(x, kernel, stride)
    elif dense:
        y = by_platform(partial(_cpu_dense_conv, conv=xla_conv, stride=stride, padding=padding), xla_conv, x, kernel)
    else:
        y = xla_conv(x, kernel)
    return y if bias is None else y + bias


def _cpu_dense_conv(
    x: jax.Array, kernel: jax.Array, conv: Callable[..., jax.Array], stride: int, padding: int
) -> jax.Array:
    """On CPU: gathered windows (`_im2col`) for at most `IM2COL_MAX_ROWS` output positions, else `conv`. With a
    symbolic batch size (`jax.export`) the size test runs in the program (`lax.cond`), not in Python."""
    kh, kw = kernel.shape[:2]
    out_h = (x.shape[1] + 2 * padding - kh) // stride + 1
    out_w = (x.shape[2] + 2 * padding - kw) // stride + 1
    rows = x.shape[0] * out_h * out_w
    im2col = partial(_im2col, stride=stride, padding=padding, h=out_h, w=out_w)
    if isinstance(rows, int):
        return im2col(x, kernel) if rows <= IM2COL_MAX_ROWS else conv(x, kernel)
    return jax.lax.cond(jnp.asarray(rows) <= IM2COL_MAX_ROWS, im2col, conv, x, kernel)


def _patch_matmul(x: jax.Array, kernel: jax.Array, stride: int) -> jax.Array:
    """A conv whose kernel is 1×1 or equals its stride, unpadded: one matrix product over each window's values."""
    kh, kw, channels, features = kernel.shape
    if (kh, kw) == (1, 1):
        return channel_matmul(x[:, ::stride, ::stride], kernel[0, 0])
    b, h, w = x.shape[0], x.shape[1] // kh, x.shape[2] // kw  # PyTorch drops a partial last window
    patches = x[:, : h * kh, : w * kw].reshape(b, h, kh, w, kw, channels).transpose(0, 1, 3, 2, 4, 5)
    return channel_matmul(patches.reshape(b, h, w, kh * kw * channels), kernel.reshape(-1, features))


def _im2col(x: jax.Array, kernel: jax.Array, stride: int, padding: int, h: int, w: int) -> jax.Array:
    """A dense conv with an `h` × `w` output as one matrix product over every output position's window, gathered
    along channels."""
    kh, kw, _, features = kernel.shape
    xp = jnp.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    windows = [
        xp[:, i : i + stride * (h - 1) + 1 : stride, j : j + stride * (w - 1) + 1 : stride]
        for i in range(kh)
        for j in range(kw)
    ]
    return channel_matmul(jnp.concatenate(windows, axis=-1), kernel.reshape(-1, features))


class Conv2d(nn.Module):
    """`conv2d` as a module (params ``kernel`` HWIO, optional ``bias``), PyTorch padding by default."""

    features: int
    kernel_size: int
    stride: int = 1
    padding: int | None = None  # None: get_padding(kernel_size, stride, dilation)
    dilation: int = 1
    groups: int = 1
    use_bias: bool = False
    dtype: Any = None
    param_dtype: Any = jnp.float32
    kernel_init: Initializer = kaiming_fan_out
    bias_init: Initializer = zeros

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        in_features = x.shape[-1]
        if in_features % self.groups:
            raise ValueError(f"{in_features} input channels are not divisible into {self.groups} groups.")
        k = self.kernel_size
        shape = (k, k, in_features // self.groups, self.features)
        kernel = param(self, "kernel", self.kernel_init, shape, self.param_dtype)
        bias = param(self, "bias", self.bias_init, (self.features,), self.param_dtype) if self.use_bias else None
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
    """Conv (``conv``, no bias) → norm (``norm``) → optional activation.

    `norm` is a name for `get_norm` (``'batchnorm'``: PyTorch-parity BatchNorm, batch statistics when training and
    running ones at inference; ``'groupnorm'``: PyTorch's 32 groups) or a module constructor taking ``scale_init``,
    ``dtype`` and ``param_dtype`` (bind other options with ``functools.partial``); a `BatchNorm` is called with
    ``training``. At inference BatchNorm is not folded into the kernel: scaling every kernel on each call costs more
    memory traffic than the per-channel multiply-add, which XLA fuses with the activation into the pass that
    already writes the conv output.
    """

    features: int
    kernel_size: int
    stride: int = 1
    padding: int | None = None
    dilation: int = 1
    groups: int = 1
    act: str | Activation | None = nn.relu
    norm: str | Callable[..., nn.Module] = "batchnorm"
    norm_scale_init: Initializer = ones  # zeros: the last norm of a residual branch (zero_init_last)
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
        norm = get_norm(self.norm)(
            scale_init=self.norm_scale_init, dtype=self.dtype, param_dtype=self.param_dtype, name="norm"
        )
        x = norm(conv(x), training) if isinstance(norm, BatchNorm) else norm(conv(x))
        return x if self.act is None else get_act(self.act)(x)

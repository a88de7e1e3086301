"""Depthwise 2-D convolution, exact and fast on every backend.

XLA's CPU backend lowers a grouped convolution with one channel per group (``feature_group_count == C``) to a
slow generic loop. On CPU the same sum is written as shift-and-add over the padded map, one multiply-add per kernel
tap, which XLA fuses into a single vectorised loop over channels; GPU and TPU keep `lax.conv_general_dilated`, which
their compilers handle well.

On CPU the result goes through `flaim.xla.materialize`: otherwise XLA recomputes the taps in each pass of the norm
that follows, and its library fusions (YNNPACK) pull them into the next matmul, materialising every shifted copy of
the map and every broadcast kernel row.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
from flax import linen as nn

from flaim.layers.config import by_platform
from flaim.layers.init import Initializer, VarianceScaling, zeros
from flaim.layers.params import param
from flaim.xla import materialize


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

    y = by_platform(partial(_cpu_depthwise, padding=padding), grouped_conv, x, kernel)
    return materialize(y if bias is None else y + bias)


@partial(jax.jit, static_argnames="padding")
def _cpu_depthwise(x: jax.Array, kernel: jax.Array, padding: int) -> jax.Array:
    """`_shift_add` of an HWIO kernel; jitted, so that it is traced once per shape (a stage's blocks share it)."""
    return _shift_add(x, kernel[:, :, 0, :], padding)


@partial(jax.custom_vjp, nondiff_argnums=(2,))
def _shift_add(x: jax.Array, kernel: jax.Array, padding: int) -> jax.Array:
    """`depthwise_conv2d` on CPU: one multiply-add per tap of ``(kh, kw, C)`` `kernel` over the padded map.

    Autodiff of the taps is slow on CPU (the kernel gradient becomes ``kh * kw`` separate reductions over the whole
    map), so the gradient is written out: `_shift_add_bwd`.
    """
    return _correlate(x, kernel, (padding, padding))


def _correlate(x: jax.Array, kernel: jax.Array, padding: tuple[int, int]) -> jax.Array:
    """Valid cross-correlation of `x` padded by ``padding`` rows/columns on each side (negative: cropped)."""
    kh, kw, _ = kernel.shape
    zero = jnp.zeros((), x.dtype)
    xp = jax.lax.pad(x, zero, ((0, 0, 0), (padding[0], padding[0], 0), (padding[1], padding[1], 0), (0, 0, 0)))
    h, w = xp.shape[1] - kh + 1, xp.shape[2] - kw + 1
    out = xp[:, :h, :w] * kernel[0, 0]
    for i in range(kh):
        for j in range(kw):
            if i or j:
                out = out + xp[:, i : i + h, j : j + w] * kernel[i, j]
    return out


def _shift_add_fwd(x: jax.Array, kernel: jax.Array, padding: int) -> tuple[jax.Array, tuple[jax.Array, jax.Array]]:
    return _shift_add(x, kernel, padding), (x, kernel)


def _shift_add_bwd(padding: int, residuals: tuple[jax.Array, jax.Array], g: jax.Array) -> tuple[jax.Array, jax.Array]:
    """The input gradient is the same shift-and-add with the flipped kernel over `g` padded by ``k - 1 - padding``;
    the kernel gradient is `_kernel_grad`."""
    x, kernel = residuals
    kh, kw, _ = kernel.shape
    dx = _correlate(g, kernel[::-1, ::-1], (kh - 1 - padding, kw - 1 - padding))
    return dx, _kernel_grad(x, g, kh, kw, padding).astype(kernel.dtype)


def _kernel_grad(x: jax.Array, g: jax.Array, kh: int, kw: int, padding: int) -> jax.Array:
    """``dk[i, j, c] = sum over b, y, x of xpad[b, y + i, x + j, c] * g[b, y, x, c]``, in float32.

    Autodiff gives ``kh * kw`` separate reductions over the map, each reading `x` and `g` again. Here each kernel
    row is one variadic reduction along the rows of the map: one pass over `x` and `g` sums the row's `kw` taps
    together, and the row sums are added after. At ConvNeXt's shapes that is 2-4× faster than one pass per tap and
    8× or more faster than XLA's grouped-convolution weight gradient; a whole-kernel pass keeps too many sums live,
    and whole-image sums walk a large map once per channel, missing the cache (2× slower at 56×56×96).
    """
    h, w = g.shape[1:3]
    zero = jnp.zeros((), x.dtype)
    xp = jax.lax.pad(x, zero, ((0, 0, 0), (padding, padding, 0), (padding, padding, 0), (0, 0, 0)))
    xp, g = xp.astype(jnp.float32), g.astype(jnp.float32)

    def add(a: tuple[jax.Array, ...], b: tuple[jax.Array, ...]) -> tuple[jax.Array, ...]:
        return tuple(u + v for u, v in zip(a, b, strict=True))

    rows = []
    for i in range(kh):
        taps = tuple(xp[:, i : i + h, j : j + w] * g for j in range(kw))
        rows.append(jnp.stack(jax.lax.reduce(taps, (jnp.float32(0),) * kw, add, (2,))))  # (kw, B, H, C)
    return jnp.stack(rows).sum((2, 3))


_shift_add.defvjp(_shift_add_fwd, _shift_add_bwd)


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
        kernel = param(
            self, "kernel", self.kernel_init, (self.kernel_size, self.kernel_size, 1, channels), self.param_dtype
        )
        bias = param(self, "bias", zeros, (channels,), self.param_dtype) if self.use_bias else None
        dtype = self.dtype or x.dtype
        bias = None if bias is None else bias.astype(dtype)
        return depthwise_conv2d(x.astype(dtype), kernel.astype(dtype), bias, self.kernel_size // 2)

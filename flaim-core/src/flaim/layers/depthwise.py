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
import numpy as np
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

    Autodiff gives ``kh * kw`` reductions over the map, which XLA's CPU backend runs slowly on large maps (its
    grouped-convolution weight gradient is faster, but 2-2.5× slower than what follows). On maps of at least two
    kernel blocks each way, `g` is cut into ``kh × kw`` blocks and `xpad` into the overlapping
    ``(2kh-1) × (2kw-1)`` windows that meet them; one matrix product per channel, contracting batch and block
    positions, pairs every window offset with every block offset, and tap ``(i, j)`` sums the pairs ``(i, j)``
    apart: about 3.5× the minimal multiply-adds, but 4-5× faster than the reductions at ConvNeXt's stage 1-3
    shapes. Smaller maps keep the reductions (there the product's output would outgrow its inputs).
    """
    b, h, w, c = g.shape
    zero = jnp.zeros((), x.dtype)
    if h < 2 * kh or w < 2 * kw:
        xp = jax.lax.pad(x, zero, ((0, 0, 0), (padding, padding, 0), (padding, padding, 0), (0, 0, 0)))
        taps = [[xp[:, i : i + h, j : j + w] * g for j in range(kw)] for i in range(kh)]
        return jnp.stack([jnp.stack([t.sum((0, 1, 2), dtype=jnp.float32) for t in row]) for row in taps])
    rows, cols = -(-h // kh), -(-w // kw)
    g = jnp.pad(g, ((0, 0), (0, rows * kh - h), (0, cols * kw - w), (0, 0))).reshape(b, rows, kh, cols, kw, c)
    high_rows, high_cols = (rows + 1) * kh - x.shape[1] - padding, (cols + 1) * kw - x.shape[2] - padding
    xp = jax.lax.pad(x, zero, ((0, 0, 0), (padding, high_rows, 0), (padding, high_cols, 0), (0, 0, 0)))
    windows = _windows(_windows(xp, 1, kh, rows), 3, kw, cols)  # (B, rows, 2kh-1, cols, 2kw-1, C)
    pairs = jnp.einsum("basetc,barezc->cstrz", windows, g, preferred_element_type=jnp.float32)
    return jnp.einsum("cstrz,sri,tzj->ijc", pairs, _offsets(kh), _offsets(kw))


def _windows(a: jax.Array, axis: int, k: int, n: int) -> jax.Array:
    """Axis of length ``(n + 1) * k`` to ``(n, 2k - 1)``: window m holds entries ``k * m`` to ``k * m + 2k - 2``."""
    a = a.reshape((*a.shape[:axis], n + 1, k, *a.shape[axis + 1 :]))
    head = jax.lax.slice_in_dim(a, 0, n, axis=axis)
    tail = jax.lax.slice_in_dim(jax.lax.slice_in_dim(a, 1, n + 1, axis=axis), 0, k - 1, axis=axis + 1)
    return jnp.concatenate([head, tail], axis + 1)


def _offsets(k: int) -> np.ndarray:
    """``(2k - 1, k, k)`` one-hot: ``[s, r, i] = 1`` where window entry s lies i after block entry r."""
    return (np.arange(2 * k - 1)[:, None, None] == np.arange(k)[:, None] + np.arange(k)).astype(np.float32)


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

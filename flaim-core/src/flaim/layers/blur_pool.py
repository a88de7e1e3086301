"""Anti-aliased downsampling (Zhang, "Making Convolutional Networks Shift-Invariant Again"): blur, then subsample."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np

from flaim.layers.conv import get_padding


def binomial_filter(size: int = 3) -> np.ndarray:
    """The normalised 2-D binomial blur kernel, (size, size), summing to 1."""
    row = np.array([math.comb(size - 1, k) for k in range(size)], np.float32) / 2 ** (size - 1)
    return np.outer(row, row)


def blur_pool(x: jax.Array, stride: int = 2, filt_size: int = 3) -> jax.Array:
    """timm's ``BlurPool2d``: reflect-pad, binomial blur per channel, subsample by `stride`.

    Args:
        x: input, (B, H, W, C).
        stride: subsampling factor.
        filt_size: blur kernel size.
    """
    pad = get_padding(filt_size, stride)
    x = jnp.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="reflect")
    channels = x.shape[-1]
    kernel = jnp.broadcast_to(
        jnp.asarray(binomial_filter(filt_size), x.dtype)[:, :, None, None], (filt_size, filt_size, 1, channels)
    )
    return jax.lax.conv_general_dilated(
        x,
        kernel,
        window_strides=(stride, stride),
        padding="VALID",
        dimension_numbers=("NHWC", "HWIO", "NHWC"),
        feature_group_count=channels,
    )

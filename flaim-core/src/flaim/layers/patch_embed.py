"""Patch embedding: cut the image into non-overlapping patches and project each to the embedding width."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
from flax import linen as nn

from flaim.layers.conv import Conv2d
from flaim.layers.init import symmetric_uniform, torch_default_kernel


class PatchEmbed(nn.Module):
    """Non-overlapping ``patch_size`` patches → `embed_dim` features, ``(B, H/p, W/p, D)`` (timm ``PatchEmbed``).

    The projection is timm's stride-p conv (``proj``, no padding), run as one matrix product over patches; as in
    PyTorch, rows and columns that do not fill a last patch are dropped (timm's 384 px SigLIP at patch 14).
    `norm_layer`, when given, normalises the embeddings (``norm``).
    """

    patch_size: int
    embed_dim: int
    bias: bool = True
    norm_layer: Callable[..., nn.Module] | None = None
    dtype: Any = None
    param_dtype: Any = jnp.float32

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        p = self.patch_size
        x = Conv2d(
            self.embed_dim,
            p,
            p,
            0,
            use_bias=self.bias,
            dtype=self.dtype,
            param_dtype=self.param_dtype,
            kernel_init=torch_default_kernel,  # timm leaves the patch projection at PyTorch's default init
            bias_init=symmetric_uniform((p * p * x.shape[-1]) ** -0.5),
            name="proj",
        )(x)
        if self.norm_layer is not None:
            x = self.norm_layer(name="norm")(x)
        return x

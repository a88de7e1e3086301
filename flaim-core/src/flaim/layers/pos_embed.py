"""Resample absolute position embeddings to a new patch grid exactly as timm's ``resample_abs_pos_embed`` does
(PyTorch bicubic, ``align_corners=False``, with or without its antialias filter; prefix tokens kept as they are).

Bicubic resampling is separable and linear, so it is two small interpolation matrices, one per axis, built with
numpy from the grid sizes (with jax.numpy inside the program when a size is symbolic, under ``jax.export``). The
same function runs on numpy arrays at load time and on jax arrays inside a jitted forward pass
(``dynamic_img_size``).
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any, TypeVar

import jax
import jax.numpy as jnp
import numpy as np

Array = TypeVar("Array", np.ndarray, jax.Array)


def _cubic(xp: Any, x: Any, a: float) -> Any:
    """Keys' cubic convolution kernel with parameter `a` (PyTorch: -0.75 plain, -0.5 antialiased)."""
    x = xp.abs(x)
    near = ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0
    far = (((x - 5.0) * x + 8.0) * x - 4.0) * a
    return xp.where(x <= 1.0, near, xp.where(x < 2.0, far, 0.0))


def _bicubic_weights(xp: Any, in_size: int, out_size: Any, antialias: bool) -> Any:
    """PyTorch's 1-D bicubic resize as an ``(out_size, in_size)`` matrix, with numpy (float64) or jax.numpy (for a
    symbolic `out_size` under ``jax.export``)."""
    i = xp.arange(out_size)[:, None] + 0.5
    j = xp.arange(in_size)[None, :]
    scale = in_size / (xp.asarray(out_size, dtype=xp.float32) if xp is jnp else out_size)
    if antialias:  # Keys a=-0.5 widened by the scale when downsampling, window clipped at the borders, normalised
        stretch = xp.maximum(scale, 1.0)
        centre = scale * i
        lo = xp.maximum(xp.floor(centre - 2.0 * stretch + 0.5), 0)
        hi = xp.minimum(xp.floor(centre + 2.0 * stretch + 0.5), in_size)
        weights = xp.where((j >= lo) & (j < hi), _cubic(xp, (j - centre + 0.5) / stretch, -0.5), 0.0)
        total = weights.sum(axis=1, keepdims=True)
        return weights / xp.where(total != 0, total, 1.0)
    src = i * scale - 0.5  # plain: a=-0.75, four taps, edges clamped
    start = xp.floor(src)
    return sum(
        xp.where(j == xp.clip(start + t, 0, in_size - 1), _cubic(xp, start + t - src, -0.75), 0.0)
        for t in (-1, 0, 1, 2)
    )


@lru_cache(maxsize=64)
def bicubic_matrix(in_size: int, out_size: int, antialias: bool = True) -> np.ndarray:
    """The ``(out_size, in_size)`` matrix of PyTorch's 1-D bicubic resize with ``align_corners=False``.

    Args:
        in_size: input length.
        out_size: output length.
        antialias: PyTorch's ``antialias=True`` filter (Keys a=-0.5, widened by the scale when downsampling,
            weights normalised, window clipped at the borders); otherwise plain bicubic (a=-0.75, edge clamped).
    """
    return _bicubic_weights(np, in_size, out_size, antialias)


def _resize_matrix(in_size: int, out_size: Any, antialias: bool) -> Any:
    if isinstance(out_size, int):
        return bicubic_matrix(in_size, out_size, antialias).astype(np.float32)
    return _bicubic_weights(jnp, in_size, out_size, antialias)  # symbolic size: built inside the program


def resample_abs_pos_embed(
    posemb: Array,
    new_size: tuple[int, int],
    old_size: tuple[int, int] | None = None,
    num_prefix_tokens: int = 1,
    antialias: bool = True,
) -> Array:
    """Resample ``(1, prefix + h·w, D)`` position embeddings to the grid `new_size`, keeping the prefix tokens.

    Args:
        posemb: the embeddings, a numpy array (load time) or a jax array (inside the model).
        new_size: target grid ``(h, w)``.
        old_size: source grid; None → square, from the token count.
        num_prefix_tokens: leading class / register / distillation tokens that are not on the grid.
        antialias: PyTorch's antialiased bicubic (timm's default, at load and at run time).

    Returns:
        ``(1, prefix + new_h·new_w, D)``, same array type and dtype as `posemb`.

    Raises:
        ValueError: the grid tokens do not form `old_size` (or a square when it is None).
    """
    xp = np if isinstance(posemb, np.ndarray) else jnp
    prefix, grid = posemb[:, :num_prefix_tokens], posemb[:, num_prefix_tokens:]
    n = grid.shape[1]
    if old_size is None:
        side = math.isqrt(n)
        old_size = (side, side)
    if old_size[0] * old_size[1] != n:
        raise ValueError(f"{n} position-embedding tokens do not form a {old_size[0]}×{old_size[1]} grid.")
    if all(isinstance(s, int) for s in new_size) and tuple(old_size) == tuple(new_size):
        return posemb
    rows = _resize_matrix(old_size[0], new_size[0], antialias)
    cols = _resize_matrix(old_size[1], new_size[1], antialias)
    grid = grid.reshape(grid.shape[0], old_size[0], old_size[1], -1).astype(np.float32)
    if xp is np:
        out = np.einsum("ph,bhwd,qw->bpqd", rows, grid, cols)
    else:
        out = jnp.einsum("ph,bhwd,qw->bpqd", rows, grid, cols, precision=jax.lax.Precision.HIGHEST)
    out = out.reshape(out.shape[0], new_size[0] * new_size[1], -1).astype(posemb.dtype)
    return xp.concatenate([prefix, out], axis=1)

"""Resample absolute position embeddings to a new patch grid exactly as timm's ``resample_abs_pos_embed`` does
(PyTorch bicubic, ``align_corners=False``, with or without its antialias filter; prefix tokens kept as they are).

Bicubic resampling is separable and linear, so it is two small interpolation matrices, one per axis, built with
numpy from the (static) grid sizes. The same function runs on numpy arrays at load time and on jax arrays inside a
jitted forward pass (``dynamic_img_size``).
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import TypeVar

import jax
import jax.numpy as jnp
import numpy as np

Array = TypeVar("Array", np.ndarray, jax.Array)


def _cubic(x: np.ndarray, a: float) -> np.ndarray:
    """Keys' cubic convolution kernel with parameter `a` (PyTorch: -0.75 plain, -0.5 antialiased)."""
    x = np.abs(x)
    near = ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0
    far = (((x - 5.0) * x + 8.0) * x - 4.0) * a
    return np.where(x <= 1.0, near, np.where(x < 2.0, far, 0.0))


@lru_cache(maxsize=64)
def bicubic_matrix(in_size: int, out_size: int, antialias: bool = True) -> np.ndarray:
    """The ``(out_size, in_size)`` matrix of PyTorch's 1-D bicubic resize with ``align_corners=False``.

    Args:
        in_size: input length.
        out_size: output length.
        antialias: PyTorch's ``antialias=True`` filter (Keys a=-0.5, widened by the scale when downsampling,
            weights normalised, window clipped at the borders); otherwise plain bicubic (a=-0.75, edge clamped).
    """
    scale = in_size / out_size
    weights = np.zeros((out_size, in_size))
    for i in range(out_size):
        if antialias:
            support = 2.0 * max(scale, 1.0)
            inv = 1.0 / scale if scale >= 1.0 else 1.0
            centre = scale * (i + 0.5)
            lo = max(int(centre - support + 0.5), 0)
            hi = min(int(centre + support + 0.5), in_size)
            w = _cubic((np.arange(lo, hi) - centre + 0.5) * inv, -0.5)
            weights[i, lo:hi] = w / w.sum() if w.sum() != 0 else w
        else:
            src = (i + 0.5) * scale - 0.5
            start = math.floor(src)
            taps = np.arange(start - 1, start + 3)
            np.add.at(weights[i], np.clip(taps, 0, in_size - 1), _cubic(taps - src, -0.75))
    return weights


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
    if tuple(old_size) == tuple(new_size):
        return posemb
    rows = bicubic_matrix(old_size[0], new_size[0], antialias).astype(np.float32)
    cols = bicubic_matrix(old_size[1], new_size[1], antialias).astype(np.float32)
    grid = grid.reshape(grid.shape[0], old_size[0], old_size[1], -1).astype(np.float32)
    if xp is np:
        out = np.einsum("ph,bhwd,qw->bpqd", rows, grid, cols)
    else:
        out = jnp.einsum("ph,bhwd,qw->bpqd", rows, grid, cols, precision=jax.lax.Precision.HIGHEST)
    out = out.reshape(out.shape[0], new_size[0] * new_size[1], -1).astype(posemb.dtype)
    return xp.concatenate([prefix, out], axis=1)

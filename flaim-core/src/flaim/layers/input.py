"""Input validation every model runs first, so a wrong layout fails with a clear message."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp


def check_image_batch(x: Any, in_chans: int = 3, min_size: int = 1, multiple_of: int = 1) -> None:
    """Raise `ValueError` unless `x` is a float NHWC batch with `in_chans` channels and a usable size.

    Integer batches (e.g. uint8 pixels 0-255) are refused: models expect normalised floats.

    Args:
        x: the model input.
        in_chans: expected channel count (last axis).
        min_size: smallest height/width the architecture accepts.
        multiple_of: height and width must be divisible by this (e.g. the ViT patch size).
    """
    if not hasattr(x, "shape") or not hasattr(x, "dtype"):
        raise TypeError(f"Expected an NHWC image batch as an array, got {type(x).__name__}; use np.asarray(x).")
    if not jnp.issubdtype(x.dtype, jnp.floating):
        raise ValueError(
            f"Expected a float image batch, got {x.dtype}: models take normalised float pixels, not raw 0-255 "
            f"values. Prepare images with flaim.data.preprocess / preprocess_batch (scale to [0, 1], then the "
            f"model's mean and std)."
        )
    shape = tuple(x.shape)
    if len(shape) != 4:
        raise ValueError(f"Expected an NHWC image batch of rank 4, got shape {shape}; add a batch axis with x[None].")
    _, h, w, c = shape
    if c != in_chans:
        hint = " It looks like NCHW: transpose with x.transpose(0, 2, 3, 1)." if shape[1] == in_chans else ""
        raise ValueError(f"Expected {in_chans} channels on the last axis (NHWC), got shape {shape}.{hint}")
    if h < min_size or w < min_size:
        raise ValueError(f"Input {h}×{w} is smaller than the {min_size}×{min_size} minimum for this model.")
    if h % multiple_of or w % multiple_of:
        raise ValueError(f"Input {h}×{w} must be divisible by {multiple_of} for this model.")

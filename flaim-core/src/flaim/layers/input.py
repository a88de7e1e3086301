"""Input validation every model runs first, so a wrong layout fails with a clear message."""

from __future__ import annotations

from typing import Any


def check_image_batch(x: Any, in_chans: int = 3, min_size: int = 1, multiple_of: int = 1) -> None:
    """Raise `ValueError` unless `x` is an NHWC batch with `in_chans` channels and a usable size.

    Args:
        x: the model input.
        in_chans: expected channel count (last axis).
        min_size: smallest height/width the architecture accepts.
        multiple_of: height and width must be divisible by this (e.g. the ViT patch size).
    """
    shape = tuple(getattr(x, "shape", ()))
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

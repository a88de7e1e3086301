"""timm's eval transform with Pillow and numpy: resize, centre crop (or squash, or pad), scale to [0, 1], normalise.

Pillow does the resizing, as in timm (torchvision's ``Resize`` on a PIL image calls ``Image.resize``), so the
output matches timm's bit for bit.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, UnidentifiedImageError

from flaim.data.config import INTERPOLATIONS, DataConfig, resolve_data_config
from flaim.errors import ImageError
from flaim.specs import PretrainedCfg

ImageInput = str | os.PathLike | Image.Image | np.ndarray
ConfigInput = str | Mapping[str, Any] | PretrainedCfg | DataConfig

_FILTERS = {name: getattr(Image.Resampling, name.upper()) for name in INTERPOLATIONS}


def load_image(image: ImageInput) -> Image.Image:
    """An RGB PIL image from a file path, a PIL image (any mode) or a uint8 array ``(H, W)`` / ``(H, W, 1|3|4)``.

    Raises:
        FileNotFoundError: the path does not exist.
        ImageError: the file is not an image Pillow can decode, or the array is not a uint8 image.
    """
    if isinstance(image, Image.Image):
        return image if image.mode == "RGB" else image.convert("RGB")
    if isinstance(image, np.ndarray):
        return _from_array(image)
    if isinstance(image, str | os.PathLike):
        return _open(Path(image))
    raise TypeError(f"Expected an image path, a PIL image or a uint8 numpy array, got {type(image).__name__}")


def _open(path: Path) -> Image.Image:
    if not path.exists():
        raise FileNotFoundError(f"No such image file: '{path}'")
    if path.is_dir():
        raise ImageError(f"'{path}' is a folder, not an image file")
    try:
        with Image.open(path) as img:
            return img.convert("RGB")
    except UnidentifiedImageError:
        raise ImageError(f"'{path}' is not an image file Pillow can read (e.g. JPEG, PNG, WebP, BMP, TIFF)") from None
    except (OSError, Image.DecompressionBombError) as exc:
        raise ImageError(f"Cannot decode image '{path}': {exc}") from None


def _from_array(array: np.ndarray) -> Image.Image:
    if array.dtype != np.uint8:
        raise ImageError(
            f"Image arrays must be uint8 with values 0-255, got {array.dtype}; "
            f"scale and cast first, e.g. (x * 255).round().astype(np.uint8)"
        )
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if not (array.ndim == 2 or (array.ndim == 3 and array.shape[-1] in (3, 4))):
        raise ImageError(f"Image arrays must be (H, W) or (H, W, 1|3|4) channels-last, got shape {array.shape}")
    return Image.fromarray(array).convert("RGB")


def resize_size(height: int, width: int, config: DataConfig) -> tuple[int, int]:
    """The ``(height, width)`` timm's eval transform resizes a ``height × width`` image to before cropping.

    The scale size is ``floor(size / crop_pct)``; ``center`` fits the shorter side to it (keeping the aspect
    ratio), ``border`` fits the longer side, ``squash`` resizes to it exactly.
    """
    target_h, target_w = config.img_size
    scale_h, scale_w = math.floor(target_h / config.crop_pct), math.floor(target_w / config.crop_pct)
    if config.crop_mode == "squash":
        return scale_h, scale_w
    if config.crop_mode == "center" and scale_h == scale_w:  # torchvision Resize(int): the longer side truncates
        short, long = min(height, width), max(height, width)
        new_long = int(scale_h * long / short)
        return (new_long, scale_h) if width <= height else (scale_h, new_long)
    ratios = (height / scale_h, width / scale_w)  # timm ResizeKeepRatio: the longer (border) or shorter side fits
    ratio = max(ratios) if config.crop_mode == "border" else min(ratios)
    return round(height / ratio), round(width / ratio)


def center_crop_or_pad(pixels: np.ndarray, size: tuple[int, int], fill: tuple[int, int, int]) -> np.ndarray:
    """Centre-crop an ``(H, W, C)`` array to `size`, first padding with `fill` any side shorter than the crop."""
    crop_h, crop_w = size
    height, width = pixels.shape[:2]
    if crop_h > height or crop_w > width:
        pad_h, pad_w = max(crop_h - height, 0), max(crop_w - width, 0)
        canvas = np.empty((height + pad_h, width + pad_w, pixels.shape[2]), pixels.dtype)
        canvas[...] = fill
        canvas[pad_h // 2 : pad_h // 2 + height, pad_w // 2 : pad_w // 2 + width] = pixels
        pixels, (height, width) = canvas, canvas.shape[:2]
    top, left = round((height - crop_h) / 2.0), round((width - crop_w) / 2.0)
    return pixels[top : top + crop_h, left : left + crop_w]


def preprocess(image: ImageInput, config: ConfigInput) -> np.ndarray:
    """One image as the model expects it: a float32 ``(H, W, 3)`` array, exactly as timm's eval transform makes it.

    Args:
        image: a file path, a PIL image or a uint8 array (grey, RGB or RGBA; converted to RGB as timm's loader
            does, and like it without applying EXIF orientation).
        config: a `DataConfig`, or anything `resolve_data_config` takes, e.g. ``'resnet50.a1_in1k'``.

    Returns:
        The resized, cropped, normalised image, channels last.
    """
    config = resolve_data_config(config)
    img = load_image(image)
    height, width = resize_size(img.height, img.width, config)
    if (height, width) != (img.height, img.width):
        img = img.resize((width, height), _FILTERS[config.interpolation])
    fill = tuple(round(255 * m) for m in config.mean) if config.crop_mode == "border" else (0, 0, 0)
    pixels = center_crop_or_pad(np.asarray(img), config.img_size, fill)
    scaled = pixels.astype(np.float32) / np.float32(255)
    return (scaled - np.asarray(config.mean, np.float32)) / np.asarray(config.std, np.float32)


def preprocess_batch(images: Iterable[ImageInput], config: ConfigInput) -> np.ndarray:
    """Many images, each through `preprocess`, stacked into a float32 ``(N, H, W, 3)`` batch."""
    config = resolve_data_config(config)
    batch = [preprocess(image, config) for image in images]
    if not batch:
        raise ValueError("preprocess_batch got no images")
    return np.stack(batch)

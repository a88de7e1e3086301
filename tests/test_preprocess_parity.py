"""`flaim.data` against timm's eval transform (resolve_data_config + create_transform) on real photos."""

from __future__ import annotations

import itertools
from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest
import timm
import timm.data
from PIL import Image

import flaim
from flaim.data import DataConfig, preprocess, preprocess_batch, resolve_data_config, synsets
from flaim.registry import REGISTRY

pytestmark = pytest.mark.torch

SAMPLES = Path(str(files("flaim.data") / "samples"))
GREY_LEVEL = 1 / 255  # the tolerance, before normalisation


def photos() -> dict[str, Image.Image]:
    """The bundled photos, cropped, rotated and shrunk to cover wide, tall, square, odd and tiny aspect ratios."""
    cat, coffee, astronaut = (Image.open(SAMPLES / f"{n}.jpg").convert("RGB") for n in ("cat", "coffee", "astronaut"))
    return {
        "cat 451x300": cat,
        "astronaut 512x512": astronaut,
        "cat rotated 300x451": cat.rotate(90, expand=True),
        "coffee strip 600x121": coffee.crop((0, 100, 600, 221)),
        "astronaut column 141x500": astronaut.crop((10, 0, 151, 500)),
        "coffee odd 397x396": coffee.crop((3, 3, 400, 399)),
        "cat tiny 97x61": cat.resize((97, 61), Image.Resampling.BILINEAR),
    }


PHOTOS = photos()
GRID = list(
    itertools.product(("bicubic", "bilinear"), (0.875, 0.95, 1.0), (224, 256, 384), ("center", "squash", "border"))
)


def assert_within_a_grey_level(ours: np.ndarray, timm_chw: np.ndarray, config: DataConfig, what: str) -> None:
    theirs = timm_chw.transpose(1, 2, 0)
    assert ours.shape == theirs.shape, what
    grey_levels = np.abs(ours - theirs) * np.asarray(config.std, np.float32)  # undo the division by std
    assert grey_levels.max() <= GREY_LEVEL, f"{what}: {grey_levels.max() * 255:.3f} grey levels"


@pytest.mark.parametrize(("interpolation", "crop_pct", "size", "crop_mode"), GRID)
def test_preprocess_matches_timm(interpolation: str, crop_pct: float, size: int, crop_mode: str) -> None:
    fields = {"input_size": (3, size, size), "interpolation": interpolation, "crop_pct": crop_pct}
    config = resolve_data_config({**fields, "crop_mode": crop_mode})
    transform = timm.data.create_transform(**timm.data.resolve_data_config(pretrained_cfg=config.to_dict()))
    for name, photo in PHOTOS.items():
        assert_within_a_grey_level(preprocess(photo, config), transform(photo).numpy(), config, name)


@pytest.mark.parametrize(
    ("interpolation", "input_size"),
    [("nearest", (3, 256, 320)), ("box", (3, 320, 256)), ("hamming", (3, 256, 320)), ("lanczos", (3, 320, 256))],
)
def test_other_filters_and_non_square_inputs(interpolation: str, input_size: tuple[int, int, int]) -> None:
    for crop_mode in ("center", "squash", "border"):
        config = DataConfig(input_size=input_size, interpolation=interpolation, crop_pct=0.9, crop_mode=crop_mode)
        transform = timm.data.create_transform(**config.to_dict())
        for name, photo in PHOTOS.items():
            assert_within_a_grey_level(preprocess(photo, config), transform(photo).numpy(), config, name)


def test_registered_tags_resolve_as_timm_does() -> None:
    """Every registered pretrained tag gets timm's data config, and each distinct config gives timm's output."""
    tags = flaim.list_models(pretrained=True)
    assert tags, "no family registers a pretrained tag"
    mismatched, distinct = [], {}
    for tag in tags:
        timm_cfg = timm.models.get_pretrained_cfg(tag)
        if timm_cfg is None:
            mismatched.append(f"{tag}: not a timm pretrained tag")
            continue
        expected = timm.data.resolve_data_config(pretrained_cfg=timm_cfg.to_dict())
        got = resolve_data_config(tag)
        if {k: tuple(v) if isinstance(v, list) else v for k, v in expected.items()} != got.to_dict():
            mismatched.append(f"{tag}: flaim {got.to_dict()} != timm {expected}")
        distinct.setdefault(got, (tag, expected))
    assert not mismatched, "\n".join(mismatched)
    photo = PHOTOS["cat 451x300"]
    for config, (tag, expected) in distinct.items():
        transform = timm.data.create_transform(**expected)
        assert_within_a_grey_level(preprocess_batch([photo], tag)[0], transform(photo).numpy(), config, tag)


def test_registered_tags_use_timms_label_set() -> None:
    """The label set of every tag is the ImageNet subset timm infers from its class count, with as many names."""
    wrong = []
    for spec in REGISTRY.specs():
        for cfg in spec.pretrained:
            expected = timm.data.infer_imagenet_subset({"num_classes": cfg.num_classes})
            size = len(synsets(cfg.label_set)) if cfg.label_set else None
            if cfg.label_set != expected or size not in (None, cfg.num_classes):
                wrong.append(
                    f"{spec.name}.{cfg.tag}: {cfg.num_classes} classes, label_set {cfg.label_set!r}, "
                    f"timm's {expected!r}"
                )
    assert not wrong, "\n".join(wrong)

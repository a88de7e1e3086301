"""The convnext table: every row registered, tags and preprocessing as timm 1.0.31 lists them."""

from __future__ import annotations

import pytest

import flaim
from flaim_convnext.configs import ARCHS, TAGS
from flaim_convnext.plugin import flaim_models

WEIGHTLESS = {"convnext_atto_rms", "convnextv2_small"}  # in timm's convnext.py without pretrained weights


def test_every_row_is_registered() -> None:
    specs = {spec.name: spec for spec in flaim_models()}
    assert set(specs) == set(ARCHS)
    assert set(flaim.list_models("^convnext")) >= set(ARCHS)
    assert {name for name, spec in specs.items() if not spec.pretrained} == WEIGHTLESS


def test_counts_match_timm() -> None:
    assert len(TAGS) == 26
    assert sum(len(tags) for tags in TAGS.values()) == 98
    assert set(TAGS) <= set(ARCHS)


@pytest.mark.parametrize(
    ("name", "tag", "num_classes", "size", "crop_mode"),
    [
        ("convnext_tiny", "in12k_ft_in1k", 1000, 224, "center"),
        ("convnext_base", "fb_in22k", 21841, 224, "center"),
        ("convnext_large_mlp", "clip_laion2b_augreg_ft_in1k_384", 1000, 384, "squash"),
        ("convnextv2_tiny", "fcmae_ft_in22k_in1k", 1000, 224, "center"),
    ],
)
def test_tag_preprocessing(name: str, tag: str, num_classes: int, size: int, crop_mode: str) -> None:
    cfg = flaim.get_pretrained_cfg(f"{name}.{tag}")
    assert cfg["hf_hub_id"] == f"timm/{name}.{tag}"
    assert cfg["num_classes"] == num_classes
    assert cfg["input_size"] == (3, size, size)
    assert cfg["crop_mode"] == crop_mode


def test_default_tag_is_timms() -> None:
    assert flaim.get_pretrained_cfg("convnext_tiny")["tag"] == "in12k_ft_in1k"
    assert flaim.get_pretrained_cfg("convnextv2_tiny")["tag"] == "fcmae_ft_in22k_in1k"


def test_licences() -> None:
    assert {cfg.license for cfg in TAGS["convnextv2_atto"]} == {"cc-by-nc-4.0"}
    assert TAGS["convnext_tiny"][0].license == "apache-2.0"
    assert {cfg.tag: cfg.license for cfg in TAGS["convnext_base"]}["dinov3_lvd1689m"] == "dinov3-license"

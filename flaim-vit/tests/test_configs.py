"""The vit table: every row registered, well-formed, and importable without jax."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import flaim
from flaim_vit.configs import ARCHS, LEFT_OUT, TAGS
from flaim_vit.model import VisionTransformer


def test_every_row_is_registered() -> None:
    registered = set(flaim.list_models())
    assert set(ARCHS) <= registered
    assert not set(LEFT_OUT) & registered


def test_counts() -> None:
    """timm 1.0.31 has 161 vision_transformer / deit architectures with pretrained weights, 333 tags."""
    assert len(ARCHS) == 151
    assert sum(len(tags) for tags in TAGS.values()) == 321
    assert len(ARCHS) + len(LEFT_OUT) == 161
    assert len(ARCHS) / 161 >= 0.9


def test_every_row_has_tags_with_hub_ids() -> None:
    assert set(TAGS) == set(ARCHS)
    for name in ARCHS:
        tags = [cfg.tag for cfg in TAGS[name]]
        assert tags and len(set(tags)) == len(tags), name
        cfg = flaim.get_pretrained_cfg(name)
        assert cfg["hf_hub_id"] == f"timm/{name}.{tags[0]}"
        assert cfg["input_size"][1:] == (ARCHS[name]["img_size"],) * 2, name


def test_rows_name_model_fields() -> None:
    fields = {f.name for f in dataclasses.fields(VisionTransformer)}
    for name, args in ARCHS.items():
        assert set(args) <= fields, (name, set(args) - fields)


def test_plugin_imports_no_jax() -> None:
    code = "import sys, flaim_vit.plugin; flaim_vit.plugin.flaim_models(); print('jax' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"

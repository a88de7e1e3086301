"""The configs table: every row registered with flaim, with its tags, and importable without jax."""

from __future__ import annotations

import subprocess
import sys

import flaim
from flaim.registry import REGISTRY
from flaim_resnet.configs import ARCHS, TAGS
from flaim_resnet.model import ResNet


def test_every_row_registered() -> None:
    for name, args in ARCHS.items():
        spec, tag = REGISTRY.resolve(name)
        assert spec.family == "resnet"
        assert dict(spec.model_args) == args
        assert spec.tags == tuple(cfg.tag for cfg in TAGS[name])
        assert tag is None
    assert set(TAGS) == set(ARCHS)


def test_counts() -> None:
    assert len(ARCHS) == 64
    assert sum(len(cfgs) for cfgs in TAGS.values()) == 150


def test_hub_ids_and_defaults() -> None:
    cfg = flaim.get_pretrained_cfg("resnet50")
    assert cfg["hf_hub_id"] == "timm/resnet50.a1_in1k"
    assert cfg["crop_pct"] == 0.95
    assert flaim.get_pretrained_cfg("resnetaa50d.sw_in12k")["num_classes"] == 11821


def test_rows_are_valid_model_arguments() -> None:
    fields = set(ResNet.__dataclass_fields__)
    for name, args in ARCHS.items():
        assert set(args) <= fields, name


def test_plugin_imports_no_jax() -> None:
    code = "import sys, flaim_resnet.plugin; sys.exit('jax' in sys.modules or 'flax' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0

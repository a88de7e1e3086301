"""Parity with timm for every registered architecture, through flaim's real loading path (`check_parity`).

Architectures over ~50M parameters are checked at full width with one block per stage (``depths=(1, 1, 1, 1)``
on both sides): their blocks are the same code as the smaller models', and full depth would cost minutes each
(convnext_xxlarge: ~2 min and ~14 GB at full depth).
"""

from __future__ import annotations

from typing import Any

import pytest
import timm

from flaim.testing import check_parity, conformance_suite
from flaim_convnext.configs import ARCHS, TAGS

pytestmark = pytest.mark.torch

SHALLOW = {"depths": (1, 1, 1, 1)}
DEEP = {
    "convnext_small", "convnext_base", "convnext_large", "convnext_large_mlp", "convnext_xlarge", "convnext_xxlarge",
    "convnextv2_small", "convnextv2_base", "convnextv2_large", "convnextv2_huge",
}  # fmt: skip


def _parity_kwargs(name: str) -> dict[str, Any]:
    kwargs = SHALLOW if name in DEEP else {}
    return {"img_size": 32, "timm_kwargs": kwargs, "flaim_kwargs": kwargs, "train": False}


# Every architecture: flaim's model contract, then eval parity at 32 px.
TestConformance = conformance_suite("flaim-convnext", parity_kwargs=_parity_kwargs)


def test_chunked_eval_parity() -> None:
    """At 128 px, stage 1's norm → MLP runs in token chunks (`map_tokens`) on CPU."""
    check_parity("convnext_tiny", img_size=128, train=False)


@pytest.mark.parametrize("name", ["convnext_atto", "convnextv2_atto"])
def test_train_and_gradient_parity(name: str) -> None:
    check_parity(name, img_size=32, grads=True)


def test_registry_matches_timm() -> None:
    expected = {name for name in timm.list_pretrained("convnext*")}
    assert {f"{arch}.{cfg.tag}" for arch, cfgs in TAGS.items() for cfg in cfgs} == expected
    with_weights = {name.split(".")[0] for name in expected}
    without = {name for name in timm.list_models("convnext*") if name not in with_weights}
    assert set(ARCHS) == with_weights | without


@pytest.mark.parametrize("arch", sorted(TAGS))
def test_preprocessing_matches_timm(arch: str) -> None:
    for cfg in TAGS[arch]:
        ref = timm.models.get_pretrained_cfg(f"{arch}.{cfg.tag}")
        assert (cfg.num_classes, cfg.input_size, cfg.crop_pct, cfg.crop_mode, cfg.interpolation, cfg.license) == (
            ref.num_classes, tuple(ref.input_size), ref.crop_pct, ref.crop_mode, ref.interpolation, ref.license,
        )  # fmt: skip
        assert (cfg.mean, cfg.std) == (tuple(ref.mean), tuple(ref.std))

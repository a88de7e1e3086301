"""flaim vs timm for every registered resnet: eval, pre-logits, train mode + batch stats, and gradients.

Architectures deeper than 8 blocks are checked with at most two blocks per stage on both sides (``layers`` /
``depths``): the first block of a stage (strided, projection shortcut) and a repeated one, whose code every later
block of the stage runs. Full depth cost minutes each on a 2-core CI machine (resnetrs420: 139 blocks, three
compiles). The pruned models keep full depth, since their per-block widths are a table read in block order.
"""

from __future__ import annotations

from typing import Any

import pytest
import timm

from flaim.testing import check_parity, conformance_suite
from flaim_resnet.configs import ARCHS, TAGS

pytestmark = pytest.mark.torch

# Gradients at full depth are ill-conditioned in float32 (torch's own float32 gradients of early BN biases in
# resnet50d differ from its float64 ones by ~4e-2), so deep block types are checked on one block per stage.
SHALLOW = (1, 1, 1, 1)
GRAD_CASES = {
    "basic": ("resnet18", None),
    "bottleneck": ("resnet26", None),
    "se": ("seresnext26d_32x4d", None),
    "eca": ("ecaresnet26t", None),
    "mixed": ("test_resnet", None),
    "deep_stem_avg_down": ("resnet50d", SHALLOW),
    "anti_alias_avg": ("resnetaa50d", SHALLOW),
    "blur_pool": ("resnetblur50", SHALLOW),
    "resnetrs": ("resnetrs50", SHALLOW),
    "senet": ("senet154", SHALLOW),
}


def test_registered_like_timm() -> None:
    """Every architecture of timm's resnet.py with pretrained weights, with all its tags."""
    names = set(timm.list_models(module="resnet"))
    expected = [t for t in timm.list_pretrained() if t.split(".")[0] in names]
    ours = [f"{arch}.{cfg.tag}" for arch, cfgs in TAGS.items() for cfg in cfgs]
    assert sorted(ours) == sorted(expected)
    assert sorted(ARCHS) == sorted({t.split(".")[0] for t in expected})


def _parity_kwargs(name: str) -> dict[str, Any]:
    args = ARCHS[name]
    if sum(args["depths"]) <= 8 or "pruned_widths" in args:
        return {}
    depths = tuple(min(d, 2) for d in args["depths"])
    return {"timm_kwargs": {"layers": depths}, "flaim_kwargs": {"depths": depths}}


# Every architecture: flaim's model contract, then `check_parity` at 64 px (eval, train mode, batch stats).
TestConformance = conformance_suite("flaim-resnet", parity_kwargs=_parity_kwargs)


@pytest.mark.parametrize("case", sorted(GRAD_CASES))
def test_gradients(case: str) -> None:
    name, depths = GRAD_CASES[case]
    kwargs = {"timm_kwargs": {"layers": depths}, "flaim_kwargs": {"depths": depths}} if depths else {}
    # Residual gains as large as the other norm scales: at these depths float32 gradients stay well conditioned.
    check_parity(name, img_size=64, train=False, grads=True, residual_gain=None, **kwargs)


@pytest.mark.parametrize("name", ["resnet26d", "resnetblur50"])
def test_parity_odd_size(name: str) -> None:
    """45 px: odd maps exercise ceil-mode average-pool shortcuts, pool padding and reflect-padded blur."""
    check_parity(name, img_size=45)

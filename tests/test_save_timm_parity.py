"""save_pretrained(format='timm'): timm loads the export strictly and computes what flaim computes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import timm
import torch
from safetensors.numpy import load_file

import flaim
from flaim.testing import max_rel_err, randomize_timm, save_timm_checkpoint

pytestmark = pytest.mark.torch

CASES = [
    ("resnet10t", {}),  # deep stem, average-pool shortcut, BatchNorm statistics
    ("deit_tiny_distilled_patch16_224", {"img_size": 32}),  # distillation token and head; 32 px position embedding
    ("convnext_atto", {}),  # timm's 1×1-conv MLP layout
]


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=[name for name, _ in CASES])
def test_timm_loads_the_export_strictly_and_agrees(name: str, kwargs: dict[str, Any], tmp_path: Path) -> None:
    torch.manual_seed(0)
    save_timm_checkpoint(randomize_timm(timm.create_model(name, **kwargs)), tmp_path / "source")
    model, variables = flaim.get_model(name, pretrained=str(tmp_path / "source"), n_classes=7, **kwargs)
    x = np.random.default_rng(0).standard_normal((2, 32, 32, 3), dtype=np.float32)
    _, stats = model.apply(variables, x, training=True, mutable=["batch_stats"])  # as after fine-tuning
    variables = {**variables, **stats}

    weights = flaim.save_pretrained(variables, str(tmp_path / "export"), name, model=model, format="timm")
    assert json.loads((weights.parent / "config.json").read_text()) == {"architecture": name, "num_classes": 7}
    overlay = {"file": str(weights), "num_classes": 7}  # the same head width: timm loads strictly
    tmodel = timm.create_model(name, pretrained=True, num_classes=7, pretrained_cfg_overlay=overlay, **kwargs)
    expected_keys = {k for k in tmodel.state_dict() if not k.endswith("num_batches_tracked")}
    assert set(load_file(str(weights))) == expected_keys
    with torch.no_grad():
        expected = tmodel.eval()(torch.from_numpy(x.transpose(0, 3, 1, 2).copy())).numpy()
    assert max_rel_err(model.apply(variables, x, training=False), expected) <= 1e-4

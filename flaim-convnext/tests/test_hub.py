"""``convnext_tiny.in12k_ft_in1k`` through the offline Hugging Face Hub cache path, compared with timm."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import timm
import torch

from flaim.testing import max_rel_err, randomize_timm, save_timm_checkpoint, write_hub_cache

pytestmark = pytest.mark.torch

NAME = "convnext_tiny.in12k_ft_in1k"
SCRIPT = """
import sys
import numpy as np
import flaim
model, variables = flaim.get_model(sys.argv[1], pretrained=True)
np.save(sys.argv[3], np.asarray(model.apply(variables, np.load(sys.argv[2]), training=False)))
"""


def test_offline_hub_load_matches_timm(tmp_path: Path) -> None:
    tmodel = randomize_timm(timm.create_model(NAME, pretrained=False)).eval()
    weights = save_timm_checkpoint(tmodel, tmp_path / "saved")
    write_hub_cache(tmp_path / "hf", f"timm/{NAME}", weights)
    x = np.random.default_rng(0).standard_normal((2, 64, 64, 3), dtype=np.float32)
    np.save(tmp_path / "x.npy", x)
    env = {**os.environ, "HF_HOME": str(tmp_path / "hf"), "HF_HUB_OFFLINE": "1"}
    cmd = [sys.executable, "-c", SCRIPT, NAME, str(tmp_path / "x.npy"), str(tmp_path / "y.npy")]
    subprocess.run(cmd, env=env, check=True, timeout=600)
    with torch.no_grad():
        expected = tmodel(torch.from_numpy(x.transpose(0, 3, 1, 2).copy())).numpy()
    assert max_rel_err(np.load(tmp_path / "y.npy"), expected) <= 1e-4

"""resnet50.a1_in1k through the real Hugging Face Hub code path, offline, from a prepared cache."""

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

LOAD_AND_RUN = """
import sys, numpy as np, flaim
x = np.load(sys.argv[1])
model, variables = flaim.get_model("resnet50.a1_in1k", pretrained=True)
np.save(sys.argv[2], np.asarray(model.apply(variables, x, training=False)))
"""


def test_offline_hub_cache(tmp_path: Path) -> None:
    tmodel = randomize_timm(timm.create_model("resnet50", pretrained=False)).eval()
    weights = save_timm_checkpoint(tmodel, tmp_path / "saved")
    hf_home = tmp_path / "hf"
    write_hub_cache(hf_home, "timm/resnet50.a1_in1k", weights)
    x = np.random.default_rng(0).standard_normal((2, 64, 64, 3), dtype=np.float32)
    np.save(tmp_path / "x.npy", x)
    env = {**os.environ, "HF_HOME": str(hf_home), "HF_HUB_OFFLINE": "1"}
    cmd = [sys.executable, "-c", LOAD_AND_RUN, str(tmp_path / "x.npy"), str(tmp_path / "out.npy")]
    subprocess.run(cmd, env=env, check=True)
    with torch.no_grad():
        expected = tmodel(torch.from_numpy(x.transpose(0, 3, 1, 2).copy())).numpy()
    assert max_rel_err(np.load(tmp_path / "out.npy"), expected) <= 1e-4

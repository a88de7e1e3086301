"""The issue's named checkpoint through the real Hub code path, offline: a timm-saved checkpoint in a local
Hugging Face cache, loaded by ``get_model('<name>.<tag>', pretrained=True)`` in a fresh process."""

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

NAME = "vit_base_patch16_224.augreg2_in21k_ft_in1k"

LOAD = """
import sys
import jax
import numpy as np
import flaim

model, variables = flaim.get_model(sys.argv[1], pretrained=True)
x = np.load(sys.argv[2])
np.save(sys.argv[3], np.asarray(jax.jit(lambda v, x: model.apply(v, x, training=False))(variables, x)))
"""


def test_offline_hub_checkpoint_matches_timm(tmp_path: Path) -> None:
    tmodel = randomize_timm(timm.create_model(NAME, pretrained=False)).eval()
    weights = save_timm_checkpoint(tmodel, tmp_path / "saved")
    hf_home = tmp_path / "hf"
    write_hub_cache(hf_home, f"timm/{NAME}", weights)
    x = np.random.default_rng(0).standard_normal((1, 224, 224, 3), dtype=np.float32)
    np.save(tmp_path / "x.npy", x)
    env = {**os.environ, "HF_HOME": str(hf_home), "HF_HUB_OFFLINE": "1"}
    args = [NAME, str(tmp_path / "x.npy"), str(tmp_path / "y.npy")]
    subprocess.run([sys.executable, "-c", LOAD, *args], env=env, check=True, timeout=600)
    with torch.no_grad():
        expected = tmodel(torch.from_numpy(x.transpose(0, 3, 1, 2).copy())).numpy()
    assert max_rel_err(np.load(tmp_path / "y.npy"), expected) <= 1e-4

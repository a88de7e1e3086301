"""examples/finetune.py learns (a shortened run from random init), and `flaim.train.mix` blends as timm does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from flaim.factory import build
from flaim.registry import REGISTRY
from flaim.train import make_train_step, mix

EXAMPLE = Path(__file__).parents[1] / "examples" / "finetune.py"


def test_finetune_example_learns_saves_and_reloads(tmp_path: Path) -> None:
    args = ["--model", "resnet10t", "--img-size", "32", "--epochs", "1", "--limit", "800", "--batch-size", "16"]
    run = subprocess.run(
        [sys.executable, str(EXAMPLE), *args, "--out", str(tmp_path)], capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, run.stderr[-3000:]
    last = run.stdout.strip().splitlines()[-1]
    assert last.startswith("test accuracy: "), run.stdout
    assert float(last.split()[-1]) >= 0.5  # ten classes: chance is 0.1
    assert (tmp_path / "model.safetensors").is_file()


@pytest.mark.parametrize(("mixup", "cutmix"), [(1.0, 0.0), (0.0, 1.0), (0.8, 1.0)])
def test_mix_blends_images_and_targets_alike(mixup: float, cutmix: float) -> None:
    images = jnp.stack([jnp.zeros((8, 8, 3)), jnp.ones((8, 8, 3))])  # image 0 all 0, image 1 all 1
    targets = jnp.eye(2)
    for seed in range(2):
        mixed, mixed_targets = mix(jax.random.key(seed), images, targets, mixup, cutmix)
        share_of_partner = mixed[0].mean()  # image 0 holds only what came from image 1
        np.testing.assert_allclose(np.asarray(mixed_targets.sum(-1)), np.ones(2), rtol=0, atol=1e-6)
        assert float(mixed_targets[0, 1]) == pytest.approx(float(share_of_partner), abs=1e-6)


def test_train_step_needs_a_classifier() -> None:
    with pytest.raises(ValueError, match=r"n_classes=0; build it with get_model\(name, n_classes=N\)"):
        make_train_step(build(REGISTRY.resolve("resnet10t")[0], 0, {}))

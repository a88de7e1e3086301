"""`flaim predict` end to end: the default model from an offline Hub cache gives timm's top-5, bad input one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest
import timm
import timm.data
import torch
from PIL import Image

from flaim.cli import DEFAULT_MODEL
from flaim.testing import randomize_timm, save_timm_checkpoint, write_hub_cache

pytestmark = pytest.mark.torch

SAMPLES = Path(str(files("flaim.data") / "samples"))
IMAGES = [str(SAMPLES / f"{name}.jpg") for name in ("cat", "coffee", "astronaut")]
FLAIM = Path(sys.executable).parent / "flaim"  # the console script installed with flaim-core


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, torch.Tensor]:
    """An offline Hub cache with a randomised timm checkpoint as the default model, and timm's softmax on the photos."""
    arch = DEFAULT_MODEL.split(".")[0]
    model = randomize_timm(timm.create_model(arch, pretrained=False), seed=0).eval()
    config = timm.data.resolve_data_config(pretrained_cfg=timm.models.get_pretrained_cfg(DEFAULT_MODEL).to_dict())
    transform = timm.data.create_transform(**config)
    batch = torch.stack([transform(Image.open(path).convert("RGB")) for path in IMAGES])
    with torch.no_grad():
        classifier = model.get_classifier()
        scale = model(batch).std()  # random weights give huge logits: bring them to ~unit scale so that the
        classifier.weight /= scale  # top-5 are not all at probability 0 (ties) in float32
        classifier.bias /= scale
        probs = model(batch).softmax(-1)
    hf_home = tmp_path_factory.mktemp("hf")
    write_hub_cache(hf_home, f"timm/{DEFAULT_MODEL}", save_timm_checkpoint(model, tmp_path_factory.mktemp("ckpt")))
    return hf_home, probs


def flaim_cli(*argv: str, hf_home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HOME": str(hf_home), "HF_HUB_OFFLINE": "1"}
    return subprocess.run([str(FLAIM), *argv], capture_output=True, text=True, env=env, timeout=600)


def test_default_model_gives_timms_top5(hub: tuple[Path, torch.Tensor]) -> None:
    hf_home, probs = hub
    result = flaim_cli("predict", *IMAGES, "--json", hf_home=hf_home)
    assert result.returncode == 0, result.stderr
    records = json.loads(result.stdout)
    assert {r["model"] for r in records} == {DEFAULT_MODEL}
    top_p, top_i = probs.topk(5)
    for record, expected_p, expected_i in zip(records, top_p.numpy(), top_i.numpy(), strict=True):
        assert [p["index"] for p in record["predictions"]] == expected_i.tolist(), record["image"]
        got = np.array([p["probability"] for p in record["predictions"]])
        assert np.abs(got - expected_p).max() <= 1e-4, record["image"]


def test_bad_inputs_give_one_line_and_no_traceback(hub: tuple[Path, torch.Tensor], tmp_path: Path) -> None:
    hf_home, _ = hub
    (tmp_path / "notes.jpg").write_text("not a photo")
    empty = tmp_path / "empty-hf"
    cases = [
        (["predict", str(tmp_path / "missing.jpg")], hf_home, ["No such image file", "missing.jpg"]),
        (["predict", str(tmp_path / "notes.jpg")], hf_home, ["notes.jpg", "is not an image file"]),
        (["predict", IMAGES[0], "--model", "resnet51"], hf_home, ["Unknown model 'resnet51'", "Did you mean"]),
        (["predict", IMAGES[0]], empty, ["HF_HUB_OFFLINE", str(empty / "hub"), "--weights"]),
    ]
    for argv, home, needed in cases:
        result = flaim_cli(*argv, hf_home=home)
        assert (result.returncode, result.stdout) == (1, ""), argv
        assert result.stderr.startswith("flaim: error: ") and result.stderr.count("\n") == 1, result.stderr
        assert "Traceback" not in result.stderr
        for text in needed:
            assert text in result.stderr, (argv, text)

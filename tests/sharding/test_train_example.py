"""examples/train_sharded.py: data parallelism + FSDP on 8 devices trains exactly as one device does."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

EXAMPLE = Path(__file__).parents[2] / "examples" / "train_sharded.py"


def test_eight_devices_follow_the_single_device_losses() -> None:
    spec = importlib.util.spec_from_file_location("train_sharded", EXAMPLE)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    args = ["--model", "test_vit", "--img-size", "32", "--batch-size", "8", "--steps", "5"]
    sharded = example.main([*args, "--sharding", "fsdp"])
    single = example.main([*args, "--devices", "1"])
    np.testing.assert_allclose(sharded, single, rtol=1e-4)
    assert sharded[4] < sharded[0]  # step 5 sees step 1's batch again: it learned

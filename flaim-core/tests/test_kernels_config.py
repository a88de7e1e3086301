"""`FLAIM_KERNELS`, the one switch for backend-specific formulations: forced choices and a clear error."""

from __future__ import annotations

import jax
import numpy as np
import pytest

from flaim.layers.config import by_platform

X = np.arange(3, dtype=np.float32)


@pytest.mark.parametrize(("mode", "expected"), [("auto", 2.0), ("cpu", 2.0), ("accelerator", 3.0)])
def test_modes(mode: str, expected: float, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLAIM_KERNELS", mode)
    out = jax.jit(lambda x: by_platform(lambda x: 2 * x, lambda x: 3 * x, x))(X)  # a fresh trace per mode
    np.testing.assert_array_equal(out, expected * X)


def test_unknown_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLAIM_KERNELS", "gpu")
    with pytest.raises(ValueError, match=r"FLAIM_KERNELS='gpu'.*choose one of: auto, cpu, accelerator"):
        by_platform(lambda x: x, lambda x: x, X)

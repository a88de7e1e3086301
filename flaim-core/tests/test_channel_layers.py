"""The per-channel layers ConvNeXt brought to flaim-core: depthwise conv, channel norms, GRN."""

from __future__ import annotations

import jax
import numpy as np
import pytest

from flaim.layers.depthwise import depthwise_conv2d
from flaim.layers.grn import global_response_norm
from flaim.layers.norm import layer_norm, rms_norm, simple_norm

RNG = np.random.default_rng(0)


@pytest.mark.parametrize(("shape", "k"), [((2, 9, 11, 8), 7), ((1, 7, 7, 16), 7), ((2, 5, 6, 4), 3)])
def test_depthwise_matches_grouped_conv(shape: tuple[int, ...], k: int) -> None:
    x = RNG.standard_normal(shape, dtype=np.float32)
    kernel = RNG.standard_normal((k, k, 1, shape[-1]), dtype=np.float32)
    bias = RNG.standard_normal(shape[-1], dtype=np.float32)
    expected = jax.lax.conv_general_dilated(
        x, kernel, (1, 1), [(k // 2, k // 2)] * 2, dimension_numbers=("NHWC", "HWIO", "NHWC"),
        feature_group_count=shape[-1],
    ) + bias  # fmt: skip
    np.testing.assert_allclose(depthwise_conv2d(x, kernel, bias, k // 2), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_norms_against_numpy(seed: int) -> None:
    # float64 references; float32 results round to ~1e-7 of the largest term, so values near 0 need the atol
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((3, 4, 16), dtype=np.float32) + 0.5
    scale, bias = rng.standard_normal(16, dtype=np.float32), rng.standard_normal(16, dtype=np.float32)
    x64, scale64 = x.astype(np.float64), scale.astype(np.float64)
    mean, var = x64.mean(-1, keepdims=True), x64.var(-1, keepdims=True)
    expected = (x64 - mean) / np.sqrt(var + 1e-6) * scale64 + bias
    np.testing.assert_allclose(layer_norm(x, scale, bias), expected, rtol=1e-5, atol=1e-6)
    ms = (x64 * x64).mean(-1, keepdims=True)
    np.testing.assert_allclose(rms_norm(x, scale), x64 / np.sqrt(ms + 1e-6) * scale64, rtol=1e-5, atol=1e-6)
    unbiased = x64.var(-1, keepdims=True, ddof=1)
    np.testing.assert_allclose(simple_norm(x, scale), x64 / np.sqrt(unbiased + 1e-6) * scale64, rtol=1e-5, atol=1e-6)


def test_grn_against_numpy() -> None:
    x = RNG.standard_normal((2, 5, 5, 8), dtype=np.float32)
    scale, bias = RNG.standard_normal(8, dtype=np.float32), RNG.standard_normal(8, dtype=np.float32)
    gx = np.sqrt((x * x).sum((1, 2), keepdims=True))
    expected = x + bias + scale * x * (gx / (gx.mean(-1, keepdims=True) + 1e-6))
    np.testing.assert_allclose(global_response_norm(x, scale, bias), expected, rtol=1e-5, atol=1e-6)

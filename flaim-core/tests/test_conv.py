"""Every route `conv2d` takes (1×1 and patch matrix products, im2col, XLA's convolution) computes PyTorch's conv,
on every platform's formulation; with a symbolic batch the im2col choice is made in the program."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from flaim.layers.conv import IM2COL_MAX_ROWS, conv2d
from flaim.layers.dense import channel_matmul


def reference(x: np.ndarray, kernel: np.ndarray, stride: int, padding: int, groups: int = 1) -> np.ndarray:
    """A direct float64 sum over kernel taps, as PyTorch defines the conv (floor division for the output size)."""
    if groups > 1:  # one group at a time
        x_groups, k_groups = np.split(x, groups, axis=-1), np.split(kernel, groups, axis=-1)
        return np.concatenate(
            [reference(a, b, stride, padding) for a, b in zip(x_groups, k_groups, strict=True)], axis=-1
        )
    kh, kw = kernel.shape[:2]
    xp = np.pad(x.astype(np.float64), ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    h = (xp.shape[1] - kh) // stride + 1
    w = (xp.shape[2] - kw) // stride + 1
    out = np.zeros((x.shape[0], h, w, kernel.shape[-1]))
    for i in range(kh):
        for j in range(kw):
            out += xp[:, i : i + stride * (h - 1) + 1 : stride, j : j + stride * (w - 1) + 1 : stride] @ kernel[i, j]
    return out


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "padding"),
    [
        (9, 1, 1, 0),  # 1×1: channel matmul
        (9, 1, 2, 0),  # strided 1×1: subsample, then matmul
        (9, 2, 2, 0),  # patches, odd size: the last row/column is dropped
        (16, 4, 4, 0),  # patch embedding
        (7, 3, 1, 1),  # few output positions: im2col
        (7, 3, 2, 1),
        (7, 7, 2, 3),
        (40, 3, 1, 1),  # many output positions: XLA's convolution
        (40, 7, 2, 3),
    ],
)
@pytest.mark.parametrize("kernels", ["auto", "accelerator"])  # on a CPU host: the CPU routes, then the GPU/TPU ones
def test_matches_direct_sum(
    size: int, kernel: int, stride: int, padding: int, kernels: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLAIM_KERNELS", kernels)
    rng = np.random.default_rng(size * 100 + kernel * 10 + stride)
    x = rng.standard_normal((2, size, size, 5), dtype=np.float32)
    w = rng.standard_normal((kernel, kernel, 5, 6), dtype=np.float32)
    y = np.asarray(jax.jit(lambda x, w: conv2d(x, w, None, stride, padding))(x, w))  # a fresh trace per mode
    expected = reference(x, w, stride, padding)
    assert y.shape == expected.shape
    assert np.abs(y - expected).max() / np.abs(expected).max() < 1e-6


@pytest.mark.parametrize(("kernel", "stride"), [(3, 1), (7, 1), (3, 2)])  # stride 2: XLA's grouped convolution
@pytest.mark.parametrize("kernels", ["auto", "accelerator"])
def test_depthwise_groups(kernel: int, stride: int, kernels: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """``groups == C``: stride 1 goes to the depthwise kernel (on CPU no grouped convolution is left)."""
    monkeypatch.setenv("FLAIM_KERNELS", kernels)
    rng = np.random.default_rng(kernel * 10 + stride)
    x = rng.standard_normal((2, 11, 11, 6), dtype=np.float32)
    w = rng.standard_normal((kernel, kernel, 1, 6), dtype=np.float32)
    fn = jax.jit(lambda x, w: conv2d(x, w, None, stride, kernel // 2, groups=6))
    expected = reference(x, w, stride, kernel // 2, groups=6)
    assert np.abs(np.asarray(fn(x, w)) - expected).max() / np.abs(expected).max() < 1e-6
    grouped = "feature_group_count = 6" in fn.lower(x, w).as_text()
    assert grouped == (kernels == "accelerator" or stride > 1)


def test_route_threshold_is_exercised() -> None:
    """The cases above sit on both sides of the im2col threshold, so both routes are tested."""
    assert 2 * 4 * 4 <= IM2COL_MAX_ROWS < 2 * 20 * 20


def test_symbolic_batch_chooses_the_route_in_the_program() -> None:
    """At 9×9 outputs, batch 2 is under the im2col threshold and batch 7 over it: one exported program does both."""
    from jax import export

    rng = np.random.default_rng(0)
    w = rng.standard_normal((3, 3, 5, 6), dtype=np.float32)
    spec = jax.ShapeDtypeStruct(export.symbolic_shape("b, 9, 9, 5"), np.float32)
    exported = export.export(jax.jit(lambda x: conv2d(x, w, None, 1, 1)))(spec)
    for batch in (2, 7):
        x = rng.standard_normal((batch, 9, 9, 5), dtype=np.float32)
        expected = reference(x, w, 1, 1)
        assert np.abs(exported.call(x) - expected).max() / np.abs(expected).max() < 1e-6


@pytest.mark.parametrize(
    ("shape", "features", "dtype", "tol"),
    [
        ((2, 5, 3, 4), 9, np.float32, 1e-6),  # widening: x on the left of the kernel gradient
        ((2, 5, 3, 9), 4, np.float32, 1e-6),  # narrowing: the output gradient on the left
        ((7, 6), 6, np.float32, 1e-6),
        ((2, 5, 3, 4), 9, jnp.bfloat16, 1e-2),
    ],
)
def test_channel_matmul_gradient_matches_autodiff(
    shape: tuple[int, ...], features: int, dtype: np.dtype, tol: float
) -> None:
    """Value and both gradients of the custom VJP equal autodiff of ``jnp.dot``, shapes and dtypes included."""
    rng = np.random.default_rng(features)
    x = jnp.asarray(rng.standard_normal(shape, dtype=np.float32), dtype)
    kernel = jnp.asarray(rng.standard_normal((shape[-1], features), dtype=np.float32), dtype)
    weights = rng.standard_normal((*shape[:-1], features), dtype=np.float32)

    def loss(fn):
        return lambda x, k: jnp.sum(fn(x, k).astype(jnp.float32) * weights)

    assert channel_matmul(x, kernel).dtype == dtype
    np.testing.assert_array_equal(jax.jit(channel_matmul)(x, kernel), jnp.dot(x, kernel))
    grads = jax.jit(jax.grad(loss(channel_matmul), argnums=(0, 1)))(x, kernel)
    for got, want in zip(grads, jax.grad(loss(jnp.dot), argnums=(0, 1))(x, kernel), strict=True):
        assert got.shape == want.shape and got.dtype == want.dtype
        want = np.asarray(want, np.float32)
        np.testing.assert_allclose(np.asarray(got, np.float32), want, rtol=tol, atol=tol * np.abs(want).max())

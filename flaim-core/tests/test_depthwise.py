"""The CPU depthwise conv's hand-written gradient equals autodiff of the plain shift-and-add and of XLA's grouped
convolution: values and both gradients, odd sizes, maps smaller and larger than the kernel, paddings below, at and
above ``k // 2``, float32 and bfloat16."""

from __future__ import annotations

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import flaim
from flaim.layers.depthwise import _correlate, depthwise_conv2d


def grouped_conv(x: jax.Array, kernel: jax.Array, padding: int) -> jax.Array:
    """The GPU/TPU formulation: XLA's convolution with one channel per group."""
    pads = ((padding, padding), (padding, padding))
    dims = ("NHWC", "HWIO", "NHWC")
    return jax.lax.conv_general_dilated(
        x, kernel, (1, 1), pads, dimension_numbers=dims, feature_group_count=x.shape[-1]
    )


def value_and_grads(fn, x: jax.Array, kernel: jax.Array, cotangent: np.ndarray) -> list[np.ndarray]:
    y, vjp = jax.vjp(fn, x, kernel)
    return [np.asarray(a, np.float32) for a in (y, *vjp(jnp.asarray(cotangent, y.dtype)))]


def inputs(shape: tuple[int, ...], k: int, padding: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    b, h, w, c = shape
    out = (b, h + 2 * padding - k + 1, w + 2 * padding - k + 1, c)
    return (
        rng.standard_normal(shape, np.float32),
        rng.standard_normal((k, k, 1, c), np.float32),
        rng.standard_normal(out, np.float32),
    )


CASES = [
    ((2, 9, 7, 5), 7, 3),
    ((2, 17, 15, 3), 7, 3),  # odd sizes, not multiples of 7
    ((1, 16, 13, 4), 3, 1),
    ((2, 11, 10, 3), 3, 4),  # padding above k - 1: the input gradient crops
    ((1, 14, 15, 2), 5, 0),  # no padding
    ((3, 6, 6, 2), 3, 2),
]


@pytest.mark.parametrize(("shape", "k", "padding"), CASES)
def test_gradients_match_autodiff(
    shape: tuple[int, ...], k: int, padding: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLAIM_KERNELS", "cpu")
    x, kernel, cotangent = inputs(shape, k, padding, seed=sum(shape) + k)
    fast = value_and_grads(lambda x, w: depthwise_conv2d(x, w, None, padding), x, kernel, cotangent)
    plain = value_and_grads(lambda x, w: _correlate(x, w[:, :, 0], (padding, padding)), x, kernel, cotangent)
    conv = value_and_grads(lambda x, w: grouped_conv(x, w, padding), x, kernel, cotangent)
    for name, a, b, c in zip(("value", "input gradient", "kernel gradient"), fast, plain, conv, strict=True):
        assert a.shape == b.shape == c.shape, name
        scale = np.abs(c).max()
        assert np.abs(a - b).max() <= 1e-5 * scale, name
        assert np.abs(a - c).max() <= 1e-5 * scale, name


@pytest.mark.parametrize(("shape", "k", "padding"), [CASES[0], CASES[1], CASES[3]])
def test_bfloat16_gradients_as_accurate_as_autodiff(
    shape: tuple[int, ...], k: int, padding: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In bfloat16 the gradients are no further from the float32 ones than autodiff's bfloat16 gradients are
    (the kernel gradient accumulates in float32, so it is usually closer)."""
    monkeypatch.setenv("FLAIM_KERNELS", "cpu")
    x, kernel, cotangent = inputs(shape, k, padding, seed=7)
    xb, kb = jnp.asarray(x, jnp.bfloat16), jnp.asarray(kernel, jnp.bfloat16)
    fast = value_and_grads(lambda x, w: depthwise_conv2d(x, w, None, padding), xb, kb, cotangent)
    plain = value_and_grads(lambda x, w: _correlate(x, w[:, :, 0], (padding, padding)), xb, kb, cotangent)
    exact = value_and_grads(
        lambda x, w: grouped_conv(x, w, padding), np.asarray(xb, np.float32), np.asarray(kb, np.float32), cotangent
    )
    for name, a, b, ref in zip(("value", "input gradient", "kernel gradient"), fast, plain, exact, strict=True):
        scale = np.abs(ref).max()
        assert np.abs(a - ref).max() <= max(np.abs(b - ref).max(), 2**-8 * scale), name


def test_second_order_and_remat(monkeypatch: pytest.MonkeyPatch) -> None:
    """The custom gradient composes: under `jax.checkpoint` and differentiated again (Hessian-vector product)."""
    monkeypatch.setenv("FLAIM_KERNELS", "cpu")
    x, kernel, _ = inputs((1, 15, 14, 2), 7, 3, seed=3)

    def loss(fn):
        return lambda x, w: jnp.sum(jnp.sin(fn(x, w)))

    fast = loss(jax.checkpoint(lambda x, w: depthwise_conv2d(x, w, None, 3)))
    plain = loss(lambda x, w: _correlate(x, w[:, :, 0], (3, 3)))
    for fn in (jax.grad, lambda f: jax.grad(lambda x, w: jnp.vdot(jax.grad(f, 1)(x, w), w), (0, 1))):
        for a, b in zip(jax.tree.leaves(fn(fast)(x, kernel)), jax.tree.leaves(fn(plain)(x, kernel)), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4 * np.abs(b).max())


@pytest.mark.parametrize("size", [20, 56])
def test_taps_computed_once(size: int) -> None:
    """On CPU the 49 taps are written to memory once (`flaim.xla.materialize`) rather than recomputed in each pass
    of the norm that reads them (XLA did so at batch 1: three copies of the taps to compile and run)."""
    x, kernel = np.zeros((1, size, size, 16), np.float32), np.zeros((7, 7, 1, 16), np.float32)

    def conv_norm(x: jax.Array, kernel: jax.Array) -> jax.Array:
        y = depthwise_conv2d(x, kernel, None, 3)
        mean = y.mean(-1, keepdims=True)
        return (y - mean) * jax.lax.rsqrt(((y - mean) ** 2).mean(-1, keepdims=True) + 1e-6)

    hlo = flaim.jit(conv_norm).lower(x, kernel).compile().as_text()
    assert sum(computation.count(" slice(") >= 49 for computation in re.split(r"\n(?=\S)", hlo)) == 1

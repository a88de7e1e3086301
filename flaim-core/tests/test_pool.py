"""Pooling stays differentiable under jit (training steps are jax.jit(jax.grad(...)))."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from flaim.layers.pool import avg_pool, max_pool

X = np.random.default_rng(0).standard_normal((2, 9, 9, 4), dtype=np.float32)


@pytest.mark.parametrize(
    "pool",
    [
        lambda x: max_pool(x, 3, 2, 1),
        lambda x: avg_pool(x, 2, 2),
        lambda x: avg_pool(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
    ],
)
def test_jitted_gradient_matches_eager(pool) -> None:
    def loss(x: jax.Array) -> jax.Array:
        return (pool(x) ** 2).sum()

    np.testing.assert_allclose(jax.jit(jax.grad(loss))(X), jax.grad(loss)(X), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(("kernel", "stride", "padding"), [(3, 2, 1), (3, 1, 1), (2, 2, 0), (3, 2, 0), (5, 3, 2)])
def test_max_pool_equals_reduce_window_with_its_gradient(kernel: int, stride: int, padding: int) -> None:
    """Values and gradients are a plain reduce-window's, ties included (ReLU zeros, rounded values)."""
    x = np.maximum(np.round(X * 2), 0)
    pads = [(0, 0), (padding, padding), (padding, padding), (0, 0)]

    def reference(x: jax.Array) -> jax.Array:
        return jax.lax.reduce_window(x, -np.inf, jax.lax.max, (1, kernel, kernel, 1), (1, stride, stride, 1), pads)

    def pool(x: jax.Array) -> jax.Array:
        return max_pool(x, kernel, stride, padding)

    np.testing.assert_array_equal(pool(x), reference(x))
    weights = np.random.default_rng(1).standard_normal(reference(x).shape, dtype=np.float32)
    grad, expected = (jax.jit(jax.grad(lambda x, f=f: (f(x) * weights).sum()))(x) for f in (pool, reference))
    np.testing.assert_array_equal(grad, expected)


@pytest.mark.parametrize(("shape", "dtype"), [((1, 10, 8, 3), np.float32), ((2, 9, 9, 4), jnp.bfloat16)])
def test_max_pool_gradient_even_sizes_and_bf16(shape: tuple[int, ...], dtype: np.dtype) -> None:
    """The hand-written max-pool gradient is the reduce-window's on an even map (ResNet's stem) and in bfloat16."""
    x = jnp.asarray(np.maximum(np.round(np.random.default_rng(2).standard_normal(shape) * 2), 0), dtype)
    pads = [(0, 0), (1, 1), (1, 1), (0, 0)]

    def reference(x: jax.Array) -> jax.Array:
        return jax.lax.reduce_window(x, np.array(-np.inf, dtype), jax.lax.max, (1, 3, 3, 1), (1, 2, 2, 1), pads)

    weights = jnp.asarray(np.random.default_rng(3).standard_normal(reference(x).shape), dtype)
    grad, expected = (
        jax.jit(jax.grad(lambda x, f=f: (f(x) * weights).astype(jnp.float32).sum()))(x)
        for f in (lambda x: max_pool(x, 3, 2, 1), reference)
    )
    assert grad.dtype == expected.dtype == dtype
    np.testing.assert_array_equal(np.asarray(grad, np.float32), np.asarray(expected, np.float32))

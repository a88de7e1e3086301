"""Pooling stays differentiable under jit (training steps are jax.jit(jax.grad(...)))."""

from __future__ import annotations

import jax
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

"""BatchNorm refuses training statistics from one value per channel, as PyTorch does."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import pytest

from flaim.layers.batchnorm import BatchNorm


@pytest.mark.parametrize("shape", [(1, 1, 1, 4), (1, 4), (0, 2, 2, 4)])
def test_one_value_per_channel_is_refused_in_training(shape: tuple[int, ...]) -> None:
    norm = BatchNorm()
    variables = norm.init(jax.random.key(0), jnp.ones((2, 2, 2, 4)), training=False)
    assert norm.apply(variables, jnp.ones(shape), training=False).shape == shape  # inference is fine
    with pytest.raises(ValueError, match=r"needs more than one value per channel, got input shape \("):
        jax.jit(lambda x: norm.apply(variables, x, training=True, mutable=["batch_stats"]))(jnp.ones(shape))


def test_two_values_per_channel_train() -> None:
    norm = BatchNorm()
    variables = norm.init(jax.random.key(0), jnp.ones((2, 1, 1, 4)), training=False)
    x = jnp.arange(8.0).reshape(2, 1, 1, 4)
    y, state = norm.apply(variables, x, training=True, mutable=["batch_stats"])
    assert jnp.allclose(y[0], -y[1]) and jnp.allclose(jnp.abs(y), 1.0, atol=1e-3)
    assert jnp.allclose(state["batch_stats"]["var"], 0.9 + 0.1 * 8.0)  # batch variance 4, unbiased 8

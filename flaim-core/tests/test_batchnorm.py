"""BatchNorm refuses training statistics from one value per channel, as PyTorch does."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from flaim.layers.batchnorm import BatchNorm, batch_norm, batch_norm_train


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


def _plain_train(x: jax.Array, scale: jax.Array, bias: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array]:
    """Training-mode BatchNorm as plain jnp maths, differentiated by autodiff: the reference for the custom VJP."""
    axes = tuple(range(x.ndim - 1))
    xf = x.astype(jnp.promote_types(x.dtype, jnp.float32))
    mean = xf.mean(axes)
    var = jnp.square(xf - mean).mean(axes)
    return batch_norm(x, mean, var, scale, bias, 1e-5), mean, var


@pytest.mark.parametrize(
    ("shape", "dtype", "rtol"),
    [
        ((2, 5, 3, 7), jnp.float32, 1e-5),
        ((3, 4), jnp.float32, 1e-5),
        ((4, 9, 9, 16), jnp.float32, 1e-5),
        ((2, 5, 3, 7), jnp.bfloat16, 2e-2),
    ],
)
def test_train_vjp_matches_autodiff(shape: tuple[int, ...], dtype: jnp.dtype, rtol: float) -> None:
    """Output, batch statistics and every gradient (through the output and through mean and variance, as a loss on
    the running stats would) agree with autodiff of the plain formulation; the input's mean is far from zero."""
    keys = jax.random.split(jax.random.key(0), 6)
    channels = shape[-1]
    x = (3.0 + jax.random.normal(keys[0], shape)).astype(dtype)
    scale, bias = 1 + 0.3 * jax.random.normal(keys[1], (channels,)), jax.random.normal(keys[2], (channels,))
    weights = [jax.random.normal(k, s) for k, s in zip(keys[3:], (shape, (channels,), (channels,)), strict=True)]

    def loss(fn):
        def f(x, scale, bias):
            y, mean, var = fn(x, scale, bias)
            return sum(jnp.sum(w * v.astype(jnp.float32)) for w, v in zip(weights, (y, mean, var), strict=True))

        return f

    ours = jax.jit(lambda x, s, b: batch_norm_train(x, s, b, 1e-5))
    for got, want in zip(ours(x, scale, bias), _plain_train(x, scale, bias), strict=True):
        assert got.dtype == want.dtype
        np.testing.assert_allclose(np.asarray(got, np.float32), np.asarray(want, np.float32), rtol=rtol, atol=rtol)
    grads = jax.jit(jax.grad(loss(lambda *a: batch_norm_train(*a, 1e-5)), argnums=(0, 1, 2)))(x, scale, bias)
    expected = jax.grad(loss(_plain_train), argnums=(0, 1, 2))(x, scale, bias)
    for got, want in zip(grads, expected, strict=True):
        assert got.dtype == want.dtype
        scale_of = float(jnp.abs(want.astype(jnp.float32)).max())
        np.testing.assert_allclose(
            np.asarray(got, np.float32), np.asarray(want, np.float32), rtol=rtol, atol=rtol * scale_of
        )


def test_train_module_running_stats_unchanged() -> None:
    """The module's running-stat update uses the plain formulation's batch statistics (unbiased variance)."""
    x = 2.0 + jax.random.normal(jax.random.key(1), (3, 5, 5, 6))
    norm = BatchNorm()
    variables = norm.init(jax.random.key(0), x, training=False)
    _, state = jax.jit(lambda v, x: norm.apply(v, x, training=True, mutable=["batch_stats"]))(variables, x)
    _, mean, var = jax.jit(_plain_train)(x, variables["params"]["scale"], variables["params"]["bias"])
    n = x.size // x.shape[-1]
    np.testing.assert_allclose(state["batch_stats"]["mean"], 0.1 * mean, rtol=1e-6)
    np.testing.assert_allclose(state["batch_stats"]["var"], 0.9 + 0.1 * var * (n / (n - 1)), rtol=1e-6)

"""`gelu`'s written-out derivative ``Φ(x) + x·φ(x)`` against autodiff of the plain formula (the same `erf`): values,
gradients, forward mode and second order, several shapes with odd sizes, float32 and bfloat16."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from flaim.layers.activations import erf, gelu


def plain_gelu(x: jax.Array) -> jax.Array:
    return x * (0.5 + 0.5 * erf(x * np.asarray(0.7071067811865476, x.dtype)))


def inputs(shape: tuple[int, ...], seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape, np.float32) * 3 + 0.5, rng.standard_normal(shape, np.float32)


def value_and_grad(fn, x: np.ndarray | jax.Array, cotangent: np.ndarray) -> list[np.ndarray]:
    y, vjp = jax.vjp(fn, x)
    return [np.asarray(a, np.float32) for a in (y, *vjp(jnp.asarray(cotangent, y.dtype)))]


@pytest.mark.parametrize("shape", [(3, 7), (2, 5, 3, 13), (1, 9, 96)])
def test_matches_autodiff(shape: tuple[int, ...]) -> None:
    x, cotangent = inputs(shape, seed=sum(shape))
    for name, a, b in zip(
        ("value", "gradient"), value_and_grad(gelu, x, cotangent), value_and_grad(plain_gelu, x, cotangent), strict=True
    ):
        assert np.abs(a - b).max() <= 1e-5 * np.abs(b).max(), name
    tangent = np.ones_like(x)
    np.testing.assert_allclose(
        jax.jvp(gelu, (x,), (tangent,))[1], jax.jvp(plain_gelu, (x,), (tangent,))[1], rtol=1e-5, atol=1e-5
    )


def test_bfloat16_as_accurate_as_autodiff() -> None:
    """In bfloat16, value and gradient are no further from float32 autodiff's than bfloat16 autodiff's are."""
    x, cotangent = inputs((2, 5, 3, 13), seed=5)
    xb = jnp.asarray(x, jnp.bfloat16)
    exact = value_and_grad(plain_gelu, np.asarray(xb, np.float32), cotangent)
    fast, plain = value_and_grad(gelu, xb, cotangent), value_and_grad(plain_gelu, xb, cotangent)
    for name, a, b, ref in zip(("value", "gradient"), fast, plain, exact, strict=True):
        assert np.abs(a - ref).max() <= max(np.abs(b - ref).max(), 2**-8 * np.abs(ref).max()), name


def test_second_order_and_remat() -> None:
    """The derivative composes: under `jax.checkpoint` and differentiated twice."""
    x, _ = inputs((3, 11), seed=1)
    fast, plain = (lambda x, f=f: jnp.sum(jnp.sin(f(x))) for f in (jax.checkpoint(gelu), plain_gelu))
    for d in (jax.grad, lambda f: jax.grad(lambda x: jnp.vdot(jax.grad(f)(x), x))):
        np.testing.assert_allclose(d(fast)(x), d(plain)(x), rtol=1e-4, atol=1e-4 * np.abs(d(plain)(x)).max())

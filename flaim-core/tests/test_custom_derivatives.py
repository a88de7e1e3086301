"""`layer_norm` and `gelu` carry written-out derivatives: values, gradients (input and parameters), forward-mode and
second-order derivatives equal autodiff of the plain formulas, over several shapes with odd sizes, in float32 and
bfloat16."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from flaim.layers.activations import erf, gelu
from flaim.layers.norm import layer_norm

SHAPES = [(3, 7), (2, 5, 3, 13), (1, 9, 96)]


def plain_layer_norm(x: jax.Array, scale: jax.Array, bias: jax.Array, eps: float = 1e-6) -> jax.Array:
    xf = x.astype(jnp.float32)
    centred = xf - xf.mean(-1, keepdims=True)
    inv = jax.lax.rsqrt((centred * centred).mean(-1, keepdims=True) + eps)
    return (centred * inv * scale + bias).astype(x.dtype)


def plain_gelu(x: jax.Array) -> jax.Array:
    return x * (0.5 + 0.5 * erf(x * np.asarray(0.7071067811865476, x.dtype)))


def inputs(shape: tuple[int, ...], seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape, np.float32) * 3 + 0.5
    scale, bias = rng.standard_normal((2, shape[-1]), np.float32)
    return x, scale, bias, rng.standard_normal(shape, np.float32)


def value_and_grads(fn, args: tuple, cotangent: np.ndarray) -> list[np.ndarray]:
    y, vjp = jax.vjp(fn, *args)
    return [np.asarray(a, np.float32) for a in (y, *vjp(jnp.asarray(cotangent, y.dtype)))]


def assert_close(fast: list[np.ndarray], plain: list[np.ndarray], tol: float, names: tuple[str, ...]) -> None:
    for name, a, b in zip(names, fast, plain, strict=True):
        assert a.shape == b.shape, name
        assert np.abs(a - b).max() <= tol * np.abs(b).max(), name


@pytest.mark.parametrize("shape", SHAPES)
def test_gelu_matches_autodiff(shape: tuple[int, ...]) -> None:
    x, _, _, cotangent = inputs(shape, seed=sum(shape))
    fast, plain = value_and_grads(gelu, (x,), cotangent), value_and_grads(plain_gelu, (x,), cotangent)
    assert_close(fast, plain, 1e-5, ("value", "input gradient"))


@pytest.mark.parametrize(("fast_fn", "plain_fn"), [(layer_norm, plain_layer_norm), (gelu, plain_gelu)])
def test_bfloat16_as_accurate_as_autodiff(fast_fn, plain_fn) -> None:
    """In bfloat16, values and gradients are no further from the float32 ones than autodiff's bfloat16 ones are."""
    x, scale, bias, cotangent = inputs((2, 5, 3, 13), seed=5)
    n = 3 if fast_fn is layer_norm else 1
    args32 = (x, scale, bias)[:n]
    args16 = (jnp.asarray(x, jnp.bfloat16), *args32[1:])
    exact = value_and_grads(plain_fn, tuple(np.asarray(a, np.float32) for a in args16), cotangent)
    fast, plain = value_and_grads(fast_fn, args16, cotangent), value_and_grads(plain_fn, args16, cotangent)
    for a, b, ref in zip(fast, plain, exact, strict=True):
        assert np.abs(a - ref).max() <= max(np.abs(b - ref).max(), 2**-8 * np.abs(ref).max())


def test_second_order_and_remat() -> None:
    """The derivatives compose: under `jax.checkpoint` and differentiated twice (Hessian-vector product)."""
    x, scale, bias, _ = inputs((3, 11), seed=1)

    def loss(norm, act):
        return lambda x, s: jnp.sum(jnp.sin(act(norm(x, s, bias))))

    fast = loss(jax.checkpoint(layer_norm), jax.checkpoint(gelu))
    plain = loss(plain_layer_norm, plain_gelu)
    for fn in (jax.grad, lambda f: jax.grad(lambda x, s: jnp.vdot(jax.grad(f, 1)(x, s), s), (0, 1))):
        for a, b in zip(jax.tree.leaves(fn(fast)(x, scale)), jax.tree.leaves(fn(plain)(x, scale)), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4 * np.abs(b).max())

"""`map_tokens`, ConvNeXt's chunked token path: exact against the unchunked function, gradients included."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from flaim_convnext.model import map_tokens

RNG = np.random.default_rng(0)


@pytest.mark.parametrize("tokens", [(2, 6, 6), (1, 7, 5)])
def test_map_tokens_chunks_exactly(tokens: tuple[int, ...]) -> None:
    x = RNG.standard_normal((*tokens, 4), dtype=np.float32)
    w = RNG.standard_normal((4, 3), dtype=np.float32)

    def chunked(w: jax.Array) -> jax.Array:
        return map_tokens(lambda t: jnp.tanh(t @ w), x, hidden_bytes=16 * 4 * 8)  # chunks of 8 tokens, plus a tail

    np.testing.assert_allclose(chunked(w), jnp.tanh(x @ w), rtol=1e-5, atol=1e-6)
    grad = jax.grad(lambda w: (chunked(w) ** 2).sum())(w)
    np.testing.assert_allclose(grad, jax.grad(lambda w: (jnp.tanh(x @ w) ** 2).sum())(w), rtol=1e-5, atol=1e-5)


def test_map_tokens_with_a_symbolic_batch() -> None:
    """Under jax.export the token count is unknown: images go one at a time when one fills a chunk."""
    from jax import export

    x = RNG.standard_normal((3, 4, 4, 4), dtype=np.float32)
    w = RNG.standard_normal((4, 3), dtype=np.float32)
    spec = jax.ShapeDtypeStruct(export.symbolic_shape("b, 4, 4, 4"), np.float32)
    for hidden_bytes in (16 * 4 * 8, 16 * 4 * 100):  # 16 tokens per image: over, then under one chunk
        fn = jax.jit(lambda x, n=hidden_bytes: map_tokens(lambda t: jnp.tanh(t @ w), x, hidden_bytes=n))
        np.testing.assert_allclose(export.export(fn)(spec).call(x), jnp.tanh(x @ w), rtol=1e-5, atol=1e-6)

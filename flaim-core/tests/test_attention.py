"""The CPU attention (heads first, softmax normalised after the weighted sum) equals jax's fused-op attention."""

from __future__ import annotations

import jax
import numpy as np

from flaim.layers.attention import attention

RNG = np.random.default_rng(0)
Q, K, V = (RNG.standard_normal((2, n, 3, 8), dtype=np.float32) for n in (5, 7, 7))


def test_matches_dot_product_attention() -> None:
    np.testing.assert_allclose(attention(Q, K, V), jax.nn.dot_product_attention(Q, K, V), rtol=1e-5, atol=1e-6)


def test_gradients_match_dot_product_attention() -> None:
    def loss(fn):
        return lambda q, k, v: (fn(q, k, v) ** 2).sum()

    ours = jax.grad(loss(attention), argnums=(0, 1, 2))(Q, K, V)
    theirs = jax.grad(loss(jax.nn.dot_product_attention), argnums=(0, 1, 2))(Q, K, V)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_dropout_zeroes_weights_and_rescales() -> None:
    """Rate 0.5 with a fixed key: the result is the dropped, rescaled, then normalised weights applied to v."""
    rng = jax.random.key(0)
    out = attention(Q, K, V, 0.5, rng)
    logits = np.einsum("bthd,bshd->bhts", Q / np.sqrt(8), K).astype(np.float64)
    weights = np.exp(logits - logits.max(-1, keepdims=True))
    weights /= weights.sum(-1, keepdims=True)
    keep = np.asarray(jax.random.bernoulli(rng, 0.5, weights.shape))
    expected = np.einsum("bhts,bshd->bthd", np.where(keep, weights / 0.5, 0.0), V)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)

"""`tokenwise`: a per-token function of a module over token chunks on CPU, whole elsewhere; exact either way,
sharing the module's variables at its own paths, with a symbolic batch and decided at lowering."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import linen as nn
from jax import export

from flaim.layers import LayerNorm, tokenwise

CHUNK_OF_8 = 16 * 4 * 8  # hidden_bytes for chunks of 8 four-channel tokens
X = np.random.default_rng(0).standard_normal((2, 6, 5, 4), dtype=np.float32)  # 60 tokens: 7 chunks and a tail


def norm_mlp(mdl: nn.Module, x: jax.Array) -> jax.Array:
    return nn.Dense(4, name="fc2")(jnp.tanh(nn.Dense(16, name="fc1")(LayerNorm(name="norm")(x))))


class Block(nn.Module):
    chunked: bool = True
    hidden_bytes: int = CHUNK_OF_8

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        return x + tokenwise(norm_mlp, self, x, self.chunked, self.hidden_bytes)


def _variables() -> dict:
    variables = Block(chunked=False).init(jax.random.key(0), X)
    return jax.tree.map(lambda v: v + jax.random.normal(jax.random.key(1), v.shape), variables)  # no zero biases


def test_chunks_match_one_pass_with_the_same_variables() -> None:
    whole = Block(chunked=False)
    assert jax.tree.all(
        jax.tree.map(np.array_equal, Block().init(jax.random.key(0), X), whole.init(jax.random.key(0), X))
    )
    variables = _variables()
    np.testing.assert_allclose(jax.jit(Block().apply)(variables, X), whole.apply(variables, X), rtol=1e-5, atol=1e-5)
    grads = [jax.grad(lambda v, m=m: (m.apply(v, X) ** 2).sum())(variables) for m in (Block(), whole)]
    jax.tree.map(lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4), *grads)


def test_bfloat16_gradients_match_one_pass() -> None:
    """In bfloat16, over 63 tokens (7 chunks and a 7-token tail), the chunks' gradients match one pass's autodiff to
    bfloat16 rounding."""
    variables = _variables()
    x = jnp.asarray(np.random.default_rng(1).standard_normal((3, 7, 3, 4)), jnp.bfloat16)

    def grads(model: Block) -> list[jax.Array]:
        loss = lambda v, x: (model.apply(v, x).astype(jnp.float32) ** 2).sum()  # noqa: E731
        return jax.tree.leaves(jax.grad(loss, (0, 1))(variables, x))

    for a, b in zip(grads(Block()), grads(Block(chunked=False)), strict=True):
        b = np.asarray(b, np.float32)
        np.testing.assert_allclose(np.asarray(a, np.float32), b, rtol=2e-2, atol=2e-2 * np.abs(b).max())


def test_cpu_program_chunks_and_accelerator_one_is_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chosen at lowering: the CPU program's fc1 runs on 8-token chunks, a CUDA export from this host's on all 60
    tokens at once; forced with FLAIM_KERNELS=accelerator, the CPU runs the whole pass and agrees."""
    variables = _variables()
    spec = jax.ShapeDtypeStruct(X.shape, jnp.float32)
    texts = {
        p: export.export(jax.jit(Block().apply), platforms=(p,))(variables, spec).mlir_module() for p in ("cpu", "cuda")
    }
    chunk_fc1, whole_fc1 = "-> tensor<8x16xf32>", "-> tensor<2x6x5x16xf32>"
    assert chunk_fc1 in texts["cpu"] and whole_fc1 not in texts["cpu"]
    assert whole_fc1 in texts["cuda"] and chunk_fc1 not in texts["cuda"]
    chunked = jax.jit(Block().apply)(variables, X)
    monkeypatch.setenv("FLAIM_KERNELS", "accelerator")
    np.testing.assert_allclose(jax.jit(Block().apply)(variables, X), chunked, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("hidden_bytes", [CHUNK_OF_8, 16 * 4 * 100])  # 30 tokens per image: over, then under a chunk
def test_symbolic_batch(hidden_bytes: int) -> None:
    """Under jax.export the token count is unknown: images go one at a time when one fills a chunk."""
    variables, model = _variables(), Block(hidden_bytes=hidden_bytes)
    spec = jax.ShapeDtypeStruct(export.symbolic_shape("b, 6, 5, 4"), np.float32)
    exported = export.export(jax.jit(model.apply))(variables, spec)
    np.testing.assert_allclose(
        exported.call(variables, X), Block(chunked=False).apply(variables, X), rtol=1e-5, atol=1e-5
    )

"""Per-token functions of a module (ConvNeXt's norm → MLP) over a feature map's tokens: in chunks on CPU, whole on
GPUs and TPUs.

On CPU a token MLP over a whole map writes its wide hidden activations to memory before the second matmul reads them
back; over chunks of tokens whose hidden activations fit in the cores' caches they are read back while still close
(the gain is in benchmarks/README.md). Accelerators run the whole map in one pass.

The chunk loop is unrolled (each chunk is its own code, sharing the module's parameters): differentiated, each
chunk keeps its hidden activations in buffers of its own, where a rolled loop either stacks them into loop buffers
that XLA's CPU backend writes and copies slowly, or recomputes each chunk's forward in its backward step (remat).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TypeVar

import jax
import jax.numpy as jnp
from flax import linen as nn

from flaim.layers.config import lifted_by_platform

M = TypeVar("M", bound=nn.Module)
TokenFn = Callable[[M, jax.Array], jax.Array]

# Chunks of tokens whose 4×-wide float32 hidden activations take about this many bytes: the size measured fastest
# on x86 CPUs (benchmarks/README.md).
HIDDEN_BYTES = 4_800_000


def tokenwise(
    fn: TokenFn, module: M, x: jax.Array, chunked: bool = True, hidden_bytes: int = HIDDEN_BYTES
) -> jax.Array:
    """``fn(module, x)`` for a `fn` that treats each token (vector along the last axis) on its own: on CPU over
    chunks of tokens (`map_tokens`), on GPUs and TPUs in one call (`flaim.layers.config.lifted_by_platform`).

    Args:
        fn: ``(module, tokens) -> tokens``; the submodules it creates or uses sit at `module`'s own paths (as with
            flax's ``nn.cond``).
        module: the bound module that owns `fn`'s submodules, usually ``self``.
        x: ``(..., C)`` features.
        chunked: False where `fn` pools over tokens (ConvNeXt-V2's GRN): then one call on every backend.
        hidden_bytes: the size of a chunk's 4×-wide float32 hidden activations.
    """
    if not chunked:
        return fn(module, x)
    return lifted_by_platform(lambda mdl, x: map_tokens(fn, mdl, x, hidden_bytes), fn, module, x)


def map_tokens(fn: TokenFn, module: M, x: jax.Array, hidden_bytes: int = HIDDEN_BYTES) -> jax.Array:
    """``fn(module, x)`` computed over chunks of the tokens of `x` (`tokenwise`'s CPU formulation), one after the
    other; the chunks share `module`'s variables. With a symbolic batch (``jax.export``) the token count is
    unknown: whole images go one at a time when one image fills a chunk.

    Args:
        fn: ``(module, tokens) -> tokens``, treating each token on its own.
        module: the bound module that owns `fn`'s submodules.
        x: ``(..., C)`` features.
        hidden_bytes: the size of a chunk's 4×-wide float32 hidden activations.
    """
    shape = x.shape
    tokens = x.reshape(-1, shape[-1])
    size = max(1, hidden_bytes // (16 * shape[-1]))
    if not isinstance(tokens.shape[0], int):
        return _map(fn, module, x) if math.prod(shape[1:-1]) >= size else fn(module, x)
    n_chunks = tokens.shape[0] // size
    if n_chunks < 2:
        return fn(module, x)
    size = tokens.shape[0] // n_chunks
    body = n_chunks * size
    y = _map(fn, module, tokens[:body].reshape(n_chunks, size, -1)).reshape(body, -1)
    if body < tokens.shape[0]:
        y = jnp.concatenate([y, fn(module, tokens[body:])])
    return y.reshape(*shape[:-1], y.shape[-1])


def _map(fn: TokenFn, module: M, xs: jax.Array) -> jax.Array:
    """``lax.map`` of ``fn(module, ·)`` over the leading axis of `xs`, lifted over `module`'s variables: parameters
    are shared by every step (and created once at init); other random streams are split per step. Unrolled where
    the number of steps is known (a symbolic batch keeps the loop)."""
    scan = nn.scan(
        lambda mdl, carry, x: (carry, fn(mdl, x)),
        variable_broadcast="params",
        split_rngs={"params": False, "dropout": True},
        unroll=isinstance(xs.shape[0], int),
    )
    return scan(module, None, xs)[1]

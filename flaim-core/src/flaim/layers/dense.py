"""`Dense`: flax's ``nn.Dense`` on `flaim.layers.params.param`: its parameter names, numerics and fields, less
``precision`` and ``dot_general`` (default precision, `channel_matmul`); `channel_matmul`, a matrix product over
the channel axis whose kernel gradient transposes the narrower operand."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from flax import linen as nn
from flax.linen.dtypes import promote_dtype

from flaim.layers.init import Initializer
from flaim.layers.params import param


@jax.custom_vjp
def channel_matmul(x: jax.Array, kernel: jax.Array) -> jax.Array:
    """``jnp.dot(x, kernel)``: (…, C_in) × (C_in, C_out), with a kernel gradient that XLA's CPU backend computes
    without transposing the larger of `x` and the output gradient.

    The kernel gradient contracts every leading axis of both; XLA lays out the contraction's left operand
    channel-major with a transposing copy. Autodiff puts the output gradient on the left, so for a widening layer
    (ResNet's last 1×1 conv of a block and its projection shortcut, a transformer's qkv and MLP fc1) it transposes
    the wider gradient, fused with the norm or activation backward that produces it. Here the operand with fewer
    channels goes on the left. Same sums as autodiff (tested in flaim-core/tests/test_conv.py); figures in
    benchmarks/README.md.

    Args:
        x: input, channels last.
        kernel: (C_in, C_out).
    """
    return jnp.dot(x, kernel)


def _channel_matmul_forward(x: jax.Array, kernel: jax.Array) -> tuple[jax.Array, tuple[jax.Array, jax.Array]]:
    return jnp.dot(x, kernel), (x, kernel)


def _channel_matmul_backward(residuals: tuple[jax.Array, jax.Array], grad: jax.Array) -> tuple[jax.Array, jax.Array]:
    x, kernel = residuals
    lead = tuple(range(x.ndim - 1))
    if x.shape[-1] <= kernel.shape[-1]:
        grad_kernel = jax.lax.dot_general(x, grad, ((lead, lead), ((), ())))
    else:
        grad_kernel = jax.lax.dot_general(grad, x, ((lead, lead), ((), ()))).T
    return jnp.dot(grad, kernel.T).astype(x.dtype), grad_kernel.astype(kernel.dtype)


channel_matmul.defvjp(_channel_matmul_forward, _channel_matmul_backward)


class Dense(nn.Module):
    """``x @ kernel + bias`` over the last axis; ``kernel`` ``(in, features)``, ``bias`` ``(features,)``.
    Differentiable in reverse mode only (`channel_matmul` is a ``jax.custom_vjp``)."""

    features: int
    use_bias: bool = True
    dtype: Any = None
    param_dtype: Any = jnp.float32
    kernel_init: Initializer = nn.initializers.lecun_normal()
    bias_init: Initializer = nn.initializers.zeros_init()

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        kernel = param(self, "kernel", self.kernel_init, (jnp.shape(x)[-1], self.features), self.param_dtype)
        bias = param(self, "bias", self.bias_init, (self.features,), self.param_dtype) if self.use_bias else None
        x, kernel, bias = promote_dtype(x, kernel, bias, dtype=self.dtype)
        y = channel_matmul(x, kernel)
        return y if bias is None else y + jnp.reshape(bias, (1,) * (y.ndim - 1) + (-1,))

"""`Dense`: flax's ``nn.Dense`` on `flaim.layers.params.param`: its parameter names, numerics and fields, less
``precision`` and ``dot_general`` (default precision, `jax.lax.dot_general`)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from flax import linen as nn
from flax.linen.dtypes import promote_dtype

from flaim.layers.init import Initializer
from flaim.layers.params import param


class Dense(nn.Module):
    """``x @ kernel + bias`` over the last axis; ``kernel`` ``(in, features)``, ``bias`` ``(features,)``."""

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
        y = jax.lax.dot_general(x, kernel, (((x.ndim - 1,), (0,)), ((), ())))
        return y if bias is None else y + jnp.reshape(bias, (1,) * (y.ndim - 1) + (-1,))

"""The classifier's last step with flaim's ``n_classes`` contract: N > 0 → logits, otherwise pass through."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from flax import linen as nn

from flaim.layers.dense import Dense
from flaim.layers.init import Initializer, trunc_normal, zeros


class ClassifierHead(nn.Module):
    """Dropout + the last linear layer (named ``fc``) on pooled features; identity when ``n_classes <= 0``.

    Families pool and normalise before it, and return the feature map / tokens themselves for ``n_classes == 0``.
    """

    n_classes: int
    drop_rate: float = 0.0
    dtype: Any = None
    param_dtype: Any = jnp.float32
    kernel_init: Initializer = trunc_normal(0.02)  # timm's transformers and ConvNeXt
    bias_init: Initializer = zeros

    @nn.compact
    def __call__(self, x: jax.Array, training: bool) -> jax.Array:
        if self.n_classes <= 0:
            return x
        x = nn.Dropout(self.drop_rate, deterministic=not training)(x)
        dense = Dense(
            self.n_classes,
            dtype=self.dtype,
            param_dtype=self.param_dtype,
            kernel_init=self.kernel_init,
            bias_init=self.bias_init,
            name="fc",
        )
        return dense(x)

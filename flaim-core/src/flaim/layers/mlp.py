"""MLPs as timm builds them: `Mlp` (fc1 → act → fc2), `GluMlp` (one fc1, gated halves; timm's ``SwiGLUPacked`` is
``GluMlp(act_layer='silu', gate_last=False)``), `SwiGLU` (separate gate and value fc1), `GatedMlp` (fc1 → act →
gate, e.g. gMLP's `SpatialGatingUnit`) and `GlobalResponseNormMlp` (fc1 → act → GRN → fc2, ConvNeXt-V2). Defaults
are timm's.

Each takes an activation by name or as a function, an optional `norm_layer` constructor applied to the hidden
features before fc2 (timm's ``scale_mlp_norm``), and the parameter names match timm's (``fc1``, ``fc2``, ``fc1_g``,
``fc1_x``, ``norm``, ``grn``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
from flax import linen as nn

from flaim.layers.activations import Activation, get_act
from flaim.layers.dense import Dense
from flaim.layers.grn import GlobalResponseNorm
from flaim.layers.init import normal, ones, trunc_normal, zeros
from flaim.layers.norm import LayerNorm
from flaim.xla import fusion_barrier


class _MlpBase(nn.Module):
    """Fields and the shared tail (dropout → [norm] → fc2 → dropout) of the MLPs below."""

    hidden_features: int
    out_features: int | None = None
    act_layer: str | Activation = "gelu"
    norm_layer: Callable[..., nn.Module] | None = None
    bias: bool = True
    drop: float = 0.0
    # On CPU, materialise fc1's and fc2's outputs (`flaim.xla.fusion_barrier`): ConvNeXt's token MLP is faster when
    # XLA's library fusions keep the activation and the next layer's norm out of the matmuls.
    fusion_barriers: bool = False
    dtype: Any = None
    param_dtype: Any = jnp.float32

    def dense(self, features: int, name: str) -> Dense:
        return Dense(
            features,
            use_bias=self.bias,
            dtype=self.dtype,
            param_dtype=self.param_dtype,
            kernel_init=trunc_normal(0.02),  # timm's transformer init
            bias_init=zeros,
            name=name,
        )

    def fc1_act(self, x: jax.Array) -> jax.Array:
        """``act(fc1(x))``, `hidden_features` wide."""
        return get_act(self.act_layer)(self.barrier(self.dense(self.hidden_features, "fc1")(x)))

    def barrier(self, x: jax.Array) -> jax.Array:
        return fusion_barrier(x) if self.fusion_barriers else x

    def hidden_to_out(
        self, x: jax.Array, out_features: int, training: bool, gate: nn.Module | None = None
    ) -> jax.Array:
        x = nn.Dropout(self.drop, deterministic=not training)(x)
        if gate is not None:
            x = gate(x)
        if self.norm_layer is not None:
            x = self.norm_layer(name="norm")(x)
        x = self.barrier(self.dense(out_features, "fc2")(x))
        return nn.Dropout(self.drop, deterministic=not training)(x)


class Mlp(_MlpBase):
    """``fc1 → act → dropout → [norm] → fc2 → dropout``; `hidden_features` wide, output as wide as the input
    unless `out_features` is given."""

    @nn.compact
    def __call__(self, x: jax.Array, training: bool = False) -> jax.Array:
        out = self.out_features or x.shape[-1]
        return self.hidden_to_out(self.fc1_act(x), out, training)


class GlobalResponseNormMlp(_MlpBase):
    """``fc1 → act → dropout → GRN → fc2 → dropout`` on NHWC maps, GRN pooling over each map (timm's
    ``GlobalResponseNormMlp``, ConvNeXt-V2)."""

    @nn.compact
    def __call__(self, x: jax.Array, training: bool = False) -> jax.Array:
        out = self.out_features or x.shape[-1]
        grn = GlobalResponseNorm(dtype=self.dtype, param_dtype=self.param_dtype, name="grn")
        return self.hidden_to_out(self.fc1_act(x), out, training, grn)


class GluMlp(_MlpBase):
    """Gated MLP with one packed fc1 of `hidden_features` outputs split in halves: ``x1 · act(x2)``
    (``gate_last=True``) or ``act(x1) · x2`` (``gate_last=False``, timm's SwiGLUPacked). timm's defaults:
    ``act_layer='sigmoid'``, ``gate_last=True``."""

    act_layer: str = "sigmoid"
    gate_last: bool = True

    @nn.compact
    def __call__(self, x: jax.Array, training: bool = False) -> jax.Array:
        if self.hidden_features % 2:
            raise ValueError(f"GluMlp needs an even hidden width, got {self.hidden_features}.")
        out = self.out_features or x.shape[-1]
        x1, x2 = jnp.split(self.dense(self.hidden_features, "fc1")(x), 2, axis=-1)
        act = get_act(self.act_layer)
        x = x1 * act(x2) if self.gate_last else act(x1) * x2
        return self.hidden_to_out(x, out, training)


class SwiGLU(_MlpBase):
    """``act(fc1_g(x)) · fc1_x(x) → [norm] → fc2``, each fc1 `hidden_features` wide (timm's SwiGLU)."""

    act_layer: str = "silu"

    @nn.compact
    def __call__(self, x: jax.Array, training: bool = False) -> jax.Array:
        out = self.out_features or x.shape[-1]
        gate = self.dense(self.hidden_features, "fc1_g")(x)
        x = get_act(self.act_layer)(gate) * self.dense(self.hidden_features, "fc1_x")(x)
        return self.hidden_to_out(x, out, training)


class SpatialGatingUnit(nn.Module):
    """gMLP's gate: split channels in halves ``u, v``; ``u · proj_tokens(norm(v))``, where ``proj`` mixes the
    `seq_len` tokens (axis -2); norm: LayerNorm, eps 1e-5. timm initialises ``proj`` near the identity gate
    (weight N(0, 1e-6²), bias 1)."""

    seq_len: int
    norm_layer: Callable[..., nn.Module] = partial(LayerNorm, eps=1e-5)
    dtype: Any = None
    param_dtype: Any = jnp.float32

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        if x.shape[-1] % 2 or x.shape[-2] != self.seq_len:
            raise ValueError(f"SpatialGatingUnit needs (..., {self.seq_len} tokens, even width), got {x.shape}.")
        u, v = jnp.split(x, 2, axis=-1)
        v = self.norm_layer(name="norm")(v)
        proj = Dense(
            self.seq_len,
            kernel_init=normal(1e-6),
            bias_init=ones,
            dtype=self.dtype,
            param_dtype=self.param_dtype,
            name="proj",
        )
        return u * jnp.swapaxes(proj(jnp.swapaxes(v, -1, -2)), -1, -2)


class GatedMlp(_MlpBase):
    """``fc1 → act → dropout → gate → [norm] → fc2 → dropout`` (timm's GatedMlp; default act ``gelu``). `gate` is
    a module constructor (e.g. ``partial(SpatialGatingUnit, seq_len=196)``) that halves the width; None: no gate."""

    gate_layer: Callable[..., nn.Module] | None = None

    @nn.compact
    def __call__(self, x: jax.Array, training: bool = False) -> jax.Array:
        out = self.out_features or x.shape[-1]
        gate = None if self.gate_layer is None else self.gate_layer(name="gate")
        return self.hidden_to_out(self.fc1_act(x), out, training, gate)

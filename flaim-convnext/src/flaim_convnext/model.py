"""A ConvNet for the 2020s, https://arxiv.org/abs/2201.03545; ConvNeXt V2: Co-designing and Scaling ConvNets with
Masked Autoencoders, https://arxiv.org/abs/2301.00808. Weights: Apache-2.0 (ConvNeXt), CC-BY-NC-4.0 (ConvNeXt-V2);
some tags carry their own licence (see each tag's ``license``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import linen as nn

from flaim.layers.activations import gelu
from flaim.layers.config import by_platform
from flaim.layers.conv import Conv2d
from flaim.layers.depthwise import DepthwiseConv2d, fusion_barrier
from flaim.layers.drop import DropPath
from flaim.layers.features import select
from flaim.layers.grn import GlobalResponseNorm
from flaim.layers.head import ClassifierHead
from flaim.layers.init import constant, trunc_normal, zeros
from flaim.layers.input import check_image_batch
from flaim.layers.norm import LayerNorm, RmsNorm, SimpleNorm
from flaim.layers.remat import checkpointed

# timm's convs carry a bias; timm's ConvNeXt init: weights trunc-normal std 0.02, biases zero.
conv = partial(Conv2d, use_bias=True, kernel_init=trunc_normal(0.02), bias_init=zeros)
NORMS = {"layernorm": LayerNorm, "rmsnorm": RmsNorm, "simplenorm": SimpleNorm}
STEMS = ("patch", "overlap", "overlap_tiered", "overlap_act")


class Mlp(nn.Module):
    """fc1 → GELU → (GRN) → fc2 on channels-last features (timm `Mlp` / `GlobalResponseNormMlp`)."""

    hidden: int
    use_grn: bool = False
    dtype: Any = None
    param_dtype: Any = jnp.float32

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        init = {"kernel_init": trunc_normal(0.02), "bias_init": zeros}
        dense = partial(nn.Dense, dtype=self.dtype, param_dtype=self.param_dtype, **init)
        y = gelu(fusion_barrier(dense(self.hidden, name="fc1")(x)))
        if self.use_grn:
            y = GlobalResponseNorm(dtype=self.dtype, param_dtype=self.param_dtype, name="grn")(y)
        return fusion_barrier(dense(x.shape[-1], name="fc2")(y))


def map_tokens(fn: Callable[[jax.Array], jax.Array], x: jax.Array, hidden_bytes: int = 4_800_000) -> jax.Array:
    """``fn`` (per-token: norm → MLP) over the tokens of `x`, in chunks whose 4×-wide hidden activations take about
    `hidden_bytes`: on CPU the hidden activations then stay close to the cores between the two matmuls (≈2× faster
    at ConvNeXt's stage 1 than one pass; 4.8 MB measured best on the 2-core build machine, 1.2 MB ≈10% slower).
    """
    shape = x.shape
    tokens = x.reshape(-1, shape[-1])
    size = max(1, hidden_bytes // (16 * shape[-1]))
    if not isinstance(tokens.shape[0], int):  # symbolic batch (jax.export): whole images, one at a time, if one fills
        return jax.lax.map(fn, x) if math.prod(shape[1:-1]) >= size else fn(x)  # a chunk (the count is unknown)
    n_chunks = tokens.shape[0] // size
    if n_chunks < 2:
        return fn(x)
    size = tokens.shape[0] // n_chunks
    body = n_chunks * size
    y = jax.lax.map(fn, tokens[:body].reshape(n_chunks, size, -1)).reshape(body, -1)
    if body < tokens.shape[0]:
        y = jnp.concatenate([y, fn(tokens[body:])])
    return y.reshape(*shape[:-1], y.shape[-1])


class ConvNeXtBlock(nn.Module):
    """Depthwise conv → norm → MLP → layer scale, added to the input."""

    norm: Callable[..., nn.Module]
    kernel_size: int = 7
    mlp_ratio: float = 4.0
    use_grn: bool = False
    ls_init_value: float | None = 1e-6
    drop_path: float = 0.0
    dtype: Any = None
    param_dtype: Any = jnp.float32

    @nn.compact
    def __call__(self, x: jax.Array, training: bool) -> jax.Array:
        dim = x.shape[-1]
        dw = DepthwiseConv2d(
            self.kernel_size,
            kernel_init=trunc_normal(0.02),
            dtype=self.dtype,
            param_dtype=self.param_dtype,
            name="conv_dw",
        )
        y = dw(x)
        norm = self.norm(name="norm")
        mlp = Mlp(int(self.mlp_ratio * dim), self.use_grn, self.dtype, self.param_dtype, name="mlp")
        if self.use_grn or self.is_initializing():  # GRN needs the whole map
            y = mlp(fusion_barrier(norm(y)))
        else:  # on CPU in token chunks
            norm_fn, mlp_fn = norm.clone(parent=None), mlp.clone(parent=None)
            norm_vars, mlp_vars = norm.variables, mlp.variables

            def per_token(t: jax.Array) -> jax.Array:
                return mlp_fn.apply(mlp_vars, fusion_barrier(norm_fn.apply(norm_vars, t)))

            y = by_platform(partial(map_tokens, per_token), per_token, y)
        if self.ls_init_value is not None:
            gamma = self.param("gamma", constant(self.ls_init_value), (dim,), self.param_dtype)
            y = y * gamma.astype(y.dtype)
        return x + DropPath(self.drop_path)(y, training)


class ConvNeXtStage(nn.Module):
    """Optional downsample (norm → 2×2 stride-2 conv) followed by `depth` blocks."""

    dim: int
    depth: int
    norm: Callable[..., nn.Module]
    downsample: bool = True
    drop_path_rates: Sequence[float] = ()
    kernel_size: int = 7
    use_grn: bool = False
    ls_init_value: float | None = 1e-6
    grad_checkpointing: bool = False
    remat_policy: str | None = None
    dtype: Any = None
    param_dtype: Any = jnp.float32

    @nn.compact
    def __call__(self, x: jax.Array, training: bool) -> jax.Array:
        if self.downsample:
            x = self.norm(name="downsample_norm")(x)
            x = conv(self.dim, 2, 2, 0, dtype=self.dtype, param_dtype=self.param_dtype, name="downsample")(x)
        block = checkpointed(ConvNeXtBlock, self.grad_checkpointing, self.remat_policy)
        for i in range(self.depth):
            x = block(
                self.norm,
                self.kernel_size,
                use_grn=self.use_grn,
                ls_init_value=self.ls_init_value,
                drop_path=self.drop_path_rates[i],
                dtype=self.dtype,
                param_dtype=self.param_dtype,
                name=f"blocks_{i}",
            )(x, training)
        return x


class Stem(nn.Module):
    """Patchify (4×4 stride-4 conv) or overlapping (two 3×3 stride-2 convs) stem, then a norm."""

    dim: int
    norm: Callable[..., nn.Module]
    stem_type: str = "patch"
    patch_size: int = 4
    dtype: Any = None
    param_dtype: Any = jnp.float32

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        stem_conv = partial(conv, dtype=self.dtype, param_dtype=self.param_dtype)
        if self.stem_type == "patch":
            x = stem_conv(self.dim, self.patch_size, self.patch_size, 0, name="conv1")(x)
        else:
            mid = _make_divisible(self.dim // 2) if self.stem_type == "overlap_tiered" else self.dim
            x = stem_conv(mid, 3, 2, 1, name="conv1")(x)
            if self.stem_type == "overlap_act":
                x = gelu(x)
            x = stem_conv(self.dim, 3, 2, 1, name="conv2")(x)
        return self.norm(name="norm")(fusion_barrier(x))  # YNNPACK fusing the norm into the matmul profiled slower


class ConvNeXt(nn.Module):
    """ConvNeXt / ConvNeXt-V2 classifier on NHWC images (timm `ConvNeXt`)."""

    n_classes: int = 1000
    depths: Sequence[int] = (3, 3, 9, 3)
    dims: Sequence[int] = (96, 192, 384, 768)
    kernel_size: int = 7
    ls_init_value: float | None = 1e-6
    stem_type: str = "patch"
    patch_size: int = 4
    head_norm_first: bool = False
    head_hidden_size: int | None = None
    use_grn: bool = False
    conv_mlp: bool = False  # timm keeps the MLP as 1×1 convs: only the checkpoint layout differs
    norm_layer: str = "layernorm"
    norm_eps: float = 1e-6
    in_chans: int = 3
    drop_rate: float = 0.0
    drop_path_rate: float = 0.0
    grad_checkpointing: bool = False
    remat_policy: str | None = None
    features_only: bool = False  # return the feature maps at out_indices instead of the head's output
    out_indices: int | tuple[int, ...] = (0, 1, 2, 3)  # stages 0 … 3, as timm (the stem is not a feature)
    dtype: Any = None
    param_dtype: Any = jnp.float32

    def feature_modules(self) -> list[str]:
        """timm's module name of each feature map (``feature_info``), in index order."""
        return [f"stages.{i}" for i in range(len(self.depths))]

    def _check_args(self) -> None:
        if self.stem_type not in STEMS:
            raise ValueError(f"Unknown stem_type '{self.stem_type}'; choose one of: {', '.join(STEMS)}.")
        if self.norm_layer not in NORMS:
            raise ValueError(f"Unknown norm_layer '{self.norm_layer}'; choose one of: {', '.join(NORMS)}.")
        if len(self.depths) != len(self.dims):
            raise ValueError(f"depths {tuple(self.depths)} and dims {tuple(self.dims)} must have the same length.")

    @nn.compact
    def __call__(self, x: jax.Array, training: bool = False) -> jax.Array | list[jax.Array]:
        self._check_args()
        check_image_batch(x, self.in_chans, min_size=32)
        norm = partial(NORMS[self.norm_layer], eps=self.norm_eps, dtype=self.dtype, param_dtype=self.param_dtype)
        x = Stem(self.dims[0], norm, self.stem_type, self.patch_size, self.dtype, self.param_dtype, name="stem")(x)
        self.sow("intermediates", "stage_0", x)
        rates = np.linspace(0.0, self.drop_path_rate, sum(self.depths)).tolist()
        features = []
        for i, (depth, dim) in enumerate(zip(self.depths, self.dims, strict=True)):
            x = ConvNeXtStage(
                dim,
                depth,
                norm,
                downsample=i > 0,
                drop_path_rates=rates[sum(self.depths[:i]) :][:depth],
                kernel_size=self.kernel_size,
                use_grn=self.use_grn,
                ls_init_value=self.ls_init_value,
                grad_checkpointing=self.grad_checkpointing,
                remat_policy=self.remat_policy,
                dtype=self.dtype,
                param_dtype=self.param_dtype,
                name=f"stages_{i}",
            )(x, training)
            self.sow("intermediates", f"stage_{i + 1}", x)
            features.append(x)
        if self.features_only:
            return select(features, self.out_indices)
        if self.head_norm_first:
            x = norm(name="norm_pre")(x)
        if self.n_classes == 0:
            return x
        x = x.mean(axis=(1, 2))
        if not self.head_norm_first:
            x = norm(name="head_norm")(x)
        if self.head_hidden_size:
            dense = nn.Dense(
                self.head_hidden_size,
                dtype=self.dtype,
                param_dtype=self.param_dtype,
                kernel_init=trunc_normal(0.02),
                bias_init=zeros,
                name="head_pre_logits",
            )
            x = gelu(dense(x))
        return ClassifierHead(self.n_classes, self.drop_rate, self.dtype, self.param_dtype, name="head")(x, training)


def _make_divisible(value: int, divisor: int = 8) -> int:
    """timm's `make_divisible`: round to a multiple of `divisor`, never more than 10% below `value`."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded

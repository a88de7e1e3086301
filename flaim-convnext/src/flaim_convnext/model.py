"""A ConvNet for the 2020s, https://arxiv.org/abs/2201.03545; ConvNeXt V2: Co-designing and Scaling ConvNets with
Masked Autoencoders, https://arxiv.org/abs/2301.00808. Weights: Apache-2.0 (ConvNeXt), CC-BY-NC-4.0 (ConvNeXt-V2);
some tags carry their own licence (see each tag's ``license``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
from flax import linen as nn

from flaim.errors import check_choice
from flaim.layers.activations import gelu
from flaim.layers.conv import Conv2d
from flaim.layers.dense import Dense
from flaim.layers.depthwise import DepthwiseConv2d
from flaim.layers.drop import DropPath, drop_path_rates
from flaim.layers.features import select
from flaim.layers.head import ClassifierHead
from flaim.layers.helpers import make_divisible
from flaim.layers.init import constant, trunc_normal, zeros
from flaim.layers.input import check_image_batch
from flaim.layers.mlp import GlobalResponseNormMlp, Mlp
from flaim.layers.norm import get_norm
from flaim.layers.params import param
from flaim.layers.remat import checkpointed
from flaim.layers.tokenwise import tokenwise
from flaim.xla import fusion_barrier

# timm's convs carry a bias; timm's ConvNeXt init: weights trunc-normal std 0.02, biases zero.
conv = partial(Conv2d, use_bias=True, kernel_init=trunc_normal(0.02), bias_init=zeros)
NORM_LAYERS = ("layernorm", "rmsnorm", "simplenorm")
STEMS = ("patch", "overlap", "overlap_tiered", "overlap_act")


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
        conv_dw = DepthwiseConv2d(
            self.kernel_size,
            kernel_init=trunc_normal(0.02),
            dtype=self.dtype,
            param_dtype=self.param_dtype,
            name="conv_dw",
        )
        mlp_layer = GlobalResponseNormMlp if self.use_grn else Mlp

        def mlp_of_norm(block: ConvNeXtBlock, y: jax.Array) -> jax.Array:
            mlp = mlp_layer(
                int(block.mlp_ratio * dim),
                fusion_barriers=True,
                dtype=block.dtype,
                param_dtype=block.param_dtype,
                name="mlp",
            )
            return mlp(fusion_barrier(block.norm(name="norm")(y)))

        # Per token, so in token chunks on CPU (`tokenwise`); GRN pools over the whole map.
        y = tokenwise(mlp_of_norm, self, conv_dw(x), chunked=not self.use_grn)
        if self.ls_init_value is not None:
            gamma = param(self, "gamma", constant(self.ls_init_value), (dim,), self.param_dtype)
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
            mid = make_divisible(self.dim // 2) if self.stem_type == "overlap_tiered" else self.dim
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
        check_choice("stem_type", self.stem_type, STEMS)
        check_choice("norm_layer", self.norm_layer, NORM_LAYERS)
        if len(self.depths) != len(self.dims):
            raise ValueError(f"depths {tuple(self.depths)} and dims {tuple(self.dims)} must have the same length.")

    @nn.compact
    def __call__(self, x: jax.Array, training: bool = False) -> jax.Array | list[jax.Array]:
        self._check_args()
        check_image_batch(x, self.in_chans, min_size=32)
        norm = partial(get_norm(self.norm_layer), eps=self.norm_eps, dtype=self.dtype, param_dtype=self.param_dtype)
        x = Stem(self.dims[0], norm, self.stem_type, self.patch_size, self.dtype, self.param_dtype, name="stem")(x)
        self.sow("intermediates", "stage_0", x)
        rates = drop_path_rates(self.drop_path_rate, self.depths)
        features = []
        for i, (depth, dim) in enumerate(zip(self.depths, self.dims, strict=True)):
            x = ConvNeXtStage(
                dim,
                depth,
                norm,
                downsample=i > 0,
                drop_path_rates=rates[i],
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
            dense = Dense(
                self.head_hidden_size,
                dtype=self.dtype,
                param_dtype=self.param_dtype,
                kernel_init=trunc_normal(0.02),
                bias_init=zeros,
                name="head_pre_logits",
            )
            x = gelu(dense(x))
        return ClassifierHead(self.n_classes, self.drop_rate, self.dtype, self.param_dtype, name="head")(x, training)

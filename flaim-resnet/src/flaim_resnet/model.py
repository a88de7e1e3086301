"""Deep Residual Learning for Image Recognition — https://arxiv.org/abs/1512.03385

Weights: per tag, Apache-2.0 (timm-trained), BSD-3-Clause (torchvision) or CC-BY-NC-4.0 (Facebook SSL/WSL).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
from flax import linen as nn

from flaim.errors import check_choice
from flaim.layers.blur_pool import blur_pool
from flaim.layers.conv import ConvNormAct
from flaim.layers.drop import DropPath, drop_path_rates
from flaim.layers.features import select
from flaim.layers.head import ClassifierHead
from flaim.layers.init import symmetric_uniform, torch_default_kernel, zeros
from flaim.layers.input import check_image_batch
from flaim.layers.pool import avg_pool, global_avg_pool, max_pool
from flaim.layers.remat import checkpointed
from flaim.layers.squeeze_excite import EfficientChannelAttention, SqueezeExcite, eca_kernel_size, se_channels

ANTI_ALIAS: dict[str, Callable[[jax.Array], jax.Array]] = {
    "avg": partial(avg_pool, kernel=2, stride=2),
    "blur": blur_pool,
}
BLOCKS = ("basic", "bottleneck")
EXPANSION = {"basic": 1, "bottleneck": 4}
STEMS = ("", "deep", "deep_tiered")
ATTENTION = (None, "se", "eca")
NORM_LAYERS = ("batchnorm", "groupnorm")


class Block(nn.Module):
    """Basic (3×3, 3×3) or bottleneck (1×1, 3×3 grouped, 1×1) residual block, with optional SE/ECA attention,
    anti-aliased stride, stochastic depth and a projection shortcut (optionally average-pooled)."""

    conv: Callable[..., nn.Module]  # ConvNormAct with the network's norm and dtypes bound
    kind: str
    widths: tuple[int, int, int]  # first conv, middle conv, output channels
    stride: int = 1
    downsample: bool = False
    cardinality: int = 1
    down_kernel_size: int = 1
    avg_down: bool = False
    attn_layer: str | None = None
    attn_size: int = 0  # SE bottleneck width or ECA kernel size
    aa_layer: str | None = None
    drop_path: float = 0.0
    dtype: Any = None
    param_dtype: Any = jnp.float32

    @nn.compact
    def __call__(self, x: jax.Array, training: bool) -> jax.Array:
        cna = self.conv
        first, width, out = self.widths
        aa = ANTI_ALIAS[self.aa_layer] if self.aa_layer and self.stride == 2 else None
        if self.aa_layer == "avg" and self.stride == 2 and (x.shape[1] % 2 or x.shape[2] % 2):
            raise ValueError(
                f"aa_layer='avg' needs even feature maps where it downsamples, got {x.shape[1]}×{x.shape[2]} "
                "(timm fails here too); use an input size whose stage sizes halve evenly, e.g. a multiple of 32."
            )
        stride = 1 if aa else self.stride
        zero_init_last = zeros  # timm's zero_init_last: each residual branch starts as identity
        if self.kind == "basic":
            y = cna(first, 3, stride, name="conv1")(x, training)
            y = aa(y) if aa else y
            y = cna(out, 3, act=None, norm_scale_init=zero_init_last, name="conv2")(y, training)
        else:
            y = cna(first, 1, name="conv1")(x, training)
            y = cna(width, 3, stride, groups=self.cardinality, name="conv2")(y, training)
            y = aa(y) if aa else y
            y = cna(out, 1, act=None, norm_scale_init=zero_init_last, name="conv3")(y, training)
        if self.attn_layer == "se":
            y = SqueezeExcite(self.attn_size, self.dtype, self.param_dtype, name="se")(y)
        elif self.attn_layer == "eca":
            y = EfficientChannelAttention(self.attn_size, self.param_dtype, name="se")(y)
        y = DropPath(self.drop_path)(y, training)
        if self.downsample:
            if self.avg_down and self.stride > 1:
                x = avg_pool(x, 2, self.stride, ceil_mode=True, count_include_pad=False)
            kernel = 1 if self.avg_down or self.stride == 1 else self.down_kernel_size
            x = cna(out, kernel, 1 if self.avg_down else self.stride, act=None, name="downsample")(x, training)
        return nn.relu(y + x.astype(y.dtype))


class Stage(nn.Module):
    """A run of blocks (named ``"0"``, ``"1"``, …); the first one strides and projects the shortcut."""

    block: Callable[..., Block]  # Block with the network-wide options bound
    widths: tuple[tuple[int, int, int], ...]
    stride: int
    downsample: bool
    drop_path_rates: tuple[float, ...]

    @nn.compact
    def __call__(self, x: jax.Array, training: bool) -> jax.Array:
        for i, (widths, rate) in enumerate(zip(self.widths, self.drop_path_rates, strict=True)):
            first = i == 0
            block = self.block(
                widths=widths,
                stride=self.stride if first else 1,
                downsample=self.downsample and first,
                drop_path=rate,
                name=str(i),
            )
            x = block(x, training)
        return x


class Stem(nn.Module):
    """7×7 conv or three 3×3 convs ('deep', 'deep_tiered'), then max pool, anti-aliased pool or a strided conv.

    Returns the stem's conv output (timm's first feature) and the pooled output.
    """

    conv: Callable[..., nn.Module]
    stem_width: int = 64
    stem_type: str = ""
    replace_stem_pool: bool = False
    aa_layer: str | None = None

    @nn.compact
    def __call__(self, x: jax.Array, training: bool) -> tuple[jax.Array, jax.Array]:
        cna = self.conv
        width = self.stem_width
        if self.stem_type:
            first = 3 * (width // 4) if self.stem_type == "deep_tiered" else width
            x = cna(first, 3, 2, name="conv1")(x, training)
            x = cna(width, 3, name="conv2")(x, training)
            x = cna(2 * width, 3, name="conv3")(x, training)
        else:
            x = cna(64, 7, 2, name="conv1")(x, training)
        if self.replace_stem_pool:
            pooled = cna(x.shape[-1], 3, 2, name="pool")(x, training)
        elif self.aa_layer == "avg":
            pooled = avg_pool(x, 2, 2)
        elif self.aa_layer == "blur":
            pooled = blur_pool(max_pool(x, 3, 1, 1))
        else:
            pooled = max_pool(x, 3, 2, 1)
        return x, pooled


class ResNet(nn.Module):
    """timm's configurable ResNet: ResNet/ResNeXt/Wide-ResNet, stems b/c/d/s/t, SE/ECA, ResNet-RS, AA/blur-pool."""

    depths: tuple[int, ...]
    n_classes: int = 1000
    block: str | tuple[str, ...] = "bottleneck"
    channels: tuple[int, ...] = (64, 128, 256, 512)
    cardinality: int = 1
    base_width: int = 64
    stem_width: int = 64
    stem_type: str = ""
    replace_stem_pool: bool = False
    block_reduce_first: int = 1
    down_kernel_size: int = 1
    avg_down: bool = False
    attn_layer: str | None = None
    attn_rd_ratio: float = 1 / 16
    aa_layer: str | None = None
    norm_layer: str = "batchnorm"
    pruned_widths: tuple[tuple[int, int, int], ...] | None = None  # per block, overrides the computed widths
    in_chans: int = 3
    drop_rate: float = 0.0
    drop_path_rate: float = 0.0
    grad_checkpointing: bool = False
    remat_policy: str | None = None
    features_only: bool = False  # return the feature maps at out_indices instead of the head's output
    out_indices: int | tuple[int, ...] = (0, 1, 2, 3, 4)  # stem (stride 2), layer1 … layer4
    dtype: Any = None
    param_dtype: Any = jnp.float32

    def feature_modules(self) -> list[str]:
        """timm's module name of each feature map (``feature_info``), in index order."""
        return ["act1", *(f"layer{i + 1}" for i in range(len(self.depths)))]

    def _stage_plans(self) -> list[dict[str, Any]]:
        """Per stage: block kind, per-block widths, stride, whether to project, attention size."""
        kinds = (self.block,) * len(self.depths) if isinstance(self.block, str) else tuple(self.block)
        for kind in kinds:
            check_choice("block", kind, BLOCKS)
        check_choice("stem_type", self.stem_type, STEMS)
        check_choice("attn_layer", self.attn_layer, ATTENTION)
        check_choice("aa_layer", self.aa_layer, (None, *ANTI_ALIAS))
        check_choice("norm_layer", self.norm_layer, NORM_LAYERS)
        if self.replace_stem_pool and self.aa_layer:
            raise ValueError("replace_stem_pool=True with an aa_layer is not supported; set one of them.")
        if len(kinds) != len(self.depths) or len(self.channels) != len(self.depths):
            raise ValueError(f"block, channels and depths need one entry per stage, got {kinds}, {self.channels}.")
        pruned = iter(self.pruned_widths or ())
        plans, in_chs = [], 2 * self.stem_width if self.stem_type else 64
        for i, (kind, planes, depth) in enumerate(zip(kinds, self.channels, self.depths, strict=True)):
            width = int(planes * self.base_width / 64) * self.cardinality
            nominal = planes * EXPANSION[kind]
            first = (planes if kind == "basic" else width) // self.block_reduce_first
            widths = tuple(next(pruned) if self.pruned_widths else (first, width, nominal) for _ in range(depth))
            out = widths[0][2]
            attn_size = eca_kernel_size(nominal) if self.attn_layer == "eca" else se_channels(out, self.attn_rd_ratio)
            stride = 1 if i == 0 else 2
            downsample = stride != 1 or in_chs != out
            plans.append(dict(kind=kind, widths=widths, stride=stride, downsample=downsample, attn_size=attn_size))
            in_chs = out
        return plans

    @nn.compact
    def __call__(self, x: jax.Array, training: bool = False) -> jax.Array | list[jax.Array]:
        check_image_batch(x, self.in_chans, min_size=32)
        dtypes = dict(dtype=self.dtype, param_dtype=self.param_dtype)
        plans = self._stage_plans()
        cna = partial(ConvNormAct, norm=self.norm_layer, **dtypes)
        stem = Stem(cna, self.stem_width, self.stem_type, self.replace_stem_pool, self.aa_layer, name="stem")
        stem_out, x = stem(x.astype(self.dtype or x.dtype), training)
        self.sow("intermediates", "stage_0", stem_out)
        features = [stem_out]
        rates = drop_path_rates(self.drop_path_rate, [len(plan["widths"]) for plan in plans])
        block_cls = checkpointed(Block, self.grad_checkpointing, self.remat_policy)
        for i, plan in enumerate(plans):
            block = partial(
                block_cls,
                cna,
                plan["kind"],
                cardinality=self.cardinality,
                down_kernel_size=self.down_kernel_size,
                avg_down=self.avg_down,
                attn_layer=self.attn_layer,
                attn_size=plan["attn_size"],
                aa_layer=self.aa_layer,
                **dtypes,
            )
            stage = Stage(block, plan["widths"], plan["stride"], plan["downsample"], rates[i], name=f"layer{i + 1}")
            x = stage(x, training)
            self.sow("intermediates", f"stage_{i + 1}", x)
            features.append(x)
        if self.features_only:
            return select(features, self.out_indices)
        if self.n_classes == 0:
            return x
        x = global_avg_pool(x)
        head = ClassifierHead(
            self.n_classes,
            self.drop_rate,
            kernel_init=torch_default_kernel,  # timm leaves ResNet's fc at PyTorch's default init
            bias_init=symmetric_uniform(x.shape[-1] ** -0.5),
            name="head",
            **dtypes,
        )
        return head(x, training)

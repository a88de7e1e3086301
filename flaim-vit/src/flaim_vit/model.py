"""An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale — https://arxiv.org/abs/2010.11929

Weights: licence per pretrained tag (`PretrainedCfg.license`: Apache-2.0, MIT, CC-BY-NC-4.0, Apple ASCL, …).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
from flax import linen as nn

from flaim.errors import check_choice
from flaim.layers.attention import Attention, AttentionPoolLatent
from flaim.layers.dense import Dense
from flaim.layers.drop import DropPath, drop_path_rates
from flaim.layers.features import select
from flaim.layers.head import ClassifierHead
from flaim.layers.init import normal, trunc_normal, zeros
from flaim.layers.input import check_image_batch
from flaim.layers.layer_scale import LayerScale
from flaim.layers.mlp import GluMlp, Mlp, SwiGLU
from flaim.layers.norm import LayerNorm, get_norm
from flaim.layers.params import param
from flaim.layers.patch_embed import PatchEmbed
from flaim.layers.pos_embed import resample_abs_pos_embed
from flaim.layers.remat import checkpointed
from flaim.xla import materialize_gradient

NORM_LAYERS = ("layernorm", "rmsnorm")
MLPS = {"mlp": Mlp, "swiglu_packed": partial(GluMlp, gate_last=False), "swiglu": SwiGLU}
POOLS = ("", "token", "avg", "max", "avgmax", "map")


def global_pool_nlc(x: jax.Array, pool_type: str, num_prefix_tokens: int, include_prefix: bool = False) -> jax.Array:
    """Pool ``(B, N, D)`` tokens to ``(B, D)``: the class token, or the mean / max of the (patch) tokens.

    Args:
        x: tokens, prefix tokens first.
        pool_type: ``'token'``, ``'avg'``, ``'max'``, ``'avgmax'`` or ``''`` (no pooling).
        num_prefix_tokens: class / register / distillation tokens at the front.
        include_prefix: reduce over the prefix tokens too.
    """
    if not pool_type:
        return x
    if pool_type == "token":
        return x[:, 0]
    x = x if include_prefix else x[:, num_prefix_tokens:]
    if pool_type == "avg":
        return x.mean(axis=1)
    if pool_type == "max":
        return x.max(axis=1)
    return 0.5 * (x.max(axis=1) + x.mean(axis=1))


class Block(nn.Module):
    """Pre-norm transformer block: ``x + ls1(attn(norm1(x)))`` then ``x + ls2(mlp(norm2(x)))``, with drop path."""

    num_heads: int
    mlp_ratio: float = 4.0
    qkv_bias: bool = True
    qk_norm: bool = False
    scale_attn_norm: bool = False
    scale_mlp_norm: bool = False
    proj_bias: bool = True
    init_values: float | None = None
    proj_drop: float = 0.0
    attn_drop: float = 0.0
    drop_path: float = 0.0
    norm_layer: Callable[..., nn.Module] = LayerNorm
    act_layer: str = "gelu"
    mlp_layer: str = "mlp"
    dtype: Any = None
    param_dtype: Any = jnp.float32

    def branches(self, dim: int) -> tuple[nn.Module, nn.Module]:
        """The attention and MLP branches, named ``attn`` and ``mlp``."""
        attn = Attention(
            self.num_heads,
            qkv_bias=self.qkv_bias,
            qk_norm=self.qk_norm,
            scale_norm=self.scale_attn_norm,
            proj_bias=self.proj_bias,
            attn_drop=self.attn_drop,
            proj_drop=self.proj_drop,
            norm_layer=self.norm_layer,
            dtype=self.dtype,
            param_dtype=self.param_dtype,
            name="attn",
        )
        mlp = check_choice("mlp_layer", self.mlp_layer, MLPS)(
            int(dim * self.mlp_ratio),
            act_layer=self.act_layer,
            norm_layer=self.norm_layer if self.scale_mlp_norm else None,
            bias=self.proj_bias,
            drop=self.proj_drop,
            dtype=self.dtype,
            param_dtype=self.param_dtype,
            name="mlp",
        )
        return attn, mlp

    @nn.compact
    def __call__(self, x: jax.Array, training: bool = False) -> jax.Array:
        attn, mlp = self.branches(x.shape[-1])
        x = materialize_gradient(x)  # the residual stream's gradient, written once per block
        for i, branch in ((1, attn), (2, mlp)):
            y = branch(self.norm_layer(name=f"norm{i}")(x), training)
            if self.init_values:
                y = LayerScale(self.init_values, self.param_dtype, name=f"ls{i}")(y)
            x = x + DropPath(self.drop_path)(y, training)
        return x


class ResPostBlock(Block):
    """Post-norm residual block: ``x + norm1(attn(x))`` then ``x + norm2(mlp(x))`` (no layer scale; timm starts
    the norm gains at `init_values`, here at one)."""

    @nn.compact
    def __call__(self, x: jax.Array, training: bool = False) -> jax.Array:
        attn, mlp = self.branches(x.shape[-1])
        x = materialize_gradient(x)  # the residual stream's gradient, written once per block
        for i, branch in ((1, attn), (2, mlp)):
            x = x + DropPath(self.drop_path)(self.norm_layer(name=f"norm{i}")(branch(x, training)), training)
        return x


BLOCKS = {"block": Block, "res_post": ResPostBlock}


class DistilledHead(nn.Module):
    """DeiT's two classifiers: ``fc`` on the class token, ``fc_dist`` on the distillation token, averaged."""

    n_classes: int
    drop_rate: float = 0.0
    dtype: Any = None
    param_dtype: Any = jnp.float32

    @nn.compact
    def __call__(self, x: jax.Array, x_dist: jax.Array, training: bool) -> jax.Array:
        if self.n_classes <= 0:
            return (x + x_dist) / 2
        dense = partial(
            Dense,
            self.n_classes,
            dtype=self.dtype,
            param_dtype=self.param_dtype,
            kernel_init=trunc_normal(0.02),
            bias_init=zeros,
        )
        drop = nn.Dropout(self.drop_rate, deterministic=not training)
        return (dense(name="fc")(drop(x)) + dense(name="fc_dist")(drop(x_dist))) / 2


class VisionTransformer(nn.Module):
    """timm's VisionTransformer (and DeiT's distilled variant): patch embedding, prefix tokens, position
    embedding, `depth` blocks, final norm, pooling and head. Arguments follow timm's names.

    ``n_classes``: N > 0 → logits; -1 → pooled pre-logits; 0 → every token after the final norm ``(B, N, D)``.
    """

    n_classes: int = 1000
    img_size: int | tuple[int, int] = 224
    patch_size: int = 16
    in_chans: int = 3
    global_pool: str = "token"
    embed_dim: int = 768
    depth: int = 12
    num_heads: int = 12
    mlp_ratio: float = 4.0
    qkv_bias: bool = True
    qk_norm: bool = False
    proj_bias: bool = True
    init_values: float | None = None
    class_token: bool = True
    reg_tokens: int = 0
    no_embed_class: bool = False
    pre_norm: bool = False
    final_norm: bool = True
    fc_norm: bool | None = None
    pool_include_prefix: bool = False
    dynamic_img_size: bool = False
    scale_attn_norm: bool = False
    scale_mlp_norm: bool = False
    norm_layer: str = "layernorm"
    norm_eps: float = 1e-6
    embed_norm: bool = False
    act_layer: str = "gelu"
    mlp_layer: str = "mlp"
    block_fn: str = "block"
    distilled: bool = False
    drop_rate: float = 0.0
    pos_drop_rate: float = 0.0
    proj_drop_rate: float = 0.0
    attn_drop_rate: float = 0.0
    drop_path_rate: float = 0.0
    grad_checkpointing: bool = False
    remat_policy: str | None = None
    features_only: bool = False  # return NHWC maps of the blocks at out_indices (prefix tokens dropped), no head
    out_indices: int | tuple[int, ...] = 3  # an int n: the last n blocks (timm's default for ViTs)
    features_norm: bool = False  # features_only: the final norm applied to each map (timm's norm=True)
    dtype: Any = None
    param_dtype: Any = jnp.float32

    def feature_modules(self) -> list[str]:
        """timm's module name of each feature map (``feature_info``), in index order."""
        return [f"blocks.{i}" for i in range(self.depth)]

    @property
    def num_prefix_tokens(self) -> int:
        """Class, distillation and register tokens in front of the patch tokens."""
        return int(self.class_token) + int(self.distilled) + self.reg_tokens

    @property
    def grid_size(self) -> tuple[int, int]:
        """The patch grid of `img_size`, which the position embedding is stored at."""
        h, w = (self.img_size, self.img_size) if isinstance(self.img_size, int) else self.img_size
        return h // self.patch_size, w // self.patch_size

    @property
    def pos_embed_prefix(self) -> int:
        """Prefix tokens that carry a position embedding (none with `no_embed_class`)."""
        return 0 if self.no_embed_class else self.num_prefix_tokens

    def _check(self, x: jax.Array) -> None:
        check_image_batch(x, self.in_chans, self.patch_size, self.patch_size if self.dynamic_img_size else 1)
        check_choice("global_pool", self.global_pool, POOLS)
        if self.global_pool == "token" and not self.class_token:
            raise ValueError("global_pool='token' needs class_token=True; use 'avg' or 'map'.")
        if self.distilled and self.global_pool != "token":
            raise ValueError(f"The distilled head reads the class and distillation tokens, not '{self.global_pool}'.")
        size = (self.img_size, self.img_size) if isinstance(self.img_size, int) else tuple(self.img_size)
        if not self.dynamic_img_size and tuple(x.shape[1:3]) != size:
            raise ValueError(
                f"Input {x.shape[1]}×{x.shape[2]} does not match img_size {size[0]}×{size[1]}; build the model "
                f"with img_size={x.shape[1]} or dynamic_img_size=True."
            )

    def _embed(self, x: jax.Array, norm: Callable[..., nn.Module], training: bool) -> jax.Array:
        """Patches → tokens with prefix tokens and position embedding."""
        x = PatchEmbed(
            self.patch_size,
            self.embed_dim,
            bias=not self.pre_norm,
            norm_layer=norm if self.embed_norm else None,
            dtype=self.dtype,
            param_dtype=self.param_dtype,
            name="patch_embed",
        )(x)
        b, gh, gw, d = x.shape
        x = x.reshape(b, gh * gw, d)
        tiny, trunc = normal(1e-6), trunc_normal(0.02)
        prefix = []
        if self.class_token:
            prefix.append(param(self, "cls_token", tiny, (1, 1, d), self.param_dtype))
        if self.distilled:
            prefix.append(param(self, "dist_token", trunc, (1, 1, d), self.param_dtype))
        if self.reg_tokens:
            prefix.append(param(self, "reg_token", tiny, (1, self.reg_tokens, d), self.param_dtype))
        prefix = [jnp.broadcast_to(t, (b, *t.shape[1:])).astype(x.dtype) for t in prefix]
        grid = self.grid_size
        pos = param(self, "pos_embed", trunc, (1, self.pos_embed_prefix + grid[0] * grid[1], d), self.param_dtype)
        pos = resample_abs_pos_embed(pos, (gh, gw), grid, self.pos_embed_prefix).astype(x.dtype)
        if self.no_embed_class:
            x = jnp.concatenate([*prefix, x + pos], axis=1)
        else:
            x = jnp.concatenate([*prefix, x], axis=1) + pos
        return nn.Dropout(self.pos_drop_rate, deterministic=not training)(x)

    @nn.compact
    def __call__(self, x: jax.Array, training: bool = False) -> jax.Array | list[jax.Array]:
        self._check(x)
        batch, grid = x.shape[0], (x.shape[1] // self.patch_size, x.shape[2] // self.patch_size)
        norm = partial(
            get_norm(check_choice("norm_layer", self.norm_layer, NORM_LAYERS)),
            eps=self.norm_eps,
            dtype=self.dtype,
            param_dtype=self.param_dtype,
        )
        x = self._embed(jnp.asarray(x, self.dtype), norm, training)
        if self.pre_norm:
            x = norm(name="norm_pre")(x)
        self.sow("intermediates", "block_0", x)

        block = checkpointed(
            check_choice("block_fn", self.block_fn, BLOCKS), self.grad_checkpointing, self.remat_policy
        )
        blocks = []
        for i, drop_path in enumerate(drop_path_rates(self.drop_path_rate, (self.depth,))[0]):
            x = block(
                self.num_heads,
                mlp_ratio=self.mlp_ratio,
                qkv_bias=self.qkv_bias,
                qk_norm=self.qk_norm,
                scale_attn_norm=self.scale_attn_norm,
                scale_mlp_norm=self.scale_mlp_norm,
                proj_bias=self.proj_bias,
                init_values=self.init_values,
                proj_drop=self.proj_drop_rate,
                attn_drop=self.attn_drop_rate,
                drop_path=drop_path,
                norm_layer=norm,
                act_layer=self.act_layer,
                mlp_layer=self.mlp_layer,
                dtype=self.dtype,
                param_dtype=self.param_dtype,
                name=f"blocks_{i}",
            )(x, training)
            self.sow("intermediates", f"block_{i + 1}", x)
            blocks.append(x)

        use_fc_norm = self.global_pool in ("avg", "avgmax", "max") if self.fc_norm is None else self.fc_norm
        if self.features_only:
            final = norm(name="norm") if self.features_norm and self.final_norm and not use_fc_norm else None
            return [
                (final(t) if final else t)[:, self.num_prefix_tokens :].reshape(batch, *grid, -1)
                for t in select(blocks, self.out_indices)
            ]
        if self.final_norm and not use_fc_norm:
            x = norm(name="norm")(x)
        if self.n_classes == 0:
            return x
        if self.distilled:
            return DistilledHead(self.n_classes, self.drop_rate, self.dtype, self.param_dtype, name="head")(
                x[:, 0], x[:, 1], training
            )
        if self.global_pool == "map":
            tokens = x if self.pool_include_prefix else x[:, self.num_prefix_tokens :]
            x = AttentionPoolLatent(
                self.num_heads,
                self.mlp_ratio,
                norm_layer=norm,
                act_layer=self.act_layer,
                dtype=self.dtype,
                param_dtype=self.param_dtype,
                name="attn_pool",
            )(tokens)
        else:
            x = global_pool_nlc(x, self.global_pool, self.num_prefix_tokens, self.pool_include_prefix)
        if self.final_norm and use_fc_norm:
            x = norm(name="fc_norm")(x)
        return ClassifierHead(self.n_classes, self.drop_rate, self.dtype, self.param_dtype, name="head")(x, training)

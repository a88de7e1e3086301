"""timm ViT / DeiT state dict → flax variables, and the position embedding resampled to the model's grid."""

from __future__ import annotations

from typing import Any

import numpy as np
from flax import linen as nn

from flaim.convert import Rule, apply_rules, conv_kernel, linear_kernel
from flaim.errors import WeightsError
from flaim.layers.pos_embed import resample_abs_pos_embed


def _linear(timm: str, flax: str) -> list[Rule]:
    return [
        Rule(rf"{timm}\.weight", f"params/{flax}/kernel", linear_kernel),
        Rule(rf"{timm}\.bias", f"params/{flax}/bias"),
    ]


def _norm(timm: str, flax: str) -> list[Rule]:
    return [Rule(rf"{timm}\.weight", f"params/{flax}/scale"), Rule(rf"{timm}\.bias", f"params/{flax}/bias")]


_BLOCK = r"blocks\.(\d+)"
_MLP = r"(fc1|fc2|fc1_g|fc1_x)"

RULES: list[Rule] = [
    Rule(r"(cls_token|reg_token|dist_token|pos_embed)", r"params/\1"),
    Rule(r"patch_embed\.proj\.weight", "params/patch_embed/proj/kernel", conv_kernel),
    Rule(r"patch_embed\.proj\.bias", "params/patch_embed/proj/bias"),
    *_norm(r"patch_embed\.norm", "patch_embed/norm"),
    *_norm(r"(norm_pre|norm|fc_norm)", r"\1"),
    *_norm(rf"{_BLOCK}\.(norm1|norm2)", r"blocks_\1/\2"),
    *_linear(rf"{_BLOCK}\.attn\.(qkv|proj)", r"blocks_\1/attn/\2"),
    *_norm(rf"{_BLOCK}\.attn\.(q_norm|k_norm|norm)", r"blocks_\1/attn/\2"),
    *_linear(rf"{_BLOCK}\.mlp\.{_MLP}", r"blocks_\1/mlp/\2"),
    *_norm(rf"{_BLOCK}\.mlp\.norm", r"blocks_\1/mlp/norm"),
    Rule(rf"{_BLOCK}\.ls(1|2)\.gamma", r"params/blocks_\1/ls\2/gamma"),
    Rule(rf"{_BLOCK}\.gamma_(1|2)", r"params/blocks_\1/ls\2/gamma"),  # DeiT-3's original layout
    Rule(r"attn_pool\.latent", "params/attn_pool/latent"),
    *_linear(r"attn_pool\.(q|kv|proj)", r"attn_pool/\1"),
    *_norm(r"attn_pool\.norm", "attn_pool/norm"),
    *_linear(r"attn_pool\.mlp\.(fc1|fc2)", r"attn_pool/mlp/\1"),
    *_linear(r"head", "head/fc"),
    *_linear(r"head_dist", "head/fc_dist"),
]


def rules(model: nn.Module) -> list[Rule]:
    """The rules for any ViT (`model` is not needed: the table covers every variant)."""
    return RULES


def timm_to_flax(state: dict[str, np.ndarray], model: nn.Module) -> dict[str, Any]:
    """Map a timm VisionTransformer state dict to flax variables for `model`.

    The position embedding is resampled to the model's patch grid (``img_size // patch_size``) as timm does at
    load: bicubic, antialiased, prefix tokens kept, from the square grid the checkpoint holds.

    Raises:
        WeightsError: keys no rule places, or a position embedding that is not a square grid.
    """
    variables = apply_rules(state, RULES)
    params = variables.get("params", {})
    grid = model.grid_size
    if "pos_embed" in params and params["pos_embed"].shape[1] != model.pos_embed_prefix + grid[0] * grid[1]:
        try:
            params["pos_embed"] = resample_abs_pos_embed(
                params["pos_embed"], grid, num_prefix_tokens=model.pos_embed_prefix
            )
        except ValueError as exc:
            raise WeightsError(f"cannot fit the position embedding to the model: {exc}") from None
    return variables

"""timm convnext state dict → flaim variables, as declarative rules."""

from __future__ import annotations

from typing import Any

import numpy as np
from flax import linen as nn

from flaim.convert import Rule, Transform, apply_rules, conv_kernel, linear_kernel, squeeze_kernel

# timm's stem is an nn.Sequential: its conv/norm indices depend on the stem type (an activation takes a slot).
_STEM_LAYERS = {
    "patch": ("conv1", "norm"),
    "overlap": ("conv1", "conv2", "norm"),
    "overlap_tiered": ("conv1", "conv2", "norm"),
    "overlap_act": ("conv1", None, "conv2", "norm"),
}
_BLOCK, _FLAX_BLOCK = r"stages\.(\d+)\.blocks\.(\d+)", r"stages_\1/blocks_\2"


def _norm(timm: str, flax: str) -> list[Rule]:
    return [Rule(rf"{timm}\.weight", f"params/{flax}/scale"), Rule(rf"{timm}\.bias", f"params/{flax}/bias")]


def _layer(timm: str, flax: str, kernel: Transform) -> list[Rule]:
    return [Rule(rf"{timm}\.weight", f"params/{flax}/kernel", kernel), Rule(rf"{timm}\.bias", f"params/{flax}/bias")]


def rules(model: nn.Module) -> list[Rule]:
    """The rules for `model`: its ``stem_type`` places the stem layers, ``conv_mlp`` gives the MLP's layout."""
    stem = [
        rule
        for index, name in enumerate(_STEM_LAYERS[model.stem_type])
        if name
        for rule in (
            _norm(rf"stem\.{index}", f"stem/{name}")
            if name == "norm"
            else _layer(rf"stem\.{index}", f"stem/{name}", conv_kernel)
        )
    ]
    return [
        *stem,
        *_norm(r"stages\.(\d+)\.downsample\.0", r"stages_\1/downsample_norm"),
        *_layer(r"stages\.(\d+)\.downsample\.1", r"stages_\1/downsample", conv_kernel),
        *_layer(rf"{_BLOCK}\.conv_dw", f"{_FLAX_BLOCK}/conv_dw", conv_kernel),
        *_norm(rf"{_BLOCK}\.norm", f"{_FLAX_BLOCK}/norm"),
        *_layer(
            rf"{_BLOCK}\.mlp\.(fc\d)", rf"{_FLAX_BLOCK}/mlp/\3", squeeze_kernel if model.conv_mlp else linear_kernel
        ),
        *_norm(rf"{_BLOCK}\.mlp\.grn", f"{_FLAX_BLOCK}/mlp/grn"),
        Rule(rf"{_BLOCK}\.gamma", f"params/{_FLAX_BLOCK}/gamma"),
        *_norm("norm_pre", "norm_pre"),
        *_norm(r"head\.norm", "head_norm"),
        *_layer(r"head\.pre_logits\.fc", "head_pre_logits", linear_kernel),
        *_layer(r"head\.fc", "head/fc", linear_kernel),
    ]


def timm_to_flax(state: dict[str, np.ndarray], model: nn.Module) -> dict[str, Any]:
    """Convert a timm ConvNeXt state dict to variables for `model` (its ``stem_type`` places the stem layers).

    Checkpoints without a head norm (ConvNeXt-V2 ``fcmae`` pretraining) get timm's initial one (ones, zeros), which
    is what timm keeps when it loads them non-strictly.
    """
    if not model.head_norm_first and "head.norm.weight" not in state:
        width = model.dims[-1]
        state = {**state, "head.norm.weight": np.ones(width, np.float32)}
        if model.norm_layer == "layernorm":
            state["head.norm.bias"] = np.zeros(width, np.float32)
    return apply_rules(state, rules(model))

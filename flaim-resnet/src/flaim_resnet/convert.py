"""timm resnet state dict → flaim `ResNet` variables, as declarative rules."""

from __future__ import annotations

from typing import Any

import numpy as np

from flaim.convert import Rule, apply_rules, batchnorm, conv_kernel, identity, inverse, linear_kernel, squeeze_kernel
from flaim_resnet.model import ResNet


def eca_weight(x: np.ndarray) -> np.ndarray:
    """ECA kernel (k,) → PyTorch ``Conv1d(1, 1, k)`` weight (1, 1, k)."""
    return x[None, None]


@inverse(eca_weight)
def eca_kernel(x: np.ndarray) -> np.ndarray:
    """PyTorch ``Conv1d(1, 1, k)`` weight (1, 1, k) → ECA kernel (k,)."""
    return x[0, 0]


def conv_norm(timm_conv: str, timm_norm: str, flax_prefix: str) -> list[Rule]:
    """A timm conv + norm pair → one flaim `ConvNormAct` (``conv`` / ``norm``); GroupNorm has no running stats."""
    return [
        Rule(rf"{timm_conv}\.weight", f"params/{flax_prefix}/conv/kernel", conv_kernel),
        *batchnorm(timm_norm, f"{flax_prefix}/norm"),
    ]


def rules(model: ResNet) -> list[Rule]:
    """The rules for `model`'s stem, shortcut and attention options."""
    block = r"layer(\d)\.(\d+)"
    out = [
        *conv_norm(rf"{block}\.conv(\d)", rf"{block}\.bn(\d)", r"layer\1/\2/conv\3"),
        Rule(rf"{block}\.se\.fc(\d)\.weight", r"params/layer\1/\2/se/fc\3/kernel", squeeze_kernel),
        Rule(rf"{block}\.se\.fc(\d)\.bias", r"params/layer\1/\2/se/fc\3/bias", identity),
        Rule(rf"{block}\.se\.conv\.weight", r"params/layer\1/\2/se/kernel", eca_kernel),
        Rule(r"fc\.weight", "params/head/fc/kernel", linear_kernel),
        Rule(r"fc\.bias", "params/head/fc/bias"),
        *conv_norm(r"maxpool\.0", r"maxpool\.1", "stem/pool"),
    ]
    down = (r"downsample\.1", r"downsample\.2") if model.avg_down else (r"downsample\.0", r"downsample\.1")
    out += conv_norm(rf"{block}\.{down[0]}", rf"{block}\.{down[1]}", r"layer\1/\2/downsample")
    if model.stem_type:
        out += conv_norm(r"conv1\.0", r"conv1\.1", "stem/conv1")
        out += conv_norm(r"conv1\.3", r"conv1\.4", "stem/conv2")
        out += conv_norm(r"conv1\.6", "bn1", "stem/conv3")
    else:
        out += conv_norm("conv1", "bn1", "stem/conv1")
    return out


def timm_to_flax(state: dict[str, np.ndarray], model: ResNet) -> dict[str, Any]:
    """Convert a timm resnet ``state_dict`` (numpy) to ``{"params": ..., "batch_stats": ...}``."""
    return apply_rules(state, rules(model))

"""Registers timm's resnet family with flaim (imports the configs table only, no jax)."""

from __future__ import annotations

from flaim import ModelSpec, hookimpl
from flaim_resnet.configs import ARCHS, TAGS

GROUPS = {"stem": r"stem/", "blocks": r"layer(\d+)/(\d+)/"}  # timm's ResNet.group_matcher, as flax paths


@hookimpl
def flaim_models() -> list[ModelSpec]:
    """One spec per architecture in `configs.ARCHS`, with its pretrained tags."""
    return [
        ModelSpec(
            name=name,
            family="resnet",
            builder="flaim_resnet.model:ResNet",
            converter="flaim_resnet.convert:timm_to_flax",
            rules="flaim_resnet.convert:rules",
            model_args=args,
            pretrained=TAGS[name],
            classifier="head/fc",
            group_matcher=GROUPS,
        )
        for name, args in ARCHS.items()
    ]

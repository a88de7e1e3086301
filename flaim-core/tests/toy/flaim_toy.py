"""A complete toy family plugin used by the core tests: the hook, free of jax imports."""

from __future__ import annotations

from flaim import ModelSpec, PretrainedCfg, hookimpl


@hookimpl
def flaim_models() -> list[ModelSpec]:
    return [
        ModelSpec(
            name="toynet",
            family="toy",
            builder="flaim_toy_model:ToyNet",
            converter="flaim_toy_model:timm_to_flax",
            rules="flaim_toy_model:rules",
            classifier="head/fc",
            pretrained=(PretrainedCfg(tag="in10", num_classes=10), PretrainedCfg(tag="wide", num_classes=10)),
        )
    ]

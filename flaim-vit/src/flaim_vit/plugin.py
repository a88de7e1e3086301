"""Registers the vit models (timm's vision_transformer.py and deit.py) with flaim."""

from flaim import ModelSpec, hookimpl
from flaim_vit.configs import ARCHS, TAGS


@hookimpl
def flaim_models() -> list[ModelSpec]:
    """One spec per architecture row, with its pretrained tags."""
    return [
        ModelSpec(
            name=name,
            family="vit",
            builder="flaim_vit.model:VisionTransformer",
            converter="flaim_vit.convert:timm_to_flax",
            rules="flaim_vit.convert:rules",
            model_args=args,
            pretrained=TAGS.get(name, ()),
            classifier="head" if args.get("distilled") else "head/fc",
            hierarchical=False,
        )
        for name, args in ARCHS.items()
    ]

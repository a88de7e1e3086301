"""Registers the convnext models with flaim."""

from flaim import ModelSpec, hookimpl
from flaim_convnext.configs import ARCHS, TAGS


@hookimpl
def flaim_models() -> list[ModelSpec]:
    """Every ConvNeXt / ConvNeXt-V2 architecture of timm's ``convnext.py``, with its pretrained tags."""
    return [
        ModelSpec(
            name=name,
            family="convnext",
            builder="flaim_convnext.model:ConvNeXt",
            converter="flaim_convnext.convert:timm_to_flax",
            rules="flaim_convnext.convert:rules",
            model_args=args,
            pretrained=TAGS.get(name, ()),
            classifier="head/fc",
        )
        for name, args in ARCHS.items()
    ]

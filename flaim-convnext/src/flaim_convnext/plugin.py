"""Registers the convnext models with flaim."""

from flaim import ModelSpec, hookimpl
from flaim_convnext.configs import ARCHS, TAGS

# timm's ConvNeXt.group_matcher, as flax paths: a stage's downsampling joins its first block, norm_pre the last.
GROUPS = {
    "stem": r"stem/",
    "blocks": ((r"stages_(\d+)/downsample", (0,)), (r"stages_(\d+)/blocks_(\d+)/", None), (r"norm_pre/", (99999,))),
}


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
            group_matcher=GROUPS,
        )
        for name, args in ARCHS.items()
    ]

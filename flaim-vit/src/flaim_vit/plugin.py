"""Registers the vit models (timm's vision_transformer.py and deit.py) with flaim."""

from flaim import ModelSpec, hookimpl
from flaim_vit.configs import ARCHS, TAGS

# timm's VisionTransformer.group_matcher, as flax paths: embeddings first, one group per block, the final norm
# with the last block, the head (fc_norm, attention pool, classifier) after.
GROUPS = {
    "stem": r"(?:cls_token|reg_token|dist_token|pos_embed|patch_embed|norm_pre)\b",
    "blocks": ((r"blocks_(\d+)/", None), (r"norm/", (99999,))),
}


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
            group_matcher=GROUPS,
            no_weight_decay=("pos_embed", "cls_token", "reg_token", "dist_token"),
        )
        for name, args in ARCHS.items()
    ]

"""The vit family as data: per timm architecture, its `VisionTransformer` arguments next to its pretrained tags.

Rows come from timm 1.0.31's registry (`vision_transformer.py` and `deit.py`; tags in `default_cfgs` order, the first
is timm's default). ``img_size`` is the default tag's input size, as timm builds the model for it. Rows name only
what differs from ViT-Base (``embed_dim=768, depth=12, num_heads=12, mlp_ratio=4``) through the bundles below.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from flaim.specs import CLIP_MEAN, CLIP_STD, INCEPTION_MEAN, INCEPTION_STD, PretrainedCfg

# Widths, by timm's size names.
_TINY = dict(embed_dim=192, num_heads=3)
_SMALL = dict(embed_dim=384, num_heads=6)
_MEDIUM = dict(embed_dim=512, num_heads=8)
_BETWIXT = dict(embed_dim=640, num_heads=10)
_LARGE = dict(embed_dim=1024, depth=24, num_heads=16)
_HUGE = dict(embed_dim=1280, depth=32, num_heads=16)
_GIANT = dict(embed_dim=1408, depth=40, num_heads=16, mlp_ratio=4.363636363636363)
_GIANT_SWIGLU = dict(
    embed_dim=1536, depth=40, num_heads=24, mlp_ratio=5.33334, act_layer="silu", mlp_layer="swiglu_packed"
)
_GIANTOPT = dict(embed_dim=1536, depth=40, num_heads=16)
_GIGANTIC = dict(embed_dim=1664, depth=48, num_heads=16, mlp_ratio=4.923076923076923)
_LITTLE = dict(embed_dim=320, depth=14, num_heads=5, mlp_ratio=5.6)
_SO150M = dict(embed_dim=896, depth=18, num_heads=14, mlp_ratio=2.572)
_SO150M2 = dict(embed_dim=832, depth=21, num_heads=13, mlp_ratio=2.6153846153846154)
_SO400M = dict(embed_dim=1152, depth=27, num_heads=16, mlp_ratio=3.7362)
_AIMV2_LARGE = dict(embed_dim=1024, depth=24, num_heads=8, mlp_ratio=2.75)
_AIMV2_HUGE = dict(embed_dim=1536, depth=24, mlp_ratio=2.6667)
_AIMV2_1B = dict(embed_dim=2048, depth=24, num_heads=16, mlp_ratio=2.75)
_AIMV2_3B = dict(embed_dim=3072, depth=24, num_heads=24, mlp_ratio=2.6667)

# What a family of checkpoints shares.
# Apple AIMv2: RMSNorm, SwiGLU, no biases, average pool.
_AIMV2 = dict(
    qkv_bias=False,
    proj_bias=False,
    class_token=False,
    global_pool="avg",
    fc_norm=False,
    norm_layer="rmsnorm",
    norm_eps=1e-05,
    embed_norm=True,
    act_layer="silu",
    mlp_layer="swiglu",
)
# BEiT-3: Magneto's extra norms.
_BEIT3 = dict(global_pool="avg", scale_attn_norm=True, scale_mlp_norm=True, norm_eps=1e-05)
_CLIP = dict(pre_norm=True, norm_eps=1e-05)  # OpenCLIP / OpenAI image towers
_MAP = dict(class_token=False, global_pool="map")  # SigLIP: attention-pool head
_GAP = dict(class_token=False, global_pool="avg", fc_norm=False)  # average pool, no class token
# timm's "searching for better baselines" models with register tokens.
_SBB = dict(init_values=1e-05, class_token=False, no_embed_class=True, global_pool="avg")
_DINOV2_REG = dict(init_values=1e-05, no_embed_class=True)  # DINOv2 with registers
_TIPS = dict(init_values=1.0, reg_tokens=1, no_embed_class=True)  # Google TIPSv2
_DEIT3 = dict(init_values=1e-06, no_embed_class=True)  # DeiT III

# Pretrained tags (timm's `_cfg`): the normalisation the weights expect, and what their head predicts.
_cfg = PretrainedCfg
_clip = partial(PretrainedCfg, mean=CLIP_MEAN, std=CLIP_STD)
_inception = partial(PretrainedCfg, mean=INCEPTION_MEAN, std=INCEPTION_STD)
_aimv2 = partial(_clip, num_classes=0, crop_pct=1.0, label_set=None, license="apple-ascl")  # image features
_siglip = partial(_inception, num_classes=0, crop_pct=0.9, label_set=None)  # image features
_IN12K = dict(num_classes=11821, label_set="imagenet-12k")
_IN21K = dict(num_classes=21843, label_set="imagenet-21k-goog")
_NO_HEAD = dict(num_classes=0, label_set=None)

MODELS: dict[str, tuple[dict[str, Any], tuple[PretrainedCfg, ...]]] = {
    "aimv2_1b_patch14_224": (dict(img_size=224, patch_size=14, **_AIMV2_1B, **_AIMV2), (_aimv2("apple_pt"),)),
    "aimv2_1b_patch14_336": (
        dict(img_size=336, patch_size=14, **_AIMV2_1B, **_AIMV2),
        (_aimv2("apple_pt", input_size=(3, 336, 336)),),
    ),
    "aimv2_1b_patch14_448": (
        dict(img_size=448, patch_size=14, **_AIMV2_1B, **_AIMV2),
        (_aimv2("apple_pt", input_size=(3, 448, 448)),),
    ),
    "aimv2_3b_patch14_224": (dict(img_size=224, patch_size=14, **_AIMV2_3B, **_AIMV2), (_aimv2("apple_pt"),)),
    "aimv2_3b_patch14_336": (
        dict(img_size=336, patch_size=14, **_AIMV2_3B, **_AIMV2),
        (_aimv2("apple_pt", input_size=(3, 336, 336)),),
    ),
    "aimv2_3b_patch14_448": (
        dict(img_size=448, patch_size=14, **_AIMV2_3B, **_AIMV2),
        (_aimv2("apple_pt", input_size=(3, 448, 448)),),
    ),
    "aimv2_huge_patch14_224": (dict(img_size=224, patch_size=14, **_AIMV2_HUGE, **_AIMV2), (_aimv2("apple_pt"),)),
    "aimv2_huge_patch14_336": (
        dict(img_size=336, patch_size=14, **_AIMV2_HUGE, **_AIMV2),
        (_aimv2("apple_pt", input_size=(3, 336, 336)),),
    ),
    "aimv2_huge_patch14_448": (
        dict(img_size=448, patch_size=14, **_AIMV2_HUGE, **_AIMV2),
        (_aimv2("apple_pt", input_size=(3, 448, 448)),),
    ),
    "aimv2_large_patch14_224": (
        dict(img_size=224, patch_size=14, **_AIMV2_LARGE, **_AIMV2),
        (_aimv2("apple_pt"), _aimv2("apple_pt_dist")),
    ),
    "aimv2_large_patch14_336": (
        dict(img_size=336, patch_size=14, **_AIMV2_LARGE, **_AIMV2),
        (_aimv2("apple_pt", input_size=(3, 336, 336)), _aimv2("apple_pt_dist", input_size=(3, 336, 336))),
    ),
    "aimv2_large_patch14_448": (
        dict(img_size=448, patch_size=14, **_AIMV2_LARGE, **_AIMV2),
        (_aimv2("apple_pt", input_size=(3, 448, 448)),),
    ),
    "beit3_base_patch16_224": (
        dict(img_size=224, **_BEIT3),
        (
            _cfg("in22k_ft_in1k", crop_pct=1.0),
            _cfg("indomain_in22k_ft_in1k", crop_pct=1.0),
            _cfg("pt", **_NO_HEAD, crop_pct=1.0),
            _cfg("indomain_pt", **_NO_HEAD, crop_pct=1.0),
        ),
    ),
    "beit3_large_patch16_224": (
        dict(img_size=224, **_LARGE, **_BEIT3),
        (
            _cfg("in22k_ft_in1k", crop_pct=1.0),
            _cfg("indomain_in22k_ft_in1k", crop_pct=1.0),
            _cfg("pt", **_NO_HEAD, crop_pct=1.0),
            _cfg("indomain_pt", **_NO_HEAD, crop_pct=1.0),
        ),
    ),
    "eva_large_patch14_196": (
        dict(img_size=196, patch_size=14, **_LARGE, global_pool="avg"),
        (
            _clip("in22k_ft_in22k_in1k", input_size=(3, 196, 196), crop_pct=1.0, license="mit"),
            _clip("in22k_ft_in1k", input_size=(3, 196, 196), crop_pct=1.0, license="mit"),
        ),
    ),
    "eva_large_patch14_336": (
        dict(img_size=336, patch_size=14, **_LARGE, global_pool="avg"),
        (
            _clip("in22k_ft_in22k_in1k", input_size=(3, 336, 336), crop_pct=1.0, crop_mode="squash", license="mit"),
            _clip("in22k_ft_in1k", input_size=(3, 336, 336), crop_pct=1.0, crop_mode="squash", license="mit"),
        ),
    ),
    "flexivit_base": (
        dict(img_size=240, no_embed_class=True),
        (
            _inception("1200ep_in1k", input_size=(3, 240, 240), crop_pct=0.95),
            _inception("600ep_in1k", input_size=(3, 240, 240), crop_pct=0.95),
            _inception("300ep_in1k", input_size=(3, 240, 240), crop_pct=0.95),
            _inception("1000ep_in21k", **_IN21K, input_size=(3, 240, 240), crop_pct=0.95),
            _inception("300ep_in21k", **_IN21K, input_size=(3, 240, 240), crop_pct=0.95),
            _inception("patch16_in21k", **_IN21K, input_size=(3, 240, 240), crop_pct=0.95),
            _inception("patch30_in21k", **_IN21K, input_size=(3, 240, 240), crop_pct=0.95),
        ),
    ),
    "flexivit_large": (
        dict(img_size=240, **_LARGE, no_embed_class=True),
        (
            _inception("1200ep_in1k", input_size=(3, 240, 240), crop_pct=0.95),
            _inception("600ep_in1k", input_size=(3, 240, 240), crop_pct=0.95),
            _inception("300ep_in1k", input_size=(3, 240, 240), crop_pct=0.95),
        ),
    ),
    "flexivit_small": (
        dict(img_size=240, **_SMALL, no_embed_class=True),
        (
            _inception("1200ep_in1k", input_size=(3, 240, 240), crop_pct=0.95),
            _inception("600ep_in1k", input_size=(3, 240, 240), crop_pct=0.95),
            _inception("300ep_in1k", input_size=(3, 240, 240), crop_pct=0.95),
        ),
    ),
    "test_vit": (
        dict(img_size=160, embed_dim=64, depth=6, num_heads=2, mlp_ratio=3, dynamic_img_size=True),
        (_inception("r160_in1k", input_size=(3, 160, 160), crop_pct=0.95),),
    ),
    "test_vit2": (
        dict(
            img_size=160,
            embed_dim=64,
            depth=8,
            num_heads=2,
            mlp_ratio=3,
            init_values=1e-05,
            class_token=False,
            reg_tokens=1,
            global_pool="avg",
            dynamic_img_size=True,
        ),
        (_inception("r160_in1k", input_size=(3, 160, 160), crop_pct=0.95),),
    ),
    "test_vit3": (
        dict(
            img_size=160,
            embed_dim=96,
            depth=9,
            num_heads=3,
            mlp_ratio=2,
            init_values=1e-05,
            class_token=False,
            reg_tokens=1,
            global_pool="map",
            pool_include_prefix=True,
        ),
        (_inception("r160_in1k", input_size=(3, 160, 160), crop_pct=0.95),),
    ),
    "vit_base_patch8_224": (
        dict(img_size=224, patch_size=8),
        (
            _inception("augreg2_in21k_ft_in1k", crop_pct=0.9),
            _inception("augreg_in21k_ft_in1k", crop_pct=0.9),
            _inception("augreg_in21k", **_IN21K, crop_pct=0.9),
            _cfg("dino", **_NO_HEAD, crop_pct=0.9),
        ),
    ),
    "vit_base_patch14_dinov2": (
        dict(img_size=518, patch_size=14, init_values=1e-05),
        (_cfg("lvd142m", **_NO_HEAD, input_size=(3, 518, 518), crop_pct=1.0),),
    ),
    "vit_base_patch14_reg1_tipsv2": (
        dict(img_size=448, patch_size=14, **_TIPS),
        (_cfg("webli", **_NO_HEAD, input_size=(3, 448, 448), mean=(0.0, 0.0, 0.0), std=(1.0, 1.0, 1.0), crop_pct=1.0),),
    ),
    "vit_base_patch14_reg4_dinov2": (
        dict(img_size=518, patch_size=14, **_DINOV2_REG, reg_tokens=4),
        (_cfg("lvd142m", **_NO_HEAD, input_size=(3, 518, 518), crop_pct=1.0),),
    ),
    "vit_base_patch16_224": (
        dict(img_size=224),
        (
            _inception("augreg2_in21k_ft_in1k", crop_pct=0.9),
            _inception("augreg_in21k_ft_in1k", crop_pct=0.9),
            _inception("orig_in21k_ft_in1k", crop_pct=0.9),
            _inception("augreg_in1k", crop_pct=0.9),
            _inception("orig_in21k", **_NO_HEAD, crop_pct=0.9),
            _inception("augreg_in21k", **_IN21K, crop_pct=0.9),
            _inception("sam_in1k", crop_pct=0.9),
            _clip("bamboo", num_classes=115217, crop_pct=1.0, label_set=None, license=None),
            _cfg("dino", **_NO_HEAD, crop_pct=0.9),
            _cfg("mae", **_NO_HEAD, crop_pct=0.9, license="cc-by-nc-4.0"),
        ),
    ),
    "vit_base_patch16_224_miil": (
        dict(img_size=224, qkv_bias=False),
        (
            _cfg(
                "in21k",
                num_classes=11221,
                mean=(0.0, 0.0, 0.0),
                std=(1.0, 1.0, 1.0),
                interpolation="bilinear",
                label_set="imagenet-21k-miil",
            ),
            _cfg("in21k_ft_in1k", mean=(0.0, 0.0, 0.0), std=(1.0, 1.0, 1.0), interpolation="bilinear"),
        ),
    ),
    "vit_base_patch16_384": (
        dict(img_size=384),
        (
            _inception("augreg_in21k_ft_in1k", input_size=(3, 384, 384), crop_pct=1.0),
            _inception("orig_in21k_ft_in1k", input_size=(3, 384, 384), crop_pct=1.0),
            _inception("augreg_in1k", input_size=(3, 384, 384), crop_pct=1.0),
        ),
    ),
    "vit_base_patch16_clip_224": (
        dict(img_size=224, **_CLIP),
        (
            _clip("laion2b_ft_in12k_in1k", crop_pct=0.95),
            _clip("openai_ft_in12k_in1k", crop_pct=0.95),
            _clip("laion2b_ft_in1k", crop_pct=1.0),
            _clip("openai_ft_in1k", crop_pct=0.9),
            _clip("laion2b_ft_in12k", **_IN12K, crop_pct=0.9),
            _clip("openai_ft_in12k", **_IN12K, crop_pct=0.9),
            _clip("laion2b", num_classes=512, crop_pct=1.0, label_set=None),
            _clip("laion400m_e32", num_classes=512, crop_pct=1.0, label_set=None, license="mit"),
            _clip("datacompxl", num_classes=512, crop_pct=1.0, label_set=None),
            _clip("dfn2b", num_classes=512, crop_pct=1.0, label_set=None, license="apple-ascl"),
            _clip("metaclip_2pt5b", num_classes=512, crop_pct=1.0, label_set=None, license="cc-by-nc-4.0"),
            _clip("metaclip_400m", num_classes=512, crop_pct=1.0, label_set=None, license="cc-by-nc-4.0"),
            _clip("openai", num_classes=512, crop_pct=0.9, label_set=None),
        ),
    ),
    "vit_base_patch16_clip_384": (
        dict(img_size=384, **_CLIP),
        (
            _clip("laion2b_ft_in12k_in1k", input_size=(3, 384, 384), crop_pct=1.0, crop_mode="squash"),
            _clip("openai_ft_in12k_in1k", input_size=(3, 384, 384), crop_pct=0.95, crop_mode="squash"),
            _clip("laion2b_ft_in1k", input_size=(3, 384, 384), crop_pct=1.0, crop_mode="squash"),
            _clip("openai_ft_in1k", input_size=(3, 384, 384), crop_pct=1.0, crop_mode="squash"),
        ),
    ),
    "vit_base_patch16_clip_quickgelu_224": (
        dict(img_size=224, **_CLIP, act_layer="quick_gelu"),
        (
            _clip("metaclip_2pt5b", num_classes=512, crop_pct=1.0, label_set=None, license="cc-by-nc-4.0"),
            _clip("metaclip_400m", num_classes=512, crop_pct=1.0, label_set=None, license="cc-by-nc-4.0"),
            _clip("openai", num_classes=512, crop_pct=0.9, label_set=None),
        ),
    ),
    "vit_base_patch16_plus_clip_240": (
        dict(img_size=240, **_CLIP, embed_dim=896, num_heads=14),
        (
            _clip(
                "laion400m_e32", num_classes=640, input_size=(3, 240, 240), crop_pct=1.0, label_set=None, license="mit"
            ),
        ),
    ),
    "vit_base_patch16_rpn_224": (
        dict(
            img_size=224, qkv_bias=False, init_values=1e-05, class_token=False, global_pool="avg", block_fn="res_post"
        ),
        (_inception("sw_in1k", crop_pct=0.9),),
    ),
    "vit_base_patch16_siglip_224": (dict(img_size=224, **_MAP), (_siglip("v2_webli"), _siglip("webli"))),
    "vit_base_patch16_siglip_256": (
        dict(img_size=256, **_MAP),
        (
            _siglip("v2_webli", input_size=(3, 256, 256)),
            _siglip("webli", input_size=(3, 256, 256)),
            _siglip("webli_i18n", input_size=(3, 256, 256)),
        ),
    ),
    "vit_base_patch16_siglip_384": (
        dict(img_size=384, **_MAP),
        (_siglip("v2_webli", input_size=(3, 384, 384)), _siglip("webli", input_size=(3, 384, 384))),
    ),
    "vit_base_patch16_siglip_512": (
        dict(img_size=512, **_MAP),
        (_siglip("v2_webli", input_size=(3, 512, 512)), _siglip("webli", input_size=(3, 512, 512))),
    ),
    "vit_base_patch16_siglip_gap_224": (dict(img_size=224, **_GAP), (_siglip("v2_webli"), _siglip("webli"))),
    "vit_base_patch16_siglip_gap_256": (
        dict(img_size=256, **_GAP),
        (
            _siglip("v2_webli", input_size=(3, 256, 256)),
            _siglip("webli", input_size=(3, 256, 256)),
            _siglip("webli_i18n", input_size=(3, 256, 256)),
        ),
    ),
    "vit_base_patch16_siglip_gap_384": (
        dict(img_size=384, **_GAP),
        (_siglip("v2_webli", input_size=(3, 384, 384)), _siglip("webli", input_size=(3, 384, 384))),
    ),
    "vit_base_patch16_siglip_gap_512": (
        dict(img_size=512, **_GAP),
        (_siglip("v2_webli", input_size=(3, 512, 512)), _siglip("webli", input_size=(3, 512, 512))),
    ),
    "vit_base_patch32_224": (
        dict(img_size=224, patch_size=32),
        (
            _inception("augreg_in21k_ft_in1k", crop_pct=0.9),
            _inception("augreg_in1k", crop_pct=0.9),
            _inception("orig_in21k", **_NO_HEAD, crop_pct=0.9),
            _inception("augreg_in21k", **_IN21K, crop_pct=0.9),
            _inception("sam_in1k", crop_pct=0.9),
        ),
    ),
    "vit_base_patch32_384": (
        dict(img_size=384, patch_size=32),
        (
            _inception("augreg_in21k_ft_in1k", input_size=(3, 384, 384), crop_pct=1.0),
            _inception("augreg_in1k", input_size=(3, 384, 384), crop_pct=1.0),
        ),
    ),
    "vit_base_patch32_clip_224": (
        dict(img_size=224, patch_size=32, **_CLIP),
        (
            _clip("laion2b_ft_in12k_in1k", crop_pct=0.9),
            _clip("laion2b_ft_in1k", crop_pct=0.9),
            _clip("openai_ft_in1k", crop_pct=0.9),
            _clip("laion2b", num_classes=512, crop_pct=0.9, label_set=None),
            _clip("laion400m_e32", num_classes=512, crop_pct=0.9, label_set=None, license="mit"),
            _clip("datacompxl", num_classes=512, crop_pct=1.0, label_set=None),
            _clip("metaclip_2pt5b", num_classes=512, crop_pct=1.0, label_set=None, license="cc-by-nc-4.0"),
            _clip("metaclip_400m", num_classes=512, crop_pct=1.0, label_set=None, license="cc-by-nc-4.0"),
            _clip("openai", num_classes=512, crop_pct=0.9, label_set=None),
        ),
    ),
    "vit_base_patch32_clip_256": (
        dict(img_size=256, patch_size=32, **_CLIP),
        (_clip("datacompxl", num_classes=512, input_size=(3, 256, 256), crop_pct=1.0, label_set=None),),
    ),
    "vit_base_patch32_clip_384": (
        dict(img_size=384, patch_size=32, **_CLIP),
        (
            _clip("laion2b_ft_in12k_in1k", input_size=(3, 384, 384), crop_pct=1.0),
            _clip("openai_ft_in12k_in1k", input_size=(3, 384, 384), crop_pct=0.95, crop_mode="squash"),
        ),
    ),
    "vit_base_patch32_clip_448": (
        dict(img_size=448, patch_size=32, **_CLIP),
        (_clip("laion2b_ft_in12k_in1k", input_size=(3, 448, 448), crop_pct=1.0),),
    ),
    "vit_base_patch32_clip_quickgelu_224": (
        dict(img_size=224, patch_size=32, **_CLIP, act_layer="quick_gelu"),
        (
            _clip("laion400m_e32", num_classes=512, crop_pct=0.9, label_set=None, license="mit"),
            _clip("metaclip_2pt5b", num_classes=512, crop_pct=1.0, label_set=None, license="cc-by-nc-4.0"),
            _clip("metaclip_400m", num_classes=512, crop_pct=1.0, label_set=None, license="cc-by-nc-4.0"),
            _clip("openai", num_classes=512, crop_pct=0.9, label_set=None),
        ),
    ),
    "vit_base_patch32_siglip_256": (
        dict(img_size=256, patch_size=32, **_MAP, act_layer="gelu_tanh"),
        (_siglip("v2_webli", input_size=(3, 256, 256)),),
    ),
    "vit_base_patch32_siglip_gap_256": (
        dict(img_size=256, patch_size=32, **_GAP, act_layer="gelu_tanh"),
        (_siglip("v2_webli", input_size=(3, 256, 256)),),
    ),
    "vit_betwixt_patch16_reg1_gap_256": (
        dict(img_size=256, **_BETWIXT, **_SBB, reg_tokens=1),
        (_inception("sbb_in1k", input_size=(3, 256, 256), crop_pct=0.95),),
    ),
    "vit_betwixt_patch16_reg4_gap_256": (
        dict(img_size=256, **_BETWIXT, **_SBB, reg_tokens=4),
        (
            _inception("sbb2_e200_in12k_ft_in1k", input_size=(3, 256, 256), crop_pct=0.95),
            _inception("sbb_in12k_ft_in1k", input_size=(3, 256, 256), crop_pct=0.95),
            _inception("sbb_in1k", input_size=(3, 256, 256), crop_pct=0.95),
            _inception("sbb2_e200_in12k", **_IN12K, input_size=(3, 256, 256), crop_pct=0.95),
            _inception("sbb_in12k", **_IN12K, input_size=(3, 256, 256), crop_pct=0.95),
        ),
    ),
    "vit_betwixt_patch16_reg4_gap_384": (
        dict(img_size=384, **_BETWIXT, **_SBB, reg_tokens=4),
        (_inception("sbb2_e200_in12k_ft_in1k", input_size=(3, 384, 384), crop_pct=1.0),),
    ),
    "vit_betwixt_patch32_clip_224": (
        dict(img_size=224, patch_size=32, **_BETWIXT, **_CLIP),
        (_clip("tinyclip_laion400m", num_classes=512, crop_pct=0.9, label_set=None, license="mit"),),
    ),
    "vit_giant_patch14_clip_224": (
        dict(img_size=224, patch_size=14, **_GIANT, **_CLIP),
        (_clip("laion2b", num_classes=1024, crop_pct=1.0, label_set=None),),
    ),
    "vit_giant_patch14_dinov2": (
        dict(img_size=518, patch_size=14, **_GIANT_SWIGLU, init_values=1e-05),
        (_cfg("lvd142m", **_NO_HEAD, input_size=(3, 518, 518), crop_pct=1.0),),
    ),
    "vit_giant_patch14_reg1_tipsv2": (
        dict(img_size=448, patch_size=14, **_GIANT_SWIGLU, **_TIPS),
        (_cfg("webli", **_NO_HEAD, input_size=(3, 448, 448), mean=(0.0, 0.0, 0.0), std=(1.0, 1.0, 1.0), crop_pct=1.0),),
    ),
    "vit_giant_patch14_reg4_dinov2": (
        dict(img_size=518, patch_size=14, **_GIANT_SWIGLU, **_DINOV2_REG, reg_tokens=4),
        (_cfg("lvd142m", **_NO_HEAD, input_size=(3, 518, 518), crop_pct=1.0),),
    ),
    "vit_giant_patch16_gap_224": (
        dict(img_size=224, **_GIANT, **_GAP),
        (_cfg("in22k_ijepa", **_NO_HEAD, crop_pct=0.9, license="cc-by-nc-4.0"),),
    ),
    "vit_giantopt_patch16_siglip_256": (
        dict(img_size=256, **_GIANTOPT, **_MAP, act_layer="gelu_tanh"),
        (_siglip("v2_webli", input_size=(3, 256, 256)),),
    ),
    "vit_giantopt_patch16_siglip_384": (
        dict(img_size=384, **_GIANTOPT, **_MAP, act_layer="gelu_tanh"),
        (_siglip("v2_webli", input_size=(3, 384, 384)),),
    ),
    "vit_giantopt_patch16_siglip_gap_256": (
        dict(img_size=256, **_GIANTOPT, **_GAP, act_layer="gelu_tanh"),
        (_siglip("v2_webli", input_size=(3, 256, 256)),),
    ),
    "vit_giantopt_patch16_siglip_gap_384": (
        dict(img_size=384, **_GIANTOPT, **_GAP, act_layer="gelu_tanh"),
        (_siglip("v2_webli", input_size=(3, 384, 384)),),
    ),
    "vit_gigantic_patch14_clip_224": (
        dict(img_size=224, patch_size=14, **_GIGANTIC, **_CLIP),
        (
            _clip("laion2b", num_classes=1280, crop_pct=1.0, label_set=None),
            _clip("metaclip2_worldwide", num_classes=1280, crop_pct=1.0, label_set=None, license="cc-by-nc-4.0"),
            _clip("metaclip_2pt5b", num_classes=1280, crop_pct=1.0, label_set=None, license="cc-by-nc-4.0"),
        ),
    ),
    "vit_gigantic_patch14_clip_378": (
        dict(img_size=378, patch_size=14, **_GIGANTIC, **_CLIP),
        (
            _clip(
                "metaclip2_worldwide",
                num_classes=1280,
                input_size=(3, 378, 378),
                crop_pct=1.0,
                crop_mode="squash",
                label_set=None,
                license="cc-by-nc-4.0",
            ),
        ),
    ),
    "vit_gigantic_patch14_clip_quickgelu_224": (
        dict(img_size=224, patch_size=14, **_GIGANTIC, **_CLIP, act_layer="quick_gelu"),
        (_clip("metaclip_2pt5b", num_classes=1280, crop_pct=1.0, label_set=None, license="cc-by-nc-4.0"),),
    ),
    "vit_huge_patch14_224": (
        dict(img_size=224, patch_size=14, **_HUGE),
        (
            _inception("orig_in21k", **_NO_HEAD, crop_pct=0.9),
            _cfg("mae", **_NO_HEAD, crop_pct=0.9, license="cc-by-nc-4.0"),
        ),
    ),
    "vit_huge_patch14_clip_224": (
        dict(img_size=224, patch_size=14, **_HUGE, **_CLIP),
        (
            _clip("laion2b_ft_in12k_in1k", crop_pct=1.0),
            _clip("laion2b_ft_in1k", crop_pct=1.0),
            _clip("laion2b_ft_in12k", **_IN12K, crop_pct=1.0),
            _clip("laion2b", num_classes=1024, crop_pct=1.0, label_set=None),
            _clip("dfn5b", num_classes=1024, crop_pct=1.0, label_set=None, license="apple-ascl"),
            _clip("metaclip2_worldwide", num_classes=1024, crop_pct=1.0, label_set=None, license="cc-by-nc-4.0"),
            _clip("metaclip_2pt5b", num_classes=1024, crop_pct=1.0, label_set=None, license="cc-by-nc-4.0"),
            _clip("metaclip_altogether", num_classes=1024, crop_pct=1.0, label_set=None, license="cc-by-nc-4.0"),
        ),
    ),
    "vit_huge_patch14_clip_336": (
        dict(img_size=336, patch_size=14, **_HUGE, **_CLIP),
        (_clip("laion2b_ft_in12k_in1k", input_size=(3, 336, 336), crop_pct=1.0, crop_mode="squash"),),
    ),
    "vit_huge_patch14_clip_378": (
        dict(img_size=378, patch_size=14, **_HUGE, **_CLIP),
        (
            _clip(
                "dfn5b", num_classes=1024, input_size=(3, 378, 378), crop_pct=1.0, label_set=None, license="apple-ascl"
            ),
            _clip(
                "metaclip2_worldwide",
                num_classes=1024,
                input_size=(3, 378, 378),
                crop_pct=1.0,
                crop_mode="squash",
                label_set=None,
                license="cc-by-nc-4.0",
            ),
        ),
    ),
    "vit_huge_patch14_clip_quickgelu_224": (
        dict(img_size=224, patch_size=14, **_HUGE, **_CLIP, act_layer="quick_gelu"),
        (
            _clip("dfn5b", num_classes=1024, crop_pct=1.0, label_set=None, license="apple-ascl"),
            _clip("metaclip2_worldwide", num_classes=1024, crop_pct=1.0, label_set=None, license="cc-by-nc-4.0"),
            _clip("metaclip_2pt5b", num_classes=1024, crop_pct=1.0, label_set=None, license="cc-by-nc-4.0"),
        ),
    ),
    "vit_huge_patch14_clip_quickgelu_378": (
        dict(img_size=378, patch_size=14, **_HUGE, **_CLIP, act_layer="quick_gelu"),
        (
            _clip(
                "dfn5b", num_classes=1024, input_size=(3, 378, 378), crop_pct=1.0, label_set=None, license="apple-ascl"
            ),
        ),
    ),
    "vit_huge_patch14_gap_224": (
        dict(img_size=224, patch_size=14, **_HUGE, **_GAP),
        (
            _cfg("in1k_ijepa", **_NO_HEAD, crop_pct=0.9, license="cc-by-nc-4.0"),
            _cfg("in22k_ijepa", **_NO_HEAD, crop_pct=0.9, license="cc-by-nc-4.0"),
        ),
    ),
    "vit_huge_patch16_gap_448": (
        dict(img_size=448, **_HUGE, **_GAP),
        (_cfg("in1k_ijepa", **_NO_HEAD, input_size=(3, 448, 448), crop_pct=1.0, license="cc-by-nc-4.0"),),
    ),
    "vit_intern300m_patch14_448": (
        dict(img_size=448, patch_size=14, **_LARGE, init_values=0.1, final_norm=False, dynamic_img_size=True),
        (
            _cfg("ogvl_dist", **_NO_HEAD, input_size=(3, 448, 448), crop_pct=1.0, license="mit"),
            _cfg("ogvl_2pt5", **_NO_HEAD, input_size=(3, 448, 448), crop_pct=1.0),
        ),
    ),
    "vit_large_patch14_clip_224": (
        dict(img_size=224, patch_size=14, **_LARGE, **_CLIP),
        (
            _inception("laion2b_ft_in12k_in1k", crop_pct=1.0),
            _clip("openai_ft_in12k_in1k", crop_pct=1.0),
            _inception("laion2b_ft_in1k", crop_pct=1.0),
            _clip("openai_ft_in1k", crop_pct=1.0),
            _inception("laion2b_ft_in12k", **_IN12K, crop_pct=1.0),
            _clip("openai_ft_in12k", **_IN12K, crop_pct=1.0),
            _inception("laion2b", num_classes=768, crop_pct=1.0, label_set=None),
            _clip("laion400m_e32", num_classes=768, crop_pct=1.0, label_set=None, license="mit"),
            _clip("datacompxl", num_classes=768, crop_pct=1.0, label_set=None),
            _clip("dfn2b_s39b", num_classes=768, crop_pct=1.0, label_set=None, license="apple-ascl"),
            _clip("dfn2b", num_classes=768, crop_pct=1.0, label_set=None, license="apple-ascl"),
            _clip("metaclip_2pt5b", num_classes=768, crop_pct=1.0, label_set=None, license="cc-by-nc-4.0"),
            _clip("metaclip_400m", num_classes=768, crop_pct=1.0, label_set=None, license="cc-by-nc-4.0"),
            _clip("openai", num_classes=768, crop_pct=1.0, label_set=None),
            _clip("apple_mclip2_dfndr2b", num_classes=768, crop_pct=1.0, label_set=None, license="apple-amlr"),
        ),
    ),
    "vit_large_patch14_clip_336": (
        dict(img_size=336, patch_size=14, **_LARGE, **_CLIP),
        (
            _inception("laion2b_ft_in12k_in1k", input_size=(3, 336, 336), crop_pct=1.0, crop_mode="squash"),
            _clip("openai_ft_in12k_in1k", input_size=(3, 336, 336), crop_pct=1.0, crop_mode="squash"),
            _inception("laion2b_ft_in1k", input_size=(3, 336, 336), crop_pct=1.0, crop_mode="squash"),
            _clip("openai", num_classes=768, input_size=(3, 336, 336), crop_pct=1.0, label_set=None),
        ),
    ),
    "vit_large_patch14_clip_quickgelu_224": (
        dict(img_size=224, patch_size=14, **_LARGE, **_CLIP, act_layer="quick_gelu"),
        (
            _clip("dfn2b", num_classes=768, crop_pct=1.0, label_set=None, license="apple-ascl"),
            _clip("metaclip_2pt5b", num_classes=768, crop_pct=1.0, label_set=None, license="cc-by-nc-4.0"),
            _clip("metaclip_400m", num_classes=768, crop_pct=1.0, label_set=None, license="cc-by-nc-4.0"),
            _clip("openai", num_classes=768, crop_pct=1.0, label_set=None),
        ),
    ),
    "vit_large_patch14_clip_quickgelu_336": (
        dict(img_size=336, patch_size=14, **_LARGE, **_CLIP, act_layer="quick_gelu"),
        (_clip("openai", num_classes=768, input_size=(3, 336, 336), crop_pct=1.0, label_set=None),),
    ),
    "vit_large_patch14_dinov2": (
        dict(img_size=518, patch_size=14, **_LARGE, init_values=1e-05),
        (_cfg("lvd142m", **_NO_HEAD, input_size=(3, 518, 518), crop_pct=1.0),),
    ),
    "vit_large_patch14_reg1_tipsv2": (
        dict(img_size=448, patch_size=14, **_LARGE, **_TIPS),
        (_cfg("webli", **_NO_HEAD, input_size=(3, 448, 448), mean=(0.0, 0.0, 0.0), std=(1.0, 1.0, 1.0), crop_pct=1.0),),
    ),
    "vit_large_patch14_reg4_dinov2": (
        dict(img_size=518, patch_size=14, **_LARGE, **_DINOV2_REG, reg_tokens=4),
        (_cfg("lvd142m", **_NO_HEAD, input_size=(3, 518, 518), crop_pct=1.0),),
    ),
    "vit_large_patch16_224": (
        dict(img_size=224, **_LARGE),
        (
            _inception("augreg_in21k_ft_in1k", crop_pct=0.9),
            _inception("orig_in21k", **_NO_HEAD, crop_pct=0.9),
            _inception("augreg_in21k", **_IN21K, crop_pct=0.9),
            _cfg("mae", **_NO_HEAD, crop_pct=0.9, license="cc-by-nc-4.0"),
        ),
    ),
    "vit_large_patch16_384": (
        dict(img_size=384, **_LARGE),
        (_inception("augreg_in21k_ft_in1k", input_size=(3, 384, 384), crop_pct=1.0),),
    ),
    "vit_large_patch16_siglip_256": (
        dict(img_size=256, **_LARGE, **_MAP),
        (_siglip("v2_webli", input_size=(3, 256, 256)), _siglip("webli", input_size=(3, 256, 256))),
    ),
    "vit_large_patch16_siglip_384": (
        dict(img_size=384, **_LARGE, **_MAP),
        (_siglip("v2_webli", input_size=(3, 384, 384)), _siglip("webli", input_size=(3, 384, 384))),
    ),
    "vit_large_patch16_siglip_512": (
        dict(img_size=512, **_LARGE, **_MAP, act_layer="gelu_tanh"),
        (_siglip("v2_webli", input_size=(3, 512, 512)),),
    ),
    "vit_large_patch16_siglip_gap_256": (
        dict(img_size=256, **_LARGE, **_GAP),
        (_siglip("v2_webli", input_size=(3, 256, 256)), _siglip("webli", input_size=(3, 256, 256))),
    ),
    "vit_large_patch16_siglip_gap_384": (
        dict(img_size=384, **_LARGE, **_GAP),
        (_siglip("v2_webli", input_size=(3, 384, 384)), _siglip("webli", input_size=(3, 384, 384))),
    ),
    "vit_large_patch16_siglip_gap_512": (
        dict(img_size=512, **_LARGE, **_GAP, act_layer="gelu_tanh"),
        (_siglip("v2_webli", input_size=(3, 512, 512)),),
    ),
    "vit_large_patch32_224": (
        dict(img_size=224, patch_size=32, **_LARGE),
        (_inception("orig_in21k", **_NO_HEAD, crop_pct=0.9),),
    ),
    "vit_large_patch32_384": (
        dict(img_size=384, patch_size=32, **_LARGE),
        (_inception("orig_in21k_ft_in1k", input_size=(3, 384, 384), crop_pct=1.0),),
    ),
    "vit_little_patch16_reg1_gap_256": (
        dict(img_size=256, **_LITTLE, **_SBB, reg_tokens=1),
        (
            _inception("sbb_in12k_ft_in1k", input_size=(3, 256, 256), crop_pct=0.95),
            _inception("sbb_in12k", **_IN12K, input_size=(3, 256, 256), crop_pct=0.95),
        ),
    ),
    "vit_little_patch16_reg4_gap_256": (
        dict(img_size=256, **_LITTLE, **_SBB, reg_tokens=4),
        (_inception("sbb_in1k", input_size=(3, 256, 256), crop_pct=0.95),),
    ),
    "vit_medium_patch16_clip_224": (
        dict(img_size=224, **_MEDIUM, **_CLIP),
        (_clip("tinyclip_yfcc15m", num_classes=512, crop_pct=0.9, label_set=None, license="mit"),),
    ),
    "vit_medium_patch16_gap_240": (
        dict(img_size=240, **_MEDIUM, **_GAP, qkv_bias=False, init_values=1e-06),
        (_inception("sw_in12k", **_IN12K, input_size=(3, 240, 240), crop_pct=0.95),),
    ),
    "vit_medium_patch16_gap_256": (
        dict(img_size=256, **_MEDIUM, **_GAP, qkv_bias=False, init_values=1e-06),
        (_inception("sw_in12k_ft_in1k", input_size=(3, 256, 256), crop_pct=0.95),),
    ),
    "vit_medium_patch16_gap_384": (
        dict(img_size=384, **_MEDIUM, **_GAP, qkv_bias=False, init_values=1e-06),
        (_inception("sw_in12k_ft_in1k", input_size=(3, 384, 384), crop_pct=0.95, crop_mode="squash"),),
    ),
    "vit_medium_patch16_reg1_gap_256": (
        dict(img_size=256, **_MEDIUM, **_SBB, reg_tokens=1),
        (_inception("sbb_in1k", input_size=(3, 256, 256), crop_pct=0.95),),
    ),
    "vit_medium_patch16_reg4_gap_256": (
        dict(img_size=256, **_MEDIUM, **_SBB, reg_tokens=4),
        (
            _inception("sbb_in12k_ft_in1k", input_size=(3, 256, 256), crop_pct=0.95),
            _inception("sbb_in1k", input_size=(3, 256, 256), crop_pct=0.95),
            _inception("sbb_in12k", **_IN12K, input_size=(3, 256, 256), crop_pct=0.95),
        ),
    ),
    "vit_medium_patch32_clip_224": (
        dict(img_size=224, patch_size=32, **_MEDIUM, **_CLIP),
        (_clip("tinyclip_laion400m", num_classes=512, crop_pct=0.9, label_set=None, license="mit"),),
    ),
    "vit_mediumd_patch16_reg4_gap_256": (
        dict(img_size=256, **_MEDIUM, **_SBB, depth=20, reg_tokens=4),
        (
            _inception("sbb2_e200_in12k_ft_in1k", input_size=(3, 256, 256), crop_pct=0.95),
            _inception("sbb_in12k_ft_in1k", input_size=(3, 256, 256), crop_pct=0.95),
            _inception("sbb2_e200_in12k", **_IN12K, input_size=(3, 256, 256), crop_pct=0.95),
            _inception("sbb_in12k", **_IN12K, input_size=(3, 256, 256), crop_pct=0.95),
        ),
    ),
    "vit_mediumd_patch16_reg4_gap_384": (
        dict(img_size=384, **_MEDIUM, **_SBB, depth=20, reg_tokens=4),
        (_inception("sbb2_e200_in12k_ft_in1k", input_size=(3, 384, 384), crop_pct=1.0),),
    ),
    "vit_small_patch8_224": (dict(img_size=224, patch_size=8, **_SMALL), (_cfg("dino", **_NO_HEAD, crop_pct=0.9),)),
    "vit_small_patch14_dinov2": (
        dict(img_size=518, patch_size=14, **_SMALL, init_values=1e-05),
        (_cfg("lvd142m", **_NO_HEAD, input_size=(3, 518, 518), crop_pct=1.0),),
    ),
    "vit_small_patch14_reg4_dinov2": (
        dict(img_size=518, patch_size=14, **_SMALL, **_DINOV2_REG, reg_tokens=4),
        (_cfg("lvd142m", **_NO_HEAD, input_size=(3, 518, 518), crop_pct=1.0),),
    ),
    "vit_small_patch16_224": (
        dict(img_size=224, **_SMALL),
        (
            _inception("augreg_in21k_ft_in1k", crop_pct=0.9),
            _inception("augreg_in1k", crop_pct=0.9),
            _inception("augreg_in21k", **_IN21K, crop_pct=0.9),
            _cfg("dino", **_NO_HEAD, crop_pct=0.9),
        ),
    ),
    "vit_small_patch16_384": (
        dict(img_size=384, **_SMALL),
        (
            _inception("augreg_in21k_ft_in1k", input_size=(3, 384, 384), crop_pct=1.0),
            _inception("augreg_in1k", input_size=(3, 384, 384), crop_pct=1.0),
        ),
    ),
    "vit_small_patch32_224": (
        dict(img_size=224, patch_size=32, **_SMALL),
        (_inception("augreg_in21k_ft_in1k", crop_pct=0.9), _inception("augreg_in21k", **_IN21K, crop_pct=0.9)),
    ),
    "vit_small_patch32_384": (
        dict(img_size=384, patch_size=32, **_SMALL),
        (_inception("augreg_in21k_ft_in1k", input_size=(3, 384, 384), crop_pct=1.0),),
    ),
    "vit_so150m2_patch16_reg1_gap_256": (
        dict(
            img_size=256,
            **_SO150M2,
            qkv_bias=False,
            init_values=1e-05,
            class_token=False,
            reg_tokens=1,
            global_pool="avg",
        ),
        (
            _inception("sbb_e200_in12k_ft_in1k", input_size=(3, 256, 256), crop_pct=1.0),
            _inception("sbb_e200_in12k", **_IN12K, input_size=(3, 256, 256), crop_pct=1.0),
        ),
    ),
    "vit_so150m2_patch16_reg1_gap_384": (
        dict(
            img_size=384,
            **_SO150M2,
            qkv_bias=False,
            init_values=1e-05,
            class_token=False,
            reg_tokens=1,
            global_pool="avg",
        ),
        (_inception("sbb_e200_in12k_ft_in1k", input_size=(3, 384, 384), crop_pct=1.0),),
    ),
    "vit_so150m2_patch16_reg1_gap_448": (
        dict(
            img_size=448,
            **_SO150M2,
            qkv_bias=False,
            init_values=1e-05,
            class_token=False,
            reg_tokens=1,
            global_pool="avg",
        ),
        (_inception("sbb_e200_in12k_ft_in1k", input_size=(3, 448, 448), crop_pct=1.0, crop_mode="squash"),),
    ),
    "vit_so150m_patch16_reg4_gap_256": (
        dict(img_size=256, **_SO150M, **_GAP, reg_tokens=4),
        (
            _inception("sbb_e250_in12k_ft_in1k", input_size=(3, 256, 256), crop_pct=0.95),
            _inception("sbb_e250_in12k", **_IN12K, input_size=(3, 256, 256), crop_pct=0.95),
        ),
    ),
    "vit_so150m_patch16_reg4_gap_384": (
        dict(img_size=384, **_SO150M, **_GAP, reg_tokens=4),
        (_inception("sbb_e250_in12k_ft_in1k", input_size=(3, 384, 384), crop_pct=1.0),),
    ),
    "vit_so400m_patch14_reg1_tipsv2": (
        dict(img_size=448, patch_size=14, **_TIPS, embed_dim=1152, depth=27, num_heads=16, mlp_ratio=3.736111111111111),
        (_cfg("webli", **_NO_HEAD, input_size=(3, 448, 448), mean=(0.0, 0.0, 0.0), std=(1.0, 1.0, 1.0), crop_pct=1.0),),
    ),
    "vit_so400m_patch14_siglip_224": (
        dict(img_size=224, patch_size=14, **_SO400M, **_MAP),
        (_siglip("v2_webli"), _siglip("webli")),
    ),
    "vit_so400m_patch14_siglip_378": (
        dict(img_size=378, patch_size=14, **_SO400M, **_MAP),
        (
            _siglip("v2_webli", input_size=(3, 378, 378)),
            _siglip("webli", input_size=(3, 378, 378)),
            _inception("webli_ft_in1k", input_size=(3, 378, 378), crop_pct=1.0, crop_mode="squash"),
        ),
    ),
    "vit_so400m_patch14_siglip_384": (
        dict(img_size=384, patch_size=14, **_SO400M, **_MAP),
        (_siglip("webli", input_size=(3, 384, 384)),),
    ),
    "vit_so400m_patch14_siglip_gap_224": (
        dict(img_size=224, patch_size=14, **_SO400M, **_GAP),
        (
            _siglip("v2_webli"),
            _siglip("webli"),
            _siglip("pali_mix"),
            _siglip("pali_pt"),
            _siglip("pali2_3b_pt"),
            _siglip("pali2_10b_pt"),
        ),
    ),
    "vit_so400m_patch14_siglip_gap_378": (
        dict(img_size=378, patch_size=14, **_SO400M, **_GAP),
        (
            _siglip("v2_webli", input_size=(3, 378, 378)),
            _inception("webli", **_NO_HEAD, input_size=(3, 378, 378), crop_pct=1.0),
            _inception("webli_ft_in1k", input_size=(3, 378, 378), crop_pct=1.0, crop_mode="squash"),
        ),
    ),
    "vit_so400m_patch14_siglip_gap_384": (
        dict(img_size=384, patch_size=14, **_SO400M, **_GAP),
        (_inception("webli", **_NO_HEAD, input_size=(3, 384, 384), crop_pct=1.0),),
    ),
    "vit_so400m_patch14_siglip_gap_448": (
        dict(img_size=448, patch_size=14, **_SO400M, **_GAP),
        (
            _inception("pali_mix", **_NO_HEAD, input_size=(3, 448, 448), crop_pct=1.0),
            _inception("pali_pt", **_NO_HEAD, input_size=(3, 448, 448), crop_pct=1.0),
            _inception("pali_refcoco_seg", **_NO_HEAD, input_size=(3, 448, 448), crop_pct=1.0),
            _inception("pali_ocrvqa", **_NO_HEAD, input_size=(3, 448, 448), crop_pct=1.0),
            _inception("pali2_3b_pt", **_NO_HEAD, input_size=(3, 448, 448), crop_pct=1.0),
            _inception("pali2_10b_pt", **_NO_HEAD, input_size=(3, 448, 448), crop_pct=1.0),
            _inception("pali2_3b_docci", **_NO_HEAD, input_size=(3, 448, 448), crop_pct=1.0),
            _inception("pali2_10b_docci", **_NO_HEAD, input_size=(3, 448, 448), crop_pct=1.0),
        ),
    ),
    "vit_so400m_patch14_siglip_gap_896": (
        dict(img_size=896, patch_size=14, **_SO400M, **_GAP),
        (
            _inception("pali_pt", **_NO_HEAD, input_size=(3, 896, 896), crop_pct=1.0),
            _inception("pali_refcoco_seg", **_NO_HEAD, input_size=(3, 896, 896), crop_pct=1.0),
            _inception("pali_ocrvqa", **_NO_HEAD, input_size=(3, 896, 896), crop_pct=1.0),
            _inception("pali2_3b_pt", **_NO_HEAD, input_size=(3, 896, 896), crop_pct=1.0),
            _inception("pali2_10b_pt", **_NO_HEAD, input_size=(3, 896, 896), crop_pct=1.0),
        ),
    ),
    "vit_so400m_patch16_siglip_256": (
        dict(img_size=256, **_SO400M, **_MAP, act_layer="gelu_tanh"),
        (_siglip("v2_webli", input_size=(3, 256, 256)), _siglip("webli_i18n", input_size=(3, 256, 256))),
    ),
    "vit_so400m_patch16_siglip_384": (
        dict(img_size=384, **_SO400M, **_MAP, act_layer="gelu_tanh"),
        (_siglip("v2_webli", input_size=(3, 384, 384)),),
    ),
    "vit_so400m_patch16_siglip_512": (
        dict(img_size=512, **_SO400M, **_MAP, act_layer="gelu_tanh"),
        (_siglip("v2_webli", input_size=(3, 512, 512)),),
    ),
    "vit_so400m_patch16_siglip_gap_256": (
        dict(img_size=256, **_SO400M, **_GAP, act_layer="gelu_tanh"),
        (_siglip("v2_webli", input_size=(3, 256, 256)), _siglip("webli_i18n", input_size=(3, 256, 256))),
    ),
    "vit_so400m_patch16_siglip_gap_384": (
        dict(img_size=384, **_SO400M, **_GAP, act_layer="gelu_tanh"),
        (_siglip("v2_webli", input_size=(3, 384, 384)),),
    ),
    "vit_so400m_patch16_siglip_gap_512": (
        dict(img_size=512, **_SO400M, **_GAP, act_layer="gelu_tanh"),
        (_siglip("v2_webli", input_size=(3, 512, 512)),),
    ),
    "vit_tiny_patch16_224": (
        dict(img_size=224, **_TINY),
        (_inception("augreg_in21k_ft_in1k", crop_pct=0.9), _inception("augreg_in21k", **_IN21K, crop_pct=0.9)),
    ),
    "vit_tiny_patch16_384": (
        dict(img_size=384, **_TINY),
        (_inception("augreg_in21k_ft_in1k", input_size=(3, 384, 384), crop_pct=1.0),),
    ),
    "vit_wee_patch16_reg1_gap_256": (
        dict(img_size=256, **_SBB, embed_dim=256, depth=14, num_heads=4, mlp_ratio=5, reg_tokens=1),
        (_inception("sbb_in1k", input_size=(3, 256, 256), crop_pct=0.95),),
    ),
    "vit_xsmall_patch16_clip_224": (
        dict(img_size=224, **_CLIP, embed_dim=256, depth=10, num_heads=4),
        (_clip("tinyclip_yfcc15m", num_classes=512, crop_pct=0.9, label_set=None, license="mit"),),
    ),
    "deit3_base_patch16_224": (
        dict(img_size=224, **_DEIT3),
        (_cfg("fb_in1k", crop_pct=0.9), _cfg("fb_in22k_ft_in1k", crop_pct=1.0)),
    ),
    "deit3_base_patch16_384": (
        dict(img_size=384, **_DEIT3),
        (
            _cfg("fb_in1k", input_size=(3, 384, 384), crop_pct=1.0),
            _cfg("fb_in22k_ft_in1k", input_size=(3, 384, 384), crop_pct=1.0),
        ),
    ),
    "deit3_huge_patch14_224": (
        dict(img_size=224, patch_size=14, **_HUGE, **_DEIT3),
        (_cfg("fb_in1k", crop_pct=0.9), _cfg("fb_in22k_ft_in1k", crop_pct=1.0)),
    ),
    "deit3_large_patch16_224": (
        dict(img_size=224, **_LARGE, **_DEIT3),
        (_cfg("fb_in1k", crop_pct=0.9), _cfg("fb_in22k_ft_in1k", crop_pct=1.0)),
    ),
    "deit3_large_patch16_384": (
        dict(img_size=384, **_LARGE, **_DEIT3),
        (
            _cfg("fb_in1k", input_size=(3, 384, 384), crop_pct=1.0),
            _cfg("fb_in22k_ft_in1k", input_size=(3, 384, 384), crop_pct=1.0),
        ),
    ),
    "deit3_medium_patch16_224": (
        dict(img_size=224, **_MEDIUM, **_DEIT3),
        (_cfg("fb_in1k", crop_pct=0.9), _cfg("fb_in22k_ft_in1k", crop_pct=1.0)),
    ),
    "deit3_small_patch16_224": (
        dict(img_size=224, **_SMALL, **_DEIT3),
        (_cfg("fb_in1k", crop_pct=0.9), _cfg("fb_in22k_ft_in1k", crop_pct=1.0)),
    ),
    "deit3_small_patch16_384": (
        dict(img_size=384, **_SMALL, **_DEIT3),
        (
            _cfg("fb_in1k", input_size=(3, 384, 384), crop_pct=1.0),
            _cfg("fb_in22k_ft_in1k", input_size=(3, 384, 384), crop_pct=1.0),
        ),
    ),
    "deit_base_distilled_patch16_224": (dict(img_size=224, distilled=True), (_cfg("fb_in1k", crop_pct=0.9),)),
    "deit_base_distilled_patch16_384": (
        dict(img_size=384, distilled=True),
        (_cfg("fb_in1k", input_size=(3, 384, 384), crop_pct=1.0),),
    ),
    "deit_base_patch16_224": (dict(img_size=224), (_cfg("fb_in1k", crop_pct=0.9),)),
    "deit_base_patch16_384": (dict(img_size=384), (_cfg("fb_in1k", input_size=(3, 384, 384), crop_pct=1.0),)),
    "deit_small_distilled_patch16_224": (
        dict(img_size=224, **_SMALL, distilled=True),
        (_cfg("fb_in1k", crop_pct=0.9),),
    ),
    "deit_small_patch16_224": (dict(img_size=224, **_SMALL), (_cfg("fb_in1k", crop_pct=0.9),)),
    "deit_tiny_distilled_patch16_224": (dict(img_size=224, **_TINY, distilled=True), (_cfg("fb_in1k", crop_pct=0.9),)),
    "deit_tiny_patch16_224": (dict(img_size=224, **_TINY), (_cfg("fb_in1k", crop_pct=0.9),)),
}
ARCHS: dict[str, dict[str, Any]] = {name: args for name, (args, _) in MODELS.items()}
TAGS: dict[str, tuple[PretrainedCfg, ...]] = {name: tags for name, (_, tags) in MODELS.items() if tags}

# timm architectures with pretrained weights that flaim-vit does not provide yet, and why.
LEFT_OUT: dict[str, str] = {
    **dict.fromkeys(
        (
            "vit_base_patch16_radio_v3",
            "vit_large_patch16_radio_v3",
            "vit_huge_patch16_radio_v3",
            "vit_giant_patch16_radio_v3",
            "vit_so400m_patch16_radio_v4",
            "vit_huge_patch16_radio_v4",
        ),
        "timm converts RADIO checkpoints at load (RADIO's key layout, a 128×128 position grid resampled bilinearly "
        "and cropped); that converter is not written yet",
    ),
    **dict.fromkeys(
        ("vit_dwee_patch16_reg1_gap_256", "vit_dlittle_patch16_reg1_gap_256"),
        "differential attention (timm DiffAttention) is not implemented",
    ),
    "vit_pwee_patch16_reg1_gap_256": "parallel attention + MLP block (timm ParallelScalingBlock) is not implemented",
    "vit_dpwee_patch16_reg1_gap_256": "parallel block with differential attention (DiffParallelScalingBlock) is not "
    "implemented",
}

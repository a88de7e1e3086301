"""The convnext family as data: one row of architecture arguments per timm name, and its pretrained tags.

Generated once from timm 1.0.31's registry (`default_cfgs` order: the first tag is timm's default).
"""

from __future__ import annotations

from typing import Any

from flaim.specs import CLIP_MEAN, CLIP_STD, INCEPTION_MEAN, INCEPTION_STD, PretrainedCfg

CLIP = dict(mean=CLIP_MEAN, std=CLIP_STD)
INCEPTION = dict(mean=INCEPTION_MEAN, std=INCEPTION_STD)

_V2 = dict(use_grn=True, ls_init_value=None)

ARCHS: dict[str, dict[str, Any]] = {
    "convnext_zepto_rms": dict(depths=(2, 2, 4, 2), dims=(32, 64, 128, 256), norm_layer="simplenorm", conv_mlp=True),
    "convnext_zepto_rms_ols": dict(
        depths=(2, 2, 4, 2), dims=(32, 64, 128, 256), norm_layer="simplenorm", stem_type="overlap_act", conv_mlp=True
    ),
    "convnext_atto": dict(depths=(2, 2, 6, 2), dims=(40, 80, 160, 320), conv_mlp=True),
    "convnext_atto_ols": dict(depths=(2, 2, 6, 2), dims=(40, 80, 160, 320), stem_type="overlap_tiered", conv_mlp=True),
    "convnext_atto_rms": dict(depths=(2, 2, 6, 2), dims=(40, 80, 160, 320), norm_layer="rmsnorm", conv_mlp=True),
    "convnext_femto": dict(depths=(2, 2, 6, 2), dims=(48, 96, 192, 384), conv_mlp=True),
    "convnext_femto_ols": dict(depths=(2, 2, 6, 2), dims=(48, 96, 192, 384), stem_type="overlap_tiered", conv_mlp=True),
    "convnext_pico": dict(depths=(2, 2, 6, 2), dims=(64, 128, 256, 512), conv_mlp=True),
    "convnext_pico_ols": dict(depths=(2, 2, 6, 2), dims=(64, 128, 256, 512), stem_type="overlap_tiered", conv_mlp=True),
    "convnext_nano": dict(depths=(2, 2, 8, 2), dims=(80, 160, 320, 640), conv_mlp=True),
    "convnext_nano_ols": dict(depths=(2, 2, 8, 2), dims=(80, 160, 320, 640), stem_type="overlap", conv_mlp=True),
    "convnext_tiny_hnf": dict(depths=(3, 3, 9, 3), dims=(96, 192, 384, 768), head_norm_first=True, conv_mlp=True),
    "convnext_tiny": dict(depths=(3, 3, 9, 3), dims=(96, 192, 384, 768)),
    "convnext_small": dict(depths=(3, 3, 27, 3), dims=(96, 192, 384, 768)),
    "convnext_base": dict(depths=(3, 3, 27, 3), dims=(128, 256, 512, 1024)),
    "convnext_large": dict(depths=(3, 3, 27, 3), dims=(192, 384, 768, 1536)),
    "convnext_large_mlp": dict(depths=(3, 3, 27, 3), dims=(192, 384, 768, 1536), head_hidden_size=1536),
    "convnext_xlarge": dict(depths=(3, 3, 27, 3), dims=(256, 512, 1024, 2048)),
    "convnext_xxlarge": dict(depths=(3, 4, 30, 3), dims=(384, 768, 1536, 3072), norm_eps=1e-5),
    "convnextv2_atto": dict(depths=(2, 2, 6, 2), dims=(40, 80, 160, 320), conv_mlp=True, **_V2),
    "convnextv2_femto": dict(depths=(2, 2, 6, 2), dims=(48, 96, 192, 384), conv_mlp=True, **_V2),
    "convnextv2_pico": dict(depths=(2, 2, 6, 2), dims=(64, 128, 256, 512), conv_mlp=True, **_V2),
    "convnextv2_nano": dict(depths=(2, 2, 8, 2), dims=(80, 160, 320, 640), conv_mlp=True, **_V2),
    "convnextv2_tiny": dict(depths=(3, 3, 9, 3), dims=(96, 192, 384, 768), **_V2),
    "convnextv2_small": dict(depths=(3, 3, 27, 3), dims=(96, 192, 384, 768), **_V2),
    "convnextv2_base": dict(depths=(3, 3, 27, 3), dims=(128, 256, 512, 1024), **_V2),
    "convnextv2_large": dict(depths=(3, 3, 27, 3), dims=(192, 384, 768, 1536), **_V2),
    "convnextv2_huge": dict(depths=(3, 3, 27, 3), dims=(352, 704, 1408, 2816), **_V2),
}

TAGS: dict[str, tuple[PretrainedCfg, ...]] = {
    "convnext_atto": (PretrainedCfg("d2_in1k"),),
    "convnext_atto_ols": (PretrainedCfg("a2_in1k"),),
    "convnext_base": (
        PretrainedCfg("fb_in22k_ft_in1k"),
        PretrainedCfg("fb_in1k"),
        PretrainedCfg("fb_in22k_ft_in1k_384", input_size=(3, 384, 384), crop_pct=1.0, crop_mode="squash"),
        PretrainedCfg("fb_in22k", num_classes=21841, label_set="imagenet-22k"),
        PretrainedCfg("clip_laion2b_augreg_ft_in12k_in1k", input_size=(3, 256, 256), **CLIP, crop_pct=1.0),
        PretrainedCfg(
            "clip_laion2b_augreg_ft_in12k_in1k_384", input_size=(3, 384, 384), **CLIP, crop_pct=1.0, crop_mode="squash"
        ),
        PretrainedCfg("clip_laion2b_augreg_ft_in1k", input_size=(3, 256, 256), **CLIP, crop_pct=1.0),
        PretrainedCfg("clip_laiona_augreg_ft_in1k_384", input_size=(3, 384, 384), **CLIP, crop_pct=1.0),
        PretrainedCfg(
            "clip_laion2b_augreg_ft_in12k",
            num_classes=11821,
            input_size=(3, 256, 256),
            **CLIP,
            crop_pct=1.0,
            label_set="imagenet-12k",
        ),
        PretrainedCfg("clip_laion2b", num_classes=640, input_size=(3, 256, 256), **CLIP, crop_pct=1.0, label_set=None),
        PretrainedCfg(
            "clip_laion2b_augreg", num_classes=640, input_size=(3, 256, 256), **CLIP, crop_pct=1.0, label_set=None
        ),
        PretrainedCfg("clip_laiona", num_classes=640, input_size=(3, 256, 256), **CLIP, crop_pct=1.0, label_set=None),
        PretrainedCfg(
            "clip_laiona_320", num_classes=640, input_size=(3, 320, 320), **CLIP, crop_pct=1.0, label_set=None
        ),
        PretrainedCfg(
            "clip_laiona_augreg_320", num_classes=640, input_size=(3, 320, 320), **CLIP, crop_pct=1.0, label_set=None
        ),
        PretrainedCfg("dinov3_lvd1689m", num_classes=0, crop_pct=1.0, label_set=None, license="dinov3-license"),
        PretrainedCfg(
            "eupe_lvd1689m",
            num_classes=0,
            input_size=(3, 256, 256),
            crop_pct=1.0,
            label_set=None,
            license="fair-noncommercial-research-license",
        ),
    ),
    "convnext_femto": (PretrainedCfg("d1_in1k"),),
    "convnext_femto_ols": (PretrainedCfg("d1_in1k"),),
    "convnext_large": (
        PretrainedCfg("fb_in22k_ft_in1k"),
        PretrainedCfg("fb_in1k"),
        PretrainedCfg("fb_in22k_ft_in1k_384", input_size=(3, 384, 384), crop_pct=1.0, crop_mode="squash"),
        PretrainedCfg("fb_in22k", num_classes=21841, label_set="imagenet-22k"),
        PretrainedCfg("dinov3_lvd1689m", num_classes=0, crop_pct=1.0, label_set=None, license="dinov3-license"),
    ),
    "convnext_large_mlp": (
        PretrainedCfg("clip_laion2b_soup_ft_in12k_in1k_320", input_size=(3, 320, 320), **CLIP, crop_pct=1.0),
        PretrainedCfg(
            "clip_laion2b_soup_ft_in12k_in1k_384", input_size=(3, 384, 384), **CLIP, crop_pct=1.0, crop_mode="squash"
        ),
        PretrainedCfg("clip_laion2b_augreg_ft_in1k", input_size=(3, 256, 256), **CLIP, crop_pct=1.0),
        PretrainedCfg(
            "clip_laion2b_augreg_ft_in1k_384", input_size=(3, 384, 384), **CLIP, crop_pct=1.0, crop_mode="squash"
        ),
        PretrainedCfg(
            "clip_laion2b_soup_ft_in12k_320",
            num_classes=11821,
            input_size=(3, 320, 320),
            **CLIP,
            crop_pct=1.0,
            label_set="imagenet-12k",
        ),
        PretrainedCfg(
            "clip_laion2b_augreg_ft_in12k_384",
            num_classes=11821,
            input_size=(3, 384, 384),
            **CLIP,
            crop_pct=1.0,
            crop_mode="squash",
            label_set="imagenet-12k",
        ),
        PretrainedCfg(
            "clip_laion2b_soup_ft_in12k_384",
            num_classes=11821,
            input_size=(3, 384, 384),
            **CLIP,
            crop_pct=1.0,
            crop_mode="squash",
            label_set="imagenet-12k",
        ),
        PretrainedCfg(
            "clip_laion2b_augreg", num_classes=768, input_size=(3, 256, 256), **CLIP, crop_pct=1.0, label_set=None
        ),
        PretrainedCfg(
            "clip_laion2b_ft_320", num_classes=768, input_size=(3, 320, 320), **CLIP, crop_pct=1.0, label_set=None
        ),
        PretrainedCfg(
            "clip_laion2b_ft_soup_320", num_classes=768, input_size=(3, 320, 320), **CLIP, crop_pct=1.0, label_set=None
        ),
    ),
    "convnext_nano": (
        PretrainedCfg("in12k_ft_in1k", crop_pct=0.95),
        PretrainedCfg("d1h_in1k", crop_pct=0.95),
        PretrainedCfg("r384_in12k_ft_in1k", input_size=(3, 384, 384), crop_pct=1.0),
        PretrainedCfg("in12k", num_classes=11821, crop_pct=0.95, label_set="imagenet-12k"),
        PretrainedCfg(
            "r384_in12k", num_classes=11821, input_size=(3, 384, 384), crop_pct=1.0, label_set="imagenet-12k"
        ),
        PretrainedCfg(
            "r384_ad_in12k", num_classes=11821, input_size=(3, 384, 384), crop_pct=1.0, label_set="imagenet-12k"
        ),
    ),
    "convnext_nano_ols": (PretrainedCfg("d1h_in1k", crop_pct=0.95),),
    "convnext_pico": (PretrainedCfg("d1_in1k"),),
    "convnext_pico_ols": (PretrainedCfg("d1_in1k", crop_pct=0.95),),
    "convnext_small": (
        PretrainedCfg("in12k_ft_in1k", crop_pct=0.95),
        PretrainedCfg("in12k_ft_in1k_384", input_size=(3, 384, 384), crop_pct=1.0, crop_mode="squash"),
        PretrainedCfg("in12k", num_classes=11821, crop_pct=0.95, label_set="imagenet-12k"),
        PretrainedCfg("fb_in22k_ft_in1k"),
        PretrainedCfg("fb_in1k"),
        PretrainedCfg("fb_in22k_ft_in1k_384", input_size=(3, 384, 384), crop_pct=1.0, crop_mode="squash"),
        PretrainedCfg("fb_in22k", num_classes=21841, label_set="imagenet-22k"),
        PretrainedCfg("dinov3_lvd1689m", num_classes=0, crop_pct=1.0, label_set=None, license="dinov3-license"),
        PretrainedCfg(
            "eupe_lvd1689m",
            num_classes=0,
            input_size=(3, 256, 256),
            crop_pct=1.0,
            label_set=None,
            license="fair-noncommercial-research-license",
        ),
    ),
    "convnext_tiny": (
        PretrainedCfg("in12k_ft_in1k", crop_pct=0.95),
        PretrainedCfg("in12k_ft_in1k_384", input_size=(3, 384, 384), crop_pct=1.0, crop_mode="squash"),
        PretrainedCfg("in12k", num_classes=11821, crop_pct=0.95, label_set="imagenet-12k"),
        PretrainedCfg("fb_in22k_ft_in1k"),
        PretrainedCfg("fb_in1k"),
        PretrainedCfg("fb_in22k_ft_in1k_384", input_size=(3, 384, 384), crop_pct=1.0, crop_mode="squash"),
        PretrainedCfg("fb_in22k", num_classes=21841, label_set="imagenet-22k"),
        PretrainedCfg("dinov3_lvd1689m", num_classes=0, crop_pct=1.0, label_set=None, license="dinov3-license"),
        PretrainedCfg(
            "eupe_lvd1689m",
            num_classes=0,
            input_size=(3, 256, 256),
            crop_pct=1.0,
            label_set=None,
            license="fair-noncommercial-research-license",
        ),
    ),
    "convnext_tiny_hnf": (PretrainedCfg("a2h_in1k", crop_pct=0.95),),
    "convnext_xlarge": (
        PretrainedCfg("fb_in22k_ft_in1k"),
        PretrainedCfg("fb_in22k_ft_in1k_384", input_size=(3, 384, 384), crop_pct=1.0, crop_mode="squash"),
        PretrainedCfg("fb_in22k", num_classes=21841, label_set="imagenet-22k"),
    ),
    "convnext_xxlarge": (
        PretrainedCfg("clip_laion2b_soup_ft_in1k", input_size=(3, 256, 256), **CLIP, crop_pct=1.0),
        PretrainedCfg(
            "clip_laion2b_soup_ft_in12k",
            num_classes=11821,
            input_size=(3, 256, 256),
            **CLIP,
            crop_pct=1.0,
            label_set="imagenet-12k",
        ),
        PretrainedCfg(
            "clip_laion2b_soup", num_classes=1024, input_size=(3, 256, 256), **CLIP, crop_pct=1.0, label_set=None
        ),
        PretrainedCfg(
            "clip_laion2b_rewind", num_classes=1024, input_size=(3, 256, 256), **CLIP, crop_pct=1.0, label_set=None
        ),
    ),
    "convnext_zepto_rms": (PretrainedCfg("ra4_e3600_r224_in1k", **INCEPTION),),
    "convnext_zepto_rms_ols": (PretrainedCfg("ra4_e3600_r224_in1k", **INCEPTION, crop_pct=0.9),),
    "convnextv2_atto": (
        PretrainedCfg("fcmae_ft_in1k", license="cc-by-nc-4.0"),
        PretrainedCfg("fcmae", num_classes=0, label_set=None, license="cc-by-nc-4.0"),
    ),
    "convnextv2_base": (
        PretrainedCfg("fcmae_ft_in22k_in1k", license="cc-by-nc-4.0"),
        PretrainedCfg(
            "fcmae_ft_in22k_in1k_384",
            input_size=(3, 384, 384),
            crop_pct=1.0,
            crop_mode="squash",
            license="cc-by-nc-4.0",
        ),
        PretrainedCfg("fcmae_ft_in1k", license="cc-by-nc-4.0"),
        PretrainedCfg("fcmae", num_classes=0, label_set=None, license="cc-by-nc-4.0"),
    ),
    "convnextv2_femto": (
        PretrainedCfg("fcmae_ft_in1k", license="cc-by-nc-4.0"),
        PretrainedCfg("fcmae", num_classes=0, label_set=None, license="cc-by-nc-4.0"),
    ),
    "convnextv2_huge": (
        PretrainedCfg(
            "fcmae_ft_in22k_in1k_384",
            input_size=(3, 384, 384),
            crop_pct=1.0,
            crop_mode="squash",
            license="cc-by-nc-4.0",
        ),
        PretrainedCfg(
            "fcmae_ft_in22k_in1k_512",
            input_size=(3, 512, 512),
            crop_pct=1.0,
            crop_mode="squash",
            license="cc-by-nc-4.0",
        ),
        PretrainedCfg("fcmae_ft_in1k", license="cc-by-nc-4.0"),
        PretrainedCfg("fcmae", num_classes=0, label_set=None, license="cc-by-nc-4.0"),
    ),
    "convnextv2_large": (
        PretrainedCfg("fcmae_ft_in22k_in1k", license="cc-by-nc-4.0"),
        PretrainedCfg(
            "fcmae_ft_in22k_in1k_384",
            input_size=(3, 384, 384),
            crop_pct=1.0,
            crop_mode="squash",
            license="cc-by-nc-4.0",
        ),
        PretrainedCfg("fcmae_ft_in1k", license="cc-by-nc-4.0"),
        PretrainedCfg("fcmae", num_classes=0, label_set=None, license="cc-by-nc-4.0"),
    ),
    "convnextv2_nano": (
        PretrainedCfg("fcmae_ft_in22k_in1k", license="cc-by-nc-4.0"),
        PretrainedCfg(
            "fcmae_ft_in22k_in1k_384",
            input_size=(3, 384, 384),
            crop_pct=1.0,
            crop_mode="squash",
            license="cc-by-nc-4.0",
        ),
        PretrainedCfg("fcmae_ft_in1k", license="cc-by-nc-4.0"),
        PretrainedCfg("fcmae", num_classes=0, label_set=None, license="cc-by-nc-4.0"),
    ),
    "convnextv2_pico": (
        PretrainedCfg("fcmae_ft_in1k", license="cc-by-nc-4.0"),
        PretrainedCfg("fcmae", num_classes=0, label_set=None, license="cc-by-nc-4.0"),
    ),
    "convnextv2_tiny": (
        PretrainedCfg("fcmae_ft_in22k_in1k", license="cc-by-nc-4.0"),
        PretrainedCfg(
            "fcmae_ft_in22k_in1k_384",
            input_size=(3, 384, 384),
            crop_pct=1.0,
            crop_mode="squash",
            license="cc-by-nc-4.0",
        ),
        PretrainedCfg("fcmae_ft_in1k", license="cc-by-nc-4.0"),
        PretrainedCfg("fcmae", num_classes=0, label_set=None, license="cc-by-nc-4.0"),
    ),
}

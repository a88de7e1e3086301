"""The convnext family as data: per timm architecture, its `ConvNeXt` arguments next to its pretrained tags.

Rows come from timm 1.0.31's registry (`default_cfgs` order: the first tag is timm's default).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from flaim.specs import CLIP_MEAN, CLIP_STD, INCEPTION_MEAN, INCEPTION_STD, PretrainedCfg

_V2 = dict(use_grn=True, ls_init_value=None)  # ConvNeXt V2: global response norm instead of layer scale

# Pretrained tags (timm's `_cfg`): the normalisation the weights expect, and what their head predicts.
_cfg = PretrainedCfg
_clip = partial(PretrainedCfg, mean=CLIP_MEAN, std=CLIP_STD)
_inception = partial(PretrainedCfg, mean=INCEPTION_MEAN, std=INCEPTION_STD)
_fcmae = partial(PretrainedCfg, license="cc-by-nc-4.0")  # ConvNeXt V2's FCMAE weights
_IN12K = dict(num_classes=11821, label_set="imagenet-12k")
_IN22K = dict(num_classes=21841, label_set="imagenet-22k")
_NO_HEAD = dict(num_classes=0, label_set=None)


# convnext_tiny and convnext_small share every tag
_TINY_SMALL_TAGS = (
    _cfg("in12k_ft_in1k", crop_pct=0.95),
    _cfg("in12k_ft_in1k_384", input_size=(3, 384, 384), crop_pct=1.0, crop_mode="squash"),
    _cfg("in12k", **_IN12K, crop_pct=0.95),
    _cfg("fb_in22k_ft_in1k"),
    _cfg("fb_in1k"),
    _cfg("fb_in22k_ft_in1k_384", input_size=(3, 384, 384), crop_pct=1.0, crop_mode="squash"),
    _cfg("fb_in22k", **_IN22K),
    _cfg("dinov3_lvd1689m", **_NO_HEAD, crop_pct=1.0, license="dinov3-license"),
    _cfg(
        "eupe_lvd1689m",
        **_NO_HEAD,
        input_size=(3, 256, 256),
        crop_pct=1.0,
        license="fair-noncommercial-research-license",
    ),
)

MODELS: dict[str, tuple[dict[str, Any], tuple[PretrainedCfg, ...]]] = {
    "convnext_zepto_rms": (
        dict(depths=(2, 2, 4, 2), dims=(32, 64, 128, 256), norm_layer="simplenorm", conv_mlp=True),
        (_inception("ra4_e3600_r224_in1k"),),
    ),
    "convnext_zepto_rms_ols": (
        dict(
            depths=(2, 2, 4, 2),
            dims=(32, 64, 128, 256),
            norm_layer="simplenorm",
            stem_type="overlap_act",
            conv_mlp=True,
        ),
        (_inception("ra4_e3600_r224_in1k", crop_pct=0.9),),
    ),
    "convnext_atto": (dict(depths=(2, 2, 6, 2), dims=(40, 80, 160, 320), conv_mlp=True), (_cfg("d2_in1k"),)),
    "convnext_atto_ols": (
        dict(depths=(2, 2, 6, 2), dims=(40, 80, 160, 320), stem_type="overlap_tiered", conv_mlp=True),
        (_cfg("a2_in1k"),),
    ),
    "convnext_atto_rms": (dict(depths=(2, 2, 6, 2), dims=(40, 80, 160, 320), norm_layer="rmsnorm", conv_mlp=True), ()),
    "convnext_femto": (dict(depths=(2, 2, 6, 2), dims=(48, 96, 192, 384), conv_mlp=True), (_cfg("d1_in1k"),)),
    "convnext_femto_ols": (
        dict(depths=(2, 2, 6, 2), dims=(48, 96, 192, 384), stem_type="overlap_tiered", conv_mlp=True),
        (_cfg("d1_in1k"),),
    ),
    "convnext_pico": (dict(depths=(2, 2, 6, 2), dims=(64, 128, 256, 512), conv_mlp=True), (_cfg("d1_in1k"),)),
    "convnext_pico_ols": (
        dict(depths=(2, 2, 6, 2), dims=(64, 128, 256, 512), stem_type="overlap_tiered", conv_mlp=True),
        (_cfg("d1_in1k", crop_pct=0.95),),
    ),
    "convnext_nano": (
        dict(depths=(2, 2, 8, 2), dims=(80, 160, 320, 640), conv_mlp=True),
        (
            _cfg("in12k_ft_in1k", crop_pct=0.95),
            _cfg("d1h_in1k", crop_pct=0.95),
            _cfg("r384_in12k_ft_in1k", input_size=(3, 384, 384), crop_pct=1.0),
            _cfg("in12k", **_IN12K, crop_pct=0.95),
            _cfg("r384_in12k", **_IN12K, input_size=(3, 384, 384), crop_pct=1.0),
            _cfg("r384_ad_in12k", **_IN12K, input_size=(3, 384, 384), crop_pct=1.0),
        ),
    ),
    "convnext_nano_ols": (
        dict(depths=(2, 2, 8, 2), dims=(80, 160, 320, 640), stem_type="overlap", conv_mlp=True),
        (_cfg("d1h_in1k", crop_pct=0.95),),
    ),
    "convnext_tiny_hnf": (
        dict(depths=(3, 3, 9, 3), dims=(96, 192, 384, 768), head_norm_first=True, conv_mlp=True),
        (_cfg("a2h_in1k", crop_pct=0.95),),
    ),
    "convnext_tiny": (
        dict(depths=(3, 3, 9, 3), dims=(96, 192, 384, 768)),
        _TINY_SMALL_TAGS,
    ),
    "convnext_small": (
        dict(depths=(3, 3, 27, 3), dims=(96, 192, 384, 768)),
        _TINY_SMALL_TAGS,
    ),
    "convnext_base": (
        dict(depths=(3, 3, 27, 3), dims=(128, 256, 512, 1024)),
        (
            _cfg("fb_in22k_ft_in1k"),
            _cfg("fb_in1k"),
            _cfg("fb_in22k_ft_in1k_384", input_size=(3, 384, 384), crop_pct=1.0, crop_mode="squash"),
            _cfg("fb_in22k", **_IN22K),
            _clip("clip_laion2b_augreg_ft_in12k_in1k", input_size=(3, 256, 256), crop_pct=1.0),
            _clip("clip_laion2b_augreg_ft_in12k_in1k_384", input_size=(3, 384, 384), crop_pct=1.0, crop_mode="squash"),
            _clip("clip_laion2b_augreg_ft_in1k", input_size=(3, 256, 256), crop_pct=1.0),
            _clip("clip_laiona_augreg_ft_in1k_384", input_size=(3, 384, 384), crop_pct=1.0),
            _clip("clip_laion2b_augreg_ft_in12k", **_IN12K, input_size=(3, 256, 256), crop_pct=1.0),
            _clip("clip_laion2b", num_classes=640, input_size=(3, 256, 256), crop_pct=1.0, label_set=None),
            _clip("clip_laion2b_augreg", num_classes=640, input_size=(3, 256, 256), crop_pct=1.0, label_set=None),
            _clip("clip_laiona", num_classes=640, input_size=(3, 256, 256), crop_pct=1.0, label_set=None),
            _clip("clip_laiona_320", num_classes=640, input_size=(3, 320, 320), crop_pct=1.0, label_set=None),
            _clip("clip_laiona_augreg_320", num_classes=640, input_size=(3, 320, 320), crop_pct=1.0, label_set=None),
            _cfg("dinov3_lvd1689m", **_NO_HEAD, crop_pct=1.0, license="dinov3-license"),
            _cfg(
                "eupe_lvd1689m",
                **_NO_HEAD,
                input_size=(3, 256, 256),
                crop_pct=1.0,
                license="fair-noncommercial-research-license",
            ),
        ),
    ),
    "convnext_large": (
        dict(depths=(3, 3, 27, 3), dims=(192, 384, 768, 1536)),
        (
            _cfg("fb_in22k_ft_in1k"),
            _cfg("fb_in1k"),
            _cfg("fb_in22k_ft_in1k_384", input_size=(3, 384, 384), crop_pct=1.0, crop_mode="squash"),
            _cfg("fb_in22k", **_IN22K),
            _cfg("dinov3_lvd1689m", **_NO_HEAD, crop_pct=1.0, license="dinov3-license"),
        ),
    ),
    "convnext_large_mlp": (
        dict(depths=(3, 3, 27, 3), dims=(192, 384, 768, 1536), head_hidden_size=1536),
        (
            _clip("clip_laion2b_soup_ft_in12k_in1k_320", input_size=(3, 320, 320), crop_pct=1.0),
            _clip("clip_laion2b_soup_ft_in12k_in1k_384", input_size=(3, 384, 384), crop_pct=1.0, crop_mode="squash"),
            _clip("clip_laion2b_augreg_ft_in1k", input_size=(3, 256, 256), crop_pct=1.0),
            _clip("clip_laion2b_augreg_ft_in1k_384", input_size=(3, 384, 384), crop_pct=1.0, crop_mode="squash"),
            _clip("clip_laion2b_soup_ft_in12k_320", **_IN12K, input_size=(3, 320, 320), crop_pct=1.0),
            _clip(
                "clip_laion2b_augreg_ft_in12k_384", **_IN12K, input_size=(3, 384, 384), crop_pct=1.0, crop_mode="squash"
            ),
            _clip(
                "clip_laion2b_soup_ft_in12k_384", **_IN12K, input_size=(3, 384, 384), crop_pct=1.0, crop_mode="squash"
            ),
            _clip("clip_laion2b_augreg", num_classes=768, input_size=(3, 256, 256), crop_pct=1.0, label_set=None),
            _clip("clip_laion2b_ft_320", num_classes=768, input_size=(3, 320, 320), crop_pct=1.0, label_set=None),
            _clip("clip_laion2b_ft_soup_320", num_classes=768, input_size=(3, 320, 320), crop_pct=1.0, label_set=None),
        ),
    ),
    "convnext_xlarge": (
        dict(depths=(3, 3, 27, 3), dims=(256, 512, 1024, 2048)),
        (
            _cfg("fb_in22k_ft_in1k"),
            _cfg("fb_in22k_ft_in1k_384", input_size=(3, 384, 384), crop_pct=1.0, crop_mode="squash"),
            _cfg("fb_in22k", **_IN22K),
        ),
    ),
    "convnext_xxlarge": (
        dict(depths=(3, 4, 30, 3), dims=(384, 768, 1536, 3072), norm_eps=1e-05),
        (
            _clip("clip_laion2b_soup_ft_in1k", input_size=(3, 256, 256), crop_pct=1.0),
            _clip("clip_laion2b_soup_ft_in12k", **_IN12K, input_size=(3, 256, 256), crop_pct=1.0),
            _clip("clip_laion2b_soup", num_classes=1024, input_size=(3, 256, 256), crop_pct=1.0, label_set=None),
            _clip("clip_laion2b_rewind", num_classes=1024, input_size=(3, 256, 256), crop_pct=1.0, label_set=None),
        ),
    ),
    "convnextv2_atto": (
        dict(depths=(2, 2, 6, 2), dims=(40, 80, 160, 320), **_V2, conv_mlp=True),
        (_fcmae("fcmae_ft_in1k"), _fcmae("fcmae", **_NO_HEAD)),
    ),
    "convnextv2_femto": (
        dict(depths=(2, 2, 6, 2), dims=(48, 96, 192, 384), **_V2, conv_mlp=True),
        (_fcmae("fcmae_ft_in1k"), _fcmae("fcmae", **_NO_HEAD)),
    ),
    "convnextv2_pico": (
        dict(depths=(2, 2, 6, 2), dims=(64, 128, 256, 512), **_V2, conv_mlp=True),
        (_fcmae("fcmae_ft_in1k"), _fcmae("fcmae", **_NO_HEAD)),
    ),
    "convnextv2_nano": (
        dict(depths=(2, 2, 8, 2), dims=(80, 160, 320, 640), **_V2, conv_mlp=True),
        (
            _fcmae("fcmae_ft_in22k_in1k"),
            _fcmae("fcmae_ft_in22k_in1k_384", input_size=(3, 384, 384), crop_pct=1.0, crop_mode="squash"),
            _fcmae("fcmae_ft_in1k"),
            _fcmae("fcmae", **_NO_HEAD),
        ),
    ),
    "convnextv2_tiny": (
        dict(depths=(3, 3, 9, 3), dims=(96, 192, 384, 768), **_V2),
        (
            _fcmae("fcmae_ft_in22k_in1k"),
            _fcmae("fcmae_ft_in22k_in1k_384", input_size=(3, 384, 384), crop_pct=1.0, crop_mode="squash"),
            _fcmae("fcmae_ft_in1k"),
            _fcmae("fcmae", **_NO_HEAD),
        ),
    ),
    "convnextv2_small": (dict(depths=(3, 3, 27, 3), dims=(96, 192, 384, 768), **_V2), ()),
    "convnextv2_base": (
        dict(depths=(3, 3, 27, 3), dims=(128, 256, 512, 1024), **_V2),
        (
            _fcmae("fcmae_ft_in22k_in1k"),
            _fcmae("fcmae_ft_in22k_in1k_384", input_size=(3, 384, 384), crop_pct=1.0, crop_mode="squash"),
            _fcmae("fcmae_ft_in1k"),
            _fcmae("fcmae", **_NO_HEAD),
        ),
    ),
    "convnextv2_large": (
        dict(depths=(3, 3, 27, 3), dims=(192, 384, 768, 1536), **_V2),
        (
            _fcmae("fcmae_ft_in22k_in1k"),
            _fcmae("fcmae_ft_in22k_in1k_384", input_size=(3, 384, 384), crop_pct=1.0, crop_mode="squash"),
            _fcmae("fcmae_ft_in1k"),
            _fcmae("fcmae", **_NO_HEAD),
        ),
    ),
    "convnextv2_huge": (
        dict(depths=(3, 3, 27, 3), dims=(352, 704, 1408, 2816), **_V2),
        (
            _fcmae("fcmae_ft_in22k_in1k_384", input_size=(3, 384, 384), crop_pct=1.0, crop_mode="squash"),
            _fcmae("fcmae_ft_in22k_in1k_512", input_size=(3, 512, 512), crop_pct=1.0, crop_mode="squash"),
            _fcmae("fcmae_ft_in1k"),
            _fcmae("fcmae", **_NO_HEAD),
        ),
    ),
}
ARCHS: dict[str, dict[str, Any]] = {name: args for name, (args, _) in MODELS.items()}
TAGS: dict[str, tuple[PretrainedCfg, ...]] = {name: tags for name, (_, tags) in MODELS.items() if tags}

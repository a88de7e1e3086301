"""The resnet family as data: per timm architecture, its `ResNet` arguments next to its pretrained tags.

Rows come from timm 1.0.31's registry (`timm/models/resnet.py` entrypoints and `default_cfgs`); the first tag of each
architecture is timm's default. `pruned_widths` (per block: first conv, middle conv, output channels) come from timm's
`_pruned/*.txt` channel files.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from flaim.specs import INCEPTION_MEAN, INCEPTION_STD, PretrainedCfg

# fmt: off
_PRUNED_ECARESNET50D_PRUNED = (
    (47, 18, 19), (52, 22, 19), (64, 35, 19), (85, 37, 171), (107, 80, 171), (120, 85, 171),
    (125, 87, 171), (198, 126, 818), (255, 232, 818), (256, 233, 818), (253, 235, 818), (256, 225, 818),
    (256, 239, 818), (492, 237, 2022), (512, 500, 2022), (512, 490, 2022),
)
_PRUNED_ECARESNET101D_PRUNED = (
    (45, 25, 26), (53, 20, 26), (60, 27, 26), (81, 24, 142), (93, 49, 142), (102, 54, 142),
    (122, 78, 142), (101, 25, 278), (239, 160, 278), (234, 156, 278), (250, 176, 278), (253, 191, 278),
    (251, 175, 278), (230, 128, 278), (244, 154, 278), (244, 159, 278), (238, 97, 278), (244, 149, 278),
    (253, 181, 278), (245, 119, 278), (255, 216, 278), (256, 201, 278), (253, 149, 278), (254, 141, 278),
    (256, 190, 278), (256, 217, 278), (255, 156, 278), (256, 155, 278), (256, 232, 278), (256, 214, 278),
    (499, 289, 2042), (512, 512, 2042), (512, 502, 2042),
)
# fmt: on

# Stems (timm's letter suffixes) and block extras the rows share.
_D = dict(stem_width=32, stem_type="deep", avg_down=True)  # "d": deep 3×3 stem, average-pool shortcut downsampling
_T = dict(stem_width=32, stem_type="deep_tiered", avg_down=True)  # "t": deep stem with tiered widths
_C = dict(stem_width=32, stem_type="deep")  # "c": deep stem only
_RS = dict(attn_layer="se", attn_rd_ratio=0.25, replace_stem_pool=True)  # ResNet-RS: SE, strided conv for stem pool

# Pretrained tags (timm's `_cfg`), by where the weights come from.
_cfg = PretrainedCfg
_tv = partial(PretrainedCfg, interpolation="bilinear", license="bsd-3-clause")  # torchvision
_fb = partial(PretrainedCfg, interpolation="bilinear", license="cc-by-nc-4.0")  # Facebook's (semi-)weakly supervised
_inception = partial(PretrainedCfg, mean=INCEPTION_MEAN, std=INCEPTION_STD)
_IN12K = dict(num_classes=11821, label_set="imagenet-12k")

MODELS: dict[str, tuple[dict[str, Any], tuple[PretrainedCfg, ...]]] = {
    "ecaresnet26t": (dict(depths=(2, 2, 2, 2), **_T, attn_layer="eca"), (_cfg("ra2_in1k", input_size=(3, 256, 256)),)),
    "ecaresnet50d": (dict(depths=(3, 4, 6, 3), **_D, attn_layer="eca"), (_cfg("miil_in1k"),)),
    "ecaresnet50d_pruned": (
        dict(depths=(3, 4, 6, 3), **_D, attn_layer="eca", pruned_widths=_PRUNED_ECARESNET50D_PRUNED),
        (_cfg("miil_in1k"),),
    ),
    "ecaresnet50t": (
        dict(depths=(3, 4, 6, 3), **_T, attn_layer="eca"),
        (
            _cfg("ra2_in1k", input_size=(3, 256, 256)),
            _cfg("a1_in1k", crop_pct=0.95),
            _cfg("a2_in1k", crop_pct=0.95),
            _cfg("a3_in1k", input_size=(3, 160, 160), crop_pct=0.95),
        ),
    ),
    "ecaresnet101d": (dict(depths=(3, 4, 23, 3), **_D, attn_layer="eca"), (_cfg("miil_in1k"),)),
    "ecaresnet101d_pruned": (
        dict(depths=(3, 4, 23, 3), **_D, attn_layer="eca", pruned_widths=_PRUNED_ECARESNET101D_PRUNED),
        (_cfg("miil_in1k"),),
    ),
    "ecaresnet269d": (
        dict(depths=(3, 30, 48, 8), **_D, attn_layer="eca"),
        (_cfg("ra2_in1k", input_size=(3, 320, 320), crop_pct=0.95),),
    ),
    "ecaresnetlight": (
        dict(depths=(1, 1, 11, 3), attn_layer="eca", stem_width=32, avg_down=True),
        (_cfg("miil_in1k"),),
    ),
    "resnet10t": (dict(block="basic", depths=(1, 1, 1, 1), **_T), (_cfg("c3_in1k", input_size=(3, 176, 176)),)),
    "resnet14t": (dict(depths=(1, 1, 1, 1), **_T), (_cfg("c3_in1k", input_size=(3, 176, 176)),)),
    "resnet18": (
        dict(block="basic", depths=(2, 2, 2, 2)),
        (
            _cfg("a1_in1k", crop_pct=0.95),
            _cfg("a2_in1k", crop_pct=0.95),
            _cfg("a3_in1k", input_size=(3, 160, 160), crop_pct=0.95),
            _tv("tv_in1k"),
            _fb("fb_ssl_yfcc100m_ft_in1k"),
            _fb("fb_swsl_ig1b_ft_in1k"),
            _cfg("gluon_in1k"),
        ),
    ),
    "resnet18d": (
        dict(block="basic", depths=(2, 2, 2, 2), **_D),
        (_cfg("ra2_in1k"), _inception("ra4_e3600_r224_in1k", crop_pct=0.9)),
    ),
    "resnet26": (dict(depths=(2, 2, 2, 2)), (_cfg("bt_in1k"),)),
    "resnet26d": (dict(depths=(2, 2, 2, 2), **_D), (_cfg("bt_in1k"),)),
    "resnet26t": (dict(depths=(2, 2, 2, 2), **_T), (_cfg("ra2_in1k", input_size=(3, 256, 256), crop_pct=0.94),)),
    "resnet34": (
        dict(block="basic", depths=(3, 4, 6, 3)),
        (
            _cfg("a1_in1k", crop_pct=0.95),
            _cfg("a2_in1k", crop_pct=0.95),
            _cfg("a3_in1k", input_size=(3, 160, 160), crop_pct=0.95),
            _cfg("bt_in1k"),
            _inception("ra4_e3600_r224_in1k", crop_pct=0.9),
            _tv("tv_in1k"),
            _cfg("gluon_in1k"),
        ),
    ),
    "resnet34d": (dict(block="basic", depths=(3, 4, 6, 3), **_D), (_cfg("ra2_in1k"),)),
    "resnet50": (
        dict(depths=(3, 4, 6, 3)),
        (
            _cfg("a1_in1k", crop_pct=0.95),
            _cfg("a1h_in1k", input_size=(3, 176, 176), crop_pct=0.9),
            _cfg("a2_in1k", crop_pct=0.95),
            _cfg("a3_in1k", input_size=(3, 160, 160), crop_pct=0.95),
            _cfg("b1k_in1k", crop_pct=0.95),
            _cfg("b2k_in1k", crop_pct=0.95),
            _cfg("c1_in1k", crop_pct=0.95),
            _cfg("c2_in1k", crop_pct=0.95),
            _cfg("d_in1k", crop_pct=0.95),
            _cfg("ram_in1k"),
            _cfg("am_in1k"),
            _cfg("ra_in1k"),
            _cfg("bt_in1k"),
            _tv("tv_in1k"),
            _tv("tv2_in1k", input_size=(3, 176, 176)),
            _cfg("bamboo", num_classes=0, crop_pct=1.0, label_set=None, license=None),
            _fb("fb_ssl_yfcc100m_ft_in1k"),
            _fb("fb_swsl_ig1b_ft_in1k"),
            _cfg("gluon_in1k"),
        ),
    ),
    "resnet50_gn": (dict(depths=(3, 4, 6, 3), norm_layer="groupnorm"), (_cfg("a1h_in1k", crop_pct=0.94),)),
    "resnet50c": (dict(depths=(3, 4, 6, 3), **_C), (_cfg("gluon_in1k"),)),
    "resnet50d": (
        dict(depths=(3, 4, 6, 3), **_D),
        (
            _cfg("ra2_in1k"),
            _inception("ra4_e3600_r224_in1k", crop_pct=0.95),
            _cfg("a1_in1k", crop_pct=0.95),
            _cfg("a2_in1k", crop_pct=0.95),
            _cfg("a3_in1k", input_size=(3, 160, 160), crop_pct=0.95),
            _cfg("gluon_in1k"),
        ),
    ),
    "resnet50s": (dict(depths=(3, 4, 6, 3), stem_type="deep"), (_cfg("gluon_in1k"),)),
    "resnet101": (
        dict(depths=(3, 4, 23, 3)),
        (
            _cfg("a1h_in1k", crop_pct=0.95),
            _cfg("a1_in1k", crop_pct=0.95),
            _cfg("a2_in1k", crop_pct=0.95),
            _cfg("a3_in1k", input_size=(3, 160, 160), crop_pct=0.95),
            _tv("tv_in1k"),
            _tv("tv2_in1k", input_size=(3, 176, 176)),
            _cfg("gluon_in1k"),
        ),
    ),
    "resnet101c": (dict(depths=(3, 4, 23, 3), **_C), (_cfg("gluon_in1k"),)),
    "resnet101d": (
        dict(depths=(3, 4, 23, 3), **_D),
        (_cfg("ra2_in1k", input_size=(3, 256, 256), crop_pct=0.95), _cfg("gluon_in1k")),
    ),
    "resnet101s": (dict(depths=(3, 4, 23, 3), stem_type="deep"), (_cfg("gluon_in1k"),)),
    "resnet152": (
        dict(depths=(3, 8, 36, 3)),
        (
            _cfg("a1h_in1k", crop_pct=0.95),
            _cfg("a1_in1k", crop_pct=0.95),
            _cfg("a2_in1k", crop_pct=0.95),
            _cfg("a3_in1k", input_size=(3, 160, 160), crop_pct=0.95),
            _tv("tv_in1k"),
            _tv("tv2_in1k", input_size=(3, 176, 176)),
            _cfg("gluon_in1k"),
        ),
    ),
    "resnet152c": (dict(depths=(3, 8, 36, 3), **_C), (_cfg("gluon_in1k"),)),
    "resnet152d": (
        dict(depths=(3, 8, 36, 3), **_D),
        (_cfg("ra2_in1k", input_size=(3, 256, 256), crop_pct=0.95), _cfg("gluon_in1k")),
    ),
    "resnet152s": (dict(depths=(3, 8, 36, 3), stem_type="deep"), (_cfg("gluon_in1k"),)),
    "resnet200d": (dict(depths=(3, 24, 36, 3), **_D), (_cfg("ra2_in1k", input_size=(3, 256, 256), crop_pct=0.95),)),
    "resnetaa50": (dict(depths=(3, 4, 6, 3), aa_layer="avg"), (_cfg("a1h_in1k", crop_pct=0.95),)),
    "resnetaa50d": (
        dict(depths=(3, 4, 6, 3), **_D, aa_layer="avg"),
        (
            _cfg("sw_in12k_ft_in1k", crop_pct=0.95),
            _cfg("sw_in12k", **_IN12K, crop_pct=0.95),
            _cfg("d_in12k", **_IN12K, crop_pct=0.95),
        ),
    ),
    "resnetaa101d": (
        dict(depths=(3, 4, 23, 3), **_D, aa_layer="avg"),
        (_cfg("sw_in12k_ft_in1k", crop_pct=0.95), _cfg("sw_in12k", **_IN12K, crop_pct=0.95)),
    ),
    "resnetblur50": (dict(depths=(3, 4, 6, 3), aa_layer="blur"), (_cfg("bt_in1k"),)),
    "resnetrs50": (dict(depths=(3, 4, 6, 3), **_D, **_RS), (_cfg("tf_in1k", input_size=(3, 160, 160), crop_pct=0.91),)),
    "resnetrs101": (
        dict(depths=(3, 4, 23, 3), **_D, **_RS),
        (_cfg("tf_in1k", input_size=(3, 192, 192), crop_pct=0.94),),
    ),
    "resnetrs152": (
        dict(depths=(3, 8, 36, 3), **_D, **_RS),
        (_cfg("tf_in1k", input_size=(3, 256, 256), crop_pct=1.0),),
    ),
    "resnetrs200": (
        dict(depths=(3, 24, 36, 3), **_D, **_RS),
        (_cfg("tf_in1k", input_size=(3, 256, 256), crop_pct=1.0),),
    ),
    "resnetrs270": (
        dict(depths=(4, 29, 53, 4), **_D, **_RS),
        (_cfg("tf_in1k", input_size=(3, 256, 256), crop_pct=1.0),),
    ),
    "resnetrs350": (
        dict(depths=(4, 36, 72, 4), **_D, **_RS),
        (_cfg("tf_in1k", input_size=(3, 288, 288), crop_pct=1.0),),
    ),
    "resnetrs420": (
        dict(depths=(4, 44, 87, 4), **_D, **_RS),
        (_cfg("tf_in1k", input_size=(3, 320, 320), crop_pct=1.0),),
    ),
    "resnext50_32x4d": (
        dict(depths=(3, 4, 6, 3), cardinality=32, base_width=4),
        (
            _cfg("a1h_in1k", crop_pct=0.95),
            _cfg("a1_in1k", crop_pct=0.95),
            _cfg("a2_in1k", crop_pct=0.95),
            _cfg("a3_in1k", input_size=(3, 160, 160), crop_pct=0.95),
            _cfg("ra_in1k"),
            _tv("tv_in1k"),
            _tv("tv2_in1k", input_size=(3, 176, 176)),
            _fb("fb_ssl_yfcc100m_ft_in1k"),
            _fb("fb_swsl_ig1b_ft_in1k"),
            _cfg("gluon_in1k"),
        ),
    ),
    "resnext50d_32x4d": (dict(depths=(3, 4, 6, 3), **_D, cardinality=32, base_width=4), (_cfg("bt_in1k"),)),
    "resnext101_32x4d": (
        dict(depths=(3, 4, 23, 3), cardinality=32, base_width=4),
        (_fb("fb_ssl_yfcc100m_ft_in1k"), _fb("fb_swsl_ig1b_ft_in1k"), _cfg("gluon_in1k")),
    ),
    "resnext101_32x8d": (
        dict(depths=(3, 4, 23, 3), cardinality=32, base_width=8),
        (
            _tv("tv_in1k"),
            _tv("tv2_in1k", input_size=(3, 176, 176)),
            _fb("fb_wsl_ig1b_ft_in1k"),
            _fb("fb_ssl_yfcc100m_ft_in1k"),
            _fb("fb_swsl_ig1b_ft_in1k"),
        ),
    ),
    "resnext101_32x16d": (
        dict(depths=(3, 4, 23, 3), cardinality=32, base_width=16),
        (_fb("fb_wsl_ig1b_ft_in1k"), _fb("fb_ssl_yfcc100m_ft_in1k"), _fb("fb_swsl_ig1b_ft_in1k")),
    ),
    "resnext101_32x32d": (dict(depths=(3, 4, 23, 3), cardinality=32, base_width=32), (_fb("fb_wsl_ig1b_ft_in1k"),)),
    "resnext101_64x4d": (
        dict(depths=(3, 4, 23, 3), cardinality=64, base_width=4),
        (_cfg("c1_in1k", crop_pct=0.95), _tv("tv_in1k"), _cfg("gluon_in1k")),
    ),
    "senet154": (
        dict(
            depths=(3, 8, 36, 3),
            attn_layer="se",
            cardinality=64,
            base_width=4,
            stem_type="deep",
            block_reduce_first=2,
            down_kernel_size=3,
        ),
        (_cfg("gluon_in1k"),),
    ),
    "seresnet50": (
        dict(depths=(3, 4, 6, 3), attn_layer="se"),
        (
            _cfg("a1_in1k", crop_pct=0.95),
            _cfg("a2_in1k", crop_pct=0.95),
            _cfg("a3_in1k", input_size=(3, 160, 160), crop_pct=0.95),
            _cfg("ra2_in1k"),
        ),
    ),
    "seresnet152d": (
        dict(depths=(3, 8, 36, 3), **_D, attn_layer="se"),
        (_cfg("ra2_in1k", input_size=(3, 256, 256), crop_pct=0.95),),
    ),
    "seresnext26d_32x4d": (
        dict(depths=(2, 2, 2, 2), **_D, attn_layer="se", cardinality=32, base_width=4),
        (_cfg("bt_in1k"),),
    ),
    "seresnext26t_32x4d": (
        dict(depths=(2, 2, 2, 2), **_T, attn_layer="se", cardinality=32, base_width=4),
        (_cfg("bt_in1k"),),
    ),
    "seresnext50_32x4d": (
        dict(depths=(3, 4, 6, 3), attn_layer="se", cardinality=32, base_width=4),
        (_cfg("racm_in1k"), _cfg("gluon_in1k")),
    ),
    "seresnext101_32x4d": (
        dict(depths=(3, 4, 23, 3), attn_layer="se", cardinality=32, base_width=4),
        (_cfg("gluon_in1k"),),
    ),
    "seresnext101_32x8d": (
        dict(depths=(3, 4, 23, 3), attn_layer="se", cardinality=32, base_width=8),
        (_cfg("ah_in1k", crop_pct=0.95),),
    ),
    "seresnext101_64x4d": (
        dict(depths=(3, 4, 23, 3), attn_layer="se", cardinality=64, base_width=4),
        (_cfg("gluon_in1k"),),
    ),
    "seresnext101d_32x8d": (
        dict(depths=(3, 4, 23, 3), **_D, attn_layer="se", cardinality=32, base_width=8),
        (_cfg("ah_in1k", crop_pct=0.95),),
    ),
    "seresnextaa101d_32x8d": (
        dict(depths=(3, 4, 23, 3), **_D, attn_layer="se", aa_layer="avg", cardinality=32, base_width=8),
        (
            _cfg("sw_in12k_ft_in1k_288", input_size=(3, 288, 288), crop_pct=0.95),
            _cfg("sw_in12k_ft_in1k"),
            _cfg("sw_in12k", **_IN12K, crop_pct=0.95),
            _cfg("ah_in1k", crop_pct=0.95),
        ),
    ),
    "seresnextaa201d_32x8d": (
        dict(
            depths=(3, 24, 36, 4),
            attn_layer="se",
            aa_layer="avg",
            cardinality=32,
            base_width=8,
            stem_type="deep",
            avg_down=True,
        ),
        (
            _cfg("sw_in12k_ft_in1k_384", input_size=(3, 384, 384), crop_pct=1.0),
            _cfg("sw_in12k", **_IN12K, input_size=(3, 320, 320), crop_pct=0.95),
        ),
    ),
    "test_resnet": (
        dict(
            block=("basic", "basic", "bottleneck", "basic"),
            depths=(1, 1, 1, 1),
            channels=(32, 48, 48, 96),
            stem_width=16,
            stem_type="deep",
            avg_down=True,
        ),
        (_inception("r160_in1k", input_size=(3, 160, 160), crop_pct=0.95, interpolation="bilinear"),),
    ),
    "wide_resnet50_2": (
        dict(depths=(3, 4, 6, 3), base_width=128),
        (_cfg("racm_in1k"), _tv("tv_in1k"), _tv("tv2_in1k", input_size=(3, 176, 176))),
    ),
    "wide_resnet101_2": (
        dict(depths=(3, 4, 23, 3), base_width=128),
        (_tv("tv_in1k"), _tv("tv2_in1k", input_size=(3, 176, 176))),
    ),
}
ARCHS: dict[str, dict[str, Any]] = {name: args for name, (args, _) in MODELS.items()}
TAGS: dict[str, tuple[PretrainedCfg, ...]] = {name: tags for name, (_, tags) in MODELS.items() if tags}

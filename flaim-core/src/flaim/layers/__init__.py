"""Building blocks shared by the family plugins, one concept per module; the public ones re-exported here
(``from flaim.layers import Mlp, ConvNormAct, Attention``)."""

from flaim.layers.activations import get_act
from flaim.layers.affine import Affine, affine
from flaim.layers.attention import Attention, AttentionPoolLatent, attention
from flaim.layers.batchnorm import BatchNorm, batch_norm, batch_norm_train
from flaim.layers.blur_pool import blur_pool
from flaim.layers.config import by_platform, lifted_by_platform
from flaim.layers.conv import Conv2d, ConvNormAct, conv2d, get_padding
from flaim.layers.dense import Dense, channel_matmul
from flaim.layers.depthwise import DepthwiseConv2d, depthwise_conv2d
from flaim.layers.drop import DropPath, drop_path, drop_path_rates
from flaim.layers.grn import GlobalResponseNorm, global_response_norm
from flaim.layers.head import ClassifierHead
from flaim.layers.helpers import make_divisible
from flaim.layers.input import check_image_batch
from flaim.layers.layer_scale import LayerScale, layer_scale
from flaim.layers.mlp import GatedMlp, GlobalResponseNormMlp, GluMlp, Mlp, SpatialGatingUnit, SwiGLU
from flaim.layers.norm import GroupNorm, LayerNorm, RmsNorm, SimpleNorm, get_norm, layer_norm, rms_norm, simple_norm
from flaim.layers.params import param
from flaim.layers.patch_embed import PatchEmbed
from flaim.layers.pool import avg_pool, global_avg_pool, max_pool
from flaim.layers.pos_embed import resample_abs_pos_embed
from flaim.layers.squeeze_excite import EfficientChannelAttention, SqueezeExcite
from flaim.layers.tokenwise import map_tokens, tokenwise

__all__ = [
    "Affine",
    "Attention",
    "AttentionPoolLatent",
    "BatchNorm",
    "ClassifierHead",
    "Conv2d",
    "ConvNormAct",
    "Dense",
    "DepthwiseConv2d",
    "DropPath",
    "EfficientChannelAttention",
    "GatedMlp",
    "GlobalResponseNorm",
    "GlobalResponseNormMlp",
    "GluMlp",
    "GroupNorm",
    "LayerNorm",
    "LayerScale",
    "Mlp",
    "PatchEmbed",
    "RmsNorm",
    "SimpleNorm",
    "SpatialGatingUnit",
    "SqueezeExcite",
    "SwiGLU",
    "affine",
    "attention",
    "avg_pool",
    "batch_norm",
    "batch_norm_train",
    "blur_pool",
    "by_platform",
    "channel_matmul",
    "check_image_batch",
    "conv2d",
    "depthwise_conv2d",
    "drop_path",
    "drop_path_rates",
    "get_act",
    "get_norm",
    "get_padding",
    "global_avg_pool",
    "global_response_norm",
    "layer_norm",
    "layer_scale",
    "lifted_by_platform",
    "make_divisible",
    "map_tokens",
    "max_pool",
    "param",
    "resample_abs_pos_embed",
    "rms_norm",
    "simple_norm",
    "tokenwise",
]

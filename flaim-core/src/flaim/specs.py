"""Typed records that family plugins return: one `ModelSpec` per architecture, one `PretrainedCfg` per tag."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
INCEPTION_MEAN = (0.5, 0.5, 0.5)
INCEPTION_STD = (0.5, 0.5, 0.5)
CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


@dataclass(frozen=True)
class PretrainedCfg:
    """One pretrained tag of an architecture, with the preprocessing its weights expect (timm's fields)."""

    tag: str
    num_classes: int = 1000
    input_size: tuple[int, int, int] = (3, 224, 224)
    mean: tuple[float, float, float] = IMAGENET_MEAN
    std: tuple[float, float, float] = IMAGENET_STD
    crop_pct: float = 0.875
    crop_mode: str = "center"
    interpolation: str = "bicubic"
    label_set: str | None = "imagenet-1k"
    license: str | None = "apache-2.0"
    hf_hub_id: str = ""  # filled in by ModelSpec: always timm/<arch>.<tag>

    def to_dict(self) -> dict[str, Any]:
        """The config as a plain dict, in the shape `flaim.get_pretrained_cfg` returns."""
        return {
            "tag": self.tag,
            "hf_hub_id": self.hf_hub_id,
            "num_classes": self.num_classes,
            "input_size": self.input_size,
            "mean": self.mean,
            "std": self.std,
            "crop_pct": self.crop_pct,
            "crop_mode": self.crop_mode,
            "interpolation": self.interpolation,
            "label_set": self.label_set,
            "license": self.license,
        }


@dataclass(frozen=True)
class ModelSpec:
    """One architecture a plugin provides.

    `builder` and `converter` are lazy references, ``"package.module:attribute"``, so that listing models
    imports neither jax nor the family's model code. The builder is a flax module class taking ``n_classes``
    and ``model_args``; the converter maps a timm ``state_dict`` (numpy arrays) to flax variables:
    ``converter(state: dict[str, np.ndarray], model: nn.Module) -> {"params": ..., "batch_stats": ...}``.
    `rules`, optional, names the converter's rule table, ``rules(model: nn.Module) -> list[Rule]``, which
    ``save_pretrained(..., format="timm")`` reads backwards to write timm checkpoints.
    The first pretrained tag is the default one, as in timm.

    ``group_matcher`` orders the parameters by depth for layer-wise learning-rate decay (`flaim.optim`), in timm's
    ``group_matcher(coarse=False)`` format over flax parameter paths (``'layer1/0/conv1/conv/kernel'``): group name →
    regex, or → ``((regex, suffix), ...)``. A path takes the ordinal ``(group index, *regex groups, *suffix)`` of the
    first regex that matches its start; ``suffix=(99999,)`` joins the group before; unmatched paths (the head) come
    last. ``no_weight_decay`` lists ``fnmatch`` patterns of parameter paths kept out of weight decay besides biases,
    norm and layer-scale gains (timm's ``no_weight_decay()``: position embedding, class and register tokens).
    """

    name: str
    family: str
    builder: str
    converter: str
    model_args: Mapping[str, Any] = field(default_factory=dict)
    pretrained: tuple[PretrainedCfg, ...] = ()
    rules: str | None = None
    classifier: str = "head"  # path of the last linear layer in params, '/'-separated
    hierarchical: bool = True  # intermediates named stage_<i> (True) or block_<i> (False)
    group_matcher: Mapping[str, str | tuple[tuple[str, tuple[int, ...] | None], ...]] = field(default_factory=dict)
    no_weight_decay: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        fixed = tuple(
            cfg if cfg.hf_hub_id else _with_hub_id(cfg, f"timm/{self.name}.{cfg.tag}") for cfg in self.pretrained
        )
        object.__setattr__(self, "pretrained", fixed)
        object.__setattr__(self, "model_args", MappingProxyType(dict(self.model_args)))
        object.__setattr__(self, "group_matcher", MappingProxyType(dict(self.group_matcher)))

    @property
    def tags(self) -> tuple[str, ...]:
        """The pretrained tags, default first."""
        return tuple(cfg.tag for cfg in self.pretrained)

    def pretrained_cfg(self, tag: str | None = None) -> PretrainedCfg | None:
        """The config of `tag` (the default tag when None); None when the architecture has no weights."""
        if tag is None:
            return self.pretrained[0] if self.pretrained else None
        for cfg in self.pretrained:
            if cfg.tag == tag:
                return cfg
        raise KeyError(tag)


def _with_hub_id(cfg: PretrainedCfg, hub_id: str) -> PretrainedCfg:
    from dataclasses import replace

    return replace(cfg, hf_hub_id=hub_id)

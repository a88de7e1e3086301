"""The eval preprocessing a checkpoint expects: input size, resize filter, crop and normalisation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from flaim.specs import IMAGENET_MEAN, IMAGENET_STD, PretrainedCfg

INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "box", "hamming", "lanczos")
CROP_MODES = ("center", "squash", "border")


@dataclass(frozen=True)
class DataConfig:
    """timm's data config: what `resolve_data_config` returns and `preprocess` consumes."""

    input_size: tuple[int, int, int] = (3, 224, 224)
    interpolation: str = "bicubic"
    mean: tuple[float, float, float] = IMAGENET_MEAN
    std: tuple[float, float, float] = IMAGENET_STD
    crop_pct: float = 0.875
    crop_mode: str = "center"

    def __post_init__(self) -> None:
        size = tuple(int(v) for v in self.input_size) if isinstance(self.input_size, tuple | list) else ()
        if len(size) != 3 or size[0] != 3 or min(size) < 1:
            raise ValueError(f"input_size must be (3, height, width) with positive sizes, got {self.input_size}")
        if self.interpolation not in INTERPOLATIONS:
            choices = ", ".join(INTERPOLATIONS)
            raise ValueError(f"Unknown interpolation {self.interpolation!r}; choose one of: {choices}")
        if self.crop_mode not in CROP_MODES:
            raise ValueError(f"Unknown crop_mode {self.crop_mode!r}; choose one of: {', '.join(CROP_MODES)}")
        if not 0 < self.crop_pct <= 1:
            raise ValueError(f"crop_pct must be in (0, 1], got {self.crop_pct}")
        for key in ("mean", "std"):
            value = tuple(float(v) for v in getattr(self, key))
            if len(value) != 3:
                raise ValueError(f"{key} must have one value per RGB channel, got {getattr(self, key)}")
            object.__setattr__(self, key, value)
        if min(self.std) <= 0:
            raise ValueError(f"std must be positive, got {self.std}")
        object.__setattr__(self, "input_size", size)
        object.__setattr__(self, "crop_pct", float(self.crop_pct))

    @property
    def img_size(self) -> tuple[int, int]:
        """``(height, width)`` of the model input."""
        return self.input_size[1], self.input_size[2]

    def to_dict(self) -> dict[str, Any]:
        """The config as timm's ``resolve_data_config`` dict (``timm.data.create_transform(**cfg)`` accepts it)."""
        return asdict(self)


def resolve_data_config(source: str | Mapping[str, Any] | PretrainedCfg | DataConfig) -> DataConfig:
    """The preprocessing of a checkpoint, with timm's defaults wherever its config is silent.

    Args:
        source: a registered ``'name'`` (its default tag) or ``'name.tag'``; a pretrained-config dict (flaim's
            `get_pretrained_cfg`, or timm's: keys other than those of `DataConfig` are ignored, empty values mean
            "default"); a `PretrainedCfg`; or a `DataConfig`, returned as is.

    Returns:
        The `DataConfig` that `preprocess` takes.

    Raises:
        UnknownModelError, UnknownTagError: `source` names no registered model or tag, or a model without weights.
        ValueError: a value is out of range (the message lists the valid ones).
    """
    if isinstance(source, DataConfig):
        return source
    if isinstance(source, str):
        from flaim import get_pretrained_cfg

        source = get_pretrained_cfg(source)
    elif isinstance(source, PretrainedCfg):
        source = source.to_dict()
    if not isinstance(source, Mapping):
        raise TypeError(
            f"resolve_data_config takes a model name, a config dict, a PretrainedCfg or a DataConfig, "
            f"not {type(source).__name__}"
        )
    defaults = DataConfig()
    values = {key: source.get(key) or getattr(defaults, key) for key in defaults.to_dict()}
    return DataConfig(**values)

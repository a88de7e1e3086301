"""The toy family's model and converter (imported only when a model is built)."""

from __future__ import annotations

from typing import Any

import numpy as np
from flax import linen as nn

from flaim.convert import Rule, apply_rules, conv_kernel, linear_kernel
from flaim.layers.head import ClassifierHead
from flaim.layers.input import check_image_batch


class ToyNet(nn.Module):
    """Conv → ReLU → global pool → classifier."""

    n_classes: int = 10
    width: int = 8
    kernel_size: tuple[int, int] = (3, 3)
    param_dtype: Any = np.float32
    img_size: int = 16  # the size get_model initialises at (any size runs)

    @nn.compact
    def __call__(self, x: Any, training: bool = False) -> Any:
        check_image_batch(x)
        padding = [(k // 2, k // 2) for k in self.kernel_size]
        conv = nn.Conv(self.width, self.kernel_size, padding=padding, param_dtype=self.param_dtype, name="conv")
        x = nn.relu(conv(x))
        self.sow("intermediates", "stage_0", x)
        if self.n_classes == 0:
            return x
        return ClassifierHead(self.n_classes, name="head")(x.mean((1, 2)), training)


RULES = [
    Rule(r"conv\.weight", "params/conv/kernel", conv_kernel),
    Rule(r"conv\.bias", "params/conv/bias"),
    Rule(r"head\.fc\.weight", "params/head/fc/kernel", linear_kernel),
    Rule(r"head\.fc\.bias", "params/head/fc/bias"),
]


def rules(model: nn.Module) -> list[Rule]:
    return RULES


def timm_to_flax(state: dict[str, np.ndarray], model: nn.Module) -> dict[str, Any]:
    return apply_rules(state, RULES)


def timm_style_state(width: int = 8, n_classes: int = 10, seed: int = 0) -> dict[str, np.ndarray]:
    """A checkpoint in PyTorch layout for ToyNet."""
    rng = np.random.default_rng(seed)
    return {
        "conv.weight": rng.standard_normal((width, 3, 3, 3), dtype=np.float32),
        "conv.bias": rng.standard_normal((width,), dtype=np.float32),
        "head.fc.weight": rng.standard_normal((n_classes, width), dtype=np.float32),
        "head.fc.bias": rng.standard_normal((n_classes,), dtype=np.float32),
    }

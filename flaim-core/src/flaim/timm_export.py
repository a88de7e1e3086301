"""flax variables → a checkpoint in timm's layout: the family's converter rules read backwards."""

from __future__ import annotations

from typing import Any

import numpy as np

from flaim.convert import flatten, reverse_rules
from flaim.errors import WeightsError
from flaim.registry import REGISTRY


def timm_checkpoint(
    variables: dict[str, Any], model_name: str, model: Any | None = None
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """timm's state dict for `variables` of `model_name`, and the ``config.json`` timm's Hub repos carry.

    Args:
        variables: ``params`` and ``batch_stats`` (other collections are left out).
        model_name: the architecture, ``name`` or ``name.tag``.
        model: the module the variables belong to; needed when its arguments change the layout (e.g. ResNet's
            ``avg_down``), else the architecture's defaults place the keys.

    Raises:
        WeightsError: the family declares no rule table, or a variable has no timm key.
    """
    from flaim.factory import build, head_width, load_ref

    spec, _ = REGISTRY.resolve(model_name)
    if spec.rules is None:
        raise WeightsError(
            f"'{spec.name}' ({spec.family}) declares no converter rule table (ModelSpec.rules), so flaim cannot "
            f"write it in timm's layout; save it with format='flaim'."
        )
    model = build(spec, -1, {}) if model is None else model
    kept = {k: v for k, v in flatten(variables).items() if k.startswith(("params/", "batch_stats/"))}
    try:
        state = reverse_rules(kept, load_ref(spec.rules)(model))
    except WeightsError as exc:
        raise WeightsError(f"Cannot write '{spec.name}' in timm's layout: {exc}") from None
    return state, {"architecture": spec.name, "num_classes": head_width(spec, kept)}

"""`flaim.optim` against timm's optimiser parameter groups: the same parameters get weight decay as in
``param_groups_weight_decay``, and the same learning-rate scale as in ``param_groups_layer_decay``.

timm builds on the meta device and flaim with ``jax.eval_shape``, so no weights are materialised; each flax parameter
is traced to its timm name through the family's real converter (`flaim.testing.timm_names`).
"""

from __future__ import annotations

import jax
import pytest
import timm
import torch
from timm.optim import param_groups_layer_decay, param_groups_weight_decay

from flaim import random_init
from flaim.convert import flatten, unflatten
from flaim.factory import build
from flaim.optim import layer_decay_scales, no_weight_decay_mask
from flaim.registry import REGISTRY
from flaim.testing import timm_names

pytestmark = pytest.mark.torch

MODELS = ("resnet50", "vit_base_patch16_224", "convnext_tiny")


def _timm_model(name: str) -> torch.nn.Module:
    with torch.device("meta"):
        return timm.create_model(name, pretrained=False)


def _flax_params_and_names(name: str, model: torch.nn.Module) -> tuple[dict, dict[str, str]]:
    """Abstract flax params, and the timm parameter each flax path is converted from."""
    module = build(REGISTRY.resolve(name)[0], 1000, {})
    params = unflatten(random_init.plan(module, jax.random.key(0)).shapes)["params"]
    names = timm_names(name, model, module)
    assert set(names) == set(flatten(params)), "every flax parameter comes from one timm tensor"
    return params, names


def _no_weight_decay(model: torch.nn.Module) -> set[str]:
    """timm's own list, as ``create_optimizer_v2`` reads it."""
    return getattr(model, "no_weight_decay", set)()


def _by_name(model: torch.nn.Module, groups: list[dict], key: str) -> dict[str, float]:
    names = {id(p): n for n, p in model.named_parameters()}
    return {names[id(p)]: group[key] for group in groups for p in group["params"]}


@pytest.mark.parametrize("name", MODELS)
def test_weight_decay_mask_matches_timm(name: str) -> None:
    model = _timm_model(name)
    params, names = _flax_params_and_names(name, model)
    groups = param_groups_weight_decay(model, 0.05, no_weight_decay_list=_no_weight_decay(model))
    timm_decays = {n: wd > 0 for n, wd in _by_name(model, groups, "weight_decay").items()}
    mask = flatten(no_weight_decay_mask(params, name))
    assert {path: timm_decays[names[path]] for path in mask} == mask
    assert 0 < sum(mask.values()) < len(mask)


@pytest.mark.parametrize("name", MODELS)
def test_layer_decay_scales_match_timm(name: str) -> None:
    model = _timm_model(name)
    params, names = _flax_params_and_names(name, model)
    groups = param_groups_layer_decay(model, 0.05, layer_decay=0.75, no_weight_decay_list=_no_weight_decay(model))
    timm_scales = _by_name(model, groups, "lr_scale")
    scales = flatten(layer_decay_scales(name, params, 0.75))
    expected = {path: timm_scales[names[path]] for path in scales}
    assert scales == pytest.approx(expected, rel=1e-12)
    assert len(set(scales.values())) > 10  # a real depth ordering, not one group

"""Feature extraction against timm: ``flaim.feature_info`` equals timm's ``feature_info`` for every CNN, and the
``features_only`` maps equal timm's ``forward_intermediates`` (what its ``features_only`` models return)."""

from __future__ import annotations

import tempfile

import numpy as np
import pytest
import timm
import torch

import flaim
from flaim.testing import max_rel_err, randomize_timm, save_timm_checkpoint

pytestmark = pytest.mark.torch

CNNS = flaim.list_models("^(resnet|resnext|seresne|ecaresne|wide_resnet|convnext)")


@pytest.mark.parametrize("name", CNNS)
def test_feature_info_matches_timm(name: str) -> None:
    with torch.device("meta"):
        expected = timm.create_model(name, features_only=True).feature_info.get_dicts()
    assert flaim.feature_info(name) == expected


def _load(name: str, timm_kwargs: dict, flaim_kwargs: dict):
    tmodel = randomize_timm(timm.create_model(name, **timm_kwargs)).eval()
    with tempfile.TemporaryDirectory() as tmp:
        save_timm_checkpoint(tmodel, tmp)
        model, variables = flaim.get_model(name, pretrained=tmp, **flaim_kwargs)
    return tmodel, model, variables


X = np.random.default_rng(0).standard_normal((2, 64, 64, 3), dtype=np.float32)
XT = torch.from_numpy(X.transpose(0, 3, 1, 2).copy())


@pytest.mark.parametrize(
    ("name", "out_indices", "kwargs"),
    [("test_resnet", (0, 2, 4), {}), ("convnext_atto", (1, 3), {"depths": (1, 1, 1, 1)})],
)
def test_cnn_features_match_timm(name: str, out_indices: tuple[int, ...], kwargs: dict) -> None:
    tmodel, model, variables = _load(name, kwargs, {**kwargs, "features_only": True, "out_indices": out_indices})
    maps = model.apply(variables, X, training=False)
    with torch.no_grad():  # what timm's features_only model returns
        expected = tmodel.forward_intermediates(XT, indices=list(out_indices), intermediates_only=True)
        expected = [m.permute(0, 2, 3, 1).numpy() for m in expected]
    assert len(maps) == len(expected)
    for got, want in zip(maps, expected, strict=True):
        assert max_rel_err(got, want) < 1e-4


@pytest.mark.parametrize("norm", [False, True])
def test_vit_features_match_forward_intermediates(norm: bool) -> None:
    kwargs = {"img_size": 64, "depth": 3}
    features = {"features_only": True, "out_indices": (0, 2), "features_norm": norm}
    tmodel, model, variables = _load("test_vit", kwargs, {**kwargs, **features})
    maps = model.apply(variables, X, training=False)
    with torch.no_grad():
        expected = tmodel.forward_intermediates(XT, indices=[0, 2], norm=norm, intermediates_only=True)  # NCHW
    assert [m.shape for m in maps] == [(2, 4, 4, 64)] * 2
    for got, want in zip(maps, expected, strict=True):
        assert max_rel_err(got, want.permute(0, 2, 3, 1).numpy()) < 1e-4

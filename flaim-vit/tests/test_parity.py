"""flaim vs timm for every registered vit architecture, through the real loading path (`check_parity`).

Architectures whose rows differ only in ``img_size`` are the same network at the small test input, so one of
them stands for the group (`test_groups_cover_every_architecture` checks the grouping). Models 1024 wide or more
(large, so400m, huge, giant, AIMv2) run with 2 blocks, and those wider than 1280 also at 32-wide heads: every
block runs the same code, so the path is identical; the same overrides go to timm and flaim.
"""

from __future__ import annotations

from typing import Any

import pytest

from flaim.testing import check_parity, conformance_suite
from flaim_vit.configs import ARCHS, LEFT_OUT, TAGS

pytestmark = pytest.mark.torch


def _group_key(args: dict[str, Any]) -> tuple:
    return tuple(sorted((k, v) for k, v in args.items() if k != "img_size"))


def _groups() -> dict[tuple, list[str]]:
    groups: dict[tuple, list[str]] = {}
    for name, args in ARCHS.items():
        groups.setdefault(_group_key(args), []).append(name)
    return groups


def _overrides(args: dict[str, Any]) -> dict[str, Any]:
    """Smaller test input, and fewer / narrower blocks for the big models (see the module docstring)."""
    patch = args.get("patch_size", 16)
    kwargs: dict[str, Any] = {"img_size": 2 * patch}
    dim, heads = args.get("embed_dim", 768), args.get("num_heads", 12)
    if dim >= 1024:
        kwargs["depth"] = 2
    if dim > 1280:
        kwargs["embed_dim"] = 32 * heads
    return kwargs


REPRESENTATIVES = [names[0] for names in _groups().values()]


def test_table_matches_timm_registry() -> None:
    """Every timm vision_transformer / deit architecture with weights is a row or left out; tags as in timm."""
    import timm

    timm_tags: dict[str, list[str]] = {}
    for full in timm.list_pretrained():
        arch, tag = full.split(".", 1)
        timm_tags.setdefault(arch, []).append(tag)
    archs = {a for m in ("vision_transformer", "deit") for a in timm.list_models(module=m) if a in timm_tags}
    assert set(ARCHS) | set(LEFT_OUT) == archs
    for name in ARCHS:
        assert sorted(cfg.tag for cfg in TAGS[name]) == sorted(timm_tags[name]), name
        assert TAGS[name][0].tag == timm.models.get_pretrained_cfg(name).tag, name


def test_groups_cover_every_architecture() -> None:
    covered = {name for names in _groups().values() for name in names}
    assert covered == set(ARCHS)
    for names in _groups().values():
        assert len({_group_key(ARCHS[n]) for n in names}) == 1


def _parity_kwargs(name: str) -> dict[str, Any]:
    kwargs = _overrides(ARCHS[name])
    return {"img_size": kwargs["img_size"], "timm_kwargs": kwargs, "flaim_kwargs": kwargs, "train": False}


# One architecture per group: flaim's model contract, then eval parity at two patches square.
TestConformance = conformance_suite("flaim-vit", names=REPRESENTATIVES, parity_kwargs=_parity_kwargs)


# One model per block / MLP / pooling / token variant, with gradients (2 blocks: the forward pass is proven at
# full depth above).
GRAD_CASES = {
    "vit_tiny_patch16_224": {},  # class token, exact GELU, plain MLP
    "deit_tiny_distilled_patch16_224": {},  # distillation token and head
    "deit3_small_patch16_224": {},  # layer scale, no_embed_class
    "vit_base_patch16_siglip_224": {},  # MAP attention pool, no class token
    "vit_base_patch16_rpn_224": {},  # post-norm blocks, avg pool
    "vit_base_patch16_clip_quickgelu_224": {},  # pre-norm, QuickGELU, bias-free patch embed
    "vit_giant_patch14_reg4_dinov2": {"embed_dim": 192},  # SwiGLU packed, registers
    "aimv2_large_patch14_224": {"embed_dim": 256},  # RmsNorm, SwiGLU, patch-embed norm
    "beit3_base_patch16_224": {},  # scale norms in attention and MLP, fc_norm
}


@pytest.mark.parametrize("name", GRAD_CASES)
def test_parity_gradients(name: str) -> None:
    patch = ARCHS[name].get("patch_size", 16)
    kwargs = {"img_size": 2 * patch, "depth": 2, **GRAD_CASES[name]}
    check_parity(name, img_size=2 * patch, timm_kwargs=kwargs, flaim_kwargs=kwargs, train=True, grads=True)


def test_parity_qk_norm() -> None:
    """qk-norm (no pretrained ViT here uses it). The k-norm bias gets an exactly zero gradient (softmax ignores a
    shift shared by all keys): the gradient floor compares its rounding noise with the model's largest gradient."""
    kwargs = {"img_size": 32, "depth": 2, "qk_norm": True}
    check_parity("vit_small_patch16_224", img_size=32, timm_kwargs=kwargs, flaim_kwargs=kwargs, grads=True)


# Position-embedding resampling: (name, checkpoint grid in patches, run grid in patches).
def test_parity_img_size_not_a_multiple_of_the_patch() -> None:
    """timm's 384 px SigLIP at patch 14: the patch embedding drops the last partial row and column of patches."""
    kwargs = {"img_size": 2 * 14 + 5, "depth": 2, "embed_dim": 64, "num_heads": 2}
    check_parity("vit_so400m_patch14_siglip_384", img_size=33, timm_kwargs=kwargs, flaim_kwargs=kwargs, grads=True)


RESAMPLE_CASES = [
    ("vit_small_patch14_dinov2", 4, 3),  # downsampling, class token in the embedding
    ("vit_small_patch14_reg4_dinov2", 3, 5),  # upsampling, registers outside the embedding
    ("deit_tiny_distilled_patch16_224", 4, 2),  # two prefix tokens
    ("vit_base_patch16_siglip_224", 3, 4),  # no prefix tokens
]


@pytest.mark.parametrize(("name", "ckpt", "run"), RESAMPLE_CASES)
def test_parity_resampled_at_load(name: str, ckpt: int, run: int) -> None:
    """A checkpoint saved at one size, loaded at another: timm resamples on the fly, flaim once at load."""
    patch = ARCHS[name].get("patch_size", 16)
    depth = {"depth": 2}
    timm_kwargs = {"img_size": ckpt * patch, "dynamic_img_size": True, **depth}
    check_parity(name, img_size=run * patch, timm_kwargs=timm_kwargs, flaim_kwargs={"img_size": run * patch, **depth})


@pytest.mark.parametrize(("name", "ckpt", "run"), RESAMPLE_CASES)
def test_parity_dynamic_img_size(name: str, ckpt: int, run: int) -> None:
    """``dynamic_img_size=True`` in both: the position embedding is resampled inside the forward pass (gradients
    through the resampling for the first case)."""
    patch = ARCHS[name].get("patch_size", 16)
    kwargs = {"img_size": ckpt * patch, "dynamic_img_size": True, "depth": 2}
    grads = name == RESAMPLE_CASES[0][0]
    check_parity(name, img_size=run * patch, timm_kwargs=kwargs, flaim_kwargs=kwargs, grads=grads)

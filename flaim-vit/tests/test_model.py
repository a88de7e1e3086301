"""Tiny ViTs: shapes for every ``n_classes`` mode, intermediates, input errors, options, dtypes, resampling."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import flaim
from flaim_vit.convert import timm_to_flax
from flaim_vit.model import VisionTransformer

TINY = dict(img_size=32, embed_dim=32, depth=2, num_heads=2)


def _model(n_classes: int = 10, **kwargs):
    model = VisionTransformer(n_classes=n_classes, **{**TINY, **kwargs})
    x = jnp.asarray(np.random.default_rng(0).standard_normal((2, 32, 32, 3)), jnp.float32)
    return model, jax.jit(model.init)(jax.random.key(0), x), x


def _apply(model: VisionTransformer, variables: dict, x: jax.Array, **kwargs) -> jax.Array:
    return jax.jit(lambda v, x: model.apply(v, x, **kwargs))(variables, x)


@pytest.mark.parametrize(
    ("kwargs", "tokens"),
    [
        ({}, 5),
        ({"class_token": False, "global_pool": "avg"}, 4),
        ({"class_token": False, "reg_tokens": 4, "no_embed_class": True, "global_pool": "map"}, 8),
        ({"distilled": True}, 6),
    ],
)
def test_n_classes_contract(kwargs: dict, tokens: int) -> None:
    model, variables, x = _model(10, **kwargs)
    for n_classes, shape in ((10, (2, 10)), (-1, (2, 32)), (0, (2, tokens, 32))):
        assert _apply(model.clone(n_classes=n_classes), variables, x).shape == shape


def test_intermediates_are_embedded_tokens_then_blocks() -> None:
    model, variables, x = _model()
    _, state = _apply(model, variables, x, mutable=["intermediates"])
    inter = state["intermediates"]
    assert sorted(inter) == ["block_0", "block_1", "block_2"]
    assert all(v[0].shape == (2, 5, 32) for v in inter.values())


@pytest.mark.parametrize(
    ("shape", "message"),
    [
        ((32, 32, 3), "rank 4"),
        ((1, 3, 32, 32), "NHWC"),
        ((1, 30, 30, 3), "does not match img_size 32×32"),
        ((1, 48, 48, 3), "dynamic_img_size=True"),
    ],
)
def test_bad_input(shape: tuple, message: str) -> None:
    model, variables, _ = _model()
    with pytest.raises(ValueError, match=message):
        model.apply(variables, jnp.zeros(shape))
    model, variables, _ = _model(dynamic_img_size=True)
    with pytest.raises(ValueError, match="divisible by 16"):
        model.apply(variables, jnp.zeros((1, 30, 30, 3)))


def test_bad_options() -> None:
    with pytest.raises(ValueError, match="Unknown activation 'gelu_fast'; choose one of: 'gelu', "):
        _model(act_layer="gelu_fast")
    with pytest.raises(ValueError, match="needs class_token"):
        _model(class_token=False)
    with pytest.raises(TypeError, match="valid arguments"):
        flaim.get_model("vit_tiny_patch16_224", img_size=32, window_size=7)


def test_dynamic_img_size_runs_any_multiple_of_the_patch() -> None:
    model, variables, _ = _model(0, dynamic_img_size=True)
    assert _apply(model, variables, jnp.zeros((1, 48, 64, 3))).shape == (1, 1 + 12, 32)


def test_bf16_runs() -> None:
    model, variables, x = _model(dtype=jnp.bfloat16, mlp_layer="swiglu", norm_layer="rmsnorm", global_pool="map")
    out = _apply(model, variables, x)
    assert out.dtype == jnp.bfloat16 and out.shape == (2, 10)


def test_get_model_with_img_size() -> None:
    model, variables = flaim.get_model("vit_small_patch14_dinov2", img_size=28, n_classes=0, depth=1)
    assert variables["params"]["pos_embed"].shape == (1, 1 + 4, 384)
    assert _apply(model, variables, jnp.zeros((1, 28, 28, 3))).shape == (1, 5, 384)


def test_converter_resamples_pos_embed_to_the_model_grid() -> None:
    model = VisionTransformer(n_classes=0, **{**TINY, "img_size": 48})
    state = {"pos_embed": np.random.default_rng(0).standard_normal((1, 1 + 16, 32)).astype(np.float32)}
    pos = timm_to_flax(state, model)["params"]["pos_embed"]
    assert pos.shape == (1, 1 + 9, 32)
    np.testing.assert_array_equal(pos[:, 0], state["pos_embed"][:, 0])


def test_saved_fine_tune_at_another_size_loads_back_without_its_arguments(tmp_path) -> None:
    model, variables = flaim.get_model(
        "vit_tiny_patch16_224.augreg_in21k", img_size=(32, 48), n_classes=3, depth=1, dtype=jnp.bfloat16
    )
    flaim.save_pretrained(variables, str(tmp_path), "vit_tiny_patch16_224.augreg_in21k", model=model)
    again, back = flaim.get_model(pretrained=str(tmp_path))
    assert again == model and again.img_size == (32, 48) and again.dtype == jnp.bfloat16
    x = jnp.ones((1, 32, 48, 3))
    np.testing.assert_array_equal(_apply(again, back, x), _apply(model, variables, x))


@pytest.mark.parametrize("n_classes", [-1, 0, 5])
def test_distilled_checkpoint_loads_with_another_head(tmp_path, n_classes: int) -> None:
    """DeiT's two classifiers (head/fc, head/fc_dist) are dropped together; a stray key under the head is refused."""
    kwargs = {"img_size": 32, "depth": 1}
    _, variables = flaim.get_model("deit_tiny_distilled_patch16_224", **kwargs)
    flaim.save_pretrained(variables, tmp_path, "deit_tiny_distilled_patch16_224")
    _, loaded = flaim.get_model(
        "deit_tiny_distilled_patch16_224", pretrained=str(tmp_path), n_classes=n_classes, **kwargs
    )
    assert "head" not in loaded["params"] or n_classes > 0
    params = dict(variables["params"])
    params["head"] = {**params["head"], "stray": {"kernel": np.zeros((2, 2), np.float32)}}
    flaim.save_pretrained({**variables, "params": params}, tmp_path / "stray", "deit_tiny_distilled_patch16_224")
    with pytest.raises(flaim.WeightsError, match="unexpected params/head/stray"):
        flaim.get_model(
            "deit_tiny_distilled_patch16_224", pretrained=str(tmp_path / "stray"), n_classes=n_classes, **kwargs
        )

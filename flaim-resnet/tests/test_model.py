"""Tiny-input forward checks: output contract, intermediates, training options, dtypes and input errors."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from flaim import get_model
from flaim_resnet.model import ResNet

TINY = {"depths": (1, 1, 1, 1), "channels": (8, 8, 16, 16), "stem_width": 8}


def init(model: ResNet, size: int = 64) -> dict:
    return model.init(jax.random.key(0), jnp.zeros((1, size, size, 3)), training=False)


@pytest.mark.parametrize(("n_classes", "shape"), [(0, (2, 2, 2, 64)), (-1, (2, 64)), (7, (2, 7))])
def test_n_classes_contract(n_classes: int, shape: tuple[int, ...]) -> None:
    model = ResNet(n_classes=n_classes, **TINY)
    out = model.apply(init(model), jnp.ones((2, 64, 64, 3)), training=False)
    assert out.shape == shape


def test_intermediates() -> None:
    model = ResNet(n_classes=5, block="basic", **TINY)
    _, state = model.apply(init(model), jnp.ones((1, 64, 64, 3)), training=False, mutable=["intermediates"])
    shapes = {k: v[0].shape for k, v in state["intermediates"].items()}
    assert shapes == {
        "stage_0": (1, 32, 32, 64),
        "stage_1": (1, 16, 16, 8),
        "stage_2": (1, 8, 8, 8),
        "stage_3": (1, 4, 4, 16),
        "stage_4": (1, 2, 2, 16),
    }


@pytest.mark.parametrize(
    "options",
    [
        {"stem_type": "deep", "avg_down": True, "attn_layer": "se"},
        {"stem_type": "deep_tiered", "attn_layer": "eca"},
        {"aa_layer": "blur", "cardinality": 2, "base_width": 32},
        {"replace_stem_pool": True, "stem_type": "deep", "block": ("basic", "bottleneck", "basic", "bottleneck")},
    ],
)
@pytest.mark.parametrize("size", [32, 45])
def test_variants_any_size(options: dict, size: int) -> None:
    model = ResNet(n_classes=0, **{**TINY, **options})
    out = model.apply(init(model, size), jnp.ones((1, size, size, 3)), training=False)
    assert out.shape[1:3] == (-(-size // 32),) * 2


def test_avg_anti_alias_needs_even_maps() -> None:
    model = ResNet(n_classes=0, aa_layer="avg", **TINY)
    assert model.apply(init(model, 33), jnp.ones((1, 33, 33, 3)), training=False).shape == (1, 1, 1, 64)
    with pytest.raises(ValueError, match="even feature maps"):
        init(model, 45)


def test_training_updates_batch_stats_and_eval_folds() -> None:
    model = ResNet(n_classes=3, **TINY)
    variables = init(model)
    x = jax.random.normal(jax.random.key(1), (4, 64, 64, 3))
    train_out, updated = model.apply(variables, x, training=True, mutable=["batch_stats"])
    assert train_out.shape == (4, 3)
    before = jax.tree.leaves(variables["batch_stats"])
    after = jax.tree.leaves(updated["batch_stats"])
    assert all(a.shape == b.shape for a, b in zip(before, after, strict=True))
    assert any(not np.allclose(a, b) for a, b in zip(before, after, strict=True))
    assert np.isfinite(model.apply({**variables, **updated}, x, training=False)).all()


def test_drop_path_uses_dropout_rng() -> None:
    model = ResNet(n_classes=3, drop_path_rate=0.5, drop_rate=0.2, **TINY)
    variables = init(model)
    x = jax.random.normal(jax.random.key(1), (4, 64, 64, 3))
    run = lambda seed: model.apply(  # noqa: E731
        variables, x, training=True, mutable=["batch_stats"], rngs={"dropout": jax.random.key(seed)}
    )[0]
    assert not np.allclose(run(0), run(1))
    np.testing.assert_array_equal(model.apply(variables, x, training=False), model.apply(variables, x))


def test_bf16_compute_fp32_params() -> None:
    model = ResNet(n_classes=10, dtype=jnp.bfloat16, attn_layer="se", **TINY)
    variables = init(model)
    assert all(p.dtype == jnp.float32 for p in jax.tree.leaves(variables["params"]))
    x = jax.random.normal(jax.random.key(1), (1, 64, 64, 3))
    out = model.apply(variables, x, training=False)
    assert out.dtype == jnp.bfloat16 and out.shape == (1, 10)
    ref = ResNet(n_classes=10, attn_layer="se", **TINY).apply(variables, x, training=False)
    assert np.abs(np.asarray(out, np.float32) - ref).max() <= 0.05 * np.abs(ref).max()


@pytest.mark.parametrize(
    ("shape", "message"),
    [((64, 64, 3), "rank 4"), ((1, 3, 64, 64), "NCHW"), ((1, 16, 16, 3), "smaller than")],
)
def test_bad_input(shape: tuple[int, ...], message: str) -> None:
    model = ResNet(**TINY)
    variables = init(model)
    with pytest.raises(ValueError, match=message):
        model.apply(variables, jnp.ones(shape), training=False)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"stem_type": "wide"}, "stem_type"),
        ({"attn_layer": "cbam"}, "attn_layer"),
        ({"block": "dense"}, "block"),
        ({"norm_layer": "layernorm"}, "norm_layer 'layernorm'; choose one of: 'batchnorm', 'groupnorm'"),
    ],
)
def test_bad_options(options: dict, message: str) -> None:
    with pytest.raises(ValueError, match=f"Unknown {message}"):
        init(ResNet(**{**TINY, **options}))


def test_unknown_model_kwarg() -> None:
    with pytest.raises(TypeError, match="drop_path_rate"):
        get_model("resnet18", drop_pth_rate=0.1)

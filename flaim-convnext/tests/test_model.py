"""Tiny-input forward checks of the flax ConvNeXt: outputs per ``n_classes``, intermediates, options, bad input."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import flaim

X = np.random.default_rng(0).standard_normal((2, 32, 32, 3), dtype=np.float32)
SHALLOW = {"depths": (1, 1, 1, 1)}  # full widths, one block per stage: quick to compile


def forward(model, variables, x=X, **kwargs):
    return jax.jit(lambda v, x: model.apply(v, x, training=False, **kwargs))(variables, x)


@pytest.fixture(scope="module")
def atto():
    return flaim.get_model("convnext_atto", **SHALLOW)


@pytest.mark.parametrize(("n_classes", "shape"), [(0, (2, 1, 1, 320)), (-1, (2, 320)), (1000, (2, 1000))])
def test_outputs_per_n_classes(atto, n_classes: int, shape: tuple[int, ...]) -> None:
    model, variables = atto
    assert forward(model.clone(n_classes=n_classes), variables).shape == shape


def test_new_classifier() -> None:
    model, variables = flaim.get_model("convnext_atto", n_classes=7, **SHALLOW)
    assert variables["params"]["head"]["fc"]["kernel"].shape == (320, 7)
    assert forward(model, variables).shape == (2, 7)


def test_intermediates(atto) -> None:
    model, variables = atto
    _, state = forward(model, variables, mutable=["intermediates"])
    shapes = {k: v[0].shape for k, v in state["intermediates"].items()}
    assert shapes == {
        "stage_0": (2, 8, 8, 40),
        "stage_1": (2, 8, 8, 40),
        "stage_2": (2, 4, 4, 80),
        "stage_3": (2, 2, 2, 160),
        "stage_4": (2, 1, 1, 320),
    }


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("convnext_large_mlp", {"head_pre_logits", "head_norm"}),
        ("convnext_tiny_hnf", {"norm_pre"}),
        ("convnext_zepto_rms_ols", {"head_norm"}),
    ],
)
def test_head_variants(name: str, params: set[str]) -> None:
    model, variables = flaim.get_model(name, n_classes=-1, **SHALLOW)
    assert params <= set(variables["params"])
    width = model.head_hidden_size or model.dims[-1]
    assert forward(model, variables).shape == (2, width)


def test_non_square_and_odd_sizes(atto) -> None:
    model, variables = atto
    x = np.zeros((1, 40, 67, 3), np.float32)
    assert forward(model.clone(n_classes=0), variables, x).shape == (1, 1, 2, 320)


def test_v2_in_bfloat16() -> None:
    model, variables = flaim.get_model("convnextv2_atto", dtype=jnp.bfloat16, **SHALLOW)
    assert "gamma" not in variables["params"]["stages_0"]["blocks_0"]
    assert "grn" in variables["params"]["stages_0"]["blocks_0"]["mlp"]
    out = forward(model, variables)
    assert out.dtype == jnp.bfloat16
    assert bool(jnp.isfinite(out.astype(jnp.float32)).all())


def test_drop_path_grad_checkpointing_and_layer_scale() -> None:
    model, variables = flaim.get_model(
        "convnext_atto", drop_path_rate=0.5, grad_checkpointing=True, ls_init_value=0.5, **SHALLOW
    )
    np.testing.assert_array_equal(variables["params"]["stages_0"]["blocks_0"]["gamma"], 0.5)
    train = jax.jit(lambda v, x, key: model.apply(v, x, training=True, rngs={"dropout": key}))
    assert not np.allclose(train(variables, X, jax.random.key(1)), train(variables, X, jax.random.key(2)))
    plain = model.clone(drop_path_rate=0.0, grad_checkpointing=False)
    np.testing.assert_allclose(forward(model, variables), forward(plain, variables), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    ("x", "message"),
    [
        (np.zeros((32, 32, 3), np.float32), "rank 4"),
        (np.zeros((1, 3, 32, 32), np.float32), "NCHW"),
        (np.zeros((1, 16, 16, 3), np.float32), "minimum"),
    ],
)
def test_bad_input(atto, x: np.ndarray, message: str) -> None:
    model, variables = atto
    with pytest.raises(ValueError, match=message):
        model.apply(variables, x, training=False)


def test_bad_arguments() -> None:
    with pytest.raises(TypeError, match="valid arguments"):
        flaim.get_model("convnext_atto", depth=3)
    with pytest.raises(ValueError, match="choose one of"):
        flaim.get_model("convnext_atto", norm_layer="batchnorm", **SHALLOW)


def test_accelerator_formulation_matches(atto, monkeypatch: pytest.MonkeyPatch) -> None:
    """GPU/TPU take the grouped convolution, unchunked (forced on CPU with FLAIM_KERNELS=accelerator); it must
    compute what the CPU formulation does (at 176 px, shift-and-add and stage 1 in two token chunks). Layer-scale
    gammas, norm scales and biases are O(1) (U(0.5, 1.5), not the 1e-6 gamma init), so every block's branch counts."""
    model, variables = atto
    rng = np.random.default_rng(2)
    variables = jax.tree.map(lambda v: rng.uniform(0.5, 1.5, v.shape).astype(v.dtype) if v.ndim == 1 else v, variables)
    x = np.random.default_rng(1).standard_normal((2, 176, 176, 3), dtype=np.float32)
    cpu = forward(model, variables, x)
    monkeypatch.setenv("FLAIM_KERNELS", "accelerator")
    np.testing.assert_allclose(forward(model, variables, x), cpu, rtol=1e-5, atol=1e-5)

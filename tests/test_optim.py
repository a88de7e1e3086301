"""`flaim.optim` without torch: masks and scales by path, inside ``optax.multi_transform`` (no MaskedNode errors),
schedules, EMA and the errors. Parameters are zeros of the real shapes (``jax.eval_shape``): no forward pass."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import flaim
from flaim.convert import flatten
from flaim.optim import (
    create_optimizer,
    ema_params,
    layer_decay_scales,
    make_schedule,
    no_weight_decay_mask,
    params_ema,
)


def _params(name: str, **kwargs) -> dict:
    shapes = jax.eval_shape(lambda: flaim.get_model(name, n_classes=10, jit=False, **kwargs)[1])["params"]
    return jax.tree_util.tree_map(lambda s: jnp.full(s.shape, 0.5, s.dtype), shapes)


def _update(tx: optax.GradientTransformation, grads: dict, params: dict, steps: int = 1) -> dict:
    """`steps` compiled updates from a fresh state; the last updates, flattened."""
    update = jax.jit(tx.update)
    state = tx.init(params)
    for _ in range(steps):
        updates, state = update(grads, state, params)
    return flatten(updates)


def test_vit_tokens_and_one_dimensional_params_are_not_decayed() -> None:
    mask = flatten(no_weight_decay_mask(_params("vit_tiny_patch16_224", img_size=32), "vit_tiny_patch16_224"))
    assert not mask["cls_token"] and not mask["pos_embed"]
    assert not mask["blocks_0/norm1/scale"] and not mask["blocks_0/attn/qkv/bias"]
    assert mask["blocks_0/attn/qkv/kernel"] and mask["patch_embed/proj/kernel"] and mask["head/fc/kernel"]


def test_layer_decay_orders_stem_blocks_head() -> None:
    scales = flatten(layer_decay_scales("resnet10t", _params("resnet10t"), 0.5))
    # groups: stem, four one-block stages, head
    assert scales["head/fc/kernel"] == 1.0
    assert scales["layer4/0/conv1/conv/kernel"] == 0.5
    assert scales["layer1/0/conv1/conv/kernel"] == 0.5**4
    assert scales["stem/conv1/conv/kernel"] == 0.5**5


def test_works_inside_multi_transform_with_a_frozen_backbone() -> None:
    """optax hands the inner optimiser trees with MaskedNode holes; masks and scales are looked up by path."""
    params = _params("resnet10t")
    inner = create_optimizer(
        "resnet10t", params, lr=0.1, weight_decay=0.5, layer_decay=0.5, schedule="constant", ema=0.9, grad_clip=1.0
    )
    labels = jax.tree_util.tree_map_with_path(lambda path, _: "head" if path[0].key == "head" else "body", params)
    tx = optax.multi_transform({"head": inner, "body": optax.set_to_zero()}, labels)
    flat = _update(tx, jax.tree_util.tree_map(jnp.zeros_like, params), params)
    assert all(float(jnp.abs(v).max()) == 0 for k, v in flat.items() if not k.startswith("head/"))
    assert float(flat["head/fc/kernel"].mean()) == pytest.approx(-0.1 * 0.5 * 0.5)  # lr × decay × param
    assert float(jnp.abs(flat["head/fc/bias"]).max()) == 0  # biases are not decayed


def test_adamw_update_decays_weights_and_scales_layers() -> None:
    params = _params("resnet10t")
    tx = create_optimizer("resnet10t", params, lr=1.0, weight_decay=0.1, layer_decay=0.5, schedule="constant")
    updates = _update(tx, jax.tree_util.tree_map(jnp.zeros_like, params), params)
    assert float(updates["head/fc/kernel"].mean()) == pytest.approx(-0.05)
    assert float(updates["stem/conv1/conv/kernel"].mean()) == pytest.approx(-0.05 * 0.5**5, rel=1e-5)
    assert float(jnp.abs(updates["stem/conv1/norm/scale"]).max()) == 0


@pytest.mark.parametrize("opt", ["sgd", "lamb"])
def test_other_optimisers_step(opt: str) -> None:
    params = _params("resnet10t")
    tx = create_optimizer("resnet10t", params, opt=opt, lr=0.1, total_steps=10, warmup_steps=2)
    updates = _update(tx, jax.tree_util.tree_map(jnp.ones_like, params), params, steps=2)
    assert float(updates["head/fc/kernel"].mean()) < 0


def test_ema_follows_the_weights_with_warmup() -> None:
    params = {"w": jnp.zeros(3)}
    tx = optax.chain(optax.sgd(1.0), params_ema(0.999))
    state = tx.init(params)
    _, state = tx.update({"w": -jnp.ones(3)}, state, params)  # params become 1
    # warmup decay at step 0: 1/10
    np.testing.assert_allclose(np.asarray(ema_params(state)["w"]), np.full(3, 0.9), rtol=1e-6)


def test_schedules() -> None:
    cosine = make_schedule(1.0, "cosine", 10, 110)
    assert float(cosine(0)) == 0 and float(cosine(10)) == pytest.approx(1.0) and float(cosine(110)) == pytest.approx(0)
    assert float(make_schedule(1.0, "constant", 4, None)(2)) == pytest.approx(0.5)


def test_errors_name_the_valid_choices() -> None:
    params = _params("resnet10t")
    with pytest.raises(ValueError, match="'adamw', 'sgd', 'lamb'"):
        create_optimizer("resnet10t", params, opt="adam", lr=1.0)
    with pytest.raises(ValueError, match="needs total_steps"):
        create_optimizer("resnet10t", params, lr=1.0)
    with pytest.raises(ValueError, match="'cosine', 'constant'"):
        create_optimizer("resnet10t", params, lr=1.0, schedule="step")
    with pytest.raises(ValueError, match="holds no EMA"):
        ema_params(optax.sgd(1.0).init(params))

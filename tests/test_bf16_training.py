"""``dtype=jnp.bfloat16`` (float32 parameters, bfloat16 compute) trains in every family: through `flaim.train`'s
step with SGD momentum, the loss on one fixed batch is finite and falls, BatchNorm statistics stay float32."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import flaim
from flaim.train import TrainState, make_train_step

CASES = [
    ("test_resnet", {}),
    ("convnext_atto", {"depths": (1, 1, 1, 1), "kernel_size": 3}),  # 3×3 taps: half the compile time of 7×7
    ("test_vit", {"img_size": 32, "depth": 2}),
]


@pytest.mark.parametrize(("name", "kwargs"), CASES)
def test_bfloat16_loss_falls(name: str, kwargs: dict) -> None:
    model, variables = flaim.get_model(name, n_classes=4, dtype=jnp.bfloat16, **kwargs)
    assert all(leaf.dtype == jnp.float32 for leaf in jax.tree.leaves(variables))
    rng = np.random.default_rng(0)
    images = rng.standard_normal((4, 32, 32, 3), dtype=np.float32)
    labels = np.arange(4) % 4
    state = TrainState.create(variables, optax.sgd(0.05, momentum=0.9), jax.random.key(0))
    train_step = make_train_step(model)
    losses = []
    for _ in range(6):
        state, metrics = train_step(state, images, labels)
        losses.append(float(metrics["loss"]))
    assert np.isfinite(losses).all(), losses
    assert losses[-1] < 0.7 * losses[0], losses
    assert all(leaf.dtype == jnp.float32 for leaf in jax.tree.leaves(state.variables))

"""flaim.nnx: the NNX module computes what the linen model computes, and trains with nnx.Optimizer."""

from __future__ import annotations

from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

import flaim
import flaim.nnx
from flaim.convert import flatten

NAME, KWARGS = "resnet10t", {"n_classes": 5}  # BatchNorm everywhere, a deep stem; small
X = jnp.asarray(np.random.default_rng(0).standard_normal((4, 32, 32, 3), dtype=np.float32))
LABELS = jnp.array([0, 1, 2, 3])


def test_outputs_and_batch_stats_equal_linens(tmp_path: Path) -> None:
    linen, variables = flaim.get_model(NAME, **KWARGS)
    model = flaim.nnx.get_model(NAME, **KWARGS)
    forward = nnx.jit(lambda model, x: model(x))
    evaluate = jax.jit(lambda variables, x: linen.apply(variables, x, training=False))
    np.testing.assert_array_equal(forward(model, X), evaluate(variables, X))

    expected, updates = jax.jit(lambda v, x: linen.apply(v, x, training=True, mutable=["batch_stats"]))(variables, X)
    model.train()
    np.testing.assert_array_equal(forward(model, X), expected)
    stats, want = flatten(model.linen_variables()["batch_stats"]), flatten(updates["batch_stats"])
    assert stats.keys() == want.keys() and all(np.array_equal(stats[k], want[k]) for k in want)

    model.eval()  # eval mode uses the running stats the training-mode call just updated
    now = {**variables, "batch_stats": updates["batch_stats"]}
    np.testing.assert_array_equal(forward(model, X), evaluate(now, X))
    flaim.save_pretrained(model.linen_variables(), str(tmp_path), NAME, model=model.module)
    _, back = flaim.get_model(pretrained=str(tmp_path))
    np.testing.assert_array_equal(evaluate(back, X), evaluate(now, X))


def test_a_few_optimizer_steps_lower_the_loss() -> None:
    model = flaim.nnx.get_model(NAME, **KWARGS)
    model.train()
    optimizer = nnx.Optimizer(model, optax.adam(1e-2), wrt=nnx.Param)
    before = flatten(model.linen_variables())

    @nnx.jit
    def step(model: flaim.nnx.Model, optimizer: nnx.Optimizer) -> jax.Array:
        def loss_fn(model: flaim.nnx.Model) -> jax.Array:
            return optax.softmax_cross_entropy_with_integer_labels(model(X), LABELS).mean()

        loss, grads = nnx.value_and_grad(loss_fn)(model)
        optimizer.update(model, grads)
        return loss

    losses = [float(step(model, optimizer)) for _ in range(5)]
    assert losses[-1] < 0.5 * losses[0], losses
    after = flatten(model.linen_variables())
    for key in ("params/head/fc/kernel", "batch_stats/stem/conv1/norm/mean"):  # weights and running stats moved
        assert not np.array_equal(after[key], before[key]), key

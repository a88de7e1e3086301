"""``grad_checkpointing=True`` (with or without a ``remat_policy``) changes no output and no gradient, in every
family."""

from __future__ import annotations

import jax
import numpy as np
import pytest

import flaim
from flaim.convert import flatten

CASES = [
    ("test_resnet", {}, None),
    ("convnext_atto", {"depths": (1, 1, 1, 1)}, "dots_saveable"),
    ("test_vit", {"img_size": 32, "depth": 2}, "nothing_saveable"),
]
X = np.random.default_rng(0).standard_normal((2, 32, 32, 3), dtype=np.float32)


@pytest.mark.parametrize(("name", "kwargs", "policy"), CASES)
def test_same_outputs_and_gradients(name: str, kwargs: dict, policy: str | None) -> None:
    model, variables = flaim.get_model(name, drop_path_rate=0.2, **kwargs)
    remat = model.clone(grad_checkpointing=True, remat_policy=policy)

    def loss(params, m):
        y, _ = m.apply(
            {**variables, "params": params},
            X,
            training=True,
            rngs={"dropout": jax.random.key(1)},
            mutable=["batch_stats"],
        )
        return (y**2).sum()

    value_and_grad = jax.jit(jax.value_and_grad(loss), static_argnums=1)
    (v1, g1), (v2, g2) = value_and_grad(variables["params"], model), value_and_grad(variables["params"], remat)
    np.testing.assert_allclose(v2, v1, rtol=1e-6)
    for k, g in flatten(g1).items():
        np.testing.assert_allclose(flatten(g2)[k], g, rtol=1e-5, atol=1e-6 * float(np.abs(g).max()), err_msg=k)


def test_unknown_policy() -> None:
    with pytest.raises(ValueError, match="Unknown remat_policy 'dots'; choose one of: None, nothing_saveable"):
        flaim.get_model("test_resnet", grad_checkpointing=True, remat_policy="dots")

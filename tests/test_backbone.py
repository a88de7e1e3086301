"""A flaim backbone inside a parent linen module: ``features_only`` maps, out_indices errors, and `flaim.backbone`'s
graft putting the loaded variables under the parent's submodule."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import linen as nn

import flaim

X = np.random.default_rng(0).standard_normal((2, 64, 64, 3), dtype=np.float32)


class Detector(nn.Module):
    """A parent module: a flaim backbone as a field, a 1×1 head on each of its maps."""

    backbone: nn.Module

    @nn.compact
    def __call__(self, x: jax.Array, training: bool = False) -> list[jax.Array]:
        return [nn.Dense(4, name=f"head{i}")(m) for i, m in enumerate(self.backbone(x, training))]


def test_graft_puts_the_loaded_variables_under_the_submodule() -> None:
    model, graft = flaim.backbone("test_resnet", prng=jax.random.key(3), features_only=True, out_indices=(2, 4))
    _, loaded = flaim.get_model("test_resnet", prng=jax.random.key(3), features_only=True, out_indices=(2, 4))
    detector = Detector(model)
    variables = graft(detector.init(jax.random.key(0), X), "backbone")
    assert set(variables) == {"params", "batch_stats"}
    assert jax.tree.all(jax.tree.map(jnp.array_equal, variables["params"]["backbone"], loaded["params"]))
    maps = detector.apply(variables, X, method=lambda self, x: self.backbone(x, False))
    expected = model.apply(loaded, X, training=False)
    assert [m.shape for m in maps] == [(2, 8, 8, 48), (2, 2, 2, 96)]
    for got, want in zip(maps, expected, strict=True):
        np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match="under 'trunk' do not match test_resnet's"):
        graft(detector.init(jax.random.key(0), X), "trunk")


@pytest.mark.parametrize(("out_indices", "message"), [((0, 5), "in 0..4"), (6, "between 1 and 5")])
def test_bad_out_indices(out_indices, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        flaim.get_model("test_resnet", features_only=True, out_indices=out_indices)

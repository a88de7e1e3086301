"""`flaim.layers.params.param` and `Dense`: flax's values, parameter names and numerics, without flax tracing each
parameter's initialiser at every apply, and a clear error for a parameter of the wrong shape."""

from __future__ import annotations

import jax
import numpy as np
import pytest
from flax import linen as nn

from flaim.layers import LayerNorm
from flaim.layers.dense import Dense
from flaim.layers.init import trunc_normal, zeros

X = np.random.default_rng(0).standard_normal((2, 5, 6)).astype(np.float32)


class Net(nn.Module):
    dense: type[nn.Module]

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        x = LayerNorm(name="norm")(x)
        return self.dense(4, kernel_init=trunc_normal(0.02), bias_init=zeros, name="fc")(x)


def test_dense_is_flax_dense() -> None:
    ours, flax = Net(Dense), Net(nn.Dense)
    variables = flax.init(jax.random.key(0), X)
    assert jax.tree.structure(ours.init(jax.random.key(0), X)) == jax.tree.structure(variables)
    np.testing.assert_array_equal(ours.apply(variables, X), flax.apply(variables, X))


def test_apply_traces_no_initialiser(monkeypatch: pytest.MonkeyPatch) -> None:
    variables = Net(Dense).init(jax.random.key(0), X)
    calls = []
    eval_shape = jax.eval_shape
    monkeypatch.setattr(jax, "eval_shape", lambda *a, **k: calls.append(a) or eval_shape(*a, **k))
    jax.make_jaxpr(Net(Dense).apply)(variables, X)
    assert calls == []
    jax.make_jaxpr(Net(nn.Dense).apply)(variables, X)
    assert len(calls) == 2  # flax's Dense: kernel and bias


def test_wrong_shape_is_named() -> None:
    variables = Net(Dense).init(jax.random.key(0), X)
    variables["params"]["norm"]["scale"] = np.ones(7, np.float32)
    with pytest.raises(ValueError, match=r"Parameter 'scale' of 'norm' has shape \(7,\); this model needs \(6,\)"):
        Net(Dense).apply(variables, X)
